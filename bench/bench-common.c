// SPDX-License-Identifier: GPL-2.0
/*
 * bench-common.c - option helpers shared by the benchmark commands.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-common.h"
#include "pcpu-sysinfo.h"

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
			size_t k, used;

			used = (size_t)snprintf(err, errlen, "unknown strategy '%s' "
						"(known:", names[i]);
			for (k = 0; k < PCPU_NR_STRATEGIES && used < errlen; k++)
				used += (size_t)snprintf(err + used, errlen - used, " %s,",
					pcpu_strategy_name((enum pcpu_strategy_id)k));
			if (used < errlen)
				snprintf(err + used, errlen - used, " all)");
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

int bc_layout(const char *cmd, const char *s, enum pcpu_layout_id *l)
{
	unsigned i;

	if (!pcpu_layout_lookup(s, l))
		return 0;
	fprintf(stderr, "pcpubench %s: unknown layout '%s' (", cmd, s);
	for (i = PCPU_L_DEFAULT + 1; i < PCPU_NR_LAYOUTS; i++)
		fprintf(stderr, "%s%s", i > PCPU_L_DEFAULT + 1 ? ", " : "",
			pcpu_layout_name((enum pcpu_layout_id)i));
	fprintf(stderr, ")\n");
	return -EINVAL;
}

int bc_late_node(const char *cmd, const char *s, struct pcpu_late_node *ln)
{
	if (!pcpu_late_node_parse(s, ln))
		return 0;
	fprintf(stderr, "pcpubench %s: unknown --late-node '%s' (roundrobin, "
		"topology, boot, node:N)\n", cmd, s);
	return -EINVAL;
}

int bc_pairs(const char *cmd, const char *list, enum pcpu_strategy_id *ids,
	     int n, enum pcpu_layout_id layout)
{
	bool all = !list || !strcmp(list, "all");
	int i, k = 0;

	for (i = 0; i < n; i++) {
		enum pcpu_access_id a = pcpu_strategy_access(ids[i]);
		const char *why = pcpu_pair_invalid(a,
				pcpu_strategy_layout_with(ids[i], layout));

		if (!why) {
			ids[k++] = ids[i];
			continue;
		}
		fprintf(stderr, "pcpubench %s: %s%s (access %s) cannot use layout "
			"%s: %s\n", cmd, all ? "skipped: " : "",
			pcpu_strategy_name(ids[i]), pcpu_access_name(a),
			pcpu_layout_name(layout), why);
		if (!all)
			return -EINVAL;
	}
	if (!k) {
		fprintf(stderr, "pcpubench %s: no strategy can use layout %s\n", cmd,
			pcpu_layout_name(layout));
		return -EINVAL;
	}
	return k;
}

int bc_sysfs_cpulist(const char *name, char *buf, size_t len)
{
	char path[128];
	size_t n;
	int ret;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/%s", name);
	ret = pcpu_sysfs_read_str(path, buf, len);
	if (ret)
		return ret;
	n = strlen(buf);
	/* A single id ("0") would read as a count: make it a range. */
	if (!strpbrk(buf, ",-") && 2 * n + 2 <= len) {
		buf[n] = '-';
		memcpy(buf + n + 1, buf, n);
		buf[2 * n + 1] = '\0';
	}
	return 0;
}
