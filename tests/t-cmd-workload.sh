#!/bin/bash
# t-cmd-workload.sh - behaviour of `pcpubench workload` (never its timings):
# bad input is exit 2 with a message naming the option, --help names
# every option, a tiny run gives cycles and slowdown rows for every
# strategy with the access/layout columns, the loops have no call per
# access. Exit: 0 pass, 4 skip (no binary), 1 fail.
. "$(dirname "$0")/lib.sh"
need_bin
case "$BIN" in *fake*) skip_all "fake binary" ;; esac

bad() {
	# bad TEXT ARGS...: exit 2 and TEXT in the message
	local text=$1
	shift
	expect 2 "$text" "$BIN" workload "$@"
}
bad "--pages" --pages 0
bad "--pages" --pages 16-999999999
bad "--pages" --pages 64,16
bad "--pages" --pages abc
bad "--accesses" --accesses 0
bad "--accesses" --accesses 257
bad "--vars" --vars 0
bad "--work" --work 5000
bad "--page" --page 1g
bad "--placement" --placement random
# A repeated list item is folded once, as in every command.
n=$("$BIN" workload --strategy segment,segment --pages 16 --accesses 4,4 \
	--page 4k --repeat 1 --tries 1 --min-time 0.0002 --format csv 2>/dev/null |
	grep -c '^workload,segment,.*,cycles_per_iter,')
[ "$n" = 1 ] && pass "segment,segment and 4,4: folded once (1 row)" ||
	fail "segment,segment and 4,4: $n cycles rows, want 1"
bad "unknown strategy" --strategy bogus
bad "--min-time" --min-time nan
bad "unexpected argument" extra

help=$("$BIN" workload --help)
miss=
for o in $(grep -oE '\{ *"[a-z0-9-]+", *(required|no)_argument' \
		bench/cmd-workload.c | grep -oE '"[a-z0-9-]+"' | tr -d '"'); do
	grep -q -- "--$o" <<<"$help" || miss="$miss --$o"
done
[ -z "$miss" ] && pass "--help names every option" || fail "--help lacks$miss"
grep -q 'workload' README.md && pass "README names workload" ||
	fail "README lacks workload"

"$BIN" workload --strategy segment,offset-array,vm-area,hybrid,tls \
	--pages 16,64 --accesses 1,4 --repeat 3 --tries 1 --min-time 0.0002 \
	--seed 1 --format csv -o "$T/w.csv" 2>"$T/err"
rc=$?
[ "$rc" = 0 ] && pass "tiny run: exit 0" || fail "tiny run: exit $rc: $(cat "$T/err")"
head -1 "$T/w.csv" | grep -q '^bench,strategy,access,layout,pages,accesses,vars,' &&
	pass "columns: strategy then access, layout, pages, accesses, vars" ||
	fail "columns: $(head -1 "$T/w.csv")"
for s in offset-array vm-area hybrid tls ptr; do
	n=$(grep -c "^workload,$s,.*,slowdown_vs_segment_pct," "$T/w.csv")
	[ "$n" -gt 0 ] && pass "$s: slowdown_vs_segment_pct rows ($n)" ||
		fail "$s: no slowdown_vs_segment_pct rows"
done
grep -q '^workload,vm-area,shift,vm,' "$T/w.csv" &&
	grep -q '^workload,hybrid,table,hybrid,' "$T/w.csv" &&
	grep -q '^workload,ptr,ptr,none,' "$T/w.csv" &&
	pass "access/layout names (shift/vm, table/hybrid, ptr/none)" ||
	fail "access/layout names"
grep -q ',tlb_share_pct,' "$T/w.csv" && pass "tlb_share_pct rows (2m pass)" ||
	fail "no tlb_share_pct rows"
grep -q '^workload,tls,.*,2m,.*,na:not-applicable' "$T/w.csv" &&
	pass "tls at 2m: NA with its reason" || fail "tls at 2m not NA"
# a number either is a value or NA with a reason; never an empty status
awk -F, 'NR > 1 && ($14 == "" || ($13 == "NA") != ($15 ~ /^na:/)) { exit 1 }' \
	"$T/w.csv" && pass "NA exactly where status is na:<reason>" ||
	fail "a row with NA and status mismatched"
# the hot loops: no call inside (objdump), one per access method
if command -v objdump >/dev/null; then
	bad_loops=
	for f in ptr_implicit table_rseq shift_rseq tls_implicit segment_implicit; do
		body=$(objdump -d --no-show-raw-insn "$BIN" |
		       awk "/<al_${f}_wl>:/,/^\$/")
		[ -n "$body" ] || { bad_loops="$bad_loops $f(missing)"; continue; }
		grep -q 'call' <<<"$body" && bad_loops="$bad_loops $f(call)"
	done
	[ -z "$bad_loops" ] && pass "loops per access method, no call inside" ||
		fail "loops:$bad_loops"
fi

# At a point the strategies' batches interleave, round by round: two
# strategies with their own GS base (segment, hybrid-segment) alternate
# batch by batch, each entered before its batch; every strategy gets its
# samples, and the metadata says how they were taken.
"$BIN" workload --strategy segment,hybrid-segment,vm-area --pages 16 \
	--accesses 4 --page 4k --repeat 2 --tries 3 --min-time 0.0002 \
	--seed 2 --format csv -o "$T/wi.csv" 2>"$T/erri"
rc=$?
n=$(grep -c ',cycles_per_iter,[0-9.]*,cycles,ok' "$T/wi.csv")
[ "$rc" = 0 ] && [ "$n" = 8 ] &&
	grep -q 'batches interleaved, round by round' "$T/wi.csv.meta.json" &&
	pass "interleaved batches: 4 strategies x 2 reps ok, method said" ||
	fail "interleaved batches: exit $rc, $n ok cycles rows (want 8)"

# The placement is drawn per repetition by default and said; fixed says so.
grep -q '"placement": "drawn: ' "$T/wi.csv.meta.json" &&
	pass "placement drawn per repetition by default, said" ||
	fail "placement: no 'drawn' in the metadata"
if "$BIN" workload --strategy vm-area --pages 16 --accesses 4 --page 4k \
	--repeat 2 --tries 1 --min-time 0.0002 --seed 2 --placement fixed \
	--format csv -o "$T/wf.csv" 2>/dev/null &&
	grep -q '"placement": "fixed: ' "$T/wf.csv.meta.json" &&
	[ "$(grep -c ',cycles_per_iter,[0-9.]*,cycles,ok' "$T/wf.csv")" = 4 ]; then
	pass "--placement fixed: 2 strategies x 2 reps ok, said"
else
	fail "--placement fixed: failed, not said, or not 4 ok cycles rows"
fi
done_testing
