// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-access-shift.c - access method "shift": base + (cpu << shift), no
 * table load (Lameter's virtual per-CPU area). Needs a layout whose unit
 * of CPU c is at a constant power-of-two stride from one base (vm, page:
 * rt->stride_base). The base and shift reach the hot path in the access
 * context (pcpu_rt_acc_ctx()), constants of the run that a hot loop keeps
 * in registers (PCPU_SHIFT_* in pcpu-access.h), as a kernel would have
 * them as link-time constants.
 */
#include <errno.h>
#include <stdio.h>

#include "pcpu-internal.h"
#include "pcpu-access.h"

static const char *shift_unavailable(void)
{
	return NULL;
}

static int shift_init(struct pcpu_rt *rt, char *err, size_t errlen)
{
	if (!rt->stride_base)
		return pcpu_seterr(err, errlen, -EINVAL, "the shift access method "
				   "needs a constant stride, which layout %s "
				   "does not have", pcpu_layout_name(rt->layout));
	return 0;
}

static void shift_fini(struct pcpu_rt *rt)
{
}

static void shift_publish(struct pcpu_rt *rt, unsigned cpu, bool on)
{
}

static int shift_enter(struct pcpu_rt *rt, unsigned cpu)
{
	return 0;
}

static void shift_leave(struct pcpu_rt *rt, unsigned cpu)
{
}

static void shift_describe(struct pcpu_rt *rt, char *buf, size_t len)
{
	snprintf(buf, len, "unit = %p + (cpu << %u)", (void *)rt->stride_base,
		 rt->unit_shift);
}

const struct pcpu_access_ops pcpu_access_shift = {
	.needs_stride = true,
	.unavailable = shift_unavailable,
	.init = shift_init,
	.fini = shift_fini,
	.publish = shift_publish,
	.enter = shift_enter,
	.leave = shift_leave,
	.describe = shift_describe,
};
