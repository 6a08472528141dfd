// SPDX-License-Identifier: GPL-2.0
/*
 * access-loops.c - instantiate the access loops (access-loops.h) once per
 * access method and CPU-id source. Each instantiation's macros are the
 * inline accessors of pcpu-access.h (PCPU_PTR_TABLE, PCPU_PTR_SHIFT,
 * PCPU_PTR_TLS, pcpu_seg_*, pcpu_cpuid_*): the code timed is the code the
 * unit tests check; there is no call or switch per access. A strategy
 * maps to a method (al_strategy_method()), so a strategy that reuses a
 * method over another layout needs no new loop.
 * Check with: objdump -d build/pcpubench | grep -A30 '<al_segment_read_tput_p0>:'
 */
#include <errno.h>
#include <sched.h>
#include <stdint.h>

#include "pcpu-access.h"
#include "pcpu-cid.h"
#include "pcpu-timing.h"
#include "access.h"

/* CPU-id sources, each a volatile read per access, displaced by d. */
#define CPU_RSEQ(d) pcpu_cpuid_rseq_dep(d)
#define CPU_GETCPU(d) (pcpu_cpuid_getcpu() + (unsigned int)(d))
#define CPU_TLS(d) pcpu_cpuid_tls_dep(d)
#define CPU_CID(d) pcpu_cid_read_dep(d)

/* Flat memory: the pointer methods. */
#define FLAT_LOAD_AT(p) pcpu_load_u64((const void *)(p))
#define FLAT_STORE_AT(p, v) pcpu_u64_store((void *)(p), (uint64_t)(v))
#define FLAT_INC_AT(p) pcpu_u64_inc((void *)(p))

/* ---- table: a table of unit bases indexed by CPU id ---- */
#define AL_PROLOGUE const uintptr_t *const tbl = a->table;
#define AL_LOAD_AT FLAT_LOAD_AT
#define AL_STORE_AT FLAT_STORE_AT
#define AL_INC_AT FLAT_INC_AT
#define AL_ADDR(o, d) ((uintptr_t)PCPU_PTR_TABLE(tbl, AL_CPU(d), o))
#define AL_CPU CPU_RSEQ
#define AL_NAME table_rseq
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#define AL_CPU CPU_GETCPU
#define AL_NAME table_getcpu
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#define AL_CPU CPU_TLS
#define AL_NAME table_tls
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#define AL_CPU CPU_CID
#define AL_NAME table_cid
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#undef AL_ADDR
#undef AL_PROLOGUE

/* ---- shift: base + (cpu << shift), base and shift in registers ---- */
#define AL_PROLOGUE                                                           \
	const uintptr_t sbase = a->shift_base;                                \
	const unsigned int sshift = a->shift;
#define AL_ADDR(o, d) ((uintptr_t)PCPU_PTR_SHIFT(sbase, sshift, AL_CPU(d), o))
#define AL_CPU CPU_RSEQ
#define AL_NAME shift_rseq
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#define AL_CPU CPU_GETCPU
#define AL_NAME shift_getcpu
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#define AL_CPU CPU_TLS
#define AL_NAME shift_tls
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#define AL_CPU CPU_CID
#define AL_NAME shift_cid
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#undef AL_ADDR
#undef AL_PROLOGUE

/* ---- tls: the thread's block (%fs) ---- */
#if PCPU_HAVE_FS
/*
 * As gcc compiles a __thread access: one %fs:-prefixed instruction per
 * access at the block's thread-pointer offset (taken once, like gcc's
 * gottpoff load) plus the variable's offset; the address is FS-relative,
 * as segment's is GS-relative (pcpu-access.h, PCPU_TPOFF). The flat
 * loads of the other methods are restored after.
 */
#undef AL_LOAD_AT
#undef AL_STORE_AT
#undef AL_INC_AT
#define AL_LOAD_AT(p) pcpu_fs_read_u64(p)
#define AL_STORE_AT(p, v) pcpu_fs_write_u64(p, (uint64_t)(v))
#define AL_INC_AT(p) pcpu_fs_inc_u64(p)
#define AL_PROLOGUE const uintptr_t tpoff = PCPU_TPOFF(pcpu_tls_block);
#define AL_ADDR(o, d) (tpoff + (uintptr_t)(o) + (d))
#define AL_NAME tls
#include "access-loops.h"
#undef AL_NAME
#undef AL_ADDR
#undef AL_PROLOGUE
#undef AL_LOAD_AT
#undef AL_STORE_AT
#undef AL_INC_AT
#define AL_LOAD_AT FLAT_LOAD_AT
#define AL_STORE_AT FLAT_STORE_AT
#define AL_INC_AT FLAT_INC_AT
#else
#define AL_ADDR(o, d) ((uintptr_t)PCPU_PTR_TLS(o) + (d))
#define AL_NAME tls
#include "access-loops.h"
#undef AL_NAME
#undef AL_ADDR
#endif

/* ---- ptr, the floor: the unit's address computed once ---- */
#define AL_PROLOGUE const uintptr_t unit = a->unit;
#define AL_ADDR(o, d) (unit + (uintptr_t)(o) + (d))
#define AL_NAME ptr
#include "access-loops.h"
#undef AL_NAME
#undef AL_ADDR
#undef AL_PROLOGUE
#undef AL_LOAD_AT
#undef AL_STORE_AT
#undef AL_INC_AT

/* ---- segment: one %gs:-prefixed instruction per access ---- */
#if PCPU_HAVE_SEGMENT
#define AL_LOAD_AT(p) pcpu_seg_read_u64(p)
#define AL_STORE_AT(p, v) pcpu_seg_write_u64(p, (uint64_t)(v))
#define AL_INC_AT(p) pcpu_seg_inc_u64(p)
#define AL_ADDR(o, d) ((uintptr_t)(o) + (d))
#define AL_NAME segment
#include "access-loops.h"
#undef AL_NAME
#undef AL_ADDR
#undef AL_LOAD_AT
#undef AL_STORE_AT
#undef AL_INC_AT
#endif

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
	uintptr_t p = a->unit + a->offs[0];

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
	al_table_ptr[AL_OP_READ][AL_MODE_TPUT][0](a, n);
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
#define AL_X(id, name) name,
	AL_CPUIDS(AL_X)
#undef AL_X
};
static const char *const method_names[] = {
#define AL_X(id, name) name,
	AL_METHODS(AL_X)
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

const char *al_method_name(enum al_method m)
{
	return (unsigned)m < AL_NR_METHODS ? method_names[m] : "?";
}

/*
 * Strategy = access method over layout, as the runtime declares it
 * (pcpu_strategy_access(), pcpu_strategy_layout()); PCPU_NR_STRATEGIES is
 * the floor ptr, which has no layout.
 */
int al_strategy_method(enum pcpu_strategy_id s, enum al_method *m,
		       const char **layout)
{
	enum al_method am;

	if ((unsigned)s > PCPU_NR_STRATEGIES)
		return -EINVAL;
	if (s == PCPU_NR_STRATEGIES) {
		am = AL_METHOD_PTR;
	} else {
		switch (pcpu_strategy_access(s)) {
		case PCPU_A_TABLE: am = AL_METHOD_TABLE; break;
		case PCPU_A_SEGMENT: am = AL_METHOD_SEGMENT; break;
		case PCPU_A_SHIFT: am = AL_METHOD_SHIFT; break;
		case PCPU_A_TLS: am = AL_METHOD_TLS; break;
		default: return -ENOENT;
		}
	}
	if (m)
		*m = am;
	if (layout)
		*layout = s == PCPU_NR_STRATEGIES ? "none" :
			  pcpu_layout_name(pcpu_strategy_layout(s));
	return 0;
}

/* Per method, the tables of its CPU-id sources (NULL: no such pair). */
struct al_set {
	const al_fn (*t)[AL_NR_MODES][2];
	al_cold_fn cold;
};

static struct al_set al_set_of(enum al_method m, enum al_cpuid c)
{
	struct al_set s = { NULL, NULL };

#define AL_PICK(stem) do { s.t = al_table_##stem; s.cold = al_##stem##_cold; } while (0)
	switch (m) {
	case AL_METHOD_TABLE:
		if (c == AL_CPUID_RSEQ)
			AL_PICK(table_rseq);
		else if (c == AL_CPUID_GETCPU)
			AL_PICK(table_getcpu);
		else if (c == AL_CPUID_TLS)
			AL_PICK(table_tls);
		else if (c == AL_CPUID_CID)
			AL_PICK(table_cid);
		break;
	case AL_METHOD_SHIFT:
		if (c == AL_CPUID_RSEQ)
			AL_PICK(shift_rseq);
		else if (c == AL_CPUID_GETCPU)
			AL_PICK(shift_getcpu);
		else if (c == AL_CPUID_TLS)
			AL_PICK(shift_tls);
		else if (c == AL_CPUID_CID)
			AL_PICK(shift_cid);
		break;
	case AL_METHOD_SEGMENT:
#if PCPU_HAVE_SEGMENT
		if (c == AL_CPUID_IMPLICIT)
			AL_PICK(segment);
#endif
		break;
	case AL_METHOD_TLS:
		if (c == AL_CPUID_IMPLICIT)
			AL_PICK(tls);
		break;
	case AL_METHOD_PTR:
		if (c == AL_CPUID_IMPLICIT)
			AL_PICK(ptr);
		break;
	default:
		break;
	}
#undef AL_PICK
	return s;
}

al_fn al_lookup(enum al_method m, enum al_cpuid c, enum al_op op,
		enum al_mode mode, int pressure)
{
	struct al_set s;

	if ((unsigned)op >= AL_NR_OPS || (unsigned)mode >= AL_NR_MODES)
		return NULL;
	s = al_set_of(m, c);
	return s.t ? s.t[op][mode][!!pressure] : NULL;
}

al_cold_fn al_cold_lookup(enum al_method m, enum al_cpuid c)
{
	if (m == AL_NR_METHODS)
		return al_empty_cold;
	return al_set_of(m, c).cold;
}
