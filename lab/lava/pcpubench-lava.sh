#!/bin/sh
# pcpubench-lava.sh - the run step of the LAVA test definition
# (lab/lava/pcpubench.yaml), on the device, from the repository's top.
#
# Usage: lab/lava/pcpubench-lava.sh [--profile P] [--label L] [--kernel yes|no]
#            [--hotplug yes|no] [--skip-install true|false] [--markers yes|no]
#
# 1. The benchmark: $PCPUBENCH, else /bin/pcpubench (a ramdisk that
#    carries a pre-built binary, as the qemu job's does), else
#    build/pcpubench, else scripts/setup-deps.sh (root, Debian; not with
#    --skip-install true) and make.
# 2. ./run.sh PROFILE --label L [--kernel] [--allow-hotplug] into a fresh
#    directory under $PCPU_LAVA_RESULTS (default /tmp/pcpubench-lava).
# 3. The test cases of lab/lava/lava-cases.py (the findings, the
#    invariants, the headline figures with units) through lava-test-case,
#    or printed when not under LAVA; the case `run` is run.sh's status.
# 4. With --markers yes (default) the results directory, as a gzipped tar
#    in base64, between the lines
#      PCPUBENCH-RESULTS-BEGIN name=DIR bytes=N sha256=HEX
#      PCPUBENCH-RESULTS-END name=DIR
#    which lab/lava-extract.py turns back into the directory from the job
#    log.
# --hotplug yes lets the profile take this device's CPUs offline (never
# CPU 0): only on a device of its own, such as the qemu job's guest.
# --kernel yes adds profiles/kernel (loads bench/kmod/ into the device's
# kernel). Both default to no.
#
# Exit: run.sh's status (0 ok, 1 a step failed, ...); 2 usage.
set -u

profile=quick label=lava kernel=no hotplug=no skip_install=false markers=yes
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || { echo "pcpubench-lava.sh: $1 needs a value" >&2; exit 2; }
	case $1 in
	--profile) profile=$2 ;;
	--label) label=$2 ;;
	--kernel) kernel=$2 ;;
	--hotplug) hotplug=$2 ;;
	--skip-install) skip_install=$2 ;;
	--markers) markers=$2 ;;
	*) echo "pcpubench-lava.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift 2
done

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1

case_() {
	# case_ NAME RESULT [MEASUREMENT UNITS]
	if command -v lava-test-case >/dev/null 2>&1; then
		if [ $# -ge 4 ]; then
			lava-test-case "$1" --result "$2" --measurement "$3" --units "$4"
		else
			lava-test-case "$1" --result "$2"
		fi
	else
		echo "test-case: $*"
	fi
}

# 1. The binary.
bin=${PCPUBENCH:-}
[ -z "$bin" ] && [ -x /bin/pcpubench ] && bin=/bin/pcpubench
[ -z "$bin" ] && [ -x build/pcpubench ] && bin=$top/build/pcpubench
if [ -z "$bin" ]; then
	if [ "$skip_install" != true ]; then
		scripts/setup-deps.sh || { case_ build fail; exit 1; }
	fi
	make -j"$(nproc 2>/dev/null || echo 2)" >/tmp/pcpubench-make.log 2>&1 ||
		{ tail -n 20 /tmp/pcpubench-make.log; case_ build fail; exit 1; }
	bin=$top/build/pcpubench
fi
# the event tables, for a binary that does not sit in the repository
[ -d "$top/events" ] && export PCPU_EVENT_DIR=${PCPU_EVENT_DIR:-$top/events}
echo "pcpubench-lava: binary $bin ($("$bin" --version 2>&1 | head -n 1))"

# 2. The run.
set --
[ "$kernel" = yes ] && set -- "$@" --kernel
[ "$hotplug" = yes ] && set -- "$@" --allow-hotplug
parent=${PCPU_LAVA_RESULTS:-/tmp/pcpubench-lava}
mkdir -p "$parent" || exit 1
before=$(ls "$parent")
t0=$(date +%s)
PCPUBENCH=$bin PCPU_SKIP_DEPS=1 bash ./run.sh "$profile" --label "$label" \
	--results "$parent" "$@"
rc=$?
t1=$(date +%s)
dir=
for d in $(ls "$parent"); do
	case " $(echo $before) " in *" $d "*) continue ;; esac
	dir=$parent/$d
done
echo "pcpubench-lava: run.sh exit $rc in $((t1 - t0)) s, results ${dir:-none}"
if [ "$rc" = 0 ]; then case_ run pass; else case_ run fail; fi
[ -n "$dir" ] || exit 1

# 3. The test cases.
python3 lab/lava/lava-cases.py "$dir" --reasons >/tmp/pcpubench-cases.txt
while read -r name res meas unit; do
	case $name in
	'#') echo "pcpubench-lava: $res $meas $unit"; continue ;;
	esac
	if [ -n "$meas" ]; then
		case_ "$name" "$res" "$meas" "$unit"
	else
		case_ "$name" "$res"
	fi
done </tmp/pcpubench-cases.txt

# 4. The results directory, between markers.
if [ "$markers" = yes ]; then
	name=$(basename "$dir")
	tar -C "$parent" -czf /tmp/pcpubench-results.tgz "$name"
	sum=$(sha256sum /tmp/pcpubench-results.tgz | cut -d' ' -f1)
	echo "PCPUBENCH-RESULTS-BEGIN name=$name bytes=$(wc -c </tmp/pcpubench-results.tgz) sha256=$sum"
	base64 /tmp/pcpubench-results.tgz
	echo "PCPUBENCH-RESULTS-END name=$name"
fi
exit "$rc"
