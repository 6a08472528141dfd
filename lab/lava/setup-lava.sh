#!/bin/sh
# setup-lava.sh - find or prepare a lava-run that can run the pcpubench
# qemu job on this machine, and print the command that runs it.
#
# Usage: lab/lava/setup-lava.sh OUTDIR     (prints OUTDIR/lava-run on stdout)
#
# A lab's worker already has lava-dispatcher installed: when `lava-run`
# is on PATH and its modules import, a wrapper that calls it is written.
# Otherwise lava-dispatcher is NOT installed as a package (Debian 12's
# `apt-get install --no-install-recommends lava-dispatcher` plans 149
# packages, among them systemd-sysv, an upgrade of the installed systemd
# packages, libguestfs0 and supermin, and would start services): the
# three Debian 12 packages lava-common, lava-dispatcher and
# lava-dispatcher-host are fetched with `apt-get download` and unpacked
# with `dpkg-deb -x` into OUTDIR/pkg (no package is installed; lava-run
# itself keeps its scratch in /var/lib/lava/dispatcher/tmp/<job id> and
# removes it at the end);
# the Python modules they import are installed from Debian 12
# (--no-install-recommends; 22 small python3-* packages, no service, no
# init change), and lab/lava/stub/ stands in for python3-guestfs when it
# is missing (the job appends LAVA's overlay to its cpio ramdisk, which
# needs no libguestfs).
#
# Exit: 0 and the wrapper path; 77 cannot be had here (no apt-get, no
# network to the mirror, not root and modules missing: the message says
# which, with the apt-get line); 1 other failures.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: setup-lava.sh OUTDIR}
PY=/usr/bin/python3
# The Python modules lava-run imports for a qemu job, and their packages
# (lava-common and lava-dispatcher's Depends, without python3-guestfs).
MODS="yaml voluptuous jinja2 pexpect requests aiohttp configobj magic netifaces pyudev setproctitle pytz"
PKGS="python3-yaml python3-voluptuous python3-jinja2 python3-pexpect python3-requests python3-aiohttp python3-configobj python3-magic python3-netifaces python3-pyudev python3-setproctitle python3-tz"

skip() {
	echo "setup-lava.sh: SKIP: $*" >&2
	exit 77
}

mkdir -p "$out" || skip "cannot create $out"
out=$(cd "$out" && pwd)
wrapper=$out/lava-run

[ -x "$PY" ] || skip "no $PY"
command -v qemu-system-x86_64 >/dev/null 2>&1 || skip "no qemu-system-x86_64 (apt-get install qemu-system-x86)"
command -v cpio >/dev/null 2>&1 || skip "no cpio (lava-run unpacks the ramdisk with it)"

# 1. A lava-dispatcher installed the Debian way (a lab's worker).
if command -v lava-run >/dev/null 2>&1 &&
	"$PY" -c 'import lava_dispatcher.parser, guestfs' 2>/dev/null; then
	printf '#!/bin/sh\n# written by lab/lava/setup-lava.sh: the installed lava-run\nexec %s "$@"\n' \
		"$(command -v lava-run)" >"$wrapper"
	chmod 0755 "$wrapper"
	echo "setup-lava.sh: using the installed $(command -v lava-run)" >&2
	echo "$wrapper"
	exit 0
fi

# 2. The modules lava-run imports, from Debian packages.
missing=$("$PY" - $MODS <<'EOF'
import importlib, sys
print(" ".join(m for m in sys.argv[1:]
               if importlib.util.find_spec(m) is None))
EOF
)
if [ -n "$missing" ]; then
	line="apt-get install --no-install-recommends $PKGS"
	[ "$(id -u)" = 0 ] || skip "Python modules missing ($missing); as root: $line"
	command -v apt-get >/dev/null 2>&1 || skip "Python modules missing ($missing) and no apt-get"
	echo "setup-lava.sh: installing $PKGS" >&2
	t0=$(date +%s)
	# DPkg::Lock::Timeout: wait for another apt-get, never break its lock.
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends -o DPkg::Lock::Timeout=900 $PKGS \
		>"$out/apt-install.log" 2>&1; then
		skip "$line failed: $(tail -n 1 "$out/apt-install.log")"
	fi
	echo "setup-lava.sh: installed in $(($(date +%s) - t0)) s ($(grep -o '[0-9.]* [kM]B of additional disk space' "$out/apt-install.log" || echo '?'))" >&2
fi

# 3. lava-dispatcher itself, unpacked (not installed) into OUTDIR/pkg.
pkgdir=$out/pkg
if [ ! -f "$pkgdir/root/usr/bin/lava-run" ]; then
	command -v apt-get >/dev/null 2>&1 || skip "no apt-get to fetch lava-dispatcher"
	rm -rf "$pkgdir"
	mkdir -p "$pkgdir/debs"
	chmod 0777 "$pkgdir/debs"	# apt downloads as _apt
	if ! (cd "$pkgdir/debs" && apt-get download -q lava-common \
		lava-dispatcher lava-dispatcher-host) >"$out/apt-download.log" 2>&1; then
		skip "apt-get download lava-dispatcher failed (no network to the Debian mirror?): $(tail -n 1 "$out/apt-download.log")"
	fi
	for d in "$pkgdir"/debs/*.deb; do
		dpkg-deb -x "$d" "$pkgdir/root"
	done
	[ -f "$pkgdir/root/usr/bin/lava-run" ] || { echo "setup-lava.sh: no lava-run in the packages" >&2; exit 1; }
fi
pp=$pkgdir/root/usr/lib/python3/dist-packages
if ! "$PY" -c 'import guestfs' 2>/dev/null; then
	pp=$pp:$here/stub
fi
cat >"$wrapper" <<EOF
#!/bin/sh
# written by lab/lava/setup-lava.sh: lava-run of the unpacked
# $(cd "$pkgdir/debs" 2>/dev/null && ls | tr '\n' ' ')
PYTHONPATH=$pp\${PYTHONPATH:+:\$PYTHONPATH} exec $PY $pkgdir/root/usr/bin/lava-run "\$@"
EOF
chmod 0755 "$wrapper"
"$wrapper" --help >/dev/null 2>"$out/lava-run-help.err" ||
	{ echo "setup-lava.sh: lava-run does not start:" >&2; cat "$out/lava-run-help.err" >&2; exit 1; }
echo "$wrapper"
