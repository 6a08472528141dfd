// SPDX-License-Identifier: GPL-2.0
/*
 * cmd-info.c - `pcpubench info`: what this machine is and can measure.
 *
 * CPU identity and microcode, TSC and core clocks (measured), cache and
 * TLB geometry from CPUID ("not reported" where the CPU, or the VM, says
 * nothing), TLB figures calibrated by `pcpubench tlb` when present, the
 * hwloc topology, possible/present/online CPUs, THP and hugetlb, FSGSBASE,
 * rseq, the kernel and its command line, perf_event_paranoid, every
 * default counter event (available, or why not) and every strategy.
 * --format json gives the same as one object, for results' meta.json.
 */
#include <errno.h>
#include <sched.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-common.h"
#include "modules-host.h"
#include "opts.h"
#include "pcpu-wfile.h"
#include "pcpu-version.h"
#include "pcpu.h"
#include "pcpu-counters.h"
#include "pcpu-cpuid.h"
#include "pcpu-sysinfo.h"
#include "pcpu-timing.h"
#include "pcpu-tlb.h"
#include "tlb-cal.h"
#include "kfacts-read.h"
#include "pcpubench.h"
#include "cid.h"


/* ---- a tiny emitter: text "key: value" lines or one JSON object ------- */

struct em {
	FILE *f;
	int json;
	int depth;
	int first[8];
};

static void em_sep(struct em *e)
{
	if (!e->first[e->depth])
		fputc(',', e->f);
	e->first[e->depth] = 0;
	fprintf(e->f, "\n%*s", 2 * e->depth, "");
}

static void em_begin(struct em *e, const char *key, int array)
{
	if (e->json) {
		if (e->depth >= 0 && key) {
			em_sep(e);
			pout_json_str(e->f, key);
			fputs(": ", e->f);
		} else if (e->depth >= 0) {
			em_sep(e);
		}
		fputc(array ? '[' : '{', e->f);
		e->depth++;
		e->first[e->depth] = 1;
	} else if (key) {
		if (e->depth <= 0)
			fprintf(e->f, "\n%s\n", key);
		else
			fprintf(e->f, "  %s:\n", key);
		e->depth++;
	}
}

static void em_end(struct em *e, int array)
{
	if (e->json) {
		e->depth--;
		fprintf(e->f, "\n%*s%c", 2 * (e->depth + 1) - 2 < 0 ? 0 :
			2 * e->depth, "", array ? ']' : '}');
	} else {
		e->depth--;
	}
}

static void em_str(struct em *e, const char *key, const char *v)
{
	if (e->json) {
		em_sep(e);
		if (key) {
			pout_json_str(e->f, key);
			fputs(": ", e->f);
		}
		pout_json_str(e->f, v);
	} else {
		if (key)
			fprintf(e->f, "  %-26s %s\n", key, v);
		else
			fprintf(e->f, "    - %s\n", v);
	}
}

static void em_num(struct em *e, const char *key, double v, const char *fmt)
{
	char b[64];

	if (!isfinite(v)) {
		if (e->json) {
			em_sep(e);
			pout_json_str(e->f, key);
			fputs(": null", e->f);
		} else {
			em_str(e, key, "unknown");
		}
		return;
	}
	snprintf(b, sizeof(b), fmt, v);
	if (e->json) {
		em_sep(e);
		pout_json_str(e->f, key);
		fprintf(e->f, ": %s", b);
	} else {
		em_str(e, key, b);
	}
}

static void em_bool(struct em *e, const char *key, int v, const char *why)
{
	char b[256];

	if (e->json) {
		em_sep(e);
		pout_json_str(e->f, key);
		fputs(v ? ": true" : ": false", e->f);
		return;
	}
	snprintf(b, sizeof(b), "%s%s%s", v ? "yes" : "no", why ? ", " : "",
		 why ? why : "");
	em_str(e, key, b);
}

/* ---- sections ------------------------------------------------------------ */

static void sec_cpu(struct em *e, const struct pcpu_sysinfo *si)
{
	struct pcpu_cpuid_info ci;
	char b[64];
	unsigned i;

	em_begin(e, "cpu", 0);
	em_str(e, "vendor", si->vendor);
	em_str(e, "model_name", si->model_name);
	em_num(e, "family", si->family, "%.0f");
	em_num(e, "model", si->model, "%.0f");
	em_num(e, "stepping", si->stepping, "%.0f");
	em_str(e, "microcode", si->microcode);
	em_bool(e, "hypervisor", si->hypervisor, NULL);
	if (!pcpu_cpuid_read(&ci)) {
		em_str(e, "cpuid_vendor", ci.vendor);
		em_str(e, "cpuid_brand", ci.brand[0] ? ci.brand : "not reported");
		if (ci.hypervisor)
			em_str(e, "hypervisor_vendor", ci.hypervisor_vendor);
		em_begin(e, "caches (cpuid)", 1);
		if (!ci.nr_cache)
			em_str(e, NULL, "not reported");
		for (i = 0; i < ci.nr_cache; i++) {
			char line[128];

			snprintf(line, sizeof(line), "L%u %s %u KiB, %u-way, "
				 "%u B lines", ci.cache[i].level, ci.cache[i].type,
				 ci.cache[i].size_kb, ci.cache[i].ways,
				 ci.cache[i].line);
			if (!ci.cache[i].ways)
				snprintf(line, sizeof(line), "L%u %s %u KiB, fully "
					 "associative, %u B lines",
					 ci.cache[i].level, ci.cache[i].type,
					 ci.cache[i].size_kb, ci.cache[i].line);
			em_str(e, NULL, line);
		}
		em_end(e, 1);
		snprintf(b, sizeof(b), "tlbs (%s)",
			 ci.tlb_source ? ci.tlb_source : "cpuid");
		em_begin(e, e->json ? "tlbs" : b, 1);
		if (!ci.nr_tlb)
			em_str(e, NULL, "not reported (CPUID gives no TLB "
			       "geometry here; see tlb_calibration)");
		for (i = 0; i < ci.nr_tlb; i++) {
			char line[128];

			snprintf(line, sizeof(line), "%s %s %u KiB pages: %u "
				 "entries, %s%u%s", ci.tlb[i].level, ci.tlb[i].kind,
				 ci.tlb[i].page_kb, ci.tlb[i].entries,
				 ci.tlb[i].ways ? "" : "fully associative",
				 ci.tlb[i].ways, ci.tlb[i].ways ? "-way" : "");
			if (!ci.tlb[i].ways)
				snprintf(line, sizeof(line), "%s %s %u KiB pages: "
					 "%u entries, fully associative",
					 ci.tlb[i].level, ci.tlb[i].kind,
					 ci.tlb[i].page_kb, ci.tlb[i].entries);
			em_str(e, NULL, line);
		}
		em_end(e, 1);
		if (e->json)
			em_str(e, "tlb_source", ci.tlb_source ? ci.tlb_source :
			       "not reported");
	} else {
		em_str(e, "cpuid", "not available on this architecture");
	}
	em_end(e, 0);
}

static void sec_tlbcal(struct em *e)
{
	const char *path = tlbcal_path(NULL);
	struct pcpu_tlbcal cal;
	int b, f, r;

	em_begin(e, "tlb_calibration", 0);
	if (!path) {
		em_str(e, "status", "no calibration path ($HOME unset)");
		em_end(e, 0);
		return;
	}
	em_str(e, "path", path);
	r = pcpu_tlbcal_load(path, &cal);
	if (r) {
		em_str(e, "status", r == -ENOENT ?
		       "not calibrated (run: pcpubench tlb)" :
		       "unreadable calibration file");
		em_end(e, 0);
		return;
	}
	em_str(e, "status", "calibrated");
	em_str(e, "host", cal.host);
	{	/* another machine's calibration is named */
		char host[64] = "";

		gethostname(host, sizeof(host) - 1);
		if (strcmp(host, cal.host))
			em_str(e, "warning", "taken on another host");
	}
	em_str(e, "date", cal.date);
	em_str(e, "revision", cal.revision[0] ? cal.revision : "unknown");
	em_str(e, "method", cal.method);
	for (b = 0; b < PCPU_TLB_NR_BACKINGS; b++) {
		const struct pcpu_tlbcal_backing *cb = &cal.b[b];

		if (!cb->valid)
			continue;
		em_begin(e, pcpu_tlb_backing_name((enum pcpu_tlb_backing)b), 0);
		em_str(e, "obtained", cb->obtained);
		for (f = 0; f < PCPU_TLBCAL_NR; f++) {
			const char *name = pcpu_tlbcal_figure_name(
				(enum pcpu_tlbcal_figure)f);

			if (cb->found[f]) {
				em_num(e, name, cb->value[f], "%.4g");
			} else {
				char w[96];

				snprintf(w, sizeof(w), "not found (%s)",
					 cb->why[f][0] ? cb->why[f] : "no step");
				em_str(e, name, w);
			}
		}
		{
			struct pcpu_cpuid_info ci;
			char d[200], k[40];

			pcpu_cpuid_read(&ci);
			for (f = PCPU_TLBCAL_L1_ENTRIES;
			     f <= PCPU_TLBCAL_L2_ENTRIES; f++)
				if (pcpu_tlbcal_cpuid_disagree(cb,
						(enum pcpu_tlb_backing)b, &ci,
						(enum pcpu_tlbcal_figure)f, d,
						sizeof(d)) == 1) {
					snprintf(k, sizeof(k), "cpuid_disagrees_%s",
						 f == PCPU_TLBCAL_L1_ENTRIES ?
						 "l1" : "l2");
					em_str(e, k, d);
				}
		}
		em_end(e, 0);
	}
	em_end(e, 0);
}

static void sec_clocks(struct em *e, int cpu)
{
	double tsc = NAN, known = NAN, core = NAN;

	em_begin(e, "clocks", 0);
	if (cpu >= 0)
		pt_pin_self(cpu);
	if (pt_tsc_hz(&tsc))
		tsc = NAN;
	if (pt_tsc_known_hz(&known))
		known = NAN;
	if (pt_core_hz_calibrate(&core))
		core = NAN;
	em_num(e, "tsc_hz_measured", tsc, "%.0f");
	if (isfinite(known))
		em_num(e, "tsc_hz_kernel", known, "%.0f");
	else
		em_str(e, "tsc_hz_kernel", "not exposed (no tsc_freq_khz)");
	em_num(e, "core_hz_measured", core, "%.0f");
	em_str(e, "core_clock_method", "dependent imul r64 chain, 3 cycles "
	       "each, timed with the TSC");
	em_end(e, 0);
}

static void sec_topology(struct em *e, const struct pcpu_sysinfo *si)
{
	struct pcpu_topo t;
	char err[256], b[64];
	int r;

	em_begin(e, "topology", 0);
	em_str(e, "cpus_possible", si->cpus_possible);
	em_str(e, "cpus_present", si->cpus_present);
	em_str(e, "cpus_online", si->cpus_online);
	em_str(e, "nodes_online", si->nodes_online);
	memset(&t, 0, sizeof(t));
	r = pcpu_topo_load(&t, NULL, err, sizeof(err));
	if (r) {
		char m[300];

		snprintf(m, sizeof(m), "unavailable: %s", err[0] ? err :
			 strerror(-r));
		em_str(e, "hwloc", m);
	} else {
#ifdef HAVE_HWLOC
		em_str(e, "source", "hwloc (host)");
#else
		em_str(e, "source", "sysfs (built without hwloc)");
#endif
		em_num(e, "pus", t.nr_pus, "%.0f");
		em_num(e, "numa_nodes", t.nr_nodes, "%.0f");
		em_num(e, "usable_host_cpus", t.nr_host_cpus, "%.0f");
		snprintf(b, sizeof(b), "%u", t.nr_host_nodes);
		em_str(e, "host_nodes_with_memory", b);
		pcpu_topo_free(&t);
	}
	em_end(e, 0);
}

static void sec_memory(struct em *e, const struct pcpu_sysinfo *si)
{
	em_begin(e, "memory", 0);
	em_str(e, "thp_enabled", si->thp_enabled);
	em_str(e, "thp_defrag", si->thp_defrag);
	em_num(e, "hugetlb_2m_nr", si->hugetlb_2m_nr >= 0 ?
	       (double)si->hugetlb_2m_nr : NAN, "%.0f");
	em_num(e, "hugetlb_2m_free", si->hugetlb_2m_free >= 0 ?
	       (double)si->hugetlb_2m_free : NAN, "%.0f");
	em_end(e, 0);
}

static void sec_features(struct em *e, const struct pcpu_sysinfo *si)
{
	char b[96];

	em_begin(e, "features", 0);
	em_bool(e, "fsgsbase", si->fsgsbase, si->fsgsbase ?
		"AT_HWCAP2 FSGSBASE: wrgsbase usable from user space" :
		(si->fsgsbase_cpu ? "CPU has it but the kernel does not "
		 "enable it (AT_HWCAP2)" : "not in CPU flags"));
	em_bool(e, "rseq", si->rseq_registered, si->rseq_registered ?
		"glibc registered rseq; cpu_id read from its area" :
		"not registered: sched_getcpu() is the fallback");
	if (e->json) {
		em_num(e, "rseq_offset", (double)si->rseq_offset, "%.0f");
		em_num(e, "rseq_size", si->rseq_size, "%.0f");
	} else {
		snprintf(b, sizeof(b), "offset %ld, size %u", si->rseq_offset,
			 si->rseq_size);
		em_str(e, "rseq_area", b);
	}
	em_end(e, 0);
}

/* What decides whether mm_cid (the cid id source) can be read here. */
static void sec_rseq_cid(struct em *e)
{
	const struct pcpu_cid_facts *f = bc_cid_facts();
	char b[320];

	em_begin(e, "rseq_cid", 0);
	em_str(e, "kernel_release", bc_cid_kernel());
	em_num(e, "kernel_feature_size", (double)f->kernel_feature_size, "%.0f");
	if (f->feature_size_given)
		em_str(e, "kernel_feature_size_source", BC_RSEQ_FEATURE_SIZE_ENV
		       " (a test of an older kernel)");
	em_bool(e, "glibc_registered", f->glibc_registered, f->glibc_registered ?
		"glibc registered rseq (its 32-byte area)" :
		"glibc did not register rseq (glibc.pthread.rseq=0 or old glibc)");
	em_num(e, "glibc_size", f->glibc_size, "%.0f");
	em_str(e, "mm_cid", bc_cid_status(b, sizeof(b)));
	em_str(e, "mm_cid_area", pcpu_cid_reg_desc(f->reg));
	em_end(e, 0);
}

static void sec_kernel(struct em *e, const struct pcpu_sysinfo *si)
{
	em_begin(e, "kernel", 0);
	em_str(e, "release", si->kernel_release);
	em_str(e, "version", si->kernel_version);
	em_str(e, "machine", si->machine);
	em_str(e, "hostname", si->hostname);
	em_str(e, "cmdline", si->cmdline);
	em_num(e, "perf_event_paranoid", si->perf_event_paranoid == -99 ?
	       NAN : si->perf_event_paranoid, "%.0f");
	em_end(e, 0);
}

/*
 * The running kernel's per-CPU layout (kfacts-read.c): what it said at
 * boot, Percpu now, and what the first chunk holds for possible against
 * online CPUs. A fact that cannot be read is "unknown" with the reason.
 */
static void sec_kernel_percpu(struct em *e)
{
	struct pcpu_kfacts *kf = malloc(sizeof(*kf));
	struct kf_sys *sys = malloc(sizeof(*sys));
	struct kf_paths p = { 0 };
	struct kf_derived d;
	char b[512];
	int i, g;

	em_begin(e, "kernel_percpu", 0);
	if (!kf || !sys) {
		em_str(e, "problem", "out of memory");
		goto out;
	}
	kf_read(&p, kf, sys);
	kf_derive(kf, sys, &d);
	em_str(e, "source", sys->log_source);
	if (sys->why[0])
		em_str(e, "problem", sys->why);
	if (pcpu_kfacts_known(kf, PCPU_KF_ALLOCATOR))
		snprintf(b, sizeof(b), "%s (\"%s\")%s",
			 pcpu_kfacts_alloc_name(kf->allocator), kf->alloc_word,
			 kf->fallback ? ", after embedding failed" : "");
	else
		snprintf(b, sizeof(b), "unknown");
	em_str(e, "allocator", b);
	for (i = 0; i < PCPU_KF_NR_FIELDS; i++) {
		unsigned long long v;

		em_num(e, pcpu_kfacts_field_name(i),
		       pcpu_kfacts_get(kf, i, &v) ? NAN : (double)v, "%.0f");
	}
	em_str(e, "percpu_alloc_cmdline",
	       pcpu_kfacts_known(kf, PCPU_KF_CMDLINE_ALLOC) ? kf->cmdline_alloc :
	       "(not given)");
	/* groups: "[0] 0 1 4 6 [1] 2 3 5 7" (node N when inferred) */
	b[0] = '\0';
	if (pcpu_kfacts_known(kf, PCPU_KF_UNITS)) {
		size_t n = 0;

		for (i = 0, g = -1; i < kf->nr_units_kept && n + 24 < sizeof(b); i++) {
			const struct pcpu_kf_unit *u = &kf->units[i];

			if (u->group != g) {
				g = u->group;
				if (g < 64 && d.group_node[g] >= 0)
					n += snprintf(b + n, sizeof(b) - n, "%s[%d node %d]",
						      n ? " " : "", g, d.group_node[g]);
				else
					n += snprintf(b + n, sizeof(b) - n, "%s[%d]",
						      n ? " " : "", g);
			}
			if (u->cpu >= 0)
				n += snprintf(b + n, sizeof(b) - n, " %d", u->cpu);
			else
				n += snprintf(b + n, sizeof(b) - n, " --");
		}
		if (i < kf->nr_units_kept || kf->units_truncated)
			snprintf(b + n, sizeof(b) - n, " ...");
	}
	em_str(e, "groups", b[0] ? b : "unknown");
	em_num(e, "possible_cpus", d.nr_possible >= 0 ? d.nr_possible : NAN, "%.0f");
	em_num(e, "online_cpus", d.nr_online >= 0 ? d.nr_online : NAN, "%.0f");
	if (d.unit_known && sys->sets_known)
		snprintf(b, sizeof(b), "%llu bytes for %d possible CPUs, %llu for %d online",
			 d.possible_bytes, d.nr_possible, d.online_bytes, d.nr_online);
	else
		snprintf(b, sizeof(b), "unknown");
	em_str(e, "first_chunk", b);
	em_num(e, "cpus_off_group_node", sys->numa_known &&
	       pcpu_kfacts_known(kf, PCPU_KF_UNITS) ? d.off_node : NAN, "%.0f");
out:
	em_end(e, 0);
	free(kf);
	free(sys);
}

/*
 * Modules' per-CPU data here: the module reserve of the boot line against
 * the .data..percpu sections of the modules loaded now (modules-host.c),
 * each unknown with its reason.
 */
static void sec_modules(struct em *e)
{
	struct modhost h;
	char b[320];

	modhost_read(&h);
	em_begin(e, "modules", 0);
	if (h.reserve_known)
		em_num(e, "percpu_reserve_bytes", (double)h.reserve, "%.0f");
	else if (e->json)
		em_num(e, "percpu_reserve_bytes", NAN, "%.0f");
	else
		em_str(e, "percpu_reserve_bytes", h.reserve_why);
	if (e->json && !h.reserve_known)
		em_str(e, "percpu_reserve_why", h.reserve_why);
	if (h.loaded_known) {
		em_num(e, "loaded", h.l.nr_loaded, "%.0f");
		em_num(e, "loaded_with_percpu", h.l.nr_percpu, "%.0f");
		em_num(e, "loaded_unread", h.l.nr_unread, "%.0f");
		if (h.l.nr_unread)
			em_str(e, "loaded_unread_why", h.l.why_unread);
		em_num(e, "loaded_percpu_bytes", (double)h.l.sum_bytes, "%.0f");
		em_num(e, "loaded_percpu_largest_bytes", (double)h.l.largest, "%.0f");
		if (h.l.largest)
			em_str(e, "loaded_percpu_largest", h.l.largest_name);
		if (!e->json && h.reserve_known) {
			snprintf(b, sizeof(b), "%zu of %llu bytes%s", h.l.sum_bytes,
				 h.reserve, h.l.nr_unread ? " (some modules unread: "
				 "a lower bound)" : "");
			em_str(e, "loaded_vs_reserve", b);
		}
	} else if (e->json) {
		em_num(e, "loaded_percpu_bytes", NAN, "%.0f");
		em_str(e, "loaded_why", h.loaded_why);
	} else {
		em_str(e, "loaded_percpu_bytes", h.loaded_why);
	}
	em_end(e, 0);
}

/*
 * The counter section: backend, libpfm4, the event table picked for this
 * CPU and where it was read, the counters and who holds one, the passes
 * the default events need, and per default event its status (events:)
 * and how it was resolved and what it counts here (resolution:, counts:).
 */
static void sec_counters(struct em *e)
{
	struct pcnt_spec spec;
	struct pcnt_session *ss = NULL;
	struct pcnt_capacity cap;
	const struct pcnt_table *t;
	struct pcnt_cpu cpu;
	char err[512], b[1024];
	size_t i;

	em_begin(e, "counters", 0);
	em_str(e, "perf_backend", pcnt_backend_name());
	em_str(e, "libpfm4_pmu", pcnt_pfm_pmu());
	em_str(e, "event_tables", pcnt_tables_dir() ? pcnt_tables_dir() :
	       "none found (events/ next to the program; PCPU_EVENT_DIR)");
	t = pcnt_table_for_cpu(err, sizeof(err));
	pcnt_cpu(&cpu);
	if (t) {
		snprintf(b, sizeof(b), "%s (%s; %s)%s", t->id, t->name, t->file,
			 cpu.hypervisor ? "; picked by the model CPUID gives "
			 "under a hypervisor: its raw encodings count right only "
			 "if the host is of that family too" : "");
		em_str(e, "event_table", b);
		em_str(e, "event_table_source", t->source);
	} else {
		snprintf(b, sizeof(b), "none: %s", err);
		em_str(e, "event_table", b);
	}
	pcnt_capacity(&cap);
	snprintf(b, sizeof(b), "%u (%s)", cap.gp, cap.source);
	em_str(e, "gp_counters", b);
	em_num(e, "fixed_counters", cap.fixed, "%.0f");
	em_str(e, "nmi_watchdog", cap.watchdog ? "1: holds a counter (one "
	       "fewer for pcpubench)" : "0: holds no counter");
	em_num(e, "usable_counters", cap.usable, "%.0f");
	if (pcnt_spec_parse(&spec, "default", err, sizeof(err)) ||
	    pcnt_open(&ss, &spec, 0, -1)) {
		em_str(e, "status", "perf_event_open unusable");
		em_end(e, 0);
		return;
	}
	pcnt_plan_text(ss, b, sizeof(b));
	em_str(e, "default_passes", b);
	pt_cycles_source_set_pmu(pcnt_has_cycles(ss, NULL));
	em_str(e, "cycles_source", pt_cycles_source());
	em_begin(e, "events", 0);
	for (i = 0; i < pcnt_count(ss); i++) {
		const char *st = pcnt_open_status(ss, i);

		em_str(e, pcnt_event(ss, i)->name,
		       !strcmp(st, "ok") ? "available" : st);
	}
	em_end(e, 0);
	em_begin(e, "resolution", 0);
	for (i = 0; i < pcnt_count(ss); i++)
		em_str(e, pcnt_event(ss, i)->name, pcnt_event(ss, i)->path);
	em_end(e, 0);
	em_begin(e, "counts", 0);
	for (i = 0; i < pcnt_count(ss); i++)
		em_str(e, pcnt_event(ss, i)->name, pcnt_event(ss, i)->counts);
	em_end(e, 0);
	pcnt_close(ss);
	em_end(e, 0);
}

static void sec_strategies(struct em *e)
{
	int i;

	em_begin(e, "strategies", 0);
	for (i = 0; i < PCPU_NR_STRATEGIES; i++) {
		const char *why = pcpu_strategy_unavailable(
			(enum pcpu_strategy_id)i);
		char b[256];

		snprintf(b, sizeof(b), "%s%s", why ? "unavailable: " : "available",
			 why ? why : "");
		em_str(e, pcpu_strategy_name((enum pcpu_strategy_id)i), b);
	}
	em_end(e, 0);
}

static const struct opt_spec info_spec[] = {
	OPT_CX(FORMAT, NULL, "text (default) or json (one object, for meta.json)",
	       OPTF_NO_CSV, 0, 0),
	OPT_C(CPU, "host CPU to measure the clocks on (default: current)"),
	OPT_C(OUTPUT, NULL),
	OPT_C(HELP, NULL),
	OPT_END
};

static const struct opts_cmd info_cmd = {
	.name = "info",
	.spec = info_spec,
	.head =
"usage: pcpubench info [--format text|json] [--cpu N] [-o FILE]\n"
"\n"
"This machine: CPU identity and microcode, measured TSC and core clocks,\n"
"caches and TLBs from CPUID (\"not reported\" where CPUID says nothing),\n"
"TLB calibration from `pcpubench tlb`, topology, possible/present/online\n"
"CPUs, THP and hugetlb, FSGSBASE, rseq, kernel and command line,\n"
"perf_event_paranoid, each default counter event (available, or why not)\n"
"and each strategy (available, or why not).\n"
"\n",
};

/* Options. Return: as opts_parse(). */
static int info_read_opts(struct opts_common *oc, int argc, char **argv)
{
	cpu_set_t may;
	int r;

	opts_init(oc);
	r = opts_parse(&info_cmd, argc, argv, oc, NULL, NULL);
	if (r || oc->cpu < 0)
		return r;
	/* Never measured silently on another CPU. */
	if (sched_getaffinity(0, sizeof(may), &may) || !CPU_ISSET(oc->cpu, &may)) {
		fprintf(stderr, "pcpubench info: --cpu %ld: not an online CPU this "
			"process may run on\n", oc->cpu);
		return -EINVAL;
	}
	return 0;
}

/*
 * Where the text goes: stdout, a device in place, or the checked writer
 * (O_EXCL temporary file, fsync, rename) into *@w.
 * Return: 0; an exit code (message printed).
 */
static int info_open(struct em *e, const char *out, struct pcpu_wfile **w)
{
	int ret;

	e->f = stdout;
	if (out && pout_path_check(out) == 1 && strcmp(out, "-") &&
	    strcmp(out, "/dev/stdout")) {
		/* /dev/null, /dev/stderr, /dev/fd/N: in place */
		e->f = fopen(out, "a");
		if (!e->f) {
			fprintf(stderr, "pcpubench info: cannot write %s: %s\n",
				out, strerror(errno));
			return EXIT_IO;
		}
	} else if (out && pout_path_check(out) == 0) {
		ret = pcpu_wfile_open(w, out, &e->f);
		if (ret)
			return bc_path_msg("info", "-o", out, ret);
	}
	return 0;
}

/* Every section. */
static void info_emit(struct em *e, int cpu)
{
	struct pcpu_sysinfo si;

	pcpu_sysinfo_read(&si);
	if (e->json) {
		em_begin(e, NULL, 0);
		em_num(e, "schema_version", POUT_SCHEMA_VERSION, "%.0f");
	} else {
		fprintf(e->f, "pcpubench info\n");
	}
	em_str(e, "tool_version", PCPU_GIT_REV);
	em_str(e, "cc", PCPU_CC_VERSION);
	em_str(e, "build_flags", PCPU_BUILD_FLAGS);
	sec_cpu(e, &si);
	sec_clocks(e, cpu);
	sec_tlbcal(e);
	sec_topology(e, &si);
	sec_memory(e, &si);
	sec_features(e, &si);
	sec_rseq_cid(e);
	sec_kernel(e, &si);
	sec_kernel_percpu(e);
	sec_modules(e);
	sec_counters(e);
	sec_strategies(e);
	if (e->json) {
		em_end(e, 0);
		fputc('\n', e->f);
	}
}

/* The text committed or closed. Return: an exit code. */
static int info_close(struct em *e, const char *out, struct pcpu_wfile *w)
{
	int ret;

	errno = 0;
	if (w) {
		ret = pcpu_wfile_commit(w);
		if (ret) {
			fprintf(stderr, "pcpubench info: writing '%s': %s (output "
				"not written)\n", bc_arg(out), strerror(-ret));
			return EXIT_IO;
		}
	} else if (e->f != stdout) {
		if (ferror(e->f) | fclose(e->f)) {
			fprintf(stderr, "pcpubench info: writing %s: %s\n", out,
				strerror(errno ? errno : EIO));
			return EXIT_IO;
		}
	} else if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "pcpubench info: writing standard output: %s\n",
			strerror(errno ? errno : EIO));
		return EXIT_IO;
	}
	return EXIT_OK;
}

int cmd_info(int argc, char **argv)
{
	struct pcpu_wfile *w = NULL;
	struct opts_common oc;
	struct em e;
	int ret;

	ret = info_read_opts(&oc, argc, argv);
	if (ret)
		return opts_exit(ret);
	ret = bc_out_check("info", oc.out);
	if (ret)
		return ret;
	if (bc_dry_run_stop("info"))
		return EXIT_OK;
	memset(&e, 0, sizeof(e));
	e.json = opts_given(&oc, OPT_FORMAT) && oc.fmt == POUT_JSON;
	e.depth = e.json ? -1 : 0;
	ret = info_open(&e, oc.out, &w);
	if (ret)
		return ret;
	info_emit(&e, (int)oc.cpu);
	return info_close(&e, oc.out, w);
}
