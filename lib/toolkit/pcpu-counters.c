// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-counters.c - event specs, their resolution, and counter sessions.
 *
 * Spec: each name becomes a perf_event_attr encoding plus the path that
 * produced it (perf generic, software, libpfm4, raw from this CPU's event
 * table, raw as given) or an "na:" reason. Session: the hardware events
 * planned into passes of one group each that fits the counters (see
 * pcnt_capacity()), software events in a group of their own counted in
 * every pass; every group read with one PERF_FORMAT_GROUP read. Failures
 * are kept as "na:<reason>" per event; multiplexing is scaled and
 * reported. Every system call goes through the backend (the test seam).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/perf_event.h>

#ifdef HAVE_PFM
#include <perfmon/pfmlib_perf_event.h>
#endif

#include "pcpu-counters-priv.h"

#define PCNT_MAX_GROUPS PCNT_MAX_EVENTS

int pcnt_tables_which(const char *name, char *id, size_t idlen);

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

static void no_commas(char *s)
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

/* ---- libpfm4 ------------------------------------------------------------ */

static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;
static int pfm_ret;
static char pfm_pmu_desc[160];
static char pfm_pmu_short[64] = "none";
static int pfm_found;

static void pfm_setup(void)
{
#ifdef HAVE_PFM
	const char *forced = getenv("LIBPFM_FORCE_PMU");
	int p;

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
		pfm_found = 1;
		break;
	}
	if (!pfm_found) {
		snprintf(pfm_pmu_short, sizeof(pfm_pmu_short), "perf");
		snprintf(pfm_pmu_desc, sizeof(pfm_pmu_desc),
			 "perf (generic events only: libpfm4 detected no core "
			 "PMU%s)", forced && *forced ? "; LIBPFM_FORCE_PMU set" :
			 "");
	}
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

bool pcnt_pfm_usable(const char **pmu)
{
	pcnt_env_init();
	pthread_once(&pfm_once, pfm_setup);
	if (pmu)
		*pmu = pfm_pmu_short;
	return !pcnt_ovr.pfm_off && pfm_found;
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
	int r;

	pthread_once(&pfm_once, pfm_setup);
	if (pfm_ret != PFM_SUCCESS)
		return -ENOTSUP;
	snprintf(buf, sizeof(buf), "%s", name);
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

static int spec_find(const struct pcnt_spec *s, const char *name)
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
		no_commas(e->unresolved);
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
		ia = spec_find(s, a);
		ib = spec_find(s, b);
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
		snprintf(why, sizeof(why), "%s", pcnt_ovr.pfm_off ?
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

static int spec_add(struct pcnt_spec *s, const char *name, char *err,
		    size_t errlen)
{
	const struct pcnt_table *t;
	const struct pcnt_tab_event *te;
	struct pcnt_event_spec *e;
	char why[PCNT_STATUS_LEN] = "", other[32];
	bool amd;
	unsigned i;
	int r;

	if (spec_find(s, name) >= 0)
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
	amd = cpu_is_amd();
	t = pcnt_table_for_cpu(why, sizeof(why));

	/* Perf's generic and software events. */
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
			no_commas(e->counts);
			s->n++;
			return 0;
		}
	/* The semantic names of the event tables. */
	if (is_table_key(name)) {
		s->n++;
		te = tab_event(t, name, 0);
		if (te)
			return resolve_table(s, e, t, te, err, errlen);
		e->kind = PCNT_KIND_NATIVE;
		snprintf(e->unresolved, sizeof(e->unresolved), "na:no-event-"
			 "table(%.230s)", t ? "this CPU's table lacks it" : why);
		snprintf(e->path, sizeof(e->path), "none: %s",
			 t ? "not in this CPU's table" : why);
		snprintf(e->counts, sizeof(e->counts), "unknown here: no "
			 "encoding for this CPU");
		no_commas(e->unresolved);
		no_commas(e->path);
		return 0;
	}
	/* Raw codes. */
	r = raw_code(name, &e->config);
	if (r < 0) {
		snprintf(err, errlen, "malformed raw event '%s' (expected r "
			 "followed by hex digits of the PERFEVTSEL value: "
			 "event | umask << 8, e.g. r0e12 or r0f045)", name);
		return -EINVAL;
	}
	if (r > 0) {
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
		s->n++;
		return 0;
	}
	/* Perf-style names of this CPU's table, or of another one. */
	if (islower((unsigned char)name[0]) && strchr(name, '.')) {
		te = tab_event(t, name, 1);
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
			no_commas(e->unresolved);
			return 0;
		}
		s->n--;
		snprintf(err, errlen, "unknown event '%s' (perf-style names "
			 "must be in an event table: %s)", name,
			 pcnt_tables_dir() ? pcnt_tables_dir() : "none found");
		return -EINVAL;
	}
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
	/* libpfm4 names: libpfm4 first, then the table's raw encoding. */
	e->kind = PCNT_KIND_NATIVE;
	s->n++;
	if (pcnt_pfm_usable(NULL)) {
		r = pcnt_pfm_encode(name, &e->type, &e->config, &e->config1,
				    &e->config2, e->pfm_pmu,
				    sizeof(e->pfm_pmu));
		if (!r) {
			snprintf(e->path, sizeof(e->path), "libpfm4 %s: %s",
				 pfm_pmu_short, name);
			te = tab_event(t, name, 2);
			snprintf(e->counts, sizeof(e->counts), "%s",
				 te ? te->counts : "as libpfm4 describes it");
			return 0;
		}
	}
	te = tab_event(t, name, 2);
	if (te)
		return resolve_table(s, e, t, te, err, errlen);
	if (!pcnt_pfm_usable(NULL) && !strcmp(pfm_pmu_short, "perf"))
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
			 "this CPU's event table)", pfm_pmu_short);
	snprintf(e->path, sizeof(e->path), "none");
	no_commas(e->unresolved);
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

struct plan {
	size_t npasses;
	int pass_of[PCNT_MAX_EVENTS];
};

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
static int plan_passes(const struct pcnt_spec *s, const struct pcnt_capacity *c,
		       struct plan *p, char *err, size_t errlen)
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
	struct plan p;
	char dummy[8];

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	pcnt_capacity(&c);
	s->no_split = true;
	return plan_passes(s, &c, &p, err, errlen);
}

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
	pcnt_tables_invalidate();
}

const struct pcnt_backend *pcnt_cur_backend(void)
{
	pcnt_env_init();
	return backend;
}

const char *pcnt_backend_name(void)
{
	return pcnt_cur_backend()->name;
}

/* ---- session ------------------------------------------------------------- */

struct pcnt_group {
	int leader_fd;
	int pass;			/* PCNT_PASS_ALL: software */
	size_t nmembers;
	size_t member[PCNT_MAX_EVENTS];	/* event indices */
};

struct pcnt_session {
	struct pcnt_spec spec;
	const struct pcnt_backend *be;
	int fd[PCNT_MAX_EVENTS];
	uint64_t id[PCNT_MAX_EVENTS];
	char status[PCNT_MAX_EVENTS][PCNT_STATUS_LEN];
	struct plan plan;
	size_t cur;
	size_t ngroups;
	struct pcnt_group groups[PCNT_MAX_GROUPS];
};

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
	no_commas(buf);
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
	ss->be = pcnt_cur_backend();
	for (i = 0; i < PCNT_MAX_EVENTS; i++)
		ss->fd[i] = -1;
	pcnt_capacity(&cap);
	if (plan_passes(&ss->spec, &cap, &ss->plan, err, sizeof(err))) {
		/* Checked by pcnt_spec_set_no_split(); plan split instead. */
		ss->spec.no_split = false;
		plan_passes(&ss->spec, &cap, &ss->plan, err, sizeof(err));
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
			no_commas(ss->status[i]);
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

static void flag(struct pcnt_result *r, const char *rule)
{
	if (!strncmp(r->status, "na:", 3))
		return;
	snprintf(r->status, sizeof(r->status), "flagged:%s", rule);
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
	/* { part, whole }: the part can never exceed the whole. */
	static const char *const pairs[][2] = {
		{ "dTLB-load-misses", "dTLB-loads" },
		{ "node-load-misses", "node-loads" },
		{ "l2_tlb_hits", "l1_dtlb_misses" },
		{ "page_walks", "l1_dtlb_misses" },
		{ "page_walks_4k", "page_walks" },
		{ "page_walks_2m", "page_walks" },
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
		int m = spec_find(s, pairs[i][0]), l = spec_find(s, pairs[i][1]);
		double ratio;

		if (m < 0 || l < 0 || !usable(&res[m]) || !usable(&res[l]))
			continue;
		/* A derived whole made of this part holds by construction. */
		if (s->ev[l].kind == PCNT_KIND_DERIVED &&
		    (s->ev[l].comp[0] == m || s->ev[l].comp[1] == m))
			continue;
		if (res[m].value > res[l].value) {
			flag(&res[m], "misses-gt-accesses");
			flag(&res[l], "misses-gt-accesses");
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

/* Derived sums, after their summands are known. */
static void derive(const struct pcnt_spec *s, struct pcnt_result *res)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct pcnt_event_spec *e = &s->ev[i];
		struct pcnt_result *r = &res[i], *a, *b;

		if (e->kind != PCNT_KIND_DERIVED)
			continue;
		a = &res[e->comp[0]];
		b = &res[e->comp[1]];
		memset(r, 0, sizeof(*r));
		r->pass = PCNT_PASS_NONE;
		if (!usable(a) || !usable(b)) {
			r->value = NAN;
			snprintf(r->status, sizeof(r->status),
				 "na:summand-na(%s + %s: %s is NA)",
				 s->ev[e->comp[0]].name, s->ev[e->comp[1]].name,
				 usable(a) ? s->ev[e->comp[1]].name :
				 s->ev[e->comp[0]].name);
			continue;
		}
		r->value = a->value + b->value;
		r->raw = a->raw + b->raw;
		r->enabled = a->enabled;
		r->running = a->running;
		snprintf(r->status, sizeof(r->status), "derived");
		/* Its pass, when both summands come from the same run. */
		if (a->pass == b->pass)
			r->pass = a->pass;
	}
}

/* One event's delta; @in_pass false: counted in another pass. */
static void delta_one(struct pcnt_session *ss, size_t i,
		      const struct pcnt_sample *a, const struct pcnt_sample *b,
		      struct pcnt_result *r)
{
	int pass = ss->plan.pass_of[i];

	memset(r, 0, sizeof(*r));
	r->value = NAN;
	r->pass = pass;
	if (strcmp(ss->status[i], "ok")) {
		snprintf(r->status, sizeof(r->status), "%s", ss->status[i]);
		return;
	}
	if (pass != PCNT_PASS_ALL && pass != (int)ss->cur) {
		snprintf(r->status, sizeof(r->status), "na:other-pass(counted "
			 "in pass %d of %zu; this interval counted pass %zu)",
			 pass + 1, ss->plan.npasses, ss->cur + 1);
		return;
	}
	r->raw = b->value[i] - a->value[i];
	r->enabled = b->enabled[i] - a->enabled[i];
	r->running = b->running[i] - a->running[i];
	if (b->value[i] < a->value[i] || b->enabled[i] < a->enabled[i] ||
	    b->running[i] < a->running[i]) {
		r->value = (double)(int64_t)r->raw;
		snprintf(r->status, sizeof(r->status),
			 "flagged:counter-went-backwards");
		return;
	}
	if (r->enabled && !r->running) {
		snprintf(r->status, sizeof(r->status),
			 "na:not-scheduled(the group never got its counters: "
			 "another perf user or the NMI watchdog holds some)");
		return;
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
	for (i = 0; i < ss->spec.n; i++)
		if (ss->spec.ev[i].kind != PCNT_KIND_DERIVED)
			delta_one(ss, i, a, b, &res[i]);
	derive(&ss->spec, res);
	pcnt_check_rules(&ss->spec, res);
	return 0;
}

/**
 * pcnt_measure() - see pcpu-counters.h.
 * Return: 0; -errno from a read.
 */
int pcnt_measure(struct pcnt_session *ss, void (*work)(void *), void *arg,
		 double ops, struct pcnt_result *res)
{
	struct pcnt_sample a, b;
	struct pcnt_result tmp[PCNT_MAX_EVENTS];
	size_t p, i;
	int r = 0;

	if (!ss || !work || !res)
		return -EINVAL;
	for (i = 0; i < ss->spec.n; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		res[i].value = NAN;
		res[i].pass = ss->plan.pass_of[i];
		snprintf(res[i].status, sizeof(res[i].status), "%s",
			 ss->status[i]);
	}
	for (p = 0; p < ss->plan.npasses && !r; p++) {
		size_t g;

		/* A pass whose events all failed to open needs no run. */
		for (g = 0; g < ss->ngroups; g++)
			if (ss->groups[g].pass == (int)p)
				break;
		if (p && g == ss->ngroups)
			continue;
		pcnt_pass_select(ss, p);
		r = pcnt_enable(ss);
		if (!r)
			r = pcnt_read(ss, &a);
		if (r)
			break;
		work(arg);
		r = pcnt_read(ss, &b);
		if (r)
			break;
		for (i = 0; i < ss->spec.n; i++) {
			int pa = ss->plan.pass_of[i];

			if (ss->spec.ev[i].kind == PCNT_KIND_DERIVED ||
			    (pa != (int)p && !(pa == PCNT_PASS_ALL && !p)))
				continue;
			delta_one(ss, i, &a, &b, &tmp[i]);
			res[i] = tmp[i];
		}
	}
	if (r) {
		for (i = 0; i < ss->spec.n; i++) {
			res[i].value = NAN;
			snprintf(res[i].status, sizeof(res[i].status),
				 "na:read-failed(reading the counter group "
				 "failed: %s)", strerror(-r));
			no_commas(res[i].status);
		}
	} else {
		derive(&ss->spec, res);
		pcnt_check_rules(&ss->spec, res);
		for (i = 0; ops > 0 && i < ss->spec.n; i++)
			if (strncmp(res[i].status, "na:", 3))
				res[i].value /= ops;
	}
	pcnt_pass_select(ss, 0);
	pcnt_enable(ss);
	return r;
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
