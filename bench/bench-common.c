// SPDX-License-Identifier: GPL-2.0
/*
 * bench-common.c - option helpers shared by the benchmark commands.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-common.h"

int bc_split(const char *s, char out[][64], size_t max)
{
	size_t n = 0;
	const char *p = s, *q;

	if (!s || !*s)
		return -EINVAL;
	for (;;) {
		q = strchr(p, ',');
		size_t len = q ? (size_t)(q - p) : strlen(p);

		if (!len || len >= 64 || n >= max)
			return -EINVAL;
		memcpy(out[n], p, len);
		out[n][len] = '\0';
		n++;
		if (!q)
			break;
		p = q + 1;
	}
	return (int)n;
}

int bc_strategies(const char *s, enum pcpu_strategy_id *ids, size_t max,
		  char *err, size_t errlen)
{
	char names[BC_MAX_LIST][64];
	int n, i;

	if (!s || !strcmp(s, "all")) {
		for (i = 0, n = 0; i < PCPU_NR_STRATEGIES && (size_t)n < max; i++)
			if (!pcpu_strategy_unavailable((enum pcpu_strategy_id)i))
				ids[n++] = (enum pcpu_strategy_id)i;
		return n;
	}
	n = bc_split(s, names, BC_MAX_LIST);
	if (n < 0 || (size_t)n > max) {
		snprintf(err, errlen, "bad strategy list '%s'", s ? s : "");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (pcpu_strategy_lookup(names[i], &ids[i])) {
			snprintf(err, errlen, "unknown strategy '%s' (known: "
				 "offset-array, segment, vm-area, hybrid, tls, all)",
				 names[i]);
			return -EINVAL;
		}
	}
	return n;
}

int bc_double(const char *s, double *v)
{
	char *end;

	if (!s || !*s)
		return -EINVAL;
	errno = 0;
	*v = strtod(s, &end);
	return errno || *end ? -EINVAL : 0;
}

int bc_ulong(const char *s, unsigned long *v)
{
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoul(s, &end, 0);
	return errno || *end ? -EINVAL : 0;
}

int bc_placement(const char *cmd, const char *s, struct pcpu_placement *p)
{
	if (!pcpu_placement_parse(s, p))
		return 0;
	fprintf(stderr, "pcpubench %s: unknown placement '%s' (local, interleave, "
		"node:N)\n", cmd, s);
	return -EINVAL;
}

int bc_no_extra_args(const char *cmd, int argc, char **argv, int optind_)
{
	if (optind_ < argc) {
		fprintf(stderr, "pcpubench %s: unexpected argument '%s'\n", cmd,
			argv[optind_]);
		return -EINVAL;
	}
	return 0;
}

enum pout_format bc_default_format(const char *path)
{
	if ((!path || !strcmp(path, "-")) && isatty(STDOUT_FILENO))
		return POUT_TEXT;
	return POUT_CSV;
}

uint64_t bc_rng_next(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

void bc_na_reason(char *dst, size_t len, const char *word, const char *msg)
{
	char *p;

	snprintf(dst, len, "na:%s(%s)", word, msg && *msg ? msg : "no detail");
	for (p = dst; *p; p++)
		if (*p == ',' || *p == '"' || *p == '\n' || *p == '\r')
			*p = ';';
}

int bc_default_cpu(void)
{
	cpu_set_t set;
	int i, last = -1;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			last = i;
	return last < 0 ? 0 : last;
}
