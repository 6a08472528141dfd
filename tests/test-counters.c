// SPDX-License-Identifier: GPL-2.0
/*
 * test-counters.c - the perf_event_open group path with software events
 * (real counts: page faults we cause are counted), the NA path (each
 * hardware event is a value or NA with a reason; never a silent 0), the
 * reasons given per errno, the relationship rules, --events parsing, and
 * libpfm4 encodings with a forced PMU model (LIBPFM_FORCE_PMU set in a
 * forked child before libpfm4 is initialised). Passes with or without a
 * PMU. Nothing here looks at a clock.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include <cmocka.h>

#include "pcpu-counters.h"
#include "pcpu-out.h"

static int idx_of(const struct pcnt_spec *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->ev[i].name, name))
			return (int)i;
	return -1;
}

static void test_spec_parse(void **state)
{
	struct pcnt_spec s;
	char err[256];

	assert_int_equal(pcnt_spec_parse(&s, "none", err, sizeof(err)), 0);
	assert_int_equal(s.n, 3);	/* the software events, always */
	assert_true(idx_of(&s, "page-faults") >= 0);
	assert_true(idx_of(&s, "cpu-migrations") >= 0);
	assert_true(idx_of(&s, "context-switches") >= 0);
	assert_int_equal(pcnt_spec_parse(&s, "cycles,cycles,page-faults", err,
					 sizeof(err)), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(pcnt_spec_parse(&s, "bogus-event", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "bogus-event"));
	assert_int_equal(pcnt_spec_parse(&s, "", err, sizeof(err)), -EINVAL);
	assert_int_equal(pcnt_spec_parse(&s, "default", err, sizeof(err)), 0);
	assert_true(idx_of(&s, "dTLB-load-misses") >= 0);
	assert_true(idx_of(&s, "node-loads") >= 0);
	assert_true(idx_of(&s, "instructions") >= 0);
	/* A native name libpfm4 does not know is kept, with a reason. */
	assert_int_equal(pcnt_spec_parse(&s, "NO_SUCH_EVENT.AT_ALL", err,
					 sizeof(err)), 0);
	assert_true(!strncmp(s.ev[0].unresolved, "na:", 3));
	assert_true(pout_status_valid(s.ev[0].unresolved));
}

static void test_software_group(void **state)
{
	struct pcnt_spec s;
	struct pcnt_session *ss;
	struct pcnt_sample a, b;
	struct pcnt_result r[PCNT_MAX_EVENTS];
	char err[256];
	size_t i, pages = 64;
	char *m;
	int pf;

	assert_int_equal(pcnt_spec_parse(&s, "sw", err, sizeof(err)), 0);
	assert_int_equal(pcnt_open(&ss, &s, 0, -1), 0);
	for (i = 0; i < pcnt_count(ss); i++)
		assert_string_equal(pcnt_open_status(ss, i), "ok");
	assert_int_equal(pcnt_enable(ss), 0);
	assert_int_equal(pcnt_read(ss, &a), 0);
	m = mmap(NULL, pages * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	madvise(m, pages * 4096, MADV_NOHUGEPAGE);
	for (i = 0; i < pages; i++)
		m[i * 4096] = 1;
	usleep(1000);	/* a context switch, very likely; not asserted */
	assert_int_equal(pcnt_read(ss, &b), 0);
	munmap(m, pages * 4096);
	assert_int_equal(pcnt_delta(ss, &a, &b, r), 0);
	pf = idx_of(&s, "page-faults");
	assert_true(pf >= 0);
	assert_string_equal(r[pf].status, "ok");
	assert_true(r[pf].value >= (double)pages);
	for (i = 0; i < pcnt_count(ss); i++) {
		assert_true(isfinite(r[i].value));
		assert_true(r[i].value >= 0);
		assert_true(r[i].running <= r[i].enabled);
		assert_true(pout_status_valid(r[i].status));
	}
	assert_int_equal(pcnt_disable(ss), 0);
	pcnt_close(ss);
}

/* Hardware and native events: a value, or NA with a reason. */
static void test_hardware_value_or_na(void **state)
{
	struct pcnt_spec s;
	struct pcnt_session *ss;
	struct pcnt_sample a, b;
	struct pcnt_result r[PCNT_MAX_EVENTS];
	char err[256];
	size_t i;
	volatile uint64_t x = 0;

	assert_int_equal(pcnt_spec_parse(&s, "default", err, sizeof(err)), 0);
	assert_int_equal(pcnt_open(&ss, &s, 0, -1), 0);
	assert_int_equal(pcnt_enable(ss), 0);
	assert_int_equal(pcnt_read(ss, &a), 0);
	for (i = 0; i < 100000; i++)
		x += i;
	assert_int_equal(pcnt_read(ss, &b), 0);
	assert_int_equal(pcnt_delta(ss, &a, &b, r), 0);
	for (i = 0; i < pcnt_count(ss); i++) {
		const char *st = r[i].status;

		assert_true(pout_status_valid(st));
		assert_null(strchr(st, ','));
		if (!strncmp(st, "na:", 3)) {
			/* A reason in words, not a bare code. */
			assert_non_null(strchr(st, '('));
			assert_true(strlen(st) > 10);
			assert_true(isnan(r[i].value));
		} else {
			assert_true(isfinite(r[i].value));
			assert_true(r[i].value >= 0);
		}
	}
	/* Software events are never NA. */
	assert_string_equal(r[idx_of(&s, "page-faults")].status, "ok");
	pcnt_close(ss);
}

static void test_errno_reasons(void **state)
{
	char b[PCNT_STATUS_LEN];
	int e[] = { ENOENT, ENODEV, EOPNOTSUPP, EACCES, EPERM, EINVAL, EBUSY,
		    EMFILE, ENOSYS, E2BIG };
	size_t i;

	pcnt_errno_reason(ENOENT, PCNT_KIND_HW, b, sizeof(b));
	assert_true(!strncmp(b, "na:no-pmu(ENOENT", 16));
	pcnt_errno_reason(-EACCES, PCNT_KIND_HW, b, sizeof(b));
	assert_non_null(strstr(b, "paranoid"));
	for (i = 0; i < sizeof(e) / sizeof(e[0]); i++) {
		pcnt_errno_reason(e[i], PCNT_KIND_HW, b, sizeof(b));
		assert_true(pout_status_valid(b));
		assert_true(!strncmp(b, "na:", 3));
	}
}

static void test_rules(void **state)
{
	struct pcnt_spec s;
	struct pcnt_result r[PCNT_MAX_EVENTS];
	char err[256];
	int l, m, pf;

	assert_int_equal(pcnt_spec_parse(&s, "dTLB-loads,dTLB-load-misses", err,
					 sizeof(err)), 0);
	l = idx_of(&s, "dTLB-loads");
	m = idx_of(&s, "dTLB-load-misses");
	pf = idx_of(&s, "page-faults");
	memset(r, 0, sizeof(r));
	for (size_t i = 0; i < s.n; i++) {
		strcpy(r[i].status, "ok");
		r[i].enabled = r[i].running = 100;
	}
	r[l].value = 100;
	r[m].value = 10;
	assert_int_equal(pcnt_check_rules(&s, r), 0);
	assert_string_equal(r[m].status, "ok");

	r[m].value = 200;	/* misses > loads */
	assert_int_equal(pcnt_check_rules(&s, r), 1);
	assert_string_equal(r[m].status, "flagged:misses-gt-loads");
	assert_string_equal(r[l].status, "flagged:misses-gt-loads");

	strcpy(r[l].status, "ok");
	strcpy(r[m].status, "ok");
	r[m].value = 10;
	r[pf].running = 200;	/* running > enabled */
	assert_int_equal(pcnt_check_rules(&s, r), 1);
	assert_string_equal(r[pf].status, "flagged:running-gt-enabled");

	/* NA events are left alone. */
	strcpy(r[pf].status, "na:x(y)");
	strcpy(r[m].status, "na:no-pmu(ENOENT)");
	r[m].value = NAN;
	assert_int_equal(pcnt_check_rules(&s, r), 0);
	assert_string_equal(r[m].status, "na:no-pmu(ENOENT)");
}

#ifdef HAVE_PFM
/* In a child: force @pmu, encode @name, compare event/umask bytes. */
static int forced_child(const char *pmu, const char *name, uint64_t want_ev,
			uint64_t want_umask)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (!pid) {
		uint32_t type;
		uint64_t c, c1, c2;
		char p[64];

		setenv("LIBPFM_FORCE_PMU", pmu, 1);
		if (pcnt_pfm_encode(name, &type, &c, &c1, &c2, p, sizeof(p)))
			_exit(10);
		if (type != PERF_TYPE_RAW)
			_exit(11);
		if ((c & 0xff) != want_ev || ((c >> 8) & 0xff) != want_umask)
			_exit(12);
		if (strcmp(p, pmu))
			_exit(13);
		if (!strstr(pcnt_pfm_pmu(), pmu) ||
		    !strstr(pcnt_pfm_pmu(), "forced"))
			_exit(14);
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_pfm_forced(void **state)
{
	/* Intel SPR: DTLB_LOAD_MISSES.WALK_COMPLETED = event 0x12, umask 0x0e */
	assert_int_equal(forced_child("spr", "DTLB_LOAD_MISSES.WALK_COMPLETED",
				      0x12, 0x0e), 0);
	/* ... MEM_LOAD_L3_MISS_RETIRED.REMOTE_DRAM = event 0xd3, umask 0x02 */
	assert_int_equal(forced_child("spr", "MEM_LOAD_L3_MISS_RETIRED.REMOTE_DRAM",
				      0xd3, 0x02), 0);
	/* AMD Zen 3: L1 DTLB misses that walk = event 0x45, umask 0xf0 */
	assert_int_equal(forced_child("amd64_fam19h_zen3", "L1_DTLB_MISS.WALK",
				      0x45, 0xf0), 0);
	/* An Intel name is not in the AMD table. */
	assert_int_equal(forced_child("amd64_fam19h_zen3",
				      "DTLB_LOAD_MISSES.WALK_COMPLETED", 0, 0), 10);
}
#else
static void test_pfm_forced(void **state)
{
	skip();
}
#endif

int main(void)
{
	const struct CMUnitTest tests[] = {
		/*
		 * First: its children must fork before this process has
		 * initialised libpfm4, so that LIBPFM_FORCE_PMU takes effect.
		 */
		cmocka_unit_test(test_pfm_forced),
		cmocka_unit_test(test_spec_parse),
		cmocka_unit_test(test_software_group),
		cmocka_unit_test(test_hardware_value_or_na),
		cmocka_unit_test(test_errno_reasons),
		cmocka_unit_test(test_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
