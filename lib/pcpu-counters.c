// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-counters.c - perf_event_open groups, event specs and libpfm4.
 *
 * Spec: names to perf_event_attr encodings (generic table, software
 * table, libpfm4 for native names and a few vendor aliases). Session: the
 * events opened as groups (software events in one group; hardware events
 * in groups of at most PCNT_HW_GROUP so that a group always fits the
 * PMU), each group read with one PERF_FORMAT_GROUP read. Failures are
 * kept as "na:<reason>" per event; multiplexing is scaled and reported.
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

#ifdef HAVE_PFM
#include <perfmon/pfmlib_perf_event.h>
#endif

#include "pcpu-counters.h"

#define PCNT_HW_GROUP 4
#define PCNT_MAX_GROUPS PCNT_MAX_EVENTS

#define HWC(id, op, res) (PERF_COUNT_HW_CACHE_##id | \
	(PERF_COUNT_HW_CACHE_OP_##op << 8) | \
	(PERF_COUNT_HW_CACHE_RESULT_##res << 16))

static const struct {
	const char *name;
	enum pcnt_kind kind;
	uint32_t type;
	uint64_t config;
} generic[] = {
	{ "cycles", PCNT_KIND_HW, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PCNT_KIND_HW, PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_INSTRUCTIONS },
	{ "dTLB-loads", PCNT_KIND_HW, PERF_TYPE_HW_CACHE, HWC(DTLB, READ, ACCESS) },
	{ "dTLB-load-misses", PCNT_KIND_HW, PERF_TYPE_HW_CACHE,
	  HWC(DTLB, READ, MISS) },
	{ "dTLB-store-misses", PCNT_KIND_HW, PERF_TYPE_HW_CACHE,
	  HWC(DTLB, WRITE, MISS) },
	{ "node-loads", PCNT_KIND_HW, PERF_TYPE_HW_CACHE, HWC(NODE, READ, ACCESS) },
	{ "node-load-misses", PCNT_KIND_HW, PERF_TYPE_HW_CACHE,
	  HWC(NODE, READ, MISS) },
	{ "page-faults", PCNT_KIND_SW, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_PAGE_FAULTS },
	{ "cpu-migrations", PCNT_KIND_SW, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "context-switches", PCNT_KIND_SW, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "task-clock", PCNT_KIND_SW, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_TASK_CLOCK },
};

/* Native names that need more than NAME.UMASK, per vendor. */
static const struct {
	const char *name, *pfm;
} aliases[] = {
	{ "L1_DTLB_MISS.ALL",
	  "L1_DTLB_MISS:TLB_RELOAD_1G_L2_MISS:TLB_RELOAD_2M_L2_MISS:"
	  "TLB_RELOAD_COALESCED_PAGE_MISS:TLB_RELOAD_4K_L2_MISS:"
	  "TLB_RELOAD_1G_L2_HIT:TLB_RELOAD_2M_L2_HIT:"
	  "TLB_RELOAD_COALESCED_PAGE_HIT:TLB_RELOAD_4K_L2_HIT" },
	{ "L1_DTLB_MISS.WALK",
	  "L1_DTLB_MISS:TLB_RELOAD_1G_L2_MISS:TLB_RELOAD_2M_L2_MISS:"
	  "TLB_RELOAD_COALESCED_PAGE_MISS:TLB_RELOAD_4K_L2_MISS" },
};

#define SW_ALWAYS "page-faults,cpu-migrations,context-switches"
#define GENERIC_DEFAULT "dTLB-loads,dTLB-load-misses,dTLB-store-misses," \
	"node-loads,node-load-misses,cycles,instructions"
#define NATIVE_INTEL "DTLB_LOAD_MISSES.WALK_COMPLETED," \
	"DTLB_LOAD_MISSES.WALK_ACTIVE,MEM_LOAD_L3_MISS_RETIRED.REMOTE_DRAM"
#define NATIVE_AMD "L1_DTLB_MISS.ALL,L1_DTLB_MISS.WALK," \
	"DEMAND_DATA_CACHE_FILLS_FROM_SYSTEM.MEM_IO_RMT"

static int cpu_is_amd(void)
{
	static int cached = -1;
	char line[256];
	FILE *f;

	if (cached >= 0)
		return cached;
	cached = 0;
	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "vendor_id", 9)) {
			cached = !!strstr(line, "AuthenticAMD") ||
				 !!strstr(line, "HygonGenuine");
			break;
		}
	fclose(f);
	return cached;
}

const char *pcnt_native_list(void)
{
	return cpu_is_amd() ? NATIVE_AMD : NATIVE_INTEL;
}

const char *pcnt_default_list(void)
{
	return cpu_is_amd() ?
		GENERIC_DEFAULT "," NATIVE_AMD "," SW_ALWAYS :
		GENERIC_DEFAULT "," NATIVE_INTEL "," SW_ALWAYS;
}

/* ---- libpfm4 ------------------------------------------------------------ */

static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;
static int pfm_ret;
static char pfm_pmu_desc[160];
static char pfm_pmu_short[64] = "none";

static void pfm_setup(void)
{
#ifdef HAVE_PFM
	const char *forced = getenv("LIBPFM_FORCE_PMU");
	int p, found = 0;

	pfm_ret = pfm_initialize();
	if (pfm_ret != PFM_SUCCESS) {
		snprintf(pfm_pmu_desc, sizeof(pfm_pmu_desc),
			 "unavailable: pfm_initialize failed: %s",
			 pfm_strerror(pfm_ret));
		return;
	}
	for (p = PFM_PMU_NONE; p < PFM_PMU_MAX; p++) {
		pfm_pmu_info_t in;

		memset(&in, 0, sizeof(in));
		in.size = sizeof(in);
		if (pfm_get_pmu_info(p, &in) != PFM_SUCCESS || !in.is_present ||
		    in.type != PFM_PMU_TYPE_CORE)
			continue;
		snprintf(pfm_pmu_short, sizeof(pfm_pmu_short), "%s", in.name);
		snprintf(pfm_pmu_desc, sizeof(pfm_pmu_desc), "%s%s", in.name,
			 forced && *forced ? " (forced by LIBPFM_FORCE_PMU)" : "");
		found = 1;
		break;
	}
	if (!found)
		snprintf(pfm_pmu_short, sizeof(pfm_pmu_short), "perf");
	if (!found)
		snprintf(pfm_pmu_desc, sizeof(pfm_pmu_desc),
			 "perf (generic events only: libpfm4 detected no core PMU%s)",
			 forced && *forced ? "; LIBPFM_FORCE_PMU set" : "");
#else
	pfm_ret = -1;
	snprintf(pfm_pmu_desc, sizeof(pfm_pmu_desc),
		 "unavailable: built without libpfm4");
#endif
}

const char *pcnt_pfm_pmu(void)
{
	pthread_once(&pfm_once, pfm_setup);
	return pfm_pmu_desc;
}

/**
 * pcnt_pfm_encode() - see pcpu-counters.h.
 * Return: 0; -ENOTSUP; -ENOENT; -EINVAL.
 */
int pcnt_pfm_encode(const char *name, uint32_t *type, uint64_t *config,
		    uint64_t *config1, uint64_t *config2, char *pmu,
		    size_t pmulen)
{
#ifdef HAVE_PFM
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	char buf[512], *fstr = NULL, *p;
	unsigned i;
	int r;

	pthread_once(&pfm_once, pfm_setup);
	if (pfm_ret != PFM_SUCCESS)
		return -ENOTSUP;
	snprintf(buf, sizeof(buf), "%s", name);
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (!strcmp(name, aliases[i].name))
			snprintf(buf, sizeof(buf), "%s", aliases[i].pfm);
	for (p = buf; *p; p++)
		if (*p == '.')
			*p = ':';
	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.size = sizeof(arg);
	arg.attr = &attr;
	arg.fstr = &fstr;
	r = pfm_get_os_event_encoding(buf, PFM_PLM3, PFM_OS_PERF_EVENT_EXT,
				      &arg);
	if (r != PFM_SUCCESS) {
		free(fstr);
		return r == PFM_ERR_NOTFOUND ? -ENOENT : -EINVAL;
	}
	*type = attr.type;
	*config = attr.config;
	*config1 = attr.config1;
	*config2 = attr.config2;
	if (pmu && pmulen) {
		char *sep = fstr ? strstr(fstr, "::") : NULL;

		snprintf(pmu, pmulen, "%.*s", sep ? (int)(sep - fstr) : 0,
			 fstr ? fstr : "");
	}
	free(fstr);
	return 0;
#else
	return -ENOTSUP;
#endif
}

/* ---- spec ---------------------------------------------------------------- */

static int spec_has(const struct pcnt_spec *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->ev[i].name, name))
			return 1;
	return 0;
}

static int spec_add(struct pcnt_spec *s, const char *name, char *err,
		    size_t errlen)
{
	struct pcnt_event_spec *e;
	unsigned i;
	int r;

	if (spec_has(s, name))
		return 0;
	if (s->n >= PCNT_MAX_EVENTS) {
		snprintf(err, errlen, "more than %d events", PCNT_MAX_EVENTS);
		return -E2BIG;
	}
	if (strlen(name) >= PCNT_NAME_LEN || strpbrk(name, "\",\n")) {
		snprintf(err, errlen, "bad event name '%s'", name);
		return -EINVAL;
	}
	e = &s->ev[s->n];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", name);
	for (i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
		if (!strcmp(name, generic[i].name)) {
			e->kind = generic[i].kind;
			e->type = generic[i].type;
			e->config = generic[i].config;
			s->n++;
			return 0;
		}
	/* Native names are upper case; a lower-case word is a typo. */
	if (name[0] < 'A' || name[0] > 'Z') {
		snprintf(err, errlen, "unknown event '%s' (generic: cycles, "
			 "instructions, dTLB-loads, dTLB-load-misses, "
			 "dTLB-store-misses, node-loads, node-load-misses, "
			 "page-faults, cpu-migrations, context-switches, "
			 "task-clock; native names in upper case)", name);
		return -EINVAL;
	}
	e->kind = PCNT_KIND_NATIVE;
	r = pcnt_pfm_encode(name, &e->type, &e->config, &e->config1,
			    &e->config2, e->pfm_pmu, sizeof(e->pfm_pmu));
	if (r == -ENOTSUP)
		snprintf(e->unresolved, sizeof(e->unresolved),
			 "na:no-libpfm(native event names need libpfm4)");
	else if (r == -ENOENT && !strcmp(pfm_pmu_short, "perf"))
		snprintf(e->unresolved, sizeof(e->unresolved),
			 "na:no-pmu(libpfm4 found no core PMU here; native "
			 "events need one)");
	else if (r == -ENOENT)
		snprintf(e->unresolved, sizeof(e->unresolved),
			 "na:unknown-event(not in libpfm4's %s table)",
			 pfm_pmu_short);
	else if (r)
		snprintf(e->unresolved, sizeof(e->unresolved),
			 "na:bad-event(libpfm4's %s table could not encode it)",
			 pfm_pmu_short);
	/* No commas in a status. */
	for (i = 0; e->unresolved[i]; i++)
		if (e->unresolved[i] == ',')
			e->unresolved[i] = ';';
	s->n++;
	return 0;
}

static int spec_add_list(struct pcnt_spec *s, const char *list, char *err,
			 size_t errlen)
{
	char *dup = strdup(list), *tok, *save = NULL;
	int r = 0;

	if (!dup)
		return -ENOMEM;
	for (tok = strtok_r(dup, ",", &save); tok && !r;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (!*tok)
			continue;
		if (!strcmp(tok, "default"))
			r = spec_add_list(s, pcnt_default_list(), err, errlen);
		else if (!strcmp(tok, "native"))
			r = spec_add_list(s, pcnt_native_list(), err, errlen);
		else if (!strcmp(tok, "sw") || !strcmp(tok, "none"))
			r = 0;
		else
			r = spec_add(s, tok, err, errlen);
	}
	free(dup);
	return r;
}

/**
 * pcnt_spec_parse() - see pcpu-counters.h.
 * Return: 0; -EINVAL; -E2BIG; -ENOMEM.
 */
int pcnt_spec_parse(struct pcnt_spec *s, const char *list, char *err,
		    size_t errlen)
{
	int r;

	if (!s || !list || !*list) {
		snprintf(err, errlen, "empty event list");
		return -EINVAL;
	}
	memset(s, 0, sizeof(*s));
	r = spec_add_list(s, list, err, errlen);
	if (!r)
		r = spec_add_list(s, SW_ALWAYS, err, errlen);
	return r;
}

/* ---- session ------------------------------------------------------------- */

struct pcnt_group {
	int leader_fd;
	size_t nmembers;
	size_t member[PCNT_MAX_EVENTS];	/* event indices */
};

struct pcnt_session {
	struct pcnt_spec spec;
	int fd[PCNT_MAX_EVENTS];
	uint64_t id[PCNT_MAX_EVENTS];
	char status[PCNT_MAX_EVENTS][PCNT_STATUS_LEN];
	size_t ngroups;
	struct pcnt_group groups[PCNT_MAX_GROUPS];
};

static long sys_perf_event_open(struct perf_event_attr *a, pid_t pid,
				int cpu, int group, unsigned long flags)
{
	return syscall(SYS_perf_event_open, a, pid, cpu, group, flags);
}

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
			 "none at all in this VM)");
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
			 "such as the NMI watchdog)");
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
	/* Keep statuses comma-free. */
	for (; *buf; buf++)
		if (*buf == ',')
			*buf = ';';
}

static int open_one(struct pcnt_session *ss, size_t i, pid_t pid, int cpu,
		    int group_fd)
{
	const struct pcnt_event_spec *e = &ss->spec.ev[i];
	struct perf_event_attr a;
	long fd;

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
	fd = sys_perf_event_open(&a, pid, cpu, group_fd, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM) && !a.exclude_kernel) {
		a.exclude_kernel = 1;
		fd = sys_perf_event_open(&a, pid, cpu, group_fd,
					 PERF_FLAG_FD_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	ss->fd[i] = (int)fd;
	if (ioctl((int)fd, PERF_EVENT_IOC_ID, &ss->id[i]) < 0) {
		int r = -errno;

		close((int)fd);
		ss->fd[i] = -1;
		return r;
	}
	return 0;
}

/* Open events with indices in @idx as groups of at most @max. */
static int open_groups(struct pcnt_session *ss, const size_t *idx, size_t n,
		       size_t max, pid_t pid, int cpu)
{
	struct pcnt_group *g = NULL;
	size_t k;

	for (k = 0; k < n; k++) {
		size_t i = idx[k];
		int r;

		if (!g || g->nmembers >= max) {
			if (ss->ngroups >= PCNT_MAX_GROUPS)
				return -E2BIG;
			g = &ss->groups[ss->ngroups];
			g->leader_fd = -1;
			g->nmembers = 0;
		}
		r = open_one(ss, i, pid, cpu, g->leader_fd);
		if (r) {
			pcnt_errno_reason(r, ss->spec.ev[i].kind, ss->status[i],
					  sizeof(ss->status[i]));
			continue;
		}
		snprintf(ss->status[i], sizeof(ss->status[i]), "ok");
		if (g->leader_fd < 0) {
			g->leader_fd = ss->fd[i];
			ss->ngroups++;
		}
		g->member[g->nmembers++] = i;
	}
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
	size_t hw[PCNT_MAX_EVENTS], sw[PCNT_MAX_EVENTS], nhw = 0, nsw = 0, i;
	int r;

	if (!out || !s || s->n > PCNT_MAX_EVENTS)
		return -EINVAL;
	ss = calloc(1, sizeof(*ss));
	if (!ss)
		return -ENOMEM;
	ss->spec = *s;
	for (i = 0; i < PCNT_MAX_EVENTS; i++)
		ss->fd[i] = -1;
	for (i = 0; i < s->n; i++) {
		if (s->ev[i].unresolved[0]) {
			snprintf(ss->status[i], sizeof(ss->status[i]), "%s",
				 s->ev[i].unresolved);
			continue;
		}
		if (s->ev[i].kind == PCNT_KIND_SW)
			sw[nsw++] = i;
		else
			hw[nhw++] = i;
	}
	r = open_groups(ss, sw, nsw, PCNT_MAX_EVENTS, pid, cpu);
	if (!r)
		r = open_groups(ss, hw, nhw, PCNT_HW_GROUP, pid, cpu);
	if (r) {
		pcnt_close(ss);
		return r;
	}
	*out = ss;
	return 0;
}

void pcnt_close(struct pcnt_session *ss)
{
	size_t i;

	if (!ss)
		return;
	/* Members before leaders does not matter; close all. */
	for (i = 0; i < PCNT_MAX_EVENTS; i++)
		if (ss->fd[i] >= 0)
			close(ss->fd[i]);
	free(ss);
}

static int ioctl_all(struct pcnt_session *ss, unsigned long req)
{
	size_t g;

	for (g = 0; g < ss->ngroups; g++)
		if (ioctl(ss->groups[g].leader_fd, req, PERF_IOC_FLAG_GROUP) < 0)
			return -errno;
	return 0;
}

int pcnt_enable(struct pcnt_session *ss)
{
	int r;

	if (!ss)
		return -EINVAL;
	r = ioctl_all(ss, PERF_EVENT_IOC_RESET);
	return r ? r : ioctl_all(ss, PERF_EVENT_IOC_ENABLE);
}

int pcnt_disable(struct pcnt_session *ss)
{
	return ss ? ioctl_all(ss, PERF_EVENT_IOC_DISABLE) : -EINVAL;
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
		ssize_t n = read(gr->leader_fd, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		if (n < (ssize_t)(3 * sizeof(uint64_t)) ||
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

static void flag(struct pcnt_result *r, const char *rule)
{
	if (!strncmp(r->status, "na:", 3))
		return;
	snprintf(r->status, sizeof(r->status), "flagged:%s", rule);
}

static int find(const struct pcnt_spec *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->ev[i].name, name))
			return (int)i;
	return -1;
}

static int usable(const struct pcnt_result *r)
{
	return strncmp(r->status, "na:", 3) && isfinite(r->value);
}

/**
 * pcnt_check_rules() - relationship rules over one interval.
 * Return: number of violations.
 */
int pcnt_check_rules(const struct pcnt_spec *s, struct pcnt_result *res)
{
	static const char *const pairs[][2] = {
		{ "dTLB-load-misses", "dTLB-loads" },
		{ "node-load-misses", "node-loads" },
	};
	size_t i;
	int bad = 0;

	for (i = 0; i < s->n; i++) {
		if (!usable(&res[i]))
			continue;
		if (res[i].running > res[i].enabled) {
			flag(&res[i], "running-gt-enabled");
			bad++;
		} else if (res[i].value < 0) {
			flag(&res[i], "negative-count");
			bad++;
		}
	}
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		int m = find(s, pairs[i][0]), l = find(s, pairs[i][1]);
		double ratio;

		if (m < 0 || l < 0 || !usable(&res[m]) || !usable(&res[l]))
			continue;
		/* misses <= loads; and so the miss ratio lies in [0, 1]. */
		if (res[m].value > res[l].value) {
			flag(&res[m], "misses-gt-loads");
			flag(&res[l], "misses-gt-loads");
			bad++;
			continue;
		}
		ratio = res[l].value > 0 ? res[m].value / res[l].value : 0;
		if (ratio < 0 || ratio > 1) {
			flag(&res[m], "ratio-out-of-0-1");
			bad++;
		}
	}
	return bad;
}

/**
 * pcnt_delta() - see pcpu-counters.h.
 * Return: 0; -EINVAL.
 */
int pcnt_delta(struct pcnt_session *ss, const struct pcnt_sample *a,
	       const struct pcnt_sample *b, struct pcnt_result *res)
{
	size_t i;

	if (!ss || !a || !b || !res)
		return -EINVAL;
	for (i = 0; i < ss->spec.n; i++) {
		struct pcnt_result *r = &res[i];

		memset(r, 0, sizeof(*r));
		r->value = NAN;
		if (strcmp(ss->status[i], "ok")) {
			snprintf(r->status, sizeof(r->status), "%s",
				 ss->status[i]);
			continue;
		}
		r->raw = b->value[i] - a->value[i];
		r->enabled = b->enabled[i] - a->enabled[i];
		r->running = b->running[i] - a->running[i];
		if (b->value[i] < a->value[i] || b->enabled[i] < a->enabled[i] ||
		    b->running[i] < a->running[i]) {
			r->value = (double)(int64_t)r->raw;
			snprintf(r->status, sizeof(r->status),
				 "flagged:counter-went-backwards");
			continue;
		}
		if (r->enabled && !r->running) {
			snprintf(r->status, sizeof(r->status),
				 "na:not-scheduled(the PMU never ran this "
				 "counter: too many events at once)");
			continue;
		}
		if (r->running < r->enabled) {
			r->value = (double)r->raw * (double)r->enabled /
				   (double)r->running;
			snprintf(r->status, sizeof(r->status), "multiplexed");
		} else {
			r->value = (double)r->raw;
			snprintf(r->status, sizeof(r->status), "ok");
		}
	}
	pcnt_check_rules(&ss->spec, res);
	return 0;
}

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

	for (i = 0; ss && i < ss->spec.n; i++)
		if (!strcmp(ss->spec.ev[i].name, "cycles") &&
		    !strcmp(ss->status[i], "ok")) {
			if (idx)
				*idx = i;
			return true;
		}
	return false;
}
