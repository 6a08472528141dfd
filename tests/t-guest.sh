#!/bin/bash
# t-guest.sh - the guest tests (tests/guest/run.sh) as a shell test.
#
# Boots a qemu (TCG) guest with 2 NUMA nodes and real CPU hotplug and runs
# the checks of tests/guest/guest-tests.sh inside it; the host's CPUs are
# never touched. Each line of the guest's summary (build/guest/
# summary.txt) is one check here. Exit 0 pass, 1 fail, 4 skip (no qemu,
# no kernel, no busybox-static: the message says which).
# PCPU_SKIP_GUEST=1 skips.
. "$(dirname "$0")/lib.sh"
here=$ROOT/tests

[ "${PCPU_SKIP_GUEST:-0}" = 1 ] && skip_all "PCPU_SKIP_GUEST=1"
command -v "${QEMU:-qemu-system-x86_64}" >/dev/null 2>&1 ||
	skip_all "qemu-system-x86_64 not installed (apt-get install qemu-system-x86)"
"$here/guest/run.sh" "$@"
rc=$?
# A guest whose kernel locked up (soft lockup or RCU stall in its log: the
# emulator lost a vCPU during hotplug, not a check that failed) is booted
# once more, and the summary says so. A check that fails is never retried.
out=${PCPU_GUEST_OUT:-$ROOT/build/guest}
if [ "$rc" = 1 ] && grep -qE 'soft lockup|rcu_preempt detected stalls|rcu: INFO' \
	"$out/serial.log" 2>/dev/null; then
	echo "# the guest kernel locked up (see $out/serial.log.hang); booting once more"
	cp "$out/serial.log" "$out/serial.log.hang"
	"$here/guest/run.sh" "$@"
	rc=$?
	echo "guest: note: second boot after a guest kernel lockup: exit $rc" >>"$out/summary.txt"
fi
[ "$rc" = 4 ] && skip_all "tests/guest/run.sh cannot run here (see above)"
# summary.txt: "CHECK PASS|FAIL|SKIP DETAIL" lines, then the totals
if [ -s "$out/summary.txt" ]; then
	while read -r name st detail; do
		case $st in
		PASS) pass "guest $name: $detail" ;;
		FAIL) fail "guest $name: $detail" ;;
		SKIP) skip "guest $name: $detail" ;;
		esac
	done <"$out/summary.txt"
fi
[ "$rc" = 0 ] && pass "tests/guest/run.sh: exit 0" ||
	fail "tests/guest/run.sh: exit $rc: see build/guest/summary.txt and build/guest/serial.log"
done_testing
