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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-common.h"
#include "numa-matrix.h"
#include "opts.h"
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
	struct opts_common oc;	/* cfg, --strategy, --page, --format, -o */
	unsigned late;
	bool late_set;
	const char *hotadd;	/* NULL: 1 absent CPU if any; "N" or a cpulist */
	double wait_hotadd;	/* > 0: wait that long for a real hot-add */
	char sysfs_possible[4096], sysfs_present[4096];
	int matrix;		/* -1 auto, 0 off, 1 on */
	size_t matrix_bytes;
	unsigned repeat;
	struct pcpu_cpuset hot_set;	/* --hotadd as a cpulist */
	unsigned long hot_count;	/* --hotadd as a count */
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

#define NPV NUMA_NPV
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

static const struct opt_spec numa_spec[] = {
	OPT_C(STRATEGY, "comma list or 'all' (default all available)"),
	OPT_C(LAYOUT, NULL),
	OPT_C(LATE_NODE,
"what init knows about the node of a CPU absent at init:\n"
"roundrobin (default), topology, boot, node:N. Default\n"
"from evidence: the Debian 6.1 kernel of the guest tests\n"
"(2 nodes, CPUs 4-9 possible but absent) gave them nodes\n"
"0,1,0,1,0,1 round-robin, and a vCPU hot-added on node 1\n"
"became CPU 4 with its per-CPU memory on node 0; topology\n"
"is firmware that told the truth and predictable ids (the\n"
"host topology has no node for an id absent from sysfs:\n"
"the PU list wraps round, a guess too), boot the 2006\n"
"case (every absent CPU on the boot CPU's node)"),
	OPT_CX(PLACEMENT, "LIST",
"local, interleave, node:N (default local,node:0,interleave)\n"
"local: the node the layout placed the unit for", OPTF_LIST, 0, 0),
	OPT_C(POSSIBLE, "possible CPUs (default: the topology's; 'sysfs': this\n"
			"machine's /sys/devices/system/cpu/possible)"),
	OPT_C(PRESENT, "CPUs present at start (default: all possible; 'sysfs':\n"
		       "this machine's present CPUs now); the rest can be\n"
		       "hot-added"),
	OPT_C(ONLINE, "CPUs online at start (default: all present but --late)"),
	OPT_OWN('L', "late", "N", "present CPUs to online after start (default 1 when\n"
				  "possible)"),
	OPT_OWN('H', "hotadd", "N|LIST",
"absent CPUs to hot-add and online after start: a count\n"
"(the lowest absent ids) or a cpulist (\"4-4\" for CPU 4)\n"
"(default 1 when a CPU is absent). With the host\n"
"topology the hot-added CPU's node is read from sysfs\n"
"then: a CPU really hot-added (QMP in the guest tests)\n"
"is replayed against what init knew before it came"),
	OPT_OWN('W', "wait-hotadd", "S",
"instead of --hotadd: after the boot and late phases,\n"
"wait up to S seconds for this machine to gain a CPU\n"
"(sysfs present; QMP device_add in the guest tests),\n"
"then hot-add and online it in the runtime. One\n"
"strategy and one placement; says on stderr when ready"),
	OPT_C(PAGE, "backing: 4k, thp (2m), hugetlb (default 4k)"),
	OPT_C(TOPOLOGY, "host, synthetic:<hwloc>, xml:<file> (default host;\n"
			"nodes of a synthetic topology map onto the host's)"),
	OPT_OWN('m', "matrix", "on|off|auto", "the latency matrix (default auto: >1 node)"),
	OPT_OWN('B', "matrix-bytes", "B", "unit walked by the matrix (default 64 MiB; a power of\n"
					  "two, 64 KiB to 1 GiB)"),
	OPT_OUTPUT_END
};

static const struct opts_cmd numa_cmd = {
	.name = "numa",
	.spec = numa_spec,
	.head =
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
"placed on node j, walked from a CPU of node i; phase matrix).\n\n",
	.tail =
"\nColumns: strategy, access, layout, topology (host, synthetic or xml: the\n"
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
"3 output not written, 4 cannot run here (no move_pages).\n",
};

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

static const char *const numa_params[NPV] = { "strategy", "access", "layout",
					      "topology", "placement", "cpu",
					      "phase" };

/* One run of the command. */
struct numa_run {
	struct numa_opts o;
	struct pout *out;
	int *nodes;		/* MAX_PAGES page nodes */
	int late_noted, hot_noted;
	char onl[4096];		/* --online computed for --late */
	char err[256];
};

/* One strategy x placement point and its counts. */
struct numa_point {
	int i, p;
	const char *sname, *aname, *lname;
	unsigned want_late, late, late_remote, miss, pr;
	unsigned hot, hot_remote, hot_placed;
};

/* numa's own options. Return: 0; -EINVAL (message printed). */
static int numa_own(void *ctx, int c, const char *arg)
{
	struct numa_opts *o = ctx;
	unsigned long v;

	switch (c) {
	case 'W':
		if (bc_double(arg, &o->wait_hotadd) || o->wait_hotadd <= 0 ||
		    o->wait_hotadd > 3600) {
			fprintf(stderr, "pcpubench numa: --wait-hotadd '%s': want "
				"seconds > 0\n", arg);
			return -EINVAL;
		}
		return 0;
	case 'H':
		if (parse_hotadd(arg, &o->hot_set, &o->hot_count)) {
			fprintf(stderr, "pcpubench numa: --hotadd '%s': want a "
				"count or a cpulist\n", arg);
			return -EINVAL;
		}
		o->hotadd = arg;
		return 0;
	case 'L':
		if (bc_count("numa", "late", arg, 0, PCPU_NR_CPUS, &v))
			return -EINVAL;
		o->late = (unsigned)v;
		o->late_set = true;
		return 0;
	case 'B':
		/* A chain of at least a few pages; at most 1 GiB. */
		if (bc_count("numa", "matrix-bytes", arg, NUMA_MATRIX_MIN,
			     1UL << 30, &v))
			return -EINVAL;
		if (v & (v - 1)) {
			fprintf(stderr, "pcpubench numa: --matrix-bytes %lu: "
				"want a power of two (the unit size)\n", v);
			return -EINVAL;
		}
		o->matrix_bytes = v;
		return 0;
	default:	/* 'm' */
		if (!strcmp(arg, "on"))
			o->matrix = 1;
		else if (!strcmp(arg, "off"))
			o->matrix = 0;
		else if (!strcmp(arg, "auto"))
			o->matrix = -1;
		else {
			fprintf(stderr, "pcpubench numa: --matrix on, off or auto\n");
			return -EINVAL;
		}
		return 0;
	}
}

/* Options. Return: as opts_parse(). */
static int numa_read_opts(struct numa_opts *o, int argc, char **argv)
{
	struct opts_common *oc = &o->oc;
	int r;

	opts_init(oc);
	oc->page = "4k";
	oc->placement = "local,node:0,interleave";
	o->matrix = -1;
	o->matrix_bytes = 64UL << 20;
	r = opts_parse(&numa_cmd, argc, argv, oc, numa_own, o);
	if (r)
		return r;
	if (oc->cfg.topology)
		topo_kind = !strncmp(oc->cfg.topology, "synthetic:", 10) ?
			    "synthetic" : !strncmp(oc->cfg.topology, "xml:", 4) ?
			    "xml" : "host";
	return 0;
}

/* The placements of @places. Return: 0; an exit code (message). */
static int numa_placements(struct numa_opts *o, const char *places)
{
	char list[BC_MAX_LIST][64];
	int i, n;

	n = bc_split(places, list, MAX_PLACEMENTS);
	if (n <= 0) {
		fprintf(stderr, "pcpubench numa: bad --placement list '%s'\n", places);
		return EXIT_USAGE;
	}
	for (i = 0; i < n; i++) {
		if (bc_placement("numa", list[i], &o->place[i]))
			return EXIT_USAGE;
		pcpu_placement_format(&o->place[i], o->place_name[i],
				      sizeof(o->place_name[i]));
	}
	o->nplace = n;
	return 0;
}

/* The points to run, checked as for the run. Return: 0; an exit code. */
static int numa_plan(struct numa_opts *o)
{
	int i, r;

	if (sysfs_set("possible", &o->oc.cfg.possible, o->sysfs_possible,
		      sizeof(o->sysfs_possible)) ||
	    sysfs_set("present", &o->oc.cfg.present, o->sysfs_present,
		      sizeof(o->sysfs_present)))
		return EXIT_SKIP;
	o->nstrat = bc_strategy_pairs("numa", o->oc.strategy, o->strat,
				      PCPU_NR_STRATEGIES, o->oc.cfg.layout);
	if (o->nstrat < 0)
		return EXIT_USAGE;
	r = numa_placements(o, o->oc.placement);
	if (r)
		return r;
	if (o->wait_hotadd > 0 && (o->nstrat != 1 || o->nplace != 1 || o->hotadd)) {
		fprintf(stderr, "pcpubench numa: --wait-hotadd takes one strategy and "
			"one placement, and no --hotadd (a real hot-add happens once)\n");
		return EXIT_USAGE;
	}
	r = bc_out_check("numa", o->oc.out);
	for (i = 0; !r && i < o->nplace; i++) {
		struct pcpu_config dc = o->oc.cfg;

		dc.placement = o->place[i];
		r = bc_dry_run_rt("numa", &dc, o->strat, o->nstrat);
	}
	return r;
}

/*
 * Leave room for the late CPUs: unless told otherwise, online all
 * present but the last --late ones (the count from a probe runtime).
 * Return: 0; -errno (message in nr->err).
 */
static int numa_online(struct numa_run *nr, struct numa_point *pt,
		       struct pcpu_config *cfg)
{
	const struct numa_opts *o = &nr->o;
	struct pcpu_rt *probe;
	unsigned np;
	int r;

	if (cfg->online) {
		pt->want_late = o->late_set ? o->late : 1;
		return 0;
	}
	r = pcpu_rt_init(&probe, cfg, nr->err, sizeof(nr->err));
	if (r)
		return r;
	np = pcpu_cpuset_count(pcpu_rt_present(probe));
	pt->want_late = o->late_set ? o->late : (np > 1 ? 1 : 0);
	if (pt->want_late >= np) {
		if (!nr->late_noted++)
			bc_clamp_note("numa", "late", pt->want_late, np - 1,
				      "one of the present CPUs must be online "
				      "at start");
		pt->want_late = np - 1;
	}
	snprintf(nr->onl, sizeof(nr->onl), "%u", np - pt->want_late);
	pcpu_rt_fini(probe);
	cfg->online = nr->onl;
	return 0;
}

/* tls with a huge backing: NA rows, as in access. */
static void numa_emit_na(struct numa_run *nr, const struct numa_point *pt)
{
	const char *pv[NPV] = { pt->sname, pt->aname, pt->lname, topo_kind,
				nr->o.place_name[pt->p], "all", "boot" };
	char na[300];

	if (pt->p == 0)
		fprintf(stderr, "pcpubench numa: %s: not supported (NA rows): "
			"%s\n", pt->sname, nr->err);
	bc_na_status(na, sizeof(na), "not-supported", nr->err);
	pout_row(nr->out, pv, 0, "pages", NAN, "pages", na);
	pout_row(nr->out, pv, 0, "local_fraction", NAN, "ratio", na);
	pout_row(nr->out, pv, 0, "policy_fraction", NAN, "ratio", na);
}

/* Rows of CPU @cpu in @phase. Return: its remote pages. */
static unsigned numa_cpu(struct numa_run *nr, struct numa_point *pt,
			 struct pcpu_rt *rt, int cpu, const char *phase)
{
	char cpu_s[16];
	const char *pv[NPV] = { pt->sname, pt->aname, pt->lname, topo_kind,
				nr->o.place_name[pt->p], cpu_s, phase };

	snprintf(cpu_s, sizeof(cpu_s), "%d", cpu);
	return (unsigned)report_cpu(nr->out, rt, pv, (unsigned)cpu,
				    &nr->o.place[pt->p], nr->nodes, &pt->miss,
				    &pt->pr);
}

/* Phase boot: the CPUs online at start. */
static void numa_phase_boot(struct numa_run *nr, struct numa_point *pt,
			    struct pcpu_rt *rt)
{
	struct pcpu_cpuset on;
	int cpu;

	pcpu_rt_online_set(rt, &on);
	pcpu_for_each_cpu(cpu, &on)
		numa_cpu(nr, pt, rt, cpu, "boot");
}

/* Phase late: CPUs onlined after start, the 2006 question. */
static void numa_phase_late(struct numa_run *nr, struct numa_point *pt,
			    struct pcpu_rt *rt)
{
	int cpu;

	pcpu_for_each_cpu(cpu, pcpu_rt_present(rt)) {
		if (pt->late >= pt->want_late)
			break;
		if (pcpu_cpu_online_p(rt, (unsigned)cpu))
			continue;
		if (pcpu_cpu_online(rt, (unsigned)cpu))
			continue;
		pt->late++;
		pt->late_remote += numa_cpu(nr, pt, rt, cpu, "late");
	}
}

/* Phase hotadded: CPUs absent at start arrive, then come online (or a
 * real hot-add, waited for). */
static void numa_phase_hotadd(struct numa_run *nr, struct numa_point *pt,
			      struct pcpu_rt *rt)
{
	const struct numa_opts *o = &nr->o;
	bool listed = o->hotadd && !o->hot_count;
	int cpu;

	if (o->wait_hotadd > 0) {
		pt->hot = wait_hotadd(o, nr->out, rt, pt->p, pt->sname, pt->aname,
				      pt->lname, nr->nodes, &pt->miss,
				      &pt->hot_remote, &pt->hot_placed);
		return;
	}
	pcpu_for_each_cpu(cpu, pcpu_rt_possible(rt)) {
		if (pcpu_cpuset_test(pcpu_rt_present(rt), (unsigned)cpu))
			continue;
		if (listed ? !pcpu_cpuset_test(&o->hot_set, (unsigned)cpu) :
		    pt->hot >= (o->hotadd ? o->hot_count : 1))
			continue;
		if (pcpu_cpu_hotadd(rt, (unsigned)cpu) ||
		    pcpu_cpu_online(rt, (unsigned)cpu))
			continue;
		pt->hot++;
		pt->hot_remote += numa_cpu(nr, pt, rt, cpu, "hotadded");
		pt->hot_placed += pt->pr;
	}
}

/* Fewer late or hot-added CPUs than asked: said, never silent. */
static void numa_note_short(struct numa_run *nr, const struct numa_point *pt)
{
	const struct numa_opts *o = &nr->o;

	if (o->hotadd && o->wait_hotadd <= 0 && !nr->hot_noted) {
		unsigned long asked = o->hot_count ? o->hot_count :
				      pcpu_cpuset_count(&o->hot_set);

		nr->hot_noted = 1;
		if (pt->hot < asked)
			fprintf(stderr, "pcpubench numa: --hotadd %s: %lu "
				"CPU(s) hot-added of %lu asked (the others "
				"are present at start or not possible)\n",
				bc_arg(o->hotadd), (unsigned long)pt->hot, asked);
	}
	if (o->late_set && pt->late < pt->want_late && !nr->late_noted++)
		bc_clamp_note("numa", "late", pt->want_late, pt->late,
			      "fewer present CPUs were offline");
}

/* The point's totals. */
static void numa_emit_totals(struct numa_run *nr, const struct numa_point *pt)
{
	static const char no_absent[] =
		"na:no-absent-cpu(every possible CPU was present; see --present)";
	const char *pv[NPV] = { pt->sname, pt->aname, pt->lname, topo_kind,
				nr->o.place_name[pt->p], "all", "late" };
	struct pout *out = nr->out;

	pout_row(out, pv, 0, "late_cpus", pt->late, "cpus", "ok");
	pout_row(out, pv, 0, "late_cpus_remote_pages", pt->late_remote,
		 "pages", pt->late ? "ok" :
		 "na:no-late-cpu(no present CPU was left offline)");
	pv[6] = "hotadded";
	pout_row(out, pv, 0, "hotadded_cpus", pt->hot, "cpus", "ok");
	pout_row(out, pv, 0, "hotadded_cpus_remote_pages", pt->hot_remote,
		 "pages", pt->hot ? "ok" : no_absent);
	pout_row(out, pv, 0, "hotadded_units_remote", pt->hot_placed,
		 "cpus", pt->hot ? "derived" : no_absent);
}

/*
 * Strategy @i under placement @p: the three phases and their rows; *fail
 * set when a page is off its node under local.
 * Return: 0; an exit code when the runtime cannot start (the output
 * aborted).
 */
static int numa_point(struct numa_run *nr, int i, int p, bool *fail)
{
	const struct numa_opts *o = &nr->o;
	struct numa_point pt = { .i = i, .p = p };
	struct pcpu_config cfg = o->oc.cfg;
	struct pcpu_rt *rt;
	int r;

	pt.sname = pcpu_strategy_name(o->strat[i]);
	pt.aname = pcpu_access_name(pcpu_strategy_access(o->strat[i]));
	pt.lname = pcpu_layout_name(pcpu_strategy_layout_with(o->strat[i],
							      cfg.layout));
	cfg.strategy = o->strat[i];
	cfg.placement = o->place[p];
	r = numa_online(nr, &pt, &cfg);
	if (!r)
		r = pcpu_rt_init(&rt, &cfg, nr->err, sizeof(nr->err));
	if (r == -ENOTSUP && o->nstrat > 1) {
		numa_emit_na(nr, &pt);
		return 0;
	}
	if (r) {
		fprintf(stderr, "pcpubench numa: %s %s: %s\n", pt.sname,
			o->place_name[p], nr->err[0] ? nr->err : strerror(-r));
		pout_abort(nr->out);
		return bc_rt_exit(r, &cfg);
	}
	numa_phase_boot(nr, &pt, rt);
	numa_phase_late(nr, &pt, rt);
	numa_phase_hotadd(nr, &pt, rt);
	numa_note_short(nr, &pt);
	numa_emit_totals(nr, &pt);
	pcpu_rt_fini(rt);
	if (o->place[p].kind == PCPU_PLACE_LOCAL && pt.miss) {
		fprintf(stderr, "pcpubench numa: %s local: %u CPU(s) have "
			"pages off the node their unit was placed for\n",
			pt.sname, pt.miss);
		*fail = true;
	}
	return 0;
}

/* Every point, then the matrix. Return: an exit code. */
static int numa_run_all(struct numa_run *nr)
{
	bool fail = false;
	char ln[32];
	int i, p, r;

	pout_meta(nr->out, "page", nr->o.oc.page);
	pcpu_late_node_format(&nr->o.oc.cfg.late_node, ln, sizeof(ln));
	pout_meta(nr->out, "late_node", ln);
	for (i = 0; i < nr->o.nstrat; i++) {
		for (p = 0; p < nr->o.nplace; p++) {
			r = numa_point(nr, i, p, &fail);
			if (r)
				return r;
		}
	}
	numa_matrix(nr->out, &nr->o.oc.cfg, nr->o.matrix, nr->o.matrix_bytes);
	r = bc_out_close("numa", nr->out);
	return r ? r : fail ? EXIT_FAIL : EXIT_OK;
}

int cmd_numa(int argc, char **argv)
{
	static struct numa_run nr;
	int r;

	memset(&nr, 0, sizeof(nr));
	r = numa_read_opts(&nr.o, argc, argv);
	if (r)
		return opts_exit(r);
	r = numa_plan(&nr.o);
	if (r)
		return r;
	if (bc_dry_run_stop("numa"))
		return EXIT_OK;
	nr.nodes = malloc(MAX_PAGES * sizeof(int));
	if (!nr.nodes)
		return EXIT_FAIL;
	r = bc_out_open("numa", &nr.out, nr.o.oc.fmt, nr.o.oc.out, "numa",
			numa_params, NPV);
	if (!r)
		r = numa_run_all(&nr);
	free(nr.nodes);
	return r;
}
