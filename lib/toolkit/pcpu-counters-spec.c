// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-counters-spec.c - event specs: names to perf_event_attr encodings,
 * each with the path that produced it (perf generic, software, libpfm4,
 * raw from this CPU's event table, raw as given) or an "na:" reason; and
 * the plan of a spec's hardware events into passes of one group each
 * that fits the counters (see pcnt_capacity()).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <linux/perf_event.h>

#include "pcpu-counters-priv.h"

#define HWC(id, op, res) (PERF_COUNT_HW_CACHE_##id | \
	(PERF_COUNT_HW_CACHE_OP_##op << 8) | \
	(PERF_COUNT_HW_CACHE_RESULT_##res << 16))

static const struct {
	const char *name;
	enum pcnt_kind kind;
	uint32_t type;
	uint64_t config;
	const char *intel, *amd;	/* what it counts there */
} generic[] = {
	{ "cycles", PCNT_KIND_HW, PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES,
	  "core cycles", "core cycles" },
	{ "instructions", PCNT_KIND_HW, PERF_TYPE_HARDWARE,
	  PERF_COUNT_HW_INSTRUCTIONS, "instructions retired",
	  "instructions retired" },
	{ "dTLB-loads", PCNT_KIND_HW, PERF_TYPE_HW_CACHE, HWC(DTLB, READ, ACCESS),
	  "all retired loads (MEM_INST_RETIRED.ALL_LOADS)",
	  "L1 dTLB misses (0xff45 = ls_l1_d_tlb_miss.all); not loads" },
	{ "dTLB-load-misses", PCNT_KIND_HW, PERF_TYPE_HW_CACHE,
	  HWC(DTLB, READ, MISS), "completed page walks of loads "
	  "(DTLB_LOAD_MISSES.WALK_COMPLETED)",
	  "L2 dTLB misses = page walks (0xf045 = ls_l1_d_tlb_miss.all_l2_miss)" },
	{ "dTLB-store-misses", PCNT_KIND_HW, PERF_TYPE_HW_CACHE,
	  HWC(DTLB, WRITE, MISS), "completed page walks of stores",
	  "not supported by the kernel on AMD" },
	{ "node-loads", PCNT_KIND_HW, PERF_TYPE_HW_CACHE, HWC(NODE, READ, ACCESS),
	  "offcore reads served by local DRAM (OCR)",
	  "not supported by the kernel on AMD" },
	{ "node-load-misses", PCNT_KIND_HW, PERF_TYPE_HW_CACHE,
	  HWC(NODE, READ, MISS), "offcore reads served by remote DRAM (OCR)",
	  "not supported by the kernel on AMD" },
	{ "page-faults", PCNT_KIND_SW, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_PAGE_FAULTS, "page faults", "page faults" },
	{ "cpu-migrations", PCNT_KIND_SW, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_CPU_MIGRATIONS, "CPU migrations", "CPU migrations" },
	{ "context-switches", PCNT_KIND_SW, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_CONTEXT_SWITCHES, "context switches",
	  "context switches" },
	{ "task-clock", PCNT_KIND_SW, PERF_TYPE_SOFTWARE,
	  PERF_COUNT_SW_TASK_CLOCK, "task clock (ns)", "task clock (ns)" },
};

/* The semantic events every table defines (events/README.md). */
static const char *const table_keys[] = {
	"cycles", "instructions", "l1_dtlb_misses", "l2_tlb_hits",
	"page_walks", "page_walks_4k", "page_walks_2m", "page_walk_cycles",
	"remote_dram", "remote_dram_reads",
};

#define SW_ALWAYS "page-faults,cpu-migrations,context-switches"
#define NATIVE_DEFAULT "l1_dtlb_misses,l2_tlb_hits,page_walks," \
	"page_walks_4k,page_walks_2m,page_walk_cycles,remote_dram," \
	"remote_dram_reads"
#define DEFAULT_LIST "cycles,instructions," NATIVE_DEFAULT "," SW_ALWAYS

const char *pcnt_native_list(void)
{
	return NATIVE_DEFAULT;
}

const char *pcnt_default_list(void)
{
	return DEFAULT_LIST;
}

void pcnt_no_commas(char *s)
{
	for (; *s; s++)
		if (*s == ',')
			*s = ';';
}

static bool cpu_is_amd(void)
{
	struct pcnt_cpu c;

	pcnt_cpu(&c);
	return !strcmp(c.vendor, "AuthenticAMD") ||
	       !strcmp(c.vendor, "HygonGenuine");
}

/* ---- spec ---------------------------------------------------------------- */

int pcnt_spec_find(const struct pcnt_spec *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->ev[i].name, name))
			return (int)i;
	return -1;
}

static bool is_table_key(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(table_keys) / sizeof(table_keys[0]); i++)
		if (!strcmp(name, table_keys[i]))
			return true;
	return false;
}

static const struct pcnt_tab_event *tab_event(const struct pcnt_table *t,
					      const char *name, int by)
{
	size_t i;

	for (i = 0; t && i < t->nev; i++) {
		const struct pcnt_tab_event *e = &t->ev[i];

		if (by == 0 && !strcmp(e->key, name))
			return e;
		if (by == 1 && strcmp(e->perf, "-") && !strcasecmp(e->perf, name))
			return e;
		if (by == 2 && strcmp(e->pfm, "-")) {
			char a[256], b[256], *p;

			snprintf(a, sizeof(a), "%s", e->pfm);
			snprintf(b, sizeof(b), "%s", name);
			for (p = a; *p; p++)
				*p = *p == '.' ? ':' : *p;
			for (p = b; *p; p++)
				*p = *p == '.' ? ':' : *p;
			if (!strcasecmp(a, b))
				return e;
		}
	}
	return NULL;
}

static bool pfm_knows_table(const struct pcnt_table *t, const char **pmu)
{
	char list[80], *tok, *save = NULL;

	if (!pcnt_pfm_usable(pmu) || !t)
		return false;
	snprintf(list, sizeof(list), "%s", t->pfm_pmus);
	for (tok = strtok_r(list, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save))
		if (!strcmp(tok, *pmu))
			return true;
	return false;
}

static int spec_add(struct pcnt_spec *s, const char *name, char *err,
		    size_t errlen);

/* Resolve table entry @te of @t into @e (whose name is already set). */
static int resolve_table(struct pcnt_spec *s, struct pcnt_event_spec *e,
			 const struct pcnt_table *t,
			 const struct pcnt_tab_event *te, char *err,
			 size_t errlen)
{
	const char *pmu = "";
	char why[160] = "";
	unsigned i;
	int r;

	snprintf(e->counts, sizeof(e->counts), "%s", te->counts);
	e->slot = !strcmp(te->counters, "0-3") ? PCNT_SLOT_LOW4 :
		  !strcmp(te->counters, "fixed") ? PCNT_SLOT_FIXED :
		  PCNT_SLOT_ANY;
	if (!strcmp(te->raw, "na")) {
		e->kind = PCNT_KIND_NATIVE;
		snprintf(e->unresolved, sizeof(e->unresolved),
			 "na:no-such-event(%.230s)", te->counts);
		snprintf(e->path, sizeof(e->path), "none: table %s has no "
			 "encoding (%s)", t->id, t->file);
		pcnt_no_commas(e->unresolved);
		return 0;
	}
	if (!strncmp(te->raw, "sum:", 4)) {
		char a[32], b[32];
		const char *plus = strchr(te->raw + 4, '+');
		char nm[PCNT_NAME_LEN];
		int ia, ib;

		if (!plus || plus - (te->raw + 4) >= (int)sizeof(a))
			goto bad;
		snprintf(a, sizeof(a), "%.*s", (int)(plus - te->raw - 4),
			 te->raw + 4);
		snprintf(b, sizeof(b), "%s", plus + 1);
		snprintf(nm, sizeof(nm), "%s", e->name);
		/* The summands come first; then this event again, at the end. */
		s->n--;
		if ((r = spec_add(s, a, err, errlen)) ||
		    (r = spec_add(s, b, err, errlen)))
			return r;
		ia = pcnt_spec_find(s, a);
		ib = pcnt_spec_find(s, b);
		if (ia < 0 || ib < 0 || s->n >= PCNT_MAX_EVENTS)
			return -E2BIG;
		e = &s->ev[s->n++];
		memset(e, 0, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "%s", nm);
		snprintf(e->counts, sizeof(e->counts), "%s", te->counts);
		e->kind = PCNT_KIND_DERIVED;
		e->comp[0] = ia;
		e->comp[1] = ib;
		snprintf(e->path, sizeof(e->path), "derived: %s + %s (table "
			 "%s)", a, b, t->id);
		return 0;
	}
	if (!strncmp(te->raw, "generic:", 8)) {
		for (i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
			if (!strcmp(te->raw + 8, generic[i].name)) {
				e->kind = generic[i].kind;
				e->type = generic[i].type;
				e->config = generic[i].config;
				snprintf(e->path, sizeof(e->path), "perf generic "
					 "%s (table %s: the same on every "
					 "vendor)", generic[i].name, t->id);
				return 0;
			}
		goto bad;
	}
	e->kind = PCNT_KIND_NATIVE;
	if (strcmp(te->pfm, "-") && pfm_knows_table(t, &pmu)) {
		r = pcnt_pfm_encode(te->pfm, &e->type, &e->config, &e->config1,
				    &e->config2, e->pfm_pmu,
				    sizeof(e->pfm_pmu));
		if (!r) {
			snprintf(e->path, sizeof(e->path), "libpfm4 %.40s: %.250s",
				 pmu, te->pfm);
			return 0;
		}
		snprintf(why, sizeof(why), "libpfm4 %.30s could not encode %.100s",
			 pmu, te->pfm);
	} else if (strcmp(te->pfm, "-")) {
		pcnt_pfm_usable(&pmu);
		snprintf(why, sizeof(why), "%s", pcnt_override_get()->pfm_off ?
			 "libpfm4 not used with the fake backend" :
			 !strcmp(pmu, "perf") ? "libpfm4 knows no core PMU here" :
			 !strcmp(pmu, "none") ? "no libpfm4" :
			 "libpfm4's PMU is not this table's");
	}
	if (pcnt_raw_encode(te->raw, t->vendor, &e->config, &e->config1))
		goto bad;
	e->type = PERF_TYPE_RAW;
	snprintf(e->path, sizeof(e->path), "raw from table %s: %s = r%04llx%s%s%s",
		 t->id, te->raw, (unsigned long long)e->config,
		 why[0] ? " (" : "", why, why[0] ? ")" : "");
	if (e->config1) {
		size_t l = strlen(e->path);

		snprintf(e->path + l, sizeof(e->path) - l, " config1 0x%llx",
			 (unsigned long long)e->config1);
	}
	return 0;
bad:
	snprintf(err, errlen, "event table %s: bad encoding '%s' for %s",
		 t->file, te->raw, te->key);
	return -EINVAL;
}

/* r<hex>: 1 raw, 0 not raw-like, -1 malformed. */
static int raw_code(const char *name, uint64_t *config)
{
	const char *p;
	char *end;

	if (name[0] != 'r' || !name[1] || !isdigit((unsigned char)name[1]))
		return name[0] == 'r' && !name[1] ? -1 : 0;
	for (p = name + 1; *p; p++)
		if (!isxdigit((unsigned char)*p))
			return -1;
	if (strlen(name + 1) > 16)
		return -1;
	*config = strtoull(name + 1, &end, 16);
	return *end ? -1 : 1;
}

/* Perf's generic and software events: @e filled, 1; not one: 0. */
static int add_generic(struct pcnt_event_spec *e, const char *name,
		       const struct pcnt_table *t)
{
	bool amd = cpu_is_amd();
	unsigned i;

	for (i = 0; i < sizeof(generic) / sizeof(generic[0]); i++)
		if (!strcmp(name, generic[i].name) &&
		    !(t && is_table_key(name))) {
			e->kind = generic[i].kind;
			e->type = generic[i].type;
			e->config = generic[i].config;
			snprintf(e->counts, sizeof(e->counts), "%s",
				 amd ? generic[i].amd : generic[i].intel);
			snprintf(e->path, sizeof(e->path), "perf %s %s",
				 generic[i].kind == PCNT_KIND_SW ? "software" :
				 "generic", name);
			pcnt_no_commas(e->counts);
			return 1;
		}
	return 0;
}

/* A semantic name of the event tables (@e already counted in @s). */
static int add_table_key(struct pcnt_spec *s, struct pcnt_event_spec *e,
			 const char *name, const struct pcnt_table *t,
			 const char *why, char *err, size_t errlen)
{
	const struct pcnt_tab_event *te = tab_event(t, name, 0);

	if (te)
		return resolve_table(s, e, t, te, err, errlen);
	e->kind = PCNT_KIND_NATIVE;
	snprintf(e->unresolved, sizeof(e->unresolved), "na:no-event-"
		 "table(%.230s)", t ? "this CPU's table lacks it" : why);
	snprintf(e->path, sizeof(e->path), "none: %s",
		 t ? "not in this CPU's table" : why);
	snprintf(e->counts, sizeof(e->counts), "unknown here: no "
		 "encoding for this CPU");
	pcnt_no_commas(e->unresolved);
	pcnt_no_commas(e->path);
	return 0;
}

/* A raw code (@e->config set): what the CPU's table calls it. */
static void add_raw(struct pcnt_event_spec *e, const struct pcnt_table *t)
{
	size_t k;

	e->kind = PCNT_KIND_NATIVE;
	e->type = PERF_TYPE_RAW;
	snprintf(e->path, sizeof(e->path), "raw as given: config 0x%llx",
		 (unsigned long long)e->config);
	for (k = 0; t && k < t->nev; k++) {
		uint64_t c, c1;

		if (!pcnt_raw_encode(t->ev[k].raw, t->vendor, &c, &c1) &&
		    c == e->config && !c1) {
			snprintf(e->counts, sizeof(e->counts), "%s",
				 t->ev[k].counts);
			size_t l = strlen(e->path);

			snprintf(e->path + l, sizeof(e->path) - l,
				 " (= %s in table %s)", t->ev[k].key,
				 t->id);
			e->slot = !strcmp(t->ev[k].counters, "0-3") ?
				  PCNT_SLOT_LOW4 : PCNT_SLOT_ANY;
		}
	}
	if (!e->counts[0])
		snprintf(e->counts, sizeof(e->counts), "raw event "
			 "0x%llx (not in this CPU's table)",
			 (unsigned long long)e->config);
}

/*
 * A perf-style name of this CPU's table, or of another one (NA). Not in
 * any table: -EINVAL, @e not counted.
 */
static int add_perf_style(struct pcnt_spec *s, struct pcnt_event_spec *e,
			  const char *name, const struct pcnt_table *t,
			  char *err, size_t errlen)
{
	const struct pcnt_tab_event *te = tab_event(t, name, 1);
	char other[32];

	s->n++;
	if (te)
		return resolve_table(s, e, t, te, err, errlen);
	e->kind = PCNT_KIND_NATIVE;
	if (pcnt_tables_which(name, other, sizeof(other)) == 1) {
		snprintf(e->unresolved, sizeof(e->unresolved),
			 "na:other-cpu(%s is an event of table %s; "
			 "this CPU's is %s)", name, other,
			 t ? t->id : "none");
		snprintf(e->path, sizeof(e->path), "none: only in "
			 "table %s", other);
		pcnt_no_commas(e->unresolved);
		return 0;
	}
	s->n--;
	snprintf(err, errlen, "unknown event '%s' (perf-style names "
		 "must be in an event table: %s)", name,
		 pcnt_tables_dir() ? pcnt_tables_dir() : "none found");
	return -EINVAL;
}

/*
 * A libpfm4 name (@e already counted in @s): libpfm4 first, then the
 * table's raw encoding, else NA with the reason.
 */
static int add_pfm_name(struct pcnt_spec *s, struct pcnt_event_spec *e,
			const char *name, const struct pcnt_table *t,
			char *err, size_t errlen)
{
	const struct pcnt_tab_event *te;

	e->kind = PCNT_KIND_NATIVE;
	if (pcnt_pfm_usable(NULL) &&
	    !pcnt_pfm_encode(name, &e->type, &e->config, &e->config1,
			     &e->config2, e->pfm_pmu, sizeof(e->pfm_pmu))) {
		snprintf(e->path, sizeof(e->path), "libpfm4 %s: %s",
			 pcnt_pfm_short(), name);
		te = tab_event(t, name, 2);
		snprintf(e->counts, sizeof(e->counts), "%s",
			 te ? te->counts : "as libpfm4 describes it");
		return 0;
	}
	te = tab_event(t, name, 2);
	if (te)
		return resolve_table(s, e, t, te, err, errlen);
	if (!pcnt_pfm_usable(NULL) && !strcmp(pcnt_pfm_short(), "perf"))
		snprintf(e->unresolved, sizeof(e->unresolved),
			 "na:no-pmu(libpfm4 found no core PMU here and this "
			 "CPU's event table %s lacks the name)",
			 t ? t->id : "(none)");
	else if (!pcnt_pfm_usable(NULL))
		snprintf(e->unresolved, sizeof(e->unresolved),
			 "na:no-libpfm(libpfm4 not usable and the name is not "
			 "in this CPU's event table)");
	else
		snprintf(e->unresolved, sizeof(e->unresolved),
			 "na:unknown-event(not in libpfm4's %s table nor in "
			 "this CPU's event table)", pcnt_pfm_short());
	snprintf(e->path, sizeof(e->path), "none");
	pcnt_no_commas(e->unresolved);
	return 0;
}

static int spec_add(struct pcnt_spec *s, const char *name, char *err,
		    size_t errlen)
{
	const struct pcnt_table *t;
	struct pcnt_event_spec *e;
	char why[PCNT_STATUS_LEN] = "";
	int r;

	if (pcnt_spec_find(s, name) >= 0)
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
	t = pcnt_table_for_cpu(why, sizeof(why));

	if (add_generic(e, name, t)) {
		s->n++;
		return 0;
	}
	if (is_table_key(name)) {
		s->n++;
		return add_table_key(s, e, name, t, why, err, errlen);
	}
	r = raw_code(name, &e->config);
	if (r < 0) {
		snprintf(err, errlen, "malformed raw event '%s' (expected r "
			 "followed by hex digits of the PERFEVTSEL value: "
			 "event | umask << 8, e.g. r0e12 or r0f045)", name);
		return -EINVAL;
	}
	if (r > 0) {
		add_raw(e, t);
		s->n++;
		return 0;
	}
	if (islower((unsigned char)name[0]) && strchr(name, '.'))
		return add_perf_style(s, e, name, t, err, errlen);
	/* Native names are upper case; a lower-case word is a typo. */
	if (name[0] < 'A' || name[0] > 'Z') {
		snprintf(err, errlen, "unknown event '%s' (table events: %s; "
			 "generic: cycles, instructions, dTLB-loads, "
			 "dTLB-load-misses, dTLB-store-misses, node-loads, "
			 "node-load-misses; software: page-faults, "
			 "cpu-migrations, context-switches, task-clock; raw "
			 "rXXXX; perf-style names of the event tables; "
			 "libpfm4 names in upper case)", name, NATIVE_DEFAULT);
		return -EINVAL;
	}
	s->n++;
	return add_pfm_name(s, e, name, t, err, errlen);
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
			r = spec_add_list(s, DEFAULT_LIST, err, errlen);
		else if (!strcmp(tok, "native"))
			r = spec_add_list(s, NATIVE_DEFAULT, err, errlen);
		else if (!strcmp(tok, "sw") || !strcmp(tok, "none"))
			r = 0;
		else if (!strcmp(tok, "no-split"))
			s->no_split = true;
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
	char dummy[8];
	int r;

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	if (!s || !list || !*list) {
		snprintf(err, errlen, "empty event list");
		return -EINVAL;
	}
	{	/* no empty item, no blank, no "nan"/"inf" as an event name */
		const char *p = list, *q;

		for (;;) {
			size_t n;

			q = strchr(p, ',');
			n = q ? (size_t)(q - p) : strlen(p);
			if (!n || strcspn(p, " \t\r\n") < n ||
			    (n == 3 && (!strncasecmp(p, "nan", 3) ||
					!strncasecmp(p, "inf", 3)))) {
				snprintf(err, errlen, "bad event list '%.60s' (an "
					 "empty item, a blank or not an event name)",
					 list);
				return -EINVAL;
			}
			if (!q)
				break;
			p = q + 1;
		}
	}
	memset(s, 0, sizeof(*s));
	r = spec_add_list(s, list, err, errlen);
	if (!r)
		r = spec_add_list(s, SW_ALWAYS, err, errlen);
	if (!r && s->no_split)
		r = pcnt_spec_set_no_split(s, err, errlen);
	return r;
}

/* ---- plan: hardware events into passes ------------------------------- */

static bool needs_counter(const struct pcnt_event_spec *e)
{
	return e->kind != PCNT_KIND_SW && e->kind != PCNT_KIND_DERIVED &&
	       !e->unresolved[0];
}

/* Effective slot: fixed only where fixed counters are free for us. */
static enum pcnt_slot eff_slot(const struct pcnt_event_spec *e,
			       const struct pcnt_capacity *c)
{
	if (e->slot == PCNT_SLOT_FIXED && (!c->fixed || c->watchdog))
		return PCNT_SLOT_ANY;
	return e->slot;
}

/*
 * Greedy first fit, in spec order: a pass has @c->usable general
 * counters, at most four of them for "0-3" events, plus the fixed ones.
 * Return: 0; -E2BIG with @no_split when one group cannot hold them.
 */
int pcnt_plan_passes(const struct pcnt_spec *s, const struct pcnt_capacity *c,
		     struct pcnt_plan *p, char *err, size_t errlen)
{
	unsigned gp[PCNT_MAX_EVENTS] = { 0 }, low[PCNT_MAX_EVENTS] = { 0 };
	unsigned fx[PCNT_MAX_EVENTS] = { 0 };
	unsigned lowcap = c->usable < 4 ? c->usable : 4;
	unsigned need_gp = 0, need_low = 0, need_fx = 0;
	size_t i, k;

	memset(p, 0, sizeof(*p));
	p->npasses = 1;
	for (i = 0; i < s->n; i++) {
		const struct pcnt_event_spec *e = &s->ev[i];
		enum pcnt_slot sl = eff_slot(e, c);

		p->pass_of[i] = e->kind == PCNT_KIND_SW && !e->unresolved[0] ?
				PCNT_PASS_ALL : PCNT_PASS_NONE;
		if (!needs_counter(e))
			continue;
		need_gp += sl != PCNT_SLOT_FIXED;
		need_low += sl == PCNT_SLOT_LOW4;
		need_fx += sl == PCNT_SLOT_FIXED;
		if (s->no_split) {
			p->pass_of[i] = 0;
			continue;
		}
		for (k = 0; k < PCNT_MAX_EVENTS; k++) {
			if (sl == PCNT_SLOT_FIXED && fx[k] < c->fixed) {
				fx[k]++;
				break;
			}
			if (sl != PCNT_SLOT_FIXED && gp[k] < c->usable &&
			    (sl != PCNT_SLOT_LOW4 || low[k] < lowcap)) {
				gp[k]++;
				low[k] += sl == PCNT_SLOT_LOW4;
				break;
			}
		}
		p->pass_of[i] = (int)k;
		if (k + 1 > p->npasses)
			p->npasses = k + 1;
	}
	if (s->no_split && (need_gp > c->usable || need_low > lowcap ||
			    need_fx > c->fixed)) {
		snprintf(err, errlen, "--no-split: %u hardware events need %u "
			 "general-purpose counters (%u of them limited to "
			 "counters 0-3) in one group; this CPU gives %u (%s%s)",
			 need_gp + need_fx, need_gp, need_low, c->usable,
			 c->source, c->watchdog ? "; the NMI watchdog holds one" :
			 "");
		return -E2BIG;
	}
	return 0;
}

/**
 * pcnt_spec_set_no_split() - see pcpu-counters.h.
 * Return: 0; -E2BIG.
 */
int pcnt_spec_set_no_split(struct pcnt_spec *s, char *err, size_t errlen)
{
	struct pcnt_capacity c;
	struct pcnt_plan p;
	char dummy[8];

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	pcnt_capacity(&c);
	s->no_split = true;
	return pcnt_plan_passes(s, &c, &p, err, errlen);
}
