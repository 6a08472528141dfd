// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-pairs.c - which access method works over which layout, and why a
 * pair does not: the one table behind --layout, `pcpubench list` and
 * pcpu_rt_init()'s check: the reasons for today's invalid pairs, and the
 * rule behind them (the per_thread / strided / needs_stride flags of the
 * hooks) for a layout or method added later. Also maps each axis's ids to
 * its hooks, generated from the lists in pcpu.h.
 */
#include <stddef.h>

#include "pcpu-internal.h"

#define THREAD_ONLY "its copy is the holder's __thread block: only the " \
	"thread layout, and thread only for tls"

/* NULL: valid. [access][layout]; layout 0 (default) is never asked. */
static const char *const pair_why[PCPU_NR_ACCESSES][PCPU_NR_LAYOUTS] = {
	[PCPU_A_TABLE] = {
		[PCPU_L_THREAD] = "the thread layout has no unit per CPU to put "
				  "in the table (tls copies it into each thread)",
	},
	[PCPU_A_SEGMENT] = {
		[PCPU_L_THREAD] = "the thread layout has no unit per CPU to point "
				  "GS at (tls copies it into each thread)",
	},
	[PCPU_A_SHIFT] = {
		[PCPU_L_EMBED] = "shift needs a constant power-of-two stride from "
				 "one base; embed groups units by node (the kernel's "
				 "groups sit apart), so CPU c is not at base + (c << shift)",
		[PCPU_L_HYBRID] = "shift needs a constant power-of-two stride from "
				  "one base; hybrid has two (the embedded block and "
				  "the VM area)",
		[PCPU_L_THREAD] = "the thread layout has no unit per CPU at a "
				  "stride (tls copies it into each thread)",
	},
	[PCPU_A_TLS] = {
		[PCPU_L_EMBED] = THREAD_ONLY,
		[PCPU_L_PAGE] = THREAD_ONLY,
		[PCPU_L_VM] = THREAD_ONLY,
		[PCPU_L_HYBRID] = THREAD_ONLY,
	},
};

/*
 * The rules the table spells out for the pairs that exist today, for a
 * layout or method added later: the flags in its hooks decide.
 */
static const char *pair_rule(const struct pcpu_access_ops *a,
			     const struct pcpu_layout_ops *l)
{
	if (a->per_thread && !l->per_thread)
		return THREAD_ONLY;
	if (!a->per_thread && l->per_thread)
		return "the layout has no unit per CPU (the copy lives in each "
		       "holder's __thread block)";
	if (a->needs_stride && !l->strided)
		return "the method needs a constant power-of-two stride from "
		       "one base, which the layout does not have";
	return NULL;
}

/**
 * pcpu_pair_invalid() - why @a over @l is not a pair.
 * Return: NULL when it is one; else the reason.
 */
const char *pcpu_pair_invalid(enum pcpu_access_id a, enum pcpu_layout_id l)
{
	if ((unsigned)a >= PCPU_NR_ACCESSES)
		return "unknown access method";
	if (l <= PCPU_L_DEFAULT || l >= PCPU_NR_LAYOUTS)
		return "unknown layout";
	if (pair_why[a][l])
		return pair_why[a][l];
	return pair_rule(pcpu_access_ops_of(a), pcpu_layout_ops_of(l));
}

static const struct pcpu_layout_ops *const layout_ops[PCPU_NR_LAYOUTS] = {
#define PCPU_X_OPS(id, lname, desc) [PCPU_L_##id] = &pcpu_layout_##lname,
	PCPU_LAYOUTS(PCPU_X_OPS)
#undef PCPU_X_OPS
};

static const struct pcpu_access_ops *const access_ops[PCPU_NR_ACCESSES] = {
#define PCPU_X_OPS(id, lname, desc) [PCPU_A_##id] = &pcpu_access_##lname,
	PCPU_ACCESSES(PCPU_X_OPS)
#undef PCPU_X_OPS
};

const struct pcpu_layout_ops *pcpu_layout_ops_of(enum pcpu_layout_id l)
{
	return l > PCPU_L_DEFAULT && l < PCPU_NR_LAYOUTS ? layout_ops[l] : NULL;
}

const struct pcpu_access_ops *pcpu_access_ops_of(enum pcpu_access_id a)
{
	return (unsigned)a < PCPU_NR_ACCESSES ? access_ops[a] : NULL;
}
