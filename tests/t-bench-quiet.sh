#!/bin/bash
# t-bench-quiet.sh - undisturbed samples (bench/bench-quiet.h), driven deterministically by the
# test hook PCPU_TEST_DISTURB (read in bench/, never in lib/):
#  - =all: every batch judged disturbed: each sample takes tries + 4
#    retries, every timed row is flagged:disturbed, the counts in the
#    sidecar agree (retries = 4 x flagged samples), stderr says so; the
#    report's Stats leave the flagged values out.
#  - =N: the first N batches are disturbed and retried, the samples they
#    belonged to still get a quiet batch (retries >= N).
# access, workload and tlb. Behaviour only: no timing is checked.
. "$(dirname "$0")/lib.sh"
need_bin

meta() {	# meta FILE KEY: a value of FILE.meta.json's meta block
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["meta"].get(sys.argv[2], ""))' \
		"$1.meta.json" "$2"
}
# rows METRIC STATUS-PREFIX FILE: how many rows of METRIC have it
rows() {
	awk -F, -v m="$1" -v p="$2" '$(NF-3) == m && index($NF, p) == 1 { n++ }
		END { print n + 0 }' "$3"
}
# check_all FILE METRIC TRIES: the =all invariants
check_all() {
	local f=$1 m=$2 tries=$3 b d r fl n ok f0=$T_FAILED
	b=$(meta "$f" quiet_batches); d=$(meta "$f" quiet_disturbed)
	r=$(meta "$f" quiet_retries); fl=$(meta "$f" quiet_flagged_samples)
	[ -n "$b" ] && [ "$b" -gt 0 ] || fail "$f: no quiet_batches"
	[ "$b" = "$d" ] || fail "$f: $d of $b batches disturbed under =all"
	# each sample: tries batches, then retries within the budgets
	[ "$r" -le $((4 * fl)) ] || fail "$f: retries $r > 4 x $fl flagged"
	[ "$r" -le $((b / 2 + 16)) ] ||
		fail "$f: retries $r over the run budget ($b batches)"
	[ "$r" -gt 0 ] || fail "$f: no retry"
	[ "$b" = $((tries * fl + r)) ] ||
		fail "$f: $b batches, want $tries x $fl + $r retries"
	n=$(rows "$m" flagged:disturbed "$f")
	ok=$(rows "$m" ok "$f")
	[ "$n" -gt 0 ] || fail "$f: no $m row flagged:disturbed"
	[ "$ok" = 0 ] || fail "$f: $ok $m rows ok under =all"
	grep -q 'flagged:disturbed(preempted in' "$f" ||
		fail "$f: flag does not say why"
	[ "$T_FAILED" = "$f0" ] && pass "${f##*/}: every =all invariant of $m"
}

# ---- access ----
args=(access --strategy offset-array,segment --op read --mode path,throughput
      --repeat 3 --tries 2 --min-time 0.00005 --events none -q --format csv)
PCPU_TEST_DISTURB=all "$BIN" "${args[@]}" -o "$T/a.csv" 2>"$T/a.err"
is "access =all: exit" $? 0
check_all "$T/a.csv" cycles_per_op 2
# a sample is a cycles_per_op row, or the minimal loop's row
[ $(($(rows cycles_per_op flagged:disturbed "$T/a.csv") +
     $(rows minimal_loop_cycles_per_op flagged:disturbed "$T/a.csv"))) = \
  "$(meta "$T/a.csv" quiet_flagged_samples)" ] ||
	fail "access: flagged rows != flagged samples"
[ "$(rows cycles_over_floor ok "$T/a.csv")" = 0 ] &&
[ "$(rows cycles_over_floor derived "$T/a.csv")" = 0 ] ||
	fail "access: a floor difference of flagged samples is not flagged"
[ "$(rows ns_per_op ok "$T/a.csv")" = 0 ] || fail "access: ns_per_op ok"
check "access: a stderr summary" \
	grep -q 'batches disturbed, .* retried, .* flagged:disturbed' "$T/a.err"
check "access: the check described in the metadata" \
	grep -q '"quiet_check": "a batch is disturbed' "$T/a.csv.meta.json"
check "access --help documents the check" \
	grep -q 'Undisturbed samples' <<<"$("$BIN" access --help)"

# =N: the first 3 batches disturbed, retried; the samples stay ok.
check "access =3: exit 0" env PCPU_TEST_DISTURB=3 "$BIN" "${args[@]}" \
	--strategy segment --repeat 2 --mode path -o "$T/n.csv"
r=$(meta "$T/n.csv" quiet_retries); d=$(meta "$T/n.csv" quiet_disturbed)
[ "$r" -ge 3 ] && [ "$d" -ge 3 ] || fail "access =3: $d disturbed, $r retries"
[ "$(rows cycles_per_op flagged:disturbed "$T/n.csv")" = \
  "$(meta "$T/n.csv" quiet_flagged_samples)" ] ||
	fail "access =3: flagged rows != flagged samples"
# never a non-positive cycle count with status ok
check "no cycle count <= 0 is ok" \
	awk -F, '$(NF-3) ~ /^(cycles_per_op|cold_cycles)$/ && $NF == "ok" &&
	 $(NF-2) + 0 <= 0 { print; bad++ } END { exit bad > 0 }' \
	"$T/a.csv" "$T/n.csv"

# ---- workload ----
check "workload =all: exit 0" env PCPU_TEST_DISTURB=all "$BIN" workload \
	--strategy segment,hybrid --pages 16 --accesses 1 --page 4k --repeat 2 \
	--tries 2 --min-time 0.0001 -q --format csv -o "$T/w.csv"
check_all "$T/w.csv" cycles_per_iter 2
[ "$(rows slowdown_vs_segment_pct derived "$T/w.csv")" = 0 ] ||
	fail "workload: a slowdown of flagged samples is not flagged"
check "workload --help documents the check" \
	grep -q 'Undisturbed samples' <<<"$("$BIN" workload --help)"

# ---- tlb ----
check "tlb =all: exit 0" env PCPU_TEST_DISTURB=all "$BIN" tlb --page 4k \
	--pages 8,16 --repeat 2 --no-save --format csv -o "$T/t.csv"
check_all "$T/t.csv" cycles_per_access 3
check "tlb --help documents the check" \
	grep -q 'Undisturbed samples' <<<"$("$BIN" tlb --help)"

# ---- the reading side leaves flagged samples out ----
check "Stats leaves flagged:disturbed values out" "$PY" - "$T/a.csv" <<'PY'
import sys
sys.path.insert(0, "plots")
from pcpu_results import Stats
s = [{"rep": "0", "value": 5.0, "status": "ok"},
     {"rep": "1", "value": -11.7, "status": "flagged:disturbed(preempted)"},
     {"rep": "2", "value": 40.0, "status": "flagged:not-positive(x)"},
     {"rep": "3", "value": 7.0, "status": "ok"}]
st = Stats(s)
assert st.vals == [5.0, 7.0] and st.n_dropped == 2 and st.n_na == 2, st.vals
assert st.na_reasons[0].startswith("flagged:disturbed"), st.na_reasons
assert st.median == 6.0
# every sample dropped: no value, the reason named (the report's "all NA")
st = Stats(s[1:3])
assert st.n == 0 and st.n_na == 2 and st.median is None and st.na_reasons
PY

# the findings say which claims lost disturbed samples, in one line
check "findings: the disturbed line" "$PY" - <<'PY'
import sys
sys.path.insert(0, "plots")
import findings
c = findings.Claim("deref", "t")
c.dropped = 18
line = findings.DISTURBED % "1:18 2:2"
assert len(line) <= 72 and "rerun on a quiet machine" in line, line
PY

done_testing
