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
#define AL_MODES(X) X(LAT, "latency") X(TPUT, "throughput")
/*
 * Where the CPU id comes from: rseq (glibc's rseq area), getcpu
 * (sched_getcpu(), used when rseq is not registered), tls (the id kept in
 * a thread-local), implicit (segment and tls strategies need none).
 */
#define AL_CPUIDS(X) X(RSEQ, "rseq") X(GETCPU, "getcpu") X(TLS, "tls") \
	X(IMPLICIT, "implicit")

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
};

typedef void (*al_fn)(struct al_args *a, uint64_t n);

/*
 * al_lookup() - the loop for a point, or NULL if the combination does not
 * exist (segment and tls take only AL_CPUID_IMPLICIT; the others take
 * rseq, getcpu or tls).
 */
al_fn al_lookup(enum pcpu_strategy_id s, enum al_cpuid c, enum al_op op,
		enum al_mode mode, int pressure);

const char *al_op_name(enum al_op op);
const char *al_mode_name(enum al_mode m);
const char *al_cpuid_name(enum al_cpuid c);

#endif
