// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-metrics.c - the metric list of pcpu-metrics.h as a table, and the
 * lookup the output uses to refuse an undeclared metric.
 */
#include <string.h>

#include "pcpu-kfacts.h"
#include "pcpu-metrics.h"

const struct pcpu_metric pcpu_metrics[] = {
#define PCPU_X_METRIC(b, m, u, k, z, what, ...)                               \
	{ b, m, u, PCPU_MK_##k, z, what, { __VA_ARGS__ } },
	PCPU_METRICS(PCPU_X_METRIC)
#undef PCPU_X_METRIC
	/* kfacts: one metric per fact of the boot lines (pcpu-kfacts.h) */
#define PCPU_KF_X_METRIC(E, m, u, what)                                       \
	{ "kfacts", #m, u, PCPU_MK_OK, 0, what, { 0 } },
	PCPU_KF_FIELDS(PCPU_KF_X_METRIC)
#undef PCPU_KF_X_METRIC
};

const size_t pcpu_nmetrics = sizeof(pcpu_metrics) / sizeof(pcpu_metrics[0]);

static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' ||
	       c == '-';
}

/* @name against @pat: one "<word>" in @pat stands for 1+ name chars. */
static int pattern_match(const char *pat, const char *name)
{
	const char *lt = strchr(pat, '<'), *gt;
	size_t pre, suf, n = strlen(name), i;

	if (!lt)
		return !strcmp(pat, name);
	gt = strchr(lt, '>');
	if (!gt)
		return 0;
	pre = (size_t)(lt - pat);
	suf = strlen(gt + 1);
	if (n < pre + suf + 1 || strncmp(pat, name, pre) ||
	    strcmp(name + n - suf, gt + 1))
		return 0;
	for (i = pre; i < n - suf; i++)
		if (!name_char(name[i]))
			return 0;
	return 1;
}

/**
 * pcpu_metric_find() - see pcpu-metrics.h.
 */
const struct pcpu_metric *pcpu_metric_find(const char *bench,
					   const char *metric)
{
	const struct pcpu_metric *best = NULL;
	size_t i;

	if (!bench || !metric)
		return NULL;
	for (i = 0; i < pcpu_nmetrics; i++) {
		const struct pcpu_metric *m = &pcpu_metrics[i];

		if (strcmp(m->bench, bench))
			continue;
		if (!strcmp(m->name, metric))
			return m;
		/* the pattern with the longest fixed part wins */
		if (strchr(m->name, '<') && pattern_match(m->name, metric) &&
		    (!best || strlen(m->name) > strlen(best->name)))
			best = m;
	}
	return best;
}

/**
 * pcpu_metric_bench_known() - see pcpu-metrics.h.
 */
bool pcpu_metric_bench_known(const char *bench)
{
	size_t i;

	for (i = 0; bench && i < pcpu_nmetrics; i++)
		if (!strcmp(pcpu_metrics[i].bench, bench))
			return true;
	return false;
}

/**
 * pcpu_metric_kind_name() - see pcpu-metrics.h.
 */
const char *pcpu_metric_kind_name(enum pcpu_metric_kind k)
{
	switch (k) {
	case PCPU_MK_DERIVED:
		return "derived";
	case PCPU_MK_ESTIMATED:
		return "estimated";
	default:
		return "ok";
	}
}
