// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-layout-page.c - layout "page": the kernel's percpu_alloc=page
 * first chunk (mm/percpu.c, pcpu_page_first_chunk()).
 *
 * At init, one reserved range of (max possible id + 1) units, as the
 * kernel maps its page first chunk into vmalloc space; every possible
 * CPU's unit is committed in 4 KiB pages (never huge: that is the point of
 * percpu_alloc=page), bound to the node init knew for the CPU, faulted in
 * and filled from the template. CPU c's unit is at base + (c << shift),
 * so the shift access method can reach it. Online and offline allocate
 * and free nothing; the core still folds counters on offline.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pcpu-internal.h"

static int page_init(struct pcpu_rt *rt, char *err, size_t errlen)
{
	int cpu, ret = pcpu_vm_reserve(rt, err, errlen);

	if (ret)
		return ret;
	pcpu_for_each_cpu(cpu, &rt->possible) {
		struct pcpu_cpu *c = &rt->cpus[cpu];

		ret = pcpu_vm_commit(rt, (unsigned)cpu, c->init_host_node, NULL);
		if (ret) {
			pcpu_seterr(err, errlen, ret, "cannot commit CPU %d's unit "
				    "of the page layout: %s", cpu, strerror(-ret));
			pcpu_vm_unreserve(rt);
			return ret;
		}
		c->kept = true;
		pcpu_unit_fill(rt, c->base);
		pcpu_set_unit_node(rt, (unsigned)cpu, true);
	}
	rt->stride_base = rt->vm.base;
	return 0;
}

static void page_fini(struct pcpu_rt *rt)
{
	pcpu_vm_unreserve(rt);
	rt->stride_base = NULL;
}

static int page_alloc(struct pcpu_rt *rt, unsigned cpu, bool *fill,
		      struct pcpu_hp_cost *cost)
{
	*fill = false;
	return rt->cpus[cpu].base ? 0 : -ENOENT;
}

static void page_free(struct pcpu_rt *rt, unsigned cpu)
{
}

static void page_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	snprintf(buf, len, "%zu bytes reserved for %d CPU ids; every possible "
		 "CPU's %zu-byte unit committed at init in 4 KiB pages on the "
		 "node init knew; online/offline allocate nothing", rt->vm.len,
		 rt->max_possible + 1, rt->unit_size);
}

const struct pcpu_layout_ops pcpu_layout_page = {
	.commits_all = true,
	.huge_ok = false,
	.strided = true,
	.init = page_init,
	.fini = page_fini,
	.unit_alloc = page_alloc,
	.unit_free = page_free,
	.describe = page_describe,
};
