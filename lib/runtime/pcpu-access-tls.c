// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-access-tls.c - access method "tls": the per-thread floor. The
 * holder of a CPU works on a copy of the unit in its own __thread block
 * (pcpu_tls_block, %fs-relative: PCPU_TLS_* in pcpu-access.h); enter
 * loads the parked unit into the block, leave writes it back. Its only
 * layout is thread.
 */
#include <stdio.h>
#include <string.h>

#include "pcpu-internal.h"
#include "pcpu-access.h"

__thread unsigned char pcpu_tls_block[PCPU_TLS_MAX] __attribute__((aligned(64)));

static const char *tls_unavailable(void)
{
	return NULL;
}

static int tls_init(struct pcpu_rt *rt, char *err, size_t errlen)
{
	return 0;
}

static void tls_fini(struct pcpu_rt *rt)
{
}

static void tls_publish(struct pcpu_rt *rt, unsigned cpu, bool on)
{
}

static int tls_enter(struct pcpu_rt *rt, unsigned cpu)
{
	struct pcpu_cpu *c = &rt->cpus[cpu];

	memcpy(pcpu_tls_block, c->base, rt->unit_size);
	atomic_store(&c->tls_live, pcpu_tls_block);
	return 0;
}

static void tls_leave(struct pcpu_rt *rt, unsigned cpu)
{
	struct pcpu_cpu *c = &rt->cpus[cpu];

	memcpy(c->base, pcpu_tls_block, rt->unit_size);
	atomic_store(&c->tls_live, NULL);
}

static void tls_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	snprintf(buf, len, "copied into the holder's __thread block on enter, "
		 "back on leave");
}

const struct pcpu_access_ops pcpu_access_tls = {
	.per_thread = true,
	.unavailable = tls_unavailable,
	.init = tls_init,
	.fini = tls_fini,
	.publish = tls_publish,
	.enter = tls_enter,
	.leave = tls_leave,
	.describe = tls_describe,
};
