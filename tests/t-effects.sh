#!/bin/bash
# The findings' statistics (plots/effects.py): unit tests with fixed
# numbers (tests/test_effects.py).
. "$(dirname "$0")/lib.sh"
[ -x "$PY" ] || skip_all "$PY not found"
check "plots/effects.py: tests/test_effects.py" "$PY" tests/test_effects.py -v
done_testing
