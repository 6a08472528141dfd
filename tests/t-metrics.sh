#!/bin/bash
# t-metrics.sh - the metric list (lib/toolkit/pcpu-metrics.h) is the contract:
# `list --metrics --format json` parses on /usr/bin/python3 with one
# definition per name; a tiny run of every benchmark that runs here
# (tlb, access, workload, churn, numa, mem), with PCPU_METRICS_STRICT=1
# (a unit other than the declared one is refused too), exits 0 and emits
# only listed metrics with their declared units; a CSV written with -o
# has its FILE.meta.json (bench, command, version); the fake binary speaks
# the same list. The kernel-* benchmarks run in the guest only
# (tests/t-cmd-kernel.sh), where the output refuses an undeclared metric the
# same way. Exit: 0 pass, 4 skip (no binary), 1 fail.
. "$(dirname "$0")/lib.sh"
need_bin
case "$BIN" in *fake*) skip_all "fake binary" ;; esac
[ -x "$PY" ] || PY=python3
mkdir -p "$T/cal"
export PCPU_METRICS_STRICT=1 PCPU_CALIBRATION=$T/cal/tlb-calibration.csv

if "$BIN" list --metrics --format json >"$T/metrics.json" &&
	"$PY" - "$T/metrics.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
seen = set()
for m in d["metrics"]:
    k = (m["bench"], m["metric"])
    assert k not in seen, "declared twice: %s %s" % k
    seen.add(k)
    assert m["kind"] in ("ok", "derived", "estimated"), m
    assert m["unit"] and m["meaning"], m
    assert isinstance(m["zero"], bool), m
assert d["schema_version"] == 2
PY
then
	pass "list --metrics --format json parses, one definition per name"
else
	fail "list --metrics --format json"
fi
"$BIN" list --metrics | grep -q "^churn  *read_sum_mismatch .*must be 0" &&
	pass "list --metrics (text) marks the invariants" ||
	fail "list --metrics text lacks the read_sum_mismatch invariant"

run() {
	# run NAME ARGS...: a tiny run to $T/NAME.csv, exit 0
	local name=$1 rc
	shift
	"$BIN" "$@" --format csv -o "$T/$name.csv" >/dev/null 2>"$T/$name.err"
	rc=$?
	if [ "$rc" = 0 ]; then
		pass "$name: exit 0"
	else
		fail "$name: exit $rc: $(tail -2 "$T/$name.err")"
	fi
}
run tlb tlb --page 4k --pages 8-64 --repeat 2
run access access --strategy all --op read,inc --mode latency,throughput,path,cold \
	--repeat 2 --tries 1 --min-time 0.0002
run workload workload --strategy offset-array,segment,tls --pages 16,64 \
	--accesses 1,4 --repeat 2 --tries 1 --min-time 0.0002
run churn churn --strategy all --backend sim --possible 8 --online 2 \
	--rate 0,1000 --duration 0.1 --repeat 1
run numa numa --strategy all --placement local
run mem mem --strategy all --possible 64 --online 2

if "$PY" - "$T/metrics.json" "$T"/*.csv <<'PY'
import csv, json, re, sys
d = json.load(open(sys.argv[1]))
exact, pats = {}, []
for m in d["metrics"]:
    if "<" in m["metric"]:
        rx = re.sub(r"<[a-z]+>", "[A-Za-z0-9_.:-]+",
                    re.escape(m["metric"]).replace("\\<", "<")
                    .replace("\\>", ">"))
        pats.append((m["bench"], re.compile(rx + r"\Z"), m))
    else:
        exact[(m["bench"], m["metric"])] = m
bad = 0
for f in sys.argv[2:]:
    names = set()
    for r in csv.DictReader(open(f)):
        k = (r["bench"], r["metric"])
        # an exact name first, else the longest matching pattern
        m = exact.get(k) or max((p[2] for p in pats if p[0] == k[0] and
                                 p[1].match(k[1])), default=None,
                                key=lambda x: len(x["metric"]))
        if m is None:
            print("undeclared: %s %s (%s)" % (k + (f,)))
            bad += 1
        elif m["unit"] != r["unit"]:
            print("unit: %s %s %s, declared %s" % (k + (r["unit"],
                                                     m["unit"])))
            bad += 1
        names.add(k)
    print("%s: %d metrics, all declared" % (f.rsplit("/", 1)[-1], len(names)))
sys.exit(1 if bad else 0)
PY
then
	pass "every emitted metric is in the list, with its unit"
else
	fail "a benchmark emitted an undeclared metric or unit"
fi

# the sidecar beside every CSV written with -o
for f in "$T"/*.csv; do
	if "$PY" - "$f.meta.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["meta"]
assert d["schema_version"] == 2 and d["bench"] == m["bench"]
assert m["command"].startswith("pcpubench "), m["command"]
assert m["version"] and m["host"] and m["time"]
PY
	then
		pass "${f##*/}.meta.json: bench, command, version"
	else
		fail "${f##*/}.meta.json missing or incomplete"
	fi
done

# an undeclared metric is refused by the output (the unit test covers
# pout; here the binary: a metric name can only come from the list)
if grep -q "is not declared for this benchmark" lib/toolkit/pcpu-out.c; then
	pass "pout refuses an undeclared metric"
else
	fail "pout has no undeclared-metric check"
fi

# the fake binary speaks the same list
FAKE=tests/fake-pcpubench
if [ -x "$FAKE" ]; then
	if PCPUBENCH_REAL=$BIN "$FAKE" list --metrics --format json \
		>"$T/fake-metrics.json" 2>/dev/null &&
		cmp -s "$T/metrics.json" "$T/fake-metrics.json"; then
		pass "the fake binary's list --metrics is the real one's"
	else
		fail "the fake binary's list --metrics differs"
	fi
fi

# a results directory copied elsewhere is reported and compared from
# what it carries (metrics.json, meta.json, raw/*.meta.json)
FIX=tests/fixtures
cp -r "$FIX/real-vm" "$T/copied"
if "$PY" plots/report.py "$T/copied" --no-plots >/dev/null 2>"$T/rep.err" &&
	grep -q "each step as it ran" "$T/copied/report.txt" &&
	grep -q "02-access: seed [0-9]" "$T/copied/report.txt"; then
	pass "a copied results directory is reported, with each step's command and seed"
else
	fail "report of a copied directory: $(tail -1 "$T/rep.err")"
fi
cp -r "$FIX/real-vm" "$T/copied2"
if ./run.sh compare "$T/copied" "$T/copied2" --no-plots >/dev/null 2>"$T/cmp.err"; then
	pass "a copied results directory is compared"
else
	fail "compare of copied directories: $(tail -1 "$T/cmp.err")"
fi
# a metric the directory's list does not know: exit 2, one line naming it
cp -r "$FIX/real-vm" "$T/unknown"
echo "mem,offset-array,table,embed,256,2,4k,0,bogus_metric,1,bytes,ok" \
	>>"$T/unknown/mem.csv"
"$PY" plots/report.py "$T/unknown" --no-plots >/dev/null 2>"$T/unk.err"
rc=$?
if [ "$rc" = 2 ] && [ "$(wc -l <"$T/unk.err")" = 1 ] &&
	grep -q "mem metric 'bogus_metric' is not in its metrics.json" "$T/unk.err"; then
	pass "report: an unknown metric is exit 2 ($(cat "$T/unk.err"))"
else
	fail "report on an unknown metric: exit $rc: $(cat "$T/unk.err")"
fi
./run.sh compare "$T/copied" "$T/unknown" --no-plots >/dev/null 2>"$T/unk2.err"
rc=$?
if [ "$rc" = 2 ] && grep -q "bogus_metric" "$T/unk2.err"; then
	pass "compare: an unknown metric is exit 2"
else
	fail "compare on an unknown metric: exit $rc: $(cat "$T/unk2.err")"
fi
# a required invariant that is missing is said so
cp -r "$FIX/real-vm" "$T/noinv"
grep -v ",read_sum_mismatch," "$FIX/real-vm/churn.csv" >"$T/noinv/churn.csv"
"$PY" plots/report.py "$T/noinv" --no-plots >/dev/null 2>&1
if grep -q "read_sum_mismatch: NOT EMITTED" "$T/noinv/report.txt"; then
	pass "report: a missing invariant is named"
else
	fail "report does not name the missing read_sum_mismatch"
fi

done_testing
