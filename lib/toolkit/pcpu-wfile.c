// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-wfile.c - the checked writer (see pcpu-wfile.h). Every check is
 * made before anything is created; the temporary file is
 * "<target>.tmp.XXXXXX" (mkostemp: O_EXCL, a name nobody can plant a
 * symlink at) in the target's own directory, so the rename is atomic.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "pcpu-wfile.h"

struct pcpu_wfile {
	FILE *f;
	char *target, *tmp;
	int existed;		/* the target existed before */
};

/* Kernel file systems nothing is ever written into. */
static const unsigned long kernel_fs[] = {
	0x9fa0,		/* proc */
	0x62656572,	/* sysfs */
	0x1cd1,		/* devpts */
	0x64626720,	/* debugfs */
	0x74726163,	/* tracefs */
	0x27e0eb,	/* cgroup */
	0x63677270,	/* cgroup2 */
	0x73636673,	/* securityfs */
	0xcafe4a11,	/* bpf */
	0x62656570,	/* configfs */
	0xde5e81e4,	/* efivarfs */
	0x6165676c,	/* pstore */
	0xf97cff8c,	/* selinuxfs */
	0x42494e4d,	/* binfmt_misc */
	0x65735543,	/* fusectl */
	0x958458f6,	/* hugetlbfs */
};

const char *pcpu_wfile_strerror(int err)
{
	switch (-err) {
	case EINVAL:
		return "an empty file name";
	case EEXIST:
		return "exists and is not a regular file (a device node, FIFO, "
		       "socket, directory or a symlink to one or to nothing); "
		       "refusing to replace it";
	case ENOENT:
	case ENOTDIR:
		return "no such directory (none is created)";
	case ETXTBSY:
		return "is the running program or an executable file; "
		       "refusing to replace it";
	case EMLINK:
		return "has other hard links (replacing it would split them); "
		       "refusing to replace it";
	case EXDEV:
		return "is in /proc, /sys, /dev or another kernel file system; "
		       "refusing to write there";
	default:
		return strerror(-err);
	}
}

static int under(const char *real, const char *top)
{
	size_t n = strlen(top);

	return !strncmp(real, top, n) && (real[n] == '/' || !real[n]);
}

/* The directory of @target must exist and be an ordinary one. */
static int dir_check(const char *target)
{
	char *d = strdup(target), *slash, *real;
	struct statfs sf;
	struct stat st;
	size_t i;
	int ret = 0;

	if (!d)
		return -ENOMEM;
	slash = strrchr(d, '/');
	if (!slash)
		strcpy(d, ".");
	else if (slash == d)
		d[1] = '\0';
	else
		*slash = '\0';
	if (stat(d, &st) || !S_ISDIR(st.st_mode)) {
		free(d);
		return -ENOENT;
	}
	real = realpath(d, NULL);
	if (!real) {
		ret = errno == ENOMEM ? -ENOMEM : -ENOENT;
		free(d);
		return ret;
	}
	if (under(real, "/proc") || under(real, "/sys") || under(real, "/dev"))
		ret = -EXDEV;
	if (!ret && !statfs(real, &sf))
		for (i = 0; i < sizeof(kernel_fs) / sizeof(kernel_fs[0]); i++)
			if ((unsigned long)sf.f_type == kernel_fs[i])
				ret = -EXDEV;
	free(real);
	free(d);
	return ret;
}

/* An existing regular target that must not be replaced. */
static int target_check(const char *target, const struct stat *st)
{
	struct stat exe;
	char magic[4];
	int fd;
	ssize_t n;

	if (!stat("/proc/self/exe", &exe) && exe.st_dev == st->st_dev &&
	    exe.st_ino == st->st_ino)
		return -ETXTBSY;
	if (st->st_mode & (S_IXUSR | S_IXGRP | S_IXOTH))
		return -ETXTBSY;
	if (st->st_nlink > 1)
		return -EMLINK;
	fd = open(target, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0) {
		n = read(fd, magic, 4);
		close(fd);
		if (n == 4 && !memcmp(magic, "\177ELF", 4))
			return -ETXTBSY;
	}
	return 0;
}

/*
 * Resolve @path: *@target (malloc'd) is the file that will be written,
 * *@st its state when it exists (*@existed).
 */
static int resolve(const char *path, char **target, int *existed,
		   struct stat *st)
{
	int ret;

	*target = NULL;
	*existed = 0;
	if (!path || !*path)
		return -EINVAL;
	if (strlen(path) >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!lstat(path, st)) {
		if (S_ISLNK(st->st_mode)) {
			if (stat(path, st) || !S_ISREG(st->st_mode))
				return -EEXIST;
			*target = realpath(path, NULL);
			if (!*target)
				return errno == ENOMEM ? -ENOMEM : -EEXIST;
		} else if (S_ISREG(st->st_mode)) {
			*target = strdup(path);
			if (!*target)
				return -ENOMEM;
		} else {
			return -EEXIST;
		}
		*existed = 1;
	} else if (errno == ENOENT) {
		*target = strdup(path);
		if (!*target)
			return -ENOMEM;
	} else {
		return errno == ENOTDIR ? -ENOENT : -errno;
	}
	ret = dir_check(*target);
	if (!ret && *existed)
		ret = target_check(*target, st);
	if (ret) {
		free(*target);
		*target = NULL;
	}
	return ret;
}

/**
 * pcpu_wfile_check() - see pcpu-wfile.h.
 * Return: 0; -errno as listed there.
 */
int pcpu_wfile_check(const char *path)
{
	struct stat st;
	char *t;
	int existed, ret = resolve(path, &t, &existed, &st);

	free(t);
	return ret;
}

/**
 * pcpu_wfile_open() - see pcpu-wfile.h.
 * Return: 0; -errno.
 */
int pcpu_wfile_open(struct pcpu_wfile **out, const char *path, FILE **fp)
{
	struct pcpu_wfile *w;
	struct stat st;
	int fd, ret;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	ret = resolve(path, &w->target, &w->existed, &st);
	if (ret)
		goto err;
	ret = -ENOMEM;
	if (asprintf(&w->tmp, "%s.tmp.XXXXXX", w->target) < 0) {
		w->tmp = NULL;
		goto err;
	}
	fd = mkostemp(w->tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(w->tmp);
		w->tmp = NULL;
		goto err;
	}
	/* The target's owner and mode are kept; a new file is 0644. */
	if (w->existed) {
		if (fchown(fd, st.st_uid, st.st_gid) && st.st_uid != geteuid())
			ret = -EPERM;
		else if (fchmod(fd, st.st_mode & 07777))
			ret = -errno;
		else
			ret = 0;
	} else {
		ret = fchmod(fd, 0644) ? -errno : 0;
	}
	if (!ret) {
		w->f = fdopen(fd, "w");
		if (!w->f)
			ret = -errno;
	}
	if (ret) {
		close(fd);
		unlink(w->tmp);
		goto err;
	}
	*out = w;
	*fp = w->f;
	return 0;
err:
	free(w->target);
	free(w->tmp);
	free(w);
	return ret;
}

static void wfree(struct pcpu_wfile *w)
{
	free(w->target);
	free(w->tmp);
	free(w);
}

/* Flush, fsync and close; the temporary file stays. Return: 0; -errno. */
static int finish(struct pcpu_wfile *w)
{
	int ret = 0;

	errno = 0;
	if (fflush(w->f) || ferror(w->f))
		ret = errno && errno != EINTR ? -errno : -EIO;
	if (!ret && fsync(fileno(w->f)))
		ret = -errno;
	errno = 0;
	if (fclose(w->f) && !ret)
		ret = errno ? -errno : -EIO;
	w->f = NULL;
	return ret;
}

int pcpu_wfile_commit(struct pcpu_wfile *w)
{
	int ret;

	if (!w)
		return -EINVAL;
	ret = finish(w);
	if (!ret && rename(w->tmp, w->target))
		ret = -errno;
	if (ret)
		unlink(w->tmp);
	wfree(w);
	return ret;
}

int pcpu_wfile_commit2(struct pcpu_wfile *a, struct pcpu_wfile *b, int *which)
{
	int ret;

	*which = 0;
	ret = finish(a);
	if (!ret) {
		*which = 1;
		ret = finish(b);
	}
	if (!ret) {
		*which = 0;
		if (rename(a->tmp, a->target))
			ret = -errno;
	}
	if (!ret) {
		*which = 1;
		if (rename(b->tmp, b->target)) {
			ret = -errno;
			if (!a->existed)
				unlink(a->target);
		}
	}
	if (ret) {
		unlink(a->tmp);
		unlink(b->tmp);
	}
	if (b->f)
		fclose(b->f);
	if (a->f)
		fclose(a->f);
	wfree(a);
	wfree(b);
	return ret;
}

void pcpu_wfile_abort(struct pcpu_wfile *w)
{
	if (!w)
		return;
	if (w->f)
		fclose(w->f);
	unlink(w->tmp);
	wfree(w);
}

const char *pcpu_wfile_tmp(const struct pcpu_wfile *w)
{
	return w ? w->tmp : NULL;
}

const char *pcpu_wfile_target(const struct pcpu_wfile *w)
{
	return w ? w->target : NULL;
}
