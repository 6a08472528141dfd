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

/*
 * Loads done once, where written: volatile, but with the whole address in
 * the instruction (x86-64: one mov with a memory operand, as the kernel's
 * READ_ONCE()/this_cpu_read() compile; gcc does not fold an address
 * computation into a volatile C access, which would add an add or lea to
 * every lookup).
 */
#if defined(__x86_64__)
/* Zero-extended to 64 bits by the load itself (no extra mov). */
static inline uint64_t pcpu_load_u32(const void *p)
{
	uint64_t v;

	__asm__ __volatile__("movl %1, %k0" : "=r"(v) : "m"(*(const uint32_t *)p));
	return v;
}

static inline uint64_t pcpu_load_u64(const void *p)
{
	uint64_t v;

	__asm__ __volatile__("movq %1, %0" : "=r"(v) : "m"(*(const uint64_t *)p));
	return v;
}
#else
static inline uint64_t pcpu_load_u32(const void *p)
{
	return *(const volatile uint32_t *)p;
}

static inline uint64_t pcpu_load_u64(const void *p)
{
	return *(const volatile uint64_t *)p;
}
#endif

/* ---- where the CPU id comes from -------------------------------------- */

#if defined(__x86_64__)
/*
 * The compiler's form of a __thread access (DESIGN.md section 7): a
 * scalar __thread read is ONE %fs:-prefixed load. For a variable defined
 * in another object (initial-exec TLS, as the timed loops in bench/ see
 * the runtime's variables) gcc loads its offset from the thread pointer
 * once (movq sym@gottpoff(%rip), reg, which the linker relaxes to an
 * immediate in an executable) and reads "mov %fs:(reg), ..." per access.
 * PCPU_TPOFF() is that offset load (not volatile: the compiler may hoist
 * it, as it does its own); pcpu_fs_*() the access, with the whole
 * FS-relative address in the instruction. Check with objdump -d:
 * al_tls_read_tput_p0 has "mov %fs:(...)" per access, no plain load off
 * a hoisted "add %fs:0x0" thread pointer (librseq's rseq_get_abi() form,
 * which the rseq CPU-id source keeps).
 */
#define PCPU_TPOFF(sym)                                                       \
	({                                                                    \
		uintptr_t tpoff_;                                             \
		__asm__("movq " #sym "@gottpoff(%%rip), %0" : "=r"(tpoff_));  \
		tpoff_;                                                       \
	})

static inline uint64_t pcpu_fs_read_u32(uintptr_t tpoff)
{
	uint64_t v;

	__asm__ __volatile__("movl %%fs:%1, %k0" : "=r"(v)
			     : "m"(*(const uint32_t *)tpoff));
	return v;
}

static inline uint64_t pcpu_fs_read_u64(uintptr_t tpoff)
{
	uint64_t v;

	__asm__ __volatile__("movq %%fs:%1, %0" : "=r"(v)
			     : "m"(*(const uint64_t *)tpoff));
	return v;
}

static inline void pcpu_fs_write_u64(uintptr_t tpoff, uint64_t v)
{
	__asm__ __volatile__("movq %1, %%fs:(%0)" : : "r"(tpoff), "r"(v)
			     : "memory");
}

static inline void pcpu_fs_inc_u64(uintptr_t tpoff)
{
	__asm__ __volatile__("addq $1, %%fs:(%0)" : : "r"(tpoff) : "memory");
}
#define PCPU_HAVE_FS 1
#else
#define PCPU_HAVE_FS 0
#endif

/* Set by pcpu_rt_init(): glibc's rseq area is registered in this thread. */
extern long pcpu_rseq_cpu_offset;	/* from the thread pointer; 0: none */

/*
 * Each id read is a volatile load (a thread may change CPU between two
 * accesses, so no read may be hoisted out of a loop). The _dep variants
 * add @dep to the address of that load: a caller passes a zero the
 * compiler cannot see through, made from a previous result, to chain the
 * whole lookup (the path mode of `pcpubench access`); dep 0 is the plain
 * read.
 */
static inline unsigned long pcpu_cpuid_tls_dep(uintptr_t dep)
{
#if PCPU_HAVE_FS
	/* One %fs:-prefixed load, as gcc compiles a read of pcpu_tls_cpu. */
	return pcpu_fs_read_u32(PCPU_TPOFF(pcpu_tls_cpu) + dep);
#else
	return pcpu_load_u32((const char *)&pcpu_tls_cpu + dep);
#endif
}

static inline unsigned int pcpu_cpuid_tls(void)
{
	return pcpu_cpuid_tls_dep(0);
}

/* glibc >= 2.35 registers rseq: cpu_id is at __rseq_offset + 4. */
static inline unsigned long pcpu_cpuid_rseq_dep(uintptr_t dep)
{
	return pcpu_load_u32((const char *)__builtin_thread_pointer() +
			     pcpu_rseq_cpu_offset + dep);
}

static inline unsigned int pcpu_cpuid_rseq_raw(void)
{
	return pcpu_cpuid_rseq_dep(0);
}

static inline unsigned int pcpu_cpuid_getcpu(void)
{
	return (unsigned int)sched_getcpu();
}

/* ---- per access method ------------------------------------------------ */

/*
 * Per access method: table (a table of unit bases indexed by CPU id; the
 * table is volatile-read, it changes when a CPU comes or goes) and shift
 * (base + (cpu << shift); base and shift are constants of the run, as a
 * link-time constant would be in a kernel).
 */
#define PCPU_PTR_TABLE(tbl, cpu, off)                                         \
	((void *)((uintptr_t)pcpu_load_u64(&((const uintptr_t *)(tbl))[(cpu)]) + \
		  (uintptr_t)(off)))
#define PCPU_PTR_SHIFT(base, shift, cpu, off)                                 \
	((void *)((uintptr_t)(base) + ((uintptr_t)(cpu) << (shift)) +         \
		  (uintptr_t)(off)))

/* The per-strategy spellings (bench/access-loops.c). */
#define PCPU_PTR_OFFSET_ARRAY(cpu, off) PCPU_PTR_TABLE(pcpu_offset_table, cpu, off)
#define PCPU_PTR_HYBRID(cpu, off) PCPU_PTR_TABLE(pcpu_hybrid_table, cpu, off)
#define PCPU_PTR_VM_AREA(cpu, off)                                            \
	PCPU_PTR_SHIFT(pcpu_vm_base, pcpu_vm_shift, cpu, off)
#define PCPU_PTR_TLS(off) ((void *)(pcpu_tls_block + (uintptr_t)(off)))

/*
 * What a hot loop keeps in registers for its runtime, and the per-method
 * accessors over it (churn, numa, tests): the same table load and shift
 * as above; the unit itself is a plain volatile access, which the
 * sanitizers see.
 */
struct pcpu_acc_ctx {
	const uintptr_t *table;	/* table: the strategy's offset table */
	uintptr_t base;		/* shift: unit of CPU 0 */
	unsigned int shift;	/* shift: log2 of the unit size */
};

/* Fill @ctx for @rt (cold path; once per batch is fine). */
void pcpu_rt_acc_ctx(const struct pcpu_rt *rt, struct pcpu_acc_ctx *ctx);

#define PCPU_TABLE_PTR(ctx, cpu, off)                                         \
	((volatile uint64_t *)PCPU_PTR_TABLE((ctx).table, cpu, off))
#define PCPU_SHIFT_PTR(ctx, cpu, off)                                         \
	((volatile uint64_t *)PCPU_PTR_SHIFT((ctx).base, (ctx).shift, cpu, off))
#define PCPU_TLS_PTR(ctx, cpu, off) ((volatile uint64_t *)PCPU_PTR_TLS(off))

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

	__asm__ __volatile__("movq %%gs:%1, %0" : "=r"(v)
			     : "m"(*(const uint64_t *)off));
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

/* Typed helpers for the common 64-bit counter. */
#define PCPU_U64(ptr) (*(volatile uint64_t *)(ptr))

#if defined(__x86_64__)
/* One store, one read-modify-write instruction, as this_cpu_write/inc. */
static inline void pcpu_u64_store(void *p, uint64_t v)
{
	__asm__ __volatile__("movq %1, (%0)" : : "r"(p), "r"(v) : "memory");
}

static inline void pcpu_u64_inc(void *p)
{
	__asm__ __volatile__("addq $1, (%0)" : : "r"(p) : "memory");
}
#else
static inline void pcpu_u64_store(void *p, uint64_t v)
{
	PCPU_U64(p) = v;
}

static inline void pcpu_u64_inc(void *p)
{
	__atomic_fetch_add((uint64_t *)p, 1, __ATOMIC_RELAXED);
}
#endif

#endif /* PCPU_ACCESS_H */
