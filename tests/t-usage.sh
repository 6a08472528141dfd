#!/bin/bash
# t-usage.sh - every command's usage (bench/main.c and each command's
# options): bad input never crashes or leaks, each case gives exit 2 (4
# when it cannot run here) and a message naming the problem, against the
# plain and the ASan+UBSan binaries (LeakSanitizer checks for leaks at
# exit); --help names every option; list names every strategy, layout
# and the access x layout matrix.
. "$(dirname "$0")/lib.sh"

expect_bins 2 "unknown command" frobnicate
expect_bins 2 "usage" ""
for cmd in mem churn; do
	if [ "$cmd" = churn ] && "$BIN" churn --help 2>&1 | grep -q 'not implemented'; then
		continue
	fi
	expect_bins 2 "unknown strategy 'bogus'" $cmd --strategy bogus
	expect_bins 2 "possible" $cmd --strategy vm-area --possible 0
	expect_bins 2 "online (9) exceeds" $cmd --strategy vm-area --possible 8 --online 9
	expect_bins 2 "too large" $cmd --strategy offset-array --possible 8 --online 2 --unit 1073741824
	expect_bins 2 "unrecognized option\|unknown option" $cmd --no-such-option
	if [ "$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)" = 0 ]; then
		# none reserved: cannot run here (4), not a usage error
		expect_bins 4 "hugetlb" $cmd --strategy vm-area --possible 8 --online 2 --page hugetlb
	fi
done
# Access x layout pairs, layouts and late nodes (issue 11).
for cmd in mem churn numa; do
	expect_bins 2 "cannot use layout embed" $cmd --strategy vm-area --layout embed --possible 8 --online 2
	expect_bins 2 "cannot use layout thread" $cmd --strategy offset-array --layout thread --possible 8 --online 2
	expect_bins 2 "unknown layout 'flat'" $cmd --layout flat
	expect_bins 2 "unknown --late-node 'nearest'" $cmd --late-node nearest
	expect_bins 2 "late node node:9" $cmd --strategy vm-area --late-node node:9 --possible 8 --online 2
done
expect_bins 2 "one strategy" numa --wait-hotadd 1 --matrix off
expect_bins 2 "want a count or a cpulist" numa --hotadd x
expect_bins 2 "doesn.t allow an argument" access --late=1
expect_bins 2 "unexpected argument" access --late x
expect_bins 4 "MemAvailable" mem --strategy offset-array --possible 16384 --online 2 --unit 134217728
expect_bins 4 "4 KiB" mem --strategy offset-array --layout page --possible 8 --online 2 --page thp
expect_bins 0 "" list --help
expect_bins 0 "" mem --help

# --help is complete: every long option a command accepts is in its help.
for cmd in list info access tlb churn numa mem; do
	help=$("$BIN" $cmd --help 2>&1)
	miss=
	for o in $(grep -oE '\{ *"[a-z0-9-]+", *(required|no|optional)_argument' \
			"bench/cmd-$cmd.c" | grep -oE '"[a-z0-9-]+"' | tr -d '"'); do
		grep -q -- "--$o" <<<"$help" || miss="$miss --$o"
	done
	[ -z "$miss" ] && pass "$cmd --help names every option" ||
		fail "$cmd --help does not mention$miss"
done

# list names every strategy.
out=$("$BIN" list)
for s in offset-array segment vm-area hybrid hybrid-segment tls; do
	check "list names strategy $s" grep -q "^  $s " <<<"$out"
done
# list shows the four layouts (and thread) and the access x layout matrix.
for l in embed page vm hybrid thread; do
	check "list names layout $l" grep -q "^  $l " <<<"$out"
done
check "list shows the access x layout matrix" \
	grep -qE '^  shift +\(3\) +ok +ok' <<<"$out"
check "list says why shift needs a stride" \
	grep -q 'constant power-of-two stride' <<<"$out"
done_testing
