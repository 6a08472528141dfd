/* SPDX-License-Identifier: GPL-2.0 */
/*
 * modules-cmd.h - the parts of `pcpubench modules` (bench/cmd-modules.c):
 * the stream of module section sizes and --scan (modules-stream.c), the
 * access rows (modules-access.c).
 */
#ifndef MODULES_CMD_H
#define MODULES_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcpu.h"
#include "pcpu-modules.h"
#include "opts.h"
#include "pcpu-out.h"

#define MAX_SECTIONS 65536
#define MAX_LOADS 200000
#define COLD_SAMPLES 301

struct section {
	char name[48];
	size_t size, align;
};

struct stream {
	char name[64];
	struct section *s;
	size_t n;
};

/* The rows' parameter columns. */
enum { P_POLICY, P_STRATEGY, P_ACCESS, P_LAYOUT, P_STREAM, P_ORDER,
       P_POSSIBLE, P_ONLINE, P_PAGE, P_VAR, NR_P };

struct mod_opts {
	struct opts_common oc;	/* cfg, --strategy, --page, --repeat, --seed,
				   --format, -o */
	const char *policies, *sizes, *order, *scan, *source;
	unsigned long churn, cold;
	bool access;
};

/* The access rows' clocks and cold pool. */
struct mod_acc {
	double tsc_hz, core_hz;
	uintptr_t *pool;
	size_t pool_pages;
	void *pool_map;
	uint64_t rng;
};

/*
 * mod_stream_load() - the stream of --sizes @arg (NULL: the Debian file
 * compiled in). Return: 0; -EINVAL (message on stderr); -ENOMEM.
 */
int mod_stream_load(struct stream *st, const char *arg);
/* --order @order (file, random, ascending, descending). Return: 0; -EINVAL. */
int mod_order_apply(struct stream *st, const char *order, uint64_t seed);
/* The stream's own distribution: count, median, max, top 20. */
void mod_stream_rows(struct pout *o, const char **pv, const struct stream *st);
/* --scan DIR: print the data file of the .ko under @dir. Return: an exit code. */
int mod_scan(const char *dir, const char *source);

/* Clocks and, with --cold, the cold pool. Return: 0; -ENOTSUP; -ENOMEM. */
int mod_acc_setup(struct mod_acc *c, const struct mod_opts *op);
void mod_acc_free(struct mod_acc *c);
/* The access rows of strategy @sid under policy @pol. Return: an exit code. */
int mod_run_access(struct pout *o, const struct mod_opts *op, struct mod_acc *c,
		   const struct pcpu_mod_policy *pol, enum pcpu_strategy_id sid,
		   struct pcpu_config *cfg, const char **pv);

#endif
