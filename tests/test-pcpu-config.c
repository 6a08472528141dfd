// SPDX-License-Identifier: GPL-2.0
/*
 * test-pcpu-config.c - the per-CPU runtime's configuration: topologies
 * (synthetic, XML, sparse ids), CPU sets, bad configurations, the names
 * of both axes and the pair table. The strategy-by-strategy behaviour is
 * test-pcpu.c.
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
	{
		struct pcpu_acc_ctx ctx;

		pcpu_rt_acc_ctx(rt, &ctx);
		assert_int_equal(PCPU_READ_U64(SHIFT, ctx, 56, PCPU_OFF(t_value)), 42);
	}
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
	/* Pairs that do not exist, and what the layout cannot do. */
	cfg.layout = PCPU_L_THREAD;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "cannot use layout thread"));
	cfg.strategy = PCPU_S_VM_AREA;
	cfg.layout = PCPU_L_EMBED;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "stride"));
	cfg.layout = PCPU_L_HYBRID;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -EINVAL);
	cfg.strategy = PCPU_S_TLS;
	cfg.layout = PCPU_L_VM;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -EINVAL);
	cfg.strategy = PCPU_S_OFFSET_ARRAY;
	cfg.layout = PCPU_L_PAGE;
	cfg.backing = PCPU_BACKING_THP;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "4 KiB"));
	cfg.backing = PCPU_BACKING_4K;
	cfg.layout = PCPU_NR_LAYOUTS;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -EINVAL);
	cfg.layout = PCPU_L_DEFAULT;
	/* A late node that is not in the topology. */
	cfg.late_node.kind = PCPU_LATE_NODE;
	cfg.late_node.node = 7;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "late node"));
	memset(&cfg.late_node, 0, sizeof(cfg.late_node));
	/* Every possible CPU's unit at init must fit in memory. */
	cfg.possible = "16384";
	cfg.unit_size = 128UL << 20;
	if (pcpu_mem_available() > 0) {
		assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), -ENOTSUP);
		assert_non_null(strstr(err, "MemAvailable"));
	}
	cfg.possible = "4";
	cfg.unit_size = 0;
	assert_int_equal(pcpu_rt_init(&rt, &cfg, err, sizeof(err)), 0);
	assert_int_equal(pcpu_rt_init(&rt2, &cfg, err, sizeof(err)), -EBUSY);
	pcpu_rt_fini(rt);
}

static void names_and_pairs(void **state)
{
	enum pcpu_layout_id l;
	enum pcpu_access_id a;
	unsigned i;

	for (i = 0; i < PCPU_NR_STRATEGIES; i++) {
		enum pcpu_strategy_id s = (enum pcpu_strategy_id)i;

		/* Every strategy's own pair is valid. */
		assert_null(pcpu_pair_invalid(pcpu_strategy_access(s),
					      pcpu_strategy_layout(s)));
	}
	assert_int_equal(pcpu_strategy_access(PCPU_S_HYBRID_SEGMENT), PCPU_A_SEGMENT);
	assert_int_equal(pcpu_strategy_layout(PCPU_S_HYBRID_SEGMENT), PCPU_L_HYBRID);
	assert_string_equal(pcpu_access_name(pcpu_strategy_access(PCPU_S_VM_AREA)), "shift");
	assert_string_equal(pcpu_layout_name(pcpu_strategy_layout(PCPU_S_SEGMENT)), "embed");
	assert_int_equal(pcpu_layout_lookup("page", &l), 0);
	assert_int_equal(l, PCPU_L_PAGE);
	assert_int_equal(pcpu_layout_lookup("default", &l), -ENOENT);
	assert_int_equal(pcpu_access_lookup("shift", &a), 0);
	assert_int_equal(a, PCPU_A_SHIFT);
	assert_null(pcpu_pair_invalid(PCPU_A_SHIFT, PCPU_L_PAGE));
	assert_non_null(pcpu_pair_invalid(PCPU_A_SHIFT, PCPU_L_EMBED));
	assert_non_null(pcpu_pair_invalid(PCPU_A_TLS, PCPU_L_EMBED));
	assert_non_null(pcpu_pair_invalid(PCPU_A_TABLE, PCPU_L_THREAD));
	assert_string_equal(pcpu_online_part_name(PCPU_ON_ALLOC), "alloc");
	assert_string_equal(pcpu_offline_part_name(PCPU_OFF_QUIESCE), "quiesce");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(topology_synthetic),
		cmocka_unit_test(topology_xml),
		cmocka_unit_test(topology_sparse_runtime),
		cmocka_unit_test(cpuset_parse_format),
		cmocka_unit_test(bad_config),
		cmocka_unit_test(names_and_pairs),
	};

	return cmocka_run_group_tests_name("pcpu configuration", tests, NULL, NULL);
}
