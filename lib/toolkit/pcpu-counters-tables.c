// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-counters-tables.c - the event tables (events/<family>.events), the
 * CPU they are matched against, raw encodings and the number of counters.
 *
 * A table is a small text file (format: events/README.md) read at run
 * time, so that a user can add a family or fix an encoding without a
 * rebuild. The directory is the caller's (pcnt_init(): pcpubench's
 * PCPU_EVENT_DIR), else events/ next to the program or one to three
 * levels up from it (build/pcpubench, build/asan/pcpubench,
 * build/asan/tests/test-* in a checkout). The table for this CPU is the
 * one whose vendor, family and model range match (the caller's
 * event_table, pcpubench's PCPU_EVENT_TABLE=<id>, forces one). Counters:
 * CPUID (Intel leaf 0xa, AMD 0x80000022) when it reports them, else the
 * table's figure (SMT or not), minus one when the NMI watchdog holds one.
 * The CPU and its counters can be overridden (the fake backend does).
 * This file calls no other counter file (pcpu-counters-priv.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __x86_64__
#include <cpuid.h>
#endif

#include "pcpu-counters-priv.h"
#include "pcpu-cpuid.h"

static struct pcnt_override ovr;

static pthread_mutex_t tab_lock = PTHREAD_MUTEX_INITIALIZER;
static int tab_done;
static struct pcnt_table tab_cpu;
static int tab_found;
static char tab_why[PCNT_STATUS_LEN];

/* The caller's settings (pcnt_init()), copied. */
static char set_dir[PATH_MAX], set_table[PATH_MAX], set_pmu[PATH_MAX];
static struct pcnt_settings settings = {
	.event_dir = set_dir, .event_table = set_table,
	.pfm_forced_pmu = set_pmu,
};

static void tables_invalidate(void)
{
	pthread_mutex_lock(&tab_lock);
	tab_done = 0;
	pthread_mutex_unlock(&tab_lock);
}

/**
 * pcnt_init() - see pcpu-counters.h.
 * Return: 0; -ENAMETOOLONG.
 */
int pcnt_init(const struct pcnt_settings *s)
{
	const char *d = s && s->event_dir ? s->event_dir : "";
	const char *t = s && s->event_table ? s->event_table : "";
	const char *p = s && s->pfm_forced_pmu ? s->pfm_forced_pmu : "";

	if (strlen(d) >= sizeof(set_dir) || strlen(t) >= sizeof(set_table) ||
	    strlen(p) >= sizeof(set_pmu))
		return -ENAMETOOLONG;
	snprintf(set_dir, sizeof(set_dir), "%s", d);
	snprintf(set_table, sizeof(set_table), "%s", t);
	snprintf(set_pmu, sizeof(set_pmu), "%s", p);
	tables_invalidate();
	return 0;
}

const struct pcnt_settings *pcnt_settings_get(void)
{
	return &settings;
}

const struct pcnt_override *pcnt_override_get(void)
{
	return &ovr;
}

void pcnt_override_set(const struct pcnt_override *o)
{
	if (o)
		ovr = *o;
	else
		memset(&ovr, 0, sizeof(ovr));
	tables_invalidate();
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int copy_field(char *dst, size_t len, const char *src)
{
	if (strlen(src) >= len)
		return -EINVAL;
	snprintf(dst, len, "%s", src);
	return 0;
}

static int parse_ranges(struct pcnt_table *t, char *v)
{
	char *tok, *save = NULL;

	t->nranges = 0;
	for (tok = strtok_r(v, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		char *dash = strchr(tok, '-'), *end;
		unsigned long lo, hi;

		if (t->nranges >= PCNT_TAB_MAX_RANGES)
			return -EINVAL;
		lo = strtoul(tok, &end, 0);
		if (end == tok || (dash ? end != dash : *end))
			return -EINVAL;
		hi = lo;
		if (dash) {
			hi = strtoul(dash + 1, &end, 0);
			if (end == dash + 1 || *end || hi < lo)
				return -EINVAL;
		}
		t->lo[t->nranges] = (unsigned)lo;
		t->hi[t->nranges] = (unsigned)hi;
		t->nranges++;
	}
	return t->nranges ? 0 : -EINVAL;
}

static int parse_event_line(struct pcnt_table *t, char *line)
{
	char *f[6], *p = line;
	struct pcnt_tab_event *e;
	int i;

	for (i = 0; i < 6; i++) {
		char *bar = i < 5 ? strchr(p, '|') : NULL;

		if (i < 5 && !bar)
			return -EINVAL;
		if (bar)
			*bar = 0;
		f[i] = trim(p);
		p = bar ? bar + 1 : p;
	}
	if (t->nev >= PCNT_TAB_MAX_EV || !*f[0] || !*f[3] || !*f[5])
		return -EINVAL;
	e = &t->ev[t->nev];
	memset(e, 0, sizeof(*e));
	if (copy_field(e->key, sizeof(e->key), f[0]) ||
	    copy_field(e->pfm, sizeof(e->pfm), f[1]) ||
	    copy_field(e->perf, sizeof(e->perf), f[2]) ||
	    copy_field(e->raw, sizeof(e->raw), f[3]) ||
	    copy_field(e->counters, sizeof(e->counters), f[4]) ||
	    copy_field(e->counts, sizeof(e->counts), f[5]))
		return -EINVAL;
	if (strcmp(e->counters, "any") && strcmp(e->counters, "0-3") &&
	    strcmp(e->counters, "fixed") && strcmp(e->counters, "-"))
		return -EINVAL;
	/* Statuses and CSV fields carry these words: no commas. */
	for (p = e->counts; *p; p++)
		if (*p == ',')
			*p = ';';
	t->nev++;
	return 0;
}

/**
 * pcnt_table_load() - see pcpu-counters.h.
 * Return: 0; -errno; -EINVAL.
 */
int pcnt_table_load(const char *path, struct pcnt_table *t, char *err,
		    size_t errlen)
{
	char line[1024];
	FILE *f;
	int ln = 0, r = 0;

	memset(t, 0, sizeof(*t));
	f = fopen(path, "r");
	if (!f) {
		r = -errno;
		if (err)
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	snprintf(t->file, sizeof(t->file), "%s", path);
	while (!r && fgets(line, sizeof(line), f)) {
		char *s = trim(line), *k, *v;

		ln++;
		if (!*s || *s == '#')
			continue;
		if (strchr(s, '|')) {
			r = parse_event_line(t, s);
			continue;
		}
		k = s;
		v = k + strcspn(k, " \t");
		if (*v)
			*v++ = 0;
		v = trim(v);
		if (!strcmp(k, "table"))
			r = copy_field(t->id, sizeof(t->id), v);
		else if (!strcmp(k, "name"))
			r = copy_field(t->name, sizeof(t->name), v);
		else if (!strcmp(k, "vendor"))
			r = copy_field(t->vendor, sizeof(t->vendor), v);
		else if (!strcmp(k, "family"))
			t->family = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(k, "models"))
			r = parse_ranges(t, v);
		else if (!strcmp(k, "libpfm4"))
			r = copy_field(t->pfm_pmus, sizeof(t->pfm_pmus), v);
		else if (!strcmp(k, "counters"))
			t->counters = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(k, "counters_smt"))
			t->counters_smt = (unsigned)strtoul(v, NULL, 0);
		else if (!strcmp(k, "fixed"))
			r = copy_field(t->fixed, sizeof(t->fixed), v);
		else if (!strcmp(k, "source"))
			r = copy_field(t->source, sizeof(t->source), v);
		else
			r = -EINVAL;
	}
	fclose(f);
	if (!r && (!t->id[0] || !t->vendor[0] || !t->family || !t->nranges ||
		   !t->counters || !t->source[0] || !t->nev)) {
		if (err)
			snprintf(err, errlen, "%s: missing table, vendor, family, "
				 "models, counters, source or events", path);
		return -EINVAL;
	}
	if (r && err)
		snprintf(err, errlen, "%s:%d: bad line", path, ln);
	if (!t->counters_smt)
		t->counters_smt = t->counters;
	return r;
}

static int dir_has_tables(const char *d)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%.4000s/README.md", d);
	return !access(p, R_OK);
}

/**
 * pcnt_tables_dir() - see pcpu-counters.h.
 */
const char *pcnt_tables_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = settings.event_dir;
	static const char *const up[] = { "/events", "/../events",
					  "/../../events", "/../../../events" };
	char exe[PATH_MAX], *slash;
	ssize_t n;
	unsigned i;

	if (env && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
		return dir;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	for (i = 0; i < sizeof(up) / sizeof(up[0]); i++) {
		char cand[PATH_MAX + 16], real[PATH_MAX];

		snprintf(cand, sizeof(cand), "%s%s", exe, up[i]);
		if (dir_has_tables(cand) && realpath(cand, real)) {
			snprintf(dir, sizeof(dir), "%s", real);
			return dir;
		}
	}
	return NULL;
}

/**
 * pcnt_cpu() - see pcpu-counters.h.
 */
void pcnt_cpu(struct pcnt_cpu *c)
{
	struct pcpu_cpuid_info ci;

	memset(c, 0, sizeof(*c));
	if (ovr.cpu_set) {
		*c = ovr.cpu;
		return;
	}
	if (!pcpu_cpuid_read(&ci)) {
		snprintf(c->vendor, sizeof(c->vendor), "%s", ci.vendor);
		c->family = ci.family;
		c->model = ci.model;
		c->stepping = ci.stepping;
		c->hypervisor = ci.hypervisor;
	}
}

static int table_matches(const struct pcnt_table *t, const struct pcnt_cpu *c)
{
	size_t i;

	if (strcmp(t->vendor, c->vendor) || t->family != c->family)
		return 0;
	for (i = 0; i < t->nranges; i++)
		if (c->model >= t->lo[i] && c->model <= t->hi[i])
			return 1;
	return 0;
}

/*
 * For each table file in the directory: @fn(table, arg); stop when it
 * returns non-zero. Return: that value, 0, or -errno.
 */
static int for_each_table(int (*fn)(const struct pcnt_table *, void *),
			  void *arg)
{
	const char *d = pcnt_tables_dir();
	struct pcnt_table *t;
	struct dirent **names;
	int n, i, r = 0;

	if (!d)
		return -ENOENT;
	n = scandir(d, &names, NULL, alphasort);
	if (n < 0)
		return -errno;
	t = malloc(sizeof(*t));
	for (i = 0; i < n; i++) {
		size_t l = strlen(names[i]->d_name);
		char p[PATH_MAX];

		if (!r && t && l > 7 &&
		    !strcmp(names[i]->d_name + l - 7, ".events")) {
			snprintf(p, sizeof(p), "%s/%s", d, names[i]->d_name);
			if (!pcnt_table_load(p, t, NULL, 0))
				r = fn(t, arg);
		}
		free(names[i]);
	}
	free(names);
	free(t);
	return r;
}

struct match_arg {
	const struct pcnt_cpu *cpu;
	const char *force;
	struct pcnt_table *out;
	char ids[160];
};

static int match_cb(const struct pcnt_table *t, void *p)
{
	struct match_arg *m = p;
	size_t l = strlen(m->ids);

	snprintf(m->ids + l, sizeof(m->ids) - l, "%s%s", l ? " " : "", t->id);
	if (m->force ? !strcmp(t->id, m->force) : table_matches(t, m->cpu)) {
		*m->out = *t;
		return 1;
	}
	return 0;
}

/**
 * pcnt_table_for_cpu() - see pcpu-counters.h.
 */
const struct pcnt_table *pcnt_table_for_cpu(char *why, size_t whylen)
{
	pthread_mutex_lock(&tab_lock);
	if (!tab_done) {
		struct pcnt_cpu c;
		struct match_arg m = { .cpu = &c, .out = &tab_cpu };
		const char *force = settings.event_table;
		int r;

		pcnt_cpu(&c);
		m.force = force && *force ? force : NULL;
		if (m.force && strchr(m.force, '/')) {
			r = pcnt_table_load(m.force, &tab_cpu, tab_why,
					    sizeof(tab_why)) ? 0 : 1;
		} else {
			r = for_each_table(match_cb, &m);
			if (r == -ENOENT || r < 0)
				snprintf(tab_why, sizeof(tab_why),
					 "no event table directory (events/ "
					 "next to the program; PCPU_EVENT_DIR "
					 "sets it)");
			else if (!r && m.force)
				snprintf(tab_why, sizeof(tab_why),
					 "PCPU_EVENT_TABLE=%s is not a table "
					 "(tables: %s)", m.force, m.ids);
			else if (!r)
				snprintf(tab_why, sizeof(tab_why),
					 "no event table for %.16s family 0x%x "
					 "model 0x%x (PCPU_EVENT_TABLE=<id> "
					 "forces one%s)",
					 c.vendor[0] ? c.vendor : "unknown",
					 c.family, c.model, c.hypervisor ?
					 "; under a hypervisor the model may "
					 "not be the host's: pick the host's" : "");
		}
		tab_found = r == 1;
		tab_done = 1;
	}
	pthread_mutex_unlock(&tab_lock);
	if (!tab_found && why)
		snprintf(why, whylen, "%s", tab_why);
	return tab_found ? &tab_cpu : NULL;
}

struct find_arg {
	const char *name;
	char id[32];
};

static int find_cb(const struct pcnt_table *t, void *p)
{
	struct find_arg *f = p;
	size_t i;

	for (i = 0; i < t->nev; i++)
		if (!strcasecmp(t->ev[i].perf, f->name) ||
		    !strcasecmp(t->ev[i].key, f->name)) {
			snprintf(f->id, sizeof(f->id), "%s", t->id);
			return 1;
		}
	return 0;
}

/**
 * pcnt_tables_which() - see pcpu-counters-priv.h.
 * Return: 1 found; 0 not; -errno.
 */
int pcnt_tables_which(const char *name, char *id, size_t idlen)
{
	struct find_arg f = { .name = name };
	int r = for_each_table(find_cb, &f);

	if (r == 1)
		snprintf(id, idlen, "%s", f.id);
	return r;
}

/**
 * pcnt_raw_encode() - see pcpu-counters.h.
 * Return: 0; -EINVAL.
 */
int pcnt_raw_encode(const char *raw, const char *vendor, uint64_t *config,
		    uint64_t *config1)
{
	char buf[128], *tok, *save = NULL;
	uint64_t ev = 0, umask = 0, cmask = 0, inv = 0, edge = 0, rsp = 0;
	int have_ev = 0;
	bool amd = vendor && (!strcmp(vendor, "AuthenticAMD") ||
			      !strcmp(vendor, "HygonGenuine"));

	if (!raw || strlen(raw) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", raw);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '='), *end;
		uint64_t v;

		if (!eq)
			return -EINVAL;
		*eq = 0;
		v = strtoull(eq + 1, &end, 0);
		if (end == eq + 1 || *end)
			return -EINVAL;
		if (!strcmp(tok, "event")) {
			ev = v;
			have_ev = 1;
		} else if (!strcmp(tok, "umask")) {
			umask = v;
		} else if (!strcmp(tok, "cmask")) {
			cmask = v;
		} else if (!strcmp(tok, "inv")) {
			inv = v;
		} else if (!strcmp(tok, "edge")) {
			edge = v;
		} else if (!strcmp(tok, "offcore_rsp")) {
			rsp = v;
		} else {
			return -EINVAL;
		}
	}
	if (!have_ev || umask > 0xff || cmask > 0xff || inv > 1 || edge > 1 ||
	    ev > (amd ? 0xfffULL : 0xffULL))
		return -EINVAL;
	/* Intel SDM / AMD APM PERF_CTL layout; AMD puts event[11:8] at 35:32. */
	*config = (ev & 0xff) | umask << 8 | edge << 18 | inv << 23 |
		  cmask << 24 | (amd ? (ev >> 8) << 32 : 0);
	*config1 = rsp;
	return 0;
}

static unsigned read_int_file(const char *p, int dflt)
{
	FILE *f = fopen(p, "r");
	int v = dflt;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = dflt;
		fclose(f);
	}
	return (unsigned)v;
}

static int smt_on(void)
{
	char b[64] = "";
	FILE *f = fopen("/sys/devices/system/cpu/cpu0/topology/thread_siblings_list",
			"r");

	if (f) {
		if (!fgets(b, sizeof(b), f))
			b[0] = 0;
		fclose(f);
	}
	return strchr(b, ',') || strchr(b, '-');
}

/* Counters CPUID reports; 0 when it reports none (a VM without a PMU). */
static unsigned cpuid_counters(const char *vendor, unsigned *fixed,
			       char *src, size_t len)
{
#ifdef __x86_64__
	unsigned a, b, c, d;

	*fixed = 0;
	if (!strcmp(vendor, "GenuineIntel")) {
		if (!__get_cpuid_count(0xa, 0, &a, &b, &c, &d) || !(a & 0xff)) {
			snprintf(src, len, "CPUID leaf 0xa reports no "
				 "architectural PMU");
			return 0;
		}
		*fixed = (a & 0xff) > 1 ? (d & 0x1f) : 0;
		snprintf(src, len, "CPUID leaf 0xa (version %u)", a & 0xff);
		return (a >> 8) & 0xff;
	}
	if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine")) {
		if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000022 &&
		    __get_cpuid_count(0x80000022, 0, &a, &b, &c, &d) &&
		    (a & 1) && (b & 0xf)) {
			snprintf(src, len, "CPUID 0x80000022 (PerfMonV2)");
			return b & 0xf;
		}
		if (__get_cpuid(0x80000001, &a, &b, &c, &d) && (c & (1u << 23))) {
			snprintf(src, len, "CPUID 0x80000001 PerfCtrExtCore");
			return 6;
		}
		snprintf(src, len, "CPUID reports no core counter extension");
		return 0;
	}
#endif
	snprintf(src, len, "CPUID: unknown vendor");
	*fixed = 0;
	return 0;
}

/**
 * pcnt_capacity() - see pcpu-counters.h.
 */
void pcnt_capacity(struct pcnt_capacity *c)
{
	const struct pcnt_table *t;
	struct pcnt_cpu cpu;
	char src[128];
	unsigned fx = 0;

	memset(c, 0, sizeof(*c));
	pcnt_cpu(&cpu);
	t = pcnt_table_for_cpu(NULL, 0);
	if (ovr.cap_set) {
		c->gp = ovr.gp;
		c->fixed = ovr.fixed;
		c->watchdog = ovr.watchdog;
		snprintf(c->source, sizeof(c->source), "fake backend");
	} else {
		c->gp = cpuid_counters(cpu.vendor, &fx, src, sizeof(src));
		c->fixed = fx;
		if (c->gp) {
			snprintf(c->source, sizeof(c->source), "%s", src);
		} else if (t) {
			int smt = smt_on();

			c->gp = smt ? t->counters_smt : t->counters;
			c->fixed = strcmp(t->fixed, "-") ? 2 : 0;
			snprintf(c->source, sizeof(c->source), "table %s (%s; "
				 "%s)", t->id, smt ? "SMT on" : "SMT off", src);
		} else {
			c->gp = 4;
			snprintf(c->source, sizeof(c->source), "assumed 4 (%s; "
				 "no event table)", src);
		}
		c->watchdog = read_int_file("/proc/sys/kernel/nmi_watchdog",
					    0) == 1;
	}
	/*
	 * The hard-lockup detector counts cycles: on Intel it takes the
	 * fixed cycles counter (our cycles then needs a general one), on
	 * AMD a general counter. Either way one general counter less.
	 */
	c->usable = c->gp > (unsigned)c->watchdog ? c->gp - (unsigned)c->watchdog
						  : 1;
	if (c->watchdog && c->fixed)
		c->usable = c->gp;
}
