/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-cid.h - per-CPU data indexed by the rseq concurrency id (mm_cid).
 *
 * Linux 6.3 added mm_cid to the rseq area: an id per running thread,
 * unique among the threads of one process that run at the same time,
 * kept close to 0 (below min(threads, allowed CPUs)), so an array indexed
 * by it needs as many units as the process really runs at once, not one
 * per possible CPU (Lameter's 2006 complaint, asked of user space).
 *
 * What the kernel guarantees (include/uapi/linux/rseq.h, kernel/rseq.c):
 *  - the field is at offset 24 of struct rseq, inside the original
 *    32-byte area; rseq_update_cpu_node_id() writes cpu_id, node_id and
 *    mm_cid for every registration on return to user space, and the
 *    aux vector's AT_RSEQ_FEATURE_SIZE says whether the kernel has it
 *    (>= 28). glibc 2.35-2.39 registers its 32-byte area and publishes
 *    __rseq_size 20 (the fields it knew); the kernel still fills mm_cid
 *    there, which is the rule librseq applies (glibc size 20 or 32:
 *    active size min(32, kernel feature size)). Without glibc's
 *    registration (GLIBC_TUNABLES=glibc.pthread.rseq=0) each thread
 *    registers its own area here.
 *  - the id is stable only inside a restartable sequence: it may change
 *    whenever the thread is preempted, migrates, or other threads of the
 *    process come and go; another thread may hold it the moment after.
 *    So an update indexed by it is one rseq critical section: load the
 *    id, find the unit, one read-modify-write instruction as the commit;
 *    preemption, migration or a signal in between restarts it (the same
 *    contract as a cpu_id-indexed update; pcpu_cid_*_inc() below).
 *
 * Units: a cid-indexed runtime is an ordinary runtime (pcpu.h) whose
 * logical CPU ids are the ids read from the rseq area (mm_cid, or cpu_id
 * for the cpu-indexed control), over the vm layout: address space for
 * every possible id, a unit committed the first time a thread sees that
 * id (pcpu_cid_first_use()). The strategies are the X-macro list
 * PCPU_CID_STRATEGIES; pcpu_cid_pair_invalid() says why cid indexing has
 * no other pair.
 *
 * Like the rest of lib/: 0 / -errno, no printing, no environment.
 */
#ifndef PCPU_CID_H
#define PCPU_CID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcpu.h"
#include "pcpu-access.h"

/* struct rseq (include/uapi/linux/rseq.h) offsets. */
#define PCPU_RSEQ_CPU_ID 4
#define PCPU_RSEQ_CS 8
#define PCPU_RSEQ_MM_CID 24
#define PCPU_RSEQ_MM_CID_END 28		/* feature size covering mm_cid */
#define PCPU_RSEQ_ORIG_SIZE 32		/* original area, what glibc registers */
#define PCPU_RSEQ_SIG 0x53053053	/* x86's RSEQ_SIG, glibc's too */

/* Where the id comes from: id, name, rseq field offset, description. */
#define PCPU_CID_INDEXES(X)                                                   \
	X(CID, "cid", PCPU_RSEQ_MM_CID,                                       \
	  "rseq mm_cid: the concurrency id, below min(threads, allowed CPUs)") \
	X(CPU, "cpu", PCPU_RSEQ_CPU_ID,                                       \
	  "rseq cpu_id: the CPU number, below the possible CPUs (the control)")

enum pcpu_cid_index {
#define PCPU_X_ENUM(id, name, off, desc) PCPU_CIDX_##id,
	PCPU_CID_INDEXES(PCPU_X_ENUM)
#undef PCPU_X_ENUM
	PCPU_NR_CID_INDEXES
};

/*
 * The strategies over an rseq id: id, name, access method, layout, index,
 * description. The cpu-* entries are the controls: the same code indexed
 * by cpu_id.
 */
#define PCPU_CID_STRATEGIES(X)                                                \
	X(CID_TABLE, "cid-table", TABLE, VM, CID,                             \
	  "table of unit bases indexed by mm_cid; a unit committed on first use of an id") \
	X(CID_VM, "cid-vm", SHIFT, VM, CID,                                   \
	  "base + (mm_cid << shift) over a VM area; a unit committed on first use of an id") \
	X(CPU_TABLE, "cpu-table", TABLE, VM, CPU,                             \
	  "control: the same table indexed by rseq cpu_id")                   \
	X(CPU_VM, "cpu-vm", SHIFT, VM, CPU,                                   \
	  "control: the same VM area indexed by rseq cpu_id")

enum pcpu_cid_strategy_id {
#define PCPU_X_ENUM(id, name, acc, lay, idx, desc) PCPU_CS_##id,
	PCPU_CID_STRATEGIES(PCPU_X_ENUM)
#undef PCPU_X_ENUM
	PCPU_NR_CID_STRATEGIES
};

/* How the calling thread's rseq area came to be readable. */
#define PCPU_CID_REGS(X)                                                      \
	X(GLIBC, "glibc", "glibc's registration (its 32-byte area, which the kernel fills up to mm_cid)") \
	X(SELF, "self", "glibc did not register rseq; each thread registers its own 32-byte area") \
	X(NONE, "none", "no rseq area with mm_cid")

enum pcpu_cid_reg {
#define PCPU_X_ENUM(id, name, desc) PCPU_CID_REG_##id,
	PCPU_CID_REGS(PCPU_X_ENUM)
#undef PCPU_X_ENUM
	PCPU_NR_CID_REGS
};

/* The facts that decide whether mm_cid can be read, for info and meta. */
struct pcpu_cid_facts {
	long kernel_feature_size;	/* AT_RSEQ_FEATURE_SIZE; 0: absent */
	bool feature_size_given;	/* the caller overrode it (a test) */
	bool glibc_registered;		/* glibc registered rseq (size > 0) */
	unsigned glibc_size;		/* glibc's __rseq_size */
	long glibc_offset;		/* glibc's __rseq_offset */
	enum pcpu_cid_reg reg;
	char why[200];			/* reg NONE: why not */
};

/*
 * pcpu_cid_probe() - find out whether and how mm_cid can be read, and set
 * up the calling thread (glibc: nothing; self: register its area).
 * @feature_size: < 0 the kernel's (getauxval); >= 0 use this value
 *                instead (a test of the path of an older kernel).
 * Afterwards pcpu_cid_area (the hot path's offset) is set when usable.
 * Return: 0 (f->reg says the outcome; NONE has f->why); -EINVAL @f NULL.
 */
int pcpu_cid_probe(struct pcpu_cid_facts *f, long feature_size);
/*
 * pcpu_cid_decide() - the registration rule alone: from the kernel's
 * feature size and glibc's registration, where mm_cid is read (GLIBC,
 * SELF) or why it cannot be (NONE, reason in @why).
 */
enum pcpu_cid_reg pcpu_cid_decide(long feature_size, bool glibc_registered,
				  unsigned glibc_size, char *why, size_t len);
/*
 * pcpu_cid_thread_init() - a thread that will read the id calls this
 * first (self registration: registers its area; all: forgets what it had
 * verified of an earlier runtime).
 * Return: 0; -ENOTSUP no probe succeeded; -errno of rseq(2).
 */
int pcpu_cid_thread_init(void);
/* pcpu_cid_thread_exit() - unregister a self-registered area (no-op else). */
void pcpu_cid_thread_exit(void);
const char *pcpu_cid_reg_name(enum pcpu_cid_reg r);
const char *pcpu_cid_reg_desc(enum pcpu_cid_reg r);

/* Offset of the rseq area from the thread pointer; valid when
 * pcpu_cid_usable. Same in every thread (static TLS of the program). */
extern long pcpu_cid_area;
extern bool pcpu_cid_usable;
/* Hot path: pcpu_cid_area + PCPU_RSEQ_MM_CID, the shape of
 * pcpu_rseq_cpu_offset (one variable load, then the id). */
extern long pcpu_cid_offset;

/*
 * The id, one volatile load off the thread pointer (see pcpu-access.h
 * for the _dep convention: @dep is an opaque zero that chains a path).
 * Meaningful only when pcpu_cid_usable; stable only inside an rseq
 * critical section.
 */
static inline unsigned long pcpu_cid_read_dep(uintptr_t dep)
{
	return pcpu_load_u32((const char *)__builtin_thread_pointer() +
			     pcpu_cid_offset + dep);
}

static inline unsigned int pcpu_cid_read(void)
{
	return (unsigned int)pcpu_cid_read_dep(0);
}

/* The cpu_id of the same area (the control's index). */
static inline unsigned int pcpu_cid_read_cpu(void)
{
	return (unsigned int)pcpu_load_u32((const char *)__builtin_thread_pointer() +
					   pcpu_cid_area + PCPU_RSEQ_CPU_ID);
}

/* What one rseq-protected increment did. */
enum pcpu_cid_inc_ret {
	PCPU_CID_DONE = 0,	/* committed */
	PCPU_CID_ABORT,		/* preempted, migrated or signalled: retry */
	PCPU_CID_FIRST_USE,	/* the id has no unit (yet) for this thread:
				 * pcpu_cid_first_use(), then retry */
};

#if defined(__x86_64__)
#define PCPU_HAVE_CID_CS 1
/*
 * One rseq critical section over rseq field @FIELD (mm_cid or cpu_id):
 * publish the descriptor, load the id, compute the unit, one addq as the
 * commit. The abort handler (preceded by the signature, as the kernel
 * checks) and the first-use exit leave the section by asm goto.
 * @ADDR is the assembly that turns the id in %rax into the address of
 * the counter in %rax.
 */
#define PCPU_CID_CS_INC(FIELD, ADDR, ...)                                     \
	__asm__ goto(                                                         \
		".pushsection __pcpu_rseq_cs, \"aw\"\n\t"                     \
		".balign 32\n\t"                                              \
		"3:\n\t"                                                      \
		".long 0, 0\n\t"                                              \
		".quad 1f, (2f - 1f), 4f\n\t"                                 \
		".popsection\n\t"                                             \
		"leaq 3b(%%rip), %%rax\n\t"                                   \
		"movq %%rax, %%fs:8(%[area])\n\t"                             \
		"1:\n\t"                                                      \
		"movl %%fs:" #FIELD "(%[area]), %%eax\n\t"                    \
		ADDR                                                          \
		"addq $1, (%%rax)\n\t"                                        \
		"2:\n\t"                                                      \
		".pushsection __pcpu_rseq_failure, \"ax\"\n\t"                \
		".byte 0x0f, 0xb9, 0x3d\n\t"                                  \
		".long 0x53053053\n\t"                                        \
		"4:\n\t"                                                      \
		"jmp %l[abort]\n\t"                                           \
		".popsection\n\t"                                             \
		: : [area] "r"(pcpu_cid_area), __VA_ARGS__                    \
		: "rax", "rcx", "memory", "cc" : abort, first)

/* Table: %rax = tbl[id]; 0 (no unit) leaves for first use; + off. */
#define PCPU_CID_ADDR_TABLE                                                   \
	"movq (%[tbl], %%rax, 8), %%rax\n\t"                                  \
	"testq %%rax, %%rax\n\t"                                              \
	"jz %l[first]\n\t"                                                    \
	"addq %[off], %%rax\n\t"

/* Shift: the id must be the one this thread last saw committed (a
 * %fs: compare), then %rax = base_off + (id << shift). */
#define PCPU_CID_ADDR_SHIFT                                                   \
	"cmpl %%eax, %[seen]\n\t"                                             \
	"jne %l[first]\n\t"                                                   \
	"movl %[sh], %%ecx\n\t"                                               \
	"shlq %%cl, %%rax\n\t"                                                \
	"addq %[bo], %%rax\n\t"

/* The id each thread last verified committed, per strategy. */
extern __thread unsigned int pcpu_cid_seen[PCPU_NR_CID_STRATEGIES];

/*
 * The four increments: table or shift, indexed by mm_cid (field 24) or
 * cpu_id (4). Table: pcpu_cid_table_inc_<idx>(tbl, off); shift:
 * pcpu_cid_shift_inc_<idx>(base + off, shift, cid strategy id).
 */
#define PCPU_CID_INC_END                                                      \
	return PCPU_CID_DONE;                                                 \
abort:                                                                        \
	return PCPU_CID_ABORT;                                                \
first:                                                                        \
	return PCPU_CID_FIRST_USE;
#define PCPU_CID_DEFINE_TABLE_INC(idx, FIELD)                                 \
static inline enum pcpu_cid_inc_ret                                           \
pcpu_cid_table_inc_##idx(const uintptr_t *tbl, uintptr_t off)                 \
{                                                                             \
	PCPU_CID_CS_INC(FIELD, PCPU_CID_ADDR_TABLE, [tbl] "r"(tbl),           \
			[off] "r"(off));                                      \
	PCPU_CID_INC_END                                                      \
}
#define PCPU_CID_DEFINE_SHIFT_INC(idx, FIELD)                                 \
static inline enum pcpu_cid_inc_ret                                           \
pcpu_cid_shift_inc_##idx(uintptr_t base_off, unsigned int shift, unsigned int s) \
{                                                                             \
	PCPU_CID_CS_INC(FIELD, PCPU_CID_ADDR_SHIFT, [bo] "r"(base_off),       \
			[sh] "r"(shift), [seen] "m"(pcpu_cid_seen[s]));       \
	PCPU_CID_INC_END                                                      \
}
PCPU_CID_DEFINE_TABLE_INC(cid, 24)
PCPU_CID_DEFINE_TABLE_INC(cpu, 4)
PCPU_CID_DEFINE_SHIFT_INC(cid, 24)
PCPU_CID_DEFINE_SHIFT_INC(cpu, 4)
#else
#define PCPU_HAVE_CID_CS 0
#endif

/* ---- the strategies ------------------------------------------------------ */

struct pcpu_cid_rt;

const char *pcpu_cid_strategy_name(enum pcpu_cid_strategy_id s);
const char *pcpu_cid_strategy_desc(enum pcpu_cid_strategy_id s);
enum pcpu_access_id pcpu_cid_strategy_access(enum pcpu_cid_strategy_id s);
enum pcpu_layout_id pcpu_cid_strategy_layout(enum pcpu_cid_strategy_id s);
enum pcpu_cid_index pcpu_cid_strategy_index(enum pcpu_cid_strategy_id s);
const char *pcpu_cid_index_name(enum pcpu_cid_index i);
/* Return: 0 and *s; -ENOENT unknown name. */
int pcpu_cid_strategy_lookup(const char *name, enum pcpu_cid_strategy_id *s);
/*
 * pcpu_cid_pair_invalid() - why per-CPU data indexed by mm_cid has no
 * strategy with access method @a over layout @l (NULL: it has one).
 */
const char *pcpu_cid_pair_invalid(enum pcpu_access_id a, enum pcpu_layout_id l);
/* NULL when the cid strategies can run here (after pcpu_cid_probe());
 * else why not. */
const char *pcpu_cid_unavailable(void);

/*
 * pcpu_cid_rt_init() - a runtime for cid strategy @s: possible ids from
 * @possible (a count or cpulist, as pcpu_config), the vm layout, the
 * unit of id 0 committed, every other on first use.
 * Return: 0; -ENOTSUP mm_cid not readable (or cpu_id for a control) or
 * no critical sections on this architecture (message in @err); the
 * errors of pcpu_rt_init().
 */
int pcpu_cid_rt_init(struct pcpu_cid_rt **out, enum pcpu_cid_strategy_id s,
		     const char *possible, char *err, size_t errlen);
void pcpu_cid_rt_fini(struct pcpu_cid_rt *c);
struct pcpu_rt *pcpu_cid_rt_rt(struct pcpu_cid_rt *c);
enum pcpu_cid_strategy_id pcpu_cid_rt_strategy(const struct pcpu_cid_rt *c);
/*
 * pcpu_cid_first_use() - the id the calling thread reads now gets its
 * unit (committed, filled, published) unless it has one; the thread's
 * seen id is updated. Cold path, takes a lock.
 * Return: 0; -ERANGE the id is not below the possible ids; -ENOMEM.
 */
int pcpu_cid_first_use(struct pcpu_cid_rt *c);
/* Units committed so far (first uses that committed). */
unsigned pcpu_cid_units(const struct pcpu_cid_rt *c);
/* Highest id that got a unit, + 1 (what a table must span); 0: none. */
unsigned pcpu_cid_span(const struct pcpu_cid_rt *c);

/*
 * pcpu_cid_inc() - add 1 to the uint64_t at @off of the unit of the
 * caller's current id, in an rseq critical section, retrying on abort,
 * committing a unit on first use. @aborts and @first (may be NULL) count
 * what happened. Cheap enough for a loop; the timed paths inline the
 * per-strategy functions above instead.
 * Return: 0; -errno of pcpu_cid_first_use().
 */
int pcpu_cid_inc(struct pcpu_cid_rt *c, pcpu_off_t off, uint64_t *aborts,
		 uint64_t *first);

#endif /* PCPU_CID_H */
