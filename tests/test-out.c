// SPDX-License-Identifier: GPL-2.0
/*
 * test-out.c - the tidy row writer: CSV header and column count on every
 * line, RFC 4180 quoting, NA values, integers exact, status vocabulary
 * enforced, JSON well formed (checked with /usr/bin/python3 -m json.tool
 * when present) with meta before rows, TEXT aggregation, and the atomic
 * file write (nothing at the path until close; nothing left after abort),
 * the destinations refused (device node, FIFO, dangling symlink,
 * missing directory) or written in place (/dev/null), a symlink's target
 * replaced, sticky errors (a refused row, a full disk), and the
 * caller's strict_units setting (pout_init()).
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
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "pcpu-out.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/test-out.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "umount %s/full 2>/dev/null; rm -rf %s", dir, dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Count CSV fields of one line, honouring quotes. */
static int csv_fields(const char *line, const char **end)
{
	int n = 1, q = 0;
	const char *p;

	for (p = line; *p && (q || *p != '\n'); p++) {
		if (*p == '"')
			q = !q;
		else if (*p == ',' && !q)
			n++;
	}
	*end = *p ? p + 1 : p;
	return n;
}

static const char *const params[] = { "strategy", "op" };

static void test_status_vocabulary(void **state)
{
	assert_true(pout_status_valid("ok"));
	assert_true(pout_status_valid("derived"));
	assert_true(pout_status_valid("estimated"));
	assert_true(pout_status_valid("multiplexed"));
	assert_true(pout_status_valid("na:no-pmu(ENOENT: none)"));
	assert_true(pout_status_valid("flagged:misses-gt-loads"));
	assert_false(pout_status_valid("na:"));
	assert_false(pout_status_valid("flagged:"));
	assert_false(pout_status_valid("good"));
	assert_false(pout_status_valid("OK"));
	assert_false(pout_status_valid(""));
	assert_false(pout_status_valid(NULL));
	assert_false(pout_status_valid("na:a,b"));
	assert_false(pout_status_valid("na:a\nb"));
}

static void test_csv(void **state)
{
	char path[128], cmd[160];
	struct pout *o;
	const char *pv[] = { "seg,ment", "re\"ad" }, *pv2[] = { "tls", "inc" };
	char *txt;
	const char *p, *e;
	int lines = 0;

	snprintf(path, sizeof(path), "%s/a.csv", dir);
	assert_int_equal(pout_open(&o, POUT_CSV, path, "access", params, 2), 0);
	assert_int_equal(pout_meta(o, "seed", "1"), 0);
	assert_int_equal(pout_row(o, pv, 0, "cycles_per_op", 1.5, "cycles",
				  "ok"), 0);
	assert_int_equal(pout_row(o, pv2, 1, "batch_ops", 12345678901.0, "ops",
				  "ok"), 0);
	assert_int_equal(pout_row(o, pv2, 2, "dTLB-loads_per_op", 0,
				  "events/op", "na:no-pmu(ENOENT: none here)"), 0);
	assert_int_equal(pout_row(o, pv2, -1, "cycles_over_floor", 0.1, "u",
				  "derived"), 0);
	/* Refused: a metric lib/toolkit/pcpu-metrics.h does not declare for access;
	 * vocabulary, commas in status, non-finite ok values. */
	assert_int_equal(pout_row(o, pv2, 0, "no_such_metric", 1, "ops", "ok"),
			 -EINVAL);
	assert_int_equal(pout_row(o, pv2, 0, "ns_per_op", 1, "u", "great"), -EINVAL);
	assert_int_equal(pout_row(o, pv2, 0, "ns_per_op", 1, "u", "na:a,b"), -EINVAL);
	assert_int_equal(pout_row(o, pv2, 0, "ns_per_op", NAN, "u", "ok"), -EINVAL);
	assert_int_equal(pout_row(o, pv2, 0, "m,x", 1, "u", "ok"), -EINVAL);
	/* Atomic: nothing at the path before close. */
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(pout_meta(o, "late_key", "y"), 0);	/* CSV: any time */
	/* A refused row is not lost: close says so; the file is written. */
	assert_int_equal(pout_close(o), -EINVAL);
	txt = slurp(path);
	assert_non_null(txt);
	assert_true(!strncmp(txt, "bench,strategy,op,rep,metric,value,unit,"
			     "status\n", 47));
	for (p = txt; *p; p = e) {
		assert_int_equal(csv_fields(p, &e), 8);
		lines++;
	}
	assert_int_equal(lines, 5);
	assert_non_null(strstr(txt, "access,\"seg,ment\",\"re\"\"ad\",0,"
			       "cycles_per_op,1.5,cycles,ok\n"));
	assert_non_null(strstr(txt, ",12345678901,ops,ok\n"));
	assert_non_null(strstr(txt, ",NA,events/op,na:no-pmu(ENOENT: none "
			       "here)\n"));
	/* the unit written is the declared one, not the caller's */
	assert_non_null(strstr(txt, "access,tls,inc,,cycles_over_floor,0.1,"
			       "cycles,derived\n"));
	assert_null(strstr(txt, "seed"));	/* CSV: meta in the sidecar */
	free(txt);
	snprintf(cmd, sizeof(cmd), "%s.meta.json", path);
	txt = slurp(cmd);
	assert_non_null(txt);
	assert_non_null(strstr(txt, "\"schema_version\": 2"));
	assert_non_null(strstr(txt, "\"bench\": \"access\""));
	assert_non_null(strstr(txt, "\"seed\": \"1\""));
	assert_non_null(strstr(txt, "\"late_key\": \"y\""));
	free(txt);
}

static void test_json(void **state)
{
	char path[128], cmd[300];
	struct pout *o;
	const char *pv[] = { "segment", "read\"q" };
	char *txt;

	snprintf(path, sizeof(path), "%s/a.json", dir);
	assert_int_equal(pout_open(&o, POUT_JSON, path, "access", params, 2), 0);
	assert_int_equal(pout_meta(o, "seed", "42"), 0);
	assert_int_equal(pout_meta(o, "note", "tab\there \"quoted\""), 0);
	assert_int_equal(pout_row(o, pv, 0, "ns_per_op", 0.25, "ns", "ok"), 0);
	assert_int_equal(pout_row(o, pv, 1, "ns_per_op", 1, "ns",
				  "na:gone(why)"), 0);
	assert_int_equal(pout_meta(o, "late", "x"), -EALREADY);
	assert_int_equal(pout_close(o), 0);
	txt = slurp(path);
	assert_non_null(txt);
	assert_non_null(strstr(txt, "\"schema_version\": 2"));
	assert_non_null(strstr(txt, "\"meta\""));
	assert_non_null(strstr(txt, "\"rows\""));
	assert_true(strstr(txt, "\"meta\"") < strstr(txt, "\"rows\""));
	assert_non_null(strstr(txt, "\"seed\": \"42\""));
	assert_non_null(strstr(txt, "\"version\""));
	assert_non_null(strstr(txt, "\"kernel\""));
	assert_non_null(strstr(txt, "\"value\": null"));
	assert_non_null(strstr(txt, "\"value\": 0.25"));
	free(txt);
	if (access("/usr/bin/python3", X_OK) == 0) {
		snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -m json.tool %s "
			 ">/dev/null 2>&1", path);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_json_empty(void **state)
{
	char path[128], cmd[300];
	struct pout *o;

	snprintf(path, sizeof(path), "%s/e.json", dir);
	assert_int_equal(pout_open(&o, POUT_JSON, path, "x", NULL, 0), 0);
	assert_int_equal(pout_close(o), 0);
	if (access("/usr/bin/python3", X_OK) == 0) {
		snprintf(cmd, sizeof(cmd), "/usr/bin/python3 -m json.tool %s "
			 ">/dev/null 2>&1", path);
		assert_int_equal(system(cmd), 0);
	}
}

static void test_text(void **state)
{
	char path[128];
	struct pout *o;
	const char *pv[] = { "segment", "read" };
	char *txt;
	int i;

	snprintf(path, sizeof(path), "%s/a.txt", dir);
	assert_int_equal(pout_open(&o, POUT_TEXT, path, "access", params, 2), 0);
	assert_int_equal(pout_meta(o, "seed", "7"), 0);
	for (i = 0; i < 5; i++)
		assert_int_equal(pout_row(o, pv, i, "cycles_per_op", i + 1,
					  "cycles", "ok"), 0);
	assert_int_equal(pout_row(o, pv, 0, "pmu_cycles_per_op", 0, "events/op",
				  "na:no-pmu(ENOENT)"), 0);
	assert_int_equal(pout_close(o), 0);
	txt = slurp(path);
	assert_non_null(txt);
	assert_non_null(strstr(txt, "# seed: 7"));
	assert_non_null(strstr(txt, "median"));
	assert_non_null(strstr(txt, "rcv%"));
	/* median of 1..5 is 3, n 5 */
	assert_non_null(strstr(txt, "cycles_per_op"));
	assert_non_null(strstr(txt, " 3 "));
	assert_non_null(strstr(txt, "na:no-pmu(ENOENT)"));
	free(txt);
}

static void test_abort_and_bad_open(void **state)
{
	char path[128];
	struct pout *o;
	const char *bad[] = { "a,b" };
	enum pout_format f;

	snprintf(path, sizeof(path), "%s/ab.csv", dir);
	assert_int_equal(pout_open(&o, POUT_CSV, path, "x", NULL, 0), 0);
	assert_int_equal(pout_row(o, NULL, 0, "m", 1, "u", "ok"), 0);
	pout_abort(o);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(pout_open(&o, POUT_CSV, path, "x", bad, 1), -EINVAL);
	assert_int_equal(pout_open(&o, POUT_CSV, "/nonexistent/dir/x.csv",
				   "x", NULL, 0) < 0, 1);
	assert_int_equal(pout_format_parse("csv", &f), 0);
	assert_int_equal(f, POUT_CSV);
	assert_int_equal(pout_format_parse("json", &f), 0);
	assert_int_equal(f, POUT_JSON);
	assert_int_equal(pout_format_parse("text", &f), 0);
	assert_int_equal(pout_format_parse("xml", &f), -EINVAL);
}

static void test_destinations(void **state)
{
	char path[128], link[140], msg[256];
	struct pout *o;
	struct stat st;
	char *txt;

	/* A FIFO and a device node are refused and left alone. */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(pout_open(&o, POUT_CSV, path, "x", NULL, 0), -EEXIST);
	assert_int_equal(pout_path_check(path), -EEXIST);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	snprintf(path, sizeof(path), "%s/null", dir);
	if (!mknod(path, S_IFCHR | 0600, makedev(1, 3))) {
		assert_int_equal(pout_open(&o, POUT_CSV, path, "x", NULL, 0),
				 -EEXIST);
		assert_int_equal(stat(path, &st), 0);
		assert_true(S_ISCHR(st.st_mode));
	}
	/* A directory, a dangling symlink, a missing directory. */
	assert_int_equal(pout_open(&o, POUT_CSV, dir, "x", NULL, 0), -EEXIST);
	snprintf(link, sizeof(link), "%s/dangling", dir);
	assert_int_equal(symlink("/nonexistent/x", link), 0);
	assert_int_equal(pout_open(&o, POUT_CSV, link, "x", NULL, 0), -EEXIST);
	snprintf(path, sizeof(path), "%s/no/such.csv", dir);
	assert_int_equal(pout_open(&o, POUT_CSV, path, "x", NULL, 0), -ENOENT);
	/* A symlink to a regular file: the target is replaced, the link kept. */
	snprintf(path, sizeof(path), "%s/target.csv", dir);
	snprintf(link, sizeof(link), "%s/link.csv", dir);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("old\n", f);
		fclose(f);
	}
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(pout_path_check(link), 0);
	assert_int_equal(pout_open(&o, POUT_CSV, link, "x", NULL, 0), 0);
	assert_int_equal(pout_row(o, NULL, 0, "m", 1, "u", "ok"), 0);
	assert_int_equal(pout_close(o), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	txt = slurp(path);
	assert_non_null(txt);
	assert_true(!strncmp(txt, "bench,rep,", 10));
	free(txt);
	/* In place: /dev/null is opened, never created or renamed. */
	assert_int_equal(pout_path_check("/dev/null"), 1);
	assert_int_equal(pout_path_check("-"), 1);
	assert_int_equal(pout_open(&o, POUT_CSV, "/dev/null", "x", NULL, 0), 0);
	assert_int_equal(pout_row(o, NULL, 0, "m", 1, "u", "ok"), 0);
	assert_int_equal(pout_close(o), 0);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	/* A refused row: close fails with a line naming the metric. */
	snprintf(path, sizeof(path), "%s/refused.csv", dir);
	assert_int_equal(pout_open(&o, POUT_CSV, path, "x", NULL, 0), 0);
	assert_int_equal(pout_row(o, NULL, 0, "bad_one", NAN, "u", "ok"), -EINVAL);
	assert_int_equal(pout_row(o, NULL, 0, "m", 1, "u", "ok"), 0);
	assert_int_equal(pout_close_err(o, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "bad_one"));
}

/* A full disk (a 64 KiB tmpfs, root only): ENOSPC named, target kept. */
static void test_full_disk(void **state)
{
	char mnt[128], path[160], cmd[256], msg[256];
	struct pout *o;
	char *txt;
	int i, r;

	if (geteuid() != 0) {
		skip();
		return;
	}
	snprintf(mnt, sizeof(mnt), "%s/full", dir);
	assert_int_equal(mkdir(mnt, 0755), 0);
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=64k")) {
		skip();
		return;
	}
	snprintf(path, sizeof(path), "%s/old.csv", mnt);
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs("previous result\n", f);
		fclose(f);
	}
	snprintf(cmd, sizeof(cmd), "dd if=/dev/zero of=%s/fill bs=4k "
		 "2>/dev/null", mnt);
	r = system(cmd);
	(void)r;
	assert_int_equal(pout_open(&o, POUT_CSV, path, "x", NULL, 0), 0);
	for (i = 0; i < 20000; i++)
		if (pout_row(o, NULL, i, "metric", i, "u", "ok"))
			break;
	r = pout_close_err(o, msg, sizeof(msg));
	assert_int_equal(r, -ENOSPC);
	assert_non_null(strstr(msg, "No space left"));
	assert_non_null(strstr(msg, path));
	txt = slurp(path);
	assert_non_null(txt);
	assert_string_equal(txt, "previous result\n");
	free(txt);
	umount(mnt);
	rmdir(mnt);
}

/*
 * The caller's settings: with strict_units a declared metric's row with
 * another unit is refused; by default the declared unit is written.
 */
static void test_strict_units(void **state)
{
	struct pout_settings strict = { .strict_units = true };
	const char *pv[] = { "tls", "read" };
	char path[128], *txt;
	struct pout *o;

	snprintf(path, sizeof(path), "%s/strict.csv", dir);
	pout_init(NULL);
	assert_int_equal(pout_open(&o, POUT_CSV, path, "access", params, 2), 0);
	assert_int_equal(pout_row(o, pv, 0, "batch_ops", 5, "bytes", "ok"), 0);
	assert_int_equal(pout_close(o), 0);
	txt = slurp(path);
	assert_non_null(txt);
	assert_non_null(strstr(txt, ",batch_ops,5,ops,ok"));
	free(txt);
	pout_init(&strict);
	assert_int_equal(pout_open(&o, POUT_CSV, path, "access", params, 2), 0);
	assert_int_equal(pout_row(o, pv, 0, "batch_ops", 5, "bytes", "ok"),
			 -EINVAL);
	assert_int_equal(pout_row(o, pv, 0, "batch_ops", 5, "ops", "ok"), 0);
	assert_int_equal(pout_close(o), -EINVAL);
	pout_init(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_vocabulary),
		cmocka_unit_test(test_csv),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_abort_and_bad_open),
		cmocka_unit_test(test_destinations),
		cmocka_unit_test(test_full_disk),
		cmocka_unit_test(test_strict_units),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
