// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-pairs.c - which access method works over which layout, and why a
 * pair does not: the one table behind --layout, `pcpubench list` and
 * pcpu_rt_init()'s check. Also maps each axis's ids to its hooks.
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
	return pair_why[a][l];
}

const struct pcpu_layout_ops *pcpu_layout_ops_of(enum pcpu_layout_id l)
{
	switch (l) {
	case PCPU_L_EMBED: return &pcpu_layout_embed;
	case PCPU_L_PAGE: return &pcpu_layout_page;
	case PCPU_L_VM: return &pcpu_layout_vm;
	case PCPU_L_HYBRID: return &pcpu_layout_hybrid;
	case PCPU_L_THREAD: return &pcpu_layout_thread;
	default: return NULL;
	}
}

const struct pcpu_access_ops *pcpu_access_ops_of(enum pcpu_access_id a)
{
	switch (a) {
	case PCPU_A_TABLE: return &pcpu_access_table;
	case PCPU_A_SEGMENT: return &pcpu_access_segment;
	case PCPU_A_SHIFT: return &pcpu_access_shift;
	case PCPU_A_TLS: return &pcpu_access_tls;
	default: return NULL;
	}
}
