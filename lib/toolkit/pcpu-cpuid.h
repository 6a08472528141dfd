/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-cpuid.h - CPU identification, cache and TLB geometry from CPUID.
 *
 * pcpu_cpuid_read() executes CPUID on the calling CPU and fills a
 * struct pcpu_cpuid_info: vendor, brand string, family/model/stepping,
 * whether a hypervisor is present (and its signature), the caches (Intel
 * leaf 4, AMD leaf 0x8000001D, falling back to 0x80000005/6) and the TLBs
 * (Intel leaf 0x18, then leaf 2 descriptors; AMD 0x80000005, 0x80000006
 * and 0x80000019). Virtual machines often report nothing or zeros; then
 * nr_tlb is 0 and tlb_source is NULL ("not reported"), never made up.
 *
 * The decoders below are pure functions of register values, so tests can
 * feed synthetic CPUID words. They append to ci->tlb[] / ci->cache[] and
 * return the number of entries added (never more than the free slots).
 *
 * Nothing here prints or exits.
 */
#ifndef PCPU_CPUID_H
#define PCPU_CPUID_H

#include <stdbool.h>
#include <stdint.h>

#define PCPU_CPUID_MAX_TLB 32
#define PCPU_CPUID_MAX_CACHE 8

struct pcpu_cpuid_tlb {
	char level[8];		/* "L1", "L2" */
	char kind[12];		/* "data", "instr", "unified", "shared" */
	unsigned page_kb;	/* 4, 2048, 4096, 1048576 */
	unsigned entries;
	unsigned ways;		/* 0 = fully associative */
};

struct pcpu_cpuid_cache {
	unsigned level;
	char type[12];		/* "data", "instr", "unified" */
	unsigned size_kb, ways, line;	/* ways 0 = fully associative */
};

struct pcpu_cpuid_info {
	char vendor[16];
	char brand[64];
	unsigned family, model, stepping;
	bool hypervisor;
	char hypervisor_vendor[16];
	unsigned nr_tlb;
	struct pcpu_cpuid_tlb tlb[PCPU_CPUID_MAX_TLB];
	unsigned nr_cache;
	struct pcpu_cpuid_cache cache[PCPU_CPUID_MAX_CACHE];
	/* "cpuid 0x18", "cpuid 2", "cpuid 0x80000005/6/19"; NULL = not reported */
	const char *tlb_source;
};

/**
 * pcpu_cpuid_read() - read identification, caches and TLBs with CPUID.
 * @ci: filled on success (zeroed first).
 *
 * Context: any thread; the values are those of the CPU it runs on.
 * Return: 0; -EINVAL if @ci is NULL; -ENOTSUP on a non-x86 build.
 */
int pcpu_cpuid_read(struct pcpu_cpuid_info *ci);

/**
 * pcpu_cpuid_decode_intel_18() - decode one Intel leaf 0x18 sub-leaf.
 * @ci: TLB entries are appended here.
 * @eax, @ebx, @ecx, @edx: the sub-leaf's registers (sub-leaf 0's eax is the
 *	maximum sub-leaf and is ignored here).
 *
 * Return: number of entries added (0 if the sub-leaf is invalid, i.e. its
 * type field in EDX[4:0] is 0, or describes no page size).
 */
int pcpu_cpuid_decode_intel_18(struct pcpu_cpuid_info *ci, uint32_t eax,
			       uint32_t ebx, uint32_t ecx, uint32_t edx);

/**
 * pcpu_cpuid_decode_intel_leaf2() - decode Intel leaf 2 descriptor bytes.
 * @ci: TLB entries appended (cache descriptors are not decoded; leaf 4
 *	describes caches).
 * @regs: EAX, EBX, ECX, EDX of leaf 2 (AL is the iteration count and is
 *	skipped; a register with bit 31 set holds no descriptors).
 *
 * Return: number of TLB entries added.
 */
int pcpu_cpuid_decode_intel_leaf2(struct pcpu_cpuid_info *ci,
				  const uint32_t regs[4]);

/**
 * pcpu_cpuid_decode_amd_tlb() - decode AMD TLB leaves.
 * @ci: TLB entries appended (zero-entry fields are skipped).
 * @l1_eax, @l1_ebx: leaf 0x80000005 EAX (2M/4M L1 TLB), EBX (4K L1 TLB).
 * @l2_eax, @l2_ebx: leaf 0x80000006 EAX (2M/4M L2 TLB), EBX (4K L2 TLB).
 * @g1_eax, @g1_ebx: leaf 0x80000019 EAX (1G L1 TLB), EBX (1G L2 TLB); pass
 *	0 when the leaf is not available.
 *
 * AMD's L2 associativity field is an encoding (see the APM); it is turned
 * into a number of ways, 0 meaning fully associative.
 *
 * Return: number of entries added.
 */
int pcpu_cpuid_decode_amd_tlb(struct pcpu_cpuid_info *ci,
			      uint32_t l1_eax, uint32_t l1_ebx,
			      uint32_t l2_eax, uint32_t l2_ebx,
			      uint32_t g1_eax, uint32_t g1_ebx);

/**
 * pcpu_cpuid_decode_cache4() - decode one deterministic cache sub-leaf
 *	(Intel leaf 4 or AMD leaf 0x8000001D; same layout).
 * @ci: the cache is appended.
 *
 * Return: 1 if a cache was added, 0 if the sub-leaf is the terminating null
 * entry (type 0) or @ci is full.
 */
int pcpu_cpuid_decode_cache4(struct pcpu_cpuid_info *ci, uint32_t eax,
			     uint32_t ebx, uint32_t ecx, uint32_t edx);

/**
 * pcpu_cpuid_amd_l2_ways() - AMD L2/L3 associativity encoding to ways.
 * @code: 4-bit field from 0x80000006.
 *
 * Return: number of ways; 0 for fully associative; -1 for reserved /
 * disabled (code 0).
 */
int pcpu_cpuid_amd_l2_ways(unsigned code);

/**
 * pcpu_cpuid_find_tlb() - look up a decoded TLB.
 * @ci: decoded info.
 * @level: "L1" or "L2".
 * @page_kb: page size in KiB.
 * @data: true to prefer data/unified/shared over instruction TLBs.
 *
 * Return: the entry, or NULL when not reported.
 */
const struct pcpu_cpuid_tlb *pcpu_cpuid_find_tlb(const struct pcpu_cpuid_info *ci,
						  const char *level,
						  unsigned page_kb, bool data);

#endif /* PCPU_CPUID_H */
