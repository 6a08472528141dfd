// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-counters.c - the backend in use and counter sessions.
 *
 * A session opens the events of a spec as groups, one per pass of the
 * plan (pcpu-counters-spec.c), software events in a group of their own
 * counted in every pass; every group is read with one PERF_FORMAT_GROUP
 * read. An event that cannot be opened is kept as "na:<reason>". Every
 * system call goes through the backend (the test seam): the kernel
 * unless the program installed another (pcnt_backend_set(), the fake
 * PMU of pcpu-counters-fake.c). Deltas and rules: pcpu-counters-result.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "pcpu-counters-priv.h"

/* ---- backend ---------------------------------------------------------- */

static int k_open(void *priv, struct perf_event_attr *a, pid_t pid, int cpu,
		  int group_fd, unsigned long flags)
{
	long fd = syscall(SYS_perf_event_open, a, pid, cpu, group_fd, flags);

	return fd < 0 ? -errno : (int)fd;
}

static ssize_t k_read(void *priv, int fd, void *buf, size_t len)
{
	ssize_t n = read(fd, buf, len);

	return n < 0 ? -errno : n;
}

static int k_ioctl(void *priv, int fd, unsigned long req, unsigned long arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

static void k_close(void *priv, int fd)
{
	close(fd);
}

static const struct pcnt_backend kernel_backend = {
	.name = "kernel", .open = k_open, .read = k_read, .ioctl = k_ioctl,
	.close = k_close,
};
static const struct pcnt_backend *backend = &kernel_backend;

void pcnt_backend_set(const struct pcnt_backend *b)
{
	backend = b ? b : &kernel_backend;
}

const char *pcnt_backend_name(void)
{
	return backend->name;
}

/* ---- session ------------------------------------------------------------- */

static int paranoid_level(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int v = 99;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 99;
		fclose(f);
	}
	return v;
}

/**
 * pcnt_errno_reason() - see pcpu-counters.h.
 */
void pcnt_errno_reason(int err, enum pcnt_kind kind, char *buf, size_t len)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case ENOENT:
		snprintf(buf, len, kind == PCNT_KIND_SW ?
			 "na:unsupported(ENOENT: kernel does not know this software event)" :
			 "na:no-pmu(ENOENT: no hardware counter for this event; "
			 "a VM without a virtual PMU has none at all)");
		break;
	case ENODEV:
		snprintf(buf, len, "na:no-pmu(ENODEV: no PMU for this event type)");
		break;
	case EOPNOTSUPP:
		snprintf(buf, len, "na:unsupported(EOPNOTSUPP: the PMU cannot "
			 "count this event or mode)");
		break;
	case EACCES:
	case EPERM:
		snprintf(buf, len, "na:paranoid(%s: perf_event_paranoid=%d "
			 "forbids it; needs CAP_PERFMON or a lower setting)",
			 err == EACCES ? "EACCES" : "EPERM", paranoid_level());
		break;
	case EINVAL:
		snprintf(buf, len, "na:invalid(EINVAL: the kernel refused the "
			 "encoding or the group does not fit the PMU)");
		break;
	case EBUSY:
		snprintf(buf, len, "na:busy(EBUSY: counter held by another user "
			 "such as the NMI watchdog or another perf session)");
		break;
	case EMFILE:
	case ENFILE:
		snprintf(buf, len, "na:no-fds(EMFILE: too many open files)");
		break;
	case ENOSYS:
		snprintf(buf, len, "na:no-perf(ENOSYS: kernel without perf events)");
		break;
	default:
		snprintf(buf, len, "na:open-failed(errno %d: %s)", err,
			 strerror(err));
		break;
	}
	pcnt_no_commas(buf);
}

static int open_one(struct pcnt_session *ss, size_t i, pid_t pid, int cpu,
		    int group_fd)
{
	const struct pcnt_event_spec *e = &ss->spec.ev[i];
	struct perf_event_attr a;
	int fd, r;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = e->type;
	a.config = e->config;
	a.config1 = e->config1;
	a.config2 = e->config2;
	a.disabled = group_fd < 0;
	a.read_format = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED |
			PERF_FORMAT_TOTAL_TIME_RUNNING | PERF_FORMAT_ID;
	a.exclude_hv = 1;
	a.exclude_kernel = e->kind != PCNT_KIND_SW;
	fd = ss->be->open(ss->be->priv, &a, pid, cpu, group_fd,
			  PERF_FLAG_FD_CLOEXEC);
	if ((fd == -EACCES || fd == -EPERM) && !a.exclude_kernel) {
		a.exclude_kernel = 1;
		fd = ss->be->open(ss->be->priv, &a, pid, cpu, group_fd,
				  PERF_FLAG_FD_CLOEXEC);
	}
	if (fd < 0)
		return fd;
	ss->fd[i] = fd;
	r = ss->be->ioctl(ss->be->priv, fd, PERF_EVENT_IOC_ID,
			  (unsigned long)&ss->id[i]);
	if (r) {
		ss->be->close(ss->be->priv, fd);
		ss->fd[i] = -1;
		return r;
	}
	return 0;
}

/* Open events @idx as one group (of pass @pass); failures become NA. */
static int open_group(struct pcnt_session *ss, const size_t *idx, size_t n,
		      int pass, pid_t pid, int cpu)
{
	struct pcnt_group *g;
	size_t k;

	if (!n)
		return 0;
	if (ss->ngroups >= PCNT_MAX_GROUPS)
		return -E2BIG;
	g = &ss->groups[ss->ngroups];
	g->leader_fd = -1;
	g->nmembers = 0;
	g->pass = pass;
	for (k = 0; k < n; k++) {
		size_t i = idx[k];
		int r = open_one(ss, i, pid, cpu, g->leader_fd);

		if (r) {
			pcnt_errno_reason(r, ss->spec.ev[i].kind, ss->status[i],
					  sizeof(ss->status[i]));
			continue;
		}
		snprintf(ss->status[i], sizeof(ss->status[i]), "ok");
		if (g->leader_fd < 0)
			g->leader_fd = ss->fd[i];
		g->member[g->nmembers++] = i;
	}
	if (g->leader_fd >= 0)
		ss->ngroups++;
	return 0;
}

/**
 * pcnt_open() - see pcpu-counters.h.
 * Return: 0; -EINVAL; -ENOMEM; -E2BIG.
 */
int pcnt_open(struct pcnt_session **out, const struct pcnt_spec *s,
	      pid_t pid, int cpu)
{
	struct pcnt_session *ss;
	struct pcnt_capacity cap;
	size_t idx[PCNT_MAX_EVENTS], n, i, p;
	char err[PCNT_STATUS_LEN];
	int r = 0;

	if (!out || !s || s->n > PCNT_MAX_EVENTS)
		return -EINVAL;
	ss = calloc(1, sizeof(*ss));
	if (!ss)
		return -ENOMEM;
	ss->spec = *s;
	ss->be = backend;
	for (i = 0; i < PCNT_MAX_EVENTS; i++)
		ss->fd[i] = -1;
	pcnt_capacity(&cap);
	if (pcnt_plan_passes(&ss->spec, &cap, &ss->plan, err, sizeof(err))) {
		/* Checked by pcnt_spec_set_no_split(); plan split instead. */
		ss->spec.no_split = false;
		pcnt_plan_passes(&ss->spec, &cap, &ss->plan, err, sizeof(err));
	}
	for (i = 0; i < s->n; i++) {
		if (s->ev[i].unresolved[0])
			snprintf(ss->status[i], sizeof(ss->status[i]), "%s",
				 s->ev[i].unresolved);
		else if (s->ev[i].kind == PCNT_KIND_DERIVED)
			snprintf(ss->status[i], sizeof(ss->status[i]), "derived");
	}
	for (n = 0, i = 0; i < s->n; i++)
		if (ss->plan.pass_of[i] == PCNT_PASS_ALL)
			idx[n++] = i;
	r = open_group(ss, idx, n, PCNT_PASS_ALL, pid, cpu);
	for (p = 0; !r && p < ss->plan.npasses; p++) {
		for (n = 0, i = 0; i < s->n; i++)
			if (ss->plan.pass_of[i] == (int)p)
				idx[n++] = i;
		r = open_group(ss, idx, n, (int)p, pid, cpu);
	}
	if (r) {
		pcnt_close(ss);
		return r;
	}
	for (i = 0; i < s->n; i++) {
		const struct pcnt_event_spec *e = &s->ev[i];
		int bad;

		if (e->kind != PCNT_KIND_DERIVED)
			continue;
		bad = strcmp(ss->status[e->comp[0]], "ok") ? e->comp[0] :
		      strcmp(ss->status[e->comp[1]], "ok") ? e->comp[1] : -1;
		if (bad >= 0) {
			snprintf(ss->status[i], sizeof(ss->status[i]),
				 "na:summand-na(%.40s is NA: %.150s)",
				 s->ev[bad].name, ss->status[bad] + 3);
			pcnt_no_commas(ss->status[i]);
		}
	}
	*out = ss;
	return 0;
}

void pcnt_close(struct pcnt_session *ss)
{
	size_t i;

	if (!ss)
		return;
	for (i = 0; i < PCNT_MAX_EVENTS; i++)
		if (ss->fd[i] >= 0)
			ss->be->close(ss->be->priv, ss->fd[i]);
	free(ss);
}

static int group_ioctl(struct pcnt_session *ss, struct pcnt_group *g,
		       unsigned long req)
{
	return ss->be->ioctl(ss->be->priv, g->leader_fd, req,
			     PERF_IOC_FLAG_GROUP);
}

static bool group_in_pass(const struct pcnt_session *ss,
			  const struct pcnt_group *g)
{
	return g->pass == PCNT_PASS_ALL || g->pass == (int)ss->cur;
}

int pcnt_enable(struct pcnt_session *ss)
{
	size_t g;
	int r;

	if (!ss)
		return -EINVAL;
	for (g = 0; g < ss->ngroups; g++) {
		if (!group_in_pass(ss, &ss->groups[g]))
			continue;
		r = group_ioctl(ss, &ss->groups[g], PERF_EVENT_IOC_RESET);
		if (!r)
			r = group_ioctl(ss, &ss->groups[g], PERF_EVENT_IOC_ENABLE);
		if (r)
			return r;
	}
	return 0;
}

int pcnt_disable(struct pcnt_session *ss)
{
	size_t g;
	int r;

	if (!ss)
		return -EINVAL;
	for (g = 0; g < ss->ngroups; g++) {
		r = group_ioctl(ss, &ss->groups[g], PERF_EVENT_IOC_DISABLE);
		if (r)
			return r;
	}
	return 0;
}

size_t pcnt_npasses(const struct pcnt_session *ss)
{
	return ss ? ss->plan.npasses : 1;
}

int pcnt_pass_select(struct pcnt_session *ss, size_t pass)
{
	if (!ss)
		return -EINVAL;
	pcnt_disable(ss);
	ss->cur = pass % ss->plan.npasses;
	return 0;
}

int pcnt_pass_of(const struct pcnt_session *ss, size_t i)
{
	return ss && i < ss->spec.n ? ss->plan.pass_of[i] : PCNT_PASS_NONE;
}

void pcnt_plan_text(const struct pcnt_session *ss, char *buf, size_t len)
{
	size_t p, i, l = 0;

	if (!len)
		return;
	buf[0] = 0;
	for (p = 0; ss && p < ss->plan.npasses; p++) {
		l += (size_t)snprintf(buf + l, l < len ? len - l : 0,
				      "%spass %zu:", p ? "; " : "", p + 1);
		for (i = 0; i < ss->spec.n; i++)
			if (ss->plan.pass_of[i] == (int)p && l < len)
				l += (size_t)snprintf(buf + l, len - l, " %s",
						      ss->spec.ev[i].name);
		if (l >= len)
			break;
	}
	if (l < len)
		snprintf(buf + l, len - l, "%s(software events in every pass)",
			 l ? "; " : "");
}

/**
 * pcnt_read() - one PERF_FORMAT_GROUP read per group.
 * Return: 0; -EIO short read; -errno.
 */
int pcnt_read(struct pcnt_session *ss, struct pcnt_sample *out)
{
	uint64_t buf[3 + 2 * PCNT_MAX_EVENTS];
	size_t g, k, m;

	if (!ss || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	for (g = 0; g < ss->ngroups; g++) {
		struct pcnt_group *gr = &ss->groups[g];
		ssize_t n = ss->be->read(ss->be->priv, gr->leader_fd, buf,
					 sizeof(buf));

		if (n < 0)
			return (int)n;
		if (n < (ssize_t)(3 * sizeof(uint64_t)) ||
		    buf[0] > PCNT_MAX_EVENTS ||
		    (size_t)n < (3 + 2 * buf[0]) * sizeof(uint64_t))
			return -EIO;
		for (k = 0; k < buf[0]; k++) {
			uint64_t v = buf[3 + 2 * k], id = buf[4 + 2 * k];

			for (m = 0; m < gr->nmembers; m++) {
				size_t i = gr->member[m];

				if (ss->id[i] != id)
					continue;
				out->value[i] = v;
				out->enabled[i] = buf[1];
				out->running[i] = buf[2];
			}
		}
	}
	return 0;
}

/* ---- what a session holds ------------------------------------------------ */

size_t pcnt_count(const struct pcnt_session *ss)
{
	return ss ? ss->spec.n : 0;
}

const struct pcnt_event_spec *pcnt_event(const struct pcnt_session *ss,
					 size_t i)
{
	return ss && i < ss->spec.n ? &ss->spec.ev[i] : NULL;
}

const char *pcnt_open_status(const struct pcnt_session *ss, size_t i)
{
	return ss && i < ss->spec.n ? ss->status[i] : "na:no-such-event";
}

bool pcnt_has_cycles(const struct pcnt_session *ss, size_t *idx)
{
	size_t i;

	/* A fake backend's counts are not time: never a clock. */
	if (ss && ss->be != &kernel_backend)
		return false;
	for (i = 0; ss && i < ss->spec.n; i++)
		if (!strcmp(ss->spec.ev[i].name, "cycles") &&
		    !strcmp(ss->status[i], "ok") && ss->plan.pass_of[i] == 0) {
			if (idx)
				*idx = i;
			return true;
		}
	return false;
}

void pcnt_metric_name(char *dst, size_t len, const char *ev,
		      const char *suffix)
{
	char *p;

	snprintf(dst, len, "%s%s%s", !strcmp(ev, "cycles") ? "pmu_" : "", ev,
		 suffix ? suffix : "");
	for (p = dst; *p; p++)
		if (*p == ':')
			*p = '.';
}
