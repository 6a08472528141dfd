// SPDX-License-Identifier: GPL-2.0
/*
 * churn-emit.c - the rows of `pcpubench churn`: per run, throughput and
 * its ratio to the rate-0 baseline, hotplug latencies and their parts,
 * the invariant, counters, NUMA locality and memory over time; NA rows
 * for a strategy that cannot run so.
 */
#include "churn.h"
#include "pcpu-metrics.h"

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

/*
 * churn_emit_rows() - the rows of one run (@run stopped and checked).
 * Return: ops per second (the rate-0 runs are the baseline in @base_ops).
 */
double churn_emit_rows(struct churn_run *run, double rate, enum pattern pat,
		       struct pout *out, int rep, double *base_ops, int *nbase)
{
	const struct churn_opts *o = run->o;
	struct pcpu_hp_sysfs *hp = run->hp;
	struct rowctx rc = { .o = out, .rep = rep };
	const uint64_t sum = run->sum, folded = run->folded;
	const double elapsed = run->elapsed;
	const struct rusage ru0 = run->ru0, ru1 = run->ru1;
	enum pcpu_strategy_id s = run->s;
	double ops;
	size_t k;

	snprintf(rc.rate, sizeof(rc.rate), "%g", rate);
	bc_cpuset_param(pcpu_rt_possible(run->rt), rc.pos, sizeof(rc.pos));
	snprintf(rc.onl, sizeof(rc.onl), "%u", o->online);
	rc.pv[0] = pcpu_strategy_name(s);
	rc.pv[1] = pcpu_access_name(pcpu_rt_access(run->rt));
	rc.pv[2] = pcpu_layout_name(pcpu_rt_layout(run->rt));
	rc.pv[3] = hp ? "sysfs" : "sim";
	rc.pv[4] = churn_pattern_names[pat];
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
	return ops;
}

/*
 * A strategy that cannot run with this configuration (tls with a huge
 * backing) among several: NA rows with the reason at each of its points,
 * as access writes them, so the CSV shows it was asked for.
 */
void churn_emit_na_strategy(const struct churn_opts *o, enum pcpu_strategy_id s,
			    const char *status, struct pout *out)
{
	/* The headline metrics; units from the metric list. */
	static const char *const metrics[] = { "ops_per_sec", "ops_rel_no_churn",
		"online_latency_ns_p50", "offline_latency_ns_p50", "lost_updates" };
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
			rc.pv[4] = churn_pattern_names[p < 0 ? PAT_NONE : o->pats[p]];
			snprintf(rc.rate, sizeof(rc.rate), "%g", o->rates[j]);
			for (m = 0; m < 5; m++)
				pout_row(out, rc.pv, -1, metrics[m], NAN,
					 pcpu_metric_find("churn", metrics[m])->unit,
					 status);
			if (p < 0)
				break;
		}
}

