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
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench-common.h"
#include "kfacts-read.h"
#include "pcpu-out.h"
#include "pcpubench.h"

#define CMD "pcpubench kfacts"

static void usage(FILE *f)
{
	fprintf(f,
"usage: pcpubench kfacts [--log FILE] [--meminfo FILE] [--cmdline FILE]\n"
"                        [--sysfs DIR] [--topology NAME] [--boot LABEL]\n"
"                        [--format csv|json|text] [-o FILE]\n"
"The running kernel's per-CPU layout from its boot lines (/dev/kmsg, else\n"
"syslog(2)), /proc/meminfo and sysfs; no module, nothing changed.\n"
"  --log FILE      read the boot lines from FILE (dmesg text, kmsg records,\n"
"                  a serial console log) instead of the kernel's log\n"
"  --meminfo FILE, --cmdline FILE, --sysfs DIR  instead of /proc/meminfo,\n"
"                  /proc/cmdline, /sys/devices/system\n"
"  --topology NAME the rows' topology column (default host)\n"
"  --boot LABEL    the rows' boot column (default running)\n"
"Rows: kfacts: topology,boot,allocator,cpu. A fact that cannot be had is\n"
"NA with the reason (e.g. kernel.dmesg_restrict, rotated out of the ring\n"
"buffer); exit 0 then too.\n");
}

struct kctx {
	struct pout *out;
	const char *topo, *boot, *alloc;
	const struct kf_sys *sys;
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

int cmd_kfacts(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "log", required_argument, NULL, 'l' },
		{ "meminfo", required_argument, NULL, 'm' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "sysfs", required_argument, NULL, 's' },
		{ "topology", required_argument, NULL, 't' },
		{ "boot", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const params[] = { "topology", "boot", "allocator", "cpu" };
	struct kf_paths p = { 0 };
	const char *outp = NULL, *fmt = NULL;
	struct pcpu_kfacts *kf;
	struct kf_derived d;
	struct kf_sys *sys;
	struct kctx c = { .topo = "host", .boot = "running" };
	enum pout_format f;
	char b[320], cpus[32];
	int opt, ret, i, cpu, maxcpu;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'l': p.log = optarg; break;
		case 'm': p.meminfo = optarg; break;
		case 'c': p.cmdline = optarg; break;
		case 's': p.sysfs = optarg; break;
		case 't': c.topo = optarg; break;
		case 'b': c.boot = optarg; break;
		case 'f': fmt = optarg; break;
		case 'o': outp = optarg; break;
		default:
			return bc_help_or_bad(opt, usage);
		}
	}
	if (bc_no_extra_args(CMD, argc, argv, optind))
		return EXIT_USAGE;
	f = bc_default_format(outp);
	if (fmt && pout_format_parse(fmt, &f)) {
		fprintf(stderr, CMD ": bad --format '%s' (csv, json, text)\n", fmt);
		return EXIT_USAGE;
	}
	if (!*c.topo || strpbrk(c.topo, ",\"\n") || !*c.boot ||
	    strpbrk(c.boot, ",\"\n")) {
		fprintf(stderr, CMD ": --topology and --boot take a word (no comma or quote)\n");
		return EXIT_USAGE;
	}
	ret = bc_out_check(CMD, outp);
	if (ret)
		return ret;
	if (bc_dry_run_stop("kfacts"))
		return EXIT_OK;

	kf = malloc(sizeof(*kf));
	sys = malloc(sizeof(*sys));
	if (!kf || !sys) {
		free(kf);
		free(sys);
		fprintf(stderr, CMD ": out of memory\n");
		return EXIT_FAIL;
	}
	kf_read(&p, kf, sys);
	kf_derive(kf, sys, &d);
	c.sys = sys;
	c.alloc = pcpu_kfacts_alloc_name(kf->allocator);

	ret = bc_out_open(CMD, &c.out, f, outp, "kfacts", params, 4);
	if (ret)
		goto out;
	pout_meta(c.out, "log_source", sys->log_source);
	pout_meta(c.out, "log_problem", sys->why[0] ? sys->why : "none");
	snprintf(b, sizeof(b), "%d", sys->dmesg_restrict);
	pout_meta(c.out, "kernel.dmesg_restrict", sys->dmesg_restrict < 0 ? "unknown" : b);
	pout_meta(c.out, "percpu_alloc_cmdline",
		  pcpu_kfacts_known(kf, PCPU_KF_CMDLINE_ALLOC) ? kf->cmdline_alloc : "(not given)");
	pout_meta(c.out, "alloc_word", kf->alloc_word[0] ? kf->alloc_word : "unknown");
	if (kf->malformed || kf->inconsistent)
		pout_meta(c.out, "parse_note", kf->note);

	/* the facts of the boot lines, one metric each */
	for (i = 0; i < PCPU_KF_NR_FIELDS; i++) {
		unsigned long long v;

		if (!pcpu_kfacts_get(kf, i, &v))
			row(&c, "-", pcpu_kfacts_field_name(i), (double)v,
			    pcpu_kfacts_field_unit(i), "ok");
		else
			row(&c, "-", pcpu_kfacts_field_name(i), 0,
			    pcpu_kfacts_field_unit(i), fact_na(&c, kf, i, b, sizeof(b)));
	}
	if (pcpu_kfacts_known(kf, PCPU_KF_ALLOCATOR))
		row(&c, "-", "fallback_to_page", kf->fallback ? 1 : 0, "bool", "ok");
	else
		row(&c, "-", "fallback_to_page", 0, "bool",
		    fact_na(&c, kf, PCPU_KF_NR_FIELDS, b, sizeof(b)));

	if (sys->sets_known) {
		row(&c, "-", "possible_cpus", d.nr_possible, "cpus", "ok");
		row(&c, "-", "present_cpus", d.nr_present, "cpus", "ok");
		row(&c, "-", "online_cpus", d.nr_online, "cpus", "ok");
	} else {
		bc_na_status(b, sizeof(b), "no-sysfs", "cpu/possible, present, online unreadable");
		row(&c, "-", "possible_cpus", 0, "cpus", b);
		row(&c, "-", "present_cpus", 0, "cpus", b);
		row(&c, "-", "online_cpus", 0, "cpus", b);
	}
	if (d.unit_known && sys->sets_known) {
		row(&c, "-", "first_chunk_possible_bytes", (double)d.possible_bytes,
		    "bytes", "derived");
		row(&c, "-", "first_chunk_online_bytes", (double)d.online_bytes,
		    "bytes", "derived");
	} else {
		if (!d.unit_known)
			fact_na(&c, kf, PCPU_KF_UNIT, b, sizeof(b));
		else
			bc_na_status(b, sizeof(b), "no-sysfs", "CPU sets unreadable");
		row(&c, "-", "first_chunk_possible_bytes", 0, "bytes", b);
		row(&c, "-", "first_chunk_online_bytes", 0, "bytes", b);
	}
	if (sys->numa_known && pcpu_kfacts_known(kf, PCPU_KF_UNITS))
		row(&c, "-", "cpus_off_group_node", d.off_node, "cpus", "derived");
	else
		row(&c, "-", "cpus_off_group_node", 0, "cpus",
		    !sys->numa_known ?
		    bc_na_status(b, sizeof(b), "no-numa-sysfs",
				 "no /sys/devices/system/node") :
		    fact_na(&c, kf, PCPU_KF_NR_GROUPS, b, sizeof(b)));

	/* per CPU: every possible CPU and every CPU the units list */
	maxcpu = -1;
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

		if (!poss && g < 0)
			continue;
		snprintf(cpus, sizeof(cpus), "%d", cpu);
		if (g >= 0)
			row(&c, cpus, "unit_group", g, "group", "ok");
		else
			row(&c, cpus, "unit_group", 0, "group",
			    pcpu_kfacts_known(kf, PCPU_KF_UNITS) ?
			    bc_na_status(b, sizeof(b), "not-listed",
					 "the CPU is in no unit of the boot lines") :
			    fact_na(&c, kf, PCPU_KF_NR_GROUPS, b, sizeof(b)));
		if (sys->cpu_node[cpu] >= 0)
			row(&c, cpus, "cpu_node", sys->cpu_node[cpu], "node", "ok");
		else
			row(&c, cpus, "cpu_node", 0, "node",
			    bc_na_status(b, sizeof(b), sys->numa_known ? "no-node" : "no-numa-sysfs",
					 sys->numa_known ? "not present: sysfs gives it no node yet"
					 : "no /sys/devices/system/node"));
		if (g >= 0 && g < 64 && d.group_node[g] >= 0)
			row(&c, cpus, "group_node", d.group_node[g], "node", "derived");
		else
			row(&c, cpus, "group_node", 0, "node",
			    g < 0 ? "na:not-listed" :
			    !sys->numa_known ? "na:no-numa-sysfs" :
			    g < 64 && d.group_node[g] == -2 ?
			    "na:no-group-node(one group over several nodes or a tie)" :
			    "na:no-node(no CPU of the group has a node in sysfs)");
		if (sys->sets_known) {
			row(&c, cpus, "present", pcpu_cpuset_test(&sys->present, cpu), "bool", "ok");
			row(&c, cpus, "online", pcpu_cpuset_test(&sys->online, cpu), "bool", "ok");
		}
	}
	ret = bc_out_close(CMD, c.out);
out:
	free(kf);
	free(sys);
	return ret;
}
