// SPDX-License-Identifier: GPL-2.0
/*
 * bench-env.c - the one place pcpubench reads its environment (the list
 * and what each variable does: bench-env.h), and the hand-over of the
 * toolkit's values as settings: the library takes them as arguments and
 * reads no environment itself.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-env.h"
#include "pcpu-counters.h"
#include "pcpu-out.h"
#include "pcpubench.h"

#define BENCH_ENV_NAME(name, what) name,
static const char *const known[] = { BENCH_ENV_VARS(BENCH_ENV_NAME) };
#undef BENCH_ENV_NAME

const char *bench_env_get(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(known[i], name))
			return getenv(name);
	assert(!"bench_env_get: a variable missing from BENCH_ENV_VARS");
	return NULL;
}

int bench_env_apply(void)
{
	struct pcnt_settings cs = {
		.event_dir = bench_env_get("PCPU_EVENT_DIR"),
		.event_table = bench_env_get("PCPU_EVENT_TABLE"),
		.pfm_forced_pmu = bench_env_get("LIBPFM_FORCE_PMU"),
	};
	struct pout_settings os = {
		.strict_units = bench_env_get("PCPU_METRICS_STRICT") != NULL,
	};
	const char *spec = bench_env_get("PCPU_FAKE_PERF");
	char err[128] = "";
	int r;

	r = pcnt_init(&cs);
	if (r) {
		fprintf(stderr, "pcpubench: PCPU_EVENT_DIR, PCPU_EVENT_TABLE or "
			"LIBPFM_FORCE_PMU: %s\n", strerror(-r));
		return EXIT_USAGE;
	}
	pout_init(&os);
	/* A bad spec must not count for real: every event fails. */
	if (spec && *spec && pcnt_fake_install(spec, err, sizeof(err)))
		pcnt_fake_install_broken(err);
	return 0;
}
