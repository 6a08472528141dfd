// SPDX-License-Identifier: GPL-2.0
/*
 * access-loops.c - instantiate the access loops (access-loops.h) once per
 * strategy and CPU-id source. Each instantiation's macros are the inline
 * accessors of pcpu-access.h; there is no call or switch per access.
 * Check with: objdump -d build/pcpubench | grep -A30 '<al_segment_implicit_read_lat_p0>:'
 */
#include <sched.h>
#include <stdint.h>

#include "pcpu-access.h"
#include "access.h"

/* CPU id sources, each a volatile read per access. */
#define CPU_RSEQ() pcpu_cpuid_rseq_raw()
#define CPU_GETCPU() ((unsigned int)sched_getcpu())
#define CPU_TLS() (*(volatile unsigned int *)&pcpu_tls_cpu)

#define VLOAD(p) (*(volatile uint64_t *)(p))
#define STORE_PTR(p, v)                                                       \
	__asm__ __volatile__("movq %1, (%0)" : : "r"(p), "r"((uint64_t)(v))  \
			     : "memory")
#define INC_PTR(p) __asm__ __volatile__("addq $1, (%0)" : : "r"(p) : "memory")

/* Pointer strategies: address of this CPU's copy of unit offset o. */
#define OA_PTR(cpu, o)                                                        \
	(((volatile uintptr_t *)pcpu_offset_table)[(cpu)] + (uintptr_t)(o))
#define HY_PTR(cpu, o)                                                        \
	(((volatile uintptr_t *)pcpu_hybrid_table)[(cpu)] + (uintptr_t)(o))
/* The area's base and shift are constants of the run (link-time constants
 * in a kernel): kept in registers, so no table and no global is loaded. */
#define VM_PTR(cpu, o) (vm_base + ((uintptr_t)(cpu) << vm_shift) + (uintptr_t)(o))
#define TLS_PTR(o) ((uintptr_t)pcpu_tls_block + (uintptr_t)(o))

/* ---- offset-array ---- */
#define AL_LOAD(o) VLOAD(OA_PTR(AL_CPU(), o))
#define AL_STORE(o, v) STORE_PTR(OA_PTR(AL_CPU(), o), v)
#define AL_INC(o) INC_PTR(OA_PTR(AL_CPU(), o))
#define AL_CPU CPU_RSEQ
#define AL_NAME offset_array_rseq
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#define AL_CPU CPU_GETCPU
#define AL_NAME offset_array_getcpu
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#define AL_CPU CPU_TLS
#define AL_NAME offset_array_tls
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#undef AL_LOAD
#undef AL_STORE
#undef AL_INC

/* ---- hybrid ---- */
#define AL_LOAD(o) VLOAD(HY_PTR(AL_CPU(), o))
#define AL_STORE(o, v) STORE_PTR(HY_PTR(AL_CPU(), o), v)
#define AL_INC(o) INC_PTR(HY_PTR(AL_CPU(), o))
#define AL_CPU CPU_RSEQ
#define AL_NAME hybrid_rseq
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#define AL_CPU CPU_GETCPU
#define AL_NAME hybrid_getcpu
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#define AL_CPU CPU_TLS
#define AL_NAME hybrid_tls
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#undef AL_LOAD
#undef AL_STORE
#undef AL_INC

/* ---- vm-area: base and shift copied into registers once per batch ---- */
#define AL_PROLOGUE                                                           \
	const uintptr_t vm_base = pcpu_vm_base;                               \
	const unsigned int vm_shift = pcpu_vm_shift;
#define AL_LOAD(o) VLOAD(VM_PTR(AL_CPU(), o))
#define AL_STORE(o, v) STORE_PTR(VM_PTR(AL_CPU(), o), v)
#define AL_INC(o) INC_PTR(VM_PTR(AL_CPU(), o))
#define AL_CPU CPU_RSEQ
#define AL_NAME vm_area_rseq
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#define AL_CPU CPU_GETCPU
#define AL_NAME vm_area_getcpu
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#define AL_CPU CPU_TLS
#define AL_NAME vm_area_tls
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#undef AL_PROLOGUE
#undef AL_LOAD
#undef AL_STORE
#undef AL_INC

/* ---- segment: one %gs:-prefixed instruction per access ---- */
#if PCPU_HAVE_SEGMENT
#define AL_LOAD(o) PCPU_SEG_U64(o)
#define AL_STORE(o, v)                                                        \
	__asm__ __volatile__("movq %1, %%gs:(%0)" : : "r"((uintptr_t)(o)),    \
			     "r"((uint64_t)(v)) : "memory")
#define AL_INC(o)                                                             \
	__asm__ __volatile__("addq $1, %%gs:(%0)" : : "r"((uintptr_t)(o))     \
			     : "memory")
#define AL_NAME segment_implicit
#include "access-loops.h"
#undef AL_NAME
#undef AL_LOAD
#undef AL_STORE
#undef AL_INC
#endif

/* ---- tls: the thread's block (%fs) ---- */
#define AL_LOAD(o) VLOAD(TLS_PTR(o))
#define AL_STORE(o, v) STORE_PTR(TLS_PTR(o), v)
#define AL_INC(o) INC_PTR(TLS_PTR(o))
#define AL_NAME tls_implicit
#include "access-loops.h"
#undef AL_NAME
#undef AL_LOAD
#undef AL_STORE
#undef AL_INC

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

al_fn al_lookup(enum pcpu_strategy_id s, enum al_cpuid c, enum al_op op,
		enum al_mode mode, int pressure)
{
	const al_fn (*t)[AL_NR_MODES][2] = NULL;

	if ((unsigned)op >= AL_NR_OPS || (unsigned)mode >= AL_NR_MODES)
		return NULL;
	pressure = !!pressure;
	switch (s) {
	case PCPU_S_OFFSET_ARRAY:
		t = c == AL_CPUID_RSEQ ? al_table_offset_array_rseq :
		    c == AL_CPUID_GETCPU ? al_table_offset_array_getcpu :
		    c == AL_CPUID_TLS ? al_table_offset_array_tls : NULL;
		break;
	case PCPU_S_HYBRID:
		t = c == AL_CPUID_RSEQ ? al_table_hybrid_rseq :
		    c == AL_CPUID_GETCPU ? al_table_hybrid_getcpu :
		    c == AL_CPUID_TLS ? al_table_hybrid_tls : NULL;
		break;
	case PCPU_S_VM_AREA:
		t = c == AL_CPUID_RSEQ ? al_table_vm_area_rseq :
		    c == AL_CPUID_GETCPU ? al_table_vm_area_getcpu :
		    c == AL_CPUID_TLS ? al_table_vm_area_tls : NULL;
		break;
	case PCPU_S_SEGMENT:
	case PCPU_S_HYBRID_SEGMENT:	/* the segment loop over another layout */
#if PCPU_HAVE_SEGMENT
		t = c == AL_CPUID_IMPLICIT ? al_table_segment_implicit : NULL;
#endif
		break;
	case PCPU_S_TLS:
		t = c == AL_CPUID_IMPLICIT ? al_table_tls_implicit : NULL;
		break;
	default:
		break;
	}
	return t ? t[op][mode][pressure] : NULL;
}
