// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-quiet.c - did a timed batch run alone? (pcpu-quiet.h)
 *
 * The kernel's own accounting of the thread, read before and after a
 * batch: context switches from getrusage(RUSAGE_THREAD), CPU time from
 * CLOCK_THREAD_CPUTIME_ID against the wall time of CLOCK_MONOTONIC_RAW.
 */
#include <sys/resource.h>
#include <time.h>

#include "pcpu-quiet.h"

static int64_t ts_ns(clockid_t id, int *ok)
{
	struct timespec ts;

	if (clock_gettime(id, &ts)) {
		*ok = 0;
		return 0;
	}
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

void pq_begin(struct pq_mark *m)
{
	struct rusage ru;

	m->ok = 1;
	if (getrusage(RUSAGE_THREAD, &ru)) {
		m->ok = 0;
		ru.ru_nivcsw = ru.ru_nvcsw = 0;
	}
	m->nivcsw = ru.ru_nivcsw;
	m->nvcsw = ru.ru_nvcsw;
	m->cpu_ns = ts_ns(CLOCK_THREAD_CPUTIME_ID, &m->ok);
	m->wall_ns = ts_ns(CLOCK_MONOTONIC_RAW, &m->ok);
}

enum pq_why pq_end(const struct pq_mark *m, double *lost_frac)
{
	struct pq_mark e;
	double wall, lost;

	/* In reverse order: the batch lies inside both brackets. */
	e.ok = 1;
	e.wall_ns = ts_ns(CLOCK_MONOTONIC_RAW, &e.ok);
	e.cpu_ns = ts_ns(CLOCK_THREAD_CPUTIME_ID, &e.ok);
	{
		struct rusage ru;

		if (getrusage(RUSAGE_THREAD, &ru))
			e.ok = 0;
		e.nivcsw = ru.ru_nivcsw;
		e.nvcsw = ru.ru_nvcsw;
	}
	if (lost_frac)
		*lost_frac = 0;
	if (!m->ok || !e.ok)
		return PQ_UNKNOWN;
	wall = (double)(e.wall_ns - m->wall_ns);
	lost = wall - (double)(e.cpu_ns - m->cpu_ns);
	if (lost < 0)
		lost = 0;
	if (lost_frac && wall > 0)
		*lost_frac = lost / wall;
	if (e.nivcsw != m->nivcsw)
		return PQ_PREEMPTED;
	if (e.nvcsw != m->nvcsw)
		return PQ_SLEPT;
	if (lost > PQ_MIN_LOST_NS && lost > PQ_MAX_LOST_FRAC * wall)
		return PQ_LOST_TIME;
	return PQ_QUIET;
}

const char *pq_why_name(enum pq_why w)
{
	switch (w) {
	case PQ_QUIET: return "quiet";
	case PQ_PREEMPTED: return "preempted";
	case PQ_SLEPT: return "slept";
	case PQ_LOST_TIME: return "lost-time";
	case PQ_UNKNOWN: return "unknown";
	}
	return "?";
}
