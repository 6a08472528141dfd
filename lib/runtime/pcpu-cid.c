// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-cid.c - per-CPU data indexed by the rseq concurrency id (mm_cid):
 * whether the id can be read here and from which registration, the
 * self-registration used when glibc's is disabled, the strategies over
 * the id, and their runtimes (a vm-layout runtime whose units are
 * committed on first use of an id). See pcpu-cid.h for the kernel's
 * contract.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pcpu-cid.h"
#include "pcpu-internal.h"
#include "pcpu-internal.h"

#ifndef AT_RSEQ_FEATURE_SIZE
#define AT_RSEQ_FEATURE_SIZE 27
#endif

long pcpu_cid_area;
long pcpu_cid_offset;
bool pcpu_cid_usable;
__thread unsigned int pcpu_cid_seen[PCPU_NR_CID_STRATEGIES];

static enum pcpu_cid_reg cid_reg = PCPU_CID_REG_NONE;
static char cid_why[200] = "mm_cid not probed (pcpu_cid_probe())";

/* The self-registered area: 32 bytes, 32-aligned, as rseq(2) requires. */
struct cid_rseq_area {
	uint32_t cpu_id_start;
	uint32_t cpu_id;
	uint64_t rseq_cs;
	uint32_t flags;
	uint32_t node_id;
	uint32_t mm_cid;
	uint32_t pad;
} __attribute__((aligned(32)));

static __thread struct cid_rseq_area cid_area;
static __thread bool cid_area_registered;

#ifdef __GLIBC__
extern const ptrdiff_t __rseq_offset __attribute__((weak));
extern const unsigned int __rseq_size __attribute__((weak));
#endif

static const char *const reg_names[] = {
#define PCPU_X(id, name, desc) name,
	PCPU_CID_REGS(PCPU_X)
#undef PCPU_X
};
static const char *const reg_descs[] = {
#define PCPU_X(id, name, desc) desc,
	PCPU_CID_REGS(PCPU_X)
#undef PCPU_X
};

const char *pcpu_cid_reg_name(enum pcpu_cid_reg r)
{
	return (unsigned)r < PCPU_NR_CID_REGS ? reg_names[r] : "?";
}

const char *pcpu_cid_reg_desc(enum pcpu_cid_reg r)
{
	return (unsigned)r < PCPU_NR_CID_REGS ? reg_descs[r] : "?";
}

static void forget_seen(void)
{
	unsigned i;

	for (i = 0; i < PCPU_NR_CID_STRATEGIES; i++)
		pcpu_cid_seen[i] = ~0u;
}

static int self_register(void)
{
	long r;

	if (cid_area_registered)
		return 0;
	memset(&cid_area, 0, sizeof(cid_area));
	cid_area.cpu_id = (uint32_t)-1;	/* RSEQ_CPU_ID_UNINITIALIZED */
	r = syscall(SYS_rseq, &cid_area, (unsigned)sizeof(cid_area), 0,
		    PCPU_RSEQ_SIG);
	if (r)
		return -errno;
	cid_area_registered = true;
	return 0;
}

/**
 * pcpu_cid_thread_init() - see pcpu-cid.h.
 * Context: the calling thread; a system call in the self case.
 */
int pcpu_cid_thread_init(void)
{
	long off;
	int r;

	forget_seen();
	if (cid_reg == PCPU_CID_REG_GLIBC)
		return 0;
	if (cid_reg != PCPU_CID_REG_SELF)
		return -ENOTSUP;
	r = self_register();
	if (r)
		return r;
	off = (long)((char *)&cid_area - (char *)__builtin_thread_pointer());
	/* Static TLS of the program: one offset for every thread. */
	return off == pcpu_cid_area ? 0 : -EINVAL;
}

/**
 * pcpu_cid_thread_exit() - see pcpu-cid.h. Context: the calling thread.
 */
void pcpu_cid_thread_exit(void)
{
	if (!cid_area_registered)
		return;
	if (!syscall(SYS_rseq, &cid_area, (unsigned)sizeof(cid_area), 1,
		     PCPU_RSEQ_SIG))
		cid_area_registered = false;
}


/**
 * pcpu_cid_probe() - see pcpu-cid.h.
 * Context: process context; the calling thread is set up (self: its area
 * registered). Call before starting threads that read the id.
 */
static int probe(struct pcpu_cid_facts *f, long feature_size);

int pcpu_cid_probe(struct pcpu_cid_facts *f, long feature_size)
{
	int r;

	if (!f)
		return -EINVAL;
	r = probe(f, feature_size);
	if (!r)
		snprintf(cid_why, sizeof(cid_why), "%s", f->reg == PCPU_CID_REG_NONE ?
			 f->why : "");
	return r;
}

/**
 * pcpu_cid_decide() - see pcpu-cid.h.
 */
enum pcpu_cid_reg pcpu_cid_decide(long feature_size, bool glibc_registered,
				  unsigned glibc_size, char *why, size_t len)
{
	if (feature_size < PCPU_RSEQ_MM_CID_END) {
		if (feature_size <= 0)
			snprintf(why, len, "the kernel gives no rseq feature size "
				 "(AT_RSEQ_FEATURE_SIZE absent: before Linux 6.3), "
				 "so no mm_cid");
		else
			snprintf(why, len, "the kernel's rseq feature size is %ld, "
				 "below %d: no mm_cid", feature_size,
				 PCPU_RSEQ_MM_CID_END);
		return PCPU_CID_REG_NONE;
	}
	if (!glibc_registered)
		return PCPU_CID_REG_SELF;
	/*
	 * glibc 2.35-2.39 registers its 32-byte area and says 20 (32 in
	 * its first release); the kernel writes mm_cid, inside those 32
	 * bytes, for every registration. A size >= 28 is the extensible
	 * ABI's own statement that the area covers mm_cid.
	 */
	if (glibc_size == 20 || glibc_size >= PCPU_RSEQ_MM_CID_END)
		return PCPU_CID_REG_GLIBC;
	snprintf(why, len, "glibc registered an rseq area of %u bytes, neither "
		 "its original 32-byte area (size 20 or 32) nor one covering "
		 "mm_cid (%d)", glibc_size, PCPU_RSEQ_MM_CID_END);
	return PCPU_CID_REG_NONE;
}

static int probe(struct pcpu_cid_facts *f, long feature_size)
{
	int r;

	memset(f, 0, sizeof(*f));
	f->feature_size_given = feature_size >= 0;
	f->kernel_feature_size = feature_size >= 0 ? feature_size :
				 (long)getauxval(AT_RSEQ_FEATURE_SIZE);
#ifdef __GLIBC__
	if (&__rseq_size && &__rseq_offset) {
		f->glibc_size = __rseq_size;
		f->glibc_offset = (long)__rseq_offset;
		f->glibc_registered = __rseq_size > 0;
	}
#endif
	f->reg = pcpu_cid_decide(f->kernel_feature_size, f->glibc_registered,
				 f->glibc_size, f->why, sizeof(f->why));
	cid_reg = f->reg;
	pcpu_cid_usable = false;
	if (f->reg == PCPU_CID_REG_NONE)
		return 0;
	if (f->reg == PCPU_CID_REG_GLIBC) {
		pcpu_cid_area = f->glibc_offset;
		pcpu_cid_offset = pcpu_cid_area + PCPU_RSEQ_MM_CID;
		pcpu_cid_usable = true;
		forget_seen();
		return 0;
	}
	pcpu_cid_area = (long)((char *)&cid_area -
			       (char *)__builtin_thread_pointer());
	pcpu_cid_offset = pcpu_cid_area + PCPU_RSEQ_MM_CID;
	r = pcpu_cid_thread_init();
	if (r) {
		f->reg = cid_reg = PCPU_CID_REG_NONE;
		snprintf(f->why, sizeof(f->why), "glibc did not register rseq "
			 "and registering it here failed: %s", strerror(-r));
		return 0;
	}
	pcpu_cid_usable = true;
	return 0;
}

/* ---- the strategies ------------------------------------------------------ */

static const char *const cs_names[] = {
#define PCPU_X(id, name, acc, lay, idx, desc) name,
	PCPU_CID_STRATEGIES(PCPU_X)
#undef PCPU_X
};
static const char *const cs_descs[] = {
#define PCPU_X(id, name, acc, lay, idx, desc) desc,
	PCPU_CID_STRATEGIES(PCPU_X)
#undef PCPU_X
};
static const enum pcpu_access_id cs_access[] = {
#define PCPU_X(id, name, acc, lay, idx, desc) PCPU_A_##acc,
	PCPU_CID_STRATEGIES(PCPU_X)
#undef PCPU_X
};
static const enum pcpu_layout_id cs_layout[] = {
#define PCPU_X(id, name, acc, lay, idx, desc) PCPU_L_##lay,
	PCPU_CID_STRATEGIES(PCPU_X)
#undef PCPU_X
};
static const enum pcpu_cid_index cs_index[] = {
#define PCPU_X(id, name, acc, lay, idx, desc) PCPU_CIDX_##idx,
	PCPU_CID_STRATEGIES(PCPU_X)
#undef PCPU_X
};
static const char *const index_names[] = {
#define PCPU_X(id, name, off, desc) name,
	PCPU_CID_INDEXES(PCPU_X)
#undef PCPU_X
};

const char *pcpu_cid_strategy_name(enum pcpu_cid_strategy_id s)
{
	return (unsigned)s < PCPU_NR_CID_STRATEGIES ? cs_names[s] : "?";
}

const char *pcpu_cid_strategy_desc(enum pcpu_cid_strategy_id s)
{
	return (unsigned)s < PCPU_NR_CID_STRATEGIES ? cs_descs[s] : "?";
}

enum pcpu_access_id pcpu_cid_strategy_access(enum pcpu_cid_strategy_id s)
{
	return (unsigned)s < PCPU_NR_CID_STRATEGIES ? cs_access[s] : PCPU_NR_ACCESSES;
}

enum pcpu_layout_id pcpu_cid_strategy_layout(enum pcpu_cid_strategy_id s)
{
	return (unsigned)s < PCPU_NR_CID_STRATEGIES ? cs_layout[s] : PCPU_L_DEFAULT;
}

enum pcpu_cid_index pcpu_cid_strategy_index(enum pcpu_cid_strategy_id s)
{
	return (unsigned)s < PCPU_NR_CID_STRATEGIES ? cs_index[s] : PCPU_NR_CID_INDEXES;
}

const char *pcpu_cid_index_name(enum pcpu_cid_index i)
{
	return (unsigned)i < PCPU_NR_CID_INDEXES ? index_names[i] : "?";
}

int pcpu_cid_strategy_lookup(const char *name, enum pcpu_cid_strategy_id *s)
{
	unsigned i;

	for (i = 0; name && i < PCPU_NR_CID_STRATEGIES; i++) {
		if (!strcmp(name, cs_names[i])) {
			*s = (enum pcpu_cid_strategy_id)i;
			return 0;
		}
	}
	return -ENOENT;
}

#define CID_COMMITS_ALL "commits a unit for every possible id at init: " \
	"indexing by mm_cid would save nothing, and the point of the id is " \
	"units for the ids in use"

/* NULL: a cid strategy exists. [access][layout]; layout 0 never asked. */
static const char *const cid_pair_why[PCPU_NR_ACCESSES][PCPU_NR_LAYOUTS] = {
	[PCPU_A_TABLE] = {
		[PCPU_L_EMBED] = CID_COMMITS_ALL,
		[PCPU_L_PAGE] = CID_COMMITS_ALL,
		[PCPU_L_HYBRID] = "hybrid splits CPUs online at boot from CPUs "
				  "onlined later; ids have no boot set (every id "
				  "is committed on first use, which is the vm layout)",
		[PCPU_L_THREAD] = "the thread layout is per thread: no unit per id",
	},
	[PCPU_A_SEGMENT] = {
		[PCPU_L_EMBED] = "%gs is per thread and must be re-pointed when the "
				 "id changes; the kernel gives user space no hook "
				 "for that (every access would check the id in a "
				 "critical section, and without FSGSBASE re-pointing "
				 "is a system call)",
	},
	[PCPU_A_SHIFT] = {
		[PCPU_L_EMBED] = CID_COMMITS_ALL,
		[PCPU_L_PAGE] = CID_COMMITS_ALL,
		[PCPU_L_HYBRID] = "shift needs one base and stride; hybrid has two",
		[PCPU_L_THREAD] = "the thread layout is per thread: no unit per id",
	},
	[PCPU_A_TLS] = {
		[PCPU_L_THREAD] = "tls needs no id at all: the thread's own block",
	},
};

/**
 * pcpu_cid_pair_invalid() - see pcpu-cid.h.
 * Return: NULL for a pair with a cid strategy; else the reason.
 */
const char *pcpu_cid_pair_invalid(enum pcpu_access_id a, enum pcpu_layout_id l)
{
	const char *why;

	if ((unsigned)a >= PCPU_NR_ACCESSES || l <= PCPU_L_DEFAULT ||
	    l >= PCPU_NR_LAYOUTS)
		return "unknown access method or layout";
	why = cid_pair_why[a][l];
	if (why)
		return why;
	if (a == PCPU_A_SEGMENT)
		return cid_pair_why[PCPU_A_SEGMENT][PCPU_L_EMBED];
	if (a == PCPU_A_TLS)
		return cid_pair_why[PCPU_A_TLS][PCPU_L_THREAD];
	/* A method or layout added later: the rules behind the table. */
	why = pcpu_pair_invalid(a, l);
	if (why)
		return why;
	if (pcpu_layout_ops_of(l)->commits_all)
		return CID_COMMITS_ALL;
	return NULL;	/* table or shift over vm */
}

const char *pcpu_cid_unavailable(void)
{
	if (!PCPU_HAVE_CID_CS)
		return "needs x86-64 (the rseq critical sections are written for it)";
	if (!pcpu_cid_usable)
		return cid_why;
	return NULL;
}

/* ---- runtimes ------------------------------------------------------------ */

struct pcpu_cid_rt {
	enum pcpu_cid_strategy_id s;
	struct pcpu_rt *rt;
	struct pcpu_acc_ctx ctx;
	pthread_mutex_t lock;
	unsigned nr_possible;
	_Atomic unsigned units;
	_Atomic unsigned span;
};

static const enum pcpu_strategy_id cs_rt_strategy[PCPU_NR_CID_STRATEGIES] = {
	/* table over vm: offset-array's table with --layout vm; shift over
	 * vm: vm-area itself. One live runtime per strategy, as in pcpu.h. */
	[PCPU_CS_CID_TABLE] = PCPU_S_OFFSET_ARRAY,
	[PCPU_CS_CPU_TABLE] = PCPU_S_OFFSET_ARRAY,
	[PCPU_CS_CID_VM] = PCPU_S_VM_AREA,
	[PCPU_CS_CPU_VM] = PCPU_S_VM_AREA,
};

/**
 * pcpu_cid_rt_init() - see pcpu-cid.h.
 * Context: process context, after pcpu_cid_probe().
 */
int pcpu_cid_rt_init(struct pcpu_cid_rt **out, enum pcpu_cid_strategy_id s,
		     const char *possible, char *err, size_t errlen)
{
	struct pcpu_config cfg;
	struct pcpu_cid_rt *c;
	const char *why;
	int r;

	*out = NULL;
	if ((unsigned)s >= PCPU_NR_CID_STRATEGIES)
		return pcpu_seterr(err, errlen, -EINVAL, "unknown cid strategy");
	why = pcpu_cid_unavailable();
	if (why)
		return pcpu_seterr(err, errlen, -ENOTSUP, "%s", why);
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->s = s;
	pthread_mutex_init(&c->lock, NULL);
	memset(&cfg, 0, sizeof(cfg));
	cfg.strategy = cs_rt_strategy[s];
	cfg.layout = cs_layout[s];
	cfg.possible = possible;
	cfg.online = "0";	/* every unit on first use of its id */
	r = pcpu_rt_init(&c->rt, &cfg, err, errlen);
	if (r) {
		pthread_mutex_destroy(&c->lock);
		free(c);
		return r;
	}
	c->nr_possible = (unsigned)pcpu_cpuset_count(pcpu_rt_possible(c->rt));
	pcpu_rt_acc_ctx(c->rt, &c->ctx);
	forget_seen();
	*out = c;
	return 0;
}

void pcpu_cid_rt_fini(struct pcpu_cid_rt *c)
{
	if (!c)
		return;
	pcpu_rt_fini(c->rt);
	pthread_mutex_destroy(&c->lock);
	free(c);
	forget_seen();
}

struct pcpu_rt *pcpu_cid_rt_rt(struct pcpu_cid_rt *c)
{
	return c->rt;
}

enum pcpu_cid_strategy_id pcpu_cid_rt_strategy(const struct pcpu_cid_rt *c)
{
	return c->s;
}

unsigned pcpu_cid_units(const struct pcpu_cid_rt *c)
{
	return c->units;
}

unsigned pcpu_cid_span(const struct pcpu_cid_rt *c)
{
	return c->span;
}

/**
 * pcpu_cid_first_use() - see pcpu-cid.h.
 * Context: takes the runtime's cid lock and the runtime's own.
 */
int pcpu_cid_first_use(struct pcpu_cid_rt *c)
{
	unsigned id = cs_index[c->s] == PCPU_CIDX_CID ? pcpu_cid_read() :
		      pcpu_cid_read_cpu();
	int r = 0;

	if (!pcpu_cpuset_test(pcpu_rt_possible(c->rt), id))
		return -ERANGE;
	pthread_mutex_lock(&c->lock);
	if (!pcpu_cpu_online_p(c->rt, id)) {
		r = pcpu_cpu_online(c->rt, id);
		if (!r) {
			c->units++;
			if (id + 1 > c->span)
				c->span = id + 1;
		}
	}
	pthread_mutex_unlock(&c->lock);
	if (!r)
		pcpu_cid_seen[c->s] = id;
	return r;
}

/**
 * pcpu_cid_inc() - see pcpu-cid.h.
 * Context: a thread after pcpu_cid_thread_init().
 */
int pcpu_cid_inc(struct pcpu_cid_rt *c, pcpu_off_t off, uint64_t *aborts,
		 uint64_t *first)
{
#if PCPU_HAVE_CID_CS
	const uintptr_t bo = c->ctx.base + off;

	for (;;) {
		enum pcpu_cid_inc_ret r;
		int e;

		switch (c->s) {
		case PCPU_CS_CID_TABLE:
			r = pcpu_cid_table_inc_cid(c->ctx.table, off);
			break;
		case PCPU_CS_CPU_TABLE:
			r = pcpu_cid_table_inc_cpu(c->ctx.table, off);
			break;
		case PCPU_CS_CID_VM:
			r = pcpu_cid_shift_inc_cid(bo, c->ctx.shift, c->s);
			break;
		default:
			r = pcpu_cid_shift_inc_cpu(bo, c->ctx.shift, c->s);
			break;
		}
		if (r == PCPU_CID_DONE)
			return 0;
		if (r == PCPU_CID_ABORT) {
			if (aborts)
				(*aborts)++;
			continue;
		}
		e = pcpu_cid_first_use(c);
		if (e)
			return e;
		if (first)
			(*first)++;
	}
#else
	return -ENOTSUP;
#endif
}
