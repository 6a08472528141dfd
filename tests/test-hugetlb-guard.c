// SPDX-License-Identifier: GPL-2.0
/*
 * test-hugetlb-guard.c - lib/toolkit/pcpu-hugetlb.c against plain files
 * (a fake nr_hugepages and meminfo in a temporary directory; the real
 * vm.nr_hugepages is never touched): reserve and restore, the lock
 * shared by concurrent runs, the memory check before, only the run's own
 * change undone, and the guardian restoring after kill -9 of its run.
 * The test process is a child subreaper so the guardian of a killed
 * child can be waited for (no sleeps); alarm() bounds every test.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcpu-hugetlb.h"

static char root[256], lock[300];

static void put(const char *name, const char *text)
{
	char p[400];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static long get(void)
{
	char p[400];
	long v = -1;
	FILE *f;

	snprintf(p, sizeof(p), "%s/nr_hugepages", root);
	f = fopen(p, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%ld", &v), 1);
	fclose(f);
	return v;
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/test-hugetlb.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(lock, sizeof(lock), "%s/lock", root);
	put("nr_hugepages", "2\n");
	put("meminfo", "MemTotal: 8000000 kB\nMemAvailable: 4000000 kB\n"
		       "Hugepagesize: 2048 kB\n");
	alarm(20);
	return 0;
}

static int teardown(void **state)
{
	char cmd[400];

	(void)state;
	alarm(0);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) ? -1 : 0;
}

static void test_reserve_restore(void **state)
{
	struct pcpu_hugetlb *h;
	char msg[256];

	(void)state;
	assert_int_equal(pcpu_hugetlb_reserve(&h, root, lock, 8, msg, sizeof(msg)), 0);
	assert_int_equal(get(), 8);
	assert_non_null(strstr(msg, "2 -> 8"));
	assert_int_equal(pcpu_hugetlb_restore(h, msg, sizeof(msg)), 0);
	assert_int_equal(get(), 2);
}

static void test_lock_shared(void **state)
{
	struct pcpu_hugetlb *a, *b;
	char msg[256];

	(void)state;
	assert_int_equal(pcpu_hugetlb_reserve(&a, root, lock, 8, msg, sizeof(msg)), 0);
	assert_int_equal(pcpu_hugetlb_reserve(&b, root, lock, 9, msg, sizeof(msg)),
			 -EBUSY);
	assert_non_null(strstr(msg, "another run"));
	assert_int_equal(get(), 8);
	assert_int_equal(pcpu_hugetlb_restore(a, msg, sizeof(msg)), 0);
	assert_int_equal(get(), 2);
	/* the lock is free again */
	assert_int_equal(pcpu_hugetlb_reserve(&b, root, lock, 4, msg, sizeof(msg)), 0);
	assert_int_equal(pcpu_hugetlb_restore(b, msg, sizeof(msg)), 0);
	assert_int_equal(get(), 2);
}

static void test_memory_check(void **state)
{
	struct pcpu_hugetlb *h;
	char msg[256];

	(void)state;
	/* 4000000 KiB available: half is 976 pages of 2 MiB */
	assert_int_equal(pcpu_hugetlb_reserve(&h, root, lock, 1000000, msg,
					      sizeof(msg)), -ENOMEM);
	assert_non_null(strstr(msg, "MemAvailable"));
	assert_int_equal(get(), 2);
	assert_int_equal(pcpu_hugetlb_reserve(&h, root, lock, 978, msg,
					      sizeof(msg)), 0);
	assert_int_equal(pcpu_hugetlb_restore(h, msg, sizeof(msg)), 0);
	assert_int_equal(pcpu_hugetlb_reserve(&h, root, lock, 979, msg,
					      sizeof(msg)), -ENOMEM);
	assert_int_equal(get(), 2);
}

static void test_only_own_change(void **state)
{
	struct pcpu_hugetlb *h;
	char msg[256];

	(void)state;
	assert_int_equal(pcpu_hugetlb_reserve(&h, root, lock, 8, msg, sizeof(msg)), 0);
	put("nr_hugepages", "5\n");	/* someone else, meanwhile */
	assert_int_equal(pcpu_hugetlb_restore(h, msg, sizeof(msg)), 1);
	assert_non_null(strstr(msg, "someone else"));
	assert_int_equal(get(), 5);
}

static void test_kill9(void **state)
{
	int p[2], st;
	pid_t child, g = -1;

	(void)state;
	assert_int_equal(pipe(p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		struct pcpu_hugetlb *h;
		char msg[256];

		close(p[0]);
		if (pcpu_hugetlb_reserve(&h, root, lock, 8, msg, sizeof(msg)))
			_exit(3);
		g = pcpu_hugetlb_guardian_pid(h);
		if (write(p[1], &g, sizeof(g)) != sizeof(g))
			_exit(4);
		for (;;)
			pause();
	}
	close(p[1]);
	assert_int_equal(read(p[0], &g, sizeof(g)), (ssize_t)sizeof(g));
	close(p[0]);
	assert_int_equal(get(), 8);
	kill(child, SIGKILL);
	assert_int_equal(waitpid(child, &st, 0), child);
	/* the orphaned guardian comes to us: wait for it, then look */
	assert_int_equal(waitpid(g, &st, 0), g);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(get(), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reserve_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_shared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_only_own_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill9, setup, teardown),
	};

	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		perror("prctl(PR_SET_CHILD_SUBREAPER)");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
