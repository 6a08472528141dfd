// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-rng.c - the suite's one pseudo-random source (pcpu-rng.h).
 */
#include "pcpu-rng.h"

uint64_t pcpu_rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

void pcpu_rng_shuffle(void *base, size_t n, size_t size, uint64_t *s)
{
	unsigned char *v = base;
	size_t i, b;

	for (i = n; i > 1; i--) {
		size_t k = (size_t)(pcpu_rng_next(s) % i);
		unsigned char *x = v + (i - 1) * size, *y = v + k * size;

		for (b = 0; b < size; b++) {
			unsigned char t = x[b];

			x[b] = y[b];
			y[b] = t;
		}
	}
}
