/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-access.h - the hot path: inline accessors, one family per ACCESS
 * METHOD, and the only per-method fast-path code there is.
 *
 * No function pointer, no switch: each access method's way of finding
 * "this CPU's copy" is a macro over a small context held in registers
 * (struct pcpu_acc_ctx, taken once per batch with pcpu_rt_acc_ctx()),
 * exactly what a compiled-in kernel accessor costs:
 *
 *   table    load ctx.table[cpu] (the runtime's offset table), add offset
 *   segment  one %gs:offset instruction (GS base = the thread's unit)
 *   shift    ctx.base + (cpu << ctx.shift) + offset: no table load
 *   tls      the thread's __thread block + offset (%fs)
 *
 * Every method <M> (the ids of PCPU_ACCESSES in pcpu.h) defines the same
 * five macros, and nothing else is per method:
 *
 *   PCPU_<M>_NEEDS_CPU            1 when the address depends on the CPU id
 *   PCPU_<M>_ADDR(ctx, cpu, off)  the address of the uint64_t at unit
 *                                 offset off, in the method's space (flat;
 *                                 segment: GS-relative; tls: FS-relative)
 *   PCPU_<M>_LOAD_AT(p), PCPU_<M>_STORE_AT(p, v), PCPU_<M>_INC_AT(p)
 *                                 one instruction each at such an address
 *
 * From them one family serves every method: PCPU_READ_U64(M, ctx, cpu,
 * off), PCPU_WRITE_U64(M, ctx, cpu, off, v), PCPU_INC_U64(M, ctx, cpu,
 * off); segment and tls ignore cpu. The benchmarks' one loop template
 * (bench/access-loops.h) and the tests use these macros, so the tests
 * check what is timed. A new strategy that reuses a method (hybrid-segment
 * = segment over hybrid) needs no new accessor; a new method adds its five
 * macros here.
 *
 * The CPU id itself comes from one of two sources, kept apart so that a
 * benchmark can show both: pcpu_cpuid_rseq() (glibc's rseq area, what a
 * real user-space per-CPU scheme reads; sched_getcpu() where rseq is not
 * registered) and pcpu_cpuid_tls() (the logical id kept in a thread-local
 * by pcpu_thread_enter(), the pure lookup cost).
 *
 * Nothing here is per strategy: a runtime's table, base and shift reach
 * the hot path in its access context, so any number of runtimes can be
 * live at once (segment and tls: one per thread at a time).
 */
#ifndef PCPU_ACCESS_H
#define PCPU_ACCESS_H

#include <sched.h>
#include <stdint.h>

#include "pcpu.h"

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
 * al_tls_implicit_read_tput_p0 has "mov %fs:(...)" per access, no plain load off
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

/* ---- memory: one instruction per access ----------------------------- */

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
	*(volatile uint64_t *)p = v;
}

static inline void pcpu_u64_inc(void *p)
{
	__atomic_fetch_add((uint64_t *)p, 1, __ATOMIC_RELAXED);
}
#endif

/* Flat memory: the methods whose address is an ordinary pointer. */
#define PCPU_FLAT_LOAD_AT(p) pcpu_load_u64((const void *)(p))
#define PCPU_FLAT_STORE_AT(p, v) pcpu_u64_store((void *)(p), (uint64_t)(v))
#define PCPU_FLAT_INC_AT(p) pcpu_u64_inc((void *)(p))

/* The uint64_t at @ptr, as an lvalue (cold paths, tests). */
#define PCPU_U64(ptr) (*(volatile uint64_t *)(ptr))

/*
 * What a hot loop keeps in registers for its runtime (a copy in a local
 * const, so that the compiler holds each field in a register).
 */
struct pcpu_acc_ctx {
	const uintptr_t *table;	/* table: the runtime's offset table */
	uintptr_t base;		/* shift: unit of CPU 0 */
	unsigned int shift;	/* shift: log2 of the unit size */
	uintptr_t tpoff;	/* tls (x86-64): the block's offset from the
				 * thread pointer, the same in every thread */
};

/* Fill @ctx for @rt (cold path; once per batch is fine). */
void pcpu_rt_acc_ctx(const struct pcpu_rt *rt, struct pcpu_acc_ctx *ctx);

/* ---- per access method ------------------------------------------------ */

/*
 * table: a table of unit bases indexed by CPU id; the entry is
 * volatile-read (it changes when a CPU comes or goes).
 */
#define PCPU_PTR_TABLE(tbl, cpu, off)                                         \
	((void *)((uintptr_t)pcpu_load_u64(&((const uintptr_t *)(tbl))[(cpu)]) + \
		  (uintptr_t)(off)))
#define PCPU_TABLE_NEEDS_CPU 1
#define PCPU_TABLE_ADDR(ctx, cpu, off)                                        \
	((uintptr_t)PCPU_PTR_TABLE((ctx).table, cpu, off))
#define PCPU_TABLE_LOAD_AT PCPU_FLAT_LOAD_AT
#define PCPU_TABLE_STORE_AT PCPU_FLAT_STORE_AT
#define PCPU_TABLE_INC_AT PCPU_FLAT_INC_AT

/*
 * shift: base + (cpu << shift); base and shift are constants of the run,
 * as a link-time constant would be in a kernel.
 */
#define PCPU_PTR_SHIFT(base, shift, cpu, off)                                 \
	((void *)((uintptr_t)(base) + ((uintptr_t)(cpu) << (shift)) +         \
		  (uintptr_t)(off)))
#define PCPU_SHIFT_NEEDS_CPU 1
#define PCPU_SHIFT_ADDR(ctx, cpu, off)                                        \
	((uintptr_t)PCPU_PTR_SHIFT((ctx).base, (ctx).shift, cpu, off))
#define PCPU_SHIFT_LOAD_AT PCPU_FLAT_LOAD_AT
#define PCPU_SHIFT_STORE_AT PCPU_FLAT_STORE_AT
#define PCPU_SHIFT_INC_AT PCPU_FLAT_INC_AT

/*
 * tls: the holder's __thread block. On x86-64 as gcc compiles a __thread
 * access: one %fs:-prefixed instruction at the block's thread-pointer
 * offset (PCPU_TPOFF, taken once into the context, as gcc hoists its
 * gottpoff load) plus the variable's offset; the address is FS-relative,
 * as segment's is GS-relative. PCPU_PTR_TLS() is the flat address (cold
 * paths).
 */
#define PCPU_PTR_TLS(off) ((void *)(pcpu_tls_block + (uintptr_t)(off)))
#define PCPU_TLS_NEEDS_CPU 0
#if PCPU_HAVE_FS
#define PCPU_TLS_ADDR(ctx, cpu, off) ((ctx).tpoff + (uintptr_t)(off))
#define PCPU_TLS_LOAD_AT(p) pcpu_fs_read_u64(p)
#define PCPU_TLS_STORE_AT(p, v) pcpu_fs_write_u64(p, (uint64_t)(v))
#define PCPU_TLS_INC_AT(p) pcpu_fs_inc_u64(p)
#else
#define PCPU_TLS_ADDR(ctx, cpu, off) ((uintptr_t)PCPU_PTR_TLS(off))
#define PCPU_TLS_LOAD_AT PCPU_FLAT_LOAD_AT
#define PCPU_TLS_STORE_AT PCPU_FLAT_STORE_AT
#define PCPU_TLS_INC_AT PCPU_FLAT_INC_AT
#endif

/*
 * segment: one %gs:-prefixed instruction each, in inline assembly as the
 * kernel's this_cpu ops are. (gcc's __seg_gs would also do, but the
 * sanitizers take such an access for one at the bare offset:
 * ThreadSanitizer then sees every thread's GS-relative copy as one shared
 * address.) Elsewhere the method is unavailable (its hooks say why) and
 * its macros are flat stand-ins that never run.
 */
#define PCPU_SEGMENT_NEEDS_CPU 0
#define PCPU_SEGMENT_ADDR(ctx, cpu, off) ((uintptr_t)(off))
#if defined(__x86_64__)
#define PCPU_HAVE_SEGMENT 1
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

#define PCPU_SEGMENT_LOAD_AT(p) pcpu_seg_read_u64(p)
#define PCPU_SEGMENT_STORE_AT(p, v) pcpu_seg_write_u64(p, (uint64_t)(v))
#define PCPU_SEGMENT_INC_AT(p) pcpu_seg_inc_u64(p)
/* The uint64_t at GS base + off, as an rvalue. */
#define PCPU_SEG_U64(off) pcpu_seg_read_u64((uintptr_t)(off))
#else
#define PCPU_HAVE_SEGMENT 0
#define PCPU_SEGMENT_LOAD_AT PCPU_FLAT_LOAD_AT
#define PCPU_SEGMENT_STORE_AT PCPU_FLAT_STORE_AT
#define PCPU_SEGMENT_INC_AT PCPU_FLAT_INC_AT
#endif

/* ---- the one family ---------------------------------------------------- */

#define PCPU_ACC_CAT_(m, what) PCPU_##m##_##what
#define PCPU_ACC(m, what) PCPU_ACC_CAT_(m, what)

/* Read, write, increment this CPU's uint64_t at @off, method @m (an id
 * of PCPU_ACCESSES, e.g. TABLE). */
#define PCPU_READ_U64(m, ctx, cpu, off)                                       \
	PCPU_ACC(m, LOAD_AT)(PCPU_ACC(m, ADDR)(ctx, cpu, off))
#define PCPU_WRITE_U64(m, ctx, cpu, off, v)                                   \
	PCPU_ACC(m, STORE_AT)(PCPU_ACC(m, ADDR)(ctx, cpu, off), v)
#define PCPU_INC_U64(m, ctx, cpu, off)                                        \
	PCPU_ACC(m, INC_AT)(PCPU_ACC(m, ADDR)(ctx, cpu, off))

/* The per-method spellings, kept for their callers. */
#define PCPU_TABLE_READ_U64(ctx, cpu, off) PCPU_READ_U64(TABLE, ctx, cpu, off)
#define PCPU_TABLE_WRITE_U64(ctx, cpu, off, v) PCPU_WRITE_U64(TABLE, ctx, cpu, off, v)
#define PCPU_TABLE_INC_U64(ctx, cpu, off) PCPU_INC_U64(TABLE, ctx, cpu, off)
#define PCPU_SHIFT_READ_U64(ctx, cpu, off) PCPU_READ_U64(SHIFT, ctx, cpu, off)
#define PCPU_SHIFT_WRITE_U64(ctx, cpu, off, v) PCPU_WRITE_U64(SHIFT, ctx, cpu, off, v)
#define PCPU_SHIFT_INC_U64(ctx, cpu, off) PCPU_INC_U64(SHIFT, ctx, cpu, off)
#define PCPU_TLS_READ_U64(ctx, cpu, off) PCPU_READ_U64(TLS, ctx, cpu, off)
#define PCPU_TLS_WRITE_U64(ctx, cpu, off, v) PCPU_WRITE_U64(TLS, ctx, cpu, off, v)
#define PCPU_TLS_INC_U64(ctx, cpu, off) PCPU_INC_U64(TLS, ctx, cpu, off)
#define PCPU_SEGMENT_READ_U64(ctx, cpu, off) PCPU_READ_U64(SEGMENT, ctx, cpu, off)
#define PCPU_SEGMENT_WRITE_U64(ctx, cpu, off, v) PCPU_WRITE_U64(SEGMENT, ctx, cpu, off, v)
#define PCPU_SEGMENT_INC_U64(ctx, cpu, off) PCPU_INC_U64(SEGMENT, ctx, cpu, off)

#endif /* PCPU_ACCESS_H */
