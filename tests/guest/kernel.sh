#!/bin/sh
# kernel.sh - print the path of a cached Debian kernel (vmlinuz) for the
# guest tests, fetching it first if needed.
#
# Order: $PCPU_GUEST_KERNEL if set (a vmlinuz file); else a vmlinuz-* in
# the cache ($PCPU_GUEST_CACHE, default tests/guest/cache, gitignored);
# else resolve the linux-image-amd64 metapackage to the real
# linux-image-6.x-amd64 package, `apt-get download` it, extract
# /boot/vmlinuz-* with dpkg-deb -x and keep only that file in the cache.
#
# Exit: 0 and the path on stdout; 77 when no kernel can be had (message on
# stderr: no apt, no network to the mirror, ...).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${PCPU_GUEST_CACHE:-$here/cache}

skip() {
	echo "kernel.sh: $*" >&2
	exit 77
}

if [ -n "${PCPU_GUEST_KERNEL:-}" ]; then
	[ -r "$PCPU_GUEST_KERNEL" ] || skip "PCPU_GUEST_KERNEL=$PCPU_GUEST_KERNEL is not readable"
	echo "$PCPU_GUEST_KERNEL"
	exit 0
fi

newest_cached() {
	# Version-sorted, newest last; names have no spaces.
	# shellcheck disable=SC2012
	ls "$cache"/vmlinuz-* 2>/dev/null | sort -V | tail -n 1
}

k=$(newest_cached || true)
if [ -n "$k" ] && [ -s "$k" ]; then
	echo "$k"
	exit 0
fi

command -v apt-get >/dev/null 2>&1 || skip "no cached kernel in $cache and no apt-get to fetch one"
command -v dpkg-deb >/dev/null 2>&1 || skip "no cached kernel in $cache and no dpkg-deb"

# linux-image-amd64 is a metapackage: its Depends names the real image.
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
[ -n "$pkg" ] || skip "cannot resolve linux-image-amd64 to a kernel package (apt lists missing? run apt-get update)"

mkdir -p "$cache" || skip "cannot create $cache"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcpu-kernel.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
# apt drops privileges to _apt for downloads; let it write here.
chmod 0777 "$tmp"

download() {
	(cd "$tmp" && apt-get download -q "$pkg") >"$tmp/apt.log" 2>&1
}

echo "kernel.sh: downloading $pkg" >&2
if ! download; then
	if [ "$(id -u)" = 0 ]; then
		# The lists may name a version the mirror no longer has.
		echo "kernel.sh: download failed; apt-get update and retry" >&2
		apt-get update -q >/dev/null 2>&1 || true
		pkg2=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
		[ -n "$pkg2" ] && pkg=$pkg2
		download || skip "apt-get download $pkg failed (no network to the Debian mirror?): $(tail -n 1 "$tmp/apt.log")"
	else
		skip "apt-get download $pkg failed (no network to the Debian mirror?): $(tail -n 1 "$tmp/apt.log")"
	fi
fi

deb=$(find "$tmp" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
[ -n "$deb" ] || skip "no .deb after apt-get download $pkg"
dpkg-deb -x "$deb" "$tmp/x" || skip "dpkg-deb -x $deb failed"
src=$(find "$tmp/x/boot" -maxdepth 1 -name 'vmlinuz-*' | head -n 1)
[ -n "$src" ] || skip "$deb has no /boot/vmlinuz-*"
dst="$cache/$(basename "$src")"
if ! { cp "$src" "$dst.tmp" && mv "$dst.tmp" "$dst"; }; then
	skip "cannot write $dst"
fi
echo "$dst"
