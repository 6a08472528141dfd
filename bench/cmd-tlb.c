// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-tlb.c - pcpubench tlb: TLB reach and miss penalties by pointer chase.
 *
 * For each backing (4k, 2m) and each point N (4 KiB pages), times a
 * random cyclic chase over one line in each of N pages and a control over
 * the same number of lines packed into N/32 pages (lib/toolkit/pcpu-tlb.h). Every
 * repetition is a row; the points and patterns are run in a random order
 * within each repetition, and the core clock is calibrated next to each
 * repetition (imul chain, or the PMU where there is one). The detector
 * runs on median(chase) - median(control) and gives L1 dTLB reach, second
 * level reach and the penalties; they are written as summary rows, shown
 * beside the CPUID geometry in text, and saved as the calibration the
 * access and churn benchmarks and `pcpubench info` read. Each sweep
 * (repetition) also gives its own L1 and L2 entries on the combined
 * curve's levels: the figures are their median, and the calibration
 * says whether they agree (stable) or not and why.
 *
 * This file: options, the plan (pool, pinning, clocks) and the command's
 * phases; the sweeps in tlb-run.c, what is written in tlb-emit.c.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-common.h"
#include "bench-quiet.h"
#include "opts.h"
#include "pcpu-wfile.h"
#include "pcpu-hugetlb.h"
#include "pcpu-stats.h"
#include "pcpu-timing.h"
#include "pcpubench.h"
#include "tlb-cal.h"
#include "tlb.h"


/* ---- hugetlb pool, restored by a guardian ------------------------------ */

/*
 * vm.nr_hugepages changed for this run only: lib/toolkit/pcpu-hugetlb.c
 * (a lock shared by concurrent runs, a memory check before, a guardian
 * that restores the run's own change however the run ends, kill -9
 * included). A signal just ends the program: the guardian restores.
 */
static struct pcpu_hugetlb *huge_h;

static void hugetlb_restore(void)
{
	char m[200];

	if (!huge_h)
		return;
	pcpu_hugetlb_restore(huge_h, m, sizeof(m));
	huge_h = NULL;
	fprintf(stderr, "pcpubench tlb: %s\n", m);
}

static int hugetlb_reserve(long n, char *msg, size_t len)
{
	int r = pcpu_hugetlb_reserve(&huge_h, NULL, NULL, n, msg, len);

	if (!r)
		atexit(hugetlb_restore);
	return r;
}

/* ---- options ---------------------------------------------------------- */

static int parse_pages(const char *s, struct tlb_opts *o)
{
	char list[BC_MAX_LIST][64];
	unsigned long lo, hi;
	double prev = 0;
	int n, i;

	o->npts = 0;
	if (strchr(s, '-')) {
		char a[32], b[32];
		const char *dash = strchr(s, '-');
		int k;

		if ((size_t)(dash - s) >= sizeof(a) || strlen(dash + 1) >= sizeof(b))
			return -EINVAL;
		memcpy(a, s, dash - s);
		a[dash - s] = '\0';
		snprintf(b, sizeof(b), "%s", dash + 1);
		if (bc_ulong(a, &lo) || bc_ulong(b, &hi) || lo < 1 || hi < lo ||
		    hi > (1UL << 22))
			return -EINVAL;
		for (k = 0; k < 40 * TLB_PER_OCTAVE; k++) {
			double v = round(exp2((double)k / TLB_PER_OCTAVE));

			if (v < lo || v <= prev)
				continue;
			if (v > hi || o->npts >= TLB_MAX_POINTS)
				break;
			o->pts[o->npts++] = prev = v;
		}
		if (o->npts && o->pts[o->npts - 1] < hi && o->npts < TLB_MAX_POINTS)
			o->pts[o->npts++] = hi;
		return o->npts ? 0 : -EINVAL;
	}
	n = bc_split(s, list, BC_MAX_LIST);
	if (n <= 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (bc_ulong(list[i], &lo) || lo < 1 || lo > (1UL << 22) ||
		    (double)lo <= prev)
			return -EINVAL;
		o->pts[o->npts++] = prev = (double)lo;
	}
	return 0;
}

enum { O_PAGES = OPTS_OWN_BASE, O_SAVE, O_NOSAVE, O_HUGE };

#define TLB_STR_(x) #x
#define TLB_STR(x) TLB_STR_(x)

static const struct opt_spec tlb_spec[] = {
	OPT_CX(PAGE, "LIST", "backings: 4k (MADV_NOHUGEPAGE), 2m (hugetlb when\n"
	       "enough pages are free, else THP via MADV_HUGEPAGE);\n"
	       "what was obtained is read from smaps and reported",
	       OPTF_LIST, 0, 0),
	OPT_OWN(O_PAGES, "pages", "SPEC", "MIN-MAX (" TLB_STR(TLB_PER_OCTAVE)
		" points per octave) or a comma list;\ndefault 8-65536"),
	OPT_CX(REPEAT, NULL, "repetitions (default "
	       TLB_STR(TLB_DEFAULT_REPEAT) ")", 0, 1, 1000),
	OPT_C(FORMAT, "text (default on a terminal), csv, json"),
	OPT_C(OUTPUT, "write there instead of stdout"),
	OPT_OWN(O_SAVE, "save-calibration", "PATH", "where the figures go "
		"(default\n$PCPU_CALIBRATION or "
		"~/.cache/pcpubench/tlb-calibration.csv)"),
	OPT_OWN_FLAG(O_NOSAVE, "no-save", "do not write the calibration"),
	OPT_OWN(O_HUGE, "hugetlb-reserve", "N", "(root) set vm.nr_hugepages "
		"to N for the run and\nrestore it afterwards, also on a signal"),
	OPT_C(HELP, NULL),
	OPT_END
};

/* changes a system setting: never abbreviated */
static const char *const tlb_exact[] = { "hugetlb-reserve", NULL };

static char tlb_tail[2048];

static const struct opts_cmd tlb_cmd = {
	.name = "tlb",
	.spec = tlb_spec,
	.exact = tlb_exact,
	.head =
"usage: pcpubench tlb [--page 4k,2m] [--pages MIN-MAX|N,N,...] [--repeat N]\n"
"                     [--format text|csv|json] [-o FILE]\n"
"                     [--save-calibration PATH | --no-save]\n"
"                     [--hugetlb-reserve N] [--help]\n\n"
"Pointer chase over one cache line in each of N 4 KiB pages, random page\n"
"order, plus a control with the same number of lines in N/32 pages; the\n"
"difference is the TLB's share. Reports L1 dTLB and second-level TLB\n"
"reach (in 4 KiB pages) and the extra cycles of an L2 TLB hit, of a page\n"
"walk with the page tables in cache, and of a walk beyond that.\n"
"Entries (l1_dtlb_entries, l2_tlb_entries), one definition for both\n"
"levels: the working set where the chase-minus-control curve has climbed\n"
"10% of the level's step (about a tenth of the accesses miss it), log2-\n"
"interpolated between grid points (" TLB_STR(TLB_PER_OCTAVE) " per octave); each sweep\n"
"(repetition, quiet samples only) on the levels of the median curve, the\n"
"figure their median; run pinned to one CPU. The calibration says\n"
"\"stable\" when the sweeps agree (spread <= 3%) and the control had the\n"
"whole L1d in every pass (the core's other thread shares the L1d and the\n"
"TLBs: one pass that saw it makes the whole run unstable), else\n"
"\"unstable\" and why.\n\n",
	.tail = tlb_tail,	/* filled by parse_opts() */
};

/* BQ_HELP is a printf format (its %% are one %): formatted once. */
static void tlb_tail_fill(void)
{
	snprintf(tlb_tail, sizeof(tlb_tail), "\n" BQ_HELP
		 "  (Here a batch is one walk of the chase; the medians, their "
		 "noise and\n  the calibration use the quiet samples only.)\n");
}

/* The command's own options (opts_own_fn). */
static int tlb_own(void *ctx, int code, const char *arg)
{
	struct tlb_opts *o = ctx;
	unsigned long v;

	switch (code) {
	case O_PAGES:
		if (!parse_pages(arg, o))
			return 0;
		fprintf(stderr, "pcpubench tlb: bad --pages '%s' (MIN-MAX or "
			"increasing list, 1..4194304)\n", bc_arg(arg));
		return -EINVAL;
	case O_SAVE:
		o->cal_path = arg;
		return 0;
	case O_NOSAVE:
		o->no_save = true;
		return 0;
	case O_HUGE:
		if (bc_ulong(arg, &v) || v > 1000000) {
			fprintf(stderr, "pcpubench tlb: bad --hugetlb-reserve "
				"'%s'\n", bc_arg(arg));
			return -EINVAL;
		}
		o->hugetlb_reserve = (long)v;
		return 0;
	}
	return -EINVAL;
}

/* --page: the backings asked for. Return: 0; -EINVAL (message). */
static int tlb_backings(const char *s, struct tlb_opts *o)
{
	char list[BC_MAX_LIST][64];
	enum pcpu_tlb_backing b;
	int n, i;

	o->backing[0] = o->backing[1] = false;
	n = bc_split(s, list, BC_MAX_LIST);
	if (n <= 0) {
		fprintf(stderr, "pcpubench tlb: bad --page '%s' (4k, 2m)\n",
			bc_arg(s));
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (pcpu_tlb_backing_parse(list[i], &b)) {
			fprintf(stderr, "pcpubench tlb: unknown page size '%s' "
				"(4k, 2m)\n", list[i]);
			return -EINVAL;
		}
		o->backing[b] = true;
	}
	return 0;
}

/*
 * Options (bench/opts.h: --page, --repeat, --format, -o, --help shared;
 * --pages, --save-calibration, --no-save, --hugetlb-reserve this
 * command's). Return: 0 go on; 1 help shown; -EINVAL usage error.
 */
static int parse_opts(int argc, char **argv, struct tlb_opts *o)
{
	struct opts_common oc;
	int r;

	memset(o, 0, sizeof(*o));
	o->repeat = TLB_DEFAULT_REPEAT;
	o->hugetlb_reserve = -1;
	parse_pages("8-65536", o);
	tlb_tail_fill();
	opts_init(&oc);
	oc.repeat = TLB_DEFAULT_REPEAT;
	r = opts_parse(&tlb_cmd, argc, argv, &oc, tlb_own, o);
	if (r)
		return r > 0 ? 1 : -EINVAL;
	o->repeat = oc.repeat;
	o->fmt = oc.fmt;
	o->out = oc.out;
	o->backing[PCPU_TLB_4K] = o->backing[PCPU_TLB_2M] = true;
	if (oc.page && tlb_backings(oc.page, o))
		return -EINVAL;
	if (o->cal_path && o->no_save) {
		fprintf(stderr, "pcpubench tlb: --save-calibration and --no-save conflict\n");
		return -EINVAL;
	}
	/* Refused before the run, not after it; no directory is created. */
	if (o->out && bc_out_check("tlb", o->out))
		return -EINVAL;
	/* The calibration goes through the checked writer: a regular
	 * file or a new name, never /dev/null or another device. */
	if (!o->no_save) {
		const char *p = o->cal_path ? o->cal_path : tlbcal_env();
		int w = p ? pcpu_wfile_check(p) : 0;

		if (w) {
			bc_path_msg("tlb", o->cal_path ? "--save-calibration" :
				    "PCPU_CALIBRATION", p, w);
			return -EINVAL;
		}
	}
	return 0;
}

/* ---- plan ------------------------------------------------------------- */

/*
 * What the run needs before it measures: the opt-in and the hugetlb pool
 * (or the dry run's stop), the CPU pinned, the clocks, the PMU.
 * Return: -1 go on; else the exit code.
 */
static int tlb_plan(const struct tlb_opts *o, struct tlb_ctx *c)
{
	char msg[256] = "";
	int ret, cpu;

	if (o->hugetlb_reserve >= 0) {
		/* changes vm.nr_hugepages: a profile line cannot opt in */
		int g = bc_optin_gate("tlb", "hugetlb=reserve", true,
				      BC_ALLOW_HUGETLB_ENV, "--allow-hugetlb");

		if (g)
			return g > 0 ? EXIT_OK : EXIT_USAGE;
	} else if (bc_dry_run_stop("tlb")) {
		return EXIT_OK;
	}
	if (o->hugetlb_reserve >= 0) {
		ret = hugetlb_reserve(o->hugetlb_reserve, msg, sizeof(msg));
		if (ret) {
			fprintf(stderr, "pcpubench tlb: %s\n", msg);
			/* not root, another run holds the pool, too little
			 * memory: cannot run here (nothing changed) */
			return ret == -EPERM || ret == -EBUSY || ret == -ENOMEM ?
				EXIT_SKIP : EXIT_FAIL;
		}
		fprintf(stderr, "pcpubench tlb: %s\n", msg);
	}
	bq_start();
	pcpu_cpuid_read(&c->ci);
	cpu = sched_getcpu();
	if (cpu >= 0)
		pt_pin_self(cpu);
	if (pt_tsc_hz(&c->tsc_hz)) {
		fprintf(stderr, "pcpubench tlb: cannot measure the TSC rate\n");
		return EXIT_SKIP;
	}
	c->core_hz = calloc(PCPU_TLB_NR_BACKINGS * o->repeat, sizeof(*c->core_hz));
	if (!c->core_hz)
		return EXIT_FAIL;
	tlb_pmu_open(&c->pm);
	return -1;
}

/* ---- run -------------------------------------------------------------- */

/*
 * The core's other thread is the machine's state during the run, not a
 * backing's: it shares the L1d and the L2 TLB, and it comes and goes. A
 * pass whose control showed it makes every pass of the run unstable (a
 * pass that missed it measured with the same core; five default runs
 * here had a 2m pass call itself "stable" at an L2 12% low beside a 4k
 * pass that saw the L1d shared).
 */
static void tlb_l1d_shared_run(const struct tlb_opts *o, struct tlb_run *runs)
{
	unsigned bk, seen = PCPU_TLB_NR_BACKINGS;

	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++)
		if (o->backing[bk] && runs[bk].l1d_why[0]) {
			seen = bk;
			break;
		}
	for (bk = 0; seen < PCPU_TLB_NR_BACKINGS &&
	     bk < PCPU_TLB_NR_BACKINGS; bk++)
		if (o->backing[bk] && !runs[bk].l1d_why[0])
			pcpu_tlbcal_mark_shared(&runs[bk].cal,
						pcpu_tlb_backing_name(seen));
}

/* Every backing asked for, then the median core clock. */
static int tlb_run(const struct tlb_opts *o, struct tlb_run *runs,
		   struct tlb_ctx *c)
{
	size_t k, m = 0, nk = PCPU_TLB_NR_BACKINGS * o->repeat;
	struct pstats st;
	unsigned bk;
	double *v;
	int ret;

	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++) {
		if (!o->backing[bk])
			continue;
		ret = tlb_run_backing(o, bk, &runs[bk], c);
		if (ret) {
			fprintf(stderr, "pcpubench tlb: %s backing: %s\n",
				pcpu_tlb_backing_name(bk), strerror(-ret));
			return EXIT_FAIL;
		}
		pcpu_tlb_buf_free(&runs[bk].buf);
	}
	tlb_l1d_shared_run(o, runs);
	if (c->progress)
		fprintf(stderr, "\r%40s\r", "");
	v = malloc(nk * sizeof(*v));
	for (k = 0; v && k < nk; k++)
		if (c->core_hz[k] > 0)
			v[m++] = c->core_hz[k];
	if (v && m && !pstats_compute(v, m, &st))
		c->core_med = st.median;
	free(v);
	return EXIT_OK;
}

/* ---- the command: options -> plan -> run -> emit ----------------------- */

int cmd_tlb(int argc, char **argv)
{
	struct tlb_run runs[PCPU_TLB_NR_BACKINGS];
	struct tlb_ctx c;
	struct tlb_opts o;
	int ret, rc, cal_rc = EXIT_OK;
	unsigned bk;

	ret = parse_opts(argc, argv, &o);
	if (ret > 0)
		return EXIT_OK;
	if (ret < 0 || (!o.backing[0] && !o.backing[1]))
		return EXIT_USAGE;
	memset(&c, 0, sizeof(c));
	memset(runs, 0, sizeof(runs));
	rc = tlb_plan(&o, &c);
	if (rc >= 0)
		goto out;
	rc = tlb_run(&o, runs, &c);
	if (rc)
		goto out;
	cal_rc = tlb_save_calibration(&o, runs);
	rc = tlb_emit(&o, runs, &c);
out:
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++)
		tlb_run_free(&runs[bk]);
	if (c.pm.ss)
		pcnt_close(c.pm.ss);
	free(c.core_hz);
	hugetlb_restore();
	return rc ? rc : cal_rc;
}
