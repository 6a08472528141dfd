// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-stats.c - summary statistics (see pcpu-stats.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pcpu-stats.h"

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double pstats_quantile_sorted(const double *s, size_t n, double p)
{
	double h, lo;
	size_t i;

	if (!n)
		return NAN;
	if (p <= 0)
		return s[0];
	if (p >= 1)
		return s[n - 1];
	h = (n - 1) * p;
	i = (size_t)floor(h);
	lo = s[i];
	if (i + 1 >= n)
		return lo;
	return lo + (h - i) * (s[i + 1] - lo);
}

/**
 * pstats_compute() - summarise a sample.
 * Return: 0; -EINVAL; -ENOMEM.
 */
int pstats_compute(const double *v, size_t n, struct pstats *out)
{
	double *s, sum = 0, ss = 0;
	size_t i, m = 0;

	if (!v || !out)
		return -EINVAL;
	s = malloc((n ? n : 1) * sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (isfinite(v[i]))
			s[m++] = v[i];
	if (!m) {
		free(s);
		return -EINVAL;
	}
	qsort(s, m, sizeof(*s), dcmp);
	memset(out, 0, sizeof(*out));
	out->n = m;
	out->min = s[0];
	out->max = s[m - 1];
	out->median = pstats_quantile_sorted(s, m, 0.5);
	out->q1 = pstats_quantile_sorted(s, m, 0.25);
	out->q3 = pstats_quantile_sorted(s, m, 0.75);
	for (i = 0; i < m; i++)
		sum += s[i];
	out->mean = sum / m;
	for (i = 0; i < m; i++)
		ss += (s[i] - out->mean) * (s[i] - out->mean);
	out->cv = (m > 1 && out->mean != 0) ?
		sqrt(ss / (m - 1)) / fabs(out->mean) : 0;
	out->rcv = out->median != 0 ?
		(out->q3 - out->q1) / (1.349 * fabs(out->median)) : 0;
	free(s);
	return 0;
}
