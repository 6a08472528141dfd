// SPDX-License-Identifier: GPL-2.0
/*
 * access-cold.c - `pcpubench access`: the floor ptr and the isolated
 * cold read (K pages touched, one fenced whole-path read, pages on the
 * path).
 */
#include "access-cmd.h"

/* Points a run can have: see the loops in acc_run_config(). */
size_t acc_max_points(const struct opts *o)
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
void acc_floor_setup(struct run_ctx *c, struct strat_rt *srt, size_t nstrat)
{
	struct strat_rt *f = &srt[nstrat];
	size_t si;
	int pass;

	memset(f, 0, sizeof(*f));
	f->id = ACC_S_FLOOR;
	f->method = AL_A_PTR;
	f->layout = "none";
	f->host = -1;
	for (pass = 0; pass < 2 && f->host < 0; pass++)
		for (si = 0; si < nstrat && f->host < 0; si++) {
			struct strat_rt *h = &srt[si];

			if (h->na[0] || !h->rt ||
			    (pass == 0 && h->id == PCPU_S_TLS))
				continue;
			f->host = (int)si;
			f->unit = (uintptr_t)acc_var_ptr(h, c->cpu, 0);
			f->region = h->region;
			snprintf(f->backing, sizeof(f->backing), "%s", h->backing);
			f->huge_fraction = h->huge_fraction;
			snprintf(f->backing_status, sizeof(f->backing_status),
				 "%s", h->backing_status);
		}
	if (f->host < 0) {
		snprintf(f->backing, sizeof(f->backing), "none");
		acc_na_reason(f->na, sizeof(f->na), "no-unit",
			  "no live strategy unit to borrow");
		f->huge_fraction = NAN;
		snprintf(f->backing_status, sizeof(f->backing_status), "%s",
			 f->na);
	}
}

/* The ptr point measured like @p (same op, mode, vars, pressure, K). */
const struct point *acc_floor_of(const struct point *pts, size_t n,
				    const struct point *p)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct point *q = &pts[i];

		if (q->strat == ACC_S_FLOOR && !q->minimal &&
		    q->cold == p->cold && q->cold_k == p->cold_k &&
		    q->op == p->op && q->mode == p->mode &&
		    q->vars == p->vars && q->pressure == p->pressure)
			return q;
	}
	return NULL;
}

/*
 * Distinct 4 KiB pages the lookup of @p touches, from the addresses it
 * really uses: the CPU-id source and, for rseq, the variable holding its
 * offset (table and shift), the table entry (table), the variable in the
 * unit (for segment, at the GS base read back from the kernel).
 */
void acc_path_pages(struct run_ctx *c, struct strat_rt *s, struct point *p)
{
	uintptr_t a[5], off = s->region;
	size_t n = 0, i, j, distinct = 0;

	snprintf(p->pages_status, sizeof(p->pages_status), "ok");
	if (al_cpuid_default(p->method) != AL_CPUID_IMPLICIT) {
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
	if (p->method == PCPU_A_TABLE) {
		struct pcpu_acc_ctx ctx;

		pcpu_rt_acc_ctx(s->rt, &ctx);
		a[n++] = (uintptr_t)&ctx.table[p->cpuid == AL_CPUID_CID ?
			pcpu_cid_read() : (unsigned)c->cpu];
	}
#if PCPU_HAVE_SEGMENT
	if (p->method == PCPU_A_SEGMENT) {
		unsigned long gs = 0;

		if (syscall(SYS_arch_prctl, ARCH_GET_GS, &gs)) {
			p->pages = NAN;
			acc_na_reason(p->pages_status, sizeof(p->pages_status),
				  "no-gs-base", strerror(errno));
			return;
		}
		a[n++] = (uintptr_t)gs + off;
	} else
#endif
		a[n++] = (uintptr_t)acc_var_ptr(s, c->cpu, off);
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
 * cold_sample() of @fn judged like acc_measure()'s batches: retried while
 * disturbed (at most BQ_MAX_RETRIES times). Return: the sample; *@why the
 * last batch's verdict (PQ_QUIET: a quiet batch), *@tries the batches run.
 */
static double cold_sample_quiet(struct run_ctx *c, al_cold_fn fn,
				struct al_args *a, size_t k, uint64_t *rng,
				enum pq_why *why, int *tries)
{
	enum pq_why w = PQ_QUIET;
	double v = NAN;
	int t = 0, retries = 0;

	for (;;) {
		struct pq_mark qm;

		pq_begin(&qm);
		v = cold_sample(c, fn, a, k, rng);
		w = bq_check_trimmed(&qm, COLD_TRIM);
		t++;
		if (w == PQ_QUIET || !bq_retry(&retries))
			break;
	}
	*why = w;
	*tries = t;
	return v;
}

/*
 * One repetition of every cold point: K by K, the empty path first. The
 * empty path's sample is subtracted from every point's at that K, so it
 * is judged too: when it gets no quiet batch, every point of that K is
 * flagged in this repetition (its figure is the disturbed baseline's).
 */
void acc_cold_rep(struct run_ctx *c, struct point *pts, size_t npts,
		     size_t *order, double core_hz, int rep, uint64_t *rng)
{
	size_t ki, i, m;

	for (ki = 0; ki < c->ncold; ki++) {
		size_t k = c->cold[ki];
		struct al_args a;
		enum pq_why ew;
		double empty;
		int et;

		m = 0;
		for (i = 0; i < npts; i++)
			if (pts[i].cold && pts[i].cold_k == k && !pts[i].na[0])
				order[m++] = i;
		if (!m)
			continue;
		pcpu_rng_shuffle(order, m, sizeof(*order), rng);
		acc_args_for(c, &pts[order[0]], 0, 0, &a);
		empty = cold_sample_quiet(c, al_cold_lookup(AL_A_EMPTY,
							    AL_CPUID_IMPLICIT),
					  &a, k, rng, &ew, &et);
		for (i = 0; i < m; i++) {
			struct point *p = &pts[order[i]];
			enum pq_why w;
			double t;

			acc_varset_make(&c->vs[0], c->srt[p->strat_idx].region, 1);
			acc_varset_prime(&c->srt[p->strat_idx], c->cpu, &c->vs[0]);
			acc_args_for(c, p, 0, 0, &a);
			t = cold_sample_quiet(c, p->cold_fn, &a, k, rng, &w,
					      &p->qtries[rep]) - empty;
			if (w == PQ_QUIET && ew != PQ_QUIET) {
				w = ew;		/* its baseline was disturbed */
				p->qtries[rep] = et;
			}
			p->qflag[rep] = w == PQ_QUIET ? 0 : 1 + (int)w;
			if (w != PQ_QUIET)
				bq_counts.flagged++;
			if (!p->qflag[rep] && !(t > 0))
				p->qflag[rep] = -1;
			p->ns[rep] = t / c->tsc_hz * 1e9;
			p->ghz[rep] = core_hz / 1e9;
			p->cyc[rep] = p->ns[rep] * core_hz / 1e9;
		}
	}
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
void acc_cold_setup(struct run_ctx *c)
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
