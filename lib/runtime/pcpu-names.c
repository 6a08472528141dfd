// SPDX-License-Identifier: GPL-2.0
/*
 * pcpu-names.c - names of strategies, access methods, layouts, late-node
 * policies, hotplug parts, backings and placements, and parsing of CPU
 * sets. Every name comes from the X-macro lists in pcpu.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>

#include "pcpu.h"
#include "pcpu-access.h"
#include "pcpu-internal.h"

static const char *const strategy_names[] = {
#define PCPU_X_NAME(id, name, acc, lay, desc) name,
	PCPU_STRATEGIES(PCPU_X_NAME)
#undef PCPU_X_NAME
};

static const char *const strategy_descs[] = {
#define PCPU_X_DESC(id, name, acc, lay, desc) desc,
	PCPU_STRATEGIES(PCPU_X_DESC)
#undef PCPU_X_DESC
};

static const enum pcpu_access_id strategy_access[] = {
#define PCPU_X_ACC(id, name, acc, lay, desc) PCPU_A_##acc,
	PCPU_STRATEGIES(PCPU_X_ACC)
#undef PCPU_X_ACC
};

static const enum pcpu_layout_id strategy_layout[] = {
#define PCPU_X_LAY(id, name, acc, lay, desc) PCPU_L_##lay,
	PCPU_STRATEGIES(PCPU_X_LAY)
#undef PCPU_X_LAY
};

static const char *const access_names[] = {
#define PCPU_X_NAME(id, lname, desc) #lname,
	PCPU_ACCESSES(PCPU_X_NAME)
#undef PCPU_X_NAME
};

static const char *const access_descs[] = {
#define PCPU_X_DESC(id, lname, desc) desc,
	PCPU_ACCESSES(PCPU_X_DESC)
#undef PCPU_X_DESC
};

static const char *const layout_names[] = {
	"default",
#define PCPU_X_NAME(id, lname, desc) #lname,
	PCPU_LAYOUTS(PCPU_X_NAME)
#undef PCPU_X_NAME
};

static const char *const layout_descs[] = {
	"the strategy's own layout",
#define PCPU_X_DESC(id, lname, desc) desc,
	PCPU_LAYOUTS(PCPU_X_DESC)
#undef PCPU_X_DESC
};

static const char *const late_names[] = {
#define PCPU_X_NAME(id, name, desc) name,
	PCPU_LATE_NODES(PCPU_X_NAME)
#undef PCPU_X_NAME
};

static const char *const late_descs[] = {
#define PCPU_X_DESC(id, name, desc) desc,
	PCPU_LATE_NODES(PCPU_X_DESC)
#undef PCPU_X_DESC
};

static const char *const online_part_names[] = {
#define PCPU_X_NAME(id, name, desc) name,
	PCPU_ONLINE_PARTS(PCPU_X_NAME)
#undef PCPU_X_NAME
};

static const char *const offline_part_names[] = {
#define PCPU_X_NAME(id, name, desc) name,
	PCPU_OFFLINE_PARTS(PCPU_X_NAME)
#undef PCPU_X_NAME
};

static const char *const backing_names[] = {
#define PCPU_X_NAME(id, name, desc) name,
	PCPU_BACKINGS(PCPU_X_NAME)
#undef PCPU_X_NAME
};

const char *pcpu_strategy_name(enum pcpu_strategy_id id)
{
	return (unsigned)id < PCPU_NR_STRATEGIES ? strategy_names[id] : "?";
}

const char *pcpu_strategy_desc(enum pcpu_strategy_id id)
{
	return (unsigned)id < PCPU_NR_STRATEGIES ? strategy_descs[id] : "?";
}

/**
 * pcpu_strategy_access() - a strategy's access method.
 * Return: the method; PCPU_NR_ACCESSES for an unknown id.
 */
enum pcpu_access_id pcpu_strategy_access(enum pcpu_strategy_id id)
{
	return (unsigned)id < PCPU_NR_STRATEGIES ? strategy_access[id] : PCPU_NR_ACCESSES;
}

/**
 * pcpu_strategy_layout() - a strategy's own layout.
 * Return: the layout; PCPU_L_DEFAULT for an unknown id.
 */
enum pcpu_layout_id pcpu_strategy_layout(enum pcpu_strategy_id id)
{
	return (unsigned)id < PCPU_NR_STRATEGIES ? strategy_layout[id] : PCPU_L_DEFAULT;
}

enum pcpu_layout_id pcpu_strategy_layout_with(enum pcpu_strategy_id id,
					      enum pcpu_layout_id override)
{
	return override > PCPU_L_DEFAULT && override < PCPU_NR_LAYOUTS ?
	       override : pcpu_strategy_layout(id);
}

/**
 * pcpu_strategy_lookup() - strategy id from its name.
 * Return: 0; -ENOENT unknown name.
 */
int pcpu_strategy_lookup(const char *name, enum pcpu_strategy_id *id)
{
	unsigned i;

	for (i = 0; i < PCPU_NR_STRATEGIES; i++) {
		if (!strcmp(name, strategy_names[i])) {
			*id = (enum pcpu_strategy_id)i;
			return 0;
		}
	}
	return -ENOENT;
}

/**
 * pcpu_strategy_unavailable() - why a strategy cannot run here.
 * Return: NULL when it can; else a reason (its access method's).
 */
const char *pcpu_strategy_unavailable(enum pcpu_strategy_id id)
{
	return pcpu_access_unavailable(pcpu_strategy_access(id));
}

const char *pcpu_access_name(enum pcpu_access_id a)
{
	return (unsigned)a < PCPU_NR_ACCESSES ? access_names[a] : "?";
}

const char *pcpu_access_desc(enum pcpu_access_id a)
{
	return (unsigned)a < PCPU_NR_ACCESSES ? access_descs[a] : "?";
}

/* Return: 0; -ENOENT unknown name. */
int pcpu_access_lookup(const char *name, enum pcpu_access_id *a)
{
	unsigned i;

	for (i = 0; i < PCPU_NR_ACCESSES; i++) {
		if (!strcmp(name, access_names[i])) {
			*a = (enum pcpu_access_id)i;
			return 0;
		}
	}
	return -ENOENT;
}

const char *pcpu_access_unavailable(enum pcpu_access_id a)
{
	const struct pcpu_access_ops *ops = pcpu_access_ops_of(a);

	if (!ops)
		return "unknown access method";
	return ops->unavailable ? ops->unavailable() : NULL;
}

const char *pcpu_layout_name(enum pcpu_layout_id l)
{
	return (unsigned)l < PCPU_NR_LAYOUTS ? layout_names[l] : "?";
}

const char *pcpu_layout_desc(enum pcpu_layout_id l)
{
	return (unsigned)l < PCPU_NR_LAYOUTS ? layout_descs[l] : "?";
}

/* A real layout's id from its name. Return: 0; -ENOENT unknown name. */
int pcpu_layout_lookup(const char *name, enum pcpu_layout_id *l)
{
	unsigned i;

	for (i = PCPU_L_DEFAULT + 1; i < PCPU_NR_LAYOUTS; i++) {
		if (!strcmp(name, layout_names[i])) {
			*l = (enum pcpu_layout_id)i;
			return 0;
		}
	}
	return -ENOENT;
}

const char *pcpu_late_node_desc(enum pcpu_late_node_kind k)
{
	return (unsigned)k < PCPU_NR_LATE_NODES ? late_descs[k] : "?";
}

const char *pcpu_online_part_name(enum pcpu_online_part p)
{
	return (unsigned)p < PCPU_NR_ONLINE_PARTS ? online_part_names[p] : "?";
}

const char *pcpu_offline_part_name(enum pcpu_offline_part p)
{
	return (unsigned)p < PCPU_NR_OFFLINE_PARTS ? offline_part_names[p] : "?";
}

const char *pcpu_backing_name(enum pcpu_backing b)
{
	return (unsigned)b < PCPU_NR_BACKINGS ? backing_names[b] : "?";
}

/**
 * pcpu_backing_lookup() - backing from its name ("4k", "thp", "hugetlb";
 * "2m" is taken as "thp").
 * Return: 0; -ENOENT unknown name.
 */
int pcpu_backing_lookup(const char *name, enum pcpu_backing *b)
{
	unsigned i;

	if (!strcmp(name, "2m")) {
		*b = PCPU_BACKING_THP;
		return 0;
	}
	for (i = 0; i < PCPU_NR_BACKINGS; i++) {
		if (!strcmp(name, backing_names[i])) {
			*b = (enum pcpu_backing)i;
			return 0;
		}
	}
	return -ENOENT;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!*s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/**
 * pcpu_placement_parse() - "local", "interleave", "node:N" or "N".
 * Return: 0; -EINVAL.
 */
int pcpu_placement_parse(const char *s, struct pcpu_placement *p)
{
	unsigned long n;

	memset(p, 0, sizeof(*p));
	if (!strcmp(s, "local")) {
		p->kind = PCPU_PLACE_LOCAL;
		return 0;
	}
	if (!strcmp(s, "interleave")) {
		p->kind = PCPU_PLACE_INTERLEAVE;
		return 0;
	}
	if (!strncmp(s, "node:", 5))
		s += 5;
	if (parse_uint(s, PCPU_MAX_NODES - 1, &n))
		return -EINVAL;
	p->kind = PCPU_PLACE_NODE;
	p->node = (int)n;
	return 0;
}

int pcpu_placement_format(const struct pcpu_placement *p, char *buf, size_t len)
{
	int n;

	switch (p->kind) {
	case PCPU_PLACE_LOCAL:
		n = snprintf(buf, len, "local");
		break;
	case PCPU_PLACE_INTERLEAVE:
		n = snprintf(buf, len, "interleave");
		break;
	default:
		n = snprintf(buf, len, "node:%d", p->node);
		break;
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/**
 * pcpu_late_node_parse() - "roundrobin", "topology", "boot" or "node:N"
 * (N a topology node; whether it exists is checked by pcpu_rt_init()).
 * Return: 0; -EINVAL.
 */
int pcpu_late_node_parse(const char *s, struct pcpu_late_node *ln)
{
	unsigned long n;
	unsigned i;

	memset(ln, 0, sizeof(*ln));
	for (i = 0; i < PCPU_NR_LATE_NODES; i++) {
		if (i != PCPU_LATE_NODE && !strcmp(s, late_names[i])) {
			ln->kind = (enum pcpu_late_node_kind)i;
			return 0;
		}
	}
	if (strncmp(s, "node:", 5) || parse_uint(s + 5, PCPU_MAX_NODES - 1, &n))
		return -EINVAL;
	ln->kind = PCPU_LATE_NODE;
	ln->node = (int)n;
	return 0;
}

int pcpu_late_node_format(const struct pcpu_late_node *ln, char *buf, size_t len)
{
	int n;

	if (ln->kind == PCPU_LATE_NODE)
		n = snprintf(buf, len, "node:%d", ln->node);
	else
		n = snprintf(buf, len, "%s", (unsigned)ln->kind < PCPU_NR_LATE_NODES ?
			     late_names[ln->kind] : "?");
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/* ---- CPU sets ---------------------------------------------------------- */

unsigned pcpu_cpuset_count(const struct pcpu_cpuset *s)
{
	unsigned i, n = 0;

	for (i = 0; i < PCPU_NR_CPUS / 64; i++)
		n += (unsigned)__builtin_popcountll(s->bits[i]);
	return n;
}

int pcpu_cpuset_next(const struct pcpu_cpuset *s, int from)
{
	unsigned i, w;
	uint64_t m;

	if (from < 0)
		from = 0;
	for (i = (unsigned)from; i < PCPU_NR_CPUS; i = (w + 1) * 64) {
		w = i / 64;
		m = s->bits[w] & (~0ULL << (i % 64));
		if (m)
			return (int)(w * 64 + (unsigned)__builtin_ctzll(m));
	}
	return -1;
}

/**
 * pcpu_cpuset_parse() - a cpulist ("0-3,8,100-103") or a count ("256":
 * ids 0..255). A plain number is a count; write "5-5" for CPU 5 alone.
 * Return: 0; -EINVAL malformed; -ERANGE an id >= PCPU_NR_CPUS.
 */
int pcpu_cpuset_parse(struct pcpu_cpuset *s, const char *str)
{
	unsigned long a, b, i;
	const char *p = str;
	char *end;

	memset(s, 0, sizeof(*s));
	if (!str || !*str)
		return -EINVAL;
	if (!strpbrk(str, ",-")) {
		if (parse_uint(str, ~0UL, &a))
			return -EINVAL;
		if (a > PCPU_NR_CPUS)
			return -ERANGE;
		for (i = 0; i < a; i++)
			pcpu_cpuset_set(s, (unsigned)i);
		return 0;
	}
	for (;;) {
		/* items separated by one comma: "1,,2", "0-1," and ",1"
		 * are malformed, not a shorter list */
		if (*p < '0' || *p > '9')
			return -EINVAL;
		a = strtoul(p, &end, 10);
		b = a;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				return -EINVAL;
			b = strtoul(p, &end, 10);
		}
		if (*end && *end != ',')
			return -EINVAL;
		if (b < a)
			return -EINVAL;
		if (b >= PCPU_NR_CPUS)
			return -ERANGE;
		for (i = a; i <= b; i++)
			pcpu_cpuset_set(s, (unsigned)i);
		if (!*end)
			break;
		p = end + 1;
	}
	return 0;
}

int pcpu_cpuset_format(const struct pcpu_cpuset *s, char *buf, size_t len)
{
	int cpu, start = -1, prev = -2, n;
	size_t used = 0;

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	for (cpu = pcpu_cpuset_next(s, 0);; cpu = pcpu_cpuset_next(s, cpu + 1)) {
		if (cpu >= 0 && cpu == prev + 1) {
			prev = cpu;
			continue;
		}
		if (start >= 0) {
			if (start == prev)
				n = snprintf(buf + used, len - used, "%s%d",
					     used ? "," : "", start);
			else
				n = snprintf(buf + used, len - used, "%s%d-%d",
					     used ? "," : "", start, prev);
			if (n < 0 || (size_t)n >= len - used)
				return -ENOSPC;
			used += (size_t)n;
		}
		if (cpu < 0)
			break;
		start = prev = cpu;
	}
	return 0;
}
