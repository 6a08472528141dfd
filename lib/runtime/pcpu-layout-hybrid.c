// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-layout-hybrid.c - layout "hybrid": Rostedt's 2006 proposal.
 *
 * The CPUs online at init share one embedded block (pcpu_embed_build():
 * grouped by node, placed, populated, filled at init); CPUs onlined later
 * get a unit in a VM area reserved for every possible id, committed on
 * online on the CPU's node at that moment and filled from the template,
 * released on offline. An offlined boot CPU keeps its slot in the block,
 * as the kernel keeps its first chunk. No constant stride: two bases.
 */
#include <stdio.h>

#include "pcpu-internal.h"

static int hybrid_init(struct pcpu_rt *rt, char *err, size_t errlen)
{
	int ret = pcpu_vm_reserve(rt, err, errlen);

	if (ret)
		return ret;
	ret = pcpu_embed_build(rt, &rt->boot, err, errlen);
	if (ret)
		pcpu_vm_unreserve(rt);
	return ret;
}

static void hybrid_fini(struct pcpu_rt *rt)
{
	pcpu_embed_release(rt);
	pcpu_vm_unreserve(rt);
}

static int hybrid_alloc(struct pcpu_rt *rt, unsigned cpu, bool *fill,
			struct pcpu_hp_cost *cost)
{
	int ret;

	if (rt->cpus[cpu].kept) {
		*fill = false;
		return 0;
	}
	*fill = true;
	ret = pcpu_vm_commit(rt, cpu, rt->cpus[cpu].host_node, cost);
	if (!ret)
		pcpu_set_unit_node(rt, cpu, false);
	return ret;
}

static void hybrid_free(struct pcpu_rt *rt, unsigned cpu)
{
	if (!rt->cpus[cpu].kept)
		pcpu_vm_decommit(rt, cpu);
}

static void hybrid_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	snprintf(buf, len, "%zu-byte embedded block for %u boot CPUs, %zu bytes "
		 "reserved for CPUs onlined later (committed on online on their "
		 "node then)", rt->embed.len, pcpu_cpuset_count(&rt->boot),
		 rt->vm.len);
}

const struct pcpu_layout_ops pcpu_layout_hybrid = {
	.commits_all = false,
	.huge_ok = true,
	.init = hybrid_init,
	.fini = hybrid_fini,
	.unit_alloc = hybrid_alloc,
	.unit_free = hybrid_free,
	.describe = hybrid_describe,
};
