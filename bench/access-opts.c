// SPDX-License-Identifier: GPL-2.0
/*
 * access-opts.c - `pcpubench access`: reading the options.
 */
#include "access-cmd.h"
#include "opts.h"

#define ACC_STR1(x) #x
#define ACC_STR(x) ACC_STR1(x)

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
static int parse_names(struct opts *o, int c, const char *arg)
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
		o->mode_given = 1;
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


/* The command's own options (getopt codes; 'O' 'M' 'C' as parse_names()). */
enum {
	AO_OP = 'O', AO_MODE = 'M', AO_CPUID = 'C', AO_VARS = OPTS_OWN_BASE,
	AO_PRESSURE, AO_COLD, AO_COLD_SAMPLES, AO_LATE, AO_ITERS, AO_MIN_TIME,
};

/* --events' help line: it names the default counter list. */
static char acc_events_help[1024];

static const struct opt_spec acc_spec[] = {
	OPT_C(STRATEGY,
	      "offset-array,segment,vm-area,hybrid,hybrid-segment,tls\n"
	      "or all (default: all); the floor ptr (the unit's\n"
	      "address computed once, held in a register) is always\n"
	      "added"),
	OPT_OWN(AO_OP, "op", "LIST", "read,write,inc (default: read,write,inc)"),
	OPT_OWN(AO_MODE, "mode", "LIST",
		"what each mode chains (default: latency,throughput):\n"
		"throughput: nothing, the accesses are independent;\n"
		"latency: the data, the value read is the next offset;\n"
		"path: the whole lookup, the previous result (via an\n"
		"opaque zero) feeds the path's first load (CPU id; for\n"
		"segment, tls, ptr the offset); write chains the\n"
		"address, inc the stored value (with --vars 1 a core\n"
		"that forwards it to the next load hides the path:\n"
		"flagged when below the read path; try --vars 2+);\n"
		"cold: isolated reads under TLB pressure at the default\n"
		"K (see --cold)"),
	OPT_OWN(AO_COLD, "cold", "LIST",
		"isolated cold reads: per sample touch K random pages\n"
		"(one line each) of a " ACC_STR(COLD_POOL_PAGES) "-page pool, fence, time one\n"
		"whole-path read with rdtscp, minus the same fenced\n"
		"empty path; 10%-trimmed mean of --cold-samples per\n"
		"repetition. Rows: mode cold, cold_pages K, cold_cycles,\n"
		"pages_on_path (distinct 4 KiB pages of the lookup:\n"
		"CPU-id source and for rseq the offset variable, table\n"
		"entry, unit). Default K (--mode\n"
		"cold): 0, 1.5x L1 dTLB, 2x L2 TLB reach of the TLB\n"
		"calibration. Without --mode only cold rows are run;\n"
		"without --page both 4k and 2m"),
	OPT_OWN(AO_COLD_SAMPLES, "cold-samples", "N",
		"samples per repetition (default: " ACC_STR(COLD_SAMPLES) ")"),
	OPT_OWN(AO_VARS, "vars", "LIST",
		"distinct per-CPU variables cycled through, spread over\n"
		"a 64 KiB per-CPU region (default: 1)"),
	OPT_OWN(AO_PRESSURE, "pressure", "LIST",
		"pages of a separate 4 KiB-page working set touched\n"
		"between per-CPU accesses (default: 0; try 64, 2048)"),
	OPT_CX(PAGE, "LIST",
	       "4k,2m: per-CPU area backing (2m: hugetlb when reserved\n"
	       "pages are free, else THP); the backing obtained is\n"
	       "reported; both given: tlb_cost = 4k - 2m (default: 4k)",
	       OPTF_LIST, 0, 0),
	OPT_CX(PLACEMENT, "LIST", "local, interleave, node:N (default: local)",
	       OPTF_LIST, 0, 0),
	OPT_OWN(AO_CPUID, "cpuid", "LIST",
		"where offset-array, vm-area and hybrid get the CPU id:\n"
		"rseq (glibc's rseq area; sched_getcpu() when rseq is\n"
		"not registered, named getcpu), tls (id kept in a\n"
		"thread-local: the pure lookup) (default: rseq,tls)\n"
		"or cid (rseq mm_cid, the concurrency id: the table\n"
		"or area indexed by it; NA where the kernel has none)"),
	OPT_C(CPU, NULL),
	OPT_OWN_FLAG(AO_LATE, "late",
		"measure every point twice: phase boot (the CPU online\n"
		"at init) and phase late (the runtime starts with\n"
		"another CPU online, or none, the region is allocated,\n"
		"then this CPU is brought online: hybrid and\n"
		"hybrid-segment then commit its unit in the VM area\n"
		"instead of the embedded block, vm-area commits it on\n"
		"online, embed and page layouts had it since init).\n"
		"Rows: column phase (boot, late). Only the runtime's\n"
		"model of the CPU changes state, never the host's.\n"
		"The phases are interleaved: repetition r runs boot\n"
		"then late, each from its own runtimes"),
	OPT_C(REPEAT, "repetitions (default: 11)"),
	OPT_OWN(AO_ITERS, "iters", "N",
		"operations per batch N (default: auto from --min-time)"),
	OPT_OWN(AO_MIN_TIME, "min-time", "S",
		"seconds per N batch when --iters is not given\n"
		"(default: 0.0002; short batches dodge preemption)"),
	OPT_C(TRIES, "each sample is the best of N tries; a try times a\n"
		"batch of n ops and one of 2n, the sample is the least\n"
		"(t - fixed cost) / ops of its 2N batches. One try per\n"
		"round, every point once a round: a sample's tries lie\n"
		"--repeat rounds apart (default 5)"),
	OPT_C(SEED, "order of points within repetitions (default: time)"),
	OPT_C(EVENTS, acc_events_help),
	OPT_C(FORMAT, "text, csv, json (default: text on a terminal, else csv)"),
	OPT_C(OUTPUT, NULL),
	OPT_C(QUIET, NULL),
	OPT_C(HELP, NULL),
	OPT_END
};

/* The --help after the options (a format: BQ_HELP is written for printf). */
#define ACC_TAIL_FMT                                                          \
"\n"                                                                          \
"Metrics: cycles_per_op, ns_per_op, core_clock, batch_ops, <event>_per_op,\n" \
"cycles_over_floor (cycles above ptr, same op and mode, derived),\n"         \
"minimal_loop_cycles_per_op (on the ptr read throughput row: the read\n"     \
"limit, a pure independent-load loop timed in the same process; the\n"       \
"throughput reads have its shape, their values unused), cold_cycles and\n"   \
"pages_on_path (cold rows), huge_page_fraction, numa_local_fraction and\n"   \
"remote_accesses_per_op (derived), tlb_cost (4k minus 2m, measured) and\n"   \
"dtlb_misses_per_op_est (tlb_cost over the calibrated walk penalty of\n"     \
"`pcpubench tlb`, estimated). A value that cannot be had is NA with the\n"   \
"reason. The TLB calibration used (path, date, host, revision) is in the\n"  \
"metadata; with -o FILE and CSV the metadata goes to FILE.meta.json.\n"      \
"Strategy = access method over layout: columns access and layout.\n"         \
"Cycles come from the PMU when a cycles counter opens, else from a core\n"   \
"clock calibrated with a dependent imul chain every round (a sample: the\n" \
"median of its rounds').\n"                                                  \
"Tries spread over the run: a slow spell of seconds that no check here\n"  \
"sees (the host's other hyperthread, another tenant: no context switch\n"  \
"in the guest) slows some tries of every sample, not all of one; the\n"    \
"report counts the throughput rows with rCV > 5%%.\n"                       \
BQ_HELP                                                                       \
"Exit: 0 ok, 1 failure, 2 usage error, 3 output not written, 4 cannot\n"     \
"run here.\n"

static char acc_tail[2560];

static const struct opts_cmd acc_cmd = {
	.name = "access",
	.head =
"usage: pcpubench access [OPTIONS]\n"
"\n"
"Cost of reaching this CPU's copy of a per-CPU variable and reading,\n"
"writing or incrementing it, per strategy. Every list option takes a comma\n"
"list; the product of the lists is measured.\n"
"\n",
	.spec = acc_spec,
	.tail = acc_tail,
};

/* One of access's own options. Return: 0; -EINVAL (said why). */
static int acc_own(void *ctx, int code, const char *arg)
{
	struct opts *o = ctx;
	unsigned long ul;
	char *end;
	size_t i;

	switch (code) {
	case AO_OP:
	case AO_MODE:
	case AO_CPUID:
		return parse_names(o, code, arg);
	case AO_VARS:
		if (parse_size_list(arg, o->vars, &o->nvars, "--vars", 1))
			return -EINVAL;
		for (i = 0; i < o->nvars; i++)
			if (o->vars[i] > REGION_SIZE / 64) {
				fprintf(stderr, "pcpubench access: --vars "
					"at most %d\n", REGION_SIZE / 64);
				return -EINVAL;
			}
		return 0;
	case AO_PRESSURE:
		return parse_size_list(arg, o->pressure, &o->npressure,
				       "--pressure", 0) ? -EINVAL : 0;
	case AO_COLD:
		if (parse_size_list(arg, o->cold, &o->ncold, "--cold", 0))
			return -EINVAL;
		for (i = 0; i < o->ncold; i++)
			if (o->cold[i] > COLD_POOL_PAGES) {
				fprintf(stderr, "pcpubench access: --cold %zu: "
					"more pages than the pool (%d)\n",
					o->cold[i], COLD_POOL_PAGES);
				return -EINVAL;
			}
		return 0;
	case AO_COLD_SAMPLES:
		if (bc_count("access", "cold-samples", arg, 10, 10000000, &ul))
			return -EINVAL;
		o->cold_samples = (int)ul;
		return 0;
	case AO_LATE:
		o->late = 1;
		return 0;
	case AO_ITERS:
		if (bc_count("access", "iters", arg, 1, 1UL << 40, &ul))
			return -EINVAL;
		o->iters = ul;
		return 0;
	case AO_MIN_TIME:
		o->min_time = strtod(arg, &end);
		if (*end || !(o->min_time > 0 && o->min_time < 10)) {
			fprintf(stderr, "pcpubench access: bad --min-time "
				"(seconds, 0 < t < 10)\n");
			return -EINVAL;
		}
		return 0;
	}
	return -EINVAL;
}

/* After the options: the common ones' lists, the rules between options,
 * the defaults that depend on others. Return: 0; -EINVAL. */
static int acc_finish(struct opts *o, const struct opts_common *oc)
{
	if (oc->strategy && parse_strategies(o, oc->strategy))
		return -EINVAL;
	if (oc->page && parse_names(o, 'G', oc->page))
		return -EINVAL;
	if (oc->placement && parse_placements(o, oc->placement))
		return -EINVAL;
	o->repeat = (int)oc->repeat;
	o->tries = (int)oc->tries;
	o->cpu = (int)oc->cpu;
	o->events = oc->events;
	o->fmt = oc->fmt;
	o->out = oc->out;
	o->quiet = oc->quiet;
	if (!o->cpuid_rseq && !o->cpuid_tls && !o->cpuid_cid) {
		fprintf(stderr, "pcpubench access: empty --cpuid\n");
		return -EINVAL;
	}
	/* Cold rows alone unless modes were asked for too. */
	if ((o->ncold || o->cold_default) && (!o->mode_given || !o->nmode))
		o->nmode = 0;
	if ((o->ncold || o->cold_default) && !o->page_given) {
		o->page[0] = PAGE_4K;
		o->page[1] = PAGE_2M;
		o->npage = 2;
	}
	o->seed = opts_given(oc, OPT_SEED) ? oc->seed :
		  (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return 0;
}

/*
 * Read the options: the common ones through the option layer
 * (bench/opts.h), access's own through acc_own().
 * Return: 0; 1 --help shown; -EINVAL (said why).
 */
int acc_parse_opts(int argc, char **argv, struct opts *o)
{
	struct opts_common oc;
	int r;

	opts_defaults(o);
	snprintf(acc_events_help, sizeof(acc_events_help),
		 "counters: default, native, sw, none, no-split, or names:\n"
		 "event-table keys, rXXXX raw codes, perf-style or\n"
		 "libpfm4 names (default: %s)", pcnt_default_list());
	snprintf(acc_tail, sizeof(acc_tail), ACC_TAIL_FMT);
	opts_init(&oc);
	oc.repeat = (unsigned long)o->repeat;
	oc.tries = (unsigned long)o->tries;
	oc.events = o->events;
	r = opts_parse(&acc_cmd, argc, argv, &oc, acc_own, o);
	if (r)
		return r;
	return acc_finish(o, &oc);
}
