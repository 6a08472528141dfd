/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pcpu-metrics.h - every metric every benchmark emits, declared once.
 *
 * One X-macro list: benchmark, metric, unit, kind, must-be-zero flag and
 * a one-line meaning. The output (lib/toolkit/pcpu-out.c) refuses a row whose
 * metric is not declared for its benchmark and writes the unit declared
 * here, so an emit site cannot drift from the list; `pcpubench list
 * --metrics` prints it and run.sh keeps a copy as metrics.json in each
 * results directory, which the report and compare read instead of tables
 * of their own.
 *
 * kind is the status a good row has: ok (measured), derived (computed
 * from measured figures) or estimated (a model's figure). A row may still
 * be na:<reason> or flagged:<why>. zero marks an invariant: any non-zero
 * value is a failed run, checked by the report on every run.
 *
 * After the meaning, optionally, how the report shows the metric (struct
 * pcpu_metric_report, designated initializers; none: an ordinary metric
 * listed under "other metrics"): .headline = N makes it the N-th
 * headline table of its benchmark (several metrics with the same N are
 * alternatives: the first that has a value is tabled, cycles before ns);
 * .pivot tables it as a pivot (workload) instead of a row per point;
 * .difference marks a difference of two measurements (near zero or
 * negative by nature: shown as median minus the base's, with the IQR,
 * never as a percentage); .label is its short name in plots and
 * findings. `pcpubench list --metrics --format json` exports them with
 * the metric, and the report and compare read them from metrics.json.
 *
 * A metric name holding "<event>" is a pattern: the counter metrics are
 * generated per event of lib/toolkit/pcpu-counters (its names as given to
 * --events: semantic keys such as page_walks, perf names such as
 * page-faults, the PMU's cycles as pmu_cycles; see pcnt_metric_name()).
 * "<event>" (or any "<word>") stands for one or more of [A-Za-z0-9_.:-].
 */
#ifndef PCPU_METRICS_H
#define PCPU_METRICS_H

#include <stdbool.h>
#include <stddef.h>

enum pcpu_metric_kind { PCPU_MK_OK, PCPU_MK_DERIVED, PCPU_MK_ESTIMATED };

#define PCPU_MK_ok PCPU_MK_OK
#define PCPU_MK_derived PCPU_MK_DERIVED
#define PCPU_MK_estimated PCPU_MK_ESTIMATED

/* The churn breakdown: online_<part>_ns_p50|_p99, offline_<part>_... */
#define PCPU_METRICS_CHURN_PART(X, dir, part, what)                           \
	X("churn", dir "_" part "_ns_p50", "ns", ok, 0,                       \
	  "median time of the " what " part of one " dir " event",            \
	  .label = part)                                                      \
	X("churn", dir "_" part "_ns_p99", "ns", ok, 0,                       \
	  "99th percentile time of the " what " part of one " dir " event",   \
	  .label = part)

/* online/offline latency: p50 and p99 the headlines @h50 and @h50 + 1 */
#define PCPU_METRICS_CHURN_LAT(X, dir, h50)                                   \
	X("churn", dir "_latency_ns_p50", "ns", ok, 0,                        \
	  "median latency of one CPU " dir " event, callbacks included",      \
	  .headline = h50, .label = dir " p50")                               \
	X("churn", dir "_latency_ns_p99", "ns", ok, 0,                        \
	  "99th percentile latency of one CPU " dir " event",                 \
	  .headline = h50 + 1, .label = dir " p99")                           \
	X("churn", dir "_latency_ns_max", "ns", ok, 0,                        \
	  "largest latency of one CPU " dir " event")

/* `pcpubench cid`: per-CPU data indexed by the rseq concurrency id. */
#define PCPU_METRICS_CID(X)                                                   \
	X("cid", "units_committed", "units", ok, 0,                           \
	  "units committed: ids that were used (committed on first use)")     \
	X("cid", "committed_bytes", "bytes", ok, 0,                           \
	  "bytes resident in the units (mincore)")                            \
	X("cid", "reserved_bytes", "bytes", ok, 0,                            \
	  "address space reserved for every possible id")                     \
	X("cid", "id_span", "ids", ok, 0,                                     \
	  "highest id that got a unit + 1: the slots a table must span")      \
	X("cid", "units_possible", "units", derived, 0,                       \
	  "units a layout for every possible CPU commits (embed, page)")      \
	X("cid", "increments_done", "ops", ok, 0,                             \
	  "increments the threads did (rseq critical sections committed)")    \
	X("cid", "counter_sum", "ops", ok, 0,                                 \
	  "sum of the id-indexed counter over the units at the end")          \
	X("cid", "lost_updates", "ops", ok, 1,                                \
	  "increments_done minus counter_sum: must be 0")                     \
	X("cid", "cs_aborts", "events", ok, 0,                                \
	  "critical sections restarted (preemption, migration, signal)")      \
	X("cid", "first_uses", "events", ok, 0,                               \
	  "increments that found no unit for their id and committed one")     \
	X("cid", "threads_started", "threads", ok, 0,                         \
	  "threads created during the run")                                   \
	X("cid", "affinity_changes", "events", ok, 0,                         \
	  "allowed-CPU-set changes applied to the running threads")           \
	X("cid", "id_changes_per_sec", "changes/s", ok, 0,                    \
	  "changes of the thread's id (mm_cid or cpu_id) seen per second")    \
	X("cid", "change_inc_ticks", "ticks", ok, 0,                          \
	  "TSC ticks of the first increment after the thread's id changed "   \
	  "(its unit moved; median per thread)")                              \
	X("cid", "steady_inc_ticks", "ticks", ok, 0,                          \
	  "TSC ticks of an increment with the id unchanged (every 256th; "    \
	  "median per thread)")                                                \
	X("cid", "ns_per_inc", "ns", ok, 0,                                   \
	  "one rseq-protected increment of the id-indexed counter, one thread")

/* X(bench, metric, unit, kind, zero, meaning[, report attributes]) */
#define PCPU_METRICS(X)                                                       \
	/* ---- access ---- */                                                \
	X("access", "cycles_per_op", "cycles", ok, 0,                         \
	  "core cycles per operation (TSC scaled by the core clock)",         \
	  .headline = 1)                                                      \
	X("access", "ns_per_op", "ns", ok, 0, "nanoseconds per operation",    \
	  .headline = 1)                                                      \
	X("access", "core_clock", "GHz", ok, 0,                               \
	  "core clock the cycles were scaled with (calibrated imul chain)")   \
	X("access", "batch_ops", "ops", ok, 0,                                \
	  "operations per timed batch")                                       \
	X("access", "cycles_over_floor", "cycles", derived, 0,                \
	  "cycles per op above the ptr floor (same op and mode)",             \
	  .difference = true)                                                 \
	X("access", "minimal_loop_cycles_per_op", "cycles", ok, 0,            \
	  "a minimal unrolled load loop timed in the same process (ptr row)") \
	X("access", "cold_cycles", "cycles", ok, 0,                           \
	  "one isolated access after K competing pages (cold mode)",          \
	  .headline = 3)                                                      \
	X("access", "pages_on_path", "pages", ok, 0,                          \
	  "distinct 4 KiB pages the lookup touches",                          \
	  .headline = 4)                                                      \
	X("access", "huge_page_fraction", "fraction", ok, 0,                  \
	  "fraction of the unit's pages backed by huge pages")                \
	X("access", "numa_local_fraction", "fraction", derived, 0,            \
	  "fraction of the unit's resident pages on the running CPU's node")  \
	X("access", "remote_accesses_per_op", "accesses/op", derived, 0,      \
	  "remote accesses per op: the fraction of the pages read off the "   \
	  "running CPU's node (one access per op)")                           \
	X("access", "tlb_cost", "cycles", ok, 0,                              \
	  "cycles per op with 4 KiB pages minus with 2 MiB pages (measured)", \
	  .headline = 2, .difference = true)                                  \
	X("access", "dtlb_misses_per_op_est", "events/op", estimated, 0,      \
	  "tlb_cost over the calibrated walk cycles of pcpubench tlb",        \
	  .difference = true)                                                 \
	X("access", "<event>_per_op", "events/op", ok, 0,                     \
	  "counter <event> per operation (NA with reason when unreadable)")   \
	X("access", "<event>_pass", "pass", ok, 0,                            \
	  "the counter pass (run of the loop) that counted <event>")          \
	X("access", "<event>_time_running_frac", "fraction", ok, 0,           \
	  "time_running/time_enabled of a multiplexed <event>")               \
	/* ---- tlb ---- */                                                   \
	X("tlb", "cycles_per_access", "cycles", ok, 0,                        \
	  "cycles per dependent load over the working set")                   \
	X("tlb", "ns_per_access", "ns", ok, 0,                                \
	  "nanoseconds per dependent load")                                   \
	X("tlb", "dtlb_misses_per_access", "misses", ok, 0,                   \
	  "dTLB misses per load (PMU)")                                       \
	X("tlb", "tlb_excess_cycles", "cycles", derived, 0,                   \
	  "chase minus control cycles per access at a size",                  \
	  .difference = true)                                                 \
	X("tlb", "l1_dtlb_entries", "pages", derived, 0,                      \
	  "L1 dTLB reach from the fitted curve",                              \
	  .headline = 1)                                                      \
	X("tlb", "l2_tlb_entries", "pages", derived, 0,                       \
	  "L2 TLB reach from the fitted curve",                               \
	  .headline = 2)                                                      \
	X("tlb", "l2_hit_cycles", "cycles", derived, 0,                       \
	  "cost of an L1 miss that hits the L2 TLB",                          \
	  .headline = 3)                                                      \
	X("tlb", "walk_cycles", "cycles", derived, 0,                         \
	  "cost of a page walk (L2 TLB miss)",                                \
	  .headline = 4)                                                      \
	X("tlb", "walk_far_cycles", "cycles", derived, 0,                     \
	  "cost of a page walk whose entries miss the caches")                \
	X("tlb", "l1_dtlb_half_pages", "pages", derived, 0,                   \
	  "size where half the L1 step is reached")                           \
	X("tlb", "l2_tlb_half_pages", "pages", derived, 0,                    \
	  "size where half the L2 step is reached")                           \
	X("tlb", "fit_steps", "count", derived, 0, "steps in the fit")        \
	X("tlb", "fit_r2", "ratio", derived, 0, "R^2 of the step fit")        \
	X("tlb", "fit_rms_cycles", "cycles", derived, 0,                      \
	  "RMS residual of the fit")                                          \
	X("tlb", "fit_noise_cycles", "cycles", derived, 0,                    \
	  "noise estimate the fit's tolerance uses")                          \
	X("tlb", "huge_page_fraction", "ratio", ok, 0,                        \
	  "fraction of the buffer backed by huge pages")                      \
	/* ---- workload ---- */                                              \
	X("workload", "cycles_per_iter", "cycles", ok, 0,                     \
	  "cycles per iteration (P pages of work, M per-CPU accesses)")       \
	X("workload", "ns_per_iter", "ns", ok, 0,                             \
	  "nanoseconds per iteration")                                        \
	X("workload", "core_clock", "GHz", ok, 0,                             \
	  "core clock the cycles were scaled with")                           \
	X("workload", "slowdown_vs_ptr_pct", "%", derived, 0,                 \
	  "iteration slowdown against the ptr floor",                         \
	  .difference = true)                                                 \
	X("workload", "slowdown_vs_segment_pct", "%", derived, 0,             \
	  "iteration slowdown against segment",                               \
	  .headline = 1, .pivot = true, .difference = true)                   \
	X("workload", "tlb_share_pct", "%", derived, 0,                       \
	  "share of the slowdown the 4k/2m difference explains",              \
	  .headline = 2, .pivot = true, .difference = true)                   \
	/* ---- churn ---- */                                                 \
	X("churn", "ops_per_sec", "ops/s", ok, 0,                             \
	  "increments per second over all workers",                           \
	  .headline = 1)                                                      \
	X("churn", "ops_rel_no_churn", "ratio", derived, 0,                   \
	  "ops_per_sec over the rate-0 median of the same strategy",          \
	  .headline = 2)                                                      \
	X("churn", "hotplug_events", "events", ok, 0,                         \
	  "CPU online/offline events done")                                   \
	X("churn", "hotplug_events_per_sec", "events/s", ok, 0,               \
	  "hotplug events per second achieved")                               \
	X("churn", "hotplug_soft_misses", "events", ok, 0,                    \
	  "hotplug events the sim backend could not do in time")              \
	X("churn", "increments_done", "ops", ok, 0,                           \
	  "increments the workers did")                                       \
	X("churn", "counter_sum", "ops", ok, 0,                               \
	  "sum of the per-CPU counter read at the end")                       \
	X("churn", "counter_folded", "ops", ok, 0,                            \
	  "counts folded from offlined CPUs")                                 \
	X("churn", "lost_updates", "ops", ok, 1,                              \
	  "increments_done minus counter_sum: must be 0")                     \
	X("churn", "read_sum_mismatch", "value", ok, 1,                       \
	  "sum of the values read minus the templates' sum: must be 0")       \
	X("churn", "worker_enter_misses", "events", ok, 0,                    \
	  "worker entries that found their CPU offline")                      \
	X("churn", "page_faults_rusage", "faults", ok, 0,                     \
	  "page faults of the run (getrusage)")                               \
	X("churn", "context_switches_rusage", "switches", ok, 0,              \
	  "context switches of the run (getrusage)")                          \
	X("churn", "numa_local_fraction_min", "ratio", derived, 0,            \
	  "smallest fraction of unit pages on the running CPU's node")        \
	X("churn", "remote_accesses_per_op_max", "accesses/op", derived, 0,   \
	  "1 - numa_local_fraction_min: the worst sample's remote fraction")  \
	X("churn", "reserved_bytes", "bytes", ok, 0,                          \
	  "address space reserved at the end")                                \
	X("churn", "committed_bytes", "bytes", ok, 0,                         \
	  "memory committed at the end")                                      \
	PCPU_METRICS_CHURN_LAT(X, "online", 3)                                \
	PCPU_METRICS_CHURN_LAT(X, "offline", 5)                               \
	PCPU_METRICS_CHURN_PART(X, "online", "alloc", "unit allocation")      \
	PCPU_METRICS_CHURN_PART(X, "online", "copy", "template copy")         \
	PCPU_METRICS_CHURN_PART(X, "online", "place", "node placement")       \
	PCPU_METRICS_CHURN_PART(X, "online", "publish", "publication")        \
	PCPU_METRICS_CHURN_PART(X, "online", "worker", "worker start")        \
	PCPU_METRICS_CHURN_PART(X, "offline", "quiesce", "quiescence")        \
	PCPU_METRICS_CHURN_PART(X, "offline", "fold", "counter fold")         \
	PCPU_METRICS_CHURN_PART(X, "offline", "unpublish", "unpublication")   \
	PCPU_METRICS_CHURN_PART(X, "offline", "release", "unit release")      \
	X("churn", "<event>", "events", ok, 0,                                \
	  "counter <event> over the workers' run")                            \
	X("churn", "<event>_per_op", "events/op", ok, 0,                      \
	  "counter <event> per increment")                                    \
	/* ---- numa ---- */                                                  \
	X("numa", "host_cpu", "id", ok, 0, "host CPU the model CPU runs on")  \
	X("numa", "cpu_node", "node", ok, 0, "host node of that CPU")         \
	X("numa", "real_node", "node", ok, 0, "the model CPU's real node")    \
	X("numa", "init_node", "node", ok, 0,                                 \
	  "the node init knew for the CPU")                                   \
	X("numa", "unit_node", "node", ok, 0,                                 \
	  "node the layout placed the CPU's unit on")                         \
	X("numa", "unit_node_remote", "bool", derived, 0,                     \
	  "1 when unit_node is not the real node")                            \
	X("numa", "pages", "pages", ok, 0, "pages of the CPU's unit")         \
	X("numa", "pages_local", "pages", ok, 0,                              \
	  "unit pages on the CPU's host node")                                \
	X("numa", "pages_remote", "pages", ok, 0,                             \
	  "unit pages off the CPU's host node",                               \
	  .headline = 2)                                                      \
	X("numa", "pages_not_resident", "pages", ok, 0,                       \
	  "unit pages not yet resident")                                      \
	X("numa", "local_fraction", "ratio", ok, 0,                           \
	  "pages_local over resident pages",                                  \
	  .headline = 1)                                                      \
	X("numa", "policy_fraction", "ratio", ok, 0,                          \
	  "resident pages on the node the policy asked for")                  \
	X("numa", "remote_accesses_per_op", "accesses/op", derived, 0,        \
	  "remote accesses per op: the fraction of the pages read off the "   \
	  "running CPU's node (one access per op)")                           \
	X("numa", "late_cpus", "cpus", ok, 0, "CPUs that came online late")   \
	X("numa", "late_cpus_remote_pages", "pages", ok, 0,                   \
	  "remote unit pages of the late CPUs")                               \
	X("numa", "hotadded_cpus", "cpus", ok, 0, "CPUs hot-added live")      \
	X("numa", "hotadded_cpus_remote_pages", "pages", ok, 0,               \
	  "remote unit pages of the hot-added CPUs")                          \
	X("numa", "hotadded_units_remote", "cpus", ok, 0,                     \
	  "hot-added CPUs whose unit the layout placed off their node")       \
	X("numa", "latency_ns", "ns", ok, 0,                                  \
	  "load latency from the CPU to the unit")                            \
	X("numa", "latency_ns_from_node<node>", "ns", ok, 0,                  \
	  "latency matrix: load latency from node <node> to the column's")    \
	X("numa", "latency_cycles_from_node<node>", "cycles", derived, 0,     \
	  "the same in core cycles")                                          \
	/* ---- mem ---- */                                                   \
	X("mem", "unit_bytes", "bytes", ok, 0, "size of one unit")            \
	X("mem", "reserved_bytes", "bytes", ok, 0, "address space reserved",  \
	  .headline = 1)                                                      \
	X("mem", "committed_bytes", "bytes", ok, 0, "memory committed",       \
	  .headline = 2)                                                      \
	X("mem", "committed_online_bytes", "bytes", ok, 0,                    \
	  "memory committed for the online CPUs")                             \
	X("mem", "units", "units", ok, 0, "units allocated")                  \
	X("mem", "thp_bytes", "bytes", ok, 0, "bytes backed by THP")          \
	X("mem", "hugetlb_bytes", "bytes", ok, 0, "bytes backed by hugetlb")  \
	X("mem", "bookkeeping_bytes", "bytes", derived, 0,                    \
	  "the allocator's own tables")                                       \
	X("mem", "all_possible_bytes", "bytes", derived, 0,                   \
	  "committed if every possible CPU came online")                      \
	/* ---- modules ---- */                                               \
	X("modules", "stream_sections", "sections", ok, 0,                    \
	  "module sections in the stream")                                    \
	X("modules", "stream_bytes", "bytes", ok, 0,                          \
	  "sum of the stream's section sizes")                                \
	X("modules", "stream_median_bytes", "bytes", derived, 0,              \
	  "median section size of the stream")                                \
	X("modules", "stream_largest_bytes", "bytes", ok, 0,                  \
	  "largest section of the stream")                                    \
	X("modules", "stream_top20_bytes", "bytes", derived, 0,               \
	  "sum of the stream's 20 largest sections")                          \
	X("modules", "region_bytes", "bytes", ok, 0,                          \
	  "room for module sections per CPU under the policy")                \
	X("modules", "loaded_sections", "sections", ok, 0,                    \
	  "sections of one pass of the stream loaded before a refusal")       \
	X("modules", "loaded_bytes", "bytes", ok, 0,                          \
	  "their bytes")                                                      \
	X("modules", "copies", "units", ok, 0,                                \
	  "CPUs holding a copy of the loaded sections")                       \
	X("modules", "reserved_bytes", "bytes", ok, 0,                        \
	  "address space for module copies, all CPUs")                        \
	X("modules", "committed_bytes", "bytes", ok, 0,                       \
	  "resident bytes of module copies after one pass (mincore)",         \
	  .headline = 2)                                                      \
	X("modules", "committed_online_bytes", "bytes", ok, 0,                \
	  "of those, in online CPUs' copies",                                 \
	  .headline = 3)                                                      \
	X("modules", "committed_per_section_bytes", "bytes", derived, 0,      \
	  "committed bytes per loaded section")                               \
	X("modules", "loads_until_refusal", "loads", ok, 0,                   \
	  "loads, the stream cycled, before the first refusal",               \
	  .headline = 1)                                                      \
	X("modules", "refused_bytes", "bytes", ok, 0,                         \
	  "size of the first section refused")                                \
	X("modules", "churn_refusals", "loads", ok, 0,                        \
	  "loads refused during the unload/load churn")                       \
	X("modules", "largest_fit_bytes", "bytes", ok, 0,                     \
	  "largest section that still fits after the churn",                  \
	  .headline = 4)                                                      \
	X("modules", "free_bytes", "bytes", ok, 0,                            \
	  "free bytes per CPU after the churn")                               \
	X("modules", "fragmentation_pct", "pct", derived, 0,                  \
	  "100 x (1 - largest fit / free) after the churn")                   \
	X("modules", "path_ns", "ns", ok, 0,                                  \
	  "whole lookup path of one read of the variable",                    \
	  .headline = 5)                                                      \
	X("modules", "path_cycles", "cycles", estimated, 0,                   \
	  "path_ns scaled by the calibrated core clock")                      \
	X("modules", "cold_ns", "ns", ok, 0,                                  \
	  "isolated read after K touched pages, minus the empty path")        \
	X("modules", "cold_cycles", "cycles", estimated, 0,                   \
	  "cold_ns scaled by the calibrated core clock")                      \
	X("modules", "pages_on_path", "pages", ok, 0,                         \
	  "distinct 4 KiB pages the lookup touches")                          \
	X("modules", "pages_with_boot_var", "pages", ok, 0,                   \
	  "the same for a module variable's lookup plus a boot variable",     \
	  .headline = 6)                                                      \
	/* ---- kernel-modules (test modules loaded in the guest) ---- */     \
	X("kernel-modules", "section_bytes", "bytes", ok, 0,                  \
	  "the test module's .data..percpu size (ELF header)")                \
	X("kernel-modules", "loaded", "bool", ok, 0,                          \
	  "1 when insmod succeeded, 0 when the kernel refused")               \
	X("kernel-modules", "sum_before_bytes", "bytes", ok, 0,               \
	  "sections of the test modules loaded before this one")              \
	X("kernel-modules", "reserve_bytes", "bytes", ok, 0,                  \
	  "the module reserve (r) of the guest kernel's boot line")           \
	X("kernel-modules", "model_loaded", "bool", ok, 0,                    \
	  "1 when the user-space model (reserve:r) loads it too")             \
	X("kernel-modules", "model_mismatch", "count", ok, 1,                 \
	  "kernel and model disagree on this load: must be 0")                \
	X("kernel-modules", "reload_after_unload", "bool", ok, 0,             \
	  "1 when the refused module loads after the others are unloaded")    \
	PCPU_METRICS_CID(X)                                                   \
	/* ---- kernel-access (the module, in the guest) ---- */              \
	X("kernel-access", "core_clock", "GHz", ok, 0,                        \
	  "core clock from the calibration loop")                             \
	X("kernel-access", "tsc_per_op", "ticks", ok, 0, "TSC ticks per op")  \
	X("kernel-access", "cycles_per_op", "cycles", ok, 0,                  \
	  "core cycles per op")                                               \
	X("kernel-access", "ns_per_op", "ns", ok, 0, "nanoseconds per op")    \
	X("kernel-access", "batch_ops", "ops", ok, 0, "ops per timed batch")  \
	/* ---- kernel-numa ---- */                                           \
	X("kernel-numa", "cpu_node", "node", ok, 0, "cpu_to_node()")          \
	X("kernel-numa", "present", "bool", ok, 0, "CPU present")             \
	X("kernel-numa", "online", "bool", ok, 0, "CPU online")               \
	X("kernel-numa", "onlines", "count", ok, 0, "times the CPU onlined")  \
	X("kernel-numa", "page_node", "node", ok, 0,                          \
	  "node of the CPU's copy's page")                                    \
	X("kernel-numa", "pages_local", "pages", ok, 0,                       \
	  "copy pages on cpu_to_node()")                                      \
	X("kernel-numa", "pages_remote", "pages", ok, 0,                      \
	  "copy pages off cpu_to_node()")                                     \
	X("kernel-numa", "template_mismatch_words", "words", ok, 1,           \
	  "words of a late CPU's copy that differ from the template")         \
	X("kernel-numa", "map_page_bytes", "bytes", ok, 0,                    \
	  "page size mapping the CPU's copy (page-table level: 4K, 2M, 1G)")  \
	X("kernel-numa", "in_vmalloc", "bool", ok, 0,                         \
	  "1: the copy's address is in vmalloc space; 0: the linear map")     \
	X("kernel-numa", "vars", "count", ok, 0,                              \
	  "variables whose pages are counted (pages_touched)")                \
	X("kernel-numa", "pages_touched", "pages", ok, 0,                     \
	  "distinct 4 KiB pages the CPU's copies of the variables are on")    \
	X("kernel-numa", "map_pages_touched", "pages", ok, 0,                 \
	  "distinct mapping pages (TLB entries) the variables need")          \
	/* ---- kfacts: the running kernel's per-CPU layout (boot lines;   \
	 * the facts themselves are PCPU_KF_FIELDS, added in pcpu-metrics.c) */ \
	X("kfacts", "fallback_to_page", "bool", ok, 0,                        \
	  "1 when embedding failed and the kernel fell back to pages")        \
	X("kfacts", "possible_cpus", "cpus", ok, 0, "CPUs in cpu/possible")   \
	X("kfacts", "present_cpus", "cpus", ok, 0, "CPUs in cpu/present")     \
	X("kfacts", "online_cpus", "cpus", ok, 0, "CPUs in cpu/online")       \
	X("kfacts", "first_chunk_possible_bytes", "bytes", derived, 0,        \
	  "unit size x possible CPUs: what the first chunk holds")            \
	X("kfacts", "first_chunk_online_bytes", "bytes", derived, 0,          \
	  "unit size x online CPUs: what the online CPUs use of it")          \
	X("kfacts", "cpus_off_group_node", "cpus", derived, 0,                \
	  "CPUs whose unit sits in the group of another node")                \
	X("kfacts", "unit_group", "group", ok, 0,                             \
	  "group of the first chunk holding the CPU's unit")                  \
	X("kfacts", "cpu_node", "node", ok, 0, "the CPU's node in sysfs")     \
	X("kfacts", "group_node", "node", derived, 0,                         \
	  "the node most CPUs of the CPU's group are on")                     \
	X("kfacts", "present", "bool", ok, 0, "CPU present")                  \
	X("kfacts", "online", "bool", ok, 0, "CPU online")                    \
	/* ---- kernel-churn ---- */                                          \
	X("kernel-churn", "hotplug_ops", "ops", ok, 0,                        \
	  "sysfs online/offline writes done")                                 \
	X("kernel-churn", "hotplug_busy", "ops", ok, 0,                       \
	  "sysfs writes refused EBUSY")                                       \
	X("kernel-churn", "updates", "updates", ok, 0,                        \
	  "increments the kernel threads did")                                \
	X("kernel-churn", "counted", "updates", ok, 0,                        \
	  "sum of the per-CPU copies at the end")                             \
	X("kernel-churn", "lost_updates", "updates", ok, 1,                   \
	  "updates minus counted: must be 0")                                 \
	X("kernel-churn", "skipped_unmapped", "updates", ok, 0,               \
	  "increments skipped on an unmapped copy")                           \
	X("kernel-churn", "folded", "updates", ok, 0,                         \
	  "counts folded at offline")                                         \
	X("kernel-churn", "workers", "count", ok, 0, "kernel threads")        \
	X("kernel-churn", "onlines", "count", ok, 0, "online callbacks")      \
	X("kernel-churn", "offlines", "count", ok, 0, "offline callbacks")    \
	X("kernel-churn", "template_ok", "count", ok, 0,                      \
	  "onlined copies equal to the template")                             \
	X("kernel-churn", "template_bad", "count", ok, 1,                     \
	  "onlined copies that differ from the template: must be 0")          \
	X("kernel-churn", "fold", "count", ok, 0,                             \
	  "1 when counts are folded at offline")

/* How the report shows a metric (see the top of this file). */
struct pcpu_metric_report {
	unsigned int headline;	/* 0, or its rank among the bench's tables */
	bool pivot;		/* a pivot table instead of a row per point */
	bool difference;	/* a difference: near 0 or below by nature */
	const char *label;	/* short name in plots and findings, or NULL */
};

struct pcpu_metric {
	const char *bench;
	const char *name;	/* may hold "<event>" */
	const char *unit;
	enum pcpu_metric_kind kind;
	bool zero;		/* invariant: must be 0 */
	const char *meaning;
	struct pcpu_metric_report report;
};

/* The list, and its length. */
extern const struct pcpu_metric pcpu_metrics[];
extern const size_t pcpu_nmetrics;

/*
 * pcpu_metric_find() - the declaration of @metric for @bench: an exact
 * name first, else a pattern ("<event>_per_op").
 * Return: the entry; NULL when undeclared.
 */
const struct pcpu_metric *pcpu_metric_find(const char *bench,
					   const char *metric);

/* Return: true when @bench has any declared metric. */
bool pcpu_metric_bench_known(const char *bench);

/* "ok", "derived", "estimated". */
const char *pcpu_metric_kind_name(enum pcpu_metric_kind k);

#endif /* PCPU_METRICS_H */
