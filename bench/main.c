// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - pcpubench: dispatch to a subcommand. `pcpubench --dry-run
 * COMMAND ARGS` checks the arguments and prints what the command would do
 * (see bc_dry_run) without running it. Whatever a command printed on
 * standard output is flushed and checked here: a failed write (a full
 * disk, /dev/full) is exit 3 with a message, never 0.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench-common.h"
#include "bench-env.h"
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
		   "       pcpubench --dry-run COMMAND [OPTIONS]\n"
		   "       pcpubench --version | --help\n\n"
		   "Measures what it costs to reach this CPU's copy of a per-CPU\n"
		   "variable, strategy by strategy, and what CPU hotplug does to\n"
		   "that cost, to the TLB and to NUMA locality.\n\ncommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].desc);
	fprintf(f, "\n--dry-run: check the arguments as for a run, print the intent\n"
		   "(\"intent: churn hotplug=sysfs allowed=no\") and run nothing.\n"
		   "\nexit codes: 0 ok, 1 a check failed (or an internal failure such\n"
		   "as out of memory), 2 usage error, 3 output not written (disk\n"
		   "full, I/O error; the message names the file), 4 cannot run here\n");
}

/* Standard output reached its file: Return: @rc, or EXIT_IO with a message. */
static int flush_stdout(int rc)
{
	errno = 0;
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	fprintf(stderr, "pcpubench: writing standard output: %s\n",
		errno ? strerror(errno) : "I/O error");
	return EXIT_IO;
}

/*
 * The commands that stop after their checks in a dry run (each calls
 * bc_dry_run_stop() or bc_hotplug_gate()). Any other is refused with
 * --dry-run: it would run for real.
 */
static const char *const dry_run_cmds[] = {
	"list", "info", "access", "tlb", "churn", "numa", "mem", "cid",
	"kernel", "workload", "modules", "kfacts", NULL
};

static int has_dry_run(const char *name)
{
	size_t i;

	for (i = 0; dry_run_cmds[i]; i++)
		if (!strcmp(dry_run_cmds[i], name))
			return 1;
	return 0;
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
		return flush_stdout(EXIT_OK);
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return flush_stdout(EXIT_OK);
	}
	if (!strcmp(argv[1], "--dry-run")) {
		bc_dry_run = true;
		argc--;
		argv++;
		if (argc < 2) {
			fprintf(stderr, "pcpubench: --dry-run needs a command\n");
			return EXIT_USAGE;
		}
	}
	if (bench_env_apply())
		return EXIT_USAGE;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(argv[1], commands[i].name)) {
			if (bc_dry_run && !has_dry_run(commands[i].name)) {
				fprintf(stderr, "pcpubench: %s has no dry run\n",
					commands[i].name);
				return EXIT_SKIP;
			}
			/* getopt names argv[0] in its messages: "pcpubench access". */
			static char prog[64];

			snprintf(prog, sizeof(prog), "pcpubench %s", commands[i].name);
			argv[1] = prog;
			bc_set_command(argc - 1, argv + 1);
			return flush_stdout(commands[i].fn(argc - 1, argv + 1));
		}
	}
	fprintf(stderr, "pcpubench: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
