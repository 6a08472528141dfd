// SPDX-License-Identifier: GPL-2.0
/*
 * access-measure.c - `pcpubench access`: one sample of a point (N and 2N
 * operations, best of tries), the variables, the pressure working sets.
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
 * One sample of a point: best of tries for N and 2N, over the rounds
 * (an N and a 2N batch) that ran alone (bench-quiet.h); a disturbed round
 * is retried, at most BQ_MAX_RETRIES times. With no quiet round the
 * sample keeps the disturbed rounds' figure and is flagged (p->qflag).
 */
void acc_measure(struct run_ctx *c, struct point *p, struct al_args *a,
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
uint64_t acc_pick_n(struct run_ctx *c, struct point *p, struct al_args *a)
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
