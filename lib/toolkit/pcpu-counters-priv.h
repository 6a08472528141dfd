/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-counters-priv.h - what the counter files share inside the library:
 * the CPU identity and capacity overrides the fake backend installs, and
 * the backend in use. Not for programs.
 */
#ifndef PCPU_COUNTERS_PRIV_H
#define PCPU_COUNTERS_PRIV_H

#include "pcpu-counters.h"

struct pcnt_override {
	bool cpu_set;
	struct pcnt_cpu cpu;
	bool cap_set;
	unsigned gp, fixed;
	int watchdog;
	bool pfm_off;		/* libpfm4 must not be used */
};

extern struct pcnt_override pcnt_ovr;
/* The backend in use (never NULL). */
const struct pcnt_backend *pcnt_cur_backend(void);
/* Drop cached table/capacity look-ups (after an override changed). */
void pcnt_tables_invalidate(void);
/* True when libpfm4 has a core PMU for this CPU and may be used. */
bool pcnt_pfm_usable(const char **pmu);
/* Environment set-up (PCPU_FAKE_PERF), once. */
void pcnt_env_init(void);

#endif /* PCPU_COUNTERS_PRIV_H */
