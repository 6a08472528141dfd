"""pcpu.tables - the report's tables, each at most 72 columns: a metric
table (a row per parameter point with n, median, rCV or IQR and the
cell against the baseline point, rows matched to their base), the
invariant table (must be 0), the other metrics' ranges, the workload's
pivot; and the point labels they share with compare (Labels: columns
that never wrap, long values replaced by short keys with a legend, a
column turned into a group heading when still too wide).
"""

from .fmt import WIDTH, fmt, fmt_diff, fmt_n, fmt_pct, short_status, wrap
from .labels import SHORTV, prefer_key, vkey
from .rules import OUTCOME
from .stats import Stats, significant, versus

LABEL_W = 34          # widest point label (the numbers take the rest)


class Labels:
    """Point labels in columns, one per varying parameter, that never
    wrap: padded to the widest value; long values replaced by short
    keys (legend) when needed; and when even that is too wide, the
    widest column becomes a group heading ('page=2m:') above its rows."""

    def __init__(self, names, rows, width=LABEL_W):
        # names: column names; rows: tuples of values (as printed)
        self.names = list(names)
        self.group = None
        self.legend = {}
        self.map = {}
        cols = list(range(len(names)))

        def widths():
            return [max([len(self.value(r[i])) for r in rows] +
                        [len(names[i])]) for i in cols]

        w = widths()
        if sum(w) + len(w) - 1 > width:
            flat = {x.strip("[]") for r in rows for x in r}
            self.map = {v: k for v, k in SHORTV.items() if v in flat}
            self.legend = {k: v for v, k in self.map.items()}
            w = widths()
        cand = [i for i in cols[1:] if not names[i].startswith("[")]
        groups = []
        while sum(w[i] for i in cols) + len(cols) - 1 > width and cand:
            # the column with the fewest values heads groups of rows
            g = min(cand, key=lambda i: (len({r[i] for r in rows}), -w[i]))
            groups.append(g)
            cand.remove(g)
            cols = [i for i in cols if i != g]
        self.groups = groups
        self.group = groups[0] if groups else None
        self.cols = cols
        self.w = w
        self.width = min(width, max(5, sum(w[i] for i in cols) +
                                    len(cols) - 1))

    def value(self, v):
        if v.startswith("[") and v.endswith("]"):
            return "[%s]" % "/".join(self.map.get(x, x)
                                     for x in v[1:-1].split("/"))
        return self.map.get(v, v)

    def label(self, row):
        s = " ".join(self.value(row[i]).ljust(self.w[i])
                     for i in self.cols).rstrip() or "(all)"
        return s if len(s) <= self.width else s[:self.width - 1] + "~"

    def header(self):
        return " ".join(self.names[i].ljust(self.w[i])
                        for i in self.cols).rstrip() or "point"

    def group_key(self, row):
        return [row[g] for g in self.groups]

    def group_of(self, row):
        if not self.groups:
            return None
        return " ".join("%s=%s" % (self.names[g], row[g])
                        for g in self.groups) + ":"

    def legend_lines(self):
        if not self.legend:
            return []
        return wrap("keys: " + ", ".join("%s %s" % kv for kv in
                                          sorted(self.legend.items())))




def row_line(label, n, med, rcv, pct, sig, flags, lw=LABEL_W):
    nums = "%3s %9s %6s %8s%-2s%s" % (n, med, rcv, pct, sig, flags)
    return ["%-*s %s" % (lw, label, nums)]


def na_line(label, n_na, reasons, lw=LABEL_W):
    reason = "; ".join(reasons) or "na"
    head = "%-*s %3s %9s  " % (lw, label, 0, "NA")
    room = WIDTH - len(head)
    if len(reason) <= room:
        return [head + reason]
    return [head.rstrip()] + wrap(reason, indent="    ")


def pooled_samples(bench, metric, where, pool):
    """{point: samples}, pooled parameters replaced by '*'."""
    pidx = [bench.params.index(p) for p in pool if p in bench.params]
    out = {}
    for pt in bench.points(metric, where):
        q = tuple("*" if i in pidx else v for i, v in enumerate(pt))
        out.setdefault(q, []).extend(bench.samples[(pt, metric)])
    return out


def match_baseline(P, vary, bi, bv, bases, pt, outc=(), allpts=()):
    """The baseline point for pt, or None ('no base'): equal in every
    varying requested parameter (vary) except one whose values depend
    on the strategy (the baseline's and pt's strategy have no value in
    common, like cpuid implicit for segment against rseq/tls for
    offset-array, or layout); ties broken by the same outcome (outc:
    the backing obtained, never a reason to refuse a match), then by
    the preferred value (e.g. cpuid=rseq)."""
    basevals = {i: {b[i] for b in bases} for i in vary}
    mine = {i: {q[i] for q in allpts if q[bi] == pt[bi]} for i in vary}
    free = {i for i in vary if i != bi and mine[i] and
            not (mine[i] & basevals[i])}
    best, bkey = None, None
    for b in bases:
        ok, exact = True, 0
        for i in vary:
            if i == bi:
                continue
            if b[i] == pt[i]:
                exact += 1
            elif i not in free:
                ok = False
                break
        if not ok:
            continue
        same = sum(1 for i in outc if b[i] == pt[i])
        k = (-exact, -same, [prefer_key(P[i], b[i]) for i in vary])
        if bkey is None or k < bkey:
            best, bkey = b, k
    return best


class _Table:
    """What one metric_table knows about its columns: the parameters
    (P), the varying ones (vary), the outcome columns (outc) and the
    matched ones (mvary), the baseline column (bi, bv), the columns that
    follow from the strategy (det) and the labels' columns (lmv)."""

    def __init__(self, bench, per, baseline):
        P = self.P = bench.params
        self.per = per
        self.is_difference = bench.is_difference
        self.multi = len(per) > 1
        self.allpts = [pt for d in per.values() for pt in d]
        self.vary = [i for i in range(len(P))
                     if len({pt[i] for pt in self.allpts}) > 1]
        self.outc = [i for i in self.vary if P[i] in OUTCOME]
        self.mvary = [i for i in self.vary if i not in self.outc]
        bp, self.bv = baseline if baseline else (None, None)
        bi = P.index(bp) if bp in P and P.index(bp) in self.mvary else None
        if bi is not None and not any(pt[bi] == self.bv
                                      for pt in self.allpts):
            bi = None
        self.bi, self.bp = bi, bp
        self.det = self._strategy_columns()
        self.lmv = [i for i in self.mvary if i not in self.det]

    def _strategy_columns(self):
        """The matched columns whose value follows from the strategy
        (access, layout): named once above the table."""
        si = self.P.index("strategy") if "strategy" in self.P else None
        det = []
        if si is None or si not in self.mvary:
            return det
        for i in self.mvary:
            if i == si:
                continue
            smap = {}
            for pt in self.allpts:
                smap.setdefault(pt[si], set()).add(pt[i])
            if all(len(v) == 1 for v in smap.values()):
                det.append(i)
        return det

    def names(self):
        P = self.P
        names = (["metric"] if self.multi else []) + [P[i] for i in self.lmv]
        if self.outc:
            names.append("[%s]" % "/".join(P[i] for i in self.outc))
        return names

    def lrow(self, m, pt):
        r = ([m] if self.multi else []) + [pt[i] for i in self.lmv]
        if self.outc:
            r.append("[%s]" % "/".join(pt[i] or "-" for i in self.outc))
        return r


def _table_head(bench, t, pool):
    """The lines above a metric table: its metric(s), what is fixed or
    pooled, the baseline, the difference note, the strategy columns."""
    P, per = t.P, t.per
    fixed = ["%s=%s" % (P[i], t.allpts[0][i]) for i in range(len(P))
             if i not in t.vary and t.allpts[0][i] not in ("", "*")]
    diffs = [m for m in per if bench.is_difference(m)]
    out = [""]
    if t.multi:
        out += wrap("-- %s: %s" % (bench.name, ", ".join(per)))
    else:
        m = list(per)[0]
        unit = bench.units.get(m, "")
        out.append("-- %s: %s%s" % (bench.name, m,
                                    " (%s)" % unit if unit else ""))
    if fixed:
        out += wrap("fixed: " + " ".join(fixed))
    if pool:
        out += wrap("pooled over: " + ", ".join(pool))
    if t.bi is not None:
        s = "vs base: against %s=%s, same point; * U test p<0.05" % (
            t.bp, t.bv)
        out.append(s if len(s) <= WIDTH else "vs base: %s=%s"
                   % (t.bp, t.bv))
    if diffs:
        u = bench.units.get(diffs[0], "")
        out += wrap("%s: a difference (near 0 or below by nature): vs "
                    "base is median minus base median%s, and IQR "
                    "replaces rCV%%" % (", ".join(diffs),
                                        " in %s" % u if u else ""))
    if t.det:
        si = P.index("strategy")
        smap = {}
        for pt in t.allpts:
            smap[pt[si]] = "/".join(pt[i] for i in t.det)
        out += wrap("%s: %s" % ("/".join(P[i] for i in t.det), ", ".join(
            "%s %s" % (k, smap[k]) for k in sorted(
                smap, key=lambda v: vkey("strategy", v)))))
    return out, diffs


def vs_cell(bst, st, diff, notes):
    """The vs-base cell of a row against its base row's Stats: the
    difference (a difference metric) or the % change, and ' *' for a U
    test p<0.05; notes get the sample sizes. None without a base value."""
    v = versus(bst, st)
    if v is None:
        return None
    notes["minn"] = min(notes["minn"], v.n)
    notes["pairs"].add(v.pair)
    if diff:
        cell = fmt_diff(v.diff)
    else:
        cell = fmt_pct(v.pct) if v.pct is not None else "-"
    return cell, " *" if v.sig else ""


def _point_line(t, lab, m, pt, b, stats, notes):
    """The line(s) of one point of metric m: its label, n, median,
    spread, vs base and flags (or NA and the reasons)."""
    st = stats[pt]
    diff = t.is_difference(m)
    label = lab.label(t.lrow(m, pt))
    if st.n == 0:
        notes["na"] += 1
        return na_line(label, st.n_na, st.na_reasons, lab.width)
    pct, sig = "", ""
    cell = vs_cell(stats.get(b), st, diff, notes) \
        if b is not None and pt != b else None
    if b is not None and pt == b:
        pct = "base"
    elif cell is not None:
        pct, sig = cell
    elif t.bi is not None:
        pct = "no base"
    flags = "".join(sorted({short_status(f) for f in st.flags}))
    if b is not None and pt != b and any(pt[i] != b[i] for i in t.outc):
        flags += "b"
        notes["crossed"].add(
            "%s %s vs %s" % (pt[t.bi] if t.bi is not None else "",
                             "/".join(pt[i] for i in t.outc),
                             "/".join(b[i] for i in t.outc)))
    if st.n_na:
        flags += " %dNA" % st.n_na
        notes["partial"].update(st.na_reasons)
    if st.flags:
        notes["flags"].update(st.flags)
    if diff:
        rcv = fmt_n(st.iqr, 6)
    else:
        rcv = "%.1f" % st.rcv if st.rcv is not None else "-"
        if len(rcv) > 6:
            rcv = "%.0f" % st.rcv
    return row_line(label, st.n, fmt(st.median), rcv, pct, sig,
                    (" " + flags) if flags else "", lab.width)


def _metric_rows(t, lab, m, d, notes):
    """The rows of metric m (d: {point: samples}), each after its base
    row, a blank line between base groups; a group that is all NA for
    one reason is one line."""
    P, bi, bv = t.P, t.bi, t.bv
    stats = {pt: Stats(s) for pt, s in d.items()}
    bases = [pt for pt in d if bi is not None and pt[bi] == bv]
    match = {pt: (pt if pt in bases else
                  match_baseline(P, t.mvary, bi, bv, bases, pt, t.outc,
                                 list(d)))
             for pt in d} if bi is not None else {pt: None for pt in d}

    def order(pt):
        b = match[pt]
        k = []
        for g in lab.groups:
            gi = g - (1 if t.multi else 0)
            if 0 <= gi < len(t.lmv):
                k.append(vkey(P[t.lmv[gi]], pt[t.lmv[gi]]))
        k += [(1,)] if b is None else \
            [(0,)] + [vkey(P[i], b[i]) for i in t.vary if i != bi]
        k += [(0,) if pt == b else (1,)]
        k += [vkey(P[i], pt[i]) for i in t.vary]
        return k
    groups = {}
    for pt in d:
        groups.setdefault(match[pt], []).append(pt)
    collapsed = set()
    for b, g in groups.items():
        rs = {r for pt in g for r in stats[pt].na_reasons}
        if len(g) > 1 and all(stats[pt].n == 0 for pt in g) \
                and len(rs) == 1:
            collapsed.add(b)
    out, prev, gprev = [], "start", None
    for pt in sorted(d, key=order):
        b = match[pt]
        g = lab.group_of(t.lrow(m, pt))
        if g is not None and g != gprev:
            out.append(g)
            gprev = g
            prev = "start"
        if b in collapsed:
            if b != prev:
                if prev != "start":
                    out.append("")
                gl = " ".join("%s=%s" % (P[i], b[i]) for i in t.mvary
                              if i != bi)
                out += wrap("%s: all %d NA, %s" % (
                    (("%s " % m) if t.multi else "") + (gl or "all"),
                    len(groups[b]), list(stats[pt].na_reasons)[0]))
                notes["na"] += 1
            prev = b
            continue
        if bi is not None and prev != "start" and b != prev \
                and len(d) > len(bases) + 1:
            out.append("")
        prev = b
        out += _point_line(t, lab, m, pt, b, stats, notes)
    return out


def metric_table(bench, metrics, where, baseline, notes, pool=()):
    """Lines for one or more metrics: a row per (metric,) point.

    Rows are matched to the baseline on the requested parameters only;
    outcome columns (OUTCOME: the backing obtained) are shown in the
    label in [brackets] and flagged 'b' where they differ from the base
    row's. Difference metrics (Bench.is_difference) show the IQR instead of
    the rCV and the absolute difference to the base instead of a %."""
    per = {m: pooled_samples(bench, m, where, pool) for m in metrics}
    per = {m: d for m, d in per.items() if d}
    if not per:
        return []
    t = _Table(bench, per, baseline)
    out, diffs = _table_head(bench, t, pool)
    lab = Labels(t.names(), [t.lrow(m, pt) for m, d in per.items()
                             for pt in d])
    if t.outc:
        out += wrap("[%s] is what was obtained, not asked for: not "
                    "matched on; b = differs from its base row's"
                    % "/".join(t.P[i] for i in t.outc))
    out += lab.legend_lines()
    spread = "IQR" if len(diffs) == len(per) else \
        "rCV%" if not diffs else "rCV/IQR"
    out.append("%-*s %3s %9s %6s %8s" % (lab.width, lab.header(), "n",
                                         "median", spread, "vs base"))
    for k, (m, d) in enumerate(per.items()):
        if t.multi and k:
            out.append("")
        out += _metric_rows(t, lab, m, d, notes)
    return out


def zero_table(bench, metric):
    """An invariant that must be 0 (lost_updates): per strategy, the
    runs, the sum and the largest value over every point and rep, and
    the runs where it could not be read."""
    unit = bench.units.get(metric, "")
    by = "strategy" if "strategy" in bench.params else None
    rows = {}
    for pt in bench.points(metric):
        k = pt[bench.params.index(by)] if by else "(all)"
        rows.setdefault(k, []).extend(bench.samples[(pt, metric)])
    out = ["", "-- %s: %s%s, must be 0" % (
        bench.name, metric, " (%s)" % unit if unit else ""),
        "every point and repetition; NA = runs it could not be read",
        "%-*s %5s %9s %9s %4s  %s" % (LABEL_W - 10, by or "", "runs",
                                      "sum", "max", "NA", "")]
    for k in sorted(rows, key=lambda v: vkey(by or "", v)):
        st = Stats(rows[k])
        tot = sum(st.vals) if st.n else None
        mx = max(st.vals) if st.n else None
        verdict = "" if not st.n else ("ok" if not mx else "NOT 0")
        out.append("%-*s %5d %9s %9s %4d  %s" % (
            LABEL_W - 10, k, len(rows[k]), fmt(tot), fmt(mx), st.n_na,
            verdict))
    return out


def other_metrics(bench, shown):
    out = []
    for m in bench.metrics:
        if m in shown:
            continue
        pts = bench.points(m)
        sts = [Stats(bench.samples[(pt, m)]) for pt in pts]
        ok = [s for s in sts if s.n]
        unit = bench.units.get(m, "")
        if not ok:
            reasons = sorted({r for s in sts for r in s.na_reasons})
            out += wrap("%s: NA, %s" % (m, "; ".join(reasons)), "  ")
            continue
        meds = [s.median for s in ok]
        rng = fmt(min(meds)) if min(meds) == max(meds) else \
            "%s..%s" % (fmt(min(meds)), fmt(max(meds)))
        extra = ""
        if len(ok) < len(sts):
            extra = ", %d point(s) NA" % (len(sts) - len(ok))
        flags = sorted({f for s in ok for f in s.flags})
        if flags:
            extra += ", " + ",".join(flags)
        out += wrap("%s: %s %s over %d point(s)%s" % (
            m, rng, unit, len(ok), extra), "  ")
    if out:
        out = ["", "other metrics (point medians; all rows in %s.csv):"
               % bench.name] + out
    return out


def workload_table(bench, m):
    """A pivot of metric m (a % of the iteration): a row per working set
    P, a column per strategy, a block per (page, M); '~' marks a median
    within noise (per-rep IQR contains 0), '*' a U test p<0.05 of the
    cycles against segment's (slowdown) or of the 4k against the 2m
    cycles (tlb_share)."""
    P = bench.params
    if m not in bench.metrics or "pages" not in P:
        return []
    strats = [s for s in bench.values("strategy") if s != "segment" or
              m != "slowdown_vs_segment_pct"
              and any(pt[P.index("strategy")] == s
                      for pt in bench.points(m))]
    strats = strats[:7]
    pages = [v for v in (bench.values("page") if "page" in P else [""])
             if bench.points(m, {"page": v} if v else None)]
    accs = bench.values("accesses") if "accesses" in P else [""]
    fixed = [p for p in ("vars", "work") if p in P and
             len(bench.values(p)) == 1]
    out = ["", "-- workload: %s (%%), median of the per-rep values" % m]
    if fixed:
        out.append("fixed: " + " ".join("%s=%s" % (p, bench.values(p)[0])
                                        for p in fixed))
    other = "segment's" if m == "slowdown_vs_segment_pct" else \
        "the same strategy's at 4k"
    out += wrap("~ within noise (the per-rep IQR contains 0: no figure); "
                "* U test p<0.05 on cycles_per_iter against %s" % other)
    cw = max(7, min(9, (WIDTH - 8) // max(1, len(strats)) - 1))
    head = "%7s" % "P" + "".join(" %*s" % (cw, SHORTV.get(s, s)[:cw])
                                 for s in strats)
    for pg in pages:
        for a in accs:
            where = {k: v for k, v in (("page", pg), ("accesses", a)) if v}
            rows = []
            for p in bench.values("pages"):
                cells = []
                for s in strats:
                    w = dict(where, pages=p, strategy=s)
                    sm = [x for pt in bench.points(m, w)
                          for x in bench.samples[(pt, m)]]
                    st = Stats(sm)
                    if not st.n:
                        cells.append("NA" if sm else "-")
                        continue
                    noise = any("within-noise" in f for f in st.flags)
                    cy = [x for pt in bench.points("cycles_per_iter", w)
                          for x in bench.samples[(pt, "cycles_per_iter")]]
                    ow = dict(w, strategy="segment") \
                        if m == "slowdown_vs_segment_pct" else \
                        dict(w, page="4k")
                    sg = [x for pt in bench.points("cycles_per_iter", ow)
                          for x in bench.samples[(pt, "cycles_per_iter")]]
                    if noise:
                        cells.append("~ ")
                        continue
                    mark = "*" if significant(Stats(cy).vals,
                                              Stats(sg).vals) else " "
                    cells.append("%+.1f%s" % (st.median, mark))
                rows.append("%7s" % p + "".join(" %*s" % (cw, c)
                                                for c in cells))
            out += ["", "page=%s M=%s" % (pg or "?", a or "?"), head] + rows
    keys = [s for s in strats if SHORTV.get(s, s) != s]
    if keys:
        out += wrap("keys: " + ", ".join("%s %s" % (SHORTV[s], s)
                                         for s in keys))
    return out


