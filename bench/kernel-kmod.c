// SPDX-License-Identifier: GPL-2.0
/*
 * kernel-kmod.c - the module of `pcpubench kernel` seen from the
 * program: whether it can run here (root, a module built for this
 * kernel, loading allowed, no signature enforcement or lockdown,
 * debugfs), loading and unloading it, and its debugfs control file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "bench-common.h"
#include "bench-env.h"
#include "kernel-kmod.h"
#include "pcpu-file.h"
#include "pcpu-sysinfo.h"
#include "pcpubench.h"

#define CMD KERNEL_CMD

/* ---- can it run here? ------------------------------------------------ */

static bool file_exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

/* The release in the module's vermagic ("6.1.0-57-amd64 SMP ..."). */
static int module_vermagic(const char *path, char *rel, size_t len)
{
	static const char key[] = "vermagic=";
	FILE *f = fopen(path, "rb");
	size_t k = 0, n = 0;
	int c, found = 0;

	if (!f)
		return -errno;
	while ((c = fgetc(f)) != EOF) {
		if (!found) {
			k = (c == key[k]) ? k + 1 : (c == key[0]);
			if (k == sizeof(key) - 1)
				found = 1;
			continue;
		}
		if (c == ' ' || c == 0 || n + 1 >= len)
			break;
		rel[n++] = (char)c;
	}
	fclose(f);
	rel[n] = 0;
	return found && n ? 0 : -ENOEXEC;
}

static bool module_signed(const char *path)
{
	static const char magic[] = "~Module signature appended~\n";
	char buf[sizeof(magic)];
	FILE *f = fopen(path, "rb");
	bool ok = false;

	if (!f)
		return false;
	if (fseek(f, -(long)(sizeof(magic) - 1), SEEK_END) == 0 &&
	    fread(buf, 1, sizeof(magic) - 1, f) == sizeof(magic) - 1)
		ok = !memcmp(buf, magic, sizeof(magic) - 1);
	fclose(f);
	return ok;
}

void kmod_default_path(char *buf, size_t len)
{
	char exe[2048];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0) {
		snprintf(buf, len, "build/kmod/%s", KMOD_FILE);
		return;
	}
	exe[n] = 0;
	slash = strrchr(exe, '/');
	if (slash)
		*slash = 0;
	snprintf(buf, len, "%s/kmod/%s", exe, KMOD_FILE);
}

bool kmod_loaded(void)
{
	return file_exists(KMOD_SYS);
}

/*
 * Every reason the module cannot be loaded here, checked before anything
 * is loaded. Return: 0, or EXIT_SKIP with the reason printed.
 */
int kmod_can_run(const char *mod)
{
	char rel[128] = "", hdr[512], s[256];
	struct utsname u;
	struct statfs sf;

	if (geteuid() != 0) {
		fprintf(stderr, CMD ": needs root (it loads a kernel module); not run\n");
		return EXIT_SKIP;
	}
	if (uname(&u)) {
		fprintf(stderr, CMD ": uname: %s\n", strerror(errno));
		return EXIT_SKIP;
	}
	snprintf(hdr, sizeof(hdr), "/lib/modules/%s/build/Makefile", u.release);
	if (kmod_loaded())
		goto loaded;
	if (!file_exists(mod)) {
		if (!file_exists(hdr))
			fprintf(stderr, CMD ": no kernel headers for the running kernel "
				"%s (/lib/modules/%s/build is missing), so no module can "
				"be built for it, and there is no %s; install "
				"linux-headers-%s and run `make kmod`\n",
				u.release, u.release, mod, u.release);
		else
			fprintf(stderr, CMD ": %s is not built: run `make kmod` "
				"(headers for %s are there)\n", mod, u.release);
		return EXIT_SKIP;
	}
	if (module_vermagic(mod, rel, sizeof(rel))) {
		fprintf(stderr, CMD ": %s has no vermagic: not a kernel module\n", mod);
		return EXIT_SKIP;
	}
	if (strcmp(rel, u.release)) {
		fprintf(stderr, CMD ": %s was built for kernel %s, this kernel is "
			"%s%s%s%s; not loaded\n", mod, rel, u.release,
			file_exists(hdr) ? " (rebuild: make kmod)" :
			", and there are no headers for it (/lib/modules/",
			file_exists(hdr) ? "" : u.release,
			file_exists(hdr) ? "" : "/build is missing): no module can be "
			"built for this kernel");
		return EXIT_SKIP;
	}
	if (!pcpu_sysinfo_read_str("/proc/sys/kernel/modules_disabled", s, sizeof(s)) &&
	    !strcmp(s, "1")) {
		fprintf(stderr, CMD ": module loading is disabled "
			"(kernel.modules_disabled=1)\n");
		return EXIT_SKIP;
	}
	if (!pcpu_sysinfo_read_str("/sys/module/module/parameters/sig_enforce", s,
				 sizeof(s)) && !strcmp(s, "Y") && !module_signed(mod)) {
		fprintf(stderr, CMD ": the kernel enforces module signatures "
			"(module.sig_enforce=Y) and %s is not signed\n", mod);
		return EXIT_SKIP;
	}
	if (!pcpu_sysinfo_read_str("/sys/kernel/security/lockdown", s, sizeof(s)) &&
	    !strstr(s, "[none]")) {
		fprintf(stderr, CMD ": the kernel is locked down (%s): it loads no "
			"unsigned module and hides debugfs\n", s);
		return EXIT_SKIP;
	}
loaded:
	if (statfs(DEBUGFS, &sf) || (unsigned long)sf.f_type != DEBUGFS_MAGIC_) {
		fprintf(stderr, CMD ": debugfs is not mounted at " DEBUGFS
			" (mount -t debugfs none " DEBUGFS ")\n");
		return EXIT_SKIP;
	}
	return 0;
}

int kmod_load(const char *mod)
{
	int fd, r;

	/* Host tests set this: never reach finit_module outside the guest. */
	if (bench_env_get("PCPU_KMOD_NO_LOAD") &&
	    strcmp(bench_env_get("PCPU_KMOD_NO_LOAD"), "0")) {
		fprintf(stderr, CMD ": loading disabled by PCPU_KMOD_NO_LOAD\n");
		return EXIT_SKIP;
	}
	fd = open(mod, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, CMD ": %s: %s\n", mod, strerror(errno));
		return EXIT_SKIP;
	}
	{
		char elf[4];

		if (read(fd, elf, 4) != 4 || memcmp(elf, "\177ELF", 4) ||
		    lseek(fd, 0, SEEK_SET)) {
			fprintf(stderr, CMD ": %s is not an ELF object; not loaded\n", mod);
			close(fd);
			return EXIT_SKIP;
		}
	}
	r = (int)syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	if (r) {
		int e = errno;

		fprintf(stderr, CMD ": the kernel refused %s: %s%s\n", mod, strerror(e),
			e == EKEYREJECTED || e == ENOKEY ? " (signature)" :
			e == EPERM ? " (lockdown, modules disabled or no CAP_SYS_MODULE)" :
			e == ENOEXEC || e == EINVAL ? " (built for another kernel?)" :
			e == EEXIST ? " (already loaded)" : "");
		return EXIT_SKIP;
	}
	return 0;
}

int kmod_unload(void)
{
	if (syscall(SYS_delete_module, KMOD_NAME, O_NONBLOCK)) {
		fprintf(stderr, CMD ": cannot unload " KMOD_NAME ": %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

const char *kmod_fake(void)
{
	const char *f = bench_env_get("PCPU_TEST_KMOD_OUT");

	return f && *f ? f : NULL;
}

/* Run one module command; its output (malloc'd, NUL-terminated) in *out. */
int kmod_ctl(const char *cmd, char **out)
{
	size_t cap = 1 << 16, len = 0;
	char *buf;
	ssize_t n;
	int fd;

	*out = NULL;
	if (kmod_fake())	/* the test hook: a canned answer, checked read */
		return pcpu_file_read(kmod_fake(), 16u << 20, out, NULL,
				      NULL, 0);
	fd = open(KCTL, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, cmd, strlen(cmd));
	close(fd);
	if (n < 0)
		return -errno;
	fd = open(KOUT, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (len + 4096 > cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0) {
			free(buf);
			close(fd);
			return -errno;
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = 0;
	*out = buf;
	return 0;
}

/* Split a CSV line in place. Return: field count. */
int kmod_fields(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		f[n++] = p;
		p = strchr(p, ',');
		if (!p)
			break;
		*p++ = 0;
	}
	return n;
}
