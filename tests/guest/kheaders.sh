#!/bin/sh
# kheaders.sh - print the path of a kernel headers tree (KDIR) matching the
# guest kernel exactly, fetching it into the guest cache first if needed.
#
# Usage: tests/guest/kheaders.sh VMLINUZ
#
# The release and the Debian package version are read from the bzImage
# itself (the setup header's kernel_version string, e.g. "6.1.0-57-amd64
# (debian-kernel@...) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (...)"), so
# the headers always belong to the kernel that boots. The three packages
# are pinned to that version:
#     linux-headers-<release>=<ver> linux-headers-<abi>-common=<ver>
#     linux-kbuild-<major.minor>=<ver>
# (bookworm main may carry an older linux-kbuild than bookworm-security:
# the pin picks the right one). Each is extracted with dpkg-deb -x under
# $cache/headers-<release>_<ver>/, and the -amd64 Makefile's include of
# the -common tree by its absolute /usr/src path is rewritten to the
# extracted location. A tree that is already there is reused: superseded
# versions drop out of the archive's index, so the cache keeps the headers
# beside the vmlinuz they belong to.
#
# Exit: 0 and the KDIR path on stdout; 77 when they cannot be had
# (message on stderr: no apt-get, version not in the archive, ...).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache=${PCPU_GUEST_CACHE:-$here/cache}
vmlinuz=${1:?usage: kheaders.sh VMLINUZ}

skip() {
	echo "kheaders.sh: $*" >&2
	exit 77
}

[ -r "$vmlinuz" ] || skip "$vmlinuz is not readable"
# Setup header: at 0x20e a 16-bit pointer (minus 0x200) to the version.
ptr=$(od -An -tu2 -j 526 -N 2 "$vmlinuz" | tr -d ' ')
[ -n "$ptr" ] || skip "$vmlinuz: no setup header"
ver_str=$(dd if="$vmlinuz" bs=1 skip=$((ptr + 512)) count=256 2>/dev/null |
	tr '\0' '\n' | head -n 1)
release=${ver_str%% *}
debver=$(echo "$ver_str" | sed -n 's/.* Debian \([^ ]*\) .*/\1/p')
if [ -z "$release" ] || [ -z "$debver" ]; then
	skip "$vmlinuz: cannot read its release and Debian version ('$ver_str')"
fi
case $release in
*-amd64) ;;
*) skip "$vmlinuz: release $release is not a Debian -amd64 kernel" ;;
esac
abi=${release%-amd64}
mm=$(echo "$release" | sed -n 's/^\([0-9]*\.[0-9]*\)\..*/\1/p')

dir="$cache/headers-${release}_$debver"
kdir="$dir/usr/src/linux-headers-$release"
if [ -f "$dir/.complete" ] && [ -f "$kdir/Makefile" ]; then
	echo "$kdir"
	exit 0
fi

command -v apt-get >/dev/null 2>&1 || skip "no headers in $cache and no apt-get to fetch them"
command -v dpkg-deb >/dev/null 2>&1 || skip "no headers in $cache and no dpkg-deb"
mkdir -p "$cache" || skip "cannot create $cache"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pcpu-kheaders.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
chmod 0777 "$tmp"	# apt downloads as _apt

pkgs="linux-headers-$release=$debver linux-headers-$abi-common=$debver linux-kbuild-$mm=$debver"
echo "kheaders.sh: downloading $pkgs" >&2
# shellcheck disable=SC2086
if ! (cd "$tmp" && apt-get download -q $pkgs) >"$tmp/apt.log" 2>&1; then
	skip "apt-get download $pkgs failed (version gone from the archive, or no network): $(tail -n 1 "$tmp/apt.log")"
fi
mkdir "$tmp/x"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$tmp/x" || skip "dpkg-deb -x $deb failed"
done
mk="$tmp/x/usr/src/linux-headers-$release/Makefile"
[ -f "$mk" ] || skip "the headers package has no $mk"
# The include of the -common tree names /usr/src: point it at the copy.
sed -i "s|/usr/src/linux-headers-$abi-common|$dir/usr/src/linux-headers-$abi-common|g" "$mk"
grep -q "$dir/usr/src/linux-headers-$abi-common" "$mk" ||
	skip "$mk: did not find the include of linux-headers-$abi-common to rewrite"
touch "$tmp/x/.complete"
rm -rf "$dir.tmp.$$"
mv "$tmp/x" "$dir.tmp.$$" || skip "cannot write $dir"
if ! mv -T "$dir.tmp.$$" "$dir" 2>/dev/null; then
	# Another run got there first: use its tree.
	rm -rf "$dir.tmp.$$"
fi
[ -f "$dir/.complete" ] || skip "cannot write $dir"
echo "$kdir"
