#!/bin/bash
# tlb-calib-check.sh - do N default TLB calibrations agree? (issue 23,
# item 5). Runs the quick profile's tlb line (read from profiles/quick)
# N times, each writing its own calibration file, and prints per run the
# L1 and L2 entries of each backing with the run's own verdict (stable /
# unstable: why), then per figure the spread across runs, max/min - 1,
# and whether the runs agree within 10%. Timings: not a test (make check
# does not run it); run it on an idle machine:
#
#   tests/tlb-calib-check.sh [N [OUTDIR]]     (default 5, a temp dir)
#   tests/tlb-calib-check.sh 0 OUTDIR         (summarise OUTDIR's runs)
#
# Exit 0 when every figure agrees within 10% across the runs, or across
# the runs that called themselves stable (the others said why not); 1
# when runs that called themselves stable disagree; 2 usage.
set -u
n=${1:-5}
out=${2:-$(mktemp -d /tmp/tlb-calib-check.XXXXXX)}
bin=${PCPUBENCH:-build/pcpubench}
case $n in ''|*[!0-9]*) echo "usage: $0 [N [OUTDIR]]" >&2; exit 2 ;; esac
line=$(grep -m1 '^tlb ' profiles/quick) || { echo "no tlb line in profiles/quick" >&2; exit 2; }
mkdir -p "$out" || exit 2
[ "$n" = 0 ] || echo "# $bin $line  (x$n, results in $out; load: $(cut -d' ' -f1-3 /proc/loadavg))"
for i in $(seq 1 "$n"); do
	# shellcheck disable=SC2086  # the profile line's words
	PCPU_CALIBRATION="$out/cal$i.csv" $bin $line --format csv \
		-o "$out/tlb$i.csv" 2>"$out/err$i.txt" ||
		echo "run $i: exit $? ($(tail -1 "$out/err$i.txt"))"
done
awk -F, -v n="$n" '
FNR == 1 { run++ }
$4 ~ /^l[12]_(dtlb|tlb)_entries$/ { v[$3 " " $4, run] = $5 }
$4 == "stability" { st[$3, run] = substr($7, 6) }
END {
	bad = 0
	for (r = 1; r <= run; r++) {
		printf "run %d:", r
		for (b = 0; b < 2; b++) {
			bk = b ? "2m" : "4k"
			printf " %s L1 %s L2 %s (%s)", bk, v[bk " l1_dtlb_entries", r],
				v[bk " l2_tlb_entries", r], st[bk, r]
		}
		printf "\n"
	}
	split("4k l1_dtlb_entries,4k l2_tlb_entries,2m l1_dtlb_entries,2m l2_tlb_entries", F, ",")
	for (k = 1; k <= 4; k++) {
		split(F[k], kb, " ")
		lo = ""; hi = ""; slo = ""; shi = ""; m = 0; ms = 0
		for (r = 1; r <= run; r++) {
			x = v[F[k], r]
			if (x == "" || x == "NA")
				continue
			m++
			if (lo == "" || x + 0 < lo + 0) lo = x
			if (hi == "" || x + 0 > hi + 0) hi = x
			if (st[kb[1], r] != "stable")
				continue
			ms++
			if (slo == "" || x + 0 < slo + 0) slo = x
			if (shi == "" || x + 0 > shi + 0) shi = x
		}
		if (!m) { printf "%s: not measured\n", F[k]; continue }
		sp = hi / lo - 1
		ssp = ms ? shi / slo - 1 : 0
		if (sp <= 0.10)
			verdict = "agree within 10%"
		else if (ms && ssp <= 0.10)
			verdict = sprintf("the %d run(s) that called themselves stable agree (%.1f%%); the others said unstable and why", ms, 100 * ssp)
		else if (!ms)
			verdict = "no run called itself stable"
		else {
			verdict = sprintf("DISAGREE: %d stable run(s) spread %.1f%%", ms, 100 * ssp)
			bad = 1
		}
		printf "%s: %d runs, %.0f..%.0f, max/min-1 %.1f%%: %s\n", F[k], m, lo, hi, 100 * sp, verdict
	}
	exit bad
}' "$out"/cal*.csv
