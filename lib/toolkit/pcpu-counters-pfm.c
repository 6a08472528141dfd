// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-counters-pfm.c - libpfm4: which core PMU table it uses here, and
 * native event names to perf_event_attr encodings through it.
 *
 * libpfm4 is initialised once, at its first use. It reads its own
 * LIBPFM_FORCE_PMU; the caller tells us whether it set one
 * (pcnt_settings.pfm_forced_pmu), so that the description says so. The
 * fake backend forbids libpfm4 unless its spec allows it (pfm=1). Built
 * without libpfm4, every encoding is -ENOTSUP.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/perf_event.h>

#ifdef HAVE_PFM
#include <perfmon/pfmlib_perf_event.h>
#endif

#include "pcpu-counters-priv.h"

static pthread_once_t pfm_once = PTHREAD_ONCE_INIT;
static int pfm_ret;
static char pfm_pmu_desc[160];
static char pfm_pmu_short[64] = "none";
static int pfm_found;

static void pfm_setup(void)
{
#ifdef HAVE_PFM
	const char *forced = pcnt_settings_get()->pfm_forced_pmu;
	int p;

	pfm_ret = pfm_initialize();
	if (pfm_ret != PFM_SUCCESS) {
		snprintf(pfm_pmu_desc, sizeof(pfm_pmu_desc),
			 "unavailable: pfm_initialize failed: %s",
			 pfm_strerror(pfm_ret));
		return;
	}
	for (p = PFM_PMU_NONE; p < PFM_PMU_MAX; p++) {
		pfm_pmu_info_t in;

		memset(&in, 0, sizeof(in));
		in.size = sizeof(in);
		if (pfm_get_pmu_info(p, &in) != PFM_SUCCESS || !in.is_present ||
		    in.type != PFM_PMU_TYPE_CORE)
			continue;
		snprintf(pfm_pmu_short, sizeof(pfm_pmu_short), "%s", in.name);
		snprintf(pfm_pmu_desc, sizeof(pfm_pmu_desc), "%s%s", in.name,
			 forced && *forced ? " (forced by LIBPFM_FORCE_PMU)" : "");
		pfm_found = 1;
		break;
	}
	if (!pfm_found) {
		snprintf(pfm_pmu_short, sizeof(pfm_pmu_short), "perf");
		snprintf(pfm_pmu_desc, sizeof(pfm_pmu_desc),
			 "perf (generic events only: libpfm4 detected no core "
			 "PMU%s)", forced && *forced ? "; LIBPFM_FORCE_PMU set" :
			 "");
	}
#else
	pfm_ret = -1;
	snprintf(pfm_pmu_desc, sizeof(pfm_pmu_desc),
		 "unavailable: built without libpfm4");
#endif
}

const char *pcnt_pfm_pmu(void)
{
	pthread_once(&pfm_once, pfm_setup);
	return pfm_pmu_desc;
}

bool pcnt_pfm_usable(const char **pmu)
{
	pthread_once(&pfm_once, pfm_setup);
	if (pmu)
		*pmu = pfm_pmu_short;
	return !pcnt_override_get()->pfm_off && pfm_found;
}

const char *pcnt_pfm_short(void)
{
	pthread_once(&pfm_once, pfm_setup);
	return pfm_pmu_short;
}

/**
 * pcnt_pfm_encode() - see pcpu-counters.h.
 * Return: 0; -ENOTSUP; -ENOENT; -EINVAL.
 */
int pcnt_pfm_encode(const char *name, uint32_t *type, uint64_t *config,
		    uint64_t *config1, uint64_t *config2, char *pmu,
		    size_t pmulen)
{
#ifdef HAVE_PFM
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	char buf[512], *fstr = NULL, *p;
	int r;

	pthread_once(&pfm_once, pfm_setup);
	if (pfm_ret != PFM_SUCCESS)
		return -ENOTSUP;
	snprintf(buf, sizeof(buf), "%s", name);
	for (p = buf; *p; p++)
		if (*p == '.')
			*p = ':';
	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.size = sizeof(arg);
	arg.attr = &attr;
	arg.fstr = &fstr;
	r = pfm_get_os_event_encoding(buf, PFM_PLM3, PFM_OS_PERF_EVENT_EXT,
				      &arg);
	if (r != PFM_SUCCESS) {
		free(fstr);
		return r == PFM_ERR_NOTFOUND ? -ENOENT : -EINVAL;
	}
	*type = attr.type;
	*config = attr.config;
	*config1 = attr.config1;
	*config2 = attr.config2;
	if (pmu && pmulen) {
		char *sep = fstr ? strstr(fstr, "::") : NULL;

		snprintf(pmu, pmulen, "%.*s", sep ? (int)(sep - fstr) : 0,
			 fstr ? fstr : "");
	}
	free(fstr);
	return 0;
#else
	return -ENOTSUP;
#endif
}
