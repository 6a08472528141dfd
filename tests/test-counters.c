// SPDX-License-Identifier: GPL-2.0
/*
 * test-counters.c - counters through the real kernel and through the
 * seam.
 *
 * Real: the software group counts page faults we cause; every hardware
 * event is a value or NA with a reason (never a silent 0); the reasons
 * per errno; --events parsing and its errors. Tables: every file of
 * events/ parses and defines every key; where Debian's libpfm4 knows the
 * PMU (forced with LIBPFM_FORCE_PMU in a forked child, before libpfm4 is
 * initialised) its encoding of each libpfm4 name equals the table's raw
 * encoding. Seam (the fake PMU of pcpu-counters-fake.c): raw fallback for
 * a Zen 5 and a Granite Rapids family/model, splitting into passes that
 * fit the counters (0-3 limits, NMI watchdog, another user holding
 * counters), scaling under multiplexing, ENOENT/EACCES/EOPNOTSUPP/EBUSY
 * reasons, the relationship rules, derived sums and per-op values; a
 * spec that does not parse (the broken fake). Settings (pcnt_init()):
 * a table forced by id or path, a table directory, a value too long.
 * Nothing here looks at a clock.
 */
#include <dirent.h>
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

static const char *const keys[] = {
	"cycles", "instructions", "l1_dtlb_misses", "l2_tlb_hits",
	"page_walks", "page_walks_4k", "page_walks_2m", "page_walk_cycles",
	"remote_dram", "remote_dram_reads",
};

/* ---- real kernel ------------------------------------------------------- */

static void test_spec_parse(void **state)
{
	struct pcnt_spec s;
	char err[512];
	size_t i;

	assert_int_equal(pcnt_spec_parse(&s, "none", err, sizeof(err)), 0);
	assert_int_equal(s.n, 3);	/* the software events, always */
	assert_true(idx_of(&s, "page-faults") >= 0);
	assert_true(idx_of(&s, "cpu-migrations") >= 0);
	assert_true(idx_of(&s, "context-switches") >= 0);
	assert_int_equal(pcnt_spec_parse(&s, "task-clock,task-clock,page-faults",
					 err, sizeof(err)), 0);
	assert_int_equal(s.n, 4);
	assert_int_equal(pcnt_spec_parse(&s, "bogus-event", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "bogus-event"));
	assert_int_equal(pcnt_spec_parse(&s, "", err, sizeof(err)), -EINVAL);
	/* Malformed raw codes, unknown perf-style names: usage errors. */
	assert_int_equal(pcnt_spec_parse(&s, "r12g", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "malformed raw"));
	assert_int_equal(pcnt_spec_parse(&s, "r", err, sizeof(err)), -EINVAL);
	assert_int_equal(pcnt_spec_parse(&s, "r12345678901234567", err,
					 sizeof(err)), -EINVAL);
	assert_int_equal(pcnt_spec_parse(&s, "no_such.event", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "unknown event"));
	/* Raw codes are taken as given. */
	assert_int_equal(pcnt_spec_parse(&s, "r0f045", err, sizeof(err)), 0);
	assert_int_equal(s.ev[0].type, PERF_TYPE_RAW);
	assert_int_equal(s.ev[0].config, 0xf045);
	assert_non_null(strstr(s.ev[0].path, "raw as given"));
	/* The default set: every table key, each with its path. */
	assert_int_equal(pcnt_spec_parse(&s, "default", err, sizeof(err)), 0);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		int k = idx_of(&s, keys[i]);

		assert_true(k >= 0);
		assert_true(s.ev[k].path[0]);
		if (s.ev[k].unresolved[0])
			assert_true(pout_status_valid(s.ev[k].unresolved));
	}
	/* A native name nobody knows is kept, with a reason. */
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

static void burn(void *arg)
{
	volatile uint64_t x = 0;
	size_t i;

	for (i = 0; i < 100000; i++)
		x += i;
	(void)arg;
}

/* Hardware and native events: a value, or NA with a reason. */
static void test_hardware_value_or_na(void **state)
{
	struct pcnt_spec s;
	struct pcnt_session *ss;
	struct pcnt_result r[PCNT_MAX_EVENTS];
	char err[256];
	size_t i;

	assert_int_equal(pcnt_spec_parse(&s, "default", err, sizeof(err)), 0);
	assert_int_equal(pcnt_open(&ss, &s, 0, -1), 0);
	assert_int_equal(pcnt_measure(ss, burn, NULL, 0, r), 0);
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

	r[m].value = 200;	/* misses > accesses */
	assert_int_equal(pcnt_check_rules(&s, r), 1);
	assert_string_equal(r[m].status, "flagged:misses-gt-accesses");
	assert_string_equal(r[l].status, "flagged:misses-gt-accesses");

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

/* ---- event tables ------------------------------------------------------ */

static void test_tables_parse(void **state)
{
	const char *dir = pcnt_tables_dir();
	struct pcnt_table *t = malloc(sizeof(*t));
	struct dirent **names;
	char err[512], p[1024];
	int n, i, ntab = 0;
	size_t k, j;

	assert_non_null(dir);
	assert_non_null(t);
	n = scandir(dir, &names, NULL, alphasort);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		const char *f = names[i]->d_name;
		size_t l = strlen(f);

		if (l > 7 && !strcmp(f + l - 7, ".events")) {
			snprintf(p, sizeof(p), "%s/%s", dir, f);
			if (pcnt_table_load(p, t, err, sizeof(err)))
				fail_msg("%s", err);
			ntab++;
			assert_true(t->source[0]);
			for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
				int found = 0;

				for (j = 0; j < t->nev; j++) {
					uint64_t c, c1;
					const char *raw = t->ev[j].raw;

					if (strcmp(t->ev[j].key, keys[k]))
						continue;
					found = 1;
					if (!strncmp(raw, "event=", 6))
						assert_int_equal(pcnt_raw_encode(
							raw, t->vendor, &c, &c1), 0);
				}
				if (!found)
					fail_msg("%s lacks %s", f, keys[k]);
			}
		}
		free(names[i]);
	}
	free(names);
	free(t);
	assert_int_equal(ntab, 9);
}

static void test_raw_encode(void **state)
{
	uint64_t c, c1;

	assert_int_equal(pcnt_raw_encode("event=0x12,umask=0x10,cmask=1",
					 "GenuineIntel", &c, &c1), 0);
	assert_int_equal(c, 0x1001012);
	assert_int_equal(pcnt_raw_encode("event=0x2a,umask=0x01,"
					 "offcore_rsp=0x730004477",
					 "GenuineIntel", &c, &c1), 0);
	assert_int_equal(c, 0x12a);
	assert_int_equal(c1, 0x730004477ULL);
	/* AMD: event bits 11:8 go to config 35:32. */
	assert_int_equal(pcnt_raw_encode("event=0x1a0,umask=0x1e",
					 "AuthenticAMD", &c, &c1), 0);
	assert_int_equal(c, 0x100001ea0ULL);
	assert_int_equal(pcnt_raw_encode("event=0x1a0", "GenuineIntel", &c,
					 &c1), -EINVAL);
	assert_int_equal(pcnt_raw_encode("umask=1", "GenuineIntel", &c, &c1),
			 -EINVAL);
	assert_int_equal(pcnt_raw_encode("event=0x12,bogus=1", "GenuineIntel",
					 &c, &c1), -EINVAL);
}

#ifdef HAVE_PFM
/*
 * In a child: force libpfm4 to @pmu and the CPU to @cpu (fake backend
 * with libpfm4 allowed), then for every event of the CPU's table with
 * both a libpfm4 name and a raw encoding: libpfm4's config (without the
 * privilege-level bits) must equal the table's. 0 ok, 20 libpfm4 lacks
 * the PMU, other: the failing event's index + 30.
 */
static int crosscheck_child(const char *pmu, const char *cpu)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (!pid) {
		const struct pcnt_table *t;
		char spec[128];
		size_t i;

		struct pcnt_settings set = { .pfm_forced_pmu = pmu };

		/* libpfm4 reads its variable; the settings name it. */
		setenv("LIBPFM_FORCE_PMU", pmu, 1);
		if (pcnt_init(&set))
			_exit(10);
		snprintf(spec, sizeof(spec), "cpu=%s;counters=8;pfm=1", cpu);
		if (pcnt_fake_install(spec, NULL, 0))
			_exit(11);
		if (!strstr(pcnt_pfm_pmu(), pmu))
			_exit(20);
		if (!strstr(pcnt_pfm_pmu(), "(forced by LIBPFM_FORCE_PMU)"))
			_exit(15);
		t = pcnt_table_for_cpu(NULL, 0);
		if (!t)
			_exit(12);
		for (i = 0; i < t->nev; i++) {
			const struct pcnt_tab_event *e = &t->ev[i];
			uint64_t c, c1, pc, pc1, pc2;
			uint32_t type;
			char p[64];

			if (!strcmp(e->pfm, "-") || strncmp(e->raw, "event=", 6))
				continue;
			if (pcnt_raw_encode(e->raw, t->vendor, &c, &c1) ||
			    pcnt_pfm_encode(e->pfm, &type, &pc, &pc1, &pc2, p,
					    sizeof(p)) ||
			    type != PERF_TYPE_RAW ||
			    (pc & ~0x530000ULL) != c || pc1 != c1)
				_exit(30 + (int)i);
		}
		/* And the resolution path says libpfm4. */
		{
			struct pcnt_spec s;
			int k;

			if (pcnt_spec_parse(&s, "page_walks", NULL, 0))
				_exit(13);
			k = idx_of(&s, "page_walks");
			if (k < 0 || strncmp(s.ev[k].path, "libpfm4 ", 8))
				_exit(14);
		}
		_exit(0);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

static void test_pfm_matches_tables(void **state)
{
	/* The PMUs Debian 12's libpfm4 4.13.0 has; emr, gnr, Zen 5 it lacks. */
	static const char *const cases[][2] = {
		{ "skx", "GenuineIntel:6:0x55" },
		{ "icx", "GenuineIntel:6:0x6a" },
		{ "spr", "GenuineIntel:6:0x8f" },
		{ "amd64_fam17h_zen2", "AuthenticAMD:0x17:0x31" },
		{ "amd64_fam19h_zen3", "AuthenticAMD:0x19:0x01" },
		{ "amd64_fam19h_zen4", "AuthenticAMD:0x19:0x11" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = crosscheck_child(cases[i][0], cases[i][1]);

		if (r == 20)
			continue;	/* an older libpfm4 without it */
		if (r)
			fail_msg("%s: child exit %d", cases[i][0], r);
	}
}
#else
static void test_pfm_matches_tables(void **state)
{
	skip();
}
#endif

/* ---- the seam ---------------------------------------------------------- */

static int fake(const char *spec)
{
	char err[128];

	return pcnt_fake_install(spec, err, sizeof(err));
}

static int teardown_fake(void **state)
{
	pcnt_fake_uninstall();
	return 0;
}

static void nop(void *arg)
{
	(void)arg;
}

/* Open @list under the current fake and measure once with @ops. */
static struct pcnt_session *run(struct pcnt_spec *s, const char *list,
				double ops, struct pcnt_result *r)
{
	struct pcnt_session *ss;
	char err[512];

	assert_int_equal(pcnt_spec_parse(s, list, err, sizeof(err)), 0);
	assert_int_equal(pcnt_open(&ss, s, 0, -1), 0);
	assert_int_equal(pcnt_measure(ss, nop, NULL, ops, r), 0);
	return ss;
}

static void expect(const struct pcnt_spec *s, const struct pcnt_result *r,
		   const char *name, const char *status, double value)
{
	int k = idx_of(s, name);

	if (k < 0)
		fail_msg("no event %s", name);
	if (strncmp(r[k].status, status, strlen(status)))
		fail_msg("%s: status '%s', want '%s...'", name, r[k].status,
			 status);
	assert_true(pout_status_valid(r[k].status));
	if (!isnan(value) && fabs(r[k].value - value) > 1e-9 * fabs(value))
		fail_msg("%s: value %.17g, want %.17g", name, r[k].value, value);
	if (isnan(value))
		assert_true(isnan(r[k].value));
}

static void test_fake_zen5_raw(void **state)
{
	struct pcnt_spec s;
	struct pcnt_result r[PCNT_MAX_EVENTS];
	struct pcnt_session *ss;
	int k;

	assert_int_equal(fake("cpu=AuthenticAMD:0x1a:0x02;counters=6"), 0);
	assert_non_null(strstr(pcnt_backend_name(), "fake"));
	ss = run(&s, "default", 1000, r);
	k = idx_of(&s, "page_walks");
	assert_non_null(strstr(s.ev[k].path, "raw from table amd-zen5"));
	assert_int_equal(s.ev[k].config, 0xf045);
	assert_int_equal(s.ev[idx_of(&s, "l1_dtlb_misses")].config, 0xff45);
	assert_int_equal(s.ev[idx_of(&s, "l2_tlb_hits")].config, 0x0f45);
	assert_int_equal(s.ev[idx_of(&s, "page_walks_4k")].config, 0x1045);
	assert_int_equal(s.ev[idx_of(&s, "page_walks_2m")].config, 0x4045);
	assert_int_equal(s.ev[idx_of(&s, "remote_dram")].config, 0x4043);
	assert_int_equal(s.ev[idx_of(&s, "remote_dram_reads")].config, 0x4044);
	assert_non_null(strstr(s.ev[idx_of(&s, "remote_dram")].counts, "NPS"));
	/* 8 hardware events, 6 counters, no fixed ones: two passes. */
	assert_int_equal(pcnt_npasses(ss), 2);
	assert_int_equal(r[k].pass, 0);
	assert_int_equal(r[idx_of(&s, "remote_dram")].pass, 1);
	/* Every read of an enabled group adds 1000: one pass, 1000 ops. */
	expect(&s, r, "page_walks", "ok", 1.0);
	expect(&s, r, "remote_dram", "ok", 1.0);
	expect(&s, r, "cycles", "ok", 1.0);
	expect(&s, r, "page_walk_cycles", "na:no-such-event(AMD Zen has no",
	       NAN);
	assert_string_equal(r[idx_of(&s, "page-faults")].status, "ok");
	pcnt_close(ss);
	/* Perf-style names of the table resolve to the same encoding. */
	assert_int_equal(pcnt_spec_parse(&s, "ls_l1_d_tlb_miss.all_l2_miss",
					 NULL, 0), 0);
	assert_int_equal(s.ev[0].config, 0xf045);
	/* One of another CPU's table: NA, not a usage error. */
	assert_int_equal(pcnt_spec_parse(&s, "dtlb_load_misses.walk_completed",
					 NULL, 0), 0);
	assert_non_null(strstr(s.ev[0].unresolved, "na:other-cpu("));
	/* Generic names say what they count on AMD. */
	assert_int_equal(pcnt_spec_parse(&s, "dTLB-loads", NULL, 0), 0);
	assert_non_null(strstr(s.ev[0].counts, "L1 dTLB misses"));
}

static void test_fake_gnr_raw(void **state)
{
	struct pcnt_spec s;
	struct pcnt_result r[PCNT_MAX_EVENTS];
	struct pcnt_session *ss;
	int k;

	assert_int_equal(fake("cpu=GenuineIntel:6:0xad;counters=8;"
			      "rate.0e12=2500;rate.0212=500;rate.0412=100"), 0);
	ss = run(&s, "default", 500, r);
	k = idx_of(&s, "page_walks");
	assert_non_null(strstr(s.ev[k].path, "raw from table intel-gnr"));
	assert_int_equal(s.ev[k].config, 0x0e12);
	assert_int_equal(s.ev[idx_of(&s, "page_walk_cycles")].config, 0x1001012);
	k = idx_of(&s, "remote_dram_reads");
	assert_int_equal(s.ev[k].config, 0x012a);
	assert_int_equal(s.ev[k].config1, 0x730004477ULL);
	assert_int_equal(s.ev[idx_of(&s, "remote_dram")].config, 0x02d3);
	/* Seven events limited to counters 0-3, two fixed: two passes. */
	assert_int_equal(pcnt_npasses(ss), 2);
	/* l1_dtlb_misses = STLB hits + walks, derived: (1000 + 2500) / 500. */
	expect(&s, r, "l1_dtlb_misses", "derived", 7.0);
	expect(&s, r, "page_walks", "ok", 5.0);
	expect(&s, r, "page_walks_4k", "ok", 1.0);
	expect(&s, r, "page_walks_2m", "ok", 0.2);
	expect(&s, r, "l2_tlb_hits", "ok", 2.0);
	pcnt_close(ss);
	/* A raw code equal to a table entry says which. */
	assert_int_equal(pcnt_spec_parse(&s, "r0e12", NULL, 0), 0);
	assert_non_null(strstr(s.ev[0].path, "page_walks in table intel-gnr"));
}

static void test_fake_multiplexed(void **state)
{
	struct pcnt_spec s;
	struct pcnt_result r[PCNT_MAX_EVENTS];
	struct pcnt_session *ss;
	int k;

	assert_int_equal(fake("cpu=AuthenticAMD:0x1a:0x02;counters=6;mux=0.25"),
			 0);
	ss = run(&s, "page_walks,l1_dtlb_misses", 0, r);
	k = idx_of(&s, "page_walks");
	/* 250 counted in a quarter of the time: scaled back to 1000. */
	assert_int_equal(r[k].raw, 250);
	assert_true(r[k].running * 4 == r[k].enabled);
	expect(&s, r, "page_walks", "multiplexed", 1000);
	pcnt_close(ss);
}

static void test_fake_errors(void **state)
{
	struct pcnt_spec s;
	struct pcnt_result r[PCNT_MAX_EVENTS];
	struct pcnt_session *ss;

	assert_int_equal(fake("cpu=AuthenticAMD:0x1a:0x02;counters=6;"
			      "fail.f045=EACCES;fail.ff45=ENOENT;"
			      "fail.4043=EOPNOTSUPP;fail.0f45=EBUSY"), 0);
	ss = run(&s, "default", 1, r);
	expect(&s, r, "page_walks", "na:paranoid(EACCES: perf_event_paranoid=",
	       NAN);
	expect(&s, r, "l1_dtlb_misses", "na:no-pmu(ENOENT", NAN);
	expect(&s, r, "remote_dram", "na:unsupported(EOPNOTSUPP", NAN);
	expect(&s, r, "l2_tlb_hits", "na:busy(EBUSY", NAN);
	expect(&s, r, "page_walks_4k", "ok", 1000);
	assert_string_equal(r[idx_of(&s, "context-switches")].status, "ok");
	pcnt_close(ss);
}

static void test_fake_no_pmu(void **state)
{
	struct pcnt_spec s;
	struct pcnt_result r[PCNT_MAX_EVENTS];
	struct pcnt_session *ss;
	size_t i;

	assert_int_equal(fake("cpu=GenuineIntel:6:0xad;fail.hw=ENOENT"), 0);
	ss = run(&s, "default,dTLB-loads,r0f045", 1, r);
	for (i = 0; i < s.n; i++) {
		if (s.ev[i].kind == PCNT_KIND_SW) {
			assert_string_equal(r[i].status, "ok");
			assert_true(isfinite(r[i].value));
		} else {
			assert_true(!strncmp(r[i].status, "na:", 3));
			assert_non_null(strchr(r[i].status, '('));
		}
	}
	expect(&s, r, "page_walks", "na:no-pmu(ENOENT", NAN);
	expect(&s, r, "l1_dtlb_misses", "na:summand-na(", NAN);
	pcnt_close(ss);
}

/*
 * The caller's settings: a forced table by id or path, a table directory
 * (a wrong one: NA with the reason), a value too long; defaults back.
 */
/* With the table forced to @force, the table in use is @id. */
static void forced_table_is(const char *force, const char *id)
{
	struct pcnt_settings set = { .event_table = force };
	const struct pcnt_table *t;
	char why[PCNT_STATUS_LEN];

	assert_int_equal(pcnt_init(&set), 0);
	t = pcnt_table_for_cpu(why, sizeof(why));
	if (!t)
		fail_msg("%s: %s", force, why);
	assert_string_equal(t->id, id);
}

static void test_settings(void **state)
{
	struct pcnt_settings set = { 0 };
	char why[PCNT_STATUS_LEN], path[1200], dir[1024], *big;

	assert_int_equal(pcnt_init(NULL), 0);
	assert_non_null(pcnt_tables_dir());
	snprintf(dir, sizeof(dir), "%s", pcnt_tables_dir());
	snprintf(path, sizeof(path), "%s/amd-zen5.events", dir);
	forced_table_is("amd-zen5", "amd-zen5");
	forced_table_is("intel-gnr", "intel-gnr");
	forced_table_is(path, "amd-zen5");
	set.event_table = "no-such-table";
	assert_int_equal(pcnt_init(&set), 0);
	assert_null(pcnt_table_for_cpu(why, sizeof(why)));
	assert_non_null(strstr(why, "PCPU_EVENT_TABLE=no-such-table is not "
			       "a table (tables: "));
	set.event_table = NULL;
	set.event_dir = "/nonexistent-pcpubench-events";
	assert_int_equal(pcnt_init(&set), 0);
	assert_string_equal(pcnt_tables_dir(), set.event_dir);
	assert_null(pcnt_table_for_cpu(why, sizeof(why)));
	assert_non_null(strstr(why, "no event table directory"));
	big = malloc(8192);
	assert_non_null(big);
	memset(big, 'x', 8191);
	big[8191] = 0;
	set.event_dir = big;
	assert_int_equal(pcnt_init(&set), -ENAMETOOLONG);
	free(big);
	/* Unchanged by the refused call. */
	assert_string_equal(pcnt_tables_dir(), "/nonexistent-pcpubench-events");
	assert_int_equal(pcnt_init(NULL), 0);
	assert_string_equal(pcnt_tables_dir(), dir);
}

/* A spec that did not parse: every hardware event fails, named so. */
static void test_fake_broken(void **state)
{
	struct pcnt_spec s;
	struct pcnt_result r[PCNT_MAX_EVENTS];
	struct pcnt_session *ss;
	char err[128] = "";

	assert_int_equal(pcnt_fake_install("counters=0", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "PCPU_FAKE_PERF: bad 'counters=0'"));
	assert_int_equal(pcnt_fake_install("bogus", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "PCPU_FAKE_PERF: bad 'bogus' (not key=value)");
	assert_int_equal(pcnt_fake_install("counters=0", err, sizeof(err)),
			 -EINVAL);
	pcnt_fake_install_broken(err);
	assert_string_equal(pcnt_backend_name(),
			    "fake(broken: PCPU_FAKE_PERF: bad 'counters=0')");
	ss = run(&s, "cycles,r0f045", 1, r);
	expect(&s, r, "cycles", "na:invalid(EINVAL", NAN);
	expect(&s, r, "r0f045", "na:invalid(EINVAL", NAN);
	assert_string_equal(r[idx_of(&s, "page-faults")].status, "ok");
	pcnt_close(ss);
}

static void test_fake_grouping(void **state)
{
	struct pcnt_spec s;
	struct pcnt_result r[PCNT_MAX_EVENTS];
	struct pcnt_session *ss;
	struct pcnt_capacity cap;
	char err[512];
	size_t i;

	/* Two counters: 10 events -> 5 passes, every value exact. */
	assert_int_equal(fake("cpu=AuthenticAMD:0x1a:0x02;counters=2"), 0);
	ss = run(&s, "cycles,instructions,l1_dtlb_misses,l2_tlb_hits,"
		 "page_walks,page_walks_4k,page_walks_2m,remote_dram,"
		 "remote_dram_reads,r0076", 1000, r);
	assert_int_equal(pcnt_npasses(ss), 5);
	for (i = 0; i < s.n; i++)
		if (s.ev[i].kind != PCNT_KIND_SW)
			assert_string_equal(r[i].status, "ok");
	pcnt_close(ss);
	/* The NMI watchdog holds one of six: five usable. */
	assert_int_equal(fake("cpu=AuthenticAMD:0x1a:0x02;counters=6;"
			      "watchdog=1"), 0);
	pcnt_capacity(&cap);
	assert_int_equal(cap.usable, 5);
	assert_int_equal(pcnt_spec_parse(&s, "no-split,cycles,instructions,"
					 "l1_dtlb_misses,l2_tlb_hits,page_walks,"
					 "page_walks_4k", err, sizeof(err)),
			 -E2BIG);
	assert_non_null(strstr(err, "NMI watchdog"));
	assert_int_equal(pcnt_spec_parse(&s, "no-split,cycles,instructions,"
					 "l1_dtlb_misses,l2_tlb_hits,page_walks",
					 err, sizeof(err)), 0);
	/* Another user holds two counters the planner cannot see. */
	assert_int_equal(fake("cpu=AuthenticAMD:0x1a:0x02;counters=6;held=2"),
			 0);
	ss = run(&s, "no-split,cycles,instructions,l1_dtlb_misses,"
		 "l2_tlb_hits,page_walks", 1, r);
	assert_int_equal(pcnt_npasses(ss), 1);
	expect(&s, r, "page_walks", "na:not-scheduled(", NAN);
	pcnt_close(ss);
	/* More than fits one group: the kernel (fake) refuses with EINVAL. */
	assert_int_equal(fake("cpu=AuthenticAMD:0x1a:0x02;counters=6"), 0);
	assert_int_equal(pcnt_spec_parse(&s, "no-split,default", err,
					 sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "--no-split"));
}

static void test_fake_rules_and_passes(void **state)
{
	struct pcnt_spec s;
	struct pcnt_result r[PCNT_MAX_EVENTS];
	struct pcnt_session *ss;
	struct pcnt_sample a, b;

	/* Walks (0xf045) > L1 misses (0xff45): both flagged. */
	assert_int_equal(fake("cpu=AuthenticAMD:0x1a:0x02;counters=6;"
			      "rate.f045=5000"), 0);
	ss = run(&s, "l1_dtlb_misses,page_walks,page_walks_4k", 1, r);
	expect(&s, r, "page_walks", "flagged:misses-gt-accesses", 5000);
	expect(&s, r, "l1_dtlb_misses", "flagged:misses-gt-accesses", 1000);
	expect(&s, r, "page_walks_4k", "ok", 1000);
	pcnt_close(ss);
	/* pcnt_delta() on one selected pass: the others are NA, said so. */
	assert_int_equal(fake("cpu=AuthenticAMD:0x1a:0x02;counters=2"), 0);
	assert_int_equal(pcnt_spec_parse(&s, "cycles,instructions,page_walks",
					 NULL, 0), 0);
	assert_int_equal(pcnt_open(&ss, &s, 0, -1), 0);
	assert_int_equal(pcnt_npasses(ss), 2);
	assert_int_equal(pcnt_pass_select(ss, 3), 0);	/* 3 % 2 = pass 2 */
	assert_int_equal(pcnt_enable(ss), 0);
	assert_int_equal(pcnt_read(ss, &a), 0);
	assert_int_equal(pcnt_read(ss, &b), 0);
	assert_int_equal(pcnt_delta(ss, &a, &b, r), 0);
	expect(&s, r, "page_walks", "ok", 1000);
	expect(&s, r, "cycles", "na:other-pass(counted in pass 1 of 2", NAN);
	pcnt_close(ss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/*
		 * First: its children must fork before this process has
		 * initialised libpfm4, so that LIBPFM_FORCE_PMU takes effect.
		 */
		cmocka_unit_test(test_pfm_matches_tables),
		cmocka_unit_test(test_spec_parse),
		cmocka_unit_test(test_software_group),
		cmocka_unit_test(test_hardware_value_or_na),
		cmocka_unit_test(test_errno_reasons),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_tables_parse),
		cmocka_unit_test(test_raw_encode),
		cmocka_unit_test(test_settings),
		cmocka_unit_test_teardown(test_fake_zen5_raw, teardown_fake),
		cmocka_unit_test_teardown(test_fake_gnr_raw, teardown_fake),
		cmocka_unit_test_teardown(test_fake_multiplexed, teardown_fake),
		cmocka_unit_test_teardown(test_fake_errors, teardown_fake),
		cmocka_unit_test_teardown(test_fake_no_pmu, teardown_fake),
		cmocka_unit_test_teardown(test_fake_broken, teardown_fake),
		cmocka_unit_test_teardown(test_fake_grouping, teardown_fake),
		cmocka_unit_test_teardown(test_fake_rules_and_passes,
					  teardown_fake),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
