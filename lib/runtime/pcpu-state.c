// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-state.c - what a runtime says about itself: its strategy, axes,
 * access context, sets, nodes, memory accounting and description.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pcpu-internal.h"
#include "pcpu-access.h"

/* ---- accessors of state ----------------------------------------------------- */

enum pcpu_strategy_id pcpu_rt_strategy(const struct pcpu_rt *rt)
{
	return rt->strategy;
}

enum pcpu_access_id pcpu_rt_access(const struct pcpu_rt *rt)
{
	return rt->access;
}

enum pcpu_layout_id pcpu_rt_layout(const struct pcpu_rt *rt)
{
	return rt->layout;
}

void pcpu_rt_acc_ctx(const struct pcpu_rt *rt, struct pcpu_acc_ctx *ctx)
{
	ctx->table = rt->table;
	ctx->base = (uintptr_t)rt->stride_base;
	ctx->shift = rt->unit_shift;
#if PCPU_HAVE_FS
	ctx->tpoff = PCPU_TPOFF(pcpu_tls_block);
#else
	ctx->tpoff = 0;
#endif
}

const struct pcpu_topo *pcpu_rt_topo(const struct pcpu_rt *rt)
{
	return &rt->topo;
}

size_t pcpu_rt_unit_size(const struct pcpu_rt *rt)
{
	return rt->unit_size;
}

unsigned pcpu_rt_unit_shift(const struct pcpu_rt *rt)
{
	return rt->unit_shift;
}

const struct pcpu_cpuset *pcpu_rt_possible(const struct pcpu_rt *rt)
{
	return &rt->possible;
}

const struct pcpu_cpuset *pcpu_rt_present(const struct pcpu_rt *rt)
{
	return &rt->present;
}

void pcpu_rt_online_set(struct pcpu_rt *rt, struct pcpu_cpuset *out)
{
	pthread_mutex_lock(&rt->lock);
	*out = rt->online;
	pthread_mutex_unlock(&rt->lock);
}

bool pcpu_cpu_online_p(struct pcpu_rt *rt, unsigned cpu)
{
	return cpu < PCPU_NR_CPUS && atomic_load(&rt->cpus[cpu].state) == CPU_ONLINE;
}

int pcpu_cpu_host_cpu(const struct pcpu_rt *rt, unsigned cpu)
{
	return pcpu_cpuset_test(&rt->possible, cpu) ? rt->cpus[cpu].host_cpu : -EINVAL;
}

int pcpu_cpu_node(const struct pcpu_rt *rt, unsigned cpu)
{
	return pcpu_cpuset_test(&rt->possible, cpu) ? rt->cpus[cpu].node : -EINVAL;
}

int pcpu_cpu_host_node(const struct pcpu_rt *rt, unsigned cpu)
{
	return pcpu_cpuset_test(&rt->possible, cpu) ? rt->cpus[cpu].host_node : -EINVAL;
}

int pcpu_cpu_init_node(const struct pcpu_rt *rt, unsigned cpu)
{
	return pcpu_cpuset_test(&rt->possible, cpu) ? rt->cpus[cpu].init_node : -EINVAL;
}

int pcpu_cpu_unit_host_node(const struct pcpu_rt *rt, unsigned cpu)
{
	if (!pcpu_cpuset_test(&rt->possible, cpu))
		return -EINVAL;
	return rt->cpus[cpu].unit_host_node >= 0 ? rt->cpus[cpu].unit_host_node : -ENOENT;
}

int pcpu_cpu_unit_node(const struct pcpu_rt *rt, unsigned cpu)
{
	if (!pcpu_cpuset_test(&rt->possible, cpu))
		return -EINVAL;
	return rt->cpus[cpu].unit_node >= 0 ? rt->cpus[cpu].unit_node : -ENOENT;
}

bool pcpu_cpu_unit_kept(const struct pcpu_rt *rt, unsigned cpu)
{
	return pcpu_cpuset_test(&rt->possible, cpu) && rt->cpus[cpu].kept;
}

/**
 * pcpu_mem_account() - reserved and committed bytes, measured.
 * Context: takes the runtime's lock.
 * Return: 0.
 */
int pcpu_mem_account(struct pcpu_rt *rt, struct pcpu_mem *m)
{
	int cpu;

	memset(m, 0, sizeof(*m));
	pthread_mutex_lock(&rt->lock);
	m->nr_possible = rt->nr_possible;
	m->nr_online = pcpu_cpuset_count(&rt->online);
	m->unit_size = rt->unit_size;
	/* The layout's block and reservation, whatever is in them (an
	 * offline CPU's kept unit stays committed, as in the kernel). */
	m->reserved_bytes = rt->vm.len + rt->embed.len;
	m->committed_bytes = pcpu_mem_resident(rt->embed.base, rt->embed.len) +
			     pcpu_mem_resident(rt->vm.base, rt->vm.len);
	pcpu_for_each_cpu(cpu, &rt->possible) {
		struct pcpu_cpu *c = &rt->cpus[cpu];

		if (!c->base)
			continue;
		m->nr_units++;
		if (c->map_addr) {
			m->reserved_bytes += c->map_len;
			m->committed_bytes += pcpu_mem_resident(c->base, rt->unit_size);
		}
		if (pcpu_cpuset_test(&rt->online, (unsigned)cpu))
			m->committed_online_bytes += pcpu_mem_resident(c->base,
								       rt->unit_size);
	}
	m->bookkeeping_bytes = rt->unit_size + (size_t)rt->nr_possible *
			       (sizeof(uintptr_t) + sizeof(struct pcpu_cpu));
	m->all_possible_bytes = (size_t)rt->nr_possible * rt->unit_size;
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

/**
 * pcpu_rt_describe() - one line about where @rt's units live and how the
 * hot path finds them.
 */
void pcpu_rt_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	char lay[320], acc[160];

	rt->lops->describe(rt, lay, sizeof(lay));
	rt->aops->describe(rt, acc, sizeof(acc));
	snprintf(buf, len, "%s over %s: %s; %s", pcpu_access_name(rt->access),
		 pcpu_layout_name(rt->layout), lay, acc);
}
