// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-hotplug.c - real CPU hotplug through sysfs, with a guardian.
 *
 * The handle remembers, in a bitmap, each CPU it took offline. Before an
 * offline write it sends the CPU id to the guardian over a Unix stream
 * socket (so a SIGKILL right after the write still leaves the id in the
 * socket buffer); after an online write it sends "forget". The guardian is
 * a forked child in its own session with SIGINT, SIGTERM, SIGHUP and
 * SIGPIPE ignored and stdio on /dev/null. When its socket reads end of
 * file (every copy of the benchmark's end is closed: normal exit, crash,
 * SIGKILL) it onlines the CPUs it still remembers, retrying EBUSY, and
 * _exit()s. An explicit "quit" record (pcpu_hp_sysfs_close()) makes it
 * exit at once, after the same check.
 *
 * The guardian and the signal handler use only async-signal-safe calls
 * (open, read, write, close, nanosleep, _exit): the benchmark may have
 * threads when it forks, and a handler may interrupt anything. Paths are
 * built by hand for the same reason.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pcpu-hotplug.h"

#define HP_BITS_PER_WORD (8 * sizeof(unsigned long))
#define HP_WORDS (PCPU_HP_MAX_CPUS / HP_BITS_PER_WORD)
#define HP_PATH_MAX 512
/* EBUSY retries: in set() none (a soft miss); in restore and guardian: */
#define HP_RESTORE_TRIES 20
#define HP_RESTORE_DELAY_NS (50 * 1000 * 1000L)
/* In the signal handler: no sleeping, a few immediate retries. */
#define HP_SIGNAL_TRIES 5

/* Records on the guardian socket: (cpu << 2) | op. */
enum {
	HP_OP_OFF = 1,		/* about to offline cpu: remember it */
	HP_OP_FORGET = 2,	/* cpu is back online: forget it */
	HP_OP_QUIT = 3,		/* clean close: check, then exit */
};

struct pcpu_hp_sysfs {
	char root[HP_PATH_MAX - 32];
	int sock;			/* our end of the guardian socket */
	pid_t guardian;
	unsigned long taken[HP_WORDS];	/* CPUs this handle took offline */
	unsigned inject_cpu;
	int inject_err;
	bool signals;
	struct sigaction old_int, old_term;
};

/* The handle whose CPUs the SIGINT/SIGTERM handler restores. */
static struct pcpu_hp_sysfs *hp_signal_handle;

static void __attribute__((format(printf, 3, 4)))
hp_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- async-signal-safe helpers ------------------------------------------ */

static void hp_mark(unsigned long *bits, unsigned cpu)
{
	__atomic_fetch_or(&bits[cpu / HP_BITS_PER_WORD],
			  1UL << (cpu % HP_BITS_PER_WORD), __ATOMIC_RELAXED);
}

static void hp_unmark(unsigned long *bits, unsigned cpu)
{
	__atomic_fetch_and(&bits[cpu / HP_BITS_PER_WORD],
			   ~(1UL << (cpu % HP_BITS_PER_WORD)), __ATOMIC_RELAXED);
}

static bool hp_marked(const unsigned long *bits, unsigned cpu)
{
	return (__atomic_load_n(&bits[cpu / HP_BITS_PER_WORD],
				__ATOMIC_RELAXED) >> (cpu % HP_BITS_PER_WORD)) & 1;
}

/* "<root>/cpu<N>/online" into @buf (HP_PATH_MAX), without snprintf. */
static void hp_path(char *buf, const char *root, unsigned cpu)
{
	char digits[12];
	size_t n = 0, len;
	int i = 0;

	len = strlen(root);
	memcpy(buf, root, len);
	n = len;
	memcpy(buf + n, "/cpu", 4);
	n += 4;
	do {
		digits[i++] = '0' + cpu % 10;
		cpu /= 10;
	} while (cpu);
	while (i)
		buf[n++] = digits[--i];
	memcpy(buf + n, "/online", 8);
}

/* open(2) of an online file, again after EINTR: fd, or -errno. */
static int hp_open(const char *path, int flags)
{
	int fd;

	do {
		fd = open(path, flags | O_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : fd;
}

/* Read an online file: 0/1, or -errno (-EIO: neither "0" nor "1"). */
static int hp_read_state(const char *path)
{
	char c[8];
	ssize_t r;
	int fd;

	fd = hp_open(path, O_RDONLY);
	if (fd < 0)
		return fd;
	do {
		r = read(fd, c, sizeof(c));
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	close(fd);
	if (r < 1 || (c[0] != '0' && c[0] != '1'))
		return -EIO;
	if (r > 1 && c[1] != '\n')
		return -EIO;
	return c[0] - '0';
}

/* Write "0" or "1" to an online file: 0 or -errno. */
static int hp_write_state(const char *path, bool online)
{
	ssize_t w;
	int fd, ret = 0;

	fd = hp_open(path, O_WRONLY);
	if (fd < 0)
		return fd;
	do {
		w = write(fd, online ? "1" : "0", 1);
	} while (w < 0 && errno == EINTR);
	if (w < 0)
		ret = -errno;
	else if (w != 1)
		ret = -EIO;
	close(fd);
	return ret;
}

static void hp_nap(long ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000L,
			       .tv_nsec = ns % 1000000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Bring @cpu online if it is offline; retry EBUSY @tries times, sleeping
 * @delay_ns between tries (0: no sleep). 0 or -errno.
 */
static int hp_online_retry(const char *root, unsigned cpu, int tries,
			   long delay_ns)
{
	char path[HP_PATH_MAX];
	int st, ret = 0;

	hp_path(path, root, cpu);
	for (int i = 0; i < tries; i++) {
		st = hp_read_state(path);
		if (st == 1)
			return 0;
		if (st < 0 && st != -EIO)
			return st;
		ret = hp_write_state(path, true);
		if (ret != -EBUSY && ret != -EAGAIN) {
			if (ret)
				return ret;
			st = hp_read_state(path);
			return st == 1 ? 0 : (st < 0 ? st : -EIO);
		}
		if (delay_ns)
			hp_nap(delay_ns * (i + 1));
	}
	return ret;
}

/* ---- the guardian ------------------------------------------------------- */

static void hp_guardian_restore(const char *root, const unsigned long *bits)
{
	for (unsigned w = 0; w < HP_WORDS; w++) {
		unsigned long word = bits[w];

		while (word) {
			unsigned b = __builtin_ctzl(word);

			word &= word - 1;
			hp_online_retry(root, w * HP_BITS_PER_WORD + b,
					HP_RESTORE_TRIES, HP_RESTORE_DELAY_NS);
		}
	}
}

static void hp_close_other_fds(int keep, int keep2)
{
	long max = sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 65536)
		max = 65536;
#ifdef SYS_close_range
	if (keep2 < 0 && syscall(SYS_close_range, 3, keep - 1, 0) == 0 &&
	    syscall(SYS_close_range, keep + 1, ~0U, 0) == 0)
		return;
#endif
	for (int fd = 3; fd < max; fd++)
		if (fd != keep && fd != keep2)
			close(fd);
}

/**
 * pcpu_hp_guardian_detach() - see pcpu-hotplug.h. Async-signal-safe calls
 * only.
 */
void pcpu_hp_guardian_detach(int keep, int keep2)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigset_t none;
	int fd;

	setsid();
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGTSTP, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2 && fd != keep && fd != keep2)
			close(fd);
	}
	hp_close_other_fds(keep, keep2);
}

/*
 * The guardian child. It owns a copy of the handle (fork), including the
 * bitmap of CPUs taken offline so far (empty at open). Never returns.
 */
static void __attribute__((noreturn))
hp_guardian_main(struct pcpu_hp_sysfs *h, int sock)
{
	unsigned char buf[256];
	size_t have = 0;
	ssize_t r;

	pcpu_hp_guardian_detach(sock, -1);

	/* Ready: the parent's open() returns only now. */
	do {
		r = write(sock, "R", 1);
	} while (r < 0 && errno == EINTR);

	for (;;) {
		r = read(sock, buf + have, sizeof(buf) - have);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;		/* EOF (or error): the benchmark is gone */
		have += r;
		size_t i;

		for (i = 0; i + 4 <= have; i += 4) {
			uint32_t rec;
			unsigned cpu;

			memcpy(&rec, buf + i, 4);
			cpu = rec >> 2;
			if (cpu >= PCPU_HP_MAX_CPUS)
				continue;
			switch (rec & 3) {
			case HP_OP_OFF:
				hp_mark(h->taken, cpu);
				break;
			case HP_OP_FORGET:
				hp_unmark(h->taken, cpu);
				break;
			case HP_OP_QUIT:
				goto out;
			}
		}
		memmove(buf, buf + i, have - i);
		have -= i;
	}
out:
	hp_guardian_restore(h->root, h->taken);
	_exit(0);
}

static int hp_tell(struct pcpu_hp_sysfs *h, unsigned cpu, unsigned op)
{
	uint32_t rec = (uint32_t)cpu << 2 | op;
	ssize_t w;

	if (h->sock < 0)
		return -EPIPE;
	do {
		w = send(h->sock, &rec, sizeof(rec), MSG_NOSIGNAL);
	} while (w < 0 && errno == EINTR);
	if (w < 0)
		return errno == ECONNRESET ? -EPIPE : -errno;
	return w == sizeof(rec) ? 0 : -EPIPE;
}

static int hp_start_guardian(struct pcpu_hp_sysfs *h)
{
	sigset_t all, old;
	int sv[2], ret;
	char c;
	ssize_t r;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	/* No signal may reach the child before it ignores them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		hp_guardian_main(h, sv[1]);
	}
	ret = pid < 0 ? -errno : 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(sv[1]);
	if (ret) {
		close(sv[0]);
		return ret;
	}
	do {
		r = read(sv[0], &c, 1);
	} while (r < 0 && errno == EINTR);
	if (r != 1) {
		ret = r < 0 ? -errno : -ECHILD;
		close(sv[0]);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		return ret;
	}
	h->sock = sv[0];
	h->guardian = pid;
	return 0;
}

/* ---- the API ------------------------------------------------------------ */

static bool hp_is_real_root(const char *root)
{
	char a[PATH_MAX], b[PATH_MAX];

	if (!realpath(root, a) || !realpath(PCPU_HP_SYSFS_ROOT, b))
		return strcmp(root, PCPU_HP_SYSFS_ROOT) == 0;
	return strcmp(a, b) == 0;
}

/* Parse "cpuN" (no sign, no leading junk) into *cpu. */
static bool hp_parse_cpu_name(const char *name, unsigned *cpu)
{
	unsigned long v;
	char *end;

	if (strncmp(name, "cpu", 3) || name[3] < '0' || name[3] > '9')
		return false;
	errno = 0;
	v = strtoul(name + 3, &end, 10);
	if (*end || errno || v >= PCPU_HP_MAX_CPUS)
		return false;
	*cpu = v;
	return true;
}

static int hp_cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Hotpluggable CPUs, all of them, into a malloc'd array. */
static int hp_scan(const char *root, int **out)
{
	char path[HP_PATH_MAX];
	struct dirent *de;
	int *cpus = NULL, n = 0, cap = 0;
	unsigned cpu;
	DIR *d;

	d = opendir(root);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!hp_parse_cpu_name(de->d_name, &cpu) || cpu == 0)
			continue;
		hp_path(path, root, cpu);
		if (access(path, F_OK))
			continue;
		if (n == cap) {
			int *p;

			cap = cap ? 2 * cap : 64;
			p = realloc(cpus, cap * sizeof(*cpus));
			if (!p) {
				free(cpus);
				closedir(d);
				return -ENOMEM;
			}
			cpus = p;
		}
		cpus[n++] = cpu;
	}
	closedir(d);
	if (n)
		qsort(cpus, n, sizeof(*cpus), hp_cmp_int);
	*out = cpus;
	return n;
}

/**
 * pcpu_hp_sysfs_open() - open the sysfs hotplug backend, start the guardian.
 * See pcpu-hotplug.h.
 */
int pcpu_hp_sysfs_open(struct pcpu_hp_sysfs **out, const char *root,
		       char *err, size_t errlen)
{
	struct pcpu_hp_sysfs *h;
	int *cpus = NULL;
	int n, ret;

	*out = NULL;
	if (!root)
		root = PCPU_HP_SYSFS_ROOT;
	if (strlen(root) >= sizeof(h->root)) {
		hp_err(err, errlen, "hotplug root too long: %s", root);
		return -ENAMETOOLONG;
	}
	if (hp_is_real_root(root) && geteuid() != 0) {
		hp_err(err, errlen,
		       "real CPU hotplug needs root (%s is root-only)", root);
		return -EPERM;
	}
	n = hp_scan(root, &cpus);
	free(cpus);
	if (n < 0) {
		hp_err(err, errlen, "cannot read %s: %s", root, strerror(-n));
		return n;
	}
	if (n == 0) {
		hp_err(err, errlen,
		       "no CPU hotplug here: no cpuN/online file under %s other than cpu0's",
		       root);
		return -ENOENT;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	strcpy(h->root, root);
	h->sock = -1;
	h->guardian = -1;
	ret = hp_start_guardian(h);
	if (ret) {
		hp_err(err, errlen, "cannot start the hotplug guardian for %s: %s",
		       root, strerror(-ret));
		free(h);
		return ret;
	}
	*out = h;
	return 0;
}

int pcpu_hp_sysfs_hotpluggable(struct pcpu_hp_sysfs *h, int *cpus, size_t max)
{
	int *all = NULL;
	int n;

	n = hp_scan(h->root, &all);
	if (n < 0)
		return n;
	for (int i = 0; i < n && (size_t)i < max; i++)
		cpus[i] = all[i];
	free(all);
	return n;
}

int pcpu_hp_sysfs_get(struct pcpu_hp_sysfs *h, unsigned cpu, bool *online)
{
	char path[HP_PATH_MAX];
	int st;

	if (cpu >= PCPU_HP_MAX_CPUS)
		return -EINVAL;
	hp_path(path, h->root, cpu);
	st = hp_read_state(path);
	if (st < 0)
		return st;
	*online = st;
	return 0;
}

int pcpu_hp_sysfs_set(struct pcpu_hp_sysfs *h, unsigned cpu, bool online)
{
	char path[HP_PATH_MAX];
	bool cur;
	int st, ret;

	if (cpu == 0)
		return -EPERM;
	ret = pcpu_hp_sysfs_get(h, cpu, &cur);
	if (ret)
		return ret;
	hp_path(path, h->root, cpu);
	if (cur == online) {
		if (online && hp_marked(h->taken, cpu)) {
			hp_unmark(h->taken, cpu);
			hp_tell(h, cpu, HP_OP_FORGET);
		}
		return 0;
	}
	if (!online) {
		/* Guardian first, then our own mark (for the signal handler). */
		ret = hp_tell(h, cpu, HP_OP_OFF);
		if (ret)
			return ret;
		hp_mark(h->taken, cpu);
	}
	if (h->inject_err && h->inject_cpu == cpu) {
		ret = h->inject_err == PCPU_HP_INJECT_IGNORE ? 0 : -h->inject_err;
		h->inject_err = 0;
	} else {
		ret = hp_write_state(path, online);
	}
	if (ret == -EAGAIN)
		ret = -EBUSY;
	if (!ret) {
		st = hp_read_state(path);
		if (st < 0)
			ret = st;
		else if (st != online)
			ret = -EIO;
	}
	if (!online && ret) {
		/* Not offline after all (or unknown): keep it marked if so. */
		if (hp_read_state(path) != 0) {
			hp_unmark(h->taken, cpu);
			hp_tell(h, cpu, HP_OP_FORGET);
		}
	} else if (online && !ret && hp_marked(h->taken, cpu)) {
		hp_unmark(h->taken, cpu);
		hp_tell(h, cpu, HP_OP_FORGET);
	}
	return ret;
}

int pcpu_hp_sysfs_restore(struct pcpu_hp_sysfs *h)
{
	int first = 0;

	for (unsigned cpu = 1; cpu < PCPU_HP_MAX_CPUS; cpu++) {
		int ret;

		if (!hp_marked(h->taken, cpu))
			continue;
		ret = hp_online_retry(h->root, cpu, HP_RESTORE_TRIES,
				      HP_RESTORE_DELAY_NS);
		if (ret) {
			if (!first)
				first = ret;
			continue;
		}
		hp_unmark(h->taken, cpu);
		hp_tell(h, cpu, HP_OP_FORGET);
	}
	return first;
}

int pcpu_hp_sysfs_guardian_pid(const struct pcpu_hp_sysfs *h)
{
	return h ? h->guardian : -1;
}

void pcpu_hp_sysfs_inject(struct pcpu_hp_sysfs *h, unsigned cpu, int err)
{
	h->inject_cpu = cpu;
	h->inject_err = err;
}

static void hp_signal_handler(int sig)
{
	struct pcpu_hp_sysfs *h = __atomic_load_n(&hp_signal_handle,
						  __ATOMIC_ACQUIRE);
	int saved = errno;

	if (h) {
		for (unsigned w = 0; w < HP_WORDS; w++) {
			unsigned long word = __atomic_load_n(&h->taken[w],
							     __ATOMIC_RELAXED);

			while (word) {
				unsigned b = __builtin_ctzl(word);

				word &= word - 1;
				hp_online_retry(h->root,
						w * HP_BITS_PER_WORD + b,
						HP_SIGNAL_TRIES, 0);
			}
		}
	}
	/*
	 * Die of the signal: the default action, delivered when the handler
	 * returns (the signal is blocked while it runs). The guardian checks
	 * again once our end of the socket is closed.
	 */
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

int pcpu_hp_sysfs_signals(struct pcpu_hp_sysfs *h)
{
	struct sigaction sa = { .sa_handler = hp_signal_handler };
	struct pcpu_hp_sysfs *expected = NULL;

	if (!__atomic_compare_exchange_n(&hp_signal_handle, &expected, h, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return expected == h ? 0 : -EBUSY;
	sigfillset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, &h->old_int) < 0)
		goto err;
	if (sigaction(SIGTERM, &sa, &h->old_term) < 0) {
		sigaction(SIGINT, &h->old_int, NULL);
		goto err;
	}
	h->signals = true;
	return 0;
err:
	__atomic_store_n(&hp_signal_handle, NULL, __ATOMIC_RELEASE);
	return -errno;
}

void pcpu_hp_sysfs_close(struct pcpu_hp_sysfs *h)
{
	if (!h)
		return;
	pcpu_hp_sysfs_restore(h);
	if (h->signals) {
		sigaction(SIGINT, &h->old_int, NULL);
		sigaction(SIGTERM, &h->old_term, NULL);
		__atomic_store_n(&hp_signal_handle, NULL, __ATOMIC_RELEASE);
	}
	if (h->sock >= 0) {
		hp_tell(h, 0, HP_OP_QUIT);
		close(h->sock);
	}
	if (h->guardian > 0)
		while (waitpid(h->guardian, NULL, 0) < 0 && errno == EINTR)
			;
	free(h);
}
