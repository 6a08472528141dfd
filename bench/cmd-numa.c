// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-numa.c - `pcpubench numa`: where each CPU's per-CPU area really
 * lives, per strategy and placement policy, read from the page tables
 * (move_pages(2) with no target nodes), for the CPUs online at start and,
 * the case the 2006 thread is about, for CPUs onlined after start (phase
 * late: present at init) and CPUs that arrive after start (phase
 * hotadded: absent at init, so init only guessed their node, per
 * --late-node). Each row says which node the layout placed the unit for
 * and whether that is the CPU's real node: embed and page place every
 * unit at init, vm and hybrid place a later CPU's unit when it comes. On
 * a machine with several nodes, also a node x node access latency matrix
 * measured with the shift accessor of lib/runtime/pcpu-access.h (a dependent
 * chain through a unit placed on one node, walked from a CPU of another).
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
	const char *strategies;
	const char *page;
	unsigned late;
	bool late_set;
	const char *hotadd;	/* NULL: 1 absent CPU if any; "N" or a cpulist */
	double wait_hotadd;	/* > 0: wait that long for a real hot-add */
	char sysfs_possible[4096], sysfs_present[4096];
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

#define NPV 7
/* Column topology: host, synthetic or xml (a model's rows stay apart). */
static const char *topo_kind = "host";

/*
 * Rows for one CPU's unit. Return: pages on a node other than the CPU's;
 * *placed_remote gets 1 when the layout placed the unit for another node.
 */
static int report_cpu(struct pout *out, struct pcpu_rt *rt, const char *pv[NPV],
		      unsigned cpu, const struct pcpu_placement *pl, int *nodes,
		      unsigned *policy_miss, unsigned *placed_remote)
{
	int n = pcpu_cpu_page_nodes(rt, cpu, nodes, MAX_PAGES), i;
	int hn = pcpu_cpu_host_node(rt, cpu);
	int uhn = pcpu_cpu_unit_host_node(rt, cpu), un = pcpu_cpu_unit_node(rt, cpu);
	int want = policy_node(pl, uhn >= 0 ? uhn : hn);
	unsigned local = 0, remote = 0, absent = 0, onpolicy = 0;
	char why[128];

	pout_row(out, pv, 0, "host_cpu", pcpu_cpu_host_cpu(rt, cpu), "id", "ok");
	pout_row(out, pv, 0, "cpu_node", hn, "node", "ok");
	/* What the model knew and did, in topology node numbers. */
	pout_row(out, pv, 0, "real_node", pcpu_cpu_node(rt, cpu), "node", "ok");
	pout_row(out, pv, 0, "init_node", pcpu_cpu_init_node(rt, cpu), "node", "ok");
	pout_row(out, pv, 0, "unit_node", un, "node", un >= 0 ? "ok" : "na:no-unit");
	*placed_remote = un >= 0 && un != pcpu_cpu_node(rt, cpu);
	pout_row(out, pv, 0, "unit_node_remote", un >= 0 ? *placed_remote : NAN,
		 "bool", un >= 0 ? "derived" : "na:no-unit");
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
 * Time a dependent chain through @cpu's unit (vm-area's shift accessor of
 * lib/runtime/pcpu-access.h: base + (cpu << shift) + offset), one cache line per
 * step in random order.
 */
static double chase_ns(struct pcpu_rt *rt, unsigned cpu, size_t bytes, double *cyc)
{
	size_t lines = bytes / 64, i, steps = 2000000;
	uint64_t *perm, off = 0, t0, t1;
	double hz = 0, core = 0;
	unsigned seed = 3;
	struct pcpu_acc_ctx ctx;

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
			const char *pv[NPV];
			double cyc = NAN, ns;

			cfg.strategy = PCPU_S_VM_AREA;
			cfg.layout = PCPU_L_DEFAULT;
			cfg.present = NULL;
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

static void usage(FILE *f)
{
	fprintf(f,
"usage: pcpubench numa [OPTIONS]\n\n"
"For each strategy and placement policy: the node of every page of every\n"
"online CPU's per-CPU unit, read from the page tables with move_pages(2)\n"
"(no target nodes: a query, nothing moves), against the CPU's real node,\n"
"in three phases: boot (online at start), late (present at start, onlined\n"
"after), hotadded (absent at start, so init only guessed its node; it\n"
"arrives, then is onlined). embed and page place every possible CPU's unit\n"
"at init on the node init knew, so with --late-node roundrobin or boot some\n"
"hot-added CPUs' units sit on the wrong node; vm and hybrid place a later\n"
"CPU's unit when it comes, on its node then. With more than one node, also\n"
"a node x node access latency matrix (a dependent chain through a unit\n"
"placed on node j, walked from a CPU of node i; phase matrix).\n\n"
"  --strategy LIST   comma list or 'all' (default all available)\n"
"  --layout L        every strategy over layout L (embed, page, vm, hybrid,\n"
"                    thread) where the pair exists (pcpubench list); with\n"
"                    'all' the others are skipped, else exit 2\n"
"  --late-node P     what init knows about the node of a CPU absent at init:\n"
"                    roundrobin (default), topology, boot, node:N. Default\n"
"                    from evidence: the Debian 6.1 kernel of the guest tests\n"
"                    (2 nodes, CPUs 4-9 possible but absent) gave them nodes\n"
"                    0,1,0,1,0,1 round-robin, and a vCPU hot-added on node 1\n"
"                    became CPU 4 with its per-CPU memory on node 0; topology\n"
"                    is firmware that told the truth and predictable ids (the\n"
"                    host topology has no node for an id absent from sysfs:\n"
"                    the PU list wraps round, a guess too), boot the 2006\n"
"                    case (every absent CPU on the boot CPU's node)\n"
"  --placement LIST  local, interleave, node:N (default local,node:0,interleave)\n"
"                    local: the node the layout placed the unit for\n"
"  --possible N|LIST possible CPUs (default: the topology's; 'sysfs': this\n"
"                    machine's /sys/devices/system/cpu/possible)\n"
"  --present N|LIST  CPUs present at start (default: all possible; 'sysfs':\n"
"                    this machine's present CPUs now); the rest can be\n"
"                    hot-added\n"
"  --online N|LIST   CPUs online at start (default: all present but --late)\n"
"  --late N          present CPUs to online after start (default 1 when\n"
"                    possible)\n"
"  --hotadd N|LIST   absent CPUs to hot-add and online after start: a count\n"
"                    (the lowest absent ids) or a cpulist (\"4-4\" for CPU 4)\n"
"                    (default 1 when a CPU is absent). With the host\n"
"                    topology the hot-added CPU's node is read from sysfs\n"
"                    then: a CPU really hot-added (QMP in the guest tests)\n"
"                    is replayed against what init knew before it came\n"
"  --wait-hotadd S   instead of --hotadd: after the boot and late phases,\n"
"                    wait up to S seconds for this machine to gain a CPU\n"
"                    (sysfs present; QMP device_add in the guest tests),\n"
"                    then hot-add and online it in the runtime. One\n"
"                    strategy and one placement; says on stderr when ready\n"
"  --page P          backing: 4k, thp (2m), hugetlb (default 4k)\n"
"  --topology T      host, synthetic:<hwloc>, xml:<file> (default host;\n"
"                    nodes of a synthetic topology map onto the host's)\n"
"  --matrix on|off|auto  the latency matrix (default auto: >1 node)\n"
"  --matrix-bytes B  unit walked by the matrix (default 64 MiB; a power of\n"
"                    two, 64 KiB to 1 GiB)\n"
"  --format F        text, csv, json (default: text on a terminal)\n"
"  -o, --output FILE write there (atomically) instead of stdout\n"
"  -h, --help        this text\n\n"
"Columns: strategy, access, layout, topology (host, synthetic or xml: the\n"
"kind of --topology), placement, cpu, phase. Metrics per CPU:\n"
"host_cpu, cpu_node (host node), real_node, init_node (what init knew),\n"
"unit_node (node the layout placed the unit for) and unit_node_remote\n"
"(derived, 1 when that is not the real node: the model's answer, shown even\n"
"on a one-node host), pages, pages_local, pages_remote (measured against the\n"
"CPU's host node), pages_not_resident, local_fraction, policy_fraction\n"
"(pages on the node the policy asked for), remote_accesses_per_op\n"
"(derived); per strategy and placement: late_cpus, late_cpus_remote_pages,\n"
"hotadded_cpus, hotadded_cpus_remote_pages, hotadded_units_remote.\n"
"Exit: 0 ok, 1 a page is not where the layout and policy put it, 2 usage,\n"
"3 output not written, 4 cannot run here (no move_pages).\n");
}

/*
 * --wait-hotadd: poll sysfs until a possible CPU that the runtime does not
 * have as present appears, then hot-add, online and report it (and any
 * other that came with it). Return: CPUs hot-added.
 */
static unsigned wait_hotadd(const struct numa_opts *o, struct pout *out,
			    struct pcpu_rt *rt, int p, const char *sname,
			    const char *aname, const char *lname, int *nodes,
			    unsigned *miss, unsigned *hot_remote, unsigned *hot_placed)
{
	struct timespec ts = { 0, 100000000L };
	char buf[4096], cpu_s[16], had[4096];
	double waited = 0;
	unsigned hot = 0, pr;
	int cpu;

	pcpu_cpuset_format(pcpu_rt_present(rt), had, sizeof(had));
	fprintf(stderr, "pcpubench numa: waiting up to %g s for a CPU to be "
		"hot-added (present at init: %s)\n", o->wait_hotadd, had);
	fflush(stderr);
	for (; !hot && waited < o->wait_hotadd; waited += 0.1) {
		struct pcpu_cpuset now;

		if (!bc_sysfs_cpulist("present", buf, sizeof(buf)) &&
		    !pcpu_cpuset_parse(&now, buf)) {
			pcpu_for_each_cpu(cpu, &now) {
				const char *pv[NPV] = { sname, aname, lname, topo_kind,
							o->place_name[p], cpu_s, "hotadded" };

				if (!pcpu_cpuset_test(pcpu_rt_possible(rt), (unsigned)cpu) ||
				    pcpu_cpuset_test(pcpu_rt_present(rt), (unsigned)cpu))
					continue;
				if (pcpu_cpu_hotadd(rt, (unsigned)cpu) ||
				    pcpu_cpu_online(rt, (unsigned)cpu))
					continue;
				hot++;
				snprintf(cpu_s, sizeof(cpu_s), "%d", cpu);
				*hot_remote += (unsigned)report_cpu(out, rt, pv, (unsigned)cpu,
								    &o->place[p], nodes, miss, &pr);
				*hot_placed += pr;
			}
		}
		if (!hot)
			nanosleep(&ts, NULL);
	}
	if (!hot)
		fprintf(stderr, "pcpubench numa: no CPU was hot-added within %g s\n",
			o->wait_hotadd);
	return hot;
}

/* --possible/--present "sysfs": this machine's list. Return: 0; -errno
 * (message printed). */
static int sysfs_set(const char *name, const char **opt, char *buf, size_t len)
{
	if (!*opt || strcmp(*opt, "sysfs"))
		return 0;
	if (bc_sysfs_cpulist(name, buf, len)) {
		fprintf(stderr, "pcpubench numa: --%s sysfs: cannot read "
			"/sys/devices/system/cpu/%s\n", name, name);
		return -ENOENT;
	}
	*opt = buf;
	return 0;
}

/* Parse --hotadd: a count or a cpulist. */
static int parse_hotadd(const char *s, struct pcpu_cpuset *set, unsigned long *count)
{
	memset(set, 0, sizeof(*set));
	*count = 0;
	if (strpbrk(s, ",-"))
		return pcpu_cpuset_parse(set, s) ? -EINVAL : 0;
	return bc_ulong(s, count);
}

#define NUMA_MATRIX_MIN (64UL << 10)

int cmd_numa(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "strategy", required_argument, NULL, 's' },
		{ "layout", required_argument, NULL, 'Y' },
		{ "late-node", required_argument, NULL, 'N' },
		{ "placement", required_argument, NULL, 'l' },
		{ "possible", required_argument, NULL, 'p' },
		{ "present", required_argument, NULL, 'P' },
		{ "online", required_argument, NULL, 'n' },
		{ "late", required_argument, NULL, 'L' },
		{ "hotadd", required_argument, NULL, 'H' },
		{ "wait-hotadd", required_argument, NULL, 'W' },
		{ "page", required_argument, NULL, 'g' },
		{ "topology", required_argument, NULL, 't' },
		{ "matrix", required_argument, NULL, 'm' },
		{ "matrix-bytes", required_argument, NULL, 'B' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const params[NPV] = { "strategy", "access", "layout",
						 "topology", "placement", "cpu",
						 "phase" };
	const char *places = "local,node:0,interleave", *fmt = NULL;
	char list[BC_MAX_LIST][64], err[256], cpu_s[16], onl[4096];
	struct pcpu_cpuset hot_set;
	unsigned long hot_count = 0;
	struct numa_opts o;
	struct pout *out;
	unsigned long v;
	int c, i, n, p, ret = EXIT_OK, r, *nodes, late_noted = 0, hot_noted = 0;

	memset(&o, 0, sizeof(o));
	memset(&hot_set, 0, sizeof(hot_set));
	o.page = "4k";
	o.matrix = -1;
	o.matrix_bytes = 64UL << 20;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lopts, NULL)) != -1) {
		switch (c) {
		case 's': o.strategies = optarg; break;
		case 'l': places = optarg; break;
		case 'p': o.cfg.possible = optarg; break;
		case 'P': o.cfg.present = optarg; break;
		case 'n': o.cfg.online = optarg; break;
		case 'g': o.page = optarg; break;
		case 't':
			o.cfg.topology = optarg;
			topo_kind = !strncmp(optarg, "synthetic:", 10) ?
				    "synthetic" : !strncmp(optarg, "xml:", 4) ?
				    "xml" : "host";
			break;
		case 'f': fmt = optarg; break;
		case 'o': o.out = optarg; break;
		case 'Y':
			if (bc_layout("numa", optarg, &o.cfg.layout))
				return EXIT_USAGE;
			break;
		case 'N':
			if (bc_late_node("numa", optarg, &o.cfg.late_node))
				return EXIT_USAGE;
			break;
		case 'W':
			if (bc_double(optarg, &o.wait_hotadd) || o.wait_hotadd <= 0 ||
			    o.wait_hotadd > 3600) {
				fprintf(stderr, "pcpubench numa: --wait-hotadd '%s': want "
					"seconds > 0\n", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'H':
			if (parse_hotadd(optarg, &hot_set, &hot_count)) {
				fprintf(stderr, "pcpubench numa: --hotadd '%s': want a "
					"count or a cpulist\n", optarg);
				return EXIT_USAGE;
			}
			o.hotadd = optarg;
			break;
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
		default:	/* --help (exit 0) or a bad option (2) */
			return bc_help_or_bad(c, usage);
		}
	}
	if (bc_no_extra_args("numa", argc, argv, optind))
		return EXIT_USAGE;
	if (sysfs_set("possible", &o.cfg.possible, o.sysfs_possible,
		      sizeof(o.sysfs_possible)) ||
	    sysfs_set("present", &o.cfg.present, o.sysfs_present,
		      sizeof(o.sysfs_present)))
		return EXIT_SKIP;
	o.nstrat = bc_strategy_pairs("numa", o.strategies, o.strat,
				     PCPU_NR_STRATEGIES, o.cfg.layout);
	if (o.nstrat < 0)
		return EXIT_USAGE;
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
	if (o.wait_hotadd > 0 && (o.nstrat != 1 || o.nplace != 1 || o.hotadd)) {
		fprintf(stderr, "pcpubench numa: --wait-hotadd takes one strategy and "
			"one placement, and no --hotadd (a real hot-add happens once)\n");
		return EXIT_USAGE;
	}
	if (pcpu_backing_lookup(o.page, &o.cfg.backing)) {
		fprintf(stderr, "pcpubench numa: unknown page backing '%s'\n", o.page);
		return EXIT_USAGE;
	}
	o.fmt = bc_default_format(o.out);
	if (fmt && pout_format_parse(fmt, &o.fmt)) {
		fprintf(stderr, "pcpubench numa: unknown format '%s' (text, csv, json)\n", fmt);
		return EXIT_USAGE;
	}
	if (bc_online_check("numa", o.cfg.online))
		return EXIT_USAGE;
	r = bc_out_check("numa", o.out);
	for (i = 0; !r && i < o.nplace; i++) {
		struct pcpu_config dc = o.cfg;

		dc.placement = o.place[i];
		r = bc_dry_run_rt("numa", &dc, o.strat, o.nstrat);
	}
	if (r)
		return r;
	if (bc_dry_run_stop("numa"))
		return EXIT_OK;
	nodes = malloc(MAX_PAGES * sizeof(int));
	if (!nodes)
		return EXIT_FAIL;
	r = bc_out_open("numa", &out, o.fmt, o.out, "numa", params, NPV);
	if (r) {
		free(nodes);
		return r;
	}
	pout_meta(out, "page", o.page);
	{
		char ln[32];

		pcpu_late_node_format(&o.cfg.late_node, ln, sizeof(ln));
		pout_meta(out, "late_node", ln);
	}
	for (i = 0; i < o.nstrat; i++) {
		for (p = 0; p < o.nplace; p++) {
			struct pcpu_config cfg = o.cfg;
			struct pcpu_cpuset on;
			struct pcpu_rt *rt;
			unsigned late = 0, miss = 0, late_remote = 0, want_late = 0, pr = 0;
			unsigned hot = 0, hot_remote = 0, hot_placed = 0;
			const char *sname = pcpu_strategy_name(o.strat[i]);
			const char *aname = pcpu_access_name(pcpu_strategy_access(o.strat[i]));
			const char *lname = pcpu_layout_name(
				pcpu_strategy_layout_with(o.strat[i], cfg.layout));
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
				const char *pv[NPV] = { sname, aname, lname, topo_kind,
							o.place_name[p], "all", "boot" };
				char na[300];

				if (p == 0)
					fprintf(stderr, "pcpubench numa: %s: not "
						"supported (NA rows): %s\n",
						sname, err);
				bc_na_status(na, sizeof(na), "not-supported", err);
				pout_row(out, pv, 0, "pages", NAN, "pages", na);
				pout_row(out, pv, 0, "local_fraction", NAN, "ratio", na);
				pout_row(out, pv, 0, "policy_fraction", NAN, "ratio", na);
				continue;
			}
			if (r) {
				fprintf(stderr, "pcpubench numa: %s %s: %s\n",
					sname, o.place_name[p], err[0] ? err : strerror(-r));
				pout_abort(out);
				free(nodes);
				return bc_rt_exit(r, &cfg);
			}
			pcpu_rt_online_set(rt, &on);
			pcpu_for_each_cpu(cpu, &on) {
				const char *pv[NPV] = { sname, aname, lname, topo_kind,
							o.place_name[p], cpu_s, "boot" };

				snprintf(cpu_s, sizeof(cpu_s), "%d", cpu);
				report_cpu(out, rt, pv, (unsigned)cpu, &o.place[p], nodes,
					   &miss, &pr);
			}
			/* CPUs onlined after start: the 2006 question. */
			pcpu_for_each_cpu(cpu, pcpu_rt_present(rt)) {
				const char *pv[NPV] = { sname, aname, lname, topo_kind,
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
								    &o.place[p], nodes, &miss, &pr);
			}
			/* A real hot-add, waited for. */
			if (o.wait_hotadd > 0)
				hot = wait_hotadd(&o, out, rt, p, sname, aname, lname, nodes,
						  &miss, &hot_remote, &hot_placed);
			/* CPUs absent at start: arrive, then online. */
			pcpu_for_each_cpu(cpu, pcpu_rt_possible(rt)) {
				const char *pv[NPV] = { sname, aname, lname, topo_kind,
							o.place_name[p], cpu_s, "hotadded" };
				bool listed = o.hotadd && !hot_count;

				if (o.wait_hotadd > 0)
					break;
				if (pcpu_cpuset_test(pcpu_rt_present(rt), (unsigned)cpu))
					continue;
				if (listed ? !pcpu_cpuset_test(&hot_set, (unsigned)cpu) :
				    hot >= (o.hotadd ? hot_count : 1))
					continue;
				if (pcpu_cpu_hotadd(rt, (unsigned)cpu) ||
				    pcpu_cpu_online(rt, (unsigned)cpu))
					continue;
				hot++;
				snprintf(cpu_s, sizeof(cpu_s), "%d", cpu);
				hot_remote += (unsigned)report_cpu(out, rt, pv, (unsigned)cpu,
								   &o.place[p], nodes, &miss, &pr);
				hot_placed += pr;
			}
			if (o.hotadd && o.wait_hotadd <= 0 && !hot_noted) {
				/* fewer than asked: said, never silent */
				unsigned long asked = hot_count ? hot_count :
					pcpu_cpuset_count(&hot_set);

				hot_noted = 1;
				if (hot < asked)
					fprintf(stderr, "pcpubench numa: --hotadd %s: %lu "
						"CPU(s) hot-added of %lu asked (the others "
						"are present at start or not possible)\n",
						bc_arg(o.hotadd), (unsigned long)hot, asked);
			}
			if (o.late_set && late < want_late && !late_noted++)
				bc_clamp_note("numa", "late", want_late, late,
					      "fewer present CPUs were offline");
			{
				const char *pv[NPV] = { sname, aname, lname, topo_kind,
							o.place_name[p], "all", "late" };

				pout_row(out, pv, 0, "late_cpus", late, "cpus", "ok");
				pout_row(out, pv, 0, "late_cpus_remote_pages", late_remote,
					 "pages", late ? "ok" :
					 "na:no-late-cpu(no present CPU was left offline)");
				pv[6] = "hotadded";
				pout_row(out, pv, 0, "hotadded_cpus", hot, "cpus", "ok");
				pout_row(out, pv, 0, "hotadded_cpus_remote_pages", hot_remote,
					 "pages", hot ? "ok" :
					 "na:no-absent-cpu(every possible CPU was present; see --present)");
				pout_row(out, pv, 0, "hotadded_units_remote", hot_placed,
					 "cpus", hot ? "derived" :
					 "na:no-absent-cpu(every possible CPU was present; see --present)");
			}
			if (o.place[p].kind == PCPU_PLACE_LOCAL && miss) {
				fprintf(stderr, "pcpubench numa: %s local: %u CPU(s) have "
					"pages off the node their unit was placed for\n",
					sname, miss);
				ret = EXIT_FAIL;
			}
			pcpu_rt_fini(rt);
		}
	}
	{
		struct pcpu_topo t;

		if (!pcpu_topo_load(&t, NULL, err, sizeof(err))) {
			bool multi = t.nr_host_nodes > 1;
			const char *pv[NPV] = { "vm-area", pcpu_access_name(PCPU_A_SHIFT),
						pcpu_layout_name(PCPU_L_VM), "host",
						"-", "-", "matrix" };

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
