/* SPDX-License-Identifier: GPL-2.0 */
/*
 * opts.h - the commands' options, declared once.
 *
 * The options several commands take (--strategy, --layout, --page,
 * --placement, --possible, --format, -o ...) are one table, OPTS_COMMON,
 * each with one meaning, its argument's name and its help line. A command
 * declares what it takes in one array of struct opt_spec, in the order of
 * its --help: a common option by its id (OPT_C(), its help line given
 * only where the command's default differs), its own options by name
 * (OPT_OWN()/OPT_OWN_FLAG()) and free text (OPT_TEXT()). opts_parse()
 * runs getopt over that array, fills struct opts_common (the runtime
 * config and the common settings) and hands each of the command's own
 * options to its callback; opts_usage() prints the --help from the same
 * array, so the help cannot forget an option.
 *
 * Usage:
 *	struct opts_common oc;
 *	opts_init(&oc);			(then the command's defaults)
 *	r = opts_parse(&cmd, argc, argv, &oc, own_option, &my);
 *	if (r)
 *		return opts_exit(r);	(help: 0, a bad option: 2)
 */
#ifndef BENCH_OPTS_H
#define BENCH_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "pcpu.h"
#include "pcpu-out.h"

/*
 * X(ID, name, takes an argument, its name in --help, the help line).
 * A help line may hold '\n': its next lines are indented under the first.
 */
#define OPTS_COMMON(X)                                                        \
	X(STRATEGY, "strategy", 1, "LIST",                                    \
	  "comma list or 'all' (default: all available)")                    \
	X(LAYOUT, "layout", 1, "L",                                           \
	  "every strategy over layout L (embed, page, vm, hybrid,\n"           \
	  "thread) where the pair exists (pcpubench list); with\n"           \
	  "'all' the others are skipped, else exit 2")                       \
	X(LATE_NODE, "late-node", 1, "P",                                     \
	  "roundrobin (default), topology, boot, node:N: the node\n"          \
	  "init gives CPUs absent at init (see numa --help)")                \
	X(PLACEMENT, "placement", 1, "P",                                     \
	  "local, interleave, node:N (default local)")                       \
	X(PAGE, "page", 1, "P",                                               \
	  "backing: 4k, thp (alias 2m), hugetlb (default 4k)")               \
	X(POSSIBLE, "possible", 1, "N|LIST",                                  \
	  "possible CPUs: a count or a cpulist")                             \
	X(PRESENT, "present", 1, "N|LIST",                                    \
	  "CPUs present at init (default: all possible)")                    \
	X(ONLINE, "online", 1, "N|LIST", "CPUs online at start")              \
	X(UNIT, "unit", 1, "BYTES",                                           \
	  "unit size (default: static section + 64 KiB,\n"                   \
	  "rounded up to a power of two)")                                   \
	X(TOPOLOGY, "topology", 1, "T",                                       \
	  "host, synthetic:<hwloc>, xml:<file> (default host)")              \
	X(EVENTS, "events", 1, "LIST",                                        \
	  "counters (default: 'default'; see list)")                         \
	X(REPEAT, "repeat", 1, "N", "repetitions")                            \
	X(TRIES, "tries", 1, "N", "each sample is the best of N batches")     \
	X(CPU, "cpu", 1, "N",                                                 \
	  "host CPU to run on (default: last allowed CPU)")                  \
	X(SEED, "seed", 1, "N", "seed of the random order (default 1)")       \
	X(ALLOW_HOTPLUG, "allow-hotplug", 0, NULL,                            \
	  "the opt-in real hotplug needs (or PCPU_ALLOW_HOTPLUG=1);\n"        \
	  "never abbreviated")                                               \
	X(FORMAT, "format", 1, "F",                                           \
	  "text, csv, json (default: text on a terminal)")                   \
	X(OUTPUT, "output", 1, "FILE",                                        \
	  "write there (atomically) instead of stdout")                      \
	X(QUIET, "quiet", 0, NULL, "no progress line")                        \
	X(HELP, "help", 0, NULL, "this text")

enum opts_id {
#define OPTS_X_ID(id, name, arg, meta, help) OPT_##id,
	OPTS_COMMON(OPTS_X_ID)
#undef OPTS_X_ID
	OPT_NR
};

/*
 * getopt codes: a command's own options use a character other than
 * 'o', 'q', 'h' (the short forms of --output, --quiet, --help), or a
 * code from OPTS_OWN_BASE up; the common ones are OPTS_CODE(id).
 */
#define OPTS_COMMON_BASE 0x100
#define OPTS_OWN_BASE 0x200
#define OPTS_CODE(id) (OPTS_COMMON_BASE + (id))

/* How a command takes a common option (struct opt_spec .flags). */
enum {
	/* --placement, --page: a comma list, kept as given in the
	 * opts_common string (the command parses it); without the flag the
	 * layer parses one value into cfg. */
	OPTF_LIST = 1 << 0,
	/* --possible, --online: a whole number in [min, max] (also kept as
	 * given in cfg), not a cpulist. */
	OPTF_COUNT = 1 << 1,
	/* --format: text or json only (the command writes no table). */
	OPTF_NO_CSV = 1 << 2,
};

struct opt_spec {
	int id;			/* enum opts_id; or the command's own code */
	const char *name;	/* own option's long name; NULL: common */
	int has_arg;		/* own option: no_argument / required_argument */
	const char *meta;	/* the argument's name in --help; NULL: common's */
	const char *help;	/* the help line; NULL: the common one */
	unsigned flags;		/* OPTF_* */
	unsigned long min, max;	/* range of a count; 0, 0: the common one */
	bool text;		/* not an option: @help printed as is */
};

#define OPT_C(i, h) { .id = OPT_##i, .help = (h) }
/* A common option with its own argument name, flags or range. */
#define OPT_CX(i, m, h, f, lo, hi)                                            \
	{ .id = OPT_##i, .meta = (m), .help = (h), .flags = (f),               \
	  .min = (lo), .max = (hi) }
#define OPT_OWN(code, nm, m, h)                                               \
	{ .id = (code), .name = (nm), .has_arg = 1, .meta = (m), .help = (h) }
#define OPT_OWN_FLAG(code, nm, h)                                             \
	{ .id = (code), .name = (nm), .has_arg = 0, .help = (h) }
#define OPT_TEXT(t) { .id = -1, .help = (t), .text = true }
#define OPT_END { .id = -1 }
/* The end of a declaration for a command that writes rows: --format, -o,
 * --help, each with its common help line. */
#define OPT_OUTPUT_END                                                        \
	OPT_C(FORMAT, NULL), OPT_C(OUTPUT, NULL), OPT_C(HELP, NULL), OPT_END

struct opts_cmd {
	const char *name;		/* "mem": messages say "pcpubench mem" */
	const char *head;		/* --help before the option lines */
	const struct opt_spec *spec;	/* ends with OPT_END */
	const char *tail;		/* --help after them (rows, exit codes) */
	const char *const *exact;	/* options never abbreviated, or NULL */
	bool args;			/* arguments after the options allowed */
};

/*
 * The common settings. opts_init() sets the defaults every command
 * shares (no layout override, format by the terminal, cpu -1); a
 * command sets its own defaults after it, before opts_parse().
 */
struct opts_common {
	struct pcpu_config cfg;	/* --layout --late-node --possible --present
				   --online --unit --topology, and --page and
				   --placement unless OPTF_LIST */
	const char *strategy;	/* --strategy as given; NULL: default */
	const char *placement;	/* --placement as given */
	const char *page;	/* --page as given */
	const char *events;	/* --events */
	unsigned long repeat, tries, seed;
	unsigned long possible_n, online_n;	/* with OPTF_COUNT */
	long cpu;		/* --cpu; -1: not given */
	enum pout_format fmt;	/* --format, else bc_default_format(-o) */
	const char *out;	/* -o */
	bool quiet, allow_hotplug;
	unsigned long given;	/* OPTS_GIVEN(id) for each option given */
	int argi;		/* with .args: the first argument left */
};

#define OPTS_GIVEN(id) (1UL << (id))

/*
 * A command's own option: @code as declared, @arg its argument (NULL for
 * a flag). Return: 0; nonzero: a bad value (the callback said why on
 * stderr): usage error.
 */
typedef int (*opts_own_fn)(void *ctx, int code, const char *arg);

void opts_init(struct opts_common *c);
/*
 * opts_parse() - the command line of @cmd into @c, its own options to
 * @own (may be NULL when it has none). Refuses abbreviations of
 * @cmd->exact, arguments after the options (unless @cmd->args), a bad
 * or unknown option (the message, then the --help on stderr).
 * Return: 0 go on; 1 --help printed on stdout (exit 0); -EINVAL a usage
 * error, message printed (exit 2). opts_exit() maps it.
 */
int opts_parse(const struct opts_cmd *cmd, int argc, char **argv,
	       struct opts_common *c, opts_own_fn own, void *ctx);
/* The exit code for a nonzero opts_parse(): 0 after --help, else 2. */
int opts_exit(int r);
/* The --help of @cmd: head, one line per option, tail. */
void opts_usage(const struct opts_cmd *cmd, FILE *f);
/* Whether option @id was given on the command line. */
static inline bool opts_given(const struct opts_common *c, int id)
{
	return c->given & OPTS_GIVEN(id);
}

/*
 * opts_strategies() - --strategy (NULL or "all": every strategy
 * available here) over --layout, as bc_strategy_pairs().
 * Return: the count; -EINVAL (message on stderr).
 */
int opts_strategies(const char *cmd, const struct opts_common *c,
		    enum pcpu_strategy_id *ids, size_t max);
/*
 * opts_backing() - one --page value as a backing (4k, thp, 2m,
 * hugetlb), with the message naming the choices.
 * Return: 0; -EINVAL.
 */
int opts_backing(const char *cmd, const char *s, enum pcpu_backing *b);
/*
 * opts_format() - one --format value (text, csv, json), with the message.
 * Return: 0; -EINVAL.
 */
int opts_format(const char *cmd, const char *s, enum pout_format *f);

#endif
