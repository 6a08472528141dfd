// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-alloc.c - dynamic per-CPU allocation (pcpu_alloc(), the
 * alloc_percpu() analogue) into the template and every unit, and the
 * counters: registered, folded on offline, summed.
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

/* ---- dynamic allocation and counters --------------------------------------- */

/**
 * pcpu_tmpl_set() - @size bytes at unit offset @at start with @init (NULL:
 * zeros): in the template, and so in every unit made later, and in every
 * unit that exists now (embed, page: every possible CPU's, as
 * alloc_percpu() fills every possible CPU's). Lock held.
 */
void pcpu_tmpl_set(struct pcpu_rt *rt, pcpu_off_t at, const void *init,
		   size_t size)
{
	int cpu;

	if (init)
		memcpy(rt->tmpl + at, init, size);
	else
		memset(rt->tmpl + at, 0, size);
	if (at + size > rt->hwm)
		rt->hwm = at + size;
	pcpu_for_each_cpu(cpu, &rt->possible)
		if (rt->cpus[cpu].base)
			memcpy(rt->cpus[cpu].base + at, rt->tmpl + at, size);
}

/**
 * pcpu_tls_held() - true when @rt is tls and a thread holds one of its
 * CPUs (the live copy is then in that thread's block). Lock held.
 */
bool pcpu_tls_held(struct pcpu_rt *rt)
{
	int cpu;

	if (rt->access != PCPU_A_TLS)
		return false;
	pcpu_for_each_cpu(cpu, &rt->online)
		if (atomic_load(&rt->cpus[cpu].holder))
			return true;
	return false;
}

/**
 * pcpu_alloc() - see pcpu.h. First fit in the dynamic part of the unit;
 * the initial value goes into every unit that exists now (online CPUs',
 * and offline CPUs' kept units) and into the template for later ones.
 * tls: refused with -EBUSY while a thread holds a CPU (the live copy is in
 * that thread's block).
 */
int pcpu_alloc(struct pcpu_rt *rt, size_t size, size_t align,
	       const void *init, bool counter, pcpu_off_t *off)
{
	struct pcpu_dyn *d, **pp, *nd;
	pcpu_off_t at = rt->dyn_start;
	int ret = -ENOMEM;

	if (!size || !align || align & (align - 1) || align > PCPU_PAGE_SIZE ||
	    (counter && (size % 8 || align < 8)))
		return -EINVAL;
	nd = calloc(1, sizeof(*nd));
	if (!nd)
		return -ENOMEM;
	pthread_mutex_lock(&rt->lock);
	if (pcpu_tls_held(rt)) {
		ret = -EBUSY;
		goto out;
	}
	for (pp = &rt->dyn; ; pp = &(*pp)->next) {
		at = (at + align - 1) & ~(align - 1);
		d = *pp;
		if (!d || at + size <= d->off)
			break;
		at = d->off + d->size;
	}
	if (at + size > rt->unit_size)
		goto out;
	if (counter) {
		struct pcpu_counter_reg *r = calloc(1, sizeof(*r));

		if (!r)
			goto out;
		r->folded = calloc(size / 8, sizeof(uint64_t));
		if (!r->folded) {
			free(r);
			goto out;
		}
		r->off = at;
		r->n = size / 8;
		r->next = rt->counters;
		rt->counters = r;
	}
	nd->off = at;
	nd->size = size;
	nd->next = *pp;
	*pp = nd;
	nd = NULL;
	pcpu_tmpl_set(rt, at, init, size);
	*off = at;
	ret = 0;
out:
	pthread_mutex_unlock(&rt->lock);
	free(nd);
	return ret;
}

/**
 * pcpu_free() - see pcpu.h.
 */
int pcpu_free(struct pcpu_rt *rt, pcpu_off_t off)
{
	struct pcpu_dyn **pp, *d;
	struct pcpu_counter_reg **rp, *r;
	int ret = -ENOENT;

	pthread_mutex_lock(&rt->lock);
	for (pp = &rt->dyn; *pp; pp = &(*pp)->next) {
		if ((*pp)->off != off)
			continue;
		d = *pp;
		*pp = d->next;
		memset(rt->tmpl + d->off, 0, d->size);
		free(d);
		ret = 0;
		break;
	}
	for (rp = &rt->counters; !ret && *rp; rp = &(*rp)->next) {
		if ((*rp)->off != off)
			continue;
		r = *rp;
		*rp = r->next;
		free(r->folded);
		free(r);
		break;
	}
	pthread_mutex_unlock(&rt->lock);
	return ret;
}

void *pcpu_ptr(struct pcpu_rt *rt, unsigned cpu, pcpu_off_t off)
{
	if (cpu >= PCPU_NR_CPUS || off >= rt->unit_size ||
	    atomic_load(&rt->cpus[cpu].state) == CPU_OFFLINE)
		return NULL;
	return pcpu_live_base(rt, cpu) + off;
}

static struct pcpu_counter_reg *find_counter(struct pcpu_rt *rt, pcpu_off_t off,
					     size_t *idx)
{
	struct pcpu_counter_reg *r;

	for (r = rt->counters; r; r = r->next) {
		if (off >= r->off && off < r->off + r->n * 8 && !((off - r->off) % 8)) {
			*idx = (off - r->off) / 8;
			return r;
		}
	}
	return NULL;
}

int pcpu_counter_folded(struct pcpu_rt *rt, pcpu_off_t off, uint64_t *sum)
{
	struct pcpu_counter_reg *r;
	size_t i;

	pthread_mutex_lock(&rt->lock);
	r = find_counter(rt, off, &i);
	if (r)
		*sum = r->folded[i];
	pthread_mutex_unlock(&rt->lock);
	return r ? 0 : -ENOENT;
}

int pcpu_counter_sum(struct pcpu_rt *rt, pcpu_off_t off, uint64_t *sum)
{
	struct pcpu_counter_reg *r;
	uint64_t s;
	size_t i;
	int cpu;

	pthread_mutex_lock(&rt->lock);
	r = find_counter(rt, off, &i);
	if (r) {
		s = r->folded[i];
		pcpu_for_each_cpu(cpu, &rt->online)
			s += *(volatile uint64_t *)(pcpu_live_base(rt, (unsigned)cpu) + off);
		*sum = s;
	}
	pthread_mutex_unlock(&rt->lock);
	return r ? 0 : -ENOENT;
}
