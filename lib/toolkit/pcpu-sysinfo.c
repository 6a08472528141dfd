// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-sysinfo.c - machine facts for info and metadata (see
 * pcpu-sysinfo.h). Reads /proc/cpuinfo, sysfs, the aux vector and glibc's
 * rseq registration symbols; never prints.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "pcpu-sysinfo.h"

#ifndef AT_HWCAP2
#define AT_HWCAP2 26
#endif
#define HWCAP2_FSGSBASE (1UL << 1)

/* glibc >= 2.35; weak so that an older glibc still links. */
extern const unsigned int __rseq_size __attribute__((weak));
extern const long __rseq_offset __attribute__((weak));

int pcpu_sysinfo_read_str(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	char *nl;

	if (!len)
		return -EINVAL;
	buf[0] = 0;
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	nl = strchr(buf, '\n');
	if (nl)
		*nl = 0;
	return 0;
}

static long read_long(const char *path)
{
	char b[64];

	if (pcpu_sysinfo_read_str(path, b, sizeof(b)))
		return -1;
	return strtol(b, NULL, 10);
}

static void str_or_unknown(char *dst, size_t len, const char *path)
{
	if (pcpu_sysinfo_read_str(path, dst, len) || !dst[0])
		snprintf(dst, len, "unknown");
}

/* "always [madvise] never" -> "madvise" */
static void bracketed(char *dst, size_t len, const char *path)
{
	char b[256], *o, *c;

	if (pcpu_sysinfo_read_str(path, b, sizeof(b))) {
		snprintf(dst, len, "unknown");
		return;
	}
	o = strchr(b, '[');
	c = o ? strchr(o, ']') : NULL;
	if (o && c) {
		*c = 0;
		snprintf(dst, len, "%s", o + 1);
	} else {
		snprintf(dst, len, "%.*s", (int)len - 1, b);
	}
}

static const char *cpuinfo_val(char *line)
{
	char *c = strchr(line, ':'), *nl;

	if (!c)
		return "";
	c++;
	while (*c == ' ' || *c == '\t')
		c++;
	nl = strchr(c, '\n');
	if (nl)
		*nl = 0;
	return c;
}

static void read_cpuinfo(struct pcpu_sysinfo *si)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	static char line[8192];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '\n')
			break;	/* first processor only */
		if (!strncmp(line, "vendor_id", 9))
			snprintf(si->vendor, sizeof(si->vendor), "%s",
				 cpuinfo_val(line));
		else if (!strncmp(line, "model name", 10))
			snprintf(si->model_name, sizeof(si->model_name), "%s",
				 cpuinfo_val(line));
		else if (!strncmp(line, "cpu family", 10))
			si->family = atoi(cpuinfo_val(line));
		else if (!strncmp(line, "model\t", 6))
			si->model = atoi(cpuinfo_val(line));
		else if (!strncmp(line, "stepping", 8))
			si->stepping = atoi(cpuinfo_val(line));
		else if (!strncmp(line, "microcode", 9))
			snprintf(si->microcode, sizeof(si->microcode), "%s",
				 cpuinfo_val(line));
		else if (!strncmp(line, "flags", 5)) {
			const char *v = cpuinfo_val(line);
			char pad[8200];

			snprintf(pad, sizeof(pad), " %s ", v);
			si->fsgsbase_cpu = !!strstr(pad, " fsgsbase ");
			si->hypervisor = !!strstr(pad, " hypervisor ");
		}
	}
	fclose(f);
}

/**
 * pcpu_sysinfo_read() - see pcpu-sysinfo.h.
 * Return: 0; -EINVAL.
 */
int pcpu_sysinfo_read(struct pcpu_sysinfo *si)
{
	struct utsname u;

	if (!si)
		return -EINVAL;
	memset(si, 0, sizeof(*si));
	si->family = si->model = si->stepping = -1;
	snprintf(si->vendor, sizeof(si->vendor), "unknown");
	snprintf(si->model_name, sizeof(si->model_name), "unknown");
	snprintf(si->microcode, sizeof(si->microcode), "unknown");
	read_cpuinfo(si);

	str_or_unknown(si->cpus_possible, sizeof(si->cpus_possible),
		       "/sys/devices/system/cpu/possible");
	str_or_unknown(si->cpus_present, sizeof(si->cpus_present),
		       "/sys/devices/system/cpu/present");
	str_or_unknown(si->cpus_online, sizeof(si->cpus_online),
		       "/sys/devices/system/cpu/online");
	str_or_unknown(si->nodes_online, sizeof(si->nodes_online),
		       "/sys/devices/system/node/online");
	bracketed(si->thp_enabled, sizeof(si->thp_enabled),
		  "/sys/kernel/mm/transparent_hugepage/enabled");
	bracketed(si->thp_defrag, sizeof(si->thp_defrag),
		  "/sys/kernel/mm/transparent_hugepage/defrag");
	si->hugetlb_2m_nr = read_long(
		"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages");
	si->hugetlb_2m_free = read_long(
		"/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages");

	si->fsgsbase = !!(getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE);
	if (&__rseq_size && &__rseq_offset) {
		si->rseq_size = __rseq_size;
		si->rseq_offset = __rseq_offset;
		si->rseq_registered = __rseq_size > 0;
	}

	if (!uname(&u)) {
		snprintf(si->kernel_release, sizeof(si->kernel_release), "%s",
			 u.release);
		snprintf(si->kernel_version, sizeof(si->kernel_version), "%s",
			 u.version);
		snprintf(si->machine, sizeof(si->machine), "%s", u.machine);
		snprintf(si->hostname, sizeof(si->hostname), "%s", u.nodename);
	}
	str_or_unknown(si->cmdline, sizeof(si->cmdline), "/proc/cmdline");
	si->perf_event_paranoid = (int)read_long(
		"/proc/sys/kernel/perf_event_paranoid");
	if (si->perf_event_paranoid == -1 &&
	    access("/proc/sys/kernel/perf_event_paranoid", R_OK))
		si->perf_event_paranoid = -99;
	return 0;
}
