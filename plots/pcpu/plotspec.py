"""pcpu.plotspec - the plots worth drawing for a benchmark (plot_specs)
and each one resolved from the rows (resolve): x, series, the samples
per (series, x), what is held fixed, constant or pooled, and the legend
and subtitle that say so. gplot and figures draw from these only.
"""

import re

from .labels import XLABEL, num_key, prefer_key, vkey
from .rules import OUTCOME
from .stats import Stats


def pick_metric(bench, candidates, where=None):
    """First candidate with an ok value, else first present, else any."""
    present = [m for m in candidates if m in bench.metrics]
    for m in present:
        for pt in bench.points(m, where):
            if Stats(bench.samples[(pt, m)]).n:
                return m
    if present:
        return present[0]
    for m in bench.metrics:
        for pt in bench.points(m, where):
            if Stats(bench.samples[(pt, m)]).n:
                return m
    return bench.metrics[0] if bench.metrics else None




def resolve(bench, spec):
    """Fill a plot spec: hold every parameter that is not x, series or
    pooled at one value (the preferred one, chosen per x value when a
    parameter depends on x, like cpuid on strategy); collect samples per
    (series, x). Returns None when nothing is left."""
    metric = spec["metric"]
    where = dict(spec.get("where", {}))
    free = set([spec["x"]] + spec.get("series", []) + spec.get("pool", []))
    pts = bench.points(metric, where)
    if not pts:
        return None
    xi = bench.params.index(spec["x"])
    si = [bench.params.index(s) for s in spec.get("series", [])]

    def xs_key(pt):
        return (pt[xi],) + tuple(pt[i] for i in si)
    fixed = {}
    for pi, p in enumerate(bench.params):
        if p in free or p in OUTCOME:
            continue
        if len({pt[pi] for pt in pts}) <= 1:
            continue
        # a parameter that follows from the series (access and layout
        # from the strategy) is neither held nor named
        per_s = {}
        for pt in pts:
            per_s.setdefault(tuple(pt[i] for i in si), set()).add(pt[pi])
        if si and all(len(v) == 1 for v in per_s.values()):
            continue
        per_x = {}
        for pt in pts:
            per_x.setdefault(xs_key(pt), set()).add(pt[pi])
        choice = {x: min(vs, key=lambda v, p=p: prefer_key(p, v))
                  for x, vs in per_x.items()}
        pts = [pt for pt in pts if pt[pi] == choice[xs_key(pt)]]
        cv = sorted(set(choice.values()), key=num_key)
        fixed[p] = cv[0] if len(cv) == 1 else "|".join(cv)
    # outcome columns (the backing obtained) follow from the requested
    # parameters: never held fixed, named in the subtitle instead
    outcome, snote, snp = {}, {}, []
    for pi, p in enumerate(bench.params):
        if p not in OUTCOME or p in free:
            continue
        vals, per_s = {}, {}
        for pt in pts:
            if pt[pi] != "":
                vals.setdefault(pt[pi], set()).add(pt[xi])
                per_s.setdefault(tuple(pt[i] for i in si),
                                 set()).add(pt[pi])
        if len(vals) == 1:
            fixed[p] = list(vals)[0]
        elif vals and len(per_s) > 1 and \
                all(len(v) == 1 for v in per_s.values()):
            # one outcome per series (backing by page): in the legend
            for k, v in per_s.items():
                snote.setdefault(k, []).append(list(v)[0])
            snp.append(p)
        elif vals:
            outcome[p] = vals
    # parameters with a single value in the whole plot: named too, so
    # that a reader a year later knows the conditions (online=2 ...)
    const = {}
    for pi, p in enumerate(bench.params):
        if p in free or p in fixed or p in outcome or p in OUTCOME:
            continue
        vs = {pt[pi] for pt in pts}
        if len(vs) == 1 and list(vs)[0] not in ("", "-", "*"):
            const[p] = list(vs)[0]
    xs = sorted({pt[xi] for pt in pts}, key=lambda v: vkey(spec["x"], v))
    series = sorted({tuple(pt[i] for i in si) for pt in pts},
                    key=lambda t: [vkey(bench.params[i], x)
                                   for i, x in zip(si, t)])
    data = {}
    for pt in pts:
        k = (tuple(pt[i] for i in si), pt[xi])
        data.setdefault(k, []).extend(bench.samples[(pt, metric)])
    out = dict(spec)
    out["series_params"] = list(spec.get("series", []))
    out.update(xs=xs, series=series, data=data, fixed=fixed,
               outcome=outcome, const=const, snote_params=snp,
               snote={k: "/".join(v) for k, v in snote.items()},
               unit=bench.units.get(metric, ""))
    return out


def plot_specs(bench):
    """The plots worth drawing for a benchmark, most important first."""
    b, P = bench, bench.params
    specs = []
    # the headline metrics, in their declared order (metrics.json)
    heads = [m for g in b.headlines() for m in g]
    if b.name == "access" and "strategy" in P:
        m = pick_metric(b, b.headlines()[0] if heads else b.metrics)
        ser = [p for p in ("op", "mode") if p in P and len(b.values(p)) > 1]
        specs.append({"name": "access-strategies", "kind": "cat",
                      "x": "strategy", "series": ser, "metric": m,
                      "title": "access: %s by strategy" % m})
        if "pressure" in P and len(b.values("pressure")) > 1:
            ser = ["strategy"] + (["page"] if "page" in P and
                                  len(b.values("page")) > 1 else [])
            specs.append({"name": "access-pressure", "kind": "curve",
                          "x": "pressure", "series": ser, "metric": m,
                          "xmode": "index",
                          "title": "access: %s vs TLB pressure (pages)" % m})
    elif b.name == "tlb" and "pages" in P:
        cands = [m for m in b.metrics if "cycles" in m and "entries" not in m
                 and m not in heads] + \
                [m for m in b.metrics if m.startswith("ns")]
        m = pick_metric(b, cands) if cands else None
        marks = []
        for mm in ("l1_dtlb_entries", "l2_tlb_entries"):
            if mm not in b.metrics:
                continue
            for pt in b.points(mm):
                st = Stats(b.samples[(pt, mm)])
                if st.n and st.median > 0:
                    pg = pt[P.index("page")] if "page" in P else ""
                    marks.append((st.median, pg,
                                  "L1" if mm.startswith("l1") else "L2"))
        merged = {}
        for x, pg, lvl in sorted(set(marks)):
            merged.setdefault((x, lvl), []).append(pg)
        marks = [(x, "%s %s" % ("/".join(sorted(pgs, key=lambda v:
                                                 vkey("page", v))), lvl))
                 for (x, lvl), pgs in sorted(merged.items())]
        if m:
            ser = [p for p in ("page", "pattern") if p in P]
            spec = {"name": "tlb-curve", "kind": "curve", "x": "pages",
                    "series": ser, "metric": m, "xmode": "log",
                    "marks": marks, "exclude": ("pattern",
                                                           "summary"),
                    "title": "tlb: %s vs pages touched" % m}
            specs.append(spec)
    elif b.name == "churn" and "strategy" in P:
        m = pick_metric(b, ["ops_per_sec", "ops_rel_no_churn"])
        if "rate" in P:
            specs.append({"name": "churn-rate", "kind": "curve",
                          "x": "rate", "series": ["strategy"], "metric": m,
                          "xmode": "index",
                          "title": "churn: %s vs hotplug rate (1/s)" % m})
        lms = [m for m in ("online_latency_ns_p50", "online_latency_ns_p99",
                           "offline_latency_ns_p50",
                           "offline_latency_ns_p99") if m in b.metrics]
        if lms:
            specs.append({"name": "churn-latency", "kind": "cat",
                          "x": "strategy", "series": [], "metric": lms[0],
                          "metrics": lms, "label": "hotplug latency",
                          "pool": ["rate"],
                          "title": "churn: CPU online/offline latency "
                                   "(p50, p99 of each run) by strategy"})
    elif b.name == "workload" and "pages" in P and "strategy" in P:
        m = "slowdown_vs_segment_pct"
        if m not in b.metrics:
            m = pick_metric(b, ["slowdown_vs_ptr_pct", "cycles_per_iter"])
        accs = b.values("accesses") if "accesses" in P else [""]
        where = {"page": "4k"} if "page" in P and \
            "4k" in b.values("page") else {}
        for a in accs:
            w = dict(where, **({"accesses": a} if a else {}))
            specs.append({"name": "workload-m%s" % a, "kind": "curve",
                          "x": "pages", "series": ["strategy"],
                          "metric": m, "xmode": "log", "where": w,
                          "xlabel": XLABEL["workload-pages"],
                          "exclude": ("strategy", "segment"),
                          "title": "workload: %s vs working set, "
                                   "M=%s update(s) per iteration"
                                   % (m, a)})
    elif b.name == "numa" and "strategy" in P:
        m = pick_metric(b, heads)
        ser = [p for p in ("placement", "phase") if p in P
               and len(b.values(p)) > 1]
        # measured placement only: a modelled (synthetic) topology's
        # rows are the findings' MODELLED line, not this plot
        w = {"topology": "host"} if "topology" in P and \
            "host" in b.values("topology") else {}
        specs.append({"name": "numa-local", "kind": "cat", "x": "strategy",
                      "series": ser, "metric": m, "where": w,
                      "pool": [p for p in ("cpu",) if p in P],
                      "title": "numa: %s by strategy (all CPUs)" % m})
    elif b.name == "mem" and "strategy" in P:
        m = pick_metric(b, heads[::-1])
        ser = [p for p in ("possible", "online") if p in P
               and len(b.values(p)) > 1]
        # by layout when a layout was run on its own (--layout page):
        # memory follows the layout, not the access method
        x = "layout" if "layout" in P and len(set(b.values("layout"))) > \
            len(set(b.values("strategy"))) - 1 and \
            "page" in b.values("layout") else "strategy"
        specs.append({"name": "mem", "kind": "cat", "x": x,
                      "series": ser, "metric": m,
                      "title": "mem: %s by %s" % (m, x)})
    if not specs and b.metrics and P:
        m = pick_metric(b, b.metrics)
        var = b.varying(m) or P
        x = "strategy" if "strategy" in var else var[0]
        specs.append({"name": b.name, "kind": "cat", "x": x, "series": [],
                      "metric": m, "title": "%s: %s" % (b.name, m)})
    out = []
    for s in specs:
        if s.get("metric") is None:
            continue
        r = resolve_excluding(b, s)
        if not r:
            continue
        nums = [num_key(x) for x in r["xs"]]
        if r["kind"] == "curve" and len(r["xs"]) <= 3:
            # a few points imply no trend: markers with error bars
            r["kind"] = "cat"
        elif r["kind"] == "curve" and r.get("xmode") == "index" and \
                len(nums) > 3 and all(k[0] == 0 and k[1] > 0
                                      for k in nums):
            vs = sorted(k[1] for k in nums)
            if all(b2 / a2 >= 1.9 for a2, b2 in zip(vs, vs[1:])):
                r["xmode"] = "log"      # a geometric sweep
        out.append(r)
    return out


def resolve_metrics(bench, spec):
    """resolve() for each of spec['metrics'], one series per metric
    (named without the common prefix); None when none has points."""
    parts = [(m, resolve(bench, dict(spec, metric=m)))
             for m in spec["metrics"]]
    parts = [(m, r) for m, r in parts if r]
    if not parts:
        return None
    out = dict(parts[0][1])
    xs, series, data = [], [], {}
    for m, r in parts:
        name = (bench.label(m),)
        series.append(name)
        for x in r["xs"]:
            if x not in xs:
                xs.append(x)
        for (_, x), d in r["data"].items():
            data.setdefault((name, x), []).extend(d)
    out.update(xs=sorted(xs, key=lambda v: vkey(spec["x"], v)),
               series=series, data=data, metric=spec["label"],
               series_params=["metric"])
    return out


def resolve_excluding(bench, spec):
    """resolve(), dropping points whose param equals spec['exclude']."""
    r = resolve_metrics(bench, spec) if spec.get("metrics") \
        else resolve(bench, spec)
    if r and spec.get("exclude"):
        p, v = spec["exclude"]
        if p in spec.get("series", []):
            i = spec["series"].index(p)
            r["series"] = [s for s in r["series"] if s[i] != v]
            r["data"] = {k: d for k, d in r["data"].items() if k[0][i] != v}
    if r and not r["series"]:
        return None
    return r


def series_names(spec):
    """Legend names: the series' values joined by '/', the outcome
    obtained in parentheses when it differs by series (hybrid/4k(thp));
    the metric when there is one unnamed series."""
    out = []
    sp = spec.get("series_params", [])
    for s in spec["series"]:
        # a bare number says nothing in a legend: online=2, not 2
        vals = ["%s=%s" % (sp[i], v) if i < len(sp) and
                re.fullmatch(r"[0-9.]+", v) else v
                for i, v in enumerate(s)]
        n = "/".join(vals) if s else spec.get("label") or spec["metric"]
        note = spec.get("snote", {}).get(s)
        out.append("%s(%s)" % (n, note) if note else n)
    return out


def subtitle(spec):
    bits = ["%s=%s" % kv for kv in sorted(spec.get("const", {}).items())]
    bits += ["%s=%s" % kv for kv in sorted(spec.get("fixed", {}).items())]
    xname = spec.get("x", "")
    for p, vals in sorted(spec.get("outcome", {}).items()):
        # the most common value, then the exceptions by x value
        common = max(vals, key=lambda v: (len(vals[v]), v))
        rest = ["%s %s" % ("/".join(sorted(vals[v], key=lambda x:
                                           vkey(xname, x))), v)
                for v in sorted(vals) if v != common]
        bits.append("%s=%s (%s)" % (p, common, ", ".join(rest)))
    if spec.get("snote_params"):
        bits.append("(...) = %s obtained" % "/".join(spec["snote_params"]))
    if spec.get("pool"):
        bits.append("pooled over " + ",".join(spec["pool"]))
    return " ".join(bits)


