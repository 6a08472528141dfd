/* SPDX-License-Identifier: GPL-2.0 */
/*
 * workload.h - the private interface of `pcpubench workload`:
 * cmd-workload.c (strategies, options, the command: options -> plan ->
 * run -> emit), workload-run.c (the working set, the runtimes, one
 * repetition), workload-emit.c (the rows).
 */
#ifndef PCPUBENCH_WORKLOAD_H
#define PCPUBENCH_WORKLOAD_H

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "bench-common.h"
#include "bench-quiet.h"
#include "pcpu-access.h"
#include "pcpu-stats.h"
#include "pcpu-sysinfo.h"
#include "pcpu-timing.h"
#include "pcpu-version.h"
#include "pcpubench.h"

#define WL_REGION (64 * 1024)	/* per-CPU region the variables spread over */
#define WL_MAX_PAGES (1UL << 18)	/* P at most 1 GiB of 4 KiB pages */
#define WL_MAX_M 256
#define WL_MAX_WORK 4096
#define WL_MAX_LIST 32

#define WL_PTR (-1)	/* the floor: not a pcpu strategy */

struct wl_strat {
	int id;			/* enum pcpu_strategy_id, or WL_PTR */
	const char *name, *access, *layout;
	al_wl_fn fn;		/* NULL: no loop here (reason in na) */
	bool needs_rseq;
};

struct wl_opts {
	int strat[PCPU_NR_STRATEGIES];
	size_t nstrat;
	size_t pages[WL_MAX_LIST], npages;
	unsigned m[WL_MAX_LIST];
	size_t nm;
	bool page4k, page2m;
	unsigned vars, work;
	int repeat, tries, cpu, quiet;
	double min_time;
	uint64_t seed;
	bool place_fixed;	/* --placement fixed: no spacer per repetition */
	enum pout_format fmt;
	const char *out;
};

struct wset {
	char *map;		/* max P pages, 4 KiB, no THP */
	size_t max_pages;
	uint32_t *order;	/* scratch: page order */
};

struct wl_live {
	struct wl_strat st;
	struct pcpu_rt *rt;	/* NULL for ptr (uses the floor's unit) */
	pcpu_off_t region;
	char na[160];
	char backing[32];
};

/* One pass: all strategies at one per-CPU backing. */
struct wl_pass {
	const char *page;	/* "4k" or "2m" */
	size_t nlive;
	struct wl_live live[PCPU_NR_STRATEGIES + 2];
	/* cyc[((pi * nm + mi) * nlive + si) * repeat + rep] */
	double *cyc, *ns, *ghz;
	/* per sample as cyc: 0 quiet, 1 + enum pq_why no quiet batch */
	signed char *dist;
	uint64_t *iters;	/* batch size per (P, M), from the first rep */
};

struct wl_ctx {
	const struct wl_opts *o;
	unsigned cpu;
	double tsc_hz;
	struct wset ws;
	/* per live strategy: its variables' unit offsets (make_offs) */
	uintptr_t offs[PCPU_NR_STRATEGIES + 2][WL_REGION / 64];
	volatile uintptr_t zero;
	double t_start;
	int progress;
	uint64_t rng;		/* visiting order */
};

enum {
	C_STRATEGY, C_ACCESS, C_LAYOUT, C_PAGES, C_ACCESSES, C_VARS, C_WORK,
	C_PAGE, C_BACKING, C_CPU, NCOLS
};

/* workload-run.c */
int wl_wset_make(struct wset *w, size_t pages);
void wl_wset_free(struct wset *w);
void wl_live_down(struct wl_live *l);
int wl_pass_alloc(struct wl_ctx *c, struct wl_pass *ps);
int wl_run_rep(struct wl_ctx *c, struct wl_pass *ps, bool huge,
		   const struct pcpu_sysinfo *si, cpu_set_t *orig, int rep);
/* workload-emit.c */
extern const char *const wl_col_names[NCOLS];
int wl_emit_pass(struct wl_ctx *c, struct pout *out, struct wl_pass *ps,
		     const struct wl_pass *p4k);
/* cmd-workload.c */
void wl_strat_fill(struct wl_strat *s, int id);

#endif
