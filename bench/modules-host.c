// SPDX-License-Identifier: GPL-2.0
/*
 * modules-host.c - the running kernel's module reserve against the
 * per-CPU sections of the modules loaded now (modules-host.h).
 *
 * The reserve comes from the kernel log's boot line ("percpu: Embedded 62
 * pages/cpu s217088 r8192 d28672 u524288"), read by kfacts-read.c (the
 * one kernel-log reader: /dev/kmsg, else syslog(2)) and parsed by
 * pcpu-kfacts; the sections from the modules' files (pcpu-kmods):
 * /proc/modules and /sys/module/<m>/sections give no per-CPU size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "kfacts-read.h"
#include "modules-host.h"

void modhost_read(struct modhost *h)
{
	struct pcpu_kfacts *kf = malloc(sizeof(*kf));	/* large: units[] */
	struct kf_sys *sys = malloc(sizeof(*sys));
	struct kf_paths p = { 0 };
	struct utsname u;
	int ret;

	memset(h, 0, sizeof(*h));
	if (!kf || !sys)
		snprintf(h->reserve_why, sizeof(h->reserve_why), "out of memory");
	else if (kf_read(&p, kf, sys) == 0 &&
		 !pcpu_kfacts_get(kf, PCPU_KF_RESERVED, &h->reserve))
		h->reserve_known = true;
	else if (sys->why[0])
		snprintf(h->reserve_why, sizeof(h->reserve_why), "%s", sys->why);
	else
		snprintf(h->reserve_why, sizeof(h->reserve_why), "no 'percpu: "
			 "... rN' boot line in %s", sys->log_source);
	free(kf);
	free(sys);
	if (uname(&u)) {
		snprintf(h->loaded_why, sizeof(h->loaded_why), "uname: %s",
			 strerror(errno));
		return;
	}
	ret = pcpu_kmods_loaded("", u.release, &h->l, h->loaded_why,
				sizeof(h->loaded_why));
	h->loaded_known = !ret;
}
