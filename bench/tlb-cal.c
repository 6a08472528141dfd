// SPDX-License-Identifier: GPL-2.0
/*
 * tlb-cal.c - the program's reading of the environment for the TLB
 * calibration's path (tlb-cal.h). When bench/bench-env.{c,h} (the one
 * place the program reads its environment, issue 20) lands, these
 * getenv() calls move there.
 */
#include <limits.h>
#include <stdlib.h>

#include "pcpu-tlb.h"
#include "tlb-cal.h"

const char *tlbcal_env(void)
{
	const char *e = getenv("PCPU_CALIBRATION");

	return e && *e ? e : NULL;
}

const char *tlbcal_path(bool *cache_default)
{
	static char path[PATH_MAX];
	int r = pcpu_tlbcal_path(path, sizeof(path), tlbcal_env(),
				 getenv("XDG_CACHE_HOME"), getenv("HOME"));

	if (cache_default)
		*cache_default = r == 1;
	return r < 0 ? NULL : path;
}
