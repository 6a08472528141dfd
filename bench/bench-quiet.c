// SPDX-License-Identifier: GPL-2.0
/*
 * bench-quiet.c - undisturbed samples: the judge of pcpu-quiet.h with the
 * test hook and the counts of a run (bench-quiet.h).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcpu-out.h"
#include "pcpu-timing.h"
#include "bench-quiet.h"
#include "bench-env.h"

struct bq_count bq_counts;

/*
 * PCPU_TEST_DISTURB: batches [from, from + n) judged disturbed: "all"
 * every batch, "N" the first N, "A+L" the L batches from batch A (a slow
 * spell in the middle of a run); anything else none.
 */
static void bq_hook(unsigned long *from, unsigned long *n)
{
	static int read;
	static unsigned long f, len;
	const char *s;
	char *end;
	long a, l;

	if (!read) {
		read = 1;
		s = bench_env_get("PCPU_TEST_DISTURB");
		if (s && !strcmp(s, "all")) {
			len = ULONG_MAX;
		} else if (s && *s) {
			a = strtol(s, &end, 10);
			if (*end == '+') {
				l = strtol(end + 1, NULL, 10);
				if (a >= 0 && l > 0) {
					f = (unsigned long)a;
					len = (unsigned long)l;
				}
			} else if (a > 0) {
				len = (unsigned long)a;
			}
		}
	}
	*from = f;
	*n = len;
}

long bq_test_disturb(void)
{
	unsigned long from, n;

	bq_hook(&from, &n);
	if (n == ULONG_MAX)
		return -1;
	return from == 0 && n <= LONG_MAX ? (long)n : 0;
}

int bq_retry(int *retries)
{
	const struct bq_count *q = &bq_counts;

	if (*retries >= BQ_MAX_RETRIES)
		return 0;
	if ((double)q->retries >= BQ_RUN_RETRY_FRAC * (double)q->batches +
	    BQ_RUN_RETRY_MIN)
		return 0;
	/*
	 * Most batches so far disturbed: another task holds this CPU, and a
	 * retry only doubles the time before the same flag. Flag at once.
	 */
	if (q->batches >= BQ_SATURATED_MIN &&
	    (double)q->disturbed > BQ_SATURATED_FRAC * (double)q->batches)
		return 0;
	bq_counts.retries++;
	(*retries)++;
	return 1;
}

enum pq_why bq_check(const struct pq_mark *m)
{
	return bq_check_trimmed(m, 0);
}

enum pq_why bq_check_trimmed(const struct pq_mark *m, double trim)
{
	double lost;
	enum pq_why w = pq_end(m, &lost);
	unsigned long from, n;

	if ((w == PQ_PREEMPTED || w == PQ_SLEPT) && lost <= trim)
		w = PQ_QUIET;

	bq_hook(&from, &n);
	if (bq_counts.batches >= from && bq_counts.batches - from < n)
		w = PQ_PREEMPTED;
	bq_counts.batches++;
	if (w != PQ_QUIET)
		bq_counts.disturbed++;
	return w;
}

void bq_flag(char *buf, size_t len, enum pq_why why, int tries)
{
	if (tries > 0)
		snprintf(buf, len, "flagged:disturbed(%s in %d of %d batches; "
			 "another task had the CPU: rerun on a quiet "
			 "machine)", pq_why_name(why), tries, tries);
	else
		snprintf(buf, len, "flagged:disturbed(%s in every batch tried; "
			 "another task had the CPU: rerun on a quiet "
			 "machine)", pq_why_name(why));
}

static double bq_t0;

void bq_start(void)
{
	if (!bq_t0)
		bq_t0 = pt_now();
}

void bq_meta(struct pout *out, const char *cmd, int counts)
{
	char b[512];
	const struct bq_count *q = &bq_counts;

	if (!counts) {
		bq_start();
		snprintf(b, sizeof(b), "a batch is disturbed when the thread "
			 "was switched out (getrusage RUSAGE_THREAD) or ran "
			 "< %.0f%% of its wall time (losses < %.0f us ignored);"
			 " retried up to %d times per sample, within a run budget "
			 "of half the batches judged, none once most batches were "
			 "disturbed (the CPU is taken); else flagged:disturbed", 100 * (1 - PQ_MAX_LOST_FRAC),
			 PQ_MIN_LOST_NS / 1000, BQ_MAX_RETRIES);
		pout_meta(out, "quiet_check", b);
		return;
	}
	snprintf(b, sizeof(b), "%lu", q->batches);
	pout_meta(out, "quiet_batches", b);
	snprintf(b, sizeof(b), "%lu", q->disturbed);
	pout_meta(out, "quiet_disturbed", b);
	snprintf(b, sizeof(b), "%lu", q->retries);
	pout_meta(out, "quiet_retries", b);
	snprintf(b, sizeof(b), "%lu", q->flagged);
	pout_meta(out, "quiet_flagged_samples", b);
	if (bq_t0 > 0) {
		snprintf(b, sizeof(b), "%.1f", pt_now() - bq_t0);
		pout_meta(out, "measure_seconds", b);
	}
	if (q->disturbed)
		fprintf(stderr, "pcpubench %s: %lu of %lu batches disturbed, "
			"%lu retried, %lu sample(s) flagged:disturbed\n", cmd,
			q->disturbed, q->batches, q->retries, q->flagged);
}
