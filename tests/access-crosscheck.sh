#!/bin/bash
# access-crosscheck.sh - the figures of `pcpubench access` measured by a
# second method: tests/access-refloop.c, hand-written minimal loops (no
# libpcpu, clock_gettime, best of 300 short runs, its own imul clock).
#   1. pcpubench access: path, latency and throughput read, median of
#      --repeat 11 (TSC, N and 2N); throughput beside the minimal loop
#      pcpubench times in the same process;
#   2. the hand loops, and the ratio pcpubench / hand loop per figure,
#      "ok" within 5%;
#   3. perf stat -e task-clock over pcpubench with --iters N and 2N
#      (on-CPU time difference / op difference), when perf is installed.
# A benchmark, not a test: it times things. Not run by `make check`.
#   tests/access-crosscheck.sh [host-cpu]
set -u
cd "$(dirname "$0")/.." || exit 1
cpu=${1:-1}
bin=build/pcpubench
[ -x "$bin" ] || { echo "build first (make)"; exit 4; }
cc -O2 -mfsgsbase -o build/access-refloop tests/access-refloop.c || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

cmd=(taskset -c "$cpu" "$bin" access
     --strategy segment,tls,offset-array,vm-area,hybrid --cpuid tls,rseq
     --op read --mode path,latency,throughput --repeat 11 --events none
     --format csv -q -o "$tmp/a.csv")
echo "== 1. ${cmd[*]}"
"${cmd[@]}" || exit 1
echo "== 2. taskset -c $cpu build/access-refloop"
taskset -c "$cpu" build/access-refloop >"$tmp/ref.txt" || exit 1
cat "$tmp/ref.txt"
/usr/bin/python3 - "$tmp/a.csv" "$tmp/ref.txt" <<'PY'
import csv, re, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ref = {}
for line in open(sys.argv[2]):
    m = re.match(r"(.*?):\s+([0-9.]+) ns/op\s+([0-9.]+) cycles/op", line)
    if m:
        ref[m.group(1).strip()] = float(m.group(3))
def q(v, p):
    v = sorted(v); h = (len(v) - 1) * p; i = int(h)
    return v[i] + (h - i) * (v[min(i + 1, len(v) - 1)] - v[i])
def med(s, c, m, met="cycles_per_op"):
    v = [float(r["value"]) for r in rows if r["strategy"] == s and
         r["cpuid"] == c and r["mode"] == m and r["metric"] == met and
         r["op"] == "read" and r["status"] in ("ok", "derived")]
    if not v:
        return None, None
    md = statistics.median(v)
    return md, (q(v, .75) - q(v, .25)) / (1.349 * md) if md else 0
print("%-13s %-8s %-10s %9s %8s %7s %10s %8s" % ("strategy", "cpuid", "mode",
      "cycles", "ns", "rcv%", "over-ptr", "rcv%"))
for s, c in (("segment", "implicit"), ("tls", "implicit"),
             ("offset-array", "rseq"), ("offset-array", "tls"),
             ("vm-area", "rseq"), ("vm-area", "tls"), ("hybrid", "rseq"),
             ("hybrid", "tls"), ("ptr", "implicit")):
    for m in ("path", "latency", "throughput"):
        cy, rc = med(s, c, m)
        ns, _ = med(s, c, m, "ns_per_op")
        fl, frc = med(s, c, m, "cycles_over_floor")
        if cy is None:
            continue
        print("%-13s %-8s %-10s %9.3f %8.3f %7.2f %10.3f %8s" % (s, c, m, cy,
              ns, 100 * rc, fl, "-" if frc is None else "%.1f" % (100 * frc)))
mn, mrc = med("ptr", "implicit", "throughput", "minimal_loop_cycles_per_op")
print("minimal loop (same process): %.3f cycles/op (rcv %.2f%%)" % (mn, 100 * mrc))
print("\n== agreement (pcpubench / hand loop; ok within 5%)")
pairs = [("segment", "implicit", "path", "segment read path"),
         ("tls", "implicit", "path", "ptr/tls read path"),
         ("ptr", "implicit", "path", "ptr/tls read path"),
         ("offset-array", "rseq", "path", "offset-array (rseq) read path"),
         ("hybrid", "rseq", "path", "offset-array (rseq) read path"),
         ("vm-area", "rseq", "path", "vm-area (rseq) read path"),
         ("segment", "implicit", "latency", "segment read latency"),
         ("offset-array", "rseq", "latency", "offset-array (rseq) read latency"),
         ("segment", "implicit", "throughput", "segment read throughput")]
for s, c, m, k in pairs:
    cy, _ = med(s, c, m)
    if cy is None or k not in ref:
        continue
    r = cy / ref[k]
    print("%-13s %-10s %8.3f vs %-32s %8.3f  x%.3f  %s" % (s, m, cy, k, ref[k],
          r, "ok" if abs(r - 1) <= 0.05 else "OFF"))
for s in ("segment", "tls", "ptr"):
    cy, _ = med(s, "implicit", "throughput")
    r = cy / mn
    print("%-13s throughput %8.3f vs minimal loop %8.3f  x%.3f  %s" % (s, cy, mn,
          r, "ok" if abs(r - 1) <= 0.05 else "OFF"))
PY

echo "== 3. perf stat -e task-clock, --iters N and 2N"
if command -v perf >/dev/null; then
	for spec in "segment path 4000000" "offset-array path 4000000"; do
		set -- $spec
		tc=()
		for n in "$3" $(($3 * 2)); do
			t=$(perf stat -x, -e task-clock -r 5 taskset -c "$cpu" "$bin" access \
				--strategy "$1" --cpuid rseq --op read --mode "$2" \
				--iters "$n" --repeat 11 --tries 1 --events none \
				--format csv -q -o "$tmp/p.csv" 2>&1 >/dev/null |
				awk -F, '/task-clock/ {print $1}')
			tc+=("$t")
		done
		echo "$1 $2 task-clock: ${tc[0]} ms (N), ${tc[1]} ms (2N)"
	done
else
	echo "perf not installed: skipped"
fi
