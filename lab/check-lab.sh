#!/bin/bash
# check-lab.sh - `make check-lab`: the LAVA qemu job run end to end here
# by lava-run, and its results checked.
#
# Runs lab/lava/run-qemu-job.sh (lava-run --device ... --job-id N
# --output-dir build/lab/job build/lab/job.yaml: boots the Debian kernel
# with the pcpubench ramdisk under qemu TCG, 2 NUMA nodes, and runs the
# test definition lab/lava/pcpubench.yaml with lab/lava/profile-tcg),
# then checks, from LAVA's own results in the job log:
#   job-pass        the job completed (LAVA's `job` case passed)
#   run             run.sh's case passed on the device
#   cases           every finding case (one per plots/findings.py claim,
#                   and finding-invariants) is there, pass or skip, none
#                   failed
#   measurements    every headline figure lab/lava/lava-cases.py gives
#                   for the extracted directory reached LAVA with the
#                   same value and unit
#   extract         lab/lava-extract.py rebuilt the results directory
#                   from the job log (size and sha256 checked)
#   report          ./run.sh report accepts it (exit 0, report.txt)
#   compare         ./run.sh compare accepts it beside another directory
#   adapters        lab/adapt.py mmtests|lkp read it
# Output: build/lab/ (the job log lava-run.log, results/, summary).
# PCPU_LAB_RECHECK=1 checks the last job's log again without running it.
# Exit: 0 pass; 1 a check failed; 77 skipped (lava-dispatcher, qemu or
# a kernel cannot be had here: one line says why).
set -u
cd "$(dirname "$0")/.." || exit 1
top=$PWD
out=${PCPU_LAB_OUT:-$top/build/lab}
PY=/usr/bin/python3
fails=0

check() {
	# check NAME OK? MESSAGE
	if [ "$2" = 0 ]; then
		echo "check-lab: PASS $1"
	else
		echo "check-lab: FAIL $1: $3"
		fails=$((fails + 1))
	fi
}

if [ "${PCPU_LAB_RECHECK:-0}" = 1 ] && [ -s "$out/lava-run.log" ]; then
	rc=recheck	# check the last job's log again, without running it
else
	"$top/lab/lava/run-qemu-job.sh" "$out"
	rc=$?
fi
if [ $rc = 77 ]; then
	echo "check-lab: SKIP: the LAVA job cannot run here (see above)"
	exit 77
fi
log=$out/lava-run.log
[ -s "$log" ] || { echo "check-lab: FAIL: no job log $log"; exit 1; }

rm -rf "$out/cases.d"
"$PY" "$top/lab/lava-extract.py" "$log" "$out/cases.d" --cases \
	>"$out/lava-results.txt" 2>"$out/extract-cases.err"
grep -q '^lava job pass' "$out/lava-results.txt"
check job-pass $? "lava-run exit $rc; $(grep '^lava job' "$out/lava-results.txt")"
# LAVA names the definition <index>_<name>: 0_pcpubench
grep -qE '^[0-9]+_pcpubench run pass' "$out/lava-results.txt"
check run $? "$(grep -E '^[0-9]+_pcpubench run ' "$out/lava-results.txt" || echo 'no run case')"

dir=$(ls -d "$out"/results/*/ 2>/dev/null | head -n 1)
dir=${dir%/}
[ -n "$dir" ] && [ -f "$dir/meta.json" ]
check extract $? "no results directory rebuilt from $log"
if [ -z "$dir" ]; then
	echo "check-lab: $fails failed"
	exit 1
fi

# The finding cases: one per claim key of plots/findings.py.
keys=$("$PY" - "$dir" <<'EOF'
import sys
sys.path.insert(0, "plots")
import findings
from pcpu_results import Run
print(" ".join(c.key for c in findings.compute(Run(sys.argv[1]))))
EOF
)
bad=
for k in invariants $keys; do
	r=$(sed -n "s/^[0-9]*_pcpubench finding-$k \([a-z]*\).*/\1/p" "$out/lava-results.txt")
	case $r in
	pass|skip) ;;
	*) bad="$bad finding-$k=${r:-missing}" ;;
	esac
done
[ -z "$bad" ]
check cases $? "$bad"

# The measurements: what lava-cases.py says of the extracted directory
# is what LAVA recorded.
"$PY" lab/lava/lava-cases.py "$dir" >"$out/cases-expected.txt"
msg=$("$PY" - "$out/cases-expected.txt" "$out/lava-results.txt" <<'EOF'
import re, sys
got = {}
for ln in open(sys.argv[2]):
    w = ln.split()
    if len(w) == 5 and re.fullmatch(r"[0-9]+_pcpubench", w[0]):
        got[w[1]] = (w[2], float(w[3]), w[4])
n, bad = 0, []
for ln in open(sys.argv[1]):
    w = ln.split()
    if len(w) != 4:
        continue
    n += 1
    g = got.get(w[0])
    if not g or g[0] != w[1] or g[2] != w[3] or \
            abs(g[1] - float(w[2])) > 1e-6 * max(1.0, abs(float(w[2]))):
        bad.append("%s (LAVA: %s)" % (w[0], g))
if bad or not n:
    print("%d measurements; not in LAVA's results as given: %s"
          % (n, " ".join(bad)))
EOF
)
[ -z "$msg" ]
check measurements $? "$msg"

PCPU_SKIP_DEPS=1 ./run.sh report "$dir" >"$out/report.out" 2>&1
r=$?
[ $r = 0 ] && [ -s "$dir/report.txt" ]
check report $? "./run.sh report exit $r: $(tail -n 2 "$out/report.out")"

rm -rf "$out/compare"
PCPU_SKIP_DEPS=1 ./run.sh compare "$dir" tests/fixtures/real-vm --out "$out/compare" \
	>"$out/compare.out" 2>&1
r=$?
[ $r = 0 ] && [ -s "$out/compare/compare.txt" ]
check compare $? "./run.sh compare exit $r: $(tail -n 2 "$out/compare.out")"

"$PY" lab/adapt.py mmtests "$dir" >"$out/mmtests.txt" &&
	"$PY" lab/adapt.py lkp "$dir" >"$out/lkp.txt" &&
	[ -s "$out/mmtests.txt" ] && [ -s "$out/lkp.txt" ]
check adapters $? "lab/adapt.py failed on $dir"

{
	echo "LAVA results (definition case result [measurement units]):"
	grep -E '^lava (job|execute-qemu|login-action) ' "$out/lava-results.txt"
	grep -v '^lava ' "$out/lava-results.txt" | grep -v '^lava$'
	grep '^lava job' "$out/lava-results.txt"
} >"$out/summary.txt"
echo "check-lab: $fails failed; summary in $out/summary.txt"
[ "$fails" = 0 ]
