#!/bin/sh
# Install the Debian packages pcpubench needs, if any is missing.
#
# As root on Debian: apt-get installs what is missing (once; quiet when
# everything is there). Otherwise: prints the exact apt-get line and exits 1
# so the caller stops before a build that cannot work.
#
# PCPU_SKIP_DEPS=1 skips the check (for machines that provide the libraries
# some other way).
set -u
PKGS="build-essential pkg-config libpfm4-dev libhwloc-dev hwloc libnuma-dev
numactl libcmocka-dev gnuplot-nox python3-matplotlib python3-numpy
qemu-system-x86 busybox-static cpio"

[ "${PCPU_SKIP_DEPS:-0}" = 1 ] && exit 0

missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

line="apt-get install -y$missing"
if [ "$(id -u)" = 0 ] && [ -e /etc/debian_version ] && command -v apt-get >/dev/null; then
	echo "setup: installing missing Debian packages:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null 2>&1 || echo "setup: apt-get update failed; trying install anyway" >&2
	# shellcheck disable=SC2086
	if apt-get install -y -q --no-install-recommends $missing >/dev/null; then
		exit 0
	fi
	echo "setup: apt-get install failed; run by hand: $line" >&2
	exit 1
fi
echo "setup: missing Debian packages:$missing" >&2
echo "setup: as root, run: $line" >&2
exit 1
