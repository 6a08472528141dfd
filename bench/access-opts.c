// SPDX-License-Identifier: GPL-2.0
/*
 * access-opts.c - `pcpubench access`: reading the options.
 */
#include "access-cmd.h"

void acc_opts_free(struct opts *o)
{
	while (o->ndups)
		free(o->dups[--o->ndups]);
}

/* Keep @dup for the life of @o (tokens point into it). */
static char *opts_keep(struct opts *o, char *dup)
{
	if (!dup)
		return NULL;
	if (o->ndups >= sizeof(o->dups) / sizeof(o->dups[0])) {
		free(dup);
		return NULL;
	}
	o->dups[o->ndups++] = dup;
	return dup;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: pcpubench access [OPTIONS]\n"
"\n"
"Cost of reaching this CPU's copy of a per-CPU variable and reading,\n"
"writing or incrementing it, per strategy. Every list option takes a comma\n"
"list; the product of the lists is measured.\n"
"\n"
"  --strategy LIST   offset-array,segment,vm-area,hybrid,hybrid-segment,tls\n"
"                    or all (default: all); the floor ptr (the unit's\n"
"                    address computed once, held in a register) is always\n"
"                    added\n"
"  --op LIST         read,write,inc (default: read,write,inc)\n"
"  --mode LIST       what each mode chains (default: latency,throughput):\n"
"                    throughput: nothing, the accesses are independent;\n"
"                    latency: the data, the value read is the next offset;\n"
"                    path: the whole lookup, the previous result (via an\n"
"                    opaque zero) feeds the path's first load (CPU id; for\n"
"                    segment, tls, ptr the offset); write chains the\n"
"                    address, inc the stored value (with --vars 1 a core\n"
"                    that forwards it to the next load hides the path:\n"
"                    flagged when below the read path; try --vars 2+);\n"
"                    cold: isolated reads under TLB pressure at the default\n"
"                    K (see --cold)\n"
"  --cold LIST       isolated cold reads: per sample touch K random pages\n"
"                    (one line each) of a %d-page pool, fence, time one\n"
"                    whole-path read with rdtscp, minus the same fenced\n"
"                    empty path; 10%%-trimmed mean of --cold-samples per\n"
"                    repetition. Rows: mode cold, cold_pages K, cold_cycles,\n"
"                    pages_on_path (distinct 4 KiB pages of the lookup:\n"
"                    CPU-id source and for rseq the offset variable, table\n"
"                    entry, unit). Default K (--mode\n"
"                    cold): 0, 1.5x L1 dTLB, 2x L2 TLB reach of the TLB\n"
"                    calibration. Without --mode only cold rows are run;\n"
"                    without --page both 4k and 2m\n"
"  --cold-samples N  samples per repetition (default: %d)\n"
"  --vars LIST       distinct per-CPU variables cycled through, spread over\n"
"                    a 64 KiB per-CPU region (default: 1)\n"
"  --pressure LIST   pages of a separate 4 KiB-page working set touched\n"
"                    between per-CPU accesses (default: 0; try 64, 2048)\n"
"  --page LIST       4k,2m: per-CPU area backing (2m: hugetlb when reserved\n"
"                    pages are free, else THP); the backing obtained is\n"
"                    reported; both given: tlb_cost = 4k - 2m (default: 4k)\n"
"  --placement LIST  local, interleave, node:N (default: local)\n"
"  --cpuid LIST      where offset-array, vm-area and hybrid get the CPU id:\n"
"                    rseq (glibc's rseq area; sched_getcpu() when rseq is\n"
"                    not registered, named getcpu), tls (id kept in a\n"
"                    thread-local: the pure lookup) (default: rseq,tls)\n"
"                    or cid (rseq mm_cid, the concurrency id: the table\n"
"                    or area indexed by it; NA where the kernel has none)\n"
"  --cpu N           host CPU to run on (default: last allowed CPU)\n"
"  --late            measure every point twice: phase boot (the CPU online\n"
"                    at init) and phase late (the runtime starts with\n"
"                    another CPU online, or none, the region is allocated,\n"
"                    then this CPU is brought online: hybrid and\n"
"                    hybrid-segment then commit its unit in the VM area\n"
"                    instead of the embedded block, vm-area commits it on\n"
"                    online, embed and page layouts had it since init).\n"
"                    Rows: column phase (boot, late). Only the runtime's\n"
"                    model of the CPU changes state, never the host's.\n"
"                    The phases are interleaved: repetition r runs boot\n"
"                    then late, each from its own runtimes\n"
"  --repeat N        repetitions (default: 11)\n"
"  --iters N         operations per batch N (default: auto from --min-time)\n"
"  --min-time S      seconds per N batch when --iters is not given\n"
"                    (default: 0.0002; short batches dodge preemption)\n"
"  --tries N         each sample is the best of N runs of N and 2N (default 5)\n"
"  --seed N          order of points within repetitions (default: time)\n"
"  --events LIST     counters: default, native, sw, none, no-split, or names:\n"
"                    event-table keys, rXXXX raw codes, perf-style or\n"
"                    libpfm4 names (default: %s)\n"
"  --format F        text, csv, json (default: text on a terminal, else csv)\n"
"  -o, --output FILE write there (atomically) instead of stdout\n"
"  -q, --quiet       no progress line\n"
"  -h, --help        this text\n"
"\n"
"Metrics: cycles_per_op, ns_per_op, core_clock, batch_ops, <event>_per_op,\n"
"cycles_over_floor (cycles above ptr, same op and mode, derived),\n"
"minimal_loop_cycles_per_op (on the ptr read throughput row: the read\n"
"limit, a pure independent-load loop timed in the same process; the\n"
"throughput reads have its shape, their values unused), cold_cycles and\n"
"pages_on_path (cold rows), huge_page_fraction, numa_local_fraction and\n"
"remote_accesses_per_op (derived), tlb_cost (4k minus 2m, measured) and\n"
"dtlb_misses_per_op_est (tlb_cost over the calibrated walk penalty of\n"
"`pcpubench tlb`, estimated). A value that cannot be had is NA with the\n"
"reason. The TLB calibration used (path, date, host, revision) is in the\n"
"metadata; with -o FILE and CSV the metadata goes to FILE.meta.json.\n"
"Strategy = access method over layout: columns access and layout.\n"
"Cycles come from the PMU when a cycles counter opens, else from a core\n"
"clock calibrated with a dependent imul chain before each repetition.\n"
BQ_HELP
"Exit: 0 ok, 1 failure, 2 usage error, 3 output not written, 4 cannot\n"
"run here.\n",
		COLD_POOL_PAGES, COLD_SAMPLES, pcnt_default_list());
}

static int split(char *s, char **tok, size_t max, size_t *n)
{
	char *save = NULL, *t;

	*n = 0;
	/* One rule with bc_split(): an empty item is an error. */
	if (!*s || *s == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return -EINVAL;
	for (t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t k;

		if (!*t)
			continue;
		for (k = 0; k < *n && strcmp(tok[k], t); k++)
			;
		if (k < *n)	/* a repeated item is kept once */
			continue;
		if (*n >= max)
			return -E2BIG;
		tok[(*n)++] = t;
	}
	return *n ? 0 : -EINVAL;
}

static int parse_size_list(const char *arg, size_t *v, size_t *n,
			   const char *what, size_t minv)
{
	char *dup = strdup(arg), *tok[MAX_LIST];
	size_t i;
	int r;

	if (!dup)
		return -ENOMEM;
	r = split(dup, tok, MAX_LIST, n);
	for (i = 0; !r && i < *n; i++) {
		char *end;
		unsigned long long x = strtoull(tok[i], &end, 10);

		if (*end || end == tok[i] || x < minv || x > (1ULL << 24)) {
			fprintf(stderr, "pcpubench access: bad %s value '%s'\n",
				what, tok[i]);
			r = -EINVAL;
		}
		v[i] = (size_t)x;
	}
	if (r == -E2BIG)
		fprintf(stderr, "pcpubench access: more than %d %s values\n",
			MAX_LIST, what);
	else if (r == -EINVAL && !*n)
		fprintf(stderr, "pcpubench access: empty %s list\n", what);
	free(dup);
	return r;
}

static int lookup_name(const char *t, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(t, names[i]))
			return (int)i;
	return -1;
}

/* True when this machine has memory node @node. */
static bool host_has_node(int node)
{
	struct pcpu_topo t;
	bool found = false;
	unsigned i;

	if (pcpu_topo_load(&t, NULL, NULL, 0))
		return true;	/* cannot tell: let the runtime decide */
	for (i = 0; i < t.nr_host_nodes; i++)
		if (t.host_nodes[i] == node)
			found = true;
	pcpu_topo_free(&t);
	return found;
}

static int bad_list(const char *arg)
{
	fprintf(stderr, "pcpubench access: empty or too long list '%s'\n",
		arg);
	return -EINVAL;
}

/* @arg split at commas into @tok (a copy kept for the life of @o). */
static int split_list(struct opts *o, const char *arg, char **tok, size_t *n)
{
	char *dup = opts_keep(o, strdup(arg));

	return !dup || split(dup, tok, MAX_LIST, n) ? -EINVAL : 0;
}

/* The defaults: every strategy, read/write/inc, latency and throughput,
 * one variable, no pressure, 4k, local, rseq and tls ids. */
static void opts_defaults(struct opts *o)
{
	static char placement_default[] = "local";
	size_t i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < PCPU_NR_STRATEGIES; i++)
		o->strat[o->nstrat++] = (enum pcpu_strategy_id)i;
	o->op[0] = AL_OP_READ;
	o->op[1] = AL_OP_WRITE;
	o->op[2] = AL_OP_INC;
	o->nop = 3;
	o->mode[0] = AL_MODE_LAT;
	o->mode[1] = AL_MODE_TPUT;
	o->nmode = 2;
	o->vars[0] = 1;
	o->nvars = 1;
	o->npressure = 1;
	o->page[0] = PAGE_4K;
	o->npage = 1;
	o->placement[0] = placement_default;
	o->nplacement = 1;
	o->cpuid_rseq = o->cpuid_tls = 1;
	o->cold_samples = COLD_SAMPLES;
	o->repeat = 11;
	o->tries = 5;
	o->min_time = 0.0002;
	o->events = "default";
	o->cpu = -1;
}

/* --strategy LIST: names or "all"; ptr is always there. */
static int parse_strategies(struct opts *o, const char *arg)
{
	char *tok[MAX_LIST];
	size_t i, n;

	if (split_list(o, arg, tok, &n))
		return bad_list(arg);
	o->nstrat = 0;
	for (i = 0; i < n; i++) {
		enum pcpu_strategy_id id;
		size_t q;

		if (!strcmp(tok[i], "all")) {
			o->nstrat = 0;
			for (q = 0; q < PCPU_NR_STRATEGIES; q++)
				o->strat[o->nstrat++] =
					(enum pcpu_strategy_id)q;
			continue;
		}
		if (!strcmp(tok[i], "ptr"))
			continue;	/* always there */
		if (pcpu_strategy_lookup(tok[i], &id)) {
			fprintf(stderr, "pcpubench access: unknown "
				"strategy '%s'\n", tok[i]);
			return -EINVAL;
		}
		/* "all,tls", "tls,tls": each strategy once
		 * (the run keeps one slot per strategy). */
		for (q = 0; q < o->nstrat && o->strat[q] != id; q++)
			;
		if (q == o->nstrat)
			o->strat[o->nstrat++] = id;
	}
	return 0;
}

/* --op, --mode, --cpuid, --page (@c their getopt code): lists of names. */
static int parse_names(struct opts *o, int c, const char *arg, int *mode_given)
{
	static const char *const opn[] = { "read", "write", "inc" };
	static const char *const moden[] = {
#define AL_X(id, name) name,
		AL_MODES(AL_X)
#undef AL_X
	};
	char *tok[MAX_LIST];
	size_t i, n;
	int k;

	if (split_list(o, arg, tok, &n))
		return bad_list(arg);
	if (c == 'O')
		o->nop = 0;
	if (c == 'M') {
		o->nmode = 0;
		*mode_given = 1;
	}
	if (c == 'C')
		o->cpuid_rseq = o->cpuid_tls = 0;
	if (c == 'G') {
		o->npage = 0;
		o->page_given = 1;
	}
	for (i = 0; i < n; i++) {
		if (c == 'O' && (k = lookup_name(tok[i], opn, 3)) >= 0)
			o->op[o->nop++] = (enum al_op)k;
		else if (c == 'M' &&
			 (k = lookup_name(tok[i], moden,
					  AL_NR_MODES)) >= 0)
			o->mode[o->nmode++] = (enum al_mode)k;
		else if (c == 'M' && !strcmp(tok[i], "cold"))
			o->cold_default = 1;
		else if (c == 'C' && !strcmp(tok[i], "rseq"))
			o->cpuid_rseq = 1;
		else if (c == 'C' && !strcmp(tok[i], "tls"))
			o->cpuid_tls = 1;
		else if (c == 'C' && !strcmp(tok[i], "cid"))
			o->cpuid_cid = 1;
		else if (c == 'G' && !strcmp(tok[i], "4k") &&
			 o->npage < 2)
			o->page[o->npage++] = PAGE_4K;
		else if (c == 'G' && !strcmp(tok[i], "2m") &&
			 o->npage < 2)
			o->page[o->npage++] = PAGE_2M;
		else {
			fprintf(stderr, "pcpubench access: bad value "
				"'%s' for --%s%s\n", tok[i],
				c == 'O' ? "op" : c == 'M' ? "mode" :
				c == 'C' ? "cpuid" : "page",
				c == 'M' ? " (latency, throughput, "
				"path, cold)" : "");
			return -EINVAL;
		}
	}
	return 0;
}

/* --placement LIST: local, interleave, node:N (a node of this machine). */
static int parse_placements(struct opts *o, const char *arg)
{
	char *tok[MAX_LIST];
	size_t i, n;

	if (split_list(o, arg, tok, &n))
		return bad_list(arg);
	for (i = 0; i < n; i++) {
		struct pcpu_placement p;

		if (pcpu_placement_parse(tok[i], &p)) {
			fprintf(stderr, "pcpubench access: bad "
				"placement '%s' (local, "
				"interleave, node:N)\n", tok[i]);
			return -EINVAL;
		}
		if (p.kind == PCPU_PLACE_NODE && !host_has_node(p.node)) {
			fprintf(stderr, "pcpubench access: placement "
				"'%s': no such node with memory on "
				"this machine\n", tok[i]);
			return -EINVAL;
		}
		o->placement[i] = tok[i];
	}
	o->nplacement = n;
	return 0;
}

/* After the options: no argument left, the rules between options, the
 * defaults that depend on others. Return: 0; -EINVAL. */
static int opts_finish(struct opts *o, int argc, char **argv, int mode_given)
{
	if (optind < argc) {
		fprintf(stderr, "pcpubench access: unexpected argument '%s'\n",
			argv[optind]);
		return -EINVAL;
	}
	if (!o->cpuid_rseq && !o->cpuid_tls && !o->cpuid_cid) {
		fprintf(stderr, "pcpubench access: empty --cpuid\n");
		return -EINVAL;
	}
	/* Cold rows alone unless modes were asked for too. */
	if ((o->ncold || o->cold_default) && (!mode_given || !o->nmode))
		o->nmode = 0;
	if ((o->ncold || o->cold_default) && !o->page_given) {
		o->page[0] = PAGE_4K;
		o->page[1] = PAGE_2M;
		o->npage = 2;
	}
	if (!o->fmt_given)
		o->fmt = (!o->out && isatty(1)) ? POUT_TEXT : POUT_CSV;
	if (!o->seed_given)
		o->seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return 0;
}

int acc_parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "strategy", required_argument, NULL, 'S' },
		{ "op", required_argument, NULL, 'O' },
		{ "mode", required_argument, NULL, 'M' },
		{ "vars", required_argument, NULL, 'V' },
		{ "pressure", required_argument, NULL, 'P' },
		{ "cold", required_argument, NULL, 'K' },
		{ "cold-samples", required_argument, NULL, 'k' },
		{ "page", required_argument, NULL, 'G' },
		{ "placement", required_argument, NULL, 'L' },
		{ "cpuid", required_argument, NULL, 'C' },
		{ "cpu", required_argument, NULL, 'c' },
		{ "late", no_argument, NULL, 'A' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "iters", required_argument, NULL, 'n' },
		{ "min-time", required_argument, NULL, 't' },
		{ "tries", required_argument, NULL, 'T' },
		{ "seed", required_argument, NULL, 's' },
		{ "events", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int mode_given = 0;
	size_t i;
	int c, r;
	unsigned long ul;
	char *end;

	opts_defaults(o);

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'S':
			r = parse_strategies(o, optarg);
			if (r)
				return r;
			break;
		case 'O':
		case 'M':
		case 'C':
		case 'G':
			r = parse_names(o, c, optarg, &mode_given);
			if (r)
				return r;
			break;
		case 'V':
			if (parse_size_list(optarg, o->vars, &o->nvars, "--vars", 1))
				return -EINVAL;
			for (i = 0; i < o->nvars; i++)
				if (o->vars[i] > REGION_SIZE / 64) {
					fprintf(stderr, "pcpubench access: --vars "
						"at most %d\n", REGION_SIZE / 64);
					return -EINVAL;
				}
			break;
		case 'P':
			if (parse_size_list(optarg, o->pressure, &o->npressure,
					    "--pressure", 0))
				return -EINVAL;
			break;
		case 'K':
			if (parse_size_list(optarg, o->cold, &o->ncold,
					    "--cold", 0))
				return -EINVAL;
			for (i = 0; i < o->ncold; i++)
				if (o->cold[i] > COLD_POOL_PAGES) {
					fprintf(stderr, "pcpubench access: --cold "
						"%zu: more pages than the pool "
						"(%d)\n", o->cold[i],
						COLD_POOL_PAGES);
					return -EINVAL;
				}
			break;
		case 'k':
			if (bc_count("access", "cold-samples", optarg, 10, 10000000, &ul))
				return -EINVAL;
			o->cold_samples = (int)ul;
			break;
		case 'L':
			r = parse_placements(o, optarg);
			if (r)
				return r;
			break;
		case 'A':
			o->late = 1;
			break;
		case 'c':
			/* no 32-bit truncation: 4294967297 is not CPU 1 */
			if (bc_count("access", "cpu", optarg, 0, CPU_SETSIZE - 1, &ul))
				return -EINVAL;
			o->cpu = (int)ul;
			break;
		case 'r':
		case 'T':
			if (bc_count("access", c == 'r' ? "repeat" : "tries", optarg,
				     1, 100000, &ul))
				return -EINVAL;
			if (c == 'r')
				o->repeat = (int)ul;
			else
				o->tries = (int)ul;
			break;
		case 'n':
			if (bc_count("access", "iters", optarg, 1, 1UL << 40, &ul))
				return -EINVAL;
			o->iters = ul;
			break;
		case 't':
			o->min_time = strtod(optarg, &end);
			if (*end || !(o->min_time > 0 && o->min_time < 10)) {
				fprintf(stderr, "pcpubench access: bad --min-time "
					"(seconds, 0 < t < 10)\n");
				return -EINVAL;
			}
			break;
		case 's':
			if (bc_count("access", "seed", optarg, 0, ULONG_MAX, &ul))
				return -EINVAL;
			o->seed = ul;
			o->seed_given = 1;
			break;
		case 'e':
			o->events = optarg;
			break;
		case 'f':
			if (pout_format_parse(optarg, &o->fmt)) {
				fprintf(stderr, "pcpubench access: bad --format "
					"'%s' (text, csv, json)\n", optarg);
				return -EINVAL;
			}
			o->fmt_given = 1;
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
	return opts_finish(o, argc, argv, mode_given);
}
