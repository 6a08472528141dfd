#!/bin/bash
# t-disturbed.sh - a slow spell in the middle of an access run (issue 23
# item 6), driven by the test hook PCPU_TEST_DISTURB=A+L (the L batches
# from batch A judged disturbed, bench/bench-quiet.c):
#  - the hook itself: exactly the batches of the spell are disturbed;
#  - with --tries 3 a spell of 7 batches (3 tries + the 4 retries a
#    sample may take: all of one sample's batches when its tries ran back
#    to back) flags no sample: a sample's tries run one per round, each
#    round every point once, so the spell takes some tries of the samples
#    it meets and their later tries are quiet;
#  - with --tries 1 (one round per repetition) the same spell does flag
#    the sample it falls on, after its 4 retries, and says why;
#  - the report's findings context counts the throughput rows with
#    rCV > 5% (plots/claims_cost.py _load_limit), both ways.
# Behaviour only: no timing is checked.
. "$(dirname "$0")/lib.sh"
need_bin

# counts FILE: the sidecar's quiet_disturbed, quiet_retries and
# quiet_flagged_samples, on one line
counts() {
	"$PY" -c 'import json,sys
m = json.load(open(sys.argv[1] + ".meta.json"))["meta"]
print(*(m.get("quiet_" + k, "") for k in
        ("disturbed", "retries", "flagged_samples")))' "$1"
}
# samples FILE STATUS-PREFIX: the samples (cycles_per_op and the minimal
# loop's rows) whose status starts with it
samples() {
	awk -F, -v p="$2" 'index($NF, p) == 1 &&
		($(NF-3) == "cycles_per_op" ||
		 $(NF-3) == "minimal_loop_cycles_per_op") { n++ }
		END { print n + 0 }' "$1"
}

# 4 points a round: segment, tls, ptr and the minimal loop (read
# throughput); short batches, so that a real preemption is rare
args=(access --strategy segment,tls --op read --mode throughput
      --repeat 3 --min-time 0.00005 --events none -q --format csv)

# ---- the spell, tries spread over rounds ----
PCPU_TEST_DISTURB=0+7 "$BIN" "${args[@]}" --tries 3 -o "$T/s.csv" \
	2>"$T/s.err"
is "A+L, --tries 3: exit" $? 0
read -r d r fl < <(counts "$T/s.csv")
[ -n "$d" ] && [ "$d" -ge 7 ] || fail "A+L: $d batches disturbed, want >= 7"
[ -n "$r" ] && [ "$r" -ge 6 ] ||
	fail "A+L: $r retries, want >= 6 (4 for the first sample, 2 next)"
is "A+L, --tries 3: no sample flagged (tries spread over rounds)" "$fl" 0
is "A+L, --tries 3: no row flagged" \
	"$(grep -c 'flagged:disturbed' "$T/s.csv")" 0
is "A+L, --tries 3: 12 samples ok (4 points x 3 repetitions)" \
	"$(samples "$T/s.csv" ok)" 12
check "the metadata names the rounds" \
	grep -q '"method": "per sample: tries of an N and a 2N batch, one per round' \
	"$T/s.csv.meta.json"

# ---- the same spell, one try per sample: the sample it meets is flagged ----
PCPU_TEST_DISTURB=0+7 "$BIN" "${args[@]}" --tries 1 -o "$T/o.csv" \
	2>"$T/o.err"
is "A+L, --tries 1: exit" $? 0
read -r d r fl < <(counts "$T/o.csv")
[ -n "$fl" ] && [ "$fl" -ge 1 ] ||
	fail "A+L, --tries 1: $fl samples flagged, want >= 1"
[ -n "$r" ] && [ "$r" -ge 4 ] || fail "A+L, --tries 1: $r retries, want >= 4"
check "A+L, --tries 1: the first sample flagged after its 4 retries" \
	grep -q 'flagged:disturbed(preempted in 5 of 5 batches' "$T/o.csv"
[ "$(samples "$T/o.csv" flagged:disturbed)" = "$fl" ] ||
	fail "A+L, --tries 1: flagged rows != flagged samples ($fl)"

# ---- a spell later in the run, then nothing: the hook's bounds ----
PCPU_TEST_DISTURB=5+2 "$BIN" "${args[@]}" --tries 2 -o "$T/m.csv" 2>/dev/null
read -r d r fl < <(counts "$T/m.csv")
[ -n "$d" ] && [ "$d" -ge 2 ] || fail "A+L 5+2: $d disturbed, want >= 2"
is "A+L 5+2: no sample flagged" "$fl" 0

# ---- the report's count of throughput rows over rCV 5% ----
check "findings context: throughput rows with rCV > 5% counted" \
	"$PY" - "$T/s.csv" <<'PY'
import copy, sys
sys.path.insert(0, "plots")
from pcpu.read import read_csv_file
from claimkit import Claim
import claims_cost

benches, warn = {}, []
read_csv_file(sys.argv[1], benches, warn)
b = benches["access"]
where = {"op": "read", "pressure": "0", "page": "4k", "placement": "local",
         "vars": "1", "phase": "boot", "mode": "throughput"}
P, m = b.params, "cycles_per_op"


def lines(bench):
    c = Claim("t", "t")
    claims_cost._load_limit(c, bench, where)
    return [l for l in c.lines if l.startswith("tput rows")]


# the same rows, every sample of each set to one value: rCV 0
flat = copy.deepcopy(b)
for (pt, met), ss in flat.samples.items():
    for s in ss:
        if met in (m, "minimal_loop_cycles_per_op"):
            s["value"] = 0.25
got = lines(flat)
assert got == ["tput rows: rCV <= 5% in all 3"], got
# then segment's spread out: 0.25 +- 20%
spread = copy.deepcopy(flat)
for (pt, met), ss in spread.samples.items():
    if met == m and pt[P.index("strategy")] == "segment":
        for i, s in enumerate(ss):
            s["value"] = 0.25 * (0.8, 1.0, 1.2)[i % 3]
got = lines(spread)
assert len(got) == 1 and got[0].startswith(
    "tput rows rCV > 5%: 1 of 3 (seg read "), got
PY

done_testing
