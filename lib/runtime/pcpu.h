/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu.h - a user-space per-CPU runtime modelled on the kernel's.
 *
 * Vocabulary follows mm/percpu.c: every logical CPU owns one *unit* of
 * unit_size bytes. The first part of a unit is a copy of the static per-CPU
 * section (variables made with DEFINE_PCPU); its image at start-up is kept
 * as the *template* of initial values. The rest of the unit holds dynamic
 * per-CPU allocations (pcpu_alloc(), the alloc_percpu() analogue).
 *
 * Every per-CPU object is named by its *unit offset* (pcpu_off_t): the
 * address of CPU c's copy is the base of c's unit plus that offset. How the
 * base is found is the *access method* (table, segment, shift, tls); where
 * and when units exist is the *layout* (embed, page, vm, hybrid, thread);
 * a *strategy* is a named pair. The hot accessors are in pcpu-access.h,
 * one per access method. The cold path (init, online, offline, thread
 * enter) goes through two tables of hooks, one per axis (pcpu-internal.h).
 *
 * Logical CPUs: ids 0..PCPU_NR_CPUS-1, possibly sparse, with possible,
 * present and online sets. Each logical CPU maps to a host CPU (affinity)
 * and to a NUMA node from the topology (hwloc: the host, a synthetic
 * description or an XML file).
 *
 * Ownership: like a kernel CPU runs one task at a time, a logical CPU is
 * held by at most one thread at a time (pcpu_thread_enter()). Only the
 * holder touches the CPU's copy through the hot accessors, so increments
 * need no atomics, as this_cpu_inc() needs none with preemption off.
 *
 * Every function returns 0 or a negative errno; none prints or exits.
 * Where a message helps, it is written into the caller's error buffer.
 */
#ifndef PCPU_H
#define PCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Highest logical CPU id + 1. At least 8192 possible CPUs are supported. */
#define PCPU_NR_CPUS 16384
/* Largest unit the tls strategy can hold in its __thread block. */
#define PCPU_TLS_MAX (256 * 1024)
#define PCPU_PAGE_SIZE 4096UL
#define PCPU_HUGE_SIZE (2UL << 20)
#define PCPU_MAX_NODES 64

typedef uintptr_t pcpu_off_t;

/*
 * A strategy is a pair of two independent axes (DESIGN.md section 6):
 *
 * Access method: how the hot path finds this CPU's unit. Each entry is
 * X(ID, lname, description): the name printed is #lname, and lname names
 * the method's hooks (pcpu_access_<lname> in pcpu-access-<lname>.c), its
 * hot accessors are PCPU_<ID>_* (pcpu-access.h). This list generates the
 * enum, the names, the hooks' externs and lookup, and the benchmarks'
 * loop sets.
 */
#define PCPU_ACCESSES(X)                                                      \
	X(TABLE, table,                                                       \
	  "load the unit's base from a table indexed by CPU id, add the offset") \
	X(SEGMENT, segment,                                                   \
	  "one %gs:offset instruction; GS base per thread = its CPU's unit")  \
	X(SHIFT, shift,                                                       \
	  "base + (cpu << shift) + offset: arithmetic, no table load")        \
	X(TLS, tls,                                                           \
	  "the holder's __thread block + offset (%fs)")

enum pcpu_access_id {
#define PCPU_X_ENUM(id, lname, desc) PCPU_A_##id,
	PCPU_ACCESSES(PCPU_X_ENUM)
#undef PCPU_X_ENUM
	PCPU_NR_ACCESSES
};

/*
 * Layout: where units live and when they are allocated. PCPU_L_DEFAULT
 * (0) in a config means "the strategy's own layout". Entries are
 * X(ID, lname, description), as for the access methods: the hooks are
 * pcpu_layout_<lname> in pcpu-layout-<lname>.c.
 */
#define PCPU_LAYOUTS(X)                                                       \
	X(EMBED, embed,                                                       \
	  "kernel default (pcpu_embed_first_chunk): at init one block with a unit for every possible CPU, grouped by node, each on the node init knew; online/offline allocate nothing") \
	X(PAGE, page,                                                         \
	  "percpu_alloc=page: at init every possible CPU's unit in 4 KiB pages in one reserved range, each on the node init knew; online/offline allocate nothing") \
	X(VM, vm,                                                             \
	  "dedicated VM area: address space for every possible CPU; a unit committed on online on the CPU's node at that moment, filled from the template, released on offline") \
	X(HYBRID, hybrid,                                                     \
	  "Rostedt 2006: CPUs online at init in one embed block, CPUs onlined later in vm units") \
	X(THREAD, thread,                                                     \
	  "tls only: the holder's __thread block; the unit is parked in a per-CPU mapping made on online")

enum pcpu_layout_id {
	PCPU_L_DEFAULT = 0,
#define PCPU_X_ENUM(id, lname, desc) PCPU_L_##id,
	PCPU_LAYOUTS(PCPU_X_ENUM)
#undef PCPU_X_ENUM
	PCPU_NR_LAYOUTS
};

/*
 * The strategies, one X-macro list: id, name, access method, layout,
 * one-line description. Every name printed anywhere comes from here.
 */
#define PCPU_STRATEGIES(X)                                                    \
	X(OFFSET_ARRAY, "offset-array", TABLE, EMBED,                         \
	  "kernel generic today: __per_cpu_offset[] over the embedded first chunk") \
	X(SEGMENT, "segment", SEGMENT, EMBED,                                 \
	  "x86-64 today: %gs-relative this_cpu ops over the embedded first chunk") \
	X(VM_AREA, "vm-area", SHIFT, VM,                                      \
	  "Lameter: virtual per-CPU area, unit at base + (cpu << shift), committed on online") \
	X(HYBRID, "hybrid", TABLE, HYBRID,                                    \
	  "Rostedt 2006: boot CPUs embedded, later CPUs in a VM area, via the indirect pointer array") \
	X(HYBRID_SEGMENT, "hybrid-segment", SEGMENT, HYBRID,                  \
	  "Rostedt 2006: the hybrid layout reached through the CPU private register (%gs)") \
	X(TLS, "tls", TLS, THREAD,                                            \
	  "plain __thread block (%fs): the per-thread floor")

enum pcpu_strategy_id {
#define PCPU_X_ENUM(id, name, acc, lay, desc) PCPU_S_##id,
	PCPU_STRATEGIES(PCPU_X_ENUM)
#undef PCPU_X_ENUM
	PCPU_NR_STRATEGIES
};

/*
 * What init knows about the node of a CPU that is possible but not
 * present at init (present CPUs always get their real node).
 */
#define PCPU_LATE_NODES(X)                                                    \
	X(ROUNDROBIN, "roundrobin",                                           \
	  "absent CPUs get nodes round-robin (what Linux 6.1 did in the guest: 0,1,0,1 for CPUs 4-9; the CPU that later takes an id may live elsewhere)") \
	X(TOPOLOGY, "topology",                                               \
	  "the node the topology gives (firmware described it and ids were predictable)") \
	X(BOOT, "boot",                                                       \
	  "the boot CPU's node (the 2006 situation)")                          \
	X(NODE, "node:N",                                                     \
	  "every absent CPU on topology node N")

enum pcpu_late_node_kind {
#define PCPU_X_ENUM(id, name, desc) PCPU_LATE_##id,
	PCPU_LATE_NODES(PCPU_X_ENUM)
#undef PCPU_X_ENUM
	PCPU_NR_LATE_NODES
};

struct pcpu_late_node {
	enum pcpu_late_node_kind kind;	/* zero: roundrobin, the default */
	int node;			/* PCPU_LATE_NODE only: topology node */
};

#define PCPU_BACKINGS(X)                                                      \
	X(4K, "4k", "4 KiB pages")                                            \
	X(THP, "thp", "transparent huge pages (madvise MADV_HUGEPAGE)")       \
	X(HUGETLB, "hugetlb", "hugetlbfs 2 MiB pages (MAP_HUGETLB)")

enum pcpu_backing {
#define PCPU_X_ENUM(id, name, desc) PCPU_BACKING_##id,
	PCPU_BACKINGS(PCPU_X_ENUM)
#undef PCPU_X_ENUM
	PCPU_NR_BACKINGS
};

enum pcpu_placement_kind {
	PCPU_PLACE_LOCAL,	/* the CPU's own node */
	PCPU_PLACE_NODE,	/* a fixed node, whatever the CPU */
	PCPU_PLACE_INTERLEAVE,	/* pages interleaved over all nodes */
};

struct pcpu_placement {
	enum pcpu_placement_kind kind;
	int node;		/* PCPU_PLACE_NODE only: a host node id */
};

/* A set of logical CPU ids. */
struct pcpu_cpuset {
	uint64_t bits[PCPU_NR_CPUS / 64];
};

static inline void pcpu_cpuset_set(struct pcpu_cpuset *s, unsigned cpu)
{
	s->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

static inline void pcpu_cpuset_clear(struct pcpu_cpuset *s, unsigned cpu)
{
	s->bits[cpu / 64] &= ~(1ULL << (cpu % 64));
}

static inline bool pcpu_cpuset_test(const struct pcpu_cpuset *s, unsigned cpu)
{
	return cpu < PCPU_NR_CPUS && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned pcpu_cpuset_count(const struct pcpu_cpuset *s);
/* Next set id >= from, or -1. */
int pcpu_cpuset_next(const struct pcpu_cpuset *s, int from);
#define pcpu_for_each_cpu(cpu, set)                                           \
	for ((cpu) = pcpu_cpuset_next((set), 0); (cpu) >= 0;                  \
	     (cpu) = pcpu_cpuset_next((set), (cpu) + 1))
/* Parse "0-3,8,100-103" (a cpulist) or "N" with count_form (ids 0..N-1). */
int pcpu_cpuset_parse(struct pcpu_cpuset *s, const char *str);
/* Write as a cpulist ("0-3,8"); returns -ENOSPC if it does not fit. */
int pcpu_cpuset_format(const struct pcpu_cpuset *s, char *buf, size_t len);

/* ---- topology ---------------------------------------------------------- */

struct pcpu_topo_pu {
	unsigned os_index;	/* PU id in the topology (sparse allowed) */
	int node;		/* NUMA node id in the topology */
};

struct pcpu_topo {
	char source[256];	/* "host", "synthetic:<desc>" or "xml:<path>" */
	bool is_host;		/* describes the machine we run on */
	unsigned nr_pus;
	struct pcpu_topo_pu *pus;	/* sorted by os_index */
	unsigned nr_nodes;
	int nodes[PCPU_MAX_NODES];	/* node ids present, ascending */
	/* The machine itself, whatever the topology describes: */
	unsigned nr_host_cpus;
	int *host_cpus;		/* CPUs this process may run on */
	int *host_cpu_node;	/* host node of each host_cpus[] entry */
	unsigned nr_host_nodes;
	int host_nodes[PCPU_MAX_NODES];	/* host nodes with memory */
};

/*
 * pcpu_topo_load() - read a topology.
 * @spec: NULL or "host" for this machine; "synthetic:<hwloc synthetic>"
 *        (e.g. "synthetic:pack:2 numa:1 core:2 pu:1"); "xml:<file>".
 * Return: 0; -EINVAL for a bad spec (message in @err); -ENOTSUP without
 * hwloc (only "host" then works, from sysfs); -ENOMEM.
 */
int pcpu_topo_load(struct pcpu_topo *t, const char *spec, char *err, size_t errlen);
void pcpu_topo_free(struct pcpu_topo *t);
/* Node of host CPU @cpu from sysfs, online or not; -ENOENT. */
int pcpu_topo_sysfs_cpu_node(unsigned cpu);

/* ---- runtime ------------------------------------------------------------ */

struct pcpu_mod_policy;

struct pcpu_config {
	enum pcpu_strategy_id strategy;
	/*
	 * Possible CPUs: a cpulist ("0-255", "0-3,64-67") or a count ("256").
	 * NULL: the topology's PU ids.
	 */
	const char *possible;
	/* Present CPUs: as above; NULL: all possible. */
	const char *present;
	/*
	 * CPUs online at start (the "boot" CPUs): cpulist or count (the first
	 * N present ids). NULL: all present, up to the host's CPU count.
	 */
	const char *online;
	/* Unit size; 0: the static section plus dyn_size, rounded up to a
	 * power of two (at least 64 KiB; 2 MiB for huge backings). */
	size_t unit_size;
	size_t dyn_size;	/* dynamic reserve per unit; 0: 64 KiB */
	enum pcpu_backing backing;
	struct pcpu_placement placement;
	const char *topology;	/* pcpu_topo_load() spec; NULL: host */
	/* Layout override; PCPU_L_DEFAULT: the strategy's own. The pair
	 * must be valid (pcpu_pair_invalid()). */
	enum pcpu_layout_id layout;
	struct pcpu_late_node late_node;	/* zero: roundrobin */
	/* Module sections (pcpu-modules.h); NULL: none. */
	const struct pcpu_mod_policy *modules;
};

/*
 * The parts of an online and of an offline, timed by the library
 * (CLOCK_MONOTONIC) for pcpu_cpu_online_cost() / pcpu_cpu_offline_cost().
 * A part the layout skips (alloc, place, copy for embed and page, release
 * for a kept unit) is exactly 0; the others include the clock reads.
 */
#define PCPU_ONLINE_PARTS(X)                                                  \
	X(ALLOC, "alloc", "unit memory mapped or committed, pages faulted in") \
	X(COPY, "copy", "template (static image + dynamic initial values) copied in") \
	X(PLACE, "place", "NUMA placement of the unit (mbind)")               \
	X(PUBLISH, "publish", "the accessor made to find the unit (table entry)")
#define PCPU_OFFLINE_PARTS(X)                                                 \
	X(QUIESCE, "quiesce", "the holder asked to leave and waited for")     \
	X(FOLD, "fold", "counters folded into the global sums and zeroed")    \
	X(UNPUBLISH, "unpublish", "the accessor's entry cleared")             \
	X(RELEASE, "release", "unit memory released (nothing for embed/page)")

enum pcpu_online_part {
#define PCPU_X_ENUM(id, name, desc) PCPU_ON_##id,
	PCPU_ONLINE_PARTS(PCPU_X_ENUM)
#undef PCPU_X_ENUM
	PCPU_NR_ONLINE_PARTS
};

enum pcpu_offline_part {
#define PCPU_X_ENUM(id, name, desc) PCPU_OFF_##id,
	PCPU_OFFLINE_PARTS(PCPU_X_ENUM)
#undef PCPU_X_ENUM
	PCPU_NR_OFFLINE_PARTS
};

struct pcpu_hp_cost {
	double online_ns[PCPU_NR_ONLINE_PARTS];
	double offline_ns[PCPU_NR_OFFLINE_PARTS];
};

struct pcpu_rt;

/*
 * pcpu_rt_init() - bring up a runtime for one strategy.
 *
 * Keeps the template (the static section's image), sets up the layout
 * (embed and page: every possible CPU's unit now, filled from the
 * template), and onlines the initial CPUs. One live runtime per strategy
 * at a time, as the kernel has one __per_cpu_offset[] and one %gs (the
 * hot accessors themselves take the runtime's access context,
 * pcpu_rt_acc_ctx(), and need no global).
 *
 * Context: process context; takes no locks a thread may hold.
 * Return: 0; -EINVAL bad config, an access x layout pair that does not
 * exist, a late node that is not in the topology (message in @err);
 * -EBUSY a runtime for that strategy is live; -ENOTSUP strategy
 * unavailable here, or not with that backing (tls and the page layout
 * have only 4k), or the units for every possible CPU that the layout
 * commits at init would take more than half of MemAvailable; -E2BIG unit
 * too large; -ENOMEM, including hugetlb requested with none reserved.
 * Nothing is left allocated on error.
 */
int pcpu_rt_init(struct pcpu_rt **out, const struct pcpu_config *cfg,
		 char *err, size_t errlen);
/* Offlines nothing, frees everything; no thread may still hold a CPU. */
void pcpu_rt_fini(struct pcpu_rt *rt);

enum pcpu_strategy_id pcpu_rt_strategy(const struct pcpu_rt *rt);
enum pcpu_access_id pcpu_rt_access(const struct pcpu_rt *rt);
enum pcpu_layout_id pcpu_rt_layout(const struct pcpu_rt *rt);
/* One line about where the units live (for list, info and meta). */
void pcpu_rt_describe(struct pcpu_rt *rt, char *buf, size_t len);
const struct pcpu_topo *pcpu_rt_topo(const struct pcpu_rt *rt);
size_t pcpu_rt_unit_size(const struct pcpu_rt *rt);
unsigned pcpu_rt_unit_shift(const struct pcpu_rt *rt);
const struct pcpu_cpuset *pcpu_rt_possible(const struct pcpu_rt *rt);
const struct pcpu_cpuset *pcpu_rt_present(const struct pcpu_rt *rt);
/* A snapshot of the online set. */
void pcpu_rt_online_set(struct pcpu_rt *rt, struct pcpu_cpuset *out);
bool pcpu_cpu_online_p(struct pcpu_rt *rt, unsigned cpu);
/* Host CPU a logical CPU's threads run on; host node its memory is for. */
int pcpu_cpu_host_cpu(const struct pcpu_rt *rt, unsigned cpu);
int pcpu_cpu_node(const struct pcpu_rt *rt, unsigned cpu);	/* topology node */
int pcpu_cpu_host_node(const struct pcpu_rt *rt, unsigned cpu);
/* Topology node init gave @cpu (its real node if present at init, else
 * per the late-node policy). */
int pcpu_cpu_init_node(const struct pcpu_rt *rt, unsigned cpu);
/* Host / topology node the layout placed @cpu's unit for; -ENOENT when the
 * CPU has no unit now. */
int pcpu_cpu_unit_host_node(const struct pcpu_rt *rt, unsigned cpu);
int pcpu_cpu_unit_node(const struct pcpu_rt *rt, unsigned cpu);
/* True when @cpu's unit outlives an offline (embed, page, hybrid's
 * embedded CPUs): a re-onlined CPU then finds its old values, as in the
 * kernel, except counters, which the offline folded and zeroed. */
bool pcpu_cpu_unit_kept(const struct pcpu_rt *rt, unsigned cpu);

/*
 * pcpu_cpu_hotadd() - a possible CPU that was absent at init arrives
 * (becomes present). Its real node is read now (host topology: sysfs);
 * a layout that placed its unit at init keeps it where init guessed.
 * Return: 0; -EINVAL not possible; -EEXIST already present.
 */
int pcpu_cpu_hotadd(struct pcpu_rt *rt, unsigned cpu);

/*
 * pcpu_cpu_online() - bring a present, offline CPU online as the layout
 * does: vm, hybrid (CPUs onlined later), thread: commit its unit on its
 * node now (per the placement) and copy the template and the dynamic
 * allocations' initial values; embed, page: nothing, the unit exists from
 * init (a re-onlined CPU finds its old values, counters zeroed). Then
 * publish the base.
 * Return: 0; -EINVAL not present; -EEXIST already online; -ENOMEM.
 */
int pcpu_cpu_online(struct pcpu_rt *rt, unsigned cpu);
/* The same, with the time of each part in @cost (online_ns[]). */
int pcpu_cpu_online_cost(struct pcpu_rt *rt, unsigned cpu, struct pcpu_hp_cost *cost);

/*
 * pcpu_cpu_offline() - take a CPU offline: refuse new holders, ask the
 * current holder to leave (it sees pcpu_thread_should_leave()) and wait for
 * it, fold the CPU's counters into the global sums (zeroing them in the
 * unit), unpublish, release the unit (embed, page: kept).
 * Return: 0; -EINVAL not online; -EDEADLK the caller holds that CPU.
 */
int pcpu_cpu_offline(struct pcpu_rt *rt, unsigned cpu);
/* The same, with the time of each part in @cost (offline_ns[]). */
int pcpu_cpu_offline_cost(struct pcpu_rt *rt, unsigned cpu, struct pcpu_hp_cost *cost);

/*
 * pcpu_thread_enter() - make the calling thread the holder of @cpu and
 * point its accessors at @cpu's unit (segment: GS base; tls: the unit is
 * loaded into the thread's block; others: the thread's CPU id). A thread
 * holding another CPU of this runtime leaves it first. Does not change the
 * thread's affinity (see pcpu_thread_bind()).
 * Return: 0; -ENODEV not online or going offline; -EBUSY held by another
 * thread.
 */
int pcpu_thread_enter(struct pcpu_rt *rt, unsigned cpu);
/* Leave the held CPU (tls: write the block back). No-op if none. */
void pcpu_thread_leave(struct pcpu_rt *rt);
/* True when an offline is waiting for this thread to leave. Cheap. */
bool pcpu_thread_should_leave(struct pcpu_rt *rt);
/* The CPU this thread holds in @rt, or -1. */
int pcpu_thread_cpu(const struct pcpu_rt *rt);
/* Pin the calling thread to the host CPU of logical @cpu. */
int pcpu_thread_bind(const struct pcpu_rt *rt, unsigned cpu);

/*
 * pcpu_alloc() - a per-CPU object of @size bytes aligned to @align (a power
 * of two up to the page size), in every CPU's unit. Every unit that exists
 * now (online CPUs'; embed, page: every possible CPU's, as alloc_percpu()
 * fills them) and every unit made later starts with @init (NULL: zeros).
 * @counter: the object is an array of uint64_t counters, folded on offline
 * and summed by pcpu_counter_sum().
 * Return: 0 and *off; -EINVAL; -ENOMEM the dynamic reserve is full.
 */
int pcpu_alloc(struct pcpu_rt *rt, size_t size, size_t align,
	       const void *init, bool counter, pcpu_off_t *off);
/* Free an object from pcpu_alloc(). Return: 0; -ENOENT unknown offset. */
int pcpu_free(struct pcpu_rt *rt, pcpu_off_t off);

/* Address of @cpu's copy of @off (cold path; NULL if @cpu is offline). */
void *pcpu_ptr(struct pcpu_rt *rt, unsigned cpu, pcpu_off_t off);

/*
 * pcpu_counter_sum() - the uint64_t counter at @off summed over online
 * CPUs plus what offlined CPUs folded in. Exact when no thread is
 * incrementing it at the time of the call.
 * Return: 0; -ENOENT @off is not a counter.
 */
int pcpu_counter_sum(struct pcpu_rt *rt, pcpu_off_t off, uint64_t *sum);
/* The folded part alone. */
int pcpu_counter_folded(struct pcpu_rt *rt, pcpu_off_t off, uint64_t *sum);

/* ---- memory accounting and placement ----------------------------------- */

struct pcpu_mem {
	unsigned nr_possible, nr_online;
	size_t unit_size;
	size_t reserved_bytes;		/* virtual: reservations and areas */
	size_t committed_bytes;		/* resident, measured (mincore) */
	size_t committed_online_bytes;	/* ... in online CPUs' units */
	size_t bookkeeping_bytes;	/* offset table, template, state */
	size_t all_possible_bytes;	/* units for every possible CPU */
	unsigned nr_units;		/* units that exist now: each holds a
					 * copy of every static variable and
					 * every pcpu_alloc() object */
};

int pcpu_mem_account(struct pcpu_rt *rt, struct pcpu_mem *m);

struct pcpu_backing_info {
	enum pcpu_backing requested;
	size_t rss_bytes;
	size_t thp_bytes;	/* AnonHugePages */
	size_t hugetlb_bytes;
	const char *obtained;	/* "4k", "thp", "thp-partial", "hugetlb", "none" */
};

/* What backs @cpu's unit, from /proc/self/smaps. */
int pcpu_cpu_backing(struct pcpu_rt *rt, unsigned cpu,
		     struct pcpu_backing_info *bi);

/*
 * pcpu_cpu_page_nodes() - the host node of each page of @cpu's unit
 * (move_pages() with no target nodes). @nodes gets one entry per 4 KiB
 * page, at most @max; entries are a node id or a negative errno
 * (-ENOENT: not resident).
 * Return: number of pages written; -EINVAL offline; -ENOTSUP no NUMA API.
 */
int pcpu_cpu_page_nodes(struct pcpu_rt *rt, unsigned cpu, int *nodes,
			size_t max);

/* HugePages_Free from /proc/meminfo: free 2 MiB pages, or -errno. */
long pcpu_hugetlb_free_pages(void);
/* MemAvailable from /proc/meminfo in bytes, or -errno. */
long pcpu_mem_available(void);

/* ---- names -------------------------------------------------------------- */

const char *pcpu_strategy_name(enum pcpu_strategy_id id);
const char *pcpu_strategy_desc(enum pcpu_strategy_id id);
/* Return: 0 and *id; -ENOENT unknown name. */
int pcpu_strategy_lookup(const char *name, enum pcpu_strategy_id *id);
/* NULL when available here; else why not ("needs x86-64", ...). */
const char *pcpu_strategy_unavailable(enum pcpu_strategy_id id);
enum pcpu_access_id pcpu_strategy_access(enum pcpu_strategy_id id);
enum pcpu_layout_id pcpu_strategy_layout(enum pcpu_strategy_id id);
const char *pcpu_access_name(enum pcpu_access_id a);
const char *pcpu_access_desc(enum pcpu_access_id a);
int pcpu_access_lookup(const char *name, enum pcpu_access_id *a);
/* NULL when the access method can run here; else why not. */
const char *pcpu_access_unavailable(enum pcpu_access_id a);
const char *pcpu_layout_name(enum pcpu_layout_id l);	/* 0: "default" */
const char *pcpu_layout_desc(enum pcpu_layout_id l);
int pcpu_layout_lookup(const char *name, enum pcpu_layout_id *l);
/* The layout a strategy runs over with @override (PCPU_L_DEFAULT: its own). */
enum pcpu_layout_id pcpu_strategy_layout_with(enum pcpu_strategy_id id,
					      enum pcpu_layout_id override);
/* NULL when @a over @l is a valid pair; else why not. */
const char *pcpu_pair_invalid(enum pcpu_access_id a, enum pcpu_layout_id l);
/* "roundrobin", "topology", "boot", "node:N". Return: 0; -EINVAL. */
int pcpu_late_node_parse(const char *s, struct pcpu_late_node *ln);
int pcpu_late_node_format(const struct pcpu_late_node *ln, char *buf, size_t len);
const char *pcpu_late_node_desc(enum pcpu_late_node_kind k);
const char *pcpu_online_part_name(enum pcpu_online_part p);
const char *pcpu_offline_part_name(enum pcpu_offline_part p);
const char *pcpu_backing_name(enum pcpu_backing b);
int pcpu_backing_lookup(const char *name, enum pcpu_backing *b);
/* "local", "interleave", "node:N" (or "N"). */
int pcpu_placement_parse(const char *s, struct pcpu_placement *p);
int pcpu_placement_format(const struct pcpu_placement *p, char *buf, size_t len);

/* ---- static per-CPU variables ------------------------------------------ */

extern char __start_pcpu_data[], __stop_pcpu_data[];

/*
 * DEFINE_PCPU(type, name) - a static per-CPU variable. The definition's
 * initialiser is every CPU's initial value. Use its copies only through
 * PCPU_OFF(name) and the accessors; the definition itself is the template
 * and is never written by the runtime.
 */
#define DEFINE_PCPU(type, name)                                               \
	__attribute__((section("pcpu_data"), used)) __typeof__(type) name

/* A static per-CPU uint64_t counter: folded on offline, summed exactly. */
#define DEFINE_PCPU_COUNTER(name)                                             \
	DEFINE_PCPU(uint64_t, name) __attribute__((aligned(8)));              \
	static const void *const pcpu_ctr_ref_##name                          \
		__attribute__((section("pcpu_counters"), used)) = &name

#define PCPU_OFF(name) ((pcpu_off_t)((char *)&(name) - __start_pcpu_data))

#endif /* PCPU_H */
