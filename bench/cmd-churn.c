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
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "bench-common.h"
#include "pcpu-access.h"
#include "pcpu-counters.h"
#include "pcpu-hotplug.h"
#include "pcpu-stats.h"
#include "pcpu-sysinfo.h"
#include "pcpubench.h"

#define CHURN_BATCH AL_CHURN_BATCH	/* the loop's (access.h) */
#define MAX_RATES 16
#define MAX_PATTERNS 3
#define MEM_SAMPLE_NS 100000000LL	/* 100 ms */

DEFINE_PCPU_COUNTER(churn_ops);
DEFINE_PCPU(uint64_t, churn_read[4]) = { 1, 2, 3, 4 };
/* Expected sum of the reads in one batch: CHURN_BATCH / 4 * (1+2+3+4). */
#define CHURN_READ_PER_BATCH ((uint64_t)CHURN_BATCH / 4 * 10)

/* PAT_NONE: the rate-0 baseline, where no hotplug happens. */
enum pattern { PAT_RANDOM, PAT_ROUND_ROBIN, PAT_BURST, PAT_NONE };
static const char *const pattern_names[] = { "random", "round-robin", "burst", "none" };

/* ---- options ------------------------------------------------------------------ */

struct churn_opts {
	enum pcpu_strategy_id strat[PCPU_NR_STRATEGIES];
	int nstrat;
	double rates[MAX_RATES];
	int nrates;
	enum pattern pats[MAX_PATTERNS];
	int npats;
	double duration;
	const char *possible;
	unsigned online, min_online, max_online;
	bool sysfs;
	const char *page;
	struct pcpu_config cfg;
	unsigned seed;
	unsigned repeat;
	const char *events;
	enum pout_format fmt;
	const char *out;
	bool quiet;
	unsigned yield_every;	/* batches between sched_yield(); 0 never */
};

/* ---- one run -------------------------------------------------------------------- */

struct vec {
	double *v;
	size_t n, cap;
};

static int vec_push(struct vec *x, double d)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 256;
		double *nv = realloc(x->v, cap * sizeof(double));

		if (!nv)
			return -ENOMEM;
		x->v = nv;
		x->cap = cap;
	}
	x->v[x->n++] = d;
	return 0;
}

struct churn_run;

struct worker {
	struct churn_run *run;
	unsigned cpu;
	pthread_t th;
};

struct churn_run {
	const struct churn_opts *o;
	struct pcpu_rt *rt;
	enum pcpu_strategy_id s;
	al_churn_fn loop;	/* the method's (access-loops.h) */
	struct pcnt_spec spec;
	int rep;			/* counter pass: rep % passes */
	_Atomic int stop;
	struct worker **w;		/* per logical CPU, NULL: none */
	pthread_mutex_t lock;		/* the totals below */
	uint64_t done, reads, read_expect, enter_fail;
	double ev[PCNT_MAX_EVENTS];
	char ev_status[PCNT_MAX_EVENTS][PCNT_STATUS_LEN];
	bool ev_seen;
	struct vec on_ns, off_ns, mem_t, mem_res, mem_com, local_frac;
	struct vec on_part[PCPU_NR_ONLINE_PARTS + 1];	/* + worker start */
	struct vec off_part[PCPU_NR_OFFLINE_PARTS];
	uint64_t events, soft_miss;
	struct pcpu_hp_sysfs *hp;
	int eligible[PCPU_NR_CPUS > 4096 ? 4096 : PCPU_NR_CPUS];
	unsigned neligible;
	unsigned rr;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *worker_main(void *p)
{
	struct worker *w = p;
	struct churn_run *run = w->run;
	struct pcnt_session *ss = NULL;
	struct pcnt_sample a, b;
	struct pcnt_result res[PCNT_MAX_EVENTS];
	uint64_t done = 0, reads = 0;
	bool counted = false;
	size_t i;

	pcpu_thread_bind(run->rt, w->cpu);
	if (pcpu_thread_enter(run->rt, w->cpu)) {
		pthread_mutex_lock(&run->lock);
		run->enter_fail++;
		pthread_mutex_unlock(&run->lock);
		return NULL;
	}
	if (!pcnt_open(&ss, &run->spec, 0, -1) &&
	    !pcnt_pass_select(ss, (size_t)run->rep) && !pcnt_enable(ss) &&
	    !pcnt_read(ss, &a))
		counted = true;
	{
		struct al_churn_args la = {
			.rt = run->rt, .stop = &run->stop,
			.ops_off = PCPU_OFF(churn_ops),
			.read_off = PCPU_OFF(churn_read),
			.yield_every = run->o->yield_every,
		};

		pcpu_rt_acc_ctx(run->rt, &la.ctx);
		done = run->loop(&la);
		reads = la.reads;
	}
	if (counted && (pcnt_disable(ss) || pcnt_read(ss, &b) ||
			pcnt_delta(ss, &a, &b, res)))
		counted = false;
	pcpu_thread_leave(run->rt);

	pthread_mutex_lock(&run->lock);
	run->done += done;
	run->reads += reads;
	run->read_expect += done / CHURN_BATCH * CHURN_READ_PER_BATCH;
	for (i = 0; ss && i < pcnt_count(ss); i++) {
		const char *st = counted ? res[i].status : pcnt_open_status(ss, i);

		if (!run->ev_seen || !strcmp(run->ev_status[i], "ok"))
			snprintf(run->ev_status[i], PCNT_STATUS_LEN, "%s", st);
		if (counted && !isnan(res[i].value))
			run->ev[i] += res[i].value;
	}
	if (ss)
		run->ev_seen = true;
	pthread_mutex_unlock(&run->lock);
	pcnt_close(ss);
	return NULL;
}

static int start_worker(struct churn_run *run, unsigned cpu)
{
	struct worker *w = calloc(1, sizeof(*w));
	struct sched_param sp = { .sched_priority = 0 };
	pthread_attr_t attr;
	int ret;

	if (!w)
		return -ENOMEM;
	w->run = run;
	w->cpu = cpu;
	/* Workers are ordinary threads, whatever the driver runs as. */
	pthread_attr_init(&attr);
	pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
	pthread_attr_setschedpolicy(&attr, SCHED_OTHER);
	pthread_attr_setschedparam(&attr, &sp);
	ret = pthread_create(&w->th, &attr, worker_main, w);
	pthread_attr_destroy(&attr);
	if (ret) {
		free(w);
		return -EAGAIN;
	}
	run->w[cpu] = w;
	return 0;
}

static void join_worker(struct churn_run *run, unsigned cpu)
{
	struct worker *w = run->w[cpu];

	if (!w)
		return;
	pthread_join(w->th, NULL);
	free(w);
	run->w[cpu] = NULL;
}

/* Online: the real CPU first (sysfs), then its unit, then its worker. */
static int do_online(struct churn_run *run, unsigned cpu)
{
	long long t0 = now_ns(), t1;
	struct pcpu_hp_cost cost;
	int ret, k;

	if (run->hp) {
		ret = pcpu_hp_sysfs_set(run->hp, cpu, true);
		if (ret == -EBUSY) {
			run->soft_miss++;
			return 0;
		}
		if (ret)
			return ret;
	}
	ret = pcpu_cpu_online_cost(run->rt, cpu, &cost);
	if (ret)
		return ret;
	vec_push(&run->on_ns, (double)(now_ns() - t0));
	for (k = 0; k < PCPU_NR_ONLINE_PARTS; k++)
		vec_push(&run->on_part[k], cost.online_ns[k]);
	run->events++;
	t1 = now_ns();
	ret = start_worker(run, cpu);
	vec_push(&run->on_part[PCPU_NR_ONLINE_PARTS], (double)(now_ns() - t1));
	return ret;
}

/* Offline: quiesce the worker and release the unit, then the real CPU. */
static int do_offline(struct churn_run *run, unsigned cpu)
{
	long long t0 = now_ns();
	struct pcpu_hp_cost cost;
	int ret, k;

	ret = pcpu_cpu_offline_cost(run->rt, cpu, &cost);
	if (ret)
		return ret;
	join_worker(run, cpu);
	if (run->hp) {
		ret = pcpu_hp_sysfs_set(run->hp, cpu, false);
		if (ret == -EBUSY) {
			/* The kernel said no: a soft miss; the CPU stays up. */
			run->soft_miss++;
			ret = pcpu_cpu_online(run->rt, cpu);
			return ret ? ret : start_worker(run, cpu);
		}
		if (ret)
			return ret;
	}
	vec_push(&run->off_ns, (double)(now_ns() - t0));
	for (k = 0; k < PCPU_NR_OFFLINE_PARTS; k++)
		vec_push(&run->off_part[k], cost.offline_ns[k]);
	run->events++;
	return 0;
}

static unsigned count_online(struct churn_run *run)
{
	struct pcpu_cpuset on;

	pcpu_rt_online_set(run->rt, &on);
	return pcpu_cpuset_count(&on);
}

/* One hotplug event in the given pattern. */
static int churn_event(struct churn_run *run, enum pattern pat, unsigned *seed)
{
	const struct churn_opts *o = run->o;
	unsigned n = count_online(run), tries, cpu;
	bool on;

	for (tries = 0; tries < 4 * run->neligible + 8; tries++) {
		if (pat == PAT_RANDOM || pat == PAT_BURST)
			cpu = (unsigned)run->eligible[(unsigned)rand_r(seed) % run->neligible];
		else
			cpu = (unsigned)run->eligible[run->rr++ % run->neligible];
		on = pcpu_cpu_online_p(run->rt, cpu);
		if (on && n > o->min_online)
			return do_offline(run, cpu);
		if (!on && n < o->max_online)
			return do_online(run, cpu);
	}
	return 0;
}

static void sample_memory(struct churn_run *run, long long t)
{
	struct pcpu_cpuset on;
	struct pcpu_mem m;
	size_t pages = 0, local = 0;
	int nodes[512], cpu, n, i;

	pcpu_mem_account(run->rt, &m);
	vec_push(&run->mem_t, (double)t / 1e6);
	vec_push(&run->mem_res, (double)m.reserved_bytes);
	vec_push(&run->mem_com, (double)m.committed_bytes);
	pcpu_rt_online_set(run->rt, &on);
	pcpu_for_each_cpu(cpu, &on) {
		n = pcpu_cpu_page_nodes(run->rt, (unsigned)cpu, nodes, 512);
		for (i = 0; i < n; i++) {
			if (nodes[i] < 0)
				continue;
			pages++;
			local += nodes[i] == pcpu_cpu_host_node(run->rt, (unsigned)cpu);
		}
	}
	if (pages)
		vec_push(&run->local_frac, (double)local / (double)pages);
}

/* ---- output helpers ------------------------------------------------------------ */

struct rowctx {
	struct pout *o;
	const char *pv[9];
	char rate[32], pos[256], onl[16], tms[32];
	int rep;
};

static void emit(struct rowctx *rc, const char *metric, double v, const char *unit,
		 const char *status)
{
	pout_row(rc->o, rc->pv, rc->rep, metric, v, unit, status);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* stem_p50, stem_p99 and, with @nq 3, stem_max of @x (ns). */
static void emit_quantiles(struct rowctx *rc, const char *stem, struct vec *x,
			   double rate, size_t nq)
{
	static const char *const sfx[] = { "p50", "p99", "max" };
	static const double q[] = { 0.5, 0.99, 1.0 };
	char name[64];
	double *s;
	size_t i;

	s = x->n ? malloc(x->n * sizeof(double)) : NULL;
	if (s) {
		memcpy(s, x->v, x->n * sizeof(double));
		qsort(s, x->n, sizeof(double), cmp_double);
	}
	for (i = 0; i < nq; i++) {
		snprintf(name, sizeof(name), "%s_%s", stem, sfx[i]);
		if (s)
			emit(rc, name, pstats_quantile_sorted(s, x->n, q[i]), "ns", "ok");
		else
			emit(rc, name, NAN, "ns", rate > 0 ?
			     "na:no-event(the online bounds allowed none)" :
			     "na:no-event(rate 0: no hotplug)");
	}
	free(s);
}

static void emit_latency(struct rowctx *rc, const char *stem, struct vec *x,
			 double rate)
{
	emit_quantiles(rc, stem, x, rate, 3);
}

static void vec_free(struct vec *x)
{
	free(x->v);
	memset(x, 0, sizeof(*x));
}

/*
 * One run: a fresh runtime, workers on the boot CPUs, @rate events per
 * second in pattern @pat for the duration, then stop, join and check.
 * Return: 0; 1 the invariant failed; -errno.
 */
static int run_one(const struct churn_opts *o, enum pcpu_strategy_id s, double rate,
		   enum pattern pat, int rep, struct pout *out,
		   struct pcpu_hp_sysfs *hp, const char *const *hpsets,
		   double *base_ops, int *nbase)
{
	struct churn_run *run;
	struct pcpu_config cfg = o->cfg;
	struct rowctx rc = { .o = out, .rep = rep };
	long long t0, tend, next_ev, next_mem, t;
	double elapsed, ops, interval;
	uint64_t sum = 0, folded = 0;
	char err[256] = "";
	struct rusage ru0, ru1;
	unsigned seed = o->seed + (unsigned)rep * 7919u + (unsigned)s * 104729u;
	unsigned burst = pat == PAT_BURST ? 10 : 1;
	int cpu, ret = 0;
	size_t k;

	run = calloc(1, sizeof(*run));
	if (!run)
		return -ENOMEM;
	run->w = calloc(PCPU_NR_CPUS, sizeof(*run->w));
	if (!run->w) {
		free(run);
		return -ENOMEM;
	}
	run->o = o;
	run->s = s;
	run->loop = al_churn_lookup(pcpu_strategy_access(s));
	run->hp = hp;
	pthread_mutex_init(&run->lock, NULL);
	pcnt_spec_parse(&run->spec, o->events, NULL, 0);
	run->rep = rep;
	cfg.strategy = s;
	if (hp) {
		cfg.possible = hpsets[0];
		cfg.online = hpsets[1];
	}
	ret = pcpu_rt_init(&run->rt, &cfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "pcpubench churn: %s: %s\n", pcpu_strategy_name(s),
			err[0] ? err : strerror(-ret));
		goto out_free;
	}
	if (hp) {
		run->neligible = (unsigned)pcpu_hp_sysfs_hotpluggable(hp, run->eligible,
						sizeof(run->eligible) / sizeof(int));
	} else {
		pcpu_for_each_cpu(cpu, pcpu_rt_possible(run->rt))
			if (run->neligible < sizeof(run->eligible) / sizeof(int))
				run->eligible[run->neligible++] = cpu;
	}
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_ns();
	{
		struct pcpu_cpuset on;

		pcpu_rt_online_set(run->rt, &on);
		pcpu_for_each_cpu(cpu, &on)
			start_worker(run, (unsigned)cpu);
	}
	tend = t0 + (long long)(o->duration * 1e9);
	interval = rate > 0 ? 1e9 * burst / rate : 0;
	next_ev = rate > 0 ? t0 + (long long)interval : tend + 1;
	next_mem = t0;
	for (;;) {
		t = now_ns();
		if (t >= tend)
			break;
		if (t >= next_mem) {
			sample_memory(run, t - t0);
			next_mem += MEM_SAMPLE_NS;
		}
		if (rate > 0 && t >= next_ev) {
			unsigned b;

			for (b = 0; b < burst && !ret; b++)
				ret = churn_event(run, pat, &seed);
			if (ret) {
				fprintf(stderr, "pcpubench churn: %s: hotplug event "
					"failed: %s\n", pcpu_strategy_name(s),
					strerror(-ret));
				break;
			}
			next_ev += (long long)interval;
			if (next_ev < t)	/* fell behind: don't burst to catch up */
				next_ev = t + (long long)interval;
			continue;
		}
		{
			long long wake = next_ev < next_mem ? next_ev : next_mem;
			struct timespec ts;

			if (wake > tend)
				wake = tend;
			wake -= now_ns();
			if (wake > 0) {
				ts.tv_sec = wake / 1000000000LL;
				ts.tv_nsec = wake % 1000000000LL;
				nanosleep(&ts, NULL);
			}
		}
	}
	atomic_store(&run->stop, 1);
	for (cpu = 0; cpu < PCPU_NR_CPUS; cpu++)
		join_worker(run, (unsigned)cpu);
	elapsed = (double)(now_ns() - t0) / 1e9;
	getrusage(RUSAGE_SELF, &ru1);
	sample_memory(run, now_ns() - t0);

	pcpu_counter_sum(run->rt, PCPU_OFF(churn_ops), &sum);
	pcpu_counter_folded(run->rt, PCPU_OFF(churn_ops), &folded);
	/*
	 * Test hook, after the run (never in the workers' loop): so that the
	 * report's invariant check can be tested on a real failing run.
	 * PCPU_TEST_INJECT=read_sum_mismatch or lost_updates.
	 */
	{
		const char *inj = getenv("PCPU_TEST_INJECT");

		if (inj && !strcmp(inj, "read_sum_mismatch"))
			run->reads++;
		else if (inj && !strcmp(inj, "lost_updates"))
			run->done++;
	}

	/* ---- rows ---- */
	snprintf(rc.rate, sizeof(rc.rate), "%g", rate);
	bc_cpuset_param(pcpu_rt_possible(run->rt), rc.pos, sizeof(rc.pos));
	snprintf(rc.onl, sizeof(rc.onl), "%u", o->online);
	rc.pv[0] = pcpu_strategy_name(s);
	rc.pv[1] = pcpu_access_name(pcpu_rt_access(run->rt));
	rc.pv[2] = pcpu_layout_name(pcpu_rt_layout(run->rt));
	rc.pv[3] = hp ? "sysfs" : "sim";
	rc.pv[4] = pattern_names[pat];
	rc.pv[5] = rc.rate;
	rc.pv[6] = rc.pos;
	rc.pv[7] = rc.onl;
	rc.pv[8] = "all";
	ops = (double)run->done / elapsed;
	emit(&rc, "ops_per_sec", ops, "ops/s", "ok");
	if (rate == 0) {
		if (*nbase < 64)
			base_ops[(*nbase)++] = ops;
		emit(&rc, "ops_rel_no_churn", 1.0, "ratio", "derived");
	} else if (*nbase) {
		double b[64];
		struct pstats st;

		memcpy(b, base_ops, sizeof(double) * (size_t)*nbase);
		pstats_compute(b, (size_t)*nbase, &st);
		emit(&rc, "ops_rel_no_churn", ops / st.median, "ratio", "derived");
	} else {
		emit(&rc, "ops_rel_no_churn", NAN, "ratio",
		     "na:no-baseline(run with rate 0 first)");
	}
	emit(&rc, "hotplug_events", (double)run->events, "events", "ok");
	emit(&rc, "hotplug_events_per_sec", (double)run->events / elapsed, "events/s", "ok");
	emit(&rc, "hotplug_soft_misses", (double)run->soft_miss, "events",
	     hp ? "ok" : "na:sim-backend(the simulated backend never refuses)");
	emit_latency(&rc, "online_latency_ns", &run->on_ns, rate);
	emit_latency(&rc, "offline_latency_ns", &run->off_ns, rate);
	/* The parts, so that a worker's start does not hide the layout. */
	for (k = 0; k <= PCPU_NR_ONLINE_PARTS; k++) {
		char stem[48];

		snprintf(stem, sizeof(stem), "online_%s_ns", k < PCPU_NR_ONLINE_PARTS ?
			 pcpu_online_part_name((enum pcpu_online_part)k) : "worker");
		emit_quantiles(&rc, stem, &run->on_part[k], rate, 2);
	}
	for (k = 0; k < PCPU_NR_OFFLINE_PARTS; k++) {
		char stem[48];

		snprintf(stem, sizeof(stem), "offline_%s_ns",
			 pcpu_offline_part_name((enum pcpu_offline_part)k));
		emit_quantiles(&rc, stem, &run->off_part[k], rate, 2);
	}
	emit(&rc, "increments_done", (double)run->done, "ops", "ok");
	emit(&rc, "counter_sum", (double)sum, "ops", "ok");
	emit(&rc, "counter_folded", (double)folded, "ops", "ok");
	emit(&rc, "lost_updates", (double)run->done - (double)sum, "ops",
	     run->done == sum ? "ok" : "flagged:invariant-violated");
	/* Every read returns its template value: a stale or foreign unit
	 * would change the sum of the reads. */
	emit(&rc, "read_sum_mismatch",
	     run->reads > run->read_expect ? (double)(run->reads - run->read_expect)
					   : (double)(run->read_expect - run->reads),
	     "value", run->reads == run->read_expect ? "ok" : "flagged:stale-read");
	emit(&rc, "worker_enter_misses", (double)run->enter_fail, "events", "ok");
	emit(&rc, "page_faults_rusage",
	     (double)(ru1.ru_minflt - ru0.ru_minflt + ru1.ru_majflt - ru0.ru_majflt),
	     "faults", "ok");
	emit(&rc, "context_switches_rusage",
	     (double)(ru1.ru_nvcsw - ru0.ru_nvcsw + ru1.ru_nivcsw - ru0.ru_nivcsw),
	     "switches", "ok");
	for (k = 0; k < run->spec.n; k++) {
		char name[PCNT_NAME_LEN + 16];
		const char *st = run->ev_seen ? run->ev_status[k] : "na:no-worker-counted";

		/* the same spelling as access: pmu_cycles, page-faults ... */
		pcnt_metric_name(name, sizeof(name), run->spec.ev[k].name, "");
		if (!strncmp(st, "na:", 3)) {
			emit(&rc, name, NAN, "events", st);
			continue;
		}
		emit(&rc, name, run->ev[k], "events", st);
		pcnt_metric_name(name, sizeof(name), run->spec.ev[k].name,
				 "_per_op");
		emit(&rc, name, run->done ? run->ev[k] / (double)run->done : NAN,
		     "events/op", run->done ? st : "na:no-ops");
	}
	{
		struct pstats st;

		if (run->local_frac.n) {
			double *c = malloc(run->local_frac.n * sizeof(double));

			if (c) {
				memcpy(c, run->local_frac.v, run->local_frac.n * sizeof(double));
				pstats_compute(c, run->local_frac.n, &st);
				emit(&rc, "numa_local_fraction_min", st.min, "ratio", "derived");
				emit(&rc, "remote_accesses_per_op_max", 1.0 - st.min,
				     "accesses/op", "derived");
				free(c);
			}
		} else {
			emit(&rc, "numa_local_fraction_min", NAN, "ratio",
			     "na:no-placement-query(move_pages unavailable)");
			emit(&rc, "remote_accesses_per_op_max", NAN, "accesses/op",
			     "na:no-placement-query(move_pages unavailable)");
		}
	}
	for (k = 0; k < run->mem_t.n; k++) {
		snprintf(rc.tms, sizeof(rc.tms), "%.0f", run->mem_t.v[k]);
		rc.pv[8] = rc.tms;
		emit(&rc, "reserved_bytes", run->mem_res.v[k], "bytes", "ok");
		emit(&rc, "committed_bytes", run->mem_com.v[k], "bytes", "ok");
	}
	rc.pv[8] = "all";

	if (run->done != sum || run->reads != run->read_expect) {
		fprintf(stderr, "pcpubench churn: %s rate %g: INVARIANT FAILED: "
			"increments done by workers %llu, per-CPU counters + "
			"folded %llu (lost %lld); reads %llu, expected %llu\n",
			pcpu_strategy_name(s), rate, (unsigned long long)run->done,
			(unsigned long long)sum,
			(long long)(run->done - sum), (unsigned long long)run->reads,
			(unsigned long long)run->read_expect);
		ret = 1;
	} else if (!o->quiet) {
		fprintf(stderr, "churn: %-12s %-6s %-11s rate %6g/s: %.3g ops/s, "
			"%llu hotplug events, lost_updates 0\n", pcpu_strategy_name(s),
			hp ? "sysfs" : "sim", pattern_names[pat], rate, ops,
			(unsigned long long)run->events);
	}
	pcpu_rt_fini(run->rt);
out_free:
	vec_free(&run->on_ns);
	vec_free(&run->off_ns);
	vec_free(&run->mem_t);
	vec_free(&run->mem_res);
	vec_free(&run->mem_com);
	vec_free(&run->local_frac);
	for (k = 0; k <= PCPU_NR_ONLINE_PARTS; k++)
		vec_free(&run->on_part[k]);
	for (k = 0; k < PCPU_NR_OFFLINE_PARTS; k++)
		vec_free(&run->off_part[k]);
	pthread_mutex_destroy(&run->lock);
	free(run->w);
	free(run);
	return ret;
}

/*
 * A strategy that cannot run with this configuration (tls with a huge
 * backing) among several: NA rows with the reason at each of its points,
 * as access writes them, so the CSV shows it was asked for.
 */
static void emit_na_strategy(const struct churn_opts *o, enum pcpu_strategy_id s,
			     const char *status, struct pout *out)
{
	static const char *const metrics[] = { "ops_per_sec", "ops_rel_no_churn",
		"online_latency_ns_p50", "offline_latency_ns_p50", "lost_updates" };
	static const char *const units[] = { "ops/s", "ratio", "ns", "ns", "ops" };
	struct rowctx rc = { .o = out };
	int j, p, m;

	snprintf(rc.onl, sizeof(rc.onl), "%u", o->online);
	rc.pv[0] = pcpu_strategy_name(s);
	rc.pv[1] = pcpu_access_name(pcpu_strategy_access(s));
	rc.pv[2] = pcpu_layout_name(pcpu_strategy_layout_with(s, o->cfg.layout));
	rc.pv[3] = o->sysfs ? "sysfs" : "sim";
	rc.pv[5] = rc.rate;
	rc.pv[6] = rc.pos;
	rc.pv[7] = rc.onl;
	rc.pv[8] = "all";
	{
		struct pcpu_cpuset poss;

		if (o->cfg.possible && !pcpu_cpuset_parse(&poss, o->cfg.possible))
			bc_cpuset_param(&poss, rc.pos, sizeof(rc.pos));
		else
			snprintf(rc.pos, sizeof(rc.pos), "NA");
	}
	for (p = -1; p < o->npats; p++)
		for (j = 0; j < o->nrates; j++) {
			/* p == -1: the rate-0 baseline (pattern none) */
			if ((p < 0) != (o->rates[j] == 0))
				continue;
			rc.pv[4] = pattern_names[p < 0 ? PAT_NONE : o->pats[p]];
			snprintf(rc.rate, sizeof(rc.rate), "%g", o->rates[j]);
			for (m = 0; m < 5; m++)
				pout_row(out, rc.pv, -1, metrics[m], NAN, units[m],
					 status);
			if (p < 0)
				break;
		}
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: pcpubench churn [OPTIONS]\n\n"
"Workers, one per online logical CPU and bound to its host CPU, increment a\n"
"per-CPU counter and read per-CPU variables through each strategy while a\n"
"driver onlines and offlines CPUs. Checks that no update is lost: workers'\n"
"increments == per-CPU counters + folded sums (metric lost_updates; any\n"
"non-zero value fails the run with exit 1).\n\n"
"  --strategy LIST   comma list or 'all' (default: all available)\n"
"  --layout L        every strategy over layout L (embed, page, vm, hybrid,\n"
"                    thread) where the pair exists (pcpubench list); with\n"
"                    'all' the others are skipped, else exit 2\n"
"  --late-node P     roundrobin (default), topology, boot, node:N: the node\n"
"                    init gives CPUs absent at init (numa --help says why)\n"
"  --rate LIST       hotplug events per second; 0 = no churn, the baseline\n"
"                    for ops_rel_no_churn, run once per strategy with\n"
"                    pattern 'none' (default 0,100,1000)\n"
"  --pattern LIST    random, round-robin, burst (bursts of 10) (default random)\n"
"  --duration S      seconds per run (default 3)\n"
"  --possible N|LIST possible logical CPUs (default 256; sim backend)\n"
"  --online N        CPUs online at start (default 8; sim backend)\n"
"  --min-online N    the driver keeps at least N online (default online/2)\n"
"  --max-online N    ... and at most N (default 2 x online, <= possible)\n"
"  --backend B       sim (default): logical CPUs, never touches the host;\n"
"                    sysfs: REAL hotplug of this machine's CPUs through\n"
"                    /sys/devices/system/cpu/cpuN/online. Root only, opt-in;\n"
"                    never CPU 0; every CPU taken down is brought back on\n"
"                    exit, SIGINT/SIGTERM and SIGKILL (guardian process).\n"
"                    Possible/online then come from the machine.\n"
"  --allow-hotplug   the opt-in the sysfs backend needs (or environment\n"
"                    PCPU_ALLOW_HOTPLUG=1, set by ./run.sh --allow-hotplug);\n"
"                    --backend and --allow-hotplug are never abbreviated\n"
"  --page P          unit backing: 4k, thp (2m), hugetlb (default 4k)\n"
"  --unit BYTES      unit size (default: static section + 64 KiB, rounded\n"
"                    up to a power of two; 2 MiB for huge backings)\n"
"  --placement P     local, interleave, node:N (default local)\n"
"  --topology T      host, synthetic:<hwloc>, xml:<file> (default host)\n"
"  --events LIST     counters per worker (default: 'default'; see list);\n"
"                    rep k counts counter pass k (of `info` default_passes)\n"
"  --repeat N        runs per point (default 1)\n"
"  --seed N          seed of the random pattern (default 1)\n"
"  --format F        text, csv, json (default: text on a terminal)\n"
"  -o, --output FILE write there (atomically) instead of stdout\n"
"  --yield N|auto    workers call sched_yield() every N batches of %d\n"
"                    accesses (0: never). auto (default): 64 when more\n"
"                    logical CPUs can be online than the host has CPUs, so\n"
"                    that a worker asked to leave its CPU runs soon; else 0\n"
"  -q, --quiet       no per-run line on stderr\n"
"  -h, --help        this text\n\n"
"Metrics (per strategy, rate, rep): ops_per_sec, ops_rel_no_churn (derived),\n"
"online_latency_ns_{p50,p99,max}, offline_latency_ns_{p50,p99,max}, and\n"
"their parts, so that starting a worker does not hide what the layout\n"
"costs: online_<part>_ns_{p50,p99} for alloc (unit mapped/committed, pages\n"
"faulted in), copy (template), place (mbind), publish (table entry), worker\n"
"(the worker thread started); offline_<part>_ns_{p50,p99} for quiesce (the\n"
"holder asked to leave and waited for), fold (counters folded and zeroed),\n"
"unpublish, release (unit freed). embed and page allocate, copy and free\n"
"nothing on online/offline (their units exist from init); vm pays alloc +\n"
"place + copy on online and release on offline; hybrid the same for CPUs\n"
"onlined after start.\n"
"hotplug_events, lost_updates, read_sum_mismatch, counter_sum, page faults and\n"
"context switches (rusage), each --events counter (NA with reason where\n"
"it cannot be read), numa_local_fraction_min and remote_accesses_per_op_max\n"
"(derived from move_pages), and reserved_bytes / committed_bytes every\n"
"100 ms (column t_ms; 'all' marks whole-run metrics). Rows carry access and\n"
"layout columns after strategy.\n\n"
"Exit: 0 ok, 1 an update was lost, 2 usage (the sysfs backend without\n"
"the opt-in; an access x layout pair that does not exist), 3 output not\n"
"written, 4 cannot run here (sysfs backend without root or hotplug).\n", CHURN_BATCH);
}

int cmd_churn(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "strategy", required_argument, NULL, 's' },
		{ "layout", required_argument, NULL, 'L' },
		{ "late-node", required_argument, NULL, 'N' },
		{ "rate", required_argument, NULL, 'r' },
		{ "pattern", required_argument, NULL, 'P' },
		{ "duration", required_argument, NULL, 'd' },
		{ "possible", required_argument, NULL, 'p' },
		{ "online", required_argument, NULL, 'n' },
		{ "min-online", required_argument, NULL, 'm' },
		{ "max-online", required_argument, NULL, 'M' },
		{ "backend", required_argument, NULL, 'b' },
		{ "page", required_argument, NULL, 'g' },
		{ "unit", required_argument, NULL, 'u' },
		{ "placement", required_argument, NULL, 'l' },
		{ "topology", required_argument, NULL, 't' },
		{ "events", required_argument, NULL, 'e' },
		{ "repeat", required_argument, NULL, 'R' },
		{ "seed", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "yield", required_argument, NULL, 'Y' },
		{ "allow-hotplug", no_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const params[] = { "strategy", "access", "layout",
					      "backend", "pattern", "rate",
					      "possible", "online", "t_ms" };
	struct churn_opts o;
	const char *strategies = NULL, *rates = "0,100,1000", *pats = "random";
	const char *fmt = NULL, *backend = "sim";
	char list[BC_MAX_LIST][64], err[256], hposs[4096], hon[4096];
	const char *hpsets[2] = { hposs, hon };
	struct pcpu_hp_sysfs *hp = NULL;
	unsigned long v, minon = 0, maxon = 0;
	unsigned long unit = 0;
	struct pout *out;
	double d, base[64];
	int c, n, i, j, p, rep, nbase, ret = EXIT_OK, r;
	struct pcpu_cpuset poss;
	enum pcpu_strategy_id na_strat[PCPU_NR_STRATEGIES];
	char na_why[PCPU_NR_STRATEGIES][300];
	int nna = 0;
	bool yield_auto = true, allow_hp = false;
	static const char *const exact[] = { "backend", "allow-hotplug", NULL };

	memset(&o, 0, sizeof(o));
	o.duration = 3;
	o.possible = "256";
	o.online = 8;
	o.page = "4k";
	o.seed = 1;
	o.repeat = 1;
	o.events = "default";
	if (bc_no_abbrev("churn", argc, argv, exact))
		return EXIT_USAGE;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", lopts, NULL)) != -1) {
		switch (c) {
		case 'A': allow_hp = true; break;
		case 's': strategies = optarg; break;
		case 'r': rates = optarg; break;
		case 'L':
			if (bc_layout("churn", optarg, &o.cfg.layout))
				return EXIT_USAGE;
			break;
		case 'N':
			if (bc_late_node("churn", optarg, &o.cfg.late_node))
				return EXIT_USAGE;
			break;
		case 'P': pats = optarg; break;
		case 'p': o.possible = optarg; break;
		case 'b': backend = optarg; break;
		case 'g': o.page = optarg; break;
		case 't': o.cfg.topology = optarg; break;
		case 'e': o.events = optarg; break;
		case 'f': fmt = optarg; break;
		case 'o': o.out = optarg; break;
		case 'q': o.quiet = true; break;
		case 'Y':
			if (!strcmp(optarg, "auto")) {
				yield_auto = true;
			} else if (!bc_ulong(optarg, &v) && v <= UINT_MAX) {
				yield_auto = false;
				o.yield_every = (unsigned)v;
			} else {
				fprintf(stderr, "pcpubench churn: --yield '%s': want auto "
					"or a whole number from 0 to %u\n",
					bc_arg(optarg), UINT_MAX);
				return EXIT_USAGE;
			}
			break;
		case 'd':
			/* The driver's clock ticks in ms: less is no run. */
			if (bc_number("churn", "duration", optarg, 0.001, 86400,
				      &o.duration))
				return EXIT_USAGE;
			break;
		case 'n': case 'm': case 'M': case 'R': case 'S': case 'u':
			/* no silent truncation to unsigned */
			if (bc_count("churn", c == 'n' ? "online" : c == 'm' ?
				     "min-online" : c == 'M' ? "max-online" :
				     c == 'R' ? "repeat" : c == 'S' ? "seed" : "unit",
				     optarg, 0, c == 'u' ? 1UL << 30 : c == 'R' ?
				     100000 : c == 'S' ? 0xffffffffUL : PCPU_NR_CPUS,
				     &v))
				return EXIT_USAGE;
			if (c == 'n')
				o.online = (unsigned)v;
			else if (c == 'm')
				minon = v;
			else if (c == 'M')
				maxon = v;
			else if (c == 'R')
				o.repeat = (unsigned)v;
			else if (c == 'S')
				o.seed = (unsigned)v;
			else
				unit = v;
			break;
		case 'l':
			if (bc_placement("churn", optarg, &o.cfg.placement))
				return EXIT_USAGE;
			break;
		default:	/* --help (exit 0) or a bad option (2) */
			return bc_help_or_bad(c, usage);
		}
	}
	if (bc_no_extra_args("churn", argc, argv, optind))
		return EXIT_USAGE;
	o.nstrat = bc_strategy_pairs("churn", strategies, o.strat,
				     PCPU_NR_STRATEGIES, o.cfg.layout);
	if (o.nstrat < 0)
		return EXIT_USAGE;
	n = bc_split(rates, list, MAX_RATES);
	for (i = 0; i < n; i++) {
		if (bc_double(list[i], &d) || d < 0 || d > 1e6) {
			fprintf(stderr, "pcpubench churn: --rate: bad rate '%s' (events "
				"per second, 0 to 1e6)\n", list[i]);
			return EXIT_USAGE;
		}
		if (d > 0 && d * o.duration < 1) {
			fprintf(stderr, "pcpubench churn: --rate %s: less than one "
				"hotplug event in --duration %g s (want 0, or >= %g)\n",
				list[i], o.duration, 1 / o.duration);
			return EXIT_USAGE;
		}
		o.rates[o.nrates++] = d;
	}
	if (n <= 0) {
		fprintf(stderr, "pcpubench churn: bad --rate list '%s'\n", rates);
		return EXIT_USAGE;
	}
	n = bc_split(pats, list, MAX_PATTERNS);
	for (i = 0; i < n; i++) {
		for (p = 0; p < 3 && strcmp(list[i], pattern_names[p]); p++)
			;
		if (p == 3) {
			fprintf(stderr, "pcpubench churn: unknown pattern '%s' (random, "
				"round-robin, burst)\n", list[i]);
			return EXIT_USAGE;
		}
		o.pats[o.npats++] = (enum pattern)p;
	}
	if (n <= 0) {
		fprintf(stderr, "pcpubench churn: bad --pattern list '%s'\n", pats);
		return EXIT_USAGE;
	}
	if (pcpu_backing_lookup(o.page, &o.cfg.backing)) {
		fprintf(stderr, "pcpubench churn: unknown page backing '%s' (4k, thp, "
			"2m, hugetlb)\n", o.page);
		return EXIT_USAGE;
	}
	o.fmt = bc_default_format(o.out);
	if (fmt && pout_format_parse(fmt, &o.fmt)) {
		fprintf(stderr, "pcpubench churn: unknown format '%s' (text, csv, json)\n",
			fmt);
		return EXIT_USAGE;
	}
	if (!o.repeat) {
		fprintf(stderr, "pcpubench churn: --repeat must be >= 1\n");
		return EXIT_USAGE;
	}
	{
		struct pcnt_spec tmp;

		if (pcnt_spec_parse(&tmp, o.events, err, sizeof(err))) {
			fprintf(stderr, "pcpubench churn: --events: %s\n", err);
			return EXIT_USAGE;
		}
	}
	o.cfg.unit_size = unit;

	if (!strcmp(backend, "sysfs")) {
		o.sysfs = true;
		/* Nothing below runs without the explicit opt-in. */
		r = bc_hotplug_gate("churn", allow_hp, "sysfs");
		if (r)
			return r > 0 ? EXIT_OK : EXIT_USAGE;
		if (geteuid() != 0) {
			fprintf(stderr, "pcpubench churn: the sysfs backend takes real "
				"CPUs offline and needs root; skipped\n");
			return EXIT_SKIP;
		}
		r = pcpu_hp_sysfs_open(&hp, NULL, err, sizeof(err));
		if (r) {
			fprintf(stderr, "pcpubench churn: sysfs backend cannot run "
				"here: %s\n", err[0] ? err : strerror(-r));
			return EXIT_SKIP;
		}
		{
			int tmp[8];

			if (pcpu_hp_sysfs_hotpluggable(hp, tmp, 8) <= 0) {
				fprintf(stderr, "pcpubench churn: no hotpluggable CPU "
					"besides CPU 0; skipped\n");
				pcpu_hp_sysfs_close(hp);
				return EXIT_SKIP;
			}
		}
		pcpu_hp_sysfs_signals(hp);
		if (bc_sysfs_cpulist("possible", hposs, sizeof(hposs)) ||
		    bc_sysfs_cpulist("online", hon, sizeof(hon))) {
			fprintf(stderr, "pcpubench churn: cannot read the machine's "
				"possible/online CPUs\n");
			pcpu_hp_sysfs_close(hp);
			return EXIT_SKIP;
		}
		{
			struct pcpu_cpuset on;

			pcpu_cpuset_parse(&on, hon);
			o.online = pcpu_cpuset_count(&on);
			pcpu_cpuset_parse(&poss, hposs);
		}
		if (maxon > pcpu_cpuset_count(&poss)) {
			fprintf(stderr, "pcpubench churn: --max-online %lu exceeds the "
				"%u possible CPUs\n", maxon, pcpu_cpuset_count(&poss));
			pcpu_hp_sysfs_close(hp);
			return EXIT_USAGE;
		}
		/* CPU 0 stays up: the floor is 1 CPU. */
		o.min_online = minon ? (unsigned)minon : 1;
		o.max_online = maxon ? (unsigned)maxon : pcpu_cpuset_count(&poss);
	} else if (!strcmp(backend, "sim")) {
		if (pcpu_cpuset_parse(&poss, o.possible) || !pcpu_cpuset_count(&poss)) {
			fprintf(stderr, "pcpubench churn: possible CPUs '%s': want a "
				"count >= 1 or a cpulist (possible CPU set is empty?)\n",
				o.possible);
			return EXIT_USAGE;
		}
		if (o.online > pcpu_cpuset_count(&poss)) {
			fprintf(stderr, "pcpubench churn: online (%u) exceeds possible "
				"CPUs (%u)\n", o.online, pcpu_cpuset_count(&poss));
			return EXIT_USAGE;
		}
		if (!o.online) {
			fprintf(stderr, "pcpubench churn: --online must be >= 1\n");
			return EXIT_USAGE;
		}
		o.min_online = minon ? (unsigned)minon : (o.online / 2 ? o.online / 2 : 1);
		o.max_online = maxon ? (unsigned)maxon : 2 * o.online;
		if (maxon > pcpu_cpuset_count(&poss)) {
			fprintf(stderr, "pcpubench churn: --max-online %lu exceeds the "
				"%u possible CPUs\n", maxon, pcpu_cpuset_count(&poss));
			return EXIT_USAGE;
		}
		if (o.max_online > pcpu_cpuset_count(&poss))
			o.max_online = pcpu_cpuset_count(&poss);
		if (o.min_online > o.online || o.max_online < o.online) {
			fprintf(stderr, "pcpubench churn: want min-online <= online <= "
				"max-online (%u, %u, %u)\n", o.min_online, o.online,
				o.max_online);
			return EXIT_USAGE;
		}
		{
			static char onl[16];

			snprintf(onl, sizeof(onl), "%u", o.online);
			o.cfg.online = onl;
		}
		o.cfg.possible = o.possible;
	} else {
		fprintf(stderr, "pcpubench churn: unknown backend '%s' (sim, sysfs)\n",
			backend);
		return EXIT_USAGE;
	}
	if (yield_auto) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		o.yield_every = (long)o.max_online > ncpu ? 64 : 0;
	}
	/* Configuration errors show up before any output is opened. */
	{
		struct pcpu_config cfg = o.cfg;
		struct pcpu_rt *rt;

		if (hp) {
			cfg.possible = hposs;
			cfg.online = hon;
		}
		for (i = 0; i < o.nstrat; i++) {
			cfg.strategy = o.strat[i];
			err[0] = '\0';
			r = pcpu_rt_init(&rt, &cfg, err, sizeof(err));
			if (r == -ENOTSUP && o.nstrat > 1) {
				/* One of several cannot run so: skip it, say why. */
				fprintf(stderr, "pcpubench churn: %s: not supported "
					"(NA rows): %s\n",
					pcpu_strategy_name(o.strat[i]), err);
				na_strat[nna] = o.strat[i];
				bc_na_status(na_why[nna++], sizeof(na_why[0]),
					     "not-supported", err);
				memmove(&o.strat[i], &o.strat[i + 1],
					(size_t)(o.nstrat - i - 1) * sizeof(o.strat[0]));
				o.nstrat--;
				i--;
				continue;
			}
			if (r) {
				fprintf(stderr, "pcpubench churn: %s: %s\n",
					pcpu_strategy_name(o.strat[i]),
					err[0] ? err : strerror(-r));
				if (hp)
					pcpu_hp_sysfs_close(hp);
				return bc_rt_exit(r, &cfg);
			}
			pcpu_rt_fini(rt);
		}
	}
	r = bc_out_check("churn", o.out);
	if (r)
		return r;
	if (bc_dry_run_stop("churn"))
		return EXIT_OK;
	r = bc_out_open("churn", &out, o.fmt, o.out, "churn", params, 9);
	if (r) {
		if (hp)
			pcpu_hp_sysfs_close(hp);
		return r;
	}
	{
		char seed[32];

		snprintf(seed, sizeof(seed), "%u", o.seed);
		pout_meta(out, "seed", seed);
		pout_meta(out, "backend", backend);
		pout_meta(out, "page", o.page);
		pout_meta(out, "libpfm_pmu", pcnt_pfm_pmu());
		pout_meta(out, "perf_backend", pcnt_backend_name());
		{
			/* How each counter event was resolved (info: counters). */
			struct pcnt_spec sp;
			char key[PCNT_NAME_LEN + 8];
			size_t k;

			if (!pcnt_spec_parse(&sp, o.events, NULL, 0))
				for (k = 0; k < sp.n; k++) {
					snprintf(key, sizeof(key), "event_%s",
						 sp.ev[k].name);
					pout_meta(out, key, sp.ev[k].path);
				}
		}
		snprintf(seed, sizeof(seed), "%u", o.yield_every);
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
	for (i = 0; i < nna; i++)
		emit_na_strategy(&o, na_strat[i], na_why[i], out);
	for (i = 0; i < o.nstrat; i++) {
		bool want_base = false;

		/*
		 * Rate 0 (no hotplug, so no pattern: "none") runs once per
		 * strategy, first, and is the baseline of ops_rel_no_churn for
		 * every pattern.
		 */
		nbase = 0;
		for (j = 0; j < o.nrates; j++)
			want_base |= o.rates[j] == 0;
		for (rep = 0; want_base && rep < (int)o.repeat; rep++) {
			r = run_one(&o, o.strat[i], 0, PAT_NONE, rep, out, hp, hpsets,
				    base, &nbase);
			if (r < 0) {
				ret = EXIT_FAIL;
				goto done;
			}
			if (r > 0)
				ret = EXIT_FAIL;
		}
		for (p = 0; p < o.npats; p++) {
			for (j = 0; j < o.nrates; j++) {
				if (o.rates[j] == 0)
					continue;
				for (rep = 0; rep < (int)o.repeat; rep++) {
					r = run_one(&o, o.strat[i], o.rates[j], o.pats[p],
						    rep, out, hp, hpsets, base, &nbase);
					if (r < 0) {
						ret = EXIT_FAIL;
						goto done;
					}
					if (r > 0)
						ret = EXIT_FAIL;
				}
			}
		}
	}
done:
	{
		struct sched_param sp = { .sched_priority = 0 };

		pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp);
	}
	r = bc_out_close("churn", out);
	if (r && (ret == EXIT_OK || r == EXIT_IO))
		ret = r;
	if (hp)
		pcpu_hp_sysfs_close(hp);
	return ret;
}
