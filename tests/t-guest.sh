#!/bin/sh
# t-guest.sh - the guest tests (tests/guest/run.sh) as a shell test.
#
# Boots a qemu (TCG) guest with 2 NUMA nodes and real CPU hotplug and runs
# the checks of tests/guest/guest-tests.sh inside it; the host's CPUs are
# never touched. Exit 0 pass, 1 fail, 77 skip (no qemu, no kernel, no
# busybox-static: the message says which). PCPU_SKIP_GUEST=1 skips.
set -u
here=$(cd "$(dirname "$0")" && pwd)

if [ "${PCPU_SKIP_GUEST:-0}" = 1 ]; then
	echo "t-guest: SKIP: PCPU_SKIP_GUEST=1" >&2
	exit 77
fi
if ! command -v "${QEMU:-qemu-system-x86_64}" >/dev/null 2>&1; then
	echo "t-guest: SKIP: qemu-system-x86_64 not installed (apt-get install qemu-system-x86)" >&2
	exit 77
fi
"$here/guest/run.sh" "$@"
rc=$?
# A guest whose kernel locked up (soft lockup or RCU stall in its log: the
# emulator lost a vCPU during hotplug, not a check that failed) is booted
# once more, and the summary says so. A check that fails is never retried.
out=${PCPU_GUEST_OUT:-$here/../build/guest}
if [ "$rc" = 1 ] && grep -qE 'soft lockup|rcu_preempt detected stalls|rcu: INFO' \
	"$out/serial.log" 2>/dev/null; then
	echo "t-guest: the guest kernel locked up (see $out/serial.log.hang); booting once more" >&2
	cp "$out/serial.log" "$out/serial.log.hang"
	"$here/guest/run.sh" "$@"
	rc=$?
	echo "guest: note: second boot after a guest kernel lockup: exit $rc" >>"$out/summary.txt"
fi
case $rc in
0|77) exit $rc ;;
*) echo "t-guest: FAIL: see build/guest/summary.txt and build/guest/serial.log" >&2; exit 1 ;;
esac
