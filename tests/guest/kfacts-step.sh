#!/bin/bash
# kfacts-step.sh - the real kernel in a ./run.sh run: the profile step
# "guest" boots the 2-node test guest (tests/guest/run.sh) once per boot
# asked for, loads the module there, hot-adds a vCPU on node 1 and keeps
# what the guest's kernel says and does as rows of the results directory:
#   kfacts       the guest kernel's boot lines and sysfs after the
#                hot-add (topology guest, boot default|page)
#   kernel-numa  where each CPU's static, alloc_percpu, VM-unit and hybrid
#                memory live, the page size mapping each, the pages N
#                variables touch (topology guest, boot default|page)
#   kernel-modules  (default boot) the per-CPU size test modules loaded
#                until the kernel refuses one, against the boot line's
#                reserve r and the model's point (modsize-tests.sh)
#
# Usage: tests/guest/kfacts-step.sh [--boots default,page] [--logs DIR]
#            [--timeout S] [--format csv] -o FILE [--dry-run]
# --boots: default (the kernel's own choice) and/or page (booted with
# percpu_alloc=page). --logs: where each boot's serial log and summary go
# (DIR/guest-BOOT/; default build/guest-step).
#
# Exit: 0 rows written; 4 cannot run here (no qemu, no kernel and no way
# to fetch one, PCPU_SKIP_GUEST=1: one line says which); 1 a boot failed
# (the rows of the boots that worked are still written); 2 usage.
# The first run fetches the Debian kernel and its headers into the guest
# cache ($PCPU_GUEST_CACHE, default tests/guest/cache: the vmlinuz, 8 MB,
# and the headers, 83 MB unpacked) and builds the module (~30 s, kept in
# build/guest-kmod/); later runs boot from the cache. Never touches host
# CPUs.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
boots=default,page
logs=$top/build/guest-step
out=
dry=0
tmo=150

usage() { sed -n '2,/^set -u/s/^# \{0,1\}//p' "$0" | sed '/^set -u/d'; }
die_usage() { echo "guest step: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--boots) [ $# -ge 2 ] || die_usage "--boots needs a value"; boots=$2; shift ;;
	--logs) [ $# -ge 2 ] || die_usage "--logs needs a directory"; logs=$2; shift ;;
	--timeout) [ $# -ge 2 ] || die_usage "--timeout needs seconds"; tmo=$2; shift ;;
	--format) [ $# -ge 2 ] || die_usage "--format needs a value"
		[ "$2" = csv ] || die_usage "--format: only csv"; shift ;;
	-o) [ $# -ge 2 ] || die_usage "-o needs a file"; out=$2; shift ;;
	--dry-run) dry=1 ;;
	-h|--help) usage; exit 0 ;;
	*) die_usage "unknown argument '$1'" ;;
	esac
	shift
done
case "$tmo" in ''|*[!0-9]*) die_usage "--timeout: whole seconds" ;; esac
for b in $(echo "$boots" | tr ',' ' '); do
	case "$b" in default|page) ;; *) die_usage "--boots: default, page (not '$b')" ;; esac
done
[ -n "$out" ] || die_usage "-o FILE is required"
if [ "$dry" = 1 ]; then
	echo "intent: guest hotplug=none"
	exit 0
fi

skip() { echo "guest step skipped: $*" >&2; exit 4; }
[ "${PCPU_SKIP_GUEST:-0}" = 1 ] && skip "PCPU_SKIP_GUEST=1"
command -v "${QEMU:-qemu-system-x86_64}" >/dev/null 2>&1 ||
	skip "${QEMU:-qemu-system-x86_64} not installed (apt-get install qemu-system-x86)"

mkdir -p "$logs" || { echo "guest step: cannot create $logs" >&2; exit 1; }
# The module, built once per kernel and module source (kept under
# build/guest-kmod/ so that later runs skip the ~30 s build).
kernel=$("$here/kernel.sh" 2>"$logs/guest-kernel.err") || {
	rc=$?
	[ "$rc" = 77 ] && skip "no kernel for the guest: $(tail -n 1 "$logs/guest-kernel.err")"
	echo "guest step: kernel.sh failed ($rc): $(tail -n 1 "$logs/guest-kernel.err")" >&2
	exit 1
}
key=$(cat "$top"/bench/kmod/* "$top/Makefile" 2>/dev/null | sha256sum | cut -c1-16)
kdir=$top/build/guest-kmod/$(basename "$kernel")-$key
if [ ! -f "$kdir/pcpubench_kmod.ko" ]; then
	rm -rf "$kdir"
	if ! "$here/kmod-build.sh" "$kernel" "$kdir" >/dev/null 2>"$logs/guest-kmod.err"; then
		echo "guest step: the module does not build for $(basename "$kernel"):" \
			"$(tail -n 1 "$logs/guest-kmod.err")" >&2
		rm -rf "$kdir"
	fi
fi
[ -f "$kdir/pcpubench_kmod.ko" ] && export PCPU_GUEST_KMOD=$kdir/pcpubench_kmod.ko
# issue 19's per-CPU size test modules (modsize-build.sh), built once
# per kernel, module source and size list, like the module above.
mkey=$( (cat "$here/modsize/"* "$here/modsize-build.sh"; echo "${PCPU_MODSIZES:-}") |
	sha256sum | cut -c1-16)
mdir=$top/build/guest-kmod/$(basename "$kernel")-modsize-$mkey
if ! ls "$mdir"/*.ko >/dev/null 2>&1; then
	rm -rf "$mdir"
	"$here/modsize-build.sh" "$kernel" "$mdir" >/dev/null 2>"$logs/guest-modsize.err" ||
		{ echo "guest step: the test modules do not build:" \
			"$(tail -n 1 "$logs/guest-modsize.err")" >&2; rm -rf "$mdir"; }
fi
ls "$mdir"/*.ko >/dev/null 2>&1 && export PCPU_GUEST_MODSIZE=$mdir

tmp=$(mktemp "${TMPDIR:-/tmp}/pcpu-guest-step.XXXXXX") || exit 1
trap 'rm -f "$tmp"' EXIT
failed=0
nrows=0
t_all=$(date +%s)
for b in $(echo "$boots" | tr ',' ' '); do
	g=$logs/guest-$b
	mkdir -p "$g" || { echo "guest step: cannot create $g" >&2; exit 1; }
	kargs=quiet
	# the default boot also loads the size test modules until the kernel
	# refuses one (modsize_reserve, first: it needs no other module loaded)
	checks=modsize_reserve,kmod_load,kmod_hotadd,kfacts_guest
	[ "$b" = page ] && kargs="quiet percpu_alloc=page" &&
		checks=kmod_load,kmod_hotadd,kfacts_guest
	t0=$(date +%s)
	PCPU_GUEST_OUT=$g PCPU_GUEST_KARGS=$kargs PCPU_GUEST_TIMEOUT=$tmo \
		"$here/run.sh" "$checks" >"$g/step.log" 2>&1
	rc=$?
	t1=$(date +%s)
	if [ "$rc" = 4 ]; then
		# the first boot cannot run here: nothing else will
		[ "$nrows" = 0 ] && skip "$(grep -m1 'SKIP' "$g/step.log" | sed 's/^guest: SKIP: //')"
		echo "guest step: $b boot skipped: $(grep -m1 SKIP "$g/step.log")" >&2
		failed=1
		continue
	fi
	[ "$rc" = 0 ] || { failed=1; echo "guest step: $b boot: checks failed (see $g/summary.txt):" \
		"$(grep -m2 FAIL "$g/summary.txt" 2>/dev/null | tr '\n' ' ')" >&2; }
	tr -d '\r' <"$g/serial.log" >"$g/serial.txt"
	# kfacts rows as the guest wrote them; kernel-numa rows with the
	# topology and boot columns added after bench
	sed -n 's/^.*GUEST-CSV kfacts //p' "$g/serial.txt" >>"$tmp"
	sed -n 's/^.*GUEST-CSV kernel-numa //p' "$g/serial.txt" |
		awk -F, -v OFS=, -v b="$b" '
			$1 == "bench" { $1 = "bench,topology,boot"; print; next }
			{ $1 = $1 ",guest," b; print }' >>"$tmp"
	# kernel-modules rows (modsize-tests.sh, via run.sh's
	# kernel-modules.csv): where the real kernel refused, against r
	sed '/^bench,/d' "$g/kernel-modules.csv" 2>/dev/null | grep . |
		awk -F, -v OFS=, -v b="$b" '
			NR == 1 { print "bench,topology,boot,module,position,rep,metric,value,unit,status" }
			{ $1 = $1 ",guest," b; print }' >>"$tmp"
	n=$(grep -c "^kernel-numa,guest,$b," "$tmp")
	nrows=$((nrows + n))
	echo "guest step: $b boot: $((t1 - t0)) s, $n kernel-numa rows;" \
		"$(grep -m1 '^kfacts_guest' "$g/summary.txt" 2>/dev/null)" >&2
done
echo "guest step: total $(( $(date +%s) - t_all )) s for boots $boots" >&2
if [ ! -s "$tmp" ]; then
	echo "guest step: no rows from any boot (see $logs/guest-*/step.log)" >&2
	exit 1
fi
cp "$tmp" "$out" || { echo "guest step: cannot write $out" >&2; exit 3; }
# the step's metadata beside its CSV (run.sh keeps FILE.meta.json)
rel=$(basename "$kernel")
printf '{"schema_version": 2, "bench": "guest", "meta": {"command": "%s", "guest_kernel": "%s", "boots": "%s", "seconds": "%s"}}\n' \
	"tests/guest/kfacts-step.sh --boots $boots" "${rel#vmlinuz-}" "$boots" \
	"$(( $(date +%s) - t_all ))" >"$out.meta.json" || true
exit $failed
