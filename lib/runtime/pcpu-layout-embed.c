// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-layout-embed.c - layout "embed": the kernel's default first chunk
 * (mm/percpu.c, pcpu_embed_first_chunk()).
 *
 * At init, one block holds a unit for every possible CPU. Units are
 * grouped by the node init knew for each CPU (its real node if present at
 * init, else what the late-node policy guessed); each group starts on a
 * huge page boundary when the backing is huge, as the kernel aligns its
 * groups to the atom size, and is bound to its node. Every page is
 * faulted in at init: the kernel's first chunk is memblock memory,
 * resident whether a CPU ever comes or not. The template is copied into
 * every unit at init. Online and offline allocate and free nothing (the
 * core still folds counters on offline); a CPU that arrives later finds
 * its unit where init put it, on whatever node that was.
 *
 * pcpu_embed_build() also makes hybrid's block for the boot CPUs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pcpu-internal.h"

static size_t group_align(const struct pcpu_rt *rt)
{
	return rt->cfg.backing == PCPU_BACKING_4K ? PCPU_PAGE_SIZE : PCPU_HUGE_SIZE;
}

/* Index in topo.host_nodes of @cpu's init-time node (0 if none matches). */
static unsigned group_of(const struct pcpu_rt *rt, unsigned cpu)
{
	unsigned i;

	for (i = 0; i < rt->topo.nr_host_nodes; i++)
		if (rt->topo.host_nodes[i] == rt->cpus[cpu].init_host_node)
			return i;
	return 0;
}

/**
 * pcpu_embed_build() - the embedded block for the CPUs of @set: grouped by
 * init-time node, each group placed for its node, populated, every unit
 * filled from the template; c->base, c->kept and the unit's node set.
 * Context: pcpu_rt_init(), before any CPU is online.
 * Return: 0; -ENOMEM (message in @err); -errno from mbind(). Nothing is
 * left mapped on error.
 */
int pcpu_embed_build(struct pcpu_rt *rt, const struct pcpu_cpuset *set,
		     char *err, size_t errlen)
{
	size_t align = group_align(rt), len = 0, goff[PCPU_MAX_NODES] = { 0 };
	size_t gused[PCPU_MAX_NODES] = { 0 }, gcount[PCPU_MAX_NODES] = { 0 };
	unsigned ng = rt->topo.nr_host_nodes, g;
	int cpu, ret;

	if (!ng || ng > PCPU_MAX_NODES)
		ng = 1;
	pcpu_for_each_cpu(cpu, set)
		gcount[group_of(rt, (unsigned)cpu)]++;
	for (g = 0; g < ng; g++) {
		goff[g] = len;
		len += (gcount[g] * rt->unit_size + align - 1) & ~(align - 1);
	}
	if (!len)
		return 0;
	ret = pcpu_mem_map(rt, len, -1, &rt->embed.map, &rt->embed.map_len,
			   &rt->embed.base);
	if (ret)
		return pcpu_seterr(err, errlen, ret, "cannot map the embedded block "
				   "(%zu bytes): %s", len, strerror(-ret));
	rt->embed.len = len;
	for (g = 0; g < ng; g++) {
		if (!gcount[g])
			continue;
		ret = pcpu_mem_place(rt, rt->embed.base + goff[g],
				     gcount[g] * rt->unit_size, rt->topo.host_nodes[g]);
		if (ret) {
			pcpu_seterr(err, errlen, ret, "cannot bind the embedded "
				    "block's node %d group: %s",
				    rt->topo.host_nodes[g], strerror(-ret));
			goto err;
		}
	}
	ret = pcpu_mem_populate(rt->embed.base, len);
	if (ret) {
		pcpu_seterr(err, errlen, ret, "cannot commit the embedded block "
			    "(%zu bytes)", len);
		goto err;
	}
	pcpu_for_each_cpu(cpu, set) {
		struct pcpu_cpu *c = &rt->cpus[cpu];

		g = group_of(rt, (unsigned)cpu);
		c->base = rt->embed.base + goff[g] + gused[g]++ * rt->unit_size;
		c->kept = true;
		pcpu_unit_fill(rt, c->base);
		pcpu_set_unit_node(rt, (unsigned)cpu, true);
	}
	return 0;
err:
	pcpu_embed_release(rt);
	return ret;
}

/**
 * pcpu_embed_release() - unmap the embedded block; its CPUs lose their units.
 */
void pcpu_embed_release(struct pcpu_rt *rt)
{
	pcpu_region_release(rt, &rt->embed);
}

static int embed_init(struct pcpu_rt *rt, char *err, size_t errlen)
{
	return pcpu_embed_build(rt, &rt->possible, err, errlen);
}

static int embed_alloc(struct pcpu_rt *rt, unsigned cpu, bool *fill,
		       struct pcpu_hp_cost *cost)
{
	*fill = false;		/* filled at init, as alloc_percpu() fills */
	return rt->cpus[cpu].base ? 0 : -ENOENT;
}

static void embed_free(struct pcpu_rt *rt, unsigned cpu)
{
}

static void embed_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	snprintf(buf, len, "one %zu-byte block made at init with a %zu-byte unit "
		 "for each of %u possible CPUs, grouped by the node init knew; "
		 "online/offline allocate nothing", rt->embed.len, rt->unit_size,
		 rt->nr_possible);
}

const struct pcpu_layout_ops pcpu_layout_embed = {
	.commits_all = true,
	.huge_ok = true,
	.init = embed_init,
	.fini = pcpu_embed_release,
	.unit_alloc = embed_alloc,
	.unit_free = embed_free,
	.describe = embed_describe,
};
