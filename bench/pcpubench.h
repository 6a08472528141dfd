/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpubench.h - the subcommands of build/pcpubench, one X-macro list.
 *
 * Each command lives in bench/cmd-<name>.c as
 *     int cmd_<name>(int argc, char **argv);
 * argv[0] is the command name; the return value is the exit code:
 * 0 ok, 1 failure (a check failed), 2 usage error, 3 output not written
 * (I/O error, disk full), 4 cannot run here. bc_exit_code() maps -errno.
 */
#ifndef PCPUBENCH_H
#define PCPUBENCH_H

#define PCPUBENCH_COMMANDS(X)                                                 \
	X(list, "strategies, workloads and counter events known")            \
	X(info, "this machine: CPU, clocks, caches, TLB, topology, counters")\
	X(access, "cost of one per-CPU access, per strategy")               \
	X(tlb, "TLB reach and miss penalties, by pointer chase")              \
	X(churn, "throughput, latency and correctness under CPU hotplug")    \
	X(numa, "where each CPU's area lives; node x node latency")         \
	X(mem, "memory reserved and committed, possible versus online CPUs") \
	X(cid, "per-CPU data indexed by the rseq concurrency id (mm_cid)")    \
	X(workload, "slowdown of a program doing other work, per strategy") \
	X(kernel, "the kernel's own per-CPU paths, by a module (guest/test use)") \
	X(modules, "modules' per-CPU sections: fixed reserve, slack, VM area") \
	X(kfacts, "the running kernel's per-CPU layout, from its boot lines")

#define PCPUBENCH_X_DECL(name, desc) int cmd_##name(int argc, char **argv);
PCPUBENCH_COMMANDS(PCPUBENCH_X_DECL)
#undef PCPUBENCH_X_DECL

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_IO = 3,
	EXIT_SKIP = 4,
};

#endif
