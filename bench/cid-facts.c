// SPDX-License-Identifier: GPL-2.0
/*
 * cid-facts.c - probe the rseq facts once (kernel feature size, glibc's
 * registration, which area mm_cid is read from) and write them into
 * every result's metadata. The only reader of the test hook
 * PCPU_RSEQ_FEATURE_SIZE (see cid.h).
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "bench-common.h"
#include "bench-env.h"
#include "cid.h"

static struct pcpu_cid_facts facts;
static bool probed;
static char kernel[128];

const struct pcpu_cid_facts *bc_cid_facts(void)
{
	const char *e;
	long fs = -1;

	if (probed)
		return &facts;
	e = bench_env_get(BC_RSEQ_FEATURE_SIZE_ENV);
	if (e && *e) {
		char *end;
		long v = strtol(e, &end, 10);

		if (!*end && v >= 0)
			fs = v;
	}
	pcpu_cid_probe(&facts, fs);
	probed = true;
	return &facts;
}

const char *bc_cid_kernel(void)
{
	struct utsname u;

	if (!kernel[0])
		snprintf(kernel, sizeof(kernel), "%s",
			 uname(&u) ? "unknown" : u.release);
	return kernel;
}

const char *bc_cid_status(char *buf, size_t len)
{
	const struct pcpu_cid_facts *f = bc_cid_facts();

	if (f->reg == PCPU_CID_REG_NONE)
		return bc_na_status(buf, len, "no-mm-cid", f->why);
	snprintf(buf, len, "%s", pcpu_cid_reg_name(f->reg));
	return buf;
}

void bc_cid_meta(struct pout *o)
{
	const struct pcpu_cid_facts *f = bc_cid_facts();
	char b[320];

	snprintf(b, sizeof(b), "%ld%s", f->kernel_feature_size,
		 f->feature_size_given ? " (given by " BC_RSEQ_FEATURE_SIZE_ENV ")" : "");
	pout_meta(o, "rseq_kernel_feature_size", b);
	pout_meta(o, "rseq_glibc_registered", f->glibc_registered ? "yes" : "no");
	snprintf(b, sizeof(b), "%u", f->glibc_size);
	pout_meta(o, "rseq_glibc_size", b);
	pout_meta(o, "rseq_mm_cid", bc_cid_status(b, sizeof(b)));
}

bool bc_cid_access_na(struct pcpu_rt *rt, char *buf, size_t len)
{
	const struct pcpu_cid_facts *f = bc_cid_facts();
	cpu_set_t allowed;
	char msg[160];
	int i, n;

	if (f->reg == PCPU_CID_REG_NONE) {
		bc_na_status(buf, len, "no-mm-cid", f->why);
		return true;
	}
	if (!rt || sched_getaffinity(0, sizeof(allowed), &allowed)) {
		bc_na_status(buf, len, "no-unit", "no runtime or no allowed set");
		return true;
	}
	/* mm_cid < min(threads, allowed CPUs): ids 0..n-1 need units; an
	 * id's unit is committed now if the runtime lacks it (first use). */
	n = CPU_COUNT(&allowed);
	for (i = 0; i < n; i++) {
		int r;

		if (pcpu_cpu_online_p(rt, (unsigned)i))
			continue;
		r = pcpu_cpu_online(rt, (unsigned)i);
		if (r) {
			snprintf(msg, sizeof(msg), "id %d (below the %d allowed "
				 "CPUs) has no unit and logical CPU %d cannot come "
				 "online in this runtime (%s)", i, n, i, strerror(-r));
			bc_na_status(buf, len, "no-unit", msg);
			return true;
		}
	}
	return false;
}
