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
 * access and churn benchmarks and `pcpubench info` read.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-common.h"
#include "bench-quiet.h"
#include "pcpu-wfile.h"
#include "pcpu-hugetlb.h"
#include "pcpu-counters.h"
#include "pcpu-cpuid.h"
#include "pcpu-out.h"
#include "pcpu-stats.h"
#include "pcpu-timing.h"
#include "pcpu-tlb.h"
#include "pcpu-version.h"
#include "pcpubench.h"

#define TLB_MAX_POINTS 256
#define TLB_PER_OCTAVE 8
#define TLB_MIN_STEPS 100000UL
#define TLB_DEFAULT_REPEAT 11

static const char *const pattern_names[] = { "chase", "control" };

struct tlb_opts {
	bool backing[PCPU_TLB_NR_BACKINGS];
	double pts[TLB_MAX_POINTS];
	size_t npts;
	unsigned long repeat;
	enum pout_format fmt;
	const char *out;
	const char *cal_path;
	bool no_save;
	long hugetlb_reserve;	/* -1: leave alone */
};

/* One backing's measurements: [pattern][point][rep]. */
struct tlb_run {
	bool done;
	bool no_core_clock;	/* calibration failed: cycles are NA */
	struct pcpu_tlb_buf buf;
	bool hugetlb_tried;
	double *cyc[2], *ns[2];
	double *miss[2];	/* dTLB misses per access, NaN when NA */
	signed char *dist[2];	/* 0 quiet, 1 + enum pq_why (bench-quiet.h) */
	double med[2][TLB_MAX_POINTS], noise[2][TLB_MAX_POINTS];
	double excess[TLB_MAX_POINTS], excess_noise[TLB_MAX_POINTS];
	struct pcpu_tlb_fit fit;
	int fit_ret;
	struct pcpu_tlbcal_backing cal;
	char pmu_check[128];	/* "" or a flagged:<why> */
};

static void usage(FILE *f)
{
	fprintf(f,
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
"levels: the onset of the level's step, the largest page count still on\n"
"the plateau below it, on the curve of per-point medians over --repeat\n"
"sweeps (quiet samples only), run pinned to one CPU; its resolution is\n"
"one step of the grid (%d points per octave: 9%%).\n\n"
"  --page LIST        backings: 4k (MADV_NOHUGEPAGE), 2m (hugetlb when\n"
"                     enough pages are free, else THP via MADV_HUGEPAGE);\n"
"                     what was obtained is read from smaps and reported\n"
"  --pages SPEC       MIN-MAX (%d points per octave) or a comma list;\n"
"                     default 8-65536\n"
"  --repeat N         repetitions (default %d)\n"
"  --format F         text (default on a terminal), csv, json\n"
"  -o, --output FILE  write there instead of stdout\n"
"  --save-calibration PATH   where the figures go (default\n"
"                     $PCPU_CALIBRATION or ~/.cache/pcpubench/tlb-calibration.csv)\n"
"  --no-save          do not write the calibration\n"
"  --hugetlb-reserve N  (root) set vm.nr_hugepages to N for the run and\n"
"                     restore it afterwards, also on a signal\n"
"\n"
BQ_HELP
"  (Here a batch is one walk of the chase; the medians, their noise and\n"
"  the calibration use the quiet samples only.)\n",
		TLB_PER_OCTAVE, TLB_PER_OCTAVE, TLB_DEFAULT_REPEAT);
}

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

static long meminfo_long(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
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

static int parse_opts(int argc, char **argv, struct tlb_opts *o)
{
	enum { O_PAGE = 256, O_PAGES, O_REPEAT, O_FORMAT, O_SAVE, O_NOSAVE,
	       O_HUGE };
	static const struct option lo[] = {
		{ "page", required_argument, NULL, O_PAGE },
		{ "pages", required_argument, NULL, O_PAGES },
		{ "repeat", required_argument, NULL, O_REPEAT },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "save-calibration", required_argument, NULL, O_SAVE },
		{ "no-save", no_argument, NULL, O_NOSAVE },
		{ "hugetlb-reserve", required_argument, NULL, O_HUGE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool fmt_set = false;
	unsigned long v;
	/* changes a system setting: never abbreviated */
	static const char *const exact[] = { "hugetlb-reserve", NULL };
	int c, i, n;

	if (bc_no_abbrev("tlb", argc, argv, exact))
		return -EINVAL;

	memset(o, 0, sizeof(*o));
	o->backing[PCPU_TLB_4K] = o->backing[PCPU_TLB_2M] = true;
	o->repeat = TLB_DEFAULT_REPEAT;
	o->hugetlb_reserve = -1;
	parse_pages("8-65536", o);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", lo, NULL)) != -1) {
		switch (c) {
		case O_PAGE: {
			char list[BC_MAX_LIST][64];
			enum pcpu_tlb_backing b;

			o->backing[0] = o->backing[1] = false;
			n = bc_split(optarg, list, BC_MAX_LIST);
			if (n <= 0)
				goto bad;
			for (i = 0; i < n; i++) {
				if (pcpu_tlb_backing_parse(list[i], &b)) {
					fprintf(stderr, "pcpubench tlb: unknown page size '%s' (4k, 2m)\n",
						list[i]);
					return -EINVAL;
				}
				o->backing[b] = true;
			}
			break;
		}
		case O_PAGES:
			if (parse_pages(optarg, o)) {
				fprintf(stderr, "pcpubench tlb: bad --pages '%s' (MIN-MAX or increasing list, 1..4194304)\n",
					optarg);
				return -EINVAL;
			}
			break;
		case O_REPEAT:
			if (bc_ulong(optarg, &v) || v < 1 || v > 1000) {
				fprintf(stderr, "pcpubench tlb: bad --repeat '%s' (1..1000)\n", optarg);
				return -EINVAL;
			}
			o->repeat = v;
			break;
		case O_FORMAT:
			if (pout_format_parse(optarg, &o->fmt)) {
				fprintf(stderr, "pcpubench tlb: bad --format '%s' (text, csv, json)\n", optarg);
				return -EINVAL;
			}
			fmt_set = true;
			break;
		case 'o':
			o->out = optarg;
			break;
		case O_SAVE:
			o->cal_path = optarg;
			break;
		case O_NOSAVE:
			o->no_save = true;
			break;
		case O_HUGE:
			if (bc_ulong(optarg, &v) || v > 1000000) {
				fprintf(stderr, "pcpubench tlb: bad --hugetlb-reserve '%s'\n", optarg);
				return -EINVAL;
			}
			o->hugetlb_reserve = (long)v;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			goto bad;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pcpubench tlb: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (!fmt_set)
		o->fmt = bc_default_format(o->out);
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
		const char *env = getenv("PCPU_CALIBRATION");
		const char *p = o->cal_path ? o->cal_path : env && *env ? env : NULL;
		int r = p ? pcpu_wfile_check(p) : 0;

		if (r) {
			bc_path_msg("tlb", o->cal_path ? "--save-calibration" :
				    "PCPU_CALIBRATION", p, r);
			return -EINVAL;
		}
	}
	return 0;
bad:
	usage(stderr);
	return -EINVAL;
}

/* ---- measurement ------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* PMU: dTLB-load-misses, when it opens. */
struct tlb_pmu {
	struct pcnt_session *ss;
	size_t idx;
	bool ok;
	char na[PCNT_STATUS_LEN];
};

static void pmu_open(struct tlb_pmu *pm)
{
	struct pcnt_spec spec;
	char err[128];
	size_t i;

	memset(pm, 0, sizeof(*pm));
	snprintf(pm->na, sizeof(pm->na), "na:no-counter");
	if (pcnt_spec_parse(&spec, "dTLB-load-misses", err, sizeof(err)))
		return;
	if (pcnt_open(&pm->ss, &spec, 0, -1)) {
		pm->ss = NULL;
		return;
	}
	for (i = 0; i < pcnt_count(pm->ss); i++) {
		if (strcmp(pcnt_event(pm->ss, i)->name, "dTLB-load-misses"))
			continue;
		pm->idx = i;
		if (!strcmp(pcnt_open_status(pm->ss, i), "ok")) {
			pm->ok = true;
		} else {
			snprintf(pm->na, sizeof(pm->na), "%s",
				 pcnt_open_status(pm->ss, i));
		}
		return;
	}
}

/*
 * Ticks per access: the best of TLB_SUBRUNS back-to-back walks of @steps
 * each that ran alone (bench-quiet.h: a disturbed walk is retried, at most
 * BQ_MAX_RETRIES times; with none quiet, the best disturbed one and
 * *@dist = 1 + why), so that a preemption inside one walk (the machine is
 * shared) does not become the sample; the repetitions' median is taken
 * later, over the quiet samples.
 */
#define TLB_SUBRUNS 3

static double measure_one(struct tlb_pmu *pm, void **head, size_t steps,
			  double *miss, signed char *dist)
{
	struct pcnt_sample a, b;
	struct pcnt_result res[PCNT_MAX_EVENTS];
	double best = INFINITY, dbest = INFINITY;
	size_t rounded = (steps + 15) / 16 * 16;
	enum pq_why last = PQ_QUIET;
	int k, retries = 0, walks = 0;

	*miss = NAN;
	if (pm->ok) {
		pcnt_enable(pm->ss);
		pcnt_read(pm->ss, &a);
	}
	for (k = 0; k < TLB_SUBRUNS + retries; k++) {
		struct pq_mark qm;
		enum pq_why w;
		double t;

		pq_begin(&qm);
		t = (double)pcpu_tlb_walk(head, steps) / rounded;
		w = bq_check(&qm);
		walks++;
		if (w != PQ_QUIET) {
			last = w;
			dbest = t < dbest ? t : dbest;
			if (retries < BQ_MAX_RETRIES && bq_retry())
				retries++;
			continue;
		}
		if (t < best)
			best = t;
	}
	*dist = 0;
	if (!isfinite(best)) {
		best = dbest;
		*dist = 1 + (int)last;
		bq_counts.flagged++;
	}
	if (pm->ok) {
		pcnt_read(pm->ss, &b);
		pcnt_disable(pm->ss);
		if (!pcnt_delta(pm->ss, &a, &b, res) &&
		    isfinite(res[pm->idx].value))
			*miss = res[pm->idx].value / (double)(rounded * walks);
	}
	return best;
}

static double mad_se(const double *v, size_t n, double med, double *tmp)
{
	struct pstats st;
	size_t i;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++)
		tmp[i] = fabs(v[i] - med);
	if (pstats_compute(tmp, n, &st))
		return 0;
	return 1.2533 * 1.4826 * st.median / sqrt((double)n);
}

static int run_backing(const struct tlb_opts *o, enum pcpu_tlb_backing bk,
		       struct tlb_run *r, struct tlb_pmu *pm, double tsc_hz,
		       double *core_hz, int *progress)
{
	size_t np = o->npts, R = o->repeat, i, j, pat;
	size_t maxp = (size_t)o->pts[np - 1];
	size_t *order, nord = 2 * np;
	uint64_t seed = 0x5eed0000ULL + bk;
	long freeh;
	double *tmp, *qv;
	int ret;

	freeh = meminfo_long("HugePages_Free");
	r->hugetlb_tried = bk == PCPU_TLB_2M && freeh > 0 &&
			   (size_t)freeh * PCPU_TLB_HUGE >= maxp * PCPU_TLB_PAGE;
	ret = pcpu_tlb_buf_alloc(&r->buf, maxp * PCPU_TLB_PAGE, bk,
				 r->hugetlb_tried);
	if (ret)
		return ret;
	for (pat = 0; pat < 2; pat++) {
		r->cyc[pat] = calloc(np * R, sizeof(double));
		r->ns[pat] = calloc(np * R, sizeof(double));
		r->miss[pat] = calloc(np * R, sizeof(double));
		r->dist[pat] = calloc(np * R, sizeof(signed char));
		if (!r->cyc[pat] || !r->ns[pat] || !r->miss[pat] ||
		    !r->dist[pat])
			return -ENOMEM;
	}
	order = malloc(nord * sizeof(*order));
	tmp = malloc(R * sizeof(*tmp));
	qv = malloc(R * sizeof(*qv));
	if (!order || !tmp || !qv) {
		free(order);
		free(tmp);
		free(qv);
		return -ENOMEM;
	}
	for (i = 0; i < R; i++) {
		double chz;

		if (pt_core_hz_calibrate(&chz)) {
			/* Never TSC ticks labelled cycles: NA below. */
			chz = tsc_hz;
			r->no_core_clock = true;
		}
		core_hz[bk * R + i] = chz;
		for (j = 0; j < nord; j++)
			order[j] = j;
		for (j = nord; j > 1; j--) {
			size_t k = rng_next(&seed) % j, t = order[j - 1];

			order[j - 1] = order[k];
			order[k] = t;
		}
		for (j = 0; j < nord; j++) {
			size_t pt = order[j] / 2, n = (size_t)o->pts[pt];
			size_t steps = n > TLB_MIN_STEPS ? n : TLB_MIN_STEPS;
			enum pcpu_tlb_pattern pa = order[j] & 1;
			double ticks, miss;
			void *head;

			ret = pcpu_tlb_build(&r->buf, n, pa,
					     seed ^ (i * 1000003 + order[j]), &head);
			if (ret)
				goto out;
			pcpu_tlb_walk(&head, n > 4096 ? n : 4096);
			ticks = measure_one(pm, &head, steps, &miss,
					    &r->dist[pa][pt * R + i]);
			r->ns[pa][pt * R + i] = ticks * 1e9 / tsc_hz;
			r->cyc[pa][pt * R + i] = ticks * chz / tsc_hz;
			r->miss[pa][pt * R + i] = miss;
		}
		if (isatty(2)) {
			fprintf(stderr, "\rpcpubench tlb: %s rep %zu/%zu   ",
				pcpu_tlb_backing_name(bk), i + 1, R);
			*progress = 1;
		}
	}
	/*
	 * Medians, their noise, and the curve the detector sees: over the
	 * quiet samples (a flagged one is NaN in qv, which pstats skips).
	 */
	for (pat = 0; pat < 2; pat++) {
		for (j = 0; j < np; j++) {
			struct pstats st;
			size_t q = 0;

			for (i = 0; i < R; i++)
				if (!r->dist[pat][j * R + i])
					qv[q++] = r->cyc[pat][j * R + i];
			if (!q)
				qv[q++] = NAN;
			if (pstats_compute(qv, q, &st))
				st.median = NAN;
			r->med[pat][j] = st.median;
			r->noise[pat][j] = mad_se(qv, q, st.median, tmp);
		}
	}
	for (j = 0; j < np; j++) {
		r->excess[j] = r->med[0][j] - r->med[1][j];
		r->excess_noise[j] = hypot(r->noise[0][j], r->noise[1][j]);
	}
	r->fit_ret = pcpu_tlb_detect(o->pts, r->excess, r->excess_noise, np,
				     NULL, &r->fit);
	if (!r->fit_ret) {
		pcpu_tlbcal_from_fit(&r->cal, &r->fit);
	} else {
		unsigned f;

		r->cal.valid = true;
		for (f = 0; f < PCPU_TLBCAL_NR; f++) {
			r->cal.value[f] = NAN;
			snprintf(r->cal.why[f], sizeof(r->cal.why[f]),
				 "too-few-points");
		}
	}
	snprintf(r->cal.obtained, sizeof(r->cal.obtained), "%s", r->buf.obtained);

	/* PMU sanity: ~1 miss/access well above reach, ~0 well below. */
	if (pm->ok && r->cal.found[PCPU_TLBCAL_L2_ENTRIES]) {
		for (j = 0; j < np; j++) {
			struct pstats st;

			if (pstats_compute(&r->miss[0][j * R], R, &st))
				continue;
			if (o->pts[j] >= 4 * r->cal.value[PCPU_TLBCAL_L2_ENTRIES] &&
			    st.median < 0.7)
				snprintf(r->pmu_check, sizeof(r->pmu_check),
					 "flagged:misses-below-0.7-above-reach");
			if (r->cal.found[PCPU_TLBCAL_L1_ENTRIES] &&
			    o->pts[j] * 2 <= r->cal.value[PCPU_TLBCAL_L1_ENTRIES] &&
			    st.median > 0.1)
				snprintf(r->pmu_check, sizeof(r->pmu_check),
					 "flagged:misses-above-0.1-below-reach");
		}
	}
	r->done = true;
	ret = 0;
out:
	free(order);
	free(tmp);
	free(qv);
	return ret;
}

static void run_free(struct tlb_run *r)
{
	int pat;

	pcpu_tlb_buf_free(&r->buf);
	for (pat = 0; pat < 2; pat++) {
		free(r->cyc[pat]);
		free(r->ns[pat]);
		free(r->miss[pat]);
		free(r->dist[pat]);
	}
}

/* ---- output ----------------------------------------------------------- */

#define TLB_NA_CLOCK "na:no-core-clock(the core clock calibration failed; " \
	"ns_per_access is valid)"

static void fmt_pages(char *buf, size_t len, double v)
{
	snprintf(buf, len, "%.0f", v);
}

static int emit_rows(struct pout *po, const struct tlb_opts *o,
		     struct tlb_run *runs, const struct tlb_pmu *pm)
{
	size_t R = o->repeat, j, i;
	unsigned bk, pat, f;
	char pg[32], qb[256];
	int ret = 0;

	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++) {
		struct tlb_run *r = &runs[bk];
		const char *pv[3];
		char st[64];

		if (!r->done)
			continue;
		pv[0] = pcpu_tlb_backing_name(bk);
		for (pat = 0; pat < 2; pat++) {
			pv[1] = pattern_names[pat];
			for (j = 0; j < o->npts; j++) {
				fmt_pages(pg, sizeof(pg), o->pts[j]);
				pv[2] = pg;
				for (i = 0; i < R; i++) {
					int dq = r->dist[pat][j * R + i];

					if (dq)
						bq_flag(qb, sizeof(qb),
							(enum pq_why)(dq - 1),
							0);
					ret |= pout_row(po, pv, (int)i, "cycles_per_access",
							r->cyc[pat][j * R + i], "cycles",
							r->no_core_clock ? TLB_NA_CLOCK :
							dq ? qb : "ok");
					ret |= pout_row(po, pv, (int)i, "ns_per_access",
							r->ns[pat][j * R + i], "ns",
							dq ? qb : "ok");
					if (pm->ok && pat == 0)
						ret |= pout_row(po, pv, (int)i,
								"dtlb_misses_per_access",
								r->miss[pat][j * R + i], "misses",
								isfinite(r->miss[pat][j * R + i]) ?
								(r->pmu_check[0] ? r->pmu_check : "ok") :
								"na:counter-read-failed");
				}
				if (pat == 0)
					ret |= pout_row(po, pv, -1, "tlb_excess_cycles",
							r->excess[j], "cycles",
							r->no_core_clock ? TLB_NA_CLOCK :
							!isfinite(r->excess[j]) ?
							"na:no-quiet-sample(every sample "
							"of the point was disturbed)" :
							"derived");
			}
		}
		pv[1] = "summary";
		pv[2] = "all";
		for (f = 0; f < PCPU_TLBCAL_NR; f++) {
			if (r->cal.found[f]) {
				ret |= pout_row(po, pv, -1, pcpu_tlbcal_figure_name(f),
						r->cal.value[f], pcpu_tlbcal_figure_unit(f),
						"derived");
			} else {
				snprintf(st, sizeof(st), "na:%s", r->cal.why[f]);
				ret |= pout_row(po, pv, -1, pcpu_tlbcal_figure_name(f),
						NAN, pcpu_tlbcal_figure_unit(f), st);
			}
		}
		for (f = 0; f < 2; f++) {
			static const char *const hn[2] = { "l1_dtlb_half_pages",
							   "l2_tlb_half_pages" };

			if (isfinite(r->cal.half[f]))
				ret |= pout_row(po, pv, -1, hn[f], r->cal.half[f],
						"pages", "derived");
			else
				ret |= pout_row(po, pv, -1, hn[f], NAN, "pages",
						"na:no-step-in-range");
		}
		ret |= pout_row(po, pv, -1, "fit_steps", r->fit.nsteps, "count", "derived");
		ret |= pout_row(po, pv, -1, "fit_r2", r->fit.r2, "ratio", "derived");
		ret |= pout_row(po, pv, -1, "fit_rms_cycles", r->fit.rms_resid, "cycles",
				r->no_core_clock ? TLB_NA_CLOCK : "derived");
		ret |= pout_row(po, pv, -1, "fit_noise_cycles", r->fit.noise, "cycles",
				r->no_core_clock ? TLB_NA_CLOCK : "derived");
		ret |= pout_row(po, pv, -1, "huge_page_fraction", r->buf.huge_fraction,
				"ratio", "ok");
		if (!pm->ok)
			ret |= pout_row(po, pv, -1, "dtlb_misses_per_access", NAN,
					"misses", pm->na);
	}
	return ret;
}

static void cpuid_cell(char *buf, size_t len, const struct pcpu_cpuid_info *ci,
		       const char *level, unsigned page_kb)
{
	const struct pcpu_cpuid_tlb *t = pcpu_cpuid_find_tlb(ci, level, page_kb, true);

	if (!t)
		snprintf(buf, len, "not reported");
	else if (t->ways)
		snprintf(buf, len, "%u (%u-way)", t->entries, t->ways);
	else
		snprintf(buf, len, "%u (full)", t->entries);
}

static void text_report(FILE *f, const struct tlb_opts *o, struct tlb_run *runs,
			const struct pcpu_cpuid_info *ci, const struct tlb_pmu *pm,
			double tsc_hz, double core_med)
{
	unsigned bk, fg;
	size_t j;

	fprintf(f, "pcpubench tlb: %s (%s), %s%s%s\n", ci->brand, ci->vendor,
		ci->hypervisor ? "guest of " : "bare metal",
		ci->hypervisor ? ci->hypervisor_vendor : "", "");
	fprintf(f, "TSC %.0f MHz, core %.0f MHz (%s), %lu reps, medians\n",
		tsc_hz / 1e6, core_med / 1e6, pt_cycles_source(), o->repeat);
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++) {
		struct tlb_run *r = &runs[bk];

		if (!r->done)
			continue;
		fprintf(f, "\n%s backing: obtained %s (%.0f%% on 2 MiB pages; smaps AnonHugePages %lu kB, hugetlb %lu kB)\n",
			pcpu_tlb_backing_name(bk), r->buf.obtained,
			100 * r->buf.huge_fraction, r->buf.anon_huge_kb,
			r->buf.hugetlb_kb);
		fprintf(f, "%8s %10s %10s %10s %9s\n", "pages", "chase cyc",
			"control", "excess", "chase ns");
		for (j = 0; j < o->npts; j++)
			fprintf(f, "%8.0f %10.2f %10.2f %10.2f %9.2f\n", o->pts[j],
				r->med[0][j], r->med[1][j], r->excess[j],
				r->med[0][j] * 1e9 / core_med);
		fprintf(f, "fit: %u step(s), r2 %.3f, rms %.2f cycles, noise %.2f cycles\n",
			r->fit.nsteps, r->fit.r2, r->fit.rms_resid, r->fit.noise);
		for (j = 0; j < r->fit.nsteps; j++)
			fprintf(f, "  step %zu: onset %.0f pages, half %.0f, +%.2f cycles, z %.0f, ramp x%.2f\n",
				j + 1, r->fit.step[j].pages, r->fit.step[j].pages_half,
				r->fit.step[j].height, r->fit.step[j].z,
				r->fit.step[j].ramp);
	}
	fprintf(f, "\nmethod: %s\n", runs[0].done ? runs[0].fit.method :
		runs[1].fit.method);
	fprintf(f, "\n%-16s %-7s %-19s %s\n", "figure", "backing", "measured", "cpuid");
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++) {
		struct tlb_run *r = &runs[bk];
		unsigned pkb = bk == PCPU_TLB_2M ? 2048 : 4;

		if (!r->done)
			continue;
		for (fg = 0; fg < PCPU_TLBCAL_NR; fg++) {
			char m[32], c[32] = "";

			if (r->cal.found[fg])
				snprintf(m, sizeof(m), "%.*f %s", fg < 2 ? 0 : 1,
					 r->cal.value[fg], fg < 2 ? "pg" : "cyc");
			else
				snprintf(m, sizeof(m), "NA");
			if (fg <= PCPU_TLBCAL_L2_ENTRIES && r->cal.found[fg])
				snprintf(m, sizeof(m), "%.0f (half %.0f)",
					 r->cal.value[fg], r->cal.half[fg]);
			if (fg == PCPU_TLBCAL_L1_ENTRIES)
				cpuid_cell(c, sizeof(c), ci, "L1", pkb);
			else if (fg == PCPU_TLBCAL_L2_ENTRIES)
				cpuid_cell(c, sizeof(c), ci, "L2", pkb);
			fprintf(f, "%-16s %-7s %-19s %s%s%s\n",
				pcpu_tlbcal_figure_name(fg), pcpu_tlb_backing_name(bk),
				m, c, r->cal.found[fg] ? "" : "  ",
				r->cal.found[fg] ? "" : r->cal.why[fg]);
		}
	}
	fprintf(f, "cpuid TLB source: %s\n", ci->tlb_source ? ci->tlb_source :
		"not reported");
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++) {
		char d[200];

		if (!runs[bk].done)
			continue;
		for (fg = PCPU_TLBCAL_L1_ENTRIES; fg <= PCPU_TLBCAL_L2_ENTRIES; fg++)
			if (pcpu_tlbcal_cpuid_disagree(&runs[bk].cal, bk, ci,
						       fg, d, sizeof(d)) == 1)
				fprintf(f, "disagreement: %s\n", d);
	}
	fprintf(f, "dTLB misses: %s\n", pm->ok ? "counted (dTLB-load-misses)" : pm->na);
	if (runs[0].done && runs[1].done) {
		const struct pcpu_tlbcal_backing *a = &runs[0].cal, *b = &runs[1].cal;

		if (a->found[0] && b->found[0] && runs[1].buf.huge_fraction > 0.9) {
			double ratio = b->value[0] / a->value[0];

			fprintf(f, "\n2m vs 4k: L1 reach %.0f vs %.0f x 4 KiB pages: %s\n",
				b->value[0], a->value[0],
				ratio < 4 ? "2 MiB guest pages do NOT extend TLB reach here "
				"(the TLB holds 4 KiB translations: the host backs the "
				"guest with 4 KiB pages, or splinters them)" :
				"2 MiB pages extend TLB reach");
			if (a->found[PCPU_TLBCAL_WALK_CYCLES] &&
			    b->found[PCPU_TLBCAL_WALK_CYCLES])
				fprintf(f, "walk: %.1f cycles with 2m vs %.1f with 4k (%+.0f%%): %s\n",
					b->value[PCPU_TLBCAL_WALK_CYCLES],
					a->value[PCPU_TLBCAL_WALK_CYCLES],
					100 * (b->value[PCPU_TLBCAL_WALK_CYCLES] /
					       a->value[PCPU_TLBCAL_WALK_CYCLES] - 1),
					b->value[PCPU_TLBCAL_WALK_CYCLES] <
					0.9 * a->value[PCPU_TLBCAL_WALK_CYCLES] ?
					"cheaper walks with 2 MiB guest pages (one level "
					"shorter)" : "no cheaper walk measured with 2 MiB pages");
		}
	}
}

int cmd_tlb(int argc, char **argv)
{
	static const char *const pnames[] = { "page", "pattern", "pages" };
	struct tlb_run runs[PCPU_TLB_NR_BACKINGS];
	struct pcpu_cpuid_info ci;
	struct pcpu_tlbcal cal;
	struct tlb_opts o;
	struct tlb_pmu pm;
	struct pout *po = NULL;
	double tsc_hz, *core_hz, core_med = 0;
	char msg[256] = "", buf[128];
	int ret, progress = 0, rc = EXIT_OK, cal_rc = EXIT_OK, cpu;
	unsigned bk;
	time_t now;
	struct pstats st;

	ret = parse_opts(argc, argv, &o);
	if (ret > 0)
		return EXIT_OK;
	if (ret < 0)
		return EXIT_USAGE;
	if (!o.backing[0] && !o.backing[1])
		return EXIT_USAGE;
	if (o.hugetlb_reserve >= 0) {
		/* changes vm.nr_hugepages: a profile line cannot opt in */
		int g = bc_optin_gate("tlb", "hugetlb=reserve", true,
				      BC_ALLOW_HUGETLB_ENV, "--allow-hugetlb");

		if (g)
			return g > 0 ? EXIT_OK : EXIT_USAGE;
	} else if (bc_dry_run_stop("tlb")) {
		return EXIT_OK;
	}
	if (o.hugetlb_reserve >= 0) {
		ret = hugetlb_reserve(o.hugetlb_reserve, msg, sizeof(msg));
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
	pcpu_cpuid_read(&ci);
	cpu = sched_getcpu();
	if (cpu >= 0)
		pt_pin_self(cpu);
	if (pt_tsc_hz(&tsc_hz)) {
		fprintf(stderr, "pcpubench tlb: cannot measure the TSC rate\n");
		return EXIT_SKIP;
	}
	core_hz = calloc(PCPU_TLB_NR_BACKINGS * o.repeat, sizeof(*core_hz));
	if (!core_hz)
		return EXIT_FAIL;
	memset(runs, 0, sizeof(runs));
	pmu_open(&pm);
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++) {
		if (!o.backing[bk])
			continue;
		ret = run_backing(&o, bk, &runs[bk], &pm, tsc_hz, core_hz, &progress);
		if (ret) {
			fprintf(stderr, "pcpubench tlb: %s backing: %s\n",
				pcpu_tlb_backing_name(bk), strerror(-ret));
			rc = EXIT_FAIL;
			goto out;
		}
		pcpu_tlb_buf_free(&runs[bk].buf);
	}
	if (progress)
		fprintf(stderr, "\r%40s\r", "");
	{
		double *v = malloc(PCPU_TLB_NR_BACKINGS * o.repeat * sizeof(*v));
		size_t k, m = 0;

		for (k = 0; v && k < PCPU_TLB_NR_BACKINGS * o.repeat; k++)
			if (core_hz[k] > 0)
				v[m++] = core_hz[k];
		if (v && m && !pstats_compute(v, m, &st))
			core_med = st.median;
		free(v);
	}

	/* calibration store */
	memset(&cal, 0, sizeof(cal));
	gethostname(cal.host, sizeof(cal.host) - 1);
	now = time(NULL);
	strftime(cal.date, sizeof(cal.date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	snprintf(cal.revision, sizeof(cal.revision), "%s", PCPU_GIT_REV);
	snprintf(cal.method, sizeof(cal.method),
		 "pcpubench tlb: chase minus control; %lu reps; %zu points %.0f-%.0f; cycles %s",
		 o.repeat, o.npts, o.pts[0], o.pts[o.npts - 1], pt_cycles_source());
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++) {
		unsigned f;

		if (!runs[bk].done)
			continue;
		for (f = 0; runs[bk].no_core_clock && f < PCPU_TLBCAL_NR; f++)
			if (!strcmp(pcpu_tlbcal_figure_unit(f), "cycles")) {
				runs[bk].cal.found[f] = false;
				snprintf(runs[bk].cal.why[f], sizeof(runs[bk].cal.why[f]),
					 "no-core-clock(calibration failed)");
			}
		cal.b[bk] = runs[bk].cal;
	}
	if (!o.no_save) {
		const char *path = o.cal_path ? o.cal_path : pcpu_tlbcal_default_path();

		const char *env = getenv("PCPU_CALIBRATION");

		/* Only the cache default gets its directory created. */
		if (path && !o.cal_path && !(env && *env))
			pcpu_tlbcal_cache_dir(path);
		ret = path ? pcpu_tlbcal_save(path, &cal) : -ENOENT;
		if (ret) {
			fprintf(stderr, "pcpubench tlb: calibration not saved to '%s': "
				"%s\n", path ? bc_arg(path) : "(no path)",
				pcpu_wfile_strerror(ret));
			cal_rc = EXIT_IO;
		} else
			fprintf(stderr, "pcpubench tlb: calibration saved to %s\n", path);
	}

	if (o.fmt == POUT_TEXT) {
		/* A file through the checked writer (temporary file, fsync,
		 * rename: a full disk leaves the old file whole). */
		struct pcpu_wfile *w = NULL;
		FILE *f = stdout;
		int r;

		if (o.out && pout_path_check(o.out) == 0) {
			r = pcpu_wfile_open(&w, o.out, &f);
			if (r) {
				rc = bc_path_msg("tlb", "-o", o.out, r);
				goto out;
			}
		} else if (o.out && strcmp(o.out, "-") && strcmp(o.out, "/dev/stdout")) {
			rc = bc_out_check("tlb", o.out);
			if (rc)
				goto out;
			f = fopen(o.out, "a");	/* /dev/null, /dev/stderr, /dev/fd/N */
			if (!f) {
				rc = bc_path_msg("tlb", "-o", o.out, -errno);
				goto out;
			}
		}
		text_report(f, &o, runs, &ci, &pm, tsc_hz, core_med);
		if (w) {
			r = pcpu_wfile_commit(w);
			if (r) {
				fprintf(stderr, "pcpubench tlb: writing '%s': %s (output "
					"not written)\n", bc_arg(o.out), strerror(-r));
				rc = EXIT_IO;
			}
		} else if (f != stdout && (ferror(f) | fclose(f))) {
			fprintf(stderr, "pcpubench tlb: writing '%s': %s\n", o.out,
				strerror(errno));
			rc = EXIT_IO;
		}
		goto out;
	}
	rc = bc_out_open("tlb", &po, o.fmt, o.out, "tlb", pnames, 3);
	if (rc)
		goto out;
	pout_meta(po, "cycles_source", pt_cycles_source());
	snprintf(buf, sizeof(buf), "%.0f", tsc_hz);
	pout_meta(po, "tsc_hz", buf);
	snprintf(buf, sizeof(buf), "%.0f", core_med);
	pout_meta(po, "core_hz_median", buf);
	pout_meta(po, "cpuid_tlb_source", ci.tlb_source ? ci.tlb_source : "not reported");
	pout_meta(po, "method", runs[0].done ? runs[0].fit.method : runs[1].fit.method);
	pout_meta(po, "pages_unit", "4 KiB pages touched, one line each (chase) or same lines in pages/32 (control)");
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++) {
		char key[32];

		if (!runs[bk].done)
			continue;
		snprintf(key, sizeof(key), "obtained_%s", pcpu_tlb_backing_name(bk));
		pout_meta(po, key, runs[bk].buf.obtained);
	}
	bq_meta(po, "tlb", 0);
	bq_meta(po, "tlb", 1);
	emit_rows(po, &o, runs, &pm);	/* errors are kept: at close */
	rc = bc_out_close("tlb", po);
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++)
		if (runs[bk].pmu_check[0])
			rc = EXIT_FAIL;
out:
	for (bk = 0; bk < PCPU_TLB_NR_BACKINGS; bk++)
		run_free(&runs[bk]);
	if (pm.ss)
		pcnt_close(pm.ss);
	free(core_hz);
	hugetlb_restore();
	return rc ? rc : cal_rc;
}
