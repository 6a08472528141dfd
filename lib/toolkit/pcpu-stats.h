/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-stats.h - summary statistics of a sample: median, extremes,
 * quartiles, mean, the plain coefficient of variation and a robust one
 * from the interquartile range. Quartiles use linear interpolation
 * between order statistics (type 7, as R's and numpy's default).
 */
#ifndef PCPU_STATS_H
#define PCPU_STATS_H

#include <stddef.h>

struct pstats {
	size_t n;
	double median, min, max, q1, q3, mean;
	double cv;	/* sample sd / mean (0 when n < 2) */
	double rcv;	/* (q3 - q1) / (1.349 * median): robust CV */
};

/*
 * pstats_compute() - summarise @n values (NaN values are skipped).
 * Return: 0; -EINVAL @v or @out NULL, or no finite value; -ENOMEM.
 */
int pstats_compute(const double *v, size_t n, struct pstats *out);

/* Quantile @p in [0,1] of a sorted array (type 7). */
double pstats_quantile_sorted(const double *sorted, size_t n, double p);

#endif /* PCPU_STATS_H */
