// SPDX-License-Identifier: GPL-2.0
/*
 * access-loops.c - instantiate the one loop template (access-loops.h)
 * once per access method and CPU-id source, for access, churn and
 * workload. Each instantiation's accessors are pcpu-access.h's family
 * (PCPU_<M>_ADDR, _LOAD_AT, ...): the code timed is the code the unit
 * tests check; there is no call or switch per access. A strategy is a
 * method over a layout (pcpu_strategy_access()), so a strategy that
 * reuses a method over another layout needs no new loop; a new method
 * adds its instantiation below.
 * Check with: objdump -d build/pcpubench | grep -A30 '<al_segment_implicit_read_tput_p0>:'
 */
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#include "pcpu-access.h"
#include "pcpu-cid.h"
#include "pcpu-timing.h"
#include "access.h"

/* The set of one instantiation (access-loops.h). */
struct al_set {
	al_fn loops[AL_NR_OPS][AL_NR_MODES][2];
	al_cold_fn cold;
	al_churn_fn churn;
	al_wl_fn wl;
};

/*
 * One instantiation per access method of the runtime (PCPU_ACCESSES),
 * each over the CPU-id sources it takes (access-loops-ids.h).
 */
#define AL_M TABLE
#define AL_L table
#include "access-loops-ids.h"
#undef AL_M
#undef AL_L

#define AL_M SEGMENT
#define AL_L segment
#include "access-loops-ids.h"
#undef AL_M
#undef AL_L

#define AL_M SHIFT
#define AL_L shift
#include "access-loops-ids.h"
#undef AL_M
#undef AL_L

#define AL_M TLS
#define AL_L tls
#include "access-loops-ids.h"
#undef AL_M
#undef AL_L

/*
 * The floor, spelt as a method for the template: ptr, this CPU's unit
 * computed once (ctx.base) and held in a register; no id, no lookup.
 */
#define PCPU_FLOOR_NEEDS_CPU 0
#define PCPU_FLOOR_ADDR(ctx, cpu, off) ((ctx).base + (uintptr_t)(off))
#define PCPU_FLOOR_LOAD_AT PCPU_FLAT_LOAD_AT
#define PCPU_FLOOR_STORE_AT PCPU_FLAT_STORE_AT
#define PCPU_FLOOR_INC_AT PCPU_FLAT_INC_AT
#define AL_M FLOOR
#define AL_L ptr
#include "access-loops-ids.h"
#undef AL_M
#undef AL_L

/* Loop sets by access id (the runtime's list), the floor one past. */
static const struct al_set *const *const al_sets[AL_NR_LOOPSETS] = {
#define AL_X_SETS(id, lname, desc) [PCPU_A_##id] = al_sets_##lname,
	PCPU_ACCESSES(AL_X_SETS)
#undef AL_X_SETS
	[AL_A_PTR] = al_sets_ptr,
};

/* The fenced empty path: the same touches and stamps, no access. */
static uint64_t al_empty_cold(struct al_args *a)
{
	uint64_t s = 0, t0, t1;
	size_t i;

	for (i = 0; i < a->ntouch; i++)
		s += *(volatile uint64_t *)a->touch[i];
	__asm__ __volatile__("mfence\n\tlfence" : : : "memory");
	t0 = pt_rdtscp();
	t1 = pt_rdtscp();
	a->sink += s;
	return t1 - t0;
}

/*
 * The machine's read limit, measured in the same process: a pure
 * independent-load loop, eight loads per iteration from one address held
 * in a register into registers nothing reads, then sub/jnz, loop head
 * aligned. The throughput read rows (ptr, segment, tls) have this shape;
 * what they cost above it is the lookup.
 */
void al_minimal_loop(struct al_args *a, uint64_t n)
{
#if defined(__x86_64__)
	uint64_t t0, t1, t2, t3;
	uintptr_t p = a->ctx.base + a->offs[0];

	if (!n)
		return;
	__asm__ __volatile__(
		".p2align 5\n\t1:\n\t"
		"mov (%5), %1\n\tmov (%5), %2\n\t"
		"mov (%5), %3\n\tmov (%5), %4\n\t"
		"mov (%5), %1\n\tmov (%5), %2\n\t"
		"mov (%5), %3\n\tmov (%5), %4\n\t"
		"sub $8, %0\n\tjnz 1b"
		: "+r"(n), "=&r"(t0), "=&r"(t1), "=&r"(t2), "=&r"(t3)
		: "r"(p) : "cc", "memory");
	a->sink += t0 + t1 + t2 + t3;
#else
	al_ptr_implicit_read_tput_p0(a, n);
#endif
}

static const char *const op_names[] = {
#define AL_X(id, name) name,
	AL_OPS(AL_X)
#undef AL_X
};
static const char *const mode_names[] = {
#define AL_X(id, name) name,
	AL_MODES(AL_X)
#undef AL_X
};
static const char *const cpuid_names[] = {
#define AL_X(id, lname) #lname,
	AL_CPUIDS(AL_X)
#undef AL_X
};

const char *al_op_name(enum al_op op)
{
	return (unsigned)op < AL_NR_OPS ? op_names[op] : "?";
}

const char *al_mode_name(enum al_mode m)
{
	return (unsigned)m < AL_NR_MODES ? mode_names[m] : "?";
}

const char *al_cpuid_name(enum al_cpuid c)
{
	return (unsigned)c < AL_NR_CPUIDS ? cpuid_names[c] : "?";
}

const char *al_access_name(enum pcpu_access_id m)
{
	return m == AL_A_PTR ? "ptr" : pcpu_access_name(m);
}

enum al_cpuid al_cpuid_default(enum pcpu_access_id m)
{
	if ((unsigned)m < PCPU_NR_ACCESSES && al_sets[m][AL_CPUID_TLS])
		return AL_CPUID_TLS;
	return AL_CPUID_IMPLICIT;
}

static const struct al_set *al_set_of(enum pcpu_access_id m, enum al_cpuid c)
{
	if ((unsigned)m >= AL_NR_LOOPSETS || (unsigned)c >= AL_NR_CPUIDS)
		return NULL;
	return al_sets[m][c];
}

al_fn al_lookup(enum pcpu_access_id m, enum al_cpuid c, enum al_op op,
		enum al_mode mode, int pressure)
{
	const struct al_set *s = al_set_of(m, c);

	if (!s || (unsigned)op >= AL_NR_OPS || (unsigned)mode >= AL_NR_MODES)
		return NULL;
	return s->loops[op][mode][!!pressure];
}

al_cold_fn al_cold_lookup(enum pcpu_access_id m, enum al_cpuid c)
{
	const struct al_set *s = al_set_of(m, c);

	if (m == AL_A_EMPTY)
		return al_empty_cold;
	return s ? s->cold : NULL;
}

al_churn_fn al_churn_lookup(enum pcpu_access_id m)
{
	const struct al_set *s = al_set_of(m, al_cpuid_default(m));

	return s ? s->churn : NULL;
}

al_wl_fn al_wl_lookup(enum pcpu_access_id m)
{
	const struct al_set *s = al_set_of(m, al_cpuid_default(m) ==
					   AL_CPUID_TLS ? AL_CPUID_RSEQ :
					   AL_CPUID_IMPLICIT);

	return s ? s->wl : NULL;
}
