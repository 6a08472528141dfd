#!/bin/bash
# t-cmd-kernel-quiet.sh - `pcpubench kernel access` and the module's quiet
# check (bench/kmod/kmod-quiet.h), on the host, with a canned module
# answer: the test hook PCPU_TEST_KMOD_OUT=FILE stands for the module (no
# module is checked, loaded or unloaded; PCPU_KMOD_NO_LOAD=1 as well).
#  - the module command carries the retry rules of bench-quiet.h and
#    passes PCPU_TEST_DISTURB on (qforce=N / qforce=all);
#  - a point the module left disturbed: its timing rows flagged:disturbed
#    with the reason, never ok; a disturbed calibration flags the cycles
#    it converts; a non-positive delta is flagged:not-positive, never ok;
#  - the module's counts (S line) become the step's quiet_* metadata, in
#    CSV and JSON, and the report's step list shows them for a kernel
#    step (./run.sh --kernel end to end); the reading side leaves the
#    flagged rows out.
# The module side (the judge, the retries, the hook) runs in the qemu
# guest: tests/guest/kmod-tests.sh, check kmod_disturbed.
. "$(dirname "$0")/lib.sh"
need_bin
export PCPU_KMOD_NO_LOAD=1
unset PCPU_KMOD PCPU_TEST_DISTURB

meta() {	# meta FILE KEY: a value of FILE.meta.json's meta block
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["meta"].get(sys.argv[2], ""))' \
		"$1.meta.json" "$2"
}
# status CPU STRATEGY METRIC FILE: the status of that row (path read)
status() {
	awk -F, -v c="$1" -v s="$2" -v m="$3" '$5 == c && $2 == s && $9 == m { print $12 }' "$4"
}

# A module answer: CPU 0 calibrated quietly, a quiet point, a point left
# disturbed (band, 5 attempts), a quiet point whose delta is negative;
# CPU 1's calibration left disturbed (agree, 3 attempts) and a quiet point.
cat >"$T/ans" <<'EOF'
I,hypervisor,KVMKVMKVM
I,tsc_khz,2000000
I,pmu,0,-2
I,steal,0,0
C,0,0,49152,8000,16000,1,quiet
A,k-segment,segment,embed,0,path,read,0,4096,20000,40000,-1,-1,1,quiet
A,k-offset-array,table,embed,0,path,read,0,4096,20000,90000,-1,-1,5,band
A,k-vm-area,shift,vm,0,path,read,0,4096,20000,19000,-1,-1,1,quiet
I,pmu,1,-2
I,steal,1,0
C,1,0,49152,8000,30000,3,agree
A,k-segment,segment,embed,1,path,read,0,4096,20000,40000,-1,-1,2,quiet
S,9,6,4,2
EOF
export PCPU_TEST_KMOD_OUT=$T/ans

"$BIN" kernel access --format csv -o "$T/k.csv" 2>"$T/k.err"
is "canned answer: exit" $? 0
cmd=$(meta "$T/k.csv" module_command)
is "module command: the rules of bench-quiet.h, no hook" "$cmd" \
	"access iters=4096 tries=3 reps=3 qredo=4 qbudget=50 qbudmin=16 qsatmin=32 qsatpct=50 qforce=0"
is "quiet point: ok" "$(status 0 k-segment tsc_per_op "$T/k.csv")" ok
for m in tsc_per_op cycles_per_op ns_per_op; do
	st=$(status 0 k-offset-array $m "$T/k.csv")
	case $st in
	"flagged:disturbed(band in 5 of 5 attempts; 100 x (T(2N) - T0)/(T(N) - T0) outside 150..250: rerun on a quiet machine)")
		pass "disturbed point: $m flagged with its reason" ;;
	*) fail "disturbed point: $m status '$st'" ;;
	esac
done
is "disturbed point: batch_ops stays ok" "$(status 0 k-offset-array batch_ops "$T/k.csv")" ok
is "negative delta: flagged, never ok" "$(status 0 k-vm-area tsc_per_op "$T/k.csv")" \
	"flagged:not-positive(T(2N) - T(N) <= 0: no measurement)"
check "disturbed calibration: core_clock flagged" \
	grep -q ',core_clock,.*,flagged:disturbed(agree in 3 of 3 attempts;' "$T/k.csv"
check "disturbed calibration: the cycles it converts flagged" \
	grep -q 'k-segment,segment,embed,1,.*,cycles_per_op,.*,flagged:disturbed(calibration agree' "$T/k.csv"
is "disturbed calibration: ticks of a quiet point stay ok" \
	"$(status 1 k-segment tsc_per_op "$T/k.csv")" ok
check "no timing <= 0 is ok" \
	awk -F, 'NR > 1 && $9 ~ /_per_op$|core_clock/ && $12 == "ok" && $10 + 0 <= 0 { print; bad++ }
		 END { exit bad > 0 }' "$T/k.csv"
for kv in quiet_batches=9 quiet_disturbed=6 quiet_retries=4 quiet_flagged_samples=2; do
	is "meta ${kv%=*}" "$(meta "$T/k.csv" "${kv%=*}")" "${kv#*=}"
done
check "meta: the check and its thresholds" \
	grep -q '"quiet_check": "a point .*outside 150..250.*> 10%.*< 500 ignored' "$T/k.csv.meta.json"
check "meta: no steal clock seen" \
	grep -q '"steal_clock": "no steal accounted since boot' "$T/k.csv.meta.json"
check "meta: measure_seconds" grep -q '"measure_seconds": ' "$T/k.csv.meta.json"
check "stderr: the counts" \
	grep -q 'pcpubench kernel access: 6 of 9 batches disturbed, 4 retried, 2 sample(s) flagged:disturbed' "$T/k.err"

# JSON: the metadata (counts included) before the rows
"$BIN" kernel access --format json -o "$T/k.json" 2>/dev/null
is "json: exit" $? 0
check "json: counts in its meta, rows flagged" "$PY" - "$T/k.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["meta"]
assert m["quiet_batches"] == "9" and m["quiet_flagged_samples"] == "2", m
st = [r["status"] for r in d["rows"] if r["metric"] == "tsc_per_op"]
assert sum(s.startswith("flagged:disturbed") for s in st) == 1, st
PY

# The hook passed on: =all and =N
PCPU_TEST_DISTURB=all "$BIN" kernel access --iters 64 --tries 2 --repeat 1 \
	--format csv -o "$T/a.csv" 2>/dev/null
case $(meta "$T/a.csv" module_command) in
*" qforce=all") pass "PCPU_TEST_DISTURB=all: qforce=all" ;;
*) fail "PCPU_TEST_DISTURB=all: $(meta "$T/a.csv" module_command)" ;;
esac
PCPU_TEST_DISTURB=3 "$BIN" kernel access --format csv -o "$T/n.csv" 2>/dev/null
case $(meta "$T/n.csv" module_command) in
"access iters=4096 tries=3 reps=3 "*" qforce=3") pass "PCPU_TEST_DISTURB=3: qforce=3" ;;
*) fail "PCPU_TEST_DISTURB=3: $(meta "$T/n.csv" module_command)" ;;
esac

# A module without counts (an older one): the counts are NA, not 0.
grep -v '^S,' "$T/ans" >"$T/old"
PCPU_TEST_KMOD_OUT=$T/old "$BIN" kernel access --format csv -o "$T/o.csv" 2>/dev/null
is "no counts: quiet_batches NA" "$(meta "$T/o.csv" quiet_batches)" \
	"na:the module sent no counts"

# The hook serves access and numa, never --replug (real hotplug).
expect 2 "PCPU_TEST_KMOD_OUT serves" "$BIN" kernel churn --allow-hotplug
expect 2 "PCPU_TEST_KMOD_OUT serves" "$BIN" kernel numa --allow-hotplug --replug 1
check "kernel --help documents the check" \
	grep -q 'Undisturbed points: .*' <<<"$("$BIN" kernel --help)"
check "kernel --help: thresholds and what it cannot see" \
	bash -c 'h=$("$1" kernel --help); grep -q "outside 150..250" <<<"$h" &&
		grep -q "more than 10%" <<<"$h" && grep -q "It cannot see:" <<<"$h"' _ "$BIN"

# The reading side: the report's step list and the medians.
check "report: the kernel step's counts in the step list" "$PY" - "$T/k.csv" <<'PY'
import json, sys
sys.path.insert(0, "plots")
import report
m = json.load(open(sys.argv[1] + ".meta.json"))["meta"]
class R:
    step_meta = {"05-kernel": m}
q = report.quiet_note(R(), {"n": "5", "bench": "kernel"})
assert "disturbed 6/9 batches, 2 sample(s) dropped" in q, q
PY
check "Stats leaves the disturbed and the negative kernel rows out" "$PY" - "$T/k.csv" <<'PY'
import csv, sys
sys.path.insert(0, "plots")
from pcpu_results import Stats
rows = [r for r in csv.DictReader(open(sys.argv[1]))
        if r["metric"] == "tsc_per_op"]
st = Stats([{"rep": r["rep"], "value": float(r["value"]),
             "status": r["status"]} for r in rows])
# the disturbed point and the negative delta
assert st.n_dropped == 2 and len(st.vals) == 2, (st.vals, st.n_dropped)
assert min(st.vals) > 0, st.vals
PY
# ./run.sh --kernel end to end (the canned module; profiles/kernel's
# access and numa lines appended): a clean run is complete, and its step
# list gives the kernel steps' counts.
cat >>"$T/ans" <<'EOF'
Q,0,boot,0,1,1,0
P,0,boot,-,static,0,1,0,ok
T,0,boot,0
EOF
printf 'kernel access --iters 64 --tries 1 --repeat 1\n' >"$T/prof"
PCPUBENCH=$BIN PCPU_RESULTS=$T/results PCPU_SKIP_DEPS=1 PCPU_NO_FIGURES=1 \
	"$ROOT/run.sh" "$T/prof" --kernel --label kq >"$T/run.out" 2>&1
is "run.sh --kernel (canned module): exit" $? 0
rep=$(ls "$T"/results/*_kq/report.txt 2>/dev/null | head -1)
check "run.sh --kernel: complete, not INCOMPLETE (kernel-*.csv are its data)" \
	grep -q '^run: complete, 3 step(s): 3 ok' "$rep"
check "run.sh --kernel: the step list gives the kernel step's counts" \
	grep -q '^ *1 kernel  ok: .* s; disturbed 6/9 batches, 2 sample(s) dropped' "$rep"
done_testing
