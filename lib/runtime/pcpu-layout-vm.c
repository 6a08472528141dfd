// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-layout-vm.c - layout "vm": the dedicated per-CPU VM area
 * (Lameter's virtual per-CPU area; librseq's per-CPU pools).
 *
 * At init, one PROT_NONE reservation of (max possible id + 1) units: CPU
 * c's unit is at base + (c << unit_shift), a constant power-of-two
 * stride. On online the unit is committed on the CPU's node *at that
 * moment* (a hot-added CPU's real node), its pages faulted in, and the
 * core fills it from the template; on offline it goes back to PROT_NONE
 * and its pages are freed.
 *
 * The reservation and commit helpers are shared with the page and hybrid
 * layouts.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pcpu-internal.h"

static size_t reserve_align(const struct pcpu_rt *rt)
{
	return rt->unit_size > PCPU_HUGE_SIZE ? rt->unit_size : PCPU_HUGE_SIZE;
}

/**
 * pcpu_vm_reserve() - reserve address space for (max possible id + 1)
 * units. Return: 0; -ENOMEM (message in @err).
 */
int pcpu_vm_reserve(struct pcpu_rt *rt, char *err, size_t errlen)
{
	size_t len = (size_t)(rt->max_possible + 1) << rt->unit_shift;
	int ret = pcpu_mem_reserve(len, reserve_align(rt), &rt->vm.map,
				   &rt->vm.map_len, &rt->vm.base);

	if (ret)
		return pcpu_seterr(err, errlen, ret, "cannot reserve %zu bytes of "
				   "address space: %s", len, strerror(-ret));
	rt->vm.len = len;
	return 0;
}

void pcpu_vm_unreserve(struct pcpu_rt *rt)
{
	pcpu_region_release(rt, &rt->vm);
}

/**
 * pcpu_vm_commit() - commit @cpu's unit of the reservation, placed for
 * @host_node, pages faulted in; sets c->base.
 * Return: 0; -ENOMEM; -errno.
 */
int pcpu_vm_commit(struct pcpu_rt *rt, unsigned cpu, int host_node,
		   struct pcpu_hp_cost *cost)
{
	unsigned char *addr = rt->vm.base + ((size_t)cpu << rt->unit_shift);
	int ret = pcpu_mem_commit_fixed(rt, addr, rt->unit_size, host_node, cost);

	if (!ret)
		rt->cpus[cpu].base = addr;
	return ret;
}

void pcpu_vm_decommit(struct pcpu_rt *rt, unsigned cpu)
{
	struct pcpu_cpu *c = &rt->cpus[cpu];

	if (!c->base)
		return;
	pcpu_mem_decommit_fixed(c->base, rt->unit_size);
	c->base = NULL;
	c->unit_node = c->unit_host_node = -1;
}

static int vm_init(struct pcpu_rt *rt, char *err, size_t errlen)
{
	int ret = pcpu_vm_reserve(rt, err, errlen);

	if (!ret)
		rt->stride_base = rt->vm.base;
	return ret;
}

static void vm_fini(struct pcpu_rt *rt)
{
	pcpu_vm_unreserve(rt);
	rt->stride_base = NULL;
}

static int vm_alloc(struct pcpu_rt *rt, unsigned cpu, bool *fill,
		    struct pcpu_hp_cost *cost)
{
	int ret;

	*fill = true;
	/* The node of the CPU now, not what init guessed. */
	ret = pcpu_vm_commit(rt, cpu, rt->cpus[cpu].host_node, cost);
	if (!ret)
		pcpu_set_unit_node(rt, cpu, false);
	return ret;
}

static void vm_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	snprintf(buf, len, "%zu bytes reserved for %d CPU ids; unit = base + "
		 "(cpu << %u), committed on online on the CPU's node then, "
		 "released on offline", rt->vm.len, rt->max_possible + 1,
		 rt->unit_shift);
}

const struct pcpu_layout_ops pcpu_layout_vm = {
	.commits_all = false,
	.huge_ok = true,
	.strided = true,
	.init = vm_init,
	.fini = vm_fini,
	.unit_alloc = vm_alloc,
	.unit_free = pcpu_vm_decommit,
	.describe = vm_describe,
};
