"""pcpu_results - the names older callers import (lab/ and the inline
Python of tests/t-report.sh, t-disturbed.sh, t-lab.sh), re-exported from
the one package plots/pcpu/. New code imports from pcpu.* directly.
"""

from pcpu.read import NotResults, Run  # noqa: F401
from pcpu.rules import OUTCOME, is_difference  # noqa: F401
from pcpu.stats import Stats, mann_whitney, quantile  # noqa: F401
