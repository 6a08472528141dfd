// SPDX-License-Identifier: GPL-2.0
/*
 * numa-matrix.c - the node x node access latency matrix of `pcpubench
 * numa`: a dependent chain through a unit placed on node j (the shift
 * accessor of lib/runtime/pcpu-access.h over a vm-area runtime), walked
 * from a CPU of node i.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-common.h"
#include "numa-matrix.h"
#include "pcpu-access.h"
#include "pcpu-rng.h"
#include "pcpu-timing.h"

/*
 * Time a dependent chain through @cpu's unit (vm-area's shift accessor of
 * lib/runtime/pcpu-access.h: base + (cpu << shift) + offset), one cache line per
 * step in random order.
 */
static double chase_ns(struct pcpu_rt *rt, unsigned cpu, size_t bytes, double *cyc)
{
	size_t lines = bytes / 64, i, steps = 2000000;
	uint64_t *perm, off = 0, t0, t1;
	double hz = 0, core = 0;
	uint64_t seed = 3;
	struct pcpu_acc_ctx ctx;

	perm = malloc(lines * sizeof(*perm));
	if (!perm)
		return NAN;
	for (i = 0; i < lines; i++)
		perm[i] = i;
	pcpu_rng_shuffle(perm, lines, sizeof(*perm), &seed);
	for (i = 0; i < lines; i++)
		*(uint64_t *)pcpu_ptr(rt, cpu, perm[i] * 64) = perm[(i + 1) % lines] * 64;
	free(perm);
	pcpu_thread_enter(rt, cpu);
	pcpu_rt_acc_ctx(rt, &ctx);
	for (i = 0; i < lines; i++)	/* warm */
		off = PCPU_SHIFT_READ_U64(ctx, cpu, off);
	t0 = pt_rdtscp();
	for (i = 0; i < steps; i++)
		off = PCPU_SHIFT_READ_U64(ctx, cpu, off);
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

static int run_matrix(const struct pcpu_config *base, size_t bytes,
		      struct pout *out, char *err, size_t errlen)
{
	struct pcpu_config cfg = *base;
	const struct pcpu_topo *t;
	struct pcpu_topo topo;
	char ni[16], nj[16], cpus[32];
	unsigned i, j;
	int ret;

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
			const char *pv[NUMA_NPV];
			double cyc = NAN, ns;

			cfg.strategy = PCPU_S_VM_AREA;
			cfg.layout = PCPU_L_DEFAULT;
			cfg.present = NULL;
			snprintf(cpus, sizeof(cpus), "%d-%d", hcpu, hcpu);
			cfg.possible = cpus;
			cfg.online = cpus;
			cfg.topology = NULL;
			cfg.unit_size = bytes;
			cfg.placement.kind = PCPU_PLACE_NODE;
			cfg.placement.node = t->host_nodes[j];
			ret = pcpu_rt_init(&rt, &cfg, err, errlen);
			if (ret)
				goto out;
			pcpu_thread_bind(rt, (unsigned)hcpu);
			ns = chase_ns(rt, (unsigned)hcpu, bytes / 2, &cyc);
			pcpu_rt_fini(rt);
			snprintf(ni, sizeof(ni), "%d", t->host_nodes[i]);
			snprintf(nj, sizeof(nj), "%d", t->host_nodes[j]);
			pv[0] = "vm-area";
			pv[1] = pcpu_access_name(PCPU_A_SHIFT);
			pv[2] = pcpu_layout_name(PCPU_L_VM);
			pv[3] = "host";	/* the matrix walks the host's nodes */
			pv[4] = nj;
			pv[5] = cpus;
			pv[6] = "matrix";
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

/*
 * numa_matrix(): see numa-matrix.h.
 */
void numa_matrix(struct pout *out, const struct pcpu_config *cfg, int matrix,
		 size_t bytes)
{
	const char *pv[NUMA_NPV] = { "vm-area", pcpu_access_name(PCPU_A_SHIFT),
				pcpu_layout_name(PCPU_L_VM), "host",
				"-", "-", "matrix" };
	char why[300], na[320];
	struct pcpu_topo t;
	bool multi;
	int r;

	if (pcpu_topo_load(&t, NULL, why, sizeof(why)))
		return;
	multi = t.nr_host_nodes > 1;
	pcpu_topo_free(&t);
	if (!(matrix == 1 || (matrix == -1 && multi))) {
		pout_row(out, pv, 0, "latency_ns", NAN, "ns", multi ?
			 "na:matrix-off(--matrix off)" :
			 "na:single-node(this machine has one NUMA node)");
		return;
	}
	why[0] = '\0';
	r = run_matrix(cfg, bytes, out, why, sizeof(why));
	if (r) {
		fprintf(stderr, "pcpubench numa: matrix: %s%s%s\n",
			strerror(-r), why[0] ? ": " : "", why);
		bc_na_status(na, sizeof(na), "matrix-failed",
			     why[0] ? why : strerror(-r));
		pout_row(out, pv, 0, "latency_ns", NAN, "ns", na);
	}
}
