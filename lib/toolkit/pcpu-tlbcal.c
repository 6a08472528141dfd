// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-tlbcal.c - the TLB calibration (pcpu-tlb.h): figures from a
 * detector fit, the sweeps combined with their spread and a stability
 * verdict, the CPUID comparison, and the calibration file (save/load).
 * The path is the caller's: nothing here reads the environment.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pcpu-cpuid.h"
#include "pcpu-file.h"
#include "pcpu-tlb.h"
#include "pcpu-wfile.h"

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
	cb->lower[0] = cb->upper[0] = cb->from[0] = NAN;
	cb->lower[1] = cb->upper[1] = cb->from[1] = NAN;
	if (have_l1) {
		cb->lower[0] = fit->level[0];
		cb->upper[0] = fit->level[1];
		cb->from[0] = s[0].pages_from;
		cal_set(cb, PCPU_TLBCAL_L1_ENTRIES, isfinite(s[0].pages_entries),
			s[0].pages_entries, "no-crossing");
		cal_set(cb, PCPU_TLBCAL_L2_HIT_CYCLES, true,
			fit->level[1] - fit->level[0], NULL);
	} else {
		cal_set(cb, PCPU_TLBCAL_L1_ENTRIES, false, 0, l1_why);
		cal_set(cb, PCPU_TLBCAL_L2_HIT_CYCLES, false, 0, l1_why);
	}
	/*
	 * The second-level reach is the first later rise at least twice an
	 * L2 hit and a fifth of the largest later rise (a walk costs several
	 * second-level hits: 7 vs 200 cycles on the Zen 5 guest, 7-9 vs 25+
	 * on bare metal; smaller rises are the L1d-to-L2-cache move not
	 * quite cancelled by the control, or a co-runner's noise on the way
	 * up); failing that, the largest later rise. Without an L1 step, the
	 * first step is a candidate; the L2 hit is then the rise below it
	 * (unresolved) or the level it starts from (L1 below the first
	 * point).
	 */
	first2 = have_l1 ? 1 : 0;
	{
		double hit = have_l1 ? s[0].height :
			     !strcmp(l1_why, "too-few-points-near-step") ? rise :
			     k ? fit->level[0] : 0;
		double top = 0;

		for (i = first2; i < k; i++)
			top = fmax(top, s[i].height);
		for (i = first2; i < k && !l2; i++)
			if (s[i].height >= fmax(2 * hit, 0.2 * top))
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
	/*
	 * The L2 entries: a tenth of the way from the L2-hit plateau to the
	 * walk plateau (which the step reaches through any smaller steps of
	 * its rise).
	 */
	/* from the L2-hit plateau: smaller steps between it and the L2
	 * step are part of the rise */
	cb->lower[1] = have_l1 ? fit->level[1] : fit->level[l2];
	cb->upper[1] = fmax(fit->level[walk + 1], fit->level[l2 + 1]);
	cb->from[1] = have_l1 ? s[1].pages_from : s[l2].pages_from;
	{
		double e = s[l2].pages_entries;

		if ((cb->upper[1] != fit->level[l2 + 1] ||
		     cb->lower[1] != fit->level[l2]) && fit->x && fit->y)
			e = pcpu_tlb_crossing(fit->x, fit->y, fit->npoints,
					      cb->lower[1], cb->upper[1],
					      PCPU_TLB_ENTRIES_FRAC, cb->from[1]);
		cal_set(cb, PCPU_TLBCAL_L2_ENTRIES, isfinite(e), e,
			"no-crossing");
	}
	if (walk + 1 < k)
		cal_set(cb, PCPU_TLBCAL_WALK_FAR_CYCLES, true,
			fit->level[k] - base, NULL);
	else
		cal_set(cb, PCPU_TLBCAL_WALK_FAR_CYCLES, false, 0,
			"no-step-beyond-walk-plateau");
}

/* ---- sweeps combined -------------------------------------------------- */

void pcpu_tlbcal_sweep_entries(const struct pcpu_tlbcal_backing *cb,
			       const double *pages, const double *y, size_t n,
			       double out[2])
{
	static const enum pcpu_tlbcal_figure fg[2] = {
		PCPU_TLBCAL_L1_ENTRIES, PCPU_TLBCAL_L2_ENTRIES };
	int k;

	for (k = 0; k < 2; k++)
		out[k] = cb && cb->found[fg[k]] ?
			 pcpu_tlb_crossing(pages, y, n, cb->lower[k],
					   cb->upper[k], PCPU_TLB_ENTRIES_FRAC,
					   cb->from[k]) : NAN;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_sorted(const double *v, size_t n)
{
	return n & 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Append "; " and a formatted reason to @buf. */
static void why_add(char *buf, size_t len, const char *what)
{
	size_t l = strlen(buf);

	if (l < len)
		snprintf(buf + l, len - l, "%s%s", l ? "; " : "", what);
}

/* One level: median, spread and counts over the sweeps' figures. */
static void combine_level(struct pcpu_tlbcal_backing *cb, int k,
			  enum pcpu_tlbcal_figure f, const double *per,
			  size_t nsw, double *v, char *why, size_t len)
{
	static const char *const lv[2] = { "L1", "L2" };
	size_t i, q = 0, off = 0;
	double m, mad;
	char b[96];

	for (i = 0; i < nsw; i++)
		if (isfinite(per[2 * i + k]) && per[2 * i + k] > 0)
			v[q++] = per[2 * i + k];
	cb->sweeps_used[k] = q;
	cb->sweeps_off[k] = 0;
	cb->spread[k] = NAN;
	if (q < PCPU_TLBCAL_MIN_SWEEPS) {
		snprintf(b, sizeof(b), "%s: %zu of %zu sweeps cross the step",
			 lv[k], q, nsw);
		why_add(why, len, b);
		return;
	}
	qsort(v, q, sizeof(*v), cmp_d);
	m = median_sorted(v, q);
	for (i = 0; i < q; i++)
		if (fabs(v[i] - m) > 0.1 * m)
			off++;
	for (i = 0; i < q; i++)
		v[i] = fabs(v[i] - m);
	qsort(v, q, sizeof(*v), cmp_d);
	mad = median_sorted(v, q);
	cb->sweeps_off[k] = off;
	cb->spread[k] = 1.4826 * mad / m;
	cb->value[f] = m;
	if (cb->spread[k] > PCPU_TLBCAL_MAX_SPREAD) {
		snprintf(b, sizeof(b), "%s sweeps spread %.0f%% (%zu of %zu "
			 "off >10%%)", lv[k], 100 * cb->spread[k], off, q);
		why_add(why, len, b);
	}
}

void pcpu_tlbcal_combine(struct pcpu_tlbcal_backing *cb, const double *per,
			 size_t nsweeps, const char *disturbed)
{
	static const enum pcpu_tlbcal_figure fg[2] = {
		PCPU_TLBCAL_L1_ENTRIES, PCPU_TLBCAL_L2_ENTRIES };
	char why[sizeof(cb->stability)] = "";
	double *v;
	int k;

	if (!cb)
		return;
	cb->sweeps = nsweeps;
	cb->spread[0] = cb->spread[1] = NAN;
	cb->sweeps_used[0] = cb->sweeps_used[1] = 0;
	cb->sweeps_off[0] = cb->sweeps_off[1] = 0;
	v = nsweeps ? malloc(nsweeps * sizeof(*v)) : NULL;
	for (k = 0; k < 2; k++)
		if (cb->found[fg[k]] && per && v)
			combine_level(cb, k, fg[k], per, nsweeps, v, why,
				      sizeof(why));
	free(v);
	if (disturbed && *disturbed)
		why_add(why, sizeof(why), disturbed);
	if (!cb->found[fg[0]] && !cb->found[fg[1]])
		why_add(why, sizeof(why), "no level found");
	snprintf(cb->stability, sizeof(cb->stability), "%s%s",
		 why[0] ? "unstable: " : "stable", why);
}

void pcpu_tlbcal_mark_shared(struct pcpu_tlbcal_backing *cb,
			     const char *seen_in)
{
	char was[sizeof(cb->stability)];

	if (!cb || !seen_in)
		return;
	snprintf(was, sizeof(was), "%s", cb->stability);
	if (strncmp(was, "stable", 6))	/* unstable already: add */
		snprintf(cb->stability, sizeof(cb->stability), "%.200s; L1d "
			 "shared in this run's %s pass", was, seen_in);
	else
		snprintf(cb->stability, sizeof(cb->stability), "unstable: L1d "
			 "shared in this run's %s pass: another thread on this "
			 "core", seen_in);
}

int pcpu_tlb_l1d_check(const double *pages, const double *control, size_t n,
		       unsigned l1d_kb, char *why, size_t len)
{
	double lines = l1d_kb * 1024.0 / PCPU_TLB_LINE, base, at = NAN, x = 0;
	double v[3];
	size_t i, nb = 0;

	if (why && len)
		why[0] = '\0';
	if (!pages || !control || !l1d_kb || !why || !len)
		return 0;
	for (i = 0; i < n && nb < 3; i++)
		if (isfinite(control[i]))
			v[nb++] = control[i];
	for (i = 0; i < n; i++) {
		if (pages[i] <= 0.75 * lines && pages[i] >= 4 * PCPU_TLB_L1_MIN &&
		    isfinite(control[i])) {
			at = control[i];
			x = pages[i];
		}
	}
	if (nb < 3 || !isfinite(at))
		return 0;
	qsort(v, nb, sizeof(*v), cmp_d);
	base = v[1];
	if (!(base > 0) || at <= 1.15 * base)
		return 0;
	snprintf(why, len, "L1d shared (control at %.0f lines, 3/4 of the "
		 "%u KiB L1d: %.1f vs %.1f cyc): another thread on this core",
		 x, l1d_kb, at, base);
	return 1;
}

/* ---- CPUID and the file ----------------------------------------------- */

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

int pcpu_tlbcal_path(char *buf, size_t len, const char *given,
		     const char *xdg_cache_home, const char *home)
{
	int n, r = 1;

	if (!buf || !len)
		return -EINVAL;
	buf[0] = '\0';
	if (given && *given) {
		n = snprintf(buf, len, "%s", given);
		r = 0;
	} else if (xdg_cache_home && *xdg_cache_home) {
		n = snprintf(buf, len, "%s/pcpubench/tlb-calibration.csv",
			     xdg_cache_home);
	} else if (home && *home) {
		n = snprintf(buf, len, "%s/.cache/pcpubench/tlb-calibration.csv",
			     home);
	} else {
		return -ENOENT;
	}
	if (n < 0 || (size_t)n >= len) {
		buf[0] = '\0';
		return -ENAMETOOLONG;
	}
	return r;
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

static const char *const spread_names[2] = { "l1_dtlb_spread",
					     "l2_tlb_spread" };

/* The sweeps' rows of one backing: spreads and the verdict. */
static void save_sweeps(FILE *fp, const char *host, const char *date,
			const char *bk, const char *method,
			const struct pcpu_tlbcal_backing *cb)
{
	char st[sizeof(cb->stability)];
	int k;

	if (!cb->stability[0])
		return;
	for (k = 0; k < 2; k++) {
		if (isfinite(cb->spread[k]))
			fprintf(fp, "%s,%s,%s,%s,%.4f,ratio,found,%s\n", host,
				date, bk, spread_names[k], cb->spread[k], method);
		else
			fprintf(fp, "%s,%s,%s,%s,NA,ratio,na:not-measured,%s\n",
				host, date, bk, spread_names[k], method);
	}
	csv_clean(st, sizeof(st), cb->stability);
	fprintf(fp, "%s,%s,%s,stability,NA,,info:%s,%s\n", host, date, bk, st,
		method);
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
			pcpu_tlb_backing_name(b), obt, method);
		if (cal->revision[0]) {
			csv_clean(obt, sizeof(obt), cal->revision);
			fprintf(fp, "%s,%s,%s,revision,NA,,info:%s,%s\n", host,
				cal->date, pcpu_tlb_backing_name(b), obt, method);
		}
		for (f = 0; f < PCPU_TLBCAL_NR; f++) {
			if (cb->found[f])
				fprintf(fp, "%s,%s,%s,%s,%.3f,%s,found,%s\n", host,
					cal->date, pcpu_tlb_backing_name(b), fig_names[f],
					cb->value[f], fig_units[f], method);
			else
				fprintf(fp, "%s,%s,%s,%s,NA,%s,na:%s,%s\n", host,
					cal->date, pcpu_tlb_backing_name(b), fig_names[f],
					fig_units[f], cb->why[f], method);
		}
		save_sweeps(fp, host, cal->date, pcpu_tlb_backing_name(b),
			    method, cb);
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

/*
 * The sweeps' rows (save_sweeps()) into @cb. A spread outside 0..10 is
 * not used. Return: 1 the row was one of them; 0 not.
 */
static int load_sweeps(struct pcpu_tlbcal_backing *cb, char **fld)
{
	int k;

	if (!strcmp(fld[3], "stability")) {
		snprintf(cb->stability, sizeof(cb->stability), "%s",
			 !strncmp(fld[6], "info:", 5) ? fld[6] + 5 : fld[6]);
		return 1;
	}
	for (k = 0; k < 2; k++) {
		char *end;
		double v;

		if (strcmp(fld[3], spread_names[k]))
			continue;
		v = strtod(fld[4], &end);
		cb->spread[k] = end != fld[4] && !*end && isfinite(v) &&
				v >= 0 && v <= 10 ? v : NAN;
		return 1;
	}
	return 0;
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
	for (f = 0; f < PCPU_TLB_NR_BACKINGS; f++)
		cal->b[f].spread[0] = cal->b[f].spread[1] = NAN;
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
		if (load_sweeps(&cal->b[bk], fld))
			continue;
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
