#!/bin/bash
# Run every test suite of pcpubench and print one closing line:
#   "N passed, N failed, N skipped"
#
# Suites: build/tests/test-* (cmocka: exit 0 pass, anything else the
# number of failed tests), the same built with ASan+UBSan
# (build/asan/tests/test-*), and tests/t-*.sh (shell, TAP output through
# tests/lib.sh: exit 0 pass, 4 skip (cannot run here, as the binary),
# anything else fail). Each suite's output goes to build/test-logs/; a
# failing suite's log is printed. Runs every suite even when one fails.
#
# Usage: scripts/run-tests.sh [PATTERN]   (only suites whose name matches)
set -u
cd "$(dirname "$0")/.." || exit 1
logs=build/test-logs
mkdir -p "$logs"
pat=${1:-}
pass=0 fail=0 skip=0
failed=()

export PCPUBENCH="$PWD/build/pcpubench"
export PCPUBENCH_ASAN="$PWD/build/asan/pcpubench"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# run_suite NAME SKIP_RC CMD...: SKIP_RC is the exit code that means
# "skipped" (4 for the shell tests; none for cmocka, whose exit code is
# its count of failed tests)
run_suite() {
	local name=$1 skip_rc=$2; shift 2
	local log="$logs/${name//\//_}.log" rc start end
	[ -n "$pat" ] && [[ "$name" != *$pat* ]] && return
	start=$(date +%s)
	timeout 900 "$@" >"$log" 2>&1
	rc=$?
	end=$(date +%s)
	[ "$rc" != 0 ] && [ "$rc" = "$skip_rc" ] && rc=skip
	case $rc in
	0)  pass=$((pass + 1)); printf 'PASS  %-40s %3ss\n' "$name" $((end - start)) ;;
	skip) skip=$((skip + 1)); printf 'SKIP  %-40s %s\n' "$name" \
		"$(grep -m1 -i 'skip' "$log" | cut -c1-80)" ;;
	*)  fail=$((fail + 1)); failed+=("$name")
	    printf 'FAIL  %-40s exit %s\n' "$name" "$rc"
	    sed 's/^/    | /' "$log" | tail -40 ;;
	esac
}

for t in build/tests/test-*; do
	[ -x "$t" ] && run_suite "unit/${t##*/}" none "$t"
done
for t in build/asan/tests/test-*; do
	[ -x "$t" ] && run_suite "asan/${t##*/}" none "$t"
done
for t in tests/t-*.sh; do
	[ -f "$t" ] && run_suite "shell/${t##*/}" 4 bash "$t"
done

echo
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
