// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-counters-result.c - a session's counts: the delta between two
 * reads of the selected pass, scaled when multiplexed (time_running <
 * time_enabled, marked "multiplexed"), pcnt_measure() running a workload
 * once per pass, derived sums, and the relationship rules (misses <=
 * accesses, running <= enabled, ratios in [0, 1]) that turn a status into
 * "flagged:<rule>".
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pcpu-counters-priv.h"

static void flag(struct pcnt_result *r, const char *rule)
{
	if (!strncmp(r->status, "na:", 3))
		return;
	snprintf(r->status, sizeof(r->status), "flagged:%s", rule);
}

static int usable(const struct pcnt_result *r)
{
	return strncmp(r->status, "na:", 3) && isfinite(r->value);
}

/**
 * pcnt_check_rules() - relationship rules over one interval.
 * Return: number of violations.
 */
int pcnt_check_rules(const struct pcnt_spec *s, struct pcnt_result *res)
{
	/* { part, whole }: the part can never exceed the whole. */
	static const char *const pairs[][2] = {
		{ "dTLB-load-misses", "dTLB-loads" },
		{ "node-load-misses", "node-loads" },
		{ "l2_tlb_hits", "l1_dtlb_misses" },
		{ "page_walks", "l1_dtlb_misses" },
		{ "page_walks_4k", "page_walks" },
		{ "page_walks_2m", "page_walks" },
	};
	size_t i;
	int bad = 0;

	for (i = 0; i < s->n; i++) {
		if (!usable(&res[i]))
			continue;
		if (res[i].running > res[i].enabled) {
			flag(&res[i], "running-gt-enabled");
			bad++;
		} else if (res[i].value < 0) {
			flag(&res[i], "negative-count");
			bad++;
		}
	}
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		int m = pcnt_spec_find(s, pairs[i][0]), l = pcnt_spec_find(s, pairs[i][1]);
		double ratio;

		if (m < 0 || l < 0 || !usable(&res[m]) || !usable(&res[l]))
			continue;
		/* A derived whole made of this part holds by construction. */
		if (s->ev[l].kind == PCNT_KIND_DERIVED &&
		    (s->ev[l].comp[0] == m || s->ev[l].comp[1] == m))
			continue;
		if (res[m].value > res[l].value) {
			flag(&res[m], "misses-gt-accesses");
			flag(&res[l], "misses-gt-accesses");
			bad++;
			continue;
		}
		ratio = res[l].value > 0 ? res[m].value / res[l].value : 0;
		if (ratio < 0 || ratio > 1) {
			flag(&res[m], "ratio-out-of-0-1");
			bad++;
		}
	}
	return bad;
}

/* Derived sums, after their summands are known. */
static void derive(const struct pcnt_spec *s, struct pcnt_result *res)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct pcnt_event_spec *e = &s->ev[i];
		struct pcnt_result *r = &res[i], *a, *b;

		if (e->kind != PCNT_KIND_DERIVED)
			continue;
		a = &res[e->comp[0]];
		b = &res[e->comp[1]];
		memset(r, 0, sizeof(*r));
		r->pass = PCNT_PASS_NONE;
		if (!usable(a) || !usable(b)) {
			r->value = NAN;
			snprintf(r->status, sizeof(r->status),
				 "na:summand-na(%s + %s: %s is NA)",
				 s->ev[e->comp[0]].name, s->ev[e->comp[1]].name,
				 usable(a) ? s->ev[e->comp[1]].name :
				 s->ev[e->comp[0]].name);
			continue;
		}
		r->value = a->value + b->value;
		r->raw = a->raw + b->raw;
		r->enabled = a->enabled;
		r->running = a->running;
		snprintf(r->status, sizeof(r->status), "derived");
		/* Its pass, when both summands come from the same run. */
		if (a->pass == b->pass)
			r->pass = a->pass;
	}
}

/* One event's delta; @in_pass false: counted in another pass. */
static void delta_one(struct pcnt_session *ss, size_t i,
		      const struct pcnt_sample *a, const struct pcnt_sample *b,
		      struct pcnt_result *r)
{
	int pass = ss->plan.pass_of[i];

	memset(r, 0, sizeof(*r));
	r->value = NAN;
	r->pass = pass;
	if (strcmp(ss->status[i], "ok")) {
		snprintf(r->status, sizeof(r->status), "%s", ss->status[i]);
		return;
	}
	if (pass != PCNT_PASS_ALL && pass != (int)ss->cur) {
		snprintf(r->status, sizeof(r->status), "na:other-pass(counted "
			 "in pass %d of %zu; this interval counted pass %zu)",
			 pass + 1, ss->plan.npasses, ss->cur + 1);
		return;
	}
	r->raw = b->value[i] - a->value[i];
	r->enabled = b->enabled[i] - a->enabled[i];
	r->running = b->running[i] - a->running[i];
	if (b->value[i] < a->value[i] || b->enabled[i] < a->enabled[i] ||
	    b->running[i] < a->running[i]) {
		r->value = (double)(int64_t)r->raw;
		snprintf(r->status, sizeof(r->status),
			 "flagged:counter-went-backwards");
		return;
	}
	if (r->enabled && !r->running) {
		snprintf(r->status, sizeof(r->status),
			 "na:not-scheduled(the group never got its counters: "
			 "another perf user or the NMI watchdog holds some)");
		return;
	}
	if (r->running < r->enabled) {
		r->value = (double)r->raw * (double)r->enabled /
			   (double)r->running;
		snprintf(r->status, sizeof(r->status), "multiplexed");
	} else {
		r->value = (double)r->raw;
		snprintf(r->status, sizeof(r->status), "ok");
	}
}

/**
 * pcnt_delta() - see pcpu-counters.h.
 * Return: 0; -EINVAL.
 */
int pcnt_delta(struct pcnt_session *ss, const struct pcnt_sample *a,
	       const struct pcnt_sample *b, struct pcnt_result *res)
{
	size_t i;

	if (!ss || !a || !b || !res)
		return -EINVAL;
	for (i = 0; i < ss->spec.n; i++)
		if (ss->spec.ev[i].kind != PCNT_KIND_DERIVED)
			delta_one(ss, i, a, b, &res[i]);
	derive(&ss->spec, res);
	pcnt_check_rules(&ss->spec, res);
	return 0;
}

/**
 * pcnt_measure() - see pcpu-counters.h.
 * Return: 0; -errno from a read.
 */
int pcnt_measure(struct pcnt_session *ss, void (*work)(void *), void *arg,
		 double ops, struct pcnt_result *res)
{
	struct pcnt_sample a, b;
	struct pcnt_result tmp[PCNT_MAX_EVENTS];
	size_t p, i;
	int r = 0;

	if (!ss || !work || !res)
		return -EINVAL;
	for (i = 0; i < ss->spec.n; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		res[i].value = NAN;
		res[i].pass = ss->plan.pass_of[i];
		snprintf(res[i].status, sizeof(res[i].status), "%s",
			 ss->status[i]);
	}
	for (p = 0; p < ss->plan.npasses && !r; p++) {
		size_t g;

		/* A pass whose events all failed to open needs no run. */
		for (g = 0; g < ss->ngroups; g++)
			if (ss->groups[g].pass == (int)p)
				break;
		if (p && g == ss->ngroups)
			continue;
		pcnt_pass_select(ss, p);
		r = pcnt_enable(ss);
		if (!r)
			r = pcnt_read(ss, &a);
		if (r)
			break;
		work(arg);
		r = pcnt_read(ss, &b);
		if (r)
			break;
		for (i = 0; i < ss->spec.n; i++) {
			int pa = ss->plan.pass_of[i];

			if (ss->spec.ev[i].kind == PCNT_KIND_DERIVED ||
			    (pa != (int)p && !(pa == PCNT_PASS_ALL && !p)))
				continue;
			delta_one(ss, i, &a, &b, &tmp[i]);
			res[i] = tmp[i];
		}
	}
	if (r) {
		for (i = 0; i < ss->spec.n; i++) {
			res[i].value = NAN;
			snprintf(res[i].status, sizeof(res[i].status),
				 "na:read-failed(reading the counter group "
				 "failed: %s)", strerror(-r));
			pcnt_no_commas(res[i].status);
		}
	} else {
		derive(&ss->spec, res);
		pcnt_check_rules(&ss->spec, res);
		for (i = 0; ops > 0 && i < ss->spec.n; i++)
			if (strncmp(res[i].status, "na:", 3))
				res[i].value /= ops;
	}
	pcnt_pass_select(ss, 0);
	pcnt_enable(ss);
	return r;
}
