// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-access.c - `pcpubench access`: what one per-CPU access costs.
 *
 * A strategy is an access method over a layout (al_strategy_method());
 * the loops are generated per method from the accessors of pcpu-access.h.
 * Modes: throughput (independent accesses), latency (the data chained),
 * path (the whole lookup chained through an opaque zero). Every run adds
 * the floor ptr (the unit's address held in a register) and a
 * cycles_over_floor for every row. --cold K times isolated fenced reads
 * after K random pages (pages_on_path counted from the lookup's own
 * addresses). The TLB calibration read is named in the metadata, which
 * also goes to FILE.meta.json beside a CSV written with -o.
 *
 * For every requested strategy a runtime is brought up with the host's
 * CPUs as possible CPUs (so a logical id is a host id and the id from rseq
 * indexes the tables directly), the thread is pinned and enters its CPU.
 * Points are the product of the lists given (strategy x CPU-id source x
 * op x mode x vars x pressure), per page size and placement. Each point
 * runs its generated loop (access-loops.h: no call or switch per access)
 * for N and for 2N operations, best of --tries each, and the difference
 * divided by N is one sample: the fixed cost of the call and of the time
 * stamps cancels. Repetitions visit the points in a new random order each
 * time (seeded; the seed is in the metadata), with the core clock
 * calibrated before each repetition when no PMU cycles counter exists.
 * Every sample is a row; aggregation happens when reading.
 */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/prctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pcpu-version.h"
#include "pcpu.h"
#include "pcpu-access.h"
#include "pcpu-counters.h"
#include "pcpu-out.h"
#include "pcpu-stats.h"
#include "pcpu-sysinfo.h"
#include "pcpu-timing.h"
#include "pcpu-tlb.h"
#include "tlb-cal.h"
#include "pcpubench.h"
#include "access.h"
#include "bench-common.h"
#include "cid.h"
#include "bench-quiet.h"


#define MAX_LIST 32
#define REGION_SIZE (64 * 1024)	/* per-CPU area the variables spread over */
#define DYN_SIZE (128 * 1024)
/*
 * The isolated cold access: the pool of 4 KiB pages touched before each
 * sample (128 MiB: beyond the L2 TLB reach of current cores; a
 * calibration that says otherwise is flagged in the metadata), samples
 * per repetition and the share trimmed from each end.
 */
#define COLD_POOL_PAGES 32768
#define COLD_SAMPLES 1000
#define COLD_TRIM 0.10

enum page_kind { PAGE_4K, PAGE_2M };

struct opts {
	enum pcpu_strategy_id strat[MAX_LIST];
	size_t nstrat;
	enum al_op op[MAX_LIST];
	size_t nop;
	enum al_mode mode[MAX_LIST];
	size_t nmode;
	size_t vars[MAX_LIST];
	size_t nvars;
	size_t pressure[MAX_LIST];
	size_t npressure;
	size_t cold[MAX_LIST];	/* K pages touched before a cold access */
	size_t ncold;		/* 0: no cold rows */
	int cold_default;	/* K from the calibration (--mode cold) */
	int cold_samples;
	int page_given;
	enum page_kind page[2];
	size_t npage;
	char *placement[MAX_LIST];
	size_t nplacement;
	int cpuid_rseq, cpuid_tls;
	int cpuid_cid;		/* rseq mm_cid (pcpu-cid.h) */
	int repeat, tries;
	uint64_t iters;
	double min_time;
	uint64_t seed;
	int seed_given;
	const char *events;
	enum pout_format fmt;
	int fmt_given;
	const char *out;
	int cpu;
	int late;		/* also phase late: the CPU onlined after init */
	int quiet;
	char *dups[16];		/* list copies the tokens point into */
	size_t ndups;
};

static void opts_free(struct opts *o)
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

/* One measured point. */
struct point {
	size_t strat_idx;	/* index into the live runtimes */
	enum pcpu_strategy_id strat;	/* AL_S_PTR: the floor */
	enum al_method method;
	enum al_cpuid cpuid;
	enum al_op op;
	enum al_mode mode;
	size_t vars, pressure;
	int minimal;		/* the minimal loop, beside ptr read throughput */
	int cold;		/* an isolated cold read after cold_k pages */
	size_t cold_k;
	al_fn fn;
	al_cold_fn cold_fn;
	uint64_t n;		/* batch size N */
	/* Per repetition: */
	double *cyc, *ns, *ghz;
	/* 0 quiet; 1 + enum pq_why: no quiet batch; -1 not positive */
	signed char *qflag;
	int *qtries;		/* batches (rounds) run for the sample */
	struct pcnt_result *ev;	/* [rep][nevents] */
	double pages;		/* cold: distinct 4 KiB pages on the path */
	char pages_status[PCNT_STATUS_LEN];
	char na[PCNT_STATUS_LEN];	/* whole point unavailable */
};

struct strat_rt {
	enum pcpu_strategy_id id;	/* AL_S_PTR: the floor */
	enum al_method method;
	const char *layout;
	struct pcpu_rt *rt;	/* owned; NULL for ptr */
	uintptr_t unit;		/* ptr: the unit borrowed from another */
	int host;		/* ptr: index of that strategy; -1 none */
	pcpu_off_t region;
	char na[PCNT_STATUS_LEN];
	char backing[32];
	double huge_fraction;
	char backing_status[PCNT_STATUS_LEN];
	/* Per vars point: local fraction (NaN if unknown). */
	double local_frac[MAX_LIST];
	char local_status[MAX_LIST][PCNT_STATUS_LEN];
};

static const char *strat_name(enum pcpu_strategy_id id)
{
	return id == AL_S_PTR ? "ptr" : pcpu_strategy_name(id);
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

/* ---- option parsing --------------------------------------------------- */

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

static int parse_opts(int argc, char **argv, struct opts *o)
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
	static const char *const opn[] = { "read", "write", "inc" };
	static const char *const moden[] = {
#define AL_X(id, name) name,
		AL_MODES(AL_X)
#undef AL_X
	};
	int mode_given = 0;
	static char placement_default[] = "local";
	char *tok[MAX_LIST], *dup;
	size_t i, n;
	int c, k;
	unsigned long ul;
	char *end;

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

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'S':
			dup = opts_keep(o, strdup(optarg));
			if (!dup || split(dup, tok, MAX_LIST, &n))
				goto bad_list;
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
			break;
		case 'O':
		case 'M':
		case 'C':
		case 'G':
			dup = opts_keep(o, strdup(optarg));
			if (!dup || split(dup, tok, MAX_LIST, &n))
				goto bad_list;
			if (c == 'O')
				o->nop = 0;
			if (c == 'M') {
				o->nmode = 0;
				mode_given = 1;
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
			dup = opts_keep(o, strdup(optarg));
			if (!dup || split(dup, tok, MAX_LIST, &n))
				goto bad_list;
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
bad_list:
	fprintf(stderr, "pcpubench access: empty or too long list '%s'\n",
		optarg);
	return -EINVAL;
}

/* ---- helpers ----------------------------------------------------------- */

/* A status-safe copy of a message: no commas, quotes or newlines. */
static void na_reason(char *dst, size_t len, const char *word, const char *msg)
{
	char *p;

	snprintf(dst, len, "na:%s(%s)", word, msg && *msg ? msg : "no detail");
	for (p = dst; *p; p++)
		if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
			*p = ';';
}

/* Write each variable's initial value through the strategy's own view. */
static void *var_ptr(struct strat_rt *s, unsigned cpu, pcpu_off_t off)
{
	if (s->id == AL_S_PTR)
		return (void *)(s->unit + off);
	if (s->id == PCPU_S_TLS)
		return PCPU_PTR_TLS(off);
	return pcpu_ptr(s->rt, cpu, off);
}

struct varset {
	uintptr_t offs[REGION_SIZE / 64];
	uintptr_t next[REGION_SIZE / 64];
	size_t n;
};

/* @n variables spread evenly over the region, each on its own lines. */
static void varset_make(struct varset *v, pcpu_off_t region, size_t n)
{
	size_t stride = (REGION_SIZE / n) & ~(size_t)63, i;

	if (!stride)
		stride = 64;
	v->n = n;
	for (i = 0; i < n; i++)
		v->offs[i] = region + i * stride + ((i * 64) % 4096 & ~63UL) *
			     (stride >= 4096);
	for (i = 0; i < n; i++)
		v->next[i] = v->offs[(i + 1) % n];
}

static void varset_prime(struct strat_rt *s, unsigned cpu,
			 const struct varset *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		*(volatile uint64_t *)var_ptr(s, cpu, v->offs[i]) = v->next[i];
}

struct pressure_buf {
	size_t pages;
	void *map;
	uintptr_t *addr;
};

static int pressure_make(struct pressure_buf *pb, size_t pages, uint64_t seed)
{
	size_t i;

	memset(pb, 0, sizeof(*pb));
	pb->pages = pages;
	if (!pages)
		return 0;
	pb->map = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pb->map == MAP_FAILED) {
		pb->map = NULL;
		return -ENOMEM;
	}
	madvise(pb->map, pages * 4096, MADV_NOHUGEPAGE);
	memset(pb->map, 0, pages * 4096);
	pb->addr = calloc(pages, sizeof(*pb->addr));
	if (!pb->addr)
		return -ENOMEM;
	for (i = 0; i < pages; i++)
		pb->addr[i] = i;
	/* random page order */
	pcpu_rng_shuffle(pb->addr, pages, sizeof(*pb->addr), &seed);
	for (i = 0; i < pages; i++)
		pb->addr[i] = (uintptr_t)pb->map + pb->addr[i] * 4096 +
			      (i % 64) * 64;
	return 0;
}

static void pressure_free(struct pressure_buf *pb)
{
	if (pb->map)
		munmap(pb->map, pb->pages * 4096);
	free(pb->addr);
}

/* ---- measuring --------------------------------------------------------- */

struct run_ctx {
	const struct opts *o;
	cpu_set_t orig_affinity;	/* the runtimes see every allowed CPU */
	unsigned cpu;
	double tsc_hz;
	struct pcnt_session *cs;
	size_t nev;
	bool pmu_cycles;
	size_t cyc_idx;
	struct varset *vs;	/* per vars index */
	struct pressure_buf *pb;	/* per pressure index */
	struct strat_rt *srt;
	volatile uintptr_t zero;
	double walk_cycles;	/* calibrated 4k miss penalty; 0: none */
	char walk_why[PCNT_STATUS_LEN];
	/* The TLB calibration this run uses (no other hidden input). */
	struct pcpu_tlbcal cal;
	int cal_ok;
	char cal_path[512], cal_status[160];
	/* Cold rows: the pool, the K list actually used, where it came from. */
	struct pressure_buf pool;
	size_t cold[MAX_LIST];
	size_t ncold;
	char cold_src[200];
	double *cold_buf;	/* cold_samples ticks */
	int nrep;		/* --repeat (c->o->repeat is 1 per call with --late) */
};

/* The 4k page-walk penalty from the TLB calibration store, if any. */
static void load_walk_penalty(struct run_ctx *c)
{
	const char *path = tlbcal_path(NULL);
	struct pcpu_tlbcal cal;
	const struct pcpu_tlbcal_backing *b = &cal.b[PCPU_TLB_4K];

	int r;

	c->walk_cycles = 0;
	snprintf(c->walk_why, sizeof(c->walk_why), "na:no-calibration(run "
		 "pcpubench tlb to get the miss penalty)");
	snprintf(c->cal_path, sizeof(c->cal_path), "%s", path ? path : "");
	r = path ? pcpu_tlbcal_load(path, &cal) : -ENOENT;
	if (r) {
		snprintf(c->cal_status, sizeof(c->cal_status), "none: %s%s",
			 path ? strerror(-r) : "no path (set PCPU_CALIBRATION)",
			 r == -ENOENT ? " (run pcpubench tlb first)" : "");
		if (r != -ENOENT)
			snprintf(c->walk_why, sizeof(c->walk_why),
				 "na:bad-calibration(%s could not be read)",
				 path ? path : "?");
		return;
	}
	c->cal = cal;
	c->cal_ok = 1;
	snprintf(c->cal_status, sizeof(c->cal_status), "loaded");
	{	/* a calibration taken on another machine is named */
		char host[64] = "";

		gethostname(host, sizeof(host) - 1);
		if (strcmp(host, cal.host)) {
			snprintf(c->cal_status, sizeof(c->cal_status),
				 "loaded, from another host (%.40s, this is %.40s)",
				 cal.host, host);
			fprintf(stderr, "pcpubench access: the TLB calibration %s "
				"was taken on host '%s', not this one ('%s')\n",
				bc_arg(path), cal.host, host);
		}
	}
	if (!b->valid || !b->found[PCPU_TLBCAL_WALK_CYCLES] ||
	    !(b->value[PCPU_TLBCAL_WALK_CYCLES] > 0)) {
		snprintf(c->walk_why, sizeof(c->walk_why), "na:no-walk-penalty("
			 "the calibration found no 4k page-walk step)");
		return;
	}
	c->walk_cycles = b->value[PCPU_TLBCAL_WALK_CYCLES];
}

static void args_for(struct run_ctx *c, struct point *p, size_t vi, size_t pi,
		     struct al_args *a)
{
	const struct strat_rt *s = &c->srt[p->strat_idx];

	memset(a, 0, sizeof(*a));
	if (s->rt) {
		struct pcpu_acc_ctx ctx;

		pcpu_rt_acc_ctx(s->rt, &ctx);
		a->table = ctx.table;
		a->shift_base = ctx.base;
		a->shift = ctx.shift;
	}
	a->unit = s->unit;
	a->offs = c->vs[vi].offs;
	a->next = c->vs[vi].next;
	a->nvars = c->vs[vi].n;
	a->first = c->vs[vi].offs[0];
	a->pres = c->pb[pi].addr;
	a->npres = c->pb[pi].pages;
	a->zero = c->zero;
	(void)p;
}

static uint64_t round_n(uint64_t n, size_t vars)
{
	uint64_t q = 8 * vars;

	n = (n + q - 1) / q * q;
	return n ? n : q;
}

/* The counted workload: what measure() times, without the clock. */
struct count_work {
	struct run_ctx *c;
	struct point *p;
	struct al_args *a;
};

static void count_work_run(void *arg)
{
	struct count_work *w = arg;
	int t;

	for (t = 0; t < w->c->o->tries; t++) {
		w->p->fn(w->a, w->p->n);
		w->p->fn(w->a, w->p->n * 2);
	}
}

/*
 * One sample of a point: best of tries for N and 2N, over the rounds
 * (an N and a 2N batch) that ran alone (bench-quiet.h); a disturbed round
 * is retried, at most BQ_MAX_RETRIES times. With no quiet round the
 * sample keeps the disturbed rounds' figure and is flagged (p->qflag).
 */
static void measure(struct run_ctx *c, struct point *p, struct al_args *a,
		    double core_hz, int rep)
{
	uint64_t best1 = UINT64_MAX, best2 = UINT64_MAX;
	uint64_t dbest1 = UINT64_MAX, dbest2 = UINT64_MAX;
	double bc1 = INFINITY, bc2 = INFINITY;
	struct pcnt_sample x0, x1;
	int t, quiet = 0, retries = 0;
	enum pq_why last = PQ_QUIET;
	double ticks;

	for (t = 0; t < c->o->tries + retries; t++) {
		uint64_t d[2];
		double cy[2] = { INFINITY, INFINITY };
		struct pq_mark qm;
		enum pq_why w;
		int k;

		pq_begin(&qm);
		for (k = 1; k <= 2; k++) {
			uint64_t t0, t1, n = p->n * k;
			int rd = c->pmu_cycles && !pcnt_read(c->cs, &x0);

			t0 = pt_rdtsc();
			p->fn(a, n);
			t1 = pt_rdtscp();
			if (rd && !pcnt_read(c->cs, &x1))
				cy[k - 1] = (double)(x1.value[c->cyc_idx] -
						     x0.value[c->cyc_idx]);
			d[k - 1] = t1 - t0;
		}
		w = bq_check(&qm);
		if (w != PQ_QUIET) {
			last = w;
			dbest1 = d[0] < dbest1 ? d[0] : dbest1;
			dbest2 = d[1] < dbest2 ? d[1] : dbest2;
			if (retries < BQ_MAX_RETRIES && bq_retry())
				retries++;
			continue;
		}
		quiet++;
		best1 = d[0] < best1 ? d[0] : best1;
		best2 = d[1] < best2 ? d[1] : best2;
		bc1 = cy[0] < bc1 ? cy[0] : bc1;
		bc2 = cy[1] < bc2 ? cy[1] : bc2;
	}
	p->qflag[rep] = 0;
	p->qtries[rep] = t;
	if (!quiet) {
		best1 = dbest1;
		best2 = dbest2;
		p->qflag[rep] = 1 + (int)last;
		bq_counts.flagged++;
	}
	ticks = ((double)best2 - (double)best1) / (double)p->n;
	if (!p->qflag[rep] && !(ticks > 0))
		p->qflag[rep] = -1;
	p->ns[rep] = ticks / c->tsc_hz * 1e9;
	p->ghz[rep] = core_hz / 1e9;
	if (c->pmu_cycles && quiet && isfinite(bc1) && isfinite(bc2))
		p->cyc[rep] = (bc2 - bc1) / (double)p->n;
	else
		p->cyc[rep] = p->ns[rep] * core_hz / 1e9;
	/*
	 * Counters: the same tries again, once per counter pass (each pass
	 * one group that fits the PMU: no multiplexing), per operation.
	 */
	if (c->nev) {
		struct count_work w = { .c = c, .p = p, .a = a };

		pcnt_measure(c->cs, count_work_run, &w,
			     (double)c->o->tries * 3.0 * (double)p->n,
			     &p->ev[(size_t)rep * c->nev]);
	}
}

/* N such that one N batch takes about --min-time; also warms up. */
static uint64_t pick_n(struct run_ctx *c, struct point *p, struct al_args *a)
{
	double target = c->o->min_time * c->tsc_hz;
	uint64_t n = round_n(1024, p->vars), t0, t1;
	int i;

	if (c->o->iters) {
		n = round_n(c->o->iters, p->vars);
		for (i = 0; i < 2; i++)
			p->fn(a, n);	/* warm-up */
		return n;
	}
	for (;;) {
		t0 = pt_rdtsc();
		p->fn(a, n);
		t1 = pt_rdtscp();
		if ((double)(t1 - t0) >= target || n >= (1ULL << 36))
			break;
		if ((double)(t1 - t0) < target / 16)
			n *= 8;
		else
			n = (uint64_t)((double)n * target / (double)(t1 - t0) * 1.05);
		n = round_n(n, p->vars);
	}
	p->fn(a, n);	/* one more warm-up at the final size */
	return n;
}

/* ---- output ------------------------------------------------------------ */

enum {
	COL_STRATEGY, COL_ACCESS, COL_LAYOUT, COL_CPUID, COL_OP, COL_MODE,
	COL_VARS, COL_PRESSURE, COL_COLD_PAGES, COL_PAGE, COL_PLACEMENT,
	COL_PHASE, COL_BACKING, COL_CPU, NCOLS
};
static const char *const col_names[NCOLS] = {
	"strategy", "access", "layout", "cpuid", "op", "mode", "vars",
	"pressure", "cold_pages", "page", "placement", "phase", "backing",
	"cpu",
};

struct rowctx {
	char vars[24], pressure[24], cpu[16], cold[24];
	const char *v[NCOLS];
	int rep_base;		/* repetition number of rep 0 of this call */
};

static void row_params(struct rowctx *rc, const struct point *p,
		       const char *page, const char *placement,
		       const char *phase, const char *backing, unsigned cpu)
{
	snprintf(rc->vars, sizeof(rc->vars), "%zu", p->vars);
	snprintf(rc->pressure, sizeof(rc->pressure), "%zu", p->pressure);
	snprintf(rc->cpu, sizeof(rc->cpu), "%u", cpu);
	if (p->cold)
		snprintf(rc->cold, sizeof(rc->cold), "%zu", p->cold_k);
	else
		snprintf(rc->cold, sizeof(rc->cold), "-");
	rc->v[COL_STRATEGY] = strat_name(p->strat);
	rc->v[COL_ACCESS] = al_method_name(p->method);
	if (al_strategy_method(p->strat, NULL, &rc->v[COL_LAYOUT]))
		rc->v[COL_LAYOUT] = "?";
	rc->v[COL_CPUID] = al_cpuid_name(p->cpuid);
	rc->v[COL_OP] = al_op_name(p->op);
	rc->v[COL_MODE] = p->cold ? AL_MODE_COLD_NAME : al_mode_name(p->mode);
	rc->v[COL_VARS] = rc->vars;
	rc->v[COL_PRESSURE] = rc->pressure;
	rc->v[COL_COLD_PAGES] = rc->cold;
	rc->v[COL_PAGE] = page;
	rc->v[COL_PLACEMENT] = placement;
	rc->v[COL_PHASE] = phase;
	rc->v[COL_BACKING] = backing;
	rc->v[COL_CPU] = rc->cpu;
}

static int emit(struct pout *out, struct rowctx *rc, int rep, const char *m,
		double v, const char *unit, const char *status)
{
	int r;

	if (!POUT_IS_NA(status) && !isfinite(v)) {
		v = NAN;
		status = "na:not-finite(the measurement gave no number)";
	}
	r = pout_row(out, rc->v, rep + rc->rep_base, m, v, unit, status);
	return r;
}

/* ---- the floor, the cold read ------------------------------------------ */

/* Points a run can have: see the loops in run_config(). */
static size_t max_points(const struct opts *o)
{
	return (o->nstrat + 1) * 2 *
	       (o->nop * o->nmode * o->nvars * o->npressure + 1 +
		MAX_LIST + 1);
}

/*
 * The floor ptr borrows the unit of the first live strategy that has one
 * (a runtime unit before the tls block): the same memory, its address
 * computed once.
 */
static void floor_setup(struct run_ctx *c, struct strat_rt *srt, size_t nstrat)
{
	struct strat_rt *f = &srt[nstrat];
	size_t si;
	int pass;

	memset(f, 0, sizeof(*f));
	f->id = AL_S_PTR;
	al_strategy_method(f->id, &f->method, &f->layout);
	f->host = -1;
	for (pass = 0; pass < 2 && f->host < 0; pass++)
		for (si = 0; si < nstrat && f->host < 0; si++) {
			struct strat_rt *h = &srt[si];

			if (h->na[0] || !h->rt ||
			    (pass == 0 && h->id == PCPU_S_TLS))
				continue;
			f->host = (int)si;
			f->unit = (uintptr_t)var_ptr(h, c->cpu, 0);
			f->region = h->region;
			snprintf(f->backing, sizeof(f->backing), "%s", h->backing);
			f->huge_fraction = h->huge_fraction;
			snprintf(f->backing_status, sizeof(f->backing_status),
				 "%s", h->backing_status);
		}
	if (f->host < 0) {
		snprintf(f->backing, sizeof(f->backing), "none");
		na_reason(f->na, sizeof(f->na), "no-unit",
			  "no live strategy unit to borrow");
		f->huge_fraction = NAN;
		snprintf(f->backing_status, sizeof(f->backing_status), "%s",
			 f->na);
	}
}

/* The ptr point measured like @p (same op, mode, vars, pressure, K). */
static const struct point *floor_of(const struct point *pts, size_t n,
				    const struct point *p)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct point *q = &pts[i];

		if (q->strat == AL_S_PTR && !q->minimal &&
		    q->cold == p->cold && q->cold_k == p->cold_k &&
		    q->op == p->op && q->mode == p->mode &&
		    q->vars == p->vars && q->pressure == p->pressure)
			return q;
	}
	return NULL;
}

/*
 * The sanity check of a path-mode inc: its chain holds a whole read path
 * plus an add, so it cannot be faster than the read path of the same
 * point; when it is, the core forwarded the stored value to the next
 * load (memory renaming) and the lookup is hidden. Flagged, not hidden.
 */
static const char *sanity(const struct point *pts, size_t n,
			  const struct point *p, int rep)
{
	size_t i;

	if (p->mode != AL_MODE_PATH || p->op != AL_OP_INC || p->cold ||
	    p->minimal)
		return "ok";
	for (i = 0; i < n; i++) {
		const struct point *q = &pts[i];

		if (q->strat == p->strat && q->cpuid == p->cpuid &&
		    q->op == AL_OP_READ && q->mode == AL_MODE_PATH &&
		    !q->cold && !q->minimal && q->vars == p->vars &&
		    q->pressure == p->pressure && !q->na[0])
			return q->qflag[rep] ? "ok" : p->cyc[rep] < q->cyc[rep] ?
				"flagged:below-read-path(a stored value was "
				"forwarded to a later load; memory renaming "
				"hides the path; try more --vars)" : "ok";
	}
	return "ok";
}

/*
 * The quiet check's verdict on @p's repetition @rep (bench-quiet.h):
 * NULL when the sample stands, else its flagged: status in @buf.
 */
static const char *qstatus(const struct point *p, int rep, char *buf,
			   size_t len)
{
	if (p->na[0] || !p->qflag[rep])
		return NULL;
	if (p->qflag[rep] < 0)
		snprintf(buf, len, "flagged:not-positive(a cycle count below "
			 "zero or the 2N batch not slower than N: no "
			 "measurement)");
	else
		bq_flag(buf, len, (enum pq_why)(p->qflag[rep] - 1),
			p->qtries[rep]);
	return buf;
}

/* cycles_over_floor of @p's repetition @rep (the floor itself: 0). */
static int emit_floor(struct pout *out, struct rowctx *rc, int rep,
		      const struct point *p, const struct point *fl)
{
	const char *st = "derived";
	char qb[PCNT_STATUS_LEN];

	if (p->na[0])
		st = p->na;
	else if (!fl)
		st = "na:no-floor(no ptr point measured alike)";
	else if (fl->na[0])
		st = fl->na;
	else if (qstatus(p, rep, qb, sizeof(qb)) ||
		 qstatus(fl, rep, qb, sizeof(qb)))
		st = qb;
	return emit(out, rc, rep, "cycles_over_floor",
		    POUT_IS_NA(st) ? NAN : p->cyc[rep] - fl->cyc[rep],
		    "cycles", st);
}

/* Rows of a cold point or of the minimal loop. */
static int emit_special(struct pout *out, struct rowctx *rc,
			const struct point *p, const struct point *fl,
			int repeat)
{
	int rep, ret = 0;

	for (rep = 0; !ret && rep < repeat; rep++) {
		char qb[PCNT_STATUS_LEN];
		const char *st = p->na[0] ? p->na : qstatus(p, rep, qb,
							    sizeof(qb));

		st = st ? st : "ok";

		if (p->minimal) {
			ret = emit(out, rc, rep, "minimal_loop_cycles_per_op",
				   p->cyc[rep], "cycles", st);
			continue;
		}
		ret = emit(out, rc, rep, "pages_on_path", p->pages, "pages",
			   p->na[0] ? p->na : p->pages_status);
		ret = ret ? ret : emit(out, rc, rep, "cold_cycles", p->cyc[rep],
				       "cycles", st);
		ret = ret ? ret : emit_floor(out, rc, rep, p, fl);
	}
	return ret;
}

/*
 * Marks of a counter row: with more than one counter pass, the pass that
 * counted it (<stem>_pass; values of different passes come from
 * different runs of the same loop); when the kernel time-shared it,
 * time_running/time_enabled (<stem>_time_running_frac).
 */
static int emit_counter_marks(struct pout *out, struct rowctx *rc, int rep,
			      const struct pcnt_session *cs, size_t e,
			      const struct pcnt_result *r)
{
	char m[PCNT_NAME_LEN + 32];
	int ret = 0;

	if (pcnt_npasses(cs) > 1 && r->pass != PCNT_PASS_NONE &&
	    !POUT_IS_NA(r->status)) {
		pcnt_metric_name(m, sizeof(m), pcnt_event(cs, e)->name, "_pass");
		ret = emit(out, rc, rep, m, r->pass < 0 ? 1 : r->pass + 1,
			   "pass", "ok");
	}
	if (!ret && !strcmp(r->status, "multiplexed") && r->enabled) {
		pcnt_metric_name(m, sizeof(m), pcnt_event(cs, e)->name,
				 "_time_running_frac");
		ret = emit(out, rc, rep, m,
			   (double)r->running / (double)r->enabled, "fraction",
			   "ok");
	}
	return ret;
}

/*
 * Distinct 4 KiB pages the lookup of @p touches, from the addresses it
 * really uses: the CPU-id source and, for rseq, the variable holding its
 * offset (table and shift), the table entry (table), the variable in the
 * unit (for segment, at the GS base read back from the kernel).
 */
static void path_pages(struct run_ctx *c, struct strat_rt *s, struct point *p)
{
	uintptr_t a[5], off = s->region;
	size_t n = 0, i, j, distinct = 0;

	snprintf(p->pages_status, sizeof(p->pages_status), "ok");
	if (p->method == AL_METHOD_TABLE || p->method == AL_METHOD_SHIFT) {
		if (p->cpuid == AL_CPUID_RSEQ) {
			/* the id and the variable that locates it (a load
			 * inside the isolated read, as __rseq_offset is) */
			a[n++] = (uintptr_t)&pcpu_rseq_cpu_offset;
			a[n++] = (uintptr_t)__builtin_thread_pointer() +
				 (uintptr_t)pcpu_rseq_cpu_offset;
		} else if (p->cpuid == AL_CPUID_TLS) {
			a[n++] = (uintptr_t)&pcpu_tls_cpu;
		} else if (p->cpuid == AL_CPUID_CID) {
			/* as rseq: the offset variable, then the id */
			a[n++] = (uintptr_t)&pcpu_cid_offset;
			a[n++] = (uintptr_t)__builtin_thread_pointer() +
				 (uintptr_t)pcpu_cid_offset;
		} else {
			p->pages = NAN;
			snprintf(p->pages_status, sizeof(p->pages_status),
				 "na:getcpu(the id comes from a vDSO call; its "
				 "pages are not counted)");
			return;
		}
	}
	if (p->method == AL_METHOD_TABLE)
		a[n++] = (uintptr_t)&pcpu_tables[p->strat][p->cpuid == AL_CPUID_CID ?
			pcpu_cid_read() : (unsigned)c->cpu];
#if PCPU_HAVE_SEGMENT
	if (p->method == AL_METHOD_SEGMENT) {
		unsigned long gs = 0;

		if (syscall(SYS_arch_prctl, ARCH_GET_GS, &gs)) {
			p->pages = NAN;
			na_reason(p->pages_status, sizeof(p->pages_status),
				  "no-gs-base", strerror(errno));
			return;
		}
		a[n++] = (uintptr_t)gs + off;
	} else
#endif
		a[n++] = (uintptr_t)var_ptr(s, c->cpu, off);
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (a[j] >> 12 == a[i] >> 12)
				break;
		distinct += j == i;
	}
	p->pages = (double)distinct;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* @n samples of @fn after K = @k touched pages: the trimmed mean (ticks). */
static double cold_sample(struct run_ctx *c, al_cold_fn fn, struct al_args *a,
			  size_t k, uint64_t *rng)
{
	uint64_t *v = (uint64_t *)c->cold_buf;
	size_t n = (size_t)c->o->cold_samples, i, lo, hi;
	double sum = 0;

	a->ntouch = k;
	for (i = 0; i < 8; i++) {	/* warm the code and the path */
		a->touch = c->pool.addr;
		fn(a);
	}
	for (i = 0; i < n; i++) {
		size_t start = k < COLD_POOL_PAGES ?
			(size_t)(pcpu_rng_next(rng) % (COLD_POOL_PAGES - k + 1)) : 0;

		a->touch = c->pool.addr + start;
		v[i] = fn(a);
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	lo = (size_t)((double)n * COLD_TRIM);
	hi = n - lo;
	for (i = lo; i < hi; i++)
		sum += (double)v[i];
	return sum / (double)(hi - lo);
}

/*
 * cold_sample() of point @p, judged like measure()'s batches: retried
 * while disturbed (at most BQ_MAX_RETRIES times), else flagged.
 */
static double cold_sample_quiet(struct run_ctx *c, struct point *p,
				struct al_args *a, size_t k, uint64_t *rng,
				int rep)
{
	enum pq_why w = PQ_QUIET;
	double v = NAN;
	int t = 0;

	for (;;) {
		struct pq_mark qm;

		pq_begin(&qm);
		v = cold_sample(c, p->cold_fn, a, k, rng);
		w = bq_check_trimmed(&qm, COLD_TRIM);
		t++;
		if (w == PQ_QUIET || t > BQ_MAX_RETRIES || !bq_retry())
			break;
	}
	p->qtries[rep] = t;
	p->qflag[rep] = w == PQ_QUIET ? 0 : 1 + (int)w;
	if (w != PQ_QUIET)
		bq_counts.flagged++;
	return v;
}

/* One repetition of every cold point: K by K, the empty path first. */
static void cold_rep(struct run_ctx *c, struct point *pts, size_t npts,
		     size_t *order, double core_hz, int rep, uint64_t *rng)
{
	size_t ki, i, m;

	for (ki = 0; ki < c->ncold; ki++) {
		size_t k = c->cold[ki];
		struct al_args a;
		double empty;

		m = 0;
		for (i = 0; i < npts; i++)
			if (pts[i].cold && pts[i].cold_k == k && !pts[i].na[0])
				order[m++] = i;
		if (!m)
			continue;
		pcpu_rng_shuffle(order, m, sizeof(*order), rng);
		args_for(c, &pts[order[0]], 0, 0, &a);
		empty = cold_sample(c, al_cold_lookup(AL_NR_METHODS,
						      AL_CPUID_IMPLICIT),
				    &a, k, rng);
		for (i = 0; i < m; i++) {
			struct point *p = &pts[order[i]];
			double t;

			varset_make(&c->vs[0], c->srt[p->strat_idx].region, 1);
			varset_prime(&c->srt[p->strat_idx], c->cpu, &c->vs[0]);
			args_for(c, p, 0, 0, &a);
			t = cold_sample_quiet(c, p, &a, k, rng, rep) - empty;
			if (!p->qflag[rep] && t < 0)
				p->qflag[rep] = -1;
			p->ns[rep] = t / c->tsc_hz * 1e9;
			p->ghz[rep] = core_hz / 1e9;
			p->cyc[rep] = p->ns[rep] * core_hz / 1e9;
		}
	}
}

static int cmp_cold_med(const void *x, const void *y)
{
	const double *a = x, *b = y;

	return a[0] != b[0] ? (a[0] < b[0] ? -1 : 1) :
	       a[1] < b[1] ? -1 : a[1] > b[1];
}

/*
 * Text output only: one line per K, cost against pages on the path,
 * sorted by pages then cycles (medians over repetitions), above the
 * table: "cold 4k K=8192: 1p segment 112 | ... | 3p offset-array/tls 423".
 */
static void cold_summary(struct run_ctx *c, struct pout *out,
			 const struct point *pts, size_t npts, const char *page)
{
	size_t ki, i, m;
	double (*e)[3] = calloc(npts ? npts : 1, sizeof(*e));

	if (!e)
		return;
	for (ki = 0; ki < c->ncold; ki++) {
		char line[1024], key[64];
		size_t len = 0;

		m = 0;
		for (i = 0; i < npts; i++) {
			const struct point *p = &pts[i];
			struct pstats st;

			if (!p->cold || p->cold_k != c->cold[ki] || p->na[0] ||
			    pstats_compute(p->cyc, (size_t)c->o->repeat, &st))
				continue;
			e[m][0] = isfinite(p->pages) ? p->pages : 99;
			e[m][1] = st.median;
			e[m][2] = (double)i;
			m++;
		}
		qsort(e, m, sizeof(*e), cmp_cold_med);
		line[0] = '\0';
		for (i = 0; i < m && len < sizeof(line) - 80; i++) {
			const struct point *p = &pts[(size_t)e[i][2]];
			char pg[8];

			if (isfinite(p->pages))
				snprintf(pg, sizeof(pg), "%.0fp", p->pages);
			else
				snprintf(pg, sizeof(pg), "?p");
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						"%s%s %s%s%s %.0f", i ? " | " : "", pg,
						strat_name(p->strat),
						p->cpuid == AL_CPUID_IMPLICIT ? "" : "/",
						p->cpuid == AL_CPUID_IMPLICIT ? "" :
						al_cpuid_name(p->cpuid), e[i][1]);
		}
		if (!m)
			continue;
		snprintf(key, sizeof(key), "cold %s K=%zu (pages on path, "
			 "cycles)", page, c->cold[ki]);
		pout_meta(out, key, line);
	}
	free(e);
}

/* ---- the run ------------------------------------------------------------ */

static int progress_on(const struct opts *o)
{
	return !o->quiet && isatty(2);
}

struct config_run {
	const char *page_name;
	enum page_kind page;
	const char *placement;
	int late;		/* phase late: the CPU brought online after init */
	/*
	 * Repetitions rep_base .. rep_base + c->o->repeat - 1: with --late
	 * each call runs one repetition, boot and late in turn
	 * (interleaved: drift between the phases cancels).
	 */
	int rep_base;
};

static int run_config(struct run_ctx *c, const struct config_run *cr,
		      struct pout *out, double **cyc4k, size_t *npts_prev,
		      double t_start, int *progress_shown)
{
	const struct opts *o = c->o;
	struct strat_rt srt[PCPU_NR_STRATEGIES + 1];
	struct point *pts = NULL;
	size_t npts = 0, cap, i, j, si, vi, pi, oi, mi, ki;
	size_t *order = NULL;
	int ret = 0, rep;
	uint64_t rng = o->seed ^ (cr->page * 0x9E3779B97F4A7C15ULL) ^ 1 ^
		       ((uint64_t)cr->rep_base * 0xD1B54A32D192ED03ULL);
	struct pcpu_sysinfo si_;
	char err[256], online[32];

	pcpu_sysinfo_read(&si_);
	snprintf(online, sizeof(online), "%u-%u", c->cpu, c->cpu);
	if (cr->late) {
		struct pcpu_cpuset ps;
		unsigned b;

		/*
		 * Phase late: another allowed CPU is the boot CPU (none when
		 * this is the only one: a count of 0); c->cpu comes later.
		 */
		snprintf(online, sizeof(online), "0");
		if (pcpu_cpuset_parse(&ps, si_.cpus_possible))
			memset(&ps, 0, sizeof(ps));
		for (b = 0; b < CPU_SETSIZE; b++)
			if (b != c->cpu && pcpu_cpuset_test(&ps, b) &&
			    CPU_ISSET(b, &c->orig_affinity)) {
				snprintf(online, sizeof(online), "%u-%u", b, b);
				break;
			}
	}
	memset(srt, 0, sizeof(srt));
	c->srt = srt;

	/*
	 * Bring up one runtime per strategy. The topology lists the CPUs this
	 * process may run on, so unpin while doing so; pin again after.
	 */
	sched_setaffinity(0, sizeof(c->orig_affinity), &c->orig_affinity);
	for (si = 0; si < o->nstrat; si++) {
		struct strat_rt *s = &srt[si];
		struct pcpu_config cfg;
		struct pcpu_backing_info bi;
		const char *why;
		int r;

		s->id = o->strat[si];
		snprintf(s->backing, sizeof(s->backing), "none");
		if (al_strategy_method(s->id, &s->method, &s->layout)) {
			s->method = AL_NR_METHODS;
			s->layout = "?";
			na_reason(s->na, sizeof(s->na), "no-method",
				  "no access method mapped for this strategy");
			continue;
		}
		why = pcpu_strategy_unavailable(s->id);
		if (why) {
			na_reason(s->na, sizeof(s->na), "unavailable", why);
			continue;
		}
		if (s->id == PCPU_S_TLS && cr->page == PAGE_2M) {
			na_reason(s->na, sizeof(s->na), "not-applicable",
				  "the tls block is thread memory: no 2m unit");
			continue;
		}
		memset(&cfg, 0, sizeof(cfg));
		cfg.strategy = s->id;
		cfg.possible = si_.cpus_possible;
		cfg.present = NULL;
		/* Only the measuring CPU online (as a cpulist: "N-N"). */
		cfg.online = online;
		cfg.dyn_size = DYN_SIZE;
		cfg.backing = cr->page == PAGE_4K ? PCPU_BACKING_4K :
			      si_.hugetlb_2m_free >= 4 ? PCPU_BACKING_HUGETLB :
			      PCPU_BACKING_THP;
		pcpu_placement_parse(cr->placement, &cfg.placement);
		err[0] = 0;
		r = pcpu_rt_init(&s->rt, &cfg, err, sizeof(err));
		if (r == -ENOMEM && cfg.backing == PCPU_BACKING_HUGETLB) {
			cfg.backing = PCPU_BACKING_THP;
			r = pcpu_rt_init(&s->rt, &cfg, err, sizeof(err));
		}
		if (r) {
			char m[300];

			snprintf(m, sizeof(m), "pcpu_rt_init: %s: %s",
				 strerror(-r), err);
			na_reason(s->na, sizeof(s->na), "init-failed", m);
			s->rt = NULL;
			continue;
		}
		r = pcpu_alloc(s->rt, REGION_SIZE, 4096, NULL, false, &s->region);
		/* Late: online after init and after the allocation. */
		if (!r && cr->late)
			r = pcpu_cpu_online(s->rt, c->cpu);
		if (!r && pcpu_cpu_host_cpu(s->rt, c->cpu) != (int)c->cpu) {
			na_reason(s->na, sizeof(s->na), "cpu-map",
				  "logical CPU id is not the host id");
			goto drop;
		}
		if (!r)
			r = pcpu_thread_enter(s->rt, c->cpu);
		if (r) {
			na_reason(s->na, sizeof(s->na), "setup-failed",
				  strerror(-r));
			goto drop;
		}
		/* What backs the unit, and where its pages are. */
		if (!pcpu_cpu_backing(s->rt, c->cpu, &bi)) {
			snprintf(s->backing, sizeof(s->backing), "%s",
				 bi.obtained ? bi.obtained : "none");
			s->huge_fraction = bi.rss_bytes ?
				(double)(bi.thp_bytes + bi.hugetlb_bytes) /
				(double)bi.rss_bytes : 0;
			snprintf(s->backing_status, sizeof(s->backing_status), "ok");
		} else {
			s->huge_fraction = NAN;
			snprintf(s->backing_status, sizeof(s->backing_status),
				 "na:smaps(could not read /proc/self/smaps)");
		}
		if (s->id == PCPU_S_TLS)
			snprintf(s->backing, sizeof(s->backing), "tls-block");
		continue;
drop:
		pcpu_rt_fini(s->rt);
		s->rt = NULL;
	}

	floor_setup(c, srt, o->nstrat);

	if (pt_pin_self((int)c->cpu)) {
		ret = -EINVAL;
		goto out;
	}

	/* Points: the strategies, then the floor ptr (index nstrat). */
	cap = max_points(o);
	pts = calloc(cap ? cap : 1, sizeof(*pts));
	order = calloc(cap ? cap : 1, sizeof(*order));
	if (!pts || !order) {
		ret = -ENOMEM;
		goto out;
	}
	for (si = 0; si <= o->nstrat; si++) {
		enum al_cpuid cids[3];
		size_t ncid = 0, ci;
		enum pcpu_strategy_id id = srt[si].id;
		enum al_method meth = srt[si].method;

		if (meth != AL_METHOD_TABLE && meth != AL_METHOD_SHIFT) {
			cids[ncid++] = AL_CPUID_IMPLICIT;
		} else {
			if (o->cpuid_rseq)
				cids[ncid++] = pcpu_rseq_cpu_offset ?
					AL_CPUID_RSEQ : AL_CPUID_GETCPU;
			if (o->cpuid_tls)
				cids[ncid++] = AL_CPUID_TLS;
			if (o->cpuid_cid)
				cids[ncid++] = AL_CPUID_CID;
		}
		for (ci = 0; ci < ncid; ci++)
		for (oi = 0; oi < o->nop + 1; oi++)
		for (mi = 0; mi < o->nmode + 1; mi++)
		for (vi = 0; vi < o->nvars; vi++)
		for (pi = 0; pi < o->npressure; pi++)
		for (ki = 0; ki < c->ncold + 2; ki++) {
			struct point *p;
			/*
			 * ki 0: the loop point; ki 1: the minimal loop beside
			 * ptr read throughput; ki >= 2: cold read K. The
			 * extra op and mode index (nop, nmode) is the cold
			 * read, once per strategy and CPU-id source.
			 */
			int is_cold = oi == o->nop && mi == o->nmode &&
				      vi == 0 && pi == 0 && ki >= 2;
			int is_min = ki == 1 && id == AL_S_PTR &&
				     oi < o->nop && mi < o->nmode &&
				     o->op[oi] == AL_OP_READ &&
				     o->mode[mi] == AL_MODE_TPUT &&
				     o->vars[vi] == 1 && o->pressure[pi] == 0;

			if (!is_cold && !is_min &&
			    (ki || oi == o->nop || mi == o->nmode))
				continue;
			if (npts >= cap) {
				ret = -EOVERFLOW;
				goto out;
			}
			p = &pts[npts++];
			p->strat_idx = si;
			p->strat = id;
			p->method = meth;
			p->cpuid = cids[ci];
			p->op = is_cold ? AL_OP_READ : o->op[oi];
			p->mode = is_cold ? AL_MODE_LAT : o->mode[mi];
			p->vars = is_cold ? 1 : o->vars[vi];
			p->pressure = is_cold ? 0 : o->pressure[pi];
			p->minimal = is_min;
			p->cold = is_cold;
			p->cold_k = is_cold ? c->cold[ki - 2] : 0;
			p->cyc = calloc(o->repeat, sizeof(double));
			p->ns = calloc(o->repeat, sizeof(double));
			p->ghz = calloc(o->repeat, sizeof(double));
			p->qflag = calloc(o->repeat, sizeof(*p->qflag));
			p->qtries = calloc(o->repeat, sizeof(*p->qtries));
			p->ev = calloc((size_t)o->repeat * (c->nev ? c->nev : 1),
				       sizeof(*p->ev));
			if (!p->cyc || !p->ns || !p->ghz || !p->ev ||
			    !p->qflag || !p->qtries) {
				ret = -ENOMEM;
				goto out;
			}
			if (srt[si].na[0]) {
				snprintf(p->na, sizeof(p->na), "%s", srt[si].na);
				continue;
			}
			if (p->cpuid == AL_CPUID_CID &&
			    bc_cid_access_na(srt[si].rt, p->na, sizeof(p->na)))
				continue;
			if (p->cold) {
				p->cold_fn = al_cold_lookup(meth, p->cpuid);
				if (!p->cold_fn)
					na_reason(p->na, sizeof(p->na), "no-loop",
						  "no cold read built for this "
						  "combination");
				else
					path_pages(c, &srt[si], p);
				continue;
			}
			p->fn = p->minimal ? al_minimal_loop :
				al_lookup(meth, p->cpuid, p->op, p->mode,
					  p->pressure > 0);
			if (!p->fn)
				na_reason(p->na, sizeof(p->na), "no-loop",
					  p->mode == AL_MODE_PATH && p->pressure ?
					  "path mode has no pressure variant" :
					  "no loop built for this combination");
		}
	}

	/* Warm up and size each point. */
	for (i = 0; i < npts; i++) {
		struct point *p = &pts[i];
		struct al_args a;

		if (p->na[0] || p->cold)
			continue;
		for (vi = 0; o->vars[vi] != p->vars; vi++)
			;
		for (pi = 0; o->pressure[pi] != p->pressure; pi++)
			;
		varset_make(&c->vs[vi], srt[p->strat_idx].region, p->vars);
		varset_prime(&srt[p->strat_idx], c->cpu, &c->vs[vi]);
		/* segment and hybrid-segment share the thread's GS base. */
		if (srt[p->strat_idx].rt)
			pcpu_thread_enter(srt[p->strat_idx].rt, c->cpu);
		args_for(c, p, vi, pi, &a);
		p->n = pick_n(c, p, &a);
	}

	/* Repetitions, points in a new random order each time. */
	for (rep = 0; rep < o->repeat; rep++) {
		double core_hz = 0;

		if (pt_core_hz_calibrate(&core_hz))
			core_hz = NAN;
		for (i = 0; i < npts; i++)
			order[i] = i;
		for (i = npts; i > 1; i--) {
			size_t k = pcpu_rng_next(&rng) % i, t = order[i - 1];

			order[i - 1] = order[k];
			order[k] = t;
		}
		for (j = 0; j < npts; j++) {
			struct point *p = &pts[order[j]];
			struct al_args a;

			if (p->na[0] || p->cold)
				continue;
			for (vi = 0; o->vars[vi] != p->vars; vi++)
				;
			for (pi = 0; o->pressure[pi] != p->pressure; pi++)
				;
			varset_make(&c->vs[vi], srt[p->strat_idx].region,
				    p->vars);
			varset_prime(&srt[p->strat_idx], c->cpu, &c->vs[vi]);
			if (srt[p->strat_idx].rt)
				pcpu_thread_enter(srt[p->strat_idx].rt, c->cpu);
			args_for(c, p, vi, pi, &a);
			measure(c, p, &a, core_hz, rep);
		}
		if (c->ncold)
			cold_rep(c, pts, npts, order, core_hz, rep, &rng);
		if (progress_on(o) && pt_now() - t_start > 2.0) {
			fprintf(stderr, "\r[access] %spage %s placement %s: "
				"repetition %d/%d, %zu points   ",
				cr->late ? "late " : "",
				cr->page_name, cr->placement,
				cr->rep_base + rep + 1,
				c->nrep, npts);
			*progress_shown = 1;
		}
	}

	/* NUMA locality of the variables' pages, per strategy and vars. */
	for (si = 0; si < o->nstrat; si++) {
		struct strat_rt *s = &srt[si];

		for (vi = 0; vi < o->nvars; vi++) {
			size_t unit_pages, k, local = 0, known = 0;
			int *nodes, got, hn;
			struct varset v;

			s->local_frac[vi] = NAN;
			if (s->na[0]) {
				snprintf(s->local_status[vi], PCNT_STATUS_LEN,
					 "%s", s->na);
				continue;
			}
			if (s->id == PCPU_S_TLS) {
				snprintf(s->local_status[vi], PCNT_STATUS_LEN,
					 "na:tls-block(thread memory; not a "
					 "per-CPU unit)");
				continue;
			}
			unit_pages = pcpu_rt_unit_size(s->rt) / 4096;
			nodes = calloc(unit_pages, sizeof(int));
			hn = pcpu_cpu_host_node(s->rt, c->cpu);
			got = nodes ? pcpu_cpu_page_nodes(s->rt, c->cpu, nodes,
							  unit_pages) : -ENOMEM;
			if (got < 0) {
				char m[96];

				snprintf(m, sizeof(m), "page node query: %s",
					 strerror(-got));
				na_reason(s->local_status[vi], PCNT_STATUS_LEN,
					  "no-placement", m);
				free(nodes);
				continue;
			}
			varset_make(&v, s->region, o->vars[vi]);
			for (k = 0; k < v.n; k++) {
				size_t pg = v.offs[k] / 4096;

				if (pg >= (size_t)got || nodes[pg] < 0)
					continue;
				known++;
				local += nodes[pg] == hn;
			}
			free(nodes);
			if (!known) {
				snprintf(s->local_status[vi], PCNT_STATUS_LEN,
					 "na:not-resident(no page of the "
					 "variables is resident)");
				continue;
			}
			s->local_frac[vi] = (double)local / (double)known;
			snprintf(s->local_status[vi], PCNT_STATUS_LEN, "derived");
		}
	}
	/* The floor's unit is its host's. */
	for (vi = 0; vi < o->nvars; vi++) {
		struct strat_rt *f = &srt[o->nstrat];

		if (f->host >= 0) {
			f->local_frac[vi] = srt[f->host].local_frac[vi];
			memcpy(f->local_status[vi],
			       srt[f->host].local_status[vi], PCNT_STATUS_LEN);
		} else {
			f->local_frac[vi] = NAN;
			snprintf(f->local_status[vi], PCNT_STATUS_LEN, "%s",
				 f->na[0] ? f->na : "na:no-unit(no strategy "
				 "unit to borrow)");
		}
	}

	/* Rows. */
	for (i = 0; i < npts; i++) {
		struct point *p = &pts[i];
		struct strat_rt *s = &srt[p->strat_idx];
		struct rowctx rc;

		const struct point *fl = floor_of(pts, npts, p);

		for (vi = 0; o->vars[vi] != p->vars; vi++)
			;
		row_params(&rc, p, cr->page_name, cr->placement,
			   cr->late ? "late" : "boot", s->backing, c->cpu);
		rc.rep_base = cr->rep_base;
		if (p->cold || p->minimal) {
			ret = emit_special(out, &rc, p, fl, o->repeat);
			if (ret)
				goto out;
			continue;
		}
		for (rep = 0; rep < o->repeat; rep++) {
			size_t e;
			char qb[PCNT_STATUS_LEN];
			const char *qst;

			if (p->na[0]) {
				ret = emit(out, &rc, rep, "cycles_per_op", NAN,
					   "cycles", p->na);
				if (!ret)
					ret = emit_floor(out, &rc, rep, p, fl);
				if (!ret)
					ret = emit(out, &rc, rep, "ns_per_op",
						   NAN, "ns", p->na);
				if (ret)
					goto out;
				continue;
			}
			qst = qstatus(p, rep, qb, sizeof(qb));
			ret = emit(out, &rc, rep, "cycles_per_op", p->cyc[rep],
				   "cycles", qst ? qst : sanity(pts, npts, p, rep));
			ret = ret ? ret : emit_floor(out, &rc, rep, p, fl);
			ret = ret ? ret : emit(out, &rc, rep, "ns_per_op",
					       p->ns[rep], "ns", qst ? qst : "ok");
			ret = ret ? ret : emit(out, &rc, rep, "core_clock",
					       p->ghz[rep], "GHz", "ok");
			ret = ret ? ret : emit(out, &rc, rep, "batch_ops",
					       (double)p->n, "ops", "ok");
			for (e = 0; !ret && e < c->nev; e++) {
				const struct pcnt_result *r =
					&p->ev[(size_t)rep * c->nev + e];
				char m[PCNT_NAME_LEN + 16];

				pcnt_metric_name(m, sizeof(m),
						 pcnt_event(c->cs, e)->name,
						 "_per_op");
				ret = emit(out, &rc, rep, m, r->value,
					   "events/op", r->status);
				ret = ret ? ret : emit_counter_marks(out, &rc,
						rep, c->cs, e, r);
			}
			ret = ret ? ret : emit(out, &rc, rep,
					       "huge_page_fraction",
					       s->huge_fraction, "fraction",
					       s->backing_status);
			ret = ret ? ret : emit(out, &rc, rep,
					       "numa_local_fraction",
					       s->local_frac[vi], "fraction",
					       s->local_status[vi]);
			ret = ret ? ret : emit(out, &rc, rep,
					       "remote_accesses_per_op",
					       1.0 - s->local_frac[vi],
					       "accesses/op",
					       s->local_status[vi]);
			if (ret)
				goto out;
		}
		/* tlb_cost: 4k minus 2m, rep by rep, when both were run. */
		if (cr->page == PAGE_4K && cyc4k) {
			if (!cyc4k[i])
				cyc4k[i] = calloc(o->repeat, sizeof(double));
			if (cyc4k[i])
				for (rep = 0; rep < o->repeat; rep++)
					cyc4k[i][rep] = p->na[0] ||
						p->qflag[rep] ? NAN :
						p->cyc[rep];
		} else if (cr->page == PAGE_2M && cyc4k && cyc4k[i]) {
			for (rep = 0; rep < o->repeat; rep++) {
				char st[PCNT_STATUS_LEN];
				double v = cyc4k[i][rep] - p->cyc[rep];

				if (p->na[0])
					snprintf(st, sizeof(st), "%s", p->na);
				else if (qstatus(p, rep, st, sizeof(st)))
					;
				else if (!isfinite(cyc4k[i][rep]))
					snprintf(st, sizeof(st),
						 "na:no-4k-run(the 4k point "
						 "was not measured or its "
						 "sample was flagged)");
				else if (strcmp(s->backing, "thp") &&
					 strcmp(s->backing, "hugetlb") &&
					 strcmp(s->backing, "thp-partial"))
					na_reason(st, sizeof(st), "no-2m-pages",
						  s->backing);
				else if (!strcmp(s->backing, "thp-partial"))
					snprintf(st, sizeof(st),
						 "flagged:partial-2m-backing");
				else
					snprintf(st, sizeof(st), "ok");
				ret = emit(out, &rc, rep, "tlb_cost", v,
					   "cycles", st);
				if (ret)
					goto out;
				/*
				 * Estimated dTLB misses per op: the measured
				 * cost over the calibrated miss penalty (the
				 * walk), from `pcpubench tlb` (its calibration).
				 */
				if (POUT_IS_NA(st))
					;
				else if (c->walk_cycles > 0)
					snprintf(st, sizeof(st), "estimated");
				else
					snprintf(st, sizeof(st), "%s",
						 c->walk_why);
				ret = emit(out, &rc, rep, "dtlb_misses_per_op_est",
					   v / c->walk_cycles, "events/op", st);
				if (ret)
					goto out;
			}
		}
	}
	if (o->fmt == POUT_TEXT && !cr->rep_base)
		cold_summary(c, out, pts, npts, cr->page_name);
	*npts_prev = npts;
out:
	for (i = 0; pts && i < npts; i++) {
		free(pts[i].cyc);
		free(pts[i].ns);
		free(pts[i].ghz);
		free(pts[i].qflag);
		free(pts[i].qtries);
		free(pts[i].ev);
	}
	free(pts);
	free(order);
	for (si = 0; si < o->nstrat; si++)
		if (srt[si].rt) {
			pcpu_thread_leave(srt[si].rt);
			pcpu_rt_fini(srt[si].rt);
		}
	return ret;
}

/* Metadata: the JSON "meta" block, the CSV sidecar FILE.meta.json (pout). */
static void meta_str(struct pout *out, const char *k, const char *v)
{
	pout_meta(out, k, v);
}

static void meta_num(struct pout *out, const char *k, double v, const char *fmt)
{
	char b[64];

	snprintf(b, sizeof(b), fmt, v);
	meta_str(out, k, b);
}

/*
 * A quick TLB sweep when no calibration gives the reach: the chase minus
 * its control (pcpu-tlb.h) at 4 points per octave from 16 to 16384
 * pages, median of 3, through the same detector as `pcpubench tlb`.
 * Return: 0 with @cb filled; -errno.
 */
static int quick_tlb_reach(struct pcpu_tlbcal_backing *cb, double tsc_hz)
{
	enum { NPT = 41, REPS = 3 };
	double x[NPT], y[NPT], v[2][REPS], chz;
	struct pcpu_tlb_buf buf;
	struct pcpu_tlb_fit fit;
	size_t i, r, pat;
	int ret;

	for (i = 0; i < NPT; i++)
		x[i] = round(16 * exp2((double)i / 4));
	ret = pcpu_tlb_buf_alloc(&buf, (size_t)x[NPT - 1] * PCPU_TLB_PAGE,
				 PCPU_TLB_4K, false);
	if (ret)
		return ret;
	if (pt_core_hz_calibrate(&chz))
		chz = tsc_hz;
	for (i = 0; i < NPT && !ret; i++) {
		size_t n = (size_t)x[i], steps = n > 20000 ? n : 20000;

		for (r = 0; r < REPS && !ret; r++)
			for (pat = 0; pat < 2 && !ret; pat++) {
				void *head;
				uint64_t t, best = UINT64_MAX;
				int k;

				ret = pcpu_tlb_build(&buf, n, (enum pcpu_tlb_pattern)pat,
						     0xC01DULL + i * 31 + r, &head);
				if (ret)
					break;
				pcpu_tlb_walk(&head, n > 4096 ? n : 4096);
				for (k = 0; k < 3; k++) {
					t = pcpu_tlb_walk(&head, steps);
					if (t < best)
						best = t;
				}
				v[pat][r] = (double)best / (double)((steps + 15) / 16 * 16);
			}
		if (!ret) {
			struct pstats a, b;

			pstats_compute(v[0], REPS, &a);
			pstats_compute(v[1], REPS, &b);
			/* ticks to core cycles: x core_hz / tsc_hz */
			y[i] = (a.median - b.median) * chz / tsc_hz;
		}
	}
	pcpu_tlb_buf_free(&buf);
	if (ret)
		return ret;
	ret = pcpu_tlb_detect(x, y, NULL, NPT, NULL, &fit);
	if (ret)
		return ret;
	memset(cb, 0, sizeof(*cb));
	pcpu_tlbcal_from_fit(cb, &fit);
	return 0;
}

/*
 * The K list: as given, or (--mode cold) 0, 1.5x the L1 dTLB reach and
 * 2x the L2 TLB reach of the 4k calibration; without one, fixed guesses,
 * said so in the metadata.
 */
static void cold_setup(struct run_ctx *c)
{
	const struct opts *o = c->o;
	const struct pcpu_tlbcal_backing *b = &c->cal.b[PCPU_TLB_4K];
	size_t i, k[3];

	c->ncold = 0;
	for (i = 0; i < o->ncold; i++)
		c->cold[c->ncold++] = o->cold[i];
	snprintf(c->cold_src, sizeof(c->cold_src), "given (--cold)");
	if (!o->cold_default)
		return;
	if (c->cal_ok && b->valid && b->found[PCPU_TLBCAL_L1_ENTRIES] &&
	    b->found[PCPU_TLBCAL_L2_ENTRIES]) {
		k[1] = (size_t)(1.5 * b->value[PCPU_TLBCAL_L1_ENTRIES] + 0.5);
		k[2] = (size_t)(2.0 * b->value[PCPU_TLBCAL_L2_ENTRIES] + 0.5);
		snprintf(c->cold_src, sizeof(c->cold_src), "default: 0, 1.5 x "
			 "l1_dtlb_entries %.0f, 2 x l2_tlb_entries %.0f (4k "
			 "calibration %s)%s", b->value[PCPU_TLBCAL_L1_ENTRIES],
			 b->value[PCPU_TLBCAL_L2_ENTRIES], c->cal.date,
			 k[2] > COLD_POOL_PAGES ? "; flagged: 2 x L2 exceeds "
			 "the pool, clamped" : "");
	} else {
		struct pcpu_tlbcal_backing q;
		int r = quick_tlb_reach(&q, c->tsc_hz);

		if (!r && q.found[PCPU_TLBCAL_L1_ENTRIES] &&
		    q.found[PCPU_TLBCAL_L2_ENTRIES]) {
			k[1] = (size_t)(1.5 * q.value[PCPU_TLBCAL_L1_ENTRIES] + 0.5);
			k[2] = (size_t)(2.0 * q.value[PCPU_TLBCAL_L2_ENTRIES] + 0.5);
			snprintf(c->cold_src, sizeof(c->cold_src), "default, "
				 "measured (no usable calibration): 0, 1.5 x L1 "
				 "%.0f, 2 x L2 %.0f pages from a quick chase of "
				 "16-16384 pages", q.value[PCPU_TLBCAL_L1_ENTRIES],
				 q.value[PCPU_TLBCAL_L2_ENTRIES]);
		} else {
			k[1] = 192;
			k[2] = 8192;
			snprintf(c->cold_src, sizeof(c->cold_src), "default "
				 "guesses 0, 192, 8192: no calibration and the "
				 "quick chase found %s; run pcpubench tlb first",
				 r ? "nothing (error)" :
				 !q.found[PCPU_TLBCAL_L1_ENTRIES] ?
				 q.why[PCPU_TLBCAL_L1_ENTRIES] :
				 q.why[PCPU_TLBCAL_L2_ENTRIES]);
		}
	}
	k[0] = 0;
	for (i = 0; i < 3 && c->ncold < MAX_LIST; i++) {
		size_t q, v = k[i] > COLD_POOL_PAGES ? COLD_POOL_PAGES : k[i];

		for (q = 0; q < c->ncold && c->cold[q] != v; q++)
			;
		if (q == c->ncold)
			c->cold[c->ncold++] = v;
	}
}

int cmd_access(int argc, char **argv)
{
	struct opts o;
	struct run_ctx c;
	struct pcnt_spec spec;
	struct pout *out = NULL;
	const char *pnames[NCOLS];
	double **cyc4k = NULL, t_start, known;
	size_t i, pl, pg, npts_prev = 0, maxpts = 0, nchunk;
	struct opts o1;
	char err[512], b[128];
	int r, ret = EXIT_OK, progress = 0;

	r = parse_opts(argc, argv, &o);
	if (r) {
		opts_free(&o);
		return r > 0 ? EXIT_OK : EXIT_USAGE;
	}
	memset(&c, 0, sizeof(c));
	c.o = &o;
	c.cpu = o.cpu >= 0 ? (unsigned)o.cpu : (unsigned)bc_default_cpu();
	if (sched_getaffinity(0, sizeof(c.orig_affinity), &c.orig_affinity)) {
		ret = EXIT_FAIL;
		goto done;
	}
	if (pt_pin_self((int)c.cpu)) {
		fprintf(stderr, "pcpubench access: cannot run on CPU %u (not "
			"allowed or offline)\n", c.cpu);
		ret = o.cpu >= 0 ? EXIT_USAGE : EXIT_SKIP;
		goto done;
	}
	if (pt_tsc_hz(&c.tsc_hz)) {
		fprintf(stderr, "pcpubench access: cannot measure the TSC rate\n");
		ret = EXIT_SKIP;
		goto done;
	}
	err[0] = 0;
	if (pcnt_spec_parse(&spec, o.events, err, sizeof(err))) {
		fprintf(stderr, "pcpubench access: --events: %s\n", err);
		ret = EXIT_USAGE;
		goto done;
	}
	if (o.out && (ret = bc_out_check("access", o.out)))
		goto done;
	if (bc_dry_run_stop("access"))
		goto done;
	r = pcnt_open(&c.cs, &spec, 0, -1);
	if (r) {
		fprintf(stderr, "pcpubench access: counters: %s\n", strerror(-r));
		ret = EXIT_FAIL;
		goto done;
	}
	c.nev = pcnt_count(c.cs);
	c.pmu_cycles = pcnt_has_cycles(c.cs, &c.cyc_idx);
	load_walk_penalty(&c);
	pt_cycles_source_set_pmu(c.pmu_cycles);
	pcnt_enable(c.cs);
	c.vs = calloc(o.nvars, sizeof(*c.vs));
	c.pb = calloc(o.npressure, sizeof(*c.pb));
	if (!c.vs || !c.pb) {
		ret = EXIT_FAIL;
		goto done;
	}
	cold_setup(&c);
	if (c.ncold && (pressure_make(&c.pool, COLD_POOL_PAGES, o.seed ^ 0xC01D) ||
			!(c.cold_buf = calloc((size_t)o.cold_samples,
					      sizeof(uint64_t))))) {
		fprintf(stderr, "pcpubench access: cannot allocate the %d-page "
			"cold pool\n", COLD_POOL_PAGES);
		ret = EXIT_FAIL;
		goto done;
	}
	for (i = 0; i < o.npressure; i++)
		if (pressure_make(&c.pb[i], o.pressure[i], o.seed + i)) {
			fprintf(stderr, "pcpubench access: cannot allocate "
				"%zu pressure pages\n", o.pressure[i]);
			ret = EXIT_FAIL;
			goto done;
		}

	for (i = 0; i < NCOLS; i++)
		pnames[i] = col_names[i];
	ret = bc_out_open("access", &out, o.fmt, o.out, "access", pnames, NCOLS);
	if (ret)
		goto done;
	snprintf(b, sizeof(b), "%llu", (unsigned long long)o.seed);
	meta_str(out, "seed", b);
	bq_meta(out, "access", 0);
	meta_str(out, "cycles_source", pt_cycles_source());
	meta_num(out, "tsc_hz", c.tsc_hz, "%.0f");
	if (!pt_tsc_known_hz(&known))
		meta_num(out, "tsc_known_hz", known, "%.0f");
	else
		meta_str(out, "tsc_known_hz", "not exposed by the kernel");
	meta_str(out, "pfm_pmu", pcnt_pfm_pmu());
	meta_str(out, "events", o.events);
	meta_str(out, "perf_backend", pcnt_backend_name());
	{
		char plan[1024];

		struct pcnt_capacity cap;

		pcnt_plan_text(c.cs, plan, sizeof(plan));
		meta_str(out, "counter_passes", plan);
		pcnt_capacity(&cap);
		snprintf(plan, sizeof(plan), "%u general-purpose (%s), %u fixed; "
			 "NMI watchdog %s", cap.gp, cap.source, cap.fixed,
			 cap.watchdog ? "holds one" : "holds none");
		meta_str(out, "counters", plan);
		for (i = 0; i < c.nev; i++) {
			char k[PCNT_NAME_LEN + 16];

			snprintf(k, sizeof(k), "event_%s", pcnt_event(c.cs, i)->name);
			meta_str(out, k, pcnt_event(c.cs, i)->path);
		}
	}
	if (o.cpuid_cid)
		meta_str(out, "cpuid_cid", "cid: rseq mm_cid (the concurrency "
			 "id) from the area of rseq_mm_cid, indexing the same "
			 "table or area");
	meta_str(out, "cpuid_sources", "rseq: glibc's rseq area cpu_id; "
		 "getcpu: sched_getcpu() (rseq not registered); tls: id kept "
		 "in a thread-local; implicit: none needed (segment, tls)");
	snprintf(b, sizeof(b), "%d", o.repeat);
	meta_str(out, "repeat", b);
	snprintf(b, sizeof(b), "%d", o.tries);
	meta_str(out, "tries", b);
	if (o.iters)
		snprintf(b, sizeof(b), "%llu", (unsigned long long)o.iters);
	else
		snprintf(b, sizeof(b), "auto: min-time %g s", o.min_time);
	meta_str(out, "iters", b);
	meta_str(out, "method", "per sample: best of tries for N and 2N ops; "
		 "(t2N - tN) / N; TSC to ns with tsc_hz; cycles from "
		 "cycles_source");
	meta_str(out, "build_flags", PCPU_BUILD_FLAGS);
	meta_str(out, "cc", PCPU_CC_VERSION);
	meta_str(out, "revision", PCPU_GIT_REV);
	/* The one outside input: the TLB calibration. */
	meta_str(out, "calibration_path", c.cal_path[0] ? c.cal_path : "none");
	meta_str(out, "calibration_status", c.cal_status);
	meta_str(out, "calibration_date", c.cal_ok ? c.cal.date : "NA");
	meta_str(out, "calibration_host", c.cal_ok ? c.cal.host : "NA");
	meta_str(out, "calibration_revision", !c.cal_ok ? "NA" :
		 c.cal.revision[0] ? c.cal.revision :
		 "unknown (written before revisions were recorded)");
	meta_str(out, "modes", "throughput: independent accesses; latency: the "
		 "data chain (value read -> next offset); path: the whole "
		 "lookup chained (previous result via an opaque zero -> first "
		 "load of the path: CPU id, or the offset for segment/tls/ptr)");
	meta_str(out, "phases", o.late ? "boot: the CPU online at init; "
		 "late: the runtime started with another CPU (or none) online, "
		 "the region allocated, then the CPU brought online; "
		 "interleaved repetition by repetition (boot, late)" :
		 "boot: the CPU online at init");
	meta_str(out, "floor", "ptr: the unit's address computed once and held "
		 "in a register (borrowed from the first live strategy's unit); "
		 "cycles_over_floor = cycles minus ptr's, same op/mode/vars/"
		 "pressure/K, per repetition");
	if (c.ncold) {
		char kl[MAX_LIST * 12] = "";
		size_t q, len = 0;

		for (q = 0; q < c.ncold; q++)
			len += (size_t)snprintf(kl + len, sizeof(kl) - len,
						"%s%zu", q ? "," : "", c.cold[q]);
		meta_str(out, "cold_pages_list", kl);
		meta_str(out, "cold_pages_source", c.cold_src);
		snprintf(b, sizeof(b), "%d pages of 4 KiB, one line each, "
			 "random order", COLD_POOL_PAGES);
		meta_str(out, "cold_pool", b);
		snprintf(b, sizeof(b), "%d per repetition, %.0f%% trimmed each "
			 "end", o.cold_samples, COLD_TRIM * 100);
		meta_str(out, "cold_samples", b);
		meta_str(out, "cold_method", "per sample: read one line in each "
			 "of K random pool pages; mfence; lfence; rdtscp; one "
			 "whole-path read; rdtscp; the trimmed mean minus that of "
			 "the same fenced empty path; TSC to cycles with the "
			 "calibrated core clock");
	}

	maxpts = max_points(&o);
	cyc4k = calloc(maxpts ? maxpts : 1, sizeof(*cyc4k));
	if (!cyc4k) {
		ret = EXIT_FAIL;
		goto done;
	}
	t_start = pt_now();
	/*
	 * With --late the phases are interleaved repetition by repetition:
	 * per placement, repetition r runs boot then late (each call one
	 * repetition, from its own runtimes), so what drifts over the run
	 * (the machine's load, the clock) falls on both phases alike.
	 */
	o1 = o;
	o1.repeat = 1;
	c.nrep = o.repeat;
	nchunk = o.late ? (size_t)o.repeat : 1;
	for (pl = 0; pl < o.nplacement * (o.late ? 2 : 1) * nchunk; pl++) {
		size_t pli = o.late ? pl / (2 * nchunk) : pl;

		for (i = 0; i < maxpts; i++) {
			free(cyc4k[i]);
			cyc4k[i] = NULL;
		}
		c.o = o.late ? &o1 : &o;
		for (pg = 0; pg < o.npage; pg++) {
			struct config_run cr = {
				.page_name = o.page[pg] == PAGE_4K ? "4k" : "2m",
				.page = o.page[pg],
				.placement = o.placement[pli],
				.late = o.late ? (int)(pl % 2) : 0,
				.rep_base = o.late ? (int)((pl / 2) % nchunk) : 0,
			};

			r = run_config(&c, &cr, out, cyc4k, &npts_prev, t_start,
				       &progress);
			if (r && bc_exit_code(r) == EXIT_IO) {
				/* the output failed (disk full): exit 3 with
				 * the file named, as every command */
				ret = bc_out_close("access", out);
				out = NULL;
				goto done;
			}
			if (r) {
				fprintf(stderr, "pcpubench access: %s\n",
					strerror(-r));
				ret = EXIT_FAIL;
				goto done;
			}
		}
		c.o = &o;
	}
	if (progress)
		fprintf(stderr, "\r%72s\r", "");
	bq_meta(out, "access", 1);
	r = bc_out_close("access", out);
	out = NULL;
	if (r)
		ret = r;
done:
	if (out)
		pout_abort(out);
	if (cyc4k)
		for (i = 0; i < maxpts; i++)
			free(cyc4k[i]);
	free(cyc4k);
	for (i = 0; c.pb && i < o.npressure; i++)
		pressure_free(&c.pb[i]);
	free(c.pb);
	free(c.vs);
	pressure_free(&c.pool);
	free(c.cold_buf);
	pcnt_close(c.cs);
	opts_free(&o);
	return ret;
}
