#!/bin/sh
# run-qemu-job.sh - run the pcpubench LAVA qemu job here, end to end,
# with lava-run (no LAVA server).
#
# Usage: lab/lava/run-qemu-job.sh [OUTDIR]     (default build/lab)
#
# Steps: lava-run (lab/lava/setup-lava.sh), a Debian kernel
# (tests/guest/kernel.sh, cached in $PCPU_GUEST_CACHE), the ramdisk
# (lab/lava/mkramdisk.sh, with build/pcpubench), a snapshot of this
# working tree as a git commit (OUTDIR/repo) and its archive
# (OUTDIR/pcpubench.tar.gz: the job's test definition and the code the
# device runs, so uncommitted changes are what runs), the
# job (lab/lava/jobs/qemu.yaml filled in: OUTDIR/job.yaml), then
#   lava-run --device lab/lava/devices/qemu-tcg.yaml --job-id N \
#            --output-dir OUTDIR/job OUTDIR/job.yaml
# and lab/lava-extract.py over the job's log into OUTDIR/results/.
# Environment: PCPU_LAB_PROFILE (default lab/lava/profile-tcg),
# PCPU_LAB_LABEL (default lava-qemu), PCPU_LAB_HOTPLUG (default yes: the
# guest's CPUs, never the host's), PCPU_LAB_JOB_ID (default: this
# shell's PID),
# PCPU_LAB_TIMEOUT (s, default 2400).
#
# Exit: lava-run's status (0 the job completed); 77 cannot run here (the
# message says why); 1 other failures.
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
out=${1:-$top/build/lab}
mkdir -p "$out" || exit 1
out=$(cd "$out" && pwd)

skip() {
	echo "run-qemu-job: SKIP: $*" >&2
	exit 77
}

lava_run=$("$here/setup-lava.sh" "$out")
rc=$?
[ $rc = 77 ] && skip "no lava-run here (see setup-lava.sh above)"
[ $rc = 0 ] || exit 1

kernel=$("$top/tests/guest/kernel.sh")
rc=$?
[ $rc = 77 ] && skip "no kernel for the guest (see kernel.sh above)"
[ $rc = 0 ] || exit 1

[ -x "$top/build/pcpubench" ] || make -C "$top" -j2 >/dev/null || exit 1
"$here/mkramdisk.sh" "$out/ramdisk.cpio.gz"
rc=$?
[ $rc = 77 ] && skip "cannot build the ramdisk (see mkramdisk.sh above)"
[ $rc = 0 ] || exit 1

# The working tree as a repository of one commit (tracked files and new
# ones not ignored), for the job's `from: git`.
rm -rf "$out/repo"
mkdir -p "$out/repo"
(cd "$top" && git ls-files -co --exclude-standard -z |
	xargs -0 -I{} sh -c 'test -e "$1" && echo "$1"' _ {} |
	cpio -pdm --quiet "$out/repo") || exit 1
(cd "$out/repo" && git init -q && git add -A &&
	git -c user.name=pcpubench -c user.email=pcpubench@localhost \
		commit -q -m "snapshot of $(cd "$top" && git rev-parse --short HEAD 2>/dev/null || echo unknown)") ||
	exit 1
git -C "$out/repo" archive --format=tar.gz --prefix=pcpubench/ \
	-o "$out/pcpubench.tar.gz" HEAD || exit 1

profile=${PCPU_LAB_PROFILE:-lab/lava/profile-tcg}
label=${PCPU_LAB_LABEL:-lava-qemu}
hotplug=${PCPU_LAB_HOTPLUG:-yes}
# a job id of its own: lava-run keeps its scratch in
# /var/lib/lava/dispatcher/tmp/<job id>, shared by every run on this host
jobid=${PCPU_LAB_JOB_ID:-$$}
sed -e "s|@KERNEL_URL@|file://$kernel|" \
	-e "s|@RAMDISK_URL@|file://$out/ramdisk.cpio.gz|" \
	-e "s|@ARCHIVE_URL@|file://$out/pcpubench.tar.gz|" \
	-e "s|@PROFILE@|$profile|" -e "s|@LABEL@|$label|" \
	-e "s|@HOTPLUG@|$hotplug|" \
	"$here/jobs/qemu.yaml" >"$out/job.yaml"

rm -rf "$out/job" "$out/results"
mkdir -p "$out/job"
echo "run-qemu-job: lava-run --device $here/devices/qemu-tcg.yaml --job-id $jobid --output-dir $out/job $out/job.yaml" >&2
t0=$(date +%s)
timeout -k 10 "${PCPU_LAB_TIMEOUT:-2400}" "$lava_run" \
	--device "$here/devices/qemu-tcg.yaml" --job-id "$jobid" \
	--output-dir "$out/job" "$out/job.yaml" >"$out/lava-run.log" 2>&1
rc=$?
t1=$(date +%s)
echo "run-qemu-job: lava-run exit $rc in $((t1 - t0)) s (log $out/lava-run.log, $out/job/)" >&2
/usr/bin/python3 "$top/lab/lava-extract.py" "$out/lava-run.log" "$out/results" >&2 ||
	echo "run-qemu-job: no results directory in the job log" >&2
exit $rc
