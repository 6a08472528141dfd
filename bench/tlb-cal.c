// SPDX-License-Identifier: GPL-2.0
/*
 * tlb-cal.c - the TLB calibration's path for the program (tlb-cal.h):
 * the variables read through bench_env_get() (bench/bench-env.h, the one
 * place the program reads its environment), the path formed by the
 * library.
 */
#include <limits.h>
#include <stdlib.h>

#include "bench-env.h"
#include "pcpu-tlb.h"
#include "tlb-cal.h"

const char *tlbcal_env(void)
{
	const char *e = bench_env_get("PCPU_CALIBRATION");

	return e && *e ? e : NULL;
}

const char *tlbcal_path(bool *cache_default)
{
	static char path[PATH_MAX];
	int r = pcpu_tlbcal_path(path, sizeof(path), tlbcal_env(),
				 bench_env_get("XDG_CACHE_HOME"), bench_env_get("HOME"));

	if (cache_default)
		*cache_default = r == 1;
	return r < 0 ? NULL : path;
}
