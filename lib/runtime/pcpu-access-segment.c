// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-access-segment.c - access method "segment": x86-64 %gs-relative
 * this_cpu ops. In user space the GS base is per thread, so it is pointed
 * at the CPU's unit when a thread enters the CPU (wrgsbase where FSGSBASE
 * is enabled, else arch_prctl(ARCH_SET_GS)) and cleared when it leaves;
 * the hot path is one %gs:-prefixed instruction (PCPU_SEGMENT_* in
 * pcpu-access.h). Works over every layout but thread.
 *
 * The GS base is one register per thread, shared by every segment
 * runtime (segment and hybrid-segment may be live at once): the thread
 * remembers which runtime it points at, a re-enter of a CPU it already
 * holds points GS back at it, and a leave clears GS only if it was that
 * runtime's.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pcpu-internal.h"
#include "pcpu-access.h"

#if defined(__x86_64__)
#include <asm/prctl.h>
#endif

#ifndef HWCAP2_FSGSBASE
#define HWCAP2_FSGSBASE (1 << 1)
#endif

static const char *seg_unavailable(void)
{
#if PCPU_HAVE_SEGMENT
	return NULL;
#else
	return "needs x86-64 (a %gs segment base per thread)";
#endif
}

static int set_gs_base(uintptr_t base)
{
#if defined(__x86_64__)
	if (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE) {
		__asm__ volatile("wrgsbase %0" : : "r"(base) : "memory");
		return 0;
	}
	if (syscall(SYS_arch_prctl, ARCH_SET_GS, base))
		return -errno;
	return 0;
#else
	return -ENOTSUP;
#endif
}

static int seg_init(struct pcpu_rt *rt, char *err, size_t errlen)
{
	return 0;
}

static void seg_fini(struct pcpu_rt *rt)
{
}

static void seg_publish(struct pcpu_rt *rt, unsigned cpu, bool on)
{
}

static __thread const struct pcpu_rt *tl_gs_rt;

static int seg_enter(struct pcpu_rt *rt, unsigned cpu)
{
	int ret = set_gs_base((uintptr_t)rt->cpus[cpu].base);

	if (!ret)
		tl_gs_rt = rt;
	return ret;
}

static int seg_refresh(struct pcpu_rt *rt, unsigned cpu)
{
	return tl_gs_rt == rt ? 0 : seg_enter(rt, cpu);
}

static void seg_leave(struct pcpu_rt *rt, unsigned cpu)
{
	if (tl_gs_rt != rt)
		return;
	set_gs_base(0);
	tl_gs_rt = NULL;
}

static void seg_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	snprintf(buf, len, "GS base set with %s on thread enter",
		 getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE ? "wrgsbase (FSGSBASE)"
							: "arch_prctl(ARCH_SET_GS)");
}

const struct pcpu_access_ops pcpu_access_segment = {
	.unavailable = seg_unavailable,
	.init = seg_init,
	.fini = seg_fini,
	.publish = seg_publish,
	.enter = seg_enter,
	.refresh = seg_refresh,
	.leave = seg_leave,
	.describe = seg_describe,
};
