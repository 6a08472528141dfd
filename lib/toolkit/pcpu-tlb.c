// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-tlb.c - TLB characterisation: buffers whose page size is read back
 * from smaps, the pointer chase and its control, the step detector, and
 * the calibration store used by access/churn/info.
 *
 * The per-CPU runtime is not needed here: buffers come from mmap directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pcpu-timing.h"
#include "pcpu-cpuid.h"
#include "pcpu-rng.h"
#include "pcpu-tlb.h"
#include "pcpu-wfile.h"
#include "pcpu-file.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif

/* ---- buffers ---------------------------------------------------------- */

static const char *const backing_names[PCPU_TLB_NR_BACKINGS] = {
	[PCPU_TLB_4K] = "4k",
	[PCPU_TLB_2M] = "2m",
};

const char *pcpu_tlb_backing_name(enum pcpu_tlb_backing b)
{
	return (unsigned)b < PCPU_TLB_NR_BACKINGS ? backing_names[b] : "?";
}

int pcpu_tlb_backing_parse(const char *s, enum pcpu_tlb_backing *b)
{
	unsigned i;

	if (!s || !b)
		return -EINVAL;
	for (i = 0; i < PCPU_TLB_NR_BACKINGS; i++) {
		if (!strcasecmp(s, backing_names[i])) {
			*b = i;
			return 0;
		}
	}
	return -EINVAL;
}

int pcpu_tlb_smaps(const void *addr, unsigned long *rss_kb,
		   unsigned long *anon_huge_kb, unsigned long *hugetlb_kb,
		   unsigned long *kernel_page_kb)
{
	unsigned long a = (unsigned long)addr, lo, hi, v;
	unsigned long rss = 0, ahp = 0, htlb = 0, kps = 0;
	char line[512], key[64];
	bool in = false, found = false;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			if (found && in)
				break;
			in = a >= lo && a < hi;
			found |= in;
			continue;
		}
		if (!in || sscanf(line, "%63[^:]: %lu", key, &v) != 2)
			continue;
		if (!strcmp(key, "Rss"))
			rss = v;
		else if (!strcmp(key, "AnonHugePages"))
			ahp = v;
		else if (!strcmp(key, "Private_Hugetlb") ||
			 !strcmp(key, "Shared_Hugetlb"))
			htlb += v;
		else if (!strcmp(key, "KernelPageSize"))
			kps = v;
	}
	fclose(f);
	if (!found)
		return -ENOENT;
	if (rss_kb)
		*rss_kb = rss;
	if (anon_huge_kb)
		*anon_huge_kb = ahp;
	if (hugetlb_kb)
		*hugetlb_kb = htlb;
	if (kernel_page_kb)
		*kernel_page_kb = kps;
	return 0;
}

static void buf_touch(struct pcpu_tlb_buf *b)
{
	volatile char *p = b->base;
	size_t off;

	for (off = 0; off < b->len; off += PCPU_TLB_PAGE)
		p[off] = 1;
}

int pcpu_tlb_buf_alloc(struct pcpu_tlb_buf *b, size_t len,
		       enum pcpu_tlb_backing backing, bool use_hugetlb)
{
	size_t map_len;
	uintptr_t base;
	void *m;
	int ret;

	if (!b || !len || (unsigned)backing >= PCPU_TLB_NR_BACKINGS)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	len = (len + PCPU_TLB_HUGE - 1) & ~(PCPU_TLB_HUGE - 1);
	b->backing = backing;
	b->len = len;

	if (backing == PCPU_TLB_2M && use_hugetlb) {
		m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB,
			 -1, 0);
		if (m != MAP_FAILED) {
			b->map = b->base = m;
			b->map_len = len;
			goto touch;
		}
		/* pool too small: fall through to THP, reported below */
	}

	map_len = len + PCPU_TLB_HUGE;
	m = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return -ENOMEM;
	base = ((uintptr_t)m + PCPU_TLB_HUGE - 1) & ~(PCPU_TLB_HUGE - 1);
	/* Trim the slack so the buffer is one VMA of its own in smaps. */
	if (base > (uintptr_t)m)
		munmap(m, base - (uintptr_t)m);
	if ((uintptr_t)m + map_len > base + len)
		munmap((void *)(base + len), (uintptr_t)m + map_len - (base + len));
	b->map = b->base = (void *)base;
	b->map_len = len;
#ifdef MADV_NOHUGEPAGE
	if (backing == PCPU_TLB_4K)
		madvise(b->base, len, MADV_NOHUGEPAGE);
#endif
#ifdef MADV_HUGEPAGE
	if (backing == PCPU_TLB_2M)
		madvise(b->base, len, MADV_HUGEPAGE);
#endif
touch:
	buf_touch(b);
	ret = pcpu_tlb_smaps(b->base, &b->rss_kb, &b->anon_huge_kb,
			     &b->hugetlb_kb, &b->kernel_page_kb);
	if (ret) {
		snprintf(b->obtained, sizeof(b->obtained), "unknown (smaps)");
		return 0;
	}
	if (b->hugetlb_kb) {
		b->huge_fraction = (double)b->hugetlb_kb * 1024 / len;
		snprintf(b->obtained, sizeof(b->obtained), "hugetlb");
	} else if (b->anon_huge_kb) {
		b->huge_fraction = (double)b->anon_huge_kb * 1024 / len;
		snprintf(b->obtained, sizeof(b->obtained),
			 b->huge_fraction > 0.99 ? "thp" : "thp-partial");
	} else {
		snprintf(b->obtained, sizeof(b->obtained),
			 backing == PCPU_TLB_2M ? "4k (no huge page obtained)" : "4k");
	}
	return 0;
}

void pcpu_tlb_buf_free(struct pcpu_tlb_buf *b)
{
	if (b && b->map) {
		munmap(b->map, b->map_len);
		b->map = b->base = NULL;
	}
}

/* ---- chase ------------------------------------------------------------ */

/* Line used in chase page @i: a bijection on each run of 64 pages. */
static size_t chase_line(size_t i)
{
	return (i * 37 + (i >> 6) * 13) & 63;
}

#define CONTROL_LINES_PER_PAGE 32
#define CONTROL_GROUP_PAGES 16

int pcpu_tlb_build(const struct pcpu_tlb_buf *b, size_t npages,
		   enum pcpu_tlb_pattern pat, uint64_t seed, void **head)
{
	size_t *ord = NULL, i, n = npages;
	char *base;
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;

	if (!b || !b->base || !head || !n)
		return -EINVAL;
	if (n > b->len / PCPU_TLB_PAGE)
		return -EINVAL;
	base = b->base;
	ord = malloc(n * sizeof(*ord));
	if (!ord)
		return -ENOMEM;

	if (pat == PCPU_TLB_CHASE) {
		for (i = 0; i < n; i++)
			ord[i] = i;
		pcpu_rng_shuffle(ord, n, sizeof(*ord), &s);
		for (i = 0; i < n; i++)
			ord[i] = ord[i] * PCPU_TLB_PAGE +
				 chase_line(ord[i]) * PCPU_TLB_LINE;
	} else {
		/*
		 * Line k lives in page k / 32, slot k % 32; the slot picks one
		 * line of each 128-byte pair, alternating with the page, so all
		 * 64 sets are used and the adjacent-line prefetch gains nothing.
		 * Lines are shuffled within groups of 16 pages (512 lines, far
		 * below L1 dTLB reach), and the groups are shuffled.
		 */
		size_t per_group = CONTROL_LINES_PER_PAGE * CONTROL_GROUP_PAGES;
		size_t ngroups = (n + per_group - 1) / per_group, g, k = 0;
		size_t *gord = malloc(ngroups * sizeof(*gord));

		if (!gord) {
			free(ord);
			return -ENOMEM;
		}
		for (g = 0; g < ngroups; g++)
			gord[g] = g;
		pcpu_rng_shuffle(gord, ngroups, sizeof(*gord), &s);
		for (g = 0; g < ngroups; g++) {
			size_t first = gord[g] * per_group, cnt = per_group;

			if (first + cnt > n)
				cnt = n - first;
			for (i = 0; i < cnt; i++)
				ord[k + i] = first + i;
			pcpu_rng_shuffle(ord + k, cnt, sizeof(*ord), &s);
			k += cnt;
		}
		free(gord);
		for (i = 0; i < n; i++) {
			size_t line = ord[i], page = line / CONTROL_LINES_PER_PAGE;
			size_t slot = line % CONTROL_LINES_PER_PAGE;

			ord[i] = page * PCPU_TLB_PAGE +
				 (2 * slot + (page & 1)) * PCPU_TLB_LINE;
		}
	}
	for (i = 0; i < n; i++)
		*(void **)(base + ord[i]) = base + ord[(i + 1) % n];
	*head = base + ord[0];
	free(ord);
	return 0;
}

uint64_t pcpu_tlb_walk(void **head, size_t steps)
{
	void **p = *head;
	size_t n = (steps + 15) / 16;
	uint64_t t0, t1;

	t0 = pt_rdtsc();
	while (n--) {
		p = *p; p = *p; p = *p; p = *p;
		p = *p; p = *p; p = *p; p = *p;
		p = *p; p = *p; p = *p; p = *p;
		p = *p; p = *p; p = *p; p = *p;
	}
	t1 = pt_rdtscp();
	*head = p;
	return t1 - t0;
}

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

int pcpu_tlb_detect(const double *pages, const double *y, const double *noise,
		    size_t n, const struct pcpu_tlb_detect_params *pp,
		    struct pcpu_tlb_fit *fit)
{
	struct pcpu_tlb_detect_params p;
	size_t bnd[MAX_SPLITS + 2], nb = 2, i, j, ns, npl, pl[MAX_SPLITS + 1];
	struct seg sg[MAX_SPLITS + 1];
	double *tmp, *d, sigma, sn = 0, mean = 0, sst = 0, ssr = 0;
	bool changed;

	if (!pages || !y || !fit || n < 2)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!isfinite(y[i]) || !(pages[i] > 0) ||
		    (i && !(pages[i] > pages[i - 1])))
			return -EINVAL;
	}
	if (pp)
		p = *pp;
	else
		pcpu_tlb_detect_defaults(&p);
	if (p.min_plateau < 2)
		p.min_plateau = 2;
	memset(fit, 0, sizeof(*fit));
	fit->method = "binary segmentation over log2(pages), plateaus = "
		      "medians, climbing segments = ramps; step kept if "
		      "height >= max(min_height; min_sigmas*noise), z >= min_z, "
		      "10-90% ramp <= max_ramp";
	tmp = malloc(2 * n * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	d = tmp + n;

	/* Noise: robust spread of successive differences, or the given one. */
	for (i = 0; i + 1 < n; i++)
		d[i] = fabs(y[i + 1] - y[i]);
	sigma = 1.4826 * median_of(d, 0, n - 1, tmp) / sqrt(2.0);
	if (noise) {
		for (i = 0; i < n; i++)
			d[i] = isfinite(noise[i]) ? fabs(noise[i]) : 0;
		sn = median_of(d, 0, n, tmp);
	}
	sigma = fmax(sigma, sn);
	if (!(sigma > 0))
		sigma = 1e-9 * (1 + fabs(y[n - 1]));
	fit->noise = sigma;

	/* 1. Greedy binary segmentation: split where the SSE drops most. */
	bnd[0] = 0;
	bnd[1] = n;
	while (nb < MAX_SPLITS + 2) {
		double best_gain = 0;
		size_t best_k = 0, best_seg = 0;

		for (j = 0; j + 1 < nb; j++) {
			size_t lo = bnd[j], hi = bnd[j + 1], k;
			double whole;

			if (hi - lo < 2 * p.min_plateau)
				continue;
			whole = sse(y, lo, hi);
			for (k = lo + p.min_plateau; k + p.min_plateau <= hi; k++) {
				struct step_eval e;
				double gain = whole - sse(y, lo, k) - sse(y, k, hi);

				if (gain <= best_gain)
					continue;
				eval_step(pages, y, lo, k, k, hi, sigma, tmp, &e);
				if (!step_ok(&e, sigma, &p, false)) {
					fit->rejected++;
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
	ns = nb - 1;
	for (j = 0; j < ns; j++) {
		sg[j].lo = bnd[j];
		sg[j].hi = bnd[j + 1];
		sg[j].ramp = false;
	}

	/*
	 * 2. An inner segment that itself climbs (median of its last third
	 * minus median of its first third) by more than min_sigmas x noise
	 * and a tenth of the rise across it is a ramp, not a plateau: its
	 * points belong to no level.
	 */
	for (j = 1; j + 1 < ns; j++) {
		size_t a = sg[j].lo, b = sg[j].hi, t = (b - a) / 3;
		double rise = median_of(y, sg[j + 1].lo, sg[j + 1].hi, tmp) -
			      median_of(y, sg[j - 1].lo, sg[j - 1].hi, tmp);
		double drift;

		if (!t)
			t = 1;
		drift = median_of(y, b - t, b, tmp) - median_of(y, a, a + t, tmp);
		if (drift > 0.1 * rise && drift > p.min_sigmas * sigma)
			sg[j].ramp = true;
	}

	/* A short flat stretch between two ramps is part of one long ramp. */
	for (j = 1; j + 1 < ns; j++)
		if (!sg[j].ramp && sg[j - 1].ramp && sg[j + 1].ramp &&
		    sg[j].hi - sg[j].lo < 2 * p.min_plateau)
			sg[j].ramp = true;

	/*
	 * 3. Steps between consecutive plateaus; one that fails the final
	 * test is no step: the two plateaus and the ramp between become one.
	 */
	do {
		changed = false;
		npl = plateaus(sg, ns, pl);
		for (j = 0; j + 1 < npl; j++) {
			struct seg *A = &sg[pl[j]], *B = &sg[pl[j + 1]];
			struct step_eval e;

			eval_step(pages, y, A->lo, A->hi, B->lo, B->hi, sigma,
				  tmp, &e);
			if (step_ok(&e, sigma, &p, true))
				continue;
			A->hi = B->hi;
			memmove(&sg[pl[j] + 1], &sg[pl[j + 1] + 1],
				(ns - pl[j + 1] - 1) * sizeof(sg[0]));
			ns -= pl[j + 1] - pl[j];
			fit->rejected++;
			changed = true;
			break;
		}
	} while (changed);

	npl = plateaus(sg, ns, pl);
	if (npl > PCPU_TLB_MAX_STEPS + 1)
		npl = PCPU_TLB_MAX_STEPS + 1;	/* cannot happen: MAX_SPLITS */
	for (j = 0; j < npl; j++)
		fit->level[j] = median_of(y, sg[pl[j]].lo, sg[pl[j]].hi, tmp);
	fit->nsteps = npl - 1;
	fit->pages_max = pages[n - 1];
	fit->y0 = y[0];
	fit->x0 = pages[0];
	fit->npoints = n;
	for (j = 0; j + 1 < npl; j++) {
		struct seg *A = &sg[pl[j]], *B = &sg[pl[j + 1]];
		struct pcpu_tlb_step *s = &fit->step[j];
		struct step_eval e;

		eval_step(pages, y, A->lo, A->hi, B->lo, B->hi, sigma, tmp, &e);
		s->pages = e.pages;
		s->pages_half = e.half;
		s->height = e.height;
		s->z = e.z;
		s->ramp = e.ramp;
		s->idx = B->lo;
	}

	/* 4. Quality: plateaus at their level, ramps interpolated in log2. */
	for (i = 0; i < n; i++)
		mean += y[i];
	mean /= n;
	for (j = 0; j < ns; j++) {
		for (i = sg[j].lo; i < sg[j].hi; i++) {
			double m;

			if (!sg[j].ramp) {
				m = median_of(y, sg[j].lo, sg[j].hi, tmp);
			} else {
				/* neighbours are plateaus after step 3's merges,
				 * or ramps whose ends bound this one */
				size_t a = j, b = j;
				double la, lb, xa, xb;

				while (a > 0 && sg[a].ramp)
					a--;
				while (b + 1 < ns && sg[b].ramp)
					b++;
				la = median_of(y, sg[a].lo, sg[a].hi, tmp);
				lb = median_of(y, sg[b].lo, sg[b].hi, tmp);
				xa = log2(pages[sg[a].hi - 1]);
				xb = log2(pages[sg[b].lo]);
				m = xb > xa ? la + (lb - la) * (log2(pages[i]) - xa) /
						(xb - xa) : la;
			}
			ssr += (y[i] - m) * (y[i] - m);
			sst += (y[i] - mean) * (y[i] - mean);
		}
	}
	fit->rms_resid = sqrt(ssr / n);
	fit->r2 = sst > 0 ? 1 - ssr / sst : 1.0;
	free(tmp);
	return 0;
}

/* ---- calibration ------------------------------------------------------ */

static const char *const fig_names[PCPU_TLBCAL_NR] = {
#define PCPU_X_NAME(id, name, unit) name,
	PCPU_TLBCAL_FIGURES(PCPU_X_NAME)
#undef PCPU_X_NAME
};

static const char *const fig_units[PCPU_TLBCAL_NR] = {
#define PCPU_X_UNIT(id, name, unit) unit,
	PCPU_TLBCAL_FIGURES(PCPU_X_UNIT)
#undef PCPU_X_UNIT
};

const char *pcpu_tlbcal_figure_name(enum pcpu_tlbcal_figure f)
{
	return (unsigned)f < PCPU_TLBCAL_NR ? fig_names[f] : "?";
}

const char *pcpu_tlbcal_figure_unit(enum pcpu_tlbcal_figure f)
{
	return (unsigned)f < PCPU_TLBCAL_NR ? fig_units[f] : "?";
}

static void cal_set(struct pcpu_tlbcal_backing *cb, enum pcpu_tlbcal_figure f,
		    bool found, double v, const char *why)
{
	cb->found[f] = found;
	cb->value[f] = found ? v : NAN;
	snprintf(cb->why[f], sizeof(cb->why[f]), "%s", found ? "" : why);
}

void pcpu_tlbcal_from_fit(struct pcpu_tlbcal_backing *cb,
			  const struct pcpu_tlb_fit *fit)
{
	const struct pcpu_tlb_step *s = fit->step;
	unsigned k = fit->nsteps, i, l1 = 0, l2 = 0, walk = 0, first2;
	double best_len = -INFINITY, tol, base, rise = NAN;
	bool have_l1 = false;
	const char *l1_why = "no-step-in-range";

	cb->valid = true;
	/*
	 * A step is the L1 dTLB reach only from evidence: it is the first
	 * step, and the plateau below it is the base (chase minus control
	 * near zero, flat from the first point). When the curve starts above
	 * zero at a first point beyond PCPU_TLB_L1_MIN pages (no L1 dTLB is
	 * that small), the L1 step lies below the first point; when the curve
	 * rises inside the first plateau (its first point well below the
	 * plateau's median), a step is there that has too few points on one
	 * side to be resolved. Neither is named: NA with the reason.
	 */
	/*
	 * The tolerance is absolute (the detector's default min_height): the
	 * curve's noise estimate grows with its later, larger steps and
	 * would hide the small L1 rise.
	 */
	tol = PCPU_TLB_BASE_TOL;
	if (k >= 1 && fit->npoints) {
		rise = fit->level[0] - fit->y0;
		if (rise > tol && fit->y0 < 0.5 * fit->level[0])
			l1_why = "too-few-points-near-step";
		else if (fit->level[0] > tol && fit->x0 > PCPU_TLB_L1_MIN)
			l1_why = "l1-step-below-first-point";
		else
			have_l1 = true;
	}
	if (have_l1) {
		cal_set(cb, PCPU_TLBCAL_L1_ENTRIES, true, s[0].pages, NULL);
		cal_set(cb, PCPU_TLBCAL_L2_HIT_CYCLES, true,
			fit->level[1] - fit->level[0], NULL);
	} else {
		cal_set(cb, PCPU_TLBCAL_L1_ENTRIES, false, 0, l1_why);
		cal_set(cb, PCPU_TLBCAL_L2_HIT_CYCLES, false, 0, l1_why);
	}
	/*
	 * The second-level reach is the first later rise at least as large as
	 * an L2 hit (a walk costs more than a second-level hit); failing
	 * that, the largest later rise. Without an L1 step, the first step
	 * is a candidate; the L2 hit is then the rise below it (unresolved)
	 * or the level it starts from (L1 below the first point).
	 */
	first2 = have_l1 ? 1 : 0;
	{
		double hit = have_l1 ? s[0].height :
			     !strcmp(l1_why, "too-few-points-near-step") ? rise :
			     k ? fit->level[0] : 0;

		for (i = first2; i < k && !l2; i++)
			if (s[i].height >= hit)
				l2 = i + 1;
		if (!l2)
			for (i = first2; i < k; i++)
				if (!l2 || s[i].height > s[l2 - 1].height)
					l2 = i + 1;
	}
	cb->half[0] = have_l1 ? s[l1].pages_half : NAN;
	cb->half[1] = l2 ? s[l2 - 1].pages_half : NAN;
	if (!l2) {
		const char *w = have_l1 ? "no-second-step-in-range" :
				"no-step-in-range";

		cal_set(cb, PCPU_TLBCAL_L2_ENTRIES, false, 0, w);
		cal_set(cb, PCPU_TLBCAL_WALK_CYCLES, false, 0, w);
		cal_set(cb, PCPU_TLBCAL_WALK_FAR_CYCLES, false, 0, w);
		return;
	}
	l2--;
	cal_set(cb, PCPU_TLBCAL_L2_ENTRIES, true, s[l2].pages, NULL);
	/* The base: the L1 plateau, else the first point, else zero. */
	base = have_l1 ? fit->level[0] :
	       !strcmp(l1_why, "too-few-points-near-step") ? fit->y0 : 0;
	/*
	 * The walk with page tables in cache is the longest plateau (in
	 * octaves, half-height to half-height) after the L2 reach; the last
	 * plateau, when it comes after that one, is the walk beyond.
	 */
	for (i = l2; i < k; i++) {
		double end = i + 1 < k ? s[i + 1].pages_half : fit->pages_max;
		double len = log2(end / s[i].pages_half);

		if (i + 1 == k && i > l2)
			continue;
		if (len > best_len) {
			best_len = len;
			walk = i;
		}
	}
	cal_set(cb, PCPU_TLBCAL_WALK_CYCLES, true,
		fit->level[walk + 1] - base, NULL);
	if (walk + 1 < k)
		cal_set(cb, PCPU_TLBCAL_WALK_FAR_CYCLES, true,
			fit->level[k] - base, NULL);
	else
		cal_set(cb, PCPU_TLBCAL_WALK_FAR_CYCLES, false, 0,
			"no-step-beyond-walk-plateau");
}

int pcpu_tlbcal_cpuid_disagree(const struct pcpu_tlbcal_backing *cb,
			       enum pcpu_tlb_backing bk,
			       const struct pcpu_cpuid_info *ci,
			       enum pcpu_tlbcal_figure f, char *buf, size_t len)
{
	const struct pcpu_cpuid_tlb *t;
	double m, r;

	if (!cb || !ci || !buf || !len || (f != PCPU_TLBCAL_L1_ENTRIES &&
					   f != PCPU_TLBCAL_L2_ENTRIES))
		return -EINVAL;
	buf[0] = '\0';
	if (!cb->valid || !cb->found[f] || !(cb->value[f] > 0))
		return 0;
	t = pcpu_cpuid_find_tlb(ci, f == PCPU_TLBCAL_L1_ENTRIES ? "L1" : "L2",
				bk == PCPU_TLB_2M ? 2048 : 4, true);
	if (!t || !t->entries)
		return 0;
	m = cb->value[f];
	r = m > t->entries ? m / t->entries : t->entries / m;
	if (r < 2.0)
		return 0;
	snprintf(buf, len, "%s %s: CPUID reports %u entries, the measured "
		 "reach is %.0f pages (x%.1f): CPUID is not to be trusted here",
		 pcpu_tlb_backing_name(bk), f == PCPU_TLBCAL_L1_ENTRIES ?
		 "L1 dTLB" : "L2 TLB", t->entries, m, r);
	return 1;
}

const char *pcpu_tlbcal_default_path(void)
{
	static char path[PATH_MAX];
	const char *e = getenv("PCPU_CALIBRATION");

	if (e && *e) {
		snprintf(path, sizeof(path), "%s", e);
		return path;
	}
	e = getenv("XDG_CACHE_HOME");
	if (e && *e) {
		snprintf(path, sizeof(path), "%s/pcpubench/tlb-calibration.csv", e);
		return path;
	}
	e = getenv("HOME");
	if (e && *e) {
		snprintf(path, sizeof(path),
			 "%s/.cache/pcpubench/tlb-calibration.csv", e);
		return path;
	}
	return NULL;
}

int pcpu_tlbcal_cache_dir(const char *file)
{
	char d[PATH_MAX], *s;

	snprintf(d, sizeof(d), "%s", file);
	s = strrchr(d, '/');
	if (!s || s == d)
		return 0;
	*s = '\0';
	for (s = d + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(d, 0755) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(d, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* Commas and newlines would break the CSV: replace them. */
static void csv_clean(char *dst, size_t len, const char *src)
{
	size_t i;

	snprintf(dst, len, "%s", src ? src : "");
	for (i = 0; dst[i]; i++)
		if (dst[i] == ',' || dst[i] == '\n' || dst[i] == '\r' ||
		    dst[i] == '"')
			dst[i] = ';';
}

int pcpu_tlbcal_save(const char *path, const struct pcpu_tlbcal *cal)
{
	char host[64], method[160], obt[48];
	struct pcpu_wfile *w;
	unsigned b, f;
	FILE *fp;
	int ret;

	if (!path || !cal)
		return -EINVAL;
	ret = pcpu_wfile_open(&w, path, &fp);
	if (ret)
		return ret;
	csv_clean(host, sizeof(host), cal->host);
	csv_clean(method, sizeof(method), cal->method);
	fprintf(fp, "host,date,backing,figure,value,unit,status,method\n");
	for (b = 0; b < PCPU_TLB_NR_BACKINGS; b++) {
		const struct pcpu_tlbcal_backing *cb = &cal->b[b];

		if (!cb->valid)
			continue;
		csv_clean(obt, sizeof(obt), cb->obtained);
		fprintf(fp, "%s,%s,%s,obtained,NA,,info:%s,%s\n", host, cal->date,
			backing_names[b], obt, method);
		if (cal->revision[0]) {
			csv_clean(obt, sizeof(obt), cal->revision);
			fprintf(fp, "%s,%s,%s,revision,NA,,info:%s,%s\n", host,
				cal->date, backing_names[b], obt, method);
		}
		for (f = 0; f < PCPU_TLBCAL_NR; f++) {
			if (cb->found[f])
				fprintf(fp, "%s,%s,%s,%s,%.3f,%s,found,%s\n", host,
					cal->date, backing_names[b], fig_names[f],
					cb->value[f], fig_units[f], method);
			else
				fprintf(fp, "%s,%s,%s,%s,NA,%s,na:%s,%s\n", host,
					cal->date, backing_names[b], fig_names[f],
					fig_units[f], cb->why[f], method);
		}
	}
	return pcpu_wfile_commit(w);
}

/*
 * The range a calibration figure can have: entries 1 to 2^24 pages,
 * cycles 0.1 to 10^5 (finite). Anything else in a file is not used.
 */
static bool tlbcal_plausible(unsigned f, double v)
{
	if (!isfinite(v))
		return false;
	if (!strcmp(fig_units[f], "pages"))
		return v >= 1 && v <= (double)(1u << 24);
	return v >= 0.1 && v <= 1e5;
}

/* Split a CSV line (no quoting) in place. Return: number of fields. */
static int split_csv(char *s, char **fld, int max)
{
	int n = 0;

	fld[n++] = s;
	for (; *s && n < max; s++) {
		if (*s == ',') {
			*s = '\0';
			fld[n++] = s + 1;
		}
	}
	s = fld[n - 1];
	s[strcspn(s, "\r\n")] = '\0';
	return n;
}

int pcpu_tlbcal_load(const char *path, struct pcpu_tlbcal *cal)
{
	char line[1024], *fld[8], *text;
	enum pcpu_tlb_backing bk;
	bool header = false;
	unsigned f;
	size_t len;
	FILE *fp;
	int ret = 0;

	if (!path || !cal)
		return -EINVAL;
	/* A regular file of bounded size: a FIFO or device never blocks. */
	ret = pcpu_file_read(path, PCPU_FILE_MAX_SMALL, &text, &len, NULL, 0);
	if (ret)
		return ret;
	fp = len ? fmemopen(text, len, "r") : NULL;
	if (!fp) {
		free(text);
		return len ? -ENOMEM : -EINVAL;
	}
	memset(cal, 0, sizeof(*cal));
	while (fgets(line, sizeof(line), fp)) {
		if (!header) {
			if (strncmp(line, "host,date,backing,figure,", 25)) {
				ret = -EINVAL;
				break;
			}
			header = true;
			continue;
		}
		if (split_csv(line, fld, 8) != 8 ||
		    pcpu_tlb_backing_parse(fld[2], &bk)) {
			ret = -EINVAL;
			break;
		}
		snprintf(cal->host, sizeof(cal->host), "%s", fld[0]);
		snprintf(cal->date, sizeof(cal->date), "%s", fld[1]);
		snprintf(cal->method, sizeof(cal->method), "%s", fld[7]);
		cal->b[bk].valid = true;
		if (!strcmp(fld[3], "revision")) {
			snprintf(cal->revision, sizeof(cal->revision), "%s",
				 !strncmp(fld[6], "info:", 5) ? fld[6] + 5 : fld[6]);
			continue;
		}
		if (!strcmp(fld[3], "obtained")) {
			snprintf(cal->b[bk].obtained, sizeof(cal->b[bk].obtained),
				 "%s", !strncmp(fld[6], "info:", 5) ? fld[6] + 5 : fld[6]);
			continue;
		}
		for (f = 0; f < PCPU_TLBCAL_NR; f++)
			if (!strcmp(fld[3], fig_names[f]))
				break;
		if (f == PCPU_TLBCAL_NR)
			continue;	/* a figure from a newer version */
		if (!strcmp(fld[6], "found")) {
			char *end;
			double v = strtod(fld[4], &end);

			if (end == fld[4] || *end) {
				ret = -EINVAL;
				break;
			}
			/* A figure outside what a TLB can be is not used. */
			if (!tlbcal_plausible(f, v)) {
				cal->b[bk].value[f] = NAN;
				cal->b[bk].found[f] = false;
				snprintf(cal->b[bk].why[f], sizeof(cal->b[bk].why[f]),
					 "implausible(%.3g %s in the file)", v,
					 fig_units[f]);
				continue;
			}
			cal->b[bk].value[f] = v;
			cal->b[bk].found[f] = true;
		} else {
			cal->b[bk].value[f] = NAN;
			cal->b[bk].found[f] = false;
			snprintf(cal->b[bk].why[f], sizeof(cal->b[bk].why[f]), "%s",
				 !strncmp(fld[6], "na:", 3) ? fld[6] + 3 : fld[6]);
		}
	}
	if (!ret && !header)
		ret = -EINVAL;
	fclose(fp);
	free(text);
	return ret;
}
