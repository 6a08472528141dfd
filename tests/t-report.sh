#!/bin/bash
# t-report.sh - tests of run.sh, the report, compare and the plots, over
# the fixture results directories in tests/fixtures/ and with the fake
# benchmark (tests/fake-pcpubench), so they never run a real benchmark
# and take seconds. Prints one line per check.
# Exit: 0 pass, 4 skip (no /usr/bin/python3), 1 fail.
. "$(dirname "$0")/lib.sh"
FIX=$ROOT/tests/fixtures
[ -x "$PY" ] || skip_all "$PY not found"

width_ok() {
	# every line of every file given is at most 72 columns
	local f bad=0
	for f in "$@"; do
		[ -f "$f" ] || continue
		if awk 'length($0) > 72 { exit 1 }' "$f"; then :; else
			echo "     too wide: $f: $(awk 'length($0) > 72' "$f" | head -1)"
			bad=1
		fi
	done
	return $bad
}

export PCPUBENCH=$ROOT/tests/fake-pcpubench PCPU_SKIP_DEPS=1 \
	PCPU_RESULTS=$T/results PCPU_NO_FIGURES=1

# ---------------------------------------------------------- statistics
check "Mann-Whitney U: exact p, normal with ties" "$PY" - <<EOF
import sys; sys.path.insert(0, "$ROOT/plots")
from pcpu_results import mann_whitney, quantile, Stats
u, p, m = mann_whitney([1, 2, 3], [4, 5, 6])
assert m == "exact" and abs(p - 0.1) < 1e-12, p
u, p, m = mann_whitney(list(range(9)), list(range(10, 19)))
assert abs(p - 2 / 48620) < 1e-12, p
u, p, m = mann_whitney([1, 2, 3, 4], [1, 2, 3, 4])
assert p > 0.9, p
u, p, m = mann_whitney([1, 1, 2, 2, 3, 3] * 2, [5, 5, 6, 6, 7, 7] * 2)
assert m == "normal" and p < 0.001, (m, p)
assert quantile([1, 2, 3, 4], 0.5) == 2.5
s = Stats([{"value": None, "status": "na:x", "rep": "1"}])
assert s.n == 0 and s.na_reasons == ["na:x"]
EOF

# ------------------------------------------------------ fixture reports
for f in na-vm two-node interrupted; do
	cp -r "$FIX/$f" "$T/$f"
	if "$PY" "$ROOT/plots/report.py" "$T/$f" >"$T/$f.out" 2>&1 &&
	   [ -s "$T/$f/report.txt" ]; then
		pass "report: $f written"
	else
		fail "report: $f ($(tail -1 "$T/$f.out"))"
	fi
	check "report: $f: every line <= 72 columns (report, text plots)" \
		width_ok "$T/$f/report.txt" "$T"/$f/plots/*.txt
done
R=$T/na-vm/report.txt
check "report: one-line machine summary with kernel and rev" \
	grep -Eq '^vm-na: Intel.*, [0-9]+ CPUs/1 node, 6\.[0-9].*, rev ' "$R"
check "report: access table present (header and baseline)" \
	grep -q '^-- access: cycles_per_op' "$R"
check "report: rows against offset-array with % and base" \
	grep -Eq '^offset-array .* base$' "$R"
check "report: % against the baseline" grep -Eq '[+-][0-9]+\.[0-9]%' "$R"
check "report: NA counters shown with their reason" \
	grep -q 'NA, na:perf_event_open ENOENT' "$R"
check "report: NA rows in a table shown with reason" \
	grep -Eq 'NA.*na:no hotplug at rate 0' "$R"
check "report: skipped benchmark shown with its message" \
	grep -q 'mem .*skipped: pcpubench mem: not implemented yet' "$R"
check "report: U test note below 9 repetitions" \
	grep -q 'fewer than 9 repetitions' "$R"
check "report: plain-text plot included" grep -q '^plot:' "$R"
check "report: command to reproduce" grep -q 'build/pcpubench access' "$R"
check "report: tlb summary table" grep -Eq '^l2_tlb_entries +4k' "$R"
check "plots: PNG and text per benchmark" test -s \
	"$T/na-vm/plots/access-strategies.png" -a -s \
	"$T/na-vm/plots/tlb-curve.txt" -a -s "$T/na-vm/plots/churn-rate.png"
check "plots: footer carries host, kernel, rev" \
	grep -q 'vm-na, Linux .*, rev ' "$T/na-vm/plots/tlb-curve.txt"
R2=$T/two-node/report.txt
check "report: two-node: significance marked at 9 reps" \
	grep -Eq '%  *\*' "$R2"
check "report: two-node: remote pages for a fixed-node placement" \
	grep -Eq '^(offset-array|vm-area|hybrid) node0 .* 0\.5|node0' "$R2"
check "report: two-node: multiplexed counter flagged" \
	grep -q 'multiplexed' "$R2"
# outcome columns (backing) are shown, not matched on
check "report: outcome list and difference list in one place each" \
	"$PY" - <<EOF2
import sys; sys.path.insert(0, "$ROOT/plots")
from pcpu_results import OUTCOME, is_difference
assert "backing" in OUTCOME
assert is_difference("tlb_cost") and is_difference("tlb_excess_cycles")
assert is_difference("dtlb_misses_per_op_est")
assert not is_difference("cycles_per_op")
EOF2
check "report: hybrid at page=4k (backing thp) has a base" \
	grep -Eq '^(hybrid|hyb) +(rseq +)?read +4k +\[thp\] .*%.* b$' "$R"
check "report: no 'no base' row in the access tables" \
	sh -c "! sed -n '/^== access/,/^== tlb/p' '$R' | grep -q 'no base'"
check "report: backing shown in the label, the crossing explained" \
	sh -c "grep -Eq '^strategy +(cpuid +)?op +page +\[backing\]' '$R' && grep -q 'comparison crosses backings' '$R'"
check "report: same backing as the base is not flagged" \
	grep -Eq '^(vm-area|vm) +(rseq +)?read +2m +\[thp\] .*%( \*)?$' "$R"
# difference metrics: absolute difference and IQR, no % and no rCV
sed -n '/^-- access: tlb_cost/,/^$/p' "$R" >"$T/tlbc.txt"
check "report: tlb_cost shows IQR, not rCV%" \
	grep -Eq '^strategy .* n +median +IQR +vs base' "$T/tlbc.txt"
check "report: tlb_cost vs base is a signed difference" \
	grep -Eq '^(segment|vm-area) .* [+-]0\.[0-9]+( \*)?$' "$T/tlbc.txt"
check "report: tlb_cost: no % against the base" \
	sh -c "! grep -E '^(offset-array|segment|vm-area|hybrid|tls) ' '$T/tlbc.txt' | grep -q '%'"
check "report: tlb_cost rows below zero kept (not clipped)" \
	grep -Eq '^[a-z-]+ .* +5 +-0\.[0-9]' "$T/tlbc.txt"
# churn: p99 latencies and lost_updates per strategy
check "report: churn p99 latency tables (online and offline)" \
	sh -c "grep -q '^-- churn: online_latency_ns_p99' '$R' && grep -q '^-- churn: offline_latency_ns_p99' '$R'"
check "report: lost_updates tabled per strategy, 0 shown" \
	sh -c "sed -n '/^-- churn: lost_updates/,/^\$/p' '$R' | grep -Ec '^(offset-array|segment|vm-area|hybrid) +[0-9]+ +0 +0 +0 +ok\$' | grep -qx 4"
# reproduce: a dirty revision cannot be checked out
cp -r "$FIX/na-vm" "$T/dirty"
"$PY" - "$T/dirty/meta.json" <<'EOF2'
import json, sys
m = json.load(open(sys.argv[1]))
m["git"]["revision"] = "7f7bb1b9f0b1-dirty"
m["git"]["dirty_files"] = ["lib/pcpu-core.c"]
json.dump(m, open(sys.argv[1], "w"))
EOF2
"$PY" "$ROOT/plots/report.py" "$T/dirty" --no-plots >/dev/null 2>&1
check "report: dirty rev: checkout of the clean revision" \
	grep -q '^  git checkout 7f7bb1b9f0b1 && ./run.sh' "$T/dirty/report.txt"
check "report: dirty rev: says the run had uncommitted changes" \
	sh -c "grep -q 'uncommitted changes' '$T/dirty/report.txt' && ! grep -q 'checkout [0-9a-f]*-dirty' '$T/dirty/report.txt'"
# plots: backing in the subtitle, axis label with unit
check "plots: backing obtained named under the title" \
	grep -q 'backing=4k (hybrid thp' "$T/na-vm/plots/access-strategies.txt"
check "plots: x axis labelled with its unit" \
	grep -q 'hotplug rate (events/s)' "$T/na-vm/plots/churn-rate.txt"
check "plots: NA points absent from the data, not zeros" \
	sh -c "! grep -Eq '^[-0-9.e]+ 0 0 0\$' '$T'/na-vm/plots/data/*.dat"
R3=$T/interrupted/report.txt
check "report: interrupted dir reported INCOMPLETE" \
	grep -q 'INCOMPLETE (interrupted): 2 of 5' "$R3"
check "report: interrupted dir says how to resume" \
	grep -q -- '--resume' "$R3"
check "report: interrupted: missing benchmarks absent, not invented" \
	sh -c "! grep -q '^== churn ==' '$R3'"

# --------------------------------------------------------------- compare
C=$T/cmp.txt
if "$ROOT/run.sh" compare "$T/na-vm" "$T/two-node" "$T/interrupted" \
	--out "$T/cmp" >"$C" 2>"$T/cmp.err"; then
	pass "compare: exit 0 on three dirs"
else
	fail "compare: exit status ($(tail -1 "$T/cmp.err"))"
fi
check "compare: every line <= 72 columns" width_ok "$C" "$T"/cmp/*.txt
check "compare: ratio column and values" grep -Eq 'ratio' "$C"
check "compare: ratios printed" grep -Eq ' [0-9]+\.[0-9]{3}[* ]?' "$C"
check "compare: U-test warning below 9 reps" \
	grep -q 'warning: fewer than 9 repetitions' "$C"
check "compare: incomplete dir flagged" grep -q 'C is INCOMPLETE' "$C"
check "compare: table per metric" grep -q '^== access cycles_per_op' "$C"
check "compare: backing not matched on, shown in the label" \
	sh -c "! grep -q 'differs: backing' '$C' && grep -Eq '^(hybrid|hyb) +(hybrid|hyb) +\[thp\]' '$C'"
check "compare: tlb_cost as a difference, not a ratio" \
	sh -c "sed -n '/^== access tlb_cost/,/^==/p' '$C' | grep -q ' diff'"
check "compare: overlay plot PNG and text" test -s \
	"$T/cmp/overlay-access.png" -a -s "$T/cmp/overlay-access.txt"
"$ROOT/run.sh" compare "$T/na-vm" "$T/two-node" --baseline 2 --no-plots \
	>"$T/cmp2.txt" 2>&1
check "compare: --baseline 2 puts two-node first" \
	grep -q '^A two-node' "$T/cmp2.txt"
check "compare: fewer than two dirs is a usage error (exit 2)" \
	sh -c "'$ROOT/run.sh' compare '$T/na-vm' >/dev/null 2>&1; [ \$? = 2 ]"

# ------------------------------------------------------------ findings
R=$T/na-vm/report.txt
check "findings: report.txt opens with the findings block" \
	sh -c "head -1 '$R' | grep -q '^== findings'"
awk 'NR > 1 && /^$/ { exit } { print }' "$R" >"$T/find.txt"
check "findings: block of at most 30 lines ($(wc -l <"$T/find.txt"))" \
	test "$(wc -l <"$T/find.txt")" -le 30
check "findings: every claim present (1..6)" sh -c \
	"for i in 1 2 3 4 5 6; do grep -q \"^\$i \" '$T/find.txt' || exit 1; done"
check "findings: deref: the unchained modes with a verdict (no path: in the block), path named" \
	sh -c "grep -Eq '^  not chained: lat [+-][0-9]+% (slower|faster|n\\.d\\.); read, 1 var, 4k' '$T/find.txt' && grep -q 'path, which answers it: not measured (needs access --mode path)' '$T/find.txt'"
check "findings: a claim this run cannot settle says why" \
	grep -q 'measured: not here, 1 NUMA node (needs a NUMA host' "$T/find.txt"
check "findings: absent metrics named with what would measure them" \
	sh -c "grep -q 'path, which answers it: not measured (needs access' '$T/find.txt' && grep -q 'breakdown: not measured' '$T/find.txt'"
check "findings: step each figure comes from" \
	grep -q '\[step 3 churn\]' "$T/find.txt"
check "findings: two-node: remote pages of late CPUs per strategy" \
	grep -q 'remote pages/late CPU' "$T/two-node/report.txt"

# golden text: the report and compare of the checked-in fixtures
G=$FIX/golden
for f in na-vm two-node real-vm; do
	rm -rf "$T/g-$f"
	cp -r "$FIX/$f" "$T/g-$f" && mv "$T/g-$f" "$T/gold/$f" 2>/dev/null ||
		{ mkdir -p "$T/gold"; mv "$T/g-$f" "$T/gold/$f"; }
	"$PY" "$ROOT/plots/report.py" "$T/gold/$f" --no-plots >/dev/null 2>&1
	check "golden: $f report.txt as in tests/fixtures/golden" \
		cmp -s "$G/$f.report.txt" "$T/gold/$f/report.txt"
done
RV=$T/gold/real-vm/report.txt
check "real-vm (real binary): every claim, lines <= 72" sh -c \
	"for i in 1 2 3 4 5 6; do grep -q \"^\$i \" '$RV' || exit 1; done; awk 'length(\$0) > 72 { exit 1 }' '$RV'"
check "real-vm: the workload claim in two parts, each an interval" sh -c \
	"grep -Eq '^  in L1 P<=[0-9.]+: vm [+-][0-9.]+%? \\[[+-][0-9.]+,[+-][0-9.]+\\] (slower|faster|n\\.d\\.)' '$RV' && grep -Eq '^  (>2xL2 P=|P=)[0-9]+.*: vm [+-]' '$RV' && grep -Eq '^  vm 4k/2m there [+-][0-9.]+ \\[[+-][0-9.]+,[+-][0-9.]+\\] (slower|faster|n\\.d\\.|<3%); % of seg' '$RV' && grep -q '^== findings: .*; <3% CI in +-3% ==' '$RV'"
check "real-vm: deref answered by the path mode, oa vs seg, interval" \
	grep -Eq '^  path \(answers it\): oa [0-9.]+ vs seg [0-9.]+ cyc: [+-][0-9]+% \[[+-][0-9]+,[+-][0-9]+\] (slower|faster|n\.d\.)' "$RV"
check "real-vm: %fs tls against %gs segment, like with like" \
	grep -Eq '^  %fs tls [0-9.]+ vs %gs seg: ' "$RV"
check "real-vm: cold cost and pages on the path at the largest K" \
	grep -Eq '^  2 cold cyc/pages, K=[0-9]+: seg [0-9.]+/[0-9]' "$RV"
awk 'NR > 1 && /^$/ { exit } { print }' "$RV" >"$T/find-rv.txt"
check "real-vm: block within 30 lines, never cut ($(wc -l <"$T/find-rv.txt"))" \
	sh -c "[ \$(wc -l <'$T/find-rv.txt') -le 30 ] && grep -q '^oa offset-array' '$T/find-rv.txt' && grep -q 'hot-added CPUs: embed' '$T/find-rv.txt' && awk 'length(\$0) > 72 { exit 1 }' '$T/find-rv.txt'"
check "real-vm: committed bytes at online 2 and 16, embed/vm ratio" \
	sh -c "grep -Eq '^  online=2: embed,page [0-9.]+[kMG]?; .*\\(embed/vm x[0-9.]+\\)' '$RV' && grep -q '^  3 online=16: ' '$RV'"
check "real-vm: modelled remote units of hot-added CPUs per layout" \
	grep -Eq '^  MODELLED \(synthetic 2 nodes, late-node roundrobin\)' "$RV"
check "real-vm: modelled: embed and page some remote, vm and hybrid none" \
	sh -c "tr '\n' ' ' <'$RV' | grep -Eq 'embed,page [1-9][0-9]*/[0-9]+; +vm,hyb[a-z,]* 0/'"
check "real-vm: hybrid late - boot minus the control's, cold and path" \
	sh -c "grep -Eq '^  cold K=[0-9]+ .*; path 2 vars ' '$RV' && grep -q '^  hyb late/boot over oa.s, per rep and id source' '$RV' && grep -Eq '^  5 hyb boot->late cyc: cold [0-9.]+->[0-9.]+, path ' '$RV'"
check "real-vm: hotplug parts: which dominates, embed allocates nothing" \
	sh -c "grep -q 'embed [0-9.]* (no alloc)' '$RV' && grep -Eq '^  6 online alloc [0-9.]+/[0-9.]+ [a-z]+; offline [a-z]+ ' '$RV'"
check "real-vm: both churn invariants checked and held" \
	grep -Eq '^invariants held \(all 0; runs\): lost_updates [0-9]+; read_sum_mismatch [0-9]+' "$RV"
check "real-vm: workload pivot table per page and M" \
	sh -c "grep -q '^-- workload: slowdown_vs_segment_pct' '$RV' && grep -q '^page=4k M=16' '$RV'"
# a failed step (here a timeout) is named in every claim that reads its
# benchmark, as "rerun", never as a profile that does not measure it
cp -r "$FIX/real-vm" "$T/rv-failed"
sed -i 's/^step 3 ok access.*/step 3 failed access timeout after 90s/' \
	"$T/rv-failed/state"
"$ROOT/run.sh" report "$T/rv-failed" --no-plots >/dev/null 2>&1
sed -n '1,/^$/p' "$T/rv-failed/report.txt" >"$T/rv-failed.blk"
check "findings: a failed step named in the claims that read it" \
	sh -c "grep -c '^  step 3 access failed (timeout after 90s): rerun' '$T/rv-failed.blk' | grep -qx 3 && ! sed -n '/^6 hotplug/,\$p' '$T/rv-failed.blk' | grep -q 'failed'"
# claim 5 with every late cold sample disturbed: the figure says so and
# asks for a rerun, never drops out of the block unsaid
cp -r "$FIX/real-vm" "$T/rv-cold"
awk -F, 'BEGIN { OFS = "," } $17 == "cold_cycles" && $13 == "late" {
	$20 = "flagged:disturbed(test)" } { print }' "$FIX/real-vm/access.csv" \
	>"$T/rv-cold/access.csv"
"$PY" "$ROOT/plots/report.py" "$T/rv-cold" --no-plots >/dev/null 2>&1
check "claim 5: all cold pairs disturbed: said, with a rerun" \
	grep -Eq '^  cold K=[0-9]+ ([0-9]+) pairs, \1 disturbed: rerun' \
	"$T/rv-cold/report.txt"
cp -r "$FIX/interrupted" "$T/gold/interrupted"
"$ROOT/run.sh" compare "$T/gold/na-vm" "$T/gold/two-node" \
	"$T/gold/interrupted" --no-plots >"$T/gold/compare.txt" 2>/dev/null
check "golden: compare of three fixtures as in tests/fixtures/golden" \
	cmp -s "$G/compare.txt" "$T/gold/compare.txt"
check "compare: three dirs: a table per metric, two ratio columns" \
	grep -Eq '^strategy .* median +median +ratio +median +ratio$' \
	"$T/gold/compare.txt"
check "compare: findings side by side, one line per directory" \
	sh -c "grep -q '^== findings side by side' '$T/gold/compare.txt' && grep -q '^  C: ' '$T/gold/compare.txt'"
check "compare: the agreement line, the claims that differ named" \
	grep -Eq '^findings agree: [0-9]+/[0-9]+, by interval [0-9]+/[0-9]+; claim [0-9]+ differs: ' \
	"$T/gold/compare.txt"
"$ROOT/run.sh" compare "$T/gold/real-vm" "$T/gold/real-vm" --no-plots \
	>"$T/cmp-same.txt" 2>/dev/null
check "compare: a run against itself: findings agree: N/N" \
	grep -Eq '^findings agree: ([0-9]+)/\1, by interval \1/\1$' "$T/cmp-same.txt"

# ---------------------------------------------------- bad input, bad data
mkdir -p "$T/notres"
"$PY" "$ROOT/plots/report.py" "$T/notres" >"$T/nr.out" 2>&1
rc=$?
check "report: not a results directory: exit 2, nothing written (rc=$rc)" \
	sh -c "[ $rc = 2 ] && grep -q 'not a results directory' '$T/nr.out' && ! test -e '$T/notres/report.txt' && ! test -e '$T/notres/plots'"
"$ROOT/run.sh" report "$T/notres" >"$T/nr2.out" 2>&1
rc=$?
check "run.sh report: not a results directory: exit 2 (rc=$rc)" \
	sh -c "[ $rc = 2 ] && ! grep -q 'Traceback\|report.py' '$T/nr2.out'"
"$ROOT/run.sh" compare "$T/na-vm" "$T/notres" --no-plots >"$T/nr3.out" 2>&1
rc=$?
check "compare: a non-results directory: exit 2 with its name (rc=$rc)" \
	sh -c "[ $rc = 2 ] && grep -q 'notres: not a results directory' '$T/nr3.out'"
"$ROOT/run.sh" compare "$T/na-vm" >"$T/one.out" 2>&1
check "compare: one directory: message names no internals" \
	sh -c "grep -q 'at least two' '$T/one.out' && ! grep -q 'python3\|compare.py\|Traceback' '$T/one.out'"
cp -r "$FIX/two-node" "$T/schema2"
"$PY" - "$T/schema2/meta.json" <<'EOF2'
import json, sys
m = json.load(open(sys.argv[1])); m["schema"] = "pcpubench-results/1"
json.dump(m, open(sys.argv[1], "w"))
EOF2
"$ROOT/run.sh" compare "$T/na-vm" "$T/schema2" --no-plots >"$T/sch.out" 2>&1
rc=$?
check "compare: different schema versions: exit 2 (rc=$rc)" \
	sh -c "[ $rc = 2 ] && grep -q 'different results schema' '$T/sch.out'"
"$PY" "$ROOT/plots/report.py" "$T/na-vm" --no-plots \
	--baseline access:strategy=nonexist >"$T/bl.out" 2>&1
rc=$?
check "report: --baseline naming no row: exit 2 with the values (rc=$rc)" \
	sh -c "[ $rc = 2 ] && grep -q 'no row with strategy=nonexist (values: offset-array' '$T/bl.out'"
# invalid UTF-8 in the middle, an empty CSV, a missing CSV
cp -r "$FIX/na-vm" "$T/bad"
"$PY" - "$T/bad/churn.csv" <<'EOF2'
import sys
p = sys.argv[1]; lines = open(p, "rb").read().split(b"\n")
mid = len(lines) // 2
lines[mid] = lines[mid][:10] + b"\xff\xfe" + lines[mid][10:]
open(p, "wb").write(b"\n".join(lines))
EOF2
: >"$T/bad/numa.csv"
rm -f "$T/bad/tlb.csv"
"$PY" "$ROOT/plots/report.py" "$T/bad" --no-plots >/dev/null 2>&1
check "report: invalid UTF-8, empty, missing CSV: run INCOMPLETE" \
	grep -q '^run: INCOMPLETE (data)' "$T/bad/report.txt"
check "report: each reason named (UTF-8 byte, empty, missing)" sh -c \
	"grep -q 'churn.csv: invalid UTF-8 at byte' '$T/bad/report.txt' && grep -q 'numa.csv: empty file' '$T/bad/report.txt' && grep -q 'tlb.csv: missing (step 2 ran ok)' '$T/bad/report.txt'"
"$ROOT/run.sh" compare "$T/na-vm" "$T/bad" --no-plots >"$T/badc.out" 2>&1
check "compare: the incomplete directory flagged with the reason" \
	grep -q 'B is INCOMPLETE: churn.csv: invalid UTF-8' "$T/badc.out"
# a read-only results directory (a read-only bind mount in a private
# mount namespace; root ignores permission bits)
cp -r "$FIX/na-vm" "$T/ro"
if unshare -m true 2>/dev/null; then
	unshare -m sh -c "mount --bind '$T/ro' '$T/ro' && mount -o remount,bind,ro '$T/ro' && '$PY' '$ROOT/plots/report.py' '$T/ro' >'$T/ro.out' 2>&1; echo \$? >'$T/ro.rc'"
	check "report: read-only dir: one-line message naming the file, exit 1" \
		sh -c "[ \"\$(cat '$T/ro.rc')\" = 1 ] && grep -q 'cannot write $T/ro/report.txt: Read-only' '$T/ro.out' && ! grep -q Traceback '$T/ro.out'"
	unshare -m sh -c "mount --bind '$T/ro' '$T/ro' && mount -o remount,bind,ro '$T/ro' && '$ROOT/run.sh' compare '$FIX/na-vm' '$FIX/two-node' --out '$T/ro' >'$T/roc.out' 2>&1; echo \$? >'$T/roc.rc'"
	check "compare --out read-only: one-line message, exit 1" \
		sh -c "[ \"\$(cat '$T/roc.rc')\" = 1 ] && grep -q 'Read-only' '$T/roc.out' && ! grep -q Traceback '$T/roc.out'"
else
	skip "read-only checks: unshare -m not permitted here"
fi
# vs base: a point the baseline strategy lacks gets 'no base' (issue 9)
printf '%s\n' "mem --strategy offset-array,segment --possible 64 --online 16" \
	"mem --strategy segment,vm-area --possible 64 --online 2" >"$T/prof-nb"
"$ROOT/run.sh" "$T/prof-nb" --label nb >/dev/null 2>&1
DNB=$(ls -d "$T"/results/*_nb | head -1)
check "report: vs base only at the same point, else 'no base'" sh -c \
	"grep -Eq '^segment +2 .* no base' '$DNB/report.txt' && ! grep -Eq '^segment +2 .*%' '$DNB/report.txt'"
# invariants from a real failing run (the churn test hook)
if [ -x "$ROOT/build/pcpubench" ]; then
	printf '%s\n' "churn --strategy segment --backend sim --possible 8 --online 2 --rate 0 --duration 0.2 --repeat 1" >"$T/prof-inv"
	PCPUBENCH=$ROOT/build/pcpubench PCPU_TEST_INJECT=read_sum_mismatch \
		"$ROOT/run.sh" "$T/prof-inv" --label inv >/dev/null 2>&1
	rc=$?
	DI=$(ls -d "$T"/results/*_inv | head -1)
	check "invariant: a real churn run with read_sum_mismatch: exit 1 (rc=$rc)" \
		test "$rc" = 1
	check "invariant: flagged in the findings and the run line" sh -c \
		"grep -q '^INVARIANT FAILED: read_sum_mismatch 1 in 1 run' '$DI/report.txt' && grep -q '^run: INVARIANT FAILED' '$DI/report.txt'"
	check "invariant: read_sum_mismatch tabled: NOT 0, and FAILED" sh -c \
		"grep -Eq '^segment +1 +1 +1 +0  NOT 0' '$DI/report.txt' && grep -q '^read_sum_mismatch: FAILED' '$DI/report.txt'"
	PCPUBENCH=$ROOT/build/pcpubench "$ROOT/run.sh" "$T/prof-inv" \
		--label inv0 >/dev/null 2>&1
	DI0=$(ls -d "$T"/results/*_inv0 | head -1)
	check "invariant: the same run without the hook holds both" \
		grep -q '^invariants held (all 0; runs): lost_updates 1; read_sum_mismatch 1$' "$DI0/report.txt"
fi
# profiles: tlb runs before access (access uses its calibration)
bad=
for f in "$ROOT"/profiles/*; do
	a=$(grep -n '^access ' "$f" | head -1 | cut -d: -f1)
	t=$(grep -n '^tlb ' "$f" | head -1 | cut -d: -f1)
	[ -z "$a" ] && continue
	{ [ -n "$t" ] && [ "$t" -lt "$a" ]; } || bad="$bad $(basename "$f")"
done
check "profiles: tlb before access in every profile${bad:+ (not:$bad)}" \
	test -z "$bad"
check "profiles: quick and full run the workload" sh -c \
	"grep -q '^workload ' '$ROOT/profiles/quick' && grep -q '^workload ' '$ROOT/profiles/full'"

# ------------------------------------------------------------- run.sh
check "run.sh --help describes compare, report, resume" sh -c \
	"'$ROOT/run.sh' --help | grep -q compare && '$ROOT/run.sh' --help | grep -q -- --resume"
check "run.sh: unknown option is exit 2" \
	sh -c "'$ROOT/run.sh' --bogus >/dev/null 2>&1; [ \$? = 2 ]"

FAKE_SKIP=tlb "$ROOT/run.sh" "$FIX/profile-small" --label t1 \
	>"$T/r1.out" 2>&1
rc=$?
D1=$(ls -d "$T"/results/*_t1 2>/dev/null | head -1)
check "run: exit 0 when a benchmark exits 4 (rc=$rc)" test "$rc" = 0
check "run: results dir holds meta.json, CSVs, topology, report" test \
	-s "$D1/meta.json" -a -s "$D1/access.csv" -a -s "$D1/report.txt" \
	-a -s "$D1/plots/access-strategies.png"
check "run: exit 4 recorded as skipped with the message" \
	grep -q '^step 2 skipped tlb pcpubench tlb: not implemented yet' \
	"$D1/state"
check "run: meta.json has machine, build, git, profile" "$PY" -c "
import json; m = json.load(open('$D1/meta.json'))
assert m['schema'] and m['host']['kernel'] and m['git']['revision']
assert m['profile']['name'] == 'profile-small' and m['build']['compiler']
assert m['status'] == 'complete'"
check "run: one header per merged CSV" \
	test "$(grep -c '^bench,' "$D1/access.csv")" = 1
FAKE_SKIP=tlb "$ROOT/run.sh" "$FIX/profile-small" --label t1 >/dev/null 2>&1
check "run: never reuses a results dir (suffix -2)" \
	test -d "${D1}-2" -a -s "$D1/report.txt"

FAKE_FAIL=churn "$ROOT/run.sh" "$FIX/profile-small" --label t2 \
	>/dev/null 2>&1
rc=$?
D2=$(ls -d "$T"/results/*_t2 | head -1)
check "run: failing benchmark gives exit 1 (rc=$rc)" test "$rc" = 1
check "run: report still written after a failure" \
	grep -q 'churn .*failed: check failed' "$D2/report.txt"
check "run: a failed step: 'complete with failures (1 failed)'" \
	sh -c "grep -q '^run: complete with failures (1 failed)' '$D2/report.txt' && ! grep -q '^run: complete,' '$D2/report.txt'"

# mem at two online counts (one line each): both in report and plot
printf '%s\n' "mem --strategy offset-array,vm-area --possible 1024 --online 2" \
	"mem --strategy offset-array,vm-area --possible 1024 --online 16" \
	>"$T/prof-mem"
"$ROOT/run.sh" "$T/prof-mem" --label t5 >/dev/null 2>&1
D5=$(ls -d "$T"/results/*_t5 | head -1)
check "mem: report rows at online 2 and online 16" sh -c \
	"grep -Eq '^vm-area +2 ' '$D5/report.txt' && grep -Eq '^vm-area +16 ' '$D5/report.txt'"
check "mem: plot has one series per online count" \
	test "$(grep -c '^# series' "$D5/plots/data/mem.dat")" = 2
# profiles: mem/churn counts are single (a list would be a cpulist),
# and every option exists in the real binary's --help (when built)
check "profiles: mem --possible/--online never a list" sh -c \
	"! grep -Eh '^mem ' '$ROOT'/profiles/* | grep -Eq -- '--(online|possible) [0-9]+,'"
if [ -x "$ROOT/build/pcpubench" ]; then
	bad=
	for f in "$ROOT"/profiles/*; do
		while read -r cmd rest; do
			case "$cmd" in ''|'#'*|@*) continue ;; esac
			if [ "$cmd" = guest ]; then	# the guest step's script
				h=$("$ROOT/tests/guest/kfacts-step.sh" --help 2>&1)
			else
				h=$("$ROOT/build/pcpubench" "$cmd" --help 2>&1)
			fi
			for o in $(echo "$rest" | grep -Eo -- '--[a-z-]+'); do
				echo "$h" | grep -q -- "$o" || bad="$bad $(basename "$f"):$cmd$o"
			done
		done <"$f"
	done
	check "profiles: every option in pcpubench <cmd> --help${bad:+ (not:$bad)}" \
		test -z "$bad"
fi

printf 'churn --strategy offset-array --backend sysfs --rate 10\n' \
	>"$T/prof-sysfs"
"$ROOT/run.sh" "$T/prof-sysfs" --label t3 >/dev/null 2>&1
rc=$?
check "run: sysfs backend skipped without --allow-hotplug (rc=$rc)" \
	sh -c "[ $rc = 0 ] && grep -q 'needs --allow-hotplug' $T/results/*_t3/state"

# resume of the checked-in interrupted fixture: only steps 3-5 run
cp -r "$FIX/interrupted" "$T/resume"
FAKE_LOG=$T/fake.log "$ROOT/run.sh" --resume "$T/resume" >/dev/null 2>&1
rc=$?
check "resume: exit 0 (rc=$rc)" test "$rc" = 0
check "resume: ran only the remaining steps" \
	test "$(grep -Ec '^(access|tlb|churn|numa|mem) ' "$T/fake.log")" = 3 \
	-a "$(grep -c '^access ' "$T/fake.log")" = 0
check "resume: state complete, all CSVs" sh -c \
	"grep -q '^status complete' '$T/resume/state' && ls '$T/resume/'churn.csv '$T/resume/'access.csv"
check "resume: completed points kept (access rows intact)" \
	cmp -s "$FIX/interrupted/access.csv" "$T/resume/access.csv"

# a real interruption: SIGTERM during the slow third step
FAKE_SLEEP=churn:30 "$ROOT/run.sh" "$FIX/profile-small" --label t4 \
	>/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do
	grep -qs '^step 2 ' "$T"/results/*_t4/state && break
	sleep 0.1
done
sleep 0.3
kill -TERM "$pid"
wait "$pid"
rc=$?
D4=$(ls -d "$T"/results/*_t4 | head -1)
check "interrupt: exit 130 (rc=$rc)" test "$rc" = 130
check "interrupt: completed steps kept, interrupted one not" sh -c \
	"grep -q '^status interrupted' '$D4/state' && grep -q '^step 2 ok' '$D4/state' && ! grep -q '^step 3' '$D4/state' && test -s '$D4/tlb.csv' && ! test -e '$D4/churn.csv'"
check "interrupt: no temporary files left" \
	sh -c "! ls '$D4'/*.tmp '$D4'/raw/*.tmp 2>/dev/null | grep -q ."
"$ROOT/run.sh" --resume "$D4" >/dev/null 2>&1
rc=$?
check "interrupt: --resume finishes it (rc=$rc)" \
	sh -c "[ $rc = 0 ] && grep -q '^status complete' '$D4/state' && test -s '$D4/churn.csv'"

# matplotlib figure set, once
PCPU_NO_FIGURES=0 "$PY" "$ROOT/plots/report.py" "$T/two-node" >/dev/null 2>&1
if "$PY" -c 'import matplotlib' 2>/dev/null; then
	check "figures: matplotlib multi-panel PNG and PDF" test -s \
		"$T/two-node/plots/figures.png" -a -s "$T/two-node/plots/figures.pdf"
else
	check "figures: skipped with a message without matplotlib" \
		grep -q 'matplotlib figures: skipped' "$T/two-node/report.txt"
fi

done_testing
