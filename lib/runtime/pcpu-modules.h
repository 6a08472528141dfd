/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-modules.h - modules' per-CPU sections in the runtime.
 *
 * A "module" is a per-CPU section of S bytes with its own template (the
 * initial image of its DEFINE_PER_CPU variables), loaded and unloaded at
 * run time, as the kernel's module loader does with a module's
 * .data..percpu section (percpu_modalloc(), percpu_modcopy()). Where its
 * copies live is the runtime's module policy (struct pcpu_config.modules):
 *
 *   reserve:K  today's kernel: a region of K bytes in every unit, right
 *              after the static section, fixed at init (the boot line's
 *              "r8192"; PERCPU_MODULE_RESERVE); first fit, 4-byte
 *              granules, alignment of the unit offset; a section that does
 *              not fit is refused with -ENOSPC ("Could not allocate N
 *              bytes percpu data");
 *   slack      Rostedt 2006: only the free space page-aligning the static
 *              section leaves in each unit, then -ENOSPC;
 *   vm         Rostedt/Lameter: a dedicated VM area that mirrors the units
 *              (CPU c's copy of a module variable is at c's unit + one
 *              constant displacement, "separated per cpu the same as the
 *              BTPCV"), each section committed on load on each CPU's node
 *              and filled from its template, for every possible CPU
 *              (vm:possible, as alloc_percpu() does) or only online ones
 *              (vm:online, the default); a CPU onlined later gets copies of
 *              every loaded section, an offlined one loses them.
 *
 * A loaded section is named by a pcpu_off_t like any per-CPU object: the
 * displacement from a CPU's unit base. The hot accessors of every access
 * method reach it unchanged (pcpu_mod_access_needs() says what each pair
 * needs). The allocator (struct pcpu_mod_area) is also usable alone, to
 * replay the kernel's reserve with the kernel's geometry.
 *
 * Every function returns 0 or a negative errno; none prints or exits.
 */
#ifndef PCPU_MODULES_H
#define PCPU_MODULES_H

#include <stdbool.h>
#include <stddef.h>

#include "pcpu.h"

/* The kernel's PERCPU_MODULE_RESERVE (include/linux/percpu.h): 8 KiB. */
#define PCPU_MOD_RESERVE_DEFAULT 8192
/* The kernel's PCPU_MIN_ALLOC_SIZE: allocation granule and least align. */
#define PCPU_MOD_GRANULE 4

#define PCPU_MOD_POLICIES(X)                                                  \
	X(RESERVE, "reserve",                                                 \
	  "today's kernel: K bytes per unit after the static section, fixed at init (reserve:K, default 8192), first fit, refused when full") \
	X(SLACK, "slack",                                                     \
	  "Rostedt 2006: the free space page-aligning the static section leaves in each unit, then refused") \
	X(VM, "vm",                                                           \
	  "Rostedt/Lameter: a dedicated VM area mirroring the units, each section committed on load per CPU (vm:online, default, or vm:possible) on its node, filled from its template")

enum pcpu_mod_kind {
	PCPU_MOD_NONE = 0,	/* no module policy: loads are refused */
#define PCPU_X_ENUM(id, name, desc) PCPU_MOD_##id,
	PCPU_MOD_POLICIES(PCPU_X_ENUM)
#undef PCPU_X_ENUM
	PCPU_NR_MOD_KINDS
};

struct pcpu_mod_policy {
	enum pcpu_mod_kind kind;
	size_t reserve;		/* reserve:K: K bytes per unit */
	bool possible;		/* vm: commit for every possible CPU */
};

/*
 * "reserve" (K = 8192), "reserve:K" (bytes, or with a k/K suffix),
 * "slack", "vm", "vm:online", "vm:possible".
 * Return: 0; -EINVAL (K not a number, larger than 256 MiB, not a
 * multiple of 4; unknown name).
 */
int pcpu_mod_policy_parse(const char *s, struct pcpu_mod_policy *p);
int pcpu_mod_policy_format(const struct pcpu_mod_policy *p, char *buf, size_t len);
const char *pcpu_mod_kind_desc(enum pcpu_mod_kind k);

/* ---- the allocator: first fit over one region, kernel granules --------- */

struct pcpu_mod_blk;

struct pcpu_mod_area {
	size_t start;		/* unit offset of the region (alignment) */
	size_t size;		/* bytes in the region */
	size_t used;		/* bytes allocated (rounded to granules) */
	unsigned nr;		/* sections allocated */
	struct pcpu_mod_blk *blks;	/* sorted by offset */
};

/* An empty region [start, start + size) of unit offsets. */
void pcpu_mod_area_init(struct pcpu_mod_area *a, size_t start, size_t size);
void pcpu_mod_area_fini(struct pcpu_mod_area *a);
/*
 * pcpu_mod_area_alloc() - first fit of @size bytes (rounded up to 4) at a
 * unit offset aligned to @align (at least 4), as pcpu_alloc() with
 * reserved=true does.
 * Return: 0 and *off (a unit offset); -EINVAL size 0, align not a power of
 * two or above the page size; -ENOSPC it does not fit; -ENOMEM.
 */
int pcpu_mod_area_alloc(struct pcpu_mod_area *a, size_t size, size_t align,
			size_t *off);
/* Return: 0; -EINVAL @off was never allocated (or freed already). */
int pcpu_mod_area_free(struct pcpu_mod_area *a, size_t off);
/* Largest section of alignment @align that would fit now. */
size_t pcpu_mod_area_largest(const struct pcpu_mod_area *a, size_t align);

/* ---- module sections of a runtime ---------------------------------------- */

struct pcpu_mod_mem {
	size_t region_bytes;	/* per CPU: K, the slack, or the VM area */
	size_t used_bytes;	/* per CPU: sections loaded (granules) */
	size_t largest_free;	/* per CPU: largest section fitting (align 4) */
	unsigned nr_loaded;
	unsigned nr_copies;	/* CPUs that hold a copy of the sections */
	size_t reserved_bytes;	/* address space for module copies: the
				 * region in every unit that exists (reserve,
				 * slack), the VM area (vm) */
	size_t committed_bytes;	/* resident, measured (mincore): the region's
				 * pages in every unit (reserve, slack: they are
				 * committed with the unit, loaded or not), the
				 * committed copies (vm) */
	size_t committed_online_bytes;	/* ... of online CPUs */
};

/*
 * pcpu_mod_load() - load a module's per-CPU section of @size bytes aligned
 * to @align (a power of two up to the page size; the kernel's loader uses
 * the section's sh_addralign), every copy filled from @init (NULL: zeros).
 * Copies exist for every unit that exists (reserve, slack; a CPU onlined
 * later gets one with its unit) or for the CPUs of the vm policy.
 * Context: takes the runtime's lock.
 * Return: 0 and *off (the displacement from any CPU's unit base);
 * -EINVAL bad size (0, larger than the unit) or align; -ENOTSUP the
 * runtime has no module policy; -ENOSPC it does not fit (the kernel's
 * "Could not allocate N bytes percpu data"); -EBUSY tls with a holder;
 * -ENOMEM committing the copies failed (nothing is left loaded).
 */
int pcpu_mod_load(struct pcpu_rt *rt, size_t size, size_t align,
		  const void *init, pcpu_off_t *off);
/*
 * pcpu_mod_unload() - free a loaded section; its space can be reused, its
 * VM area pages no other section uses are released.
 * Return: 0; -EINVAL @off is not a loaded section.
 */
int pcpu_mod_unload(struct pcpu_rt *rt, pcpu_off_t off);
/* Address of @cpu's copy of the section byte at @off, NULL if none. */
void *pcpu_mod_ptr(struct pcpu_rt *rt, unsigned cpu, pcpu_off_t off);
/* Host / topology node @cpu's module copies were placed for; -ENOENT none
 * (vm only: reserve and slack copies are in the unit, see
 * pcpu_cpu_unit_host_node()). */
int pcpu_mod_copy_host_node(struct pcpu_rt *rt, unsigned cpu);
int pcpu_mod_copy_node(struct pcpu_rt *rt, unsigned cpu);
/* Largest section of alignment @align that would load now. */
size_t pcpu_mod_largest(struct pcpu_rt *rt, size_t align);
int pcpu_mod_account(struct pcpu_rt *rt, struct pcpu_mod_mem *m);
/*
 * What reaching a module variable needs under @p with access method @a
 * over layout @l, against a boot variable: one line, for list, meta and
 * the report.
 */
const char *pcpu_mod_access_needs(enum pcpu_access_id a, enum pcpu_layout_id l,
				  enum pcpu_mod_kind k);

#endif /* PCPU_MODULES_H */
