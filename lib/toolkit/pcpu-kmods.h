/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-kmods.h - kernel modules' per-CPU sections, read from the files.
 *
 * A module's static per-CPU data is its .data..percpu section; the
 * module loader allocates sh_size bytes aligned to sh_addralign from the
 * kernel's module reserve (percpu_modalloc()). Neither /proc/modules nor
 * /sys/module/<m>/sections gives that size (the latter only the address,
 * to root), so the size is read from the module's ELF section headers:
 * of a .ko file, or of the running kernel's modules as modules.dep under
 * /lib/modules/<release> finds them.
 *
 * Returns 0 or -errno; never prints, never exits.
 */
#ifndef PCPU_KMODS_H
#define PCPU_KMODS_H

#include <stddef.h>

/*
 * pcpu_kmods_ko_percpu() - size and alignment of the .data..percpu section of
 * the ELF64 little-endian object @path (0 and 1 when it has none).
 * Return: 0; -ENOEXEC not an ELF64 little-endian object, or its section
 * headers are out of bounds; -errno reading it.
 */
int pcpu_kmods_ko_percpu(const char *path, size_t *size, size_t *align);

struct pcpu_kmods_loaded {
	unsigned nr_loaded;	/* lines of /proc/modules */
	unsigned nr_read;	/* of those, sections read from a .ko */
	unsigned nr_percpu;	/* of those, with a .data..percpu section */
	unsigned nr_unread;	/* not found, compressed, or unreadable */
	size_t sum_bytes;	/* sum of the sections read */
	size_t largest;
	char largest_name[64];
	char why_unread[160];	/* the first module not read, and why */
};

/*
 * pcpu_kmods_loaded() - the per-CPU sections of the modules loaded now.
 * @root: "" for the machine; a directory prefix for tests (it holds
 *        proc/modules and lib/modules/<release>/modules.dep and the .ko).
 * @release: the running kernel's release (uname -r).
 * Return: 0 (some may be unread: nr_unread, why_unread); -ENOSYS no
 * /proc/modules (a kernel without module support); -ENOENT no
 * modules.dep for @release (message in @why); -errno.
 */
int pcpu_kmods_loaded(const char *root, const char *release,
		      struct pcpu_kmods_loaded *l, char *why, size_t whylen);

#endif
