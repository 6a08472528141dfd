#!/bin/bash
# access-crosscheck.sh - the figures of `pcpubench access` measured by a
# second method: tests/access-refloop.c, hand-written minimal loops (no
# libpcpu, clock_gettime, best of 300 short runs, its own imul clock).
#   1. pcpubench access: path, latency and throughput read, median of
#      --repeat 11 (TSC, N and 2N); throughput beside the minimal loop
#      pcpubench times in the same process;
#   2. the hand loops, and the ratio pcpubench / hand loop per figure,
#      "ok" within 5%;
#   3. isolated cold reads (--cold 0,200,8192, 4k and 2m) beside the hand
#      loop's (median of 2000 fenced single reads, its own clocks).
# (The perf stat task-clock method of earlier versions is gone: every
# access run now also times the floor ptr, so a whole-process time no
# longer belongs to one strategy.)
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


echo "== 3. isolated cold reads: pcpubench access --cold against the hand loop"
taskset -c "$cpu" "$bin" access --strategy segment,offset-array,vm-area \
	--cpuid rseq --cold 0,200,8192 --repeat 5 --events none --format csv \
	-q -o "$tmp/c.csv" || exit 1
for pg in 4k 2m; do
	taskset -c "$cpu" build/access-refloop cold 0,200,8192 "$pg" >"$tmp/rc-$pg.txt" || exit 1
done
/usr/bin/python3 - "$tmp/c.csv" "$tmp/rc-4k.txt" "$tmp/rc-2m.txt" <<'PY'
import csv, re, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
ref = {}
for pg, f in (("4k", sys.argv[2]), ("2m", sys.argv[3])):
    for line in open(f):
        m = re.match(r"K (\d+)\s+(\S+).*?\s([-0-9.]+) cycles", line)
        if m:
            ref[(pg, m.group(1), m.group(2))] = float(m.group(3))
def med(s, pg, k, met):
    v = [float(r["value"]) for r in rows if r["strategy"] == s and
         r["page"] == pg and r["cold_pages"] == k and r["metric"] == met and
         r["status"] in ("ok", "derived")]
    return statistics.median(v) if v else float("nan")
print("%-4s %-6s %-13s %6s %10s %10s %10s" % ("page", "K", "strategy", "pages",
      "pcpubench", "over-ptr", "hand loop"))
for pg in ("4k", "2m"):
    for k in ("0", "200", "8192"):
        for s in ("segment", "vm-area", "offset-array", "ptr"):
            print("%-4s %-6s %-13s %6.0f %10.1f %10.1f %10.1f" % (pg, k, s,
                  med(s, pg, k, "pages_on_path"), med(s, pg, k, "cold_cycles"),
                  med(s, pg, k, "cycles_over_floor"),
                  ref.get((pg, k, s), float("nan"))))
PY
