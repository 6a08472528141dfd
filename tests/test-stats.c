// SPDX-License-Identifier: GPL-2.0
/*
 * test-stats.c - pstats_compute() on known vectors: median, quartiles
 * (type 7, as R and numpy), mean, plain and robust CV; NaN skipped; bad
 * arguments refused.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "pcpu-stats.h"

#define EPS 1e-9

static void test_odd(void **state)
{
	/* R: quantile(c(7,1,3,5,9), type=7) -> 1 3 5 7 9 */
	const double v[] = { 7, 1, 3, 5, 9 };
	struct pstats s;

	assert_int_equal(pstats_compute(v, 5, &s), 0);
	assert_int_equal(s.n, 5);
	assert_true(fabs(s.median - 5) < EPS);
	assert_true(fabs(s.min - 1) < EPS);
	assert_true(fabs(s.max - 9) < EPS);
	assert_true(fabs(s.q1 - 3) < EPS);
	assert_true(fabs(s.q3 - 7) < EPS);
	assert_true(fabs(s.mean - 5) < EPS);
	/* sd = sqrt(10) */
	assert_true(fabs(s.cv - sqrt(10.0) / 5) < EPS);
	assert_true(fabs(s.rcv - 4 / (1.349 * 5)) < EPS);
}

static void test_even(void **state)
{
	/* numpy.percentile([1,2,3,4], [25,50,75]) -> 1.75 2.5 3.25 */
	const double v[] = { 4, 2, 3, 1 };
	struct pstats s;

	assert_int_equal(pstats_compute(v, 4, &s), 0);
	assert_true(fabs(s.median - 2.5) < EPS);
	assert_true(fabs(s.q1 - 1.75) < EPS);
	assert_true(fabs(s.q3 - 3.25) < EPS);
	assert_true(fabs(s.rcv - 1.5 / (1.349 * 2.5)) < EPS);
}

static void test_constant_and_single(void **state)
{
	const double v[] = { 3, 3, 3 }, one[] = { 42 };
	struct pstats s;

	assert_int_equal(pstats_compute(v, 3, &s), 0);
	assert_true(s.cv == 0 && s.rcv == 0);
	assert_int_equal(pstats_compute(one, 1, &s), 0);
	assert_true(s.median == 42 && s.q1 == 42 && s.q3 == 42 && s.cv == 0);
}

static void test_nan_skipped(void **state)
{
	const double v[] = { NAN, 1, 2, NAN, 3 };
	struct pstats s;

	assert_int_equal(pstats_compute(v, 5, &s), 0);
	assert_int_equal(s.n, 3);
	assert_true(fabs(s.median - 2) < EPS);
}

static void test_bad(void **state)
{
	const double v[] = { NAN };
	struct pstats s;

	assert_int_equal(pstats_compute(NULL, 1, &s), -EINVAL);
	assert_int_equal(pstats_compute(v, 1, NULL), -EINVAL);
	assert_int_equal(pstats_compute(v, 1, &s), -EINVAL);
	assert_int_equal(pstats_compute(v, 0, &s), -EINVAL);
}

static void test_quantile(void **state)
{
	const double s[] = { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110 };

	/* 11 samples: q1 = s[2.5] = 35, q3 = s[7.5] = 85. */
	assert_true(fabs(pstats_quantile_sorted(s, 11, 0.25) - 35) < EPS);
	assert_true(fabs(pstats_quantile_sorted(s, 11, 0.75) - 85) < EPS);
	assert_true(pstats_quantile_sorted(s, 11, 0) == 10);
	assert_true(pstats_quantile_sorted(s, 11, 1) == 110);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odd),
		cmocka_unit_test(test_even),
		cmocka_unit_test(test_constant_and_single),
		cmocka_unit_test(test_nan_skipped),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_quantile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
