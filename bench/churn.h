/* SPDX-License-Identifier: GPL-2.0 */
/*
 * churn.h - the private interface of `pcpubench churn`: cmd-churn.c
 * (options -> plan -> run -> emit), churn-run.c (one run: the workers,
 * the driver, the checks), churn-emit.c (its rows).
 */
#ifndef PCPUBENCH_CHURN_H
#define PCPUBENCH_CHURN_H

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "access.h"
#include "bench-common.h"
#include "pcpu-access.h"
#include "pcpu-counters.h"
#include "pcpu-hotplug.h"
#include "pcpu-stats.h"
#include "pcpu-sysinfo.h"
#include "pcpubench.h"

#define CHURN_BATCH AL_CHURN_BATCH	/* the loop's (access.h) */
#define MAX_RATES 16
#define MAX_PATTERNS 3
#define MEM_SAMPLE_NS 100000000LL	/* 100 ms */

/* PAT_NONE: the rate-0 baseline, where no hotplug happens. */
enum pattern { PAT_RANDOM, PAT_ROUND_ROBIN, PAT_BURST, PAT_NONE };
extern const char *const churn_pattern_names[];

struct churn_opts {
	enum pcpu_strategy_id strat[PCPU_NR_STRATEGIES];
	int nstrat;
	double rates[MAX_RATES];
	int nrates;
	enum pattern pats[MAX_PATTERNS];
	int npats;
	double duration;
	const char *possible;
	unsigned online, min_online, max_online;
	bool sysfs;
	const char *page;
	struct pcpu_config cfg;
	unsigned seed;
	unsigned repeat;
	const char *events;
	enum pout_format fmt;
	const char *out;
	bool quiet;
	unsigned yield_every;	/* batches between sched_yield(); 0 never */
};

struct vec {
	double *v;
	size_t n, cap;
};

struct churn_run;

struct worker {
	struct churn_run *run;
	unsigned cpu;
	pthread_t th;
};

struct churn_run {
	const struct churn_opts *o;
	struct pcpu_rt *rt;
	enum pcpu_strategy_id s;
	al_churn_fn loop;	/* the method's (access-loops.h) */
	struct pcnt_spec spec;
	int rep;			/* counter pass: rep % passes */
	_Atomic int stop;
	struct worker **w;		/* per logical CPU, NULL: none */
	pthread_mutex_t lock;		/* the totals below */
	uint64_t done, reads, read_expect, enter_fail;
	double ev[PCNT_MAX_EVENTS];
	char ev_status[PCNT_MAX_EVENTS][PCNT_STATUS_LEN];
	bool ev_seen;
	struct vec on_ns, off_ns, mem_t, mem_res, mem_com, local_frac;
	struct vec on_part[PCPU_NR_ONLINE_PARTS + 1];	/* + worker start */
	struct vec off_part[PCPU_NR_OFFLINE_PARTS];
	uint64_t events, soft_miss;
	struct pcpu_hp_sysfs *hp;
	int eligible[PCPU_NR_CPUS > 4096 ? 4096 : PCPU_NR_CPUS];
	unsigned neligible;
	unsigned rr;
	/* The run's outcome, for the rows: */
	double elapsed;			/* seconds */
	uint64_t sum, folded;		/* the counter summed, its folded part */
	struct rusage ru0, ru1;		/* before and after */
};

struct rowctx {
	struct pout *o;
	const char *pv[9];
	char rate[32], pos[256], onl[16], tms[32];
	int rep;
};

/* churn-run.c */
int churn_run_one(const struct churn_opts *o, enum pcpu_strategy_id s,
		  double rate, enum pattern pat, int rep, struct pout *out,
		  struct pcpu_hp_sysfs *hp, const char *const *hpsets,
		  double *base_ops, int *nbase);

/* churn-emit.c */
double churn_emit_rows(struct churn_run *run, double rate, enum pattern pat,
		       struct pout *out, int rep, double *base_ops, int *nbase);
void churn_emit_na_strategy(const struct churn_opts *o, enum pcpu_strategy_id s,
			    const char *status, struct pout *out);

#endif
