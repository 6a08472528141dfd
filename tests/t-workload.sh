#!/bin/bash
# t-workload.sh - behaviour of `pcpubench workload` (never its timings):
# bad input is exit 2 with a message naming the option, --help names
# every option, a tiny run gives cycles and slowdown rows for every
# strategy with the access/layout columns, the loops have no call per
# access. Exit: 0 pass, 77 skip (no binary), 1 fail.
set -u
cd "$(dirname "$0")/.." || exit 1
BIN=${PCPUBENCH:-build/pcpubench}
[ -x "$BIN" ] || { echo "SKIP: $BIN not built"; exit 77; }
case "$BIN" in *fake*) echo "SKIP: fake binary"; exit 77 ;; esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $*"; }
no() { echo "FAIL $*"; fails=$((fails + 1)); }

bad() {
	# bad TEXT ARGS...: exit 2 and TEXT in the message
	local text=$1 out rc
	shift
	out=$("$BIN" workload "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" = 2 ] && grep -q -- "$text" <<<"$out"; then
		ok "workload $*: exit 2 ($(head -1 <<<"$out"))"
	else
		no "workload $*: exit $rc, want 2 with '$text': $out"
	fi
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
# A repeated list item is folded once, as in every command.
n=$("$BIN" workload --strategy segment,segment --pages 16 --accesses 4,4 \
	--page 4k --repeat 1 --tries 1 --min-time 0.0002 --format csv 2>/dev/null |
	grep -c '^workload,segment,.*,cycles_per_iter,')
[ "$n" = 1 ] && ok "segment,segment and 4,4: folded once (1 row)" ||
	no "segment,segment and 4,4: $n cycles rows, want 1"
bad "unknown strategy" --strategy bogus
bad "--min-time" --min-time nan
bad "unexpected argument" extra

help=$("$BIN" workload --help)
miss=
for o in $(grep -oE '\{ *"[a-z0-9-]+", *(required|no)_argument' \
		bench/cmd-workload.c | grep -oE '"[a-z0-9-]+"' | tr -d '"'); do
	grep -q -- "--$o" <<<"$help" || miss="$miss --$o"
done
[ -z "$miss" ] && ok "--help names every option" || no "--help lacks$miss"
grep -q 'workload' README.md && ok "README names workload" ||
	no "README lacks workload"

"$BIN" workload --strategy segment,offset-array,vm-area,hybrid,tls \
	--pages 16,64 --accesses 1,4 --repeat 3 --tries 1 --min-time 0.0002 \
	--seed 1 --format csv -o "$T/w.csv" 2>"$T/err"
rc=$?
[ "$rc" = 0 ] && ok "tiny run: exit 0" || no "tiny run: exit $rc: $(cat "$T/err")"
head -1 "$T/w.csv" | grep -q '^bench,strategy,access,layout,pages,accesses,vars,' &&
	ok "columns: strategy then access, layout, pages, accesses, vars" ||
	no "columns: $(head -1 "$T/w.csv")"
for s in offset-array vm-area hybrid tls ptr; do
	n=$(grep -c "^workload,$s,.*,slowdown_vs_segment_pct," "$T/w.csv")
	[ "$n" -gt 0 ] && ok "$s: slowdown_vs_segment_pct rows ($n)" ||
		no "$s: no slowdown_vs_segment_pct rows"
done
grep -q '^workload,vm-area,shift,vm,' "$T/w.csv" &&
	grep -q '^workload,hybrid,table,hybrid,' "$T/w.csv" &&
	grep -q '^workload,ptr,ptr,none,' "$T/w.csv" &&
	ok "access/layout names (shift/vm, table/hybrid, ptr/none)" ||
	no "access/layout names"
grep -q ',tlb_share_pct,' "$T/w.csv" && ok "tlb_share_pct rows (2m pass)" ||
	no "no tlb_share_pct rows"
grep -q '^workload,tls,.*,2m,.*,na:not-applicable' "$T/w.csv" &&
	ok "tls at 2m: NA with its reason" || no "tls at 2m not NA"
# a number either is a value or NA with a reason; never an empty status
awk -F, 'NR > 1 && ($14 == "" || ($13 == "NA") != ($15 ~ /^na:/)) { exit 1 }' \
	"$T/w.csv" && ok "NA exactly where status is na:<reason>" ||
	no "a row with NA and status mismatched"
# the hot loops: no call inside (objdump), one per access method
if command -v objdump >/dev/null; then
	bad_loops=
	for f in ptr_implicit table_rseq shift_rseq tls_implicit segment_implicit; do
		body=$(objdump -d --no-show-raw-insn "$BIN" |
		       awk "/<al_${f}_wl>:/,/^\$/")
		[ -n "$body" ] || { bad_loops="$bad_loops $f(missing)"; continue; }
		grep -q 'call' <<<"$body" && bad_loops="$bad_loops $f(call)"
	done
	[ -z "$bad_loops" ] && ok "loops per access method, no call inside" ||
		no "loops:$bad_loops"
fi

if [ "$fails" = 0 ]; then
	echo "t-workload: all checks passed"
	exit 0
fi
echo "t-workload: $fails check(s) failed"
exit 1
