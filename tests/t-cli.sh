#!/bin/bash
# Bad input never crashes or leaks: each case gives exit 2 and a message
# naming the problem. Run against the plain and the ASan+UBSan binaries
# (LeakSanitizer checks for leaks at exit).
set -u
cd "$(dirname "$0")/.." || exit 1
fails=0
bins=("${PCPUBENCH:-build/pcpubench}")
[ -x "${PCPUBENCH_ASAN:-build/asan/pcpubench}" ] && bins+=("${PCPUBENCH_ASAN:-build/asan/pcpubench}")

# case: expected-exit  expected-text  args...
check() {
	local want=$1 text=$2; shift 2
	local bin out rc
	for bin in "${bins[@]}"; do
		out=$("$bin" "$@" 2>&1 >/dev/null)
		rc=$?
		if [ "$rc" != "$want" ]; then
			echo "FAIL: $bin $*: exit $rc, want $want: $out"; fails=$((fails + 1))
		elif ! grep -qi -- "$text" <<<"$out"; then
			echo "FAIL: $bin $*: message lacks '$text': $out"; fails=$((fails + 1))
		elif grep -q 'Sanitizer' <<<"$out"; then
			echo "FAIL: $bin $*: sanitizer report: $out"; fails=$((fails + 1))
		else
			echo "ok: $* -> exit $rc: $(head -1 <<<"$out")"
		fi
	done
}

check 2 "unknown command" frobnicate
check 2 "usage" ""
for cmd in mem churn; do
	if [ "$cmd" = churn ] && "${bins[0]}" churn --help 2>&1 | grep -q 'not implemented'; then
		continue
	fi
	check 2 "unknown strategy 'bogus'" $cmd --strategy bogus
	check 2 "possible" $cmd --strategy vm-area --possible 0
	check 2 "online (9) exceeds" $cmd --strategy vm-area --possible 8 --online 9
	check 2 "too large" $cmd --strategy offset-array --possible 8 --online 2 --unit 1073741824
	check 2 "unrecognized option\|unknown option" $cmd --no-such-option
	if [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" = 0 ]; then
		# none reserved: cannot run here (4), not a usage error
		check 4 "hugetlb" $cmd --strategy vm-area --possible 8 --online 2 --page hugetlb
	fi
done
# Access x layout pairs, layouts and late nodes (issue 11).
for cmd in mem churn numa; do
	check 2 "cannot use layout embed" $cmd --strategy vm-area --layout embed --possible 8 --online 2
	check 2 "cannot use layout thread" $cmd --strategy offset-array --layout thread --possible 8 --online 2
	check 2 "unknown layout 'flat'" $cmd --layout flat
	check 2 "unknown --late-node 'nearest'" $cmd --late-node nearest
	check 2 "late node node:9" $cmd --strategy vm-area --late-node node:9 --possible 8 --online 2
done
check 2 "one strategy" numa --wait-hotadd 1 --matrix off
check 2 "want a count or a cpulist" numa --hotadd x
check 2 "doesn.t allow an argument" access --late=1
check 2 "unexpected argument" access --late x
check 4 "MemAvailable" mem --strategy offset-array --possible 16384 --online 2 --unit 134217728
check 4 "4 KiB" mem --strategy offset-array --layout page --possible 8 --online 2 --page thp
check 0 "" list --help
check 0 "" mem --help

# --help is complete: every long option a command accepts is in its help.
for cmd in list info access tlb churn numa mem; do
	help=$("${bins[0]}" $cmd --help 2>&1)
	for o in $(grep -oE '\{ *"[a-z0-9-]+", *(required|no|optional)_argument' \
			"bench/cmd-$cmd.c" | grep -oE '"[a-z0-9-]+"' | tr -d '"'); do
		if ! grep -q -- "--$o" <<<"$help"; then
			echo "FAIL: $cmd --help does not mention --$o"; fails=$((fails + 1))
		fi
	done
done

# list names every strategy.
for s in offset-array segment vm-area hybrid hybrid-segment tls; do
	if ! "${bins[0]}" list | grep -q "^  $s "; then
		echo "FAIL: list lacks $s"; fails=$((fails + 1))
	fi
done
# list shows the four layouts (and thread) and the access x layout matrix.
out=$("${bins[0]}" list)
for l in embed page vm hybrid thread; do
	grep -q "^  $l " <<<"$out" || { echo "FAIL: list lacks layout $l"; fails=$((fails + 1)); }
done
grep -qE '^  shift +\(3\) +ok +ok' <<<"$out" ||
	{ echo "FAIL: list lacks the access x layout matrix"; fails=$((fails + 1)); }
grep -q 'constant power-of-two stride' <<<"$out" ||
	{ echo "FAIL: list lacks the reason shift needs a stride"; fails=$((fails + 1)); }
echo "$fails failure(s)"
[ "$fails" -eq 0 ]
