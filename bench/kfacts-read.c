// SPDX-License-Identifier: GPL-2.0
/*
 * kfacts-read.c - the I/O behind `pcpubench kfacts` and info's kernel
 * per-CPU section: the kernel log (/dev/kmsg, else syslog(2), or a file
 * given by the caller), /proc/meminfo, /proc/cmdline, sysfs CPU and node
 * sets; then the derived figures. Parsing is pcpu_kfacts_parse_*().
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/klog.h>
#include <unistd.h>

#include "kfacts-read.h"
#include "pcpu-file.h"
#include "pcpu-sysinfo.h"

#define LOG_MAX (64UL << 20)

static int grow(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t nc = (*cap ? *cap * 2 : 1 << 16);
		char *nb;

		while (nc < *len + n + 1)
			nc *= 2;
		if (nc > LOG_MAX)
			return -EFBIG;
		nb = realloc(*buf, nc);
		if (!nb)
			return -ENOMEM;
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/*
 * Everything @fd gives until EOF (or, for /dev/kmsg opened O_NONBLOCK,
 * EAGAIN: one record per read(), oldest first; EPIPE says records were
 * overwritten meanwhile: go on).
 */
static int read_fd(int fd, char **buf, size_t *len, bool kmsg)
{
	size_t cap = 0;
	char b[8192];
	int ret = 0;

	for (;;) {
		ssize_t n = read(fd, b, sizeof(b));

		if (n < 0) {
			if (kmsg && errno == EAGAIN)
				break;
			if (errno == EINTR || (kmsg && errno == EPIPE))
				continue;
			ret = -errno;
			break;
		}
		if (n == 0)
			break;
		ret = grow(buf, len, &cap, b, (size_t)n);
		if (ret)
			break;
	}
	if (!ret && !*buf)
		ret = grow(buf, len, &cap, "", 0);
	return ret;
}

static int read_kmsg(char **buf, size_t *len)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = read_fd(fd, buf, len, true);
	close(fd);
	return ret;
}

static int read_syslog(char **buf, size_t *len)
{
	int size = klogctl(10, NULL, 0), n;	/* SYSLOG_ACTION_SIZE_BUFFER */

	if (size < 0)
		return -errno;
	if (size == 0)
		size = 1 << 20;
	*buf = malloc((size_t)size + 1);
	if (!*buf)
		return -ENOMEM;
	n = klogctl(3, *buf, size);		/* SYSLOG_ACTION_READ_ALL */
	if (n < 0) {
		free(*buf);
		*buf = NULL;
		return -errno;
	}
	(*buf)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

static int read_file(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = read_fd(fd, buf, len, false);
	close(fd);
	return ret;
}

static void set_why(struct kf_sys *sys, const char *word, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_why(struct kf_sys *sys, const char *word, const char *fmt, ...)
{
	va_list ap;

	snprintf(sys->why_word, sizeof(sys->why_word), "%s", word);
	va_start(ap, fmt);
	vsnprintf(sys->why, sizeof(sys->why), fmt, ap);
	va_end(ap);
}

static void read_log(const struct kf_paths *p, struct pcpu_kfacts *kf,
		     struct kf_sys *sys)
{
	char *buf = NULL, sysctl[32];
	size_t len = 0;
	int r, r2 = 0;

	if (p->log) {
		snprintf(sys->log_source, sizeof(sys->log_source), "%s", p->log);
		/* a file the user names: the one bounded reader */
		r = pcpu_file_read(p->log, 64u << 20, &buf, &len, NULL, 0);
		if (r) {
			sys->log_err = r;
			set_why(sys, "log-unreadable", "%s: %s", p->log, strerror(-r));
			return;
		}
	} else {
		snprintf(sys->log_source, sizeof(sys->log_source), "/dev/kmsg");
		r = read_kmsg(&buf, &len);
		if (r) {
			free(buf);
			buf = NULL;
			len = 0;
			r2 = read_syslog(&buf, &len);
			if (!r2)
				snprintf(sys->log_source, sizeof(sys->log_source),
					 "syslog(2)");
		}
		if (r && r2) {
			sys->log_err = r;
			snprintf(sysctl, sizeof(sysctl), "%d", sys->dmesg_restrict);
			if (r == -ENOENT)
				set_why(sys, "no-kernel-log",
					"no /dev/kmsg (a container?) and syslog(2): %s",
					strerror(-r2));
			else if ((r == -EPERM || r == -EACCES) && sys->dmesg_restrict > 0)
				set_why(sys, "log-restricted",
					"kernel log restricted: kernel.dmesg_restrict=%s "
					"(/dev/kmsg: %s; needs CAP_SYSLOG: run as root or "
					"sysctl kernel.dmesg_restrict=0)", sysctl, strerror(-r));
			else
				set_why(sys, "log-unreadable",
					"/dev/kmsg: %s; syslog(2): %s (kernel.dmesg_restrict=%s)",
					strerror(-r), strerror(-r2),
					sys->dmesg_restrict < 0 ? "unknown" : sysctl);
			free(buf);
			return;
		}
	}
	r = pcpu_kfacts_parse_log(kf, buf, len);
	free(buf);
	if (r == -ENOENT) {
		if (kf->first_seq > 0)
			set_why(sys, "rotated-out",
				"the kernel log starts at record %lld, not at boot: the "
				"per-CPU boot lines were rotated out of the ring buffer",
				kf->first_seq);
		else if (kf->first_seq == 0 || kf->banner_seen)
			set_why(sys, "not-printed",
				"the log starts at boot but has no per-CPU line (this "
				"kernel does not print them?)");
		else
			set_why(sys, "not-in-log",
				"%s has no per-CPU line and does not start with the boot "
				"banner: whether they were rotated out cannot be told",
				sys->log_source);
	} else if (r == -EBADMSG) {
		set_why(sys, "unparsed", "per-CPU lines found, none parsed: %s",
			kf->note);
	}
}

/* A sysfs cpulist; one id ("0") would read as a count: "0-0". */
static int parse_list(struct pcpu_cpuset *s, char *b, size_t size)
{
	size_t n = strlen(b);

	if (!strpbrk(b, ",-") && 2 * n + 2 <= size) {
		b[n] = '-';
		memcpy(b + n + 1, b, n);
		b[2 * n + 1] = '\0';
	}
	return pcpu_cpuset_parse(s, b);
}

static void read_sets(const struct kf_paths *p, struct kf_sys *sys)
{
	const char *root = p->sysfs ? p->sysfs : "/sys/devices/system";
	static const char *const names[3] = { "possible", "present", "online" };
	struct pcpu_cpuset *sets[3] = { &sys->possible, &sys->present, &sys->online };
	char path[512], b[4096];
	struct dirent *de;
	DIR *d;
	int i, ok = 0;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/cpu/%s", root, names[i]);
		if (!pcpu_sysinfo_read_str(path, b, sizeof(b)) &&
		    !parse_list(sets[i], b, sizeof(b)))
			ok++;
	}
	sys->sets_known = ok == 3;
	for (i = 0; i < PCPU_KF_MAX_UNITS; i++)
		sys->cpu_node[i] = -1;
	snprintf(path, sizeof(path), "%s/node", root);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		struct pcpu_cpuset s;
		char *end;
		long node;
		int cpu;

		if (strncmp(de->d_name, "node", 4))
			continue;
		node = strtol(de->d_name + 4, &end, 10);
		if (*end || end == de->d_name + 4 || node < 0 || node > 32767)
			continue;
		snprintf(path, sizeof(path), "%s/node/%s/cpulist", root, de->d_name);
		if (pcpu_sysinfo_read_str(path, b, sizeof(b)))
			continue;
		sys->numa_known = true;
		sys->nr_nodes++;
		if (!b[0] || parse_list(&s, b, sizeof(b)))
			continue;	/* a node without CPUs */
		pcpu_for_each_cpu(cpu, &s)
			if (cpu < PCPU_KF_MAX_UNITS)
				sys->cpu_node[cpu] = (short)node;
	}
	closedir(d);
}

int kf_read(const struct kf_paths *p, struct pcpu_kfacts *kf,
	    struct kf_sys *sys)
{
	char *buf = NULL, b[32];
	size_t len = 0;

	memset(sys, 0, sizeof(*sys));
	pcpu_kfacts_init(kf);
	sys->dmesg_restrict = -1;
	if (!pcpu_sysinfo_read_str("/proc/sys/kernel/dmesg_restrict", b, sizeof(b)))
		sys->dmesg_restrict = atoi(b);
	read_log(p, kf, sys);
	if (!read_file(p->meminfo ? p->meminfo : "/proc/meminfo", &buf, &len))
		pcpu_kfacts_parse_meminfo(kf, buf, len);
	free(buf);
	buf = NULL;
	len = 0;
	if (!read_file(p->cmdline ? p->cmdline : "/proc/cmdline", &buf, &len))
		pcpu_kfacts_parse_cmdline(kf, buf, len);
	free(buf);
	read_sets(p, sys);
	return 0;
}

void kf_derive(const struct pcpu_kfacts *kf, const struct kf_sys *sys,
	       struct kf_derived *d)
{
	int i, g;

	memset(d, 0, sizeof(*d));
	d->nr_possible = sys->sets_known ? (int)pcpu_cpuset_count(&sys->possible) : -1;
	d->nr_present = sys->sets_known ? (int)pcpu_cpuset_count(&sys->present) : -1;
	d->nr_online = sys->sets_known ? (int)pcpu_cpuset_count(&sys->online) : -1;
	if (pcpu_kfacts_known(kf, PCPU_KF_UNIT)) {
		d->unit_known = true;
		d->unit = kf->unit_size;
	} else if (pcpu_kfacts_known(kf, PCPU_KF_PAGES_PER_CPU) &&
		   pcpu_kfacts_known(kf, PCPU_KF_PAGE_SIZE)) {
		/* the page allocator: a unit is its pages */
		d->unit_known = true;
		d->unit = kf->pages_per_cpu * kf->page_size;
	}
	if (d->unit_known && sys->sets_known) {
		d->possible_bytes = d->unit * (unsigned long long)d->nr_possible;
		d->online_bytes = d->unit * (unsigned long long)d->nr_online;
	}
	d->nr_groups = pcpu_kfacts_known(kf, PCPU_KF_NR_GROUPS) ?
		(int)(kf->nr_groups < 64 ? kf->nr_groups : 64) : 0;
	for (g = 0; g < 64; g++)
		d->group_node[g] = -1;
	if (!sys->numa_known)
		return;
	/* the node most of the group's CPUs are on (the kernel grouped
	 * them by node at boot); a tie, or a single group over several
	 * nodes, is no answer */
	for (g = 0; g < d->nr_groups; g++) {
		int cnt[64] = { 0 }, best = -1, nb = 0, tie = 0;

		for (i = 0; i < kf->nr_units_kept; i++) {
			const struct pcpu_kf_unit *u = &kf->units[i];
			int n;

			if (u->group != g || u->cpu < 0 || u->cpu >= PCPU_KF_MAX_UNITS)
				continue;
			n = sys->cpu_node[u->cpu];
			if (n >= 0 && n < 64)
				cnt[n]++;
		}
		for (i = 0; i < 64; i++) {
			if (cnt[i] > nb) {
				best = i;
				nb = cnt[i];
				tie = 0;
			} else if (cnt[i] && cnt[i] == nb) {
				tie = 1;
			}
		}
		for (i = 0, nb = 0; i < 64; i++)
			nb += cnt[i] > 0;
		/*
		 * One group for CPUs of several nodes (percpu_alloc=page, or
		 * a kernel without a distance function): it has no node.
		 */
		if (d->nr_groups == 1 && nb > 1)
			tie = 1;
		d->group_node[g] = tie ? -2 : best;
	}
	for (i = 0; i < kf->nr_units_kept; i++) {
		const struct pcpu_kf_unit *u = &kf->units[i];

		if (u->cpu < 0 || u->cpu >= PCPU_KF_MAX_UNITS || u->group >= 64)
			continue;
		if (sys->cpu_node[u->cpu] >= 0 && d->group_node[u->group] >= 0 &&
		    d->group_node[u->group] != sys->cpu_node[u->cpu])
			d->off_node++;
	}
}
