#!/bin/bash
# Run every test suite of pcpubench and print one closing line:
#   "N passed, N failed, N skipped"
#
# Suites: build/tests/test-* (cmocka), the same built with ASan+UBSan
# (build/asan/tests/test-*), and tests/t-*.sh (shell: exit 0 pass, 77 skip,
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

run_suite() {
	local name=$1; shift
	local log="$logs/${name//\//_}.log" rc start end
	[ -n "$pat" ] && [[ "$name" != *$pat* ]] && return
	start=$(date +%s)
	timeout 900 "$@" >"$log" 2>&1
	rc=$?
	end=$(date +%s)
	case $rc in
	0)  pass=$((pass + 1)); printf 'PASS  %-40s %3ss\n' "$name" $((end - start)) ;;
	77) skip=$((skip + 1)); printf 'SKIP  %-40s %s\n' "$name" \
		"$(grep -m1 -i 'skip' "$log" | cut -c1-80)" ;;
	*)  fail=$((fail + 1)); failed+=("$name")
	    printf 'FAIL  %-40s exit %s\n' "$name" "$rc"
	    sed 's/^/    | /' "$log" | tail -40 ;;
	esac
}

for t in build/tests/test-*; do
	[ -x "$t" ] && run_suite "unit/${t##*/}" "$t"
done
for t in build/asan/tests/test-*; do
	[ -x "$t" ] && run_suite "asan/${t##*/}" "$t"
done
for t in tests/t-*.sh; do
	[ -f "$t" ] && run_suite "shell/${t##*/}" bash "$t"
done

echo
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
