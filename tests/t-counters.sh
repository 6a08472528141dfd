#!/bin/bash
# t-counters.sh - hardware counters end to end: info lists every default
# event with the table, its resolution path and its status; --events
# accepts raw codes, generic and table names (NA rows with reasons on a
# machine without PMU); bad event input exits 2. Then through the fake
# PMU (PCPU_FAKE_PERF, lib/toolkit/pcpu-counters-fake.c) into the access and churn
# CSVs and the report: raw fallback for a Zen 5 and a Granite Rapids
# family/model, exact per-op values, passes marked, multiplexing scaled
# and flagged with time_running/time_enabled, errno reasons, the rules.
# Exit: 0 pass, 1 fail.
. "$(dirname "$0")/lib.sh"
# metric value and status of the first row of METRIC in FILE
val() { awk -F, -v m="$2" '$(NF-3) == m { print $(NF-2); exit }' "$1"; }
st() { awk -F, -v m="$2" '$(NF-3) == m { print $NF; exit }' "$1"; }
# per_op FILE METRIC COUNT: METRIC * ops of the run (1 try: 3 x batch_ops)
# is COUNT, the fake's count per pass
per_op() {
	local o=$(( 3 * $(val "$1" batch_ops) ))
	awk -v v="$(val "$1" "$2")" -v o=$o -v c="$3" \
		'BEGIN { exit !(v * o > c - 0.001 && v * o < c + 0.001) }'
}
# quick access run: one point, fixed batch, one try
acc() { "$BIN" access --strategy segment --op read --mode latency \
	--iters 4096 --tries 1 --repeat 1 --format csv -q "$@"; }

# ------------------------------------------------------------- real PMU
"$BIN" info >"$T/info.txt" 2>&1
check "info: exit 0" test $? -eq 0
for e in cycles instructions l1_dtlb_misses l2_tlb_hits page_walks \
	 page_walks_4k page_walks_2m page_walk_cycles remote_dram \
	 remote_dram_reads; do
	n=$(grep -c "^  $e " "$T/info.txt")
	# status (events:), path (resolution:), meaning (counts:)
	[ "$n" -eq 3 ] || fail "info: $e listed $n times, want 3"
done
check "info: the event table and where it was read" \
	grep -Eq '^  event_table +(none: no event table for|[a-z0-9-]+ \(.*/events/.*\.events\))' "$T/info.txt"
check "info: counters and the NMI watchdog" \
	grep -Eq '^  nmi_watchdog +[01]: ' "$T/info.txt"
check "info: every hardware event available or NA with a reason" \
	awk '/^  events:/ { on = 1; next } /^  resolution:/ { on = 0 }
	     on { s = $0; sub(/^  [^ ]+ +/, "", s)
		  if (s != "available" && s !~ /^na:[a-z-]+\(.+\)$/) bad = 1 }
	     END { exit bad }' "$T/info.txt"

acc --events r0f045,dTLB-load-misses,page_walks --min-time 0.0001 \
	>"$T/real.csv" 2>"$T/real.err"
check "access --events r0f045,dTLB-load-misses,page_walks: exit 0" test $? -eq 0
for m in r0f045_per_op dTLB-load-misses_per_op page_walks_per_op; do
	s=$(st "$T/real.csv" $m)
	v=$(val "$T/real.csv" $m)
	case $s in
	na:*\(*\)) [ "$v" = NA ] || fail "$m: NA status with value $v" ;;
	ok|multiplexed|flagged:*) ;;
	*) fail "$m: status '$s'" ;;
	esac
done
check "software events are real numbers" \
	test "$(st "$T/real.csv" page-faults_per_op)" = ok

for bad in r12g r bogus-event no_such.event "no-split,r0f045,r1f045,r2f045,r3f045,r4f045,r5f045,r6f045,r7f045,r8f045"; do
	PCPU_FAKE_PERF="cpu=AuthenticAMD:0x1a:0x02;counters=6" \
		acc --events "$bad" >/dev/null 2>"$T/bad.err"
	rc=$?
	if [ $rc -ne 2 ]; then
		fail "--events '$bad': exit $rc, want 2"
	elif ! grep -q -- "--events" "$T/bad.err"; then
		fail "--events '$bad': no message"
	else
		pass "--events '$bad': exit 2 with a message"
	fi
done

# ------------------------------------------------------ fake Zen 5 PMU
export PCPU_FAKE_PERF="cpu=AuthenticAMD:0x1a:0x02;counters=6;rate.f045=250;rate.1045=200;rate.4045=50"
acc --events default -o "$T/zen5.csv" 2>"$T/zen5.err"
check "fake zen5: access exit 0" test $? -eq 0
check "fake zen5: page_walks_per_op * ops = the fake's 250 per pass" \
	per_op "$T/zen5.csv" page_walks_per_op 250
check "fake zen5: l1_dtlb_misses_per_op * ops = 1000" \
	per_op "$T/zen5.csv" l1_dtlb_misses_per_op 1000
check "fake zen5: pass of page_walks 1, of remote_dram 2" \
	test "$(val "$T/zen5.csv" page_walks_pass)/$(val "$T/zen5.csv" remote_dram_pass)" = 1/2
check "fake zen5: page_walk_cycles NA: AMD has none" \
	grep -q ',page_walk_cycles_per_op,NA,events/op,na:no-such-event(AMD Zen has no page-walk' "$T/zen5.csv"
check "fake zen5: values ok, not multiplexed" \
	test "$(st "$T/zen5.csv" page_walks_per_op)" = ok
check "fake zen5: timing does not use the fake cycles" \
	awk -F, '$(NF-3) == "cycles_per_op" && $NF == "ok" && $(NF-2) + 0 <= 0 { exit 1 }' "$T/zen5.csv"

if [ -n "$ABIN" ]; then
	"$ABIN" access --strategy segment --op read --mode latency --iters 4096 \
		--tries 1 --repeat 1 --format csv -q --events default,r0f045 \
		>/dev/null 2>"$T/asan.err"
	rc=$?
	[ $rc -eq 0 ] && ! grep -q Sanitizer "$T/asan.err" &&
		pass "fake zen5: ASan+UBSan access run clean" ||
		fail "fake zen5: ASan+UBSan access run: exit $rc: $(head -5 "$T/asan.err")"
fi

# --------------------------------------- fake Granite Rapids, multiplexed
export PCPU_FAKE_PERF="cpu=GenuineIntel:6:0xad;counters=8;mux=0.5;fail.02d3=EBUSY;fail.1001012=EACCES"
acc --events default -o "$T/gnr.csv" 2>"$T/gnr.err"
check "fake gnr: access exit 0" test $? -eq 0
check "fake gnr: page_walks multiplexed" \
	test "$(st "$T/gnr.csv" page_walks_per_op)" = multiplexed
check "fake gnr: ... and scaled back to 1000 per pass" \
	per_op "$T/gnr.csv" page_walks_per_op 1000
check "fake gnr: time_running/time_enabled given: 0.5" \
	test "$(val "$T/gnr.csv" page_walks_time_running_frac)" = 0.5
check "fake gnr: l1_dtlb_misses derived from STLB hits + walks" \
	test "$(st "$T/gnr.csv" l1_dtlb_misses_per_op)" = derived
check "fake gnr: EBUSY reason" \
	grep -q ',remote_dram_per_op,NA,events/op,na:busy(EBUSY' "$T/gnr.csv"
check "fake gnr: EACCES reason" \
	grep -q ',page_walk_cycles_per_op,NA,events/op,na:paranoid(EACCES' "$T/gnr.csv"
check "fake gnr: backend in info" \
	sh -c "'$BIN' info | grep -q '^  perf_backend *fake(PCPU_FAKE_PERF='"
check "fake gnr: raw fallback path in info" \
	sh -c "'$BIN' info | grep -Eq '^  page_walks +raw from table intel-gnr: event=0x12,umask=0x0e = r0e12'"

# ----------------------------------------------------- fake churn, passes
export PCPU_FAKE_PERF="cpu=AuthenticAMD:0x1a:0x02;counters=6;rate.f045=500;rate.1045=100;rate.4045=50"
"$BIN" churn --strategy segment --possible 4 --online 2 --rate 0 \
	--duration 0.1 --repeat 2 --format csv -q >"$T/churn.csv" 2>"$T/churn.err"
check "fake churn: exit 0" test $? -eq 0
# rep 0 counts pass 1 (page_walks), rep 1 pass 2 (remote_dram)
check "fake churn: rep 0 page_walks = 500 per worker" \
	awk -F, '$(NF-4) == 0 && $(NF-3) == "page_walks" { f = 1
		 if ($(NF-2) % 500 || $(NF-2) == 0 || $NF != "ok") bad = 1 }
		 END { exit !f || bad }' "$T/churn.csv"
check "fake churn: rep 0 remote_dram NA: other pass" \
	awk -F, '$(NF-4) == 0 && $(NF-3) == "remote_dram" && $NF ~ /^na:other-pass\(counted in pass 2 of 2/ { f = 1 } END { exit !f }' "$T/churn.csv"
check "fake churn: rep 1 remote_dram counted" \
	awk -F, '$(NF-4) == 1 && $(NF-3) == "remote_dram" && $NF == "ok" { f = 1 } END { exit !f }' "$T/churn.csv"
check "fake churn: per-op = count / increments" \
	awk -F, '$(NF-4) == 0 && $(NF-3) == "increments_done" { d = $(NF-2) }
		 $(NF-4) == 0 && $(NF-3) == "page_walks" { w = $(NF-2) }
		 $(NF-4) == 0 && $(NF-3) == "page_walks_per_op" { p = $(NF-2) }
		 END { exit !(d > 0 && p > 0 && (p * d - w) ^ 2 < 1e-6 * w * w) }' "$T/churn.csv"
unset PCPU_FAKE_PERF

# ------------------------------------------------------------ the report
if [ -x "$PY" ] && [ -d tests/fixtures/na-vm ]; then
	cp -r tests/fixtures/na-vm "$T/res"
	cp "$T/gnr.csv" "$T/res/access.csv"
	if "$PY" plots/report.py "$T/res" >"$T/report.out" 2>&1; then
		pass "report over the fake GNR access CSV"
		r="$T/res/report.txt"
		[ -f "$r" ] || r="$T/report.out"
		check "report: an NA counter row with its reason" \
			grep -q 'remote_dram_per_op: NA, na:busy(EBUSY' "$r"
		check "report: multiplexed counter flagged" \
			grep -Eq 'page_walks_per_op: .* multiplexed' "$r"
		check "report: time_running/time_enabled shown" \
			grep -q 'page_walks_time_running_frac: 0.5' "$r"
		check "report: passes shown" \
			grep -q 'remote_dram_reads_pass: 2 pass' "$r"
	else
		fail "report over the fake GNR access CSV: $(tail -3 "$T/report.out")"
	fi
fi

done_testing
