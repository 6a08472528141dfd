/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-tlb.h - TLB characterisation by timing: pointer chase, step
 * detector and the calibration store.
 *
 * The chase (lmbench "tlb", Calibrator, torvalds/test-tlb): one cache line
 * per 4 KiB page, the pages of the first N pages of a buffer visited in a
 * random cyclic order. The line used moves within the page from page to
 * page, so the N lines spread over all cache sets instead of aliasing in
 * one. The *control* visits the same number N of distinct lines (same data
 * footprint, same reuse distance) packed into N/32 pages (one line of each
 * 128-byte pair, alternating by page), grouped 16 pages at a time, so it
 * takes almost no TLB misses; chase minus control is the TLB's share.
 * "pages" is always counted in 4 KiB pages: with a 2 MiB backing the same
 * addresses are visited, so a TLB that caches 2 MiB translations shows no
 * step where the 4 KiB one does.
 *
 * The detector is a pure function over (pages[], cycles[]) so tests can
 * feed it synthetic curves. It reports a step only when the data has one
 * (see pcpu_tlb_detect()).
 *
 * "Entries", one definition for both levels (L1 dTLB, second-level TLB):
 * the working set, in 4 KiB pages, at which the curve has climbed
 * PCPU_TLB_ENTRIES_FRAC (a tenth) of the way from the plateau below the
 * level's step to the plateau above it: about a tenth of the accesses
 * miss the level. Interpolated in log2 between the two grid points around
 * it, so it moves continuously with the data instead of jumping a grid
 * step. For an LRU TLB of C entries that is C; for random replacement
 * (miss rate m = 1 - exp(-m N / C)) it is 1.05 C. The onset (last point
 * still on the lower plateau) and the half-height crossing stay in the
 * fit for the reader; the onset is not used: where a level's rise is
 * gradual (random replacement, the refill after every TLB flush of a
 * kernel entry) it lands anywhere on that rise.
 *
 * Files: pcpu-tlb.c (buffers, chase), pcpu-tlb-detect.c (detector,
 * crossing), pcpu-tlbcal.c (calibration, sweeps, file).
 *
 * Nothing here prints or exits; functions return 0 or -errno.
 */
#ifndef PCPU_TLB_H
#define PCPU_TLB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PCPU_TLB_PAGE 4096UL
#define PCPU_TLB_LINE 64UL
#define PCPU_TLB_HUGE (2UL << 20)

/* ---- buffers ---------------------------------------------------------- */

enum pcpu_tlb_backing {
	PCPU_TLB_4K,		/* 4 KiB pages (MADV_NOHUGEPAGE) */
	PCPU_TLB_2M,		/* 2 MiB: hugetlb if reserved, else THP */
	PCPU_TLB_NR_BACKINGS
};

/* "4k", "2m" */
const char *pcpu_tlb_backing_name(enum pcpu_tlb_backing b);
/* Return: 0 with *b set; -EINVAL unknown name. */
int pcpu_tlb_backing_parse(const char *s, enum pcpu_tlb_backing *b);

struct pcpu_tlb_buf {
	void *base;		/* 2 MiB aligned */
	size_t len;
	void *map;		/* what to munmap */
	size_t map_len;
	enum pcpu_tlb_backing backing;
	/* What was obtained, from /proc/self/smaps after touching it all. */
	unsigned long rss_kb, anon_huge_kb, hugetlb_kb;
	unsigned long kernel_page_kb;	/* smaps KernelPageSize */
	/* "4k", "thp", "thp-partial", "hugetlb", "4k (thp refused)" ... */
	char obtained[48];
	/* Fraction of the buffer on 2 MiB pages (0..1). */
	double huge_fraction;
};

/**
 * pcpu_tlb_buf_alloc() - map and touch a buffer of @len bytes.
 * @b: filled on success.
 * @len: rounded up to 2 MiB.
 * @backing: 4k asks for MADV_NOHUGEPAGE; 2m tries MAP_HUGETLB when
 *	@use_hugetlb (fails over to THP when the pool is short), else
 *	MADV_HUGEPAGE on a 2 MiB-aligned anonymous mapping.
 *
 * What was actually obtained is read back from /proc/self/smaps into
 * @b->obtained and @b->huge_fraction; never assumed.
 *
 * Return: 0; -EINVAL; -ENOMEM.
 */
int pcpu_tlb_buf_alloc(struct pcpu_tlb_buf *b, size_t len,
		       enum pcpu_tlb_backing backing, bool use_hugetlb);
void pcpu_tlb_buf_free(struct pcpu_tlb_buf *b);

/**
 * pcpu_tlb_smaps() - sizes from the smaps entry (VMA) containing @addr.
 * Return: 0; -ENOENT no such mapping; -errno opening smaps.
 */
int pcpu_tlb_smaps(const void *addr, unsigned long *rss_kb,
		   unsigned long *anon_huge_kb, unsigned long *hugetlb_kb,
		   unsigned long *kernel_page_kb);

/* ---- chase ------------------------------------------------------------ */

enum pcpu_tlb_pattern {
	PCPU_TLB_CHASE,		/* one line per page, random page order */
	PCPU_TLB_CONTROL,	/* same lines, packed in N/32 pages */
};

/**
 * pcpu_tlb_build() - link a cyclic chain of @npages lines in @b.
 * @head: the first element.
 * @seed: permutation seed (xorshift).
 *
 * Return: 0; -EINVAL @npages is 0 or does not fit in the buffer; -ENOMEM.
 */
int pcpu_tlb_build(const struct pcpu_tlb_buf *b, size_t npages,
		   enum pcpu_tlb_pattern pat, uint64_t seed, void **head);

/**
 * pcpu_tlb_walk() - follow the chain for @steps loads (rounded up to 16).
 * @head: in: where to start; out: where it stopped.
 *
 * The loop is a bare dependent load chain, no call per access.
 * Return: TSC ticks taken (rdtsc before, rdtscp after).
 */
uint64_t pcpu_tlb_walk(void **head, size_t steps);

/* ---- detector --------------------------------------------------------- */

#define PCPU_TLB_MAX_STEPS 8
/* Fewer entries than any L1 dTLB of a current x86 core (pages). */
#define PCPU_TLB_L1_MIN 32
/* Cycles within which a curve point is on the base (no TLB miss). */
#define PCPU_TLB_BASE_TOL 1.0
/* Fraction of a step that defines a level's entries (see above). */
#define PCPU_TLB_ENTRIES_FRAC 0.1

struct pcpu_tlb_detect_params {
	double min_z;		/* step / its standard error; default 8 */
	double min_sigmas;	/* step / point noise; default 4 */
	double min_height;	/* absolute, in the curve's unit; default 1.0 */
	unsigned min_plateau;	/* points per plateau; default 3 */
	double max_ramp;	/* x90 / x10 of a step; default 16 */
};

/* Defaults as documented above. */
void pcpu_tlb_detect_defaults(struct pcpu_tlb_detect_params *p);

struct pcpu_tlb_step {
	double pages;		/* onset: last point still on the lower plateau */
	double pages_half;	/* where the curve crosses half the step */
	double pages_entries;	/* where it crosses PCPU_TLB_ENTRIES_FRAC */
	double pages_from;	/* first point of the plateau below */
	double height;		/* upper minus lower plateau (medians) */
	double z;		/* height / its standard error */
	double ramp;		/* x90 / x10 */
	size_t idx;		/* index of the first point of the upper plateau */
};

struct pcpu_tlb_fit {
	unsigned nsteps;
	struct pcpu_tlb_step step[PCPU_TLB_MAX_STEPS];
	double level[PCPU_TLB_MAX_STEPS + 1];	/* plateau medians */
	double noise;		/* sigma of one point used for the tests */
	double rms_resid;	/* of the piecewise-constant fit */
	double r2;		/* of the piecewise-constant fit */
	unsigned rejected;	/* candidate splits refused (too small, etc.) */
	double pages_max;	/* last x of the curve */
	double x0, y0;		/* the curve's first point */
	size_t npoints;
	/* The curve the fit was made from: the caller's arrays, valid as
	 * long as they are (pcpu_tlbcal_from_fit() reads them). */
	const double *x, *y;
	const char *method;
};

/**
 * pcpu_tlb_detect() - find upward steps in a latency curve.
 * @pages: x values, strictly increasing, > 0.
 * @y: the curve (cycles per access, normally chase minus control).
 * @noise: per-point standard error of @y, or NULL to estimate it from the
 *	curve (robust spread of successive differences).
 * @n: number of points.
 * @p: thresholds, or NULL for defaults.
 * @fit: the result; steps sorted by position.
 *
 * Binary segmentation in log2(pages), piecewise constant, plateau levels
 * as medians. A split is kept only if the upper plateau is higher by at
 * least min_height, min_sigmas x noise and min_z standard errors, both
 * sides have min_plateau points, and the rise from 10% to 90% spans at
 * most max_ramp in pages; otherwise the curve has no step there and none
 * is reported. The noise used is the larger of the supplied per-point
 * noise (median) and the estimate from successive differences.
 *
 * Return: 0 (zero steps is a valid result); -EINVAL bad arguments.
 */
int pcpu_tlb_detect(const double *pages, const double *y, const double *noise,
		    size_t n, const struct pcpu_tlb_detect_params *p,
		    struct pcpu_tlb_fit *fit);

/**
 * pcpu_tlb_crossing() - where a curve climbs @frac of the way from @lower
 * to @upper.
 * @pages, @y, @n: the curve (@y may hold NaN: missing points, skipped).
 * @from: search from this x on (the start of the plateau below).
 *
 * The first point at or after @from above the half height, then back
 * from it to the last point at or below the threshold; the crossing is
 * interpolated in log2(pages) between that point and the next.
 * Return: pages; NaN when the curve never passes half height after
 * @from, starts above the threshold, or @upper <= @lower.
 */
double pcpu_tlb_crossing(const double *pages, const double *y, size_t n,
			 double lower, double upper, double frac, double from);

/* ---- calibration ------------------------------------------------------ */

/* The figures, one list: id, CSV metric name, unit. */
#define PCPU_TLBCAL_FIGURES(X)                                    \
	X(L1_ENTRIES, "l1_dtlb_entries", "pages")                  \
	X(L2_ENTRIES, "l2_tlb_entries", "pages")                   \
	X(L2_HIT_CYCLES, "l2_hit_cycles", "cycles")                \
	X(WALK_CYCLES, "walk_cycles", "cycles")                    \
	X(WALK_FAR_CYCLES, "walk_far_cycles", "cycles")

enum pcpu_tlbcal_figure {
#define PCPU_X_ENUM(id, name, unit) PCPU_TLBCAL_##id,
	PCPU_TLBCAL_FIGURES(PCPU_X_ENUM)
#undef PCPU_X_ENUM
	PCPU_TLBCAL_NR
};

const char *pcpu_tlbcal_figure_name(enum pcpu_tlbcal_figure f);
const char *pcpu_tlbcal_figure_unit(enum pcpu_tlbcal_figure f);

struct pcpu_tlbcal_backing {
	bool valid;		/* this backing was measured */
	char obtained[48];	/* what the 2m buffer really was */
	double value[PCPU_TLBCAL_NR];
	bool found[PCPU_TLBCAL_NR];
	char why[PCPU_TLBCAL_NR][64];	/* reason when not found */
	/* Half-height crossings of the L1 and L2 steps (pages); NaN when not
	 * found. Reported, not saved. */
	double half[2];
	/* The L1 and L2 steps of the combined curve, for the sweeps:
	 * plateaus below and above, where the one below starts. */
	double lower[2], upper[2], from[2];
	/*
	 * Sweeps combined (pcpu_tlbcal_combine()): per level, the sweeps
	 * that gave a figure, those more than 10% off their median, and
	 * the robust relative spread (1.4826 MAD / median) of their
	 * figures; NaN when not measured. Saved.
	 */
	unsigned sweeps, sweeps_used[2], sweeps_off[2];
	double spread[2];
	/* "stable", "unstable: <why>", or "" (not judged). Saved. */
	char stability[320];
};

struct pcpu_tlbcal {
	char host[64];
	char date[32];		/* UTC, ISO 8601 */
	char revision[48];	/* pcpubench revision that measured it; "" unknown */
	char method[160];
	struct pcpu_tlbcal_backing b[PCPU_TLB_NR_BACKINGS];
};

/**
 * pcpu_tlbcal_from_fit() - turn a detector result into figures.
 * The first step is the L1 dTLB reach only when the plateau below it is
 * the base (near zero and flat from the first point); otherwise the L1
 * figures are NA with the reason: "too-few-points-near-step" (the curve
 * rises inside its first plateau, a step with too few points on one
 * side) or "l1-step-below-first-point" (the curve starts above zero
 * beyond PCPU_TLB_L1_MIN pages). The plateau after the L1 step, minus the base, is the L2 hit;
 * the first later step at least as high as that is the second-level
 * reach (else the highest later step). The longest
 * plateau after it (in octaves), minus the base, is a walk with the page
 * tables in cache; the last plateau, when it comes after that one, is the
 * walk beyond. Smaller steps in between stay in the fit, not the figures.
 */
void pcpu_tlbcal_from_fit(struct pcpu_tlbcal_backing *cb,
			  const struct pcpu_tlb_fit *fit);

/*
 * Per-sweep spread (robust relative SD) above which a level is unstable,
 * and how many sweeps must give a figure. On the Zen 5 guest the runs
 * that agreed with each other had L2 spreads of 0.2-1%, those shifted by
 * a co-runner (a thread sharing the core's TLBs, which the guest cannot
 * see) 2-12%, one of them 4.8% with its L2 22% low.
 */
#define PCPU_TLBCAL_MAX_SPREAD 0.03
#define PCPU_TLBCAL_MIN_SWEEPS 3

/**
 * pcpu_tlbcal_sweep_entries() - one sweep's L1 and L2 entries, on the
 * levels of the combined curve (@cb after pcpu_tlbcal_from_fit()).
 * @pages, @y, @n: the sweep's own curve (chase minus control of one
 *	repetition; NaN where its sample was disturbed).
 * @out: out[0] L1, out[1] L2; NaN where the level was not found or
 *	the sweep does not cross it (pcpu_tlb_crossing()).
 */
void pcpu_tlbcal_sweep_entries(const struct pcpu_tlbcal_backing *cb,
			       const double *pages, const double *y, size_t n,
			       double out[2]);

/**
 * pcpu_tlbcal_combine() - the sweeps combined: each found level's entries
 * become the median of the sweeps' figures (when at least
 * PCPU_TLBCAL_MIN_SWEEPS gave one; else the combined curve's stays),
 * with their spread; and the verdict in @cb->stability: "stable" when
 * every found level has enough sweeps, a spread of at most
 * PCPU_TLBCAL_MAX_SPREAD and @disturbed is NULL or empty; else
 * "unstable: " and each reason (the spread, too few sweeps, @disturbed).
 * @per: per[2 * i + k], sweep i, level k (0 L1, 1 L2), NaN for none.
 * @disturbed: a reason found by the caller (e.g. pcpu_tlb_l1d_check()).
 */
void pcpu_tlbcal_combine(struct pcpu_tlbcal_backing *cb, const double *per,
			 size_t nsweeps, const char *disturbed);

/**
 * pcpu_tlbcal_mark_shared() - @cb was measured in a run whose @seen_in
 * pass found the L1d shared (pcpu_tlb_l1d_check()): the core's other
 * thread is the machine's state, not a backing's, so @cb's verdict
 * becomes "unstable: L1d shared in this run's <seen_in> pass: ..." (or
 * gains that reason when already unstable).
 */
void pcpu_tlbcal_mark_shared(struct pcpu_tlbcal_backing *cb,
			     const char *seen_in);

/**
 * pcpu_tlb_l1d_check() - did the control run with the whole L1 data cache?
 * @pages, @control, @n: the control's medians (cycles) per point; its
 *	N lines are 64 * N bytes.
 * @l1d_kb: the L1 data cache of CPUID, 0 when not reported.
 * @why: filled when the check fails.
 *
 * The control's lines fit the L1 data cache up to its size: at the
 * largest point at most 3/4 of it, the control must be within 15% of
 * its level at the smallest points. If it is not, something else held
 * part of the cache (and, likely, of the TLBs) during the run: another
 * thread on this core, which the batch checks cannot see (a sibling
 * hyperthread of the host).
 * Return: 1 failed (@why filled); 0 passed or not applicable.
 */
int pcpu_tlb_l1d_check(const double *pages, const double *control, size_t n,
		       unsigned l1d_kb, char *why, size_t len);

/**
 * pcpu_tlbcal_path() - where the calibration file is, from what the
 * caller read (the library reads no environment).
 * @buf, @len: the path.
 * @given: a path the user named (the program's $PCPU_CALIBRATION), or
 *	NULL/"".
 * @xdg_cache_home, @home: the program's $XDG_CACHE_HOME and $HOME, or
 *	NULL/"": the cache default is XDG_CACHE_HOME/pcpubench/
 *	tlb-calibration.csv, else HOME/.cache/pcpubench/tlb-calibration.csv.
 *
 * Return: 0 @given; 1 the cache default (its directory may be created,
 * pcpu_tlbcal_cache_dir()); -ENOENT no path can be formed;
 * -ENAMETOOLONG; -EINVAL.
 */
int pcpu_tlbcal_path(char *buf, size_t len, const char *given,
		     const char *xdg_cache_home, const char *home);

/**
 * pcpu_tlbcal_save() - write @cal as CSV (header
 * "host,date,backing,figure,value,unit,status,method"; after each
 * backing's figures its sweeps' rows, l1_dtlb_spread and l2_tlb_spread
 * (ratio) and stability (status info:<verdict>), when judged) through the
 * checked writer (lib/toolkit/pcpu-wfile.h: a regular file or a new
 * name only, never a device node; no directory is created).
 * Return: 0; -EINVAL; -errno of pcpu_wfile_open() (EEXIST, ENOENT,
 * ETXTBSY, EXDEV ...) or of the write (ENOSPC, EIO ...).
 */
int pcpu_tlbcal_save(const char *path, const struct pcpu_tlbcal *cal);

/**
 * pcpu_tlbcal_cache_dir() - create the directory of @path (the program's
 * cache default, never a path the user gave).
 * Return: 0; -errno of mkdir().
 */
int pcpu_tlbcal_cache_dir(const char *path);

/**
 * pcpu_tlbcal_load() - read a file written by pcpu_tlbcal_save().
 * Return: 0; -ENOENT no file; -EINVAL malformed; -errno from open.
 */
int pcpu_tlbcal_load(const char *path, struct pcpu_tlbcal *cal);

struct pcpu_cpuid_info;

/**
 * pcpu_tlbcal_cpuid_disagree() - does CPUID's TLB geometry disagree with
 * the measured reach by a factor of 2 or more?
 * @cb: one backing of a calibration.
 * @bk: which backing (4k compares 4 KiB TLBs, 2m 2 MiB ones).
 * @ci: CPUID as decoded by pcpu_cpuid_read().
 * @f: PCPU_TLBCAL_L1_ENTRIES or PCPU_TLBCAL_L2_ENTRIES.
 * @buf: on disagreement, one sentence saying so.
 *
 * Return: 1 disagreement (@buf filled); 0 agreement or nothing to compare
 * (figure not found, CPUID silent); -EINVAL bad arguments.
 */
int pcpu_tlbcal_cpuid_disagree(const struct pcpu_tlbcal_backing *cb,
			       enum pcpu_tlb_backing bk,
			       const struct pcpu_cpuid_info *ci,
			       enum pcpu_tlbcal_figure f, char *buf, size_t len);

#endif /* PCPU_TLB_H */
