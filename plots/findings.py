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


def f3(v):
    """v in 3 significant digits, k from 10^4, M, G ('NA' for None)."""
    if v is None:
        return "NA"
    a = abs(v)
    for lim, div, suf in ((1e9, 1e9, "G"), (1e6, 1e6, "M"),
                          (1e4, 1e3, "k")):
        if a >= lim:
            return "%.3g%s" % (v / div, suf)
    if a >= 100:
        return "%.0f" % v
    return "%.3g" % v


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


def step_cmds(run):
    """{step number (str): the profile line's words} from the results
    directory's copy of its profile (no comments or @ lines), or {}."""
    import os
    import shlex
    out, n = {}, 0
    try:
        with open(os.path.join(run.path, "profile"),
                  encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return {}
    for line in lines:
        try:
            w = shlex.split(line, comments=True)
        except ValueError:
            return {}
        if not w or w[0].startswith("@"):
            continue
        n += 1
        out[str(n)] = w
    return out


def step_with(run, bench, words, without=()):
    """'step 9,10 numa' of the ok steps of bench whose profile line holds
    every one of words (an option, or an option=value pair) and none of
    without; falls back
    to step_of(run, bench) when the profile cannot be read."""
    cmds = step_cmds(run)
    if not cmds:
        return step_of(run, bench)
    ns = []
    for st in run.state["steps"]:
        w = cmds.get(st["n"], [])
        if st["bench"] != bench or st["status"] != "ok" or not w:
            continue
        if all(_has_word(w, x) for x in words) and \
                not any(_has_word(w, x) for x in without):
            ns.append(st["n"])
    return "step %s %s" % (",".join(ns[:3]), bench) if ns else bench


def _has_word(w, x):
    if "=" not in x:
        return any(t == x or t.startswith(x + "=") for t in w)
    k, v = x.split("=", 1)
    return any(w[i] == k and i + 1 < len(w) and v in w[i + 1]
               for i in range(len(w)))


def option_values(run, bench, opt, words=()):
    """The values of opt on the profile lines of bench holding words."""
    vals = []
    for n, w in sorted(step_cmds(run).items(), key=lambda x: int(x[0])):
        if not w or w[0] != bench or not all(_has_word(w, x)
                                            for x in words):
            continue
        for i, t in enumerate(w):
            if t == opt and i + 1 < len(w) and w[i + 1] not in vals:
                vals.append(w[i + 1])
    return vals


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

def _pct(a, b):
    return (a - b) / b * 100 if b else None


def claim_deref(run):
    c = Claim("deref", '"dereferences kill performance" oa vs seg')
    b = run.benches.get("access")
    if b is None or "cycles_per_op" not in b.metrics:
        c.add("not measured in this run (needs the access step)")
        return c
    c.step = step_with(run, "access", [], ["--late"])
    cond = {"op": "read", "pressure": "0", "page": "4k",
            "placement": "local", "vars": "1", "phase": "boot"}
    got = {}
    for m in ("path", "latency", "throughput"):
        if not _has(b, "mode", m):
            continue
        d = _samples(b, "cycles_per_op", dict(cond, mode=m), "strategy")
        oa, sg = _vals(d.get("offset-array", [])), \
            _vals(d.get("segment", []))
        if oa and sg:
            got[m] = (Stats(d["offset-array"]), Stats(d["segment"]),
                      sig_mark(oa, sg).strip())
    if not got:
        c.add("no offset-array and segment rows at op=read, pressure=0,"
              " 4k")
        return c
    c.settled = True
    if "path" in got:
        so, ss, mk = got["path"]
        pct = _pct(so.median, ss.median)
        c.add("path (chains the lookup, answers it): oa %s vs seg %s"
              " cyc%s%s" % (f3(so.median), f3(ss.median),
                            ", %+.0f%%" % pct if pct is not None
                            else "", mk))
    else:
        c.add("path, which answers it: not measured (needs access --mode"
              " path)")
    bits = []
    for m, lab in (("latency", "lat"), ("throughput", "tput")):
        if m in got:
            so, ss, mk = got[m]
            pct = _pct(so.median, ss.median)
            if pct is not None:
                bits.append("%s %+.0f%%%s%s" % (
                    lab, pct, mk, " (oa faster)" if pct < 0 and mk
                    else ""))
    c.add("%sread, 1 var, 4k" % (
        "not chained: %s; " % ", ".join(bits) if bits else ""))
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
                fig = "no slowdown outside noise at %d points" \
                    "%s" % (n, " (%d faster)" % (n - noisy) if n > noisy
                            else "")
            else:
                fig = "max %+.1f%%* (IQR %s) at P=%s M=%s; %d/%d " \
                    "in noise" % (st.median, f3(st.iqr), p, m, noisy, n)
            parts.append("%s %s" % (short(s), fig))
        r = _workload_max(b, "vm-area", "2m", "tlb_share_pct")
        share = ""
        if r is not None:
            st, p, m, flagged, mark, noisy, n = r
            share = "; vm tlb share (4k-2m): %s" % (
                "none outside noise" if flagged else
                "max %+.1f%%* at P=%s M=%s" % (st.median, p, m))
        if parts:
            c.settled = True
            for ln in parts:
                c.add(ln)
            vars_ = b.values("vars") if "vars" in b.params else ["?"]
            c.add("4k, %s vars, %d P x %d M%s" % (
                "/".join(vars_),
                len(b.values("pages")) if "pages" in b.params else 0,
                len(b.values("accesses")) if "accesses" in b.params
                else 0, share))
        else:
            c.add("no vm-area or hybrid rows at page=4k")
    a = run.benches.get("access")
    if a is not None and "cold_cycles" in a.metrics and \
            _has(a, "mode", "cold"):
        ks = [k for k in a.values("cold_pages") if k not in ("-", "")]
        k = max(ks, key=lambda v: float(v)) if ks else None
        w = {"mode": "cold", "cold_pages": k, "page": "4k",
             "phase": "boot"}
        d = _samples(a, "cold_cycles", w, "strategy")
        pg = _samples(a, "pages_on_path", w, "strategy")
        base = _vals(d.get("segment", []))
        bits = []
        for s in ("segment", "offset-array", "vm-area", "hybrid"):
            if d.get(s) and Stats(d[s]).n:
                mk = "" if s == "segment" else \
                    sig_mark(base, _vals(d[s])).strip()
                bits.append("%s %s/%s%s" % (
                    short(s), f3(Stats(d[s]).median),
                    f3(Stats(pg.get(s, [])).median), mk))
        if bits:
            c.add("cold cyc/pages on path, K=%s, 4k, boot, * vs seg "
                  "[%s]: %s" % (k, step_with(run, "access",
                                             ["--mode=cold"]),
                                ", ".join(bits)))
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
    pts = b.points("committed_bytes")

    def num(pt, k):
        try:
            return float(pt[P.index(k)])
        except ValueError:
            return None
    poss = [pt[P.index("possible")] for pt in pts
            if num(pt, "possible") is not None]
    if not poss:
        c.add("no numeric possible/online point")
        return c
    pos = max(poss, key=float)
    onls = sorted({pt[P.index("online")] for pt in pts
                   if pt[P.index("possible")] == pos and
                   num(pt, "online") is not None}, key=float)
    by = _layout_of(b)
    for onl in onls:
        d = _samples(b, "committed_bytes", {"possible": pos,
                                            "online": onl}, by)
        med = {k: Stats(v).median for k, v in d.items()
               if Stats(v).n}
        order = sorted(med, key=lambda v: vkey(by, v))
        if not order:
            continue
        c.settled = True
        ratio = ""
        lo = min(med.values())
        if med.get("embed") and lo:
            low = min((k for k in order if med[k] == lo),
                      key=lambda v: (v != "vm", vkey(by, v)))
            ratio = " (embed/%s x%s)" % (short(low),
                                         f3(med["embed"] / lo))
        groups = []     # layouts with the same figure, once
        for k in order:
            for g in groups:
                if f3(med[g[0]]) == f3(med[k]):
                    g.append(k)
                    break
            else:
                groups.append([k])
        c.add("online=%s: %s%s" % (onl, "; ".join(
            "%s %s" % (",".join(short(k) for k in g), f3(med[g[0]]))
            for g in groups), ratio))
    if not c.settled:
        c.add("committed_bytes NA at possible=%s" % pos)
        return c
    c.add("committed bytes, possible=%s, per %s; n=1, no U test"
          % (pos, by))
    return c


def _nodes(run):
    try:
        return int(run.m("host", "numa_nodes", default=0))
    except (TypeError, ValueError):
        return 0


def _modelled_remote(run, b):
    """The modelled line of claim 4: per layout, hot-added CPUs whose
    unit the layout placed off the CPU's node, from the numa rows over a
    synthetic topology (unit_node_remote, phase hotadded)."""
    if b is None or "unit_node_remote" not in b.metrics or \
            "topology" not in b.params or \
            not _has(b, "topology", "synthetic"):
        return None
    P = b.params
    by = _layout_of(b)
    per, first = {}, {}
    for pt in b.points("unit_node_remote", {"topology": "synthetic",
                                            "phase": "hotadded"}):
        if pt[P.index("cpu")] == "all":
            continue
        # the layout decides: count one strategy per layout
        lay, st = pt[P.index(by)], pt[P.index("strategy")]
        if first.setdefault(lay, st) != st:
            continue
        for smp in b.samples[(pt, "unit_node_remote")]:
            if smp["value"] is not None:
                per.setdefault(lay, []).append(smp["value"])
    if not per:
        return None
    nodes = set()
    if "real_node" in b.metrics:
        for pt in b.points("real_node", {"topology": "synthetic"}):
            nodes |= {x["value"] for x in b.samples[(pt, "real_node")]
                      if x["value"] is not None}
    ln = option_values(run, "numa", "--late-node", ["--topology"]) or \
        ["roundrobin"]
    lo = ["embed", "page", "vm", "hybrid", "thread"]
    bits = ["%s %d/%d" % (short(k), sum(1 for v in per[k] if v),
                          len(per[k]))
            for k in sorted(per, key=lambda v: (
                lo.index(v) if v in lo else len(lo), vkey(by, v)))]
    return ("MODELLED (synthetic %s nodes, late-node %s): remote units"
            " of hot-added CPUs: %s" % (
                len(nodes) or "?", "/".join(ln), ", ".join(bits)),
            "[%s]; on a real kernel: the guest tests" % step_with(
                run, "numa", ["--topology"]))


def claim_remote(run):
    c = Claim("remote", '"allocated somewhere not on the nodes"')
    b = run.benches.get("numa")
    nodes = _nodes(run)
    if b is None or "pages_remote" not in b.metrics:
        c.add("not measured in this run (needs the numa step)")
        return c
    model = _modelled_remote(run, b)
    host = {"topology": "host"} if "topology" in b.params else {}
    phases = sorted({pt[b.params.index("phase")] for pt in
                     b.points("pages_remote", host)}) \
        if "phase" in b.params else []
    late = [p for p in ("hotadded", "late", "onlined") if p in phases]
    if nodes == 1:
        c.add("measured: not here, 1 NUMA node (needs a NUMA host or the"
              " guest tests)")
    elif not late:
        c.add("measured: no late CPUs in this run (needs numa --late N)")
    else:
        c.step = step_of(run, "numa")
        by = _layout_of(b)
        bits = []
        for ph in late:
            d = _samples(b, "pages_remote", dict(host, phase=ph, cpu=[
                v for v in b.values("cpu") if v != "all"]), by)
            for k in sorted(d, key=lambda v: vkey(by, v)):
                st = Stats(d[k])
                if st.n:
                    bits.append("%s %s" % (short(k), fmt(sum(st.vals) /
                                                         float(st.n))))
            if bits:
                c.settled = True
                c.add("measured remote pages/late CPU (%s): %s" % (
                    ph, ", ".join(bits)))
                bits = []
        pl = b.values("placement") if "placement" in b.params else []
        c.add("%d nodes, placement %s%s" % (
            nodes, "/".join(pl) or "?", "" if "hotadded" in phases else
            "; hotadded: not measured (needs QMP hot-add)"))
    if model:
        c.add(model[0])
        c.add(model[1])
    return c


def _min_p(n1, n2):
    """The smallest two-sided exact U-test p of samples of n1 and n2."""
    from math import comb
    return 2.0 / comb(n1 + n2, n1) if n1 and n2 else 1.0


def _phase_cmp(b, metric, where, strat):
    """(boot Stats, late Stats, pct, mark) of strat at where, or None."""
    bo = _samples(b, metric, dict(where, phase="boot"), "strategy")
    la = _samples(b, metric, dict(where, phase="late"), "strategy")
    sb, sl = Stats(bo.get(strat, [])), Stats(la.get(strat, []))
    if not sb.n or not sl.n:
        return None
    return sb, sl, _pct(sl.median, sb.median), \
        sig_mark(sb.vals, sl.vals).strip()


def claim_strain(run):
    c = Claim("strain", '"only puts strain on the TLB of the newly'
              ' online CPU"')
    a = run.benches.get("access")
    if a is None or "phase" not in a.params or \
            not _has(a, "phase", "late"):
        c.add("not measured in this run (needs access --late: hybrid on"
              " a boot and on a late CPU)")
        return c
    c.step = step_with(run, "access", ["--late"])
    ks = [k for k in a.values("cold_pages") if k not in ("-", "")] \
        if "cold_pages" in a.params else []
    k = max(ks, key=float) if ks else None
    cold = {"mode": "cold", "cold_pages": k, "page": "4k"}
    path = {"mode": "path", "op": "read", "page": "4k",
            "pressure": "0"}
    m_cold = "cold_cycles"
    lines = []
    for s in ("hybrid",):
        bits = []
        if k is not None:
            r = _phase_cmp(a, m_cold, cold, s)
            if r:
                bits.append("cold %s vs %s (%+.0f%%)%s" % (
                    f3(r[0].median), f3(r[1].median), r[2], r[3]))
        r = _phase_cmp(a, "cycles_per_op", path, s)
        if r:
            bits.append("path %s vs %s (%+.0f%%)%s" % (
                f3(r[0].median), f3(r[1].median), r[2], r[3]))
        if bits:
            lines.append("%s boot vs late CPU: %s" % (short(s),
                                                      "; ".join(bits)))
    if not lines:
        c.add("no hybrid rows in both phases")
        return c
    c.settled = True
    for ln in lines:
        c.add(ln)
    ref = []
    for s in ("vm-area", "segment", "offset-array"):
        r = _phase_cmp(a, m_cold, cold, s) if k is not None else None
        if r:
            ref.append("%s %+.0f%%%s" % (short(s), r[2], r[3]))
    c.add("cold late vs boot, unit placed alike: %s" % ", ".join(ref)
          if ref else "no reference strategies in both phases")
    c.add("cyc; cold: K=%s; path: read, 2 vars; 4k; late measured after"
          " boot" % k)
    return c


def claim_hotplug(run):
    c = Claim("hotplug", "hotplug cost: online/offline latency, us p50")
    b = run.benches.get("churn")
    if b is None or "online_latency_ns_p50" not in b.metrics:
        c.add("not measured in this run (needs the churn step)")
        return c
    c.step = step_of(run, "churn")
    by = _layout_of(b)
    rates = [r for r in b.values("rate")] if "rate" in b.params else []
    busy = [r for r in rates if r not in ("0", "")]
    where = {"rate": busy} if busy else {}
    basek = "embed" if by == "layout" else "offset-array"
    dom, ns = [], []
    for dirn, lab in (("online", "online"), ("offline", "offline")):
        m = "%s_latency_ns_p50" % dirn
        d = _samples(b, m, where, by)
        base = _vals(d.get(basek, []))
        meds, bits = {}, []
        for k in sorted(d, key=lambda v: vkey(by, v)):
            st = Stats(d[k])
            if not st.n:
                continue
            meds[k] = st.median
            ns.append(st.n)
            mk = "" if k == basek or not base else \
                sig_mark(base, st.vals).strip()
            bits.append("%s %s%s" % (short(k), f3(st.median / 1000.0),
                                     mk))
        if not bits:
            continue
        c.settled = True
        # which part dominates, at the layout that pays most
        worst = max(meds, key=lambda k: meds[k])
        parts = []
        for pm in b.metrics:
            if pm.startswith(dirn + "_") and pm.endswith("_ns_p50") and \
                    "_worker_" not in pm and \
                    not pm.startswith(dirn + "_latency"):
                st = Stats(_samples(b, pm, where, by).get(worst, []))
                if st.n:
                    parts.append((st.median, pm[len(dirn) + 1:-7]))
        if parts:
            pmed, pname = max(parts)
            dom.append("%s %s %s of %s's %s" % (
                lab, pname, f3(pmed / 1000.0), short(worst),
                f3(meds[worst] / 1000.0)))
        if dirn == "online" and basek in meds:
            st = Stats(_samples(b, "online_alloc_ns_p50", where,
                                by).get(basek, []))
            if st.n and st.median == 0:
                bits[0] += " (no alloc)"
        c.add("%s: %s" % (lab, ", ".join(bits)))
    if dom:
        c.add("; ".join(dom))
    nopart = not any(m.startswith("online_alloc") for m in b.metrics)
    backend = "/".join(b.values("backend")) if "backend" in b.params \
        else "?"
    few = ""
    if ns and _min_p(min(ns), min(ns)) >= 0.05:
        few = " (n=%d: no U test reaches p<0.05)" % min(ns)
    c.add("%s%s, %s/s; * vs %s%s" % (
        "largest parts; " if dom else "", backend,
        ",".join(busy) or "0", short(basek), few))
    if nopart:
        c.add("breakdown: not measured (needs churn online_<part>_ns_p50)")
    return c


CLAIMS = (claim_deref, claim_tlb, claim_mem, claim_remote, claim_strain,
          claim_hotplug)


def invariants(run):
    """(ok?, line) over every must-be-zero metric of every benchmark."""
    bad, seen, missing, unmeasured = [], [], [], []
    for name in run.bench_names():
        b = run.benches[name]
        for m in run.must_be_zero(name):
            if m not in b.metrics:
                missing.append(m)
                continue
            vals = [s["value"] for k, v in b.samples.items()
                    if k[1] == m for s in v if s["value"] is not None]
            if not vals:		# every value NA: never "held"
                unmeasured.append(m)
                continue
            seen.append("%s %d" % (m, len(vals)))
            nz = [v for v in vals if v]
            if nz:
                bad.append("%s %s in %d run(s)" % (m, fmt(max(nz)),
                                                   len(nz)))
    if bad:
        return False, "INVARIANT FAILED: " + "; ".join(bad)
    if not seen and not missing and not unmeasured:
        return True, None
    line = "invariants%s: %s" % ("" if missing or unmeasured else " held",
                                 ", ".join("%s=0 (%s runs)" %
                                           tuple(x.rsplit(" ", 1))
                                           for x in seen))
    if missing:
        line += "; NOT EMITTED: " + ", ".join(missing)
    if unmeasured:
        line += "; NOT MEASURED (every value NA): " + ", ".join(unmeasured)
    return not missing and not unmeasured, line


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
