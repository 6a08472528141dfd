// SPDX-License-Identifier: GPL-2.0
/*
 * access-emit.c - `pcpubench access`: the rows (one per sample and
 * metric, the floor, the counters) and the metadata.
 */
#include "access-cmd.h"

static const char *strat_name(enum pcpu_strategy_id id)
{
	return id == ACC_S_FLOOR ? "ptr" : pcpu_strategy_name(id);
}

const char *const acc_col_names[NCOLS] = {
	"strategy", "access", "layout", "cpuid", "op", "mode", "vars",
	"pressure", "cold_pages", "page", "placement", "phase", "backing",
	"cpu",
};

void acc_row_params(struct rowctx *rc, const struct point *p,
		       const char *page, const char *placement,
		       const char *phase, const char *backing, unsigned cpu)
{
	snprintf(rc->vars, sizeof(rc->vars), "%zu", p->vars);
	snprintf(rc->pressure, sizeof(rc->pressure), "%zu", p->pressure);
	snprintf(rc->cpu, sizeof(rc->cpu), "%u", cpu);
	if (p->cold)
		snprintf(rc->cold, sizeof(rc->cold), "%zu", p->cold_k);
	else
		snprintf(rc->cold, sizeof(rc->cold), "-");
	rc->v[COL_STRATEGY] = strat_name(p->strat);
	rc->v[COL_ACCESS] = al_access_name(p->method);
	rc->v[COL_LAYOUT] = p->strat == ACC_S_FLOOR ? "none" :
		pcpu_layout_name(pcpu_strategy_layout(p->strat));
	rc->v[COL_CPUID] = al_cpuid_name(p->cpuid);
	rc->v[COL_OP] = al_op_name(p->op);
	rc->v[COL_MODE] = p->cold ? AL_MODE_COLD_NAME : al_mode_name(p->mode);
	rc->v[COL_VARS] = rc->vars;
	rc->v[COL_PRESSURE] = rc->pressure;
	rc->v[COL_COLD_PAGES] = rc->cold;
	rc->v[COL_PAGE] = page;
	rc->v[COL_PLACEMENT] = placement;
	rc->v[COL_PHASE] = phase;
	rc->v[COL_BACKING] = backing;
	rc->v[COL_CPU] = rc->cpu;
}

int acc_emit(struct pout *out, struct rowctx *rc, int rep, const char *m,
		double v, const char *unit, const char *status)
{
	int r;

	if (!POUT_IS_NA(status) && !isfinite(v)) {
		v = NAN;
		status = "na:not-finite(the measurement gave no number)";
	}
	r = pout_row(out, rc->v, rep + rc->rep_base, m, v, unit, status);
	return r;
}

/*
 * The sanity check of a path-mode inc: its chain holds a whole read path
 * plus an add, so it cannot be faster than the read path of the same
 * point; when it is, the core forwarded the stored value to the next
 * load (memory renaming) and the lookup is hidden. Flagged, not hidden.
 */
const char *acc_sanity(const struct point *pts, size_t n,
			  const struct point *p, int rep)
{
	size_t i;

	if (p->mode != AL_MODE_PATH || p->op != AL_OP_INC || p->cold ||
	    p->minimal)
		return "ok";
	for (i = 0; i < n; i++) {
		const struct point *q = &pts[i];

		if (q->strat == p->strat && q->cpuid == p->cpuid &&
		    q->op == AL_OP_READ && q->mode == AL_MODE_PATH &&
		    !q->cold && !q->minimal && q->vars == p->vars &&
		    q->pressure == p->pressure && !q->na[0])
			return q->qflag[rep] ? "ok" : p->cyc[rep] < q->cyc[rep] ?
				"flagged:below-read-path(a stored value was "
				"forwarded to a later load; memory renaming "
				"hides the path; try more --vars)" : "ok";
	}
	return "ok";
}

/*
 * The quiet check's verdict on @p's repetition @rep (bench-quiet.h):
 * NULL when the sample stands, else its flagged: status in @buf.
 */
const char *acc_qstatus(const struct point *p, int rep, char *buf,
			   size_t len)
{
	if (p->na[0] || !p->qflag[rep])
		return NULL;
	if (p->qflag[rep] < 0)
		snprintf(buf, len, "flagged:not-positive(a cycle count not "
			 "above zero or the 2N batch not slower than N: no "
			 "measurement)");
	else
		bq_flag(buf, len, (enum pq_why)(p->qflag[rep] - 1),
			p->qtries[rep]);
	return buf;
}

/* cycles_over_floor of @p's repetition @rep (the floor itself: 0). */
int acc_emit_floor(struct pout *out, struct rowctx *rc, int rep,
		      const struct point *p, const struct point *fl)
{
	const char *st = "derived";
	char qb[PCNT_STATUS_LEN];

	if (p->na[0])
		st = p->na;
	else if (!fl)
		st = "na:no-floor(no ptr point measured alike)";
	else if (fl->na[0])
		st = fl->na;
	else if (acc_qstatus(p, rep, qb, sizeof(qb)) ||
		 acc_qstatus(fl, rep, qb, sizeof(qb)))
		st = qb;
	return acc_emit(out, rc, rep, "cycles_over_floor",
		    POUT_IS_NA(st) ? NAN : p->cyc[rep] - fl->cyc[rep],
		    "cycles", st);
}

/* Rows of a cold point or of the minimal loop. */
int acc_emit_special(struct pout *out, struct rowctx *rc,
			const struct point *p, const struct point *fl,
			int repeat)
{
	int rep, ret = 0;

	for (rep = 0; !ret && rep < repeat; rep++) {
		char qb[PCNT_STATUS_LEN];
		const char *st = p->na[0] ? p->na : acc_qstatus(p, rep, qb,
							    sizeof(qb));

		st = st ? st : "ok";

		if (p->minimal) {
			ret = acc_emit(out, rc, rep, "minimal_loop_cycles_per_op",
				   p->cyc[rep], "cycles", st);
			continue;
		}
		ret = acc_emit(out, rc, rep, "pages_on_path", p->pages, "pages",
			   p->na[0] ? p->na : p->pages_status);
		ret = ret ? ret : acc_emit(out, rc, rep, "cold_cycles", p->cyc[rep],
				       "cycles", st);
		ret = ret ? ret : acc_emit_floor(out, rc, rep, p, fl);
	}
	return ret;
}

/*
 * Marks of a counter row: with more than one counter pass, the pass that
 * counted it (<stem>_pass; values of different passes come from
 * different runs of the same loop); when the kernel time-shared it,
 * time_running/time_enabled (<stem>_time_running_frac).
 */
int acc_emit_counter_marks(struct pout *out, struct rowctx *rc, int rep,
			      const struct pcnt_session *cs, size_t e,
			      const struct pcnt_result *r)
{
	char m[PCNT_NAME_LEN + 32];
	int ret = 0;

	if (pcnt_npasses(cs) > 1 && r->pass != PCNT_PASS_NONE &&
	    !POUT_IS_NA(r->status)) {
		pcnt_metric_name(m, sizeof(m), pcnt_event(cs, e)->name, "_pass");
		ret = acc_emit(out, rc, rep, m, r->pass < 0 ? 1 : r->pass + 1,
			   "pass", "ok");
	}
	if (!ret && !strcmp(r->status, "multiplexed") && r->enabled) {
		pcnt_metric_name(m, sizeof(m), pcnt_event(cs, e)->name,
				 "_time_running_frac");
		ret = acc_emit(out, rc, rep, m,
			   (double)r->running / (double)r->enabled, "fraction",
			   "ok");
	}
	return ret;
}

static int cmp_cold_med(const void *x, const void *y)
{
	const double *a = x, *b = y;

	return a[0] != b[0] ? (a[0] < b[0] ? -1 : 1) :
	       a[1] < b[1] ? -1 : a[1] > b[1];
}

/*
 * Text output only: one line per K, cost against pages on the path,
 * sorted by pages then cycles (medians over repetitions), above the
 * table: "cold 4k K=8192: 1p segment 112 | ... | 3p offset-array/tls 423".
 */
void acc_cold_summary(struct run_ctx *c, struct pout *out,
			 const struct point *pts, size_t npts, const char *page)
{
	size_t ki, i, m;
	double (*e)[3] = calloc(npts ? npts : 1, sizeof(*e));

	if (!e)
		return;
	for (ki = 0; ki < c->ncold; ki++) {
		char line[1024], key[64];
		size_t len = 0;

		m = 0;
		for (i = 0; i < npts; i++) {
			const struct point *p = &pts[i];
			struct pstats st;

			if (!p->cold || p->cold_k != c->cold[ki] || p->na[0] ||
			    pstats_compute(p->cyc, (size_t)c->o->repeat, &st))
				continue;
			e[m][0] = isfinite(p->pages) ? p->pages : 99;
			e[m][1] = st.median;
			e[m][2] = (double)i;
			m++;
		}
		qsort(e, m, sizeof(*e), cmp_cold_med);
		line[0] = '\0';
		for (i = 0; i < m && len < sizeof(line) - 80; i++) {
			const struct point *p = &pts[(size_t)e[i][2]];
			char pg[8];

			if (isfinite(p->pages))
				snprintf(pg, sizeof(pg), "%.0fp", p->pages);
			else
				snprintf(pg, sizeof(pg), "?p");
			len += (size_t)snprintf(line + len, sizeof(line) - len,
						"%s%s %s%s%s %.0f", i ? " | " : "", pg,
						strat_name(p->strat),
						p->cpuid == AL_CPUID_IMPLICIT ? "" : "/",
						p->cpuid == AL_CPUID_IMPLICIT ? "" :
						al_cpuid_name(p->cpuid), e[i][1]);
		}
		if (!m)
			continue;
		snprintf(key, sizeof(key), "cold %s K=%zu (pages on path, "
			 "cycles)", page, c->cold[ki]);
		pout_meta(out, key, line);
	}
	free(e);
}

/* Metadata: the JSON "meta" block, the CSV sidecar FILE.meta.json (pout). */
void acc_meta_str(struct pout *out, const char *k, const char *v)
{
	pout_meta(out, k, v);
}

void acc_meta_num(struct pout *out, const char *k, double v, const char *fmt)
{
	char b[64];

	snprintf(b, sizeof(b), fmt, v);
	acc_meta_str(out, k, b);
}
