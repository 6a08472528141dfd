#!/bin/bash
# The results package plots/pcpu/ and scripts/results-write.py: unit
# tests over the fixtures (tests/test_pcpu.py).
set -u
cd "$(dirname "$0")/.." || exit 1
exec /usr/bin/python3 tests/test_pcpu.py -v
