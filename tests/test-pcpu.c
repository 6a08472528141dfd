// SPDX-License-Identifier: GPL-2.0
/*
 * test-pcpu.c - the per-CPU runtime, strategy by strategy: each CPU
 * reaches its own copy through the strategy's hot accessor; a CPU onlined
 * again sees the template, never its previous life; a thread moved to
 * another CPU reaches that CPU's copy; increments through many online /
 * offline cycles sum exactly; dynamic allocations survive hotplug; a stress
 * run of 64 logical CPUs, onlined and offlined 1,000 times while threads
 * increment, loses nothing. Topology, CPU sets, bad configurations and
 * the names and pairs are test-pcpu-config.c.
 *
 * Behaviour only: nothing here looks at a clock.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pcpu.h"
#include "pcpu-access.h"

DEFINE_PCPU(uint64_t, t_value) = 42;
DEFINE_PCPU(char, t_name[16]) = "template";
DEFINE_PCPU_COUNTER(t_count);

struct tstate {
	enum pcpu_strategy_id s;
	enum pcpu_layout_id l;		/* PCPU_L_DEFAULT: the strategy's own */
	struct pcpu_rt *rt;
};

/*
 * Every strategy over its own layout, then every other valid access x
 * layout pair (pcpu_pair_invalid(), the pair table) once, through the
 * first strategy with that access method. Filled by combos_make().
 */
static struct combo {
	enum pcpu_strategy_id s;
	enum pcpu_layout_id l;
} combos[PCPU_NR_STRATEGIES * PCPU_NR_LAYOUTS];
static size_t ncombo;

static bool combo_covered(enum pcpu_access_id a, enum pcpu_layout_id l)
{
	size_t i;

	for (i = 0; i < ncombo; i++)
		if (pcpu_strategy_access(combos[i].s) == a &&
		    pcpu_strategy_layout_with(combos[i].s, combos[i].l) == l)
			return true;
	return false;
}

static void combos_make(void)
{
	unsigned i, l;

	for (i = 0; i < PCPU_NR_STRATEGIES; i++)
		combos[ncombo++] = (struct combo){ (enum pcpu_strategy_id)i,
						   PCPU_L_DEFAULT };
	for (i = 0; i < PCPU_NR_STRATEGIES; i++) {
		enum pcpu_strategy_id s = (enum pcpu_strategy_id)i;
		enum pcpu_access_id a = pcpu_strategy_access(s);

		for (l = PCPU_L_DEFAULT + 1; l < PCPU_NR_LAYOUTS; l++) {
			if (pcpu_pair_invalid(a, (enum pcpu_layout_id)l) ||
			    combo_covered(a, (enum pcpu_layout_id)l))
				continue;
			combos[ncombo++] = (struct combo){ s, (enum pcpu_layout_id)l };
		}
	}
}

static enum pcpu_layout_id layout_of(const struct tstate *ts)
{
	return pcpu_strategy_layout_with(ts->s, ts->l);
}

/* The access method's own hot accessors (lib/runtime/pcpu-access.h), as the
 * benchmarks' loops use them. */
static uint64_t hot_read(struct tstate *ts, pcpu_off_t off)
{
	unsigned cpu = pcpu_cpuid_tls();
	struct pcpu_acc_ctx ctx;

	pcpu_rt_acc_ctx(ts->rt, &ctx);
	switch (pcpu_rt_access(ts->rt)) {
#define T_X_READ(id, lname, desc)                                             \
	case PCPU_A_##id:                                                     \
		return PCPU_READ_U64(id, ctx, cpu, off);
	PCPU_ACCESSES(T_X_READ)
#undef T_X_READ
	default:
		fail();
	}
	return 0;
}

static void hot_write(struct tstate *ts, pcpu_off_t off, uint64_t v)
{
	unsigned cpu = pcpu_cpuid_tls();
	struct pcpu_acc_ctx ctx;

	pcpu_rt_acc_ctx(ts->rt, &ctx);
	switch (pcpu_rt_access(ts->rt)) {
#define T_X_WRITE(id, lname, desc)                                            \
	case PCPU_A_##id:                                                     \
		PCPU_WRITE_U64(id, ctx, cpu, off, v);                         \
		break;
	PCPU_ACCESSES(T_X_WRITE)
#undef T_X_WRITE
	default:
		fail();
	}
}

static void hot_inc(struct tstate *ts, pcpu_off_t off)
{
	unsigned cpu = pcpu_cpuid_tls();
	struct pcpu_acc_ctx ctx;

	pcpu_rt_acc_ctx(ts->rt, &ctx);
	switch (pcpu_rt_access(ts->rt)) {
#define T_X_INC(id, lname, desc)                                              \
	case PCPU_A_##id:                                                     \
		PCPU_INC_U64(id, ctx, cpu, off);                              \
		break;
	PCPU_ACCESSES(T_X_INC)
#undef T_X_INC
	default:
		fail();
	}
}

static struct pcpu_rt *mkrt_cfg(struct tstate *ts, struct pcpu_config *cfg)
{
	struct pcpu_rt *rt = NULL;
	char err[256] = "";
	int ret;

	cfg->strategy = ts->s;
	cfg->layout = ts->l;
	ret = pcpu_rt_init(&rt, cfg, err, sizeof(err));
	if (ret)
		fprintf(stderr, "pcpu_rt_init(%s over %s): %d %s\n",
			pcpu_strategy_name(ts->s), pcpu_layout_name(layout_of(ts)),
			ret, err);
	assert_int_equal(ret, 0);
	return rt;
}

static struct pcpu_rt *mkrt(struct tstate *ts, const char *possible,
			    const char *online)
{
	struct pcpu_config cfg = { 0 };

	cfg.possible = possible;
	cfg.online = online;
	return mkrt_cfg(ts, &cfg);
}

static int setup(void **state)
{
	struct tstate *ts = calloc(1, sizeof(*ts));

	ts->s = combos[(intptr_t)*state].s;
	ts->l = combos[(intptr_t)*state].l;
	*state = ts;
	return pcpu_strategy_unavailable(ts->s) ? -1 : 0;
}

static int teardown(void **state)
{
	struct tstate *ts = *state;

	if (ts->rt) {
		pcpu_thread_leave(ts->rt);
		pcpu_rt_fini(ts->rt);
	}
	free(ts);
	return 0;
}

static void own_copy(void **state)
{
	struct tstate *ts = *state;
	unsigned cpu;

	ts->rt = mkrt(ts, "8", "8");
	for (cpu = 0; cpu < 8; cpu++) {
		assert_int_equal(pcpu_thread_enter(ts->rt, cpu), 0);
		assert_int_equal(pcpu_thread_cpu(ts->rt), (int)cpu);
		assert_int_equal(hot_read(ts, PCPU_OFF(t_value)), 42);
		hot_write(ts, PCPU_OFF(t_value), 1000 + cpu);
	}
	pcpu_thread_leave(ts->rt);
	for (cpu = 0; cpu < 8; cpu++) {
		uint64_t *p = pcpu_ptr(ts->rt, cpu, PCPU_OFF(t_value));

		assert_non_null(p);
		assert_int_equal(*p, 1000 + cpu);
		assert_string_equal((char *)pcpu_ptr(ts->rt, cpu, PCPU_OFF(t_name)),
				    "template");
	}
	/* The definition itself is the template and is never written. */
	assert_int_equal(t_value, 42);
}

/*
 * A CPU's first online sees the template. Back online after an offline,
 * a vm (or thread, or hybrid-later) unit is new and sees the template
 * again; a kept unit (embed, page, hybrid's boot CPUs) is the same memory
 * and keeps its values, as the kernel's first chunk does.
 */
static void fresh_online_sees_template(void **state)
{
	struct tstate *ts = *state;
	int round;

	ts->rt = mkrt(ts, "8", "4");
	for (round = 0; round < 5; round++) {
		bool kept = pcpu_cpu_unit_kept(ts->rt, 3);

		assert_int_equal(pcpu_thread_enter(ts->rt, 3), 0);
		assert_int_equal(hot_read(ts, PCPU_OFF(t_value)),
				 round && kept ? 0xdead : 42);
		hot_write(ts, PCPU_OFF(t_value), 0xdead);
		strcpy((char *)pcpu_ptr(ts->rt, 3, PCPU_OFF(t_name)), "stale");
		pcpu_thread_leave(ts->rt);
		assert_int_equal(pcpu_cpu_offline(ts->rt, 3), 0);
		assert_null(pcpu_ptr(ts->rt, 3, PCPU_OFF(t_value)));
		assert_int_equal(pcpu_thread_enter(ts->rt, 3), -ENODEV);
		assert_int_equal(pcpu_cpu_online(ts->rt, 3), 0);
		assert_int_equal(*(uint64_t *)pcpu_ptr(ts->rt, 3, PCPU_OFF(t_value)),
				 kept ? 0xdead : 42);
		assert_string_equal((char *)pcpu_ptr(ts->rt, 3, PCPU_OFF(t_name)),
				    kept ? "stale" : "template");
	}
	/* CPUs 4-7 come online for the first time: the template, whatever
	 * the layout (embed and page filled their units at init). */
	for (round = 4; round < 8; round++) {
		assert_int_equal(pcpu_cpu_online(ts->rt, (unsigned)round), 0);
		assert_int_equal(pcpu_thread_enter(ts->rt, (unsigned)round), 0);
		assert_int_equal(hot_read(ts, PCPU_OFF(t_value)), 42);
		assert_string_equal((char *)pcpu_ptr(ts->rt, (unsigned)round,
						     PCPU_OFF(t_name)), "template");
		pcpu_thread_leave(ts->rt);
	}
	assert_int_equal(pcpu_cpu_online(ts->rt, 3), -EEXIST);
	assert_int_equal(pcpu_cpu_offline(ts->rt, 9), -EINVAL);
}

/* Offline folds a CPU's counters into the global sum and zeroes them:
 * nothing is counted twice when a kept unit comes back. */
static void fold_on_offline(void **state)
{
	struct tstate *ts = *state;
	uint64_t sum, folded;
	pcpu_off_t dyn;
	int i;

	ts->rt = mkrt(ts, "4", "4");
	assert_int_equal(pcpu_alloc(ts->rt, 16, 8, NULL, true, &dyn), 0);
	assert_int_equal(pcpu_thread_enter(ts->rt, 2), 0);
	for (i = 0; i < 5; i++) {
		hot_inc(ts, PCPU_OFF(t_count));
		hot_inc(ts, dyn + 8);
	}
	pcpu_thread_leave(ts->rt);
	assert_int_equal(pcpu_counter_folded(ts->rt, PCPU_OFF(t_count), &folded), 0);
	assert_int_equal(folded, 0);
	assert_int_equal(pcpu_cpu_offline(ts->rt, 2), 0);
	assert_int_equal(pcpu_counter_folded(ts->rt, PCPU_OFF(t_count), &folded), 0);
	assert_int_equal(folded, 5);
	assert_int_equal(pcpu_counter_folded(ts->rt, dyn + 8, &folded), 0);
	assert_int_equal(folded, 5);
	assert_int_equal(pcpu_counter_sum(ts->rt, PCPU_OFF(t_count), &sum), 0);
	assert_int_equal(sum, 5);
	assert_int_equal(pcpu_cpu_online(ts->rt, 2), 0);
	assert_int_equal(*(uint64_t *)pcpu_ptr(ts->rt, 2, PCPU_OFF(t_count)), 0);
	assert_int_equal(*(uint64_t *)pcpu_ptr(ts->rt, 2, dyn + 8), 0);
	assert_int_equal(pcpu_counter_sum(ts->rt, PCPU_OFF(t_count), &sum), 0);
	assert_int_equal(sum, 5);
	assert_int_equal(pcpu_counter_sum(ts->rt, dyn + 8, &sum), 0);
	assert_int_equal(sum, 5);
}

static void moved_thread_reaches_new_copy(void **state)
{
	struct tstate *ts = *state;

	ts->rt = mkrt(ts, "4", "4");
	assert_int_equal(pcpu_thread_enter(ts->rt, 0), 0);
	hot_write(ts, PCPU_OFF(t_value), 7);
	assert_int_equal(pcpu_thread_enter(ts->rt, 1), 0);
	assert_int_equal(hot_read(ts, PCPU_OFF(t_value)), 42);
	hot_write(ts, PCPU_OFF(t_value), 8);
	assert_int_equal(pcpu_thread_enter(ts->rt, 0), 0);
	assert_int_equal(hot_read(ts, PCPU_OFF(t_value)), 7);
	/* Holding CPU 0, it cannot take CPU 0 offline itself. */
	assert_int_equal(pcpu_cpu_offline(ts->rt, 0), -EDEADLK);
	pcpu_thread_leave(ts->rt);
	assert_int_equal(*(uint64_t *)pcpu_ptr(ts->rt, 1, PCPU_OFF(t_value)), 8);
}

static void increments_sum_exactly(void **state)
{
	struct tstate *ts = *state;
	uint64_t expect = 0, sum = 0, folded = 0;
	pcpu_off_t dyn;
	unsigned i, k;

	ts->rt = mkrt(ts, "0-3,16-19", "0-3,16");
	assert_int_equal(pcpu_alloc(ts->rt, 24, 8, NULL, true, &dyn), 0);
	for (i = 0; i < 300; i++) {
		unsigned cpu = (i % 2) ? 17 + i % 3 : i % 4;

		if (!pcpu_cpu_online_p(ts->rt, cpu))
			assert_int_equal(pcpu_cpu_online(ts->rt, cpu), 0);
		assert_int_equal(pcpu_thread_enter(ts->rt, cpu), 0);
		for (k = 0; k <= i % 7; k++) {
			hot_inc(ts, PCPU_OFF(t_count));
			hot_inc(ts, dyn + 16);
			expect++;
		}
		pcpu_thread_leave(ts->rt);
		if (i % 3 == 0)
			assert_int_equal(pcpu_cpu_offline(ts->rt, cpu), 0);
	}
	assert_int_equal(pcpu_counter_sum(ts->rt, PCPU_OFF(t_count), &sum), 0);
	assert_int_equal(sum, expect);
	assert_int_equal(pcpu_counter_sum(ts->rt, dyn + 16, &sum), 0);
	assert_int_equal(sum, expect);
	assert_int_equal(pcpu_counter_sum(ts->rt, dyn, &sum), 0);
	assert_int_equal(sum, 0);
	assert_int_equal(pcpu_counter_folded(ts->rt, PCPU_OFF(t_count), &folded), 0);
	assert_true(folded > 0 && folded <= expect);
	assert_int_equal(pcpu_counter_sum(ts->rt, PCPU_OFF(t_value), &sum), -ENOENT);
}

static void dynamic_survives_hotplug(void **state)
{
	struct tstate *ts = *state;
	static const char init[40] = "dynamic initial value";
	pcpu_off_t a, b, c;
	unsigned cpu;

	ts->rt = mkrt(ts, "6", "3");
	assert_int_equal(pcpu_alloc(ts->rt, sizeof(init), 64, init, false, &a), 0);
	assert_int_equal(a % 64, 0);
	assert_int_equal(pcpu_alloc(ts->rt, 4096, 4096, NULL, false, &b), 0);
	assert_int_equal(b % 4096, 0);
	assert_true(b >= a + sizeof(init) || b + 4096 <= a);
	for (cpu = 0; cpu < 3; cpu++) {
		assert_memory_equal(pcpu_ptr(ts->rt, cpu, a), init, sizeof(init));
		snprintf(pcpu_ptr(ts->rt, cpu, a), sizeof(init), "cpu %u", cpu);
	}
	/* CPUs coming and going leave the others' dynamic data alone. */
	assert_int_equal(pcpu_cpu_online(ts->rt, 4), 0);
	assert_memory_equal(pcpu_ptr(ts->rt, 4, a), init, sizeof(init));
	assert_int_equal(pcpu_cpu_offline(ts->rt, 1), 0);
	assert_int_equal(pcpu_cpu_online(ts->rt, 1), 0);
	if (pcpu_cpu_unit_kept(ts->rt, 1))
		assert_string_equal(pcpu_ptr(ts->rt, 1, a), "cpu 1");
	else
		assert_memory_equal(pcpu_ptr(ts->rt, 1, a), init, sizeof(init));
	assert_string_equal(pcpu_ptr(ts->rt, 0, a), "cpu 0");
	assert_string_equal(pcpu_ptr(ts->rt, 2, a), "cpu 2");
	/* Allocated while CPU 5 was offline: it gets its copy on online. */
	assert_int_equal(pcpu_alloc(ts->rt, 8, 8, &(uint64_t){ 99 }, false, &c), 0);
	assert_int_equal(pcpu_cpu_online(ts->rt, 5), 0);
	assert_int_equal(*(uint64_t *)pcpu_ptr(ts->rt, 5, c), 99);
	assert_int_equal(pcpu_thread_enter(ts->rt, 5), 0);
	assert_int_equal(hot_read(ts, c), 99);
	pcpu_thread_leave(ts->rt);
	/* Freed space is reused and starts from its new initial value. */
	assert_int_equal(pcpu_free(ts->rt, b), 0);
	assert_int_equal(pcpu_free(ts->rt, b), -ENOENT);
	assert_int_equal(pcpu_alloc(ts->rt, 16, 8, NULL, false, &b), 0);
	assert_int_equal(*(uint64_t *)pcpu_ptr(ts->rt, 0, b), 0);
	/* The reserve runs out cleanly. */
	assert_int_equal(pcpu_alloc(ts->rt, pcpu_rt_unit_size(ts->rt), 8, NULL,
				    false, &c), -ENOMEM);
	assert_int_equal(pcpu_alloc(ts->rt, 8, 3, NULL, false, &c), -EINVAL);
}

static void *enter_and_exit(void *p)
{
	struct tstate *ts = p;

	if (pcpu_thread_enter(ts->rt, 2))
		return (void *)1;
	hot_write(ts, PCPU_OFF(t_value), 77);
	return NULL;	/* exits holding CPU 2 */
}

static void thread_exit_leaves(void **state)
{
	struct tstate *ts = *state;
	pthread_t th;
	void *ret;

	ts->rt = mkrt(ts, "4", "4");
	assert_int_equal(pthread_create(&th, NULL, enter_and_exit, ts), 0);
	assert_int_equal(pthread_join(th, &ret), 0);
	assert_null(ret);
	/* The CPU is free again and kept what the thread wrote. */
	assert_int_equal(*(uint64_t *)pcpu_ptr(ts->rt, 2, PCPU_OFF(t_value)), 77);
	assert_int_equal(pcpu_thread_enter(ts->rt, 2), 0);
	assert_int_equal(hot_read(ts, PCPU_OFF(t_value)), 77);
	pcpu_thread_leave(ts->rt);
	assert_int_equal(pcpu_cpu_offline(ts->rt, 2), 0);
}

/* ---- stress ----------------------------------------------------------------- */

#define STRESS_CPUS 64
#define STRESS_EVENTS 1000
#define STRESS_WORKERS 4

struct stress {
	struct tstate *ts;
	pcpu_off_t dyn;
	_Atomic int stop;
	_Atomic uint64_t progress;	/* batches done by all workers */
	uint64_t done[STRESS_WORKERS];
	unsigned id;
};

struct worker_arg {
	struct stress *st;
	unsigned id;
};

static void *stress_worker(void *p)
{
	struct worker_arg *wa = p;
	struct stress *st = wa->st;
	struct tstate *ts = st->ts;
	unsigned seed = 12345 + wa->id, k;
	uint64_t done = 0;

	while (!atomic_load(&st->stop)) {
		unsigned cpu = (unsigned)rand_r(&seed) % STRESS_CPUS;

		if (pcpu_thread_enter(ts->rt, cpu))
			continue;
		while (!pcpu_thread_should_leave(ts->rt) && !atomic_load(&st->stop)) {
			for (k = 0; k < 64; k++) {
				hot_inc(ts, PCPU_OFF(t_count));
				hot_inc(ts, st->dyn);
			}
			done += 64;
			atomic_fetch_add(&st->progress, 1);
			if (rand_r(&seed) % 16 == 0)
				break;	/* migrate now and then */
		}
		pcpu_thread_leave(ts->rt);
	}
	st->done[wa->id] = done;
	return NULL;
}

static void stress_hotplug(void **state)
{
	struct tstate *ts = *state;
	struct worker_arg wa[STRESS_WORKERS];
	pthread_t th[STRESS_WORKERS];
	struct stress st = { .ts = ts };
	uint64_t expect = 0, sum = 0, dsum = 0;
	unsigned seed = 7, i, events = 0;

	ts->rt = mkrt(ts, "64", "16");
	assert_int_equal(pcpu_alloc(ts->rt, 8, 8, NULL, true, &st.dyn), 0);
	for (i = 0; i < STRESS_WORKERS; i++) {
		wa[i].st = &st;
		wa[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, stress_worker, &wa[i]), 0);
	}
	while (events < STRESS_EVENTS) {
		unsigned cpu = (unsigned)rand_r(&seed) % STRESS_CPUS;

		/* embed and page hotplug in no time: let the workers run
		 * between every 50 events, so updates race with hotplug. */
		if (events % 50 == 0) {
			uint64_t p0 = atomic_load(&st.progress);

			while (atomic_load(&st.progress) == p0)
				sched_yield();
		}
		int r = pcpu_cpu_online_p(ts->rt, cpu) ? pcpu_cpu_offline(ts->rt, cpu)
						       : pcpu_cpu_online(ts->rt, cpu);

		assert_int_equal(r, 0);
		events++;
	}
	atomic_store(&st.stop, 1);
	for (i = 0; i < STRESS_WORKERS; i++) {
		pthread_join(th[i], NULL);
		expect += st.done[i];
	}
	assert_int_equal(pcpu_counter_sum(ts->rt, PCPU_OFF(t_count), &sum), 0);
	assert_int_equal(pcpu_counter_sum(ts->rt, st.dyn, &dsum), 0);
	if (sum != expect || dsum != expect)
		fprintf(stderr, "%s: done %llu, static sum %llu, dynamic sum %llu\n",
			pcpu_strategy_name(ts->s), (unsigned long long)expect,
			(unsigned long long)sum, (unsigned long long)dsum);
	assert_int_equal(sum, expect);
	assert_int_equal(dsum, expect);
	assert_true(expect > 0);
}

/* ---- memory and placement ----------------------------------------------------- */

/*
 * Committed bytes follow the layout: embed and page commit every possible
 * CPU's unit at init (and every unit holds every object); vm one unit per
 * online CPU; hybrid the boot CPUs' block plus one unit per later CPU;
 * thread one mapping per online CPU.
 */
static void memory_accounting(void **state)
{
	struct tstate *ts = *state;
	enum pcpu_layout_id l = layout_of(ts);
	bool all = l == PCPU_L_EMBED || l == PCPU_L_PAGE;
	struct pcpu_mem m;
	int nodes[64], n, i;
	size_t u;

	ts->rt = mkrt(ts, "256", "2");
	assert_int_equal(pcpu_mem_account(ts->rt, &m), 0);
	u = m.unit_size;
	assert_int_equal(m.nr_possible, 256);
	assert_int_equal(m.nr_online, 2);
	assert_int_equal(m.nr_units, all ? 256 : 2);
	assert_int_equal(m.committed_online_bytes, 2 * u);
	/* 4 KiB backing: no rounding beyond whole pages. */
	assert_int_equal(m.committed_bytes, (all ? 256 : 2) * u);
	assert_int_equal(m.all_possible_bytes, 256 * u);
	switch (l) {
	case PCPU_L_EMBED:
		assert_int_equal(m.reserved_bytes, 256 * u);
		break;
	case PCPU_L_PAGE:
	case PCPU_L_VM:
		assert_int_equal(m.reserved_bytes, 256 * u);
		break;
	case PCPU_L_HYBRID:
		assert_int_equal(m.reserved_bytes, 256 * u + 2 * u);
		break;
	default:
		assert_int_equal(m.reserved_bytes, 2 * u);
		break;
	}
	assert_int_equal(pcpu_cpu_online(ts->rt, 200), 0);
	assert_int_equal(pcpu_mem_account(ts->rt, &m), 0);
	assert_int_equal(m.committed_online_bytes, 3 * u);
	assert_int_equal(m.committed_bytes, (all ? 256 : 3) * u);
	assert_int_equal(m.nr_units, all ? 256 : 3);
	assert_int_equal(pcpu_cpu_offline(ts->rt, 200), 0);
	assert_int_equal(pcpu_mem_account(ts->rt, &m), 0);
	assert_int_equal(m.committed_online_bytes, 2 * u);
	assert_int_equal(m.committed_bytes, (all ? 256 : 2) * u);
	/* Every page of a local unit sits on its CPU's node. */
	n = pcpu_cpu_page_nodes(ts->rt, 1, nodes, 64);
	if (n == -ENOTSUP)
		return;
	assert_true(n > 0);
	for (i = 0; i < n; i++)
		assert_int_equal(nodes[i], pcpu_cpu_host_node(ts->rt, 1));
}

/*
 * embed and page allocate, place and copy nothing on online and release
 * nothing on offline: a CPU's unit is the same memory every time. vm
 * commits on online and releases on offline.
 */
static void online_allocates_per_layout(void **state)
{
	struct tstate *ts = *state;
	enum pcpu_layout_id l = layout_of(ts);
	bool all = l == PCPU_L_EMBED || l == PCPU_L_PAGE;
	struct pcpu_hp_cost cost;
	struct pcpu_mem m0, m1;
	void *p0, *p1;

	ts->rt = mkrt(ts, "64", "2");
	assert_int_equal(pcpu_mem_account(ts->rt, &m0), 0);
	assert_int_equal(pcpu_cpu_online_cost(ts->rt, 40, &cost), 0);
	p0 = pcpu_ptr(ts->rt, 40, 0);
	assert_int_equal(pcpu_mem_account(ts->rt, &m1), 0);
	assert_true(pcpu_cpu_unit_kept(ts->rt, 40) == all);
	if (all) {
		assert_true(cost.online_ns[PCPU_ON_ALLOC] == 0);
		assert_true(cost.online_ns[PCPU_ON_PLACE] == 0);
		assert_true(cost.online_ns[PCPU_ON_COPY] == 0);
		assert_int_equal(m1.committed_bytes, m0.committed_bytes);
		assert_int_equal(m1.nr_units, m0.nr_units);
	} else {
		assert_true(cost.online_ns[PCPU_ON_ALLOC] > 0);
		assert_true(cost.online_ns[PCPU_ON_COPY] > 0);
		assert_int_equal(m1.committed_bytes, m0.committed_bytes + m0.unit_size);
		assert_int_equal(m1.nr_units, m0.nr_units + 1);
	}
	assert_int_equal(pcpu_cpu_offline_cost(ts->rt, 40, &cost), 0);
	assert_true((cost.offline_ns[PCPU_OFF_RELEASE] == 0) == all);
	assert_int_equal(pcpu_mem_account(ts->rt, &m1), 0);
	assert_int_equal(m1.committed_bytes, m0.committed_bytes);
	assert_int_equal(pcpu_cpu_online(ts->rt, 40), 0);
	p1 = pcpu_ptr(ts->rt, 40, 0);
	if (all)
		assert_ptr_equal(p0, p1);
}

/*
 * What init knows: CPUs absent at init get their node from the late-node
 * policy; embed and page keep the unit where init put it, vm and hybrid
 * place a later CPU's unit on its real node when it comes.
 */
static void late_node_placement(void **state)
{
	static const char *const pol[] = { "roundrobin", "topology", "boot" };
	/* Real (topology) nodes of CPUs 4-7: PUs 0-3 again, nodes 0,0,1,1. */
	static const int real[4] = { 0, 0, 1, 1 };
	static const int guess[3][4] = { { 0, 1, 0, 1 }, { 0, 0, 1, 1 }, { 0, 0, 0, 0 } };
	struct tstate *ts = *state;
	enum pcpu_layout_id l = layout_of(ts);
	bool at_init = l == PCPU_L_EMBED || l == PCPU_L_PAGE;
	struct pcpu_config cfg = { 0 };
	unsigned k, cpu;

	if (l == PCPU_L_THREAD)
		skip();
	cfg.topology = "synthetic:pack:2 numa:1 core:2 pu:1";
	cfg.possible = "8";
	cfg.present = "4";
	cfg.online = "4";
	for (k = 0; k < 3; k++) {
		char err[64];

		assert_int_equal(pcpu_late_node_parse(pol[k], &cfg.late_node), 0);
		assert_int_equal(pcpu_late_node_format(&cfg.late_node, err, sizeof(err)), 0);
		assert_string_equal(err, pol[k]);
		ts->rt = mkrt_cfg(ts, &cfg);
		assert_int_equal(pcpu_cpu_online(ts->rt, 5), -EINVAL);	/* absent */
		assert_int_equal(pcpu_cpu_hotadd(ts->rt, 2), -EEXIST);
		assert_int_equal(pcpu_cpu_hotadd(ts->rt, 9), -EINVAL);
		for (cpu = 4; cpu < 8; cpu++) {
			int want = at_init ? guess[k][cpu - 4] : real[cpu - 4];

			assert_int_equal(pcpu_cpu_node(ts->rt, cpu), real[cpu - 4]);
			assert_int_equal(pcpu_cpu_init_node(ts->rt, cpu), guess[k][cpu - 4]);
			assert_int_equal(pcpu_cpu_hotadd(ts->rt, cpu), 0);
			assert_int_equal(pcpu_cpu_online(ts->rt, cpu), 0);
			assert_int_equal(pcpu_cpu_unit_node(ts->rt, cpu), want);
			assert_int_equal(pcpu_thread_enter(ts->rt, cpu), 0);
			assert_int_equal(hot_read(ts, PCPU_OFF(t_value)), 42);
			pcpu_thread_leave(ts->rt);
		}
		/* Boot CPUs always on their real node. */
		assert_int_equal(pcpu_cpu_unit_node(ts->rt, 2), 1);
		pcpu_rt_fini(ts->rt);
		ts->rt = NULL;
	}
	assert_int_equal(pcpu_late_node_parse("node:1", &cfg.late_node), 0);
	ts->rt = mkrt_cfg(ts, &cfg);
	assert_int_equal(pcpu_cpu_init_node(ts->rt, 4), 1);
	pcpu_rt_fini(ts->rt);
	ts->rt = NULL;
	assert_int_equal(pcpu_late_node_parse("node:x", &cfg.late_node), -EINVAL);
	assert_int_equal(pcpu_late_node_parse("nearest", &cfg.late_node), -EINVAL);
}

static const char *combo_name(intptr_t i, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", pcpu_strategy_name(combos[i].s),
		 pcpu_layout_name(pcpu_strategy_layout_with(combos[i].s, combos[i].l)));
	return buf;
}

#define NCOMBO (sizeof(combos) / sizeof(combos[0]))	/* at most */
#define NTESTS (sizeof(per_combo) / sizeof(per_combo[0]))

struct tdef {
	const char *name;
	CMUnitTestFunction fn;
};

static const struct tdef per_combo[] = {
	{ "own_copy", own_copy },
	{ "fresh_online_sees_template", fresh_online_sees_template },
	{ "fold_on_offline", fold_on_offline },
	{ "moved_thread_reaches_new_copy", moved_thread_reaches_new_copy },
	{ "increments_sum_exactly", increments_sum_exactly },
	{ "dynamic_survives_hotplug", dynamic_survives_hotplug },
	{ "thread_exit_leaves", thread_exit_leaves },
	{ "stress_hotplug", stress_hotplug },
	{ "memory_accounting", memory_accounting },
	{ "online_allocates_per_layout", online_allocates_per_layout },
	{ "late_node_placement", late_node_placement },
};

int main(void)
{
	static char names[NTESTS * NCOMBO][96];
	struct CMUnitTest tests[NTESTS * NCOMBO];
	size_t n = 0, t, c;

	/* Test by test, every strategy over its own layout and every other
	 * valid pair: "own_copy[offset-array/page]". */
	combos_make();
	for (t = 0; t < NTESTS; t++) {
		for (c = 0; c < ncombo; c++) {
			char cn[64];

			snprintf(names[n], sizeof(names[n]), "%s[%s]", per_combo[t].name,
				 combo_name((intptr_t)c, cn, sizeof(cn)));
			tests[n] = (struct CMUnitTest){ names[n], per_combo[t].fn, setup,
							teardown, (void *)(intptr_t)c };
			n++;
		}
	}
	return _cmocka_run_group_tests("pcpu runtime", tests, n, NULL, NULL);
}
