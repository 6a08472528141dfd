# shellcheck shell=bash
# tests/lib.sh - the one helper of the shell tests (tests/t-*.sh).
#
# A test sources it first:   . "$(dirname "$0")/lib.sh"
# and ends with:             done_testing
#
# Sourcing it: `set -u`, cd to the top of the tree, and sets
#   ROOT   the top of the tree (absolute)
#   BIN    the binary under test: $PCPUBENCH, else build/pcpubench
#   ABIN   the ASan+UBSan binary ($PCPUBENCH_ASAN, else build/asan/
#          pcpubench) when it is built, else empty
#   BINS   ("$BIN" and "$ABIN" when built): for checks run on both
#   PY     /usr/bin/python3 (the python3 that sees matplotlib)
#   T      a private temporary directory, removed on exit
#   T_FAILED  the number of checks failed so far (read only)
#
# Output is TAP: one line a check, "ok N - what" or "not ok N - what"
# (further lines of a message follow as "# " lines), "# skip what" for a
# part that cannot run here, then the plan "1..N" and a count line.
# Exit: 0 every check passed, 1 one failed (or the test ended without
# done_testing), 4 the whole test cannot run here (skip_all; the same
# code as the binary's "cannot run here").
#
#   pass WHAT                  report a check that passed
#   fail WHAT                  report a check that failed
#   check WHAT CMD...          run CMD (output kept, shown on failure):
#                              pass if it exits 0, else fail
#   check_rc WHAT RC [DETAIL]  pass if RC (a command's $?) is 0, else
#                              fail "WHAT: DETAIL"
#   is WHAT GOT WANT           pass if the strings GOT and WANT are equal
#   expect RC TEXT CMD...      run CMD: pass if it exits RC and its
#                              stderr contains TEXT (grep -i; "" is any)
#                              and no sanitizer report; $EXPECT_WRAP, if
#                              set, is put before CMD (e.g. "timeout 60")
#   expect_bins RC TEXT ARG... expect RC TEXT "$b" ARG... for each b in BINS
#   skip WHAT                  a "# skip" line: a part not run here
#   skip_all WHY               the whole test cannot run here: exit 4
#   need_bin                   skip_all unless $BIN is built
#   is_root                    true when running as root
#   at_exit CMD                run CMD (a string, eval'd) on exit, before
#                              $T is removed (restore what the test changed)
#   done_testing               print the plan and the count, exit 0 or 1
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1
BIN=${PCPUBENCH:-$ROOT/build/pcpubench}
ABIN=${PCPUBENCH_ASAN:-$ROOT/build/asan/pcpubench}
[ -x "$ABIN" ] || ABIN=
BINS=("$BIN")
[ -n "$ABIN" ] && BINS+=("$ABIN")
PY=/usr/bin/python3
T_NAME=$(basename "$0" .sh)
T_N=0 T_FAILED=0 T_SKIPPED=0 T_DONE=0
T_AT_EXIT=()
T=$(mktemp -d "${TMPDIR:-/tmp}/$T_NAME.XXXXXX") || exit 1

t_exit() {
	local rc=$? c
	for c in "${T_AT_EXIT[@]}"; do
		eval "$c"
	done
	rm -rf "$T"
	if [ "$T_DONE" = 0 ] && [ "$rc" = 0 ]; then
		echo "not ok $((T_N + 1)) - $T_NAME ended before done_testing"
		exit 1
	fi
	exit "$rc"
}
trap t_exit EXIT

at_exit() { T_AT_EXIT+=("$1"); }

# t_line STATUS WHAT: one TAP line; a message's further lines as comments
t_line() {
	local what=${2//"$ROOT"\//}
	T_N=$((T_N + 1))
	printf '%s %d - %s\n' "$1" "$T_N" "${what%%$'\n'*}"
	[[ "$what" == *$'\n'* ]] && printf '%s\n' "${what#*$'\n'}" | sed 's/^/#   /'
	return 0
}

pass() { t_line ok "$*"; }
fail() { t_line "not ok" "$*"; T_FAILED=$((T_FAILED + 1)); return 0; }

skip() {
	T_SKIPPED=$((T_SKIPPED + 1))
	echo "# skip $*"
}

skip_all() {
	echo "1..0 # SKIP $T_NAME: $*"
	T_DONE=1
	exit 4
}

is_root() { [ "$(id -u)" = 0 ]; }

need_bin() {
	[ -x "$BIN" ] || skip_all "$BIN not built"
}

check() {
	local what=$1
	shift
	if "$@" >"$T/.check.out" 2>&1; then
		pass "$what"
	else
		fail "$what"
		tail -n 20 "$T/.check.out" | sed 's/^/#   /'
	fi
}

check_rc() {
	if [ "$2" = 0 ]; then
		pass "$1"
	else
		fail "$1: ${3:-exit $2}"
	fi
}

is() {
	if [ "$2" = "$3" ]; then
		pass "$1 = $2"
	else
		fail "$1 = '$2', want '$3'"
	fi
}

expect() {
	local want=$1 text=$2 out rc
	shift 2
	# shellcheck disable=SC2086
	out=$(${EXPECT_WRAP:-} "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail "$*: exit $rc, want $want: $(head -c 600 <<<"$out")"
	elif ! grep -qi -- "$text" <<<"$out"; then
		fail "$*: message lacks '$text': $(head -c 600 <<<"$out")"
	elif grep -q 'Sanitizer' <<<"$out"; then
		fail "$*: sanitizer report: $(head -c 600 <<<"$out")"
	else
		pass "$(cut -c1-90 <<<"$*") -> exit $rc: $(head -1 <<<"$out" | cut -c1-100)"
	fi
}

expect_bins() {
	local want=$1 text=$2 b
	shift 2
	for b in "${BINS[@]}"; do
		expect "$want" "$text" "$b" "$@"
	done
}

done_testing() {
	T_DONE=1
	echo "1..$T_N"
	echo "# $T_NAME: $((T_N - T_FAILED)) passed, $T_FAILED failed, $T_SKIPPED skipped"
	[ "$T_FAILED" = 0 ] && exit 0
	exit 1
}
