/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-rng.h - the one pseudo-random source of the suite: a xorshift64*
 * step and a Fisher-Yates shuffle over it. Deterministic for a seed, so
 * a run's random orders can be reproduced; not for cryptography.
 */
#ifndef PCPU_RNG_H
#define PCPU_RNG_H

#include <stddef.h>
#include <stdint.h>

/*
 * pcpu_rng_next() - xorshift64* step: the next pseudo-random number from
 * *s, which must be nonzero (a zero state stays zero).
 */
uint64_t pcpu_rng_next(uint64_t *s);

/*
 * pcpu_rng_shuffle() - Fisher-Yates: put the n elements of size bytes at
 * base in a uniformly random order drawn from *s.
 */
void pcpu_rng_shuffle(void *base, size_t n, size_t size, uint64_t *s);

#endif /* PCPU_RNG_H */
