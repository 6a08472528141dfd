// SPDX-License-Identifier: GPL-2.0
/*
 * tlb-run.c - the sweeps of `pcpubench tlb` (tlb.h) and the calibration
 * they give.
 *
 * One backing: a buffer whose page size is read back from smaps; per
 * repetition (a sweep) every point N and both patterns (chase, control)
 * in a random order, each the best of TLB_SUBRUNS quiet walks, the core
 * clock calibrated next to each sweep. The detector runs on the
 * per-point medians (chase minus control, quiet samples only); its
 * levels then give each sweep's own L1 and L2 entries, and the sweeps
 * combined give the figures, their spread and the stability verdict
 * (pcpu_tlbcal_combine()), with the L1d check of the control
 * (pcpu_tlb_l1d_check()) as one of its reasons.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-quiet.h"
#include "pcpu-rng.h"
#include "pcpu-stats.h"
#include "pcpu-timing.h"
#include "tlb.h"

void tlb_pmu_open(struct tlb_pmu *pm)
{
	struct pcnt_spec spec;
	char err[128];
	size_t i;

	memset(pm, 0, sizeof(*pm));
	snprintf(pm->na, sizeof(pm->na), "na:no-counter");
	if (pcnt_spec_parse(&spec, "dTLB-load-misses", err, sizeof(err)))
		return;
	if (pcnt_open(&pm->ss, &spec, 0, -1)) {
		pm->ss = NULL;
		return;
	}
	for (i = 0; i < pcnt_count(pm->ss); i++) {
		if (strcmp(pcnt_event(pm->ss, i)->name, "dTLB-load-misses"))
			continue;
		pm->idx = i;
		if (!strcmp(pcnt_open_status(pm->ss, i), "ok")) {
			pm->ok = true;
		} else {
			snprintf(pm->na, sizeof(pm->na), "%s",
				 pcnt_open_status(pm->ss, i));
		}
		return;
	}
}

static long meminfo_long(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

/*
 * Ticks per access: the best of TLB_SUBRUNS back-to-back walks of @steps
 * each that ran alone (bench-quiet.h: a disturbed walk is retried, at most
 * BQ_MAX_RETRIES times; with none quiet, the best disturbed one and
 * *@dist = 1 + why), so that a preemption inside one walk (the machine is
 * shared) does not become the sample; the repetitions' median is taken
 * later, over the quiet samples.
 */
#define TLB_SUBRUNS 3

static double measure_one(const struct tlb_pmu *pm, void **head, size_t steps,
			  double *miss, signed char *dist)
{
	struct pcnt_sample a, b;
	struct pcnt_result res[PCNT_MAX_EVENTS];
	double best = INFINITY, dbest = INFINITY;
	size_t rounded = (steps + 15) / 16 * 16;
	enum pq_why last = PQ_QUIET;
	int k, retries = 0, walks = 0;

	*miss = NAN;
	if (pm->ok) {
		pcnt_enable(pm->ss);
		pcnt_read(pm->ss, &a);
	}
	for (k = 0; k < TLB_SUBRUNS + retries; k++) {
		struct pq_mark qm;
		enum pq_why w;
		double t;

		pq_begin(&qm);
		t = (double)pcpu_tlb_walk(head, steps) / rounded;
		w = bq_check(&qm);
		walks++;
		if (w != PQ_QUIET) {
			last = w;
			dbest = t < dbest ? t : dbest;
			bq_retry(&retries);
			continue;
		}
		if (t < best)
			best = t;
	}
	*dist = 0;
	if (!isfinite(best)) {
		best = dbest;
		*dist = 1 + (int)last;
		bq_counts.flagged++;
	}
	if (pm->ok) {
		pcnt_read(pm->ss, &b);
		pcnt_disable(pm->ss);
		if (!pcnt_delta(pm->ss, &a, &b, res) &&
		    isfinite(res[pm->idx].value))
			*miss = res[pm->idx].value / (double)(rounded * walks);
	}
	return best;
}

static double mad_se(const double *v, size_t n, double med, double *tmp)
{
	struct pstats st;
	size_t i;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++)
		tmp[i] = fabs(v[i] - med);
	if (pstats_compute(tmp, n, &st))
		return 0;
	return 1.2533 * 1.4826 * st.median / sqrt((double)n);
}

/* The buffer and the per-sample arrays of one backing. */
static int run_alloc(const struct tlb_opts *o, enum pcpu_tlb_backing bk,
		     struct tlb_run *r)
{
	size_t np = o->npts, R = o->repeat, pat;
	size_t maxp = (size_t)o->pts[np - 1];
	long freeh = meminfo_long("HugePages_Free");
	int ret;

	r->hugetlb_tried = bk == PCPU_TLB_2M && freeh > 0 &&
			   (size_t)freeh * PCPU_TLB_HUGE >= maxp * PCPU_TLB_PAGE;
	ret = pcpu_tlb_buf_alloc(&r->buf, maxp * PCPU_TLB_PAGE, bk,
				 r->hugetlb_tried);
	if (ret)
		return ret;
	for (pat = 0; pat < 2; pat++) {
		r->cyc[pat] = calloc(np * R, sizeof(double));
		r->ns[pat] = calloc(np * R, sizeof(double));
		r->miss[pat] = calloc(np * R, sizeof(double));
		r->dist[pat] = calloc(np * R, sizeof(signed char));
		if (!r->cyc[pat] || !r->ns[pat] || !r->miss[pat] ||
		    !r->dist[pat])
			return -ENOMEM;
	}
	r->sweep = calloc(2 * R, sizeof(double));
	return r->sweep ? 0 : -ENOMEM;
}

/*
 * Steps of one timed walk: TLB_MIN_STEPS loads, but no longer than
 * TLB_WALK_SECONDS at the warm-up's pace (@ticks per load), and at least
 * one lap of the @n pages. Where a load costs a page walk (~200 cycles
 * here) 10^5 loads took 6 ms, and on a shared machine nearly every such
 * walk was preempted: points beyond the L2 reach had no quiet sample
 * and the calibration lost its walk plateau. One millisecond, one lap
 * at least, keeps them.
 */
#define TLB_WALK_SECONDS 1e-3

static size_t walk_steps(size_t n, double ticks, double tsc_hz)
{
	double t = ticks > 0 ? TLB_WALK_SECONDS * tsc_hz / ticks : INFINITY;
	size_t steps = t < TLB_MIN_STEPS ? (size_t)t : TLB_MIN_STEPS;

	return steps > n ? steps : n;
}

/* Sweep @i: every point and pattern once, in a random order. */
static int run_sweep(const struct tlb_opts *o, enum pcpu_tlb_backing bk,
		     struct tlb_run *r, struct tlb_ctx *c, size_t i,
		     size_t *order, uint64_t *seed)
{
	size_t np = o->npts, R = o->repeat, nord = 2 * np, j;
	double chz;
	int ret;

	if (pt_core_hz_calibrate(&chz)) {
		/* Never TSC ticks labelled cycles: NA below. */
		chz = c->tsc_hz;
		r->no_core_clock = true;
	}
	c->core_hz[bk * R + i] = chz;
	for (j = 0; j < nord; j++)
		order[j] = j;
	pcpu_rng_shuffle(order, nord, sizeof(*order), seed);
	for (j = 0; j < nord; j++) {
		size_t pt = order[j] / 2, n = (size_t)o->pts[pt], steps;
		enum pcpu_tlb_pattern pa = order[j] & 1;
		double ticks, miss;
		void *head;

		size_t warm = n > 4096 ? n : 4096;

		ret = pcpu_tlb_build(&r->buf, n, pa,
				     *seed ^ (i * 1000003 + order[j]), &head);
		if (ret)
			return ret;
		ticks = (double)pcpu_tlb_walk(&head, warm) / warm;
		steps = walk_steps(n, ticks, c->tsc_hz);
		ticks = measure_one(&c->pm, &head, steps, &miss,
				    &r->dist[pa][pt * R + i]);
		r->ns[pa][pt * R + i] = ticks * 1e9 / c->tsc_hz;
		r->cyc[pa][pt * R + i] = ticks * chz / c->tsc_hz;
		r->miss[pa][pt * R + i] = miss;
	}
	if (isatty(2)) {
		fprintf(stderr, "\rpcpubench tlb: %s rep %zu/%zu   ",
			pcpu_tlb_backing_name(bk), i + 1, R);
		c->progress = 1;
	}
	return 0;
}

/*
 * Medians, their noise, and the curve the detector sees: over the quiet
 * samples (a flagged one is NaN in qv, which pstats skips).
 */
static void run_curve(const struct tlb_opts *o, struct tlb_run *r,
		      double *qv, double *tmp)
{
	size_t np = o->npts, R = o->repeat, i, j, pat;

	for (pat = 0; pat < 2; pat++) {
		for (j = 0; j < np; j++) {
			struct pstats st;
			size_t q = 0;

			for (i = 0; i < R; i++)
				if (!r->dist[pat][j * R + i])
					qv[q++] = r->cyc[pat][j * R + i];
			if (!q)
				qv[q++] = NAN;
			if (pstats_compute(qv, q, &st))
				st.median = NAN;
			r->med[pat][j] = st.median;
			r->noise[pat][j] = mad_se(qv, q, st.median, tmp);
		}
	}
	for (j = 0; j < np; j++) {
		r->excess[j] = r->med[0][j] - r->med[1][j];
		r->excess_noise[j] = hypot(r->noise[0][j], r->noise[1][j]);
	}
}

/* The L1 data cache of CPUID, KiB; 0 when not reported. */
static unsigned l1d_kb(const struct pcpu_cpuid_info *ci)
{
	unsigned i;

	for (i = 0; i < ci->nr_cache; i++)
		if (ci->cache[i].level == 1 && !strcmp(ci->cache[i].type, "data"))
			return ci->cache[i].size_kb;
	return 0;
}

/*
 * The figures: the detector on the median curve (a point whose samples
 * were all disturbed is missing: left out), then each sweep's own curve
 * on its levels (a disturbed sample is a missing point), the sweeps
 * combined and judged; missing points and the L1d check are reasons.
 */
static void run_figures(const struct tlb_opts *o, struct tlb_run *r,
			const struct tlb_ctx *c, double *y)
{
	size_t np = o->npts, R = o->repeat, i, j;
	char why[sizeof(r->cal.stability)] = "";
	unsigned f;

	for (j = 0; j < np; j++) {
		if (!isfinite(r->excess[j]))
			continue;
		r->fx[r->nfit] = o->pts[j];
		r->fy[r->nfit] = r->excess[j];
		r->fnoise[r->nfit++] = r->excess_noise[j];
	}
	r->nmissing = np - r->nfit;
	r->fit_ret = pcpu_tlb_detect(r->fx, r->fy, r->fnoise, r->nfit, NULL,
				     &r->fit);
	if (r->nmissing)
		snprintf(why, sizeof(why), "%zu of %zu points disturbed in "
			 "every sample", r->nmissing, np);
	if (r->fit_ret) {
		r->cal.valid = true;
		for (f = 0; f < PCPU_TLBCAL_NR; f++) {
			r->cal.value[f] = NAN;
			snprintf(r->cal.why[f], sizeof(r->cal.why[f]),
				 "too-few-points");
		}
		pcpu_tlbcal_combine(&r->cal, NULL, R, why[0] ? why :
				    "too few points for a curve");
		return;
	}
	pcpu_tlbcal_from_fit(&r->cal, &r->fit);
	for (i = 0; i < R; i++) {
		for (j = 0; j < np; j++)
			y[j] = r->dist[0][j * R + i] || r->dist[1][j * R + i] ?
			       NAN : r->cyc[0][j * R + i] - r->cyc[1][j * R + i];
		pcpu_tlbcal_sweep_entries(&r->cal, o->pts, y, np,
					  &r->sweep[2 * i]);
	}
	pcpu_tlb_l1d_check(o->pts, r->med[1], np, l1d_kb(&c->ci), r->l1d_why,
			   sizeof(r->l1d_why));
	if (r->l1d_why[0]) {
		size_t l = strlen(why);

		snprintf(why + l, sizeof(why) - l, "%s%.160s", l ? "; " : "",
			 r->l1d_why);
	}
	pcpu_tlbcal_combine(&r->cal, r->sweep, R, why);
}

/* PMU sanity: ~1 miss/access well above reach, ~0 well below. */
static void run_pmu_check(const struct tlb_opts *o, struct tlb_run *r)
{
	size_t R = o->repeat, j;

	if (!r->cal.found[PCPU_TLBCAL_L2_ENTRIES])
		return;
	for (j = 0; j < o->npts; j++) {
		struct pstats st;

		if (pstats_compute(&r->miss[0][j * R], R, &st))
			continue;
		if (o->pts[j] >= 4 * r->cal.value[PCPU_TLBCAL_L2_ENTRIES] &&
		    st.median < 0.7)
			snprintf(r->pmu_check, sizeof(r->pmu_check),
				 "flagged:misses-below-0.7-above-reach");
		if (r->cal.found[PCPU_TLBCAL_L1_ENTRIES] &&
		    o->pts[j] * 2 <= r->cal.value[PCPU_TLBCAL_L1_ENTRIES] &&
		    st.median > 0.1)
			snprintf(r->pmu_check, sizeof(r->pmu_check),
				 "flagged:misses-above-0.1-below-reach");
	}
}

int tlb_run_backing(const struct tlb_opts *o, enum pcpu_tlb_backing bk,
		    struct tlb_run *r, struct tlb_ctx *c)
{
	size_t np = o->npts, R = o->repeat, i;
	size_t *order = malloc(2 * np * sizeof(*order));
	double *tmp = malloc(R * sizeof(*tmp)), *qv = malloc(R * sizeof(*qv));
	double *y = malloc(np * sizeof(*y));
	uint64_t seed = 0x5eed0000ULL + bk;
	int ret = -ENOMEM;

	if (!order || !tmp || !qv || !y)
		goto out;
	ret = run_alloc(o, bk, r);
	for (i = 0; !ret && i < R; i++)
		ret = run_sweep(o, bk, r, c, i, order, &seed);
	if (ret)
		goto out;
	run_curve(o, r, qv, tmp);
	run_figures(o, r, c, y);
	snprintf(r->cal.obtained, sizeof(r->cal.obtained), "%s", r->buf.obtained);
	if (c->pm.ok)
		run_pmu_check(o, r);
	r->done = true;
out:
	free(order);
	free(tmp);
	free(qv);
	free(y);
	return ret;
}

void tlb_run_free(struct tlb_run *r)
{
	int pat;

	pcpu_tlb_buf_free(&r->buf);
	for (pat = 0; pat < 2; pat++) {
		free(r->cyc[pat]);
		free(r->ns[pat]);
		free(r->miss[pat]);
		free(r->dist[pat]);
	}
	free(r->sweep);
}
