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
		  "random order, points (P, M) and strategies in a random "
		  "order; a sample is the best of --tries batches; slowdowns "
		  "against ptr and segment of the same repetition");
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
