/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench-common.h - option helpers shared by the benchmark commands.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>

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
/* --layout and --late-node values; on error say so on stderr.
 * Return: 0; -EINVAL. */
int bc_layout(const char *cmd, const char *s, enum pcpu_layout_id *l);
int bc_late_node(const char *cmd, const char *s, struct pcpu_late_node *ln);
/* Keep the strategies of @ids[0..n) that exist over @layout (PCPU_L_DEFAULT:
 * their own). @list "all"/NULL: the others are skipped with a line on
 * stderr; an explicit list: the first invalid pair is a usage error.
 * Return: the count kept; -EINVAL (message printed). */
int bc_pairs(const char *cmd, const char *list, enum pcpu_strategy_id *ids,
	     int n, enum pcpu_layout_id layout);
/* A cpulist from /sys/devices/system/cpu/NAME ("possible", "present",
 * "online") as a pcpu_config string (one id "N" becomes "N-N").
 * Return: 0; -errno. */
int bc_sysfs_cpulist(const char *name, char *buf, size_t len);
/* Default output format: text on a terminal, csv otherwise. */
enum pout_format bc_default_format(const char *path);

#endif
