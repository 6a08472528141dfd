// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-mem.c - memory for units: backing (4 KiB, THP, hugetlb), NUMA
 * placement (mbind), reservation of address space, and the queries that
 * check what was really obtained: residency (mincore), backing
 * (/proc/self/smaps) and the node of every page (move_pages with no
 * target nodes). What was obtained is measured, never assumed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pcpu-internal.h"

#ifdef HAVE_NUMA
#include <numaif.h>
#endif

#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << 26)
#endif

static uintptr_t align_up(uintptr_t v, uintptr_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/**
 * pcpu_mem_place() - bind [addr, addr+len) per the runtime's placement.
 * @host_node: the node of the CPU the memory is for (local placement).
 * Must run before the memory is first touched.
 * Return: 0; -errno from mbind(); 0 without libnuma (nothing placed).
 */
int pcpu_mem_place(struct pcpu_rt *rt, void *addr, size_t len, int host_node)
{
#ifdef HAVE_NUMA
	unsigned long mask[PCPU_MAX_NODES / (8 * sizeof(unsigned long)) + 1];
	const struct pcpu_placement *p = &rt->cfg.placement;
	int mode = MPOL_BIND;
	unsigned i;

	memset(mask, 0, sizeof(mask));
	switch (p->kind) {
	case PCPU_PLACE_LOCAL:
		mask[host_node / 64] |= 1UL << (host_node % 64);
		break;
	case PCPU_PLACE_NODE:
		mask[p->node / 64] |= 1UL << (p->node % 64);
		break;
	case PCPU_PLACE_INTERLEAVE:
		mode = MPOL_INTERLEAVE;
		for (i = 0; i < rt->topo.nr_host_nodes; i++)
			mask[rt->topo.host_nodes[i] / 64] |=
				1UL << (rt->topo.host_nodes[i] % 64);
		break;
	}
	if (mbind(addr, len, mode, mask, PCPU_MAX_NODES + 1, 0))
		return -errno;
#endif
	return 0;
}

static int map_flags(const struct pcpu_rt *rt)
{
	int f = MAP_PRIVATE | MAP_ANONYMOUS;

	if (rt->cfg.backing == PCPU_BACKING_HUGETLB)
		f |= MAP_HUGETLB | MAP_HUGE_2MB;
	return f;
}

static void advise(const struct pcpu_rt *rt, void *addr, size_t len)
{
	if (rt->cfg.backing == PCPU_BACKING_THP)
		madvise(addr, len, MADV_HUGEPAGE);
	else if (rt->cfg.backing == PCPU_BACKING_4K)
		madvise(addr, len, MADV_NOHUGEPAGE);
}

/**
 * pcpu_mem_map() - a new mapping of @len bytes with the runtime's backing,
 * aligned to the huge page size for huge backings, placed for @host_node
 * (< 0: not placed; the caller places parts). Not touched: the caller
 * populates or writes it (that commits it).
 * Return: 0; -ENOMEM (hugetlb pool empty included); -errno from mbind().
 */
int pcpu_mem_map(struct pcpu_rt *rt, size_t len, int host_node,
		 void **map_addr, size_t *map_len, unsigned char **base)
{
	size_t extra = rt->cfg.backing == PCPU_BACKING_THP ? PCPU_HUGE_SIZE : 0;
	void *p;
	int ret;

	p = mmap(NULL, len + extra, PROT_READ | PROT_WRITE, map_flags(rt), -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	*map_addr = p;
	*map_len = len + extra;
	*base = (unsigned char *)align_up((uintptr_t)p, extra ? extra : PCPU_PAGE_SIZE);
	advise(rt, *base, len);
	ret = host_node < 0 ? 0 : pcpu_mem_place(rt, *base, len, host_node);
	if (ret) {
		munmap(p, len + extra);
		return ret;
	}
	return 0;
}

/**
 * pcpu_mem_reserve() - reserve address space: PROT_NONE, no swap
 * reservation, @align-aligned.
 * Return: 0; -ENOMEM.
 */
int pcpu_mem_reserve(size_t len, size_t align, void **map_addr,
		     size_t *map_len, unsigned char **base)
{
	void *p = mmap(NULL, len + align, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	*map_addr = p;
	*map_len = len + align;
	*base = (unsigned char *)align_up((uintptr_t)p, align);
	return 0;
}

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/**
 * pcpu_mem_populate() - fault in every page of [addr, addr+len) for
 * writing, as memory the kernel allocated outright would be
 * (MADV_POPULATE_WRITE; where the kernel lacks it, one write per page).
 * Return: 0; -ENOMEM (hugetlb pool ran out included).
 */
int pcpu_mem_populate(void *addr, size_t len)
{
	size_t i;

	if (!len)
		return 0;
	if (!madvise(addr, len, MADV_POPULATE_WRITE))
		return 0;
	if (errno != EINVAL)
		return -ENOMEM;
	for (i = 0; i < len; i += PCPU_PAGE_SIZE)
		((volatile unsigned char *)addr)[i] = 0;
	return 0;
}

/**
 * pcpu_mem_commit_fixed() - make [addr, addr+len) of a reservation usable
 * memory with the runtime's backing and placement, pages faulted in.
 * @cost: NULL, or where to add the time of the mapping and populating
 *        (online_ns[ALLOC]) and of the placement (online_ns[PLACE]).
 * Return: 0; -ENOMEM; -errno.
 */
int pcpu_mem_commit_fixed(struct pcpu_rt *rt, unsigned char *addr, size_t len,
			  int host_node, struct pcpu_hp_cost *cost)
{
	double t0 = pcpu_now_ns(), t1, t2;
	void *p = mmap(addr, len, PROT_READ | PROT_WRITE,
		       map_flags(rt) | MAP_FIXED, -1, 0);
	int ret;

	if (p == MAP_FAILED)
		return -errno;
	advise(rt, addr, len);
	t1 = pcpu_now_ns();
	ret = pcpu_mem_place(rt, addr, len, host_node);
	t2 = pcpu_now_ns();
	if (!ret)
		ret = pcpu_mem_populate(addr, len);
	if (cost) {
		cost->online_ns[PCPU_ON_ALLOC] += (t1 - t0) + (pcpu_now_ns() - t2);
		cost->online_ns[PCPU_ON_PLACE] += t2 - t1;
	}
	if (ret)
		pcpu_mem_decommit_fixed(addr, len);
	return ret;
}

/**
 * pcpu_mem_decommit_fixed() - return [addr, addr+len) to a PROT_NONE
 * reservation; its pages are freed.
 * Return: 0; -errno.
 */
int pcpu_mem_decommit_fixed(unsigned char *addr, size_t len)
{
	void *p = mmap(addr, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		       -1, 0);

	return p == MAP_FAILED ? -errno : 0;
}

/* Resident bytes of [addr, addr+len), by mincore(). */
size_t pcpu_mem_resident(const void *addr, size_t len)
{
	uintptr_t start = (uintptr_t)addr & ~(PCPU_PAGE_SIZE - 1);
	size_t pages, i, n = 0;
	unsigned char *vec;

	if (!len)
		return 0;
	pages = (align_up((uintptr_t)addr + len, PCPU_PAGE_SIZE) - start) /
		PCPU_PAGE_SIZE;
	vec = malloc(pages);
	if (!vec)
		return 0;
	if (!mincore((void *)start, pages * PCPU_PAGE_SIZE, vec))
		for (i = 0; i < pages; i++)
			n += vec[i] & 1;
	free(vec);
	return n * PCPU_PAGE_SIZE;
}

/* The number after "@key:" in /proc/meminfo, or -errno. */
static long meminfo_value(const char *key)
{
	size_t kl = strlen(key);
	char line[256];
	long v = -ENOENT;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':' &&
		    sscanf(line + kl + 1, "%ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* MemAvailable from /proc/meminfo in bytes, or -errno. */
long pcpu_mem_available(void)
{
	long kb = meminfo_value("MemAvailable");

	return kb < 0 ? kb : kb * 1024;
}

/* HugePages_Free from /proc/meminfo, or -errno. */
long pcpu_hugetlb_free_pages(void)
{
	return meminfo_value("HugePages_Free");
}

/**
 * pcpu_cpu_backing() - what backs @cpu's unit, read from /proc/self/smaps:
 * resident, AnonHugePages and hugetlb bytes of the mappings overlapping
 * the unit.
 * Return: 0; -EINVAL @cpu offline; -errno reading smaps.
 */
int pcpu_cpu_backing(struct pcpu_rt *rt, unsigned cpu,
		     struct pcpu_backing_info *bi)
{
	uintptr_t lo, hi, ulo, uhi;
	double share = 0;
	char line[512];
	bool in = false;
	size_t kb;
	FILE *f;

	memset(bi, 0, sizeof(*bi));
	bi->requested = rt->cfg.backing;
	if (cpu >= PCPU_NR_CPUS || atomic_load(&rt->cpus[cpu].state) != CPU_ONLINE)
		return -EINVAL;
	ulo = (uintptr_t)rt->cpus[cpu].base;
	uhi = ulo + rt->unit_size;
	f = fopen("/proc/self/smaps", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] != ' ' && sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in = lo < uhi && hi > ulo;
			/*
			 * A mapping shared by several units (the embedded
			 * block) is counted in proportion to the overlap:
			 * smaps gives huge pages per mapping, not per page.
			 */
			if (in)
				share = (double)((hi < uhi ? hi : uhi) - (lo > ulo ? lo : ulo)) /
					(double)(hi - lo);
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, "Rss: %zu kB", &kb) == 1)
			bi->rss_bytes += (size_t)(kb * 1024 * share);
		else if (sscanf(line, "AnonHugePages: %zu kB", &kb) == 1)
			bi->thp_bytes += (size_t)(kb * 1024 * share);
		else if (sscanf(line, "Private_Hugetlb: %zu kB", &kb) == 1 ||
			 sscanf(line, "Shared_Hugetlb: %zu kB", &kb) == 1)
			bi->hugetlb_bytes += (size_t)(kb * 1024 * share);
	}
	fclose(f);
	if (bi->hugetlb_bytes)
		bi->obtained = "hugetlb";
	else if (bi->thp_bytes && bi->thp_bytes >= bi->rss_bytes)
		bi->obtained = "thp";
	else if (bi->thp_bytes)
		bi->obtained = "thp-partial";
	else if (bi->rss_bytes)
		bi->obtained = "4k";
	else
		bi->obtained = "none";
	return 0;
}

/**
 * pcpu_cpu_page_nodes() - the node of each 4 KiB page of @cpu's unit, by
 * move_pages(2) with no target nodes (a query; nothing moves).
 * Return: pages written; -EINVAL offline; -ENOTSUP without libnuma;
 * -errno from move_pages().
 */
int pcpu_cpu_page_nodes(struct pcpu_rt *rt, unsigned cpu, int *nodes,
			size_t max)
{
#ifdef HAVE_NUMA
	size_t n = rt->unit_size / PCPU_PAGE_SIZE, i;
	void **pages;
	long ret;

	if (cpu >= PCPU_NR_CPUS || atomic_load(&rt->cpus[cpu].state) != CPU_ONLINE)
		return -EINVAL;
	if (n > max)
		n = max;
	pages = malloc(n * sizeof(*pages));
	if (!pages)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		pages[i] = rt->cpus[cpu].base + i * PCPU_PAGE_SIZE;
	ret = move_pages(0, (unsigned long)n, pages, NULL, nodes, 0);
	free(pages);
	if (ret < 0)
		return -errno;
	return (int)n;
#else
	return -ENOTSUP;
#endif
}
