/* SPDX-License-Identifier: GPL-2.0 */
/*
 * access.h - the interface between the commands that time per-CPU
 * accesses (access, churn, workload, modules) and their loops, generated
 * per access method from one template (access-loops.h, instantiated by
 * access-loops.c).
 */
#ifndef PCPUBENCH_ACCESS_H
#define PCPUBENCH_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "pcpu.h"
#include "pcpu-access.h"

/* Operations and modes, one list each: id, name. */
#define AL_OPS(X) X(READ, "read") X(WRITE, "write") X(INC, "inc")
/*
 * Modes, each named for what it chains: latency (the data: the value
 * read is the next offset), throughput (nothing: independent accesses),
 * path (the whole lookup: the previous result, through an opaque zero,
 * feeds the first load of the path, the CPU-id read or for segment, tls
 * and ptr the offset). The isolated cold access is not a loop: its rows
 * have mode "cold" (AL_MODE_COLD_NAME).
 */
#define AL_MODES(X) X(LAT, "latency") X(TPUT, "throughput") X(PATH, "path")
#define AL_MODE_COLD_NAME "cold"
/*
 * Access methods: the runtime's (enum pcpu_access_id, PCPU_ACCESSES in
 * pcpu.h), one loop set each, plus the floor: ptr, the unit's address
 * computed once and held in a register (no lookup, no layout). Loop sets
 * are indexed by the runtime's access id; the floor takes the index one
 * past them. A strategy is a method over a layout: the runtime says which
 * (pcpu_strategy_access(), pcpu_strategy_layout()).
 */
#define AL_A_PTR ((enum pcpu_access_id)PCPU_NR_ACCESSES)
#define AL_NR_LOOPSETS (PCPU_NR_ACCESSES + 1)
/* al_cold_lookup()'s fenced empty path: nothing between the stamps. */
#define AL_A_EMPTY ((enum pcpu_access_id)AL_NR_LOOPSETS)
/*
 * Where the CPU id comes from: rseq (glibc's rseq area), getcpu
 * (sched_getcpu(), used when rseq is not registered), tls (the id kept in
 * a thread-local), implicit (segment, tls and ptr need none), cid (the
 * rseq concurrency id, mm_cid: a table or area indexed by it). Entries
 * X(ID, lname): the name printed is #lname.
 */
#define AL_CPUIDS(X) X(RSEQ, rseq) X(GETCPU, getcpu) X(TLS, tls) \
	X(IMPLICIT, implicit) AL_CPUID_CID_X(X)
/* cid: the rseq concurrency id (mm_cid, lib/runtime/pcpu-cid.h), an id
 * source of its own beside rseq's cpu_id. */
#define AL_CPUID_CID_X(X) X(CID, cid)

enum al_op {
#define AL_X(id, name) AL_OP_##id,
	AL_OPS(AL_X)
#undef AL_X
	AL_NR_OPS
};

enum al_mode {
#define AL_X(id, name) AL_MODE_##id,
	AL_MODES(AL_X)
#undef AL_X
	AL_NR_MODES
};

enum al_cpuid {
#define AL_X(id, name) AL_CPUID_##id,
	AL_CPUIDS(AL_X)
#undef AL_X
	AL_NR_CPUIDS
};

struct al_args {
	const uintptr_t *offs;	/* nvars unit offsets */
	const uintptr_t *next;	/* next[j] = offs[(j + 1) % nvars] */
	size_t nvars;
	uintptr_t first;	/* latency: offs[0] */
	const uintptr_t *pres;	/* pressure: one address per page */
	size_t npres;
	uintptr_t zero;		/* 0, opaque to the compiler */
	uint64_t sink;
	/* The runtime's access context (pcpu_rt_acc_ctx()); the floor ptr:
	 * .base is this CPU's unit, computed once. */
	struct pcpu_acc_ctx ctx;
	/* Cold access: lines touched before each timed access. */
	const uintptr_t *touch;
	size_t ntouch;
};

typedef void (*al_fn)(struct al_args *a, uint64_t n);
/* One fenced whole-path read of offs[0], timed: TSC ticks. */
typedef uint64_t (*al_cold_fn)(struct al_args *a);

/*
 * The churn worker's loop (cmd-churn.c): batches of CHURN_BATCH
 * increments of the counter at @ops_off and reads of the four variables
 * from @read_off, until *@stop or the CPU's offline asks the holder to
 * leave. The CPU id (tls source) is read once per batch.
 */
#define AL_CHURN_BATCH 256
struct al_churn_args {
	struct pcpu_rt *rt;
	_Atomic int *stop;
	struct pcpu_acc_ctx ctx;
	uintptr_t ops_off, read_off;
	unsigned yield_every;	/* batches between sched_yield(); 0 never */
	uint64_t reads;		/* out: the sum of every value read */
};
/* Return: increments done. */
typedef uint64_t (*al_churn_fn)(struct al_churn_args *a);

/*
 * The workload's loop (cmd-workload.c): per iteration, @work steps of a
 * pointer chase from @cur, then @m per-CPU increments cycling through
 * offs[] from @j (CPU id: rseq source). @cur and @j carry over.
 */
struct al_wl_args {
	uintptr_t cur;		/* chase position (a line's address) */
	uintptr_t zero;		/* 0, opaque to the compiler */
	const uintptr_t *offs;	/* nvars unit offsets */
	size_t nvars, j;
	unsigned m, work;
	struct pcpu_acc_ctx ctx;	/* ptr: .base this CPU's unit */
};
typedef void (*al_wl_fn)(struct al_wl_args *a, uint64_t iters);

/*
 * al_lookup() - the loop for an access method (or AL_A_PTR), CPU-id
 * source, op, mode and pressure, or NULL if the combination does not
 * exist (segment, tls and ptr take only AL_CPUID_IMPLICIT; table and
 * shift take rseq, getcpu, tls or cid; path mode has no pressure
 * variant).
 */
al_fn al_lookup(enum pcpu_access_id m, enum al_cpuid c, enum al_op op,
		enum al_mode mode, int pressure);
/* al_cold_lookup() - the timed cold read, same rules; AL_A_EMPTY: the
 * fenced empty path (nothing between the time stamps). */
al_cold_fn al_cold_lookup(enum pcpu_access_id m, enum al_cpuid c);
/* The churn loop of a method (tls id source, or implicit), or NULL. */
al_churn_fn al_churn_lookup(enum pcpu_access_id m);
/* The workload loop of a method or AL_A_PTR (rseq id source, or
 * implicit), or NULL. */
al_wl_fn al_wl_lookup(enum pcpu_access_id m);
/* al_minimal_loop() - eight independent loads per iteration from one
 * address in a register, unrolled: the best read throughput here. */
void al_minimal_loop(struct al_args *a, uint64_t n);

/* The CPU-id source an access method takes by default: the id kept in
 * a thread-local where it needs one, else implicit. */
enum al_cpuid al_cpuid_default(enum pcpu_access_id m);
/* "ptr" for AL_A_PTR, else the runtime's name of the method. */
const char *al_access_name(enum pcpu_access_id m);

const char *al_op_name(enum al_op op);
const char *al_mode_name(enum al_mode m);
const char *al_cpuid_name(enum al_cpuid c);

#endif
