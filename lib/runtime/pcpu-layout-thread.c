// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-layout-thread.c - layout "thread", the tls access method's only
 * layout: the holder works on a copy in its own __thread block (see
 * pcpu-access-tls.c); between holders the unit is parked in a mapping of
 * its own, made on online on the CPU's node, filled from the template,
 * unmapped on offline.
 */
#include <stdio.h>
#include <sys/mman.h>

#include "pcpu-internal.h"

static int thread_init(struct pcpu_rt *rt, char *err, size_t errlen)
{
	return 0;
}

static void thread_fini(struct pcpu_rt *rt)
{
}

static int thread_alloc(struct pcpu_rt *rt, unsigned cpu, bool *fill,
			struct pcpu_hp_cost *cost)
{
	struct pcpu_cpu *c = &rt->cpus[cpu];
	double t0 = pcpu_now_ns(), t1, t2;
	int ret;

	*fill = true;
	ret = pcpu_mem_map(rt, rt->unit_size, -1, &c->map_addr, &c->map_len,
			   &c->base);
	if (ret)
		return ret;
	t1 = pcpu_now_ns();
	ret = pcpu_mem_place(rt, c->base, rt->unit_size, c->host_node);
	t2 = pcpu_now_ns();
	if (!ret)
		ret = pcpu_mem_populate(c->base, rt->unit_size);
	if (cost) {
		cost->online_ns[PCPU_ON_ALLOC] += (t1 - t0) + (pcpu_now_ns() - t2);
		cost->online_ns[PCPU_ON_PLACE] += t2 - t1;
	}
	if (ret) {
		munmap(c->map_addr, c->map_len);
		c->map_addr = NULL;
		c->map_len = 0;
		c->base = NULL;
		return ret;
	}
	pcpu_set_unit_node(rt, cpu, false);
	return 0;
}

static void thread_free(struct pcpu_rt *rt, unsigned cpu)
{
	struct pcpu_cpu *c = &rt->cpus[cpu];

	if (c->map_addr)
		munmap(c->map_addr, c->map_len);
	c->map_addr = NULL;
	c->map_len = 0;
	c->base = NULL;
	c->unit_node = c->unit_host_node = -1;
}

static void thread_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	snprintf(buf, len, "the holder's __thread block (%d bytes, %%fs); the "
		 "unit is parked in a per-CPU mapping made on online between "
		 "holders", PCPU_TLS_MAX);
}

const struct pcpu_layout_ops pcpu_layout_thread = {
	.commits_all = false,
	.huge_ok = false,
	.per_thread = true,
	.init = thread_init,
	.fini = thread_fini,
	.unit_alloc = thread_alloc,
	.unit_free = thread_free,
	.describe = thread_describe,
};
