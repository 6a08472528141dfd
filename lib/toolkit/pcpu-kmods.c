// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-kmods.c - kernel modules' per-CPU sections from their ELF section
 * headers (pcpu-kmods.h). A small reader: the ELF header, the section
 * header table and the section name string table, bounds-checked; no
 * library.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcpu-kmods.h"

static uint64_t le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* The whole file, at most 1 GiB. */
static int slurp(const char *path, unsigned char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, n = 0, r;
	unsigned char *b = NULL, *nb;
	int ret = 0;

	if (!f)
		return -errno;
	for (;;) {
		nb = realloc(b, cap);
		if (!nb) {
			ret = -ENOMEM;
			break;
		}
		b = nb;
		r = fread(b + n, 1, cap - n, f);
		n += r;
		if (n < cap) {
			if (ferror(f))
				ret = -EIO;
			break;
		}
		if (cap >= (1UL << 30)) {
			ret = -EFBIG;
			break;
		}
		cap *= 2;
	}
	fclose(f);
	if (ret) {
		free(b);
		return ret;
	}
	*buf = b;
	*len = n;
	return 0;
}

/**
 * pcpu_kmods_ko_percpu() - see pcpu-kmods.h.
 */
int pcpu_kmods_ko_percpu(const char *path, size_t *size, size_t *align)
{
	static const char want[] = ".data..percpu";
	unsigned char *b = NULL;
	size_t len = 0, i;
	uint64_t shoff, stroff, strsize;
	unsigned shentsize, shnum, shstrndx;
	int ret;

	*size = 0;
	*align = 1;
	ret = slurp(path, &b, &len);
	if (ret)
		return ret;
	ret = -ENOEXEC;
	if (len < 64 || memcmp(b, "\177ELF", 4) || b[4] != 2 || b[5] != 1)
		goto out;
	shoff = le(b + 0x28, 8);
	shentsize = (unsigned)le(b + 0x3a, 2);
	shnum = (unsigned)le(b + 0x3c, 2);
	shstrndx = (unsigned)le(b + 0x3e, 2);
	if (shentsize != 64 || shoff > len || (uint64_t)shnum * 64 > len - shoff ||
	    shstrndx >= shnum)
		goto out;
	stroff = le(b + shoff + shstrndx * 64 + 0x18, 8);
	strsize = le(b + shoff + shstrndx * 64 + 0x20, 8);
	if (stroff > len || strsize > len - stroff)
		goto out;
	ret = 0;
	for (i = 0; i < shnum; i++) {
		const unsigned char *sh = b + shoff + i * 64;
		uint64_t name = le(sh, 4);

		if (name + sizeof(want) > strsize ||
		    memcmp(b + stroff + name, want, sizeof(want)))
			continue;
		*size = (size_t)le(sh + 0x20, 8);
		*align = (size_t)le(sh + 0x30, 8);
		if (!*align)
			*align = 1;
		break;
	}
out:
	free(b);
	return ret;
}

/* "kvm-amd" and "kvm_amd" name the same module. */
static void norm(char *s)
{
	for (; *s; s++)
		if (*s == '-')
			*s = '_';
}

/* The path modules.dep gives @name (normalised), relative to its dir. */
static int dep_path(FILE *dep, const char *name, char *out, size_t outlen)
{
	char line[4096];

	rewind(dep);
	while (fgets(line, sizeof(line), dep)) {
		char *colon = strchr(line, ':'), *base, *dot, stem[256];

		if (!colon)
			continue;
		*colon = '\0';
		base = strrchr(line, '/');
		base = base ? base + 1 : line;
		snprintf(stem, sizeof(stem), "%.255s", base);
		dot = strstr(stem, ".ko");
		if (!dot)
			continue;
		*dot = '\0';
		norm(stem);
		if (!strcmp(stem, name)) {
			snprintf(out, outlen, "%.2000s", line);
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * pcpu_kmods_loaded() - see pcpu-kmods.h.
 */
int pcpu_kmods_loaded(const char *root, const char *release,
		      struct pcpu_kmods_loaded *l, char *why, size_t whylen)
{
	char path[8192], dir[2048], rel[2048], line[1024];
	FILE *mods, *dep;

	memset(l, 0, sizeof(*l));
	snprintf(path, sizeof(path), "%.2000s/proc/modules", root);
	mods = fopen(path, "r");
	if (!mods) {
		snprintf(why, whylen, "no /proc/modules: the running kernel has no "
			 "module support (CONFIG_MODULES=n)");
		return -ENOSYS;
	}
	snprintf(dir, sizeof(dir), "%.1000s/lib/modules/%.500s", root, release);
	snprintf(path, sizeof(path), "%s/modules.dep", dir);
	dep = fopen(path, "r");
	if (!dep) {
		int e = errno;

		fclose(mods);
		snprintf(why, whylen, "cannot read /lib/modules/%.40s/modules.dep: %s "
			 "(the running kernel's modules are not on disk here)",
			 release, strerror(e));
		return -ENOENT;
	}
	while (fgets(line, sizeof(line), mods)) {
		char name[256], reason[96] = "";
		size_t size, align;
		int r;

		if (sscanf(line, "%255s", name) != 1)
			continue;
		l->nr_loaded++;
		norm(name);
		if (dep_path(dep, name, rel, sizeof(rel))) {
			snprintf(reason, sizeof(reason), "not in modules.dep");
		} else if (!strstr(rel, ".ko") || strstr(rel, ".ko")[3]) {
			snprintf(reason, sizeof(reason), "compressed (%.40s)",
				 strstr(rel, ".ko") ? strstr(rel, ".ko") : rel);
		} else {
			snprintf(path, sizeof(path), "%s/%s", dir, rel);
			r = pcpu_kmods_ko_percpu(path, &size, &align);
			if (r) {
				snprintf(reason, sizeof(reason), "%s", strerror(-r));
			} else {
				l->nr_read++;
				l->sum_bytes += size;
				if (size)
					l->nr_percpu++;
				if (size > l->largest) {
					l->largest = size;
					snprintf(l->largest_name, sizeof(l->largest_name),
						 "%.63s", name);
				}
			}
		}
		if (reason[0]) {
			if (!l->nr_unread++)
				snprintf(l->why_unread, sizeof(l->why_unread),
					 "%.60s: %.95s", name, reason);
		}
	}
	fclose(dep);
	fclose(mods);
	return 0;
}
