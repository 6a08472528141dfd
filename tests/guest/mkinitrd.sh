#!/bin/sh
# mkinitrd.sh - build the test guest's initramfs (cpio newc, gzip).
#
# Usage: tests/guest/mkinitrd.sh OUT.cpio.gz
#
# Contents: /bin/busybox (static, busybox-static), /init (tests/guest/init),
# /guest-tests.sh, /bin/hp-kill (tests/guest/hp-kill.c + lib/toolkit/pcpu-hotplug.c,
# linked statically, so it works before the rest of the library links),
# /etc/pcpu-strategies (the names in lib/runtime/pcpu.h's PCPU_STRATEGIES),
# /kmod-tests.sh, /kfacts-tests.sh and /lib/pcpubench_kmod.ko ($PCPU_GUEST_KMOD) or the
# reason there is none (/etc/pcpu-kmod-skip), and
# /bin/pcpubench ($PCPU_BENCH, default build/pcpubench) with every shared
# library `ldd` lists, the loader included, when it has been built.
#
# Exit: 0 built; 77 a tool is missing (busybox-static, cpio, cc); 1 other.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:?usage: mkinitrd.sh OUT.cpio.gz}
bench=${PCPU_BENCH:-$top/build/pcpubench}
CC=${CC:-cc}

skip() {
	echo "mkinitrd.sh: $*" >&2
	exit 77
}

bb=""
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then
		bb=$b	# static: ldd says "not a dynamic executable"
		break
	fi
done
[ -n "$bb" ] || skip "no static busybox (install busybox-static)"
command -v cpio >/dev/null 2>&1 || skip "no cpio (install cpio)"
command -v gzip >/dev/null 2>&1 || skip "no gzip"
command -v "$CC" >/dev/null 2>&1 || skip "no C compiler ($CC)"

stage=$(mktemp -d "${TMPDIR:-/tmp}/pcpu-initrd.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM
mkdir -p "$stage/bin" "$stage/etc" "$stage/proc" "$stage/sys" "$stage/dev" \
	"$stage/tmp"
cp "$bb" "$stage/bin/busybox"
cp "$here/init" "$stage/init"
cp "$here/guest-tests.sh" "$stage/guest-tests.sh"
cp "$here/kmod-tests.sh" "$stage/kmod-tests.sh"
cp "$here/modsize-tests.sh" "$stage/modsize-tests.sh"
cp "$here/kfacts-tests.sh" "$stage/kfacts-tests.sh"
chmod 0755 "$stage/init" "$stage/guest-tests.sh"
# The kernel module (kmod-build.sh, via run.sh), or why there is none.
mkdir -p "$stage/lib"
if [ -n "${PCPU_GUEST_KMOD:-}" ] && [ -f "$PCPU_GUEST_KMOD" ]; then
	cp "$PCPU_GUEST_KMOD" "$stage/lib/pcpubench_kmod.ko"
else
	echo "${PCPU_GUEST_KMOD_SKIP:-the module was not built (run tests/guest/run.sh)}" \
		>"$stage/etc/pcpu-kmod-skip"
fi
# The per-CPU size test modules (modsize-build.sh, via run.sh), or why not.
if [ -n "${PCPU_GUEST_MODSIZE:-}" ] && [ -d "$PCPU_GUEST_MODSIZE" ]; then
	mkdir -p "$stage/lib/modsize"
	cp "$PCPU_GUEST_MODSIZE"/*.ko "$stage/lib/modsize/"
else
	echo "${PCPU_GUEST_MODSIZE_SKIP:-the test modules were not built (run tests/guest/run.sh)}" \
		>"$stage/etc/pcpu-modsize-skip"
fi

cflags="-std=gnu11 -O2 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE -I$top/lib/runtime -I$top/lib/toolkit"
# shellcheck disable=SC2086
if ! $CC $cflags -static -o "$stage/bin/hp-kill" "$here/hp-kill.c" \
	"$top/lib/toolkit/pcpu-hotplug.c" 2>"$stage/cc.log"; then
	cat "$stage/cc.log" >&2
	echo "mkinitrd.sh: cannot build hp-kill (static libc: libc6-dev)" >&2
	exit 1
fi
rm -f "$stage/cc.log"

# Strategy names: one list, in lib/runtime/pcpu.h.
if [ -n "${PCPU_GUEST_STRATEGIES:-}" ]; then
	echo "$PCPU_GUEST_STRATEGIES" | tr -s ', ' '\n' | sed '/^$/d' \
		>"$stage/etc/pcpu-strategies"
else
	sed -n '/^#define PCPU_STRATEGIES(X)/,/^enum/p' "$top/lib/runtime/pcpu.h" |
		sed -n 's/^[[:space:]]*X([A-Z0-9_]*, *"\([^"]*\)".*/\1/p' \
		>"$stage/etc/pcpu-strategies"
fi
[ -s "$stage/etc/pcpu-strategies" ] || {
	echo "mkinitrd.sh: no strategy names found in lib/runtime/pcpu.h" >&2
	exit 1
}

# The benchmark and its shared libraries, at the same paths.
if [ -x "$bench" ]; then
	cp "$bench" "$stage/bin/pcpubench"
	ldd "$bench" 2>/dev/null |
		sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p' |
		while read -r lib; do
			mkdir -p "$stage$(dirname "$lib")"
			cp -L "$lib" "$stage$lib"
		done
	# Debian's loader path is a symlink chain through /lib64.
	[ -e "$stage/lib64/ld-linux-x86-64.so.2" ] || {
		echo "mkinitrd.sh: warning: loader not copied; pcpubench may not run" >&2
	}
	echo "mkinitrd.sh: with $bench" >&2
else
	echo "mkinitrd.sh: $bench not built; the guest will skip its checks" >&2
fi

(cd "$stage" && find . -print | LC_ALL=C sort | cpio -o -H newc --quiet) |
	gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitrd.sh: wrote $out ($(wc -c <"$out") bytes)" >&2
