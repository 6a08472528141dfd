// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - pcpubench: dispatch to a subcommand.
 */
#include <stdio.h>
#include <string.h>

#include "pcpu-version.h"
#include "pcpubench.h"

struct command {
	const char *name;
	const char *desc;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
#define PCPUBENCH_X_CMD(name, desc) { #name, desc, cmd_##name },
	PCPUBENCH_COMMANDS(PCPUBENCH_X_CMD)
#undef PCPUBENCH_X_CMD
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: pcpubench COMMAND [OPTIONS]   (pcpubench COMMAND --help)\n"
		   "       pcpubench --version | --help\n\n"
		   "Measures what it costs to reach this CPU's copy of a per-CPU\n"
		   "variable, strategy by strategy, and what CPU hotplug does to\n"
		   "that cost, to the TLB and to NUMA locality.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].desc);
	fprintf(f, "\nexit codes: 0 ok, 1 a check failed, 2 usage error, "
		   "4 cannot run here\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("pcpubench %s\ncompiler: %s\nflags: %s\n", PCPU_GIT_REV,
		       PCPU_CC_VERSION, PCPU_BUILD_FLAGS);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			/* getopt names argv[0] in its messages: "pcpubench access". */
			static char prog[64];

			snprintf(prog, sizeof(prog), "pcpubench %s", commands[i].name);
			argv[1] = prog;
			return commands[i].fn(argc - 1, argv + 1);
		}
	}
	fprintf(stderr, "pcpubench: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
