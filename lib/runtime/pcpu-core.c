// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-core.c - the per-CPU runtime: the template, the hotplug
 * lifecycle and thread ownership of logical CPUs (the configuration is
 * read by pcpu-config.c, dynamic allocation and counters are
 * pcpu-alloc.c, the runtime's description pcpu-state.c). A strategy is an
 * access method (pcpu-access-*.c) over a layout (pcpu-layout-*.c); they
 * only provide and publish memory.
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

/* The message into @err (if any), and @ret: "return pcpu_seterr(...)". */
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
unsigned char *pcpu_live_base(struct pcpu_rt *rt, unsigned cpu)
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
		pcpu_seterr(err, errlen, 0, "unknown strategy %d", (int)cfg->strategy);
		return -EINVAL;
	}
	why = pcpu_strategy_unavailable(cfg->strategy);
	if (why) {
		pcpu_seterr(err, errlen, 0, "strategy %s unavailable: %s",
		       pcpu_strategy_name(cfg->strategy), why);
		return -ENOTSUP;
	}
	if ((unsigned)cfg->layout >= PCPU_NR_LAYOUTS) {
		pcpu_seterr(err, errlen, 0, "unknown layout %d", (int)cfg->layout);
		return -EINVAL;
	}
	why = pcpu_pair_invalid(pcpu_strategy_access(cfg->strategy),
				pcpu_strategy_layout_with(cfg->strategy, cfg->layout));
	if (why) {
		pcpu_seterr(err, errlen, 0, "strategy %s (access %s) cannot use layout %s: %s",
		       pcpu_strategy_name(cfg->strategy),
		       pcpu_access_name(pcpu_strategy_access(cfg->strategy)),
		       pcpu_layout_name(cfg->layout), why);
		return -EINVAL;
	}
	if ((unsigned)cfg->backing >= PCPU_NR_BACKINGS) {
		pcpu_seterr(err, errlen, 0, "unknown backing %d", (int)cfg->backing);
		return -EINVAL;
	}
	rt = calloc(1, sizeof(*rt));
	if (!rt)
		return -ENOMEM;
	if (!atomic_compare_exchange_strong(&live_rt[cfg->strategy], &none, rt)) {
		free(rt);
		pcpu_seterr(err, errlen, 0, "a %s runtime is already live in this process",
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
	ret = pcpu_cfg_parse_sets(rt, cfg, err, errlen);
	if (ret)
		goto err_topo;
	ret = pcpu_cfg_size_units(rt, cfg, err, errlen);
	if (ret)
		goto err_topo;
	ret = pcpu_cfg_check_placement(rt, cfg, err, errlen);
	if (ret)
		goto err_topo;
	ret = pcpu_cfg_check_hugetlb(rt, err, errlen);
	if (ret)
		goto err_topo;
	ret = -ENOMEM;
	rt->cpus = calloc(PCPU_NR_CPUS, sizeof(*rt->cpus));
	rt->tmpl = aligned_alloc(PCPU_PAGE_SIZE, rt->unit_size);
	if (!rt->cpus || !rt->tmpl)
		goto err_mem;
	/* Store away the initial values. */
	memset(rt->tmpl, 0, rt->unit_size);
	memcpy(rt->tmpl, __start_pcpu_data, pcpu_static_section_size());
	rt->hwm = rt->static_size;
	ret = pcpu_cfg_collect_static_counters(rt);
	if (ret)
		goto err_mem;
	pcpu_cfg_map_cpus(rt);
	ret = pcpu_cfg_init_nodes(rt, cfg, err, errlen);
	if (ret)
		goto err_mem;
	ret = pcpu_cfg_check_fits(rt, err, errlen);
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
			pcpu_seterr(err, errlen, 0, "cannot bring CPU %d online: %s", cpu,
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

