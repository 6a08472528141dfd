// SPDX-License-Identifier: GPL-2.0
/*
 * test-pcpu.c - the per-CPU runtime, strategy by strategy: each CPU
 * reaches its own copy through the strategy's hot accessor; a CPU onlined
 * again sees the template, never its previous life; a thread moved to
 * another CPU reaches that CPU's copy; increments through many online /
 * offline cycles sum exactly; dynamic allocations survive hotplug; a stress
 * run of 64 logical CPUs, onlined and offlined 1,000 times while threads
 * increment, loses nothing. Plus topology and bad configuration.
 *
 * Behaviour only: nothing here looks at a clock.
 */
#include <errno.h>
#include <pthread.h>
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

/* The strategy's own hot accessor, as a benchmark loop would use it. */
static uint64_t *hot(enum pcpu_strategy_id s, struct pcpu_rt *rt, pcpu_off_t off)
{
	unsigned cpu = pcpu_cpuid_tls();

	switch (s) {
	case PCPU_S_OFFSET_ARRAY:
		return PCPU_PTR_OFFSET_ARRAY(cpu, off);
	case PCPU_S_HYBRID:
		return PCPU_PTR_HYBRID(cpu, off);
	case PCPU_S_VM_AREA:
		return PCPU_PTR_VM_AREA(cpu, off);
	case PCPU_S_TLS:
		return PCPU_PTR_TLS(off);
	default:
		return NULL;
	}
}

static uint64_t hot_read(enum pcpu_strategy_id s, struct pcpu_rt *rt, pcpu_off_t off)
{
#if PCPU_HAVE_SEGMENT
	if (s == PCPU_S_SEGMENT)
		return PCPU_SEG_U64(off);
#endif
	return *hot(s, rt, off);
}

static void hot_write(enum pcpu_strategy_id s, struct pcpu_rt *rt, pcpu_off_t off,
		      uint64_t v)
{
#if PCPU_HAVE_SEGMENT
	if (s == PCPU_S_SEGMENT) {
		pcpu_seg_write_u64(off, v);
		return;
	}
#endif
	*hot(s, rt, off) = v;
}

static void hot_inc(enum pcpu_strategy_id s, struct pcpu_rt *rt, pcpu_off_t off)
{
#if PCPU_HAVE_SEGMENT
	if (s == PCPU_S_SEGMENT) {
		pcpu_seg_inc_u64(off);
		return;
	}
#endif
	*hot(s, rt, off) += 1;
}

struct tstate {
	enum pcpu_strategy_id s;
	struct pcpu_rt *rt;
};

static struct pcpu_rt *mkrt(enum pcpu_strategy_id s, const char *possible,
			    const char *online)
{
	struct pcpu_config cfg = { 0 };
	struct pcpu_rt *rt = NULL;
	char err[256] = "";
	int ret;

	cfg.strategy = s;
	cfg.possible = possible;
	cfg.online = online;
	ret = pcpu_rt_init(&rt, &cfg, err, sizeof(err));
	if (ret)
		fprintf(stderr, "pcpu_rt_init(%s): %d %s\n", pcpu_strategy_name(s),
			ret, err);
	assert_int_equal(ret, 0);
	return rt;
}

static int setup(void **state)
{
	struct tstate *ts = calloc(1, sizeof(*ts));

	ts->s = (enum pcpu_strategy_id)(intptr_t)*state;
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

	ts->rt = mkrt(ts->s, "8", "8");
	for (cpu = 0; cpu < 8; cpu++) {
		assert_int_equal(pcpu_thread_enter(ts->rt, cpu), 0);
		assert_int_equal(pcpu_thread_cpu(ts->rt), (int)cpu);
		assert_int_equal(hot_read(ts->s, ts->rt, PCPU_OFF(t_value)), 42);
		hot_write(ts->s, ts->rt, PCPU_OFF(t_value), 1000 + cpu);
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

static void fresh_online_sees_template(void **state)
{
	struct tstate *ts = *state;
	int round;

	ts->rt = mkrt(ts->s, "4", "4");
	for (round = 0; round < 5; round++) {
		assert_int_equal(pcpu_thread_enter(ts->rt, 3), 0);
		assert_int_equal(hot_read(ts->s, ts->rt, PCPU_OFF(t_value)), 42);
		hot_write(ts->s, ts->rt, PCPU_OFF(t_value), 0xdead);
		strcpy((char *)pcpu_ptr(ts->rt, 3, PCPU_OFF(t_name)), "stale");
		pcpu_thread_leave(ts->rt);
		assert_int_equal(pcpu_cpu_offline(ts->rt, 3), 0);
		assert_null(pcpu_ptr(ts->rt, 3, PCPU_OFF(t_value)));
		assert_int_equal(pcpu_thread_enter(ts->rt, 3), -ENODEV);
		assert_int_equal(pcpu_cpu_online(ts->rt, 3), 0);
		assert_int_equal(*(uint64_t *)pcpu_ptr(ts->rt, 3, PCPU_OFF(t_value)), 42);
		assert_string_equal((char *)pcpu_ptr(ts->rt, 3, PCPU_OFF(t_name)),
				    "template");
	}
	assert_int_equal(pcpu_cpu_online(ts->rt, 3), -EEXIST);
	assert_int_equal(pcpu_cpu_offline(ts->rt, 7), -EINVAL);
}

static void moved_thread_reaches_new_copy(void **state)
{
	struct tstate *ts = *state;

	ts->rt = mkrt(ts->s, "4", "4");
	assert_int_equal(pcpu_thread_enter(ts->rt, 0), 0);
	hot_write(ts->s, ts->rt, PCPU_OFF(t_value), 7);
	assert_int_equal(pcpu_thread_enter(ts->rt, 1), 0);
	assert_int_equal(hot_read(ts->s, ts->rt, PCPU_OFF(t_value)), 42);
	hot_write(ts->s, ts->rt, PCPU_OFF(t_value), 8);
	assert_int_equal(pcpu_thread_enter(ts->rt, 0), 0);
	assert_int_equal(hot_read(ts->s, ts->rt, PCPU_OFF(t_value)), 7);
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

	ts->rt = mkrt(ts->s, "0-3,16-19", "0-3,16");
	assert_int_equal(pcpu_alloc(ts->rt, 24, 8, NULL, true, &dyn), 0);
	for (i = 0; i < 300; i++) {
		unsigned cpu = (i % 2) ? 17 + i % 3 : i % 4;

		if (!pcpu_cpu_online_p(ts->rt, cpu))
			assert_int_equal(pcpu_cpu_online(ts->rt, cpu), 0);
		assert_int_equal(pcpu_thread_enter(ts->rt, cpu), 0);
		for (k = 0; k <= i % 7; k++) {
			hot_inc(ts->s, ts->rt, PCPU_OFF(t_count));
			hot_inc(ts->s, ts->rt, dyn + 16);
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

	ts->rt = mkrt(ts->s, "6", "3");
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
	assert_memory_equal(pcpu_ptr(ts->rt, 1, a), init, sizeof(init));
	assert_string_equal(pcpu_ptr(ts->rt, 0, a), "cpu 0");
	assert_string_equal(pcpu_ptr(ts->rt, 2, a), "cpu 2");
	/* Allocated while CPU 5 was offline: it gets its copy on online. */
	assert_int_equal(pcpu_alloc(ts->rt, 8, 8, &(uint64_t){ 99 }, false, &c), 0);
	assert_int_equal(pcpu_cpu_online(ts->rt, 5), 0);
	assert_int_equal(*(uint64_t *)pcpu_ptr(ts->rt, 5, c), 99);
	assert_int_equal(pcpu_thread_enter(ts->rt, 5), 0);
	assert_int_equal(hot_read(ts->s, ts->rt, c), 99);
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
	hot_write(ts->s, ts->rt, PCPU_OFF(t_value), 77);
	return NULL;	/* exits holding CPU 2 */
}

static void thread_exit_leaves(void **state)
{
	struct tstate *ts = *state;
	pthread_t th;
	void *ret;

	ts->rt = mkrt(ts->s, "4", "4");
	assert_int_equal(pthread_create(&th, NULL, enter_and_exit, ts), 0);
	assert_int_equal(pthread_join(th, &ret), 0);
	assert_null(ret);
	/* The CPU is free again and kept what the thread wrote. */
	assert_int_equal(*(uint64_t *)pcpu_ptr(ts->rt, 2, PCPU_OFF(t_value)), 77);
	assert_int_equal(pcpu_thread_enter(ts->rt, 2), 0);
	assert_int_equal(hot_read(ts->s, ts->rt, PCPU_OFF(t_value)), 77);
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
				hot_inc(ts->s, ts->rt, PCPU_OFF(t_count));
				hot_inc(ts->s, ts->rt, st->dyn);
			}
			done += 64;
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

	ts->rt = mkrt(ts->s, "64", "16");
	assert_int_equal(pcpu_alloc(ts->rt, 8, 8, NULL, true, &st.dyn), 0);
	for (i = 0; i < STRESS_WORKERS; i++) {
		wa[i].st = &st;
		wa[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, stress_worker, &wa[i]), 0);
	}
	while (events < STRESS_EVENTS) {
		unsigned cpu = (unsigned)rand_r(&seed) % STRESS_CPUS;
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

static void memory_accounting(void **state)
{
	struct tstate *ts = *state;
	struct pcpu_mem m;
	int nodes[64], n, i;

	ts->rt = mkrt(ts->s, "256", "2");
	assert_int_equal(pcpu_mem_account(ts->rt, &m), 0);
	assert_int_equal(m.nr_possible, 256);
	assert_int_equal(m.nr_online, 2);
	/* Committed: the online units, all of them touched, no more. */
	assert_int_equal(m.committed_online_bytes, 2 * m.unit_size);
	assert_true(m.committed_bytes >= m.committed_online_bytes);
	/* hybrid's embedded block is whole huge pages (THP where given). */
	assert_true(m.committed_bytes < 4 * m.unit_size ||
		    (ts->s == PCPU_S_HYBRID && m.committed_bytes <= PCPU_HUGE_SIZE));
	assert_int_equal(m.all_possible_bytes, 256 * m.unit_size);
	if (ts->s == PCPU_S_VM_AREA || ts->s == PCPU_S_HYBRID)
		assert_true(m.reserved_bytes >= 256 * m.unit_size);
	else
		assert_int_equal(m.reserved_bytes, 2 * m.unit_size);
	assert_int_equal(pcpu_cpu_online(ts->rt, 200), 0);
	assert_int_equal(pcpu_mem_account(ts->rt, &m), 0);
	assert_int_equal(m.committed_online_bytes, 3 * m.unit_size);
	assert_int_equal(pcpu_cpu_offline(ts->rt, 200), 0);
	assert_int_equal(pcpu_mem_account(ts->rt, &m), 0);
	assert_int_equal(m.committed_online_bytes, 2 * m.unit_size);
	/* Every page of a local unit sits on its CPU's node. */
	n = pcpu_cpu_page_nodes(ts->rt, 1, nodes, 64);
	if (n == -ENOTSUP)
		return;
	assert_true(n > 0);
	for (i = 0; i < n; i++)
		assert_int_equal(nodes[i], pcpu_cpu_host_node(ts->rt, 1));
}

/* ---- topology and configuration -------------------------------------------------- */

static void topology_synthetic(void **state)
{
	struct pcpu_topo t;
	char err[256];
	int ret;

	ret = pcpu_topo_load(&t, "synthetic:pack:2 numa:1 core:2 pu:1", err, sizeof(err));
	if (ret == -ENOTSUP)
		skip();
	assert_int_equal(ret, 0);
	assert_int_equal(t.nr_pus, 4);
	assert_int_equal(t.nr_nodes, 2);
	assert_int_equal(t.pus[0].node, 0);
	assert_int_equal(t.pus[3].node, 1);
	assert_false(t.is_host);
	assert_true(t.nr_host_cpus >= 1);
	pcpu_topo_free(&t);

	assert_int_equal(pcpu_topo_load(&t, "synthetic:numa:4 pu:2", err, sizeof(err)), 0);
	assert_int_equal(t.nr_pus, 8);
	assert_int_equal(t.nr_nodes, 4);
	assert_int_equal(t.pus[7].node, 3);
	pcpu_topo_free(&t);

	/* Sparse PU ids. */
	assert_int_equal(pcpu_topo_load(&t, "synthetic:pack:2 numa:1 pu:2(indexes=0,8,16,24)",
					err, sizeof(err)), 0);
	assert_int_equal(t.nr_pus, 4);
	assert_int_equal(t.pus[1].os_index, 8);
	assert_int_equal(t.pus[3].os_index, 24);
	assert_int_equal(t.pus[2].node, 1);
	pcpu_topo_free(&t);

	assert_int_equal(pcpu_topo_load(&t, "bogus", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bogus"));
	assert_int_equal(pcpu_topo_load(&t, "synthetic:not a topology", err,
					sizeof(err)), -EINVAL);
}

#ifdef HAVE_HWLOC
#include <hwloc.h>
#include <unistd.h>

/* hwloc's XML format: export a synthetic 2-node topology, load it back. */
static void topology_xml(void **state)
{
	char path[] = "/tmp/pcpu-topo-XXXXXX", spec[64], err[256];
	hwloc_topology_t topo;
	struct pcpu_topo t;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(hwloc_topology_init(&topo), 0);
	assert_int_equal(hwloc_topology_set_synthetic(topo, "pack:2 numa:1 pu:3"), 0);
	assert_int_equal(hwloc_topology_load(topo), 0);
	assert_int_equal(hwloc_topology_export_xml(topo, path, 0), 0);
	hwloc_topology_destroy(topo);
	snprintf(spec, sizeof(spec), "xml:%s", path);
	assert_int_equal(pcpu_topo_load(&t, spec, err, sizeof(err)), 0);
	assert_int_equal(t.nr_pus, 6);
	assert_int_equal(t.nr_nodes, 2);
	assert_int_equal(t.pus[4].node, 1);
	pcpu_topo_free(&t);
	unlink(path);
	assert_int_equal(pcpu_topo_load(&t, "xml:/nonexistent.xml", err, sizeof(err)),
			 -EINVAL);
}
#else
static void topology_xml(void **state)
{
	skip();
}
#endif

static void topology_sparse_runtime(void **state)
{
	struct pcpu_config cfg = { .strategy = PCPU_S_VM_AREA };
	struct pcpu_cpuset on;
	struct pcpu_rt *rt;
	char err[256], buf[64];

	/* Possible CPUs default to the topology's (sparse) PU ids; nodes follow. */
	cfg.topology = "synthetic:pack:4 numa:1 pu:2(indexes=0,8,16,24,32,40,48,56)";
	cfg.online = "8,24";
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), 0);
	assert_int_equal(pcpu_cpuset_count(pcpu_rt_possible(rt)), 8);
	assert_true(pcpu_cpuset_test(pcpu_rt_possible(rt), 56));
	assert_false(pcpu_cpuset_test(pcpu_rt_possible(rt), 1));
	assert_int_equal(pcpu_cpu_node(rt, 8), 0);
	assert_int_equal(pcpu_cpu_node(rt, 24), 1);
	assert_int_equal(pcpu_cpu_node(rt, 56), 3);
	assert_int_equal(pcpu_cpu_online(rt, 1), -EINVAL);
	assert_int_equal(pcpu_cpu_online(rt, 56), 0);
	pcpu_rt_online_set(rt, &on);
	assert_int_equal(pcpu_cpuset_format(&on, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "8,24,56");
	assert_int_equal(pcpu_thread_enter(rt, 56), 0);
	assert_int_equal(*(uint64_t *)PCPU_PTR_VM_AREA(56, PCPU_OFF(t_value)), 42);
	pcpu_thread_leave(rt);
	pcpu_rt_fini(rt);
}

static void cpuset_parse_format(void **state)
{
	struct pcpu_cpuset s;
	char buf[64];

	assert_int_equal(pcpu_cpuset_parse(&s, "0-3,8,100-101"), 0);
	assert_int_equal(pcpu_cpuset_count(&s), 7);
	assert_int_equal(pcpu_cpuset_format(&s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0-3,8,100-101");
	assert_int_equal(pcpu_cpuset_parse(&s, "8192"), 0);
	assert_int_equal(pcpu_cpuset_count(&s), 8192);
	assert_int_equal(pcpu_cpuset_next(&s, 8191), 8191);
	assert_int_equal(pcpu_cpuset_next(&s, 8192), -1);
	assert_int_equal(pcpu_cpuset_parse(&s, "3-1"), -EINVAL);
	assert_int_equal(pcpu_cpuset_parse(&s, "x"), -EINVAL);
	assert_int_equal(pcpu_cpuset_parse(&s, "0-99999"), -ERANGE);
	assert_int_equal(pcpu_cpuset_parse(&s, ""), -EINVAL);
}

static void bad_config(void **state)
{
	struct pcpu_config cfg = { .strategy = PCPU_S_OFFSET_ARRAY };
	struct pcpu_rt *rt, *rt2;
	enum pcpu_strategy_id id;
	char err[256];

	assert_int_equal(pcpu_strategy_lookup("nope", &id), -ENOENT);
	cfg.possible = "0";
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "possible"));
	cfg.possible = "4";
	cfg.online = "5";
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "online"));
	cfg.online = "2-7";
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -EINVAL);
	cfg.online = "1";
	cfg.unit_size = 1UL << 30;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "too large"));
	cfg.unit_size = 12345;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -EINVAL);
	cfg.unit_size = 0;
	cfg.placement.kind = PCPU_PLACE_NODE;
	cfg.placement.node = 63;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "node"));
	cfg.placement.kind = PCPU_PLACE_LOCAL;
	cfg.strategy = PCPU_S_TLS;
	cfg.unit_size = PCPU_TLS_MAX * 2;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -E2BIG);
	cfg.unit_size = 0;
	cfg.strategy = PCPU_S_OFFSET_ARRAY;
	cfg.backing = PCPU_BACKING_HUGETLB;
	if (pcpu_hugetlb_free_pages() == 0) {
		assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -ENOMEM);
		assert_non_null(strstr(err, "hugetlb"));
	}
	cfg.backing = PCPU_BACKING_4K;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), 0);
	assert_int_equal(pcpu_rt_init(&rt2, &cfg, err, sizeof(err)), -EBUSY);
	pcpu_rt_fini(rt);
}

#define ONE(fn, id, sname)                                                    \
	{ #fn "[" sname "]", fn, setup, teardown, (void *)PCPU_S_##id }
#define PER_STRATEGY(fn)                                                      \
	ONE(fn, OFFSET_ARRAY, "offset-array"), ONE(fn, SEGMENT, "segment"),   \
	ONE(fn, VM_AREA, "vm-area"), ONE(fn, HYBRID, "hybrid"),               \
	ONE(fn, TLS, "tls")

int main(void)
{
	const struct CMUnitTest tests[] = {
		PER_STRATEGY(own_copy),
		PER_STRATEGY(fresh_online_sees_template),
		PER_STRATEGY(moved_thread_reaches_new_copy),
		PER_STRATEGY(increments_sum_exactly),
		PER_STRATEGY(dynamic_survives_hotplug),
		PER_STRATEGY(thread_exit_leaves),
		PER_STRATEGY(stress_hotplug),
		PER_STRATEGY(memory_accounting),
		cmocka_unit_test(topology_synthetic),
		cmocka_unit_test(topology_xml),
		cmocka_unit_test(topology_sparse_runtime),
		cmocka_unit_test(cpuset_parse_format),
		cmocka_unit_test(bad_config),
	};

	return cmocka_run_group_tests_name("pcpu runtime", tests, NULL, NULL);
}
