/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench-common.h - option helpers shared by the benchmark commands.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "pcpu.h"
#include "pcpu-out.h"

#define BC_MAX_LIST 64

/* Split a comma list in place-independent copies. Return: count, -EINVAL. */
int bc_split(const char *s, char out[][64], size_t max);
/* NULL or "all" (every strategy available here) or a comma list of
 * strategy names. Return: count; -EINVAL (message in err names the
 * unknown strategy). */
int bc_strategies(const char *s, enum pcpu_strategy_id *ids, size_t max,
		  char *err, size_t errlen);
/* Parse a double/unsigned option value; -EINVAL on junk. */
int bc_double(const char *s, double *v);
int bc_ulong(const char *s, unsigned long *v);
/* Parse a placement; on error say so on stderr. Return: 0; -EINVAL. */
int bc_placement(const char *cmd, const char *s, struct pcpu_placement *p);
/* Complain (exit-2 style) about arguments left after the options. */
int bc_no_extra_args(const char *cmd, int argc, char **argv, int optind_);
/* Default output format: text on a terminal, csv otherwise. */
enum pout_format bc_default_format(const char *path);
/* xorshift64* step: the next pseudo-random number from *s (nonzero). */
uint64_t bc_rng_next(uint64_t *s);
/* "na:WORD(MSG)" in dst, with commas, quotes and newlines made ';'. */
void bc_na_reason(char *dst, size_t len, const char *word, const char *msg);
/* The last CPU this thread may run on (0 when unknown). */
int bc_default_cpu(void);

#endif
