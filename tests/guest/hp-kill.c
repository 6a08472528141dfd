// SPDX-License-Identifier: GPL-2.0
/*
 * hp-kill.c - a stand-in benchmark for the guest's crash-restore checks.
 *
 * Opens the real sysfs hotplug backend (lib/toolkit/pcpu-hotplug.c, which starts
 * the guardian), installs its SIGINT/SIGTERM handlers, takes the "hold"
 * CPUs offline, writes the guardian's pid to READY_FILE, then churns the
 * "churn" CPUs (offline, online, every few milliseconds; EBUSY counted as
 * a soft miss) until it is killed. The guest script kills it (SIGKILL or
 * SIGTERM) and checks every CPU comes back online.
 *
 * Usage: hp-kill READY_FILE HOLD_CPU... [-- CHURN_CPU...]
 * Exit: only by a signal; 1 on a failed set-up step, 2 usage, 4 no hotplug
 * or not in the test guest: it takes real CPUs offline, so it refuses to
 * run unless PCPU_IN_GUEST=1 (set by the guest's /init only).
 *
 * Built statically by tests/guest/mkinitrd.sh from this file and
 * lib/toolkit/pcpu-hotplug.c alone, so it works before the rest of the library
 * links.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pcpu-hotplug.h"

static int parse_cpu(const char *s, unsigned *cpu)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || v >= PCPU_HP_MAX_CPUS)
		return -EINVAL;
	*cpu = v;
	return 0;
}

int main(int argc, char **argv)
{
	struct pcpu_hp_sysfs *h;
	unsigned churn[64], cpu;
	size_t nchurn = 0;
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	char err[256] = "";
	FILE *fp;
	int i, ret;

	if (argc < 3) {
		fprintf(stderr, "usage: hp-kill READY_FILE HOLD_CPU... [-- CHURN_CPU...]\n");
		return 2;
	}
	if (!getenv("PCPU_IN_GUEST") || strcmp(getenv("PCPU_IN_GUEST"), "1")) {
		fprintf(stderr, "hp-kill: takes real CPUs offline; runs only in the test guest (PCPU_IN_GUEST=1)\n");
		return 4;
	}
	ret = pcpu_hp_sysfs_open(&h, NULL, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "hp-kill: %s\n", err);
		return ret == -EPERM || ret == -ENOENT ? 4 : 1;
	}
	ret = pcpu_hp_sysfs_signals(h);
	if (ret) {
		fprintf(stderr, "hp-kill: signals: %s\n", strerror(-ret));
		goto fail;
	}
	for (i = 2; i < argc && strcmp(argv[i], "--"); i++) {
		if (parse_cpu(argv[i], &cpu)) {
			fprintf(stderr, "hp-kill: bad CPU '%s'\n", argv[i]);
			pcpu_hp_sysfs_close(h);
			return 2;
		}
		ret = pcpu_hp_sysfs_set(h, cpu, false);
		if (ret) {
			fprintf(stderr, "hp-kill: offline cpu%u: %s\n", cpu,
				strerror(-ret));
			goto fail;
		}
	}
	for (i++; i < argc && nchurn < 64; i++) {
		if (parse_cpu(argv[i], &churn[nchurn])) {
			fprintf(stderr, "hp-kill: bad CPU '%s'\n", argv[i]);
			pcpu_hp_sysfs_close(h);
			return 2;
		}
		nchurn++;
	}
	fp = fopen(argv[1], "w");
	if (!fp || fprintf(fp, "%d\n", pcpu_hp_sysfs_guardian_pid(h)) < 0 ||
	    fclose(fp)) {
		fprintf(stderr, "hp-kill: cannot write %s\n", argv[1]);
		goto fail;
	}
	for (unsigned long n = 0;; n++) {
		if (!nchurn) {
			pause();
			continue;
		}
		cpu = churn[n % nchurn];
		ret = pcpu_hp_sysfs_set(h, cpu, (n / nchurn) % 2);
		if (ret && ret != -EBUSY)	/* EBUSY: a soft miss */
			fprintf(stderr, "hp-kill: cpu%u: %s\n", cpu, strerror(-ret));
		nanosleep(&ts, NULL);
	}
fail:
	pcpu_hp_sysfs_close(h);
	return 1;
}
