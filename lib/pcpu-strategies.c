// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-strategies.c - the five strategies' cold-path hooks.
 *
 * Where each one's units live:
 *   offset-array, segment, tls: one mapping per CPU, made when the CPU
 *       comes online (on its node), unmapped when it goes offline.
 *   vm-area: one PROT_NONE reservation of (max id + 1) units; a CPU's unit
 *       at base + (cpu << shift) is committed on online and returned to
 *       PROT_NONE on offline.
 *   hybrid: the CPUs online at start share one embedded block (huge pages
 *       where the kernel gives them; each unit placed on its CPU's node);
 *       CPUs onlined later are committed in a VM area as above. An offlined
 *       boot CPU keeps its slot (as the kernel keeps its first chunk).
 * How the hot path finds them is in pcpu-access.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pcpu-internal.h"
#include "pcpu-access.h"

#if defined(__x86_64__)
#include <asm/prctl.h>
#endif

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif

static int noop_init(struct pcpu_rt *rt, char *err, size_t errlen)
{
	return 0;
}

static void noop_fini(struct pcpu_rt *rt)
{
}

static void noop_publish(struct pcpu_rt *rt, unsigned cpu, bool on)
{
}

static int noop_enter(struct pcpu_rt *rt, unsigned cpu)
{
	return 0;
}

static void noop_leave(struct pcpu_rt *rt, unsigned cpu)
{
}

/* ---- one mapping per CPU ---------------------------------------------------- */

static int mapped_alloc(struct pcpu_rt *rt, unsigned cpu, bool *fresh)
{
	struct pcpu_cpu *c = &rt->cpus[cpu];

	*fresh = true;
	return pcpu_mem_map(rt, rt->unit_size, c->host_node, &c->map_addr,
			    &c->map_len, &c->base);
}

static void mapped_free(struct pcpu_rt *rt, unsigned cpu)
{
	struct pcpu_cpu *c = &rt->cpus[cpu];

	if (c->map_addr)
		munmap(c->map_addr, c->map_len);
	c->map_addr = NULL;
	c->map_len = 0;
}

static void mapped_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	snprintf(buf, len, "one %zu-byte mapping per online CPU, made on online "
		 "and unmapped on offline", rt->unit_size);
}

/* ---- offset-array ------------------------------------------------------------ */

static void offarr_publish(struct pcpu_rt *rt, unsigned cpu, bool on)
{
	__atomic_store_n(&pcpu_offset_table[cpu],
			 on ? (uintptr_t)rt->cpus[cpu].base : 0, __ATOMIC_RELEASE);
}

static void offarr_fini(struct pcpu_rt *rt)
{
	memset(pcpu_offset_table, 0, sizeof(pcpu_offset_table));
}

static const struct pcpu_strategy_ops offarr_ops = {
	.init = noop_init,
	.fini = offarr_fini,
	.unit_alloc = mapped_alloc,
	.unit_free = mapped_free,
	.publish = offarr_publish,
	.enter = noop_enter,
	.leave = noop_leave,
	.describe = mapped_describe,
};

/* ---- segment ------------------------------------------------------------------- */

static int set_gs_base(uintptr_t base)
{
#if defined(__x86_64__)
	if (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) {
		__asm__ volatile("wrgsbase %0" : : "r"(base) : "memory");
		return 0;
	}
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, base))
		return -errno;
	return 0;
#else
	return -ENOTSUP;
#endif
}

static int seg_enter(struct pcpu_rt *rt, unsigned cpu)
{
	return set_gs_base((uintptr_t)rt->cpus[cpu].base);
}

static void seg_leave(struct pcpu_rt *rt, unsigned cpu)
{
	set_gs_base(0);
}

static void seg_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	snprintf(buf, len, "one %zu-byte mapping per online CPU; GS base set "
		 "with %s on thread enter", rt->unit_size,
		 getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE ? "wrgsbase (FSGSBASE)"
							: "arch_prctl(ARCH_SET_GS)");
}

static const struct pcpu_strategy_ops seg_ops = {
	.init = noop_init,
	.fini = noop_fini,
	.unit_alloc = mapped_alloc,
	.unit_free = mapped_free,
	.publish = noop_publish,
	.enter = seg_enter,
	.leave = seg_leave,
	.describe = seg_describe,
};

/* ---- vm-area -------------------------------------------------------------------- */

static size_t reserve_align(const struct pcpu_rt *rt)
{
	return rt->unit_size > PCPU_HUGE_SIZE ? rt->unit_size : PCPU_HUGE_SIZE;
}

static int vm_reserve(struct pcpu_rt *rt, char *err, size_t errlen)
{
	int ret;

	rt->vm_len = (size_t)(rt->max_possible + 1) << rt->unit_shift;
	ret = pcpu_mem_reserve(rt->vm_len, reserve_align(rt), &rt->vm_map,
			       &rt->vm_map_len, &rt->vm_base);
	if (ret) {
		snprintf(err, errlen, "cannot reserve %zu bytes of address space: %s",
			 rt->vm_len, strerror(-ret));
		rt->vm_len = 0;
	}
	return ret;
}

static void vm_unreserve(struct pcpu_rt *rt)
{
	if (rt->vm_map)
		munmap(rt->vm_map, rt->vm_map_len);
	rt->vm_map = NULL;
	rt->vm_base = NULL;
	rt->vm_len = 0;
}

static int vm_commit(struct pcpu_rt *rt, unsigned cpu)
{
	struct pcpu_cpu *c = &rt->cpus[cpu];
	unsigned char *addr = rt->vm_base + ((size_t)cpu << rt->unit_shift);
	int ret = pcpu_mem_commit_fixed(rt, addr, rt->unit_size, c->host_node);

	if (!ret)
		c->base = addr;
	return ret;
}

static int vmarea_init(struct pcpu_rt *rt, char *err, size_t errlen)
{
	int ret = vm_reserve(rt, err, errlen);

	if (ret)
		return ret;
	pcpu_vm_base = (uintptr_t)rt->vm_base;
	pcpu_vm_shift = rt->unit_shift;
	return 0;
}

static void vmarea_fini(struct pcpu_rt *rt)
{
	vm_unreserve(rt);
	pcpu_vm_base = 0;
	pcpu_vm_shift = 0;
}

static int vmarea_alloc(struct pcpu_rt *rt, unsigned cpu, bool *fresh)
{
	*fresh = true;
	return vm_commit(rt, cpu);
}

static void vmarea_free(struct pcpu_rt *rt, unsigned cpu)
{
	pcpu_mem_decommit_fixed(rt->cpus[cpu].base, rt->unit_size);
}

static void vmarea_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	snprintf(buf, len, "%zu bytes reserved for %d CPU ids; unit = base + "
		 "(cpu << %u), committed on online", rt->vm_len,
		 rt->max_possible + 1, rt->unit_shift);
}

static const struct pcpu_strategy_ops vmarea_ops = {
	.init = vmarea_init,
	.fini = vmarea_fini,
	.unit_alloc = vmarea_alloc,
	.unit_free = vmarea_free,
	.publish = noop_publish,
	.enter = noop_enter,
	.leave = noop_leave,
	.describe = vmarea_describe,
};

/* ---- hybrid ----------------------------------------------------------------------- */

static int hybrid_init(struct pcpu_rt *rt, char *err, size_t errlen)
{
	unsigned nb = pcpu_cpuset_count(&rt->boot), slot = 0;
	enum pcpu_backing want = rt->cfg.backing;
	int cpu, ret;

	rt->embed_index = malloc(PCPU_NR_CPUS * sizeof(int));
	if (!rt->embed_index)
		return -ENOMEM;
	memset(rt->embed_index, 0xff, PCPU_NR_CPUS * sizeof(int));
	ret = vm_reserve(rt, err, errlen);
	if (ret)
		goto err;
	if (nb) {
		/* Large pages where possible: the embedded block asks for THP
		 * unless hugetlb was requested. */
		if (want == PCPU_BACKING_4K)
			rt->cfg.backing = PCPU_BACKING_THP;
		/* Rounded up to whole huge pages so THP can back it all, as
		 * the kernel's linear map backs its first chunk. */
		rt->embed_len = ((size_t)nb * rt->unit_size + PCPU_HUGE_SIZE - 1) &
				~(PCPU_HUGE_SIZE - 1);
		ret = pcpu_mem_map(rt, rt->embed_len, rt->topo.host_nodes[0],
				   &rt->embed_map, &rt->embed_map_len, &rt->embed);
		rt->cfg.backing = want;
		if (ret) {
			snprintf(err, errlen, "cannot map the embedded block (%zu "
				 "bytes): %s", rt->embed_len, strerror(-ret));
			rt->embed_len = 0;
			goto err_vm;
		}
		pcpu_for_each_cpu(cpu, &rt->boot) {
			pcpu_mem_place(rt, rt->embed + (size_t)slot * rt->unit_size,
				       rt->unit_size, rt->cpus[cpu].host_node);
			rt->embed_index[cpu] = (int)slot++;
		}
	}
	return 0;
err_vm:
	vm_unreserve(rt);
err:
	free(rt->embed_index);
	rt->embed_index = NULL;
	return ret;
}

static void hybrid_fini(struct pcpu_rt *rt)
{
	if (rt->embed_map)
		munmap(rt->embed_map, rt->embed_map_len);
	rt->embed_map = NULL;
	rt->embed = NULL;
	rt->embed_len = 0;
	vm_unreserve(rt);
	free(rt->embed_index);
	rt->embed_index = NULL;
	memset(pcpu_hybrid_table, 0, sizeof(pcpu_hybrid_table));
}

static int hybrid_alloc(struct pcpu_rt *rt, unsigned cpu, bool *fresh)
{
	int slot = rt->embed_index[cpu];

	if (slot >= 0) {
		rt->cpus[cpu].base = rt->embed + (size_t)slot * rt->unit_size;
		*fresh = false;
		return 0;
	}
	*fresh = true;
	return vm_commit(rt, cpu);
}

static void hybrid_free(struct pcpu_rt *rt, unsigned cpu)
{
	if (rt->embed_index[cpu] < 0)
		pcpu_mem_decommit_fixed(rt->cpus[cpu].base, rt->unit_size);
}

static void hybrid_publish(struct pcpu_rt *rt, unsigned cpu, bool on)
{
	__atomic_store_n(&pcpu_hybrid_table[cpu],
			 on ? (uintptr_t)rt->cpus[cpu].base : 0, __ATOMIC_RELEASE);
}

static void hybrid_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	snprintf(buf, len, "%zu-byte embedded block for %u boot CPUs (huge pages "
		 "asked), %zu bytes reserved for CPUs onlined later; reached "
		 "through the offset table", rt->embed_len,
		 pcpu_cpuset_count(&rt->boot), rt->vm_len);
}

static const struct pcpu_strategy_ops hybrid_ops = {
	.init = hybrid_init,
	.fini = hybrid_fini,
	.unit_alloc = hybrid_alloc,
	.unit_free = hybrid_free,
	.publish = hybrid_publish,
	.enter = noop_enter,
	.leave = noop_leave,
	.describe = hybrid_describe,
};

/* ---- tls ------------------------------------------------------------------------------ */

/*
 * The unit is parked in a per-CPU mapping while no thread holds the CPU;
 * the holder works on a copy in its own __thread block, written back when
 * it leaves. The hot path is a plain %fs-relative access.
 */
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
	snprintf(buf, len, "the holder's __thread block (%d bytes, %%fs); the "
		 "unit is parked in a per-CPU mapping between holders",
		 PCPU_TLS_MAX);
}

static const struct pcpu_strategy_ops tls_ops = {
	.init = noop_init,
	.fini = noop_fini,
	.unit_alloc = mapped_alloc,
	.unit_free = mapped_free,
	.publish = noop_publish,
	.enter = tls_enter,
	.leave = tls_leave,
	.describe = tls_describe,
};

const struct pcpu_strategy_ops *const pcpu_strategy_ops_table[PCPU_NR_STRATEGIES] = {
	[PCPU_S_OFFSET_ARRAY] = &offarr_ops,
	[PCPU_S_SEGMENT] = &seg_ops,
	[PCPU_S_VM_AREA] = &vmarea_ops,
	[PCPU_S_HYBRID] = &hybrid_ops,
	[PCPU_S_TLS] = &tls_ops,
};

/**
 * pcpu_rt_describe() - one line about the layout of @rt's units.
 */
void pcpu_rt_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	rt->ops->describe(rt, buf, len);
}
