#!/bin/sh
# mkramdisk.sh - build the ramdisk of the LAVA qemu job (cpio newc, gzip).
#
# Usage: lab/lava/mkramdisk.sh OUT.cpio.gz
#
# Starts from the guest tests' initramfs (tests/guest/mkinitrd.sh:
# static busybox, build/pcpubench with its shared libraries, hp-kill),
# replaces its /init with lab/lava/init (a root shell on the console for
# LAVA instead of the guest checks), and adds what run.sh and the
# report need on the device: /bin/bash, flock and /usr/bin/python3 with their
# libraries and the Python standard library (without its tests, idle,
# tkinter, ensurepip, lib2to3). One archive, not a concatenation: LAVA
# unpacks the ramdisk with cpio to append its overlay, and cpio reads
# only the first archive of a concatenation.
#
# Exit: 0 built; 77 a tool is missing (as mkinitrd.sh, or no bash/python3);
# 1 other.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:?usage: mkramdisk.sh OUT.cpio.gz}
PY=/usr/bin/python3

skip() {
	echo "mkramdisk.sh: $*" >&2
	exit 77
}

[ -x /bin/bash ] || skip "no /bin/bash"
command -v flock >/dev/null 2>&1 || skip "no flock (util-linux)"
[ -x "$PY" ] || skip "no $PY"
pyver=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
pylib=/usr/lib/python$pyver
[ -d "$pylib" ] || skip "no $pylib"

stage=$(mktemp -d "${TMPDIR:-/tmp}/pcpu-lava-rd.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM

rc=0
PCPU_GUEST_KMOD= PCPU_GUEST_KMOD_SKIP="the LAVA job loads no module" \
	"$top/tests/guest/mkinitrd.sh" "$stage/base.cpio.gz" || rc=$?
[ $rc = 0 ] || exit $rc
mkdir "$stage/root"
(cd "$stage/root" && gzip -dc "$stage/base.cpio.gz" | cpio -id --quiet)
rm -f "$stage/root/guest-tests.sh" "$stage/root/kmod-tests.sh"
cp "$here/init" "$stage/root/init"
chmod 0755 "$stage/root/init"

# copy_bin FILE: FILE and every library ldd lists, at the same paths.
copy_bin() {
	mkdir -p "$stage/root$(dirname "$1")"
	cp -L "$1" "$stage/root$1"
	ldd "$1" 2>/dev/null |
		sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' |
		while read -r lib; do
			[ -e "$stage/root$lib" ] && continue
			mkdir -p "$stage/root$(dirname "$lib")"
			cp -L "$lib" "$stage/root$lib"
		done
}
copy_bin /bin/bash
# run.sh's lock per results directory (busybox has no flock)
copy_bin "$(command -v flock)"
copy_bin "$(readlink -f "$PY")"
ln -sf "$(basename "$(readlink -f "$PY")")" "$stage/root/usr/bin/python3"
for so in "$pylib"/lib-dynload/*.so; do
	copy_bin "$so"
done
# The standard library, .py only (bytecode is compiled on the device).
(cd / && find "${pylib#/}" \( -name __pycache__ -o -name test -o -name tests \
	-o -name idlelib -o -name tkinter -o -name turtledemo -o -name ensurepip \
	-o -name lib2to3 -o -name 'config-*' -o -name site-packages \
	-o -name dist-packages -o -name lib-dynload \) -prune -o -print |
	cpio -pdm --quiet "$stage/root")

(cd "$stage/root" && find . -print | LC_ALL=C sort | cpio -o -H newc --quiet) |
	gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkramdisk.sh: wrote $out ($(wc -c <"$out") bytes)" >&2
