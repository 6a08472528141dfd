/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-kfacts.h - the running kernel's per-CPU layout, from what it says
 * at boot, with no module: a pure parser over text the caller has read.
 *
 * The kernel prints its first-chunk layout once, early in boot
 * (mm/percpu.c, arch/x86/kernel/setup_percpu.c):
 *
 *   setup_percpu: NR_CPUS:256 nr_cpumask_bits:2 nr_cpu_ids:2 nr_node_ids:1
 *   percpu: Embedded 57 pages/cpu s202200 r0 d31272 u1048576
 *   pcpu-alloc: s202200 r0 d31272 u1048576 alloc=1*2097152
 *   pcpu-alloc: [0] 0 1
 *
 * and, with percpu_alloc=page (or when embedding failed and the kernel
 * fell back):  percpu: 58 4K pages/cpu s217088 r8192 d12288
 *
 * s = static size (the kernel image's per-CPU section), r = reserved
 * (the module reserve: static per-CPU variables of modules loaded later
 * come from it), d = dynamic reserve, u = unit size (one unit per
 * possible CPU), alloc=N*A = allocation size in atoms of A bytes. The
 * "[g] cpu cpu" lines list the units of each group (one group per NUMA
 * node on a NUMA kernel); "--" is an empty unit. Older kernels said
 * "PERCPU:" and added the base address ("@ffff88085f800000" or
 * "@(____ptrval____)"); 2.6.30/31 had "Remapped at ... with large pages"
 * and "Allocated N 4k pages, static data S bytes". The parser accepts all
 * of these and any line prefix in front of the message (dmesg's
 * "[    0.072053] ", /dev/kmsg's "6,123,72053,-;", syslog's "<6>",
 * journal or syslog "host kernel: ").
 *
 * Every fact has a "known" bit: a field not seen stays unknown, never 0.
 * Nothing here reads a file, prints or exits; the reading of /dev/kmsg,
 * dmesg, /proc and /sys belongs to the caller.
 */
#ifndef PCPU_KFACTS_H
#define PCPU_KFACTS_H

#include <stdbool.h>
#include <stddef.h>

/* First-chunk allocator, as the boot line names it. */
enum pcpu_kf_alloc {
	PCPU_KF_ALLOC_UNKNOWN = 0,
	PCPU_KF_ALLOC_EMBED,	/* "Embedded N pages/cpu": pcpu_embed_first_chunk() */
	PCPU_KF_ALLOC_PAGE,	/* "N 4K pages/cpu": pcpu_page_first_chunk() */
	PCPU_KF_ALLOC_REMAP,	/* "Remapped at ... with large pages" (2.6.30/31 lpage) */
	PCPU_KF_NR_ALLOCS
};

/*
 * The numeric facts: X(ENUM, member, unit, what). One list for the
 * struct members, the known bits and the names used in result rows.
 */
#define PCPU_KF_FIELDS(X)						\
	X(PAGES_PER_CPU, pages_per_cpu, "pages",			\
	  "pages per CPU of the first chunk (boot line)")		\
	X(PAGE_SIZE, page_size, "bytes",				\
	  "page size the page allocator mapped units with (\"4K\")")	\
	X(STATIC, static_size, "bytes",					\
	  "static per-CPU data of the kernel image (s)")		\
	X(RESERVED, reserved_size, "bytes",				\
	  "module reserve (r): modules' static per-CPU data")		\
	X(DYNAMIC, dynamic_size, "bytes",				\
	  "dynamic reserve in the first chunk (d)")			\
	X(UNIT, unit_size, "bytes", "unit size, one per possible CPU (u)") \
	X(ATOM, atom_size, "bytes", "allocation atom (alloc=N*atom)")	\
	X(ALLOC_SIZE, alloc_size, "bytes", "allocation size (N*atom)")	\
	X(NR_CPUS, nr_cpus, "cpus", "NR_CPUS the kernel was built with") \
	X(NR_CPUMASK_BITS, nr_cpumask_bits, "cpus", "nr_cpumask_bits") \
	X(NR_CPU_IDS, nr_cpu_ids, "cpus", "nr_cpu_ids: highest possible CPU + 1") \
	X(NR_NODE_IDS, nr_node_ids, "nodes", "nr_node_ids")		\
	X(NR_GROUPS, nr_groups, "groups", "groups of the first chunk")	\
	X(NR_UNITS, nr_units, "units", "units listed, empty ones included") \
	X(NR_EMPTY_UNITS, nr_empty_units, "units", "units with no CPU (\"--\")") \
	X(MEMINFO_PERCPU, meminfo_percpu, "bytes",			\
	  "/proc/meminfo Percpu: all chunks' populated pages now")

enum pcpu_kf_field {
#define PCPU_KF_ENUM(E, m, u, w) PCPU_KF_##E,
	PCPU_KF_FIELDS(PCPU_KF_ENUM)
#undef PCPU_KF_ENUM
	PCPU_KF_NR_FIELDS,
	/* known bits that are not numbers */
	PCPU_KF_ALLOCATOR = PCPU_KF_NR_FIELDS,	/* allocator, alloc_word */
	PCPU_KF_UNITS,		/* units[] (the "[g] cpu ..." lines) */
	PCPU_KF_FALLBACK,	/* fallback, fallback_err */
	PCPU_KF_CMDLINE_ALLOC,	/* cmdline_alloc: percpu_alloc= */
	PCPU_KF_NR_KNOWN
};

/* At most this many units are kept (possible CPUs, holes included). */
#define PCPU_KF_MAX_UNITS 4096

struct pcpu_kf_unit {
	int group;
	int cpu;		/* -1: an empty unit ("--") */
};

struct pcpu_kfacts {
	unsigned long long known;	/* bit (1ULL << PCPU_KF_x) */
#define PCPU_KF_MEMBER(E, m, u, w) unsigned long long m;
	PCPU_KF_FIELDS(PCPU_KF_MEMBER)
#undef PCPU_KF_MEMBER
	enum pcpu_kf_alloc allocator;
	char alloc_word[16];	/* the line's word: "Embedded", "4K", "Remapped" */
	/* "setup_percpu: auto allocator failed (-22), falling back ..." */
	bool fallback;
	int fallback_err;	/* the -errno in the line, 0 when none */
	char cmdline_alloc[16];	/* percpu_alloc= on the command line */
	int nr_units_kept;	/* units[] entries (<= PCPU_KF_MAX_UNITS) */
	bool units_truncated;	/* more units listed than kept */

	/* About the text itself. */
	int lines;		/* complete lines seen */
	int percpu_lines;	/* lines that carried a per-CPU message */
	int malformed;		/* per-CPU lines that did not parse */
	int inconsistent;	/* facts two lines disagree on (first kept) */
	int truncated;		/* a final line without newline (ignored) */
	int boots;		/* boot sequences seen (the last one is kept) */
	/*
	 * Whether the text starts where the boot did, so that a caller can
	 * say "rotated out of the ring buffer" when it is known, not guess:
	 * the /dev/kmsg sequence number of the first record (0 = the first
	 * message since boot; -1 = not kmsg text) and whether the boot
	 * banner ("Linux version ...") is in the text.
	 */
	long long first_seq;
	bool banner_seen;
	char note[160];		/* the first malformed or inconsistent line, why */

	/* Last: pcpu_kfacts_init() clears everything before it. */
	struct pcpu_kf_unit units[PCPU_KF_MAX_UNITS];
};

/* "embed", "page", "remap", "unknown" */
const char *pcpu_kfacts_alloc_name(enum pcpu_kf_alloc a);
/* "pages_per_cpu", "static_size", ...; NULL for a bad field. */
const char *pcpu_kfacts_field_name(enum pcpu_kf_field f);
/* "bytes", "cpus", ...; NULL for a bad field. */
const char *pcpu_kfacts_field_unit(enum pcpu_kf_field f);
/* One line saying what the field is; NULL for a bad field. */
const char *pcpu_kfacts_field_what(enum pcpu_kf_field f);

/* Start empty: nothing known. */
void pcpu_kfacts_init(struct pcpu_kfacts *kf);

static inline bool pcpu_kfacts_known(const struct pcpu_kfacts *kf, int bit)
{
	return bit >= 0 && bit < PCPU_KF_NR_KNOWN && (kf->known >> bit) & 1;
}

/**
 * pcpu_kfacts_get() - a numeric fact.
 * @kf: parsed facts.
 * @f: which.
 * @val: set when known.
 *
 * Return: 0; -ENODATA not known; -EINVAL bad @f or NULL.
 */
int pcpu_kfacts_get(const struct pcpu_kfacts *kf, enum pcpu_kf_field f,
		    unsigned long long *val);

/**
 * pcpu_kfacts_parse_log() - add what kernel log text says to @kf.
 * @kf: initialised with pcpu_kfacts_init(); parsing adds to it.
 * @buf: dmesg output, /dev/kmsg records, a syslog or journal excerpt.
 * @len: bytes in @buf (no NUL needed).
 *
 * Lines end with '\n'; a final line without one is treated as cut off
 * by the reader and ignored (counted in @kf->truncated). A per-CPU line
 * that does not parse is counted in @kf->malformed and leaves its facts
 * unknown; when two lines disagree the first value is kept and the
 * conflict counted. A second boot's lines in the same text replace the
 * first's (the last boot is the running one).
 *
 * Context: pure; no I/O, no allocation.
 * Return: 0 when at least one per-CPU fact was found; -ENOENT no per-CPU
 * line at all (the caller says why: rotated out, restricted, ...);
 * -EBADMSG per-CPU lines found but none parsed; -EINVAL NULL argument.
 */
int pcpu_kfacts_parse_log(struct pcpu_kfacts *kf, const char *buf, size_t len);

/**
 * pcpu_kfacts_parse_meminfo() - the "Percpu:" line of /proc/meminfo text.
 * Return: 0; -ENOENT no such line (kernels before 4.16); -EBADMSG it does
 * not parse; -EINVAL NULL.
 */
int pcpu_kfacts_parse_meminfo(struct pcpu_kfacts *kf, const char *buf,
			      size_t len);

/**
 * pcpu_kfacts_parse_cmdline() - percpu_alloc= in /proc/cmdline text (the
 * last one wins, as for the kernel's early_param).
 * Return: 0 found; -ENOENT absent; -EBADMSG empty or too long value;
 * -EINVAL NULL.
 */
int pcpu_kfacts_parse_cmdline(struct pcpu_kfacts *kf, const char *buf,
			      size_t len);

/**
 * pcpu_kfacts_group_of() - the group whose unit holds @cpu.
 * Return: group >= 0; -ENOENT @cpu in no unit or units unknown; -EINVAL.
 */
int pcpu_kfacts_group_of(const struct pcpu_kfacts *kf, int cpu);

#endif /* PCPU_KFACTS_H */
