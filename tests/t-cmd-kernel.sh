#!/bin/bash
# t-cmd-kernel.sh - `pcpubench kernel` on the host: help, bad input, and that it
# refuses to run (exit 4 with the reason) before any module is loaded.
#
# The module is never loaded into the host kernel: PCPU_KMOD_NO_LOAD=1 is
# set for every run here (the command stops with exit 4 just before
# finit_module), and a module built for the guest kernel is refused for
# its vermagic before that. Loading is checked inside the qemu guest
# (tests/guest/kmod-tests.sh). Exit 0 pass, 1 fail (tests/lib.sh).
. "$(dirname "$0")/lib.sh"
export PCPU_KMOD_NO_LOAD=1
unset PCPU_KMOD

# Help: exit 0, every long option and subcommand named.
help=$("$BIN" kernel --help 2>&1)
is "kernel --help: exit" $? 0
miss=
for o in $(grep -oE '\{ *"[a-z0-9-]+", *(required|no|optional)_argument' \
		bench/cmd-kernel.c | grep -oE '"[a-z0-9-]+"' | tr -d '"'); do
	grep -q -- "--$o" <<<"$help" || miss="$miss --$o"
done
for s in access numa churn load unload k-segment k-offset-array k-alloc-percpu \
	 k-vm-area k-hybrid emulated; do
	grep -q -- "$s" <<<"$help" || miss="$miss $s"
done
[ -z "$miss" ] && pass "kernel --help names every option and subcommand" ||
	fail "kernel --help lacks$miss"
check "pcpubench --help names kernel" grep -q '^  kernel ' <<<"$("$BIN" --help)"
check "kernel access --help" "$BIN" kernel access --help

# Bad input: exit 2 naming the problem.
expect 2 "usage" "$BIN" kernel
expect 2 "unknown subcommand 'bogus'" "$BIN" kernel bogus
expect 2 "--iters" "$BIN" kernel access --iters 0
expect 2 "--iters" "$BIN" kernel access --iters x
expect 2 "--repeat" "$BIN" kernel access --repeat 100000
expect 2 "--replug" "$BIN" kernel numa --replug 0
expect 2 "--replug" "$BIN" kernel numa --replug a,b
expect 2 "--rate" "$BIN" kernel churn --rate -1
expect 2 "--duration" "$BIN" kernel churn --duration 0
expect 2 "unknown format" "$BIN" kernel access --format xml
expect 2 "unrecognized option" "$BIN" kernel access --bogus
# Real hotplug needs the opt-in, in full, before anything else.
expect 2 "allow-hotplug" "$BIN" kernel churn
expect 2 "allow-hotplug" "$BIN" kernel numa --replug 3
expect 2 "never abbreviated" "$BIN" kernel churn --allow

# Cannot run here: exit 4 with the reason, before any load.
rel=$(uname -r)
if [ "$(id -u)" != 0 ]; then
	expect 4 "needs root" "$BIN" kernel access
elif [ ! -e "/lib/modules/$rel/build/Makefile" ]; then
	# This VM: no headers for its kernel.
	expect 4 "no kernel headers for the running kernel $rel" "$BIN" kernel access
	expect 4 "no kernel headers" "$BIN" kernel numa
	expect 4 "no kernel headers" "$BIN" kernel churn --allow-hotplug
	expect 4 "no kernel headers" "$BIN" kernel load
	expect 4 "no kernel headers" "$BIN" kernel access --module "$T/none.ko"
fi
if [ "$(id -u)" = 0 ]; then
	# A module built for another kernel (the guest's, when built).
	ko=build/guest/kmod/pcpubench_kmod.ko
	if [ -f "$ko" ]; then
		vm=$(strings "$ko" | sed -n 's/^vermagic=\([^ ]*\).*/\1/p')
		[ "$vm" != "$rel" ] &&
			expect 4 "was built for kernel $vm, this kernel is $rel" "$BIN" kernel access --module "$ko"
	fi
	# A file that passes every check but is no module: stopped by the
	# guard, or refused as not ELF, never given to the kernel.
	printf 'vermagic=%s SMP preempt mod_unload\n' "$rel" >"$T/fake.ko"
	out=$("$BIN" kernel access --module "$T/fake.ko" 2>&1 >/dev/null)
	rc=$?
	is "fake module with this kernel's vermagic: exit ($out)" "$rc" 4
	if grep -qi 'loaded\b' <<<"$out" && ! grep -qiE 'not loaded|disabled|debugfs|locked|signature|not an ELF' <<<"$out"; then
		fail "fake module: unexpected message: $out"
	fi
	[ -d /sys/module/pcpubench_kmod ] && fail "pcpubench_kmod is loaded in the host kernel"
	expect 0 "not loaded" "$BIN" kernel unload
fi
done_testing
