// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-tlb.c - TLB characterisation: buffers whose page size is read back
 * from smaps, and the pointer chase and its control. The step detector is
 * in pcpu-tlb-detect.c, the calibration in pcpu-tlbcal.c.
 *
 * The per-CPU runtime is not needed here: buffers come from mmap directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pcpu-timing.h"
#include "pcpu-rng.h"
#include "pcpu-tlb.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif

/* ---- buffers ---------------------------------------------------------- */

static const char *const backing_names[PCPU_TLB_NR_BACKINGS] = {
	[PCPU_TLB_4K] = "4k",
	[PCPU_TLB_2M] = "2m",
};

const char *pcpu_tlb_backing_name(enum pcpu_tlb_backing b)
{
	return (unsigned)b < PCPU_TLB_NR_BACKINGS ? backing_names[b] : "?";
}

int pcpu_tlb_backing_parse(const char *s, enum pcpu_tlb_backing *b)
{
	unsigned i;

	if (!s || !b)
		return -EINVAL;
	for (i = 0; i < PCPU_TLB_NR_BACKINGS; i++) {
		if (!strcasecmp(s, backing_names[i])) {
			*b = i;
			return 0;
		}
	}
	return -EINVAL;
}

int pcpu_tlb_smaps(const void *addr, unsigned long *rss_kb,
		   unsigned long *anon_huge_kb, unsigned long *hugetlb_kb,
		   unsigned long *kernel_page_kb)
{
	unsigned long a = (unsigned long)addr, lo, hi, v;
	unsigned long rss = 0, ahp = 0, htlb = 0, kps = 0;
	char line[512], key[64];
	bool in = false, found = false;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			if (found && in)
				break;
			in = a >= lo && a < hi;
			found |= in;
			continue;
		}
		if (!in || sscanf(line, "%63[^:]: %lu", key, &v) != 2)
			continue;
		if (!strcmp(key, "Rss"))
			rss = v;
		else if (!strcmp(key, "AnonHugePages"))
			ahp = v;
		else if (!strcmp(key, "Private_Hugetlb") ||
			 !strcmp(key, "Shared_Hugetlb"))
			htlb += v;
		else if (!strcmp(key, "KernelPageSize"))
			kps = v;
	}
	fclose(f);
	if (!found)
		return -ENOENT;
	if (rss_kb)
		*rss_kb = rss;
	if (anon_huge_kb)
		*anon_huge_kb = ahp;
	if (hugetlb_kb)
		*hugetlb_kb = htlb;
	if (kernel_page_kb)
		*kernel_page_kb = kps;
	return 0;
}

static void buf_touch(struct pcpu_tlb_buf *b)
{
	volatile char *p = b->base;
	size_t off;

	for (off = 0; off < b->len; off += PCPU_TLB_PAGE)
		p[off] = 1;
}

int pcpu_tlb_buf_alloc(struct pcpu_tlb_buf *b, size_t len,
		       enum pcpu_tlb_backing backing, bool use_hugetlb)
{
	size_t map_len;
	uintptr_t base;
	void *m;
	int ret;

	if (!b || !len || (unsigned)backing >= PCPU_TLB_NR_BACKINGS)
		return -EINVAL;
	memset(b, 0, sizeof(*b));
	len = (len + PCPU_TLB_HUGE - 1) & ~(PCPU_TLB_HUGE - 1);
	b->backing = backing;
	b->len = len;

	if (backing == PCPU_TLB_2M && use_hugetlb) {
		m = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB,
			 -1, 0);
		if (m != MAP_FAILED) {
			b->map = b->base = m;
			b->map_len = len;
			goto touch;
		}
		/* pool too small: fall through to THP, reported below */
	}

	map_len = len + PCPU_TLB_HUGE;
	m = mmap(NULL, map_len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		return -ENOMEM;
	base = ((uintptr_t)m + PCPU_TLB_HUGE - 1) & ~(PCPU_TLB_HUGE - 1);
	/* Trim the slack so the buffer is one VMA of its own in smaps. */
	if (base > (uintptr_t)m)
		munmap(m, base - (uintptr_t)m);
	if ((uintptr_t)m + map_len > base + len)
		munmap((void *)(base + len), (uintptr_t)m + map_len - (base + len));
	b->map = b->base = (void *)base;
	b->map_len = len;
#ifdef MADV_NOHUGEPAGE
	if (backing == PCPU_TLB_4K)
		madvise(b->base, len, MADV_NOHUGEPAGE);
#endif
#ifdef MADV_HUGEPAGE
	if (backing == PCPU_TLB_2M)
		madvise(b->base, len, MADV_HUGEPAGE);
#endif
touch:
	buf_touch(b);
	ret = pcpu_tlb_smaps(b->base, &b->rss_kb, &b->anon_huge_kb,
			     &b->hugetlb_kb, &b->kernel_page_kb);
	if (ret) {
		snprintf(b->obtained, sizeof(b->obtained), "unknown (smaps)");
		return 0;
	}
	if (b->hugetlb_kb) {
		b->huge_fraction = (double)b->hugetlb_kb * 1024 / len;
		snprintf(b->obtained, sizeof(b->obtained), "hugetlb");
	} else if (b->anon_huge_kb) {
		b->huge_fraction = (double)b->anon_huge_kb * 1024 / len;
		snprintf(b->obtained, sizeof(b->obtained),
			 b->huge_fraction > 0.99 ? "thp" : "thp-partial");
	} else {
		snprintf(b->obtained, sizeof(b->obtained),
			 backing == PCPU_TLB_2M ? "4k (no huge page obtained)" : "4k");
	}
	return 0;
}

void pcpu_tlb_buf_free(struct pcpu_tlb_buf *b)
{
	if (b && b->map) {
		munmap(b->map, b->map_len);
		b->map = b->base = NULL;
	}
}

/* ---- chase ------------------------------------------------------------ */

/* Line used in chase page @i: a bijection on each run of 64 pages. */
static size_t chase_line(size_t i)
{
	return (i * 37 + (i >> 6) * 13) & 63;
}

#define CONTROL_LINES_PER_PAGE 32
#define CONTROL_GROUP_PAGES 16

int pcpu_tlb_build(const struct pcpu_tlb_buf *b, size_t npages,
		   enum pcpu_tlb_pattern pat, uint64_t seed, void **head)
{
	size_t *ord = NULL, i, n = npages;
	char *base;
	uint64_t s = seed * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;

	if (!b || !b->base || !head || !n)
		return -EINVAL;
	if (n > b->len / PCPU_TLB_PAGE)
		return -EINVAL;
	base = b->base;
	ord = malloc(n * sizeof(*ord));
	if (!ord)
		return -ENOMEM;

	if (pat == PCPU_TLB_CHASE) {
		for (i = 0; i < n; i++)
			ord[i] = i;
		pcpu_rng_shuffle(ord, n, sizeof(*ord), &s);
		for (i = 0; i < n; i++)
			ord[i] = ord[i] * PCPU_TLB_PAGE +
				 chase_line(ord[i]) * PCPU_TLB_LINE;
	} else {
		/*
		 * Line k lives in page k / 32, slot k % 32; the slot picks one
		 * line of each 128-byte pair, alternating with the page, so all
		 * 64 sets are used and the adjacent-line prefetch gains nothing.
		 * Lines are shuffled within groups of 16 pages (512 lines, far
		 * below L1 dTLB reach), and the groups are shuffled.
		 */
		size_t per_group = CONTROL_LINES_PER_PAGE * CONTROL_GROUP_PAGES;
		size_t ngroups = (n + per_group - 1) / per_group, g, k = 0;
		size_t *gord = malloc(ngroups * sizeof(*gord));

		if (!gord) {
			free(ord);
			return -ENOMEM;
		}
		for (g = 0; g < ngroups; g++)
			gord[g] = g;
		pcpu_rng_shuffle(gord, ngroups, sizeof(*gord), &s);
		for (g = 0; g < ngroups; g++) {
			size_t first = gord[g] * per_group, cnt = per_group;

			if (first + cnt > n)
				cnt = n - first;
			for (i = 0; i < cnt; i++)
				ord[k + i] = first + i;
			pcpu_rng_shuffle(ord + k, cnt, sizeof(*ord), &s);
			k += cnt;
		}
		free(gord);
		for (i = 0; i < n; i++) {
			size_t line = ord[i], page = line / CONTROL_LINES_PER_PAGE;
			size_t slot = line % CONTROL_LINES_PER_PAGE;

			ord[i] = page * PCPU_TLB_PAGE +
				 (2 * slot + (page & 1)) * PCPU_TLB_LINE;
		}
	}
	for (i = 0; i < n; i++)
		*(void **)(base + ord[i]) = base + ord[(i + 1) % n];
	*head = base + ord[0];
	free(ord);
	return 0;
}

uint64_t pcpu_tlb_walk(void **head, size_t steps)
{
	void **p = *head;
	size_t n = (steps + 15) / 16;
	uint64_t t0, t1;

	t0 = pt_rdtsc();
	while (n--) {
		p = *p; p = *p; p = *p; p = *p;
		p = *p; p = *p; p = *p; p = *p;
		p = *p; p = *p; p = *p; p = *p;
		p = *p; p = *p; p = *p; p = *p;
	}
	t1 = pt_rdtscp();
	*head = p;
	return t1 - t0;
}
