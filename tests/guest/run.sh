#!/bin/sh
# run.sh - boot the test guest under qemu (TCG) and collect its checks.
#
# Usage: tests/guest/run.sh [CHECK,...]    (default: every check)
#
# Gets a Debian kernel (kernel.sh), builds the initramfs (mkinitrd.sh, with
# build/pcpubench when built), boots it with 2 NUMA nodes x 2 CPUs and empty
# vCPU slots, serves the guest's hot-add requests over QMP (qmp.py),
# and turns the GUEST-TEST lines of the serial log into a summary.
#
# Output: $PCPU_GUEST_OUT (default build/guest/): serial.log, qemu.log,
# qmp.log, summary.txt (one line per check, then a totals line).
# Environment: PCPU_GUEST_TIMEOUT (s, default 240), PCPU_GUEST_KERNEL,
# PCPU_GUEST_CACHE, PCPU_BENCH, PCPU_GUEST_STRATEGIES (see the scripts).
#
# Exit: 0 every check passed or skipped; 1 a check failed, or the guest did
# not finish; 4 cannot run here: no qemu, no kernel, no busybox-static ...
# (the message says which; the same code as pcpubench's). Never touches
# the host's CPUs. (kernel.sh, kheaders.sh, mkinitrd.sh, kmod-build.sh and
# modsize-build.sh still say "cannot be had" with 77: lab/lava/ calls
# kernel.sh and mkinitrd.sh and reads that code.)
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${PCPU_GUEST_OUT:-$top/build/guest}
timeout_s=${PCPU_GUEST_TIMEOUT:-240}
checks=${1:-}
QEMU=${QEMU:-qemu-system-x86_64}
PY=/usr/bin/python3

skip() {
	echo "guest: SKIP: $*" >&2
	exit 4
}

command -v "$QEMU" >/dev/null 2>&1 || skip "$QEMU not found (install qemu-system-x86)"
[ -x "$PY" ] || skip "$PY not found (the QMP driver needs it)"

mkdir -p "$out" || skip "cannot create $out"
rm -f "$out/serial.log" "$out/qemu.log" "$out/qmp.log" "$out/summary.txt" \
	"$out/qmp.sock"

kernel=$("$here/kernel.sh")
rc=$?
[ $rc = 77 ] && skip "no kernel for the guest (see kernel.sh message above)"
[ $rc = 0 ] || { echo "guest: kernel.sh failed ($rc)" >&2; exit 1; }

# guest_build VAR TEST SCRIPT NAME WHAT FAILMSG: export VAR, what
# SCRIPT builds for the guest kernel into $out/NAME (or what a caller
# that built it already passed in VAR: tests/guest/kfacts-step.sh), and
# VAR_SKIP, why there is none (SCRIPT exit 77, "cannot be had": a reason
# to skip those checks goes into the initramfs instead). A build that
# fails ends the run with FAILMSG.
guest_build() {
	eval "gb_given=\${$1:-}"
	if [ -n "$gb_given" ] && test "$2" "$gb_given"; then
		export "$1=$gb_given" "${1}_SKIP="
		return
	fi
	gb_path=$("$here/$3" "$kernel" "$out/$4" 2>"$out/$4.err")
	case $? in
	0) export "$1=$gb_path" "${1}_SKIP=" ;;
	77) export "$1=" "${1}_SKIP=no $5: $(tail -n 1 "$out/$4.err")" ;;
	*) cat "$out/$4.err" >&2; echo "guest: FAIL: $6" >&2; exit 1 ;;
	esac
}
# The kernel module for the guest kernel (kmod-tests.sh).
guest_build PCPU_GUEST_KMOD -f kmod-build.sh kmod module \
	"the kernel module does not build"
# The per-CPU size test modules (modsize-tests.sh).
guest_build PCPU_GUEST_MODSIZE -d modsize-build.sh modsize "test modules" \
	"the per-CPU size test modules do not build"

"$here/mkinitrd.sh" "$out/initrd.gz"
rc=$?
[ $rc = 77 ] && skip "cannot build the initramfs (see message above)"
[ $rc = 0 ] || { echo "guest: mkinitrd.sh failed ($rc)" >&2; exit 1; }

append="console=ttyS0 ${PCPU_GUEST_KARGS:-quiet} panic=-1 oops=panic"
[ -n "$checks" ] && append="$append pcpu.checks=$checks"

# One socket per node, 2 cores each: CPUs 0-1 socket 0 node 0, 2-3 socket 1
# node 1; sockets 2 (node 0), 3 and 4 (node 1) are empty at boot for QMP
# device_add. (One package spanning two nodes trips the kernel's
# topology_sane() warning.) maxcpus must exceed 8: with 8 or fewer possible
# CPUs Linux uses flat logical APIC mode, in which IPIs to a hot-added vCPU
# get lost under TCG and the next stop_machine (any CPU offline/online, even
# poweroff) hangs; with more it uses physical mode, which works.
# Single-threaded TCG: with one host thread per vCPU (MTTCG) on a 2-CPU
# host, 2 of 6 full runs here ended in guest soft lockups and RCU stalls
# during CPU hotplug (a vCPU that stops answering stop_machine); with
# thread=single, 20 of 20 passed in the same ~33 s.
set -- -accel "${PCPU_GUEST_ACCEL:-tcg,thread=single}" -cpu "${PCPU_GUEST_CPU:-max}" -machine q35 -m 1G -nodefaults -nographic -no-reboot \
	-smp 4,maxcpus=10,sockets=5,cores=2,threads=1 \
	-object memory-backend-ram,id=m0,size=512M \
	-object memory-backend-ram,id=m1,size=512M \
	-numa node,nodeid=0,memdev=m0 -numa node,nodeid=1,memdev=m1 \
	-numa cpu,node-id=0,socket-id=0 -numa cpu,node-id=1,socket-id=1 \
	-numa cpu,node-id=0,socket-id=2 -numa cpu,node-id=1,socket-id=3 \
	-numa cpu,node-id=1,socket-id=4 \
	-kernel "$kernel" -initrd "$out/initrd.gz" -append "$append" \
	-serial "file:$out/serial.log" -monitor none \
	-qmp "unix:$out/qmp.sock,server=on,wait=off"
echo "$QEMU $*" >"$out/qemu.cmd"

t0=$(date +%s)
# timeout(1) bounds the whole run even if qemu hangs with QMP unresponsive.
timeout -k 5 $((timeout_s + 30)) "$QEMU" "$@" >"$out/qemu.log" 2>&1 &
qpid=$!
"$PY" "$here/qmp.py" --qmp "$out/qmp.sock" --serial "$out/serial.log" \
	--timeout "$timeout_s" 2>"$out/qmp.log" &
dpid=$!
wait "$qpid"
qrc=$?
wait "$dpid"
t1=$(date +%s)

if ! grep -q 'GUEST-START' "$out/serial.log" 2>/dev/null; then
	if grep -q . "$out/serial.log" 2>/dev/null; then
		echo "guest: FAIL: the guest booted but never started its checks; see $out/serial.log" >&2
		exit 1
	fi
	skip "qemu could not run a guest here (exit $qrc): $(head -n 3 "$out/qemu.log" | tr '\n' ' ')"
fi

# The guest's CSV rows (modsize-tests.sh: bench kernel-modules).
tr -d '\r' <"$out/serial.log" | sed -n 's/.*GUEST-ROW //p' >"$out/kernel-modules.csv"
tr -d '\r' <"$out/serial.log" | sed -n 's/.*\(GUEST-TEST .*\)/\1/p' |
	sed 's/^GUEST-TEST //' >"$out/summary.txt"
np=$(grep -c '^[^ ]* PASS' "$out/summary.txt")
nf=$(grep -c '^[^ ]* FAIL' "$out/summary.txt")
ns=$(grep -c '^[^ ]* SKIP' "$out/summary.txt")
done_line=$(tr -d '\r' <"$out/serial.log" | grep -o 'GUEST-DONE.*' | head -n 1)
boot=$(tr -d '\r' <"$out/serial.log" | sed -n 's/.*GUEST-START uptime=\([0-9.]*\).*/\1/p')
if [ -z "$done_line" ]; then
	nf=$((nf + 1))
	echo "guest-done FAIL the guest did not finish (timeout ${timeout_s}s or crash); see $out/serial.log" >>"$out/summary.txt"
fi
echo "total: $np pass, $nf fail, $ns skip; guest boot ${boot:-?} s (uptime at first check), wall $((t1 - t0)) s" >>"$out/summary.txt"

sed 's/^/guest: /' "$out/summary.txt"
[ "$nf" = 0 ] || exit 1
exit 0
