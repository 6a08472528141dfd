// SPDX-License-Identifier: GPL-2.0
/*
 * test-tlb-detect.c - the TLB step detector on synthetic latency curves
 * (clean steps, noisy steps, a single step, no step, a smooth drift), the
 * figures drawn from a fit (named only from evidence: sparse user lists,
 * a step between adjacent points, a missing L1 step), CPUID against the
 * measurement, the calibration store round trip, and the
 * CPUID decoders on synthetic register values. No timing is asserted.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcpu-cpuid.h"
#include "pcpu-tlb.h"

#define NPTS 105

static double xs[NPTS];

static size_t make_x(void)
{
	size_t n = 0;
	int k;

	for (k = 24; k <= 128 && n < NPTS; k++) {	/* 8..65536, 8 per octave */
		double v = round(exp2(k / 8.0));

		if (!n || v > xs[n - 1])
			xs[n++] = v;
	}
	return n;
}

/* Deterministic Gaussian noise (Box-Muller over an LCG). */
static uint64_t lcg = 12345;

static double unif(void)
{
	lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
	return ((lcg >> 11) + 0.5) / 9007199254740992.0;
}

static double gauss(void)
{
	return sqrt(-2 * log(unif())) * cos(2 * M_PI * unif());
}

/* base 0, +7 after 96 pages, +60 after 2048, +100 after 32768 */
static double curve3(double x)
{
	return (x > 96 ? 7 : 0) + (x > 2048 ? 53 : 0) + (x > 32768 ? 40 : 0);
}

static void test_clean_steps(void **state)
{
	struct pcpu_tlb_fit fit;
	struct pcpu_tlbcal_backing cb;
	double y[NPTS];
	size_t n = make_x(), i;

	(void)state;
	for (i = 0; i < n; i++)
		y[i] = curve3(xs[i]);
	assert_int_equal(pcpu_tlb_detect(xs, y, NULL, n, NULL, &fit), 0);
	assert_int_equal(fit.nsteps, 3);
	assert_true(fit.step[0].pages <= 96 && fit.step[0].pages > 80);
	assert_true(fit.step[1].pages <= 2048 && fit.step[1].pages > 1700);
	assert_true(fit.step[2].pages <= 32768 && fit.step[2].pages > 28000);
	assert_true(fabs(fit.step[0].height - 7) < 1e-9);
	assert_true(fit.r2 > 0.999);
	assert_non_null(fit.method);

	memset(&cb, 0, sizeof(cb));
	pcpu_tlbcal_from_fit(&cb, &fit);
	assert_true(cb.found[PCPU_TLBCAL_L1_ENTRIES]);
	assert_true(cb.found[PCPU_TLBCAL_L2_ENTRIES]);
	assert_true(cb.found[PCPU_TLBCAL_WALK_FAR_CYCLES]);
	assert_true(fabs(cb.value[PCPU_TLBCAL_L2_HIT_CYCLES] - 7) < 1e-9);
	assert_true(fabs(cb.value[PCPU_TLBCAL_WALK_CYCLES] - 60) < 1e-9);
	assert_true(fabs(cb.value[PCPU_TLBCAL_WALK_FAR_CYCLES] - 100) < 1e-9);
}

static void test_noisy_steps(void **state)
{
	struct pcpu_tlb_fit fit;
	struct pcpu_tlbcal_backing cb;
	double y[NPTS], noise[NPTS];
	size_t n = make_x(), i;
	int trial;

	(void)state;
	for (trial = 0; trial < 20; trial++) {
		for (i = 0; i < n; i++) {
			y[i] = 4 + curve3(xs[i]) + 0.5 * gauss();
			noise[i] = 0.5;
		}
		assert_int_equal(pcpu_tlb_detect(xs, y, noise, n, NULL, &fit), 0);
		memset(&cb, 0, sizeof(cb));
		pcpu_tlbcal_from_fit(&cb, &fit);
		assert_true(cb.found[PCPU_TLBCAL_L1_ENTRIES]);
		/* entries: between the grid points around the step
		 * (91 | 99, 2048 | 2233) */
		assert_true(cb.value[PCPU_TLBCAL_L1_ENTRIES] > 70 &&
			    cb.value[PCPU_TLBCAL_L1_ENTRIES] < 99);
		assert_true(cb.found[PCPU_TLBCAL_L2_ENTRIES]);
		assert_true(cb.value[PCPU_TLBCAL_L2_ENTRIES] > 1500 &&
			    cb.value[PCPU_TLBCAL_L2_ENTRIES] < 2233);
		assert_true(fabs(cb.value[PCPU_TLBCAL_L2_HIT_CYCLES] - 7) < 1);
		assert_true(fabs(cb.value[PCPU_TLBCAL_WALK_CYCLES] - 60) < 2);
		assert_true(fit.noise > 0.3 && fit.noise < 1);
	}
}

/* A step whose rise spreads over an octave, as a set-associative TLB gives. */
static void test_ramped_step(void **state)
{
	struct pcpu_tlb_fit fit;
	double y[NPTS];
	size_t n = make_x(), i;

	(void)state;
	for (i = 0; i < n; i++) {
		double x = xs[i], r = 0;

		if (x > 2048)
			r = fmin(1, log2(x / 2048) / 2);	/* over 2 octaves */
		y[i] = (x > 96 ? 7 : 0) + 70 * r + 0.3 * gauss();
	}
	assert_int_equal(pcpu_tlb_detect(xs, y, NULL, n, NULL, &fit), 0);
	assert_true(fit.nsteps >= 2);
	assert_true(fit.step[0].pages <= 96 && fit.step[0].pages > 70);
	assert_true(fit.step[1].pages <= 2400 && fit.step[1].pages >= 1500);
	assert_true(fit.level[fit.nsteps] > 70);
}

static void test_single_step(void **state)
{
	struct pcpu_tlb_fit fit;
	struct pcpu_tlbcal_backing cb;
	double y[NPTS];
	size_t n = make_x(), i;

	(void)state;
	for (i = 0; i < n; i++)
		y[i] = (xs[i] > 512 ? 25 : 3) + 0.2 * gauss();
	assert_int_equal(pcpu_tlb_detect(xs, y, NULL, n, NULL, &fit), 0);
	assert_int_equal(fit.nsteps, 1);
	assert_true(fit.step[0].pages <= 512 && fit.step[0].pages > 400);
	assert_true(fabs(fit.step[0].height - 22) < 0.5);
	memset(&cb, 0, sizeof(cb));
	pcpu_tlbcal_from_fit(&cb, &fit);
	assert_true(cb.found[PCPU_TLBCAL_L1_ENTRIES]);
	assert_false(cb.found[PCPU_TLBCAL_L2_ENTRIES]);
	assert_false(cb.found[PCPU_TLBCAL_WALK_CYCLES]);
	assert_false(cb.found[PCPU_TLBCAL_WALK_FAR_CYCLES]);
	assert_true(isnan(cb.value[PCPU_TLBCAL_L2_ENTRIES]));
	assert_true(strlen(cb.why[PCPU_TLBCAL_L2_ENTRIES]) > 0);
}

static void test_no_step(void **state)
{
	struct pcpu_tlb_fit fit;
	struct pcpu_tlbcal_backing cb;
	double y[NPTS], noise[NPTS];
	size_t n = make_x(), i;
	int trial;

	(void)state;
	for (trial = 0; trial < 50; trial++) {
		for (i = 0; i < n; i++) {
			y[i] = 10 + 1.0 * gauss();
			noise[i] = 0.3;	/* understated: the curve's own spread wins */
		}
		assert_int_equal(pcpu_tlb_detect(xs, y, noise, n, NULL, &fit), 0);
		assert_int_equal(fit.nsteps, 0);
		memset(&cb, 0, sizeof(cb));
		pcpu_tlbcal_from_fit(&cb, &fit);
		assert_false(cb.found[PCPU_TLBCAL_L1_ENTRIES]);
		assert_false(cb.found[PCPU_TLBCAL_L2_ENTRIES]);
	}
	/* perfectly flat */
	for (i = 0; i < n; i++)
		y[i] = 4;
	assert_int_equal(pcpu_tlb_detect(xs, y, NULL, n, NULL, &fit), 0);
	assert_int_equal(fit.nsteps, 0);
}

/* A small but clean rise below min_height is no TLB step. */
static void test_tiny_step_ignored(void **state)
{
	struct pcpu_tlb_fit fit;
	double y[NPTS];
	size_t n = make_x(), i;

	(void)state;
	for (i = 0; i < n; i++)
		y[i] = xs[i] > 300 ? 0.5 : 0;
	assert_int_equal(pcpu_tlb_detect(xs, y, NULL, n, NULL, &fit), 0);
	assert_int_equal(fit.nsteps, 0);
}

/* A smooth drift over the whole range is no step either. */
static void test_smooth_drift(void **state)
{
	struct pcpu_tlb_fit fit;
	double y[NPTS];
	size_t n = make_x(), i;

	(void)state;
	for (i = 0; i < n; i++)
		y[i] = 2 * log2(xs[i]) + 0.3 * gauss();
	assert_int_equal(pcpu_tlb_detect(xs, y, NULL, n, NULL, &fit), 0);
	assert_int_equal(fit.nsteps, 0);
}

static void test_bad_args(void **state)
{
	struct pcpu_tlb_fit fit;
	double x[3] = { 8, 4, 16 }, y[3] = { 1, 2, 3 };

	(void)state;
	assert_int_equal(pcpu_tlb_detect(x, y, NULL, 3, NULL, &fit), -EINVAL);
	assert_int_equal(pcpu_tlb_detect(NULL, y, NULL, 3, NULL, &fit), -EINVAL);
	x[1] = 12;
	y[1] = NAN;
	assert_int_equal(pcpu_tlb_detect(x, y, NULL, 3, NULL, &fit), -EINVAL);
}

static void test_cal_roundtrip(void **state)
{
	struct pcpu_tlbcal a, b;
	char path[] = "/tmp/test-tlbcal-XXXXXX";
	char file[64];
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	unlink(path);
	snprintf(file, sizeof(file), "%s/sub/cal.csv", path);
	memset(&a, 0, sizeof(a));
	snprintf(a.host, sizeof(a.host), "box");
	snprintf(a.date, sizeof(a.date), "2026-01-01T00:00:00Z");
	snprintf(a.method, sizeof(a.method), "synthetic, with a comma");
	a.b[PCPU_TLB_4K].valid = true;
	snprintf(a.b[PCPU_TLB_4K].obtained, sizeof(a.b[0].obtained), "4k");
	a.b[PCPU_TLB_4K].found[PCPU_TLBCAL_L1_ENTRIES] = true;
	a.b[PCPU_TLB_4K].value[PCPU_TLBCAL_L1_ENTRIES] = 96;
	a.b[PCPU_TLB_4K].found[PCPU_TLBCAL_L2_HIT_CYCLES] = true;
	a.b[PCPU_TLB_4K].value[PCPU_TLBCAL_L2_HIT_CYCLES] = 7.25;
	snprintf(a.b[PCPU_TLB_4K].why[PCPU_TLBCAL_L2_ENTRIES], 64, "no-second-step-in-range");
	a.b[PCPU_TLB_4K].spread[0] = 0.0125;
	a.b[PCPU_TLB_4K].spread[1] = NAN;
	snprintf(a.b[PCPU_TLB_4K].stability, sizeof(a.b[0].stability),
		 "unstable: L2 sweeps spread 12%%, with a comma");
	/* no directory is created by a save; the cache default's is */
	assert_int_equal(pcpu_tlbcal_save(file, &a), -ENOENT);
	assert_int_equal(pcpu_tlbcal_cache_dir(file), 0);
	assert_int_equal(pcpu_tlbcal_save(file, &a), 0);
	assert_int_equal(pcpu_tlbcal_load(file, &b), 0);
	assert_string_equal(b.host, "box");
	assert_true(b.b[PCPU_TLB_4K].valid);
	assert_false(b.b[PCPU_TLB_2M].valid);
	assert_string_equal(b.b[PCPU_TLB_4K].obtained, "4k");
	assert_true(b.b[PCPU_TLB_4K].found[PCPU_TLBCAL_L1_ENTRIES]);
	assert_true(fabs(b.b[PCPU_TLB_4K].value[PCPU_TLBCAL_L2_HIT_CYCLES] - 7.25) < 1e-9);
	assert_false(b.b[PCPU_TLB_4K].found[PCPU_TLBCAL_L2_ENTRIES]);
	/* the sweeps' rows come back; a comma of the verdict is not one */
	assert_true(fabs(b.b[PCPU_TLB_4K].spread[0] - 0.0125) < 1e-9);
	assert_true(isnan(b.b[PCPU_TLB_4K].spread[1]));
	assert_string_equal(b.b[PCPU_TLB_4K].stability,
			    "unstable: L2 sweeps spread 12%; with a comma");
	assert_string_equal(b.b[PCPU_TLB_4K].why[PCPU_TLBCAL_L2_ENTRIES],
			    "no-second-step-in-range");
	assert_int_equal(pcpu_tlbcal_load("/nonexistent/x.csv", &b), -ENOENT);
	unlink(file);
	snprintf(file, sizeof(file), "%s/sub", path);
	rmdir(file);
	rmdir(path);
}

static void test_default_path(void **state)
{
	char b[64];

	(void)state;
	/* the library forms the path from what the program read */
	assert_int_equal(pcpu_tlbcal_path(b, sizeof(b), "/tmp/x.csv", "/c",
					  "/h"), 0);
	assert_string_equal(b, "/tmp/x.csv");
	assert_int_equal(pcpu_tlbcal_path(b, sizeof(b), "", "/c", "/h"), 1);
	assert_string_equal(b, "/c/pcpubench/tlb-calibration.csv");
	assert_int_equal(pcpu_tlbcal_path(b, sizeof(b), NULL, NULL, "/h"), 1);
	assert_string_equal(b, "/h/.cache/pcpubench/tlb-calibration.csv");
	assert_int_equal(pcpu_tlbcal_path(b, sizeof(b), NULL, "", ""), -ENOENT);
	assert_int_equal(pcpu_tlbcal_path(b, 8, NULL, NULL, "/home/someone"),
			 -ENAMETOOLONG);
	assert_string_equal(b, "");
}

/* ---- entries: the crossing, the sweeps, the verdict ------------------- */

/* The crossing is interpolated in log2 and skips missing points. */
static void test_crossing(void **state)
{
	static const double x[] = { 64, 128, 256, 512, 1024 };
	double y[] = { 0, 0, 10, 100, 100 };

	(void)state;
	/* 10% of 0..100 = 10: exactly the point at 256 */
	assert_true(fabs(pcpu_tlb_crossing(x, y, 5, 0, 100, 0.1, 0) - 256) < 1e-9);
	/* 5 is half way (linear in y) from 128 to 256: 2^7.5 */
	assert_true(fabs(pcpu_tlb_crossing(x, y, 5, 0, 100, 0.05, 0) -
			 exp2(7.5)) < 1e-6);
	/* a missing point is stepped over: 128 to 512, 55% of the way */
	y[2] = NAN;
	assert_true(fabs(pcpu_tlb_crossing(x, y, 5, 0, 100, 0.55, 0) -
			 exp2(7 + 0.55 * 2)) < 1e-6);
	/* starts above the threshold, never passes half, bad levels: NaN */
	y[2] = 10;
	assert_true(isnan(pcpu_tlb_crossing(x, y, 5, -50, 100, 0.1, 0)));
	assert_true(isnan(pcpu_tlb_crossing(x, y, 5, 0, 300, 0.1, 0)));
	assert_true(isnan(pcpu_tlb_crossing(x, y, 5, 100, 0, 0.1, 0)));
	assert_true(isnan(pcpu_tlb_crossing(x, y, 5, 0, 100, 0.1, 300)));
}

/*
 * A curve whose second-level rise is gradual (random replacement: the
 * miss rate climbs over an octave past the capacity), as measured on the
 * Zen 5 guest: the onset lands anywhere on that rise from sweep to
 * sweep, the 10% crossing does not. Five sweeps, one disturbed (shifted
 * down by a third), combine to a stable figure near 4100; with the
 * sweeps scattered, the verdict is unstable and says why.
 */
static double zen5_curve(double x, double shift)
{
	double c2 = 4096 * shift, m = 0;

	if (x > c2) {	/* m = 1 - exp(-m x / c2), by iteration */
		int k;

		m = 1;
		for (k = 0; k < 200; k++)
			m = 1 - exp(-m * x / c2);
	}
	return (x > 96 * shift ? 7 : 0) + 210 * m;
}

static void test_sweeps_combined(void **state)
{
	static const double shift[5] = { 1, 1, 0.67, 1, 1 };
	struct pcpu_tlb_fit fit;
	struct pcpu_tlbcal_backing cb;
	double y[NPTS], per[10], sy[NPTS];
	size_t n = make_x(), i, k;

	(void)state;
	lcg = 4242;
	for (i = 0; i < n; i++)
		y[i] = zen5_curve(xs[i], 1) + 0.2 * gauss();
	assert_int_equal(pcpu_tlb_detect(xs, y, NULL, n, NULL, &fit), 0);
	memset(&cb, 0, sizeof(cb));
	pcpu_tlbcal_from_fit(&cb, &fit);
	assert_true(cb.found[PCPU_TLBCAL_L2_ENTRIES]);
	/* m = 0.1 at x = 1.054 C */
	assert_true(cb.value[PCPU_TLBCAL_L2_ENTRIES] > 4096 &&
		    cb.value[PCPU_TLBCAL_L2_ENTRIES] < 4096 * 1.1);
	for (k = 0; k < 5; k++) {
		for (i = 0; i < n; i++)
			sy[i] = zen5_curve(xs[i], shift[k]) + 0.2 * gauss();
		sy[k + 40] = NAN;	/* a disturbed sample: missing */
		pcpu_tlbcal_sweep_entries(&cb, xs, sy, n, &per[2 * k]);
	}
	pcpu_tlbcal_combine(&cb, per, 5, NULL);
	assert_string_equal(cb.stability, "stable");
	assert_int_equal(cb.sweeps_used[1], 5);
	assert_int_equal(cb.sweeps_off[1], 1);
	assert_true(cb.spread[1] < PCPU_TLBCAL_MAX_SPREAD);
	assert_true(cb.value[PCPU_TLBCAL_L2_ENTRIES] > 4096 &&
		    cb.value[PCPU_TLBCAL_L2_ENTRIES] < 4096 * 1.1);
	assert_true(cb.value[PCPU_TLBCAL_L1_ENTRIES] > 91 &&
		    cb.value[PCPU_TLBCAL_L1_ENTRIES] < 99);

	/* scattered sweeps, and a reason from the caller */
	per[3] *= 0.7;
	per[5] *= 1.3;
	per[9] *= 0.8;
	pcpu_tlbcal_combine(&cb, per, 5, "L1d shared");
	assert_true(!strncmp(cb.stability, "unstable: L2 sweeps spread", 26));
	assert_non_null(strstr(cb.stability, "; L1d shared"));
	assert_true(cb.spread[1] > PCPU_TLBCAL_MAX_SPREAD);

	/* too few sweeps cross the step */
	for (k = 1; k < 5; k++)
		per[2 * k + 1] = NAN;
	pcpu_tlbcal_combine(&cb, per, 5, NULL);
	assert_string_equal(cb.stability,
			    "unstable: L2: 1 of 5 sweeps cross the step");
}

/*
 * A rise of twice an L2 hit on the way up to the walk plateau (a
 * co-runner's noise, as on the Zen 5 guest at 2435 pages) is not the L2
 * reach: the L2 step is a fifth of the largest rise at least, and its
 * entries are counted from the L2-hit plateau.
 */
static void test_small_rise_not_l2(void **state)
{
	struct pcpu_tlb_fit fit;
	struct pcpu_tlbcal_backing cb;
	double y[NPTS];
	size_t n = make_x(), i;

	(void)state;
	lcg = 99;
	for (i = 0; i < n; i++)
		y[i] = (xs[i] > 96 ? 7 : 0) + (xs[i] > 2435 ? 16 : 0) +
		       (xs[i] > 4096 ? 200 : 0) + 0.2 * gauss();
	assert_int_equal(pcpu_tlb_detect(xs, y, NULL, n, NULL, &fit), 0);
	assert_true(fit.nsteps >= 3);
	memset(&cb, 0, sizeof(cb));
	pcpu_tlbcal_from_fit(&cb, &fit);
	assert_true(cb.found[PCPU_TLBCAL_L2_ENTRIES]);
	/* 10% of 7 -> 223 is 28.6: crossed between 4096 and 4467 */
	assert_true(cb.value[PCPU_TLBCAL_L2_ENTRIES] > 4096 &&
		    cb.value[PCPU_TLBCAL_L2_ENTRIES] < 4467);
	assert_true(fabs(cb.lower[1] - 7) < 0.5);
}

/* The control's L1d check: flat to 3/4 of CPUID's L1d, or flagged. */
static void test_l1d_check(void **state)
{
	double c[NPTS], why_c[NPTS];
	size_t n = make_x(), i;
	char why[200];

	(void)state;
	for (i = 0; i < n; i++) {
		c[i] = xs[i] <= 768 ? 4 : 14;		/* 48 KiB: 768 lines */
		why_c[i] = xs[i] <= 512 ? 4 : 14;	/* a third taken */
	}
	assert_int_equal(pcpu_tlb_l1d_check(xs, c, n, 48, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(pcpu_tlb_l1d_check(xs, why_c, n, 48, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "another thread on this core"));
	/* CPUID silent: nothing to check */
	assert_int_equal(pcpu_tlb_l1d_check(xs, why_c, n, 0, why, sizeof(why)), 0);
}

/* A pass that saw the L1d shared makes the run's other passes unstable. */
static void test_mark_shared(void **state)
{
	struct pcpu_tlbcal_backing cb;

	(void)state;
	memset(&cb, 0, sizeof(cb));
	snprintf(cb.stability, sizeof(cb.stability), "stable");
	pcpu_tlbcal_mark_shared(&cb, "4k");
	assert_string_equal(cb.stability, "unstable: L1d shared in this "
			    "run's 4k pass: another thread on this core");
	snprintf(cb.stability, sizeof(cb.stability),
		 "unstable: L2 sweeps spread 7%%");
	pcpu_tlbcal_mark_shared(&cb, "2m");
	assert_string_equal(cb.stability, "unstable: L2 sweeps spread 7%; "
			    "L1d shared in this run's 2m pass");
	pcpu_tlbcal_mark_shared(NULL, "4k");	/* no crash */
}

/* ---- labels only from evidence ----------------------------------------- */

/*
 * The user's sparse list of issue 12 over the AMD-like curve (+7 after
 * 96 pages, +80 after 2300): two points below the L1 step, too few to
 * resolve it. The L1 figures are NA with the reason, never 2560.
 */
static const double sparse_x[] = { 64, 96, 104, 128, 512, 1024, 1280, 1536,
				    2048, 2560, 3072, 3584, 4096, 5120, 6144,
				    8192, 12288, 16384 };

static double amd_curve(double x)
{
	return (x > 96 ? 7 : 0) + (x > 2300 ? 80 : 0);
}

static void fit_sparse(double (*fn)(double), const double *x, size_t n,
		       double noise, struct pcpu_tlbcal_backing *cb)
{
	struct pcpu_tlb_fit fit;
	double y[32];
	size_t i;

	lcg = 777;
	for (i = 0; i < n; i++)
		y[i] = fn(x[i]) + noise * gauss();
	assert_int_equal(pcpu_tlb_detect(x, y, NULL, n, NULL, &fit), 0);
	memset(cb, 0, sizeof(*cb));
	pcpu_tlbcal_from_fit(cb, &fit);
}

static void test_sparse_user_list(void **state)
{
	struct pcpu_tlbcal_backing cb;
	size_t n = sizeof(sparse_x) / sizeof(sparse_x[0]);
	double noise;

	(void)state;
	for (noise = 0; noise <= 0.6; noise += 0.3) {
		fit_sparse(amd_curve, sparse_x, n, noise, &cb);
		if (cb.found[PCPU_TLBCAL_L1_ENTRIES]) {
			/* named only where the step is: 96-104 */
			assert_true(cb.value[PCPU_TLBCAL_L1_ENTRIES] >= 96 &&
				    cb.value[PCPU_TLBCAL_L1_ENTRIES] < 104);
		} else {
			assert_string_equal(cb.why[PCPU_TLBCAL_L1_ENTRIES],
					    "too-few-points-near-step");
			assert_false(cb.found[PCPU_TLBCAL_L2_HIT_CYCLES]);
		}
		/* the big step is the L2 reach, not the L1 */
		assert_true(cb.found[PCPU_TLBCAL_L2_ENTRIES]);
		assert_true(cb.value[PCPU_TLBCAL_L2_ENTRIES] >= 2048 &&
			    cb.value[PCPU_TLBCAL_L2_ENTRIES] < 2560);
		assert_true(cb.found[PCPU_TLBCAL_WALK_CYCLES]);
		assert_true(fabs(cb.value[PCPU_TLBCAL_WALK_CYCLES] - 87) < 3);
	}
}

/*
 * The same list as measured on an Intel guest (chase minus control): the
 * +7 rise at 96-128 pages has two points below it, and the later steps
 * inflate the noise estimate. L1 must be NA or 96-104, never 1536.
 */
static void test_sparse_measured(void **state)
{
	static const double y[] = { -0.07, 0.05, 2.65, 7.00, 6.81, 6.83, 7.28,
				    10.90, 26.43, 58.17, 53.07, 54.28, 61.06,
				    57.46, 60.86, 83.44, 220.36, 356.00 };
	size_t n = sizeof(sparse_x) / sizeof(sparse_x[0]);
	struct pcpu_tlb_fit fit;
	struct pcpu_tlbcal_backing cb;

	(void)state;
	assert_int_equal(pcpu_tlb_detect(sparse_x, y, NULL, n, NULL, &fit), 0);
	memset(&cb, 0, sizeof(cb));
	pcpu_tlbcal_from_fit(&cb, &fit);
	if (cb.found[PCPU_TLBCAL_L1_ENTRIES])
		assert_true(cb.value[PCPU_TLBCAL_L1_ENTRIES] >= 96 &&
			    cb.value[PCPU_TLBCAL_L1_ENTRIES] < 104);
	else
		assert_string_equal(cb.why[PCPU_TLBCAL_L1_ENTRIES],
				    "too-few-points-near-step");
}

/*
 * A step between two adjacent points: the onset is the last point below;
 * the entries a tenth of the way up, interpolated in log2: just above it.
 */
static void test_step_between_points(void **state)
{
	static const double x[] = { 16, 24, 32, 48, 64, 96, 104, 128, 192, 256,
				    384, 512, 1024, 1536, 2048, 3072, 4096,
				    6144, 8192, 16384 };
	struct pcpu_tlbcal_backing cb;

	(void)state;
	fit_sparse(amd_curve, x, sizeof(x) / sizeof(x[0]), 0.1, &cb);
	assert_true(cb.found[PCPU_TLBCAL_L1_ENTRIES]);
	assert_true(cb.value[PCPU_TLBCAL_L1_ENTRIES] >= 96 &&
		    cb.value[PCPU_TLBCAL_L1_ENTRIES] <= 96 * pow(104.0 / 96, 0.15));
	assert_true(fabs(cb.value[PCPU_TLBCAL_L2_HIT_CYCLES] - 7) < 1);
	assert_true(cb.found[PCPU_TLBCAL_L2_ENTRIES]);
	assert_true(cb.value[PCPU_TLBCAL_L2_ENTRIES] >= 2048 &&
		    cb.value[PCPU_TLBCAL_L2_ENTRIES] <= 2048 * pow(1.5, 0.15));
}

/* The curve starts above the base: the L1 step is below the first point. */
static void test_missing_l1_step(void **state)
{
	static const double x[] = { 256, 384, 512, 768, 1024, 1536, 2048, 3072,
				    4096, 6144, 8192, 12288, 16384 };
	struct pcpu_tlbcal_backing cb;

	(void)state;
	fit_sparse(amd_curve, x, sizeof(x) / sizeof(x[0]), 0.2, &cb);
	assert_false(cb.found[PCPU_TLBCAL_L1_ENTRIES]);
	assert_string_equal(cb.why[PCPU_TLBCAL_L1_ENTRIES],
			    "l1-step-below-first-point");
	assert_true(cb.found[PCPU_TLBCAL_L2_ENTRIES]);
	assert_true(cb.value[PCPU_TLBCAL_L2_ENTRIES] >= 2048 &&
		    cb.value[PCPU_TLBCAL_L2_ENTRIES] < 3072);
}

/* CPUID's 128-entry L2 against a measured reach of thousands: said so. */
static void test_cpuid_disagree(void **state)
{
	struct pcpu_cpuid_info ci;
	struct pcpu_tlbcal_backing cb;
	char b[200];

	(void)state;
	memset(&ci, 0, sizeof(ci));
	assert_int_equal(pcpu_cpuid_decode_amd_tlb(&ci, 0xff60ff40, 0xff60ff40,
						   0x40802040, 0x60804040,
						   0xf040f040, 0x64006400), 12);
	memset(&cb, 0, sizeof(cb));
	cb.valid = true;
	cb.found[PCPU_TLBCAL_L1_ENTRIES] = true;
	cb.value[PCPU_TLBCAL_L1_ENTRIES] = 91;
	cb.found[PCPU_TLBCAL_L2_ENTRIES] = true;
	cb.value[PCPU_TLBCAL_L2_ENTRIES] = 2896;
	assert_int_equal(pcpu_tlbcal_cpuid_disagree(&cb, PCPU_TLB_4K, &ci,
		PCPU_TLBCAL_L1_ENTRIES, b, sizeof(b)), 0);
	assert_int_equal(pcpu_tlbcal_cpuid_disagree(&cb, PCPU_TLB_4K, &ci,
		PCPU_TLBCAL_L2_ENTRIES, b, sizeof(b)), 1);
	assert_non_null(strstr(b, "128"));
	assert_non_null(strstr(b, "2896"));
	cb.found[PCPU_TLBCAL_L2_ENTRIES] = false;
	assert_int_equal(pcpu_tlbcal_cpuid_disagree(&cb, PCPU_TLB_4K, &ci,
		PCPU_TLBCAL_L2_ENTRIES, b, sizeof(b)), 0);
	memset(&ci, 0, sizeof(ci));	/* CPUID silent: nothing to compare */
	cb.found[PCPU_TLBCAL_L2_ENTRIES] = true;
	assert_int_equal(pcpu_tlbcal_cpuid_disagree(&cb, PCPU_TLB_4K, &ci,
		PCPU_TLBCAL_L2_ENTRIES, b, sizeof(b)), 0);
	assert_int_equal(pcpu_tlbcal_cpuid_disagree(NULL, PCPU_TLB_4K, &ci,
		PCPU_TLBCAL_L2_ENTRIES, b, sizeof(b)), -EINVAL);
}

/* ---- CPUID decoders --------------------------------------------------- */

static void test_cpuid_amd(void **state)
{
	struct pcpu_cpuid_info ci;
	const struct pcpu_cpuid_tlb *t;

	(void)state;
	memset(&ci, 0, sizeof(ci));
	/* Words from this KVM guest ("AMD EPYC") plus a synthetic 1G leaf. */
	assert_int_equal(pcpu_cpuid_decode_amd_tlb(&ci, 0xff60ff40, 0xff60ff40,
						   0x40802040, 0x60804040,
						   0xf040f040, 0x64006400), 12);
	t = pcpu_cpuid_find_tlb(&ci, "L1", 4, true);
	assert_non_null(t);
	assert_int_equal(t->entries, 96);
	assert_int_equal(t->ways, 0);
	t = pcpu_cpuid_find_tlb(&ci, "L1", 4, false);
	assert_non_null(t);
	assert_int_equal(t->entries, 64);
	t = pcpu_cpuid_find_tlb(&ci, "L2", 4, true);
	assert_non_null(t);
	assert_int_equal(t->entries, 128);
	assert_int_equal(t->ways, 8);
	t = pcpu_cpuid_find_tlb(&ci, "L2", 2048, true);
	assert_non_null(t);
	assert_int_equal(t->entries, 128);
	assert_int_equal(t->ways, 4);
	t = pcpu_cpuid_find_tlb(&ci, "L1", 1048576, true);
	assert_non_null(t);
	assert_int_equal(t->entries, 64);
	assert_int_equal(t->ways, 0);
	t = pcpu_cpuid_find_tlb(&ci, "L2", 1048576, true);
	assert_non_null(t);
	assert_int_equal(t->entries, 1024);
	assert_int_equal(t->ways, 8);

	/* All zeros (a masked VM): nothing, not zero-entry TLBs. */
	memset(&ci, 0, sizeof(ci));
	assert_int_equal(pcpu_cpuid_decode_amd_tlb(&ci, 0, 0, 0, 0, 0, 0), 0);
	assert_int_equal(ci.nr_tlb, 0);
	assert_null(pcpu_cpuid_find_tlb(&ci, "L1", 4, true));

	assert_int_equal(pcpu_cpuid_amd_l2_ways(0), -1);
	assert_int_equal(pcpu_cpuid_amd_l2_ways(6), 8);
	assert_int_equal(pcpu_cpuid_amd_l2_ways(0xf), 0);
}

static void test_cpuid_intel_18(void **state)
{
	struct pcpu_cpuid_info ci;
	const struct pcpu_cpuid_tlb *t;

	(void)state;
	memset(&ci, 0, sizeof(ci));
	/* Load-only L1 dTLB, 4K, 16 sets x 4 ways = 64 entries (subleaf 1 of
	 * a Golden Cove-like part): EDX type 4 (load), level 1. */
	assert_int_equal(pcpu_cpuid_decode_intel_18(&ci, 0, (4u << 16) | 1, 16,
						    (1u << 5) | 4), 1);
	/* STLB: unified level 2, 4K+2M, 8 ways x 256 sets = 2048. */
	assert_int_equal(pcpu_cpuid_decode_intel_18(&ci, 0, (8u << 16) | 3, 256,
						    (2u << 5) | 3), 2);
	/* Fully associative data TLB for 1G, 8 entries. */
	assert_int_equal(pcpu_cpuid_decode_intel_18(&ci, 0, (8u << 16) | 8, 1,
						    (1u << 8) | (1u << 5) | 1), 1);
	/* Invalid subleaf (type 0) and the all-zero leaf of this VM. */
	assert_int_equal(pcpu_cpuid_decode_intel_18(&ci, 0, 0xffffffff, 4, 0), 0);
	assert_int_equal(pcpu_cpuid_decode_intel_18(&ci, 0, 0, 0, 0), 0);
	assert_int_equal(ci.nr_tlb, 4);
	t = pcpu_cpuid_find_tlb(&ci, "L1", 4, true);
	assert_non_null(t);
	assert_int_equal(t->entries, 64);
	assert_string_equal(t->kind, "load");
	t = pcpu_cpuid_find_tlb(&ci, "L2", 2048, true);
	assert_non_null(t);
	assert_int_equal(t->entries, 2048);
	assert_string_equal(t->kind, "shared");
	t = pcpu_cpuid_find_tlb(&ci, "L1", 1048576, true);
	assert_non_null(t);
	assert_int_equal(t->ways, 0);
}

static void test_cpuid_intel_leaf2(void **state)
{
	struct pcpu_cpuid_info ci;
	const struct pcpu_cpuid_tlb *t;
	/* AL=1; descriptors 0x5a (DTLB0 2M 32e 4w), 0x03 (DTLB 4K 64e 4w),
	 * 0x76 (ITLB 2M), 0xca (STLB 4K 512e 4w); EBX bit 31 = no data. */
	uint32_t regs[4] = { 0x5a030001, 0x80000000, 0x000000ca, 0x00000076 };

	(void)state;
	memset(&ci, 0, sizeof(ci));
	assert_int_equal(pcpu_cpuid_decode_intel_leaf2(&ci, regs), 4);
	t = pcpu_cpuid_find_tlb(&ci, "L1", 4, true);
	assert_non_null(t);
	assert_int_equal(t->entries, 64);
	t = pcpu_cpuid_find_tlb(&ci, "L2", 4, true);
	assert_non_null(t);
	assert_int_equal(t->entries, 512);
	t = pcpu_cpuid_find_tlb(&ci, "L1", 2048, false);
	assert_non_null(t);
	assert_int_equal(t->entries, 8);
}

static void test_cpuid_cache4(void **state)
{
	struct pcpu_cpuid_info ci;

	(void)state;
	memset(&ci, 0, sizeof(ci));
	/* This guest's 0x8000001D subleaf 0: L1d 48 KiB, 12 ways, 64 sets. */
	assert_int_equal(pcpu_cpuid_decode_cache4(&ci, 0x00000121, 0x02c0003f,
						  0x0000003f, 0), 1);
	assert_int_equal(ci.cache[0].level, 1);
	assert_string_equal(ci.cache[0].type, "data");
	assert_int_equal(ci.cache[0].size_kb, 48);
	assert_int_equal(ci.cache[0].ways, 12);
	assert_int_equal(ci.cache[0].line, 64);
	assert_int_equal(pcpu_cpuid_decode_cache4(&ci, 0, 0, 0, 0), 0);
}

static void test_cpuid_read(void **state)
{
	struct pcpu_cpuid_info ci;
	int ret;

	(void)state;
	ret = pcpu_cpuid_read(&ci);
	if (ret == -ENOTSUP)
		skip();
	assert_int_equal(ret, 0);
	assert_true(strlen(ci.vendor) > 0);
	assert_true(ci.nr_tlb <= PCPU_CPUID_MAX_TLB);
	assert_true((ci.nr_tlb == 0) == (ci.tlb_source == NULL));
	assert_int_equal(pcpu_cpuid_read(NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_steps),
		cmocka_unit_test(test_noisy_steps),
		cmocka_unit_test(test_ramped_step),
		cmocka_unit_test(test_single_step),
		cmocka_unit_test(test_no_step),
		cmocka_unit_test(test_tiny_step_ignored),
		cmocka_unit_test(test_smooth_drift),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_cal_roundtrip),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_crossing),
		cmocka_unit_test(test_sweeps_combined),
		cmocka_unit_test(test_small_rise_not_l2),
		cmocka_unit_test(test_l1d_check),
		cmocka_unit_test(test_mark_shared),
		cmocka_unit_test(test_sparse_user_list),
		cmocka_unit_test(test_sparse_measured),
		cmocka_unit_test(test_step_between_points),
		cmocka_unit_test(test_missing_l1_step),
		cmocka_unit_test(test_cpuid_disagree),
		cmocka_unit_test(test_cpuid_amd),
		cmocka_unit_test(test_cpuid_intel_18),
		cmocka_unit_test(test_cpuid_intel_leaf2),
		cmocka_unit_test(test_cpuid_cache4),
		cmocka_unit_test(test_cpuid_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
