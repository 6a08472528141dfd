// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-config.c - pcpu_rt_init()'s reading of the configuration: the
 * topology's CPUs mapped onto the host's, the possible / present / online
 * sets, each CPU's real node and the node init knows (the late-node
 * policy), the unit size, the placement and backing checks, and whether
 * the units a layout commits at init fit in memory.
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

extern const void *const __start_pcpu_counters[] __attribute__((weak));
extern const void *const __stop_pcpu_counters[] __attribute__((weak));

/* ---- configuration ------------------------------------------------------ */

int pcpu_cfg_map_cpus(struct pcpu_rt *rt)
{
	const struct pcpu_topo *t = &rt->topo;
	int cpu;
	unsigned k = 0;

	pcpu_for_each_cpu(cpu, &rt->possible) {
		struct pcpu_cpu *c = &rt->cpus[cpu];
		const struct pcpu_topo_pu *pu = &t->pus[k % t->nr_pus];
		unsigned i, ni = 0;

		c->node = pu->node;
		c->host_cpu = t->host_cpus[k % t->nr_host_cpus];
		c->host_node = t->host_cpu_node[k % t->nr_host_cpus];
		if (t->is_host) {
			bool found = false;
			int sn;

			/* A possible id that is a host CPU maps onto itself,
			 * online or not (real hotplug); others wrap round. */
			for (i = 0; i < t->nr_pus && !found; i++) {
				if (t->pus[i].os_index == (unsigned)cpu) {
					c->host_cpu = cpu;
					c->node = c->host_node = t->pus[i].node;
					found = true;
				}
			}
			sn = found ? -1 : pcpu_topo_sysfs_cpu_node((unsigned)cpu);
			if (sn >= 0) {
				c->host_cpu = cpu;
				c->node = c->host_node = sn;
			} else if (!found) {
				for (i = 0; i < t->nr_host_cpus; i++) {
					if ((unsigned)t->host_cpus[i] == pu->os_index) {
						c->host_cpu = t->host_cpus[i];
						break;
					}
				}
				c->host_node = pu->node;
			}
		} else {
			/* Topology node n maps onto the host's nodes in turn. */
			for (i = 0; i < t->nr_nodes; i++)
				if (t->nodes[i] == pu->node)
					ni = i;
			c->host_node = t->host_nodes[ni % t->nr_host_nodes];
		}
		k++;
	}
	return 0;
}

/* Host node that topology node @n maps onto (as pcpu_cfg_map_cpus() maps them). */
static int host_node_of(const struct pcpu_rt *rt, int n)
{
	const struct pcpu_topo *t = &rt->topo;
	unsigned i;

	if (t->is_host) {
		for (i = 0; i < t->nr_host_nodes; i++)
			if (t->host_nodes[i] == n)
				return n;
		return t->host_nodes[0];
	}
	for (i = 0; i < t->nr_nodes; i++)
		if (t->nodes[i] == n)
			return t->host_nodes[i % t->nr_host_nodes];
	return t->host_nodes[0];
}

/*
 * What init knows about each CPU's node: present CPUs their real node;
 * absent ones per the late-node policy (the kernel's numa_init_array()
 * gives CPUs without a node the online nodes round-robin).
 */
int pcpu_cfg_init_nodes(struct pcpu_rt *rt, const struct pcpu_config *cfg,
			char *err, size_t errlen)
{
	const struct pcpu_late_node *ln = &cfg->late_node;
	const struct pcpu_topo *t = &rt->topo;
	int cpu, boot = pcpu_cpuset_next(&rt->boot, 0), bn = 0, bhn;
	unsigned idx = 0, i;

	if ((unsigned)ln->kind >= PCPU_NR_LATE_NODES) {
		pcpu_seterr(err, errlen, 0, "unknown late-node policy %d", (int)ln->kind);
		return -EINVAL;
	}
	if (ln->kind == PCPU_LATE_NODE) {
		for (i = 0; i < t->nr_nodes && t->nodes[i] != ln->node; i++)
			;
		if (i == t->nr_nodes) {
			pcpu_seterr(err, errlen, 0, "late node node:%d: no such node in the "
			       "topology (%u node%s)", ln->node, t->nr_nodes,
			       t->nr_nodes == 1 ? "" : "s");
			return -EINVAL;
		}
	}
	if (boot < 0)
		boot = pcpu_cpuset_next(&rt->present, 0);
	bhn = t->host_nodes[0];
	if (boot >= 0) {
		bn = rt->cpus[boot].node;
		bhn = rt->cpus[boot].host_node;
	}
	pcpu_for_each_cpu(cpu, &rt->possible) {
		struct pcpu_cpu *c = &rt->cpus[cpu];

		c->unit_node = c->unit_host_node = -1;
		c->init_node = c->node;
		c->init_host_node = c->host_node;
		if (pcpu_cpuset_test(&rt->present, (unsigned)cpu))
			continue;
		switch (ln->kind) {
		case PCPU_LATE_ROUNDROBIN:
			c->init_node = t->nodes[idx++ % t->nr_nodes];
			c->init_host_node = host_node_of(rt, c->init_node);
			break;
		case PCPU_LATE_BOOT:
			c->init_node = bn;
			c->init_host_node = bhn;
			break;
		case PCPU_LATE_NODE:
			c->init_node = ln->node;
			c->init_host_node = host_node_of(rt, ln->node);
			break;
		default:
			break;
		}
	}
	return 0;
}

/* A layout that commits every possible unit at init must fit. */
int pcpu_cfg_check_fits(struct pcpu_rt *rt, char *err, size_t errlen)
{
	double need = (double)rt->nr_possible * (double)rt->unit_size;
	long avail;

	if (!rt->lops->commits_all)
		return 0;
	avail = pcpu_mem_available();
	if (avail > 0 && need > (double)avail / 2) {
		pcpu_seterr(err, errlen, 0, "layout %s commits a unit for every possible "
		       "CPU at init: %u x %zu bytes = %.0f MiB, more than half of "
		       "MemAvailable (%ld MiB) here", pcpu_layout_name(rt->layout),
		       rt->nr_possible, rt->unit_size, need / 1048576.0,
		       avail >> 20);
		return -ENOTSUP;
	}
	return 0;
}

int pcpu_cfg_parse_sets(struct pcpu_rt *rt, const struct pcpu_config *cfg,
			char *err, size_t errlen)
{
	unsigned i, want;
	int cpu, ret;

	if (cfg->possible) {
		ret = pcpu_cpuset_parse(&rt->possible, cfg->possible);
		if (ret) {
			pcpu_seterr(err, errlen, 0, "possible CPUs '%s': %s", cfg->possible,
			       ret == -ERANGE ? "an id is beyond the supported maximum"
					      : "not a count or a cpulist");
			return -EINVAL;
		}
	} else {
		for (i = 0; i < rt->topo.nr_pus; i++)
			pcpu_cpuset_set(&rt->possible, rt->topo.pus[i].os_index);
	}
	rt->nr_possible = pcpu_cpuset_count(&rt->possible);
	if (!rt->nr_possible) {
		pcpu_seterr(err, errlen, 0, "possible CPU set is empty (possible must be >= 1)");
		return -EINVAL;
	}
	for (cpu = 0, rt->max_possible = -1; cpu >= 0;
	     cpu = pcpu_cpuset_next(&rt->possible, cpu + 1))
		if (pcpu_cpuset_test(&rt->possible, (unsigned)cpu))
			rt->max_possible = cpu;

	if (cfg->present) {
		if (pcpu_cpuset_parse(&rt->present, cfg->present)) {
			pcpu_seterr(err, errlen, 0, "present CPUs '%s': not a count or a cpulist",
			       cfg->present);
			return -EINVAL;
		}
		for (i = 0; i < PCPU_NR_CPUS / 64; i++) {
			if (rt->present.bits[i] & ~rt->possible.bits[i]) {
				pcpu_seterr(err, errlen, 0, "present CPUs '%s' are not all possible",
				       cfg->present);
				return -EINVAL;
			}
		}
	} else {
		rt->present = rt->possible;
	}

	memset(&rt->boot, 0, sizeof(rt->boot));
	if (cfg->online && strpbrk(cfg->online, ",-")) {
		if (pcpu_cpuset_parse(&rt->boot, cfg->online)) {
			pcpu_seterr(err, errlen, 0, "online CPUs '%s': not a cpulist", cfg->online);
			return -EINVAL;
		}
		for (i = 0; i < PCPU_NR_CPUS / 64; i++) {
			if (rt->boot.bits[i] & ~rt->present.bits[i]) {
				pcpu_seterr(err, errlen, 0, "online CPUs '%s' are not all present "
				       "(possible: %u CPUs)", cfg->online, rt->nr_possible);
				return -EINVAL;
			}
		}
	} else {
		if (cfg->online) {
			char *end;
			unsigned long v = strtoul(cfg->online, &end, 10);

			if (*end || !*cfg->online) {
				pcpu_seterr(err, errlen, 0, "online CPUs '%s': not a count or a "
				       "cpulist", cfg->online);
				return -EINVAL;
			}
			if (v > pcpu_cpuset_count(&rt->present)) {
				pcpu_seterr(err, errlen, 0, "online (%lu) exceeds possible/present "
				       "CPUs (%u)", v, pcpu_cpuset_count(&rt->present));
				return -EINVAL;
			}
			want = (unsigned)v;
		} else {
			want = pcpu_cpuset_count(&rt->present);
			if (want > rt->topo.nr_host_cpus)
				want = rt->topo.nr_host_cpus;
		}
		for (cpu = pcpu_cpuset_next(&rt->present, 0), i = 0;
		     cpu >= 0 && i < want;
		     cpu = pcpu_cpuset_next(&rt->present, cpu + 1), i++)
			pcpu_cpuset_set(&rt->boot, (unsigned)cpu);
	}
	rt->present_at_init = rt->present;
	return 0;
}

int pcpu_cfg_size_units(struct pcpu_rt *rt, const struct pcpu_config *cfg,
			char *err, size_t errlen)
{
	size_t dyn = cfg->dyn_size ? cfg->dyn_size : 64 * 1024;
	size_t minu = cfg->backing == PCPU_BACKING_4K ? 64 * 1024 : PCPU_HUGE_SIZE;
	size_t want, u;
	unsigned shift;

	rt->static_size = (pcpu_static_section_size() + PCPU_PAGE_SIZE - 1) &
			  ~(PCPU_PAGE_SIZE - 1);
	rt->dyn_start = rt->static_size + pcpu_mod_reserve_size(cfg);
	want = rt->dyn_start + dyn;
	if (cfg->unit_size) {
		if (cfg->unit_size & (cfg->unit_size - 1) ||
		    cfg->unit_size < PCPU_PAGE_SIZE) {
			pcpu_seterr(err, errlen, 0, "unit size %zu is not a power of two >= 4096",
			       cfg->unit_size);
			return -EINVAL;
		}
		if (cfg->unit_size < rt->dyn_start + PCPU_PAGE_SIZE) {
			pcpu_seterr(err, errlen, 0, "unit size %zu cannot hold the static "
			       "section (%zu bytes), the module reserve (%zu) and "
			       "a dynamic page", cfg->unit_size, rt->static_size,
			       rt->dyn_start - rt->static_size);
			return -EINVAL;
		}
		if (cfg->backing != PCPU_BACKING_4K && cfg->unit_size < PCPU_HUGE_SIZE) {
			pcpu_seterr(err, errlen, 0, "unit size %zu is smaller than a 2 MiB "
			       "page, which %s backing needs", cfg->unit_size,
			       pcpu_backing_name(cfg->backing));
			return -EINVAL;
		}
		want = cfg->unit_size;
	}
	if (want < minu)
		want = minu;
	for (shift = 12, u = PCPU_PAGE_SIZE; u < want; shift++)
		u <<= 1;
	if (u > (256UL << 20)) {
		pcpu_seterr(err, errlen, 0, "unit size %zu is too large (at most 256 MiB)", u);
		return -E2BIG;
	}
	if ((uint64_t)u * (uint64_t)(rt->max_possible + 1) > (64ULL << 40)) {
		pcpu_seterr(err, errlen, 0, "unit size %zu x %d CPU ids needs more than "
		       "64 TiB of address space", u, rt->max_possible + 1);
		return -E2BIG;
	}
	if (rt->access == PCPU_A_TLS && cfg->backing != PCPU_BACKING_4K) {
		pcpu_seterr(err, errlen, 0, "the tls strategy has no %s backing: its "
		       "units live in each thread's __thread block",
		       pcpu_backing_name(cfg->backing));
		return -ENOTSUP;
	}
	if (!rt->lops->huge_ok && cfg->backing != PCPU_BACKING_4K) {
		pcpu_seterr(err, errlen, 0, "layout %s has no %s backing: %s",
		       pcpu_layout_name(rt->layout), pcpu_backing_name(cfg->backing),
		       rt->layout == PCPU_L_PAGE ? "percpu_alloc=page maps 4 KiB "
		       "pages by definition" : "it has 4 KiB pages only");
		return -ENOTSUP;
	}
	if (rt->access == PCPU_A_TLS && u > PCPU_TLS_MAX) {
		pcpu_seterr(err, errlen, 0, "unit size %zu is too large for the tls "
		       "strategy's __thread block (%d bytes)", u, PCPU_TLS_MAX);
		return -E2BIG;
	}
	rt->unit_size = u;
	rt->unit_shift = shift;
	return 0;
}

int pcpu_cfg_check_placement(struct pcpu_rt *rt, const struct pcpu_config *cfg,
			     char *err, size_t errlen)
{
	unsigned i;

	if (cfg->placement.kind != PCPU_PLACE_NODE)
		return 0;
	for (i = 0; i < rt->topo.nr_host_nodes; i++)
		if (rt->topo.host_nodes[i] == cfg->placement.node)
			return 0;
	pcpu_seterr(err, errlen, 0, "placement node:%d: no such node with memory on this "
	       "machine (%u node%s)", cfg->placement.node, rt->topo.nr_host_nodes,
	       rt->topo.nr_host_nodes == 1 ? "" : "s");
	return -EINVAL;
}

int pcpu_cfg_check_hugetlb(struct pcpu_rt *rt, char *err, size_t errlen)
{
	long free_pages;
	unsigned need;

	if (rt->cfg.backing != PCPU_BACKING_HUGETLB)
		return 0;
	free_pages = pcpu_hugetlb_free_pages();
	/* embed and page: every possible CPU's unit at init. */
	need = (rt->lops->commits_all ? rt->nr_possible : pcpu_cpuset_count(&rt->boot)) *
	       (unsigned)(rt->unit_size / PCPU_HUGE_SIZE);
	if (free_pages < 0 || (unsigned long)free_pages < need) {
		pcpu_seterr(err, errlen, 0, "hugetlb backing requested but %ld free 2 MiB "
		       "pages are reserved and %u are needed (as root: echo N > "
		       "/proc/sys/vm/nr_hugepages)", free_pages < 0 ? 0 : free_pages,
		       need);
		return -ENOMEM;
	}
	return 0;
}

int pcpu_cfg_collect_static_counters(struct pcpu_rt *rt)
{
	const void *const *p;

	if (!__start_pcpu_counters)
		return 0;
	for (p = __start_pcpu_counters; p < __stop_pcpu_counters; p++) {
		struct pcpu_counter_reg *r = calloc(1, sizeof(*r));

		if (!r)
			return -ENOMEM;
		r->off = (pcpu_off_t)((const char *)*p - __start_pcpu_data);
		r->n = 1;
		r->folded = calloc(1, sizeof(uint64_t));
		if (!r->folded) {
			free(r);
			return -ENOMEM;
		}
		r->next = rt->counters;
		rt->counters = r;
	}
	return 0;
}
