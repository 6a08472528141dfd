// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-file.c - the bounded reader of a file the user names (see
 * pcpu-file.h). The file is opened non-blocking (a FIFO would otherwise
 * block the open itself), checked with fstat() on the open descriptor
 * (no race between the check and the read), and read up to @max + 1
 * bytes so a file that grows while read is still refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcpu-file.h"

static const char *kind(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISDIR(m))
		return "a directory";
	return "not a regular file";
}

static int fail(char *err, size_t errlen, int ret, const char *fmt,
		const char *a, size_t n)
{
	if (err && errlen)
		snprintf(err, errlen, fmt, a, n);
	return ret;
}

/**
 * pcpu_file_read() - see pcpu-file.h.
 * Return: 0; -EINVAL; -EFBIG; -ENOMEM; -errno.
 */
int pcpu_file_read(const char *path, size_t max, char **buf, size_t *len,
		   char *err, size_t errlen)
{
	struct stat st;
	size_t n = 0;
	char *b;
	int fd, ret;

	if (err && errlen)
		err[0] = '\0';
	*buf = NULL;
	if (!path || !*path)
		return fail(err, errlen, -EINVAL, "an empty file name%s", "", 0);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		ret = -errno;
		return fail(err, errlen, ret, "%s", strerror(-ret), 0);
	}
	if (fstat(fd, &st)) {
		ret = -errno;
		close(fd);
		return fail(err, errlen, ret, "%s", strerror(-ret), 0);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errlen, -EINVAL, "%s, not a regular file; "
			    "refused unread", S_ISREG(st.st_mode) ? "" :
			    kind(st.st_mode), 0);
	}
	if ((size_t)st.st_size > max) {
		close(fd);
		return fail(err, errlen, -EFBIG, "%slarger than %zu bytes; "
			    "refused unread", "", max);
	}
	b = malloc(max + 2);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		ssize_t r = read(fd, b + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			free(b);
			close(fd);
			return fail(err, errlen, ret, "%s", strerror(-ret), 0);
		}
		if (!r)
			break;
		n += (size_t)r;
		if (n > max) {
			free(b);
			close(fd);
			return fail(err, errlen, -EFBIG, "%slarger than %zu "
				    "bytes", "", max);
		}
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	if (len)
		*len = n;
	return 0;
}
