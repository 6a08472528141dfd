/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-sysinfo.h - facts about the machine for `pcpubench info` and for
 * every result's metadata: CPU identity (/proc/cpuinfo), CPU sets from
 * sysfs, THP and hugetlb state, FSGSBASE, rseq, kernel and perf settings.
 * Strings that could not be read are "unknown" (with the reason where
 * there is one), never empty.
 */
#ifndef PCPU_SYSINFO_H
#define PCPU_SYSINFO_H

#include <stdbool.h>
#include <stddef.h>

struct pcpu_sysinfo {
	char vendor[32];
	char model_name[128];
	int family, model, stepping;	/* -1 when unknown */
	char microcode[32];
	char cpus_possible[256], cpus_present[256], cpus_online[256];
	char nodes_online[128];
	char thp_enabled[32];		/* the bracketed choice: always, madvise, never */
	char thp_defrag[32];
	long hugetlb_2m_nr, hugetlb_2m_free;	/* -1 when unknown */
	bool fsgsbase;			/* AT_HWCAP2 bit 1: usable from user space */
	bool fsgsbase_cpu;		/* "fsgsbase" in /proc/cpuinfo flags */
	bool rseq_registered;		/* glibc registered rseq for this thread */
	long rseq_offset;		/* glibc __rseq_offset */
	unsigned rseq_size;		/* glibc __rseq_size */
	char kernel_release[128];
	char kernel_version[256];
	char machine[80];
	char hostname[128];
	char cmdline[1024];
	int perf_event_paranoid;	/* -99 when unknown */
	bool hypervisor;		/* "hypervisor" in /proc/cpuinfo flags */
};

/*
 * pcpu_sysinfo_read() - fill @si from /proc, /sys and the aux vector.
 * Missing files leave "unknown" / -1 in their fields; not an error.
 * Return: 0; -EINVAL @si NULL.
 */
int pcpu_sysinfo_read(struct pcpu_sysinfo *si);

/*
 * pcpu_sysinfo_read_str() - first line of a sysfs/proc file, newline
 * stripped. Return: 0; -errno.
 */
int pcpu_sysinfo_read_str(const char *path, char *buf, size_t len);

#endif /* PCPU_SYSINFO_H */
