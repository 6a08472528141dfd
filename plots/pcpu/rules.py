"""pcpu.rules - how the report reads each benchmark: its baseline, the
table filter, pooled parameters and the outcome columns never matched
on. Which metrics are headline tables, pivots or differences, their
order and short labels are NOT here: they are declared with the metrics
(lib/toolkit/pcpu-metrics.h) and read from each directory's
metrics.json (Bench.headlines(), Bench.is_difference(), Bench.label()).
LEGACY_* below is only what a directory written before those attributes
existed implies (frozen: a new metric never goes there).
"""

import re

# Per-benchmark reading rules. Anything not listed falls back to generic
# behaviour (no baseline).
BENCH = {
    "access": {"baseline": ("strategy", "offset-array")},
    # churn's invariants (a count that must be 0, tabled per strategy and
    # checked on every run) come from the metric list: must_be_zero()
    "churn": {"baseline": ("strategy", "offset-array")},
    "workload": {"baseline": ("strategy", "segment")},
    "tlb": {
        "baseline": ("page", "4k"),
        # the chase/control curves are plotted, not tabled
        "table_filter": ("pattern", "summary"),
        "combine": True,
    },
    "numa": {"baseline": ("strategy", "offset-array"), "pool": ["cpu"]},
    "mem": {"baseline": ("strategy", "offset-array")},
    "modules": {"baseline": ("policy", "reserve:8192")},
}
# Outcome columns: what a run OBTAINED (access/tlb: the backing actually
# got, 4k, thp, hugetlb, tls-block, none), not what was asked for. They
# are shown with a row but never part of the key that matches a row to
# its baseline (report) or to another directory's row (compare); a row
# whose outcome differs from its match's is flagged.
OUTCOME = ("backing",)

# What a results directory without metrics.json (written before schema 2)
# is checked against: the invariants only, no metric names.
LEGACY_ZERO = {"churn": ["lost_updates", "read_sum_mismatch"]}
# The report attributes a metrics.json written before they were exported
# implies (frozen; pcpu-metrics.h declares them now): headline tables in
# order, a tuple holding alternatives; pivot tables; difference metrics
# (a difference of two measurements, an excess over a control, or an
# estimate from one: near zero or negative by nature) by name and suffix.
LEGACY_HEADLINES = {
    "access": [("cycles_per_op", "ns_per_op"), "tlb_cost", "cold_cycles",
               "pages_on_path"],
    "churn": ["ops_per_sec", "ops_rel_no_churn",
              "online_latency_ns_p50", "online_latency_ns_p99",
              "offline_latency_ns_p50", "offline_latency_ns_p99"],
    "tlb": ["l1_dtlb_entries", "l2_tlb_entries", "l2_hit_cycles",
            "walk_cycles"],
    "numa": ["local_fraction", "pages_remote"],
    "mem": ["reserved_bytes", "committed_bytes"],
    "modules": ["loads_until_refusal", "committed_bytes",
                "committed_online_bytes", "largest_fit_bytes", "path_ns",
                "pages_with_boot_var"],
}
LEGACY_PIVOTS = {"workload": ["slowdown_vs_segment_pct", "tlb_share_pct"]}
LEGACY_DIFF = ("tlb_cost", "tlb_excess_cycles", "cycles_over_floor",
               "slowdown_vs_ptr_pct", "slowdown_vs_segment_pct",
               "tlb_share_pct")
LEGACY_DIFF_SUFFIXES = ("_est", "_diff", "_delta", "_excess",
                        "_excess_cycles")


def is_difference(metric):
    """True for a difference metric by LEGACY_DIFF (a directory whose
    metrics.json has no report attributes); Bench.is_difference() is
    the one to call."""
    return metric in LEGACY_DIFF or metric.endswith(LEGACY_DIFF_SUFFIXES)


def legacy_label(metric):
    """The short label a directory without declared labels implies: the
    churn latencies ('online p50') and their parts ('alloc'), else
    None."""
    m = re.fullmatch(r"(online|offline)_latency_ns_(p50|p99)", metric)
    if m:
        return "%s %s" % m.groups()
    m = re.fullmatch(r"(?:online|offline)_([a-z]+)_ns_p(?:50|99)", metric)
    return m.group(1) if m else None


def legacy_report(bench):
    """{metric: report attributes} for a benchmark of a directory whose
    metrics.json has none: from LEGACY_* (labels: none)."""
    out = {}
    for rank, m in enumerate(LEGACY_HEADLINES.get(bench, []), 1):
        for a in (m if isinstance(m, tuple) else (m,)):
            out[a] = {"headline": rank, "pivot": False,
                      "difference": is_difference(a),
                      "label": legacy_label(a)}
    for rank, m in enumerate(LEGACY_PIVOTS.get(bench, []), 1):
        out[m] = {"headline": rank, "pivot": True,
                  "difference": is_difference(m), "label": None}
    return out
