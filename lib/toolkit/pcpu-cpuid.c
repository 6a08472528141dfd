// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-cpuid.c - decode CPUID identification, cache and TLB geometry.
 *
 * Sources, in order of preference:
 *   Intel TLBs:  leaf 0x18 (deterministic address translation parameters),
 *                then leaf 2 descriptor bytes when 0x18 reports nothing.
 *   AMD TLBs:    leaves 0x80000005 (L1), 0x80000006 (L2), 0x80000019 (1G).
 *   Caches:      leaf 4 (Intel) or 0x8000001D (AMD with TOPOEXT), falling
 *                back to 0x80000005/6 on AMD.
 * A hypervisor may mask any of these with zeros; a zero field is skipped,
 * so what is not reported stays absent rather than becoming a 0-entry TLB.
 *
 * The decoders take register values so that tests can feed synthetic words.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "pcpu-cpuid.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define PCPU_HAVE_CPUID 1
#endif

static void tlb_add(struct pcpu_cpuid_info *ci, int *added, const char *level,
		    const char *kind, unsigned page_kb, unsigned entries,
		    unsigned ways)
{
	struct pcpu_cpuid_tlb *t;

	if (!entries || ci->nr_tlb >= PCPU_CPUID_MAX_TLB)
		return;
	t = &ci->tlb[ci->nr_tlb++];
	memset(t, 0, sizeof(*t));
	snprintf(t->level, sizeof(t->level), "%s", level);
	snprintf(t->kind, sizeof(t->kind), "%s", kind);
	t->page_kb = page_kb;
	t->entries = entries;
	t->ways = ways;
	(*added)++;
}

int pcpu_cpuid_decode_intel_18(struct pcpu_cpuid_info *ci, uint32_t eax,
			       uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	static const char *const kinds[] = {
		[1] = "data", [2] = "instr", [3] = "unified",
		[4] = "load", [5] = "store",
	};
	static const unsigned sizes[4] = { 4, 2048, 4096, 1048576 };
	unsigned type = edx & 0x1f, level = (edx >> 5) & 7;
	bool full = edx & (1u << 8);
	unsigned ways = ebx >> 16, sets = ecx, entries;
	char lvl[8];
	int added = 0, i;

	(void)eax;
	if (!ci || type == 0 || type > 5 || !level)
		return 0;
	entries = ways * sets;
	if (!entries)
		return 0;
	/* Intel calls the second level "STLB", shared by code and data. */
	snprintf(lvl, sizeof(lvl), "L%u", level);
	for (i = 0; i < 4; i++) {
		const char *kind = kinds[type];

		if (!(ebx & (1u << i)))
			continue;
		if (level >= 2 && type == 3)
			kind = "shared";
		tlb_add(ci, &added, lvl, kind, sizes[i], entries,
			full ? 0 : ways);
	}
	return added;
}

/*
 * Intel SDM vol. 2A, table 3-12, TLB descriptors. One descriptor may name
 * two page sizes with one shared array ("4K and 2M/4M"); both are listed
 * with the same entry count. ways 0 = fully associative.
 */
struct leaf2_tlb {
	uint8_t desc;
	const char *level, *kind;
	unsigned page_kb, entries, ways;
};

static const struct leaf2_tlb leaf2_tlbs[] = {
	{ 0x01, "L1", "instr", 4, 32, 4 },
	{ 0x02, "L1", "instr", 4096, 2, 0 },
	{ 0x03, "L1", "data", 4, 64, 4 },
	{ 0x04, "L1", "data", 4096, 8, 4 },
	{ 0x05, "L1", "data", 4096, 32, 4 },
	{ 0x0b, "L1", "instr", 4096, 4, 4 },
	{ 0x4f, "L1", "instr", 4, 32, 0 },
	{ 0x50, "L1", "instr", 4, 64, 0 },
	{ 0x50, "L1", "instr", 2048, 64, 0 },
	{ 0x51, "L1", "instr", 4, 128, 0 },
	{ 0x51, "L1", "instr", 2048, 128, 0 },
	{ 0x52, "L1", "instr", 4, 256, 0 },
	{ 0x52, "L1", "instr", 2048, 256, 0 },
	{ 0x55, "L1", "instr", 2048, 7, 0 },
	{ 0x56, "L1", "data", 4096, 16, 4 },
	{ 0x57, "L1", "data", 4, 16, 4 },
	{ 0x59, "L1", "data", 4, 16, 0 },
	{ 0x5a, "L1", "data", 2048, 32, 4 },
	{ 0x5b, "L1", "data", 4, 64, 0 },
	{ 0x5b, "L1", "data", 4096, 64, 0 },
	{ 0x5c, "L1", "data", 4, 128, 0 },
	{ 0x5c, "L1", "data", 4096, 128, 0 },
	{ 0x5d, "L1", "data", 4, 256, 0 },
	{ 0x5d, "L1", "data", 4096, 256, 0 },
	{ 0x61, "L1", "instr", 4, 48, 0 },
	{ 0x63, "L1", "data", 2048, 32, 4 },
	{ 0x63, "L1", "data", 1048576, 4, 4 },
	{ 0x64, "L1", "data", 4, 512, 4 },
	{ 0x6a, "L1", "data", 4, 64, 8 },	/* uTLB */
	{ 0x6b, "L1", "data", 4, 256, 8 },
	{ 0x6c, "L1", "data", 2048, 128, 8 },
	{ 0x6d, "L1", "data", 1048576, 16, 0 },
	{ 0x76, "L1", "instr", 2048, 8, 0 },
	{ 0xa0, "L1", "data", 4, 32, 0 },
	{ 0xb0, "L1", "instr", 4, 128, 4 },
	{ 0xb1, "L1", "instr", 2048, 8, 4 },
	{ 0xb2, "L1", "instr", 4, 64, 4 },
	{ 0xb3, "L1", "data", 4, 128, 4 },
	{ 0xb4, "L1", "data", 4, 256, 4 },
	{ 0xb5, "L1", "instr", 4, 64, 8 },
	{ 0xb6, "L1", "instr", 4, 128, 8 },
	{ 0xba, "L1", "data", 4, 64, 4 },
	{ 0xc0, "L1", "data", 4, 8, 4 },
	{ 0xc0, "L1", "data", 4096, 8, 4 },
	{ 0xc1, "L2", "shared", 4, 1024, 8 },
	{ 0xc1, "L2", "shared", 2048, 1024, 8 },
	{ 0xc2, "L1", "data", 4, 16, 4 },
	{ 0xc2, "L1", "data", 2048, 16, 4 },
	{ 0xc3, "L2", "shared", 4, 1536, 6 },
	{ 0xc3, "L2", "shared", 2048, 1536, 6 },
	{ 0xc3, "L2", "shared", 1048576, 16, 4 },
	{ 0xc4, "L1", "data", 2048, 32, 4 },
	{ 0xca, "L2", "shared", 4, 512, 4 },
};

int pcpu_cpuid_decode_intel_leaf2(struct pcpu_cpuid_info *ci,
				  const uint32_t regs[4])
{
	int added = 0, r, b;
	size_t i;

	if (!ci || !regs)
		return 0;
	for (r = 0; r < 4; r++) {
		if (regs[r] & 0x80000000u)
			continue;
		for (b = 0; b < 4; b++) {
			uint8_t d = (regs[r] >> (8 * b)) & 0xff;

			if (r == 0 && b == 0)
				continue;	/* AL: iteration count */
			if (!d)
				continue;
			for (i = 0; i < sizeof(leaf2_tlbs) / sizeof(leaf2_tlbs[0]); i++) {
				const struct leaf2_tlb *e = &leaf2_tlbs[i];

				if (e->desc == d)
					tlb_add(ci, &added, e->level, e->kind,
						e->page_kb, e->entries, e->ways);
			}
		}
	}
	return added;
}

int pcpu_cpuid_amd_l2_ways(unsigned code)
{
	static const int ways[16] = {
		[0] = -1, [1] = 1, [2] = 2, [3] = 3, [4] = 4, [5] = 6,
		[6] = 8, [7] = -1, [8] = 16, [9] = -1, [10] = 32, [11] = 48,
		[12] = 64, [13] = 96, [14] = 128, [15] = 0,
	};

	return ways[code & 0xf];
}

/* L1 associativity in 0x80000005 is a plain count; 0xff = fully. */
static unsigned amd_l1_ways(unsigned v)
{
	return v == 0xff ? 0 : v;
}

static unsigned amd_l2_ways_u(unsigned code)
{
	int w = pcpu_cpuid_amd_l2_ways(code);

	return w < 0 ? 0 : (unsigned)w;
}

/* One 0x80000006 / 0x80000019 register: [31:28] d assoc, [27:16] d entries,
 * [15:12] i assoc, [11:0] i entries. A disabled (code 0) array is skipped.
 */
static void amd_l2_reg(struct pcpu_cpuid_info *ci, int *added,
		       const char *level, uint32_t r, unsigned page_kb,
		       bool l1_fmt)
{
	unsigned da = r >> 28, de = (r >> 16) & 0xfff;
	unsigned ia = (r >> 12) & 0xf, ie = r & 0xfff;

	/* 0x80000019's L1 fields use the same 4-bit encoding as L2. */
	(void)l1_fmt;
	if (da)
		tlb_add(ci, added, level, "data", page_kb, de, amd_l2_ways_u(da));
	if (ia)
		tlb_add(ci, added, level, "instr", page_kb, ie, amd_l2_ways_u(ia));
}

int pcpu_cpuid_decode_amd_tlb(struct pcpu_cpuid_info *ci,
			      uint32_t l1_eax, uint32_t l1_ebx,
			      uint32_t l2_eax, uint32_t l2_ebx,
			      uint32_t g1_eax, uint32_t g1_ebx)
{
	int added = 0;

	if (!ci)
		return 0;
	/* 0x80000005: [31:24] d assoc, [23:16] d entries, [15:8] i assoc,
	 * [7:0] i entries; EBX 4K, EAX 2M (4M pages take two entries). */
	tlb_add(ci, &added, "L1", "data", 4, (l1_ebx >> 16) & 0xff,
		amd_l1_ways(l1_ebx >> 24));
	tlb_add(ci, &added, "L1", "instr", 4, l1_ebx & 0xff,
		amd_l1_ways((l1_ebx >> 8) & 0xff));
	tlb_add(ci, &added, "L1", "data", 2048, (l1_eax >> 16) & 0xff,
		amd_l1_ways(l1_eax >> 24));
	tlb_add(ci, &added, "L1", "instr", 2048, l1_eax & 0xff,
		amd_l1_ways((l1_eax >> 8) & 0xff));
	amd_l2_reg(ci, &added, "L1", g1_eax, 1048576, true);
	amd_l2_reg(ci, &added, "L2", l2_ebx, 4, false);
	amd_l2_reg(ci, &added, "L2", l2_eax, 2048, false);
	amd_l2_reg(ci, &added, "L2", g1_ebx, 1048576, false);
	return added;
}

int pcpu_cpuid_decode_cache4(struct pcpu_cpuid_info *ci, uint32_t eax,
			     uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	static const char *const types[4] = { "", "data", "instr", "unified" };
	unsigned type = eax & 0x1f;
	struct pcpu_cpuid_cache *c;
	unsigned long long size;

	(void)edx;
	if (!ci || type == 0 || type > 3 || ci->nr_cache >= PCPU_CPUID_MAX_CACHE)
		return 0;
	c = &ci->cache[ci->nr_cache];
	memset(c, 0, sizeof(*c));
	c->level = (eax >> 5) & 7;
	snprintf(c->type, sizeof(c->type), "%s", types[type]);
	c->line = (ebx & 0xfff) + 1;
	c->ways = (eax & (1u << 9)) ? 0 : (ebx >> 22) + 1;
	size = (unsigned long long)((ebx >> 22) + 1) *
	       (((ebx >> 12) & 0x3ff) + 1) * c->line * ((unsigned long long)ecx + 1);
	c->size_kb = (unsigned)(size / 1024);
	ci->nr_cache++;
	return 1;
}

const struct pcpu_cpuid_tlb *pcpu_cpuid_find_tlb(const struct pcpu_cpuid_info *ci,
						  const char *level,
						  unsigned page_kb, bool data)
{
	const struct pcpu_cpuid_tlb *best = NULL;
	unsigned i;

	if (!ci || !level)
		return NULL;
	for (i = 0; i < ci->nr_tlb; i++) {
		const struct pcpu_cpuid_tlb *t = &ci->tlb[i];
		bool is_i = !strcmp(t->kind, "instr");

		if (strcmp(t->level, level) || t->page_kb != page_kb)
			continue;
		if (data && is_i)
			continue;
		if (!data && !is_i && strcmp(t->kind, "shared") &&
		    strcmp(t->kind, "unified"))
			continue;
		/* Prefer "data" over "load"/"store" halves. */
		if (!best || !strcmp(t->kind, "data"))
			best = t;
	}
	return best;
}

#ifdef PCPU_HAVE_CPUID
static void cpuid_sub(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
}

static void amd_legacy_caches(struct pcpu_cpuid_info *ci, uint32_t c5, uint32_t d5,
			      uint32_t c6, uint32_t d6)
{
	struct {
		unsigned level; const char *type; unsigned kb, ways, line;
	} v[4] = {
		{ 1, "data", c5 >> 24, amd_l1_ways((c5 >> 16) & 0xff), c5 & 0xff },
		{ 1, "instr", d5 >> 24, amd_l1_ways((d5 >> 16) & 0xff), d5 & 0xff },
		{ 2, "unified", c6 >> 16, amd_l2_ways_u((c6 >> 12) & 0xf), c6 & 0xff },
		{ 3, "unified", (d6 >> 18) * 512, amd_l2_ways_u((d6 >> 12) & 0xf), d6 & 0xff },
	};
	int i;

	for (i = 0; i < 4 && ci->nr_cache < PCPU_CPUID_MAX_CACHE; i++) {
		struct pcpu_cpuid_cache *c;

		if (!v[i].kb)
			continue;
		c = &ci->cache[ci->nr_cache++];
		c->level = v[i].level;
		snprintf(c->type, sizeof(c->type), "%s", v[i].type);
		c->size_kb = v[i].kb;
		c->ways = v[i].ways;
		c->line = v[i].line;
	}
}

int pcpu_cpuid_read(struct pcpu_cpuid_info *ci)
{
	uint32_t r[4], max, maxext, fms;
	unsigned base_fam, base_model, i;
	bool intel, amd;

	if (!ci)
		return -EINVAL;
	memset(ci, 0, sizeof(*ci));
	cpuid_sub(0, 0, r);
	max = r[0];
	memcpy(ci->vendor, &r[1], 4);
	memcpy(ci->vendor + 4, &r[3], 4);
	memcpy(ci->vendor + 8, &r[2], 4);
	intel = !strcmp(ci->vendor, "GenuineIntel");
	amd = !strcmp(ci->vendor, "AuthenticAMD") ||
	      !strcmp(ci->vendor, "HygonGenuine");

	if (max >= 1) {
		cpuid_sub(1, 0, r);
		fms = r[0];
		base_fam = (fms >> 8) & 0xf;
		base_model = (fms >> 4) & 0xf;
		ci->family = base_fam == 0xf ? base_fam + ((fms >> 20) & 0xff) : base_fam;
		ci->model = (base_fam == 6 || base_fam == 0xf) ?
			    base_model | (((fms >> 16) & 0xf) << 4) : base_model;
		ci->stepping = fms & 0xf;
		ci->hypervisor = r[2] & (1u << 31);
	}
	if (ci->hypervisor) {
		cpuid_sub(0x40000000, 0, r);
		memcpy(ci->hypervisor_vendor, &r[1], 4);
		memcpy(ci->hypervisor_vendor + 4, &r[2], 4);
		memcpy(ci->hypervisor_vendor + 8, &r[3], 4);
		for (i = 0; i < 12; i++)	/* "KVMKVMKVM\0\0\0" */
			if (ci->hypervisor_vendor[i] && (ci->hypervisor_vendor[i] < 0x20 ||
							 ci->hypervisor_vendor[i] > 0x7e))
				ci->hypervisor_vendor[i] = '?';
	}

	cpuid_sub(0x80000000, 0, r);
	maxext = r[0];
	if (maxext < 0x80000000u || maxext > 0x8000ffffu)
		maxext = 0;
	if (maxext >= 0x80000004) {
		for (i = 0; i < 3; i++) {
			cpuid_sub(0x80000002 + i, 0, r);
			memcpy(ci->brand + 16 * i, r, 16);
		}
		ci->brand[48] = '\0';
		/* trim leading and trailing blanks */
		{
			char *s = ci->brand;
			size_t n;

			while (*s == ' ')
				s++;
			memmove(ci->brand, s, strlen(s) + 1);
			n = strlen(ci->brand);
			while (n && ci->brand[n - 1] == ' ')
				ci->brand[--n] = '\0';
		}
	}

	/* Caches: leaf 4 on Intel, 0x8000001D on AMD with TOPOEXT. */
	if (intel && max >= 4) {
		for (i = 0; i < 16; i++) {
			cpuid_sub(4, i, r);
			if (!pcpu_cpuid_decode_cache4(ci, r[0], r[1], r[2], r[3]))
				break;
		}
	} else if (amd && maxext >= 0x8000001d) {
		uint32_t e1[4];

		cpuid_sub(0x80000001, 0, e1);
		if (e1[2] & (1u << 22)) {	/* TOPOEXT */
			for (i = 0; i < 16; i++) {
				cpuid_sub(0x8000001d, i, r);
				if (!pcpu_cpuid_decode_cache4(ci, r[0], r[1], r[2], r[3]))
					break;
			}
		}
	}

	/* TLBs */
	if (intel) {
		if (max >= 0x18) {
			uint32_t nsub;

			cpuid_sub(0x18, 0, r);
			nsub = r[0];
			if (nsub > 64)
				nsub = 64;
			for (i = 0; i <= nsub; i++) {
				if (i)
					cpuid_sub(0x18, i, r);
				pcpu_cpuid_decode_intel_18(ci, r[0], r[1], r[2], r[3]);
			}
			if (ci->nr_tlb)
				ci->tlb_source = "cpuid 0x18";
		}
		if (!ci->nr_tlb && max >= 2) {
			cpuid_sub(2, 0, r);
			if (pcpu_cpuid_decode_intel_leaf2(ci, r))
				ci->tlb_source = "cpuid 2";
		}
	} else if (amd && maxext >= 0x80000006) {
		uint32_t r5[4], r6[4], r19[4] = { 0 };

		cpuid_sub(0x80000005, 0, r5);
		cpuid_sub(0x80000006, 0, r6);
		if (maxext >= 0x80000019)
			cpuid_sub(0x80000019, 0, r19);
		if (pcpu_cpuid_decode_amd_tlb(ci, r5[0], r5[1], r6[0], r6[1],
					      r19[0], r19[1]))
			ci->tlb_source = maxext >= 0x80000019 ?
					 "cpuid 0x80000005/6/19" :
					 "cpuid 0x80000005/6";
		if (!ci->nr_cache)
			amd_legacy_caches(ci, r5[2], r5[3], r6[2], r6[3]);
	}
	return 0;
}
#else
int pcpu_cpuid_read(struct pcpu_cpuid_info *ci)
{
	if (!ci)
		return -EINVAL;
	memset(ci, 0, sizeof(*ci));
	return -ENOTSUP;
}
#endif
