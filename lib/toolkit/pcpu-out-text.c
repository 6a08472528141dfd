// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-out-text.c - the TEXT format of the row writer: every row is kept
 * (pout_text_add()), and at close one aligned line per (parameters,
 * metric) is printed (pout_text_print()): median, min, q1, q3, robust
 * CV, n, unit and the group's status (the common one, or the worst).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcpu-out-priv.h"
#include "pcpu-stats.h"

/*
 * A number for the text table: whole numbers (counts, bytes, ns above a
 * few thousand) exactly, up to 15 digits; others with 4 significant
 * digits.
 */
static void text_num(char *b, size_t len, double v)
{
	if (v == (double)(long long)v && fabs(v) < 1e15)
		snprintf(b, len, "%lld", (long long)v);
	else if (fabs(v) >= 1e4 && fabs(v) < 1e15)
		snprintf(b, len, "%.0f", v);
	else
		snprintf(b, len, "%.4g", v);
}

int pout_text_add(struct pout *o, const char *const *pv, const char *metric,
		  double value, const char *unit, const char *status, int na)
{
	struct pout_trow *r;
	size_t i, len = strlen(metric) + 2;

	if (o->ntrows == o->captrows) {
		size_t cap = o->captrows ? 2 * o->captrows : 256;

		r = realloc(o->trows, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		o->trows = r;
		o->captrows = cap;
	}
	r = &o->trows[o->ntrows];
	memset(r, 0, sizeof(*r));
	r->params = calloc(o->np + 1, sizeof(char *));
	if (!r->params)
		return -ENOMEM;
	for (i = 0; i < o->np; i++) {
		r->params[i] = strdup(pv[i]);
		len += strlen(r->params[i]) + 1;
	}
	r->key = malloc(len);
	r->metric = strdup(metric);
	r->unit = strdup(unit);
	r->status = strdup(status);
	if (!r->key || !r->metric || !r->unit || !r->status) {
		for (i = 0; i < o->np; i++)
			free(r->params[i]);
		free(r->params);
		free(r->key);
		free(r->metric);
		free(r->unit);
		free(r->status);
		return -ENOMEM;
	}
	r->key[0] = 0;
	for (i = 0; i < o->np; i++) {
		strcat(r->key, r->params[i]);
		strcat(r->key, "\x1f");
	}
	strcat(r->key, metric);
	r->value = value;
	r->na = na;
	o->ntrows++;
	return 0;
}

/* The group's status: the common one, or the worst seen. */
static const char *group_status(struct pout_trow **g, size_t n)
{
	static const char *const order[] = { "flagged:", "na:", "multiplexed",
					     "estimated", "derived", "ok" };
	size_t i, k;

	for (i = 1; i < n; i++)
		if (strcmp(g[i]->status, g[0]->status))
			break;
	if (i == n)
		return g[0]->status;
	for (k = 0; k < sizeof(order) / sizeof(order[0]); k++)
		for (i = 0; i < n; i++)
			if (!strncmp(g[i]->status, order[k], strlen(order[k])))
				return g[i]->status;
	return g[0]->status;
}

void pout_text_print(struct pout *o)
{
	size_t ncols = o->np + 10, i, j, ngroups = 0;
	size_t *w = calloc(ncols, sizeof(size_t));
	char ***cells = NULL;
	char *done = calloc(o->ntrows + 1, 1);
	struct pout_trow **g = calloc(o->ntrows + 1, sizeof(*g));
	double *v = calloc(o->ntrows + 1, sizeof(double));
	static const char *const hdr[] = { "metric", "median", "min", "q1",
					   "q3", "rcv%", "n", "unit",
					   "status" };

	cells = calloc(o->ntrows + 2, sizeof(char **));
	if (!w || !done || !g || !v || !cells)
		goto out;
	/* Header row. */
	cells[0] = calloc(ncols, sizeof(char *));
	if (!cells[0])
		goto out;
	for (j = 0; j < o->np; j++)
		cells[0][j] = strdup(o->pnames[j]);
	for (j = 0; j < 9; j++)
		cells[0][o->np + j] = strdup(hdr[j]);
	ngroups = 1;
	for (i = 0; i < o->ntrows; i++) {
		struct pstats st;
		size_t n = 0, nv = 0;
		char **c;
		char b[64];

		if (done[i])
			continue;
		for (j = i; j < o->ntrows; j++)
			if (!done[j] && !strcmp(o->trows[j].key,
						o->trows[i].key)) {
				done[j] = 1;
				g[n++] = &o->trows[j];
				if (!o->trows[j].na)
					v[nv++] = o->trows[j].value;
			}
		c = cells[ngroups] = calloc(ncols, sizeof(char *));
		if (!c)
			goto out;
		ngroups++;
		for (j = 0; j < o->np; j++)
			c[j] = strdup(g[0]->params[j]);
		c[o->np] = strdup(g[0]->metric);
		if (nv && !pstats_compute(v, nv, &st)) {
			text_num(b, sizeof(b), st.median);
			c[o->np + 1] = strdup(b);
			text_num(b, sizeof(b), st.min);
			c[o->np + 2] = strdup(b);
			text_num(b, sizeof(b), st.q1);
			c[o->np + 3] = strdup(b);
			text_num(b, sizeof(b), st.q3);
			c[o->np + 4] = strdup(b);
			snprintf(b, sizeof(b), "%.2f", 100 * st.rcv);
			c[o->np + 5] = strdup(b);
		} else {
			for (j = 1; j <= 5; j++)
				c[o->np + j] = strdup(j == 1 ? "NA" : "-");
		}
		snprintf(b, sizeof(b), "%zu", nv);
		c[o->np + 6] = strdup(b);
		c[o->np + 7] = strdup(g[0]->unit);
		c[o->np + 8] = strdup(group_status(g, n));
	}
	for (i = 0; i < ngroups; i++)
		for (j = 0; j < o->np + 9; j++)
			if (cells[i][j] && strlen(cells[i][j]) > w[j])
				w[j] = strlen(cells[i][j]);
	for (i = 0; i < ngroups; i++) {
		for (j = 0; j < o->np + 9; j++) {
			const char *s = cells[i][j] ? cells[i][j] : "";
			int num = j > o->np && j <= o->np + 6;
			int last = j == o->np + 8;

			if (num)
				fprintf(o->f, "%*s", (int)w[j], s);
			else if (last)
				fputs(s, o->f);
			else
				fprintf(o->f, "%-*s", (int)w[j], s);
			if (!last)
				fputs("  ", o->f);
		}
		fputc('\n', o->f);
	}
out:
	if (cells)
		for (i = 0; i < ngroups; i++) {
			for (j = 0; cells[i] && j < ncols; j++)
				free(cells[i][j]);
			free(cells[i]);
		}
	free(cells);
	free(w);
	free(done);
	free(g);
	free(v);
}

void pout_text_free(struct pout *o)
{
	size_t i, j;

	for (i = 0; i < o->ntrows; i++) {
		for (j = 0; j < o->np; j++)
			free(o->trows[i].params[j]);
		free(o->trows[i].params);
		free(o->trows[i].key);
		free(o->trows[i].metric);
		free(o->trows[i].unit);
		free(o->trows[i].status);
	}
	free(o->trows);
}
