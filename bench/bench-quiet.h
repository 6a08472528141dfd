/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench-quiet.h - undisturbed samples for the timed commands (access,
 * workload, tlb): each timed batch is judged with pq_begin()/pq_end()
 * (lib/toolkit/pcpu-quiet.h: no context switch, CPU time >= 90% of the
 * wall time); a disturbed batch is retried, at most BQ_MAX_RETRIES times
 * per sample; a sample that gets no undisturbed batch is written with
 * status "flagged:disturbed(...)" and left out of medians and findings.
 *
 * Test hook (read here, never in lib/): PCPU_TEST_DISTURB=all judges every
 * batch disturbed; PCPU_TEST_DISTURB=N the first N batches of the process;
 * PCPU_TEST_DISTURB=A+L the L batches from batch A (counted from 0): a
 * slow spell in the middle of a run.
 */
#ifndef BENCH_QUIET_H
#define BENCH_QUIET_H

#include <stddef.h>

#include "pcpu-quiet.h"

/*
 * Extra batches (or rounds of batches) one sample may take, and the whole
 * run's budget of them: at most BQ_RUN_RETRY_FRAC of the batches judged
 * so far (plus BQ_RUN_RETRY_MIN), so that a loaded machine costs at most
 * about 1.5x the time; past it, disturbed samples are flagged at once.
 */
#define BQ_MAX_RETRIES 4
#define BQ_RUN_RETRY_FRAC 0.5
#define BQ_RUN_RETRY_MIN 16
/*
 * More than BQ_SATURATED_FRAC of the batches disturbed after at least
 * BQ_SATURATED_MIN: another task holds the CPU, no more retries.
 */
#define BQ_SATURATED_MIN 32
#define BQ_SATURATED_FRAC 0.5

struct bq_count {
	unsigned long batches;		/* batches judged */
	unsigned long disturbed;	/* of which disturbed */
	unsigned long retries;		/* extra batches run to replace them */
	unsigned long flagged;		/* samples left without a quiet batch */
};

/* The process-wide counts (one command per process). */
extern struct bq_count bq_counts;

/*
 * bq_retry() - may a disturbed batch of a sample be retried: the sample
 * has had fewer than BQ_MAX_RETRIES retries (*@retries) and the run's
 * budget allows one? Counts it (in *@retries and the run's counts) when
 * it may. Return: 1 yes, 0 no.
 */
int bq_retry(int *retries);

/*
 * bq_test_disturb() - the test hook PCPU_TEST_DISTURB: -1 every batch
 * disturbed, N the first N (or "0+N"), 0 none (for `kernel`, which passes
 * it on to the module; a spell A+L from A > 0 is not passed on: 0).
 */
long bq_test_disturb(void);

/* bq_check() - pq_end() with the test hook; counted in bq_counts. */
enum pq_why bq_check(const struct pq_mark *m);
/*
 * bq_check_trimmed() - the same for a batch of many samples summarised by
 * a mean trimmed of the fraction @trim at each end: a switch that cost the
 * batch at most @trim of its wall time is cut away by the trim (a sample
 * it hit lies in the trimmed tail) and is not a disturbance.
 */
enum pq_why bq_check_trimmed(const struct pq_mark *m, double trim);

/*
 * bq_flag() - the status of a sample that got no quiet batch in @tries
 * attempts (0: not counted), the last disturbed because of @why:
 * "flagged:disturbed(preempted in 6 of 6 batches; ...)".
 */
void bq_flag(char *buf, size_t len, enum pq_why why, int tries);

/* bq_start() - the measuring starts now (measure_seconds; once). */
void bq_start(void);

struct pout;
/*
 * bq_meta() - the check and this run's counts as metadata ("quiet_check",
 * "quiet_batches", ...: CSV sidecar and text; JSON takes its meta before
 * the first row, so there only the check is written, by the caller
 * before rows with @counts false). With @counts true also
 * "measure_seconds" (since bq_start() or the call with @counts false:
 * what the measuring cost) and one line on stderr when any batch was disturbed.
 */
void bq_meta(struct pout *out, const char *cmd, int counts);

/*
 * For --help (a printf format: "%%"): the check, its threshold and the
 * retry bound.
 */
#define BQ_HELP                                                             \
"Undisturbed samples: each timed batch must run alone: no context switch\n" \
"  (getrusage RUSAGE_THREAD) and thread CPU time >= 90%% of its wall time\n"\
"  (losses under 50 us ignored). A disturbed batch is retried, at most 4\n"  \
"  extra per sample and half as many extra as the run judged (a loaded\n"  \
"  machine costs at most ~1.5x the time), none once more than half of\n"  \
"  32+ batches were disturbed (another task holds the CPU: retrying only\n"\
"  doubles the time); a sample with no quiet batch has status\n"          \
"  flagged:disturbed and is left out of medians and findings.\n"           \
"  A cycle count that is not positive is flagged:not-positive, never ok.\n"

#endif
