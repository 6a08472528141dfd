/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench-common.h - option helpers shared by the benchmark commands.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pcpu.h"
#include "pcpu-out.h"
#include "pcpu-rng.h"

#define BC_MAX_LIST 64

/*
 * Split a comma list into copies. An item given twice is kept once (the
 * first time). Return: count; -EINVAL (empty list or item, too many).
 */
int bc_split(const char *s, char out[][64], size_t max);
/* NULL or "all" (every strategy available here) or a comma list of
 * strategy names. Return: count; -EINVAL (message in err names the
 * unknown strategy). */
int bc_strategies(const char *s, enum pcpu_strategy_id *ids, size_t max,
		  char *err, size_t errlen);
/* Parse a double/unsigned option value; -EINVAL on junk, nan, inf. */
int bc_double(const char *s, double *v);
int bc_ulong(const char *s, unsigned long *v);
/*
 * bc_number() - a finite number for option @opt in [@min, @max]; on error
 * a message naming the option and the range on stderr.
 * Return: 0; -EINVAL.
 */
int bc_number(const char *cmd, const char *opt, const char *s, double min,
	      double max, double *v);
/* bc_count() - the same for a whole number. Return: 0; -EINVAL. */
int bc_count(const char *cmd, const char *opt, const char *s,
	     unsigned long min, unsigned long max, unsigned long *v);
/*
 * bc_clamp_note() - a value the command lowered to what this run can
 * have: says so on stderr ("--late 100000: 254 CPUs can come online
 * late; using 254").
 */
void bc_clamp_note(const char *cmd, const char *opt, unsigned long asked,
		   unsigned long used, const char *why);

/*
 * bc_exit_code() - the exit code for a -errno: 0 for 0; 2 (usage) for
 * EINVAL, ERANGE, E2BIG, EDOM; 4 (cannot run here) for ENOTSUP, ENODEV,
 * ENXIO, EPERM, EACCES, ENOSYS; 3 (output not written) for ENOSPC, EIO,
 * EDQUOT, EFBIG, EROFS; 1 (failure) for anything else, ENOMEM included.
 */
int bc_exit_code(int err);

/*
 * bc_rt_exit() - the exit code of a failed pcpu_rt_init(): as
 * bc_exit_code(), except that -ENOMEM with a hugetlb backing (the pool
 * has too few pages reserved) is 4, cannot run here.
 */
int bc_rt_exit(int err, const struct pcpu_config *cfg);

/*
 * bc_rt_start() - a runtime for a command's point: pcpu_rt_init() of
 * @cfg, its message in @err. A strategy that cannot run so (-ENOTSUP)
 * when @na_ok (several strategies: the others still run) is no error:
 * *@rt is NULL and @na holds its status "na:not-supported(MSG)" for the
 * NA rows. Any other failure says "pcpubench CMD: WHAT: MSG" on stderr.
 * Return: 0 (*@rt set, or NULL for NA rows); an exit code (bc_rt_exit()).
 */
int bc_rt_start(const char *cmd, const char *what, struct pcpu_rt **rt,
		struct pcpu_config *cfg, bool na_ok, char *na, size_t nalen,
		char *err, size_t errlen);

/*
 * Output through pout with the user told what went wrong.
 * bc_out_open(): as pout_open(); a path that exists and is not a regular
 * file, or a missing directory, is a usage error (2); another failure to
 * create the file is 3. bc_out_close(): 0; 3 a write, fsync or rename
 * failed (ENOSPC, EIO ...: the message says so and names the file); 1 a
 * row was refused (internal error). Each prints its message.
 * Return: an exit code.
 */
/*
 * bc_set_command() - the command line ("pcpubench access --op read ..."),
 * kept for every output's metadata ("command"): bc_out_open() adds it.
 */
void bc_set_command(int argc, char **argv);
extern char bc_command[2048];
int bc_out_open(const char *cmd, struct pout **o, enum pout_format f,
		const char *path, const char *bench,
		const char *const *param_names, size_t nparams);
int bc_out_close(const char *cmd, struct pout *o);
/* bc_out_check() - the -o path checked before a run (the same messages).
 * Return: 0; an exit code. */
int bc_out_check(const char *cmd, const char *path);
/*
 * bc_path_msg() - the message for a path refused or not written by the
 * checked writer (lib/toolkit/pcpu-wfile.h), naming @opt ("-o",
 * "--save-calibration") and the file. Return: the exit code: 2 refused
 * (not a regular file, no such directory, the program itself, a kernel
 * file system, an empty name), 3 not written, 1 out of memory.
 */
int bc_path_msg(const char *cmd, const char *opt, const char *path, int r);
/* bc_arg() - an argument for a message: as is up to 80 bytes, else its
 * start and its length ("aaaa...(100000 bytes)"). Four static buffers. */
const char *bc_arg(const char *s);

/*
 * Dangerous options are never abbreviated: getopt_long() takes "--back"
 * for "--backend"; bc_no_abbrev() refuses any "--X" or "--X=..." in
 * @argv that is a strict prefix of one of @names (NULL terminated).
 * Return: 0; -EINVAL (message on stderr).
 */
int bc_no_abbrev(const char *cmd, int argc, char **argv,
		 const char *const *names);

/*
 * The dry run, `pcpubench --dry-run COMMAND ARGS`: the command parses and
 * checks its arguments as for a run, prints its intent on stdout
 * ("intent: churn hotplug=sysfs") and exits 0 without running anything.
 * run.sh reads that intent instead of matching words in profile lines.
 */
extern bool bc_dry_run;
/* End of the checks of a command that takes no CPU offline: in a dry run
 * print "intent: CMD hotplug=none". Return: true in a dry run (return 0). */
bool bc_dry_run_stop(const char *cmd);

/*
 * bc_hotplug_gate() - before any real hotplug. Real hotplug needs the
 * command's --allow-hotplug (@allow) or PCPU_ALLOW_HOTPLUG=1 in the
 * environment (./run.sh --allow-hotplug sets it).
 * Return: 0 allowed, go ahead; 1 a dry run (intent printed: return 0);
 * -EPERM refused (message on stderr; a usage error, exit 2).
 */
int bc_hotplug_gate(const char *cmd, bool allow, const char *what);
#define BC_ALLOW_HOTPLUG_ENV "PCPU_ALLOW_HOTPLUG"
/*
 * bc_optin_gate() - before anything that changes the machine: @what is
 * the intent ("hugetlb=reserve", "module=load"). Allowed by the
 * command line (@cmdline: the user typed the option) or by @env=1 in
 * the environment. Under ./run.sh (BC_RUN_SH_ENV=1, a profile line) the
 * command line does not count: a line in a profile can never opt itself
 * in; only run.sh's own option, which sets @env, does.
 * Return: 0 allowed; 1 a dry run (intent printed: return 0); -EPERM
 * refused (message on stderr naming @runsh_opt).
 */
int bc_optin_gate(const char *cmd, const char *what, bool cmdline,
		  const char *env, const char *runsh_opt);
#define BC_RUN_SH_ENV "PCPU_RUN_SH"
#define BC_ALLOW_HUGETLB_ENV "PCPU_ALLOW_HUGETLB"
/*
 * bc_dry_run_rt() - in a dry run, the runtime checks of the real run:
 * each strategy of @ids brought up over @cfg (its topology file read,
 * its CPU sets and unit size checked) and torn down again; a strategy
 * that cannot run so is fine when there are several (NA rows). Outside
 * a dry run it does nothing (the run makes the same checks).
 * Return: 0; an exit code (message on stderr).
 */
int bc_dry_run_rt(const char *cmd, struct pcpu_config *cfg,
		  const enum pcpu_strategy_id *ids, int n);
/* --online as a count must be >= 1 (the boot CPU), as churn says.
 * Return: 0; -EINVAL (message on stderr). */
int bc_online_check(const char *cmd, const char *online);
/* Parse a placement; on error say so on stderr. Return: 0; -EINVAL. */
int bc_placement(const char *cmd, const char *s, struct pcpu_placement *p);
/*
 * bc_help_or_bad() - the end of a command's getopt switch: for 'h' the
 * help on stdout, else (a bad or missing option argument) the usage on
 * stderr. Return: EXIT_OK for 'h'; EXIT_USAGE.
 */
int bc_help_or_bad(int c, void (*usage)(FILE *f));
/* Complain (exit-2 style) about arguments left after the options. */
int bc_no_extra_args(const char *cmd, int argc, char **argv, int optind_);
/*
 * bc_cpuset_param() - a CPU set as a parameter value that differs for
 * sets that differ: the count when the set is 0..N-1 ("16"), else the
 * cpulist ("0-7,64-71"); a list longer than @len becomes the count and
 * a digest of the set ("1000#5f3a9c21"). Return: @buf.
 */
const char *bc_cpuset_param(const struct pcpu_cpuset *s, char *buf, size_t len);
/*
 * bc_na_status() - "na:WORD(MSG)" with the characters a status cannot
 * hold (comma, quote, newline) replaced by ';'. Return: @dst.
 */
const char *bc_na_status(char *dst, size_t len, const char *word,
			 const char *msg);
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
/*
 * bc_strategy_pairs() - bc_strategies() then bc_pairs(): the strategies of
 * @list (NULL or "all": every one available here) that exist over
 * @layout. Return: the count; -EINVAL (message on stderr naming @cmd).
 */
int bc_strategy_pairs(const char *cmd, const char *list,
		      enum pcpu_strategy_id *ids, size_t max,
		      enum pcpu_layout_id layout);
/* A cpulist from /sys/devices/system/cpu/NAME ("possible", "present",
 * "online") as a pcpu_config string (one id "N" becomes "N-N").
 * Return: 0; -errno. */
int bc_sysfs_cpulist(const char *name, char *buf, size_t len);
/* Default output format: text on a terminal, csv otherwise. */
enum pout_format bc_default_format(const char *path);
/* The last CPU this thread may run on (0 when unknown). */
int bc_default_cpu(void);

#endif
