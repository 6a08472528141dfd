// SPDX-License-Identifier: GPL-2.0
/*
 * opts.c - the commands' options, declared once (see opts.h): the common
 * table, getopt over a command's declaration, the common options' values
 * checked and stored, and the --help generated from the same declaration.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "bench-common.h"
#include "opts.h"
#include "pcpubench.h"

struct opts_def {
	const char *name;
	int has_arg;
	const char *meta;
	const char *help;
};

static const struct opts_def opts_defs[OPT_NR] = {
#define OPTS_X_DEF(id, nm, arg, m, h) [OPT_##id] = { nm, arg, m, h },
	OPTS_COMMON(OPTS_X_DEF)
#undef OPTS_X_DEF
};

/* The range of a count when the command gives none. */
static const unsigned long opts_max[OPT_NR] = {
	[OPT_REPEAT] = 100000,
	[OPT_TRIES] = 100000,
	[OPT_SEED] = ULONG_MAX,
	[OPT_CPU] = CPU_SETSIZE - 1,
	[OPT_UNIT] = 1UL << 30,
	[OPT_POSSIBLE] = PCPU_NR_CPUS,
	[OPT_ONLINE] = PCPU_NR_CPUS,
};
static const unsigned long opts_min[OPT_NR] = {
	[OPT_REPEAT] = 1,
	[OPT_TRIES] = 1,
};

/* The short form of a common option, 0 for none. */
static int opts_short(int id)
{
	return id == OPT_OUTPUT ? 'o' : id == OPT_QUIET ? 'q' :
	       id == OPT_HELP ? 'h' : 0;
}

static bool spec_common(const struct opt_spec *s)
{
	return !s->text && !s->name && s->id >= 0 && s->id < OPT_NR;
}

static int spec_code(const struct opt_spec *s)
{
	if (!spec_common(s))
		return s->id;
	return opts_short(s->id) ? opts_short(s->id) : OPTS_CODE(s->id);
}

void opts_init(struct opts_common *c)
{
	memset(c, 0, sizeof(*c));
	c->cpu = -1;
	c->repeat = 1;
	c->tries = 1;
}

int opts_exit(int r)
{
	return r > 0 ? EXIT_OK : EXIT_USAGE;
}

int opts_backing(const char *cmd, const char *s, enum pcpu_backing *b)
{
	if (!pcpu_backing_lookup(s, b))
		return 0;
	fprintf(stderr, "pcpubench %s: unknown page backing '%s' (4k, thp, 2m, "
		"hugetlb)\n", cmd, s);
	return -EINVAL;
}

int opts_format(const char *cmd, const char *s, enum pout_format *f)
{
	if (!pout_format_parse(s, f))
		return 0;
	fprintf(stderr, "pcpubench %s: unknown format '%s' (text, csv, json)\n",
		cmd, s);
	return -EINVAL;
}

int opts_strategies(const char *cmd, const struct opts_common *c,
		    enum pcpu_strategy_id *ids, size_t max)
{
	return bc_strategy_pairs(cmd, c->strategy, ids, max, c->cfg.layout);
}

/* A count option: @s in the spec's range (else the common one). */
static int opts_count(const char *cmd, const struct opt_spec *s,
		      const char *arg, unsigned long *v)
{
	unsigned long lo = s->min, hi = s->max;

	if (!lo && !hi) {
		lo = opts_min[s->id];
		hi = opts_max[s->id];
	}
	return bc_count(cmd, opts_defs[s->id].name, arg, lo, hi, v);
}

/* One common option's value into @c. Return: 0; -EINVAL (message). */
static int opts_set(const char *cmd, const struct opt_spec *s,
		    struct opts_common *c, const char *arg)
{
	struct pcpu_config *cfg = &c->cfg;
	bool list = s->flags & OPTF_LIST, count = s->flags & OPTF_COUNT;
	unsigned long v;

	c->given |= OPTS_GIVEN(s->id);
	switch (s->id) {
	case OPT_STRATEGY: c->strategy = arg; return 0;
	case OPT_LAYOUT: return bc_layout(cmd, arg, &cfg->layout);
	case OPT_LATE_NODE: return bc_late_node(cmd, arg, &cfg->late_node);
	case OPT_PLACEMENT:
		c->placement = arg;
		return list ? 0 : bc_placement(cmd, arg, &cfg->placement);
	case OPT_PAGE:
		c->page = arg;
		return list ? 0 : opts_backing(cmd, arg, &cfg->backing);
	case OPT_POSSIBLE:
		cfg->possible = arg;
		return count ? opts_count(cmd, s, arg, &c->possible_n) : 0;
	case OPT_PRESENT: cfg->present = arg; return 0;
	case OPT_ONLINE:
		cfg->online = arg;
		if (count)
			return opts_count(cmd, s, arg, &c->online_n);
		return bc_online_check(cmd, arg);
	case OPT_UNIT:
		if (opts_count(cmd, s, arg, &v))
			return -EINVAL;
		cfg->unit_size = v;
		return 0;
	case OPT_TOPOLOGY: cfg->topology = arg; return 0;
	case OPT_EVENTS: c->events = arg; return 0;
	case OPT_REPEAT: return opts_count(cmd, s, arg, &c->repeat);
	case OPT_TRIES: return opts_count(cmd, s, arg, &c->tries);
	case OPT_SEED: return opts_count(cmd, s, arg, &c->seed);
	case OPT_CPU:
		if (opts_count(cmd, s, arg, &v))
			return -EINVAL;
		c->cpu = (long)v;
		return 0;
	case OPT_ALLOW_HOTPLUG: c->allow_hotplug = true; return 0;
	case OPT_FORMAT:
		if (!(s->flags & OPTF_NO_CSV))
			return opts_format(cmd, arg, &c->fmt);
		if (!pout_format_parse(arg, &c->fmt) && c->fmt != POUT_CSV)
			return 0;
		fprintf(stderr, "pcpubench %s: unknown format '%s' (text, json)\n",
			cmd, arg);
		return -EINVAL;
	case OPT_OUTPUT: c->out = arg; return 0;
	case OPT_QUIET: c->quiet = true; return 0;
	default: return 0;
	}
}

#define OPTS_MAX 64

/* getopt's tables from the declaration. Return: 0; -E2BIG. */
static int opts_tables(const struct opt_spec *spec, struct option *lo,
		       char *shorts, size_t slen)
{
	size_t n = 0, k = 0;
	const struct opt_spec *s;

	for (s = spec; s->text || s->id >= 0; s++) {
		const struct opts_def *d = spec_common(s) ? &opts_defs[s->id] : NULL;
		int has_arg = d ? d->has_arg : s->has_arg;
		int sc = spec_common(s) ? opts_short(s->id) : 0;

		if (s->text)
			continue;
		if (n + 1 >= OPTS_MAX || k + 3 >= slen)
			return -E2BIG;
		lo[n].name = d ? d->name : s->name;
		lo[n].has_arg = has_arg ? required_argument : no_argument;
		lo[n].flag = NULL;
		lo[n].val = spec_code(s);
		n++;
		if (sc) {
			shorts[k++] = (char)sc;
			if (has_arg)
				shorts[k++] = ':';
		}
	}
	memset(&lo[n], 0, sizeof(lo[n]));
	shorts[k] = '\0';
	return 0;
}

static const struct opt_spec *spec_find(const struct opt_spec *spec, int code)
{
	const struct opt_spec *s;

	for (s = spec; s->text || s->id >= 0; s++)
		if (!s->text && spec_code(s) == code)
			return s;
	return NULL;
}

int opts_parse(const struct opts_cmd *cmd, int argc, char **argv,
	       struct opts_common *c, opts_own_fn own, void *ctx)
{
	struct option lo[OPTS_MAX];
	char shorts[3 * OPTS_MAX];
	const struct opt_spec *s;
	int code;

	if (opts_tables(cmd->spec, lo, shorts, sizeof(shorts))) {
		fprintf(stderr, "pcpubench %s: too many options\n", cmd->name);
		return -EINVAL;
	}
	if (cmd->exact && bc_no_abbrev(cmd->name, argc, argv, cmd->exact))
		return -EINVAL;
	optind = 1;
	while ((code = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
		s = spec_find(cmd->spec, code);
		if (code == 'h' && s && spec_common(s)) {
			opts_usage(cmd, stdout);
			return 1;
		}
		if (!s) {	/* a bad option or a missing argument */
			opts_usage(cmd, stderr);
			return -EINVAL;
		}
		if (spec_common(s)) {
			if (opts_set(cmd->name, s, c, optarg))
				return -EINVAL;
		} else if (!own || own(ctx, code, optarg)) {
			return -EINVAL;
		}
	}
	if (!cmd->args && bc_no_extra_args(cmd->name, argc, argv, optind))
		return -EINVAL;
	c->argi = optind;
	if (!opts_given(c, OPT_FORMAT))
		c->fmt = bc_default_format(c->out);
	return 0;
}

/* "  --name META       first line\n" and the next lines under it (from
 * column 21). */
static void opts_line(FILE *f, const char *left, const char *help)
{
	const char *p = help, *nl;

	/* a longer one keeps two spaces before its text */
	fprintf(f, strlen(left) <= 17 ? "  %-17s " : "  %s  ", left);
	for (;;) {
		nl = strchr(p, '\n');
		if (!nl) {
			fprintf(f, "%s\n", p);
			return;
		}
		fprintf(f, "%.*s\n%20s", (int)(nl - p), p, "");
		p = nl + 1;
	}
}

void opts_usage(const struct opts_cmd *cmd, FILE *f)
{
	const struct opt_spec *s;

	fputs(cmd->head, f);
	for (s = cmd->spec; s->text || s->id >= 0; s++) {
		const struct opts_def *d = spec_common(s) ? &opts_defs[s->id] : NULL;
		const char *name = d ? d->name : s->name;
		const char *meta = s->meta ? s->meta : d ? d->meta : NULL;
		int sc = d ? opts_short(s->id) : 0;
		char left[96], sh[2] = { (char)sc, '\0' };

		if (s->text) {
			fputs(s->help, f);
			continue;
		}
		/* "--name META", "-o, --output FILE" */
		snprintf(left, sizeof(left), "%s%s%s--%s%s%s", sc ? "-" : "",
			 sh, sc ? ", " : "", name, meta ? " " : "",
			 meta ? meta : "");
		opts_line(f, left, s->help ? s->help : d->help);
	}
	if (cmd->tail)
		fputs(cmd->tail, f);
}
