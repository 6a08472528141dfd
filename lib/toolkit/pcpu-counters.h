/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-counters.h - hardware and software counters through perf_event_open.
 *
 * Three layers, kept apart:
 *
 * - Event tables (events/<family>.events, read at run time, format in
 *   events/README.md): for each microarchitecture family the meaning
 *   ("page_walks": completed page walks of demand loads), the libpfm4
 *   name, the perf name and the raw encoding of each event pcpubench
 *   uses by default. The table for this CPU is picked by vendor, family
 *   and model.
 *
 * - The spec: names to perf_event_attr encodings, each event with the
 *   path that resolved it. Semantic names (page_walks ...) resolve with
 *   libpfm4 when libpfm4 knows this CPU's PMU, else with the raw encoding
 *   of the CPU's table, else NA with the reason. Also accepted: generic
 *   perf names (cycles, dTLB-load-misses ...; their meaning differs per
 *   vendor, see README), software events, raw codes rXXXX, perf-style
 *   names of the CPU's table (dtlb_load_misses.walk_completed) and
 *   libpfm4 names (DTLB_LOAD_MISSES.WALK_COMPLETED).
 *
 * - The session: the hardware events split into groups that fit the
 *   counters (the NMI watchdog holding one is accounted for), one group
 *   per pass; the software events in their own group, counted in every
 *   pass. pcnt_measure() runs a workload once per pass, so that nothing is
 *   multiplexed; a value comes with its pass. With no_split every hardware
 *   event goes into one group (it must fit); if the kernel time-shares it
 *   anyway the value is scaled and marked "multiplexed" with
 *   time_running/time_enabled. Relationship rules (misses <= accesses,
 *   running <= enabled, ratios in [0, 1]) turn statuses into
 *   "flagged:<rule>".
 *
 * The seam: every perf_event_open/read/ioctl/close goes through a
 * backend. The default is the kernel; pcnt_backend_set() injects another
 * (tests), and pcnt_fake_install() the built-in fake PMU (a program does
 * so in its test mode: pcpubench for PCPU_FAKE_PERF=<spec>, see
 * bench/bench-env.h). Output names the backend (pcnt_backend_name()).
 *
 * Where the tables are, which one to use and what libpfm4 was told come
 * from the caller (pcnt_init()); nothing here reads the environment,
 * prints or exits; functions return 0 or -errno.
 */
#ifndef PCPU_COUNTERS_H
#define PCPU_COUNTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PCNT_MAX_EVENTS 24
#define PCNT_NAME_LEN 64
#define PCNT_STATUS_LEN 256
#define PCNT_PATH_LEN 320
#define PCNT_PASS_ALL (-2)	/* software events: counted in every pass */
#define PCNT_PASS_NONE (-1)	/* NA or derived: no counter */

enum pcnt_kind {
	PCNT_KIND_HW,		/* PERF_TYPE_HARDWARE / HW_CACHE: needs a PMU */
	PCNT_KIND_SW,		/* PERF_TYPE_SOFTWARE: always there */
	PCNT_KIND_NATIVE,	/* libpfm4 or raw encoding of a CPU event */
	PCNT_KIND_DERIVED,	/* sum of two other events of the spec */
};

/* Which counters an event can use (events/README.md "counters"). */
enum pcnt_slot {
	PCNT_SLOT_ANY,		/* any general-purpose counter */
	PCNT_SLOT_LOW4,		/* general-purpose counters 0-3 only */
	PCNT_SLOT_FIXED,	/* a fixed counter when there is one */
};

struct pcnt_event_spec {
	char name[PCNT_NAME_LEN];	/* as given, the output metric stem */
	enum pcnt_kind kind;
	enum pcnt_slot slot;
	uint32_t type;			/* perf_event_attr.type */
	uint64_t config, config1, config2;
	/* Non-empty: the event cannot even be encoded ("na:..."). */
	char unresolved[PCNT_STATUS_LEN];
	char pfm_pmu[PCNT_NAME_LEN];	/* native: libpfm PMU that encoded it */
	/* How it was resolved: "libpfm4 spr: ...", "raw from table ...". */
	char path[PCNT_PATH_LEN];
	char counts[PCNT_STATUS_LEN];	/* what it counts on this CPU */
	int comp[2];			/* derived: indices of the summands */
};

struct pcnt_spec {
	size_t n;
	bool no_split;			/* all hardware events in one group */
	struct pcnt_event_spec ev[PCNT_MAX_EVENTS];
};

/*
 * pcnt_spec_parse() - build a spec from a comma list of event names.
 * Special words: "default" (cycles, instructions, the TLB and remote-DRAM
 * events of the CPU's table, and the software events), "native" (the
 * table events only), "sw" (software events only), "none" (nothing but
 * the software events, which are always appended), "no-split" (every
 * hardware event in one group: pcnt_spec_set_no_split()). A name that is valid
 * but cannot be encoded here is kept with an "na:" reason.
 * Return: 0; -EINVAL empty list, unknown name or malformed raw code
 * (message in @err); -E2BIG more than PCNT_MAX_EVENTS, or no-split with
 * more than fits one group; -ENOMEM.
 */
int pcnt_spec_parse(struct pcnt_spec *s, const char *list, char *err,
		    size_t errlen);

/*
 * pcnt_spec_set_no_split() - ask for one group of every hardware event.
 * Return: 0; -E2BIG the events can never be scheduled together on this
 * CPU (message in @err names the counts).
 */
int pcnt_spec_set_no_split(struct pcnt_spec *s, char *err, size_t errlen);

/* The default list, as a comma list, for --help and info. */
const char *pcnt_default_list(void);
/* The table events used by default (comma list). */
const char *pcnt_native_list(void);

/* ---- settings ------------------------------------------------------------ */

/*
 * What the caller decides for the whole program. NULL or "" means the
 * default of each field.
 */
struct pcnt_settings {
	/* The event table directory; default: events/ next to the program
	 * or one to three levels up (pcnt_tables_dir()). */
	const char *event_dir;
	/* Force a table: its id ("intel-spr") or a path to a table file;
	 * default: the table matching this CPU. */
	const char *event_table;
	/* The core PMU libpfm4 was forced to (libpfm4 reads its own
	 * LIBPFM_FORCE_PMU; this only lets descriptions say so). */
	const char *pfm_forced_pmu;
};

/*
 * pcnt_init() - use @s (copied; NULL: every default) from now on. Call
 * before any other pcnt_ function (libpfm4's description is fixed at
 * its first use); not thread safe. Drops cached table look-ups.
 * Return: 0; -ENAMETOOLONG a field longer than PATH_MAX (nothing is
 * changed).
 */
int pcnt_init(const struct pcnt_settings *s);

/* ---- event tables ------------------------------------------------------ */

#define PCNT_TAB_MAX_EV 24
#define PCNT_TAB_MAX_RANGES 8

struct pcnt_tab_event {
	char key[32];
	char pfm[256];		/* "-": none */
	char perf[96];
	char raw[96];		/* event=..,umask=.. | generic:X | sum:a+b | na */
	char counters[16];	/* any, 0-3, fixed, - */
	char counts[PCNT_STATUS_LEN];
};

struct pcnt_table {
	char file[256];
	char id[32];		/* "intel-spr" */
	char name[96];
	char vendor[16];
	unsigned family;
	size_t nranges;
	unsigned lo[PCNT_TAB_MAX_RANGES], hi[PCNT_TAB_MAX_RANGES];
	char pfm_pmus[64];	/* libpfm4 PMU names, space separated */
	unsigned counters, counters_smt;
	char fixed[64];
	char source[512];
	size_t nev;
	struct pcnt_tab_event ev[PCNT_TAB_MAX_EV];
};

/*
 * pcnt_table_load() - parse one event table file.
 * Return: 0; -errno from fopen; -EINVAL a bad line (@err names file and
 * line).
 */
int pcnt_table_load(const char *path, struct pcnt_table *t, char *err,
		    size_t errlen);

/*
 * pcnt_tables_dir() - where the tables are read from: the settings'
 * event_dir, else events/ next to the program or one to three levels up
 * (build/, build/asan/, build/asan/tests/ in a checkout). NULL when none
 * is found.
 */
const char *pcnt_tables_dir(void);

/*
 * pcnt_table_for_cpu() - this CPU's table (the settings' event_table
 * forces one), or NULL with the reason in @why.
 */
const struct pcnt_table *pcnt_table_for_cpu(char *why, size_t whylen);

/*
 * pcnt_raw_encode() - "event=0x12,umask=0x0e[,cmask=N][,inv=1][,edge=1]
 * [,offcore_rsp=X]" to config/config1 for @vendor's core PMU.
 * Return: 0; -EINVAL.
 */
int pcnt_raw_encode(const char *raw, const char *vendor, uint64_t *config,
		    uint64_t *config1);

/* The CPU the tables are matched against (real, or the fake's). */
struct pcnt_cpu {
	char vendor[16];
	unsigned family, model, stepping;
	bool hypervisor;	/* CPUID says a hypervisor: the model may be its */
};
void pcnt_cpu(struct pcnt_cpu *c);

/* ---- counters available --------------------------------------------- */

struct pcnt_capacity {
	unsigned gp;		/* general-purpose counters per logical CPU */
	unsigned fixed;		/* fixed counters usable for cycles/instr */
	int watchdog;		/* 1: the NMI watchdog holds a counter */
	unsigned usable;	/* gp left for us (watchdog accounted for) */
	char source[PCNT_STATUS_LEN];	/* where gp came from, in words */
};
void pcnt_capacity(struct pcnt_capacity *c);

/* ---- libpfm4 -------------------------------------------------------- */

/*
 * pcnt_pfm_pmu() - the libpfm4 PMU table in use: the default core PMU's
 * name, "<name> (forced by LIBPFM_FORCE_PMU)" when the settings say it
 * was forced, or a reason.
 * Never NULL.
 */
const char *pcnt_pfm_pmu(void);

/*
 * pcnt_pfm_encode() - encode a native event name with libpfm4 for
 * perf_event_open (user-level counting).
 * Return: 0 with the encoding filled in; -ENOTSUP no libpfm4; -ENOENT the
 * name is unknown to the PMU table; -EINVAL other libpfm error.
 */
int pcnt_pfm_encode(const char *name, uint32_t *type, uint64_t *config,
		    uint64_t *config1, uint64_t *config2, char *pmu,
		    size_t pmulen);

/* ---- backend (the test seam) ------------------------------------------ */

struct perf_event_attr;

struct pcnt_backend {
	const char *name;
	/* Return: fd >= 0, or -errno. */
	int (*open)(void *priv, struct perf_event_attr *a, pid_t pid, int cpu,
		    int group_fd, unsigned long flags);
	/* Return: bytes read, or -errno. */
	ssize_t (*read)(void *priv, int fd, void *buf, size_t len);
	/* Return: 0, or -errno. */
	int (*ioctl)(void *priv, int fd, unsigned long req, unsigned long arg);
	void (*close)(void *priv, int fd);
	void *priv;
};

/*
 * pcnt_backend_set() - use @b for every later session (NULL: the kernel).
 * Not thread safe: call before sessions are opened.
 */
void pcnt_backend_set(const struct pcnt_backend *b);
/* "kernel", or the fake's description with its spec. */
const char *pcnt_backend_name(void);

/*
 * The built-in fake PMU. Spec: ';'-separated key=value:
 *   cpu=VENDOR:FAMILY:MODEL  the CPU the tables are matched against
 *   counters=N               general-purpose counters (default 4)
 *   fixed=N                  fixed counters for cycles/instructions (Intel
 *                            default 2, AMD 0)
 *   watchdog=0|1             the NMI watchdog as this program sees it
 *   held=N                   counters another perf user holds (not seen by
 *                            the planner: groups too big never run)
 *   mux=F                    fraction of enabled time a group runs (0-1]
 *   rate=N                   count per read of a group (default 1000)
 *   rate.CONFIG=N            the same for raw config CONFIG (hex)
 *   fail.CONFIG=ERRNO        perf_event_open of raw CONFIG fails (ENOENT,
 *                            EACCES, EOPNOTSUPP, EBUSY, EINVAL)
 *   fail.hw=ERRNO            every non-software event fails
 *   fail.generic=ERRNO       every PERF_TYPE_HARDWARE/HW_CACHE event fails
 *   pfm=0|1                  whether libpfm4 may be used (default 0)
 * Software events go to the kernel, so they stay real.
 */
/*
 * pcnt_fake_install() - parse @spec and use the fake backend, named
 * "fake(PCPU_FAKE_PERF=<spec>)".
 * Return: 0; -EINVAL (@err says what; nothing is installed); -ENOMEM.
 */
int pcnt_fake_install(const char *spec, char *err, size_t errlen);
/*
 * pcnt_fake_install_broken() - for a spec that did not parse: a fake
 * backend on which every hardware event fails (EINVAL), named
 * "fake(broken: <why>)", so that a bad test set-up never counts for real.
 */
void pcnt_fake_install_broken(const char *why);
/* Back to the kernel backend and the real CPU. */
void pcnt_fake_uninstall(void);

/* ---- session ---------------------------------------------------------- */

struct pcnt_session;

/*
 * pcnt_open() - open every event of @s for @pid (0: the calling thread)
 * on @cpu (-1: any), as groups planned into passes, disabled, pass 0
 * selected. Events that fail get an "na:" status; that is not an error.
 * Return: 0; -ENOMEM; -EINVAL bad spec.
 */
int pcnt_open(struct pcnt_session **out, const struct pcnt_spec *s,
	      pid_t pid, int cpu);
void pcnt_close(struct pcnt_session *ss);
/* Reset and enable the groups of the selected pass (and software). */
int pcnt_enable(struct pcnt_session *ss);
/* Disable every group. */
int pcnt_disable(struct pcnt_session *ss);

/* Number of passes (at least 1). */
size_t pcnt_npasses(const struct pcnt_session *ss);
/* Select pass @pass % npasses; disables every group. Return: 0; -EINVAL. */
int pcnt_pass_select(struct pcnt_session *ss, size_t pass);
/* The pass of event @i: 0.., PCNT_PASS_ALL, or PCNT_PASS_NONE. */
int pcnt_pass_of(const struct pcnt_session *ss, size_t i);
/* "pass 1: a b; pass 2: c" for meta data. */
void pcnt_plan_text(const struct pcnt_session *ss, char *buf, size_t len);

/* A raw snapshot: one read per group. */
struct pcnt_sample {
	uint64_t value[PCNT_MAX_EVENTS];
	uint64_t enabled[PCNT_MAX_EVENTS];
	uint64_t running[PCNT_MAX_EVENTS];
};

/* Return: 0; -EIO a short read; -errno from read(). */
int pcnt_read(struct pcnt_session *ss, struct pcnt_sample *out);

struct pcnt_result {
	double value;		/* scaled count over the interval; NaN if NA */
	uint64_t raw;
	uint64_t enabled, running;
	int pass;		/* as pcnt_pass_of(), for this value */
	char status[PCNT_STATUS_LEN];	/* ok, na:..., multiplexed, flagged:... */
};

/*
 * pcnt_delta() - the counts between two samples of the selected pass,
 * scaled when multiplexed, with each event's status (events of other
 * passes: "na:other-pass(...)"); then derived sums and the rules.
 * @res has pcnt_count() entries, in spec order.
 * Return: 0; -EINVAL.
 */
int pcnt_delta(struct pcnt_session *ss, const struct pcnt_sample *a,
	       const struct pcnt_sample *b, struct pcnt_result *res);

/*
 * pcnt_measure() - run @work(@arg) once per pass with that pass's groups
 * counting; @res gets every event's count from its pass, divided by @ops
 * when @ops > 0 (per-operation values; the rules are applied to counts).
 * Leaves pass 0 selected and enabled.
 * Return: 0; -errno from a read (then @res entries are NA with reason).
 */
int pcnt_measure(struct pcnt_session *ss, void (*work)(void *), void *arg,
		 double ops, struct pcnt_result *res);

/*
 * pcnt_check_rules() - apply the relationship rules to results in spec
 * order (done by pcnt_delta() and pcnt_measure()). Turns statuses into
 * "flagged:<rule>".
 * Return: number of violations.
 */
int pcnt_check_rules(const struct pcnt_spec *s, struct pcnt_result *res);

size_t pcnt_count(const struct pcnt_session *ss);
const struct pcnt_event_spec *pcnt_event(const struct pcnt_session *ss,
					 size_t i);
/* The open status of event @i: "ok" or "na:<reason>". */
const char *pcnt_open_status(const struct pcnt_session *ss, size_t i);
/* True when a hardware cycles event is counting in this session. */
bool pcnt_has_cycles(const struct pcnt_session *ss, size_t *idx);

/*
 * pcnt_metric_name() - the output metric for event @ev with @suffix
 * ("_per_op"): the PMU's cycles become pmu_cycles (never confused with
 * the timed cycles_per_op); ':' becomes '.'.
 */
void pcnt_metric_name(char *dst, size_t len, const char *ev,
		      const char *suffix);

/*
 * pcnt_errno_reason() - "na:<word>(<ERRNO>: <words>)" for an open failure,
 * free of commas. @kind says whether a PMU was needed.
 */
void pcnt_errno_reason(int err, enum pcnt_kind kind, char *buf, size_t len);

#endif /* PCPU_COUNTERS_H */
