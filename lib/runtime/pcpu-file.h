/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-file.h - the one way a file the user names is read: a regular
 * file only (a FIFO, device node, socket or directory is refused before
 * any read, so nothing blocks and nothing endless is read), at most a
 * given size, into memory, NUL terminated. For topology XML, the TLB
 * calibration, anything the user points the program at.
 */
#ifndef PCPU_FILE_H
#define PCPU_FILE_H

#include <stddef.h>

/* Limits per kind of input (bytes). */
#define PCPU_FILE_MAX_XML	(16u << 20)	/* topology XML */
#define PCPU_FILE_MAX_SMALL	(1u << 20)	/* calibration, small text */

/**
 * pcpu_file_read() - read a whole regular file of at most @max bytes.
 * @path: the file (a symlink to a regular file is followed).
 * @buf: set to a malloc'd copy, NUL terminated (free() it).
 * @len: its length (may be NULL).
 * @err: a line saying what is wrong ("a FIFO, not a regular file",
 *       "larger than 16777216 bytes"), may be NULL.
 * Return: 0; -EINVAL empty path or not a regular file (FIFO, device
 * node, socket, directory); -EFBIG larger than @max; -ENOMEM; -errno of
 * open() or read() (ENOENT, EACCES ...).
 */
int pcpu_file_read(const char *path, size_t max, char **buf, size_t *len,
		   char *err, size_t errlen);

/* A message into @err (may be NULL) and @ret back, for "return
 * pcpu_seterr(err, len, -EINVAL, "...", ...)" (lib/runtime/pcpu-core.c). */
int pcpu_seterr(char *err, size_t len, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* PCPU_FILE_H */
