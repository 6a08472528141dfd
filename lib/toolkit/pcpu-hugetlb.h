/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-hugetlb.h - a run's own change of vm.nr_hugepages, undone by a
 * guardian (as the sysfs hotplug backend does for CPUs): a forked child
 * in its own session that restores the old value when the run ends in
 * any way (exit, crash, kill -9), but only when the pool still holds
 * what this run set (another's later change is left alone and said so).
 * One run at a time: a lock file shared by every pcpubench, held by the
 * run and its guardian until the value is restored. The reserve is
 * checked against the memory the machine has available before.
 */
#ifndef PCPU_HUGETLB_H
#define PCPU_HUGETLB_H

#include <stddef.h>
#include <sys/types.h>

struct pcpu_hugetlb;

/* Where the lock lives (one per machine). */
#define PCPU_HUGETLB_LOCK "/run/lock/pcpubench-hugetlb.lock"

/**
 * pcpu_hugetlb_reserve() - set nr_hugepages to @n for this run.
 * @root: the directory with nr_hugepages and meminfo (NULL: the real
 *        /proc/sys/vm/nr_hugepages and /proc/meminfo; a test gives a
 *        directory of plain files).
 * @lock: the lock file (NULL: PCPU_HUGETLB_LOCK).
 * @msg: what was done ("vm.nr_hugepages 0 -> 8 (asked 8)") or why not.
 * Return: 0; -EBUSY another run holds the lock; -ENOMEM the reserve is
 * more than half of MemAvailable (nothing changed); -EPERM not root
 * (real file); -EIO; -errno.
 */
int pcpu_hugetlb_reserve(struct pcpu_hugetlb **h, const char *root,
			 const char *lock, long n, char *msg, size_t len);

/**
 * pcpu_hugetlb_restore() - end the reserve now: the guardian restores
 * the old value (if the pool still holds ours) and exits; frees @h.
 * @msg: "restored to 0", or "left at 5: changed by someone else".
 * Return: 0 restored; 1 left alone (changed by another); -errno.
 */
int pcpu_hugetlb_restore(struct pcpu_hugetlb *h, char *msg, size_t len);

/* The guardian's PID (tests). */
pid_t pcpu_hugetlb_guardian_pid(const struct pcpu_hugetlb *h);

#endif /* PCPU_HUGETLB_H */
