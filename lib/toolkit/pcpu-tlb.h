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

/**
 * pcpu_tlbcal_default_path() - $PCPU_CALIBRATION, else
 * $XDG_CACHE_HOME/pcpubench/tlb-calibration.csv, else
 * $HOME/.cache/pcpubench/tlb-calibration.csv. Static storage.
 * Return: the path, or NULL when none can be formed.
 */
const char *pcpu_tlbcal_default_path(void);

/**
 * pcpu_tlbcal_save() - write @cal as CSV (header
 * "host,date,backing,figure,value,unit,status,method") through the
 * checked writer (lib/toolkit/pcpu-wfile.h: a regular file or a new
 * name only, never a device node; no directory is created).
 * Return: 0; -EINVAL; -errno of pcpu_wfile_open() (EEXIST, ENOENT,
 * ETXTBSY, EXDEV ...) or of the write (ENOSPC, EIO ...).
 */
int pcpu_tlbcal_save(const char *path, const struct pcpu_tlbcal *cal);

/**
 * pcpu_tlbcal_cache_dir() - create the directory of @path (the cache
 * default of pcpu_tlbcal_default_path(), never a path the user gave).
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
