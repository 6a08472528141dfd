/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-access.h - the hot path: inline accessors, one per ACCESS METHOD.
 *
 * No function pointer, no switch: each access method's way of finding
 * "this CPU's copy" is a macro over a small context held in registers
 * (struct pcpu_acc_ctx, taken once per batch with pcpu_rt_acc_ctx()),
 * exactly what a compiled-in kernel accessor costs:
 *
 *   table    load ctx.table[cpu] (the strategy's offset table), add offset
 *   segment  one %gs:offset instruction (GS base = the thread's unit)
 *   shift    ctx.base + (cpu << ctx.shift) + offset: no table load
 *   tls      the thread's __thread block + offset (%fs)
 *
 * Every method has the same three macros, so one loop template serves
 * them all (PCPU_<M>_READ_U64(ctx, cpu, off), _WRITE_U64(ctx, cpu, off,
 * v), _INC_U64(ctx, cpu, off)); segment and tls ignore ctx and cpu. A new
 * strategy that reuses a method (hybrid-segment = segment over hybrid)
 * needs no new accessor. The benchmarks' timed loops and the tests use
 * these macros, so the tests check what is timed.
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

/* table: one offset table per strategy (several may be live at once). */
extern uintptr_t pcpu_tables[PCPU_NR_STRATEGIES][PCPU_NR_CPUS];
/* Names kept for the strategies' own tables. */
#define pcpu_offset_table (pcpu_tables[PCPU_S_OFFSET_ARRAY])
#define pcpu_hybrid_table (pcpu_tables[PCPU_S_HYBRID])
extern uintptr_t pcpu_vm_base;				/* shift (vm-area) */
extern unsigned int pcpu_vm_shift;			/* shift (vm-area) */
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

/* ---- per access method ------------------------------------------------ */

/* What a hot loop keeps in registers for its runtime. */
struct pcpu_acc_ctx {
	const uintptr_t *table;	/* table: the strategy's offset table */
	uintptr_t base;		/* shift: unit of CPU 0 */
	unsigned int shift;	/* shift: log2 of the unit size */
};

/* Fill @ctx for @rt (cold path; once per batch is fine). */
void pcpu_rt_acc_ctx(const struct pcpu_rt *rt, struct pcpu_acc_ctx *ctx);

#define PCPU_TABLE_PTR(ctx, cpu, off)                                         \
	((volatile uint64_t *)(((const volatile uintptr_t *)(ctx).table)[(cpu)] + \
			       (uintptr_t)(off)))
#define PCPU_SHIFT_PTR(ctx, cpu, off)                                         \
	((volatile uint64_t *)((ctx).base + ((uintptr_t)(cpu) << (ctx).shift) + \
			       (uintptr_t)(off)))
#define PCPU_TLS_PTR(ctx, cpu, off)                                           \
	((volatile uint64_t *)(pcpu_tls_block + (uintptr_t)(off)))

#define PCPU_TABLE_READ_U64(ctx, cpu, off) (*PCPU_TABLE_PTR(ctx, cpu, off))
#define PCPU_TABLE_WRITE_U64(ctx, cpu, off, v) (*PCPU_TABLE_PTR(ctx, cpu, off) = (v))
#define PCPU_TABLE_INC_U64(ctx, cpu, off) (*PCPU_TABLE_PTR(ctx, cpu, off) += 1)
#define PCPU_SHIFT_READ_U64(ctx, cpu, off) (*PCPU_SHIFT_PTR(ctx, cpu, off))
#define PCPU_SHIFT_WRITE_U64(ctx, cpu, off, v) (*PCPU_SHIFT_PTR(ctx, cpu, off) = (v))
#define PCPU_SHIFT_INC_U64(ctx, cpu, off) (*PCPU_SHIFT_PTR(ctx, cpu, off) += 1)
#define PCPU_TLS_READ_U64(ctx, cpu, off) (*PCPU_TLS_PTR(ctx, cpu, off))
#define PCPU_TLS_WRITE_U64(ctx, cpu, off, v) (*PCPU_TLS_PTR(ctx, cpu, off) = (v))
#define PCPU_TLS_INC_U64(ctx, cpu, off) (*PCPU_TLS_PTR(ctx, cpu, off) += 1)

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

#define PCPU_SEGMENT_READ_U64(ctx, cpu, off) pcpu_seg_read_u64((uintptr_t)(off))
#define PCPU_SEGMENT_WRITE_U64(ctx, cpu, off, v)                              \
	pcpu_seg_write_u64((uintptr_t)(off), (uint64_t)(v))
#define PCPU_SEGMENT_INC_U64(ctx, cpu, off) pcpu_seg_inc_u64((uintptr_t)(off))
/* The uint64_t at GS base + off, as an rvalue. */
#define PCPU_SEG_U64(off) pcpu_seg_read_u64((uintptr_t)(off))
#else
#define PCPU_HAVE_SEGMENT 0
#endif

/*
 * Per-strategy spellings of the same accessors, kept for callers that
 * predate the access x layout split (bench/access-loops.c). New code uses
 * the per-method macros above.
 */
#define PCPU_PTR_OFFSET_ARRAY(cpu, off)                                       \
	((void *)(pcpu_offset_table[(cpu)] + (uintptr_t)(off)))
#define PCPU_PTR_HYBRID(cpu, off)                                             \
	((void *)(pcpu_hybrid_table[(cpu)] + (uintptr_t)(off)))
#define PCPU_PTR_VM_AREA(cpu, off)                                            \
	((void *)(pcpu_vm_base + ((uintptr_t)(cpu) << pcpu_vm_shift) +        \
		  (uintptr_t)(off)))
#define PCPU_PTR_TLS(off) ((void *)(pcpu_tls_block + (uintptr_t)(off)))

/* Typed helpers for the common 64-bit counter. */
#define PCPU_U64(ptr) (*(volatile uint64_t *)(ptr))

#endif /* PCPU_ACCESS_H */
