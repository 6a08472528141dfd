/* SPDX-License-Identifier: GPL-2.0 */
/*
 * modules-host.h - this machine's module per-CPU facts for `info` and
 * the report: the running kernel's module reserve (the boot line's rN,
 * parsed by lib/toolkit/pcpu-kfacts) against the .data..percpu sections
 * of the modules loaded now (lib/toolkit/pcpu-kmods).
 */
#ifndef MODULES_HOST_H
#define MODULES_HOST_H

#include <stdbool.h>
#include <stddef.h>

#include "pcpu-kmods.h"

struct modhost {
	bool reserve_known;
	unsigned long long reserve;	/* r of the boot line, bytes */
	char reserve_why[256];		/* why not known (kf_sys.why) */
	bool loaded_known;
	struct pcpu_kmods_loaded l;
	char loaded_why[200];		/* why not known */
};

/* Fill @h; never fails: what cannot be read has its reason. */
void modhost_read(struct modhost *h);

#endif
