#!/bin/bash
# The findings block of a disturbed run and its NA lines, over copies of
# the fixtures: unit tests in tests/test_findings.py (per-claim
# "disturbed" marks within findings.MAX_LINES, "disturbed: rerun" for a
# figure with no sample left, claim 7's module reserve NA with its
# reason).
set -u
cd "$(dirname "$0")/.." || exit 1
exec /usr/bin/python3 tests/test_findings.py -v
