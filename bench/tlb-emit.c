// SPDX-License-Identifier: GPL-2.0
/*
 * tlb-emit.c - what `pcpubench tlb` writes (tlb.h): the rows (every
 * sample, the derived excess, the figures of each backing), the text
 * report (curve, fit, figures beside CPUID, the sweeps and their
 * verdict), the metadata, and the calibration file the access command
 * and `pcpubench info` read.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-common.h"
#include "bench-quiet.h"
#include "pcpu-timing.h"
#include "pcpu-version.h"
#include "pcpu-wfile.h"
#include "pcpubench.h"
#include "tlb-cal.h"
#include "tlb.h"

static const char *const pattern_names[] = { "chase", "control" };

#define TLB_NA_CLOCK "na:no-core-clock(the core clock calibration failed; " \
	"ns_per_access is valid)"

/* ---- rows ------------------------------------------------------------- */

/* Every sample of one point and pattern, and the point's excess. */
static int emit_point(struct pout *po, const struct tlb_opts *o,
		      const struct tlb_run *r, const struct tlb_pmu *pm,
		      const char **pv, unsigned pat, size_t j)
{
	size_t R = o->repeat, i;
	char qb[256];
	int ret = 0;

	for (i = 0; i < R; i++) {
		int dq = r->dist[pat][j * R + i];
		double miss = r->miss[pat][j * R + i];

		if (dq)
			bq_flag(qb, sizeof(qb), (enum pq_why)(dq - 1), 0);
		ret |= pout_row(po, pv, (int)i, "cycles_per_access",
				r->cyc[pat][j * R + i], "cycles",
				r->no_core_clock ? TLB_NA_CLOCK : dq ? qb : "ok");
		ret |= pout_row(po, pv, (int)i, "ns_per_access",
				r->ns[pat][j * R + i], "ns", dq ? qb : "ok");
		if (pm->ok && pat == 0)
			ret |= pout_row(po, pv, (int)i, "dtlb_misses_per_access",
					miss, "misses", !isfinite(miss) ?
					"na:counter-read-failed" :
					r->pmu_check[0] ? r->pmu_check : "ok");
	}
	if (pat == 0)
		ret |= pout_row(po, pv, -1, "tlb_excess_cycles", r->excess[j],
				"cycles", r->no_core_clock ? TLB_NA_CLOCK :
				!isfinite(r->excess[j]) ?
				"na:no-quiet-sample(every sample of the point "
				"was disturbed)" : "derived");
	return ret;
}

/* The figures and the fit of one backing (pattern "summary"). */
static int emit_summary(struct pout *po, const struct tlb_run *r,
			const struct tlb_pmu *pm, const char **pv)
{
	static const char *const hn[2] = { "l1_dtlb_half_pages",
					   "l2_tlb_half_pages" };
	char st[80];
	unsigned f;
	int ret = 0;

	for (f = 0; f < PCPU_TLBCAL_NR; f++) {
		snprintf(st, sizeof(st), "na:%s", r->cal.why[f]);
		ret |= pout_row(po, pv, -1, pcpu_tlbcal_figure_name(f),
				r->cal.found[f] ? r->cal.value[f] : NAN,
				pcpu_tlbcal_figure_unit(f),
				r->cal.found[f] ? "derived" : st);
	}
	for (f = 0; f < 2; f++)
		ret |= pout_row(po, pv, -1, hn[f], r->cal.half[f], "pages",
				isfinite(r->cal.half[f]) ? "derived" :
				"na:no-step-in-range");
	ret |= pout_row(po, pv, -1, "fit_steps", r->fit.nsteps, "count", "derived");
	ret |= pout_row(po, pv, -1, "fit_r2", r->fit.r2, "ratio", "derived");
	ret |= pout_row(po, pv, -1, "fit_rms_cycles", r->fit.rms_resid, "cycles",
			r->no_core_clock ? TLB_NA_CLOCK : "derived");
	ret |= pout_row(po, pv, -1, "fit_noise_cycles", r->fit.noise, "cycles",
			r->no_core_clock ? TLB_NA_CLOCK : "derived");
	ret |= pout_row(po, pv, -1, "huge_page_fraction", r->buf.huge_fraction,
			"ratio", "ok");
	if (!pm->ok)
		ret |= pout_row(po, pv, -1, "dtlb_misses_per_access", NAN,
				"misses", pm->na);
	return ret;
}

int tlb_emit_rows(struct pout *po, const struct tlb_opts *o,
		  struct tlb_run *runs, const struct tlb_pmu *pm)
{
	unsigned bk, pat;
	char pg[32];
	size_t j;
	int ret = 0;

	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++) {
		struct tlb_run *r = &runs[bk];
		const char *pv[3];

		if (!r->done)
			continue;
		pv[0] = pcpu_tlb_backing_name(bk);
		for (pat = 0; pat < 2; pat++) {
			pv[1] = pattern_names[pat];
			for (j = 0; j < o->npts; j++) {
				snprintf(pg, sizeof(pg), "%.0f", o->pts[j]);
				pv[2] = pg;
				ret |= emit_point(po, o, r, pm, pv, pat, j);
			}
		}
		pv[1] = "summary";
		pv[2] = "all";
		ret |= emit_summary(po, r, pm, pv);
	}
	return ret;
}

/* ---- text ------------------------------------------------------------- */

static void cpuid_cell(char *buf, size_t len, const struct pcpu_cpuid_info *ci,
		       const char *level, unsigned page_kb)
{
	const struct pcpu_cpuid_tlb *t = pcpu_cpuid_find_tlb(ci, level, page_kb, true);

	if (!t)
		snprintf(buf, len, "not reported");
	else if (t->ways)
		snprintf(buf, len, "%u (%u-way)", t->entries, t->ways);
	else
		snprintf(buf, len, "%u (full)", t->entries);
}

/* "L1 92 92 91 ..; L2 4380 4397 ..": each sweep's entries. */
static void sweeps_line(FILE *f, const struct tlb_opts *o,
			const struct tlb_run *r)
{
	static const char *const lv[2] = { "L1", "L2" };
	size_t i;
	int k;

	for (k = 0; k < 2; k++) {
		if (!isfinite(r->cal.spread[k]) && !r->cal.sweeps_used[k])
			continue;
		fprintf(f, "sweeps %s:", lv[k]);
		for (i = 0; i < o->repeat; i++) {
			double v = r->sweep[2 * i + k];

			if (isfinite(v))
				fprintf(f, " %.0f", v);
			else
				fprintf(f, " -");
		}
		fprintf(f, "; median %.0f, spread %.1f%%, %u of %u off by >10%%\n",
			r->cal.value[k ? PCPU_TLBCAL_L2_ENTRIES :
				     PCPU_TLBCAL_L1_ENTRIES],
			100 * r->cal.spread[k], r->cal.sweeps_off[k],
			r->cal.sweeps_used[k]);
	}
	fprintf(f, "calibration: %s\n", r->cal.stability);
}

/* One backing's curve and fit. */
static void text_curve(FILE *f, const struct tlb_opts *o,
		       const struct tlb_run *r, enum pcpu_tlb_backing bk,
		       double core_med)
{
	size_t j;

	fprintf(f, "\n%s backing: obtained %s (%.0f%% on 2 MiB pages; smaps "
		"AnonHugePages %lu kB, hugetlb %lu kB)\n",
		pcpu_tlb_backing_name(bk), r->buf.obtained,
		100 * r->buf.huge_fraction, r->buf.anon_huge_kb,
		r->buf.hugetlb_kb);
	fprintf(f, "%8s %10s %10s %10s %9s\n", "pages", "chase cyc",
		"control", "excess", "chase ns");
	for (j = 0; j < o->npts; j++)
		fprintf(f, "%8.0f %10.2f %10.2f %10.2f %9.2f\n", o->pts[j],
			r->med[0][j], r->med[1][j], r->excess[j],
			r->med[0][j] * 1e9 / core_med);
	fprintf(f, "fit: %u step(s), r2 %.3f, rms %.2f cycles, noise %.2f cycles\n",
		r->fit.nsteps, r->fit.r2, r->fit.rms_resid, r->fit.noise);
	for (j = 0; j < r->fit.nsteps; j++)
		fprintf(f, "  step %zu: onset %.0f pages, 10%% %.0f, half %.0f, "
			"+%.2f cycles, z %.0f, ramp x%.2f\n", j + 1,
			r->fit.step[j].pages, r->fit.step[j].pages_entries,
			r->fit.step[j].pages_half, r->fit.step[j].height,
			r->fit.step[j].z, r->fit.step[j].ramp);
	sweeps_line(f, o, r);
}

/* The figures of every backing beside CPUID's geometry. */
static void text_figures(FILE *f, struct tlb_run *runs,
			 const struct pcpu_cpuid_info *ci)
{
	unsigned bk, fg;

	fprintf(f, "\n%-16s %-7s %-19s %s\n", "figure", "backing", "measured", "cpuid");
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++) {
		struct tlb_run *r = &runs[bk];
		unsigned pkb = bk == PCPU_TLB_2M ? 2048 : 4;

		if (!r->done)
			continue;
		for (fg = 0; fg < PCPU_TLBCAL_NR; fg++) {
			char m[32], c[32] = "";

			if (r->cal.found[fg])
				snprintf(m, sizeof(m), "%.*f %s", fg < 2 ? 0 : 1,
					 r->cal.value[fg], fg < 2 ? "pg" : "cyc");
			else
				snprintf(m, sizeof(m), "NA");
			if (fg <= PCPU_TLBCAL_L2_ENTRIES && r->cal.found[fg])
				snprintf(m, sizeof(m), "%.0f (half %.0f)",
					 r->cal.value[fg], r->cal.half[fg]);
			if (fg == PCPU_TLBCAL_L1_ENTRIES)
				cpuid_cell(c, sizeof(c), ci, "L1", pkb);
			else if (fg == PCPU_TLBCAL_L2_ENTRIES)
				cpuid_cell(c, sizeof(c), ci, "L2", pkb);
			fprintf(f, "%-16s %-7s %-19s %s%s%s\n",
				pcpu_tlbcal_figure_name(fg), pcpu_tlb_backing_name(bk),
				m, c, r->cal.found[fg] ? "" : "  ",
				r->cal.found[fg] ? "" : r->cal.why[fg]);
		}
	}
	fprintf(f, "cpuid TLB source: %s\n", ci->tlb_source ? ci->tlb_source :
		"not reported");
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++) {
		char d[200];

		if (!runs[bk].done)
			continue;
		for (fg = PCPU_TLBCAL_L1_ENTRIES; fg <= PCPU_TLBCAL_L2_ENTRIES; fg++)
			if (pcpu_tlbcal_cpuid_disagree(&runs[bk].cal, bk, ci,
						       fg, d, sizeof(d)) == 1)
				fprintf(f, "disagreement: %s\n", d);
	}
}

/* 2m against 4k: does a 2 MiB guest page extend the reach, cheapen walks? */
static void text_compare(FILE *f, struct tlb_run *runs)
{
	const struct pcpu_tlbcal_backing *a = &runs[0].cal, *b = &runs[1].cal;
	double ratio, wa, wb;

	if (!runs[0].done || !runs[1].done || !a->found[0] || !b->found[0] ||
	    runs[1].buf.huge_fraction <= 0.9)
		return;
	ratio = b->value[0] / a->value[0];
	fprintf(f, "\n2m vs 4k: L1 reach %.0f vs %.0f x 4 KiB pages: %s\n",
		b->value[0], a->value[0],
		ratio < 4 ? "2 MiB guest pages do NOT extend TLB reach here "
		"(the TLB holds 4 KiB translations: the host backs the "
		"guest with 4 KiB pages, or splinters them)" :
		"2 MiB pages extend TLB reach");
	if (!a->found[PCPU_TLBCAL_WALK_CYCLES] || !b->found[PCPU_TLBCAL_WALK_CYCLES])
		return;
	wa = a->value[PCPU_TLBCAL_WALK_CYCLES];
	wb = b->value[PCPU_TLBCAL_WALK_CYCLES];
	fprintf(f, "walk: %.1f cycles with 2m vs %.1f with 4k (%+.0f%%): %s\n",
		wb, wa, 100 * (wb / wa - 1), wb < 0.9 * wa ?
		"cheaper walks with 2 MiB guest pages (one level shorter)" :
		"no cheaper walk measured with 2 MiB pages");
}

void tlb_text_report(FILE *f, const struct tlb_opts *o, struct tlb_run *runs,
		     const struct tlb_ctx *c)
{
	const struct pcpu_cpuid_info *ci = &c->ci;
	unsigned bk;

	fprintf(f, "pcpubench tlb: %s (%s), %s%s%s\n", ci->brand, ci->vendor,
		ci->hypervisor ? "guest of " : "bare metal",
		ci->hypervisor ? ci->hypervisor_vendor : "", "");
	fprintf(f, "TSC %.0f MHz, core %.0f MHz (%s), %lu reps, medians\n",
		c->tsc_hz / 1e6, c->core_med / 1e6, pt_cycles_source(), o->repeat);
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++)
		if (runs[bk].done)
			text_curve(f, o, &runs[bk], bk, c->core_med);
	fprintf(f, "\nmethod: %s\nentries: %s\n", runs[0].done ?
		runs[0].fit.method : runs[1].fit.method, TLB_ENTRIES_DEF);
	text_figures(f, runs, ci);
	fprintf(f, "dTLB misses: %s\n", c->pm.ok ? "counted (dTLB-load-misses)" :
		c->pm.na);
	text_compare(f, runs);
}

/* ---- the calibration file --------------------------------------------- */

int tlb_save_calibration(const struct tlb_opts *o, struct tlb_run *runs)
{
	struct pcpu_tlbcal cal;
	const char *path;
	bool cache_default = false;
	unsigned bk, f;
	time_t now;
	int ret;

	memset(&cal, 0, sizeof(cal));
	gethostname(cal.host, sizeof(cal.host) - 1);
	now = time(NULL);
	strftime(cal.date, sizeof(cal.date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	snprintf(cal.revision, sizeof(cal.revision), "%s", PCPU_GIT_REV);
	snprintf(cal.method, sizeof(cal.method),
		 "pcpubench tlb: chase minus control; %lu reps; %zu points %.0f-%.0f; cycles %s",
		 o->repeat, o->npts, o->pts[0], o->pts[o->npts - 1], pt_cycles_source());
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++) {
		if (!runs[bk].done)
			continue;
		for (f = 0; runs[bk].no_core_clock && f < PCPU_TLBCAL_NR; f++)
			if (!strcmp(pcpu_tlbcal_figure_unit(f), "cycles")) {
				runs[bk].cal.found[f] = false;
				snprintf(runs[bk].cal.why[f], sizeof(runs[bk].cal.why[f]),
					 "no-core-clock(calibration failed)");
			}
		cal.b[bk] = runs[bk].cal;
	}
	if (o->no_save)
		return EXIT_OK;
	path = o->cal_path ? o->cal_path : tlbcal_path(&cache_default);
	/* Only the cache default gets its directory created. */
	if (path && !o->cal_path && cache_default)
		pcpu_tlbcal_cache_dir(path);
	ret = path ? pcpu_tlbcal_save(path, &cal) : -ENOENT;
	if (ret) {
		fprintf(stderr, "pcpubench tlb: calibration not saved to '%s': "
			"%s\n", path ? bc_arg(path) : "(no path)",
			pcpu_wfile_strerror(ret));
		return EXIT_IO;
	}
	fprintf(stderr, "pcpubench tlb: calibration saved to %s\n", path);
	return EXIT_OK;
}

/* ---- emit ------------------------------------------------------------- */

/* The text report to stdout or -o (checked writer for a file). */
static int emit_text(const struct tlb_opts *o, struct tlb_run *runs,
		     const struct tlb_ctx *c)
{
	struct pcpu_wfile *w = NULL;
	FILE *f = stdout;
	int r, rc = EXIT_OK;

	if (o->out && pout_path_check(o->out) == 0) {
		r = pcpu_wfile_open(&w, o->out, &f);
		if (r)
			return bc_path_msg("tlb", "-o", o->out, r);
	} else if (o->out && strcmp(o->out, "-") && strcmp(o->out, "/dev/stdout")) {
		rc = bc_out_check("tlb", o->out);
		if (rc)
			return rc;
		f = fopen(o->out, "a");	/* /dev/null, /dev/stderr, /dev/fd/N */
		if (!f)
			return bc_path_msg("tlb", "-o", o->out, -errno);
	}
	tlb_text_report(f, o, runs, c);
	if (w) {
		r = pcpu_wfile_commit(w);
		if (r) {
			fprintf(stderr, "pcpubench tlb: writing '%s': %s (output "
				"not written)\n", bc_arg(o->out), strerror(-r));
			rc = EXIT_IO;
		}
	} else if (f != stdout && (ferror(f) | fclose(f))) {
		fprintf(stderr, "pcpubench tlb: writing '%s': %s\n", o->out,
			strerror(errno));
		rc = EXIT_IO;
	}
	return rc;
}

/* The metadata of the rows: clocks, method, what each backing obtained,
 * the definition of entries and each backing's verdict. */
static void emit_meta(struct pout *po, struct tlb_run *runs,
		      const struct tlb_ctx *c)
{
	char buf[400], key[48];
	unsigned bk;

	pout_meta(po, "cycles_source", pt_cycles_source());
	snprintf(buf, sizeof(buf), "%.0f", c->tsc_hz);
	pout_meta(po, "tsc_hz", buf);
	snprintf(buf, sizeof(buf), "%.0f", c->core_med);
	pout_meta(po, "core_hz_median", buf);
	pout_meta(po, "cpuid_tlb_source", c->ci.tlb_source ? c->ci.tlb_source :
		  "not reported");
	pout_meta(po, "method", runs[0].done ? runs[0].fit.method :
		  runs[1].fit.method);
	pout_meta(po, "entries", TLB_ENTRIES_DEF);
	pout_meta(po, "pages_unit", "4 KiB pages touched, one line each (chase) "
		  "or same lines in pages/32 (control)");
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++) {
		const struct pcpu_tlbcal_backing *cb = &runs[bk].cal;

		if (!runs[bk].done)
			continue;
		snprintf(key, sizeof(key), "obtained_%s", pcpu_tlb_backing_name(bk));
		pout_meta(po, key, runs[bk].buf.obtained);
		snprintf(key, sizeof(key), "calibration_%s", pcpu_tlb_backing_name(bk));
		snprintf(buf, sizeof(buf), "%s; sweeps %u, spread L1 %.1f%% "
			 "L2 %.1f%%", cb->stability, cb->sweeps,
			 100 * cb->spread[0], 100 * cb->spread[1]);
		pout_meta(po, key, buf);
	}
}

int tlb_emit(const struct tlb_opts *o, struct tlb_run *runs,
	     const struct tlb_ctx *c)
{
	static const char *const pnames[] = { "page", "pattern", "pages" };
	struct pout *po = NULL;
	unsigned bk;
	int rc;

	if (o->fmt == POUT_TEXT)
		return emit_text(o, runs, c);
	rc = bc_out_open("tlb", &po, o->fmt, o->out, "tlb", pnames, 3);
	if (rc)
		return rc;
	emit_meta(po, runs, c);
	bq_meta(po, "tlb", 0);
	bq_meta(po, "tlb", 1);
	tlb_emit_rows(po, o, runs, &c->pm);	/* errors are kept: at close */
	rc = bc_out_close("tlb", po);
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++)
		if (runs[bk].pmu_check[0])
			rc = EXIT_FAIL;
	return rc;
}
