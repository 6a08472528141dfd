/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cid-cmd.h - what the parts of `pcpubench cid` share (bench/cmd-cid.c,
 * bench/cid-stability.c): options, CPU sets, the row key and output.
 */
#ifndef PCPUBENCH_CID_CMD_H
#define PCPUBENCH_CID_CMD_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>

#include "cid.h"
#include "pcpu-out.h"

#define CID_PARTS(X)                                                          \
	X(MEM, "mem") X(STABILITY, "stability") X(CHURN, "churn") X(COST, "cost")

enum cid_part {
#define CID_X(id, name) CID_P_##id,
	CID_PARTS(CID_X)
#undef CID_X
	CID_NR_PARTS
};

extern const char *const cid_part_names[];

#define CID_MAX_THREADS 256
#define CID_MAX_SETS 8

struct cid_set {
	char label[64];
	cpu_set_t set;
	unsigned n;
	int cpus[CPU_SETSIZE];
};

struct cid_opts {
	bool part[CID_NR_PARTS];
	bool strat[PCPU_NR_CID_STRATEGIES];
	unsigned threads[16];
	size_t nthreads;
	struct cid_set sets[CID_MAX_SETS];
	size_t nsets;
	const char *possible;
	unsigned long ops;
	double mem_time;
	double duration;
	unsigned repeat;
	const char *out;
};

enum { P_PART, P_STRAT, P_INDEX, P_THREADS, P_ALLOWED, P_POSSIBLE, P_COND,
       NR_P };

struct row_key {
	const char *pv[NR_P];
	char threads[16], possible[16];
};

double cid_now_s(void);
void cid_sleep_s(double s);
void cid_key_set(struct row_key *k, enum cid_part p,
		 enum pcpu_cid_strategy_id s, unsigned threads,
		 const char *allowed, unsigned possible, const char *cond);
/* One row of bench cid, the unit from the metric list. */
int cid_row(struct pout *o, const struct row_key *k, int rep,
	    const char *metric, double v, const char *status);
/* The NA rows of @metrics (NULL-terminated) under @k. */
void cid_na_rows(struct pout *o, const struct row_key *k,
		 const char *const *metrics, const char *status);
/* bench/cid-stability.c: the stability part. Return: 0; -ENOMEM. */
int cid_part_stability(struct pout *o, const struct cid_opts *op);

#endif
