#!/usr/bin/python3
"""report - report.txt and plots for one pcpubench results directory.

usage: ./run.sh report DIR [--baseline BENCH:PARAM=VALUE] [--no-plots]

Reads DIR only (meta.json, state, profile, *.csv); never runs a
benchmark. Writes, each file atomically:
  DIR/report.txt          at most 72 columns, ready for a mailing list
  DIR/plots/NAME.png      gnuplot, one per plot
  DIR/plots/NAME.txt      the same plot as plain text (dumb terminal)
  DIR/plots/figures.png   matplotlib multi-panel set (and figures.pdf),
                          skipped with a message without matplotlib
report.txt opens with the findings block (plots/findings.py): one
entry per claim of the 2006 thread, computed from the rows.
Exit: 0 written, 1 cannot write (a read-only directory: the message
names the file), 2 usage error (not a results directory, a --baseline
that names nothing in the run).
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import findings  # noqa: E402
import gplot  # noqa: E402
import kfacts  # noqa: E402
from pcpu_results import (BENCH, OUTCOME, WIDTH, prefer_key, Run, Stats,  # noqa
                          run_main, write_file,
                          NotResults, Labels, LABEL_W, SHORTV,
                          fmt, fmt_diff, fmt_n, fmt_pct, is_difference,
                          mann_whitney, num_key, pick_metric, vkey,
                          plot_specs, rev_clean, shell_wrap, short_status,
                          wrap)

def min_exact_p(n1, n2):
    return min(1.0, 2.0 / math.comb(n1 + n2, n1)) if n1 and n2 else 1.0


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


def metric_table(bench, metrics, where, baseline, notes, pool=()):
    """Lines for one or more metrics: a row per (metric,) point.

    Rows are matched to the baseline on the requested parameters only;
    outcome columns (OUTCOME: the backing obtained) are shown in the
    label in [brackets] and flagged 'b' where they differ from the base
    row's. Difference metrics (is_difference) show the IQR instead of
    the rCV and the absolute difference to the base instead of a %."""
    P = bench.params
    per = {m: pooled_samples(bench, m, where, pool) for m in metrics}
    per = {m: d for m, d in per.items() if d}
    if not per:
        return []
    allpts = [pt for d in per.values() for pt in d]
    vary = [i for i in range(len(P)) if len({pt[i] for pt in allpts}) > 1]
    outc = [i for i in vary if P[i] in OUTCOME]
    mvary = [i for i in vary if i not in outc]
    fixed = ["%s=%s" % (P[i], allpts[0][i]) for i in range(len(P))
             if i not in vary and allpts[0][i] not in ("", "*")]
    multi = len(per) > 1
    diffs = [m for m in per if is_difference(m)]
    out = [""]
    if multi:
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
    bp, bv = baseline if baseline else (None, None)
    bi = P.index(bp) if bp in P and P.index(bp) in mvary else None
    if bi is not None and not any(pt[bi] == bv for pt in allpts):
        bi = None
    if bi is not None:
        t = "vs base: against %s=%s, same point; * U test p<0.05" % (bp, bv)
        out.append(t if len(t) <= WIDTH else "vs base: %s=%s" % (bp, bv))
    if diffs:
        u = bench.units.get(diffs[0], "")
        out += wrap("%s: a difference (near 0 or below by nature): vs "
                    "base is median minus base median%s, and IQR "
                    "replaces rCV%%" % (", ".join(diffs),
                                        " in %s" % u if u else ""))
    # columns that follow from the strategy (access, layout) are named
    # once above the table, not in every label
    si = P.index("strategy") if "strategy" in P else None
    det = []
    if si is not None and si in mvary:
        for i in mvary:
            if i == si:
                continue
            smap = {}
            for pt in allpts:
                smap.setdefault(pt[si], set()).add(pt[i])
            if all(len(v) == 1 for v in smap.values()):
                det.append(i)
    if det:
        smap = {}
        for pt in allpts:
            smap[pt[si]] = "/".join(pt[i] for i in det)
        out += wrap("%s: %s" % ("/".join(P[i] for i in det), ", ".join(
            "%s %s" % (k, smap[k]) for k in sorted(
                smap, key=lambda v: vkey("strategy", v)))))
    lmv = [i for i in mvary if i not in det]
    names = (["metric"] if multi else []) + [P[i] for i in lmv]
    if outc:
        names.append("[%s]" % "/".join(P[i] for i in outc))

    def lrow(m, pt):
        r = ([m] if multi else []) + [pt[i] for i in lmv]
        if outc:
            r.append("[%s]" % "/".join(pt[i] or "-" for i in outc))
        return r
    lab = Labels(names, [lrow(m, pt) for m, d in per.items() for pt in d])
    if outc:
        out += wrap("[%s] is what was obtained, not asked for: not "
                    "matched on; b = differs from its base row's"
                    % "/".join(P[i] for i in outc))
    out += lab.legend_lines()
    spread = "IQR" if len(diffs) == len(per) else \
        "rCV%" if not diffs else "rCV/IQR"
    lw = lab.width
    out.append("%-*s %3s %9s %6s %8s" % (lw, lab.header(), "n", "median",
                                         spread, "vs base"))
    first_metric = True
    for m, d in per.items():
        diff = is_difference(m)
        if multi and not first_metric:
            out.append("")
        first_metric = False
        stats = {pt: Stats(s) for pt, s in d.items()}
        bases = [pt for pt in d if bi is not None and pt[bi] == bv]
        match = {pt: (pt if pt in bases else
                      match_baseline(P, mvary, bi, bv, bases, pt, outc,
                                     list(d)))
                 for pt in d} if bi is not None else {pt: None for pt in d}

        def order(pt):
            b = match[pt]
            k = []
            for g in lab.groups:
                gi = g - (1 if multi else 0)
                if 0 <= gi < len(lmv):
                    k.append(vkey(P[lmv[gi]], pt[lmv[gi]]))
            k += [(1,)] if b is None else \
                [(0,)] + [vkey(P[i], b[i]) for i in vary if i != bi]
            k += [(0,) if pt == b else (1,)]
            k += [vkey(P[i], pt[i]) for i in vary]
            return k
        prev = "start"
        groups = {}
        for pt in d:
            groups.setdefault(match[pt], []).append(pt)
        collapsed = set()
        for b, g in groups.items():
            rs = {r for pt in g for r in stats[pt].na_reasons}
            if len(g) > 1 and all(stats[pt].n == 0 for pt in g) \
                    and len(rs) == 1:
                collapsed.add(b)
        gprev = None
        for pt in sorted(d, key=order):
            st = stats[pt]
            b = match[pt]
            g = lab.group_of(lrow(m, pt))
            if g is not None and g != gprev:
                out.append(g)
                gprev = g
                prev = "start"
            if b in collapsed:
                if b != prev:
                    if prev != "start":
                        out.append("")
                    gl = " ".join("%s=%s" % (P[i], b[i]) for i in mvary
                                  if i != bi)
                    out += wrap("%s: all %d NA, %s" % (
                        (("%s " % m) if multi else "") + (gl or "all"),
                        len(groups[b]),
                        list(stats[pt].na_reasons)[0]))
                    notes["na"] += 1
                prev = b
                continue
            if bi is not None and prev != "start" and b != prev \
                    and len(d) > len(bases) + 1:
                out.append("")
            prev = b
            label = lab.label(lrow(m, pt))
            if st.n == 0:
                out += na_line(label, st.n_na, st.na_reasons, lw)
                notes["na"] += 1
                continue
            pct, sig = "", ""
            bst = stats.get(b) if b is not None else None
            if b is not None and pt == b:
                pct = "base"
            elif bst is not None and bst.n:
                if diff:
                    pct = fmt_diff(st.median - bst.median)
                else:
                    pct = fmt_pct((st.median - bst.median) /
                                  abs(bst.median) * 100) \
                        if bst.median else "-"
                t = mann_whitney(bst.vals, st.vals)
                if t and t[1] < 0.05:
                    sig = " *"
                notes["minn"] = min(notes["minn"], bst.n, st.n)
                notes["pairs"].add((bst.n, st.n))
            elif bi is not None:
                pct = "no base"
            flags = "".join(sorted({short_status(f) for f in st.flags}))
            if b is not None and pt != b and \
                    any(pt[i] != b[i] for i in outc):
                flags += "b"
                notes["crossed"].add(
                    "%s %s vs %s" % (pt[bi] if bi is not None else "",
                                     "/".join(pt[i] for i in outc),
                                     "/".join(b[i] for i in outc)))
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
            out += row_line(label, st.n, fmt(st.median), rcv, pct, sig,
                            (" " + flags) if flags else "", lw)
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


def quiet_note(run, step):
    """'12.3 s; disturbed 12/3400 batches, 0 samples dropped' from the
    step's measure_seconds and quiet_* metadata (bench-quiet.h); the
    disturbed part only when a batch was."""
    try:
        sm = run.step_meta.get("%02d-%s" % (int(step["n"]),
                                            step["bench"]), {})
    except (TypeError, ValueError, AttributeError):
        return ""
    bits = []
    try:
        bits.append("%.1f s" % float(sm["measure_seconds"]))
    except (KeyError, TypeError, ValueError):
        pass
    try:
        b, d, f = (int(sm["quiet_" + k]) for k in
                   ("batches", "disturbed", "flagged_samples"))
        if d:
            bits.append("disturbed %d/%d batches, %d sample(s) dropped"
                        % (d, b, f))
    except (KeyError, TypeError, ValueError):
        pass
    return "; ".join(bits)


def steps_block(run):
    st = run.state
    out = []
    if not st["exists"]:
        return ["state: no state file (not written by run.sh?)"]
    steps = st["steps"]
    total = st["total"]
    done = len(steps)
    counts = {}
    for s in steps:
        counts[s["status"]] = counts.get(s["status"], 0) + 1
    summ = ", ".join("%d %s" % (v, k) for k, v in sorted(counts.items()))
    nfail = counts.get("failed", 0)
    probs = run.incomplete()
    inv_ok, inv = findings.invariants(run)
    if probs and st.get("status") == "complete":
        out += wrap("run: INCOMPLETE (data): %d step(s) ran, but %s" % (
            done, "; ".join(probs)))
    elif st.get("status") == "complete" and nfail:
        out += wrap("run: complete with failures (%d failed), %d step(s): "
                    "%s" % (nfail, done, summ))
    elif st.get("status") == "complete":
        out.append("run: complete, %d step(s): %s" % (done, summ or "none"))
    else:
        out += wrap("run: INCOMPLETE (%s): %d of %s step(s) done%s" % (
            st.get("status", "unknown"), done,
            total if total is not None else "?",
            (": " + summ) if summ else ""))
        out += wrap("finish it with: ./run.sh --resume %s" % run.path)
        if probs:
            out += wrap("incomplete data: " + "; ".join(probs))
    if not inv_ok and inv:
        out += wrap("run: " + inv)
    for s in steps:
        msg = s["msg"]
        q = quiet_note(run, s)
        if q:
            msg = "%s%s%s" % (msg, "; " if msg else "", q)
        out += wrap("%3s %-7s %s%s" % (s["n"], s["bench"], s["status"],
                                       (": " + msg) if msg else ""), "  ")
    if st.get("build"):
        out += wrap("build: " + st["build"], "  ")
    if st.get("info"):
        out += wrap("info: " + st["info"], "  ")
    return out


def reproduce_block(run):
    out = ["", "== reproduce =="]
    rev, dirty = rev_clean(run.rev())
    prof = run.m("profile", "name")
    label = run.m("label", default="")
    cmd = "./run.sh %s%s" % (prof, " --label %s" % label if label else "")
    line = "  git checkout %s && %s" % (rev, cmd)
    if len(line) <= WIDTH:
        out.append(line)
    else:
        out += ["  git checkout %s" % rev, "  " + cmd]
    if dirty:
        files = run.m("git", "dirty_files", default=[])
        out += wrap("note: the run had uncommitted changes on top of %s%s;"
                    " the checkout above lacks them%s." % (
                        rev, " (%s)" % ", ".join(files[:6]) +
                        (" ..." if len(files) > 6 else "")
                        if isinstance(files, list) and files else "",
                        ", see git.diff in the results directory"
                        if os.path.exists(os.path.join(run.path,
                                                       "git.diff"))
                        else ""))
    lines = []
    try:
        with open(os.path.join(run.path, "profile")) as f:
            for ln in f:
                ln = ln.split("#", 1)[0].strip()
                if ln and not ln.startswith("@"):
                    lines.append(ln)
    except OSError:
        pass
    if lines:
        out.append("which runs, each with --format csv -o FILE:")
        for ln in lines:
            w = ln.split()
            # the guest step is a script (tests/guest/kfacts-step.sh)
            out += shell_wrap(["tests/guest/kfacts-step.sh"] + w[1:]
                              if w[0] == "guest" else
                              ["build/pcpubench"] + w)
    if run.step_meta:
        out.append("each step as it ran (raw/NN-BENCH.csv.meta.json):")
        for step in sorted(run.step_meta):
            sm = run.step_meta[step]
            words = str(sm.get("command", "?")).split()
            # the -o file was run.sh's temporary name
            words = [("FILE" if i and words[i - 1] == "-o" else w)
                     for i, w in enumerate(words)]
            facts = ["%s %s" % (k, sm[k]) for k in ("seed", "version")
                     if sm.get(k) not in (None, "")]
            out += wrap("%s: %s" % (step, ", ".join(facts) or
                                    "no seed recorded"), "  ")
            out += shell_wrap(words, "    ", "        ")
    return out


def text_plot(lines):
    return ["", "plot:"] + [ln[:WIDTH] for ln in lines]


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
                    t = mann_whitney(Stats(cy).vals, Stats(sg).vals)
                    if noise:
                        cells.append("~ ")
                        continue
                    mark = "*" if t and t[1] < 0.05 else " "
                    cells.append("%+.1f%s" % (st.median, mark))
                rows.append("%7s" % p + "".join(" %*s" % (cw, c)
                                                for c in cells))
            out += ["", "page=%s M=%s" % (pg or "?", a or "?"), head] + rows
    keys = [s for s in strats if SHORTV.get(s, s) != s]
    if keys:
        out += wrap("keys: " + ", ".join("%s %s" % (SHORTV[s], s)
                                         for s in keys))
    return out


def build_report(run, baselines, do_plots):
    ctx = []
    out = findings.block(run, ctx) + [""]
    if ctx:
        out += ctx + [""]
    prof = run.m("profile", "name")
    out += wrap("pcpubench report: %s (profile %s)" % (run.name, prof))
    out.append(run.summary_line())
    when = run.m("started_utc")
    cc = run.m("build", "compiler")
    out += wrap("started %s UTC; compiler: %s" % (when, cc))
    out += steps_block(run)
    for w in run.warnings:
        out += wrap("warning: " + w)
    pdir = os.path.join(run.path, "plots")
    figures = []
    names = run.bench_names()
    for s in run.state["steps"]:
        if s["bench"] not in names and s["bench"] not in ("build", "info"):
            names.append(s["bench"])
    kernel_done = False
    for name in names:
        if name in kfacts.SECTION_BENCHES:
            # kfacts, kernel-numa and the guest step: one kernel section
            if not kernel_done:
                out += [""] + kfacts.section(run)
                kernel_done = True
            continue
        out += ["", "== %s ==" % name]
        bench = run.benches.get(name)
        why = [s for s in run.state["steps"] if s["bench"] == name
               and s["status"] != "ok"]
        for s in why:
            out += wrap("step %s %s%s" % (s["n"], s["status"],
                                          (": " + s["msg"]) if s["msg"]
                                          else ""))
        if bench is None or not bench.metrics:
            out.append("no data")
            continue
        nrows = sum(len(v) for v in bench.samples.values())
        reps = sorted({s["rep"] for v in bench.samples.values() for s in v},
                      key=num_key)
        bad_files = [p for p in run.incomplete()
                     if p.startswith(name + ".csv:")]
        for p in bad_files:
            out += wrap("INCOMPLETE: " + p)
        out += wrap("%d rows, %d metric(s), reps %s" % (
            nrows, len(bench.metrics),
            ",".join(reps) if len(reps) <= 4
            else "%s..%s (%d)" % (reps[0], reps[-1], len(reps))))
        if bench.bad_lines:
            out.append("warning: %d malformed line(s) ignored"
                       % bench.bad_lines)
        if bench.bad_status:
            out.append("warning: %d row(s) with a status outside the "
                       "vocabulary" % bench.bad_status)
        cfg = BENCH.get(name, {})
        where = None
        if cfg.get("table_filter") and cfg["table_filter"][0] in bench.params:
            where = {cfg["table_filter"][0]: cfg["table_filter"][1]}
        prim = []
        for m in cfg.get("primary", []):
            alts = m if isinstance(m, tuple) else (m,)
            alts = [a for a in alts if a in bench.metrics]
            if alts:
                prim.append(pick_metric(bench, alts, where))
        if not prim and "pivot" not in cfg:
            prim = bench.metrics[:2]
        baseline = baselines.get(name, cfg.get("baseline"))
        notes = {"na": 0, "minn": 10 ** 9, "pairs": set(),
                 "partial": set(), "flags": set(), "crossed": set()}
        shown = []
        groups = [prim] if cfg.get("combine") else [[m] for m in prim]
        for pm in cfg.get("pivot", []):
            t = workload_table(bench, pm)
            out += t
            if t:
                shown.append(pm)
        for g in groups:
            t = metric_table(bench, g, where, baseline, notes,
                             cfg.get("pool", ()))
            if t:
                out += t
                shown += g
        if notes["minn"] < 9:
            worst = min(notes["pairs"], key=lambda p: min_exact_p(*p))
            out += wrap("note: fewer than 9 repetitions (smallest n=%d): "
                        "the U test is weak; with n=%d vs %d the smallest "
                        "possible p is %.3f." % (notes["minn"], worst[0],
                                                 worst[1],
                                                 min_exact_p(*worst)))
        if notes["flags"]:
            out += wrap("flags: m multiplexed, e estimated, d derived, "
                        "f flagged (%s)" % ", ".join(sorted(notes["flags"])))
        if notes["crossed"]:
            out += wrap("b: the backing obtained differs from the base "
                        "row's (%s): the comparison crosses backings."
                        % ", ".join(sorted(c.strip() for c in
                                           notes["crossed"])))
        if notes["partial"]:
            out += wrap("NA reps: " + "; ".join(sorted(notes["partial"])))
        zero = [m for m in run.must_be_zero(name)
                if m in bench.metrics]
        for m in zero:
            out += zero_table(bench, m)
        shown += zero
        out += other_metrics(bench, shown)
        for m in run.must_be_zero(name):
            if m not in bench.metrics:
                out += wrap("%s: NOT EMITTED (an invariant this report "
                            "checks on every run)" % m)
                continue
            vals = [s["value"] for v in
                    (bench.samples[k] for k in bench.samples
                     if k[1] == m) for s in v if s["value"] is not None]
            bad = [x for x in vals if x]
            # no valid value at all: not measured, never "held"
            out.append("%s: %s" % (m, "FAILED: %d rep(s) not 0" % len(bad)
                                   if bad else "NONE (invariant held)"
                                   if vals else "NOT MEASURED (every "
                                   "value NA)"))
        if do_plots:
            first, made = True, []
            for spec in plot_specs(bench):
                fig = gplot.from_spec(spec, run)
                png, txt, msg = gplot.draw(fig, pdir)
                if txt and first:
                    out += text_plot(txt)
                    first = False
                if txt or png:
                    made.append(spec["name"])
                else:
                    out += wrap("plot %s: %s" % (spec["name"], msg))
            if made:
                out += wrap("plots (.png, .txt in plots/): " +
                            ", ".join(made))
    if do_plots and os.environ.get("PCPU_NO_FIGURES") == "1":
        out += ["", "matplotlib figures: skipped (PCPU_NO_FIGURES=1)"]
    elif do_plots:
        try:
            import figures as mfig
            msg = mfig.make_figures(run, pdir)
        except ImportError as e:
            msg = "skipped, matplotlib not usable: %s" % e
        except Exception as e:  # a figure bug must not lose the report
            msg = "failed: %s: %s" % (type(e).__name__, e)
        out += [""] + wrap("matplotlib figures: " + msg)
    out += reproduce_block(run)
    return out


def atomic_write(path, text):
    write_file(path, text)


def check_baselines(run, baselines):
    """A message for a --baseline naming nothing in the run, or None."""
    for b, (p, v) in baselines.items():
        bench = run.benches.get(b)
        if bench is None:
            return "--baseline %s:%s=%s: no %s rows in %s (benchmarks: " \
                "%s)" % (b, p, v, b, run.name,
                         ", ".join(run.bench_names()) or "none")
        if p not in bench.params:
            return "--baseline %s:%s=%s: %s has no parameter '%s' " \
                "(parameters: %s)" % (b, p, v, b, p,
                                      ", ".join(bench.params))
        vals = bench.values(p)
        if v not in vals:
            return "--baseline %s:%s=%s: no row with %s=%s (values: %s)" \
                % (b, p, v, p, v, ", ".join(vals))
    return None


def writable_dir(path):
    """None if files can be created in path, else the reason."""
    try:
        os.makedirs(path, exist_ok=True)
        probe = os.path.join(path, ".write-test.tmp")
        with open(probe, "w"):
            pass
        os.remove(probe)
        return None
    except OSError as e:
        return "%s: %s" % (path, e.strerror or e)


def main(argv):
    args = argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if args else 2
    d, baselines, do_plots, to_stdout = None, {}, True, False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--baseline":
            if i + 1 >= len(args):
                print("report: --baseline needs BENCH:PARAM=VALUE",
                      file=sys.stderr)
                return 2
            spec = args[i + 1]
            try:
                b, pv = spec.split(":", 1)
                p, v = pv.split("=", 1)
            except ValueError:
                print("report: --baseline wants BENCH:PARAM=VALUE, "
                      "got '%s'" % spec, file=sys.stderr)
                return 2
            baselines[b] = (p, v)
            i += 2
            continue
        if a == "--no-plots":
            do_plots = False
        elif a == "--stdout":
            to_stdout = True
        elif d is None and not a.startswith("-"):
            d = a
        else:
            print("report: unknown argument '%s' (see ./run.sh --help)"
                  % a, file=sys.stderr)
            return 2
        i += 1
    if d is None:
        print("report: give a results directory", file=sys.stderr)
        return 2
    try:
        run = Run(d)
    except NotResults as e:
        print("report: %s" % e, file=sys.stderr)
        return 2
    msg = check_baselines(run, baselines)
    if msg:
        print("report: " + msg, file=sys.stderr)
        return 2
    why = writable_dir(os.path.join(run.path, "plots")) if do_plots \
        else None
    if why:
        print("report: plots not written: %s" % why, file=sys.stderr)
        do_plots = False
    lines = build_report(run, baselines, do_plots)
    if why:
        lines += ["", "plots: not written (%s)" % why]
    long_ = [ln for ln in lines if len(ln) > WIDTH]
    if long_:
        print("report: warning: %d line(s) cut to %d columns"
              % (len(long_), WIDTH), file=sys.stderr)
    text = "\n".join(ln.rstrip()[:WIDTH] for ln in lines) + "\n"
    path = os.path.join(run.path, "report.txt")
    rc = 0
    try:
        atomic_write(path, text)
    except OSError as e:
        print("report: cannot write %s: %s%s" % (
            path, e.strerror or e, " (printed below instead)"
            if to_stdout else " (use ./run.sh report DIR to print it)"),
            file=sys.stderr)
        rc = 1
    if to_stdout:
        sys.stdout.write(text)
    elif not rc:
        print("report: %s" % path)
    return rc


if __name__ == "__main__":
    sys.exit(run_main(main, "report"))
