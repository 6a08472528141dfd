/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-access.h - the hot path: inline per-strategy accessors.
 *
 * No function pointer, no switch: each strategy's way of finding "this
 * CPU's copy" is a macro or inline function over that strategy's globals,
 * exactly what a compiled-in kernel accessor costs:
 *
 *   offset-array  load pcpu_offset_table[cpu], add the unit offset
 *   hybrid        the same, over pcpu_hybrid_table[]
 *   vm-area       pcpu_vm_base + (cpu << pcpu_vm_shift) + offset: no table
 *   segment       one %gs:offset access (GS base = the thread's unit)
 *   tls           the thread's __thread block + offset (%fs)
 *
 * The CPU id itself comes from one of two sources, kept apart so that a
 * benchmark can show both: pcpu_cpuid_rseq() (glibc's rseq area, what a
 * real user-space per-CPU scheme reads; sched_getcpu() where rseq is not
 * registered) and pcpu_cpuid_tls() (the logical id kept in a thread-local
 * by pcpu_thread_enter(), the pure lookup cost).
 *
 * The globals below belong to the live runtime of each strategy (see
 * pcpu_rt_init()); they are written only on the cold path, while no thread
 * holds the CPU concerned.
 */
#ifndef PCPU_ACCESS_H
#define PCPU_ACCESS_H

#include <sched.h>
#include <stdint.h>

#include "pcpu.h"

extern uintptr_t pcpu_offset_table[PCPU_NR_CPUS];	/* offset-array */
extern uintptr_t pcpu_hybrid_table[PCPU_NR_CPUS];	/* hybrid */
extern uintptr_t pcpu_vm_base;				/* vm-area */
extern unsigned int pcpu_vm_shift;			/* vm-area */
extern __thread unsigned char pcpu_tls_block[PCPU_TLS_MAX];	/* tls */
extern __thread unsigned int pcpu_tls_cpu;	/* id from the last enter */

/* ---- where the CPU id comes from -------------------------------------- */

/* Set by pcpu_rt_init(): glibc's rseq area is registered in this thread. */
extern long pcpu_rseq_cpu_offset;	/* from the thread pointer; 0: none */

static inline unsigned int pcpu_cpuid_tls(void)
{
	return pcpu_tls_cpu;
}

/* glibc >= 2.35 registers rseq: cpu_id is at __rseq_offset + 4. */
static inline unsigned int pcpu_cpuid_rseq_raw(void)
{
	return *(volatile uint32_t *)((char *)__builtin_thread_pointer() +
				      pcpu_rseq_cpu_offset);
}

static inline unsigned int pcpu_cpuid_getcpu(void)
{
	return (unsigned int)sched_getcpu();
}

/* ---- per-strategy addresses ------------------------------------------- */

#define PCPU_PTR_OFFSET_ARRAY(cpu, off)                                       \
	((void *)(pcpu_offset_table[(cpu)] + (uintptr_t)(off)))
#define PCPU_PTR_HYBRID(cpu, off)                                             \
	((void *)(pcpu_hybrid_table[(cpu)] + (uintptr_t)(off)))
#define PCPU_PTR_VM_AREA(cpu, off)                                            \
	((void *)(pcpu_vm_base + ((uintptr_t)(cpu) << pcpu_vm_shift) +        \
		  (uintptr_t)(off)))
#define PCPU_PTR_TLS(off) ((void *)(pcpu_tls_block + (uintptr_t)(off)))

#if defined(__x86_64__)
#define PCPU_HAVE_SEGMENT 1
/*
 * One %gs:-prefixed instruction each, in inline assembly as the kernel's
 * this_cpu ops are. (gcc's __seg_gs would also do, but the sanitizers
 * take such an access for one at the bare offset: ThreadSanitizer then
 * sees every thread's GS-relative copy as one shared address.)
 */
static inline uint64_t pcpu_seg_read_u64(uintptr_t off)
{
	uint64_t v;

	__asm__ __volatile__("movq %%gs:(%1), %0" : "=r"(v) : "r"(off));
	return v;
}

static inline void pcpu_seg_write_u64(uintptr_t off, uint64_t v)
{
	__asm__ __volatile__("movq %1, %%gs:(%0)" : : "r"(off), "r"(v) : "memory");
}

static inline void pcpu_seg_inc_u64(uintptr_t off)
{
	__asm__ __volatile__("addq $1, %%gs:(%0)" : : "r"(off) : "memory");
}

/* The uint64_t at GS base + off, as an rvalue. */
#define PCPU_SEG_U64(off) pcpu_seg_read_u64((uintptr_t)(off))
#else
#define PCPU_HAVE_SEGMENT 0
#endif

/* Typed helpers for the common 64-bit counter, per strategy. */
#define PCPU_U64(ptr) (*(volatile uint64_t *)(ptr))

#endif /* PCPU_ACCESS_H */
