// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-mem.c - `pcpubench mem`: memory reserved (virtual) and committed
 * (resident, measured with mincore) per strategy, for possible versus
 * online CPUs: the footprint question of the 2021 per-CPU RFC (1024
 * possible, 16 online).
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
"(resident, by mincore), of which in online CPUs' units; plus, derived,\n"
"what units for every possible CPU would take and the bookkeeping.\n\n"
"  --strategy LIST   strategies, comma list or 'all' (default all)\n"
"  --possible N|LIST possible CPUs: a count or a cpulist (default 8192)\n"
"  --online N|LIST   CPUs online (default 2)\n"
"  --page P          backing: 4k, thp (alias 2m), hugetlb (default 4k)\n"
"  --unit BYTES      unit size (default: static section + 64 KiB,\n"
"                    rounded up to a power of two)\n"
"  --placement P     local, interleave, node:N (default local)\n"
"  --topology T      host, synthetic:<hwloc>, xml:<file> (default host)\n"
"  --format F        text, csv, json (default: text on a terminal)\n"
"  -o, --output FILE write there (atomically) instead of stdout\n"
"  -h, --help        this text\n\n"
"Exit: 0 ok, 1 failure (out of memory), 2 usage or configuration error,\n"
"3 output not written (disk full, I/O error), 4 cannot run here (hugetlb\n"
"pages not reserved).\n");
}

struct result {
	bool ok;
	struct pcpu_mem m;
	size_t thp, huge;
	char obtained[64];
	char layout[256];
	char pos[256];		/* the possible set, as a parameter value */
	char na[300];		/* status of a strategy that cannot run so */
};

int cmd_mem(int argc, char **argv)
{
	struct result results[PCPU_NR_STRATEGIES] = { 0 };
	static const struct option opts[] = {
		{ "strategy", required_argument, NULL, 's' },
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
	static const char *const params[] = { "strategy", "possible", "online", "page" };
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
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (bc_no_extra_args("mem", argc, argv, optind))
		return EXIT_USAGE;
	n = bc_strategies(strategies, ids, PCPU_NR_STRATEGIES, err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "pcpubench mem: %s\n", err);
		return EXIT_USAGE;
	}
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
	if (bc_dry_run_stop("mem"))
		return EXIT_OK;
	ret = bc_out_open("mem", &o, f, out, "mem", params, 4);
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
		const char *pv[4];

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
			pv[1] = pos;
			pv[2] = online;
			pv[3] = page;
			for (k = 0; k < 4; k++)
				pout_row(o, pv, 0, nm[k], NAN, "bytes", res->na);
			continue;
		}
		if (!res->ok)
			continue;
		snprintf(pos, sizeof(pos), "%s", res->pos);
		snprintf(onl, sizeof(onl), "%u", m->nr_online);
		pv[0] = pcpu_strategy_name(ids[i]);
		pv[1] = pos;
		pv[2] = onl;
		pv[3] = page;
		pout_row(o, pv, 0, "unit_bytes", (double)m->unit_size, "bytes", "ok");
		pout_row(o, pv, 0, "reserved_bytes", (double)m->reserved_bytes, "bytes", "ok");
		pout_row(o, pv, 0, "committed_bytes", (double)m->committed_bytes, "bytes", "ok");
		pout_row(o, pv, 0, "committed_online_bytes",
			 (double)m->committed_online_bytes, "bytes", "ok");
		pout_row(o, pv, 0, "thp_bytes", (double)res->thp, "bytes", "ok");
		pout_row(o, pv, 0, "hugetlb_bytes", (double)res->huge, "bytes", "ok");
		pout_row(o, pv, 0, "bookkeeping_bytes", (double)m->bookkeeping_bytes,
			 "bytes", "derived");
		pout_row(o, pv, 0, "all_possible_bytes", (double)m->all_possible_bytes,
			 "bytes", "derived");
	}
	return bc_out_close("mem", o);
}
