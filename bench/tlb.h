/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tlb.h - the parts of `pcpubench tlb` (bench/cmd-tlb.c: options, plan,
 * the command's phases; bench/tlb-run.c: the sweeps and the calibration
 * they give; bench/tlb-emit.c: rows, text and the calibration file).
 * Internal to the tlb command.
 */
#ifndef PCPU_BENCH_TLB_H
#define PCPU_BENCH_TLB_H

#include <stdbool.h>
#include <stdio.h>

#include "pcpu-counters.h"
#include "pcpu-cpuid.h"
#include "pcpu-out.h"
#include "pcpu-tlb.h"

#define TLB_MAX_POINTS 256
#define TLB_PER_OCTAVE 8
#define TLB_MIN_STEPS 100000UL
#define TLB_DEFAULT_REPEAT 11

/* The definition of entries, in the help, the text and the metadata. */
#define TLB_ENTRIES_DEF \
	"the working set (4 KiB pages) where the chase-minus-control curve " \
	"has climbed 10% of the level's step (from the plateau below to the " \
	"one above: about a tenth of the accesses miss the level), " \
	"log2-interpolated between grid points; the median over the sweeps " \
	"(repetitions), each on the combined curve's plateaus; run pinned " \
	"to one CPU"

struct tlb_opts {
	bool backing[PCPU_TLB_NR_BACKINGS];
	double pts[TLB_MAX_POINTS];
	size_t npts;
	unsigned long repeat;
	enum pout_format fmt;
	const char *out;
	const char *cal_path;	/* --save-calibration */
	bool no_save;
	long hugetlb_reserve;	/* -1: leave alone */
};

/* PMU: dTLB-load-misses, when it opens. */
struct tlb_pmu {
	struct pcnt_session *ss;
	size_t idx;
	bool ok;
	char na[PCNT_STATUS_LEN];
};

/* One backing's measurements: [pattern][point][rep]; a rep is a sweep. */
struct tlb_run {
	bool done;
	bool no_core_clock;	/* calibration failed: cycles are NA */
	struct pcpu_tlb_buf buf;
	bool hugetlb_tried;
	double *cyc[2], *ns[2];
	double *miss[2];	/* dTLB misses per access, NaN when NA */
	signed char *dist[2];	/* 0 quiet, 1 + enum pq_why (bench-quiet.h) */
	double med[2][TLB_MAX_POINTS], noise[2][TLB_MAX_POINTS];
	double excess[TLB_MAX_POINTS], excess_noise[TLB_MAX_POINTS];
	/* The curve the detector saw: the points with a quiet sample of
	 * both patterns (fit.x, fit.y point here). */
	double fx[TLB_MAX_POINTS], fy[TLB_MAX_POINTS], fnoise[TLB_MAX_POINTS];
	size_t nfit, nmissing;
	struct pcpu_tlb_fit fit;
	int fit_ret;
	struct pcpu_tlbcal_backing cal;
	double *sweep;		/* [rep][2]: each sweep's L1, L2 entries */
	char l1d_why[200];	/* "" or why the L1d check failed */
	char pmu_check[128];	/* "" or a flagged:<why> */
};

/* What the run knows besides the options. */
struct tlb_ctx {
	struct pcpu_cpuid_info ci;
	struct tlb_pmu pm;
	double tsc_hz;
	double *core_hz;	/* [backing][rep] */
	double core_med;
	int progress;		/* a progress line was printed */
};

/* tlb-run.c */
void tlb_pmu_open(struct tlb_pmu *pm);
int tlb_run_backing(const struct tlb_opts *o, enum pcpu_tlb_backing bk,
		    struct tlb_run *r, struct tlb_ctx *c);
void tlb_run_free(struct tlb_run *r);

/* tlb-emit.c */
int tlb_emit_rows(struct pout *po, const struct tlb_opts *o,
		  struct tlb_run *runs, const struct tlb_pmu *pm);
void tlb_text_report(FILE *f, const struct tlb_opts *o, struct tlb_run *runs,
		     const struct tlb_ctx *c);
int tlb_save_calibration(const struct tlb_opts *o, struct tlb_run *runs);
int tlb_emit(const struct tlb_opts *o, struct tlb_run *runs,
	     const struct tlb_ctx *c);

#endif /* PCPU_BENCH_TLB_H */
