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
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bench-common.h"
#include "pcpubench.h"

static void usage(FILE *f)
{
	fprintf(f,
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
"one unit per CPU onlined later. Rows carry access and layout columns.\n\n"
"  --strategy LIST   strategies, comma list or 'all' (default all)\n"
"  --layout L        run every strategy over layout L (embed, page, vm,\n"
"                    hybrid, thread) where the pair exists (pcpubench list);\n"
"                    with 'all' the others are skipped, else exit 2\n"
"  --late-node P     roundrobin (default), topology, boot, node:N: the node\n"
"                    init gives CPUs absent at init (see numa --help)\n"
"  --possible N|LIST possible CPUs: a count or a cpulist (default 8192)\n"
"  --online N|LIST   CPUs online (default 2)\n"
"  --present N|LIST  CPUs present at init (default: all possible)\n"
"  --page P          backing: 4k, thp (alias 2m), hugetlb (default 4k)\n"
"  --unit BYTES      unit size (default: static section + 64 KiB,\n"
"                    rounded up to a power of two)\n"
"  --placement P     local, interleave, node:N (default local)\n"
"  --topology T      host, synthetic:<hwloc>, xml:<file> (default host)\n"
"  --format F        text, csv, json (default: text on a terminal)\n"
"  -o, --output FILE write there (atomically) instead of stdout\n"
"  -h, --help        this text\n\n"
"Exit: 0 ok, 1 failure (out of memory), 2 usage or configuration error\n"
"(an access x layout pair that does not exist included), 3 output not\n"
"written (disk full, I/O error), 4 cannot run here (hugetlb pages not\n"
"reserved; a layout whose units for every possible CPU would take more\n"
"than half of MemAvailable).\n");
}

struct result {
	bool ok;
	struct pcpu_mem m;
	size_t thp, huge;
	char obtained[64];
	char layout[512];
	char pos[256];		/* the possible set, as a parameter value */
	char na[300];		/* status of a strategy that cannot run so */
};

int cmd_mem(int argc, char **argv)
{
	struct result results[PCPU_NR_STRATEGIES] = { 0 };
	static const struct option opts[] = {
		{ "strategy", required_argument, NULL, 's' },
		{ "layout", required_argument, NULL, 'L' },
		{ "late-node", required_argument, NULL, 'N' },
		{ "present", required_argument, NULL, 'P' },
		{ "possible", required_argument, NULL, 'p' },
		{ "online", required_argument, NULL, 'n' },
		{ "page", required_argument, NULL, 'g' },
		{ "unit", required_argument, NULL, 'u' },
		{ "placement", required_argument, NULL, 'l' },
		{ "topology", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const params[] = { "strategy", "access", "layout",
					      "possible", "online", "page" };
	const char *strategies = "all", *possible = "8192", *online = "2";
	const char *page = "4k", *out = NULL, *fmt = NULL;
	enum pcpu_strategy_id ids[PCPU_NR_STRATEGIES];
	struct pcpu_config cfg = { 0 };
	enum pout_format f;
	struct pout *o;
	char err[256];
	int c, n, i, ret = EXIT_OK;
	unsigned long unit = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': strategies = optarg; break;
		case 'p': possible = optarg; break;
		case 'P': cfg.present = optarg; break;
		case 'L':
			if (bc_layout("mem", optarg, &cfg.layout))
				return EXIT_USAGE;
			break;
		case 'N':
			if (bc_late_node("mem", optarg, &cfg.late_node))
				return EXIT_USAGE;
			break;
		case 'n': online = optarg; break;
		case 'g': page = optarg; break;
		case 't': cfg.topology = optarg; break;
		case 'f': fmt = optarg; break;
		case 'o': out = optarg; break;
		case 'u':
			if (bc_ulong(optarg, &unit)) {
				fprintf(stderr, "pcpubench mem: --unit '%s' is not a "
					"number\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'l':
			if (bc_placement("mem", optarg, &cfg.placement))
				return EXIT_USAGE;
			break;
		default:	/* --help (exit 0) or a bad option (2) */
			return bc_help_or_bad(c, usage);
		}
	}
	if (bc_no_extra_args("mem", argc, argv, optind))
		return EXIT_USAGE;
	n = bc_strategy_pairs("mem", strategies, ids, PCPU_NR_STRATEGIES,
			      cfg.layout);
	if (n < 0)
		return EXIT_USAGE;
	if (pcpu_backing_lookup(page, &cfg.backing)) {
		fprintf(stderr, "pcpubench mem: unknown page backing '%s' (4k, thp, "
			"2m, hugetlb)\n", page);
		return EXIT_USAGE;
	}
	f = bc_default_format(out);
	if (fmt && pout_format_parse(fmt, &f)) {
		fprintf(stderr, "pcpubench mem: unknown format '%s' (text, csv, json)\n",
			fmt);
		return EXIT_USAGE;
	}
	cfg.possible = possible;
	cfg.online = online;
	cfg.unit_size = unit;
	if (bc_online_check("mem", online))
		return EXIT_USAGE;
	ret = bc_out_check("mem", out);
	if (!ret)
		ret = bc_dry_run_rt("mem", &cfg, ids, n);
	if (ret)
		return ret;
	if (bc_dry_run_stop("mem"))
		return EXIT_OK;
	ret = bc_out_open("mem", &o, f, out, "mem", params, 6);
	if (ret)
		return ret;
	/* Measure every strategy first: the metadata precedes the rows. */
	for (i = 0; i < n; i++) {
		struct result *res = &results[i];
		struct pcpu_backing_info bi;
		struct pcpu_cpuset on;
		struct pcpu_rt *rt;
		char key[64];
		int r, cpu;

		cfg.strategy = ids[i];
		err[0] = '\0';
		r = pcpu_rt_init(&rt, &cfg, err, sizeof(err));
		if (r == -ENOTSUP && n > 1) {
			fprintf(stderr, "pcpubench mem: %s: not supported (NA rows): "
				"%s\n", pcpu_strategy_name(ids[i]), err);
			bc_na_status(res->na, sizeof(res->na), "not-supported", err);
			continue;
		}
		if (r) {
			fprintf(stderr, "pcpubench mem: %s: %s\n",
				pcpu_strategy_name(ids[i]), err[0] ? err : strerror(-r));
			pout_abort(o);
			return bc_rt_exit(r, &cfg);
		}
		res->ok = true;
		pcpu_mem_account(rt, &res->m);
		bc_cpuset_param(pcpu_rt_possible(rt), res->pos, sizeof(res->pos));
		/* What really backs the online units, from smaps. */
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
		snprintf(key, sizeof(key), "backing_obtained.%s", pcpu_strategy_name(ids[i]));
		pout_meta(o, key, res->obtained);
		pcpu_rt_describe(rt, res->layout, sizeof(res->layout));
		snprintf(key, sizeof(key), "layout.%s", pcpu_strategy_name(ids[i]));
		pout_meta(o, key, res->layout);
		pcpu_rt_fini(rt);
	}
	for (i = 0; i < n; i++) {
		const struct result *res = &results[i];
		const struct pcpu_mem *m = &res->m;
		char pos[256], onl[16];
		const char *pv[6];

		if (!res->ok && res->na[0]) {
			/* tls with a backing it cannot have: NA, as in access */
			static const char *const nm[] = { "unit_bytes",
				"reserved_bytes", "committed_bytes",
				"committed_online_bytes" };
			struct pcpu_cpuset ps;
			size_t k;

			if (pcpu_cpuset_parse(&ps, possible))
				snprintf(pos, sizeof(pos), "%s", possible);
			else
				bc_cpuset_param(&ps, pos, sizeof(pos));
			pv[0] = pcpu_strategy_name(ids[i]);
			pv[1] = pcpu_access_name(pcpu_strategy_access(ids[i]));
			pv[2] = pcpu_layout_name(pcpu_strategy_layout_with(ids[i], cfg.layout));
			pv[3] = pos;
			pv[4] = online;
			pv[5] = page;
			for (k = 0; k < 4; k++)
				pout_row(o, pv, 0, nm[k], NAN, "bytes", res->na);
			continue;
		}
		if (!res->ok)
			continue;
		snprintf(pos, sizeof(pos), "%s", res->pos);
		snprintf(onl, sizeof(onl), "%u", m->nr_online);
		pv[0] = pcpu_strategy_name(ids[i]);
		pv[1] = pcpu_access_name(pcpu_strategy_access(ids[i]));
		pv[2] = pcpu_layout_name(pcpu_strategy_layout_with(ids[i], cfg.layout));
		pv[3] = pos;
		pv[4] = onl;
		pv[5] = page;
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
	return bc_out_close("mem", o);
}
