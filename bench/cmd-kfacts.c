// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-kfacts.c - `pcpubench kfacts`: the running kernel's own per-CPU
 * layout, with no module: what it said at boot (allocator, pages per CPU,
 * static, module reserve, dynamic, unit and atom sizes, NR_CPUS and
 * nr_cpu_ids, the groups of the first chunk and their CPUs), Percpu in
 * /proc/meminfo now, and sysfs's possible/present/online CPUs and nodes;
 * derived: what the first chunk holds for possible against online CPUs,
 * the node of each group, CPUs whose unit sits in another node's group.
 *
 * Rows: bench kfacts, parameters topology (host, or what --topology
 * says: the guest step passes "guest"), boot (--boot, default running),
 * allocator (embed, page, remap, unknown), cpu ("-" for the kernel's
 * figures). A fact the kernel's log cannot give is NA with the reason:
 * the log restricted (and the sysctl), no log (a container), the lines
 * rotated out of the ring buffer (said only when the log shows it), or
 * not printed. Never fails for those: exit 0 with NA rows.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-common.h"
#include "kfacts-read.h"
#include "opts.h"
#include "pcpu-out.h"
#include "pcpubench.h"

#define CMD "pcpubench kfacts"

static const struct opt_spec kfacts_spec[] = {
	OPT_OWN('l', "log", "FILE", "read the boot lines from FILE (dmesg text, kmsg records,\n"
				    "a serial console log) instead of the kernel's log"),
	OPT_OWN('m', "meminfo", "FILE", "instead of /proc/meminfo"),
	OPT_OWN('c', "cmdline", "FILE", "instead of /proc/cmdline"),
	OPT_OWN('s', "sysfs", "DIR", "instead of /sys/devices/system"),
	OPT_OWN('t', "topology", "NAME", "the rows' topology column (default host)"),
	OPT_OWN('b', "boot", "LABEL", "the rows' boot column (default running)"),
	OPT_OUTPUT_END
};

static const struct opts_cmd kfacts_cmd = {
	.name = "kfacts",
	.spec = kfacts_spec,
	.head =
"usage: pcpubench kfacts [--log FILE] [--meminfo FILE] [--cmdline FILE]\n"
"                        [--sysfs DIR] [--topology NAME] [--boot LABEL]\n"
"                        [--format csv|json|text] [-o FILE]\n"
"The running kernel's per-CPU layout from its boot lines (/dev/kmsg, else\n"
"syslog(2)), /proc/meminfo and sysfs; no module, nothing changed.\n",
	.tail =
"Rows: kfacts: topology,boot,allocator,cpu. A fact that cannot be had is\n"
"NA with the reason (e.g. kernel.dmesg_restrict, rotated out of the ring\n"
"buffer); exit 0 then too.\n",
};

struct kctx {
	struct pout *out;
	const char *topo, *boot, *alloc;
	const struct kf_sys *sys;
};

/* One run of the command. */
struct kfacts_run {
	struct opts_common oc;
	struct kf_paths p;
	struct kctx c;
	struct pcpu_kfacts *kf;
	struct kf_sys *sys;
	struct kf_derived d;
};

static void row(struct kctx *c, const char *cpu, const char *metric,
		double v, const char *unit, const char *status)
{
	const char *pv[4] = { c->topo, c->boot, c->alloc, cpu };

	pout_row(c->out, pv, -1, metric, v, unit, status);
}

/* The NA status of a fact of the boot lines that is not known. */
static const char *fact_na(const struct kctx *c, const struct pcpu_kfacts *kf,
			   enum pcpu_kf_field f, char *b, size_t len)
{
	if (f == PCPU_KF_MEMINFO_PERCPU)
		return bc_na_status(b, len, "no-Percpu-line",
				    "/proc/meminfo has none (kernel before 4.16?)");
	if (c->sys->why[0])
		return bc_na_status(b, len, c->sys->why_word, c->sys->why);
	if (f == PCPU_KF_UNIT && kf->allocator == PCPU_KF_ALLOC_PAGE)
		return bc_na_status(b, len, "not-printed",
				    "the page allocator's line has no u; see pages_per_cpu");
	if (f == PCPU_KF_PAGE_SIZE && kf->allocator == PCPU_KF_ALLOC_EMBED)
		return bc_na_status(b, len, "not-printed",
				    "embed maps the units in the linear map: see kernel-numa map_page_bytes");
	return bc_na_status(b, len, "not-printed",
			    "the boot lines in the log do not give it");
}

/* kfacts' own options. Return: 0. */
static int kfacts_own(void *ctx, int c, const char *arg)
{
	struct kfacts_run *kr = ctx;

	switch (c) {
	case 'l': kr->p.log = arg; break;
	case 'm': kr->p.meminfo = arg; break;
	case 'c': kr->p.cmdline = arg; break;
	case 's': kr->p.sysfs = arg; break;
	case 't': kr->c.topo = arg; break;
	default: kr->c.boot = arg; break;	/* 'b' */
	}
	return 0;
}

/* Options, checked. Return: as opts_parse(). */
static int kfacts_read_opts(struct kfacts_run *kr, int argc, char **argv)
{
	int r;

	opts_init(&kr->oc);
	kr->c.topo = "host";
	kr->c.boot = "running";
	r = opts_parse(&kfacts_cmd, argc, argv, &kr->oc, kfacts_own, kr);
	if (r)
		return r;
	if (!*kr->c.topo || strpbrk(kr->c.topo, ",\"\n") || !*kr->c.boot ||
	    strpbrk(kr->c.boot, ",\"\n")) {
		fprintf(stderr, CMD ": --topology and --boot take a word (no comma or quote)\n");
		return -EINVAL;
	}
	return 0;
}

/* The metadata: where the log came from and what it said of itself. */
static void kfacts_emit_meta(struct kfacts_run *kr)
{
	const struct pcpu_kfacts *kf = kr->kf;
	const struct kf_sys *sys = kr->sys;
	struct pout *o = kr->c.out;
	char b[32];

	pout_meta(o, "log_source", sys->log_source);
	pout_meta(o, "log_problem", sys->why[0] ? sys->why : "none");
	snprintf(b, sizeof(b), "%d", sys->dmesg_restrict);
	pout_meta(o, "kernel.dmesg_restrict", sys->dmesg_restrict < 0 ? "unknown" : b);
	pout_meta(o, "percpu_alloc_cmdline",
		  pcpu_kfacts_known(kf, PCPU_KF_CMDLINE_ALLOC) ? kf->cmdline_alloc : "(not given)");
	pout_meta(o, "alloc_word", kf->alloc_word[0] ? kf->alloc_word : "unknown");
	if (kf->malformed || kf->inconsistent)
		pout_meta(o, "parse_note", kf->note);
}

/* The facts of the boot lines, one metric each, and the CPU sets. */
static void kfacts_emit_facts(struct kfacts_run *kr)
{
	const struct pcpu_kfacts *kf = kr->kf;
	const struct kf_sys *sys = kr->sys;
	struct kctx *c = &kr->c;
	char b[320];
	int i;

	for (i = 0; i < PCPU_KF_NR_FIELDS; i++) {
		unsigned long long v;

		if (!pcpu_kfacts_get(kf, i, &v))
			row(c, "-", pcpu_kfacts_field_name(i), (double)v,
			    pcpu_kfacts_field_unit(i), "ok");
		else
			row(c, "-", pcpu_kfacts_field_name(i), 0,
			    pcpu_kfacts_field_unit(i), fact_na(c, kf, i, b, sizeof(b)));
	}
	if (pcpu_kfacts_known(kf, PCPU_KF_ALLOCATOR))
		row(c, "-", "fallback_to_page", kf->fallback ? 1 : 0, "bool", "ok");
	else
		row(c, "-", "fallback_to_page", 0, "bool",
		    fact_na(c, kf, PCPU_KF_NR_FIELDS, b, sizeof(b)));
	if (sys->sets_known) {
		row(c, "-", "possible_cpus", kr->d.nr_possible, "cpus", "ok");
		row(c, "-", "present_cpus", kr->d.nr_present, "cpus", "ok");
		row(c, "-", "online_cpus", kr->d.nr_online, "cpus", "ok");
	} else {
		bc_na_status(b, sizeof(b), "no-sysfs", "cpu/possible, present, online unreadable");
		row(c, "-", "possible_cpus", 0, "cpus", b);
		row(c, "-", "present_cpus", 0, "cpus", b);
		row(c, "-", "online_cpus", 0, "cpus", b);
	}
}

/* Derived: what the first chunk holds, CPUs off their group's node. */
static void kfacts_emit_derived(struct kfacts_run *kr)
{
	const struct pcpu_kfacts *kf = kr->kf;
	const struct kf_sys *sys = kr->sys;
	const struct kf_derived *d = &kr->d;
	struct kctx *c = &kr->c;
	char b[320];

	if (d->unit_known && sys->sets_known) {
		row(c, "-", "first_chunk_possible_bytes", (double)d->possible_bytes,
		    "bytes", "derived");
		row(c, "-", "first_chunk_online_bytes", (double)d->online_bytes,
		    "bytes", "derived");
	} else {
		if (!d->unit_known)
			fact_na(c, kf, PCPU_KF_UNIT, b, sizeof(b));
		else
			bc_na_status(b, sizeof(b), "no-sysfs", "CPU sets unreadable");
		row(c, "-", "first_chunk_possible_bytes", 0, "bytes", b);
		row(c, "-", "first_chunk_online_bytes", 0, "bytes", b);
	}
	if (sys->numa_known && pcpu_kfacts_known(kf, PCPU_KF_UNITS))
		row(c, "-", "cpus_off_group_node", d->off_node, "cpus", "derived");
	else
		row(c, "-", "cpus_off_group_node", 0, "cpus",
		    !sys->numa_known ?
		    bc_na_status(b, sizeof(b), "no-numa-sysfs",
				 "no /sys/devices/system/node") :
		    fact_na(c, kf, PCPU_KF_NR_GROUPS, b, sizeof(b)));
}

/* The rows of CPU @cpu, in group @g (-1: none listed). */
static void kfacts_emit_cpu(struct kfacts_run *kr, int cpu, int g)
{
	const struct pcpu_kfacts *kf = kr->kf;
	const struct kf_sys *sys = kr->sys;
	const struct kf_derived *d = &kr->d;
	struct kctx *c = &kr->c;
	char b[320], nogroup[320] = "", cpus[32];

	snprintf(cpus, sizeof(cpus), "%d", cpu);
	/* No group: why, for unit_group and group_node alike. */
	if (g < 0 && pcpu_kfacts_known(kf, PCPU_KF_UNITS))
		bc_na_status(nogroup, sizeof(nogroup), "not-listed",
			     "the CPU is in no unit of the boot lines");
	else if (g < 0)
		fact_na(c, kf, PCPU_KF_NR_GROUPS, nogroup, sizeof(nogroup));
	if (g >= 0)
		row(c, cpus, "unit_group", g, "group", "ok");
	else
		row(c, cpus, "unit_group", 0, "group", nogroup);
	if (sys->cpu_node[cpu] >= 0)
		row(c, cpus, "cpu_node", sys->cpu_node[cpu], "node", "ok");
	else
		row(c, cpus, "cpu_node", 0, "node",
		    bc_na_status(b, sizeof(b), sys->numa_known ? "no-node" : "no-numa-sysfs",
				 sys->numa_known ? "not present: sysfs gives it no node yet"
				 : "no /sys/devices/system/node"));
	if (g >= 0 && g < 64 && d->group_node[g] >= 0)
		row(c, cpus, "group_node", d->group_node[g], "node", "derived");
	else
		row(c, cpus, "group_node", 0, "node",
		    g < 0 ? nogroup :
		    !sys->numa_known ? "na:no-numa-sysfs(no /sys/devices/system/node)" :
		    g < 64 && d->group_node[g] == -2 ?
		    "na:no-group-node(one group over several nodes or a tie)" :
		    "na:no-node(no CPU of the group has a node in sysfs)");
	if (sys->sets_known) {
		row(c, cpus, "present", pcpu_cpuset_test(&sys->present, cpu), "bool", "ok");
		row(c, cpus, "online", pcpu_cpuset_test(&sys->online, cpu), "bool", "ok");
	}
}

/* Per CPU: every possible CPU and every CPU the units list. */
static void kfacts_emit_cpus(struct kfacts_run *kr)
{
	const struct pcpu_kfacts *kf = kr->kf;
	const struct kf_sys *sys = kr->sys;
	int i, cpu, maxcpu = -1;

	if (sys->sets_known)
		pcpu_for_each_cpu(cpu, &sys->possible)
			maxcpu = cpu;
	for (i = 0; i < kf->nr_units_kept; i++)
		if (kf->units[i].cpu > maxcpu)
			maxcpu = kf->units[i].cpu;
	if (maxcpu >= PCPU_KF_MAX_UNITS)
		maxcpu = PCPU_KF_MAX_UNITS - 1;
	for (cpu = 0; cpu <= maxcpu; cpu++) {
		int g = pcpu_kfacts_group_of(kf, cpu);
		bool poss = sys->sets_known && pcpu_cpuset_test(&sys->possible, cpu);

		if (poss || g >= 0)
			kfacts_emit_cpu(kr, cpu, g);
	}
}

/* Read the facts. Return: 0; EXIT_FAIL (out of memory). */
static int kfacts_run(struct kfacts_run *kr)
{
	kr->kf = malloc(sizeof(*kr->kf));
	kr->sys = malloc(sizeof(*kr->sys));
	if (!kr->kf || !kr->sys) {
		fprintf(stderr, CMD ": out of memory\n");
		return EXIT_FAIL;
	}
	kf_read(&kr->p, kr->kf, kr->sys);
	kf_derive(kr->kf, kr->sys, &kr->d);
	kr->c.sys = kr->sys;
	kr->c.alloc = pcpu_kfacts_alloc_name(kr->kf->allocator);
	return 0;
}

/* Every row. Return: an exit code. */
static int kfacts_emit(struct kfacts_run *kr)
{
	static const char *const params[] = { "topology", "boot", "allocator", "cpu" };
	int ret;

	ret = bc_out_open("kfacts", &kr->c.out, kr->oc.fmt, kr->oc.out, "kfacts",
			  params, 4);
	if (ret)
		return ret;
	kfacts_emit_meta(kr);
	kfacts_emit_facts(kr);
	kfacts_emit_derived(kr);
	kfacts_emit_cpus(kr);
	return bc_out_close("kfacts", kr->c.out);
}

int cmd_kfacts(int argc, char **argv)
{
	static struct kfacts_run kr;
	int ret;

	memset(&kr, 0, sizeof(kr));
	ret = kfacts_read_opts(&kr, argc, argv);
	if (ret)
		return opts_exit(ret);
	ret = bc_out_check("kfacts", kr.oc.out);
	if (ret)
		return ret;
	if (bc_dry_run_stop("kfacts"))
		return EXIT_OK;
	ret = kfacts_run(&kr);
	if (!ret)
		ret = kfacts_emit(&kr);
	free(kr.kf);
	free(kr.sys);
	return ret;
}
