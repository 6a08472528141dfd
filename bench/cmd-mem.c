// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-mem.c - `pcpubench mem`: memory reserved (virtual) and committed
 * (resident, measured with mincore) per strategy, for possible versus
 * online CPUs: the footprint question of the 2021 per-CPU RFC (1024
 * possible, 16 online). Committed bytes follow the layout: embed and page
 * commit a unit for every possible CPU at init, vm one per online CPU,
 * hybrid the boot CPUs' block plus one per later CPU.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench-common.h"
#include "opts.h"
#include "pcpubench.h"

#define CMD "mem"

static const struct opt_spec mem_spec[] = {
	OPT_C(STRATEGY, "strategies, comma list or 'all' (default all)"),
	OPT_C(LAYOUT, "run every strategy over layout L (embed, page, vm,\n"
		      "hybrid, thread) where the pair exists (pcpubench list);\n"
		      "with 'all' the others are skipped, else exit 2"),
	OPT_C(LATE_NODE, NULL),
	OPT_C(POSSIBLE, "possible CPUs: a count or a cpulist (default 8192)"),
	OPT_C(ONLINE, "CPUs online (default 2)"),
	OPT_C(PRESENT, NULL),
	OPT_C(PAGE, NULL),
	OPT_C(UNIT, NULL),
	OPT_C(PLACEMENT, NULL),
	OPT_C(TOPOLOGY, NULL),
	OPT_OUTPUT_END
};

static const struct opts_cmd mem_cmd = {
	.name = CMD,
	.spec = mem_spec,
	.head =
"usage: pcpubench mem [OPTIONS]\n\n"
"Brings up each strategy's runtime with the given possible and online\n"
"CPUs and reports, measured: bytes reserved (virtual), bytes committed\n"
"(resident, by mincore), of which in online CPUs' units, and the units\n"
"that exist (each holds every static variable and pcpu_alloc() object);\n"
"plus, derived, what units for every possible CPU would take and the\n"
"bookkeeping. Committed bytes follow the layout: embed (offset-array,\n"
"segment) and page commit every possible CPU's unit at init, as the\n"
"kernel's first chunk does; vm (vm-area) one unit per online CPU; hybrid\n"
"the boot CPUs' block (rounded to whole huge pages with --page thp) plus\n"
"one unit per CPU onlined later. Rows carry access and layout columns.\n\n",
	.tail =
"\nExit: 0 ok, 1 failure (out of memory), 2 usage or configuration error\n"
"(an access x layout pair that does not exist included), 3 output not\n"
"written (disk full, I/O error), 4 cannot run here (hugetlb pages not\n"
"reserved; a layout whose units for every possible CPU would take more\n"
"than half of MemAvailable).\n",
};

struct result {
	bool ok;
	struct pcpu_mem m;
	size_t thp, huge;
	char obtained[64];
	char layout[512];
	char pos[256];		/* the possible set, as a parameter value */
	char na[300];		/* status of a strategy that cannot run so */
};

/* One run of the command: its options, its plan, its results. */
struct mem_run {
	struct opts_common oc;
	enum pcpu_strategy_id ids[PCPU_NR_STRATEGIES];
	int n;
	struct result results[PCPU_NR_STRATEGIES];
};

static const char *const mem_params[] = { "strategy", "access", "layout",
					  "possible", "online", "page" };
#define MEM_NPARAMS (sizeof(mem_params) / sizeof(mem_params[0]))

/* Options. Return: as opts_parse(): 0 go on; 1 help shown; -EINVAL. */
static int mem_read_opts(struct mem_run *mr, int argc, char **argv)
{
	struct opts_common *oc = &mr->oc;

	opts_init(oc);
	oc->strategy = "all";
	oc->cfg.possible = "8192";
	oc->cfg.online = "2";
	oc->page = "4k";
	return opts_parse(&mem_cmd, argc, argv, oc, NULL, NULL);
}

/* The strategies over the layout, the output and the runtime checked.
 * Return: 0; an exit code. */
static int mem_plan(struct mem_run *mr)
{
	struct opts_common *oc = &mr->oc;
	int ret;

	mr->n = opts_strategies(CMD, oc, mr->ids, PCPU_NR_STRATEGIES);
	if (mr->n < 0)
		return EXIT_USAGE;
	ret = bc_out_check(CMD, oc->out);
	if (!ret)
		ret = bc_dry_run_rt(CMD, &oc->cfg, mr->ids, mr->n);
	return ret;
}

/* What really backs the online units of @rt, from smaps. */
static void mem_backing(struct pcpu_rt *rt, struct result *res)
{
	struct pcpu_backing_info bi;
	struct pcpu_cpuset on;
	int cpu;

	pcpu_rt_online_set(rt, &on);
	pcpu_for_each_cpu(cpu, &on) {
		if (pcpu_cpu_backing(rt, (unsigned)cpu, &bi))
			continue;
		res->thp += bi.thp_bytes;
		res->huge += bi.hugetlb_bytes;
		if (!strstr(res->obtained, bi.obtained))
			snprintf(res->obtained + strlen(res->obtained),
				 sizeof(res->obtained) - strlen(res->obtained),
				 "%s%s", res->obtained[0] ? "+" : "", bi.obtained);
	}
}

/*
 * Measure strategy @i: its result, its metadata on @o. Return: 0 (a
 * strategy that cannot run so among several: NA rows); an exit code.
 */
static int mem_measure(struct mem_run *mr, int i, struct pout *o)
{
	struct pcpu_config *cfg = &mr->oc.cfg;
	struct result *res = &mr->results[i];
	const char *sname = pcpu_strategy_name(mr->ids[i]);
	struct pcpu_rt *rt;
	char key[64], err[256];
	int r;

	cfg->strategy = mr->ids[i];
	r = bc_rt_start(CMD, sname, &rt, cfg, mr->n > 1, res->na,
			sizeof(res->na), err, sizeof(err));
	if (r)
		return r;
	if (!rt) {
		fprintf(stderr, "pcpubench mem: %s: not supported (NA rows): "
			"%s\n", sname, err);
		return 0;
	}
	res->ok = true;
	pcpu_mem_account(rt, &res->m);
	bc_cpuset_param(pcpu_rt_possible(rt), res->pos, sizeof(res->pos));
	mem_backing(rt, res);
	snprintf(key, sizeof(key), "backing_obtained.%s", sname);
	pout_meta(o, key, res->obtained);
	pcpu_rt_describe(rt, res->layout, sizeof(res->layout));
	snprintf(key, sizeof(key), "layout.%s", sname);
	pout_meta(o, key, res->layout);
	pcpu_rt_fini(rt);
	return 0;
}

/* Measure every strategy first: the metadata precedes the rows.
 * Return: 0; an exit code (the output aborted). */
static int mem_measure_all(struct mem_run *mr, struct pout *o)
{
	int i, ret;

	for (i = 0; i < mr->n; i++) {
		ret = mem_measure(mr, i, o);
		if (ret) {
			pout_abort(o);
			return ret;
		}
	}
	return 0;
}

/* The rows' parameter values of strategy @i. */
static void mem_params_of(const struct mem_run *mr, int i, const char *pos,
			  const char *online, const char **pv)
{
	enum pcpu_strategy_id id = mr->ids[i];

	pv[0] = pcpu_strategy_name(id);
	pv[1] = pcpu_access_name(pcpu_strategy_access(id));
	pv[2] = pcpu_layout_name(pcpu_strategy_layout_with(id, mr->oc.cfg.layout));
	pv[3] = pos;
	pv[4] = online;
	pv[5] = mr->oc.page;
}

/* A strategy that cannot run so (tls with a backing it cannot have): NA
 * rows, as in access. */
static void mem_emit_na(const struct mem_run *mr, int i, struct pout *o)
{
	static const char *const nm[] = { "unit_bytes", "reserved_bytes",
					  "committed_bytes",
					  "committed_online_bytes" };
	const char *possible = mr->oc.cfg.possible, *pv[MEM_NPARAMS];
	struct pcpu_cpuset ps;
	char pos[256];
	size_t k;

	if (pcpu_cpuset_parse(&ps, possible))
		snprintf(pos, sizeof(pos), "%s", possible);
	else
		bc_cpuset_param(&ps, pos, sizeof(pos));
	mem_params_of(mr, i, pos, mr->oc.cfg.online, pv);
	for (k = 0; k < 4; k++)
		pout_row(o, pv, 0, nm[k], NAN, "bytes", mr->results[i].na);
}

static void mem_emit_one(const struct mem_run *mr, int i, struct pout *o)
{
	const struct result *res = &mr->results[i];
	const struct pcpu_mem *m = &res->m;
	const char *pv[MEM_NPARAMS];
	char onl[16];

	snprintf(onl, sizeof(onl), "%u", m->nr_online);
	mem_params_of(mr, i, res->pos, onl, pv);
	pout_row(o, pv, 0, "unit_bytes", (double)m->unit_size, "bytes", "ok");
	pout_row(o, pv, 0, "reserved_bytes", (double)m->reserved_bytes, "bytes", "ok");
	pout_row(o, pv, 0, "committed_bytes", (double)m->committed_bytes, "bytes", "ok");
	pout_row(o, pv, 0, "committed_online_bytes",
		 (double)m->committed_online_bytes, "bytes", "ok");
	pout_row(o, pv, 0, "units", (double)m->nr_units, "units", "ok");
	pout_row(o, pv, 0, "thp_bytes", (double)res->thp, "bytes", "ok");
	pout_row(o, pv, 0, "hugetlb_bytes", (double)res->huge, "bytes", "ok");
	pout_row(o, pv, 0, "bookkeeping_bytes", (double)m->bookkeeping_bytes,
		 "bytes", "derived");
	pout_row(o, pv, 0, "all_possible_bytes", (double)m->all_possible_bytes,
		 "bytes", "derived");
}

/* The rows, strategy by strategy. Return: an exit code. */
static int mem_emit(const struct mem_run *mr, struct pout *o)
{
	int i;

	for (i = 0; i < mr->n; i++) {
		if (mr->results[i].ok)
			mem_emit_one(mr, i, o);
		else if (mr->results[i].na[0])
			mem_emit_na(mr, i, o);
	}
	return bc_out_close(CMD, o);
}

int cmd_mem(int argc, char **argv)
{
	static struct mem_run mr;
	struct pout *o;
	int ret;

	memset(&mr, 0, sizeof(mr));
	ret = mem_read_opts(&mr, argc, argv);
	if (ret)
		return opts_exit(ret);
	ret = mem_plan(&mr);
	if (ret)
		return ret;
	if (bc_dry_run_stop(CMD))
		return EXIT_OK;
	ret = bc_out_open(CMD, &o, mr.oc.fmt, mr.oc.out, CMD, mem_params,
			  MEM_NPARAMS);
	if (!ret)
		ret = mem_measure_all(&mr, o);
	if (ret)
		return ret;
	return mem_emit(&mr, o);
}
