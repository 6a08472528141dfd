/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-internal.h - the runtime's private state and the two axes' tables.
 *
 * A strategy is a pair: a layout (struct pcpu_layout_ops, one file each:
 * pcpu-layout-<name>.c) says where a unit's memory comes from and when;
 * an access method (struct pcpu_access_ops, pcpu-access-<name>.c) says
 * how the hot accessor finds it. Which pairs exist is pcpu-pairs.c. The
 * core (pcpu-core.c) owns the lifecycle: ownership of logical CPUs, the
 * template copy, counter folding, the lock, the timing of each part.
 */
#ifndef PCPU_INTERNAL_H
#define PCPU_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>
#include <time.h>

#include "pcpu.h"
#include "pcpu-file.h"

enum pcpu_cpu_st {
	CPU_OFFLINE = 0,
	CPU_ONLINE,
	CPU_GOING_OFFLINE,
};

struct pcpu_cpu {
	_Atomic int state;		/* enum pcpu_cpu_st */
	_Atomic pid_t holder;		/* tid of the holding thread, 0: none */
	_Atomic int kick;		/* an offline waits for the holder */
	unsigned char *base;		/* the unit, while it exists */
	unsigned char *_Atomic tls_live;	/* tls: holder's block */
	size_t map_len;			/* separately mapped units */
	void *map_addr;
	int host_cpu;
	int node;			/* real topology node */
	int host_node;			/* real host node (memory for it) */
	int init_node;			/* what init knew (late-node policy) */
	int init_host_node;
	int unit_node;			/* node the unit was placed for, */
	int unit_host_node;		/* -1 while there is no unit */
	bool kept;			/* the unit outlives an offline */
	unsigned onlines;		/* times brought online */
};

struct pcpu_counter_reg {
	pcpu_off_t off;
	size_t n;			/* uint64_t counters from off */
	uint64_t *folded;
	struct pcpu_counter_reg *next;
};

struct pcpu_dyn {
	pcpu_off_t off;
	size_t size;
	struct pcpu_dyn *next;		/* sorted by off */
};

struct pcpu_rt;

/**
 * struct pcpu_layout_ops - where and when units live (one per layout).
 * @commits_all: init commits a unit for every possible CPU (the memory
 *               check of pcpu_rt_init() applies).
 * @per_thread:  the copy is the holder's __thread block, not a unit per
 *               CPU (thread): only a per_thread access method pairs.
 * @strided:     CPU c's unit is at one base + (c << unit_shift) (vm,
 *               page): what an access method with needs_stride wants.
 * @huge_ok:     the layout can take a thp/hugetlb backing.
 * @init:        reserve / allocate what the layout has at init, before
 *               any CPU is online. Units made now are filled from the
 *               template (pcpu_unit_fill()), their c->base, c->kept and
 *               c->unit_*node set. Sets rt->stride_base when CPU c's
 *               unit is at stride_base + (c << unit_shift).
 *               0 or -errno, message in err; leaves nothing on error.
 * @fini:        release everything init and online left.
 * @unit_alloc:  give @cpu's unit memory (committed, placed) and set
 *               c->base, unless it exists already; *fill = true when the
 *               core must copy the template in (new memory is zero).
 *               Adds its time to cost->online_ns[ALLOC] and [PLACE].
 * @unit_free:   release @cpu's unit as the layout does (kept units stay).
 * @describe:    a line about the layout, for list/info/meta.
 */
struct pcpu_layout_ops {
	bool commits_all;
	bool per_thread;
	bool strided;
	bool huge_ok;
	int (*init)(struct pcpu_rt *rt, char *err, size_t errlen);
	void (*fini)(struct pcpu_rt *rt);
	int (*unit_alloc)(struct pcpu_rt *rt, unsigned cpu, bool *fill,
			  struct pcpu_hp_cost *cost);
	void (*unit_free)(struct pcpu_rt *rt, unsigned cpu);
	void (*describe)(struct pcpu_rt *rt, char *buf, size_t len);
};

/**
 * struct pcpu_access_ops - how the hot path finds a unit (one per method).
 * @per_thread:  reaches the holder's __thread block (tls): pairs only
 *               with a per_thread layout.
 * @needs_stride: computes the unit from one base and a power-of-two
 *               stride (shift): pairs only with a strided layout.
 * @unavailable: NULL, or why the method cannot run on this machine.
 * @init:        after the layout's init (shift: publish base and shift).
 * @fini:        undo init and every publish.
 * @publish:     make the accessor find c->base (table entry), or forget
 *               it when @on is false.
 * @enter:       point the calling thread at @cpu's unit.
 * @refresh:     NULL, or: the thread already holds @cpu; point it at the
 *               unit again if another runtime took the register (segment).
 * @leave:       undo @enter.
 * @describe:    a line about the access path.
 */
struct pcpu_access_ops {
	bool per_thread;
	bool needs_stride;
	const char *(*unavailable)(void);
	int (*init)(struct pcpu_rt *rt, char *err, size_t errlen);
	void (*fini)(struct pcpu_rt *rt);
	void (*publish)(struct pcpu_rt *rt, unsigned cpu, bool on);
	int (*enter)(struct pcpu_rt *rt, unsigned cpu);
	int (*refresh)(struct pcpu_rt *rt, unsigned cpu);
	void (*leave)(struct pcpu_rt *rt, unsigned cpu);
	void (*describe)(struct pcpu_rt *rt, char *buf, size_t len);
};

/* A mapping a layout owns, for accounting: [addr, addr + len) of map. */
struct pcpu_region {
	unsigned char *base;		/* aligned start */
	size_t len;			/* bytes of units from base */
	void *map;			/* the whole mapping, for munmap */
	size_t map_len;
};

struct pcpu_rt {
	enum pcpu_strategy_id strategy;
	enum pcpu_access_id access;
	enum pcpu_layout_id layout;
	const struct pcpu_layout_ops *lops;
	const struct pcpu_access_ops *aops;
	unsigned gen;
	struct pcpu_config cfg;
	struct pcpu_topo topo;
	struct pcpu_cpuset possible, present, online, boot;
	unsigned nr_possible;
	int max_possible;
	size_t unit_size;
	unsigned unit_shift;
	size_t static_size;		/* page-rounded static section */
	size_t hwm;			/* template bytes in use */
	unsigned char *tmpl;		/* template: unit_size bytes */
	pthread_mutex_t lock;		/* cold path */
	struct pcpu_cpu *cpus;		/* PCPU_NR_CPUS entries */
	struct pcpu_counter_reg *counters;
	struct pcpu_dyn *dyn;
	struct pcpu_cpuset present_at_init;
	/* layout-private */
	struct pcpu_region embed;	/* embed / hybrid: the block */
	struct pcpu_region vm;		/* vm / page / hybrid: reservation */
	unsigned char *stride_base;	/* unit of CPU c at + (c << shift) */
	/* access-private */
	uintptr_t *table;		/* table: base of each CPU's unit */
	/* module sections (pcpu-modules.c) */
	struct pcpu_mods *mods;
	size_t dyn_start;		/* first dynamic offset: static_size
					 * + the module reserve */
};

/* The hooks of each axis, one per entry of its list in pcpu.h. */
#define PCPU_X_EXTERN(id, lname, desc)                                        \
	extern const struct pcpu_layout_ops pcpu_layout_##lname;
PCPU_LAYOUTS(PCPU_X_EXTERN)
#undef PCPU_X_EXTERN
#define PCPU_X_EXTERN(id, lname, desc)                                        \
	extern const struct pcpu_access_ops pcpu_access_##lname;
PCPU_ACCESSES(PCPU_X_EXTERN)
#undef PCPU_X_EXTERN
const struct pcpu_layout_ops *pcpu_layout_ops_of(enum pcpu_layout_id l);
const struct pcpu_access_ops *pcpu_access_ops_of(enum pcpu_access_id a);

/* pcpu-core.c */
/* Base of @cpu's unit where its holder reaches it (tls: the live block). */
unsigned char *pcpu_live_base(struct pcpu_rt *rt, unsigned cpu);
void pcpu_unit_fill(struct pcpu_rt *rt, unsigned char *base);
void pcpu_tmpl_set(struct pcpu_rt *rt, pcpu_off_t at, const void *init,
		   size_t size);
bool pcpu_tls_held(struct pcpu_rt *rt);
void pcpu_set_unit_node(struct pcpu_rt *rt, unsigned cpu, bool init);
void pcpu_region_release(struct pcpu_rt *rt, struct pcpu_region *r);
/* pcpu_seterr(): declared in pcpu-file.h (the toolkit uses it too) */

/* pcpu-config.c: pcpu_rt_init()'s steps, in its order. */
int pcpu_cfg_map_cpus(struct pcpu_rt *rt);
int pcpu_cfg_init_nodes(struct pcpu_rt *rt, const struct pcpu_config *cfg,
			char *err, size_t errlen);
int pcpu_cfg_check_fits(struct pcpu_rt *rt, char *err, size_t errlen);
int pcpu_cfg_parse_sets(struct pcpu_rt *rt, const struct pcpu_config *cfg,
			char *err, size_t errlen);
int pcpu_cfg_size_units(struct pcpu_rt *rt, const struct pcpu_config *cfg,
			char *err, size_t errlen);
int pcpu_cfg_check_placement(struct pcpu_rt *rt, const struct pcpu_config *cfg,
			     char *err, size_t errlen);
int pcpu_cfg_check_hugetlb(struct pcpu_rt *rt, char *err, size_t errlen);
int pcpu_cfg_collect_static_counters(struct pcpu_rt *rt);

static inline size_t pcpu_static_section_size(void)
{
	return (size_t)(__stop_pcpu_data - __start_pcpu_data);
}

static inline double pcpu_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* pcpu-layout-embed.c: an embedded block for the CPUs of @set, grouped
 * by init-time node, placed, populated and filled (embed and hybrid). */
int pcpu_embed_build(struct pcpu_rt *rt, const struct pcpu_cpuset *set,
		     char *err, size_t errlen);
void pcpu_embed_release(struct pcpu_rt *rt);
/* pcpu-layout-vm.c: the reservation of (max id + 1) units and commits in
 * it (vm, page, hybrid). */
int pcpu_vm_reserve(struct pcpu_rt *rt, char *err, size_t errlen);
void pcpu_vm_unreserve(struct pcpu_rt *rt);
int pcpu_vm_commit(struct pcpu_rt *rt, unsigned cpu, int host_node,
		   struct pcpu_hp_cost *cost);
void pcpu_vm_decommit(struct pcpu_rt *rt, unsigned cpu);

/* pcpu-modules.c: module sections, hooked into init, online, offline. */
size_t pcpu_mod_reserve_size(const struct pcpu_config *cfg);
int pcpu_mod_setup(struct pcpu_rt *rt, char *err, size_t errlen);
void pcpu_mod_teardown(struct pcpu_rt *rt);
int pcpu_mod_cpu_online(struct pcpu_rt *rt, unsigned cpu);
void pcpu_mod_cpu_offline(struct pcpu_rt *rt, unsigned cpu);

/* pcpu-mem.c: memory with a backing and a placement. */
int pcpu_mem_map(struct pcpu_rt *rt, size_t len, int host_node,
		 void **map_addr, size_t *map_len, unsigned char **base);
int pcpu_mem_commit_fixed(struct pcpu_rt *rt, unsigned char *addr, size_t len,
			  int host_node, struct pcpu_hp_cost *cost);
int pcpu_mem_populate(void *addr, size_t len);
int pcpu_mem_decommit_fixed(unsigned char *addr, size_t len);
int pcpu_mem_place(struct pcpu_rt *rt, void *addr, size_t len, int host_node);
int pcpu_mem_reserve(size_t len, size_t align, void **map_addr,
		     size_t *map_len, unsigned char **base);
size_t pcpu_mem_resident(const void *addr, size_t len);

#endif
