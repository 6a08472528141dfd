/* SPDX-License-Identifier: GPL-2.0 */
/*
 * access.h - the interface between cmd-access.c and its generated loops
 * (access-loops.c, access-loops.h).
 */
#ifndef PCPUBENCH_ACCESS_H
#define PCPUBENCH_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "pcpu.h"

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
 * Access methods (how this CPU's copy is found), one loop set each; a
 * strategy is a method over a layout (al_strategy_method()). ptr is the
 * floor: the unit's address computed once and held in a register.
 */
#define AL_METHODS(X) X(TABLE, "table") X(SEGMENT, "segment") \
	X(SHIFT, "shift") X(TLS, "tls") X(PTR, "ptr")
/*
 * Where the CPU id comes from: rseq (glibc's rseq area), getcpu
 * (sched_getcpu(), used when rseq is not registered), tls (the id kept in
 * a thread-local), implicit (segment and tls strategies need none), cid
 * (the rseq concurrency id, mm_cid: a table or area indexed by it).
 */
#define AL_CPUIDS(X) X(RSEQ, "rseq") X(GETCPU, "getcpu") X(TLS, "tls") \
	X(IMPLICIT, "implicit") AL_CPUID_CID_X(X)
/* cid: the rseq concurrency id (mm_cid, lib/runtime/pcpu-cid.h), an id
 * source of its own beside rseq's cpu_id. */
#define AL_CPUID_CID_X(X) X(CID, "cid")

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

enum al_method {
#define AL_X(id, name) AL_METHOD_##id,
	AL_METHODS(AL_X)
#undef AL_X
	AL_NR_METHODS
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
	/* Per method: */
	const uintptr_t *table;	/* table: the strategy's offset table */
	uintptr_t shift_base;	/* shift: area base */
	unsigned int shift;	/* shift: log2 of the unit stride */
	uintptr_t unit;		/* ptr: this CPU's unit, computed once */
	/* Cold access: lines touched before each timed access. */
	const uintptr_t *touch;
	size_t ntouch;
};

typedef void (*al_fn)(struct al_args *a, uint64_t n);
/* One fenced whole-path read of offs[0], timed: TSC ticks. */
typedef uint64_t (*al_cold_fn)(struct al_args *a);

/*
 * The floor is not a strategy of the runtime: the access bench names it
 * with this id, one past the runtime's strategies.
 */
#define AL_S_PTR ((enum pcpu_strategy_id)PCPU_NR_STRATEGIES)

/*
 * al_strategy_method() - a strategy's access method and layout name
 * (strategy = method over layout). AL_S_PTR is ptr over "none".
 * Return: 0; -EINVAL unknown strategy; -ENOENT a strategy with no
 * method in the table yet (its points are NA, never another method's).
 * (To be replaced by the runtime's own layout x method API.)
 */
int al_strategy_method(enum pcpu_strategy_id s, enum al_method *m,
		       const char **layout);

/*
 * al_lookup() - the loop for a method, CPU-id source, op, mode and
 * pressure, or NULL if the combination does not exist (segment, tls and
 * ptr take only AL_CPUID_IMPLICIT; table and shift take rseq, getcpu or
 * tls; path mode has no pressure variant).
 */
al_fn al_lookup(enum al_method m, enum al_cpuid c, enum al_op op,
		enum al_mode mode, int pressure);
/* al_cold_lookup() - the timed cold read, same rules; AL_NR_METHODS: the
 * fenced empty path (nothing between the time stamps). */
al_cold_fn al_cold_lookup(enum al_method m, enum al_cpuid c);
/* al_minimal_loop() - eight independent loads per iteration from one
 * address in a register, unrolled: the best read throughput here. */
void al_minimal_loop(struct al_args *a, uint64_t n);

const char *al_op_name(enum al_op op);
const char *al_mode_name(enum al_mode m);
const char *al_cpuid_name(enum al_cpuid c);
const char *al_method_name(enum al_method m);

#endif
