#!/bin/bash
# t-tlb-refchase.sh - build/tlb-refchase (the independent TLB chase that
# cross-checks `pcpubench tlb` by another method, tests/tlb-refchase.c)
# runs, once, and prints its table and every summary figure as a number.
# Behaviour only: the figures themselves are timings and never checked.
# Exit: 0 pass, 4 skip (not built), 1 fail.
. "$(dirname "$0")/lib.sh"
B=build/tlb-refchase
[ -x "$B" ] || skip_all "$B not built (make tests)"
out=$(timeout 120 "$B" 4k 1 2>&1)
rc=$?
[ "$rc" = 0 ] && pass "tlb-refchase 4k 1: exit 0" ||
	fail "tlb-refchase exit $rc: $(tail -2 <<<"$out")"
for k in l1_reach l2_reach l2_hit 'walk(16K pages)' 'walk_far(64K pages)'; do
	if grep -Eq "^$(sed 's/[()]/\\&/g' <<<"$k") [0-9.]+ (pages|cycles)$" <<<"$out"; then
		pass "$k: $(grep -F "$k" <<<"$out")"
	else
		fail "no '$k N' line"
	fi
done
done_testing
