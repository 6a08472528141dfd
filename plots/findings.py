"""findings - the claims of the 2006 thread, settled from one results
directory (or said why not).

Each claim is computed from the run's rows, never typed: a figure, the
strategies compared, the condition it holds under, the U-test mark and
the step it comes from; or one line saying why this run cannot settle
it and what would. report.py prints the block first (at most 30 lines,
72 columns); compare.py prints each directory's figure side by side.

Metrics other benchmarks may add (access path and cold modes with
cold_cycles and pages_on_path, layout columns, the churn online/offline
breakdown, numa phase hotadded) are looked for by name and named as
"not measured in this run (needs ...)" when absent.
"""

from pcpu_results import (WIDTH, Stats, fmt, mann_whitney, prefer_key,
                          vkey)

MAX_LINES = 30
SHORT = {"offset-array": "oa", "segment": "seg", "vm-area": "vm",
         "hybrid": "hyb", "hybrid-segment": "hseg", "tls": "tls",
         "ptr": "ptr"}


def short(s):
    return SHORT.get(s, s)


def sig_mark(a, b):
    """'*' when a two-sided U test gives p<0.05, ' ' when not, '?'
    when a side has fewer than 2 values."""
    if len(a) < 2 or len(b) < 2:
        return "?"
    t = mann_whitney(a, b)
    return "*" if t and t[1] < 0.05 else " "


def step_of(run, bench):
    """'step 3' of the first step that ran bench, or the bench name."""
    ns = [s["n"] for s in run.state["steps"] if s["bench"] == bench
          and s["status"] == "ok"]
    return ("step %s %s" % (ns[0] if len(ns) == 1 else ",".join(ns[:3]),
                            bench)) if ns else bench


class Claim:
    def __init__(self, key, title):
        self.key = key
        self.title = title
        self.lines = []           # figure lines (without indent)
        self.step = ""
        self.settled = False

    def add(self, text):
        self.lines.append(text)


def _samples(bench, metric, where, by):
    """{value of param `by`: samples} over points matching where; each
    other varying parameter held at its preferred value."""
    if bench is None or metric not in bench.metrics:
        return {}
    P = bench.params
    pts = [pt for pt in bench.points(metric)
           if all(k not in P or pt[P.index(k)] in
                  (v if isinstance(v, (list, tuple, set)) else (v,))
                  for k, v in where.items())]
    if not pts:
        return {}
    bi = P.index(by)
    # hold the remaining parameters at one value, per `by` value
    for i, p in enumerate(P):
        if i == bi or p in ("backing", "cpu", "rep") or p in where:
            continue
        vals = {pt[i] for pt in pts}
        if len(vals) <= 1:
            continue
        per = {}
        for pt in pts:
            per.setdefault(pt[bi], set()).add(pt[i])
        choice = {k: min(v, key=lambda x, p=p: prefer_key(p, x))
                  for k, v in per.items()}
        pts = [pt for pt in pts if pt[i] == choice[pt[bi]]]
    out = {}
    for pt in pts:
        out.setdefault(pt[bi], []).extend(bench.samples[(pt, metric)])
    return out


def _vals(samples):
    return Stats(samples).vals


def _has(bench, param, value):
    return bench is not None and param in bench.params and \
        value in bench.values(param)


# ----------------------------------------------------------- the claims

def claim_deref(run):
    c = Claim("deref", '"dereferences kill performance" oa vs seg')
    b = run.benches.get("access")
    if b is None or "cycles_per_op" not in b.metrics:
        c.add("not measured in this run (needs the access step)")
        return c
    c.step = step_of(run, "access")
    modes = []
    if _has(b, "mode", "path"):
        modes.append("path")
    for m in ("latency", "throughput"):
        if _has(b, "mode", m):
            modes.append(m)
    cond = {"op": "read", "pressure": "0", "page": "4k",
            "placement": "local"}
    parts = []
    for m in modes:
        w = dict(cond, mode=m)
        d = _samples(b, "cycles_per_op", w, "strategy")
        oa, sg = _vals(d.get("offset-array", [])), \
            _vals(d.get("segment", []))
        if not oa or not sg:
            continue
        so, ss = Stats(d["offset-array"]), Stats(d["segment"])
        pct = (so.median - ss.median) / ss.median * 100 if ss.median \
            else None
        parts.append("%s %s vs %s cyc%s %s" % (
            {"latency": "lat", "throughput": "tput"}.get(m, m),
            fmt(so.median), fmt(ss.median),
            " (%+.0f%%)" % pct if pct is not None else "",
            sig_mark(oa, sg)))
    if not parts:
        c.add("no offset-array and segment rows at op=read, pressure=0,"
              " 4k")
        return c
    c.settled = True
    c.add("; ".join(p.rstrip() for p in parts))
    extra = "" if "path" in modes else \
        "; path: not measured (needs access --mode path)"
    c.add("read, 1 var, no pressure, 4k" + extra)
    return c


def _workload_max(b, strat, page="4k", m="slowdown_vs_segment_pct"):
    """Over every (P, M) at page: (stats, P, M, flagged, mark, noisy, n)
    of the largest median of metric m of strat among the points outside
    noise with a U test p<0.05 (flagged False), else of the largest
    median of all (flagged True); noisy of n points are within noise or
    not significant."""
    if b is None or m not in b.metrics:
        return None
    P = b.params
    cyc = "cycles_per_iter"
    # the U test is on the cycles of the same point: strategy against
    # segment (slowdown), or the same strategy at 4k (tlb share)
    other_strat, other_page = ("segment", page) if m.startswith(
        "slowdown") else (strat, "4k")
    rows = []
    for pt in b.points(m, {"strategy": strat, "page": page}):
        st = Stats(b.samples[(pt, m)])
        if not st.n:
            continue
        noise = any("within-noise" in f for f in st.flags)
        mine = _vals(b.samples.get((pt, cyc), []))
        other = []
        for q in b.points(cyc, {"strategy": other_strat,
                                "page": other_page}):
            if all(q[i] == pt[i] for i in range(len(P))
                   if P[i] not in ("strategy", "access", "layout",
                                   "backing", "page")):
                other += _vals(b.samples[(q, cyc)])
        mark = sig_mark(mine, other)
        rows.append((st, pt, noise or mark != "*", mark))
    if not rows:
        return None
    # only a positive slowdown (share) answers the claim
    sig = [r for r in rows if not r[2] and r[0].median > 0]
    st, pt, flagged, mark = max(sig or rows, key=lambda r: r[0].median)
    flagged = flagged or not sig
    get = (lambda k: pt[P.index(k)] if k in P else "?")
    return (st, get("pages"), get("accesses"), flagged, mark,
            sum(1 for r in rows if r[2]), len(rows))


def claim_tlb(run):
    c = Claim("tlb", '"an additional TLB entry ... 3%" vs seg')
    b = run.benches.get("workload")
    if b is None or "slowdown_vs_segment_pct" not in b.metrics:
        c.add("not measured in this run (needs pcpubench workload)")
    else:
        c.step = step_of(run, "workload")
        parts = []
        for s in ("vm-area", "hybrid", "hybrid-segment"):
            r = _workload_max(b, s)
            if r is None:
                continue
            st, p, m, flagged, mark, noisy, n = r
            if flagged:
                fig = "no slowdown outside noise at any of %d points" \
                    "%s" % (n, " (%d faster)" % (n - noisy) if n > noisy
                            else "")
            else:
                fig = "max %+.1f%% * (IQR %s) at P=%s M=%s; %d/%d " \
                    "points within noise" % (st.median, fmt(st.iqr), p,
                                              m, noisy, n)
            parts.append("%s %s" % (short(s), fig))
        r = _workload_max(b, "vm-area", "2m", "tlb_share_pct")
        if r is not None:
            st, p, m, flagged, mark, noisy, n = r
            parts.append("vm tlb share (4k-2m)/4k: %s" % (
                "no positive share outside noise at any of %d points" % n
                if flagged else
                "max %+.1f%% * (IQR %s) at P=%s M=%s" % (
                    st.median, fmt(st.iqr), p, m)))
        if parts:
            c.settled = True
            for ln in parts:
                c.add(ln)
            vars_ = b.values("vars") if "vars" in b.params else ["?"]
            c.add("4k area, %s vars; largest significant median of %d P"
                  " x %d M" % (
                      "/".join(vars_),
                      len(b.values("pages")) if "pages" in b.params
                      else 0,
                      len(b.values("accesses")) if "accesses" in b.params
                      else 0))
        else:
            c.add("no vm-area or hybrid rows at page=4k")
    a = run.benches.get("access")
    if a is not None and "cold_cycles" in a.metrics:
        d = _samples(a, "cold_cycles", {"mode": "cold"}, "strategy")
        pg = _samples(a, "pages_on_path", {"mode": "cold"}, "strategy")
        bits = []
        for s in ("segment", "vm-area", "hybrid"):
            if d.get(s):
                pp = Stats(pg.get(s, [])).median
                bits.append("%s %s cyc/%s pg" % (
                    short(s), fmt(Stats(d[s]).median), fmt(pp)))
        if bits:
            c.add("cold: " + ", ".join(bits))
    else:
        c.add("cold cost, pages on path: not measured (needs access"
              " --mode cold)")
    return c


def _layout_of(b):
    return "layout" if b is not None and "layout" in b.params else \
        "strategy"


def claim_mem(run):
    c = Claim("mem", '"allocate memory for potential processors"')
    b = run.benches.get("mem")
    if b is None or "committed_bytes" not in b.metrics:
        c.add("not measured in this run (needs the mem step)")
        return c
    c.step = step_of(run, "mem")
    P = b.params
    if "possible" not in P or "online" not in P:
        c.add("mem rows lack possible/online columns")
        return c
    # the point with the largest possible/online ratio
    best = None
    for pt in b.points("committed_bytes"):
        try:
            r = float(pt[P.index("possible")]) / \
                float(pt[P.index("online")])
        except (ValueError, ZeroDivisionError):
            continue
        key = (r, float(pt[P.index("possible")]))
        if best is None or key > best[0]:
            best = (key, pt[P.index("possible")], pt[P.index("online")])
    if best is None:
        c.add("no numeric possible/online point")
        return c
    _, pos, onl = best
    by = _layout_of(b)
    d = _samples(b, "committed_bytes", {"possible": pos, "online": onl},
                 by)
    order = sorted(d, key=lambda v: vkey(by, v))
    bits = ["%s %s" % (short(k), fmt(Stats(d[k]).median)) for k in order
            if Stats(d[k]).n]
    if not bits:
        c.add("committed_bytes NA at possible=%s online=%s" % (pos, onl))
        return c
    c.settled = True
    c.add("committed B: " + ", ".join(bits))
    c.add("possible=%s online=%s, per %s; n=1, no U test"
          % (pos, onl, by))
    return c


def _nodes(run):
    try:
        return int(run.m("host", "numa_nodes", default=0))
    except (TypeError, ValueError):
        return 0


def claim_remote(run):
    c = Claim("remote", '"allocated somewhere not on the nodes"')
    b = run.benches.get("numa")
    nodes = _nodes(run)
    if b is None or "pages_remote" not in b.metrics:
        c.add("not measured in this run (needs the numa step)")
        return c
    c.step = step_of(run, "numa")
    phases = b.values("phase") if "phase" in b.params else []
    late = [p for p in ("hotadded", "late", "onlined") if p in phases]
    if nodes == 1:
        c.add("cannot be settled here: 1 NUMA node (needs 2+ nodes:"
              " a NUMA host or the guest tests)")
        return c
    if not late:
        c.add("no late CPUs in this run (needs numa --late N)")
        return c
    by = _layout_of(b)
    bits = []
    for ph in late:
        d = _samples(b, "pages_remote", {"phase": ph, "cpu": [
            v for v in b.values("cpu") if v != "all"]}, by)
        for k in sorted(d, key=lambda v: vkey(by, v)):
            st = Stats(d[k])
            if st.n:
                bits.append("%s %s" % (short(k), fmt(sum(st.vals) /
                                                     float(st.n))))
        if bits:
            c.settled = True
            c.add("remote pages/late CPU (%s): %s" % (
                ph, ", ".join(bits)))
            bits = []
    pl = b.values("placement") if "placement" in b.params else []
    c.add("%d nodes, placement %s%s" % (
        nodes, "/".join(pl) or "?", "" if "hotadded" in phases else
        "; hotadded: not measured (needs QMP hot-add)"))
    return c


def claim_strain(run):
    c = Claim("strain", '"only puts strain on the TLB of the newly'
              ' online CPU"')
    for name in ("workload", "access"):
        b = run.benches.get(name)
        if b is None or "phase" not in b.params:
            continue
        m = "cycles_per_iter" if name == "workload" else "cycles_per_op"
        boot = _samples(b, m, {"strategy": "hybrid", "phase": "boot"},
                        "strategy").get("hybrid", [])
        late = _samples(b, m, {"strategy": "hybrid", "phase": "late"},
                        "strategy").get("hybrid", [])
        if boot and late and Stats(boot).n and Stats(late).n:
            c.step = step_of(run, name)
            sb, sl = Stats(boot), Stats(late)
            c.settled = True
            c.add("hybrid boot CPU %s vs late CPU %s cyc (%+.1f%%)%s" % (
                fmt(sb.median), fmt(sl.median),
                (sl.median - sb.median) / sb.median * 100,
                sig_mark(sb.vals, sl.vals).strip()))
            c.add("%s, %s" % (name, m))
            return c
    c.add("not measured in this run (needs hybrid workload or access"
          " rows on a boot and a late CPU: phase boot, late)")
    return c


def claim_hotplug(run):
    c = Claim("hotplug", "hotplug cost: online/offline latency p50")
    b = run.benches.get("churn")
    if b is None or "online_latency_ns_p50" not in b.metrics:
        c.add("not measured in this run (needs the churn step)")
        return c
    c.step = step_of(run, "churn")
    by = _layout_of(b)
    rates = [r for r in b.values("rate")] if "rate" in b.params else []
    busy = [r for r in rates if r not in ("0", "")]
    for m, lab in (("online_latency_ns_p50", "on"),
                   ("offline_latency_ns_p50", "off")):
        d = _samples(b, m, {"rate": busy} if busy else {}, by)
        base = _vals(d.get("offset-array", []))
        bits = []
        for k in sorted(d, key=lambda v: vkey(by, v)):
            st = Stats(d[k])
            if not st.n:
                continue
            mk = "" if k == "offset-array" or not base else \
                sig_mark(base, st.vals).strip()
            bits.append("%s %s%s" % (short(k), fmt(st.median / 1000.0),
                                     mk))
        if bits:
            c.settled = True
            c.add("%s us: %s" % (lab, ", ".join(bits)))
    backend = "/".join(b.values("backend")) if "backend" in b.params \
        else "?"
    parts = [m for m in b.metrics if m.startswith(("online_", "offline_"))
             and not m.startswith(("online_latency", "offline_latency"))
             and m.endswith("_ns_p50")]
    if parts:
        worst = []
        for m in parts:
            st = Stats([s for pt in b.points(m)
                        for s in b.samples[(pt, m)]])
            if st.n:
                worst.append((st.median, m))
        if worst:
            med, m = max(worst)
            c.add("largest part: %s %s us" % (
                m.replace("_ns_p50", ""), fmt(med / 1000.0)))
    c.add("backend %s, rate %s/s, * vs oa%s" % (
        backend, ",".join(busy) or "0", "" if parts else
        "; breakdown: not measured (needs churn online_<part>_ns_p50)"))
    return c


CLAIMS = (claim_deref, claim_tlb, claim_mem, claim_remote, claim_strain,
          claim_hotplug)


def invariants(run):
    """(ok?, line) over every must-be-zero metric of every benchmark."""
    bad, seen, missing = [], [], []
    for name in run.bench_names():
        b = run.benches[name]
        for m in run.must_be_zero(name):
            if m not in b.metrics:
                missing.append(m)
                continue
            vals = [s["value"] for k, v in b.samples.items()
                    if k[1] == m for s in v if s["value"] is not None]
            seen.append("%s %d" % (m, len(vals)))
            nz = [v for v in vals if v]
            if nz:
                bad.append("%s %s in %d run(s)" % (m, fmt(max(nz)),
                                                   len(nz)))
    if bad:
        return False, "INVARIANT FAILED: " + "; ".join(bad)
    if not seen and not missing:
        return True, None
    line = "invariants%s: %s" % ("" if missing else " held", ", ".join(
        "%s=0 (%s runs)" % tuple(x.rsplit(" ", 1)) for x in seen))
    if missing:
        line += "; NOT EMITTED: " + ", ".join(missing)
    return not missing, line


def compute(run):
    return [f(run) for f in CLAIMS]


def _fit(text, indent):
    """text in lines of WIDTH columns, continuation indented more."""
    import textwrap
    return textwrap.wrap(text, width=WIDTH, initial_indent=indent,
                         subsequent_indent=indent + "  ",
                         break_on_hyphens=False) or [indent]


def block(run):
    """The findings block: at most MAX_LINES lines of WIDTH columns."""
    claims = compute(run)
    out = ["== findings (from this run's rows; * U test p<0.05) =="]
    ok, inv = invariants(run)
    if inv:
        out += _fit(inv, "")
    for i, c in enumerate(claims):
        head = "%d %s" % (i + 1, c.title)
        if c.step:
            tag = " [%s]" % c.step
            if len(head) + len(tag) <= WIDTH:
                head += tag
            else:
                c.lines.append("from " + c.step)
        out += _fit(head, "")
        for ln in c.lines:
            out += _fit(ln, "  ")
    text = " " + " ".join(ln for c in claims for ln in c.lines + [c.title])
    used = [(k, v) for v, k in SHORT.items() if k != v and
            (" %s " % k in text or " %s/" % k in text or "/%s " % k in text)]
    if used:
        out += _fit("; ".join("%s %s" % kv for kv in used), "")
    if len(out) > MAX_LINES:
        # keep every claim's first two lines: drop conditions first
        trimmed = [out[0]] + ([ln for ln in out[1:2]] if inv else [])
        for i, c in enumerate(claims):
            head = "%d %s" % (i + 1, c.title)
            trimmed += _fit(head, "")[:1]
            trimmed += [ln for l in c.lines[:2] for ln in _fit(l, "  ")][:2]
        out = trimmed[:MAX_LINES]
    return out


def side_by_side(runs, letters):
    """compare: per claim, one line per directory (A: ..., B: ...)."""
    per = [compute(r) for r in runs]
    out = ["== findings side by side (* U test p<0.05 within a run) =="]
    for i in range(len(CLAIMS)):
        out += _fit("%d %s" % (i + 1, per[0][i].title), "")
        for j, cl in enumerate(per):
            fig = "; ".join(cl[i].lines[:2]) if cl[i].settled else \
                (cl[i].lines[0] if cl[i].lines else "-")
            out += _fit("%s: %s" % (letters(j), fig), "  ")
    out += _fit("; ".join("%s %s" % (k, v) for v, k in SHORT.items()
                          if k != v), "")
    return out
