/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-internal.h - the runtime's private state and the strategy table.
 *
 * A strategy is a struct pcpu_strategy_ops of cold-path hooks. The core
 * (pcpu-core.c) owns the lifecycle: ownership of logical CPUs, the template
 * copy, counter folding, the lock. A strategy only says where a unit's
 * memory comes from and how the hot accessors find it.
 */
#ifndef PCPU_INTERNAL_H
#define PCPU_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "pcpu.h"

enum pcpu_cpu_st {
	CPU_OFFLINE = 0,
	CPU_ONLINE,
	CPU_GOING_OFFLINE,
};

struct pcpu_cpu {
	_Atomic int state;		/* enum pcpu_cpu_st */
	_Atomic pid_t holder;		/* tid of the holding thread, 0: none */
	_Atomic int kick;		/* an offline waits for the holder */
	unsigned char *base;		/* the unit, while online */
	unsigned char *_Atomic tls_live;	/* tls: holder's block */
	size_t map_len;			/* separately mapped units */
	void *map_addr;
	int host_cpu;
	int node;			/* topology node */
	int host_node;			/* node memory is placed for */
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
 * struct pcpu_strategy_ops - the cold-path hooks of one strategy.
 * @init:        reserve what the strategy reserves at start (before any
 *               CPU is online). 0 or -errno, message in err.
 * @fini:        release everything init and online left.
 * @unit_alloc:  give @cpu's unit memory (committed, placed); set
 *               c->base; *fresh = true if the memory is new (zero).
 * @unit_free:   release @cpu's unit (c->base) as the strategy does.
 * @publish:     make the hot accessor find c->base (table entry), or
 *               unpublish when @on is false.
 * @enter:       point the calling thread at @cpu's unit.
 * @leave:       undo @enter.
 * @describe:    a line about the layout, for list/info.
 */
struct pcpu_strategy_ops {
	int (*init)(struct pcpu_rt *rt, char *err, size_t errlen);
	void (*fini)(struct pcpu_rt *rt);
	int (*unit_alloc)(struct pcpu_rt *rt, unsigned cpu, bool *fresh);
	void (*unit_free)(struct pcpu_rt *rt, unsigned cpu);
	void (*publish)(struct pcpu_rt *rt, unsigned cpu, bool on);
	int (*enter)(struct pcpu_rt *rt, unsigned cpu);
	void (*leave)(struct pcpu_rt *rt, unsigned cpu);
	void (*describe)(struct pcpu_rt *rt, char *buf, size_t len);
};

struct pcpu_rt {
	enum pcpu_strategy_id strategy;
	const struct pcpu_strategy_ops *ops;
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
	/* strategy-private */
	unsigned char *vm_base;		/* vm-area / hybrid reservation */
	size_t vm_len;
	void *vm_map;			/* the mapping (vm_base aligned in it) */
	size_t vm_map_len;
	unsigned char *embed;		/* hybrid: boot CPUs' block */
	size_t embed_len;
	void *embed_map;
	size_t embed_map_len;
	int *embed_index;		/* hybrid: slot of each boot CPU */
};

extern const struct pcpu_strategy_ops *const pcpu_strategy_ops_table[PCPU_NR_STRATEGIES];

/* pcpu-mem.c: memory with a backing and a placement. */
int pcpu_mem_map(struct pcpu_rt *rt, size_t len, int host_node,
		 void **map_addr, size_t *map_len, unsigned char **base);
int pcpu_mem_commit_fixed(struct pcpu_rt *rt, unsigned char *addr, size_t len,
			  int host_node);
int pcpu_mem_decommit_fixed(unsigned char *addr, size_t len);
int pcpu_mem_place(struct pcpu_rt *rt, void *addr, size_t len, int host_node);
int pcpu_mem_reserve(size_t len, size_t align, void **map_addr,
		     size_t *map_len, unsigned char **base);
size_t pcpu_mem_resident(const void *addr, size_t len);

#endif
