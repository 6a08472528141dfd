// SPDX-License-Identifier: GPL-2.0
/*
 * access-measure.c - `pcpubench access`: one sample of a point (N and 2N
 * operations, best of tries, one try per round), the variables, the
 * pressure working sets.
 */
#include "access-cmd.h"
#include "tlb-cal.h"

/* A status-safe copy of a message: no commas, quotes or newlines. */
void acc_na_reason(char *dst, size_t len, const char *word, const char *msg)
{
	char *p;

	snprintf(dst, len, "na:%s(%s)", word, msg && *msg ? msg : "no detail");
	for (p = dst; *p; p++)
		if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
			*p = ';';
}

/* Write each variable's initial value through the strategy's own view. */
void *acc_var_ptr(struct strat_rt *s, unsigned cpu, pcpu_off_t off)
{
	if (s->id == ACC_S_FLOOR)
		return (void *)(s->unit + off);
	if (s->id == PCPU_S_TLS)
		return PCPU_PTR_TLS(off);
	return pcpu_ptr(s->rt, cpu, off);
}

/* @n variables spread evenly over the region, each on its own lines. */
void acc_varset_make(struct varset *v, pcpu_off_t region, size_t n)
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

void acc_varset_prime(struct strat_rt *s, unsigned cpu,
			 const struct varset *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		*(volatile uint64_t *)acc_var_ptr(s, cpu, v->offs[i]) = v->next[i];
}

int acc_pressure_make(struct pressure_buf *pb, size_t pages, uint64_t seed)
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

void acc_pressure_free(struct pressure_buf *pb)
{
	if (pb->map)
		munmap(pb->map, pb->pages * 4096);
	free(pb->addr);
}

/* The 4k page-walk penalty from the TLB calibration store, if any. */
void acc_load_walk_penalty(struct run_ctx *c)
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

void acc_args_for(struct run_ctx *c, struct point *p, size_t vi, size_t pi,
		     struct al_args *a)
{
	const struct strat_rt *s = &c->srt[p->strat_idx];

	memset(a, 0, sizeof(*a));
	if (s->rt)
		pcpu_rt_acc_ctx(s->rt, &a->ctx);
	else	/* the floor: its unit, computed once */
		a->ctx.base = s->unit;
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

/* The counted workload: what acc_measure() times, without the clock. */
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
 * One try of a sample of a point (an N and a 2N batch), judged by the quiet
 * check (bench-quiet.h): a disturbed try is run again at once, the
 * sample's extra batches at most BQ_MAX_RETRIES in all. The tries of one
 * sample run in different rounds (access-run.c: the rounds of every
 * repetition interleaved over the run), so that a slow spell of the
 * machine the guest cannot see (the host's SMT sibling, another tenant:
 * seconds long) takes some tries of every sample, never all of one.
 * Before the pair, a short run of the loop (1/64 N) brings its code and
 * data back after the other points of the round.
 */
void acc_measure_try(struct run_ctx *c, struct point *p, struct al_args *a,
		     int rep)
{
	struct acc_tstate *s = &p->ts[rep];
	struct pcnt_sample x0, x1;

	if (!s->batches) {
		s->best1 = s->best2 = s->dbest1 = s->dbest2 = UINT64_MAX;
		s->bc1 = s->bc2 = INFINITY;
		s->op = s->dop = INFINITY;
		s->last = PQ_QUIET;
	}
	p->fn(a, round_n(p->n / 64, p->vars));	/* warm-up */
	for (;;) {
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
		s->batches++;
		for (k = 0; k < 2; k++) {
			double e = ((double)d[k] - p->fixed) /
				   (double)(p->n * (k + 1));

			if (w == PQ_QUIET)
				s->op = e < s->op ? e : s->op;
			else
				s->dop = e < s->dop ? e : s->dop;
		}
		if (w == PQ_QUIET) {
			s->quiet++;
			s->best1 = d[0] < s->best1 ? d[0] : s->best1;
			s->best2 = d[1] < s->best2 ? d[1] : s->best2;
			s->bc1 = cy[0] < s->bc1 ? cy[0] : s->bc1;
			s->bc2 = cy[1] < s->bc2 ? cy[1] : s->bc2;
			return;
		}
		s->last = w;
		s->dbest1 = d[0] < s->dbest1 ? d[0] : s->dbest1;
		s->dbest2 = d[1] < s->dbest2 ? d[1] : s->dbest2;
		if (!bq_retry(&s->retries))
			return;
	}
}

/*
 * Close the sample of repetition @rep after its last try: the best of its
 * quiet batches, N and 2N alike, per operation once the batch's fixed
 * cost is taken off: min (t - fixed) / n (acc_fixed_cost()). The best of
 * 2 x tries batches, each an estimate of its own: the former
 * (best t2N - best tN) / N, the difference of two minima, carried the
 * noise of both (about twice the spread here). With no quiet try the
 * sample keeps the disturbed tries' figure and is flagged (p->qflag); a
 * figure not positive, or a 2N batch not slower than the N batch, is
 * flagged too. PMU cycles (where a cycles counter opens) stay the
 * difference of the counted minima. Then the counters, if any.
 */
void acc_measure_end(struct run_ctx *c, struct point *p, struct al_args *a,
		     double core_hz, int rep)
{
	struct acc_tstate *s = &p->ts[rep];
	uint64_t best1 = s->best1, best2 = s->best2;
	double ticks = s->op;

	p->qflag[rep] = 0;
	p->qtries[rep] = s->batches;
	if (!s->quiet) {
		best1 = s->dbest1;
		best2 = s->dbest2;
		ticks = s->dop;
		p->qflag[rep] = 1 + (int)s->last;
		bq_counts.flagged++;
	}
	/* no measurement: not positive, or the 2N batch not slower than N */
	if (!p->qflag[rep] && (!(ticks > 0) || best2 <= best1))
		p->qflag[rep] = -1;
	p->ns[rep] = ticks / c->tsc_hz * 1e9;
	p->ghz[rep] = core_hz / 1e9;
	if (c->pmu_cycles && s->quiet && isfinite(s->bc1) && isfinite(s->bc2))
		p->cyc[rep] = (s->bc2 - s->bc1) / (double)p->n;
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

/*
 * The fixed cost of one timed batch of @p (the call, the time stamps, the
 * loop's entry and exit), TSC ticks: 2 t(m) - t(2m) for short batches of
 * m operations, the best of 32 each; 0 when not positive. Against a
 * batch of --min-time it is a few parts in 100000.
 */
static double acc_fixed_cost(struct point *p, struct al_args *a)
{
	uint64_t m = round_n(256, p->vars), b1 = UINT64_MAX, b2 = UINT64_MAX;
	double f;
	int i, k;

	for (i = 0; i < 32; i++)
		for (k = 1; k <= 2; k++) {
			uint64_t t0, t1;

			t0 = pt_rdtsc();
			p->fn(a, m * k);
			t1 = pt_rdtscp();
			if (k == 1)
				b1 = t1 - t0 < b1 ? t1 - t0 : b1;
			else
				b2 = t1 - t0 < b2 ? t1 - t0 : b2;
		}
	f = 2.0 * (double)b1 - (double)b2;
	return f > 0 ? f : 0;
}

/* N such that one N batch takes about --min-time; also warms up and
 * measures the fixed cost of a batch (p->fixed). */
uint64_t acc_pick_n(struct run_ctx *c, struct point *p, struct al_args *a)
{
	double target = c->o->min_time * c->tsc_hz;
	uint64_t n = round_n(1024, p->vars), t0, t1;
	int i;

	if (c->o->iters) {
		n = round_n(c->o->iters, p->vars);
		for (i = 0; i < 2; i++)
			p->fn(a, n);	/* warm-up */
		p->fixed = acc_fixed_cost(p, a);
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
	p->fixed = acc_fixed_cost(p, a);
	return n;
}
