#!/bin/sh
# kmod-build.sh - build the pcpubench kernel module for the guest kernel.
#
# Usage: tests/guest/kmod-build.sh VMLINUZ OUTDIR
#
# Gets the headers that match VMLINUZ exactly (kheaders.sh, cached beside
# the vmlinuz) and runs `make kmod KDIR=<them> KMOD_OUT=OUTDIR`. Prints the
# path of the .ko. The module is only ever loaded inside the guest.
#
# Exit: 0 built; 77 no headers, or no kernel build tools (message on
# stderr says which); 1 the module does not compile.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
vmlinuz=${1:?usage: kmod-build.sh VMLINUZ OUTDIR}
outdir=${2:?usage: kmod-build.sh VMLINUZ OUTDIR}

kdir=$("$here/kheaders.sh" "$vmlinuz")
rc=$?
[ $rc = 0 ] || exit $rc
command -v make >/dev/null 2>&1 || { echo "kmod-build.sh: no make" >&2; exit 77; }
cc=$(sed -n 's/^CC = .*gcc-\([0-9]*\)$/gcc-\1/p' "$kdir/.kernelvariables" 2>/dev/null)
if [ -n "$cc" ] && ! command -v "$cc" >/dev/null 2>&1; then
	echo "kmod-build.sh: the guest kernel was built with $cc, which is not installed" >&2
	exit 77
fi
mkdir -p "$outdir"
if ! make -s -C "$top" kmod KDIR="$kdir" KMOD_OUT="$outdir" >"$outdir/build.log" 2>&1; then
	cat "$outdir/build.log" >&2
	echo "kmod-build.sh: the module does not build against $kdir" >&2
	exit 1
fi
if grep -qi 'warning' "$outdir/build.log"; then
	cat "$outdir/build.log" >&2
	echo "kmod-build.sh: the module builds with warnings against $kdir" >&2
	exit 1
fi
echo "$outdir/pcpubench_kmod.ko"
