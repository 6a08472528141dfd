/* SPDX-License-Identifier: GPL-2.0 */
/*
 * access-loops-ids.h - instantiate the loop template (access-loops.h) for
 * one access method over each CPU-id source it takes, and list the sets.
 *
 * The includer defines AL_M (the method's id, e.g. TABLE) and AL_L (its
 * lname, e.g. table). A method that needs a CPU id (PCPU_<M>_NEEDS_CPU)
 * gets one loop set per source: al_set_<l>_rseq, _getcpu, _tls, _cid; one
 * that needs none gets al_set_<l>_implicit. Then
 *
 *   static const struct al_set *const al_sets_<l>[AL_NR_CPUIDS];
 *
 * indexed by enum al_cpuid (NULL: no such pair), which access-loops.c
 * indexes by access id.
 */

#define AL_IDS_CAT_(a, b, c) a##b##_##c
#define AL_IDS_NAME(l, id) AL_IDS_CAT_(, l, id)
#define AL_IDS_SETS_(l) al_sets_##l
#define AL_IDS_SETS(l) AL_IDS_SETS_(l)
#define AL_IDS_SET_(l, id) al_##l##_##id##_set
#define AL_IDS_SET(l, id) AL_IDS_SET_(l, id)

#if PCPU_ACC(AL_M, NEEDS_CPU)

#define AL_CPU(d) pcpu_cpuid_rseq_dep(d)
#define AL_CPU_WL_PROLOGUE                                                    \
	const uintptr_t rseq_at = (uintptr_t)__builtin_thread_pointer() +    \
				  (uintptr_t)pcpu_rseq_cpu_offset;
#define AL_CPU_WL() pcpu_load_u32((const void *)rseq_at)
#define AL_NAME AL_IDS_NAME(AL_L, rseq)
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU
#undef AL_CPU_WL_PROLOGUE
#undef AL_CPU_WL
#define AL_CPU_WL_PROLOGUE
#define AL_CPU_WL() AL_CPU(0)

#define AL_CPU(d) (pcpu_cpuid_getcpu() + (unsigned int)(d))
#define AL_NAME AL_IDS_NAME(AL_L, getcpu)
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU

#define AL_CPU(d) pcpu_cpuid_tls_dep(d)
#define AL_NAME AL_IDS_NAME(AL_L, tls)
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU

#define AL_CPU(d) pcpu_cid_read_dep(d)
#define AL_NAME AL_IDS_NAME(AL_L, cid)
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU

static const struct al_set *const AL_IDS_SETS(AL_L)[AL_NR_CPUIDS] = {
	[AL_CPUID_RSEQ] = &AL_IDS_SET(AL_L, rseq),
	[AL_CPUID_GETCPU] = &AL_IDS_SET(AL_L, getcpu),
	[AL_CPUID_TLS] = &AL_IDS_SET(AL_L, tls),
	[AL_CPUID_CID] = &AL_IDS_SET(AL_L, cid),
};

#undef AL_CPU_WL_PROLOGUE
#undef AL_CPU_WL

#else

#define AL_CPU_WL_PROLOGUE
#define AL_CPU_WL() AL_CPU(0)
#define AL_CPU(d) 0u
#define AL_NAME AL_IDS_NAME(AL_L, implicit)
#include "access-loops.h"
#undef AL_NAME
#undef AL_CPU

static const struct al_set *const AL_IDS_SETS(AL_L)[AL_NR_CPUIDS] = {
	[AL_CPUID_IMPLICIT] = &AL_IDS_SET(AL_L, implicit),
};

#undef AL_CPU_WL_PROLOGUE
#undef AL_CPU_WL

#endif

#undef AL_IDS_CAT_
#undef AL_IDS_NAME
#undef AL_IDS_SETS_
#undef AL_IDS_SETS
#undef AL_IDS_SET_
#undef AL_IDS_SET
