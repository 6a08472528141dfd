/* SPDX-License-Identifier: GPL-2.0 */
/*
 * access-loops.h - the timed loops of `pcpubench access`, as a template.
 *
 * Included once per (strategy, CPU-id source) by access-loops.c, in the
 * manner of librseq's rseq-bits-template.h. Before each inclusion the
 * includer defines:
 *
 *   AL_NAME     the name stem, e.g. offset_array_rseq
 *   AL_LOAD(o)  a volatile load of this CPU's uint64_t at unit offset o
 *   AL_STORE(o, v)  store v there (one instruction)
 *   AL_INC(o)   add 1 there (one read-modify-write instruction)
 *   AL_PROLOGUE (optional) declarations at the top of each loop, e.g.
 *               constants of the run copied into registers
 *
 * Each macro performs the whole path a user pays: read the CPU id (where
 * the strategy needs one), find the unit, touch the variable. Nothing is
 * hoisted out of the loop: the id and table loads are volatile, because a
 * thread may change CPU between two accesses.
 *
 * Generated, per op (read, write, inc), mode (lat, tput) and pressure
 * (p0: none, p1: one page of a separate working set between accesses):
 *
 *   void al_<stem>_<op>_<mode>_<p>(struct al_args *a, uint64_t n);
 *
 * n is a multiple of 8 x nvars (the caller rounds). Latency loops chain
 * each access's address on the previous access's value (read: the
 * variable holds the next variable's offset; write: store the next
 * offset and reload it through store forwarding; inc: the incremented
 * value, masked to zero by an opaque zero, is added to the next offset).
 * Throughput loops do eight independent accesses per iteration
 * (one variable) into four accumulators.
 */

#define AL_FN(stem, op, mode, p) AL_CAT_(stem, op, mode, p)
#define AL_CAT_(stem, op, mode, p) al_##stem##_##op##_##mode##_##p
#define AL_FN_X(op, mode, p) AL_FN(AL_NAME, op, mode, p)

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
#ifndef AL_PROLOGUE
#define AL_PROLOGUE
#define AL_PROLOGUE_DEFAULT_
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

#define AL_BODY_READ(o, s) ((s) += AL_LOAD(o))
#define AL_BODY_WRITE(o, s) AL_STORE(o, (uintptr_t)(o))
#define AL_BODY_INC(o, s) AL_INC(o)

AL_GEN_LAT(p0, AL_NOP)
AL_GEN_LAT(p1, AL_PRESS_LAT)
AL_GEN_TPUT_OP(read, p0, AL_NOP, AL_BODY_READ)
AL_GEN_TPUT_OP(read, p1, AL_PRESS_TPUT, AL_BODY_READ)
AL_GEN_TPUT_OP(write, p0, AL_NOP, AL_BODY_WRITE)
AL_GEN_TPUT_OP(write, p1, AL_PRESS_TPUT, AL_BODY_WRITE)
AL_GEN_TPUT_OP(inc, p0, AL_NOP, AL_BODY_INC)
AL_GEN_TPUT_OP(inc, p1, AL_PRESS_TPUT, AL_BODY_INC)

/* The table of this stem's loops, [op][mode][pressure]. */
#define AL_TABLE_NAME(stem) AL_TABLE_NAME_(stem)
#define AL_TABLE_NAME_(stem) al_table_##stem
static const al_fn AL_TABLE_NAME(AL_NAME)[AL_NR_OPS][AL_NR_MODES][2] = {
	{ { AL_FN_X(read, lat, p0), AL_FN_X(read, lat, p1) },
	  { AL_FN_X(read, tput, p0), AL_FN_X(read, tput, p1) } },
	{ { AL_FN_X(write, lat, p0), AL_FN_X(write, lat, p1) },
	  { AL_FN_X(write, tput, p0), AL_FN_X(write, tput, p1) } },
	{ { AL_FN_X(inc, lat, p0), AL_FN_X(inc, lat, p1) },
	  { AL_FN_X(inc, tput, p0), AL_FN_X(inc, tput, p1) } },
};

#undef AL_GEN_LAT
#undef AL_GEN_TPUT_OP
#undef AL_BODY_READ
#undef AL_BODY_WRITE
#undef AL_BODY_INC
#ifdef AL_PROLOGUE_DEFAULT_
#undef AL_PROLOGUE
#undef AL_PROLOGUE_DEFAULT_
#endif
