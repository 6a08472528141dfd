// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-access-table.c - access method "table": the kernel's generic
 * __per_cpu_offset[] and per_cpu_ptr(). Each runtime that uses it owns
 * one offset table (rt->table, handed to the hot path in its access
 * context), so that several can be live at once; publish writes the
 * unit's base into the CPU's entry, the hot path loads it (PCPU_TABLE_*
 * in pcpu-access.h).
 * Works over every layout but thread: it needs no stride, only a base per
 * CPU.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcpu-internal.h"
#include "pcpu-access.h"

static const char *table_unavailable(void)
{
	return NULL;
}

static int table_init(struct pcpu_rt *rt, char *err, size_t errlen)
{
	rt->table = calloc(PCPU_NR_CPUS, sizeof(*rt->table));
	if (!rt->table)
		return pcpu_seterr(err, errlen, -ENOMEM, "no memory for the "
				   "offset table");
	return 0;
}

static void table_fini(struct pcpu_rt *rt)
{
	free(rt->table);
	rt->table = NULL;
}

static void table_publish(struct pcpu_rt *rt, unsigned cpu, bool on)
{
	__atomic_store_n(&rt->table[cpu],
			 on ? (uintptr_t)rt->cpus[cpu].base : 0, __ATOMIC_RELEASE);
}

static int table_enter(struct pcpu_rt *rt, unsigned cpu)
{
	return 0;
}

static void table_leave(struct pcpu_rt *rt, unsigned cpu)
{
}

static void table_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	snprintf(buf, len, "offset table of %d entries (base of each online "
		 "CPU's unit), indexed by CPU id", PCPU_NR_CPUS);
}

const struct pcpu_access_ops pcpu_access_table = {
	.unavailable = table_unavailable,
	.init = table_init,
	.fini = table_fini,
	.publish = table_publish,
	.enter = table_enter,
	.leave = table_leave,
	.describe = table_describe,
};
