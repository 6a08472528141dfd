// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-hugetlb.c - vm.nr_hugepages reserved for one run, restored by a
 * guardian (see pcpu-hugetlb.h). The guardian is forked before the
 * value is written and learns it over a pipe: "A<n>\n" (about to set n)
 * then "S<got>\n" (the value the kernel gave). At end of file (the run
 * is gone, whatever the cause) it writes the old value back when the
 * file still reads what was set (or, had the run died between the two
 * records, what it asked), then exits: status 0 restored or nothing to
 * do, 1 left alone (changed by someone else), 2 a write failed. Only
 * async-signal-safe calls in the guardian.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pcpu-file.h"
#include "pcpu-hotplug.h"
#include "pcpu-hugetlb.h"

struct pcpu_hugetlb {
	char nr_path[480];
	long old, set;
	int lock_fd, pipe_fd;
	pid_t guardian;
};

static long read_long(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -EIO;
	return strtol(buf, NULL, 10);
}

/* async-signal-safe */
static int write_long(const char *path, long v)
{
	char buf[32], tmp[32];
	int fd, len = 0, t = 0, ret = 0;

	if (v == 0)
		tmp[t++] = '0';
	while (v > 0 && t < 30) {
		tmp[t++] = (char)('0' + v % 10);
		v /= 10;
	}
	while (t)
		buf[len++] = tmp[--t];
	buf[len++] = '\n';
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, (size_t)len) != len)
		ret = -EIO;
	close(fd);
	return ret;
}

/* MemAvailable and Hugepagesize from meminfo, in KiB (-1: unknown). */
static void meminfo(const char *path, long *avail_kb, long *huge_kb)
{
	char buf[8192], *p;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*avail_kb = *huge_kb = -1;
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	p = strstr(buf, "MemAvailable:");
	if (p)
		*avail_kb = strtol(p + 13, NULL, 10);
	p = strstr(buf, "Hugepagesize:");
	if (p)
		*huge_kb = strtol(p + 13, NULL, 10);
}

static long parse_rec(const char *s)
{
	long v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return v;
}

static void __attribute__((noreturn))
guardian_main(const char *nr_path, long old, int rfd, int lock_fd)
{
	char buf[128], line[64];
	long asked = -1, got = -1, now;
	size_t ll = 0;
	ssize_t r, i;

	pcpu_hp_guardian_detach(rfd, lock_fd);
	for (;;) {
		r = read(rfd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (i = 0; i < r; i++) {
			if (buf[i] != '\n') {
				if (ll < sizeof(line) - 1)
					line[ll++] = buf[i];
				continue;
			}
			line[ll] = '\0';
			if (line[0] == 'A')
				asked = parse_rec(line + 1);
			else if (line[0] == 'S')
				got = parse_rec(line + 1);
			ll = 0;
		}
	}
	if (asked < 0)
		_exit(0);		/* nothing was written */
	now = read_long(nr_path);
	if (now == old)
		_exit(0);
	if (now != got && !(got < 0 && now == asked))
		_exit(1);		/* someone else changed it: leave it */
	_exit(write_long(nr_path, old) ? 2 : 0);
}

/**
 * pcpu_hugetlb_reserve() - see pcpu-hugetlb.h.
 * Return: 0; -EBUSY; -ENOMEM; -EPERM; -EIO; -errno.
 */
int pcpu_hugetlb_reserve(struct pcpu_hugetlb **out, const char *root,
			 const char *lock, long n, char *msg, size_t len)
{
	struct pcpu_hugetlb *h;
	char mi[480];
	long avail, huge;
	int p[2], ret;
	pid_t pid;

	if (n < 0)
		return pcpu_seterr(msg, len, -EINVAL, "a negative reserve");
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->lock_fd = h->pipe_fd = -1;
	snprintf(h->nr_path, sizeof(h->nr_path), "%s/nr_hugepages",
		 root ? root : "/proc/sys/vm");
	snprintf(mi, sizeof(mi), "%s", root ? root : "/proc");
	strncat(mi, "/meminfo", sizeof(mi) - strlen(mi) - 1);
	if (!root && geteuid() != 0) {
		free(h);
		return pcpu_seterr(msg, len, -EPERM, "--hugetlb-reserve needs root "
			   "(it writes /proc/sys/vm/nr_hugepages)");
	}
	h->lock_fd = open(lock ? lock : PCPU_HUGETLB_LOCK,
			  O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (h->lock_fd < 0) {
		ret = -errno;
		pcpu_seterr(msg, len, ret, "cannot open the lock %s: %s",
		    lock ? lock : PCPU_HUGETLB_LOCK, strerror(-ret));
		free(h);
		return ret;
	}
	if (flock(h->lock_fd, LOCK_EX | LOCK_NB)) {
		close(h->lock_fd);
		free(h);
		return pcpu_seterr(msg, len, -EBUSY, "another run is changing "
			   "vm.nr_hugepages (it holds %s); try again after it",
			   lock ? lock : PCPU_HUGETLB_LOCK);
	}
	h->old = read_long(h->nr_path);
	if (h->old < 0) {
		ret = (int)h->old;
		pcpu_seterr(msg, len, ret, "cannot read %s: %s", h->nr_path, strerror(-ret));
		goto err;
	}
	meminfo(mi, &avail, &huge);
	if (n > h->old && (avail < 0 || huge <= 0 ||
			   (n - h->old) > avail / 2 / huge)) {
		ret = pcpu_seterr(msg, len, -ENOMEM, "--hugetlb-reserve %ld: %ld more "
			  "huge pages of %ld KiB are more than half of the %ld KiB "
			  "available here (MemAvailable); nothing changed", n,
			  n - h->old, huge, avail);
		goto err;
	}
	if (pipe2(p, O_CLOEXEC)) {
		ret = -errno;
		goto err;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(p[0]);
		close(p[1]);
		goto err;
	}
	if (pid == 0) {
		close(p[1]);
		guardian_main(h->nr_path, h->old, p[0], h->lock_fd);
	}
	close(p[0]);
	h->guardian = pid;
	h->pipe_fd = p[1];
	dprintf(h->pipe_fd, "A%ld\n", n);
	if (write_long(h->nr_path, n)) {
		ret = pcpu_seterr(msg, len, -EIO, "cannot write %s", h->nr_path);
		pcpu_hugetlb_restore(h, NULL, 0);
		return ret;
	}
	h->set = read_long(h->nr_path);
	dprintf(h->pipe_fd, "S%ld\n", h->set);
	pcpu_seterr(msg, len, 0, "vm.nr_hugepages %ld -> %ld (asked %ld); a guardian "
	    "(PID %d) restores %ld when the run ends", h->old, h->set, n,
	    (int)pid, h->old);
	*out = h;
	return 0;
err:
	close(h->lock_fd);
	free(h);
	return ret;
}

int pcpu_hugetlb_restore(struct pcpu_hugetlb *h, char *msg, size_t len)
{
	int st = 0, ret;
	long now;

	if (!h)
		return -EINVAL;
	close(h->pipe_fd);
	while (waitpid(h->guardian, &st, 0) < 0 && errno == EINTR)
		;
	now = read_long(h->nr_path);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
		ret = pcpu_seterr(msg, len, 0, "vm.nr_hugepages restored to %ld", now);
	} else if (WIFEXITED(st) && WEXITSTATUS(st) == 1) {
		ret = pcpu_seterr(msg, len, 1, "vm.nr_hugepages left at %ld: changed by "
			  "someone else since this run set %ld", now, h->set);
	} else {
		ret = pcpu_seterr(msg, len, -EIO, "vm.nr_hugepages not restored to %ld "
			  "(now %ld)", h->old, now);
	}
	close(h->lock_fd);
	free(h);
	return ret;
}

pid_t pcpu_hugetlb_guardian_pid(const struct pcpu_hugetlb *h)
{
	return h ? h->guardian : -1;
}
