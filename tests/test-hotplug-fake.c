// SPDX-License-Identifier: GPL-2.0
/*
 * test-hotplug-fake.c - the sysfs hotplug backend against a fake tree.
 *
 * Each test builds a temporary directory shaped like /sys/devices/system/cpu
 * (cpu0 without an online file, cpu1..cpu5 and a sparse cpu8 with "1",
 * cpu4 starting offline, plus distractors) and drives lib/toolkit/pcpu-hotplug.c
 * on it: set/get with read-back, CPU 0 refused, soft EBUSY, read-back
 * mismatch, restore on close, the guardian restoring after its benchmark
 * is SIGKILLed or exits without closing, the SIGTERM handler, and a dead
 * guardian refusing further offlines. No real CPU is touched.
 *
 * The test process is a child subreaper, so the guardians of the children
 * it kills are reparented to it and can be waited for: no sleeps, no
 * timing. alarm() bounds every test in case a guardian hangs.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcpu-hotplug.h"

struct fake {
	char root[256];
};

static void fake_write(const struct fake *f, const char *rel, const char *val)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(val, fp);
	assert_int_equal(fclose(fp), 0);
}

static void fake_mkdir(const struct fake *f, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", f->root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

/* "0", "1" or -1 (unreadable) for cpuN/online. */
static int fake_state(const struct fake *f, unsigned cpu)
{
	char path[512], c = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/cpu%u/online", f->root, cpu);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	if (read(fd, &c, 1) != 1)
		c = 0;
	close(fd);
	return c == '0' ? 0 : c == '1' ? 1 : -1;
}

static int setup(void **state)
{
	static const unsigned cpus[] = { 1, 2, 3, 4, 5, 8 };
	struct fake *f = calloc(1, sizeof(*f));
	char rel[64];

	assert_non_null(f);
	snprintf(f->root, sizeof(f->root), "%s/pcpu-hp-fake.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->root));
	fake_mkdir(f, "cpu0");		/* x86: CPU 0 has no online file */
	fake_mkdir(f, "cpufreq");
	fake_mkdir(f, "cpuidle");
	fake_write(f, "online", "0-3,5,8\n");
	fake_write(f, "possible", "0-8\n");
	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		snprintf(rel, sizeof(rel), "cpu%u", cpus[i]);
		fake_mkdir(f, rel);
		snprintf(rel, sizeof(rel), "cpu%u/online", cpus[i]);
		fake_write(f, rel, cpus[i] == 4 ? "0\n" : "1\n");
	}
	fake_mkdir(f, "cpu6");		/* present but not hotpluggable */
	*state = f;
	alarm(20);
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;
	char cmd[300];

	alarm(0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void wait_exit(pid_t pid, int *status)
{
	pid_t r;

	do {
		r = waitpid(pid, status, 0);
	} while (r < 0 && errno == EINTR);
	assert_int_equal(r, pid);
}

/* ---- tests -------------------------------------------------------------- */

static void test_open_errors(void **state)
{
	struct fake *f = *state;
	struct pcpu_hp_sysfs *h;
	char err[256] = "", path[300];
	int ret;

	snprintf(path, sizeof(path), "%s/nonexistent", f->root);
	ret = pcpu_hp_sysfs_open(&h, path, err, sizeof(err));
	assert_int_equal(ret, -ENOENT);
	assert_null(h);
	assert_non_null(strstr(err, "nonexistent"));

	/* Only cpu0 has an online file: no hotplug. */
	snprintf(path, sizeof(path), "%s/cpu0", f->root);
	fake_write(f, "cpu0/online", "1\n");
	err[0] = 0;
	ret = pcpu_hp_sysfs_open(&h, path, err, sizeof(err));
	assert_int_equal(ret, -ENOENT);	/* cpu0 dir has no cpuN children */
	assert_non_null(strstr(err, "no CPU hotplug"));
}

static void test_only_cpu0(void **state)
{
	struct fake *f = *state;
	struct pcpu_hp_sysfs *h;
	char path[300], err[256] = "";
	struct fake g;

	snprintf(g.root, sizeof(g.root), "%.200s/only0", f->root);
	assert_int_equal(mkdir(g.root, 0755), 0);
	fake_mkdir(&g, "cpu0");
	fake_write(&g, "cpu0/online", "1\n");
	fake_mkdir(&g, "cpu1");		/* no online file */
	snprintf(path, sizeof(path), "%s", g.root);
	assert_int_equal(pcpu_hp_sysfs_open(&h, path, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "other than cpu0"));
}

static void test_not_root(void **state)
{
	struct pcpu_hp_sysfs *h;
	char err[256] = "";
	int status, ret;
	pid_t pid;

	(void)state;
	if (geteuid() != 0) {
		/* Fails before reading anything: safe on the real tree. */
		assert_int_equal(pcpu_hp_sysfs_open(&h, NULL, err, sizeof(err)),
				 -EPERM);
		return;
	}
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(3);
		ret = pcpu_hp_sysfs_open(&h, NULL, err, sizeof(err));
		_exit(ret == -EPERM && strstr(err, "root") ? 0 : 1);
	}
	wait_exit(pid, &status);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 3)
		skip();
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_hotpluggable(void **state)
{
	struct fake *f = *state;
	struct pcpu_hp_sysfs *h;
	int cpus[16], n;

	assert_int_equal(pcpu_hp_sysfs_open(&h, f->root, NULL, 0), 0);
	assert_true(pcpu_hp_sysfs_guardian_pid(h) > 0);
	n = pcpu_hp_sysfs_hotpluggable(h, cpus, 16);
	assert_int_equal(n, 6);
	assert_int_equal(cpus[0], 1);
	assert_int_equal(cpus[1], 2);
	assert_int_equal(cpus[2], 3);
	assert_int_equal(cpus[3], 4);
	assert_int_equal(cpus[4], 5);
	assert_int_equal(cpus[5], 8);
	/* Short buffer: full count, only max written. */
	memset(cpus, 0x55, sizeof(cpus));
	assert_int_equal(pcpu_hp_sysfs_hotpluggable(h, cpus, 2), 6);
	assert_int_equal(cpus[1], 2);
	assert_int_equal(cpus[2], 0x55555555);
	pcpu_hp_sysfs_close(h);
}

static void test_set_get(void **state)
{
	struct fake *f = *state;
	struct pcpu_hp_sysfs *h;
	bool on;

	assert_int_equal(pcpu_hp_sysfs_open(&h, f->root, NULL, 0), 0);
	assert_int_equal(pcpu_hp_sysfs_get(h, 1, &on), 0);
	assert_true(on);
	assert_int_equal(pcpu_hp_sysfs_set(h, 1, false), 0);
	assert_int_equal(fake_state(f, 1), 0);
	assert_int_equal(pcpu_hp_sysfs_get(h, 1, &on), 0);
	assert_false(on);
	/* Idempotent. */
	assert_int_equal(pcpu_hp_sysfs_set(h, 1, false), 0);
	assert_int_equal(pcpu_hp_sysfs_set(h, 1, true), 0);
	assert_int_equal(fake_state(f, 1), 1);
	assert_int_equal(pcpu_hp_sysfs_set(h, 1, true), 0);
	assert_int_equal(pcpu_hp_sysfs_get(h, 8, &on), 0);
	assert_true(on);

	/* CPU 0 refused, even though the fake tree could take it. */
	fake_write(f, "cpu0/online", "1\n");
	assert_int_equal(pcpu_hp_sysfs_set(h, 0, false), -EPERM);
	assert_int_equal(pcpu_hp_sysfs_set(h, 0, true), -EPERM);
	assert_int_equal(fake_state(f, 0), 1);

	/* No online file; out of range. */
	assert_int_equal(pcpu_hp_sysfs_set(h, 6, false), -ENOENT);
	assert_int_equal(pcpu_hp_sysfs_get(h, 7, &on), -ENOENT);
	assert_int_equal(pcpu_hp_sysfs_set(h, PCPU_HP_MAX_CPUS, false),
			 -EINVAL);

	/* Garbage content. */
	fake_write(f, "cpu5/online", "x\n");
	assert_int_equal(pcpu_hp_sysfs_get(h, 5, &on), -EIO);
	assert_int_equal(pcpu_hp_sysfs_set(h, 5, false), -EIO);
	fake_write(f, "cpu5/online", "1\n");
	pcpu_hp_sysfs_close(h);
	assert_int_equal(fake_state(f, 5), 1);
}

static void test_ebusy_and_mismatch(void **state)
{
	struct fake *f = *state;
	struct pcpu_hp_sysfs *h;

	assert_int_equal(pcpu_hp_sysfs_open(&h, f->root, NULL, 0), 0);
	pcpu_hp_sysfs_inject(h, 2, EBUSY);
	assert_int_equal(pcpu_hp_sysfs_set(h, 2, false), -EBUSY);
	assert_int_equal(fake_state(f, 2), 1);
	/* One-shot: the next try goes through. */
	assert_int_equal(pcpu_hp_sysfs_set(h, 2, false), 0);
	assert_int_equal(fake_state(f, 2), 0);

	/* The write "succeeds" but the state does not change. */
	pcpu_hp_sysfs_inject(h, 3, PCPU_HP_INJECT_IGNORE);
	assert_int_equal(pcpu_hp_sysfs_set(h, 3, false), -EIO);
	assert_int_equal(fake_state(f, 3), 1);
	pcpu_hp_sysfs_inject(h, 2, PCPU_HP_INJECT_IGNORE);
	assert_int_equal(pcpu_hp_sysfs_set(h, 2, true), -EIO);
	assert_int_equal(fake_state(f, 2), 0);

	pcpu_hp_sysfs_close(h);
	/* CPU 2 was still ours: restored; CPU 4 was never ours. */
	assert_int_equal(fake_state(f, 2), 1);
	assert_int_equal(fake_state(f, 3), 1);
	assert_int_equal(fake_state(f, 4), 0);
}

static void test_restore_and_close(void **state)
{
	struct fake *f = *state;
	struct pcpu_hp_sysfs *h;
	int status, gpid;

	assert_int_equal(pcpu_hp_sysfs_open(&h, f->root, NULL, 0), 0);
	gpid = pcpu_hp_sysfs_guardian_pid(h);
	assert_int_equal(pcpu_hp_sysfs_set(h, 1, false), 0);
	assert_int_equal(pcpu_hp_sysfs_set(h, 8, false), 0);
	/* Onlining a CPU we did not take down is allowed, and not ours. */
	assert_int_equal(pcpu_hp_sysfs_set(h, 4, true), 0);
	assert_int_equal(pcpu_hp_sysfs_restore(h), 0);
	assert_int_equal(fake_state(f, 1), 1);
	assert_int_equal(fake_state(f, 8), 1);

	assert_int_equal(pcpu_hp_sysfs_set(h, 2, false), 0);
	assert_int_equal(pcpu_hp_sysfs_set(h, 3, false), 0);
	assert_int_equal(pcpu_hp_sysfs_set(h, 5, false), 0);
	assert_int_equal(pcpu_hp_sysfs_set(h, 5, true), 0);
	assert_int_equal(pcpu_hp_sysfs_set(h, 4, false), 0);
	pcpu_hp_sysfs_close(h);
	for (unsigned c = 1; c <= 5; c++)
		assert_int_equal(fake_state(f, c), 1);
	/* close() reaped the guardian. */
	assert_int_equal(waitpid(gpid, &status, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	pcpu_hp_sysfs_close(NULL);
}

/*
 * Fork a "benchmark" that opens a handle, offlines @cpus, reports its
 * guardian's pid and then does @then: 'K' wait to be SIGKILLed, 'E' _exit
 * without closing, 'T' install the signal handlers, kill and reap its own
 * guardian (so only the handler can restore), and wait for SIGTERM.
 */
static pid_t spawn_bench(struct fake *f, const unsigned *cpus, size_t n,
			 char then, pid_t *gpid)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pcpu_hp_sysfs *h;
		int g = -1;

		close(p[0]);
		if (pcpu_hp_sysfs_open(&h, f->root, NULL, 0))
			_exit(10);
		if (then == 'T' && pcpu_hp_sysfs_signals(h))
			_exit(11);
		for (size_t i = 0; i < n; i++)
			if (pcpu_hp_sysfs_set(h, cpus[i], false))
				_exit(12);
		g = pcpu_hp_sysfs_guardian_pid(h);
		if (then == 'T') {
			if (kill(g, SIGKILL) || waitpid(g, NULL, 0) != g)
				_exit(14);
		}
		if (write(p[1], &g, sizeof(g)) != sizeof(g))
			_exit(13);
		if (then == 'E')
			_exit(0);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], gpid, sizeof(*gpid)), sizeof(*gpid));
	close(p[0]);
	assert_true(*gpid > 0);
	return pid;
}

static void test_guardian_after_sigkill(void **state)
{
	static const unsigned cpus[] = { 1, 3, 8 };
	struct fake *f = *state;
	pid_t pid, gpid;
	int status;

	pid = spawn_bench(f, cpus, 3, 'K', &gpid);
	assert_int_equal(fake_state(f, 1), 0);
	assert_int_equal(fake_state(f, 3), 0);
	assert_int_equal(fake_state(f, 8), 0);
	/* Own session: a terminal's or group's signal does not reach it. */
	assert_true(getsid(gpid) == gpid);
	assert_true(getpgid(gpid) != getpgid(pid));
	/* It ignores the polite signals. */
	assert_int_equal(kill(gpid, SIGTERM), 0);
	assert_int_equal(kill(gpid, SIGINT), 0);
	assert_int_equal(kill(gpid, SIGHUP), 0);

	assert_int_equal(kill(pid, SIGKILL), 0);
	wait_exit(pid, &status);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* Subreaper: the orphaned guardian is ours to wait for. */
	wait_exit(gpid, &status);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	for (unsigned c = 1; c <= 3; c++)
		assert_int_equal(fake_state(f, c), 1);
	assert_int_equal(fake_state(f, 8), 1);
	assert_int_equal(fake_state(f, 4), 0);	/* never ours */
}

static void test_guardian_after_exit(void **state)
{
	static const unsigned cpus[] = { 2, 5 };
	struct fake *f = *state;
	pid_t pid, gpid;
	int status;

	pid = spawn_bench(f, cpus, 2, 'E', &gpid);
	wait_exit(pid, &status);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	wait_exit(gpid, &status);
	assert_int_equal(fake_state(f, 2), 1);
	assert_int_equal(fake_state(f, 5), 1);
}

static void test_signal_handler(void **state)
{
	static const unsigned cpus[] = { 1, 2 };
	struct fake *f = *state;
	pid_t pid, gpid;
	int status;

	pid = spawn_bench(f, cpus, 2, 'T', &gpid);
	assert_int_equal(fake_state(f, 1), 0);
	assert_int_equal(kill(pid, SIGTERM), 0);
	wait_exit(pid, &status);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	assert_int_equal(fake_state(f, 1), 1);
	assert_int_equal(fake_state(f, 2), 1);
}

static void test_dead_guardian(void **state)
{
	struct fake *f = *state;
	struct pcpu_hp_sysfs *h;
	int status;
	pid_t gpid;

	assert_int_equal(pcpu_hp_sysfs_open(&h, f->root, NULL, 0), 0);
	assert_int_equal(pcpu_hp_sysfs_signals(h), 0);
	gpid = pcpu_hp_sysfs_guardian_pid(h);
	assert_int_equal(kill(gpid, SIGKILL), 0);
	wait_exit(gpid, &status);
	/* Nobody would restore it after a crash: refuse. */
	assert_int_equal(pcpu_hp_sysfs_set(h, 1, false), -EPIPE);
	assert_int_equal(fake_state(f, 1), 1);
	/* Onlining still works. */
	assert_int_equal(pcpu_hp_sysfs_set(h, 4, true), 0);
	assert_int_equal(fake_state(f, 4), 1);
	pcpu_hp_sysfs_close(h);
	/* close() put the old SIGTERM disposition back. */
	struct sigaction sa;

	assert_int_equal(sigaction(SIGTERM, NULL, &sa), 0);
	assert_true(sa.sa_handler == SIG_DFL);
}

static void test_two_handles_signals(void **state)
{
	struct fake *f = *state;
	struct pcpu_hp_sysfs *a, *b;

	assert_int_equal(pcpu_hp_sysfs_open(&a, f->root, NULL, 0), 0);
	assert_int_equal(pcpu_hp_sysfs_open(&b, f->root, NULL, 0), 0);
	assert_int_equal(pcpu_hp_sysfs_signals(a), 0);
	assert_int_equal(pcpu_hp_sysfs_signals(a), 0);
	assert_int_equal(pcpu_hp_sysfs_signals(b), -EBUSY);
	assert_int_equal(pcpu_hp_sysfs_set(b, 3, false), 0);
	/* a's guardian must not hold b's socket open: close b, then a. */
	pcpu_hp_sysfs_close(b);
	assert_int_equal(fake_state(f, 3), 1);
	pcpu_hp_sysfs_close(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_cpu0, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_root, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hotpluggable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_get, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ebusy_and_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_and_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guardian_after_sigkill, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guardian_after_exit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_handler, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_guardian, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_handles_signals, setup, teardown),
	};

	/* Orphaned guardians of killed children come to us. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		perror("prctl(PR_SET_CHILD_SUBREAPER)");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
