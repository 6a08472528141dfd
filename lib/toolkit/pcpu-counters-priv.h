/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-counters-priv.h - what the counter files share inside the library.
 * Not for programs.
 *
 * The files and who calls whom (no cycle; each calls only files below
 * it in this list):
 *
 *   pcpu-counters-fake.c    the built-in fake PMU: a backend, and the CPU
 *                           and capacity it pretends      -> .c, -tables
 *   pcpu-counters-result.c  deltas, derived sums, rules, pcnt_measure()
 *                                                         -> .c, -spec
 *   pcpu-counters.c         the backend in use and the session
 *                                                         -> -spec, -tables
 *   pcpu-counters-spec.c    event names to encodings, the plan into passes
 *                                                         -> -pfm, -tables
 *   pcpu-counters-pfm.c     libpfm4                       -> -tables
 *   pcpu-counters-tables.c  the settings (pcnt_init()), the CPU and its
 *                           overrides, the event tables, the capacity
 */
#ifndef PCPU_COUNTERS_PRIV_H
#define PCPU_COUNTERS_PRIV_H

#include "pcpu-counters.h"

/* ---- pcpu-counters-tables.c ---------------------------------------------- */

/* What the fake backend pretends: the CPU, its counters, no libpfm4. */
struct pcnt_override {
	bool cpu_set;
	struct pcnt_cpu cpu;
	bool cap_set;
	unsigned gp, fixed;
	int watchdog;
	bool pfm_off;		/* libpfm4 must not be used */
};

/* The override in force (never NULL; all zero: none). */
const struct pcnt_override *pcnt_override_get(void);
/* Replace the override (NULL: none) and drop cached table look-ups. */
void pcnt_override_set(const struct pcnt_override *o);
/* The settings of pcnt_init() (never NULL; empty strings when unset). */
const struct pcnt_settings *pcnt_settings_get(void);
/*
 * pcnt_tables_which() - the id of a table (any CPU) that names @name as a
 * key or perf name, in @id. Return: 1 found; 0 not; -errno.
 */
int pcnt_tables_which(const char *name, char *id, size_t idlen);

/* ---- pcpu-counters-pfm.c ------------------------------------------------- */

/* True when libpfm4 has a core PMU for this CPU and may be used. */
bool pcnt_pfm_usable(const char **pmu);
/* libpfm4's core PMU name, "perf" (none detected) or "none" (no libpfm4). */
const char *pcnt_pfm_short(void);

/* ---- pcpu-counters-spec.c ------------------------------------------------ */

/* Commas become ';' (statuses and paths are CSV fields). */
void pcnt_no_commas(char *s);
/* Index of event @name in @s, or -1. */
int pcnt_spec_find(const struct pcnt_spec *s, const char *name);

/* Which pass each event of a spec is counted in. */
struct pcnt_plan {
	size_t npasses;
	int pass_of[PCNT_MAX_EVENTS];
};

/*
 * pcnt_plan_passes() - the hardware events of @s into passes that fit
 * @c (greedy first fit in spec order).
 * Return: 0; -E2BIG with no_split when one group cannot hold them.
 */
int pcnt_plan_passes(const struct pcnt_spec *s, const struct pcnt_capacity *c,
		     struct pcnt_plan *p, char *err, size_t errlen);

/* ---- pcpu-counters.c ----------------------------------------------------- */

#define PCNT_MAX_GROUPS PCNT_MAX_EVENTS

struct pcnt_group {
	int leader_fd;
	int pass;			/* PCNT_PASS_ALL: software */
	size_t nmembers;
	size_t member[PCNT_MAX_EVENTS];	/* event indices */
};

struct pcnt_session {
	struct pcnt_spec spec;
	const struct pcnt_backend *be;
	int fd[PCNT_MAX_EVENTS];
	uint64_t id[PCNT_MAX_EVENTS];
	char status[PCNT_MAX_EVENTS][PCNT_STATUS_LEN];
	struct pcnt_plan plan;
	size_t cur;
	size_t ngroups;
	struct pcnt_group groups[PCNT_MAX_GROUPS];
};

#endif /* PCPU_COUNTERS_PRIV_H */
