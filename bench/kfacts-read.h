/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kfacts-read.h - read what the running kernel says about its per-CPU
 * layout (the boot lines, /proc/meminfo, /proc/cmdline) and the CPU and
 * node sets of sysfs, for `pcpubench kfacts` and `pcpubench info`. The
 * parsing is lib/toolkit/pcpu-kfacts.c's; this file does the I/O and the
 * derived figures, and says why when something cannot be read.
 */
#ifndef KFACTS_READ_H
#define KFACTS_READ_H

#include <stdbool.h>

#include "pcpu-kfacts.h"
#include "pcpu.h"

struct kf_paths {
	const char *log;	/* a file of log text; NULL: /dev/kmsg, then syslog(2) */
	const char *meminfo;	/* NULL: /proc/meminfo */
	const char *cmdline;	/* NULL: /proc/cmdline */
	const char *sysfs;	/* NULL: /sys/devices/system (cpu/, node/) */
};

struct kf_sys {
	int log_err;		/* 0: the log was read; -errno */
	char log_source[96];	/* "/dev/kmsg", "syslog(2)", the file */
	/*
	 * Empty when the layout is known; else why not, one line: the log
	 * could not be read (and the sysctl that restricts it), or it holds
	 * no per-CPU line and whether they were rotated out.
	 */
	char why[240];
	char why_word[32];	/* the same as one word: log-restricted, rotated-out ... */
	int dmesg_restrict;	/* kernel.dmesg_restrict, -1 unknown */
	struct pcpu_cpuset possible, present, online;
	bool sets_known;	/* the three sets were read */
	bool numa_known;	/* node/nodeN/cpulist were read */
	int nr_nodes;
	short cpu_node[PCPU_KF_MAX_UNITS];	/* -1: no node in sysfs */
};

struct kf_derived {
	/* bytes the first chunk holds: one unit per possible CPU */
	bool unit_known;
	unsigned long long unit;	/* u, or pages/cpu x page size */
	unsigned long long possible_bytes, online_bytes;
	int nr_possible, nr_present, nr_online;
	/* group -> node: the one node of the group's CPUs that have one */
	int group_node[64];	/* -1 unknown, -2 CPUs of several nodes */
	int nr_groups;
	/* present CPUs whose unit is in a group of another node */
	int off_node;
};

/*
 * kf_read() - fill @kf (pcpu_kfacts_init() done here) and @sys.
 * Return: 0 (what could not be read is said in @sys and left unknown in
 * @kf); -ENOMEM.
 */
int kf_read(const struct kf_paths *p, struct pcpu_kfacts *kf,
	    struct kf_sys *sys);

/* The derived figures of @kf and @sys. */
void kf_derive(const struct pcpu_kfacts *kf, const struct kf_sys *sys,
	       struct kf_derived *d);

#endif
