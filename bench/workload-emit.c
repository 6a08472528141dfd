// SPDX-License-Identifier: GPL-2.0
/*
 * workload-emit.c - `pcpubench workload`: the rows of a pass: cycles per
 * iteration, the slowdowns against ptr and segment within a repetition,
 * the TLB share against the 4k pass; a difference within noise flagged.
 */
#include "workload.h"

const char *const wl_col_names[NCOLS] = {
	"strategy", "access", "layout", "pages", "accesses", "vars", "work",
	"page", "backing", "cpu",
};

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * Status of a per-repetition difference series @d: derived, or
 * flagged:within-noise when its interquartile range contains 0.
 */
static const char *noise_status(const double *d, size_t n)
{
	double s[1000], q1, q3;
	size_t k = 0, i;

	for (i = 0; i < n && k < 1000; i++)
		if (isfinite(d[i]))
			s[k++] = d[i];
	if (k < 2)
		return "derived";
	qsort(s, k, sizeof(double), cmp_double);
	q1 = pstats_quantile_sorted(s, k, 0.25);
	q3 = pstats_quantile_sorted(s, k, 0.75);
	return q1 <= 0 && q3 >= 0 ?
	       "flagged:within-noise(per-rep IQR contains 0)" : "derived";
}

/* One (pages, accesses, strategy) point of a pass: its series. */
struct wl_point {
	size_t s, pt, seg;		/* strategy, point, segment's index */
	const struct wl_live *l;
	const double *cy, *ns, *fl, *sg;	/* cycles: this, ptr, segment */
	const signed char *dy, *dfl, *dsg, *d4;	/* their disturbance flags */
};

/* The rows of a measured point, every repetition; @d, @d2 scratch. */
static int emit_point(struct wl_ctx *c, struct pout *out, struct wl_pass *ps,
		      const struct wl_pass *p4k, const struct wl_point *q,
		      const char **pv, double *d, double *d2)
{
	const struct wl_opts *o = c->o;
	const size_t nl = ps->nlive, R = (size_t)o->repeat, s = q->s;
	const size_t pt = q->pt, seg = q->seg;
	const struct wl_live *l = q->l;
	const double *cy = q->cy, *ns = q->ns, *fl = q->fl, *sg = q->sg;
	const signed char *dy = q->dy, *dfl = q->dfl, *dsg = q->dsg, *d4 = q->d4;
	const char *st_ptr, *st_seg = NULL, *st_tlb = NULL;
	char qb[256], na_seg[160], keep[64];
	int ret = 0, rep;

	/* A flagged sample is left out of the noise test. */
	for (rep = 0; rep < o->repeat; rep++) {
		d[rep] = dy[rep] || dfl[rep] ? NAN :
			 (cy[rep] - fl[rep]) / fl[rep] * 100;
		d2[rep] = sg && !dy[rep] && !dsg[rep] ?
			  (cy[rep] - sg[rep]) / sg[rep] * 100 : NAN;
	}
	st_ptr = noise_status(d, R);
	if (sg && ps->live[seg].na[0])
		snprintf(na_seg, sizeof(na_seg), "%s", ps->live[seg].na);
	else if (!sg)
		snprintf(na_seg, sizeof(na_seg), "na:no-segment(segment "
			 "not in --strategy)");
	else
		na_seg[0] = 0;
	if (!na_seg[0]) {
		snprintf(keep, sizeof(keep), "%s", noise_status(d2, R));
		st_seg = keep;
	}
	if (p4k) {
		const struct wl_live *l4 = &p4k->live[s];
		const double *c4 = &p4k->cyc[(pt * nl + s) * R];

		for (rep = 0; rep < o->repeat; rep++)
			d[rep] = dy[rep] || d4[rep] ? NAN :
				 (c4[rep] - cy[rep]) / c4[rep] * 100;
		st_tlb = l4->na[0] ? l4->na :
			 strcmp(l->backing, "thp") &&
			 strcmp(l->backing, "hugetlb") ?
			 "na:no-2m-pages(the 2m pass got no huge "
			 "pages)" : noise_status(d, R);
	}
	for (rep = 0; rep < o->repeat && !ret; rep++) {
		double v;
		/* this sample's flag, else the first reference's */
		const char *qs = NULL;
		int qf = dy[rep] ? dy[rep] : dfl[rep] ? dfl[rep] :
			 dsg && dsg[rep] ? dsg[rep] :
			 d4 && d4[rep] ? d4[rep] : 0;

		if (qf) {
			bq_flag(qb, sizeof(qb), (enum pq_why)(qf - 1),
				0);
			qs = qb;
		}
		ret = pout_row(out, pv, rep, "cycles_per_iter", cy[rep],
			       "cycles", !isfinite(cy[rep]) ?
			       "na:no-clock(core clock calibration "
			       "failed)" : dy[rep] ? qs : "ok");
		if (!ret && isfinite(ns[rep]))
			ret = pout_row(out, pv, rep, "ns_per_iter",
				       ns[rep], "ns", dy[rep] ? qs : "ok");
		if (!ret && isfinite(ps->ghz[rep]))
			ret = pout_row(out, pv, rep, "core_clock",
				       ps->ghz[rep], "GHz", "ok");
		v = (cy[rep] - fl[rep]) / fl[rep] * 100;
		if (!ret && s)
			ret = pout_row(out, pv, rep,
				       "slowdown_vs_ptr_pct", v, "%",
				       !isfinite(v) ?
				       "na:no-floor(ptr not measured)" :
				       dy[rep] || dfl[rep] ? qs : st_ptr);
		if (!ret && l->st.id != PCPU_S_SEGMENT) {
			v = st_seg ? (cy[rep] - sg[rep]) / sg[rep] * 100
				   : NAN;
			ret = pout_row(out, pv, rep,
				       "slowdown_vs_segment_pct",
				       isfinite(v) ? v : NAN, "%",
				       st_seg && isfinite(v) &&
				       (dy[rep] || dsg[rep]) ? qs :
				       st_seg && isfinite(v) ? st_seg :
				       na_seg[0] ? na_seg :
				       "na:no-segment(not measured)");
		}
		if (!ret && p4k) {
			const double *c4 = &p4k->cyc[(pt * nl + s) * R];

			v = (c4[rep] - cy[rep]) / c4[rep] * 100;
			if (!isfinite(v) && !POUT_IS_NA(st_tlb))
				st_tlb = "na:no-4k(the 4k pass has no "
					 "value)";
			ret = pout_row(out, pv, rep, "tlb_share_pct",
				       POUT_IS_NA(st_tlb) ? NAN : v, "%",
				       !POUT_IS_NA(st_tlb) &&
				       (dy[rep] || d4[rep]) ? qs : st_tlb);
		}
	}
	return ret;
}

int wl_emit_pass(struct wl_ctx *c, struct pout *out, struct wl_pass *ps,
		     const struct wl_pass *p4k)
{
	const struct wl_opts *o = c->o;
	size_t nl = ps->nlive, nm = o->nm, R = (size_t)o->repeat;
	size_t p, m, s, seg = (size_t)-1;
	double *d = calloc(R, sizeof(double)), *d2 = calloc(R, sizeof(double));
	char pages[24], acc[16], vars[16], work[16], cpu[16];
	int ret = 0, rep;

	if (!d || !d2) {
		free(d);
		free(d2);
		return -ENOMEM;
	}
	for (s = 0; s < nl; s++)
		if (ps->live[s].st.id == PCPU_S_SEGMENT)
			seg = s;
	snprintf(vars, sizeof(vars), "%u", o->vars);
	snprintf(work, sizeof(work), "%u", o->work);
	snprintf(cpu, sizeof(cpu), "%u", c->cpu);
	for (p = 0; p < o->npages; p++)
	for (m = 0; m < nm; m++)
	for (s = 0; s < nl; s++) {
		const struct wl_live *l = &ps->live[s];
		size_t pt = p * nm + m;
		const double *cy = &ps->cyc[(pt * nl + s) * R];
		const double *ns = &ps->ns[(pt * nl + s) * R];
		const double *fl = &ps->cyc[(pt * nl + 0) * R];
		const double *sg = seg != (size_t)-1 ?
				   &ps->cyc[(pt * nl + seg) * R] : NULL;
		const signed char *dy = &ps->dist[(pt * nl + s) * R];
		const signed char *dfl = &ps->dist[(pt * nl + 0) * R];
		const signed char *dsg = seg != (size_t)-1 ?
					 &ps->dist[(pt * nl + seg) * R] : NULL;
		const signed char *d4 = p4k ? &p4k->dist[(pt * nl + s) * R] :
					NULL;
		const char *pv[NCOLS];
		struct wl_point q;

		snprintf(pages, sizeof(pages), "%zu", o->pages[p]);
		snprintf(acc, sizeof(acc), "%u", o->m[m]);
		pv[C_STRATEGY] = l->st.name;
		pv[C_ACCESS] = l->st.access;
		pv[C_LAYOUT] = l->st.layout;
		pv[C_PAGES] = pages;
		pv[C_ACCESSES] = acc;
		pv[C_VARS] = vars;
		pv[C_WORK] = work;
		pv[C_PAGE] = ps->page;
		pv[C_BACKING] = l->backing;
		pv[C_CPU] = cpu;
		if (l->na[0]) {
			for (rep = 0; rep < o->repeat && !ret; rep++) {
				ret = pout_row(out, pv, rep, "cycles_per_iter",
					       NAN, "cycles", l->na);
				if (!ret && s)
					ret = pout_row(out, pv, rep,
						       "slowdown_vs_ptr_pct",
						       NAN, "%", l->na);
			}
			if (ret)
				break;
			continue;
		}
		q = (struct wl_point){ .s = s, .pt = pt, .seg = seg, .l = l,
			.cy = cy, .ns = ns, .fl = fl, .sg = sg, .dy = dy,
			.dfl = dfl, .dsg = dsg, .d4 = d4 };
		ret = emit_point(c, out, ps, p4k, &q, pv, d, d2);
		if (ret)
			break;
	}
	free(d);
	free(d2);
	return ret;
}
