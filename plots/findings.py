"""findings - the claims of the 2006 thread, settled from one results
directory (or said why not).

Each claim is computed from the run's rows, never typed: a figure (an
effect with its interval and verdict class, effects.py), the
strategies compared, the condition it holds under and the step it
comes from; or one line saying why this run cannot settle it and what
would. report.py prints the block first (at most MAX_LINES lines, 72 columns,
never cut); compare.py prints each directory's figure side by side and
the agreement line of the verdicts.

Metrics other benchmarks may add (access path and cold modes with
cold_cycles and pages_on_path, layout columns, the churn online/offline
breakdown, numa phase hotadded) are looked for by name and named as
"not measured in this run (needs ...)" when absent.
"""

import effects
import kfacts
from pcpu_results import (WIDTH, Stats, dropped, fmt, mann_whitney,
                          prefer_key, vkey)

MAX_LINES = 32   # a first screen: the findings of every claim, uncut
# Claims whose samples include disturbed ones (left out), one line:
# claim:samples.
DISTURBED = "disturbed samples left out (rerun on a quiet machine):" \
    " %s"
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
        # what a second run must agree on: {figure name: verdict class}
        self.verdicts = {}
        self.dropped = 0          # disturbed samples left out
        # indexes of lines printed after the block, as context; of
        # lines (conditions) that join the line before when they fit
        self.more = set()
        self.join = set()


    def effect(self, name, e, unit=""):
        """Record e's verdict class under name; its description (in %
        of the baseline when e has one, else in unit)."""
        self.verdicts[name] = effects.verdict(e)[0]
        return effects.describe(e, unit)

    def add(self, text, more=False, join=False):
        """A figure line; more: context, printed after the block; join:
        a condition, on the line before when it fits there."""
        (self.more if more else self.join if join else set()).add(
            len(self.lines))
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


def _by_rep(samples):
    out = {}
    for s in samples:
        out.setdefault(s["rep"], []).append(s)
    return out


def _good(s):
    return s["value"] is not None and not dropped(s["status"])


def _paired(sa, sb):
    """(a, b): the values of two sample lists paired by repetition (in
    file order within one), pairs where both were measured and neither
    was dropped (disturbed)."""
    A, B = _by_rep(sa), _by_rep(sb)
    a, b = [], []
    for r in A:
        for x, y in zip(A[r], B.get(r, [])):
            if _good(x) and _good(y):
                a.append(x["value"])
                b.append(y["value"])
    return a, b


def _n_dropped(*lists):
    return sum(1 for ss in lists for s in ss if s["value"] is not None
               and dropped(s["status"]))


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
        if d.get("offset-array") and d.get("segment"):
            got[m] = d
            c.dropped += _n_dropped(d["offset-array"], d["segment"])
    if not got:
        c.add("no offset-array and segment rows at op=read, pressure=0,"
              " 4k")
        return c
    c.settled = True
    if "path" in got:
        d = got["path"]
        sg, oa = _paired(d["segment"], d["offset-array"])
        c.add("path (answers it): oa %s vs seg %s cyc: %s" % (
            f3(Stats(d["offset-array"]).median),
            f3(Stats(d["segment"]).median),
            c.effect("path oa-seg", effects.paired_shift(sg, oa))))
        if d.get("tls"):
            # like with like: one %gs: load against one %fs: load
            sg, tl = _paired(d["segment"], d["tls"])
            c.add("%%fs tls %s vs %%gs seg: %s" % (
                f3(Stats(d["tls"]).median),
                c.effect("path tls-seg", effects.paired_shift(sg, tl))))
    else:
        c.add("path, which answers it: not measured (needs access --mode"
              " path)")
    bits = []
    for m, lab in (("latency", "lat"), ("throughput", "tput")):
        if m in got:
            sg, oa = _paired(got[m]["segment"], got[m]["offset-array"])
            e = effects.paired_shift(sg, oa)
            c.effect(lab + " oa-seg", e)
            cls, _ = effects.verdict(e)
            if e is not None and e.base:
                bits.append("%s %+.0f%% %s" % (lab, e.pct(e.est),
                                               effects.ND if cls == "none"
                                               else cls))
    # context when the path answers it; the condition, in the block
    if bits and "path" in got:
        c.add("not chained: %s; read, 1 var, 4k" % ", ".join(bits),
              more=True)
    elif bits:
        c.add("not chained: %s" % ", ".join(bits))
    c.add("read, 1 var, 4k", join=True)
    _load_limit(c, b, dict(cond, mode="throughput"))
    return c


def _load_limit(c, b, where):
    """Context: the one-load forms' read throughput against the pure
    independent-load loop timed in the same process (ptr's row,
    minimal_loop_cycles_per_op), as ratios; those above x1.1, with what
    bounds them."""
    lim = _samples(b, "minimal_loop_cycles_per_op", where,
                   "strategy").get("ptr")
    L = Stats(lim).median if lim else None
    if not L or L <= 0:
        return
    d = _samples(b, "cycles_per_op", where, "strategy")
    rs = [(s, Stats(d[s]).median / L) for s in
          ("ptr", "segment", "tls", "hybrid-segment")
          if d.get(s) and Stats(d[s]).n]
    if not rs:
        return
    c.add("tput read vs load limit %s cyc: %s" % (f3(L), ", ".join(
        "%s x%.2f" % (short(s), r) for s, r in rs)), more=True)
    above = [s for s, r in rs if r > 1.10]
    if not above:
        return
    # a ratio this far off is a bound only when the samples agree
    noise = max([Stats(lim).rcv or 0] + [Stats(d[s]).rcv or 0
                                          for s in above])
    names = ",".join(short(s) for s in above)
    if noise > 5:
        c.add("above x1.1: %s, within their noise (rCV up to %.0f%%): "
              "rerun on a quiet machine" % (names, noise), more=True)
    else:
        c.add("above x1.1: %s: one load per op like the limit, so the "
              "load's form or the loop bounds it, not the load ports"
              % names, more=True)


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


def _reach(run):
    """(L1 dTLB entries, L2 TLB entries) at 4k from the run's tlb step
    (its calibration rows), None where not measured."""
    t = run.benches.get("tlb")
    out = []
    for m in ("l1_dtlb_entries", "l2_tlb_entries"):
        st = Stats(_samples(t, m, {"page": "4k"}, "page").get("4k", [])) \
            if t is not None and "page" in t.params else None
        out.append(st.median if st is not None and st.n else None)
    return out


def _reach_verdict(run):
    """The tlb step's verdict on its 4k calibration ("stable" or
    "unstable: why", metadata calibration_4k), None where the run does
    not say (runs made before it)."""
    sm = getattr(run, "step_meta", None) or {}
    for k in sorted(sm):
        m = sm[k]
        if k.endswith("-tlb") and isinstance(m, dict) and \
                isinstance(m.get("calibration_4k"), str):
            return m["calibration_4k"]
    return None


def _range_shift(b, strat, base, lo, hi, metric="cycles_per_iter",
                 page="4k"):
    """The per-repetition mean over the points with lo <= P <= hi (every
    M) of (strat - base) / base in %, base measured in the same
    repetition; its Hodges-Lehmann shift with interval. (Effect or None,
    points used, samples dropped.) base None: metric is already a
    per-repetition % (tlb_share_pct)."""
    if b is None or metric not in b.metrics or "pages" not in b.params:
        return None, 0, 0
    P = b.params
    keep = [i for i in range(len(P)) if P[i] not in
            ("strategy", "access", "layout", "backing")]
    bases = {tuple(q[i] for i in keep): q for q in
             b.points(metric, {"strategy": base, "page": page})} \
        if base else {}
    per, used, drop = {}, 0, 0
    for pt in b.points(metric, {"strategy": strat, "page": page}):
        try:
            pg = float(pt[P.index("pages")])
        except ValueError:
            continue
        if not lo <= pg <= hi:
            continue
        mine = b.samples[(pt, metric)]
        if base:
            q = bases.get(tuple(pt[i] for i in keep))
            if q is None:
                continue
            A, B = _by_rep(mine), _by_rep(b.samples[(q, metric)])
            for r in A:
                for x, y in zip(A[r], B.get(r, [])):
                    if _good(x) and _good(y) and y["value"]:
                        per.setdefault(r, []).append(
                            (x["value"] - y["value"]) / y["value"] * 100)
                    else:
                        drop += 1
        else:
            for x in mine:
                if _good(x):
                    per.setdefault(x["rep"], []).append(x["value"])
                else:
                    drop += 1
        used += 1
    vals = [sum(v) / len(v) for v in per.values() if v]
    return effects.one_sample_shift(vals), used, drop


def claim_tlb(run):
    c = Claim("tlb", '"an additional TLB entry ... 3%" vs seg')
    b = run.benches.get("workload")
    if b is None or "cycles_per_iter" not in b.metrics or \
            "pages" not in b.params:
        c.add("not measured in this run (needs pcpubench workload)")
    else:
        c.step = step_of(run, "workload")
        l1, l2 = _reach(run)
        ps = sorted({float(v) for v in b.values("pages")})
        # the two pre-declared ranges: inside L1 dTLB reach (lookup
        # cost), beyond twice the L2 TLB reach (TLB pressure)
        parts = (("in L1 P<=%s" % f3(l1) if l1 else
                  "P=%s (no L1)" % f3(ps[0]),
                  "in", 0, l1 if l1 else ps[0]),
                 ("past 2xL2 P>=%s" % f3(2 * l2) if l2 else
                  "P=%s (no L2)" % f3(ps[-1]),
                  "beyond", 2 * l2 if l2 else ps[-1], float("inf")))
        for lab, key, lo, hi in parts:
            bits = []
            for s in ("vm-area", "hybrid"):
                e, used, drop = _range_shift(b, s, "segment", lo, hi)
                c.dropped += drop
                if used:
                    bits.append("%s %s" % (short(s), c.effect(
                        "%s %s" % (key, s), e)))
            c.add("%s: %s" % (lab, ", ".join(bits) if bits else
                              "no point measured in this range"))
            if bits:
                c.settled = True
        e, used, drop = _range_shift(b, "vm-area", None, parts[1][2],
                                     float("inf"), "tlb_share_pct", "2m")
        share = "vm 4k-2m there %s; " % c.effect(
            "beyond vm 4k-2m", e) if used else ""
        c.add("%s%% of seg, mean over M" % share)
        if (_reach_verdict(run) or "").startswith("unstable"):
            # the ranges above come from a calibration that disagreed
            # with itself (its sweeps, or disturbed points): say so
            c.add("L1/L2 reach unstable (tlb step): rerun", join=True)
    a = run.benches.get("access")
    if a is not None and "cold_cycles" in a.metrics and \
            _has(a, "mode", "cold"):
        ks = [k for k in a.values("cold_pages") if k not in ("-", "")]
        k = max(ks, key=lambda v: float(v)) if ks else None
        w = {"mode": "cold", "cold_pages": k, "page": "4k",
             "phase": "boot"}
        d = _samples(a, "cold_cycles", w, "strategy")
        pg = _samples(a, "pages_on_path", w, "strategy")
        bits = []
        for s in ("segment", "offset-array", "vm-area", "hybrid"):
            if d.get(s) and Stats(d[s]).n:
                bits.append("%s %s/%s" % (
                    short(s), f3(Stats(d[s]).median),
                    f3(Stats(pg.get(s, [])).median)))
        if bits:
            c.add("cold cyc/pages, K=%s: %s" % (
                k, ", ".join(bits)), more=True)
    else:
        c.add("cold cost, pages on path: not measured (needs access"
              " --mode cold)")
    return c


def _layout_of(b):
    return "layout" if b is not None and "layout" in b.params else \
        "strategy"


def _claim_mem(run):
    c = Claim("mem", '"allocate memory for potential processors"')
    kline = kfacts.mem_line(run)     # the running kernel's own figure
    if kline:
        c.add(kline)
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
    shown = False       # the smallest online count in the block
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
            for g in groups), ratio), more=shown)
        shown = True
    if not c.settled:
        c.add("committed_bytes NA at possible=%s" % pos)
        return c
    c.add("committed bytes, possible=%s, per %s; n=1, no U test"
          % (pos, by))
    return c


def _ncpus(cpulist):
    """CPUs in a cpulist ('0-3,8' -> 5); None when it is not one."""
    try:
        return sum(int(r.split("-")[1]) - int(r.split("-")[0]) + 1
                   if "-" in r else 1 for r in cpulist.split(","))
    except (ValueError, IndexError):
        return None


def _med(b, metric, where):
    st = Stats([x for pt in b.points(metric, where)
                for x in b.samples[(pt, metric)]])
    return st.median if st.n else None


def _cid_lines(run):
    """Claim 3's cid line (pcpubench cid, part mem): units the
    mm_cid-indexed table committed for T threads on A allowed CPUs,
    against P for cpu indexing over every possible CPU; then the cost
    difference: the lookup path of access --cpuid cid against rseq
    cpu_id where the run has it, else the rseq-protected increment."""
    b = run.benches.get("cid")
    if b is None or "units_committed" not in b.metrics:
        return []
    P = b.params
    best = None
    for pt in b.points("units_committed", {"part": "mem",
                                           "strategy": "cid-table"}):
        t, a = pt[P.index("threads")], _ncpus(pt[P.index("allowed")])
        u = [x["value"] for x in b.samples[(pt, "units_committed")]
             if x["value"] is not None]
        if not u or a is None or not t.isdigit():
            continue
        key = (a, int(t))
        if best is None or key > best[0]:
            best = (key, pt, max(u))
    if best is None:
        st = {x["status"] for k, v in b.samples.items()
              if k[1] == "units_committed" for x in v}
        why = sorted(st)[0] if st else "no rows"
        return [("cid indexing: NA (%s)" % why.split("(")[0], False)]
    (a, t), pt, u = best
    poss = pt[P.index("possible")]
    cpu = _med(b, "units_committed", {"part": "mem", "strategy": "cpu-table",
                                      "threads": str(t),
                                      "allowed": pt[P.index("allowed")]})
    lines = [("cid: %s unit%s for %d threads on %d CPUs, cpu_id %s (first"
              " use: %s)" % (f3(u), "" if u == 1 else "s", t, a, poss,
                             f3(cpu) if cpu is not None else "NA"), False)]
    acc = run.benches.get("access")
    cost = None
    if acc is not None and _has(acc, "cpuid", "cid"):
        w = {"strategy": "offset-array", "op": "read", "mode": "path"}
        x = _med(acc, "cycles_per_op", dict(w, cpuid="cid"))
        y = _med(acc, "cycles_per_op", dict(w, cpuid="rseq"))
        if x is not None and y is not None:
            cost = "oa read path: cid %s vs cpu_id %s cycles (%+.0f%%)" % (
                f3(x), f3(y), _pct(x, y))
    if cost is None:
        x = _med(b, "ns_per_inc", {"part": "cost", "strategy": "cid-table"})
        y = _med(b, "ns_per_inc", {"part": "cost", "strategy": "cpu-table"})
        if x is not None and y is not None:
            cost = ("rseq-protected inc: cid %s vs cpu_id %s ns (%+.0f%%)"
                    % (f3(x), f3(y), _pct(x, y)))
    if cost:
        lines.append((cost, True))
    return lines


def claim_mem(run):
    """Claim 3 with the cid line (issue 21) after the layouts' lines."""
    c = _claim_mem(run)
    cid = _cid_lines(run)
    for ln, more in cid:
        c.add(ln, more=more)
    if cid and step_of(run, "cid") != "cid":
        # one tag: [step 11,12,13 mem, 15 cid]
        c.step = c.step + ", " + step_of(run, "cid")[5:] if c.step \
            else step_of(run, "cid")
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
    groups = []         # layouts with the same count, once
    for k in sorted(per, key=lambda v: (
            lo.index(v) if v in lo else len(lo), vkey(by, v))):
        fig = "%d/%d" % (sum(1 for v in per[k] if v), len(per[k]))
        for g in groups:
            if g[0] == fig:
                g[1].append(short(k))
                break
        else:
            groups.append((fig, [short(k)]))
    return ("MODELLED (synthetic %s nodes, late-node %s): remote units"
            " of hot-added CPUs: %s" % (
                len(nodes) or "?", "/".join(ln), "; ".join(
                    "%s %s" % (",".join(g[1]), g[0]) for g in groups)),
            step_with(run, "numa", ["--topology"]))


def claim_remote(run):
    c = Claim("remote", '"allocated somewhere not on the nodes"')
    real = kfacts.remote_lines(run)       # the real kernels measured
    for ln in kfacts.remote_lines(run, short=True):
        c.add(ln)       # what is off the CPU's node; in full as context
    for ln in real:
        c.add(ln, more=True)
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
    if nodes == 1 and real:
        # the real kernel answered: the model is context
        if step_of(run, "guest") != "guest":
            c.step = step_of(run, "guest")
        c.add("this host: 1 NUMA node, nothing to place", more=True)
        if model:
            c.add(model[0] + " [%s]" % model[1], more=True)
        return c
    elif nodes == 1:
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
        c.step = c.step or model[1]
        c.add(model[0])
    return c


def _min_p(n1, n2):
    """The smallest two-sided exact U-test p of samples of n1 and n2."""
    from math import comb
    return 2.0 / comb(n1 + n2, n1) if n1 and n2 else 1.0


def _phase_dod(b, metric, where, strat, ctrl):
    """strat's (late - boot) minus ctrl's, repetition by repetition (the
    difference of differences, in % of strat's boot median): (Effect,
    boot median, late median, samples dropped) or None."""
    s = {}
    for ph in ("boot", "late"):
        d = _samples(b, metric, dict(where, phase=ph), "strategy")
        if not d.get(strat) or not d.get(ctrl):
            return None
        s[ph] = d
    sb, sl = _by_rep(s["boot"][strat]), _by_rep(s["late"][strat])
    cb, cl = _by_rep(s["boot"][ctrl]), _by_rep(s["late"][ctrl])
    a0, a1, c0, c1 = [], [], [], []
    drop = 0
    for r in sb:
        for q in zip(sb[r], sl.get(r, []), cb.get(r, []), cl.get(r, [])):
            if all(_good(x) for x in q):
                for lst, x in zip((a0, a1, c0, c1), q):
                    lst.append(x["value"])
            else:
                drop += 1
    if not a0:
        return None
    return (effects.diff_of_diffs(a0, a1, c0, c1),
            Stats(s["boot"][strat]).median, Stats(s["late"][strat]).median,
            drop)


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
    # the control: offset-array, the same table lookup over the embedded
    # block in both phases (hybrid moves to the VM area when late)
    ctrl = "offset-array"
    meds = []           # hybrid's boot->late medians: context
    for lab, metric, where in (("cold", "cold_cycles", cold),
                               ("path", "cycles_per_op", path)):
        if lab == "cold" and k is None:
            continue
        r = _phase_dod(a, metric, where, "hybrid", ctrl)
        if r is None:
            continue
        e, mb, ml, drop = r
        c.dropped += drop
        c.settled = True
        # the two figures on one line when they fit
        c.add("%s %s %s" % (lab, "K=%s" % k if lab == "cold" else
                            "2 vars", c.effect("hyb late-boot " + lab, e)),
              join=bool(meds))
        meds.append("%s %s->%s" % (lab, f3(mb), f3(ml)))
    if not c.settled:
        c.add("no hybrid and offset-array rows in both phases")
        return c
    inter = any("interleaved" in str(m.get("phases", ""))
                for m in run.step_meta.values() if isinstance(m, dict))
    c.add("hyb late-boot minus oa's move, per rep, %% of boot; phases %s"
          % ("interleaved" if inter else "in turn"))
    c.add("hyb boot->late cyc: %s" % ", ".join(meds), more=True)
    return c


def claim_hotplug(run):
    c = Claim("hotplug", "hotplug latency, us p50")
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
    c.add("?", join=True)       # the condition, filled in below
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
            dom.append("%s %s %s/%s %s" % (
                lab, pname, f3(pmed / 1000.0), f3(meds[worst] / 1000.0),
                short(worst)))
        if dirn == "online" and basek in meds:
            st = Stats(_samples(b, "online_alloc_ns_p50", where,
                                by).get(basek, []))
            if st.n and st.median == 0:
                bits[0] += " (no alloc)"
        c.add("%s: %s" % (lab, ", ".join(bits)))
    if not c.settled:
        c.lines, c.join = [], set()
        c.add("no online/offline latency rows")
        return c
    if dom:
        c.add("; ".join(dom) + " (part/total)", more=True)
    nopart = not any(m.startswith("online_alloc") for m in b.metrics)
    backend = "/".join(b.values("backend")) if "backend" in b.params \
        else "?"
    few = ""
    if ns and _min_p(min(ns), min(ns)) >= 0.05:
        few = "n=%d, no U test" % min(ns)
    c.lines[0] = "%s, %s/s; %s" % (backend, ",".join(busy) or "0", few or
                                   "* vs %s" % short(basek))
    if nopart:
        c.add("breakdown: not measured (needs churn online_<part>_ns_p50)")
    return c


def _med1(b, metric, where, by):
    """{by value: median} of metric over points matching where."""
    return {k: Stats(v).median for k, v in
            _samples(b, metric, where, by).items() if Stats(v).n}


def _info_modules(run):
    """(reserve bytes or None, what the loaded modules use) of this
    machine, from info.json's modules section."""
    import json
    import os
    try:
        with open(os.path.join(run.path, "info.json"),
                  encoding="utf-8") as f:
            m = json.load(f).get("modules") or {}
    except (OSError, ValueError, AttributeError):
        return None, "NA (no modules section in info.json)"
    r = m.get("percpu_reserve_bytes")
    s = m.get("loaded_percpu_bytes")
    if s is None:
        return r, "NA (%s)" % (m.get("loaded_why") or "?").split(":")[0]
    part = ", %s unread: a lower bound" % m["loaded_unread"] \
        if m.get("loaded_unread") else ""
    return r, "%s B%s" % (f3(s), part)


def claim_modules(run):
    """Claim 7: the fixed module reserve against real module sections,
    what a VM area commits per module, and (with --access) what a module
    variable's lookup costs against a boot variable's."""
    c = Claim("modules", '"too small and required modules cannot load"')
    b = run.benches.get("modules")
    if b is None or "loaded_sections" not in b.metrics:
        c.add("not measured in this run (needs the modules step)")
        return c
    c.step = step_of(run, "modules")
    r, loaded = _info_modules(run)
    st = _med1(b, "stream_largest_bytes", {}, "stream")
    n = _med1(b, "stream_sections", {}, "stream")
    tot = _med1(b, "stream_bytes", {}, "stream")
    c.add("r %s B here, loaded use %s; %s" % (
        "NA" if r is None else f3(r), loaded, "; ".join(
            "%s max %sB" % (k, f3(v)) for k, v in st.items())))
    cps = _med1(b, "committed_per_section_bytes", {}, "policy")
    lur = _med1(b, "loads_until_refusal", {}, "policy")
    P = b.params
    pos = [x for x in b.values("possible") if x != "-"] \
        if "possible" in P else []
    onl = [x for x in b.values("online") if x != "-"] if "online" in P else []
    c.add("VM area commits %s B/section for %s possible, %s for %s online" % (
        f3(cps.get("vm:possible")), ",".join(pos) or "?",
        f3(cps.get("vm:online")), ",".join(onl) or "?"), more=True)
    c.add("; ".join("%s: %s sections, sum %s B" % (
        k, f3(n.get(k)), f3(tot.get(k))) for k in st), more=True)
    c.add("loads to the first refusal: " + (", ".join(
        "%s %s" % (k, f3(v)) for k, v in sorted(lur.items())) or "NA"))
    c.settled = True
    for pol in sorted(b.values("policy")) if "path_ns" in b.metrics else []:
        if not pol.startswith("vm"):
            continue
        d = {var: _samples(b, "path_ns", {"policy": pol, "var": var},
                           "strategy") for var in ("boot", "module")}
        parts = []
        for s in sorted(d["module"]):
            ms, bs = d["module"][s], d["boot"].get(s, [])
            mv, bv = _vals(ms), _vals(bs)
            if mv and bv:
                parts.append("%s %+.2g%s" % (short(s), Stats(ms).median -
                                            Stats(bs).median,
                                            sig_mark(mv, bv).strip()))
        pg = _med1(b, "pages_with_boot_var", {"policy": pol, "var": "module"},
                   "strategy")
        pb = _med1(b, "pages_on_path", {"policy": pol, "var": "boot"},
                   "strategy")
        extra = sorted({f3(pg[s] - pb[s]) for s in pg if s in pb})
        if parts:
            # in the block only a difference outside noise (U test)
            sig = any(p.endswith(("*", "?")) for p in parts)
            if not sig:
                c.add("module var costs as boot var (%s)" % pol,
                      join=True)
            c.add("%s: module-boot var path ns %s; pages with a boot var "
                  "+%s" % (pol, ", ".join(parts), "/".join(extra) or "NA"),
                  more=not sig)
            break
    for ln in kfacts.modsize_lines(run, short=True):  # the real kernel
        c.add(ln)
    return c


CLAIMS = (claim_deref, claim_tlb, claim_mem, claim_remote, claim_strain,
          claim_hotplug, claim_modules)
# The benchmarks each claim reads: a failed step of one of them (a
# timeout, a crash) is named in the claim, so that a missing figure
# reads as "rerun", never as "this profile does not measure it".
CLAIM_BENCHES = {"deref": ("access",), "tlb": ("workload", "access"),
                 "mem": ("mem", "cid", "kfacts"), "remote": ("numa",
                                                             "guest"),
                 "strain": ("access",), "hotplug": ("churn",),
                 "modules": ("modules", "guest")}


def failed_steps(run, claim):
    """'steps 3,5 access failed (timeout after 90s): rerun' for the
    failed steps of the benchmarks claim reads ([] when none failed)."""
    by = {}                     # (bench, why) -> [step numbers]
    for st in run.state.get("steps", []):
        if st["status"] == "failed" and \
                st["bench"] in CLAIM_BENCHES.get(claim.key, ()):
            why = st.get("msg", "").strip()[:40]
            by.setdefault((st["bench"], why), []).append(st["n"])
    return ["step%s %s %s failed%s: rerun" % (
        "s" if len(ns) > 1 else "", ",".join(ns), bench,
        " (%s)" % why if why else "") for (bench, why), ns in by.items()]


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
            seen.append((name, m, len(vals)))
            nz = [v for v in vals if v]
            if nz:
                bad.append("%s %s in %d run(s)" % (m, fmt(max(nz)),
                                                   len(nz)))
    if bad:
        return False, "INVARIANT FAILED: " + "; ".join(bad)
    if not seen and not missing and not unmeasured:
        return True, None
    # per metric its runs; one checked by several benchmarks, per
    # benchmark: "lost_updates churn 30, cid 56; read_sum_mismatch 30"
    per = {}
    for bn, m, n in seen:
        per.setdefault(m, []).append((bn, n))
    line = "invariants%s (all 0; runs): %s" % (
        "" if missing or unmeasured else " held", "; ".join(
            "%s %s" % (m, ", ".join(
                "%s %d" % (bn, n) if len(v) > 1 else "%d" % n
                for bn, n in v)) for m, v in per.items()))
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


def _put(out, c, i, ln):
    """Line i of claim c into out (whose last line is c's): a condition
    (c.join) on the line before when the two fit in WIDTH, else its own
    line(s)."""
    if i in c.join and len(out[-1]) + 2 + len(ln) <= WIDTH:
        out[-1] += "; " + ln
    else:
        out += _fit(ln, "  ")


def block(run, more=None):
    """The findings block: at most MAX_LINES lines of WIDTH columns,
    never cut. A claim's context lines (Claim.more) are left out of it;
    with more (a list), they are appended there under their claim's
    number, for the lines after the block.
    The modules claim (7) is left out of a run without the modules step
    (runs made before it existed)."""
    import re
    claims = [c for c in compute(run) if c.settled or c.key != "modules"]
    for c in claims:
        for ln in failed_steps(run, c):
            c.add(ln)
    out = ["== findings: shift [95%% CI]; %s no diff beyond CI detectable =="
           % effects.ND]
    ok, inv = invariants(run)
    if inv:
        out += _fit(inv, "")
    ctx = []
    for i, c in enumerate(claims):
        head = "%d %s" % (i + 1, c.title)
        if c.step:
            tag = " [%s]" % c.step
            if len(head) + len(tag) <= WIDTH:
                head += tag
            else:
                c.lines.append("from " + c.step)
        out += _fit(head, "")
        for j, ln in enumerate(c.lines):
            if j in c.more:
                ctx += _fit("%d %s" % (i + 1, ln), "  ")
            else:
                _put(out, c, j, ln)
    text = " " + " ".join(ln for c in claims for ln in c.lines + [c.title])
    used = [(k, v) for v, k in SHORT.items() if k != v and
            re.search(r"[\s,/(]%s[\s,/)]" % re.escape(k), text + " ")]
    legend = "; ".join("%s %s" % kv for kv in used)
    hit = ["%d:%d" % (i + 1, c.dropped) for i, c in enumerate(claims)
           if c.dropped]
    dist = DISTURBED % " ".join(hit) if hit else ""
    if legend and dist and len(legend) + 2 + len(dist) <= WIDTH:
        out.append(legend + "; " + dist)
    else:
        for ln in (legend, dist):
            if ln:
                out += _fit(ln, "")
    if more is not None and ctx:
        more += ["findings, context (claim: figure):"] + ctx
    # never cut: a block over MAX_LINES is a design fault the tests catch
    return out


def agreement(per, letters):
    """The agreement line of runs' claims (per: one compute() each):
    'findings agree: 5/6; claim 5 differs: hyb late-boot cold (A
    slower, B n.d.)'. A claim agrees when every figure's verdict class
    (slower, faster, n.d., few) is the same in every run; a claim with
    no verdict, when it is settled in all or in none."""
    agree, diffs = 0, []
    for i in range(len(CLAIMS)):
        cls = [cl[i] for cl in per]
        keys = sorted(set().union(*(c.verdicts for c in cls)))
        bad = []
        for k in keys:
            vs = [c.verdicts.get(k, "-").replace("none", effects.ND)
                  for c in cls]
            if len(set(vs)) > 1:
                bad.append("%s (%s)" % (k, ", ".join(
                    "%s %s" % (letters(j), v) for j, v in enumerate(vs))))
        if not keys and len({c.settled for c in cls}) > 1:
            bad.append("settled in %s only" % ",".join(
                letters(j) for j, c in enumerate(cls) if c.settled))
        if bad:
            diffs.append("claim %d differs: %s" % (i + 1, "; ".join(bad)))
        else:
            agree += 1
    return "findings agree: %d/%d%s" % (
        agree, len(CLAIMS), "".join("; " + d for d in diffs))


def side_by_side(runs, letters):
    """compare: per claim, one line per directory (A: ..., B: ...), and
    the agreement line."""
    per = [compute(r) for r in runs]
    out = ["== findings side by side (shift [95%% CI]; %s no diff beyond"
           " CI) ==" % effects.ND]
    for i in range(len(CLAIMS)):
        out += _fit("%d %s" % (i + 1, per[0][i].title), "")
        for j, cl in enumerate(per):
            # the first two figure lines (no condition, no context)
            figs = [ln for k, ln in enumerate(cl[i].lines)
                    if k not in cl[i].more and k not in cl[i].join]
            fig = "; ".join(figs[:2]) if cl[i].settled else \
                (cl[i].lines[0] if cl[i].lines else "-")
            out += _fit("%s: %s" % (letters(j), fig), "  ")
    out += _fit("; ".join("%s %s" % (k, v) for v, k in SHORT.items()
                          if k != v), "")
    out += _fit(agreement(per, letters), "")
    return out
