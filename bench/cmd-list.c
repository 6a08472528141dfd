// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-list.c - `pcpubench list`: the strategies (and why one is
 * unavailable here), the workloads, and the counter events known. Every
 * name comes from the lists in lib/ and bench/.
 */
#include <stdio.h>
#include <string.h>

#include "pcpu.h"
#include "pcpu-counters.h"
#include "bench-common.h"
#include "pcpubench.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: pcpubench list [--help]\n\n"
		   "Prints the strategies (with \"unavailable: <reason>\" where a\n"
		   "strategy cannot run here), the workloads (the subcommands and\n"
		   "their operations), the page backings, the placements, and the\n"
		   "counter events known (default set, native set, libpfm4 PMU\n"
		   "table in use).\n");
}

int cmd_list(int argc, char **argv)
{
	unsigned i;

	if (argc > 1) {
		if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
			usage(stdout);
			return EXIT_OK;
		}
		fprintf(stderr, "pcpubench list: unknown option '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (bc_dry_run_stop("list"))
		return EXIT_OK;
	printf("strategies:\n");
	for (i = 0; i < PCPU_NR_STRATEGIES; i++) {
		const char *why = pcpu_strategy_unavailable((enum pcpu_strategy_id)i);

		printf("  %-13s %s%s\n", pcpu_strategy_name((enum pcpu_strategy_id)i),
		       why ? "unavailable: " : "",
		       why ? why : pcpu_strategy_desc((enum pcpu_strategy_id)i));
	}
	printf("\nworkloads:\n");
#define LIST_X_CMD(name, desc) \
	if (strcmp(#name, "list") && strcmp(#name, "info")) \
		printf("  %-13s %s\n", #name, desc);
	PCPUBENCH_COMMANDS(LIST_X_CMD)
#undef LIST_X_CMD
	printf("  access ops:   read, write, inc (64-bit add 1); modes latency, "
	       "throughput\n");
	printf("\nbackings:\n");
#define LIST_X_BACKING(id, name, desc) printf("  %-13s %s\n", name, desc);
	PCPU_BACKINGS(LIST_X_BACKING)
#undef LIST_X_BACKING
	printf("  (2m is an alias of thp)\n");
	printf("\nplacements:\n  local, interleave, node:N\n");
	printf("\ncounter events:\n");
	printf("  default:      %s\n", pcnt_default_list());
	printf("  native:       %s\n", pcnt_native_list());
	printf("  libpfm4 PMU:  %s\n", pcnt_pfm_pmu());
	printf("  also:         sw, none, no-split (one group, must fit), "
	       "raw rXXXX,\n"
	       "                perf-style names of the event tables "
	       "(events/), libpfm4\n"
	       "                names (upper case), generic cycles, "
	       "instructions, dTLB-loads,\n"
	       "                dTLB-load-misses, dTLB-store-misses, "
	       "node-loads, node-load-misses\n");
	printf("  (pcpubench info shows which of them can be read here, and "
	       "how)\n");
	return EXIT_OK;
}
