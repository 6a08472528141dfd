// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-churn.c - `pcpubench churn`: the strategies while CPUs come and go.
 *
 * One worker thread per online logical CPU, bound to that CPU's host CPU,
 * increments a per-CPU counter and reads a few per-CPU variables through
 * the strategy's hot accessor as fast as it can. A driver onlines and
 * offlines logical CPUs at a chosen rate and pattern. Offline quiesces the
 * CPU's worker (it sees pcpu_thread_should_leave(), leaves and stops),
 * folds the CPU's counters and releases its memory as the strategy does;
 * online commits memory on the CPU's node, copies the template and starts
 * a worker there.
 *
 * The invariant, checked on every run: increments done by the workers ==
 * the counter summed over online CPUs + what offlined CPUs folded in. Any
 * difference is a lost update: the run fails (exit 1) and prints both.
 * Reads are checked too: every read of a per-CPU variable must return its
 * template value (a stale or foreign unit would not).
 *
 * Backends: sim (logical CPUs, the default) and sysfs (real CPU hotplug
 * through /sys/devices/system/cpu/cpuN/online; root only, opt-in; never CPU
 * 0; every CPU taken down is brought back on exit, signal or SIGKILL by
 * lib/toolkit/pcpu-hotplug.c's guardian).
 */
#include "churn.h"
#include "opts.h"
#include "pcpu-metrics.h"

const char *const churn_pattern_names[] = { "random", "round-robin", "burst", "none" };

/* The metric names, from the metric list (lib/toolkit/pcpu-metrics.h). */
static void churn_usage_metrics(FILE *f)
{
	size_t i, col = 0;

	fputs("Metrics (per strategy, rate, rep; `pcpubench list --metrics` "
	      "says what\neach is):\n", f);
	for (i = 0; i < pcpu_nmetrics; i++) {
		const struct pcpu_metric *m = &pcpu_metrics[i];
		size_t len = strlen(m->name) + 2;

		if (strcmp(m->bench, "churn"))
			continue;
		if (col + len > 72) {
			fputs("\n", f);
			col = 0;
		}
		fprintf(f, "%s%s", col ? " " : "", m->name);
		col += len - 1;
		if (i + 1 < pcpu_nmetrics && !strcmp(pcpu_metrics[i + 1].bench, "churn")) {
			fputs(",", f);
			col++;
		}
	}
	fputs(".\n", f);
}

/* The command's own options (getopt codes), after the common ones. */
enum {
	CO_RATE = OPTS_OWN_BASE, CO_PATTERN, CO_DURATION, CO_MIN_ONLINE,
	CO_MAX_ONLINE, CO_BACKEND, CO_YIELD,
};

#define CHURN_STR1(x) #x
#define CHURN_STR(x) CHURN_STR1(x)

static const struct opt_spec churn_spec[] = {
	OPT_C(STRATEGY, NULL),
	OPT_C(LAYOUT, NULL),
	OPT_C(LATE_NODE, "roundrobin (default), topology, boot, node:N: the node\n"
			 "init gives CPUs absent at init (numa --help says why)"),
	OPT_OWN(CO_RATE, "rate", "LIST",
		"hotplug events per second; 0 = no churn, the baseline\n"
		"for ops_rel_no_churn, run once per strategy with\n"
		"pattern 'none' (default 0,100,1000)"),
	OPT_OWN(CO_PATTERN, "pattern", "LIST",
		"random, round-robin, burst (bursts of 10) (default random)"),
	OPT_OWN(CO_DURATION, "duration", "S", "seconds per run (default 3)"),
	OPT_C(POSSIBLE, "possible logical CPUs (default 256; sim backend)"),
	OPT_CX(ONLINE, "N", "CPUs online at start (default 8; sim backend)",
	       OPTF_COUNT, 0, 0),
	OPT_OWN(CO_MIN_ONLINE, "min-online", "N",
		"the driver keeps at least N online (default online/2)"),
	OPT_OWN(CO_MAX_ONLINE, "max-online", "N",
		"... and at most N (default 2 x online, <= possible)"),
	OPT_OWN(CO_BACKEND, "backend", "B",
		"sim (default): logical CPUs, never touches the host;\n"
		"sysfs: REAL hotplug of this machine's CPUs through\n"
		"/sys/devices/system/cpu/cpuN/online. Root only, opt-in;\n"
		"never CPU 0; every CPU taken down is brought back on\n"
		"exit, SIGINT/SIGTERM and SIGKILL (guardian process).\n"
		"Possible/online then come from the machine."),
	OPT_C(ALLOW_HOTPLUG, "the opt-in the sysfs backend needs (or environment\n"
			     "PCPU_ALLOW_HOTPLUG=1, set by ./run.sh --allow-hotplug);\n"
			     "--backend and --allow-hotplug are never abbreviated"),
	OPT_C(PAGE, "unit backing: 4k, thp (2m), hugetlb (default 4k)"),
	OPT_C(UNIT, "unit size (default: static section + 64 KiB, rounded\n"
		    "up to a power of two; 2 MiB for huge backings)"),
	OPT_C(PLACEMENT, NULL),
	OPT_C(TOPOLOGY, NULL),
	OPT_C(EVENTS, "counters per worker (default: 'default'; see list);\n"
		      "rep k counts counter pass k (of `info` default_passes)"),
	/* 0 is refused after the options with its own message */
	OPT_CX(REPEAT, NULL, "runs per point (default 1)", 0, 0, 100000),
	OPT_CX(SEED, NULL, "seed of the random pattern (default 1)", 0, 0,
	       0xffffffffUL),
	OPT_C(FORMAT, NULL),
	OPT_C(OUTPUT, NULL),
	OPT_OWN(CO_YIELD, "yield", "N|auto",
		"workers call sched_yield() every N batches of "
		CHURN_STR(CHURN_BATCH) "\n"
		"accesses (0: never). auto (default): 64 when more\n"
		"logical CPUs can be online than the host has CPUs, so\n"
		"that a worker asked to leave its CPU runs soon; else 0"),
	OPT_C(QUIET, "no per-run line on stderr"),
	OPT_C(HELP, NULL),
	OPT_END
};

static const char *const churn_exact[] = { "backend", "allow-hotplug", NULL };

/* The --help after the options: the metric names, then this. */
static const char churn_tail_text[] =
"The parts of an online and an offline show what the layout costs apart\n"
"from starting a worker: alloc (unit mapped/committed, pages faulted in),\n"
"copy (template), place (mbind), publish (table entry), worker (the worker\n"
"thread started); quiesce (the holder asked to leave and waited for), fold\n"
"(counters folded and zeroed), unpublish, release (unit freed). embed and\n"
"page allocate, copy and free nothing on online/offline (their units exist\n"
"from init); vm pays alloc + place + copy on online and release on\n"
"offline; hybrid the same for CPUs onlined after start. <event> is each\n"
"--events counter (NA with reason where it cannot be read); the NUMA\n"
"figures come from move_pages; reserved_bytes and committed_bytes every\n"
"100 ms (column t_ms; 'all' marks whole-run metrics). Rows carry access and\n"
"layout columns after strategy.\n\n"
"Exit: 0 ok, 1 an update was lost, 2 usage (the sysfs backend without\n"
"the opt-in; an access x layout pair that does not exist), 3 output not\n"
"written, 4 cannot run here (sysfs backend without root or hotplug).\n";

static char churn_tail[4096];

static const struct opts_cmd churn_opts_cmd = {
	.name = "churn",
	.head =
"usage: pcpubench churn [OPTIONS]\n\n"
"Workers, one per online logical CPU and bound to its host CPU, increment a\n"
"per-CPU counter and read per-CPU variables through each strategy while a\n"
"driver onlines and offlines CPUs. Checks that no update is lost: workers'\n"
"increments == per-CPU counters + folded sums (metric lost_updates; any\n"
"non-zero value fails the run with exit 1).\n\n",
	.spec = churn_spec,
	.tail = churn_tail,
	.exact = churn_exact,
};

/* The --help's tail: the metric names from the metric list, then the
 * text. */
static void churn_tail_make(void)
{
	FILE *f = fmemopen(churn_tail, sizeof(churn_tail), "w");

	if (!f)
		return;
	fputs("\n", f);
	churn_usage_metrics(f);
	fputs(churn_tail_text, f);
	fclose(f);
}

/* The command's state across its phases. */
struct churn_cmd {
	struct churn_opts o;
	struct opts_common oc;
	const char *rates, *pats, *backend;
	char hposs[4096], hon[4096];	/* sysfs: the machine's sets */
	const char *hpsets[2];
	struct pcpu_hp_sysfs *hp;
	unsigned long minon, maxon;
	struct pcpu_cpuset poss;
	enum pcpu_strategy_id na_strat[PCPU_NR_STRATEGIES];
	char na_why[PCPU_NR_STRATEGIES][300];
	int nna;
	bool yield_auto;
};

/* One of churn's own options. Return: 0; -EINVAL (said why). */
static int churn_own(void *ctx, int code, const char *arg)
{
	struct churn_cmd *cc = ctx;
	unsigned long v;

	switch (code) {
	case CO_RATE: cc->rates = arg; return 0;
	case CO_PATTERN: cc->pats = arg; return 0;
	case CO_BACKEND: cc->backend = arg; return 0;
	case CO_YIELD:
		if (!strcmp(arg, "auto")) {
			cc->yield_auto = true;
		} else if (!bc_ulong(arg, &v) && v <= UINT_MAX) {
			cc->yield_auto = false;
			cc->o.yield_every = (unsigned)v;
		} else {
			fprintf(stderr, "pcpubench churn: --yield '%s': want auto "
				"or a whole number from 0 to %u\n",
				bc_arg(arg), UINT_MAX);
			return -EINVAL;
		}
		return 0;
	case CO_DURATION:
		/* The driver's clock ticks in ms: less is no run. */
		return bc_number("churn", "duration", arg, 0.001, 86400,
				 &cc->o.duration);
	case CO_MIN_ONLINE:
		return bc_count("churn", "min-online", arg, 0, PCPU_NR_CPUS,
				&cc->minon);
	case CO_MAX_ONLINE:
		return bc_count("churn", "max-online", arg, 0, PCPU_NR_CPUS,
				&cc->maxon);
	}
	return -EINVAL;
}

/*
 * Read the options: the common ones through the option layer
 * (bench/opts.h), churn's own through churn_own().
 * Return: -1 go on; else the exit code.
 */
static int churn_parse(struct churn_cmd *cc, int argc, char **argv)
{
	struct opts_common *oc = &cc->oc;
	int r;

	memset(&cc->o, 0, sizeof(cc->o));
	cc->o.duration = 3;
	churn_tail_make();
	opts_init(oc);
	oc->cfg.possible = "256";
	oc->online_n = 8;
	oc->page = "4k";
	oc->seed = 1;
	oc->events = "default";
	r = opts_parse(&churn_opts_cmd, argc, argv, oc, churn_own, cc);
	if (r)
		return opts_exit(r);
	cc->o.cfg = oc->cfg;
	/* the sets the backend gives the runtime, not the options' */
	cc->o.cfg.possible = cc->o.cfg.online = NULL;
	cc->o.possible = oc->cfg.possible;
	cc->o.online = (unsigned)oc->online_n;
	cc->o.page = oc->page;
	cc->o.seed = (unsigned)oc->seed;
	cc->o.repeat = (unsigned)oc->repeat;
	cc->o.events = oc->events;
	cc->o.fmt = oc->fmt;
	cc->o.out = oc->out;
	cc->o.quiet = oc->quiet;
	return -1;
}

/* The lists and values the options gave. Return: -1 go on; else 2. */
static int churn_lists(struct churn_cmd *cc)
{
	char list[BC_MAX_LIST][64], err[256];
	double d;
	int n, i, p;

	cc->o.nstrat = opts_strategies("churn", &cc->oc, cc->o.strat,
				       PCPU_NR_STRATEGIES);
	if (cc->o.nstrat < 0)
		return EXIT_USAGE;
	n = bc_split(cc->rates, list, MAX_RATES);
	for (i = 0; i < n; i++) {
		if (bc_double(list[i], &d) || d < 0 || d > 1e6) {
			fprintf(stderr, "pcpubench churn: --rate: bad rate '%s' (events "
				"per second, 0 to 1e6)\n", list[i]);
			return EXIT_USAGE;
		}
		if (d > 0 && d * cc->o.duration < 1) {
			fprintf(stderr, "pcpubench churn: --rate %s: less than one "
				"hotplug event in --duration %g s (want 0, or >= %g)\n",
				list[i], cc->o.duration, 1 / cc->o.duration);
			return EXIT_USAGE;
		}
		cc->o.rates[cc->o.nrates++] = d;
	}
	if (n <= 0) {
		fprintf(stderr, "pcpubench churn: bad --rate list '%s'\n", cc->rates);
		return EXIT_USAGE;
	}
	n = bc_split(cc->pats, list, MAX_PATTERNS);
	for (i = 0; i < n; i++) {
		for (p = 0; p < 3 && strcmp(list[i], churn_pattern_names[p]); p++)
			;
		if (p == 3) {
			fprintf(stderr, "pcpubench churn: unknown pattern '%s' (random, "
				"round-robin, burst)\n", list[i]);
			return EXIT_USAGE;
		}
		cc->o.pats[cc->o.npats++] = (enum pattern)p;
	}
	if (n <= 0) {
		fprintf(stderr, "pcpubench churn: bad --pattern list '%s'\n", cc->pats);
		return EXIT_USAGE;
	}
	if (!cc->o.repeat) {
		fprintf(stderr, "pcpubench churn: --repeat must be >= 1\n");
		return EXIT_USAGE;
	}
	{
		struct pcnt_spec tmp;

		if (pcnt_spec_parse(&tmp, cc->o.events, err, sizeof(err))) {
			fprintf(stderr, "pcpubench churn: --events: %s\n", err);
			return EXIT_USAGE;
		}
	}
	return -1;
}

/* Plan the backend: sim (the sets from the options) or sysfs (the
 * machine's, behind the opt-in). Return: -1 go on; else the exit code. */
static int churn_backend(struct churn_cmd *cc)
{
	char err[256];
	int r;

	if (!strcmp(cc->backend, "sysfs")) {
		cc->o.sysfs = true;
		/* Nothing below runs without the explicit opt-in. */
		r = bc_hotplug_gate("churn", cc->oc.allow_hotplug, "sysfs");
		if (r)
			return r > 0 ? EXIT_OK : EXIT_USAGE;
		if (geteuid() != 0) {
			fprintf(stderr, "pcpubench churn: the sysfs backend takes real "
				"CPUs offline and needs root; skipped\n");
			return EXIT_SKIP;
		}
		r = pcpu_hp_sysfs_open(&cc->hp, NULL, err, sizeof(err));
		if (r) {
			fprintf(stderr, "pcpubench churn: sysfs backend cannot run "
				"here: %s\n", err[0] ? err : strerror(-r));
			return EXIT_SKIP;
		}
		{
			int tmp[8];

			if (pcpu_hp_sysfs_hotpluggable(cc->hp, tmp, 8) <= 0) {
				fprintf(stderr, "pcpubench churn: no hotpluggable CPU "
					"besides CPU 0; skipped\n");
				return EXIT_SKIP;
			}
		}
		pcpu_hp_sysfs_signals(cc->hp);
		if (bc_sysfs_cpulist("possible", cc->hposs, sizeof(cc->hposs)) ||
		    bc_sysfs_cpulist("online", cc->hon, sizeof(cc->hon))) {
			fprintf(stderr, "pcpubench churn: cannot read the machine's "
				"possible/online CPUs\n");
			return EXIT_SKIP;
		}
		{
			struct pcpu_cpuset on;

			pcpu_cpuset_parse(&on, cc->hon);
			cc->o.online = pcpu_cpuset_count(&on);
			pcpu_cpuset_parse(&cc->poss, cc->hposs);
		}
		if (cc->maxon > pcpu_cpuset_count(&cc->poss)) {
			fprintf(stderr, "pcpubench churn: --max-online %lu exceeds the "
				"%u possible CPUs\n", cc->maxon, pcpu_cpuset_count(&cc->poss));
			return EXIT_USAGE;
		}
		/* CPU 0 stays up: the floor is 1 CPU. */
		cc->o.min_online = cc->minon ? (unsigned)cc->minon : 1;
		cc->o.max_online = cc->maxon ? (unsigned)cc->maxon : pcpu_cpuset_count(&cc->poss);
	} else if (!strcmp(cc->backend, "sim")) {
		if (pcpu_cpuset_parse(&cc->poss, cc->o.possible) || !pcpu_cpuset_count(&cc->poss)) {
			fprintf(stderr, "pcpubench churn: possible CPUs '%s': want a "
				"count >= 1 or a cpulist (possible CPU set is empty?)\n",
				cc->o.possible);
			return EXIT_USAGE;
		}
		if (cc->o.online > pcpu_cpuset_count(&cc->poss)) {
			fprintf(stderr, "pcpubench churn: online (%u) exceeds possible "
				"CPUs (%u)\n", cc->o.online, pcpu_cpuset_count(&cc->poss));
			return EXIT_USAGE;
		}
		if (!cc->o.online) {
			fprintf(stderr, "pcpubench churn: --online must be >= 1\n");
			return EXIT_USAGE;
		}
		cc->o.min_online = cc->minon ? (unsigned)cc->minon : (cc->o.online / 2 ? cc->o.online / 2 : 1);
		cc->o.max_online = cc->maxon ? (unsigned)cc->maxon : 2 * cc->o.online;
		if (cc->maxon > pcpu_cpuset_count(&cc->poss)) {
			fprintf(stderr, "pcpubench churn: --max-online %lu exceeds the "
				"%u possible CPUs\n", cc->maxon, pcpu_cpuset_count(&cc->poss));
			return EXIT_USAGE;
		}
		if (cc->o.max_online > pcpu_cpuset_count(&cc->poss))
			cc->o.max_online = pcpu_cpuset_count(&cc->poss);
		if (cc->o.min_online > cc->o.online || cc->o.max_online < cc->o.online) {
			fprintf(stderr, "pcpubench churn: want min-online <= online <= "
				"max-online (%u, %u, %u)\n", cc->o.min_online, cc->o.online,
				cc->o.max_online);
			return EXIT_USAGE;
		}
		{
			static char onl[16];

			snprintf(onl, sizeof(onl), "%u", cc->o.online);
			cc->o.cfg.online = onl;
		}
		cc->o.cfg.possible = cc->o.possible;
	} else {
		fprintf(stderr, "pcpubench churn: unknown backend '%s' (sim, sysfs)\n",
			cc->backend);
		return EXIT_USAGE;
	}
	if (cc->yield_auto) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		cc->o.yield_every = (long)cc->o.max_online > ncpu ? 64 : 0;
	}
	return -1;
}

/* Configuration errors show up before any output is opened; a strategy
 * that cannot run so among several gets NA rows. Return: -1; else the
 * exit code. */
static int churn_try_configs(struct churn_cmd *cc)
{
	char err[256];
	int i, r;

	{
		struct pcpu_config cfg = cc->o.cfg;
		struct pcpu_rt *rt;

		if (cc->hp) {
			cfg.possible = cc->hposs;
			cfg.online = cc->hon;
		}
		for (i = 0; i < cc->o.nstrat; i++) {
			cfg.strategy = cc->o.strat[i];
			err[0] = '\0';
			r = pcpu_rt_init(&rt, &cfg, err, sizeof(err));
			if (r == -ENOTSUP && cc->o.nstrat > 1) {
				/* One of several cannot run so: skip it, say why. */
				fprintf(stderr, "pcpubench churn: %s: not supported "
					"(NA rows): %s\n",
					pcpu_strategy_name(cc->o.strat[i]), err);
				cc->na_strat[cc->nna] = cc->o.strat[i];
				bc_na_status(cc->na_why[cc->nna++], sizeof(cc->na_why[0]),
					     "not-supported", err);
				memmove(&cc->o.strat[i], &cc->o.strat[i + 1],
					(size_t)(cc->o.nstrat - i - 1) * sizeof(cc->o.strat[0]));
				cc->o.nstrat--;
				i--;
				continue;
			}
			if (r) {
				fprintf(stderr, "pcpubench churn: %s: %s\n",
					pcpu_strategy_name(cc->o.strat[i]),
					err[0] ? err : strerror(-r));
				return bc_rt_exit(r, &cfg);
			}
			pcpu_rt_fini(rt);
		}
	}
	return -1;
}

static void churn_meta(struct churn_cmd *cc, struct pout *out)
{
	{
		char seed[32];

		snprintf(seed, sizeof(seed), "%u", cc->o.seed);
		pout_meta(out, "seed", seed);
		pout_meta(out, "backend", cc->backend);
		pout_meta(out, "page", cc->o.page);
		pout_meta(out, "libpfm_pmu", pcnt_pfm_pmu());
		pout_meta(out, "perf_backend", pcnt_backend_name());
		{
			/* How each counter event was resolved (info: counters). */
			struct pcnt_spec sp;
			char key[PCNT_NAME_LEN + 8];
			size_t k;

			if (!pcnt_spec_parse(&sp, cc->o.events, NULL, 0))
				for (k = 0; k < sp.n; k++) {
					snprintf(key, sizeof(key), "event_%s",
						 sp.ev[k].name);
					pout_meta(out, key, sp.ev[k].path);
				}
		}
		snprintf(seed, sizeof(seed), "%u", cc->o.yield_every);
		pout_meta(out, "worker_yield_batches", seed);
	}
	{
		/*
		 * The driver runs SCHED_FIFO where allowed, so that a hotplug
		 * event starts on time even with every host CPU busy with
		 * workers; the metadata says which.
		 */
		struct sched_param sp = { .sched_priority = 1 };

		pout_meta(out, "driver_sched",
			  pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) ?
			  "SCHED_OTHER (SCHED_FIFO refused)" : "SCHED_FIFO 1");
	}
}

/* Every strategy: the rate-0 baseline first, then each pattern and rate.
 * Return: EXIT_OK; EXIT_FAIL (an invariant failed, or a run could not). */
static int churn_run_all(struct churn_cmd *cc, struct pout *out)
{
	double base[64];
	int i, j, p, rep, nbase, r, ret = EXIT_OK;

	for (i = 0; i < cc->nna; i++)
		churn_emit_na_strategy(&cc->o, cc->na_strat[i], cc->na_why[i], out);
	for (i = 0; i < cc->o.nstrat; i++) {
		bool want_base = false;

		/*
		 * Rate 0 (no hotplug, so no pattern: "none") runs once per
		 * strategy, first, and is the baseline of ops_rel_no_churn for
		 * every pattern.
		 */
		nbase = 0;
		for (j = 0; j < cc->o.nrates; j++)
			want_base |= cc->o.rates[j] == 0;
		for (rep = 0; want_base && rep < (int)cc->o.repeat; rep++) {
			r = churn_run_one(&cc->o, cc->o.strat[i], 0, PAT_NONE, rep, out, cc->hp, cc->hpsets,
				    base, &nbase);
			if (r < 0) {
				return EXIT_FAIL;
			}
			if (r > 0)
				ret = EXIT_FAIL;
		}
		for (p = 0; p < cc->o.npats; p++) {
			for (j = 0; j < cc->o.nrates; j++) {
				if (cc->o.rates[j] == 0)
					continue;
				for (rep = 0; rep < (int)cc->o.repeat; rep++) {
					r = churn_run_one(&cc->o, cc->o.strat[i], cc->o.rates[j], cc->o.pats[p],
						    rep, out, cc->hp, cc->hpsets, base, &nbase);
					if (r < 0) {
						return EXIT_FAIL;
					}
					if (r > 0)
						ret = EXIT_FAIL;
				}
			}
		}
	}
	return ret;
}

/* pcpubench churn: options -> plan (backend, configurations) -> run
 * (each run emits its rows) -> close. */
int cmd_churn(int argc, char **argv)
{
	static const char *const params[] = { "strategy", "access", "layout",
					      "backend", "pattern", "rate",
					      "possible", "online", "t_ms" };
	struct churn_cmd *cc = calloc(1, sizeof(*cc));
	struct sched_param sp = { .sched_priority = 0 };
	struct pout *out;
	int r, ret;

	if (!cc)
		return EXIT_FAIL;
	cc->rates = "0,100,1000";
	cc->pats = "random";
	cc->backend = "sim";
	cc->hpsets[0] = cc->hposs;
	cc->hpsets[1] = cc->hon;
	cc->yield_auto = true;
	ret = churn_parse(cc, argc, argv);
	if (ret < 0)
		ret = churn_lists(cc);
	if (ret < 0)
		ret = churn_backend(cc);
	if (ret < 0)
		ret = churn_try_configs(cc);
	if (ret >= 0)
		goto out_free;
	r = bc_out_check("churn", cc->o.out);
	ret = r ? r : EXIT_OK;
	if (r || bc_dry_run_stop("churn"))
		goto out_free;
	r = bc_out_open("churn", &out, cc->o.fmt, cc->o.out, "churn", params, 9);
	if (r) {
		ret = r;
		goto out_free;
	}
	churn_meta(cc, out);
	ret = churn_run_all(cc, out);
	pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp);
	r = bc_out_close("churn", out);
	if (r && (ret == EXIT_OK || r == EXIT_IO))
		ret = r;
out_free:
	if (cc->hp)
		pcpu_hp_sysfs_close(cc->hp);
	free(cc);
	return ret;
}
