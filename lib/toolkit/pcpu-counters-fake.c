// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-counters-fake.c - the built-in fake PMU behind the counter seam.
 *
 * A perf backend that answers perf_event_open, read, ioctl and close for
 * hardware events from a small model: N general-purpose counters (and
 * fixed ones for Intel cycles/instructions), groups that do not fit are
 * refused with EINVAL as the kernel's validate_group() does, counters
 * held by "another user" make a too-big group never run, a multiplexing
 * fraction scales time_running, chosen encodings fail with a chosen
 * errno, and every read of an enabled group (and its disable) advances
 * each member by its rate. Software events go to the real kernel, so they stay real. The
 * fake also sets the CPU identity the event tables are matched against,
 * the counter capacity and whether libpfm4 may be used, so the raw
 * fallback of any family can be exercised on any machine.
 *
 * Installed by the caller with pcnt_fake_install() (the unit tests, and
 * pcpubench in its test mode: PCPU_FAKE_PERF=<spec>, bench/bench-env.c;
 * pcpu-counters.h lists the keys); output then names the backend
 * "fake(...)". Nothing in the library installs it by itself.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "pcpu-counters-priv.h"
#include "pcpu-cpuid.h"

#define FAKE_FD_BASE 1000000
#define FAKE_MAX 512
#define FAKE_RULES 16
#define FAKE_TICK_NS 1000000ULL

struct pcnt_fake_cfg {
	unsigned counters, fixed;
	bool fixed_set;
	int watchdog;
	unsigned held;
	double mux;
	uint64_t rate;
	size_t nrate, nfail;
	uint64_t rate_cfg[FAKE_RULES], rate_val[FAKE_RULES];
	uint64_t fail_cfg[FAKE_RULES];
	int fail_err[FAKE_RULES];
	int fail_hw, fail_generic;
};

struct fake_ev {
	bool used, enabled;
	int leader;		/* slot of the leader; itself for a leader */
	bool gp;		/* uses a general-purpose counter */
	uint64_t id, rate, value, t_enabled, t_running;
};

static struct pcnt_fake_cfg fcfg;
static struct fake_ev fev[FAKE_MAX];
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;
static char fake_name[400];

static const struct {
	const char *name;
	int err;
} errnames[] = {
	{ "ENOENT", ENOENT }, { "EACCES", EACCES }, { "EPERM", EPERM },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "EBUSY", EBUSY }, { "EINVAL", EINVAL },
	{ "ENODEV", ENODEV }, { "EMFILE", EMFILE },
};

static int errno_of(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (!strcmp(s, errnames[i].name))
			return errnames[i].err;
	return 0;
}

static bool is_fixed_event(const struct perf_event_attr *a)
{
	if (a->type == PERF_TYPE_HARDWARE)
		return a->config == PERF_COUNT_HW_CPU_CYCLES ||
		       a->config == PERF_COUNT_HW_INSTRUCTIONS;
	return a->type == PERF_TYPE_RAW &&
	       (a->config == 0x3c || a->config == 0xc0);
}

static int f_open(void *priv, struct perf_event_attr *a, pid_t pid, int cpu,
		  int group_fd, unsigned long flags)
{
	size_t i;
	int slot = -1, k, lead, gp = 0, fx = 0;
	bool fixed;

	if (a->type == PERF_TYPE_SOFTWARE) {
		long fd = syscall(SYS_perf_event_open, a, pid, cpu, group_fd,
				  flags);

		return fd < 0 ? -errno : (int)fd;
	}
	if (fcfg.fail_hw)
		return -fcfg.fail_hw;
	if (fcfg.fail_generic && (a->type == PERF_TYPE_HARDWARE ||
				  a->type == PERF_TYPE_HW_CACHE))
		return -fcfg.fail_generic;
	for (i = 0; i < fcfg.nfail; i++)
		if (a->type == PERF_TYPE_RAW && a->config == fcfg.fail_cfg[i])
			return -fcfg.fail_err[i];
	if (a->type != PERF_TYPE_RAW && a->type != PERF_TYPE_HARDWARE &&
	    a->type != PERF_TYPE_HW_CACHE)
		return -ENOENT;
	fixed = is_fixed_event(a) && fcfg.fixed > 0;
	pthread_mutex_lock(&fake_lock);
	lead = group_fd >= FAKE_FD_BASE ? group_fd - FAKE_FD_BASE : -1;
	if (group_fd >= 0 && (lead < 0 || lead >= FAKE_MAX || !fev[lead].used)) {
		pthread_mutex_unlock(&fake_lock);
		return -EINVAL;
	}
	if (lead >= 0) {
		/* The kernel's validate_group(): the group must fit. */
		for (k = 0; k < FAKE_MAX; k++)
			if (fev[k].used && fev[k].leader == lead) {
				gp += fev[k].gp;
				fx += !fev[k].gp;
			}
		if ((!fixed && gp + 1 > (int)fcfg.counters) ||
		    (fixed && fx + 1 > (int)fcfg.fixed &&
		     gp + 1 > (int)fcfg.counters)) {
			pthread_mutex_unlock(&fake_lock);
			return -EINVAL;
		}
		if (fixed && fx + 1 > (int)fcfg.fixed)
			fixed = false;
	}
	for (k = 0; k < FAKE_MAX; k++)
		if (!fev[k].used) {
			slot = k;
			break;
		}
	if (slot < 0) {
		pthread_mutex_unlock(&fake_lock);
		return -EMFILE;
	}
	memset(&fev[slot], 0, sizeof(fev[slot]));
	fev[slot].used = true;
	fev[slot].leader = lead >= 0 ? lead : slot;
	fev[slot].gp = !fixed;
	fev[slot].id = 7000 + (uint64_t)slot;
	fev[slot].rate = fcfg.rate;
	for (i = 0; i < fcfg.nrate; i++)
		if (a->type == PERF_TYPE_RAW && a->config == fcfg.rate_cfg[i])
			fev[slot].rate = fcfg.rate_val[i];
	fev[slot].enabled = lead >= 0 ? fev[lead].enabled : !a->disabled;
	pthread_mutex_unlock(&fake_lock);
	return FAKE_FD_BASE + slot;
}

/*
 * One tick of group @lead: every enabled member advances by its rate
 * (times mux), time_enabled by a tick and time_running by mux of it,
 * unless the group cannot get its counters. Called with fake_lock held.
 */
static void tick(int lead)
{
	int k, gp = 0;
	bool sched;

	for (k = 0; k < FAKE_MAX; k++)
		if (fev[k].used && fev[k].leader == lead)
			gp += fev[k].gp;
	/* Counters held by another user: a group too big never runs. */
	sched = gp + (int)fcfg.held <= (int)fcfg.counters;
	for (k = 0; k < FAKE_MAX; k++) {
		struct fake_ev *e = &fev[k];

		if (!e->used || e->leader != lead || !e->enabled)
			continue;
		e->t_enabled += FAKE_TICK_NS;
		if (sched) {
			e->t_running += (uint64_t)llround(fcfg.mux * FAKE_TICK_NS);
			e->value += (uint64_t)llround(fcfg.mux * (double)e->rate);
		}
	}
}

static ssize_t f_read(void *priv, int fd, void *buf, size_t len)
{
	uint64_t *b = buf;
	int lead = fd - FAKE_FD_BASE, k;
	size_t n = 0;

	if (fd < FAKE_FD_BASE) {
		ssize_t r = read(fd, buf, len);

		return r < 0 ? -errno : r;
	}
	pthread_mutex_lock(&fake_lock);
	if (lead < 0 || lead >= FAKE_MAX || !fev[lead].used ||
	    fev[lead].leader != lead) {
		pthread_mutex_unlock(&fake_lock);
		return -EINVAL;
	}
	tick(lead);
	if (len < 3 * sizeof(uint64_t)) {
		pthread_mutex_unlock(&fake_lock);
		return -ENOSPC;
	}
	b[1] = fev[lead].t_enabled;
	b[2] = fev[lead].t_running;
	for (k = 0; k < FAKE_MAX; k++) {
		if (!fev[k].used || fev[k].leader != lead)
			continue;
		if ((3 + 2 * (n + 1)) * sizeof(uint64_t) > len) {
			pthread_mutex_unlock(&fake_lock);
			return -ENOSPC;
		}
		b[3 + 2 * n] = fev[k].value;
		b[4 + 2 * n] = fev[k].id;
		n++;
	}
	b[0] = n;
	pthread_mutex_unlock(&fake_lock);
	return (ssize_t)((3 + 2 * n) * sizeof(uint64_t));
}

static int f_ioctl(void *priv, int fd, unsigned long req, unsigned long arg)
{
	int s = fd - FAKE_FD_BASE, k;

	if (fd < FAKE_FD_BASE)
		return ioctl(fd, req, arg) < 0 ? -errno : 0;
	pthread_mutex_lock(&fake_lock);
	if (s < 0 || s >= FAKE_MAX || !fev[s].used) {
		pthread_mutex_unlock(&fake_lock);
		return -EBADF;
	}
	if (req == PERF_EVENT_IOC_ID) {
		*(uint64_t *)arg = fev[s].id;
		pthread_mutex_unlock(&fake_lock);
		return 0;
	}
	/* Counting went on until it is stopped: a disable ends with a tick. */
	if (req == PERF_EVENT_IOC_DISABLE && fev[s].leader == s && fev[s].enabled)
		tick(s);
	for (k = 0; k < FAKE_MAX; k++) {
		struct fake_ev *e = &fev[k];

		if (!e->used || (k != s && !(arg == PERF_IOC_FLAG_GROUP &&
					     e->leader == s)))
			continue;
		if (req == PERF_EVENT_IOC_ENABLE)
			e->enabled = true;
		else if (req == PERF_EVENT_IOC_DISABLE)
			e->enabled = false;
		else if (req == PERF_EVENT_IOC_RESET)
			e->value = 0;
	}
	pthread_mutex_unlock(&fake_lock);
	return 0;
}

static void f_close(void *priv, int fd)
{
	int s = fd - FAKE_FD_BASE;

	if (fd < FAKE_FD_BASE) {
		close(fd);
		return;
	}
	pthread_mutex_lock(&fake_lock);
	if (s >= 0 && s < FAKE_MAX)
		fev[s].used = false;
	pthread_mutex_unlock(&fake_lock);
}

static struct pcnt_backend fake_backend = {
	.name = fake_name, .open = f_open, .read = f_read, .ioctl = f_ioctl,
	.close = f_close,
};

static int parse_cpu(const char *v, struct pcnt_cpu *c)
{
	char buf[64], *a, *b;

	snprintf(buf, sizeof(buf), "%s", v);
	a = strchr(buf, ':');
	b = a ? strchr(a + 1, ':') : NULL;
	if (!a || !b)
		return -EINVAL;
	*a = *b = 0;
	memset(c, 0, sizeof(*c));
	snprintf(c->vendor, sizeof(c->vendor), "%.15s", buf);
	c->family = (unsigned)strtoul(a + 1, NULL, 0);
	c->model = (unsigned)strtoul(b + 1, NULL, 0);
	return c->vendor[0] && c->family ? 0 : -EINVAL;
}

/**
 * pcnt_fake_install() - see pcpu-counters.h.
 * Return: 0; -EINVAL.
 */
int pcnt_fake_install(const char *spec, char *err, size_t errlen)
{
	struct pcnt_fake_cfg c;
	struct pcnt_override o;
	char *dup, *tok, *save = NULL;
	int r = 0;

	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	c.counters = 4;
	c.mux = 1.0;
	c.rate = 1000;
	o.pfm_off = true;
	dup = strdup(spec ? spec : "");
	if (!dup)
		return -ENOMEM;
	for (tok = strtok_r(dup, ";", &save); tok && !r;
	     tok = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(tok, '='), *k = tok, *v;

		if (!eq) {
			if (err)
				snprintf(err, errlen, "PCPU_FAKE_PERF: bad '%s' "
					 "(not key=value)", tok);
			r = -EINVAL;
			break;
		}
		*eq = 0;
		v = eq + 1;
		if (!strcmp(k, "cpu")) {
			r = parse_cpu(v, &o.cpu);
			o.cpu_set = true;
		} else if (!strcmp(k, "counters")) {
			c.counters = (unsigned)strtoul(v, NULL, 0);
			r = c.counters ? 0 : -EINVAL;
		} else if (!strcmp(k, "fixed")) {
			c.fixed = (unsigned)strtoul(v, NULL, 0);
			c.fixed_set = true;
		} else if (!strcmp(k, "watchdog")) {
			c.watchdog = atoi(v) ? 1 : 0;
		} else if (!strcmp(k, "held")) {
			c.held = (unsigned)strtoul(v, NULL, 0);
		} else if (!strcmp(k, "mux")) {
			c.mux = strtod(v, NULL);
			r = c.mux > 0 && c.mux <= 1 ? 0 : -EINVAL;
		} else if (!strcmp(k, "rate")) {
			c.rate = strtoull(v, NULL, 0);
		} else if (!strncmp(k, "rate.", 5) && c.nrate < FAKE_RULES) {
			c.rate_cfg[c.nrate] = strtoull(k + 5, NULL, 16);
			c.rate_val[c.nrate++] = strtoull(v, NULL, 0);
		} else if (!strcmp(k, "fail.hw")) {
			c.fail_hw = errno_of(v);
			r = c.fail_hw ? 0 : -EINVAL;
		} else if (!strcmp(k, "fail.generic")) {
			c.fail_generic = errno_of(v);
			r = c.fail_generic ? 0 : -EINVAL;
		} else if (!strncmp(k, "fail.", 5) && c.nfail < FAKE_RULES) {
			c.fail_cfg[c.nfail] = strtoull(k + 5, NULL, 16);
			c.fail_err[c.nfail] = errno_of(v);
			r = c.fail_err[c.nfail++] ? 0 : -EINVAL;
		} else if (!strcmp(k, "pfm")) {
			o.pfm_off = !atoi(v);
		} else {
			r = -EINVAL;
		}
		if (r && err)
			snprintf(err, errlen, "PCPU_FAKE_PERF: bad '%s=%s'", k, v);
	}
	free(dup);
	if (r)
		return r;
	if (!c.fixed_set) {
		struct pcpu_cpuid_info ci;

		/* The real CPU's vendor, not pcnt_cpu(): an older fake's. */
		memset(&ci, 0, sizeof(ci));
		if (!o.cpu_set)
			pcpu_cpuid_read(&ci);
		c.fixed = !strcmp(o.cpu_set ? o.cpu.vendor : ci.vendor,
				  "GenuineIntel") ? 2 : 0;
	}
	o.cap_set = true;
	o.gp = c.counters;
	o.fixed = c.fixed;
	o.watchdog = c.watchdog;
	pthread_mutex_lock(&fake_lock);
	fcfg = c;
	memset(fev, 0, sizeof(fev));
	pthread_mutex_unlock(&fake_lock);
	pcnt_override_set(&o);
	snprintf(fake_name, sizeof(fake_name), "fake(PCPU_FAKE_PERF=%s)",
		 spec ? spec : "");
	for (tok = fake_name; *tok; tok++)
		if (*tok == ',')
			*tok = ' ';
	pcnt_backend_set(&fake_backend);
	return 0;
}

void pcnt_fake_install_broken(const char *why)
{
	pcnt_fake_install("fail.hw=EINVAL", NULL, 0);
	snprintf(fake_name, sizeof(fake_name), "fake(broken: %s)",
		 why ? why : "");
}

void pcnt_fake_uninstall(void)
{
	pcnt_override_set(NULL);
	pcnt_backend_set(NULL);
}
