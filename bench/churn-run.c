// SPDX-License-Identifier: GPL-2.0
/*
 * churn-run.c - one run of `pcpubench churn`: a fresh runtime, a worker
 * per online logical CPU (the loop of bench/access-loops.h for the
 * strategy's access method), the driver's hotplug events and memory
 * samples, then stop, join, and the invariant: increments done ==
 * counter summed + folded.
 */
#include "bench-env.h"
#include "churn.h"

DEFINE_PCPU_COUNTER(churn_ops);
DEFINE_PCPU(uint64_t, churn_read[4]) = { 1, 2, 3, 4 };
/* Expected sum of the reads in one batch: CHURN_BATCH / 4 * (1+2+3+4). */
#define CHURN_READ_PER_BATCH ((uint64_t)CHURN_BATCH / 4 * 10)

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

static void vec_free(struct vec *x)
{
	free(x->v);
	memset(x, 0, sizeof(*x));
}

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

/* A run's state, its lock and counter spec, no runtime yet; NULL: ENOMEM. */
static struct churn_run *churn_run_new(const struct churn_opts *o,
				       enum pcpu_strategy_id s, int rep,
				       struct pcpu_hp_sysfs *hp)
{
	struct churn_run *run = calloc(1, sizeof(*run));

	if (!run)
		return NULL;
	run->w = calloc(PCPU_NR_CPUS, sizeof(*run->w));
	if (!run->w) {
		free(run);
		return NULL;
	}
	run->o = o;
	run->s = s;
	run->loop = al_churn_lookup(pcpu_strategy_access(s));
	run->hp = hp;
	pthread_mutex_init(&run->lock, NULL);
	pcnt_spec_parse(&run->spec, o->events, NULL, 0);
	run->rep = rep;
	return run;
}

static void churn_run_free(struct churn_run *run)
{
	size_t k;

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
}


/*
 * One run: a fresh runtime, workers on the boot CPUs, @rate events per
 * second in pattern @pat for the duration, then stop, join and check.
 * Return: 0; 1 the invariant failed; -errno.
 */
int churn_run_one(const struct churn_opts *o, enum pcpu_strategy_id s,
		  double rate, enum pattern pat, int rep, struct pout *out,
		  struct pcpu_hp_sysfs *hp, const char *const *hpsets,
		  double *base_ops, int *nbase)
{
	struct churn_run *run;
	struct pcpu_config cfg = o->cfg;
	long long t0, tend, next_ev, next_mem, t;
	double ops, interval;
	char err[256] = "";
	unsigned seed = o->seed + (unsigned)rep * 7919u + (unsigned)s * 104729u;
	unsigned burst = pat == PAT_BURST ? 10 : 1;
	int cpu, ret = 0;

	run = churn_run_new(o, s, rep, hp);
	if (!run)
		return -ENOMEM;
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
	getrusage(RUSAGE_SELF, &run->ru0);
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
	run->elapsed = (double)(now_ns() - t0) / 1e9;
	getrusage(RUSAGE_SELF, &run->ru1);
	sample_memory(run, now_ns() - t0);

	pcpu_counter_sum(run->rt, PCPU_OFF(churn_ops), &run->sum);
	pcpu_counter_folded(run->rt, PCPU_OFF(churn_ops), &run->folded);
	/*
	 * Test hook, after the run (never in the workers' loop): so that the
	 * report's invariant check can be tested on a real failing run.
	 * PCPU_TEST_INJECT=read_sum_mismatch or lost_updates.
	 */
	{
		const char *inj = bench_env_get("PCPU_TEST_INJECT");

		if (inj && !strcmp(inj, "read_sum_mismatch"))
			run->reads++;
		else if (inj && !strcmp(inj, "lost_updates"))
			run->done++;
	}

	ops = churn_emit_rows(run, rate, pat, out, rep, base_ops, nbase);
	if (run->done != run->sum || run->reads != run->read_expect) {
		fprintf(stderr, "pcpubench churn: %s rate %g: INVARIANT FAILED: "
			"increments done by workers %llu, per-CPU counters + "
			"folded %llu (lost %lld); reads %llu, expected %llu\n",
			pcpu_strategy_name(s), rate, (unsigned long long)run->done,
			(unsigned long long)run->sum,
			(long long)(run->done - run->sum), (unsigned long long)run->reads,
			(unsigned long long)run->read_expect);
		ret = 1;
	} else if (!o->quiet) {
		fprintf(stderr, "churn: %-12s %-6s %-11s rate %6g/s: %.3g ops/s, "
			"%llu hotplug events, lost_updates 0\n", pcpu_strategy_name(s),
			hp ? "sysfs" : "sim", churn_pattern_names[pat], rate, ops,
			(unsigned long long)run->events);
	}
	pcpu_rt_fini(run->rt);
out_free:
	churn_run_free(run);
	return ret;
}
