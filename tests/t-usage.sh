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

# --help is complete: every long option a command accepts is in its help:
# the getopt tables left (struct option) and the option layer's
# declarations (bench/opts.h: OPT_OWN*(code, "name"), OPT_C/OPT_CX(ID)),
# in the command's files (bench/cmd-<cmd>.c, bench/<cmd>-*.c).
cmd_opts() {
	local f=(bench/cmd-$1.c) g
	for g in bench/$1-*.c; do [ -e "$g" ] && f+=("$g"); done
	{
		grep -ohE '\{ *"[a-z0-9-]+", *(required|no|optional)_argument' "${f[@]}" |
			grep -oE '"[a-z0-9-]+"' | tr -d '"'
		grep -ohE 'OPT_OWN(_FLAG)?\([^,]+, *"[a-z0-9-]+"' "${f[@]}" |
			grep -oE '"[a-z0-9-]+"' | tr -d '"'
		grep -ohE 'OPT_CX?\([A-Z_]+' "${f[@]}" | sed 's/.*(//' |
			tr 'A-Z_' 'a-z-'
	} | sort -u
}
for cmd in list info access tlb churn numa mem workload modules kfacts cid kernel; do
	help=$("$BIN" $cmd --help 2>&1)
	miss= n=0
	for o in $(cmd_opts $cmd); do
		n=$((n + 1))
		grep -q -- "--$o" <<<"$help" || miss="$miss --$o"
	done
	[ -z "$miss" ] && [ "$n" -gt 0 ] &&
		pass "$cmd --help names every option ($n)" ||
		fail "$cmd --help does not mention$miss (of $n)"
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
# lib/ is a library: it takes everything as arguments and reads no
# environment (the program reads it in bench/bench-env.c, issue 20).
check "lib/ calls no getenv (only bench/bench-env.c does)" \
	bash -c '! grep -rnw getenv lib --include=*.c --include=*.h &&
		! grep -rlw getenv bench --include=*.c | grep -v "^bench/bench-env.c$"'
done_testing
