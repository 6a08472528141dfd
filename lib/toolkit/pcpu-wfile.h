/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-wfile.h - the one way the program writes a file the user names
 * (-o, --save-calibration, PCPU_CALIBRATION, the CSV's .meta.json, info
 * -o): a new name in an existing directory, or a regular file (through a
 * symlink: its target) replaced atomically. The data goes to a temporary
 * file created with O_EXCL (mkostemp) beside the target, is flushed to
 * disk (fsync) and renamed over it; an existing target's owner and mode
 * are kept. Refused before anything is created: a device node, FIFO,
 * socket, directory or dangling symlink (-EEXIST); a missing directory
 * (-ENOENT, none is created); the running program or any executable
 * file (-ETXTBSY); a file with other hard links (-EMLINK, replacing it
 * would split them); a file in procfs, sysfs, /dev or another kernel
 * file system (-EXDEV); an empty name (-EINVAL).
 */
#ifndef PCPU_WFILE_H
#define PCPU_WFILE_H

#include <stdio.h>

struct pcpu_wfile;

/**
 * pcpu_wfile_check() - would pcpu_wfile_open() accept @path? Nothing is
 * created. Return: 0; -EINVAL; -EEXIST; -ENOENT; -ENOTDIR; -ETXTBSY;
 * -EMLINK; -EXDEV; -ENAMETOOLONG; -ENOMEM; -errno of lstat().
 */
int pcpu_wfile_check(const char *path);

/* A line for the refusals of pcpu_wfile_check() ("exists and is not a
 * regular file ..."), strerror() for the others. */
const char *pcpu_wfile_strerror(int err);

/**
 * pcpu_wfile_open() - start writing @path: @fp is the temporary file.
 * Return: 0; as pcpu_wfile_check(); -errno of creating the temporary
 * file (EACCES, EROFS, ENOSPC ...) or of keeping the target's owner
 * (EPERM).
 */
int pcpu_wfile_open(struct pcpu_wfile **w, const char *path, FILE **fp);

/**
 * pcpu_wfile_commit() - flush, fsync, close and rename into place.
 * Frees @w in every case; on error the temporary file is removed and
 * the target is untouched.
 * Return: 0; -errno of the write, fsync or rename (ENOSPC, EIO ...).
 */
int pcpu_wfile_commit(struct pcpu_wfile *w);

/**
 * pcpu_wfile_commit2() - two files that go together (a CSV and its
 * .meta.json): both are flushed to disk before either is renamed; if
 * the second rename fails the first target, when it was new, is
 * removed again. Frees both. Return: 0; the first -errno; *@which is
 * set to 0 or 1, the file that failed.
 */
int pcpu_wfile_commit2(struct pcpu_wfile *a, struct pcpu_wfile *b, int *which);

/* Drop the output: the temporary file is removed. Frees @w. */
void pcpu_wfile_abort(struct pcpu_wfile *w);

/* The temporary file (for a signal handler that removes it) and the
 * path that will be written (a symlink's target). */
const char *pcpu_wfile_tmp(const struct pcpu_wfile *w);
const char *pcpu_wfile_target(const struct pcpu_wfile *w);

#endif /* PCPU_WFILE_H */
