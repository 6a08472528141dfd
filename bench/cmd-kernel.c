// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-kernel.c - `pcpubench kernel`: the kernel's own per-CPU paths,
 * measured by the module in bench/kmod/ (see bench/kmod/kmod-main.c).
 *
 * Subcommands: access (the access workloads in kernel context, per online
 * CPU), numa (the node of the page behind every possible CPU's per-CPU
 * memory of each kind, against cpu_to_node()), churn (a kernel thread per
 * online CPU increments counters of every kind while this process offlines
 * and onlines CPUs through sysfs; no update may be lost, every online must
 * start from the template), load and unload (keep the module loaded across
 * several runs, e.g. around a CPU hot-add).
 *
 * Before anything is loaded every reason the module cannot run here is
 * checked and reported with exit 4: not root, no module built for this
 * kernel (and no headers to build one), module loading disabled, module
 * signature enforcement, lockdown, no debugfs. Only then is the module
 * loaded with finit_module(2); it is unloaded at the end unless it was
 * already loaded (by `pcpubench kernel load`). The module's text rows
 * (debugfs pcpubench/out) become tidy rows: bench kernel-access,
 * kernel-numa, kernel-churn. Timings taken under an emulator (QEMU TCG)
 * carry status flagged:emulated: they are not timings. The module judges
 * each timed point undisturbed (bench/kmod/kmod-quiet.h) under the retry
 * rules of bench-quiet.h, passed in its command; a point left disturbed
 * has its rows flagged:disturbed, and the counts are the step's quiet_*
 * metadata, as for access, workload and tlb.
 *
 * Test hook: PCPU_TEST_KMOD_OUT=FILE makes `kernel access` and `kernel
 * numa` (without --replug) take FILE as the module's answer to every
 * command: nothing is checked, loaded or unloaded (host tests of the
 * parsing and of a ./run.sh --kernel run; tests/t-cmd-kernel-quiet.sh).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "bench-common.h"
#include "bench-env.h"
#include "bench-quiet.h"
#include "kernel-kmod.h"
#include "kmod/kmod-quiet.h"
#include "opts.h"
#include "pcpu-hotplug.h"
#include "pcpu-out.h"
#include "pcpu-sysinfo.h"
#include "pcpubench.h"

#define MAX_CPUS_ARG 64
#define CMD KERNEL_CMD
/* T(2N) not above T(N): no measurement (left out, as access's). */
#define KNOTPOS "flagged:not-positive(T(2N) - T(N) <= 0: no measurement)"
/* How bq_meta() names the command on stderr. */
#define CMD_NAME_ACCESS "kernel access"
#define STR_(x) #x
#define STR(x) STR_(x)

struct kopts {
	struct opts_common oc;	/* --tries --repeat --allow-hotplug --format -o */
	const char *sub;
	const char *module;
	unsigned long iters;
	double duration, rate;
	int replug[MAX_CPUS_ARG], nreplug;
	int cpus[MAX_CPUS_ARG], ncpus;
	bool emulated, no_fold;
};

static const struct opt_spec kernel_spec[] = {
	OPT_OWN('m', "module", "FILE", "the module (default: $PCPU_KMOD, else\n"
				       "kmod/" KMOD_FILE " beside this program)"),
	OPT_OWN('n', "iters", "N", "access: operations per batch N (default 4096); each\n"
				   "sample is (t(2N) - t(N)) / N, as in `pcpubench access`"),
	OPT_CX(TRIES, NULL, "access: best of N runs of each batch (default 3)",
	       0, 1, 1000),
	OPT_CX(REPEAT, NULL, "access: repetitions (default 3)", 0, 1, 1000),
	OPT_OWN('R', "replug", "LIST", "numa: CPUs to take offline and bring back online\n"
				       "through sysfs before reading (default: none)"),
	OPT_OWN('d', "duration", "S", "churn: seconds of hotplug churn (default 2)"),
	OPT_OWN('a', "rate", "R", "churn: hotplug operations per second (default 20)"),
	OPT_OWN('c', "cpus", "LIST", "churn: CPUs to churn (default: every hotpluggable one)"),
	OPT_OWN_FLAG('F', "no-fold", "churn: free VM units without folding their counters\n"
				     "first, to test the check: lost_updates must be > 0\n"
				     "(exit 1)"),
	OPT_C(ALLOW_HOTPLUG, "the opt-in that churn and numa --replug need (they take\n"
			     "real CPUs offline), or PCPU_ALLOW_HOTPLUG=1; never\n"
			     "abbreviated"),
	OPT_OWN_FLAG('E', "emulated", "label the timings emulated (automatic under QEMU TCG)"),
	OPT_C(FORMAT, "text, csv, json (default: text on a terminal, else csv)"),
	OPT_C(OUTPUT, NULL),
	OPT_C(HELP, NULL),
	OPT_END
};

static const char *const kernel_exact[] = { "allow-hotplug", NULL };

static const struct opts_cmd kernel_cmd = {
	.name = "kernel",
	.spec = kernel_spec,
	.exact = kernel_exact,
	.head =
"usage: pcpubench kernel SUBCOMMAND [OPTIONS]\n"
"\n"
"The kernel's own per-CPU paths, measured in kernel context by the module\n"
"bench/kmod/pcpubench_kmod.ko (build it with `make kmod`, against\n"
"/lib/modules/$(uname -r)/build or KDIR=...). The command loads the module\n"
"(finit_module), runs, reads rows from debugfs and unloads it. It is\n"
"meant for a test machine: the test suite loads it only inside its qemu\n"
"guest.\n"
"\n"
"subcommands:\n"
"  access   per online CPU, on that CPU, preemption and interrupts off per\n"
"           timed batch: read, write, inc in modes throughput, latency,\n"
"           path, for k-segment (this_cpu_* on DEFINE_PER_CPU: %gs),\n"
"           k-offset-array (per_cpu_ptr(&v, smp_processor_id())),\n"
"           k-alloc-percpu (both paths on alloc_percpu() memory, access\n"
"           segment and table), k-vm-area (a module-owned VM range, unit at\n"
"           base + (cpu << shift), pages from alloc_pages_node(cpu_to_node)\n"
"           mapped by a CPU hotplug callback, filled from a template),\n"
"           k-hybrid (CPUs online at load: alloc_percpu; CPUs onlined\n"
"           later: the VM area; through the module's own table)\n"
"  numa     for every possible CPU: node of the page behind its static\n"
"           per-CPU slot, its alloc_percpu slot, its VM-area unit and its\n"
"           hybrid slot, against cpu_to_node(); phase boot (online at\n"
"           load), late (onlined after load), hotadded (not present at\n"
"           load), offline\n"
"  churn    a kernel thread per online CPU increments a counter of every\n"
"           kind while CPUs are offlined and onlined through sysfs (with\n"
"           the guardian that brings them back); VM units are folded\n"
"           before they are freed: lost_updates must be 0, every online\n"
"           must start from the template (exit 1 otherwise)\n"
"           (interrupted, the CPUs come back but the module stays loaded\n"
"           with its threads: `pcpubench kernel unload`)\n"
"  load     load the module and leave it loaded (later runs use it)\n"
"  unload   unload it\n"
"\n"
"options:\n",
	.tail =
"\n"
"Rows (columns bench, params, rep, metric, value, unit, status):\n"
"  kernel-access: strategy,access,layout,cpu,mode,op; metrics tsc_per_op\n"
"    (ticks), cycles_per_op (the PMU cycles counter where one opens on\n"
"    every CPU, else TSC ticks x the core clock calibrated with a dependent\n"
"    imul chain; meta cycles_source says which), ns_per_op, core_clock\n"
"    (GHz), batch_ops.\n"
"    Under an emulator every timing has status flagged:emulated.\n"
"    Undisturbed points: a point (its N and 2N batches after an untimed\n"
"    run, best of --tries runs each, preemption and interrupts off, so\n"
"    nothing in the kernel takes the CPU) is disturbed when the steal time\n"
"    the kernel accounted to its CPU (kcpustat steal, from the\n"
"    hypervisor's steal clock) moved, when 100 x (T(2N) - T0)/(T(N) - T0)\n"
"    lies outside " STR(KQ_BAND_LO_PCT) ".." STR(KQ_BAND_HI_PCT)
" (TSC; T0 an empty timed section, the clock\n"
"    reads), or when the best and second-best runs of a batch differ by\n"
"    more than " STR(KQ_AGREE_PCT) "% (TSC, and PMU cycles where read; differences under\n"
"    " STR(KQ_SLACK_TICKS) " ticks or cycles ignored). It is measured again, at most " STR(BQ_MAX_RETRIES) "\n"
"    extra times, within the run budget and saturation rule of `access`\n"
"    (bench-quiet.h); a point with no undisturbed attempt has its rows\n"
"    flagged:disturbed(reason ...), left out of medians and findings; a\n"
"    disturbed calibration flags the cycles it converts. The counts are\n"
"    metadata quiet_batches (attempts judged, an attempt: a point\n"
"    measured once), quiet_disturbed, quiet_retries,\n"
"    quiet_flagged_samples (points left disturbed). It cannot see: steal\n"
"    where the hypervisor has no steal clock (QEMU TCG; meta steal_clock\n"
"    says when none was ever accounted), steal before the tick that\n"
"    accounts it (it may fall on the next point), a slowdown that hits\n"
"    every run of both batches alike (an SMT sibling busy for the whole\n"
"    point).\n"
"    A T(2N) - T(N) <= 0 is flagged:not-positive, never ok, left out.\n"
"  kernel-numa: memory (static, alloc_percpu, vm_area, hybrid),cpu,phase;\n"
"    metrics cpu_node, present, online, onlines, page_node, pages_local,\n"
"    pages_remote (against cpu_to_node), template_mismatch_words,\n"
"    map_page_bytes (page size of the kernel mapping of the CPU's copy:\n"
"    its page-table level), in_vmalloc (1: a vmalloc-space address, 0:\n"
"    the linear map); memory kernel_static (the kernel's exported\n"
"    static per-CPU variables) and alloc_percpu (64 alloc_percpu objects):\n"
"    vars, pages_touched (distinct 4 KiB pages), map_pages_touched\n"
"    (distinct mapping pages: TLB entries) of that CPU's copies.\n"
"  kernel-churn: memory; metrics updates, counted, lost_updates,\n"
"    skipped_unmapped, folded; memory - : workers, onlines, offlines,\n"
"    template_ok, template_bad, hotplug_ops, hotplug_busy.\n"
"Not modelled: hotplug during `access` (held off by cpus_read_lock);\n"
"other per-CPU users' cache and TLB pressure (the loops run alone).\n"
"Exit: 0 ok, 1 a check failed, 2 usage error, 4 cannot run here (not\n"
"root, no module for this kernel and no headers to build one, signature\n"
"enforcement, lockdown, no debugfs, module loading disabled).\n",
};

static int parse_cpus(const char *s, int *cpus, int *n)
{
	char list[BC_MAX_LIST][64];
	int k, i;
	unsigned long v;

	if (!strcmp(s, "none")) {
		*n = 0;
		return 0;
	}
	k = bc_split(s, list, MAX_CPUS_ARG);
	if (k <= 0)
		return -EINVAL;
	for (i = 0; i < k; i++) {
		if (bc_ulong(list[i], &v) || v == 0 || v >= PCPU_HP_MAX_CPUS)
			return -EINVAL;
		cpus[i] = (int)v;
	}
	*n = k;
	return 0;
}

/* ---- subcommands ----------------------------------------------------- */

struct kinfo {
	char hypervisor[32];
	double tsc_khz;
	bool emulated;
};

static void read_info(struct kinfo *ki, bool force_emulated)
{
	char *buf = NULL, *line, *save = NULL, *f[8];
	struct pcpu_sysinfo si;

	memset(ki, 0, sizeof(*ki));
	strcpy(ki->hypervisor, "unknown");
	if (!kmod_ctl("info", &buf)) {
		for (line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			int n = kmod_fields(line, f, 8);

			if (n >= 3 && !strcmp(f[0], "I") && !strcmp(f[1], "hypervisor"))
				snprintf(ki->hypervisor, sizeof(ki->hypervisor), "%s", f[2]);
			if (n >= 3 && !strcmp(f[0], "I") && !strcmp(f[1], "tsc_khz"))
				ki->tsc_khz = atof(f[2]);
		}
	}
	free(buf);
	pcpu_sysinfo_read(&si);
	ki->emulated = force_emulated || !strcmp(ki->hypervisor, "TCGTCGTCGTCG") ||
		strstr(si.model_name, "TCG") != NULL;
}

static void meta_common(struct pout *o, const struct kinfo *ki, const char *mod)
{
	char v[64];

	pout_meta(o, "module", mod);
	pout_meta(o, "hypervisor", ki->hypervisor);
	pout_meta(o, "emulated", ki->emulated ? "yes: timings are not timings" : "no");
	snprintf(v, sizeof(v), "%.0f", ki->tsc_khz);
	pout_meta(o, "tsc_khz", v);
}

/* Did the module's PMU cycles counter open on every CPU ("I,pmu,CPU,0")? */
static bool all_pmu(const char *buf)
{
	const char *p;
	int ok = 0, bad = 0, cpu, err;

	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (sscanf(p, "I,pmu,%d,%d", &cpu, &err) == 2) {
			if (err)
				bad++;
			else
				ok++;
		}
	return ok && !bad;
}

/*
 * Run module command @cmd, then open the output of @bench with the common
 * metadata. Return: the output (the module's text in *@buf), or NULL with
 * the message printed and nothing to free.
 */
static struct pout *kopen(const struct kopts *o, const struct kinfo *ki,
			  const char *mod, const char *cmd, char **buf,
			  const char *bench, const char *const *params, size_t np)
{
	struct pout *out;
	int r = kmod_ctl(cmd, buf);

	if (r) {
		fprintf(stderr, CMD " %s: the module's '%s' failed: %s\n", o->sub, cmd,
			strerror(-r));
		return NULL;
	}
	if (pout_open(&out, o->oc.fmt, o->oc.out, bench, params, np)) {
		fprintf(stderr, CMD " %s: cannot write '%s'\n", o->sub, o->oc.out ? o->oc.out : "-");
		free(*buf);
		*buf = NULL;
		return NULL;
	}
	if (bc_command[0])
		pout_meta(out, "command", bc_command);
	meta_common(out, ki, mod);
	return out;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The module's quiet check over one access command: its counts (the S
 * line) into bq_counts, as if this process had judged the batches (an
 * attempt at a point is a batch); whether any CPU had steal accounted.
 * Return: true when the module sent its counts.
 */
static bool read_quiet(const char *buf, bool *steal_seen)
{
	struct bq_count *q = &bq_counts;
	unsigned long long v;
	bool counted = false;
	const char *p;
	int cpu;

	*steal_seen = false;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (sscanf(p, "S,%lu,%lu,%lu,%lu", &q->batches, &q->disturbed,
			   &q->retries, &q->flagged) == 4)
			counted = true;
		else if (sscanf(p, "I,steal,%d,%llu", &cpu, &v) == 2 && v)
			*steal_seen = true;
	return counted;
}

/* What a reason of the module's check (kmod-quiet.h) means, for the flag. */
static const char *kq_what(const char *why)
{
	if (!strcmp(why, "forced"))
		return "the test hook PCPU_TEST_DISTURB";
	if (!strcmp(why, "steal"))
		return "the hypervisor accounted steal time to the CPU";
	if (!strcmp(why, "band"))
		return "100 x (T(2N) - T0)/(T(N) - T0) outside "
			STR(KQ_BAND_LO_PCT) ".." STR(KQ_BAND_HI_PCT);
	if (!strcmp(why, "agree"))
		return "best and second-best runs " STR(KQ_AGREE_PCT) "%+ apart";
	return "reason unknown to this program";
}

/* The status of a point the module left disturbed ("" for a quiet one). */
static void kq_flag(char *buf, size_t len, const char *what, const char *why,
		    int attempts)
{
	if (!why || !strcmp(why, "quiet"))
		buf[0] = 0;
	else
		snprintf(buf, len, "flagged:disturbed(%s%s in %d of %d "
			 "attempts; %s: rerun on a quiet machine)", what, why,
			 attempts, attempts, kq_what(why));
}

static void quiet_meta(struct pout *out, bool counted, bool steal_seen)
{
	char b[640];

	snprintf(b, sizeof(b), "a point (N and 2N batches, best of the tries "
		 "each, preemption and interrupts off) is disturbed when the "
		 "steal time accounted to its CPU moved, 100 x (T(2N) - T0)/"
		 "(T(N) - T0) lies outside %d..%d (TSC; T0 an empty timed "
		 "section) or its best and second-best runs differ by > %d%% "
		 "(TSC, and PMU cycles where read; differences < %d ignored); "
		 "measured again up to %d times per point within "
		 "a run budget of half the attempts judged, none once most "
		 "attempts were disturbed; else flagged:disturbed. Unseen: steal "
		 "without a steal clock, a slowdown of every run alike",
		 KQ_BAND_LO_PCT, KQ_BAND_HI_PCT, KQ_AGREE_PCT, KQ_SLACK_TICKS,
		 BQ_MAX_RETRIES);
	pout_meta(out, "quiet_check", b);
	pout_meta(out, "steal_clock", steal_seen ?
		  "steal accounted on this machine: the check sees the "
		  "hypervisor take a CPU" :
		  "no steal accounted since boot (no steal clock here, or "
		  "nothing stolen yet): the check may not see the hypervisor");
	if (counted)	/* the counts, measure_seconds, a line on stderr */
		bq_meta(out, CMD_NAME_ACCESS, 1);
	else
		pout_meta(out, "quiet_batches", "na:the module sent no counts");
}

struct calib {
	int cpu, rep;
	double ratio;	/* core cycles per TSC tick */
	char flag[200];	/* flagged:disturbed(...), or "" */
};

/* The module's access command: its counts and the retry rules of
 * bench-quiet.h, with the test hook passed on. */
static void access_cmd(const struct kopts *o, char *cmd, size_t len)
{
	long hook = bq_test_disturb();
	char force[32];

	if (hook < 0)
		snprintf(force, sizeof(force), "all");
	else
		snprintf(force, sizeof(force), "%ld", hook);
	snprintf(cmd, len, "access iters=%lu tries=%lu reps=%lu qredo=%d "
		 "qbudget=%.0f qbudmin=%d qsatmin=%d qsatpct=%.0f qforce=%s",
		 o->iters, o->oc.tries, o->oc.repeat, BQ_MAX_RETRIES,
		 100 * BQ_RUN_RETRY_FRAC, BQ_RUN_RETRY_MIN, BQ_SATURATED_MIN,
		 100 * BQ_SATURATED_FRAC, force);
}

static int run_access(const struct kopts *o, const struct kinfo *ki, const char *mod)
{
	static const char *const params[] = { "strategy", "access", "layout", "cpu",
					      "mode", "op" };
	const char *st = ki->emulated ? "flagged:emulated" : "ok";
	char cmd[256], *buf = NULL, *line, *save = NULL, *f[16];
	struct calib *cal = NULL;
	size_t ncal = 0, capcal = 0, i;
	bool pmu, counted, steal_seen;
	struct pout *out;
	int ret = EXIT_OK;

	access_cmd(o, cmd, sizeof(cmd));
	bq_start();
	out = kopen(o, ki, mod, cmd, &buf, "kernel-access", params, 6);
	if (!out)
		return EXIT_FAIL;
	pout_meta(out, "module_command", cmd);
	/* Cycles: the PMU where its counter opened on every CPU, else the
	 * calibrated core clock (as `pcpubench access`). */
	pmu = all_pmu(buf);
	pout_meta(out, "cycles_source", pmu ? "pmu" :
		  "calibrated core clock (imul chain; no PMU cycles counter)");
	counted = read_quiet(buf, &steal_seen);
	quiet_meta(out, counted, steal_seen);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int n = kmod_fields(line, f, 16);

		/* C,cpu,rep,cycles,t(N),t(2N)[,attempts,why] */
		if ((n == 6 || n == 8) && !strcmp(f[0], "C")) {
			double cyc = atof(f[3]), c1 = atof(f[4]), c2 = atof(f[5]);
			const char *pv[6] = { "-", "-", "-", f[1], "-", "-" };
			struct calib *c;

			if (ncal == capcal) {
				struct calib *nc = realloc(cal, (capcal * 2 + 16) * sizeof(*cal));

				if (!nc) {
					ret = EXIT_FAIL;
					break;
				}
				cal = nc;
				capcal = capcal * 2 + 16;
			}
			c = &cal[ncal++];
			c->cpu = atoi(f[1]);
			c->rep = atoi(f[2]);
			c->ratio = c2 > c1 ? cyc / (c2 - c1) : 0;
			kq_flag(c->flag, sizeof(c->flag), "", n == 8 ? f[7] : NULL,
				n == 8 ? atoi(f[6]) : 1);
			pout_row(out, pv, c->rep, "core_clock",
				 c->ratio * ki->tsc_khz / 1e6, "GHz", c->flag[0] ? c->flag :
				 ki->emulated || c2 > c1 ? st : KNOTPOS);
			if (c->flag[0])	/* what the cycles rows of this CPU say */
				kq_flag(c->flag, sizeof(c->flag), "calibration ", f[7],
					atoi(f[6]));
		/* A,strategy,access,layout,cpu,mode,op,rep,N,t(N),t(2N),p(N),p(2N)
		 * [,attempts,why] */
		} else if ((n == 13 || n == 15) && !strcmp(f[0], "A")) {
			const char *pv[6] = { f[1], f[2], f[3], f[4], f[5], f[6] };
			int cpu = atoi(f[4]), rep = atoi(f[7]);
			double nops = atof(f[8]), t1 = atof(f[9]), t2 = atof(f[10]);
			double p1 = atof(f[11]), p2 = atof(f[12]);
			double tpo = (t2 - t1) / nops, ratio = 0;
			const char *calflag = "";
			char dflag[200];
			const char *s;

			kq_flag(dflag, sizeof(dflag), "", n == 15 ? f[14] : NULL,
				n == 15 ? atoi(f[13]) : 1);
			/* Disturbed first; emulated figures are not timings,
			 * whatever their sign. */
			s = dflag[0] ? dflag : ki->emulated || t2 > t1 ? st :
				KNOTPOS;
			for (i = 0; i < ncal; i++)
				if (cal[i].cpu == cpu && cal[i].rep == rep) {
					ratio = cal[i].ratio;
					calflag = cal[i].flag;
				}
			pout_row(out, pv, rep, "tsc_per_op", tpo, "ticks", s);
			if (pmu && p1 >= 0 && p2 >= 0)
				pout_row(out, pv, rep, "cycles_per_op", (p2 - p1) / nops, "cycles",
					 dflag[0] ? dflag : ki->emulated || p2 > p1 ? st :
					 KNOTPOS);
			else if (pmu)
				pout_row(out, pv, rep, "cycles_per_op", 0, "cycles",
					 "na:pmu-read-failed");
			else if (ratio > 0)
				pout_row(out, pv, rep, "cycles_per_op", tpo * ratio, "cycles",
					 dflag[0] || !calflag[0] ? s : calflag);
			else
				pout_row(out, pv, rep, "cycles_per_op", 0, "cycles",
					 "na:no-calibration");
			if (ki->tsc_khz > 0)
				pout_row(out, pv, rep, "ns_per_op", tpo * 1e6 / ki->tsc_khz,
					 "ns", s);
			else
				pout_row(out, pv, rep, "ns_per_op", 0, "ns", "na:no-tsc-khz");
			pout_row(out, pv, rep, "batch_ops", nops, "ops", "ok");
		} else if (n >= 2 && !strcmp(f[0], "E")) {
			fprintf(stderr, CMD " access: module: %s%s%s\n", f[1],
				n > 2 ? " " : "", n > 2 ? f[2] : "");
			ret = EXIT_FAIL;
		}
	}
	free(cal);
	free(buf);
	if (pout_close(out))
		ret = EXIT_FAIL;
	return ret;
}

static int replug(const struct kopts *o)
{
	struct pcpu_hp_sysfs *hp;
	char err[256] = "";
	int i, r, ret = 0;

	if (!o->nreplug)
		return 0;
	r = pcpu_hp_sysfs_open(&hp, NULL, err, sizeof(err));
	if (r) {
		fprintf(stderr, CMD " numa: --replug: sysfs hotplug cannot run here: %s\n",
			err[0] ? err : strerror(-r));
		return EXIT_SKIP;
	}
	pcpu_hp_sysfs_signals(hp);
	for (i = 0; i < o->nreplug && !ret; i++) {
		r = pcpu_hp_sysfs_set(hp, (unsigned)o->replug[i], false);
		if (!r)
			r = pcpu_hp_sysfs_set(hp, (unsigned)o->replug[i], true);
		if (r) {
			fprintf(stderr, CMD " numa: --replug cpu%d: %s\n", o->replug[i],
				strerror(-r));
			ret = r == -ENOENT || r == -EINVAL || r == -EPERM ? EXIT_USAGE : EXIT_FAIL;
		}
	}
	pcpu_hp_sysfs_close(hp);
	return ret;
}

static int run_numa(const struct kopts *o, const struct kinfo *ki, const char *mod)
{
	static const char *const params[] = { "memory", "cpu", "phase" };
	char *buf = NULL, *line, *save = NULL, *f[16], na[80];
	struct pout *out;
	int ret;

	ret = replug(o);
	if (ret)
		return ret;
	out = kopen(o, ki, mod, "numa", &buf, "kernel-numa", params, 3);
	if (!out)
		return EXIT_FAIL;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int n = kmod_fields(line, f, 16);

		if (n == 7 && !strcmp(f[0], "Q")) {
			const char *pv[3] = { "-", f[1], f[2] };

			pout_row(out, pv, -1, "cpu_node", atof(f[3]), "node", "ok");
			pout_row(out, pv, -1, "present", atof(f[4]), "bool", "ok");
			pout_row(out, pv, -1, "online", atof(f[5]), "bool", "ok");
			pout_row(out, pv, -1, "onlines", atof(f[6]), "count", "ok");
		} else if (n == 9 && !strcmp(f[0], "P")) {
			const char *pv[3] = { f[4], f[1], f[2] };
			bool ok = !strcmp(f[8], "ok");

			snprintf(na, sizeof(na), "na:%s", f[8]);
			pout_row(out, pv, -1, "page_node", atof(f[5]), "node", ok ? "ok" : na);
			pout_row(out, pv, -1, "pages_local", atof(f[6]), "pages", ok ? "ok" : na);
			pout_row(out, pv, -1, "pages_remote", atof(f[7]), "pages", ok ? "ok" : na);
		} else if (n == 6 && !strcmp(f[0], "M")) {
			const char *pv[3] = { f[3], f[1], f[2] };

			pout_row(out, pv, -1, "map_page_bytes", atof(f[4]), "bytes", "ok");
			pout_row(out, pv, -1, "in_vmalloc", atof(f[5]), "bool", "ok");
		} else if (n == 7 && !strcmp(f[0], "G")) {
			const char *pv[3] = { f[3], f[1], f[2] };
			bool ok = atof(f[5]) >= 0;
			const char *st = ok ? "ok" : "na:not-mapped(a variable's address has no kernel mapping)";

			pout_row(out, pv, -1, "vars", atof(f[4]), "count", "ok");
			pout_row(out, pv, -1, "pages_touched", atof(f[5]), "pages", st);
			pout_row(out, pv, -1, "map_pages_touched", atof(f[6]), "pages", st);
		} else if (n == 4 && !strcmp(f[0], "T")) {
			const char *pv[3] = { "vm_area", f[1], f[2] };

			pout_row(out, pv, -1, "template_mismatch_words", atof(f[3]),
				 "words", "ok");
			if (atof(f[3]) != 0)
				ret = EXIT_FAIL;
		}
	}
	free(buf);
	if (pout_close(out))
		ret = EXIT_FAIL;
	return ret;
}

static int run_churn(const struct kopts *o, const struct kinfo *ki, const char *mod)
{
	static const char *const params[] = { "memory" };
	char *buf = NULL, *line, *save = NULL, *f[8], err[256] = "";
	int cpus[MAX_CPUS_ARG], ncpus, i, r, ret = EXIT_OK;
	unsigned long ops = 0, busy = 0;
	struct pcpu_hp_sysfs *hp;
	double t0, next, gap;
	struct pout *out;

	r = pcpu_hp_sysfs_open(&hp, NULL, err, sizeof(err));
	if (r) {
		fprintf(stderr, CMD " churn: sysfs hotplug cannot run here: %s\n",
			err[0] ? err : strerror(-r));
		return EXIT_SKIP;
	}
	pcpu_hp_sysfs_signals(hp);
	if (o->ncpus) {
		memcpy(cpus, o->cpus, sizeof(int) * (size_t)o->ncpus);
		ncpus = o->ncpus;
	} else {
		ncpus = pcpu_hp_sysfs_hotpluggable(hp, cpus, MAX_CPUS_ARG);
		if (ncpus > MAX_CPUS_ARG)
			ncpus = MAX_CPUS_ARG;
	}
	if (ncpus <= 0) {
		fprintf(stderr, CMD " churn: no hotpluggable CPU besides CPU 0\n");
		pcpu_hp_sysfs_close(hp);
		return EXIT_SKIP;
	}
	r = kmod_ctl(o->no_fold ? "churn_start fold=0" : "churn_start fold=1", &buf);
	free(buf);
	buf = NULL;
	if (r) {
		fprintf(stderr, CMD " churn: cannot start the workers: %s\n", strerror(-r));
		pcpu_hp_sysfs_close(hp);
		return EXIT_FAIL;
	}
	/* Round robin: offline one CPU, online it, the next one, ... */
	gap = 1.0 / o->rate;
	t0 = now_s();
	next = t0;
	for (i = 0; now_s() - t0 < o->duration; i++) {
		unsigned cpu = (unsigned)cpus[(i / 2) % ncpus];
		struct timespec ts;
		double w;

		r = pcpu_hp_sysfs_set(hp, cpu, i % 2 == 1);
		if (r == -EBUSY)
			busy++;
		else if (r) {
			fprintf(stderr, CMD " churn: cpu%u %s: %s\n", cpu,
				i % 2 ? "online" : "offline", strerror(-r));
			ret = r == -ENOENT || r == -EPERM ? EXIT_USAGE : EXIT_FAIL;
			break;
		} else {
			ops++;
		}
		next += gap;
		w = next - now_s();
		if (w > 0) {
			ts.tv_sec = (time_t)w;
			ts.tv_nsec = (long)((w - (double)ts.tv_sec) * 1e9);
			nanosleep(&ts, NULL);
		}
	}
	r = pcpu_hp_sysfs_restore(hp);
	if (r) {
		fprintf(stderr, CMD " churn: restoring CPUs: %s\n", strerror(-r));
		ret = EXIT_FAIL;
	}
	pcpu_hp_sysfs_close(hp);
	out = kopen(o, ki, mod, "churn_stop", &buf, "kernel-churn", params, 1);
	if (!out)
		return EXIT_FAIL;
	{
		const char *pv[1] = { "-" };
		char v[32];

		snprintf(v, sizeof(v), "%g", o->duration);
		pout_meta(out, "duration_s", v);
		pout_row(out, pv, -1, "hotplug_ops", (double)ops, "ops", "ok");
		pout_row(out, pv, -1, "hotplug_busy", (double)busy, "ops", "ok");
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		int n = kmod_fields(line, f, 8);
		const char *pv[1];
		const char *m, *unit = "count";
		double v;

		if (n != 4 || strcmp(f[0], "H"))
			continue;
		pv[0] = f[1];
		v = atof(f[3]);
		m = f[2];
		if (!strcmp(m, "lost")) {
			m = "lost_updates";
			if (v != 0)
				ret = EXIT_FAIL;
		} else if (!strcmp(m, "skipped")) {
			m = "skipped_unmapped";
		} else if (!strcmp(m, "template_bad") && v != 0) {
			ret = EXIT_FAIL;
		}
		if (!strcmp(m, "updates") || !strcmp(m, "counted") ||
		    !strcmp(m, "lost_updates") || !strcmp(m, "skipped_unmapped") ||
		    !strcmp(m, "folded"))
			unit = "updates";
		pout_row(out, pv, -1, m, v, unit, "ok");
	}
	free(buf);
	if (pout_close(out))
		ret = EXIT_FAIL;
	if (ret == EXIT_FAIL)
		fprintf(stderr, CMD " churn: a check failed (lost updates or a unit "
			"not filled from the template): see the rows\n");
	return ret;
}

/* ---- entry ------------------------------------------------------------ */

/* kernel's own options. Return: 0; -EINVAL (message printed). */
static int kernel_own(void *ctx, int c, const char *arg)
{
	struct kopts *o = ctx;
	double d;

	switch (c) {
	case 'm': o->module = arg; return 0;
	case 'E': o->emulated = true; return 0;
	case 'F': o->no_fold = true; return 0;
	case 'n': return bc_count("kernel", "iters", arg, 1, 1UL << 22, &o->iters);
	case 'R':
	case 'c':
		if (parse_cpus(arg, c == 'R' ? o->replug : o->cpus,
			       c == 'R' ? &o->nreplug : &o->ncpus)) {
			fprintf(stderr, CMD ": --%s: '%s' is not a list of CPU ids "
				"other than 0\n", c == 'R' ? "replug" : "cpus", arg);
			return -EINVAL;
		}
		return 0;
	default:	/* 'd', 'a' */
		if (bc_double(arg, &d) || !(d > 0) || d > 3600) {
			fprintf(stderr, CMD ": --%s: '%s' is not a number in (0, 3600]\n",
				c == 'd' ? "duration" : "rate", arg);
			return -EINVAL;
		}
		if (c == 'd')
			o->duration = d;
		else
			o->rate = d;
		return 0;
	}
}

/* The subcommand, then its options. Return: as opts_parse(). */
static int kernel_read_opts(struct kopts *o, int argc, char **argv)
{
	struct opts_common *oc = &o->oc;

	if (argc < 2) {
		opts_usage(&kernel_cmd, stderr);
		return -EINVAL;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		opts_usage(&kernel_cmd, stdout);
		return 1;
	}
	o->sub = argv[1];
	if (strcmp(o->sub, "access") && strcmp(o->sub, "numa") && strcmp(o->sub, "churn") &&
	    strcmp(o->sub, "load") && strcmp(o->sub, "unload")) {
		fprintf(stderr, CMD ": unknown subcommand '%s' (access, numa, churn, "
			"load, unload)\n", o->sub);
		return -EINVAL;
	}
	/* getopt over the subcommand's arguments; messages name the command. */
	argv[1] = argv[0];
	opts_init(oc);
	oc->tries = 3;
	oc->repeat = 3;
	return opts_parse(&kernel_cmd, argc - 1, argv + 1, oc, kernel_own, o);
}

/*
 * The output checked, the opt-in passed, the module named. Return: 0 go
 * on; 1 a dry run (intent printed); an exit code.
 */
static int kernel_plan(struct kopts *o, char *modbuf, size_t len)
{
	int g, c;

	c = bc_out_check("kernel", o->oc.out);
	if (c)
		return c;
	/* churn takes real CPUs offline: the same opt-in as churn --backend sysfs */
	if (!strcmp(o->sub, "churn") || o->nreplug)
		g = bc_hotplug_gate("kernel", o->oc.allow_hotplug, "sysfs");
	else	/* loads a module: under run.sh only with ./run.sh --kernel */
		g = bc_optin_gate("kernel", "module=load", true,
				  "PCPU_ALLOW_MODULE", "--kernel");
	if (g)
		return g > 0 ? 1 : EXIT_USAGE;
	if (!o->module)
		o->module = bench_env_get("PCPU_KMOD");
	if (!o->module || !*o->module) {
		kmod_default_path(modbuf, len);
		o->module = modbuf;
	}
	return 0;
}

/* unload, or load the module if need be and run the subcommand.
 * Return: an exit code. */
static int kernel_run(struct kopts *o)
{
	bool we_loaded = false;
	struct kinfo ki;
	int ret;

	if (!strcmp(o->sub, "unload")) {
		if (geteuid() != 0) {
			fprintf(stderr, CMD ": needs root; not run\n");
			return EXIT_SKIP;
		}
		if (!kmod_loaded()) {
			fprintf(stderr, CMD " unload: " KMOD_NAME " is not loaded\n");
			return EXIT_OK;
		}
		return kmod_unload();
	}
	if (kmod_fake()) {	/* the test hook: nothing checked or loaded */
		if ((strcmp(o->sub, "access") && strcmp(o->sub, "numa")) ||
		    o->nreplug) {
			fprintf(stderr, CMD " %s: PCPU_TEST_KMOD_OUT serves `kernel "
				"access` and `kernel numa` (no --replug) only\n", o->sub);
			return EXIT_USAGE;
		}
		read_info(&ki, o->emulated);
		return !strcmp(o->sub, "access") ? run_access(o, &ki, o->module) :
			run_numa(o, &ki, o->module);
	}
	ret = kmod_can_run(o->module);
	if (ret)
		return ret;
	if (!kmod_loaded()) {
		ret = kmod_load(o->module);
		if (ret)
			return ret;
		we_loaded = strcmp(o->sub, "load") != 0;
	} else if (!strcmp(o->sub, "load")) {
		fprintf(stderr, CMD " load: " KMOD_NAME " is already loaded\n");
		return EXIT_OK;
	}
	if (!strcmp(o->sub, "load"))
		return EXIT_OK;
	read_info(&ki, o->emulated);
	if (!strcmp(o->sub, "access"))
		ret = run_access(o, &ki, o->module);
	else if (!strcmp(o->sub, "numa"))
		ret = run_numa(o, &ki, o->module);
	else
		ret = run_churn(o, &ki, o->module);
	if (we_loaded && kmod_unload() && ret == EXIT_OK)
		ret = EXIT_FAIL;
	return ret;
}

int cmd_kernel(int argc, char **argv)
{
	struct kopts o = { .iters = 4096, .duration = 2, .rate = 20 };
	static char modbuf[4096];
	int ret;

	ret = kernel_read_opts(&o, argc, argv);
	if (ret)
		return opts_exit(ret);
	ret = kernel_plan(&o, modbuf, sizeof(modbuf));
	if (ret)
		return ret == 1 ? EXIT_OK : ret;
	return kernel_run(&o);
}
