/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-counters.h - perf_event_open counter groups.
 *
 * The event *spec* (which events, how each is encoded) is kept apart from
 * the open *session* (file descriptors, groups). A spec is built from
 * names: generic perf names (cycles, instructions, dTLB-loads,
 * dTLB-load-misses, dTLB-store-misses, node-loads, node-load-misses),
 * software events (page-faults, cpu-migrations, context-switches,
 * task-clock) and native names resolved with libpfm4
 * (DTLB_LOAD_MISSES.WALK_COMPLETED or DTLB_LOAD_MISSES:WALK_COMPLETED).
 *
 * A session opens the events as groups (hardware ones together, software
 * ones together), each read with one PERF_FORMAT_GROUP read carrying
 * TOTAL_TIME_ENABLED, TOTAL_TIME_RUNNING and IDs. An event that cannot be
 * opened is kept in the session with an "na:<reason>" status naming the
 * errno in words; a multiplexed one is scaled and marked "multiplexed".
 * Relationship rules (misses <= loads, running <= enabled, ratios within
 * [0, 1]) are checked on every delta; a violation turns the status of the
 * events concerned into "flagged:<rule>".
 *
 * Nothing here prints or exits; functions return 0 or -errno.
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

enum pcnt_kind {
	PCNT_KIND_HW,		/* PERF_TYPE_HARDWARE / HW_CACHE: needs a PMU */
	PCNT_KIND_SW,		/* PERF_TYPE_SOFTWARE: always there */
	PCNT_KIND_NATIVE,	/* resolved with libpfm4 */
};

struct pcnt_event_spec {
	char name[PCNT_NAME_LEN];	/* as given, the output metric stem */
	enum pcnt_kind kind;
	uint32_t type;			/* perf_event_attr.type */
	uint64_t config, config1, config2;
	/* Non-empty: the event cannot even be encoded ("na:..."). */
	char unresolved[PCNT_STATUS_LEN];
	char pfm_pmu[PCNT_NAME_LEN];	/* native: libpfm PMU that encoded it */
};

struct pcnt_spec {
	size_t n;
	struct pcnt_event_spec ev[PCNT_MAX_EVENTS];
};

/*
 * pcnt_spec_parse() - build a spec from a comma list of event names.
 * Special words: "default" (the default set: generic TLB/NUMA/cycles/
 * instructions, this CPU's native TLB and remote-DRAM events, and the
 * software events), "sw" (software events only), "none" (empty; the
 * software events are still added, they are always wanted), and
 * "native" (this CPU's native set). Software events page-faults,
 * cpu-migrations and context-switches are always appended when missing.
 * A native name libpfm4 cannot resolve is kept with an "na:" reason.
 * Return: 0; -EINVAL empty or unknown generic name (message in @err);
 * -E2BIG more than PCNT_MAX_EVENTS.
 */
int pcnt_spec_parse(struct pcnt_spec *s, const char *list, char *err,
		    size_t errlen);
/* The default list, as a comma list, for --help and info. */
const char *pcnt_default_list(void);
/* The native events used for this CPU's vendor (comma list). */
const char *pcnt_native_list(void);

/*
 * pcnt_pfm_pmu() - the libpfm4 PMU table in use: the default core PMU's
 * name, "<name> (forced by LIBPFM_FORCE_PMU)" when forced, or a reason
 * ("unavailable: built without libpfm4", "unavailable: pfm_initialize
 * failed: ..."). Never NULL.
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

struct pcnt_session;

/*
 * pcnt_open() - open every event of @s for @pid (0: the calling thread)
 * on @cpu (-1: any), as groups, disabled. Events that fail get an "na:"
 * status; that is not an error.
 * Return: 0; -ENOMEM; -EINVAL bad spec.
 */
int pcnt_open(struct pcnt_session **out, const struct pcnt_spec *s,
	      pid_t pid, int cpu);
void pcnt_close(struct pcnt_session *ss);
/* Enable / disable all groups (ioctl with PERF_IOC_FLAG_GROUP). */
int pcnt_enable(struct pcnt_session *ss);
int pcnt_disable(struct pcnt_session *ss);

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
	char status[PCNT_STATUS_LEN];	/* ok, na:..., multiplexed, flagged:... */
};

/*
 * pcnt_delta() - the counts between two samples, scaled when
 * multiplexed, with each event's status; then the relationship rules.
 * @res has pcnt_count() entries, in spec order.
 * Return: 0; -EINVAL.
 */
int pcnt_delta(struct pcnt_session *ss, const struct pcnt_sample *a,
	       const struct pcnt_sample *b, struct pcnt_result *res);

/*
 * pcnt_check_rules() - apply the relationship rules to results in spec
 * order (done by pcnt_delta(); exported for tests and for callers that
 * build results themselves). Turns statuses into "flagged:<rule>".
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
 * pcnt_errno_reason() - "na:<word>(<ERRNO>: <words>)" for an open failure,
 * free of commas. @kind says whether a PMU was needed.
 */
void pcnt_errno_reason(int err, enum pcnt_kind kind, char *buf, size_t len);

#endif /* PCPU_COUNTERS_H */
