/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-out-priv.h - what the row writer's two files share: the output
 * itself, and the TEXT format's calls (pcpu-out-text.c, called by
 * pcpu-out.c, which it does not call back). Not for programs.
 */
#ifndef PCPU_OUT_PRIV_H
#define PCPU_OUT_PRIV_H

#include <stdio.h>

#include "pcpu-out.h"

struct pcpu_wfile;

struct pout_kv {
	char *key, *value;
};

struct pout_trow {
	char *key;		/* params + metric, \x1f separated */
	char **params;
	char *metric, *unit, *status;
	double value;
	int na;
};

struct pout {
	enum pout_format fmt;
	FILE *f;
	struct pcpu_wfile *w;	/* a file: the checked writer */
	char *path, *tmp;
	char *bench;
	char **pnames;
	size_t np;
	struct pout_kv *meta;
	size_t nmeta;
	int started;		/* header / meta block written */
	size_t nrows;
	int err;		/* first error, sticky (returned at close) */
	int werr;		/* first write error: stops writing */
	char errmsg[200];	/* what the first error was */
	int inplace;		/* a stream written in place (no rename) */
	int checked;		/* the bench is in the metric list */
	int strict;		/* settings.strict_units: a unit must match too */
	struct pout_trow *trows;	/* TEXT */
	size_t ntrows, captrows;
};

/* Keep one row for the TEXT table. Return: 0; -ENOMEM. */
int pout_text_add(struct pout *o, const char *const *pv, const char *metric,
		  double value, const char *unit, const char *status, int na);
/* Print the aggregated table of the rows kept to o->f. */
void pout_text_print(struct pout *o);
/* Free the rows kept. */
void pout_text_free(struct pout *o);

#endif /* PCPU_OUT_PRIV_H */
