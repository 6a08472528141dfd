// SPDX-License-Identifier: GPL-2.0
/*
 * tlb-refchase.c - an independent TLB pointer chase, to check the figures
 * of `pcpubench tlb` by a different method. Standalone: no libpcpu code.
 *
 * Differences from lib/toolkit/pcpu-tlb.c on purpose: a single-cycle Sattolo
 * permutation, the line in each page chosen as (page * 5) % 64, time from
 * clock_gettime(CLOCK_MONOTONIC) (not rdtsc), core cycles from its own
 * dependent imul chain, best-of-reps (min) instead of medians, no control
 * pattern, and a plain threshold rule instead of the step detector.
 *
 *   cc -O2 -o build/tlb-refchase tests/tlb-refchase.c -lm
 *   build/tlb-refchase [4k|2m] [reps]
 *
 * Prints ns and cycles per access against pages, then:
 *   l1_reach: last N (4 KiB pages) before the time rises by 2.5 cycles
 *   l2_reach: last N before it rises by 25 cycles above the L2-hit level
 *             (no control: the L1d-miss rise at ~768 lines is ~10 cycles)
 *   l2_hit, walk (at N = 16384), walk_far (at N = 65536), extra cycles
 *   over the base (N <= 32).
 * Not a unit test (it times things): `make tests` builds it and
 * tests/t-refchase.sh runs it once, checking only the output's shape.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double core_ghz(void)
{
	double best = 0;
	int r;

	/* short windows, best of many: a preemption must not count */
	for (r = 0; r < 200; r++) {
		uint64_t x = 3, n = 100000;
		double t0 = now_ns(), t;

		__asm__ volatile("1:\n\timul %0, %0\n\timul %0, %0\n\t"
				 "imul %0, %0\n\timul %0, %0\n\tdec %1\n\tjnz 1b"
				 : "+r"(x), "+r"(n));
		t = now_ns() - t0;
		/* 4 imuls of 3 cycles per iteration */
		if (100000.0 * 12 / t > best)
			best = 100000.0 * 12 / t;
	}
	return best;
}

static uint64_t rs = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static double chase(char *buf, size_t n, int reps)
{
	size_t *perm = malloc(n * sizeof(*perm)), i, k, steps;
	double best = 1e30;
	void **p;
	int r;

	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--) {	/* Sattolo: one cycle */
		size_t j = rnd() % i, t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < n; i++) {
		char *a = buf + i * 4096 + (i * 5 % 64) * 64;
		char *b = buf + perm[i] * 4096 + (perm[i] * 5 % 64) * 64;

		*(void **)a = b;
	}
	p = (void **)(buf + (0 * 5 % 64) * 64);
	steps = n * 4 > 400000 ? n * 4 : 400000;
	for (k = 0; k < n + 1000; k++)
		p = *p;
	for (r = 0; r < reps; r++) {
		double t0 = now_ns(), t;

		for (k = 0; k < steps; k += 8) {
			p = *p; p = *p; p = *p; p = *p;
			p = *p; p = *p; p = *p; p = *p;
		}
		t = (now_ns() - t0) / steps;
		if (t < best)
			best = t;
	}
	if (!p)
		puts("");
	free(perm);
	return best;
}

int main(int argc, char **argv)
{
	size_t len = 65536UL * 4096, npt = 0, i;
	int huge = argc > 1 && !strcmp(argv[1], "2m");
	int reps = argc > 2 ? atoi(argv[2]) : 7;
	double pts[200], ns[200], ghz, base = 0, l2lvl = 0, l1r = 0, l2r = 0;
	double at16k = NAN, at64k = NAN;
	char *m, *buf;
	int nb = 0, n2 = 0;

	m = mmap(NULL, len + (2 << 20), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 4;
	buf = (char *)(((uintptr_t)m + (2 << 20) - 1) & ~((uintptr_t)(2 << 20) - 1));
	madvise(buf, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	memset(buf, 1, len);
	ghz = core_ghz();
	for (i = 8; i <= 65536; ) {
		pts[npt++] = i;
		/* dense around the usual L1 sizes, 4 per octave elsewhere */
		if (i >= 32 && i < 192)
			i += 8;
		else
			i = (size_t)ceil(i * 1.19);
	}
	pts[npt - 1] = 65536;
	printf("# %s, core %.2f GHz (imul), min of %d reps, CLOCK_MONOTONIC\n",
	       huge ? "2m (MADV_HUGEPAGE)" : "4k", ghz, reps);
	printf("%8s %9s %9s\n", "pages", "ns", "cycles");
	for (i = 0; i < npt; i++) {
		ns[i] = chase(buf, (size_t)pts[i], reps);
		printf("%8.0f %9.2f %9.2f\n", pts[i], ns[i], ns[i] * ghz);
	}
	for (i = 0; i < npt && pts[i] <= 32; i++, nb++)
		base += ns[i] * ghz;
	base /= nb;
	for (i = 0; i < npt; i++) {
		if (ns[i] * ghz > base + 2.5) {
			l1r = pts[i - 1];
			break;
		}
	}
	/* L2-hit level: mean of the points from 2x L1 reach up to 600 pages
	 * (600 lines still fit the 48 KiB L1d; there is no control here). */
	for (; i < npt; i++)
		if (pts[i] >= 2 * l1r && pts[i] <= 600) {
			l2lvl += ns[i] * ghz;
			n2++;
		}
	l2lvl /= n2 ? n2 : 1;
	/* +25 cycles: above the L1d-miss rise (~+10), below a walk. */
	for (i = 0; i < npt; i++) {
		if (pts[i] > 600 && ns[i] * ghz > l2lvl + 25) {
			l2r = pts[i - 1];
			break;
		}
	}
	for (i = 0; i < npt; i++) {
		if (pts[i] == 16384 || (pts[i] > 16384 && isnan(at16k)))
			at16k = ns[i] * ghz;
		if (pts[i] == 65536)
			at64k = ns[i] * ghz;
	}
	printf("l1_reach %.0f pages\nl2_reach %.0f pages\nl2_hit %.1f cycles\n"
	       "walk(16K pages) %.1f cycles\nwalk_far(64K pages) %.1f cycles\n",
	       l1r, l2r, l2lvl - base, at16k - base, at64k - base);
	return 0;
}
