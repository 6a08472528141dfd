#!/bin/bash
# t-kernel.sh - `pcpubench kernel` on the host: help, bad input, and that it
# refuses to run (exit 4 with the reason) before any module is loaded.
#
# The module is never loaded into the host kernel: PCPU_KMOD_NO_LOAD=1 is
# set for every run here (the command stops with exit 4 just before
# finit_module), and a module built for the guest kernel is refused for
# its vermagic before that. Loading is checked inside the qemu guest
# (tests/guest/kmod-tests.sh). Exit 0 pass, 1 fail.
set -u
cd "$(dirname "$0")/.." || exit 1
bin=${PCPUBENCH:-build/pcpubench}
export PCPU_KMOD_NO_LOAD=1
unset PCPU_KMOD
fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# case: expected-exit expected-text args...
check() {
	local want=$1 text=$2 out rc
	shift 2
	out=$("$bin" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL: $*: exit $rc, want $want: $out"; fails=$((fails + 1))
	elif ! grep -qi -- "$text" <<<"$out"; then
		echo "FAIL: $*: message lacks '$text': $out"; fails=$((fails + 1))
	else
		echo "ok: $* -> exit $rc: $(head -1 <<<"$out")"
	fi
}

# Help: exit 0, every long option and subcommand named.
help=$("$bin" kernel --help 2>&1) || { echo "FAIL: kernel --help exit $?"; fails=$((fails + 1)); }
for o in $(grep -oE '\{ *"[a-z0-9-]+", *(required|no|optional)_argument' \
		bench/cmd-kernel.c | grep -oE '"[a-z0-9-]+"' | tr -d '"'); do
	grep -q -- "--$o" <<<"$help" || { echo "FAIL: kernel --help lacks --$o"; fails=$((fails + 1)); }
done
for s in access numa churn load unload k-segment k-offset-array k-alloc-percpu \
	 k-vm-area k-hybrid emulated; do
	grep -q -- "$s" <<<"$help" || { echo "FAIL: kernel --help lacks $s"; fails=$((fails + 1)); }
done
"$bin" --help | grep -q '^  kernel ' || { echo "FAIL: pcpubench --help lacks kernel"; fails=$((fails + 1)); }
"$bin" kernel access --help >/dev/null || { echo "FAIL: kernel access --help"; fails=$((fails + 1)); }

# Bad input: exit 2 naming the problem.
check 2 "usage" kernel
check 2 "unknown subcommand 'bogus'" kernel bogus
check 2 "--iters" kernel access --iters 0
check 2 "--iters" kernel access --iters x
check 2 "--repeat" kernel access --repeat 100000
check 2 "--replug" kernel numa --replug 0
check 2 "--replug" kernel numa --replug a,b
check 2 "--rate" kernel churn --rate -1
check 2 "--duration" kernel churn --duration 0
check 2 "unknown format" kernel access --format xml
check 2 "unrecognized option" kernel access --bogus
# Real hotplug needs the opt-in, in full, before anything else.
check 2 "allow-hotplug" kernel churn
check 2 "allow-hotplug" kernel numa --replug 3
check 2 "never abbreviated" kernel churn --allow

# Cannot run here: exit 4 with the reason, before any load.
rel=$(uname -r)
if [ "$(id -u)" != 0 ]; then
	check 4 "needs root" kernel access
elif [ ! -e "/lib/modules/$rel/build/Makefile" ]; then
	# This VM: no headers for its kernel.
	check 4 "no kernel headers for the running kernel $rel" kernel access
	check 4 "no kernel headers" kernel numa
	check 4 "no kernel headers" kernel churn --allow-hotplug
	check 4 "no kernel headers" kernel load
	check 4 "no kernel headers" kernel access --module "$tmp/none.ko"
fi
if [ "$(id -u)" = 0 ]; then
	# A module built for another kernel (the guest's, when built).
	ko=build/guest/kmod/pcpubench_kmod.ko
	if [ -f "$ko" ]; then
		vm=$(strings "$ko" | sed -n 's/^vermagic=\([^ ]*\).*/\1/p')
		[ "$vm" != "$rel" ] &&
			check 4 "was built for kernel $vm, this kernel is $rel" kernel access --module "$ko"
	fi
	# A file that passes every check but is no module: stopped by the
	# guard, or refused as not ELF, never given to the kernel.
	printf 'vermagic=%s SMP preempt mod_unload\n' "$rel" >"$tmp/fake.ko"
	out=$("$bin" kernel access --module "$tmp/fake.ko" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" != 4 ]; then
		echo "FAIL: fake module: exit $rc, want 4: $out"; fails=$((fails + 1))
	else
		echo "ok: fake module with this kernel's vermagic -> exit 4: $out"
	fi
	if grep -qi 'loaded\b' <<<"$out" && ! grep -qiE 'not loaded|disabled|debugfs|locked|signature|not an ELF' <<<"$out"; then
		echo "FAIL: fake module: unexpected message: $out"; fails=$((fails + 1))
	fi
	[ -d /sys/module/pcpubench_kmod ] && { echo "FAIL: pcpubench_kmod is loaded in the host kernel"; fails=$((fails + 1)); }
	check 0 "not loaded" kernel unload
fi
echo "$fails failure(s)"
[ "$fails" -eq 0 ]
