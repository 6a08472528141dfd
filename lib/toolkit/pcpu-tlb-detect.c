// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-tlb-detect.c - the step detector of the TLB chase (pcpu-tlb.h):
 * a pure function over (pages[], cycles[]) that finds the upward steps
 * of a latency curve, and the crossing of a level between two plateaus.
 * Tests feed it synthetic curves (tests/test-tlb-detect.c).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcpu-tlb.h"

/* ---- detector --------------------------------------------------------- */

void pcpu_tlb_detect_defaults(struct pcpu_tlb_detect_params *p)
{
	p->min_z = 8.0;
	p->min_sigmas = 4.0;
	p->min_height = 1.0;
	p->min_plateau = 3;
	p->max_ramp = 16.0;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of v[lo..hi) using @tmp as scratch. */
static double median_of(const double *v, size_t lo, size_t hi, double *tmp)
{
	size_t n = hi - lo;

	memcpy(tmp, v + lo, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_dbl);
	return n & 1 ? tmp[n / 2] : 0.5 * (tmp[n / 2 - 1] + tmp[n / 2]);
}

struct step_eval {
	double lower, upper, height, z, ramp, pages, half;
};

/*
 * Describe the rise from plateau [a0, a1) to plateau [b0, b1), with the
 * points [a1, b0) (possibly none) on a ramp between them: levels, z, the
 * onset (last point still near the lower level before the curve first
 * crosses half height), the half-height crossing and the 10%-90% ramp.
 */
static void eval_step(const double *x, const double *y, size_t a0, size_t a1,
		      size_t b0, size_t b1, double sigma, double *tmp,
		      struct step_eval *e)
{
	double L, U, h, half, lo_thr, hi_thr, se;
	size_t c, o, u;

	L = median_of(y, a0, a1, tmp);
	U = median_of(y, b0, b1, tmp);
	h = U - L;
	e->lower = L;
	e->upper = U;
	e->height = h;
	se = 1.2533 * sigma * sqrt(1.0 / (a1 - a0) + 1.0 / (b1 - b0));
	e->z = h / se;
	half = L + 0.5 * h;
	/* First point above half height, searched from the end of the lower
	 * plateau: back over high points, then forward over low ones. */
	c = a1;
	while (c > a0 + 1 && y[c - 1] > half)
		c--;
	while (c < b1 - 1 && y[c] <= half)
		c++;
	lo_thr = L + fmax(0.1 * h, 2 * sigma);
	hi_thr = U - fmax(0.1 * h, 2 * sigma);
	o = c > a0 ? c - 1 : a0;
	while (o > a0 && y[o] > lo_thr)
		o--;
	e->pages = x[o];
	u = c;
	while (u < b1 - 1 && y[u] < hi_thr)
		u++;
	if (lo_thr >= hi_thr)
		e->ramp = c > a0 ? x[c] / x[c - 1] : 1.0;
	else
		e->ramp = x[u] / x[o];
	if (c > a0 && y[c] != y[c - 1]) {
		double f = (half - y[c - 1]) / (y[c] - y[c - 1]);

		f = fmin(fmax(f, 0.0), 1.0);
		e->half = exp2(log2(x[c - 1]) + f * (log2(x[c]) - log2(x[c - 1])));
	} else {
		e->half = x[c];
	}
}

/* @final: the plateaus are final, so the ramp between them means something. */
static bool step_ok(const struct step_eval *e, double sigma,
		    const struct pcpu_tlb_detect_params *p, bool final)
{
	return e->height > 0 && e->height >= p->min_height &&
	       e->height >= p->min_sigmas * sigma && e->z >= p->min_z &&
	       (!final || e->ramp <= p->max_ramp);
}

static double sse(const double *y, size_t lo, size_t hi)
{
	double m = 0, s = 0;
	size_t i;

	for (i = lo; i < hi; i++)
		m += y[i];
	m /= hi - lo;
	for (i = lo; i < hi; i++)
		s += (y[i] - m) * (y[i] - m);
	return s;
}

#define MAX_SPLITS 16

struct seg {
	size_t lo, hi;
	bool ramp;
};

/* Plateau indices of @sg (ramps skipped) into @pl. Return: count. */
static size_t plateaus(const struct seg *sg, size_t ns, size_t *pl)
{
	size_t i, k = 0;

	for (i = 0; i < ns; i++)
		if (!sg[i].ramp)
			pl[k++] = i;
	return k;
}

/* Scratch and state of one detection. */
struct det {
	const double *x, *y;
	size_t n;
	struct pcpu_tlb_detect_params p;
	double sigma;
	double *tmp, *d;
	struct seg sg[MAX_SPLITS + 1];
	size_t ns;
	struct pcpu_tlb_fit *fit;
};

/*
 * Noise: the robust spread of successive differences, or the median of
 * the given per-point noise when that is larger.
 */
static void det_noise(struct det *D, const double *noise)
{
	size_t i, n = D->n;
	double sigma, sn = 0;

	for (i = 0; i + 1 < n; i++)
		D->d[i] = fabs(D->y[i + 1] - D->y[i]);
	sigma = 1.4826 * median_of(D->d, 0, n - 1, D->tmp) / sqrt(2.0);
	if (noise) {
		for (i = 0; i < n; i++)
			D->d[i] = isfinite(noise[i]) ? fabs(noise[i]) : 0;
		sn = median_of(D->d, 0, n, D->tmp);
	}
	sigma = fmax(sigma, sn);
	if (!(sigma > 0))
		sigma = 1e-9 * (1 + fabs(D->y[n - 1]));
	D->sigma = sigma;
	D->fit->noise = sigma;
}

/* 1. Greedy binary segmentation: split where the SSE drops most. */
static void det_segment(struct det *D)
{
	size_t bnd[MAX_SPLITS + 2], nb = 2, j;
	const double *y = D->y;
	unsigned mp = D->p.min_plateau;

	bnd[0] = 0;
	bnd[1] = D->n;
	while (nb < MAX_SPLITS + 2) {
		double best_gain = 0;
		size_t best_k = 0, best_seg = 0;

		for (j = 0; j + 1 < nb; j++) {
			size_t lo = bnd[j], hi = bnd[j + 1], k;
			double whole;

			if (hi - lo < 2 * mp)
				continue;
			whole = sse(y, lo, hi);
			for (k = lo + mp; k + mp <= hi; k++) {
				struct step_eval e;
				double gain = whole - sse(y, lo, k) - sse(y, k, hi);

				if (gain <= best_gain)
					continue;
				eval_step(D->x, y, lo, k, k, hi, D->sigma, D->tmp, &e);
				if (!step_ok(&e, D->sigma, &D->p, false)) {
					D->fit->rejected++;
					continue;
				}
				best_gain = gain;
				best_k = k;
				best_seg = j;
			}
		}
		if (!best_k)
			break;
		memmove(&bnd[best_seg + 2], &bnd[best_seg + 1],
			(nb - best_seg - 1) * sizeof(bnd[0]));
		bnd[best_seg + 1] = best_k;
		nb++;
	}
	D->ns = nb - 1;
	for (j = 0; j < D->ns; j++) {
		D->sg[j].lo = bnd[j];
		D->sg[j].hi = bnd[j + 1];
		D->sg[j].ramp = false;
	}
}

/*
 * 2. An inner segment that itself climbs (median of its last third
 * minus median of its first third) by more than min_sigmas x noise
 * and a tenth of the rise across it is a ramp, not a plateau: its
 * points belong to no level. A short flat stretch between two ramps is
 * part of one long ramp.
 */
static void det_ramps(struct det *D)
{
	struct seg *sg = D->sg;
	size_t j, ns = D->ns;

	for (j = 1; j + 1 < ns; j++) {
		size_t a = sg[j].lo, b = sg[j].hi, t = (b - a) / 3;
		double rise = median_of(D->y, sg[j + 1].lo, sg[j + 1].hi, D->tmp) -
			      median_of(D->y, sg[j - 1].lo, sg[j - 1].hi, D->tmp);
		double drift;

		if (!t)
			t = 1;
		drift = median_of(D->y, b - t, b, D->tmp) -
			median_of(D->y, a, a + t, D->tmp);
		if (drift > 0.1 * rise && drift > D->p.min_sigmas * D->sigma)
			sg[j].ramp = true;
	}
	for (j = 1; j + 1 < ns; j++)
		if (!sg[j].ramp && sg[j - 1].ramp && sg[j + 1].ramp &&
		    sg[j].hi - sg[j].lo < 2 * D->p.min_plateau)
			sg[j].ramp = true;
}

/*
 * 3. Steps between consecutive plateaus; one that fails the final
 * test is no step: the two plateaus and the ramp between become one.
 */
static void det_merge(struct det *D)
{
	size_t pl[MAX_SPLITS + 1], npl, j;
	bool changed;

	do {
		changed = false;
		npl = plateaus(D->sg, D->ns, pl);
		for (j = 0; j + 1 < npl; j++) {
			struct seg *A = &D->sg[pl[j]], *B = &D->sg[pl[j + 1]];
			struct step_eval e;

			eval_step(D->x, D->y, A->lo, A->hi, B->lo, B->hi, D->sigma,
				  D->tmp, &e);
			if (step_ok(&e, D->sigma, &D->p, true))
				continue;
			A->hi = B->hi;
			memmove(&D->sg[pl[j] + 1], &D->sg[pl[j + 1] + 1],
				(D->ns - pl[j + 1] - 1) * sizeof(D->sg[0]));
			D->ns -= pl[j + 1] - pl[j];
			D->fit->rejected++;
			changed = true;
			break;
		}
	} while (changed);
}

/* The levels and steps of the final plateaus into the fit. */
static void det_steps(struct det *D)
{
	struct pcpu_tlb_fit *fit = D->fit;
	size_t pl[MAX_SPLITS + 1], npl, j;

	npl = plateaus(D->sg, D->ns, pl);
	if (npl > PCPU_TLB_MAX_STEPS + 1)
		npl = PCPU_TLB_MAX_STEPS + 1;	/* cannot happen: MAX_SPLITS */
	for (j = 0; j < npl; j++)
		fit->level[j] = median_of(D->y, D->sg[pl[j]].lo, D->sg[pl[j]].hi,
					  D->tmp);
	fit->nsteps = npl - 1;
	fit->pages_max = D->x[D->n - 1];
	fit->y0 = D->y[0];
	fit->x0 = D->x[0];
	fit->npoints = D->n;
	fit->x = D->x;
	fit->y = D->y;
	for (j = 0; j + 1 < npl; j++) {
		struct seg *A = &D->sg[pl[j]], *B = &D->sg[pl[j + 1]];
		struct pcpu_tlb_step *s = &fit->step[j];
		struct step_eval e;

		eval_step(D->x, D->y, A->lo, A->hi, B->lo, B->hi, D->sigma,
			  D->tmp, &e);
		s->pages = e.pages;
		s->pages_half = e.half;
		s->pages_from = D->x[A->lo];
		s->height = e.height;
		s->z = e.z;
		s->ramp = e.ramp;
		s->idx = B->lo;
		s->pages_entries = pcpu_tlb_crossing(D->x, D->y, D->n, e.lower,
						     e.upper, PCPU_TLB_ENTRIES_FRAC,
						     s->pages_from);
	}
}

/* The model value at point @i of segment @j: its plateau's level, or on
 * a ramp the log2 interpolation between the plateaus around it. */
static double det_model(struct det *D, size_t j, size_t i)
{
	const struct seg *sg = D->sg;
	size_t a = j, b = j;
	double la, lb, xa, xb;

	if (!sg[j].ramp)
		return median_of(D->y, sg[j].lo, sg[j].hi, D->tmp);
	/* neighbours are plateaus after step 3's merges, or ramps whose
	 * ends bound this one */
	while (a > 0 && sg[a].ramp)
		a--;
	while (b + 1 < D->ns && sg[b].ramp)
		b++;
	la = median_of(D->y, sg[a].lo, sg[a].hi, D->tmp);
	lb = median_of(D->y, sg[b].lo, sg[b].hi, D->tmp);
	xa = log2(D->x[sg[a].hi - 1]);
	xb = log2(D->x[sg[b].lo]);
	return xb > xa ? la + (lb - la) * (log2(D->x[i]) - xa) / (xb - xa) : la;
}

/* 4. Quality: plateaus at their level, ramps interpolated in log2. */
static void det_quality(struct det *D)
{
	double mean = 0, sst = 0, ssr = 0;
	size_t i, j;

	for (i = 0; i < D->n; i++)
		mean += D->y[i];
	mean /= D->n;
	for (j = 0; j < D->ns; j++) {
		for (i = D->sg[j].lo; i < D->sg[j].hi; i++) {
			double m = det_model(D, j, i);

			ssr += (D->y[i] - m) * (D->y[i] - m);
			sst += (D->y[i] - mean) * (D->y[i] - mean);
		}
	}
	D->fit->rms_resid = sqrt(ssr / D->n);
	D->fit->r2 = sst > 0 ? 1 - ssr / sst : 1.0;
}

int pcpu_tlb_detect(const double *pages, const double *y, const double *noise,
		    size_t n, const struct pcpu_tlb_detect_params *pp,
		    struct pcpu_tlb_fit *fit)
{
	struct det D;
	size_t i;

	if (!pages || !y || !fit || n < 2)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!isfinite(y[i]) || !(pages[i] > 0) ||
		    (i && !(pages[i] > pages[i - 1])))
			return -EINVAL;
	}
	memset(&D, 0, sizeof(D));
	if (pp)
		D.p = *pp;
	else
		pcpu_tlb_detect_defaults(&D.p);
	if (D.p.min_plateau < 2)
		D.p.min_plateau = 2;
	memset(fit, 0, sizeof(*fit));
	fit->method = "binary segmentation over log2(pages), plateaus = "
		      "medians, climbing segments = ramps; step kept if "
		      "height >= max(min_height; min_sigmas*noise), z >= min_z, "
		      "10-90% ramp <= max_ramp";
	D.tmp = malloc(2 * n * sizeof(*D.tmp));
	if (!D.tmp)
		return -ENOMEM;
	D.d = D.tmp + n;
	D.x = pages;
	D.y = y;
	D.n = n;
	D.fit = fit;
	det_noise(&D, noise);
	det_segment(&D);
	det_ramps(&D);
	det_merge(&D);
	det_steps(&D);
	det_quality(&D);
	free(D.tmp);
	return 0;
}

double pcpu_tlb_crossing(const double *pages, const double *y, size_t n,
			 double lower, double upper, double frac, double from)
{
	double thr = lower + frac * (upper - lower);
	double half = lower + 0.5 * (upper - lower), f;
	size_t i, c = n, o, b;

	if (!pages || !y || !(upper > lower) || !isfinite(thr))
		return NAN;
	for (i = 0; i < n; i++) {
		if (pages[i] >= from && isfinite(y[i]) && y[i] > half) {
			c = i;
			break;
		}
	}
	if (c == n)
		return NAN;
	/* back from there over the points above the threshold (or NaN) */
	for (o = c; o > 0 && pages[o - 1] >= from; o--)
		if (isfinite(y[o - 1]) && y[o - 1] <= thr)
			break;
	if (!o || pages[o - 1] < from)
		return NAN;	/* the curve starts above the threshold */
	o--;
	for (b = o + 1; b < c && !isfinite(y[b]); b++)
		;
	f = y[b] > y[o] ? (thr - y[o]) / (y[b] - y[o]) : 1.0;
	f = fmin(fmax(f, 0.0), 1.0);
	return exp2(log2(pages[o]) + f * (log2(pages[b]) - log2(pages[o])));
}
