/* SPDX-License-Identifier: GPL-2.0 */
/*
 * access-cmd.h - the private interface of `pcpubench access`, whose
 * phases live in one file each: access-opts.c (read the options),
 * access-run.c (bring up the runtimes, plan the points, run them, emit
 * their rows), access-cold.c (the floor and the cold reads),
 * access-measure.c (one sample), access-emit.c (rows and metadata),
 * cmd-access.c (the command: options -> plan -> run -> emit).
 */
#ifndef PCPUBENCH_ACCESS_CMD_H
#define PCPUBENCH_ACCESS_CMD_H

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/prctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pcpu-version.h"
#include "pcpu.h"
#include "pcpu-access.h"
#include "pcpu-counters.h"
#include "pcpu-out.h"
#include "pcpu-stats.h"
#include "pcpu-sysinfo.h"
#include "pcpu-timing.h"
#include "pcpu-tlb.h"
#include "pcpubench.h"
#include "access.h"
#include "bench-common.h"
#include "cid.h"
#include "bench-quiet.h"

/* The floor ptr is no strategy of the runtime: its id here is one past. */
#define ACC_S_FLOOR ((enum pcpu_strategy_id)PCPU_NR_STRATEGIES)
#define MAX_LIST 32
#define REGION_SIZE (64 * 1024)	/* per-CPU area the variables spread over */
#define DYN_SIZE (128 * 1024)
/*
 * The isolated cold access: the pool of 4 KiB pages touched before each
 * sample (128 MiB: beyond the L2 TLB reach of current cores; a
 * calibration that says otherwise is flagged in the metadata), samples
 * per repetition and the share trimmed from each end.
 */
#define COLD_POOL_PAGES 32768
#define COLD_SAMPLES 1000
#define COLD_TRIM 0.10

enum page_kind { PAGE_4K, PAGE_2M };

struct opts {
	enum pcpu_strategy_id strat[MAX_LIST];
	size_t nstrat;
	enum al_op op[MAX_LIST];
	size_t nop;
	enum al_mode mode[MAX_LIST];
	size_t nmode;
	size_t vars[MAX_LIST];
	size_t nvars;
	size_t pressure[MAX_LIST];
	size_t npressure;
	size_t cold[MAX_LIST];	/* K pages touched before a cold access */
	size_t ncold;		/* 0: no cold rows */
	int cold_default;	/* K from the calibration (--mode cold) */
	int mode_given;		/* --mode given (cold rows alone unless) */
	int cold_samples;
	int page_given;
	enum page_kind page[2];
	size_t npage;
	char *placement[MAX_LIST];
	size_t nplacement;
	int cpuid_rseq, cpuid_tls;
	int cpuid_cid;		/* rseq mm_cid (pcpu-cid.h) */
	int repeat, tries;
	uint64_t iters;
	double min_time;
	uint64_t seed;
	const char *events;
	enum pout_format fmt;
	const char *out;
	int cpu;
	int late;		/* also phase late: the CPU onlined after init */
	int quiet;
	char *dups[16];		/* list copies the tokens point into */
	size_t ndups;
};

/*
 * A sample being measured: its tries run one per round (acc_measure_try()),
 * the rounds of the repetitions interleaved over the whole run; closed by
 * acc_measure_end().
 */
struct acc_tstate {
	uint64_t best1, best2;		/* quiet tries: best N and 2N ticks */
	uint64_t dbest1, dbest2;	/* disturbed tries: the same */
	double op, dop;			/* best (t - fixed) / n: quiet, not */
	double bc1, bc2;		/* PMU cycles of the quiet tries */
	int quiet, retries, batches;
	enum pq_why last;		/* why the last disturbed one was */
};

/* One measured point. */
struct point {
	size_t strat_idx;	/* index into the live runtimes */
	enum pcpu_strategy_id strat;	/* ACC_S_FLOOR: the floor */
	enum pcpu_access_id method;	/* AL_A_PTR: the floor */
	enum al_cpuid cpuid;
	enum al_op op;
	enum al_mode mode;
	size_t vars, pressure;
	int minimal;		/* the minimal loop, beside ptr read throughput */
	int cold;		/* an isolated cold read after cold_k pages */
	size_t cold_k;
	al_fn fn;
	al_cold_fn cold_fn;
	uint64_t n;		/* batch size N */
	double fixed;		/* a batch's fixed cost, TSC ticks */
	/* Per repetition: */
	double *cyc, *ns, *ghz;
	/* 0 quiet; 1 + enum pq_why: no quiet batch; -1 not positive */
	signed char *qflag;
	int *qtries;		/* batches (rounds) run for the sample */
	struct acc_tstate *ts;	/* the samples being measured */
	struct pcnt_result *ev;	/* [rep][nevents] */
	double pages;		/* cold: distinct 4 KiB pages on the path */
	char pages_status[PCNT_STATUS_LEN];
	char na[PCNT_STATUS_LEN];	/* whole point unavailable */
};

struct strat_rt {
	enum pcpu_strategy_id id;	/* ACC_S_FLOOR: the floor */
	enum pcpu_access_id method;	/* AL_A_PTR: the floor */
	const char *layout;
	struct pcpu_rt *rt;	/* owned; NULL for ptr */
	uintptr_t unit;		/* ptr: the unit borrowed from another */
	int host;		/* ptr: index of that strategy; -1 none */
	pcpu_off_t region;
	char na[PCNT_STATUS_LEN];
	char backing[32];
	double huge_fraction;
	char backing_status[PCNT_STATUS_LEN];
	/* Per vars point: local fraction (NaN if unknown). */
	double local_frac[MAX_LIST];
	char local_status[MAX_LIST][PCNT_STATUS_LEN];
};

struct varset {
	uintptr_t offs[REGION_SIZE / 64];
	uintptr_t next[REGION_SIZE / 64];
	size_t n;
};

struct pressure_buf {
	size_t pages;
	void *map;
	uintptr_t *addr;
};

struct run_ctx {
	const struct opts *o;
	cpu_set_t orig_affinity;	/* the runtimes see every allowed CPU */
	unsigned cpu;
	double tsc_hz;
	struct pcnt_session *cs;
	size_t nev;
	bool pmu_cycles;
	size_t cyc_idx;
	struct varset *vs;	/* per vars index */
	struct pressure_buf *pb;	/* per pressure index */
	struct strat_rt *srt;
	volatile uintptr_t zero;
	double walk_cycles;	/* calibrated 4k miss penalty; 0: none */
	char walk_why[PCNT_STATUS_LEN];
	/* The TLB calibration this run uses (no other hidden input). */
	struct pcpu_tlbcal cal;
	int cal_ok;
	char cal_path[512], cal_status[160];
	/* Cold rows: the pool, the K list actually used, where it came from. */
	struct pressure_buf pool;
	size_t cold[MAX_LIST];
	size_t ncold;
	char cold_src[200];
	double *cold_buf;	/* cold_samples ticks */
	int nrep;		/* --repeat (c->o->repeat is 1 per call with --late) */
};

enum {
	COL_STRATEGY, COL_ACCESS, COL_LAYOUT, COL_CPUID, COL_OP, COL_MODE,
	COL_VARS, COL_PRESSURE, COL_COLD_PAGES, COL_PAGE, COL_PLACEMENT,
	COL_PHASE, COL_BACKING, COL_CPU, NCOLS
};

struct rowctx {
	char vars[24], pressure[24], cpu[16], cold[24];
	const char *v[NCOLS];
	int rep_base;		/* repetition number of rep 0 of this call */
};

struct config_run {
	const char *page_name;
	enum page_kind page;
	const char *placement;
	int late;		/* phase late: the CPU brought online after init */
	/*
	 * Repetitions rep_base .. rep_base + c->o->repeat - 1: with --late
	 * each call runs one repetition, boot and late in turn
	 * (interleaved: drift between the phases cancels).
	 */
	int rep_base;
};

/* access-opts.c */
void acc_opts_free(struct opts *o);
int acc_parse_opts(int argc, char **argv, struct opts *o);
/* access-measure.c */
void acc_na_reason(char *dst, size_t len, const char *word, const char *msg);
void *acc_var_ptr(struct strat_rt *s, unsigned cpu, pcpu_off_t off);
void acc_varset_make(struct varset *v, pcpu_off_t region, size_t n);
void acc_varset_prime(struct strat_rt *s, unsigned cpu,
			 const struct varset *v);
int acc_pressure_make(struct pressure_buf *pb, size_t pages, uint64_t seed);
void acc_pressure_free(struct pressure_buf *pb);
void acc_load_walk_penalty(struct run_ctx *c);
void acc_args_for(struct run_ctx *c, struct point *p, size_t vi, size_t pi,
		     struct al_args *a);
void acc_measure_try(struct run_ctx *c, struct point *p, struct al_args *a,
		     int rep);
void acc_measure_end(struct run_ctx *c, struct point *p, struct al_args *a,
		     double core_hz, int rep);
uint64_t acc_pick_n(struct run_ctx *c, struct point *p, struct al_args *a);
/* access-emit.c */
extern const char *const acc_col_names[NCOLS];
void acc_row_params(struct rowctx *rc, const struct point *p,
		       const char *page, const char *placement,
		       const char *phase, const char *backing, unsigned cpu);
int acc_emit(struct pout *out, struct rowctx *rc, int rep, const char *m,
		double v, const char *unit, const char *status);
const char *acc_sanity(const struct point *pts, size_t n,
			  const struct point *p, int rep);
const char *acc_qstatus(const struct point *p, int rep, char *buf,
			   size_t len);
int acc_emit_floor(struct pout *out, struct rowctx *rc, int rep,
		      const struct point *p, const struct point *fl);
int acc_emit_special(struct pout *out, struct rowctx *rc,
			const struct point *p, const struct point *fl,
			int repeat);
int acc_emit_counter_marks(struct pout *out, struct rowctx *rc, int rep,
			      const struct pcnt_session *cs, size_t e,
			      const struct pcnt_result *r);
void acc_cold_summary(struct run_ctx *c, struct pout *out,
			 const struct point *pts, size_t npts, const char *page);
void acc_meta_str(struct pout *out, const char *k, const char *v);
void acc_meta_num(struct pout *out, const char *k, double v, const char *fmt);
/* access-cold.c */
size_t acc_max_points(const struct opts *o);
void acc_floor_setup(struct run_ctx *c, struct strat_rt *srt, size_t nstrat);
const struct point *acc_floor_of(const struct point *pts, size_t n,
				    const struct point *p);
void acc_path_pages(struct run_ctx *c, struct strat_rt *s, struct point *p);
void acc_cold_rep(struct run_ctx *c, struct point *pts, size_t npts,
		     size_t *order, double core_hz, int rep, uint64_t *rng);
void acc_cold_setup(struct run_ctx *c);
/* access-run.c */
int acc_run_config(struct run_ctx *c, const struct config_run *cr,
		      struct pout *out, double **cyc4k, size_t *npts_prev,
		      double t_start, int *progress_shown);

#endif
