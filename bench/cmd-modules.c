// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-modules.c - `pcpubench modules`: modules' per-CPU memory under the
 * three placements of the 2006 thread, in the runtime (lib/runtime/
 * pcpu-modules.c): today's fixed reserve (reserve:K, the kernel's
 * r8192), the alignment slack of the static section (slack) and a
 * dedicated VM area (vm:online, vm:possible).
 *
 * For a stream of module section sizes (default: every module of the
 * Debian 6.1 kernel package with a .data..percpu section, the data file
 * bench/data/percpu-sizes-debian-6.1.csv compiled in) and each policy:
 * the stream loaded once (what fits, memory reserved and committed, for
 * possible against online CPUs, measured with mincore), then cycled until
 * the first refusal (how many loads the region takes), then load/unload
 * churn (the largest section that still fits, fragmentation). With
 * --access, per strategy: the cost of reading a module variable against
 * a boot variable (whole lookup path, and cold after K pages), and the
 * distinct 4 KiB pages each lookup touches.
 *
 * `--scan DIR` prints the data file of the .ko files under DIR (how the
 * Debian file was made: see its header).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-common.h"
#include "modules-cmd.h"
#include "opts.h"
#include "pcpu-timing.h"
#include "pcpubench.h"

static const struct opt_spec mod_spec[] = {
	OPT_OWN('P', "policy", "LIST", "reserve[:K], slack, vm[:online], vm:possible (default\n"
				       "reserve:8192,slack,vm:online,vm:possible)"),
	OPT_OWN('z', "sizes", "LIST|@F",
"the stream: sizes in bytes with an optional :ALIGN\n"
"(\"100,3000:64\"), or @FILE in the data file format\n"
"(module,percpu_bytes,align); default: every Debian 6.1\n"
"module with a per-CPU section (compiled in)"),
	OPT_OWN('O', "order", "O", "file, random, ascending, descending (default random)"),
	OPT_C(SEED, "seed of the random order and the churn (default 1)"),
	OPT_OWN('c', "churn", "N", "unload/load rounds (default 2000)"),
	OPT_C(STRATEGY, "strategies for the memory rows (default offset-array)\n"
			"and, with --access, for the access rows (default\n"
			"offset-array,segment,vm-area,hybrid,tls)"),
	OPT_C(POSSIBLE, "possible CPUs (default 1024)"),
	OPT_C(ONLINE, "online CPUs (default 16)"),
	OPT_C(PAGE, "the units' backing: 4k, thp (default 4k); the VM area\n"
		    "is 4 KiB pages"),
	OPT_CX(UNIT, NULL, "unit size (the vm area per CPU has the unit's size)",
	       0, 4096, 256UL << 20),
	OPT_OWN_FLAG('a', "access", "also measure module-variable access"),
	OPT_OWN('k', "cold", "K", "pages touched before each cold read (default 8192)"),
	OPT_CX(REPEAT, NULL, "repetitions of the access rows (default 5)", 0, 1, 64),
	OPT_OWN('D', "scan", "DIR", "instead, print the data file of the .ko files under DIR"),
	OPT_OWN('E', "source", "TEXT", "with --scan: the data file's source line"),
	OPT_OUTPUT_END
};

static const struct opts_cmd mod_cmd = {
	.name = "modules",
	.spec = mod_spec,
	.head =
"usage: pcpubench modules [OPTIONS]\n"
"       pcpubench modules --scan DIR [--source TEXT]\n\n"
"Modules' per-CPU sections (a module's DEFINE_PER_CPU data) under three\n"
"placements: reserve:K (today's kernel: K bytes per unit fixed at init,\n"
"the boot line's r8192; refused when full: \"Could not allocate N bytes\n"
"percpu data\"), slack (the free space page-aligning the static section\n"
"leaves in each unit, then refused) and vm (a dedicated VM area with the\n"
"units' geometry, each section committed on load for online CPUs,\n"
"vm:online, or every possible one, vm:possible, on each CPU's node).\n"
"For a stream of section sizes, per policy: the stream loaded once\n"
"(sections and bytes that fit; bytes reserved and committed, measured,\n"
"for possible against online CPUs), then cycled until the first refusal\n"
"(loads_until_refusal, refused_bytes), then --churn rounds of unload and\n"
"load (largest_fit_bytes, free_bytes, fragmentation_pct). With --access,\n"
"per strategy and policy: a module variable against a boot variable,\n"
"the whole lookup path (path_ns) and cold after --cold K pages (cold_ns),\n"
"and the 4 KiB pages the lookup touches (pages_on_path).\n\n",
	.tail =
"\nExit: 0 ok, 1 failure, 2 usage (a size 0, larger than the unit, an\n"
"alignment not a power of two, an unknown policy), 3 output not written,\n"
"4 cannot run here.\n",
};

/* ---- rows ------------------------------------------------------------------ */

static const char *const params[NR_P] = { "policy", "strategy", "access",
	"layout", "stream", "order", "possible", "online", "page", "var" };

struct loaded {
	pcpu_off_t *off;
	size_t n;
};

/* One policy over one strategy: the memory and churn rows. */
static int run_policy(struct pout *o, const struct mod_opts *op,
		      const struct stream *st, const struct pcpu_mod_policy *pol,
		      enum pcpu_strategy_id sid, struct pcpu_config *cfg,
		      const char **pv)
{
	struct loaded ld = { 0 };
	struct pcpu_mod_mem mm;
	struct pcpu_rt *rt;
	char err[320], na[400];
	size_t i, once = 0, loads = 0, refused = 0, churn_ref = 0;
	double once_bytes = 0;
	uint64_t rng = op->oc.seed * 0x9e3779b97f4a7c15ULL + 7;
	int ret;

	cfg->strategy = sid;
	cfg->modules = pol;
	ret = bc_rt_start("modules", pcpu_strategy_name(sid), &rt, cfg, true,
			  na, sizeof(na), err, sizeof(err));
	if (ret || !rt) {
		if (!ret)
			pout_row(o, pv, 0, "loaded_sections", NAN, "sections", na);
		return ret;
	}
	ld.off = malloc(MAX_LOADS * sizeof(*ld.off));
	if (!ld.off) {
		pcpu_rt_fini(rt);
		return EXIT_FAIL;
	}
	/* The stream once. */
	for (i = 0; i < st->n; i++) {
		ret = pcpu_mod_load(rt, st->s[i].size, st->s[i].align, NULL,
				    &ld.off[ld.n]);
		if (ret == -EINVAL) {
			fprintf(stderr, "pcpubench modules: section %s of %zu bytes "
				"does not fit a %zu-byte unit\n", st->s[i].name,
				st->s[i].size, pcpu_rt_unit_size(rt));
			ret = EXIT_USAGE;
			goto out;
		}
		if (ret)
			break;
		ld.n++;
		once++;
		once_bytes += (double)st->s[i].size;
	}
	if (ret && ret != -ENOSPC) {
		fprintf(stderr, "pcpubench modules: load: %s\n", strerror(-ret));
		ret = bc_exit_code(ret);
		goto out;
	}
	pcpu_mod_account(rt, &mm);
	pout_row(o, pv, 0, "region_bytes", (double)mm.region_bytes, "bytes", "ok");
	pout_row(o, pv, 0, "loaded_sections", (double)once, "sections", "ok");
	pout_row(o, pv, 0, "loaded_bytes", once_bytes, "bytes", "ok");
	pout_row(o, pv, 0, "copies", (double)mm.nr_copies, "units", "ok");
	pout_row(o, pv, 0, "reserved_bytes", (double)mm.reserved_bytes, "bytes", "ok");
	pout_row(o, pv, 0, "committed_bytes", (double)mm.committed_bytes, "bytes", "ok");
	pout_row(o, pv, 0, "committed_online_bytes", (double)mm.committed_online_bytes,
	    "bytes", "ok");
	if (once)
		pout_row(o, pv, 0, "committed_per_section_bytes",
		    (double)mm.committed_bytes / (double)once, "bytes", "derived");
	else
		pout_row(o, pv, 0, "committed_per_section_bytes", NAN, "bytes",
		    "na:no-section-loaded");
	/* Cycled until the first refusal. */
	loads = once;
	for (i = once % st->n; !refused && loads < MAX_LOADS; i = (i + 1) % st->n) {
		ret = pcpu_mod_load(rt, st->s[i].size, st->s[i].align, NULL,
				    &ld.off[ld.n]);
		if (ret == -ENOSPC) {
			refused = st->s[i].size;
			break;
		}
		if (ret) {
			fprintf(stderr, "pcpubench modules: load: %s\n", strerror(-ret));
			ret = bc_exit_code(ret);
			goto out;
		}
		ld.n++;
		loads++;
	}
	pout_row(o, pv, 0, "loads_until_refusal", (double)loads, "loads",
	    refused ? "ok" : "na:no-refusal-within-200000-loads");
	pout_row(o, pv, 0, "refused_bytes", refused ? (double)refused : NAN, "bytes",
	    refused ? "ok" : "na:no-refusal-within-200000-loads");
	/* Churn: unload a random section, load a random one of the stream. */
	for (i = 0; i < op->churn && ld.n; i++) {
		size_t k = (size_t)(pcpu_rng_next(&rng) % ld.n);
		const struct section *s = &st->s[pcpu_rng_next(&rng) % st->n];

		if (pcpu_mod_unload(rt, ld.off[k]))
			break;
		ld.off[k] = ld.off[--ld.n];
		if (pcpu_mod_load(rt, s->size, s->align, NULL, &ld.off[ld.n]))
			churn_ref++;
		else
			ld.n++;
	}
	pcpu_mod_account(rt, &mm);
	pout_row(o, pv, 0, "churn_refusals", (double)churn_ref, "loads", "ok");
	pout_row(o, pv, 0, "largest_fit_bytes", (double)mm.largest_free, "bytes", "ok");
	pout_row(o, pv, 0, "free_bytes", (double)(mm.region_bytes - mm.used_bytes),
	    "bytes", "ok");
	if (mm.region_bytes > mm.used_bytes)
		pout_row(o, pv, 0, "fragmentation_pct", 100.0 * (1.0 -
		    (double)mm.largest_free / (double)(mm.region_bytes - mm.used_bytes)),
		    "pct", "derived");
	else
		pout_row(o, pv, 0, "fragmentation_pct", NAN, "pct", "na:region-full");
	ret = 0;
out:
	pcpu_rt_fini(rt);
	free(ld.off);
	return ret;
}

/* One run of the command: options, plan, the stream and the context. */
struct mod_run {
	struct mod_opts op;
	struct pcpu_mod_policy pols[BC_MAX_LIST];
	char pname[BC_MAX_LIST][64];
	int np;
	enum pcpu_strategy_id ids[PCPU_NR_STRATEGIES];
	int ns;
	struct stream st;
	struct mod_acc ac;
	char pos[256], onl[64];
};

/* modules' own options. Return: 0; -EINVAL (message printed). */
static int mod_own(void *ctx, int c, const char *arg)
{
	struct mod_opts *op = ctx;

	switch (c) {
	case 'P': op->policies = arg; return 0;
	case 'z': op->sizes = arg; return 0;
	case 'O': op->order = arg; return 0;
	case 'a': op->access = true; return 0;
	case 'D': op->scan = arg; return 0;
	case 'E': op->source = arg; return 0;
	case 'c': return bc_count("modules", "churn", arg, 0, 10000000, &op->churn);
	default:	/* 'k' */
		return bc_count("modules", "cold", arg, 0, 1 << 20, &op->cold);
	}
}

/* Options. Return: as opts_parse(). */
static int mod_read_opts(struct mod_run *mr, int argc, char **argv)
{
	struct mod_opts *op = &mr->op;
	struct opts_common *oc = &mr->op.oc;

	op->policies = "reserve:8192,slack,vm:online,vm:possible";
	op->order = "random";
	op->churn = 2000;
	op->cold = 8192;
	opts_init(oc);
	oc->cfg.possible = "1024";
	oc->cfg.online = "16";
	oc->page = "4k";
	oc->repeat = 5;
	oc->seed = 1;
	return opts_parse(&mod_cmd, argc, argv, oc, mod_own, op);
}

/* --policy. Return: 0; EXIT_USAGE (message printed). */
static int mod_policies(struct mod_run *mr)
{
	char ptok[BC_MAX_LIST][64];
	int i;

	mr->np = bc_split(mr->op.policies, ptok, BC_MAX_LIST);
	if (mr->np <= 0) {
		fprintf(stderr, "pcpubench modules: --policy '%s': not a list\n",
			mr->op.policies);
		return EXIT_USAGE;
	}
	for (i = 0; i < mr->np; i++) {
		if (pcpu_mod_policy_parse(ptok[i], &mr->pols[i])) {
			fprintf(stderr, "pcpubench modules: --policy '%s': not "
				"reserve[:K] (K a multiple of 4), slack, vm, "
				"vm:online or vm:possible\n", ptok[i]);
			return EXIT_USAGE;
		}
		pcpu_mod_policy_format(&mr->pols[i], mr->pname[i],
				       sizeof(mr->pname[i]));
	}
	return 0;
}

/* --possible/--online and the sections against the unit, checked before
 * any output. Return: 0; an exit code (message printed). */
static int mod_check_rt(struct mod_run *mr)
{
	struct pcpu_config *cfg = &mr->op.oc.cfg;
	struct pcpu_cpuset on;
	struct pcpu_rt *rt;
	char err[256];
	size_t i;
	int ret;

	cfg->strategy = mr->ids[0];
	err[0] = '\0';
	ret = pcpu_rt_init(&rt, cfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "pcpubench modules: %s\n",
			err[0] ? err : strerror(-ret));
		return bc_rt_exit(ret, cfg);
	}
	bc_cpuset_param(pcpu_rt_possible(rt), mr->pos, sizeof(mr->pos));
	pcpu_rt_online_set(rt, &on);
	snprintf(mr->onl, sizeof(mr->onl), "%u", pcpu_cpuset_count(&on));
	for (i = 0; i < mr->st.n && ret == 0; i++)
		if (mr->st.s[i].size > pcpu_rt_unit_size(rt)) {
			fprintf(stderr, "pcpubench modules: section %s of %zu "
				"bytes is larger than the %zu-byte unit\n",
				mr->st.s[i].name, mr->st.s[i].size,
				pcpu_rt_unit_size(rt));
			ret = EXIT_USAGE;
		}
	pcpu_rt_fini(rt);
	return ret;
}

/* Policies, order, strategies, backing, the stream. Return: 0; an exit
 * code (the stream freed). */
static int mod_plan(struct mod_run *mr)
{
	struct mod_opts *op = &mr->op;
	int ret;

	ret = mod_policies(mr);
	if (ret)
		return ret;
	if (strcmp(op->order, "file") && strcmp(op->order, "random") &&
	    strcmp(op->order, "ascending") && strcmp(op->order, "descending")) {
		fprintf(stderr, "pcpubench modules: --order '%s': not file, random, "
			"ascending or descending\n", op->order);
		return EXIT_USAGE;
	}
	if (!op->oc.strategy)
		op->oc.strategy = op->access ? "offset-array,segment,vm-area,hybrid,tls" :
				 "offset-array";
	mr->ns = bc_strategy_pairs("modules", op->oc.strategy, mr->ids,
				   PCPU_NR_STRATEGIES, PCPU_L_DEFAULT);
	if (mr->ns < 0)
		return EXIT_USAGE;
	if (mr->op.oc.cfg.backing == PCPU_BACKING_HUGETLB) {
		fprintf(stderr, "pcpubench modules: --page '%s': not 4k or thp\n",
			op->oc.page);
		return EXIT_USAGE;
	}
	ret = mod_stream_load(&mr->st, op->sizes);
	if (ret)
		return ret == -EINVAL ? EXIT_USAGE : bc_exit_code(ret);
	ret = mod_order_apply(&mr->st, op->order, op->oc.seed) ? EXIT_USAGE :
	      mod_check_rt(mr);
	if (ret) {
		free(mr->st.s);
		mr->st.s = NULL;
	}
	return ret;
}

/* The metadata: stream, order, seed, clocks, what each access needs. */
static void mod_emit_meta(const struct mod_run *mr, struct pout *o)
{
	const struct mod_opts *op = &mr->op;
	char b[32], key[160];
	int i, j;

	pout_meta(o, "stream", mr->st.name);
	pout_meta(o, "order", op->order);
	snprintf(b, sizeof(b), "%lu", op->oc.seed);
	pout_meta(o, "seed", b);
	if (op->access) {
		snprintf(b, sizeof(b), "%.3f", mr->ac.core_hz / 1e9);
		pout_meta(o, "core_clock_ghz", b);
		snprintf(b, sizeof(b), "%lu", op->cold);
		pout_meta(o, "cold_pages", b);
	}
	pout_meta(o, "cycles_source", pt_cycles_source());
	for (i = 0; i < mr->np; i++) {
		for (j = 0; j < mr->ns; j++) {
			if (!op->access && j)
				break;
			snprintf(key, sizeof(key), "access_needs.%s.%.60s",
				 pcpu_strategy_name(mr->ids[j]), mr->pname[i]);
			pout_meta(o, key, pcpu_mod_access_needs(
				pcpu_strategy_access(mr->ids[j]),
				pcpu_strategy_layout(mr->ids[j]), mr->pols[i].kind));
		}
	}
}

/* The strategy columns of @pv for @id. */
static void mod_pv_strategy(const char **pv, enum pcpu_strategy_id id)
{
	pv[P_STRATEGY] = pcpu_strategy_name(id);
	pv[P_ACCESS] = pcpu_access_name(pcpu_strategy_access(id));
	pv[P_LAYOUT] = pcpu_layout_name(pcpu_strategy_layout(id));
}

/* The stream's rows, each policy's memory rows, then the access rows.
 * Return: an exit code. */
static int mod_run_rows(struct mod_run *mr, struct pout *o)
{
	struct pcpu_config *cfg = &mr->op.oc.cfg;
	const char *pv[NR_P];
	int i, j, ret = 0;

	for (i = 0; i < NR_P; i++)
		pv[i] = "-";
	pv[P_STREAM] = mr->st.name;
	pv[P_ORDER] = mr->op.order;
	mod_stream_rows(o, pv, &mr->st);
	pv[P_POSSIBLE] = mr->pos;
	pv[P_ONLINE] = mr->onl;
	pv[P_PAGE] = mr->op.oc.page;
	for (i = 0; i < mr->np && !ret; i++) {
		pv[P_POLICY] = mr->pname[i];
		mod_pv_strategy(pv, mr->ids[0]);
		ret = run_policy(o, &mr->op, &mr->st, &mr->pols[i], mr->ids[0],
				 cfg, pv);
	}
	pv[P_STREAM] = "-";
	pv[P_ORDER] = "-";
	for (i = 0; mr->op.access && i < mr->np && !ret; i++) {
		for (j = 0; j < mr->ns && !ret; j++) {
			pv[P_POLICY] = mr->pname[i];
			mod_pv_strategy(pv, mr->ids[j]);
			ret = mod_run_access(o, &mr->op, &mr->ac, &mr->pols[i],
					     mr->ids[j], cfg, pv);
		}
	}
	return ret;
}

/* Clocks and pool, the output, the rows. Return: an exit code. */
static int mod_run(struct mod_run *mr)
{
	struct pout *o;
	int ret;

	if (mr->op.access && mod_acc_setup(&mr->ac, &mr->op)) {
		fprintf(stderr, "pcpubench modules: --access: no TSC rate or no "
			"memory for the cold pool\n");
		return EXIT_SKIP;
	}
	ret = bc_out_open("modules", &o, mr->op.oc.fmt, mr->op.oc.out, "modules",
			  params, NR_P);
	if (ret)
		return ret;
	mod_emit_meta(mr, o);
	ret = mod_run_rows(mr, o);
	if (ret) {
		pout_abort(o);
		return ret;
	}
	return bc_out_close("modules", o);
}

int cmd_modules(int argc, char **argv)
{
	static struct mod_run mr;
	int ret;

	memset(&mr, 0, sizeof(mr));
	ret = mod_read_opts(&mr, argc, argv);
	if (ret)
		return opts_exit(ret);
	if (mr.op.scan)
		return bc_dry_run_stop("modules") ? EXIT_OK :
		       mod_scan(mr.op.scan, mr.op.source);
	ret = mod_plan(&mr);
	if (ret)
		return ret;
	ret = bc_dry_run_stop("modules") ? EXIT_OK : mod_run(&mr);
	mod_acc_free(&mr.ac);
	free(mr.st.s);
	return ret;
}
