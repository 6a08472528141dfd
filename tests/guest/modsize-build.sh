#!/bin/sh
# modsize-build.sh - build the per-CPU size test modules for the guest
# kernel: one module per size of $PCPU_MODSIZES (default "2048 2048 2048
# 2000 40": the fifth is refused with 48 bytes of the 8 KiB reserve free,
# because its 32-byte alignment puts it at 8160), each a DEFINE_PER_CPU
# array of that many bytes
# (tests/guest/modsize/pcpu_modsize.c). Named pcpu_ms<K>_<N> (K the
# position, so that name order is load order).
#
# Usage: tests/guest/modsize-build.sh VMLINUZ OUTDIR
# Prints OUTDIR (holding the .ko files). Exit: 0 built; 77 no headers or
# build tools (message on stderr); 1 they do not compile.
set -u

here=$(cd "$(dirname "$0")" && pwd)
vmlinuz=${1:?usage: modsize-build.sh VMLINUZ OUTDIR}
outdir=${2:?usage: modsize-build.sh VMLINUZ OUTDIR}
sizes=${PCPU_MODSIZES:-2048 2048 2048 2000 40}

kdir=$("$here/kheaders.sh" "$vmlinuz")
rc=$?
[ $rc = 0 ] || exit $rc
command -v make >/dev/null 2>&1 || { echo "modsize-build.sh: no make" >&2; exit 77; }
rm -rf "$outdir"
mkdir -p "$outdir"
cp "$here/modsize/pcpu_modsize.c" "$outdir/pcpu_modsize.inc"
k=0
: >"$outdir/Kbuild"
for n in $sizes; do
	case $n in
	''|*[!0-9]*|0) echo "modsize-build.sh: size '$n' is not a positive number" >&2; exit 1 ;;
	esac
	k=$((k + 1))
	m=pcpu_ms${k}_$n
	printf '#define PCPU_MODSIZE %s\n#include "pcpu_modsize.inc"\n' "$n" >"$outdir/$m.c"
	echo "obj-m += $m.o" >>"$outdir/Kbuild"
done
if ! make -s -C "$kdir" M="$(cd "$outdir" && pwd)" modules >"$outdir/build.log" 2>&1; then
	cat "$outdir/build.log" >&2
	echo "modsize-build.sh: the test modules do not build against $kdir" >&2
	exit 1
fi
echo "$outdir"
