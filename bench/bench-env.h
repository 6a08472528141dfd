/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bench-env.h - the one place pcpubench reads its environment.
 *
 * Every variable the program reads is listed here, with what it does
 * (BENCH_ENV_VARS). bench_env_get() reads only those: any other name is
 * a programming error (NULL, and an assert in a debug build), so a new
 * variable cannot be read without being documented here. lib/ reads
 * none: bench_env_apply() hands the toolkit's values down as settings
 * (pcnt_init(), pout_init()) and, in test mode, installs the fake PMU.
 */
#ifndef BENCH_ENV_H
#define BENCH_ENV_H

#include <stdbool.h>

/* X(name, what it does) */
#define BENCH_ENV_VARS(X)						\
	/* counters and output: passed to the toolkit as settings */	\
	X("PCPU_FAKE_PERF", "test mode: <spec> installs the built-in "	\
	  "fake PMU for the whole run (keys: lib/toolkit/pcpu-counters.h); " \
	  "a spec that does not parse makes every hardware event fail, "	\
	  "backend fake(broken: ...)")					\
	X("PCPU_EVENT_DIR", "the event table directory (default: events/ " \
	  "next to the program, or one to three levels up)")		\
	X("PCPU_EVENT_TABLE", "force an event table: its id (intel-spr) " \
	  "or the path of a .events file")				\
	X("LIBPFM_FORCE_PMU", "libpfm4's own (it reads it itself): force " \
	  "its core PMU table; output then says it was forced")		\
	X("PCPU_METRICS_STRICT", "set (any value): a row whose unit is " \
	  "not its metric's declared one is refused (tests)")		\
	/* calibration (cmd-tlb.c, pcpu-tlb.c's default path) */	\
	X("PCPU_CALIBRATION", "the TLB calibration file (default: "	\
	  "$XDG_CACHE_HOME/pcpubench/tlb-calibration.csv, else "	\
	  "$HOME/.cache/pcpubench/tlb-calibration.csv)")		\
	X("XDG_CACHE_HOME", "where the calibration file is kept by default") \
	X("HOME", "where the calibration file is kept without XDG_CACHE_HOME") \
	/* opt-ins and ./run.sh (bench-common.c) */			\
	X("PCPU_RUN_SH", "=1: run by ./run.sh: a profile line's own "	\
	  "options never opt in to anything")				\
	X("PCPU_ALLOW_HOTPLUG", "=1: real CPU hotplug allowed (./run.sh " \
	  "--allow-hotplug sets it)")					\
	X("PCPU_ALLOW_HUGETLB", "=1: reserving hugetlb pages allowed")	\
	X("PCPU_ALLOW_MODULE", "=1: loading the measurement module allowed") \
	/* kernel module (cmd-kernel.c) */				\
	X("PCPU_KMOD", "the module file `kernel` loads (default: the built " \
	  "one)")							\
	X("PCPU_KMOD_NO_LOAD", "set and not 0: never load a module (host " \
	  "tests)")							\
	/* rseq (cid-facts.c) */					\
	X("PCPU_RSEQ_FEATURE_SIZE", "the kernel's rseq feature size, as " \
	  "if read from the auxiliary vector (tests)")			\
	/* test hooks */						\
	X("PCPU_TEST_DISTURB", "test: batches counted as disturbed: all, " \
	  "the first N, or A+L: L from batch A (bench-quiet.c; `kernel " \
	  "access` passes it to the module)")				\
	X("PCPU_TEST_KMOD_OUT", "test: FILE is the module's answer to " \
	  "`kernel access` and `kernel numa`, which then load nothing " \
	  "(cmd-kernel.c)")						\
	X("PCPU_TEST_INJECT", "test: a churn invariant failure after the " \
	  "run: read_sum_mismatch or lost_updates (cmd-churn.c)")

/*
 * bench_env_get() - the value of environment variable @name, one of
 * BENCH_ENV_VARS; NULL when unset (or @name is not in the list).
 */
const char *bench_env_get(const char *name);

/*
 * bench_env_apply() - hand the toolkit its settings from the environment
 * (event tables, libpfm4, strict units) and, with PCPU_FAKE_PERF, install
 * the fake PMU. Call once, before any command.
 * Return: 0; EXIT_USAGE (a message on stderr) when a value is unusable.
 */
int bench_env_apply(void);

#endif /* BENCH_ENV_H */
