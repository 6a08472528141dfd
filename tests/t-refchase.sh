#!/bin/bash
# t-refchase.sh - build/tlb-refchase (the independent TLB chase that
# cross-checks `pcpubench tlb` by another method, tests/tlb-refchase.c)
# runs, once, and prints its table and every summary figure as a number.
# Behaviour only: the figures themselves are timings and never checked.
# Exit: 0 pass, 77 skip (not built), 1 fail.
set -u
cd "$(dirname "$0")/.." || exit 1
B=build/tlb-refchase
[ -x "$B" ] || { echo "SKIP: $B not built (make tests)"; exit 77; }
out=$(timeout 120 "$B" 4k 1 2>&1)
rc=$?
fails=0
[ "$rc" = 0 ] && echo "ok   tlb-refchase 4k 1: exit 0" ||
	{ echo "FAIL tlb-refchase exit $rc: $(tail -2 <<<"$out")"; fails=1; }
for k in l1_reach l2_reach l2_hit 'walk(16K pages)' 'walk_far(64K pages)'; do
	if grep -Eq "^$(sed 's/[()]/\\&/g' <<<"$k") [0-9.]+ (pages|cycles)$" <<<"$out"; then
		echo "ok   $k: $(grep -F "$k" <<<"$out")"
	else
		echo "FAIL no '$k N' line"; fails=1
	fi
done
exit $fails
