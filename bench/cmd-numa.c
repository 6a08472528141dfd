// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-numa.c - `pcpubench numa`: where each CPU's per-CPU area really
 * lives, per strategy and placement policy, read from the page tables
 * (move_pages(2) with no target nodes), for the CPUs online at start and,
 * the case the 2006 thread is about, for CPUs onlined after start. On a
 * machine with several nodes, also a node x node access latency matrix
 * measured with the per-CPU access loop (a dependent chain through a unit
 * placed on one node, walked from a CPU of another).
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-common.h"
#include "pcpu-access.h"
#include "pcpu-stats.h"
#include "pcpu-timing.h"
#include "pcpubench.h"

#define MAX_PLACEMENTS 8
#define MAX_PAGES 65536

struct numa_opts {
	enum pcpu_strategy_id strat[PCPU_NR_STRATEGIES];
	int nstrat;
	struct pcpu_placement place[MAX_PLACEMENTS];
	char place_name[MAX_PLACEMENTS][32];
	int nplace;
	struct pcpu_config cfg;
	const char *page;
	unsigned late;
	bool late_set;
	int matrix;		/* -1 auto, 0 off, 1 on */
	size_t matrix_bytes;
	unsigned repeat;
	enum pout_format fmt;
	const char *out;
};

static int policy_node(const struct pcpu_placement *p, int host_node)
{
	switch (p->kind) {
	case PCPU_PLACE_LOCAL:
		return host_node;
	case PCPU_PLACE_NODE:
		return p->node;
	default:
		return -1;
	}
}

/* Rows for one CPU's unit. Return: pages on a node other than the CPU's. */
static int report_cpu(struct pout *out, struct pcpu_rt *rt, const char *pv[4],
		      unsigned cpu, const struct pcpu_placement *pl, int *nodes,
		      unsigned *policy_miss)
{
	int n = pcpu_cpu_page_nodes(rt, cpu, nodes, MAX_PAGES), i;
	int hn = pcpu_cpu_host_node(rt, cpu), want = policy_node(pl, hn);
	unsigned local = 0, remote = 0, absent = 0, onpolicy = 0;
	char why[128];

	pout_row(out, pv, 0, "host_cpu", pcpu_cpu_host_cpu(rt, cpu), "id", "ok");
	pout_row(out, pv, 0, "cpu_node", hn, "node", "ok");
	if (n < 0) {
		snprintf(why, sizeof(why), "na:move_pages(%s)", strerror(-n));
		pout_row(out, pv, 0, "pages", NAN, "pages", why);
		pout_row(out, pv, 0, "local_fraction", NAN, "ratio", why);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (nodes[i] < 0) {
			absent++;
			continue;
		}
		if (nodes[i] == hn)
			local++;
		else
			remote++;
		if (nodes[i] == want)
			onpolicy++;
	}
	pout_row(out, pv, 0, "pages", n, "pages", "ok");
	pout_row(out, pv, 0, "pages_local", local, "pages", "ok");
	pout_row(out, pv, 0, "pages_remote", remote, "pages", "ok");
	pout_row(out, pv, 0, "pages_not_resident", absent, "pages", "ok");
	pout_row(out, pv, 0, "local_fraction",
		 local + remote ? (double)local / (local + remote) : NAN, "ratio",
		 local + remote ? "ok" : "na:no-resident-page");
	if (want >= 0) {
		pout_row(out, pv, 0, "policy_fraction",
			 local + remote ? (double)onpolicy / (local + remote) : NAN,
			 "ratio", local + remote ? "ok" : "na:no-resident-page");
		if (onpolicy != local + remote)
			(*policy_miss)++;
	} else {
		pout_row(out, pv, 0, "policy_fraction", NAN, "ratio",
			 "na:interleave(no single node is asked for)");
	}
	/* Derived: with this layout, accesses from the CPU that go remote. */
	pout_row(out, pv, 0, "remote_accesses_per_op",
		 local + remote ? (double)remote / (local + remote) : NAN,
		 "accesses/op", local + remote ? "derived" : "na:no-resident-page");
	return (int)remote;
}

/* ---- latency matrix ------------------------------------------------------ */

/*
 * Time a dependent chain through @cpu's unit (vm-area accessor: base +
 * (cpu << shift) + offset), one cache line per step in random order.
 */
static double chase_ns(struct pcpu_rt *rt, unsigned cpu, size_t bytes, double *cyc)
{
	size_t lines = bytes / 64, i, steps = 2000000;
	uint64_t *perm, off = 0, t0, t1;
	double hz = 0, core = 0;
	unsigned seed = 3;

	perm = malloc(lines * sizeof(*perm));
	if (!perm)
		return NAN;
	for (i = 0; i < lines; i++)
		perm[i] = i;
	for (i = lines - 1; i > 0; i--) {
		size_t j = (size_t)rand_r(&seed) % (i + 1);
		uint64_t t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < lines; i++)
		*(uint64_t *)pcpu_ptr(rt, cpu, perm[i] * 64) = perm[(i + 1) % lines] * 64;
	free(perm);
	pcpu_thread_enter(rt, cpu);
	for (i = 0; i < lines; i++)	/* warm */
		off = PCPU_U64(PCPU_PTR_VM_AREA(cpu, off));
	t0 = pt_rdtscp();
	for (i = 0; i < steps; i++)
		off = PCPU_U64(PCPU_PTR_VM_AREA(cpu, off));
	t1 = pt_rdtscp();
	pcpu_thread_leave(rt);
	if (off == 1)
		fprintf(stderr, "?");
	pt_tsc_hz(&hz);
	pt_core_hz_calibrate(&core);
	if (hz <= 0)
		return NAN;
	*cyc = (double)(t1 - t0) / hz * core / (double)steps;
	return (double)(t1 - t0) / hz * 1e9 / (double)steps;
}

static int run_matrix(const struct numa_opts *o, struct pout *out, char *err,
		      size_t errlen)
{
	static const char *const mparams[4];
	struct pcpu_config cfg = o->cfg;
	const struct pcpu_topo *t;
	struct pcpu_topo topo;
	char ni[16], nj[16], cpus[32];
	unsigned i, j;
	int ret;

	(void)mparams;
	ret = pcpu_topo_load(&topo, NULL, err, errlen);
	if (ret)
		return ret;
	t = &topo;
	for (i = 0; i < t->nr_host_nodes; i++) {
		int hcpu = -1;
		unsigned k;

		for (k = 0; k < t->nr_host_cpus; k++)
			if (t->host_cpu_node[k] == t->host_nodes[i])
				hcpu = t->host_cpus[k];
		if (hcpu < 0)
			continue;	/* a memory-only node */
		for (j = 0; j < t->nr_host_nodes; j++) {
			struct pcpu_rt *rt;
			const char *pv[4];
			double cyc = NAN, ns;

			cfg.strategy = PCPU_S_VM_AREA;
			snprintf(cpus, sizeof(cpus), "%d-%d", hcpu, hcpu);
			cfg.possible = cpus;
			cfg.online = cpus;
			cfg.topology = NULL;
			cfg.unit_size = o->matrix_bytes;
			cfg.placement.kind = PCPU_PLACE_NODE;
			cfg.placement.node = t->host_nodes[j];
			ret = pcpu_rt_init(&rt, &cfg, err, errlen);
			if (ret)
				goto out;
			pcpu_thread_bind(rt, (unsigned)hcpu);
			ns = chase_ns(rt, (unsigned)hcpu, o->matrix_bytes / 2, &cyc);
			pcpu_rt_fini(rt);
			snprintf(ni, sizeof(ni), "%d", t->host_nodes[i]);
			snprintf(nj, sizeof(nj), "%d", t->host_nodes[j]);
			pv[0] = "vm-area";
			pv[1] = nj;
			pv[2] = cpus;
			pv[3] = "matrix";
			{
				char metric[64];

				snprintf(metric, sizeof(metric), "latency_ns_from_node%s", ni);
				pout_row(out, pv, 0, metric, ns, "ns", isnan(ns) ?
					 "na:no-tsc" : "ok");
				snprintf(metric, sizeof(metric), "latency_cycles_from_node%s", ni);
				pout_row(out, pv, 0, metric, cyc, "cycles",
					 isnan(cyc) ? "na:no-core-clock" : "derived");
			}
		}
	}
	ret = 0;
out:
	pcpu_topo_free(&topo);
	return ret;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: pcpubench numa [OPTIONS]\n\n"
"For each strategy and placement policy: the node of every page of every\n"
"online CPU's per-CPU unit, read from the page tables with move_pages(2)\n"
"(no target nodes: a query, nothing moves), for the CPUs online at start\n"
"(phase boot) and for CPUs onlined after start (phase late), the case the\n"
"2006 thread is about. With more than one node, also a node x node access\n"
"latency matrix (a dependent chain through a unit placed on node j, walked\n"
"from a CPU of node i; phase matrix).\n\n"
"  --strategy LIST   comma list or 'all' (default all available)\n"
"  --placement LIST  local, interleave, node:N (default local,node:0,interleave)\n"
"  --possible N|LIST possible CPUs (default: the topology's)\n"
"  --online N|LIST   CPUs online at start (default: all present but --late)\n"
"  --late N          CPUs to online after start (default 1 when possible)\n"
"  --page P          backing: 4k, thp (2m), hugetlb (default 4k)\n"
"  --topology T      host, synthetic:<hwloc>, xml:<file> (default host;\n"
"                    nodes of a synthetic topology map onto the host's)\n"
"  --matrix on|off|auto  the latency matrix (default auto: >1 node)\n"
"  --matrix-bytes B  unit walked by the matrix (default 64 MiB; a power of\n"
"                    two, 64 KiB to 1 GiB)\n"
"  --format F        text, csv, json (default: text on a terminal)\n"
"  -o, --output FILE write there (atomically) instead of stdout\n"
"  -h, --help        this text\n\n"
"Metrics per CPU: host_cpu, cpu_node, pages, pages_local, pages_remote,\n"
"pages_not_resident, local_fraction, policy_fraction (pages on the node\n"
"the policy asked for), remote_accesses_per_op (derived); per strategy and\n"
"placement: late_cpus_remote_pages. Exit: 0 ok, 1 a 'local' placement left\n"
"a page remote, 2 usage, 3 output not written, 4 cannot run here (no\n"
"move_pages).\n");
}

#define NUMA_MATRIX_MIN (64UL << 10)

int cmd_numa(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "strategy", required_argument, NULL, 's' },
		{ "placement", required_argument, NULL, 'l' },
		{ "possible", required_argument, NULL, 'p' },
		{ "online", required_argument, NULL, 'n' },
		{ "late", required_argument, NULL, 'L' },
		{ "page", required_argument, NULL, 'g' },
		{ "topology", required_argument, NULL, 't' },
		{ "matrix", required_argument, NULL, 'm' },
		{ "matrix-bytes", required_argument, NULL, 'B' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const params[] = { "strategy", "placement", "cpu", "phase" };
	const char *strategies = NULL, *places = "local,node:0,interleave", *fmt = NULL;
	char list[BC_MAX_LIST][64], err[256], cpu_s[16], onl[4096];
	struct numa_opts o;
	struct pout *out;
	unsigned long v;
	int c, i, n, p, ret = EXIT_OK, r, *nodes, late_noted = 0;

	memset(&o, 0, sizeof(o));
	o.page = "4k";
	o.matrix = -1;
	o.matrix_bytes = 64UL << 20;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 's': strategies = optarg; break;
		case 'l': places = optarg; break;
		case 'p': o.cfg.possible = optarg; break;
		case 'n': o.cfg.online = optarg; break;
		case 'g': o.page = optarg; break;
		case 't': o.cfg.topology = optarg; break;
		case 'f': fmt = optarg; break;
		case 'o': o.out = optarg; break;
		case 'L':
			if (bc_count("numa", "late", optarg, 0, PCPU_NR_CPUS, &v))
				return EXIT_USAGE;
			o.late = (unsigned)v;
			o.late_set = true;
			break;
		case 'B':
			/* A chain of at least a few pages; at most 1 GiB. */
			if (bc_count("numa", "matrix-bytes", optarg, NUMA_MATRIX_MIN,
				     1UL << 30, &v))
				return EXIT_USAGE;
			if (v & (v - 1)) {
				fprintf(stderr, "pcpubench numa: --matrix-bytes %lu: "
					"want a power of two (the unit size)\n", v);
				return EXIT_USAGE;
			}
			o.matrix_bytes = v;
			break;
		case 'm':
			if (!strcmp(optarg, "on"))
				o.matrix = 1;
			else if (!strcmp(optarg, "off"))
				o.matrix = 0;
			else if (!strcmp(optarg, "auto"))
				o.matrix = -1;
			else {
				fprintf(stderr, "pcpubench numa: --matrix on, off or auto\n");
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (bc_no_extra_args("numa", argc, argv, optind))
		return EXIT_USAGE;
	o.nstrat = bc_strategies(strategies, o.strat, PCPU_NR_STRATEGIES,
				 err, sizeof(err));
	if (o.nstrat < 0) {
		fprintf(stderr, "pcpubench numa: %s\n", err);
		return EXIT_USAGE;
	}
	n = bc_split(places, list, MAX_PLACEMENTS);
	if (n <= 0) {
		fprintf(stderr, "pcpubench numa: bad --placement list '%s'\n", places);
		return EXIT_USAGE;
	}
	for (i = 0; i < n; i++) {
		if (bc_placement("numa", list[i], &o.place[i]))
			return EXIT_USAGE;
		pcpu_placement_format(&o.place[i], o.place_name[i], sizeof(o.place_name[i]));
	}
	o.nplace = n;
	if (pcpu_backing_lookup(o.page, &o.cfg.backing)) {
		fprintf(stderr, "pcpubench numa: unknown page backing '%s'\n", o.page);
		return EXIT_USAGE;
	}
	o.fmt = bc_default_format(o.out);
	if (fmt && pout_format_parse(fmt, &o.fmt)) {
		fprintf(stderr, "pcpubench numa: unknown format '%s' (text, csv, json)\n", fmt);
		return EXIT_USAGE;
	}
	if (bc_dry_run_stop("numa"))
		return EXIT_OK;
	nodes = malloc(MAX_PAGES * sizeof(int));
	if (!nodes)
		return EXIT_FAIL;
	r = bc_out_open("numa", &out, o.fmt, o.out, "numa", params, 4);
	if (r) {
		free(nodes);
		return r;
	}
	pout_meta(out, "page", o.page);
	for (i = 0; i < o.nstrat; i++) {
		for (p = 0; p < o.nplace; p++) {
			struct pcpu_config cfg = o.cfg;
			struct pcpu_cpuset on;
			struct pcpu_rt *rt;
			unsigned late = 0, miss = 0, late_remote = 0, want_late;
			int cpu;

			cfg.strategy = o.strat[i];
			cfg.placement = o.place[p];
			/* Leave room for the late CPUs: online all present but
			 * the last --late ones, unless told otherwise. */
			if (!cfg.online) {
				struct pcpu_rt *probe;

				r = pcpu_rt_init(&probe, &cfg, err, sizeof(err));
				if (r)
					goto init_fail;
				{
					unsigned np = pcpu_cpuset_count(pcpu_rt_present(probe));

					want_late = o.late_set ? o.late : (np > 1 ? 1 : 0);
					if (want_late >= np) {
						if (!late_noted++)
							bc_clamp_note("numa", "late", want_late,
								      np - 1, "one of the present "
								      "CPUs must be online at start");
						want_late = np - 1;
					}
					snprintf(onl, sizeof(onl), "%u", np - want_late);
				}
				pcpu_rt_fini(probe);
				cfg.online = onl;
			} else {
				want_late = o.late_set ? o.late : 1;
			}
			r = pcpu_rt_init(&rt, &cfg, err, sizeof(err));
init_fail:
			if (r == -ENOTSUP && o.nstrat > 1) {
				/* tls with a huge backing: NA rows, as in access */
				const char *pv[4] = { pcpu_strategy_name(o.strat[i]),
						      o.place_name[p], "all", "boot" };
				char na[300];

				if (p == 0)
					fprintf(stderr, "pcpubench numa: %s: not "
						"supported (NA rows): %s\n",
						pcpu_strategy_name(o.strat[i]), err);
				bc_na_status(na, sizeof(na), "not-supported", err);
				pout_row(out, pv, 0, "pages", NAN, "pages", na);
				pout_row(out, pv, 0, "local_fraction", NAN, "ratio", na);
				pout_row(out, pv, 0, "policy_fraction", NAN, "ratio", na);
				continue;
			}
			if (r) {
				fprintf(stderr, "pcpubench numa: %s %s: %s\n",
					pcpu_strategy_name(o.strat[i]), o.place_name[p],
					err[0] ? err : strerror(-r));
				pout_abort(out);
				free(nodes);
				return bc_rt_exit(r, &cfg);
			}
			pcpu_rt_online_set(rt, &on);
			pcpu_for_each_cpu(cpu, &on) {
				const char *pv[4] = { pcpu_strategy_name(o.strat[i]),
						      o.place_name[p], cpu_s, "boot" };

				snprintf(cpu_s, sizeof(cpu_s), "%d", cpu);
				report_cpu(out, rt, pv, (unsigned)cpu, &o.place[p], nodes, &miss);
			}
			/* CPUs onlined after start: the 2006 question. */
			pcpu_for_each_cpu(cpu, pcpu_rt_present(rt)) {
				const char *pv[4] = { pcpu_strategy_name(o.strat[i]),
						      o.place_name[p], cpu_s, "late" };

				if (late >= want_late)
					break;
				if (pcpu_cpu_online_p(rt, (unsigned)cpu))
					continue;
				r = pcpu_cpu_online(rt, (unsigned)cpu);
				if (r)
					continue;
				late++;
				snprintf(cpu_s, sizeof(cpu_s), "%d", cpu);
				late_remote += (unsigned)report_cpu(out, rt, pv, (unsigned)cpu,
								    &o.place[p], nodes, &miss);
			}
			if (o.late_set && late < want_late && !late_noted++)
				bc_clamp_note("numa", "late", want_late, late,
					      "fewer present CPUs were offline");
			{
				const char *pv[4] = { pcpu_strategy_name(o.strat[i]),
						      o.place_name[p], "all", "late" };

				pout_row(out, pv, 0, "late_cpus", late, "cpus", "ok");
				pout_row(out, pv, 0, "late_cpus_remote_pages", late_remote,
					 "pages", late ? "ok" :
					 "na:no-late-cpu(no present CPU was left offline)");
			}
			if (o.place[p].kind == PCPU_PLACE_LOCAL && miss) {
				fprintf(stderr, "pcpubench numa: %s local: %u CPU(s) have "
					"pages off their node\n",
					pcpu_strategy_name(o.strat[i]), miss);
				ret = EXIT_FAIL;
			}
			pcpu_rt_fini(rt);
		}
	}
	{
		struct pcpu_topo t;

		if (!pcpu_topo_load(&t, NULL, err, sizeof(err))) {
			bool multi = t.nr_host_nodes > 1;
			const char *pv[4] = { "vm-area", "-", "-", "matrix" };

			pcpu_topo_free(&t);
			if (o.matrix == 1 || (o.matrix == -1 && multi)) {
				char why[300], na[320];

				why[0] = '\0';
				r = run_matrix(&o, out, why, sizeof(why));
				if (r) {
					fprintf(stderr, "pcpubench numa: matrix: %s%s%s\n",
						strerror(-r), why[0] ? ": " : "", why);
					bc_na_status(na, sizeof(na), "matrix-failed",
						     why[0] ? why : strerror(-r));
					pout_row(out, pv, 0, "latency_ns", NAN, "ns", na);
				}
			} else {
				pout_row(out, pv, 0, "latency_ns", NAN, "ns", multi ?
					 "na:matrix-off(--matrix off)" :
					 "na:single-node(this machine has one NUMA node)");
			}
		}
	}
	free(nodes);
	r = bc_out_close("numa", out);
	return r ? r : ret;
}
