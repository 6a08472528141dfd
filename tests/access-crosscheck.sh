#!/bin/bash
# access-crosscheck.sh - the figures of `pcpubench access` for the segment
# read (latency, throughput) and the offset-array read (latency, CPU id
# from rseq), measured three ways:
#   1. pcpubench access itself (TSC, N and 2N, median of --repeat 11),
#   2. perf stat -e task-clock over pcpubench with a fixed op count: two
#      runs with --iters N and 2N; on-CPU time difference / op difference,
#   3. tests/access-refloop.c, a hand-written minimal loop (no libpcpu,
#      clock_gettime, best of 300 short runs).
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

echo "== 1. pcpubench access (median ns_per_op, cycles_per_op, rcv over 11 reps)"
taskset -c "$cpu" "$bin" access --strategy segment,offset-array --cpuid rseq \
	--op read --mode latency,throughput --repeat 11 --events none \
	--format csv -q -o "$tmp/a.csv" || exit 1
/usr/bin/python3 - "$tmp/a.csv" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
def q(v, p):
    v = sorted(v); h = (len(v) - 1) * p; i = int(h)
    return v[i] + (h - i) * (v[min(i + 1, len(v) - 1)] - v[i])
for s in ("segment", "offset-array"):
    for m in ("latency", "throughput"):
        out = []
        for met in ("ns_per_op", "cycles_per_op"):
            v = [float(r["value"]) for r in rows if r["strategy"] == s and
                 r["mode"] == m and r["metric"] == met and r["status"] == "ok"]
            med = statistics.median(v)
            rcv = (q(v, .75) - q(v, .25)) / (1.349 * med)
            out.append("%s %.4f (rcv %.2f%%)" % (met, med, 100 * rcv))
        print("%-13s %-10s n=%d  %s" % (s, m, len(v), "  ".join(out)))
PY

echo "== 2. perf stat -e task-clock, --iters N and 2N (ops = iters x 35 each)"
if command -v perf >/dev/null; then
	for spec in "segment latency 4000000" "segment throughput 40000000" \
		    "offset-array latency 4000000"; do
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
		/usr/bin/python3 -c "print('%-13s %-10s task-clock %.4f ns/op  (%s ms, %s ms)' % ('$1', '$2', (${tc[1]} - ${tc[0]}) * 1e6 / ($3 * 35), '${tc[0]}', '${tc[1]}'))"
	done
else
	echo "perf not installed: skipped"
fi

echo "== 3. hand-written minimal loop (tests/access-refloop.c)"
taskset -c "$cpu" build/access-refloop
