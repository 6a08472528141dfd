/* SPDX-License-Identifier: GPL-2.0 */
/*
 * access-loops.h - THE loop template: every timed per-CPU loop of
 * `pcpubench access`, `churn` and `workload`.
 *
 * Included once per (access method, CPU-id source) by access-loops.c, in
 * the manner of librseq's rseq-bits-template.h: a strategy that reuses a
 * method (a method over another layout) reuses its loops. The loops use
 * the method's accessors of pcpu-access.h and nothing else per method;
 * before each inclusion the includer defines:
 *
 *   AL_M            the method's id in PCPU_ACCESSES (TABLE, SEGMENT, ...;
 *                   FLOOR for ptr): the template takes PCPU_<AL_M>_ADDR,
 *                   _LOAD_AT, _STORE_AT, _INC_AT and _NEEDS_CPU
 *   AL_NAME         the name stem, e.g. table_rseq
 *   AL_CPU(d)       the CPU id, read per access; d is added to the address
 *                   of that read (0 where the method needs no id)
 *   AL_CPU_WL_PROLOGUE, AL_CPU_WL()  the same id for the workload loop,
 *                   whose id address is taken once per call (rseq: the
 *                   thread pointer + __rseq_offset, as a program that
 *                   keeps its rseq area's address would)
 *
 * The whole lookup of this CPU's uint64_t at unit offset o is AL_ADDR(o,
 * d): d is added to the address of the path's first load (the CPU-id read;
 * for segment, tls and ptr the offset itself); d is 0 except in path
 * mode. The method's constants (table, base, shift) are copied from the
 * access context into a local const, so they live in registers; nothing
 * else is hoisted out of a loop: the id and table loads are volatile,
 * because a thread may change CPU between two accesses.
 *
 * Generated, per op (read, write, inc), mode (lat, tput, path) and
 * pressure (p0: none, p1: one page of a separate working set between
 * accesses; path has p0 only):
 *
 *   void al_<stem>_<op>_<mode>_<p>(struct al_args *a, uint64_t n);
 *   uint64_t al_<stem>_cold(struct al_args *a);
 *   uint64_t al_<stem>_churn(struct al_churn_args *a);
 *   void al_<stem>_wl(struct al_wl_args *a, uint64_t iters);
 *   static const struct al_set al_set_<stem>;	(all of them)
 *
 * n is a multiple of 8 x nvars (the caller rounds).
 *  - latency chains the data: read: the variable holds the next
 *    variable's offset; write: store the next offset and reload it through
 *    store forwarding; inc: the incremented value, masked to zero by an
 *    opaque zero, is added to the next offset.
 *  - throughput: eight independent accesses per iteration (one variable);
 *    a read's value is not consumed (no add per load: the load limit).
 *  - path chains the whole lookup: the previous result masked by the
 *    opaque zero is added to the address of the path's first load, so
 *    id -> table or base -> unit -> value is one dependent chain. read:
 *    the value read; write: the address generated (the store itself is
 *    off the chain); inc: load, add 1, store, the new value.
 *  - cold: touch the lines a->touch[0..ntouch) (one per page), fence,
 *    then one whole-path read between two rdtscp; the TSC ticks.
 *  - churn, wl: see struct al_churn_args and struct al_wl_args.
 */

#define AL_NEEDS_CPU PCPU_ACC(AL_M, NEEDS_CPU)
#define AL_ADDR(o, d)                                                         \
	PCPU_ACC(AL_M, ADDR)(ctx, AL_CPU(d), (uintptr_t)(o) +                 \
			     (AL_NEEDS_CPU ? 0 : (uintptr_t)(d)))
#define AL_LOAD_AT(p) PCPU_ACC(AL_M, LOAD_AT)(p)
#define AL_STORE_AT(p, v) PCPU_ACC(AL_M, STORE_AT)(p, v)
#define AL_INC_AT(p) PCPU_ACC(AL_M, INC_AT)(p)
/* The method's constants, in registers for the whole loop. */
#define AL_PROLOGUE const struct pcpu_acc_ctx ctx __attribute__((unused)) = a->ctx;

#define AL_FN(stem, op, mode, p) AL_CAT_(stem, op, mode, p)
#define AL_CAT_(stem, op, mode, p) al_##stem##_##op##_##mode##_##p
#define AL_FN_X(op, mode, p) AL_FN(AL_NAME, op, mode, p)
#define AL_COLD_FN(stem) AL_FN_OTHER(stem, cold)
#define AL_FN_OTHER(stem, what) AL_FN_OTHER_(stem, what)
#define AL_FN_OTHER_(stem, what) al_##stem##_##what

#define AL_LOAD(o) AL_LOAD_AT(AL_ADDR(o, 0))
#define AL_STORE(o, v) AL_STORE_AT(AL_ADDR(o, 0), v)
#define AL_INC(o) AL_INC_AT(AL_ADDR(o, 0))

/* One page of pressure, chained (latency) or not (throughput). */
#define AL_PRESS_LAT(a, k, off)                                               \
	do {                                                                  \
		uint64_t pv_ = *(volatile uint64_t *)((a)->pres[k] +          \
						      ((off) & z));           \
		(off) += pv_ & z;                                             \
		if (++(k) == (a)->npres)                                      \
			(k) = 0;                                              \
	} while (0)
#define AL_PRESS_TPUT(a, k, sink)                                             \
	do {                                                                  \
		(sink) += *(volatile uint64_t *)(a)->pres[k];                 \
		if (++(k) == (a)->npres)                                      \
			(k) = 0;                                              \
	} while (0)
#define AL_NOP(...) do { } while (0)
/*
 * No UBSan in the loops: its null check of a __thread address tests the
 * flags of "add x@gottpoff(%rip)", which the linker relaxes into a lea
 * (no flags), so the sanitizer build reports a null pointer that is not
 * there. ASan still instruments the loops.
 */
#if defined(__GNUC__)
#define AL_ATTR __attribute__((no_sanitize_undefined))
#else
#define AL_ATTR
#endif

/* ---- latency -------------------------------------------------------- */

#define AL_GEN_LAT(P, PRESS)                                                  \
void AL_FN_X(read, lat, P)(struct al_args *a, uint64_t n);                    \
AL_ATTR void AL_FN_X(read, lat, P)(struct al_args *a, uint64_t n) \
{                                                                             \
	uintptr_t off = a->first, z = a->zero;                                \
	AL_PROLOGUE                                                           \
	size_t k = 0;                                                         \
	(void)z; (void)k;                                                     \
	for (; n; n -= 4) {                                                   \
		PRESS(a, k, off); off = AL_LOAD(off);                         \
		PRESS(a, k, off); off = AL_LOAD(off);                         \
		PRESS(a, k, off); off = AL_LOAD(off);                         \
		PRESS(a, k, off); off = AL_LOAD(off);                         \
	}                                                                     \
	a->sink += off;                                                       \
}                                                                             \
void AL_FN_X(write, lat, P)(struct al_args *a, uint64_t n);                   \
AL_ATTR void AL_FN_X(write, lat, P)(struct al_args *a, uint64_t n) \
{                                                                             \
	uintptr_t off = a->first, z = a->zero;                                \
	AL_PROLOGUE                                                           \
	size_t j = 0, k = 0;                                                  \
	(void)z; (void)k;                                                     \
	for (; n; n--) {                                                      \
		uintptr_t nx = a->next[j];                                    \
		PRESS(a, k, off);                                             \
		AL_STORE(off, nx);                                            \
		off = AL_LOAD(off);                                           \
		if (++j == a->nvars)                                          \
			j = 0;                                                \
	}                                                                     \
	a->sink += off;                                                       \
}                                                                             \
void AL_FN_X(inc, lat, P)(struct al_args *a, uint64_t n);                     \
AL_ATTR void AL_FN_X(inc, lat, P)(struct al_args *a, uint64_t n) \
{                                                                             \
	uintptr_t off = a->first, z = a->zero;                                \
	AL_PROLOGUE                                                           \
	size_t j = 0, k = 0;                                                  \
	(void)k;                                                              \
	for (; n; n--) {                                                      \
		uint64_t v;                                                   \
		PRESS(a, k, off);                                             \
		v = AL_LOAD(off) + 1;                                         \
		AL_STORE(off, v);                                             \
		off = a->next[j] + (v & z);                                   \
		if (++j == a->nvars)                                          \
			j = 0;                                                \
	}                                                                     \
	a->sink += off;                                                       \
}

/* ---- throughput ----------------------------------------------------- */

/* @BODY(o) is one access at offset o; one var kept in a register. */
#define AL_GEN_TPUT_OP(OP, P, PRESS, BODY)                                    \
void AL_FN_X(OP, tput, P)(struct al_args *a, uint64_t n);                     \
AL_ATTR void AL_FN_X(OP, tput, P)(struct al_args *a, uint64_t n) \
{                                                                             \
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, sink = 0;                    \
	AL_PROLOGUE                                                           \
	size_t k = 0;                                                         \
	(void)k; (void)sink;                                                  \
	if (a->nvars == 1) {                                                  \
		const uintptr_t o = a->offs[0];                               \
		for (; n; n -= 8) {                                           \
			PRESS(a, k, sink); BODY(o, s0);                       \
			PRESS(a, k, sink); BODY(o, s1);                       \
			PRESS(a, k, sink); BODY(o, s2);                       \
			PRESS(a, k, sink); BODY(o, s3);                       \
			PRESS(a, k, sink); BODY(o, s0);                       \
			PRESS(a, k, sink); BODY(o, s1);                       \
			PRESS(a, k, sink); BODY(o, s2);                       \
			PRESS(a, k, sink); BODY(o, s3);                       \
		}                                                             \
	} else {                                                              \
		const uintptr_t *offs = a->offs;                              \
		const size_t nv = a->nvars;                                   \
		for (; n; n -= nv) {                                          \
			size_t j;                                             \
			for (j = 0; j < nv; j++) {                            \
				PRESS(a, k, sink); BODY(offs[j], s0);         \
			}                                                     \
		}                                                             \
	}                                                                     \
	a->sink += s0 + s1 + s2 + s3 + sink;                                  \
}

/*
 * A throughput read is the load alone: its value goes nowhere (the load
 * is volatile asm, so it stays), so no add per load shares the ports
 * with it and the loop runs at the machine's load limit, like
 * al_minimal_loop() (objdump -d: al_ptr_read_tput_p0 is eight movs and
 * the loop's sub/jne).
 */
#define AL_BODY_READ(o, s) ((void)AL_LOAD(o))
#define AL_BODY_WRITE(o, s) AL_STORE(o, (uintptr_t)(o))
#define AL_BODY_INC(o, s) AL_INC(o)

/* ---- path ------------------------------------------------------------- */

/*
 * @STEP(o, d) is one access at offset o whose first load is displaced by
 * d (zero at run time); it sets d from its result. One variable: four
 * steps per iteration at a constant offset; more: cycle through next[].
 */
#define AL_GEN_PATH_OP(OP, STEP)                                              \
void AL_FN_X(OP, path, p0)(struct al_args *a, uint64_t n);                    \
AL_ATTR void AL_FN_X(OP, path, p0)(struct al_args *a, uint64_t n)            \
{                                                                             \
	const uintptr_t z = a->zero;                                          \
	uintptr_t d = 0;                                                      \
	AL_PROLOGUE                                                           \
	if (a->nvars == 1) {                                                  \
		const uintptr_t o = a->first;                                 \
		for (; n; n -= 4) {                                           \
			STEP(o, d); STEP(o, d); STEP(o, d); STEP(o, d);       \
		}                                                             \
	} else {                                                              \
		size_t j = 0;                                                 \
		for (; n; n--) {                                              \
			STEP(a->next[j], d);                                  \
			if (++j == a->nvars)                                  \
				j = 0;                                        \
		}                                                             \
	}                                                                     \
	a->sink += d;                                                         \
}

#define AL_STEP_READ(o, d) ((d) = AL_LOAD_AT(AL_ADDR(o, d)) & z)
#define AL_STEP_WRITE(o, d)                                                   \
	do {                                                                  \
		uintptr_t p_ = AL_ADDR(o, d);                                 \
		AL_STORE_AT(p_, (uint64_t)(o));                               \
		(d) = p_ & z;                                                 \
	} while (0)
#define AL_STEP_INC(o, d)                                                     \
	do {                                                                  \
		uintptr_t p_ = AL_ADDR(o, d);                                 \
		uint64_t v_ = AL_LOAD_AT(p_) + 1;                             \
		AL_STORE_AT(p_, v_);                                          \
		(d) = v_ & z;                                                 \
	} while (0)

/* ---- cold: one isolated, fenced whole-path read ------------------------ */

uint64_t AL_COLD_FN(AL_NAME)(struct al_args *a);
AL_ATTR uint64_t AL_COLD_FN(AL_NAME)(struct al_args *a)
{
	const uintptr_t o = a->offs[0];
	uint64_t s = 0, t0, t1, v;
	size_t i;
	AL_PROLOGUE

	for (i = 0; i < a->ntouch; i++)
		s += *(volatile uint64_t *)a->touch[i];
	__asm__ __volatile__("mfence\n\tlfence" : : : "memory");
	t0 = pt_rdtscp();
	v = AL_LOAD(o);
	t1 = pt_rdtscp();
	a->sink += v + s;
	return t1 - t0;
}

AL_GEN_LAT(p0, AL_NOP)
AL_GEN_LAT(p1, AL_PRESS_LAT)
AL_GEN_TPUT_OP(read, p0, AL_NOP, AL_BODY_READ)
AL_GEN_TPUT_OP(read, p1, AL_PRESS_TPUT, AL_BODY_READ)
AL_GEN_TPUT_OP(write, p0, AL_NOP, AL_BODY_WRITE)
AL_GEN_TPUT_OP(write, p1, AL_PRESS_TPUT, AL_BODY_WRITE)
AL_GEN_TPUT_OP(inc, p0, AL_NOP, AL_BODY_INC)
AL_GEN_TPUT_OP(inc, p1, AL_PRESS_TPUT, AL_BODY_INC)
AL_GEN_PATH_OP(read, AL_STEP_READ)
AL_GEN_PATH_OP(write, AL_STEP_WRITE)
AL_GEN_PATH_OP(inc, AL_STEP_INC)

/* ---- churn: the worker under hotplug --------------------------------- */

uint64_t AL_FN_OTHER(AL_NAME, churn)(struct al_churn_args *a);
AL_ATTR uint64_t AL_FN_OTHER(AL_NAME, churn)(struct al_churn_args *a)
{
	const uintptr_t ops = a->ops_off, rd = a->read_off;
	uint64_t done = 0, rs = 0;
	unsigned k, b = 0;
	AL_PROLOGUE

	while (!atomic_load_explicit(a->stop, memory_order_relaxed) &&
	       !pcpu_thread_should_leave(a->rt)) {
		const unsigned cpu = AL_CPU(0);

		(void)cpu;
		for (k = 0; k < AL_CHURN_BATCH; k++) {
			PCPU_ACC(AL_M, INC_AT)(PCPU_ACC(AL_M, ADDR)(ctx, cpu, ops));
			rs += PCPU_ACC(AL_M, LOAD_AT)(PCPU_ACC(AL_M, ADDR)(ctx, cpu,
						       rd + 8 * (k & 3)));
		}
		done += AL_CHURN_BATCH;
		if (a->yield_every && ++b == a->yield_every) {
			b = 0;
			sched_yield();
		}
	}
	a->reads = rs;
	return done;
}

/* ---- workload: a program's other work, then m increments --------------- */

void AL_FN_OTHER(AL_NAME, wl)(struct al_wl_args *a, uint64_t iters);
AL_ATTR void AL_FN_OTHER(AL_NAME, wl)(struct al_wl_args *a, uint64_t iters)
{
	uintptr_t cur = a->cur;
	const uintptr_t z = a->zero, *offs = a->offs;
	const size_t nv = a->nvars;
	const unsigned m = a->m, work = a->work;
	size_t j = a->j;
	unsigned w, k;
	AL_PROLOGUE
	AL_CPU_WL_PROLOGUE

	for (; iters; iters--) {
		for (w = 0; w < work; w++)
			cur = *(volatile uintptr_t *)cur;
		for (k = 0; k < m; k++) {
			const uintptr_t o = offs[j] + (cur & z);

			AL_INC_AT(PCPU_ACC(AL_M, ADDR)(ctx, AL_CPU_WL(), o));
			if (++j == nv)
				j = 0;
		}
	}
	a->cur = cur;
	a->j = j;
}

/* This stem's loops: [op][mode][pressure], then the others. */
#define AL_SET_NAME(stem) AL_FN_OTHER(stem, set)
static const struct al_set AL_SET_NAME(AL_NAME) = {
	.loops = {
		{ { AL_FN_X(read, lat, p0), AL_FN_X(read, lat, p1) },
		  { AL_FN_X(read, tput, p0), AL_FN_X(read, tput, p1) },
		  { AL_FN_X(read, path, p0), NULL } },
		{ { AL_FN_X(write, lat, p0), AL_FN_X(write, lat, p1) },
		  { AL_FN_X(write, tput, p0), AL_FN_X(write, tput, p1) },
		  { AL_FN_X(write, path, p0), NULL } },
		{ { AL_FN_X(inc, lat, p0), AL_FN_X(inc, lat, p1) },
		  { AL_FN_X(inc, tput, p0), AL_FN_X(inc, tput, p1) },
		  { AL_FN_X(inc, path, p0), NULL } },
	},
	.cold = AL_COLD_FN(AL_NAME),
	.churn = AL_FN_OTHER(AL_NAME, churn),
	.wl = AL_FN_OTHER(AL_NAME, wl),
};

#undef AL_GEN_LAT
#undef AL_GEN_TPUT_OP
#undef AL_GEN_PATH_OP
#undef AL_BODY_READ
#undef AL_BODY_WRITE
#undef AL_BODY_INC
#undef AL_STEP_READ
#undef AL_STEP_WRITE
#undef AL_STEP_INC
#undef AL_LOAD
#undef AL_STORE
#undef AL_INC
#undef AL_PROLOGUE
#undef AL_NEEDS_CPU
#undef AL_ADDR
#undef AL_LOAD_AT
#undef AL_STORE_AT
#undef AL_INC_AT
