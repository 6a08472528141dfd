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
#include "workload.h"
#include "opts.h"

/* The loop is the method's (access-loops.h), CPU id from rseq. */
void wl_strat_fill(struct wl_strat *s, int id)
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

/* The command's own options (getopt codes), after the common ones. */
enum { WO_PAGES = OPTS_OWN_BASE, WO_ACCESSES, WO_VARS, WO_WORK, WO_MIN_TIME,
       WO_PLACEMENT };

static const struct opt_spec wl_spec[] = {
	OPT_C(STRATEGY, "offset-array,segment,vm-area,hybrid,tls or all\n"
			"(default all); ptr is always measured"),
	OPT_OWN(WO_PAGES, "pages", "SPEC",
		"P: MIN-MAX (powers of two in between, and MAX) or a\n"
		"comma list, 1..262144 (default 16-65536)"),
	OPT_OWN(WO_ACCESSES, "accesses", "LIST",
		"M: increments per iteration, 1..256 (default 1,4,16)"),
	OPT_OWN(WO_VARS, "vars", "N",
		"per-CPU variables cycled through, 1..1024 (default 16:\n"
		"one per 4 KiB page of the region)"),
	OPT_OWN(WO_WORK, "work", "W", "chase steps per iteration, 1..4096 (default 8)"),
	OPT_CX(PAGE, "LIST", "4k,2m: per-CPU area backing (2m: hugetlb when reserved\n"
	       "pages are free, else THP); obtained one in `backing`\n"
	       "(default 4k,2m)", OPTF_LIST, 0, 0),
	OPT_C(CPU, NULL),
	OPT_CX(REPEAT, NULL, "repetitions (default 9)", 0, 1, 1000),
	OPT_CX(TRIES, NULL, "each sample is the best of N batches (default 3)",
	       0, 1, 1000),
	OPT_OWN(WO_MIN_TIME, "min-time", "S", "seconds per batch (default 0.001)"),
	OPT_C(SEED, "working set and visiting order (default: time)"),
	OPT_OWN(WO_PLACEMENT, "placement", "P",
		"drawn: each repetition first maps and touches a spacer\n"
		"of 1..2048 random pages, so the per-CPU areas brought up\n"
		"for it land at a new virtual address (their pages are\n"
		"new ones anyway); fixed: no spacer, the areas land at\n"
		"the same address in every repetition of a process\n"
		"(default drawn)"),
	OPT_C(FORMAT, NULL),
	OPT_C(OUTPUT, NULL),
	OPT_C(QUIET, NULL),
	OPT_C(HELP, NULL),
	OPT_END
};

/* The --help after the options (a format: BQ_HELP is written for printf). */
#define WL_TAIL_FMT                                                           \
"\n"                                                                          \
"Metrics: cycles_per_iter, ns_per_iter, core_clock, slowdown_vs_ptr_pct,\n"   \
"slowdown_vs_segment_pct (derived, per repetition), tlb_share_pct (2m\n"      \
"rows; derived). A difference whose per-repetition interquartile range\n"    \
"contains 0 has status flagged:within-noise. table and shift read the CPU\n"  \
"id from glibc's rseq area (NA without rseq). Modelled: the per-CPU\n"       \
"lookup and increment of a user-space runtime; not modelled: preemption\n"   \
"guards, the kernel's own TLB footprint.\n"                                   \
BQ_HELP                                                                       \
"Exit: 0 ok, 1 failure, 2 usage error, 4 cannot run here.\n"

static char wl_tail[2048];

static struct opts_cmd wl_cmd = {
	.name = "workload",
	.head =
"usage: pcpubench workload [OPTIONS]\n"
"\n"
"An application-shaped loop: each iteration does W dependent loads over a\n"
"working set of P pages (one random line per 4 KiB page, random order),\n"
"then M per-CPU counter increments through the strategy over --vars\n"
"variables spread over a 64 KiB per-CPU region. Measures cycles per\n"
"iteration and the slowdown against the floor `ptr` (the unit address\n"
"computed once, in a register) and against segment, taken within each\n"
"repetition (at each point the strategies' batches interleaved, round\n"
"by round in a random order: a slow window costs them alike); with both\n"
"page sizes, tlb_share_pct = (4k - 2m) / 4k cycles of the same strategy.\n"
"\n",
	.spec = wl_spec,
	.tail = wl_tail,
};

/* One of workload's own options. Return: 0; -EINVAL (said why). */
static int wl_own(void *ctx, int code, const char *arg)
{
	struct wl_opts *o = ctx;
	unsigned long v;
	double d;

	switch (code) {
	case WO_PAGES:
		return parse_pages(arg, o) ? bad("--pages", arg, "MIN-MAX or an "
						 "increasing list, 1..262144") : 0;
	case WO_ACCESSES:
		return parse_m(arg, o) ? bad("--accesses", arg, "a list of "
					     "distinct counts, 1..256") : 0;
	case WO_VARS:
		if (bc_ulong(arg, &v) || v < 1 || v > WL_REGION / 64)
			return bad("--vars", arg, "1..1024");
		o->vars = (unsigned)v;
		return 0;
	case WO_WORK:
		if (bc_ulong(arg, &v) || v < 1 || v > WL_MAX_WORK)
			return bad("--work", arg, "1..4096");
		o->work = (unsigned)v;
		return 0;
	case WO_MIN_TIME:
		if (bc_double(arg, &d) || !(d >= 1e-5 && d <= 10))
			return bad("--min-time", arg, "seconds, 0.00001..10");
		o->min_time = d;
		return 0;
	case WO_PLACEMENT:
		if (strcmp(arg, "drawn") && strcmp(arg, "fixed"))
			return bad("--placement", arg, "drawn or fixed");
		o->place_fixed = !strcmp(arg, "fixed");
		return 0;
	}
	return -EINVAL;
}

/* --page LIST: 4k, 2m, each once. */
static int wl_pages_backing(struct wl_opts *o, const char *arg)
{
	char list[BC_MAX_LIST][64];
	int n, i;

	n = bc_split(arg, list, BC_MAX_LIST);
	o->page4k = o->page2m = false;
	for (i = 0; i < n; i++) {
		bool *p = !strcmp(list[i], "4k") ? &o->page4k :
			  !strcmp(list[i], "2m") ? &o->page2m : NULL;

		if (!p || *p)
			return bad("--page", arg, "4k, 2m, each once");
		*p = true;
	}
	return n <= 0 ? bad("--page", arg, "4k, 2m") : 0;
}

/*
 * Read the options: the common ones through the option layer
 * (bench/opts.h), workload's own through wl_own().
 * Return: 0; 1 --help shown; -EINVAL (said why).
 */
static int parse_opts(int argc, char **argv, struct wl_opts *o)
{
	enum pcpu_strategy_id ids[PCPU_NR_STRATEGIES];
	struct opts_common oc;
	char err[256];
	int n, i, r;

	memset(o, 0, sizeof(*o));
	parse_pages("16-65536", o);
	parse_m("1,4,16", o);
	o->page4k = o->page2m = true;
	o->vars = 16;
	o->work = 8;
	o->min_time = 0.001;
	snprintf(wl_tail, sizeof(wl_tail), WL_TAIL_FMT);
	opts_init(&oc);
	oc.repeat = 9;
	oc.tries = 3;
	r = opts_parse(&wl_cmd, argc, argv, &oc, wl_own, o);
	if (r)
		return r;
	if (oc.page && wl_pages_backing(o, oc.page))
		return -EINVAL;
	o->repeat = (int)oc.repeat;
	o->tries = (int)oc.tries;
	o->cpu = (int)oc.cpu;
	o->quiet = oc.quiet;
	o->out = oc.out;
	o->fmt = oc.fmt;
	n = bc_strategies(oc.strategy, ids, PCPU_NR_STRATEGIES, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "pcpubench workload: %s\n", err);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		size_t k;

		for (k = 0; k < o->nstrat; k++)
			if (o->strat[k] == (int)ids[i])
				return bad("--strategy", oc.strategy,
					   "each strategy once");
		o->strat[o->nstrat++] = (int)ids[i];
	}
	o->seed = opts_given(&oc, OPT_SEED) ? oc.seed :
		  (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return 0;
}

static void pass_free(struct wl_pass *ps)
{
	size_t k;

	for (k = 0; k < ps->nlive; k++)
		wl_live_down(&ps->live[k]);
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
	if (wl_wset_make(&c.ws, o.pages[o.npages - 1])) {
		fprintf(stderr, "pcpubench workload: cannot allocate a working "
			"set of %zu pages\n", o.pages[o.npages - 1]);
		wl_wset_free(&c.ws);
		return EXIT_FAIL;
	}
	r = bc_out_open("workload", &out, o.fmt, o.out, "workload", wl_col_names,
			NCOLS);
	if (r) {
		wl_wset_free(&c.ws);
		return r;
	}
	snprintf(b, sizeof(b), "%llu", (unsigned long long)o.seed);
	pout_meta(out, "seed", b);
	pout_meta(out, "cycles_source", pt_cycles_source());
	snprintf(b, sizeof(b), "%.0f", c.tsc_hz);
	pout_meta(out, "tsc_hz", b);
	pout_meta(out, "method", "per repetition, the 4k and the 2m pass in a "
		  "random order, points (P, M) in a random order; at a point "
		  "the strategies' batches interleaved, round by round in a "
		  "random order, a sample the best of --tries batches of its "
		  "strategy; slowdowns against ptr and segment of the same "
		  "repetition");
	pout_meta(out, "placement", o.place_fixed ? "fixed: the per-CPU "
		  "areas brought up anew per repetition, at the same virtual "
		  "address" : "drawn: per repetition a touched spacer of "
		  "1..2048 random pages mapped before the per-CPU areas are "
		  "brought up: a new virtual address per repetition");
	pout_meta(out, "build_flags", PCPU_BUILD_FLAGS);
	bq_meta(out, "workload", 0);
	c.t_start = pt_now();
	c.rng = o.seed ^ 0x12345;
	r = wl_pass_alloc(&c, &p4k);
	if (!r)
		r = wl_pass_alloc(&c, &p2m);
	for (rep = 0; !r && rep < o.repeat; rep++) {
		/* the two backings alternate, in a random order */
		bool first2m = o.page4k && o.page2m && (pcpu_rng_next(&c.rng) & 1);

		if (!r && o.page2m && first2m)
			r = wl_run_rep(&c, &p2m, true, &si, &orig, rep);
		if (!r && o.page4k)
			r = wl_run_rep(&c, &p4k, false, &si, &orig, rep);
		if (!r && o.page2m && !first2m)
			r = wl_run_rep(&c, &p2m, true, &si, &orig, rep);
		if (!o.quiet && isatty(2) && pt_now() - c.t_start > 2.0) {
			fprintf(stderr, "\r[workload] repetition %d/%d   ",
				rep + 1, o.repeat);
			c.progress = 1;
		}
	}
	if (!r && o.page4k)
		r = wl_emit_pass(&c, out, &p4k, NULL);
	if (!r && o.page2m)
		r = wl_emit_pass(&c, out, &p2m, o.page4k ? &p4k : NULL);
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
	wl_wset_free(&c.ws);
	return ret;
}
