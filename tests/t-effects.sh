#!/bin/bash
# The findings' statistics (plots/effects.py): unit tests with fixed
# numbers (tests/test_effects.py).
set -u
cd "$(dirname "$0")/.." || exit 1
exec /usr/bin/python3 tests/test_effects.py -v
