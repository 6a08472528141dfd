// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-workload.c - `pcpubench workload`: what a strategy costs a program
 * that does other work between its per-CPU updates.
 *
 * Lameter (2006): "I guess that the additional TLB pressure alone will
 * result in a performance drop of 3%?". This command measures it. Each
 * iteration of the timed loop does a fixed amount of other work, W steps
 * of a dependent pointer chase over a working set of P pages (one random
 * line in each 4 KiB page, random page order, so that every step is a
 * real load that misses once P outgrows the caches and the TLBs), then M
 * per-CPU counter increments through the strategy, cycling over --vars
 * variables spread over a 64 KiB per-CPU region (16 pages: the per-CPU
 * area's own TLB footprint). The increments' addresses depend on the
 * chase (an opaque zero), so they cannot run ahead of the work.
 *
 * The floor `ptr` increments the same unit through an address computed
 * once and held in a register. Per point (P, M) and repetition every
 * strategy runs back to back in a random order, so slowdown_vs_ptr_pct and
 * slowdown_vs_segment_pct are taken within one repetition. The per-CPU
 * area backing (4k, 2m) is a separate pass (one live runtime per
 * strategy); tlb_share_pct = (4k - 2m) / 4k of the same strategy and
 * repetition: the share of the iteration that the area's 4 KiB pages
 * cost. The working set is always on 4 KiB pages.
 *
 * A difference whose per-repetition values have an interquartile range
 * containing 0 is written with status flagged:within-noise: it is noise,
 * not a number to quote.
 *
 * Hot loops: one per access method (ptr, table, segment, shift, tls),
 * the workload loop of the one template (bench/access-loops.h) over the
 * accessors of lib/runtime/pcpu-access.h, no call or switch per access.
 * Check with: objdump -d build/pcpubench | grep -A40 '<al_shift_rseq_wl>:'
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "bench-common.h"
#include "bench-quiet.h"
#include "pcpu-access.h"
#include "pcpu-stats.h"
#include "pcpu-sysinfo.h"
#include "pcpu-timing.h"
#include "pcpu-version.h"
#include "pcpubench.h"

#define WL_REGION (64 * 1024)	/* per-CPU region the variables spread over */
#define WL_MAX_PAGES (1UL << 18)	/* P at most 1 GiB of 4 KiB pages */
#define WL_MAX_M 256
#define WL_MAX_WORK 4096
#define WL_MAX_LIST 32

/* ---- strategies: access method x layout, as the runtime declares them --- */

#define WL_PTR (-1)	/* the floor: not a pcpu strategy */

struct wl_strat {
	int id;			/* enum pcpu_strategy_id, or WL_PTR */
	const char *name, *access, *layout;
	al_wl_fn fn;		/* NULL: no loop here (reason in na) */
	bool needs_rseq;
};

/* The loop is the method's (access-loops.h), CPU id from rseq. */
static void wl_strat_fill(struct wl_strat *s, int id)
{
	enum pcpu_strategy_id sid = (enum pcpu_strategy_id)id;
	enum pcpu_access_id m = id == WL_PTR ? AL_A_PTR : pcpu_strategy_access(sid);

	memset(s, 0, sizeof(*s));
	s->id = id;
	s->name = id == WL_PTR ? "ptr" : pcpu_strategy_name(sid);
	s->access = al_access_name(m);
	s->layout = id == WL_PTR ? "none" :
		    pcpu_layout_name(pcpu_strategy_layout(sid));
	s->fn = al_wl_lookup(m);
	s->needs_rseq = al_cpuid_default(m) != AL_CPUID_IMPLICIT;
}

/* ---- options ------------------------------------------------------------ */

struct wl_opts {
	int strat[PCPU_NR_STRATEGIES];
	size_t nstrat;
	size_t pages[WL_MAX_LIST], npages;
	unsigned m[WL_MAX_LIST];
	size_t nm;
	bool page4k, page2m;
	unsigned vars, work;
	int repeat, tries, cpu, quiet;
	double min_time;
	uint64_t seed;
	enum pout_format fmt;
	const char *out;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: pcpubench workload [OPTIONS]\n"
"\n"
"An application-shaped loop: each iteration does W dependent loads over a\n"
"working set of P pages (one random line per 4 KiB page, random order),\n"
"then M per-CPU counter increments through the strategy over --vars\n"
"variables spread over a 64 KiB per-CPU region. Measures cycles per\n"
"iteration and the slowdown against the floor `ptr` (the unit address\n"
"computed once, in a register) and against segment, taken within each\n"
"repetition (strategies interleaved in a random order); with both page\n"
"sizes, tlb_share_pct = (4k - 2m) / 4k cycles of the same strategy.\n"
"\n"
"  --strategy LIST   offset-array,segment,vm-area,hybrid,tls or all\n"
"                    (default all); ptr is always measured\n"
"  --pages SPEC      P: MIN-MAX (powers of two in between, and MAX) or a\n"
"                    comma list, 1..%lu (default 16-65536)\n"
"  --accesses LIST   M: increments per iteration, 1..%d (default 1,4,16)\n"
"  --vars N          per-CPU variables cycled through, 1..1024 (default 16:\n"
"                    one per 4 KiB page of the region)\n"
"  --work W          chase steps per iteration, 1..%d (default 8)\n"
"  --page LIST       4k,2m: per-CPU area backing (2m: hugetlb when reserved\n"
"                    pages are free, else THP); obtained one in `backing`\n"
"                    (default 4k,2m)\n"
"  --cpu N           host CPU to run on (default: last allowed CPU)\n"
"  --repeat N        repetitions (default 9)\n"
"  --tries N         each sample is the best of N batches (default 3)\n"
"  --min-time S      seconds per batch (default 0.001)\n"
"  --seed N          working set and visiting order (default: time)\n"
"  --format F        text, csv, json (default: text on a terminal)\n"
"  -o, --output FILE write there (atomically) instead of stdout\n"
"  -q, --quiet       no progress line\n"
"  -h, --help        this text\n"
"\n"
"Metrics: cycles_per_iter, ns_per_iter, core_clock, slowdown_vs_ptr_pct,\n"
"slowdown_vs_segment_pct (derived, per repetition), tlb_share_pct (2m\n"
"rows; derived). A difference whose per-repetition interquartile range\n"
"contains 0 has status flagged:within-noise. table and shift read the CPU\n"
"id from glibc's rseq area (NA without rseq). Modelled: the per-CPU\n"
"lookup and increment of a user-space runtime; not modelled: preemption\n"
"guards, the kernel's own TLB footprint.\n"
BQ_HELP
"Exit: 0 ok, 1 failure, 2 usage error, 4 cannot run here.\n",
		WL_MAX_PAGES, WL_MAX_M, WL_MAX_WORK);
}

/* MIN-MAX (powers of two, and MAX) or an increasing comma list. */
static int parse_pages(const char *s, struct wl_opts *o)
{
	char list[BC_MAX_LIST][64];
	unsigned long lo, hi, v;
	int n, i;

	o->npages = 0;
	if (strchr(s, '-')) {
		char a[32], b[32];
		const char *dash = strchr(s, '-');

		if ((size_t)(dash - s) >= sizeof(a) ||
		    strlen(dash + 1) >= sizeof(b))
			return -EINVAL;
		memcpy(a, s, (size_t)(dash - s));
		a[dash - s] = '\0';
		snprintf(b, sizeof(b), "%s", dash + 1);
		if (bc_ulong(a, &lo) || bc_ulong(b, &hi) || lo < 1 || hi < lo ||
		    hi > WL_MAX_PAGES)
			return -EINVAL;
		o->pages[o->npages++] = lo;
		for (v = 1; v <= hi && o->npages < WL_MAX_LIST; v <<= 1)
			if (v > lo)
				o->pages[o->npages++] = v;
		if (o->pages[o->npages - 1] < hi && o->npages < WL_MAX_LIST)
			o->pages[o->npages++] = hi;
		return 0;
	}
	n = bc_split(s, list, BC_MAX_LIST);
	if (n <= 0 || n > WL_MAX_LIST)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (bc_ulong(list[i], &v) || v < 1 || v > WL_MAX_PAGES ||
		    (o->npages && v <= o->pages[o->npages - 1]))
			return -EINVAL;
		o->pages[o->npages++] = v;
	}
	return 0;
}

static int parse_m(const char *s, struct wl_opts *o)
{
	char list[BC_MAX_LIST][64];
	unsigned long v;
	size_t k;
	int n, i;

	n = bc_split(s, list, BC_MAX_LIST);
	if (n <= 0 || n > WL_MAX_LIST)
		return -EINVAL;
	o->nm = 0;
	for (i = 0; i < n; i++) {
		if (bc_ulong(list[i], &v) || v < 1 || v > WL_MAX_M)
			return -EINVAL;
		for (k = 0; k < o->nm; k++)
			if (o->m[k] == v)
				return -EINVAL;
		o->m[o->nm++] = (unsigned)v;
	}
	return 0;
}

static int bad(const char *what, const char *arg, const char *rule)
{
	fprintf(stderr, "pcpubench workload: bad %s '%s' (%s)\n", what, arg,
		rule);
	return -EINVAL;
}

static int parse_opts(int argc, char **argv, struct wl_opts *o)
{
	static const struct option lo[] = {
		{ "strategy", required_argument, NULL, 'S' },
		{ "pages", required_argument, NULL, 'P' },
		{ "accesses", required_argument, NULL, 'M' },
		{ "vars", required_argument, NULL, 'V' },
		{ "work", required_argument, NULL, 'W' },
		{ "page", required_argument, NULL, 'G' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "tries", required_argument, NULL, 'T' },
		{ "min-time", required_argument, NULL, 't' },
		{ "seed", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum pcpu_strategy_id ids[PCPU_NR_STRATEGIES];
	const char *strategies = NULL, *fmt = NULL;
	char list[BC_MAX_LIST][64], err[256];
	unsigned long v;
	double d;
	int c, n, i, seed_given = 0;

	memset(o, 0, sizeof(*o));
	parse_pages("16-65536", o);
	parse_m("1,4,16", o);
	o->page4k = o->page2m = true;
	o->vars = 16;
	o->work = 8;
	o->repeat = 9;
	o->tries = 3;
	o->min_time = 0.001;
	o->cpu = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'S':
			strategies = optarg;
			break;
		case 'P':
			if (parse_pages(optarg, o))
				return bad("--pages", optarg, "MIN-MAX or an "
					   "increasing list, 1..262144");
			break;
		case 'M':
			if (parse_m(optarg, o))
				return bad("--accesses", optarg, "a list of "
					   "distinct counts, 1..256");
			break;
		case 'V':
			if (bc_ulong(optarg, &v) || v < 1 || v > WL_REGION / 64)
				return bad("--vars", optarg, "1..1024");
			o->vars = (unsigned)v;
			break;
		case 'W':
			if (bc_ulong(optarg, &v) || v < 1 || v > WL_MAX_WORK)
				return bad("--work", optarg, "1..4096");
			o->work = (unsigned)v;
			break;
		case 'G':
			n = bc_split(optarg, list, BC_MAX_LIST);
			o->page4k = o->page2m = false;
			for (i = 0; i < n; i++) {
				bool *p = !strcmp(list[i], "4k") ? &o->page4k :
					  !strcmp(list[i], "2m") ? &o->page2m :
					  NULL;

				if (!p || *p)
					return bad("--page", optarg, "4k, 2m, "
						   "each once");
				*p = true;
			}
			if (n <= 0)
				return bad("--page", optarg, "4k, 2m");
			break;
		case 'c':
			if (bc_ulong(optarg, &v) || v >= CPU_SETSIZE)
				return bad("--cpu", optarg, "a CPU number");
			o->cpu = (int)v;
			break;
		case 'r':
		case 'T':
			if (bc_ulong(optarg, &v) || v < 1 || v > 1000)
				return bad(c == 'r' ? "--repeat" : "--tries",
					   optarg, "1..1000");
			if (c == 'r')
				o->repeat = (int)v;
			else
				o->tries = (int)v;
			break;
		case 't':
			if (bc_double(optarg, &d) || !(d >= 1e-5 && d <= 10))
				return bad("--min-time", optarg,
					   "seconds, 0.00001..10");
			o->min_time = d;
			break;
		case 's':
			if (bc_ulong(optarg, &v))
				return bad("--seed", optarg, "a number");
			o->seed = v;
			seed_given = 1;
			break;
		case 'f':
			fmt = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		default:	/* --help: 1 (exit 0); a bad option: -EINVAL */
			return bc_help_or_bad(c, usage) == EXIT_OK ? 1 : -EINVAL;
		}
	}
	if (bc_no_extra_args("workload", argc, argv, optind))
		return -EINVAL;
	n = bc_strategies(strategies, ids, PCPU_NR_STRATEGIES, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "pcpubench workload: %s\n", err);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < o->nstrat; k++)
			if (o->strat[k] == (int)ids[i])
				return bad("--strategy", strategies,
					   "each strategy once");
		o->strat[o->nstrat++] = (int)ids[i];
	}
	o->fmt = bc_default_format(o->out);
	if (fmt && pout_format_parse(fmt, &o->fmt))
		return bad("--format", fmt, "text, csv, json");
	if (!seed_given)
		o->seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return 0;
}

/* ---- working set ---------------------------------------------------------- */

struct wset {
	char *map;		/* max P pages, 4 KiB, no THP */
	size_t max_pages;
	uint32_t *order;	/* scratch: page order */
};

static int wset_make(struct wset *w, size_t pages)
{
	memset(w, 0, sizeof(*w));
	w->map = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (w->map == MAP_FAILED) {
		w->map = NULL;
		return -ENOMEM;
	}
	madvise(w->map, pages * 4096, MADV_NOHUGEPAGE);
	w->max_pages = pages;
	w->order = calloc(pages, sizeof(*w->order));
	return w->order ? 0 : -ENOMEM;
}

static void wset_free(struct wset *w)
{
	if (w->map)
		munmap(w->map, w->max_pages * 4096);
	free(w->order);
}

/*
 * Chain the first @p pages: one random line in each, random cyclic order
 * (the same for a given seed and P). Returns the first line's address.
 */
static uintptr_t wset_chain(struct wset *w, size_t p, uint64_t seed)
{
	uint64_t s = seed ^ (p * 0x9E3779B97F4A7C15ULL) ^ 0x5bd1e995;
	uintptr_t first, prev;
	size_t i;

	for (i = 0; i < p; i++)
		w->order[i] = (uint32_t)i;
	pcpu_rng_shuffle(w->order, p, sizeof(*w->order), &s);
#define WL_LINE(pg) ((uintptr_t)w->map + (uintptr_t)(pg) * 4096 +             \
		     (uintptr_t)((pg) * 2654435761u % 64) * 64)
	first = prev = WL_LINE(w->order[0]);
	for (i = 1; i < p; i++) {
		uintptr_t l = WL_LINE(w->order[i]);

		*(uintptr_t *)prev = l;
		prev = l;
	}
	*(uintptr_t *)prev = first;
#undef WL_LINE
	return first;
}

/* ---- measuring -------------------------------------------------------- */

struct wl_live {
	struct wl_strat st;
	struct pcpu_rt *rt;	/* NULL for ptr (uses the floor's unit) */
	pcpu_off_t region;
	char na[160];
	char backing[32];
};

/* One pass: all strategies at one per-CPU backing. */
struct wl_pass {
	const char *page;	/* "4k" or "2m" */
	size_t nlive;
	struct wl_live live[PCPU_NR_STRATEGIES + 2];
	/* cyc[((pi * nm + mi) * nlive + si) * repeat + rep] */
	double *cyc, *ns, *ghz;
	/* per sample as cyc: 0 quiet, 1 + enum pq_why no quiet batch */
	signed char *dist;
	uint64_t *iters;	/* batch size per (P, M), from the first rep */
};

/* Bring up one strategy's runtime for @cpu at @page. */
static void live_up(struct wl_live *l, unsigned cpu, bool huge,
		    const struct pcpu_sysinfo *si)
{
	struct pcpu_config cfg;
	struct pcpu_backing_info bi;
	char err[256], online[32];
	const char *why;
	int r;

	snprintf(l->backing, sizeof(l->backing), "none");
	why = pcpu_strategy_unavailable((enum pcpu_strategy_id)l->st.id);
	if (why) {
		bc_na_status(l->na, sizeof(l->na), "unavailable", why);
		return;
	}
	if (!l->st.fn) {
		bc_na_status(l->na, sizeof(l->na), "no-loop", "no loop built here");
		return;
	}
	if (l->st.id == PCPU_S_TLS && huge) {
		bc_na_status(l->na, sizeof(l->na), "not-applicable",
			  "the tls block is thread memory: no 2m unit");
		return;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.strategy = (enum pcpu_strategy_id)l->st.id;
	cfg.possible = si->cpus_possible;
	snprintf(online, sizeof(online), "%u-%u", cpu, cpu);
	cfg.online = online;
	cfg.dyn_size = 2 * WL_REGION;
	cfg.backing = !huge ? PCPU_BACKING_4K :
		      si->hugetlb_2m_free >= 4 ? PCPU_BACKING_HUGETLB :
		      PCPU_BACKING_THP;
	err[0] = 0;
	r = pcpu_rt_init(&l->rt, &cfg, err, sizeof(err));
	if (r == -ENOMEM && cfg.backing == PCPU_BACKING_HUGETLB) {
		cfg.backing = PCPU_BACKING_THP;
		r = pcpu_rt_init(&l->rt, &cfg, err, sizeof(err));
	}
	if (r) {
		char m[320];

		snprintf(m, sizeof(m), "%s: %s", strerror(-r), err);
		bc_na_status(l->na, sizeof(l->na), "init-failed", m);
		l->rt = NULL;
		return;
	}
	/* pcpu_rt_init() finds glibc's rseq area */
	if (l->st.needs_rseq && !pcpu_rseq_cpu_offset) {
		bc_na_status(l->na, sizeof(l->na), "no-rseq",
			  "glibc's rseq area is not registered");
		goto drop;
	}
	if (pcpu_cpu_host_cpu(l->rt, cpu) != (int)cpu) {
		bc_na_status(l->na, sizeof(l->na), "cpu-map",
			  "logical CPU id is not the host id");
		goto drop;
	}
	r = pcpu_alloc(l->rt, WL_REGION, 4096, NULL, false, &l->region);
	if (!r)
		r = pcpu_thread_enter(l->rt, cpu);
	if (r) {
		bc_na_status(l->na, sizeof(l->na), "setup-failed", strerror(-r));
		goto drop;
	}
	if (!pcpu_cpu_backing(l->rt, cpu, &bi))
		snprintf(l->backing, sizeof(l->backing), "%s",
			 bi.obtained ? bi.obtained : "none");
	if (l->st.id == PCPU_S_TLS)
		snprintf(l->backing, sizeof(l->backing), "tls-block");
	return;
drop:
	pcpu_rt_fini(l->rt);
	l->rt = NULL;
}

static void live_down(struct wl_live *l)
{
	if (l->rt) {
		pcpu_thread_leave(l->rt);
		pcpu_rt_fini(l->rt);
		l->rt = NULL;
	}
}

struct wl_ctx {
	const struct wl_opts *o;
	unsigned cpu;
	double tsc_hz;
	struct wset ws;
	uintptr_t offs[WL_REGION / 64];
	volatile uintptr_t zero;
	double t_start;
	int progress;
	uint64_t rng;		/* visiting order */
};

/* Unit offsets of the variables: evenly over the region, own lines. */
static void make_offs(struct wl_ctx *c, pcpu_off_t region)
{
	size_t n = c->o->vars, stride = (WL_REGION / n) & ~(size_t)63, i;

	if (!stride)
		stride = 64;
	for (i = 0; i < n; i++)
		c->offs[i] = region + i * stride +
			     (stride >= 4096 ? (i * 64) % 4096 : 0);
}

/*
 * Best of tries: TSC ticks for @iters iterations, over the batches that
 * ran alone (bench-quiet.h); a disturbed batch is retried, at most
 * BQ_MAX_RETRIES times. With none quiet, the best disturbed one and
 * *@dist = 1 + why (NULL @dist: sizing, not a sample).
 */
static uint64_t time_batch(struct wl_ctx *c, al_wl_fn fn, struct al_wl_args *a,
			   uint64_t iters, signed char *dist)
{
	uint64_t best = UINT64_MAX, dbest = UINT64_MAX, t0, t1;
	enum pq_why last = PQ_QUIET;
	int t, retries = 0;

	for (t = 0; t < c->o->tries + retries; t++) {
		struct pq_mark qm;
		enum pq_why w;

		if (dist)
			pq_begin(&qm);
		t0 = pt_rdtsc();
		fn(a, iters);
		t1 = pt_rdtscp();
		w = dist ? bq_check(&qm) : PQ_QUIET;
		if (w != PQ_QUIET) {
			last = w;
			dbest = t1 - t0 < dbest ? t1 - t0 : dbest;
			if (retries < BQ_MAX_RETRIES && bq_retry())
				retries++;
			continue;
		}
		if (t1 - t0 < best)
			best = t1 - t0;
	}
	if (dist)
		*dist = best == UINT64_MAX ? 1 + (int)last : 0;
	if (best == UINT64_MAX) {
		bq_counts.flagged++;
		return dbest;
	}
	return best;
}

static void shuffle(size_t *v, size_t n, uint64_t *rng)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = i;
	pcpu_rng_shuffle(v, n, sizeof(*v), rng);
}

/* Allocate a pass's samples (NaN until measured). */
static int pass_alloc(struct wl_ctx *c, struct wl_pass *ps)
{
	const struct wl_opts *o = c->o;
	size_t n = o->npages * o->nm * (o->nstrat + 1) * (size_t)o->repeat, k;

	ps->cyc = calloc(n, sizeof(double));
	ps->ns = calloc(n, sizeof(double));
	ps->ghz = calloc((size_t)o->repeat, sizeof(double));
	ps->iters = calloc(o->npages * o->nm, sizeof(*ps->iters));
	ps->dist = calloc(n, sizeof(*ps->dist));
	if (!ps->cyc || !ps->ns || !ps->ghz || !ps->iters || !ps->dist)
		return -ENOMEM;
	for (k = 0; k < n; k++)
		ps->cyc[k] = ps->ns[k] = NAN;
	return 0;
}

/*
 * One repetition of one pass: bring every runtime up at the pass's
 * backing, run each point with the strategies in a random order, take
 * them down again (one live runtime per strategy, so the 4k and the 2m
 * pass alternate repetition by repetition: drift between them cancels).
 */
static int run_rep(struct wl_ctx *c, struct wl_pass *ps, bool huge,
		   const struct pcpu_sysinfo *si, cpu_set_t *orig, int rep)
{
	const struct wl_opts *o = c->o;
	size_t np = o->npages, nm = o->nm, nl, si_, pi, mi, k;
	size_t porder[WL_MAX_LIST], morder[WL_MAX_LIST];
	size_t sorder[PCPU_NR_STRATEGIES + 2];
	struct wl_live *floor_rt = NULL, *oa = NULL;
	uint64_t *iters = ps->iters;
	double core_hz;
	int ret = 0;

	/* The floor first (its unit is offset-array's), then the list. */
	ps->nlive = 0;
	memset(ps->live, 0, sizeof(ps->live));
	wl_strat_fill(&ps->live[ps->nlive++].st, WL_PTR);
	for (k = 0; k < o->nstrat; k++)
		wl_strat_fill(&ps->live[ps->nlive++].st, o->strat[k]);
	nl = ps->nlive;
	sched_setaffinity(0, sizeof(*orig), orig);
	for (k = 1; k < nl; k++) {
		live_up(&ps->live[k], c->cpu, huge, si);
		if (ps->live[k].st.id == PCPU_S_OFFSET_ARRAY)
			oa = &ps->live[k];
	}
	if (!oa) {
		/* A private offset-array runtime holds the floor's unit. */
		floor_rt = &ps->live[nl];
		wl_strat_fill(&floor_rt->st, PCPU_S_OFFSET_ARRAY);
		live_up(floor_rt, c->cpu, huge, si);
		oa = floor_rt;
	}
	if (oa->rt) {
		ps->live[0].region = oa->region;
		snprintf(ps->live[0].backing, sizeof(ps->live[0].backing), "%s",
			 oa->backing);
	} else {
		snprintf(ps->live[0].na, sizeof(ps->live[0].na), "%s", oa->na);
		snprintf(ps->live[0].backing, sizeof(ps->live[0].backing),
			 "none");
	}
	if (pt_pin_self((int)c->cpu)) {
		ret = -EINVAL;
		goto out;
	}
	if (pt_core_hz_calibrate(&core_hz))
		core_hz = NAN;
	ps->ghz[rep] = core_hz / 1e9;
	shuffle(porder, np, &c->rng);
	for (pi = 0; pi < np; pi++) {
		size_t p = porder[pi];
		uintptr_t first = wset_chain(&c->ws, o->pages[p], o->seed);

		shuffle(morder, nm, &c->rng);
		for (mi = 0; mi < nm; mi++) {
			size_t m = morder[mi], pt = p * nm + m;

			shuffle(sorder, nl, &c->rng);
			for (si_ = 0; si_ < nl; si_++) {
				size_t s = sorder[si_], at;
				struct wl_live *l = &ps->live[s];
				struct al_wl_args a;
				uint64_t ticks;

				if (l->na[0])
					continue;
				memset(&a, 0, sizeof(a));
				a.cur = first;
				a.zero = c->zero;
				make_offs(c, l->region);
				a.offs = c->offs;
				a.nvars = o->vars;
				a.m = o->m[m];
				a.work = o->work;
				if (!l->rt) {	/* ptr: offset-array's unit */
					a.ctx.base = (uintptr_t)pcpu_ptr(oa->rt,
									c->cpu, 0);
				} else {	/* segment, hybrid-segment: one GS base */
					pcpu_thread_enter(l->rt, c->cpu);
					pcpu_rt_acc_ctx(l->rt, &a.ctx);
				}
				if (!iters[pt]) {
					/* size the batch; warms up */
					uint64_t n = 16, t;

					for (;;) {
						t = time_batch(c, l->st.fn, &a, n,
							       NULL);
						if ((double)t >= o->min_time *
						    c->tsc_hz || n >= (1ULL << 32))
							break;
						n *= 2;
					}
					iters[pt] = n;
				}
				l->st.fn(&a, iters[pt] / 4 + 1);
				at = (pt * nl + s) * (size_t)o->repeat + (size_t)rep;
				ticks = time_batch(c, l->st.fn, &a, iters[pt],
						   &ps->dist[at]);
				ps->ns[at] = (double)ticks / c->tsc_hz * 1e9 /
					     (double)iters[pt];
				ps->cyc[at] = (double)ticks / c->tsc_hz * core_hz /
					      (double)iters[pt];
			}
		}
	}
out:
	for (k = 0; k <= nl && k < PCPU_NR_STRATEGIES + 2; k++)
		live_down(&ps->live[k]);
	return ret;
}

/* ---- output ------------------------------------------------------------ */

enum {
	C_STRATEGY, C_ACCESS, C_LAYOUT, C_PAGES, C_ACCESSES, C_VARS, C_WORK,
	C_PAGE, C_BACKING, C_CPU, NCOLS
};
static const char *const col_names[NCOLS] = {
	"strategy", "access", "layout", "pages", "accesses", "vars", "work",
	"page", "backing", "cpu",
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Status of a per-repetition difference series @d: derived, or
 * flagged:within-noise when its interquartile range contains 0.
 */
static const char *noise_status(const double *d, size_t n)
{
	double s[1000], q1, q3;
	size_t k = 0, i;

	for (i = 0; i < n && k < 1000; i++)
		if (isfinite(d[i]))
			s[k++] = d[i];
	if (k < 2)
		return "derived";
	qsort(s, k, sizeof(double), cmp_double);
	q1 = pstats_quantile_sorted(s, k, 0.25);
	q3 = pstats_quantile_sorted(s, k, 0.75);
	return q1 <= 0 && q3 >= 0 ?
	       "flagged:within-noise(per-rep IQR contains 0)" : "derived";
}

static int emit_pass(struct wl_ctx *c, struct pout *out, struct wl_pass *ps,
		     const struct wl_pass *p4k)
{
	const struct wl_opts *o = c->o;
	size_t nl = ps->nlive, nm = o->nm, R = (size_t)o->repeat;
	size_t p, m, s, seg = (size_t)-1;
	double *d = calloc(R, sizeof(double)), *d2 = calloc(R, sizeof(double));
	char pages[24], acc[16], vars[16], work[16], cpu[16];
	int ret = 0, rep;

	if (!d || !d2) {
		free(d);
		free(d2);
		return -ENOMEM;
	}
	for (s = 0; s < nl; s++)
		if (ps->live[s].st.id == PCPU_S_SEGMENT)
			seg = s;
	snprintf(vars, sizeof(vars), "%u", o->vars);
	snprintf(work, sizeof(work), "%u", o->work);
	snprintf(cpu, sizeof(cpu), "%u", c->cpu);
	for (p = 0; p < o->npages; p++)
	for (m = 0; m < nm; m++)
	for (s = 0; s < nl; s++) {
		const struct wl_live *l = &ps->live[s];
		size_t pt = p * nm + m;
		const double *cy = &ps->cyc[(pt * nl + s) * R];
		const double *ns = &ps->ns[(pt * nl + s) * R];
		const double *fl = &ps->cyc[(pt * nl + 0) * R];
		const double *sg = seg != (size_t)-1 ?
				   &ps->cyc[(pt * nl + seg) * R] : NULL;
		const signed char *dy = &ps->dist[(pt * nl + s) * R];
		const signed char *dfl = &ps->dist[(pt * nl + 0) * R];
		const signed char *dsg = seg != (size_t)-1 ?
					 &ps->dist[(pt * nl + seg) * R] : NULL;
		const signed char *d4 = p4k ? &p4k->dist[(pt * nl + s) * R] :
					NULL;
		char qb[256];
		const char *pv[NCOLS], *st_ptr, *st_seg = NULL, *st_tlb = NULL;
		char na_seg[160], keep[64];

		snprintf(pages, sizeof(pages), "%zu", o->pages[p]);
		snprintf(acc, sizeof(acc), "%u", o->m[m]);
		pv[C_STRATEGY] = l->st.name;
		pv[C_ACCESS] = l->st.access;
		pv[C_LAYOUT] = l->st.layout;
		pv[C_PAGES] = pages;
		pv[C_ACCESSES] = acc;
		pv[C_VARS] = vars;
		pv[C_WORK] = work;
		pv[C_PAGE] = ps->page;
		pv[C_BACKING] = l->backing;
		pv[C_CPU] = cpu;
		if (l->na[0]) {
			for (rep = 0; rep < o->repeat && !ret; rep++) {
				ret = pout_row(out, pv, rep, "cycles_per_iter",
					       NAN, "cycles", l->na);
				if (!ret && s)
					ret = pout_row(out, pv, rep,
						       "slowdown_vs_ptr_pct",
						       NAN, "%", l->na);
			}
			if (ret)
				break;
			continue;
		}
		/* A flagged sample is left out of the noise test. */
		for (rep = 0; rep < o->repeat; rep++) {
			d[rep] = dy[rep] || dfl[rep] ? NAN :
				 (cy[rep] - fl[rep]) / fl[rep] * 100;
			d2[rep] = sg && !dy[rep] && !dsg[rep] ?
				  (cy[rep] - sg[rep]) / sg[rep] * 100 : NAN;
		}
		st_ptr = noise_status(d, R);
		if (sg && ps->live[seg].na[0])
			snprintf(na_seg, sizeof(na_seg), "%s", ps->live[seg].na);
		else if (!sg)
			snprintf(na_seg, sizeof(na_seg), "na:no-segment(segment "
				 "not in --strategy)");
		else
			na_seg[0] = 0;
		if (!na_seg[0]) {
			snprintf(keep, sizeof(keep), "%s", noise_status(d2, R));
			st_seg = keep;
		}
		if (p4k) {
			const struct wl_live *l4 = &p4k->live[s];
			const double *c4 = &p4k->cyc[(pt * nl + s) * R];

			for (rep = 0; rep < o->repeat; rep++)
				d[rep] = dy[rep] || d4[rep] ? NAN :
					 (c4[rep] - cy[rep]) / c4[rep] * 100;
			st_tlb = l4->na[0] ? l4->na :
				 strcmp(l->backing, "thp") &&
				 strcmp(l->backing, "hugetlb") ?
				 "na:no-2m-pages(the 2m pass got no huge "
				 "pages)" : noise_status(d, R);
		}
		for (rep = 0; rep < o->repeat && !ret; rep++) {
			double v;
			/* this sample's flag, else the first reference's */
			const char *qs = NULL;
			int qf = dy[rep] ? dy[rep] : dfl[rep] ? dfl[rep] :
				 dsg && dsg[rep] ? dsg[rep] :
				 d4 && d4[rep] ? d4[rep] : 0;

			if (qf) {
				bq_flag(qb, sizeof(qb), (enum pq_why)(qf - 1),
					0);
				qs = qb;
			}
			ret = pout_row(out, pv, rep, "cycles_per_iter", cy[rep],
				       "cycles", !isfinite(cy[rep]) ?
				       "na:no-clock(core clock calibration "
				       "failed)" : dy[rep] ? qs : "ok");
			if (!ret && isfinite(ns[rep]))
				ret = pout_row(out, pv, rep, "ns_per_iter",
					       ns[rep], "ns", dy[rep] ? qs : "ok");
			if (!ret && isfinite(ps->ghz[rep]))
				ret = pout_row(out, pv, rep, "core_clock",
					       ps->ghz[rep], "GHz", "ok");
			v = (cy[rep] - fl[rep]) / fl[rep] * 100;
			if (!ret && s)
				ret = pout_row(out, pv, rep,
					       "slowdown_vs_ptr_pct", v, "%",
					       !isfinite(v) ?
					       "na:no-floor(ptr not measured)" :
					       dy[rep] || dfl[rep] ? qs : st_ptr);
			if (!ret && l->st.id != PCPU_S_SEGMENT) {
				v = st_seg ? (cy[rep] - sg[rep]) / sg[rep] * 100
					   : NAN;
				ret = pout_row(out, pv, rep,
					       "slowdown_vs_segment_pct",
					       isfinite(v) ? v : NAN, "%",
					       st_seg && isfinite(v) &&
					       (dy[rep] || dsg[rep]) ? qs :
					       st_seg && isfinite(v) ? st_seg :
					       na_seg[0] ? na_seg :
					       "na:no-segment(not measured)");
			}
			if (!ret && p4k) {
				const double *c4 = &p4k->cyc[(pt * nl + s) * R];

				v = (c4[rep] - cy[rep]) / c4[rep] * 100;
				if (!isfinite(v) && !POUT_IS_NA(st_tlb))
					st_tlb = "na:no-4k(the 4k pass has no "
						 "value)";
				ret = pout_row(out, pv, rep, "tlb_share_pct",
					       POUT_IS_NA(st_tlb) ? NAN : v, "%",
					       !POUT_IS_NA(st_tlb) &&
					       (dy[rep] || d4[rep]) ? qs : st_tlb);
			}
		}
		if (ret)
			break;
	}
	free(d);
	free(d2);
	return ret;
}

static void pass_free(struct wl_pass *ps)
{
	size_t k;

	for (k = 0; k < ps->nlive; k++)
		live_down(&ps->live[k]);
	free(ps->cyc);
	free(ps->ns);
	free(ps->ghz);
	free(ps->iters);
	free(ps->dist);
	ps->dist = NULL;
	ps->cyc = ps->ns = ps->ghz = NULL;
	ps->iters = NULL;
}

int cmd_workload(int argc, char **argv)
{
	static struct wl_ctx c;
	struct wl_opts o;
	struct wl_pass p4k, p2m;
	struct pcpu_sysinfo si;
	struct pout *out = NULL;
	cpu_set_t orig;
	char b[64];
	int r, rep, ret = EXIT_OK;

	r = parse_opts(argc, argv, &o);
	if (r)
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	r = bc_out_check("workload", o.out);
	if (r)
		return r;
	if (bc_dry_run_stop("workload"))
		return EXIT_OK;
	memset(&c, 0, sizeof(c));
	memset(&p4k, 0, sizeof(p4k));
	memset(&p2m, 0, sizeof(p2m));
	p4k.page = "4k";
	p2m.page = "2m";
	c.o = &o;
	c.cpu = o.cpu >= 0 ? (unsigned)o.cpu : (unsigned)bc_default_cpu();
	if (sched_getaffinity(0, sizeof(orig), &orig))
		return EXIT_FAIL;
	if (pt_pin_self((int)c.cpu)) {
		fprintf(stderr, "pcpubench workload: cannot run on CPU %u (not "
			"allowed or offline)\n", c.cpu);
		return o.cpu >= 0 ? EXIT_USAGE : EXIT_SKIP;
	}
	if (pt_tsc_hz(&c.tsc_hz)) {
		fprintf(stderr, "pcpubench workload: cannot measure the TSC "
			"rate\n");
		return EXIT_SKIP;
	}
	pcpu_sysinfo_read(&si);
	if (wset_make(&c.ws, o.pages[o.npages - 1])) {
		fprintf(stderr, "pcpubench workload: cannot allocate a working "
			"set of %zu pages\n", o.pages[o.npages - 1]);
		wset_free(&c.ws);
		return EXIT_FAIL;
	}
	r = bc_out_open("workload", &out, o.fmt, o.out, "workload", col_names,
			NCOLS);
	if (r) {
		wset_free(&c.ws);
		return r;
	}
	snprintf(b, sizeof(b), "%llu", (unsigned long long)o.seed);
	pout_meta(out, "seed", b);
	pout_meta(out, "cycles_source", pt_cycles_source());
	snprintf(b, sizeof(b), "%.0f", c.tsc_hz);
	pout_meta(out, "tsc_hz", b);
	pout_meta(out, "method", "per repetition, the 4k and the 2m pass in a "
		  "random order, points (P, M) and strategies in a random "
		  "order; a sample is the best of --tries batches; slowdowns "
		  "against ptr and segment of the same repetition");
	pout_meta(out, "build_flags", PCPU_BUILD_FLAGS);
	bq_meta(out, "workload", 0);
	c.t_start = pt_now();
	c.rng = o.seed ^ 0x12345;
	r = pass_alloc(&c, &p4k);
	if (!r)
		r = pass_alloc(&c, &p2m);
	for (rep = 0; !r && rep < o.repeat; rep++) {
		/* the two backings alternate, in a random order */
		bool first2m = o.page4k && o.page2m && (pcpu_rng_next(&c.rng) & 1);

		if (!r && o.page2m && first2m)
			r = run_rep(&c, &p2m, true, &si, &orig, rep);
		if (!r && o.page4k)
			r = run_rep(&c, &p4k, false, &si, &orig, rep);
		if (!r && o.page2m && !first2m)
			r = run_rep(&c, &p2m, true, &si, &orig, rep);
		if (!o.quiet && isatty(2) && pt_now() - c.t_start > 2.0) {
			fprintf(stderr, "\r[workload] repetition %d/%d   ",
				rep + 1, o.repeat);
			c.progress = 1;
		}
	}
	if (!r && o.page4k)
		r = emit_pass(&c, out, &p4k, NULL);
	if (!r && o.page2m)
		r = emit_pass(&c, out, &p2m, o.page4k ? &p4k : NULL);
	if (c.progress)
		fprintf(stderr, "\r%60s\r", "");
	if (r) {
		fprintf(stderr, "pcpubench workload: %s\n", strerror(-r));
		pout_abort(out);
		ret = EXIT_FAIL;
	} else {
		bq_meta(out, "workload", 1);
		ret = bc_out_close("workload", out);
	}
	pass_free(&p4k);
	pass_free(&p2m);
	wset_free(&c.ws);
	return ret;
}
