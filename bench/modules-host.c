// SPDX-License-Identifier: GPL-2.0
/*
 * modules-host.c - the running kernel's module reserve against the
 * per-CPU sections of the modules loaded now (modules-host.h).
 *
 * The reserve comes from the kernel log's boot line ("percpu: Embedded 62
 * pages/cpu s217088 r8192 d28672 u524288"), read from /dev/kmsg without
 * blocking (root, or dmesg_restrict=0) and parsed by pcpu-kfacts; the
 * sections from the modules' files (pcpu-kmods): /proc/modules and
 * /sys/module/<m>/sections give no per-CPU size.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "modules-host.h"
#include "pcpu-kfacts.h"

#define KMSG_MAX (4U << 20)

/* The kernel log as /dev/kmsg records, at most KMSG_MAX bytes. */
static int read_kmsg(char **out, size_t *len)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	size_t n = 0;
	char *b;

	if (fd < 0)
		return -errno;
	b = malloc(KMSG_MAX);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	while (n + 8192 < KMSG_MAX) {
		ssize_t r = read(fd, b + n, 8192);

		if (r < 0 && errno == EPIPE)	/* overwritten record: go on */
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*out = b;
	*len = n;
	return 0;
}

void modhost_read(struct modhost *h)
{
	static struct pcpu_kfacts kf;	/* large: units[] */
	struct utsname u;
	size_t len = 0;
	char *log = NULL;
	int ret;

	memset(h, 0, sizeof(*h));
	ret = read_kmsg(&log, &len);
	if (ret) {
		snprintf(h->reserve_why, sizeof(h->reserve_why), "kernel log not "
			 "readable (/dev/kmsg: %s)", strerror(-ret));
	} else {
		pcpu_kfacts_init(&kf);
		ret = pcpu_kfacts_parse_log(&kf, log, len);
		if (!ret && !pcpu_kfacts_get(&kf, PCPU_KF_RESERVED, &h->reserve))
			h->reserve_known = true;
		else
			snprintf(h->reserve_why, sizeof(h->reserve_why), "no "
				 "'percpu: ... rN' boot line in the kernel log%s",
				 kf.first_seq > 0 ? " (rotated out of the ring "
				 "buffer)" : "");
	}
	free(log);
	if (uname(&u)) {
		snprintf(h->loaded_why, sizeof(h->loaded_why), "uname: %s",
			 strerror(errno));
		return;
	}
	ret = pcpu_kmods_loaded("", u.release, &h->l, h->loaded_why,
				sizeof(h->loaded_why));
	h->loaded_known = !ret;
}
