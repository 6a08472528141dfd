/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-quiet.h - did a timed batch run alone?
 *
 * A batch timed with the TSC is only a measurement of the code if the
 * thread held its CPU for the whole batch. In user space the kernel tells
 * us afterwards (uarch-bench and nanoBench disable interrupts in kernel
 * mode; this is the user-space equivalent):
 *
 *  - context switches: getrusage(RUSAGE_THREAD) ru_nivcsw (preempted) and
 *    ru_nvcsw (slept, e.g. on a fault) must not change during the batch;
 *  - CPU time: the thread's CLOCK_THREAD_CPUTIME_ID must cover the wall
 *    time (CLOCK_MONOTONIC_RAW) of the batch: time lost to something else
 *    (interrupts accounted elsewhere, a switch the counters missed) may be
 *    at most PQ_MAX_LOST_FRAC of the batch, ignoring losses below
 *    PQ_MIN_LOST_NS (the clock reads themselves).
 *
 * What it cannot see: a hypervisor that takes the vCPU away without a
 * steal clock (the guest's clocks keep running for the thread).
 * The marks are taken outside the timed region; each costs two or three
 * system calls (about a microsecond).
 */
#ifndef PCPU_QUIET_H
#define PCPU_QUIET_H

#include <stdint.h>

#define PQ_MAX_LOST_FRAC 0.10
#define PQ_MIN_LOST_NS 50000.0

struct pq_mark {
	int64_t cpu_ns, wall_ns;
	long nivcsw, nvcsw;
	int ok;			/* the marks could be read */
};

/* Why a batch was disturbed (0: it was not). */
enum pq_why {
	PQ_QUIET = 0,
	PQ_PREEMPTED,		/* involuntary context switch */
	PQ_SLEPT,		/* voluntary context switch */
	PQ_LOST_TIME,		/* CPU time short of the wall time */
	PQ_UNKNOWN,		/* the marks could not be read */
};

/* pq_begin() - take the marks before a batch. Context: the timed thread. */
void pq_begin(struct pq_mark *m);

/*
 * pq_end() - take them again after the batch and judge it.
 * @lost_frac: if not NULL, the fraction of the wall time the thread did
 * not run (0 when it ran throughout).
 * Return: PQ_QUIET or the first reason it was disturbed.
 */
enum pq_why pq_end(const struct pq_mark *m, double *lost_frac);

/* A short name for @w: "quiet", "preempted", "slept", "lost-time", ... */
const char *pq_why_name(enum pq_why w);

#endif /* PCPU_QUIET_H */
