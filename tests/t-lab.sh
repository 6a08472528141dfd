#!/bin/bash
# t-lab.sh - the lab side (lab/) without a lab: LAVA test cases,
# results extraction from a job log, mmtests and lkp adapters, over the
# real results directory tests/fixtures/real-vm. (The LAVA job itself
# runs in `make check-lab`, lab/check-lab.sh.)
#
# Checks:
#   cases-findings    lab/lava/lava-cases.py gives one finding-<key> case
#                     per claim of plots/findings.py, and finding-invariants
#   cases-names       every name is [A-Za-z0-9._-]+, unique; results are
#                     pass|fail|skip; a measurement is a number with a unit
#   cases-stable      two calls give the same lines
#   testdef-yaml      lab/lava/pcpubench.yaml and the job templates parse,
#                     Lava-Test Test Definition 1.0 with its params
#   extract-roundtrip a marked block in a LAVA YAML log (and in a plain
#                     console log with prompts and \r) is rebuilt to the
#                     same files; ./run.sh report accepts the result
#   extract-corrupt   a changed base64 line or a cut block is refused
#                     (exit 1, the name in the message), nothing written
#   mmtests           OPERATION<TAB>SAMPLE<TAB>NUMBER lines, NA only as
#                     comments, one line per sample of the CSVs (a row
#                     repeated exactly is one sample)
#   lkp               KEY: NUMBER lines, unique keys, finding.<key>.settled
# Exit 0 pass, 1 fail.
. "$(dirname "$0")/lib.sh"
fx=tests/fixtures/real-vm

keys=$($PY - "$fx" <<'EOF'
import sys
sys.path.insert(0, "plots")
import findings
from pcpu_results import Run
print(" ".join(c.key for c in findings.compute(Run(sys.argv[1]))))
EOF
)

# --- lava-cases
$PY lab/lava/lava-cases.py "$fx" >"$T/cases" 2>"$T/cases.err"
r=$?
bad=
for k in invariants $keys; do
	grep -qE "^finding-$k (pass|fail|skip)\$" "$T/cases" || bad="$bad $k"
done
[ $r = 0 ] && [ -z "$bad" ]
check_rc cases-findings $? "exit $r, missing:$bad $(head -n 2 "$T/cases.err")"

bad=$(awk '
	$1 !~ /^[A-Za-z0-9._-]+$/ { print "name:" $1 }
	$2 !~ /^(pass|fail|skip)$/ { print "result:" $0 }
	NF == 4 && $3 !~ /^-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$/ { print "value:" $0 }
	NF != 2 && NF != 4 { print "fields:" $0 }
	seen[$1]++ { print "dup:" $1 }' "$T/cases")
n=$(awk 'NF == 4' "$T/cases" | wc -l)
[ -z "$bad" ] && [ "$n" -gt 0 ]
check_rc cases-names $? "$n measurements; $bad"

$PY lab/lava/lava-cases.py "$fx" >"$T/cases2" 2>/dev/null
cmp -s "$T/cases" "$T/cases2"
check_rc cases-stable $? "two calls differ"

# --- the test definition and job templates
$PY - lab/lava/pcpubench.yaml lab/lava/jobs/qemu.yaml \
	lab/lava/jobs/debian-baremetal.yaml lab/lava/devices/qemu-tcg.yaml \
	>"$T/yaml.err" 2>&1 <<'EOF'
import sys, yaml
td = yaml.safe_load(open(sys.argv[1]))
assert td["metadata"]["format"] == "Lava-Test Test Definition 1.0"
for p in ("PROFILE", "LABEL", "KERNEL", "HOTPLUG", "SKIP_INSTALL",
          "MARKERS"):
    assert p in td["params"], p
    assert "$" + p in " ".join(td["run"]["steps"]), p
for j in sys.argv[2:4]:
    job = yaml.safe_load(open(j).read().replace("@", "X"))
    t = [a["test"] for a in job["actions"] if "test" in a][0]
    d = t["definitions"][0]
    assert d["path"] == "pcpubench/lab/lava/pcpubench.yaml", j
    assert d["from"] == "url", j
    assert set(d["parameters"]) <= set(td["params"]), j
dev = yaml.safe_load(open(sys.argv[4]))
assert "qemu" in dev["actions"]["boot"]["methods"]
EOF
check_rc testdef-yaml $? "$(tail -n 3 "$T/yaml.err")"

# --- extraction: a block as pcpubench-lava.sh prints it, in a LAVA log
name=2026-01-01_host_lab-test
mkdir -p "$T/src"
cp -r "$fx" "$T/src/$name"
rm -f "$T/src/$name/report.txt"
tar -C "$T/src" -czf "$T/r.tgz" "$name"
sum=$(sha256sum "$T/r.tgz" | cut -d' ' -f1)
{
	echo "PCPUBENCH-RESULTS-BEGIN name=$name bytes=$(wc -c <"$T/r.tgz") sha256=$sum"
	base64 "$T/r.tgz"
	echo "PCPUBENCH-RESULTS-END name=$name"
} >"$T/block"
$PY - "$T/block" >"$T/job.yaml" <<'EOF'
import json, sys
print(json.dumps({"dt": "2026-01-01T00:00:00", "lvl": "info", "msg": "start"}))
for ln in open(sys.argv[1]):
    print(json.dumps({"dt": "2026-01-01T00:00:01", "lvl": "target",
                      "msg": ln.rstrip("\n")}))
print(json.dumps({"dt": "2026-01-01T00:00:02", "lvl": "results",
                  "msg": {"definition": "lava", "case": "job",
                          "result": "pass"}}))
EOF
sed 's/^/- /' "$T/job.yaml" >"$T/job-dash.yaml"
# a console capture: \r line ends, the prompt before the first line
{ printf 'pcpu-lava# '; sed 's/$/\r/' "$T/block"; } >"$T/console.txt"
ok=0
for lg in job.yaml job-dash.yaml console.txt; do
	rm -rf "$T/x"
	$PY lab/lava-extract.py "$T/$lg" "$T/x" >"$T/x.out" 2>&1 &&
		diff -r "$T/src/$name" "$T/x/$name" >/dev/null || { ok=1; echo "#   $lg: $(tail -n 2 "$T/x.out")"; }
done
PCPU_SKIP_DEPS=1 ./run.sh report "$T/x/$name" >"$T/report.out" 2>&1 &&
	[ -s "$T/x/$name/report.txt" ] || { ok=1; echo "#   report: $(tail -n 2 "$T/report.out")"; }
check_rc extract-roundtrip $ok "see above"

ok=0
# one changed character in the middle of the body
awk 'NR == 5 { $0 = (substr($0, 1, 1) == "A" ? "B" : "A") substr($0, 2) } 1' \
	"$T/block" >"$T/bad1"
head -n 6 "$T/block" >"$T/bad2"	# cut short: no END
for lg in bad1 bad2; do
	rm -rf "$T/y"
	$PY lab/lava-extract.py "$T/$lg" "$T/y" >"$T/y.out" 2>&1
	r=$?
	[ $r = 1 ] && grep -q "$name" "$T/y.out" && [ ! -e "$T/y/$name" ] ||
		{ ok=1; echo "#   $lg: exit $r: $(cat "$T/y.out")"; }
done
check_rc extract-corrupt $ok "see above"

# --- adapters
$PY lab/adapt.py mmtests "$fx" >"$T/mm" 2>"$T/mm.err"
r=$?
bad=$(grep -v '^# ' "$T/mm" | awk -F'\t' 'NF != 3 || $2 !~ /^[0-9]+$/ ||
	$3 !~ /^-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$/ || $1 ~ / /' | head -n 3)
# a row repeated exactly is one sample (the results reader counts it once)
rows=$(cat "$fx"/*.csv | grep -v '^bench,' | sort -u | wc -l)
lines=$(wc -l <"$T/mm")
[ $r = 0 ] && [ -z "$bad" ] && [ "$rows" = "$lines" ]
check_rc mmtests $? "exit $r, $lines lines for $rows CSV rows; $bad"

$PY lab/adapt.py lkp "$fx" >"$T/lkp" 2>"$T/lkp.err"
r=$?
bad=$(awk '$0 !~ /^[^ :]+: -?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$/ { print } \
	{ k = $1; if (seen[k]++) print "dup " k }' "$T/lkp" | head -n 3)
for k in $keys; do
	grep -qE "^finding\.$k\.settled: [01]$" "$T/lkp" || bad="$bad no:$k"
done
[ $r = 0 ] && [ -z "$bad" ]
check_rc lkp $? "exit $r; $bad"

done_testing
