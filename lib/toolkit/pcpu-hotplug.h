/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-hotplug.h - real CPU hotplug through sysfs, with a guardian.
 *
 * The sysfs backend of the churn command's hotplug driver. It writes
 * 0 or 1 to <root>/cpuN/online, reads every write back, never touches
 * CPU 0, and brings every CPU it took offline back online:
 *
 * - on pcpu_hp_sysfs_restore() and pcpu_hp_sysfs_close() (normal exit);
 * - on SIGINT/SIGTERM once pcpu_hp_sysfs_signals() is installed;
 * - after a crash or SIGKILL of the benchmark: pcpu_hp_sysfs_open() forks a
 *   *guardian* (a new session, SIGINT/SIGTERM/SIGHUP ignored) that is told
 *   through a pipe which CPU is about to go offline *before* the write.
 *   When the pipe reaches end of file (the benchmark exited, however it
 *   died), the guardian onlines each CPU it was told about (retrying EBUSY
 *   a few times) and exits.
 *
 * @root is normally NULL (/sys/devices/system/cpu); tests pass a directory
 * that imitates it (cpuN/online files holding "0" or "1"). With a fake
 * root, the root check is skipped.
 *
 * Functions return 0 (or a count) or a negative errno; none prints or
 * exits (only the guardian child _exit()s). Not thread-safe: one thread
 * (the hotplug driver) uses a handle.
 */
#ifndef PCPU_HOTPLUG_H
#define PCPU_HOTPLUG_H

#include <stdbool.h>
#include <stddef.h>

#define PCPU_HP_SYSFS_ROOT "/sys/devices/system/cpu"
/* Highest CPU id + 1 a handle can take offline (as PCPU_NR_CPUS). */
#define PCPU_HP_MAX_CPUS 16384

struct pcpu_hp_sysfs;

/*
 * pcpu_hp_sysfs_open() - open the sysfs hotplug backend, start the guardian.
 * @out:    the new handle
 * @root:   NULL for PCPU_HP_SYSFS_ROOT, or a fake tree (tests)
 * @err:    message buffer (may be NULL)
 *
 * Context: process context; forks once. Only one handle per process
 * should install signal handlers.
 * Return: 0; -EPERM not root (real root only); -ENOENT no hotpluggable
 * CPU (no cpuN/online file other than cpu0's) or no such root;
 * -ENAMETOOLONG root path too long; -ENOMEM; -errno from pipe()/fork().
 */
int pcpu_hp_sysfs_open(struct pcpu_hp_sysfs **out, const char *root,
		       char *err, size_t errlen);

/*
 * pcpu_hp_sysfs_hotpluggable() - CPUs that have an online file, never 0.
 * @cpus: filled with up to @max ids, ascending
 *
 * Return: the number of hotpluggable CPUs (may exceed @max: only @max are
 * written); -errno reading the root directory.
 */
int pcpu_hp_sysfs_hotpluggable(struct pcpu_hp_sysfs *h, int *cpus,
			       size_t max);

/*
 * pcpu_hp_sysfs_set() - online or offline one CPU and verify it.
 *
 * Before an offline write the guardian is told about @cpu. The value is
 * written, then read back.
 *
 * Return: 0 (also when already in that state); -EPERM @cpu is 0;
 * -EINVAL @cpu >= PCPU_HP_MAX_CPUS; -ENOENT no online file for @cpu; -EBUSY the kernel refused for now
 * (a soft miss the caller counts); -EIO the read-back disagrees;
 * -EPIPE the guardian is gone (nothing is offlined then); other -errno
 * from open/write/read.
 */
int pcpu_hp_sysfs_set(struct pcpu_hp_sysfs *h, unsigned cpu, bool online);

/*
 * pcpu_hp_sysfs_get() - read a CPU's online state.
 * Return: 0; -ENOENT no online file; -EIO content is neither 0 nor 1;
 * other -errno.
 */
int pcpu_hp_sysfs_get(struct pcpu_hp_sysfs *h, unsigned cpu, bool *online);

/*
 * pcpu_hp_sysfs_restore() - online every CPU this handle took offline.
 * Retries -EBUSY a few times per CPU.
 * Return: 0; the first -errno met (every CPU is still tried).
 */
int pcpu_hp_sysfs_restore(struct pcpu_hp_sysfs *h);

/*
 * pcpu_hp_sysfs_close() - restore, stop the guardian (it finds nothing left
 * to do and exits; it is reaped), free the handle. NULL is a no-op.
 */
void pcpu_hp_sysfs_close(struct pcpu_hp_sysfs *h);

/*
 * pcpu_hp_sysfs_signals() - on SIGINT or SIGTERM, online every CPU this
 * handle took offline, then die of that signal (the conventional status,
 * 128 + signo). The handler uses only open/write/close/lseek/read.
 * The handle must stay open until closed by pcpu_hp_sysfs_close(), which
 * puts back the previous handlers.
 * Return: 0; -EBUSY another handle has them installed; -errno from
 * sigaction().
 */
int pcpu_hp_sysfs_signals(struct pcpu_hp_sysfs *h);

/* Pid of the guardian process (tests), or -1. */
int pcpu_hp_sysfs_guardian_pid(const struct pcpu_hp_sysfs *h);

/*
 * pcpu_hp_sysfs_inject() - for tests: make the next write to @cpu's online
 * file fail with @err (a positive errno, e.g. EBUSY) without writing, as a
 * fake tree of regular files never refuses; PCPU_HP_INJECT_IGNORE makes it
 * "succeed" without writing (a read-back mismatch). 0 clears it.
 */
#define PCPU_HP_INJECT_IGNORE (-1)
void pcpu_hp_sysfs_inject(struct pcpu_hp_sysfs *h, unsigned cpu, int err);

/**
 * pcpu_hp_guardian_detach() - in a freshly forked guardian: its own session,
 * SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT and SIGTSTP ignored, no
 * signal blocked, stdio on /dev/null, every other descriptor closed but
 * @keep and @keep2 (-1: none). Used by the hotplug and the hugetlb
 * guardians (lib/toolkit/pcpu-hugetlb.c).
 */
void pcpu_hp_guardian_detach(int keep, int keep2);

#endif /* PCPU_HOTPLUG_H */
