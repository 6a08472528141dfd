"""pcpu.labels - the names and orders of the values a results directory
holds, declared once: the canonical order of each parameter's values
(strategy, layout ...), the short keys of long values (strategy
abbreviations among them), the value a plot prefers when it must hold a
parameter fixed, axis labels, and the sort keys built on them.
"""

import re

ORDER = ["access", "tlb", "workload", "churn", "numa", "mem"]
# Canonical order of values (the design's order, baseline first).
CANON = {"strategy": ["offset-array", "segment", "vm-area", "hybrid",
                      "hybrid-segment", "tls", "ptr"],
         "op": ["read", "write", "inc"],
         "mode": ["path", "latency", "throughput", "cold"],
         "page": ["4k", "2m", "thp", "hugetlb"],
         "pattern": ["chase", "control", "summary"],
         "layout": ["embed", "page", "vm", "hybrid", "thread", "none"]}
# Axis label (with its unit) of a parameter plotted along x.
XLABEL = {"pressure": "competing working set (4 KiB pages touched "
                      "between accesses)",
          "pages": "pages touched (4 KiB pages, log2 scale)",
          "workload-pages": "working set P (4 KiB pages, one line each; "
                            "log2 scale)",
          "rate": "hotplug rate (events/s)",
          "possible": "possible CPUs", "online": "online CPUs",
          "vars": "per-CPU variables cycled through"}


def xlabel(param):
    return XLABEL.get(param, param)


# Preferred value of a parameter when a plot has to hold it fixed.
PREFER = {"op": ["read"], "cpuid": ["rseq"], "mode": ["latency"], "page": ["4k"],
          "placement": ["local"], "backend": ["sim"],
          "pattern": ["chase", "random"], "phase": ["boot", "start"],
          "topology": ["host"]}

# Short keys for long parameter values, used (with a legend) where a
# label or a findings line would not fit; the strategies' are the
# abbreviations of the findings and the workload table.
SHORTV = {"offset-array": "oa", "segment": "seg", "vm-area": "vm",
          "hybrid": "hyb", "hybrid-segment": "hseg", "latency": "lat",
          "throughput": "tput", "interleave": "intl", "implicit": "impl",
          "round-robin": "rr", "tls-block": "tlsb"}

# The strategy abbreviations alone (findings legend, workload columns).
STRATEGY_SHORT = {s: SHORTV[s] for s in CANON["strategy"] if s in SHORTV}


def short(strategy):
    """A strategy's abbreviation (STRATEGY_SHORT), or the value itself."""
    return STRATEGY_SHORT.get(strategy, strategy)


def num_key(s):
    """Sort key: numbers numerically (with k/m/g suffixes), then text."""
    m = re.fullmatch(r"\s*([0-9.]+)\s*([kKmMgG]?)[iI]?[bB]?\s*", str(s))
    if m:
        try:
            v = float(m.group(1))
            v *= {"": 1, "k": 1e3, "m": 1e6, "g": 1e9}[m.group(2).lower()]
            return (0, v, str(s))
        except ValueError:
            pass
    return (1, 0, str(s))


def vkey(param, value):
    """Sort key for a parameter's values: canonical order, then num_key."""
    c = CANON.get(param, [])
    return (c.index(value) if value in c else len(c), num_key(value))


def prefer_key(param, value):
    """Sort key: the preferred values of a parameter first, then order."""
    pref = PREFER.get(param, [])
    return (pref.index(value) if value in pref else len(pref),
            num_key(value))
