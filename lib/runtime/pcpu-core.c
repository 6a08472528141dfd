// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-core.c - the per-CPU runtime: configuration, the template, the
 * hotplug lifecycle, thread ownership of logical CPUs, dynamic allocation
 * and counter folding. A strategy is an access method (pcpu-access-*.c)
 * over a layout (pcpu-layout-*.c); they only provide and publish memory.
 *
 * Init:    topology -> CPU sets -> each CPU's real node and the node init
 *          knows (late-node policy for CPUs absent at init) -> layout init
 *          (embed/page: every possible unit now) -> access init -> online
 *          the boot CPUs.
 * Online:  unit_alloc (alloc + place; nothing for embed/page) -> copy the
 *          template when the memory is new -> publish -> ONLINE.
 * Offline: GOING_OFFLINE (no new holder) -> wait for the holder to leave
 *          (quiesce) -> fold counters (and zero them: a kept unit must not
 *          count twice) -> unpublish -> unit_free (release) -> OFFLINE.
 * Each part is timed for pcpu_cpu_online_cost()/pcpu_cpu_offline_cost().
 *
 * The holder/state handshake is Dekker-style with sequentially consistent
 * atomics: enter stores the holder then loads the state; offline stores the
 * state then loads the holder; one of the two always sees the other.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "pcpu-internal.h"
#include "pcpu-access.h"

/* The library's own static per-CPU data: keeps the section present. */
DEFINE_PCPU(uint64_t, pcpu_section_anchor) = 0x70637075ULL;

extern const void *const __start_pcpu_counters[] __attribute__((weak));
extern const void *const __stop_pcpu_counters[] __attribute__((weak));

__thread unsigned int pcpu_tls_cpu;
long pcpu_rseq_cpu_offset;

static struct pcpu_rt *_Atomic live_rt[PCPU_NR_STRATEGIES];
static _Atomic unsigned rt_gen;

/* Per thread: the CPU held in each strategy's runtime (+1; 0: none). */
static __thread int tl_held[PCPU_NR_STRATEGIES];
static __thread unsigned tl_gen[PCPU_NR_STRATEGIES];

/*
 * A thread that exits while holding a CPU leaves it (the tls strategy's
 * live copy is in that thread's block, which exit frees).
 */
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

static void thread_exit_leave(void *arg)
{
	unsigned s;

	for (s = 0; s < PCPU_NR_STRATEGIES; s++) {
		struct pcpu_rt *rt = atomic_load(&live_rt[s]);

		if (rt && tl_held[s] && tl_gen[s] == rt->gen)
			pcpu_thread_leave(rt);
	}
}

static void exit_key_init(void)
{
	pthread_key_create(&exit_key, thread_exit_leave);
}

static void seterr(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* seterr() that returns @ret, for "return pcpu_seterr(...)" in layouts. */
int pcpu_seterr(char *err, size_t len, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err && len) {
		va_start(ap, fmt);
		vsnprintf(err, len, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static pid_t gettid_(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* Wait a little, longer each time: 10 us doubling up to 1 ms. */
static void relax(unsigned *spins)
{
	struct timespec ts = { 0, 10000L << (*spins < 7 ? *spins : 7) };

	(*spins)++;
	nanosleep(&ts, NULL);
}

static size_t static_section_size(void)
{
	return (size_t)(__stop_pcpu_data - __start_pcpu_data);
}

#ifdef __GLIBC__
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));
#endif

static void detect_rseq(void)
{
#ifdef __GLIBC__
	if (&__rseq_size && &__rseq_offset && __rseq_size >= 8)
		pcpu_rseq_cpu_offset = (long)__rseq_offset + 4;
#endif
}

/* ---- configuration ------------------------------------------------------ */

static int map_cpus(struct pcpu_rt *rt)
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

/* Host node that topology node @n maps onto (as map_cpus() maps them). */
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
static int init_nodes(struct pcpu_rt *rt, const struct pcpu_config *cfg,
		      char *err, size_t errlen)
{
	const struct pcpu_late_node *ln = &cfg->late_node;
	const struct pcpu_topo *t = &rt->topo;
	int cpu, boot = pcpu_cpuset_next(&rt->boot, 0), bn = 0, bhn;
	unsigned idx = 0, i;

	if ((unsigned)ln->kind >= PCPU_NR_LATE_NODES) {
		seterr(err, errlen, "unknown late-node policy %d", (int)ln->kind);
		return -EINVAL;
	}
	if (ln->kind == PCPU_LATE_NODE) {
		for (i = 0; i < t->nr_nodes && t->nodes[i] != ln->node; i++)
			;
		if (i == t->nr_nodes) {
			seterr(err, errlen, "late node node:%d: no such node in the "
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
static int check_fits(struct pcpu_rt *rt, char *err, size_t errlen)
{
	double need = (double)rt->nr_possible * (double)rt->unit_size;
	long avail;

	if (!rt->lops->commits_all)
		return 0;
	avail = pcpu_mem_available();
	if (avail > 0 && need > (double)avail / 2) {
		seterr(err, errlen, "layout %s commits a unit for every possible "
		       "CPU at init: %u x %zu bytes = %.0f MiB, more than half of "
		       "MemAvailable (%ld MiB) here", pcpu_layout_name(rt->layout),
		       rt->nr_possible, rt->unit_size, need / 1048576.0,
		       avail >> 20);
		return -ENOTSUP;
	}
	return 0;
}

static int parse_sets(struct pcpu_rt *rt, const struct pcpu_config *cfg,
		      char *err, size_t errlen)
{
	unsigned i, want;
	int cpu, ret;

	if (cfg->possible) {
		ret = pcpu_cpuset_parse(&rt->possible, cfg->possible);
		if (ret) {
			seterr(err, errlen, "possible CPUs '%s': %s", cfg->possible,
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
		seterr(err, errlen, "possible CPU set is empty (possible must be >= 1)");
		return -EINVAL;
	}
	for (cpu = 0, rt->max_possible = -1; cpu >= 0;
	     cpu = pcpu_cpuset_next(&rt->possible, cpu + 1))
		if (pcpu_cpuset_test(&rt->possible, (unsigned)cpu))
			rt->max_possible = cpu;

	if (cfg->present) {
		if (pcpu_cpuset_parse(&rt->present, cfg->present)) {
			seterr(err, errlen, "present CPUs '%s': not a count or a cpulist",
			       cfg->present);
			return -EINVAL;
		}
		for (i = 0; i < PCPU_NR_CPUS / 64; i++) {
			if (rt->present.bits[i] & ~rt->possible.bits[i]) {
				seterr(err, errlen, "present CPUs '%s' are not all possible",
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
			seterr(err, errlen, "online CPUs '%s': not a cpulist", cfg->online);
			return -EINVAL;
		}
		for (i = 0; i < PCPU_NR_CPUS / 64; i++) {
			if (rt->boot.bits[i] & ~rt->present.bits[i]) {
				seterr(err, errlen, "online CPUs '%s' are not all present "
				       "(possible: %u CPUs)", cfg->online, rt->nr_possible);
				return -EINVAL;
			}
		}
	} else {
		if (cfg->online) {
			char *end;
			unsigned long v = strtoul(cfg->online, &end, 10);

			if (*end || !*cfg->online) {
				seterr(err, errlen, "online CPUs '%s': not a count or a "
				       "cpulist", cfg->online);
				return -EINVAL;
			}
			if (v > pcpu_cpuset_count(&rt->present)) {
				seterr(err, errlen, "online (%lu) exceeds possible/present "
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

static int size_units(struct pcpu_rt *rt, const struct pcpu_config *cfg,
		      char *err, size_t errlen)
{
	size_t dyn = cfg->dyn_size ? cfg->dyn_size : 64 * 1024;
	size_t minu = cfg->backing == PCPU_BACKING_4K ? 64 * 1024 : PCPU_HUGE_SIZE;
	size_t want, u;
	unsigned shift;

	rt->static_size = (static_section_size() + PCPU_PAGE_SIZE - 1) &
			  ~(PCPU_PAGE_SIZE - 1);
	rt->dyn_start = rt->static_size + pcpu_mod_reserve_size(cfg);
	want = rt->dyn_start + dyn;
	if (cfg->unit_size) {
		if (cfg->unit_size & (cfg->unit_size - 1) ||
		    cfg->unit_size < PCPU_PAGE_SIZE) {
			seterr(err, errlen, "unit size %zu is not a power of two >= 4096",
			       cfg->unit_size);
			return -EINVAL;
		}
		if (cfg->unit_size < rt->dyn_start + PCPU_PAGE_SIZE) {
			seterr(err, errlen, "unit size %zu cannot hold the static "
			       "section (%zu bytes), the module reserve (%zu) and "
			       "a dynamic page", cfg->unit_size, rt->static_size,
			       rt->dyn_start - rt->static_size);
			return -EINVAL;
		}
		if (cfg->backing != PCPU_BACKING_4K && cfg->unit_size < PCPU_HUGE_SIZE) {
			seterr(err, errlen, "unit size %zu is smaller than a 2 MiB "
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
		seterr(err, errlen, "unit size %zu is too large (at most 256 MiB)", u);
		return -E2BIG;
	}
	if ((uint64_t)u * (uint64_t)(rt->max_possible + 1) > (64ULL << 40)) {
		seterr(err, errlen, "unit size %zu x %d CPU ids needs more than "
		       "64 TiB of address space", u, rt->max_possible + 1);
		return -E2BIG;
	}
	if (rt->access == PCPU_A_TLS && cfg->backing != PCPU_BACKING_4K) {
		seterr(err, errlen, "the tls strategy has no %s backing: its "
		       "units live in each thread's __thread block",
		       pcpu_backing_name(cfg->backing));
		return -ENOTSUP;
	}
	if (!rt->lops->huge_ok && cfg->backing != PCPU_BACKING_4K) {
		seterr(err, errlen, "layout %s has no %s backing: %s",
		       pcpu_layout_name(rt->layout), pcpu_backing_name(cfg->backing),
		       rt->layout == PCPU_L_PAGE ? "percpu_alloc=page maps 4 KiB "
		       "pages by definition" : "it has 4 KiB pages only");
		return -ENOTSUP;
	}
	if (rt->access == PCPU_A_TLS && u > PCPU_TLS_MAX) {
		seterr(err, errlen, "unit size %zu is too large for the tls "
		       "strategy's __thread block (%d bytes)", u, PCPU_TLS_MAX);
		return -E2BIG;
	}
	rt->unit_size = u;
	rt->unit_shift = shift;
	return 0;
}

static int check_placement(struct pcpu_rt *rt, const struct pcpu_config *cfg,
			   char *err, size_t errlen)
{
	unsigned i;

	if (cfg->placement.kind != PCPU_PLACE_NODE)
		return 0;
	for (i = 0; i < rt->topo.nr_host_nodes; i++)
		if (rt->topo.host_nodes[i] == cfg->placement.node)
			return 0;
	seterr(err, errlen, "placement node:%d: no such node with memory on this "
	       "machine (%u node%s)", cfg->placement.node, rt->topo.nr_host_nodes,
	       rt->topo.nr_host_nodes == 1 ? "" : "s");
	return -EINVAL;
}

static int check_hugetlb(struct pcpu_rt *rt, char *err, size_t errlen)
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
		seterr(err, errlen, "hugetlb backing requested but %ld free 2 MiB "
		       "pages are reserved and %u are needed (as root: echo N > "
		       "/proc/sys/vm/nr_hugepages)", free_pages < 0 ? 0 : free_pages,
		       need);
		return -ENOMEM;
	}
	return 0;
}

static int collect_static_counters(struct pcpu_rt *rt)
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

/* ---- lifecycle ------------------------------------------------------------ */

/**
 * pcpu_unit_fill() - copy the template (static image and the dynamic
 * objects' initial values) into a new, zero unit.
 */
void pcpu_unit_fill(struct pcpu_rt *rt, unsigned char *base)
{
	memcpy(base, rt->tmpl, rt->hwm);
}

/**
 * pcpu_region_release() - unmap a layout's region; the CPUs whose units
 * were in it have none any more.
 */
void pcpu_region_release(struct pcpu_rt *rt, struct pcpu_region *r)
{
	int cpu;

	if (r->map)
		munmap(r->map, r->map_len);
	if (r->base && rt->cpus) {
		pcpu_for_each_cpu(cpu, &rt->possible) {
			struct pcpu_cpu *c = &rt->cpus[cpu];

			if (c->base >= r->base && c->base < r->base + r->len) {
				c->base = NULL;
				c->kept = false;
				c->unit_node = c->unit_host_node = -1;
			}
		}
	}
	memset(r, 0, sizeof(*r));
}

/* The unit of @cpu was placed for its init-time node (@init) or its node now. */
void pcpu_set_unit_node(struct pcpu_rt *rt, unsigned cpu, bool init)
{
	struct pcpu_cpu *c = &rt->cpus[cpu];

	c->unit_node = init ? c->init_node : c->node;
	c->unit_host_node = init ? c->init_host_node : c->host_node;
}

static int online_locked(struct pcpu_rt *rt, unsigned cpu, struct pcpu_hp_cost *cost)
{
	struct pcpu_cpu *c = &rt->cpus[cpu];
	struct pcpu_hp_cost local;
	bool fill = false;
	double t0, t1;
	int ret;

	if (!pcpu_cpuset_test(&rt->present, cpu))
		return -EINVAL;
	if (atomic_load(&c->state) != CPU_OFFLINE)
		return -EEXIST;
	if (!cost)
		cost = &local;
	memset(cost->online_ns, 0, sizeof(cost->online_ns));
	ret = rt->lops->unit_alloc(rt, cpu, &fill, cost);
	if (ret)
		return ret;
	t0 = pcpu_now_ns();
	/* New memory is zero: the template's bytes are all it needs. */
	if (fill)
		pcpu_unit_fill(rt, c->base);
	ret = pcpu_mod_cpu_online(rt, cpu);
	if (ret) {
		rt->lops->unit_free(rt, cpu);
		return ret;
	}
	t1 = pcpu_now_ns();
	rt->aops->publish(rt, cpu, true);
	cost->online_ns[PCPU_ON_COPY] = fill ? t1 - t0 : 0;	/* none done */
	cost->online_ns[PCPU_ON_PUBLISH] = pcpu_now_ns() - t1;
	c->onlines++;
	pcpu_cpuset_set(&rt->online, cpu);
	atomic_store(&c->state, CPU_ONLINE);
	return 0;
}

/* Where @cpu's copies live right now (tls: the holder's block). */
static unsigned char *live_base(struct pcpu_rt *rt, unsigned cpu)
{
	unsigned char *live = atomic_load(&rt->cpus[cpu].tls_live);

	return live ? live : rt->cpus[cpu].base;
}

/* Fold @cpu's counters into the global sums and zero them in its unit,
 * as percpu_counter's CPU-dead callback does. */
static void fold_locked(struct pcpu_rt *rt, unsigned cpu)
{
	const struct pcpu_counter_reg *r;
	unsigned char *b = rt->cpus[cpu].base;
	size_t i;

	for (r = rt->counters; r; r = r->next) {
		uint64_t *v = (uint64_t *)(b + r->off);

		for (i = 0; i < r->n; i++) {
			r->folded[i] += v[i];
			v[i] = 0;
		}
	}
}

static int offline_locked(struct pcpu_rt *rt, unsigned cpu, struct pcpu_hp_cost *cost)
{
	struct pcpu_cpu *c = &rt->cpus[cpu];
	int expect = CPU_ONLINE;
	struct pcpu_hp_cost local;
	unsigned spins = 0;
	double t0, t1, t2, t3;

	if (!atomic_compare_exchange_strong(&c->state, &expect, CPU_GOING_OFFLINE))
		return -EINVAL;
	if (atomic_load(&c->holder) == gettid_()) {
		atomic_store(&c->state, CPU_ONLINE);
		return -EDEADLK;
	}
	if (!cost)
		cost = &local;
	t0 = pcpu_now_ns();
	atomic_store(&c->kick, 1);
	while (atomic_load(&c->holder))
		relax(&spins);
	atomic_store(&c->kick, 0);
	t1 = pcpu_now_ns();
	fold_locked(rt, cpu);
	t2 = pcpu_now_ns();
	rt->aops->publish(rt, cpu, false);
	t3 = pcpu_now_ns();
	rt->lops->unit_free(rt, cpu);
	pcpu_mod_cpu_offline(rt, cpu);
	pcpu_cpuset_clear(&rt->online, cpu);
	atomic_store(&c->state, CPU_OFFLINE);
	cost->offline_ns[PCPU_OFF_QUIESCE] = t1 - t0;
	cost->offline_ns[PCPU_OFF_FOLD] = t2 - t1;
	cost->offline_ns[PCPU_OFF_UNPUBLISH] = t3 - t2;
	cost->offline_ns[PCPU_OFF_RELEASE] = c->kept ? 0 : pcpu_now_ns() - t3;
	return 0;
}

/**
 * pcpu_cpu_online_cost() - see pcpu.h.
 * Context: takes the runtime's lock.
 */
int pcpu_cpu_online_cost(struct pcpu_rt *rt, unsigned cpu, struct pcpu_hp_cost *cost)
{
	int ret;

	if (cpu >= PCPU_NR_CPUS)
		return -EINVAL;
	pthread_mutex_lock(&rt->lock);
	ret = online_locked(rt, cpu, cost);
	pthread_mutex_unlock(&rt->lock);
	return ret;
}

/**
 * pcpu_cpu_offline_cost() - see pcpu.h.
 * Context: takes the runtime's lock; waits for the CPU's holder to leave.
 */
int pcpu_cpu_offline_cost(struct pcpu_rt *rt, unsigned cpu, struct pcpu_hp_cost *cost)
{
	int ret;

	if (cpu >= PCPU_NR_CPUS)
		return -EINVAL;
	pthread_mutex_lock(&rt->lock);
	ret = offline_locked(rt, cpu, cost);
	pthread_mutex_unlock(&rt->lock);
	return ret;
}

/**
 * pcpu_cpu_hotadd() - see pcpu.h.
 * Context: takes the runtime's lock.
 */
int pcpu_cpu_hotadd(struct pcpu_rt *rt, unsigned cpu)
{
	struct pcpu_cpu *c;
	int ret = 0, sn;

	if (!pcpu_cpuset_test(&rt->possible, cpu))
		return -EINVAL;
	pthread_mutex_lock(&rt->lock);
	c = &rt->cpus[cpu];
	if (pcpu_cpuset_test(&rt->present, cpu)) {
		ret = -EEXIST;
	} else {
		/* The machine says where the CPU is, now that it is here. */
		if (rt->topo.is_host) {
			sn = pcpu_topo_sysfs_cpu_node(cpu);
			if (sn >= 0) {
				c->host_cpu = (int)cpu;
				c->node = c->host_node = sn;
			}
		}
		pcpu_cpuset_set(&rt->present, cpu);
	}
	pthread_mutex_unlock(&rt->lock);
	return ret;
}

/**
 * pcpu_cpu_online() - see pcpu.h.
 * Context: takes the runtime's lock.
 */
int pcpu_cpu_online(struct pcpu_rt *rt, unsigned cpu)
{
	return pcpu_cpu_online_cost(rt, cpu, NULL);
}

/**
 * pcpu_cpu_offline() - see pcpu.h.
 * Context: takes the runtime's lock; waits for the CPU's holder to leave.
 */
int pcpu_cpu_offline(struct pcpu_rt *rt, unsigned cpu)
{
	return pcpu_cpu_offline_cost(rt, cpu, NULL);
}

/**
 * pcpu_rt_init() - see pcpu.h.
 */
int pcpu_rt_init(struct pcpu_rt **out, const struct pcpu_config *cfg,
		 char *err, size_t errlen)
{
	struct pcpu_rt *rt, *none = NULL;
	const char *why;
	int cpu, ret;

	*out = NULL;
	if ((unsigned)cfg->strategy >= PCPU_NR_STRATEGIES) {
		seterr(err, errlen, "unknown strategy %d", (int)cfg->strategy);
		return -EINVAL;
	}
	why = pcpu_strategy_unavailable(cfg->strategy);
	if (why) {
		seterr(err, errlen, "strategy %s unavailable: %s",
		       pcpu_strategy_name(cfg->strategy), why);
		return -ENOTSUP;
	}
	if ((unsigned)cfg->layout >= PCPU_NR_LAYOUTS) {
		seterr(err, errlen, "unknown layout %d", (int)cfg->layout);
		return -EINVAL;
	}
	why = pcpu_pair_invalid(pcpu_strategy_access(cfg->strategy),
				pcpu_strategy_layout_with(cfg->strategy, cfg->layout));
	if (why) {
		seterr(err, errlen, "strategy %s (access %s) cannot use layout %s: %s",
		       pcpu_strategy_name(cfg->strategy),
		       pcpu_access_name(pcpu_strategy_access(cfg->strategy)),
		       pcpu_layout_name(cfg->layout), why);
		return -EINVAL;
	}
	if ((unsigned)cfg->backing >= PCPU_NR_BACKINGS) {
		seterr(err, errlen, "unknown backing %d", (int)cfg->backing);
		return -EINVAL;
	}
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	if (!atomic_compare_exchange_strong(&live_rt[cfg->strategy], &none, rt)) {
		free(rt);
		seterr(err, errlen, "a %s runtime is already live in this process",
		       pcpu_strategy_name(cfg->strategy));
		return -EBUSY;
	}
	rt->strategy = cfg->strategy;
	rt->access = pcpu_strategy_access(cfg->strategy);
	rt->layout = pcpu_strategy_layout_with(cfg->strategy, cfg->layout);
	rt->lops = pcpu_layout_ops_of(rt->layout);
	rt->aops = pcpu_access_ops_of(rt->access);
	rt->gen = atomic_fetch_add(&rt_gen, 1) + 1;
	rt->cfg = *cfg;
	pthread_mutex_init(&rt->lock, NULL);
	detect_rseq();

	ret = pcpu_topo_load(&rt->topo, cfg->topology, err, errlen);
	if (ret) {
		rt->topo.pus = NULL;
		goto err_unlive;
	}
	ret = parse_sets(rt, cfg, err, errlen);
	if (ret)
		goto err_topo;
	ret = size_units(rt, cfg, err, errlen);
	if (ret)
		goto err_topo;
	ret = check_placement(rt, cfg, err, errlen);
	if (ret)
		goto err_topo;
	ret = check_hugetlb(rt, err, errlen);
	if (ret)
		goto err_topo;
	ret = -ENOMEM;
	rt->cpus = calloc(PCPU_NR_CPUS, sizeof(*rt->cpus));
	rt->tmpl = aligned_alloc(PCPU_PAGE_SIZE, rt->unit_size);
	if (!rt->cpus || !rt->tmpl)
		goto err_mem;
	/* Store away the initial values. */
	memset(rt->tmpl, 0, rt->unit_size);
	memcpy(rt->tmpl, __start_pcpu_data, static_section_size());
	rt->hwm = rt->static_size;
	ret = collect_static_counters(rt);
	if (ret)
		goto err_mem;
	map_cpus(rt);
	ret = init_nodes(rt, cfg, err, errlen);
	if (ret)
		goto err_mem;
	ret = check_fits(rt, err, errlen);
	if (ret)
		goto err_mem;

	ret = rt->lops->init(rt, err, errlen);
	if (ret)
		goto err_mem;
	ret = rt->aops->init(rt, err, errlen);
	if (ret)
		goto err_layout;
	ret = pcpu_mod_setup(rt, err, errlen);
	if (ret) {
		rt->aops->fini(rt);
		goto err_layout;
	}
	pcpu_for_each_cpu(cpu, &rt->boot) {
		ret = online_locked(rt, (unsigned)cpu, NULL);
		if (ret) {
			seterr(err, errlen, "cannot bring CPU %d online: %s", cpu,
			       strerror(-ret));
			goto err_ops;
		}
	}
	*out = rt;
	return 0;

err_ops:
	pcpu_for_each_cpu(cpu, &rt->online)
		offline_locked(rt, (unsigned)cpu, NULL);
	pcpu_mod_teardown(rt);
	rt->aops->fini(rt);
err_layout:
	rt->lops->fini(rt);
err_mem:
	while (rt->counters) {
		struct pcpu_counter_reg *r = rt->counters;

		rt->counters = r->next;
		free(r->folded);
		free(r);
	}
	free(rt->cpus);
	free(rt->tmpl);
err_topo:
	pcpu_topo_free(&rt->topo);
err_unlive:
	atomic_store(&live_rt[cfg->strategy], NULL);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
	return ret;
}

/**
 * pcpu_rt_fini() - release everything. No thread may hold a CPU.
 */
void pcpu_rt_fini(struct pcpu_rt *rt)
{
	int cpu;

	if (!rt)
		return;
	pthread_mutex_lock(&rt->lock);
	pcpu_for_each_cpu(cpu, &rt->online) {
		struct pcpu_cpu *c = &rt->cpus[cpu];

		rt->aops->publish(rt, (unsigned)cpu, false);
		rt->lops->unit_free(rt, (unsigned)cpu);
		atomic_store(&c->state, CPU_OFFLINE);
	}
	memset(&rt->online, 0, sizeof(rt->online));
	pcpu_mod_teardown(rt);
	rt->aops->fini(rt);
	rt->lops->fini(rt);
	pthread_mutex_unlock(&rt->lock);
	while (rt->counters) {
		struct pcpu_counter_reg *r = rt->counters;

		rt->counters = r->next;
		free(r->folded);
		free(r);
	}
	while (rt->dyn) {
		struct pcpu_dyn *d = rt->dyn;

		rt->dyn = d->next;
		free(d);
	}
	free(rt->cpus);
	free(rt->tmpl);
	pcpu_topo_free(&rt->topo);
	atomic_store(&live_rt[rt->strategy], NULL);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

/* ---- threads -------------------------------------------------------------- */

int pcpu_thread_cpu(const struct pcpu_rt *rt)
{
	if (tl_gen[rt->strategy] != rt->gen)
		return -1;
	return tl_held[rt->strategy] - 1;
}

/**
 * pcpu_thread_leave() - see pcpu.h.
 */
void pcpu_thread_leave(struct pcpu_rt *rt)
{
	int cpu = pcpu_thread_cpu(rt);
	struct pcpu_cpu *c;

	if (cpu < 0)
		return;
	c = &rt->cpus[cpu];
	rt->aops->leave(rt, (unsigned)cpu);
	tl_held[rt->strategy] = 0;
	atomic_store(&c->holder, 0);
}

/**
 * pcpu_thread_enter() - see pcpu.h.
 */
int pcpu_thread_enter(struct pcpu_rt *rt, unsigned cpu)
{
	pid_t me = gettid_(), none = 0;
	struct pcpu_cpu *c;
	int ret;

	if (cpu >= PCPU_NR_CPUS)
		return -ENODEV;
	if (pcpu_thread_cpu(rt) == (int)cpu) {
		pcpu_tls_cpu = cpu;
		return rt->aops->refresh ? rt->aops->refresh(rt, cpu) : 0;
	}
	pcpu_thread_leave(rt);
	c = &rt->cpus[cpu];
	if (atomic_load(&c->state) != CPU_ONLINE)
		return -ENODEV;
	if (!atomic_compare_exchange_strong(&c->holder, &none, me))
		return -EBUSY;
	if (atomic_load(&c->state) != CPU_ONLINE) {
		atomic_store(&c->holder, 0);
		return -ENODEV;
	}
	ret = rt->aops->enter(rt, cpu);
	if (ret) {
		atomic_store(&c->holder, 0);
		return ret;
	}
	tl_held[rt->strategy] = (int)cpu + 1;
	tl_gen[rt->strategy] = rt->gen;
	pcpu_tls_cpu = cpu;
	pthread_once(&exit_once, exit_key_init);
	pthread_setspecific(exit_key, (void *)1);
	return 0;
}

bool pcpu_thread_should_leave(struct pcpu_rt *rt)
{
	int cpu = pcpu_thread_cpu(rt);

	return cpu >= 0 && atomic_load_explicit(&rt->cpus[cpu].kick,
						memory_order_relaxed);
}

/**
 * pcpu_thread_bind() - pin the calling thread to @cpu's host CPU.
 * Return: 0; -EINVAL not possible; -errno from sched_setaffinity().
 */
int pcpu_thread_bind(const struct pcpu_rt *rt, unsigned cpu)
{
	cpu_set_t set;

	if (!pcpu_cpuset_test(&rt->possible, cpu))
		return -EINVAL;
	CPU_ZERO(&set);
	CPU_SET(rt->cpus[cpu].host_cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		return -errno;
	return 0;
}

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
	return live_base(rt, cpu) + off;
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
			s += *(volatile uint64_t *)(live_base(rt, (unsigned)cpu) + off);
		*sum = s;
	}
	pthread_mutex_unlock(&rt->lock);
	return r ? 0 : -ENOENT;
}

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
