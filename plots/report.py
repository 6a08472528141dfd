#!/usr/bin/python3
"""report.py - report.txt and plots for one pcpubench results directory.

usage: /usr/bin/python3 plots/report.py DIR [--baseline BENCH:PARAM=VALUE]
           [--no-plots] [--stdout]

Reads DIR only (meta.json, state, profile, *.csv); never runs a
benchmark. Writes, each file atomically:
  DIR/report.txt          at most 72 columns, ready for a mailing list
  DIR/plots/NAME.png      gnuplot, one per plot
  DIR/plots/NAME.txt      the same plot as plain text (dumb terminal)
  DIR/plots/figures.png   matplotlib multi-panel set (and figures.pdf),
                          skipped with a message without matplotlib
Exit: 0 written, 2 usage error.
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gplot  # noqa: E402
from pcpu_results import (BENCH, OUTCOME, WIDTH, prefer_key, Run, Stats,  # noqa
                          fmt, fmt_diff, fmt_n, fmt_pct, is_difference,
                          mann_whitney, num_key, pick_metric, vkey,
                          plot_specs, rev_clean, shell_wrap, short_status,
                          wrap)

LABEL_W = 34


def min_exact_p(n1, n2):
    return min(1.0, 2.0 / math.comb(n1 + n2, n1)) if n1 and n2 else 1.0


def row_line(label, n, med, rcv, pct, sig, flags):
    nums = "%3s %9s %6s %8s%-2s%s" % (n, med, rcv, pct, sig, flags)
    if len(label) <= LABEL_W:
        return ["%-*s %s" % (LABEL_W, label, nums)]
    return wrap(label) + ["%-*s %s" % (LABEL_W, "", nums)]


def na_line(label, n_na, reasons):
    reason = "; ".join(reasons) or "na"
    head = "%-*s %3s %9s  " % (LABEL_W, label if len(label) <= LABEL_W
                               else "", 0, "NA")
    out = wrap(label) if len(label) > LABEL_W else []
    room = WIDTH - len(head)
    if len(reason) <= room:
        out.append(head + reason)
    else:
        out.append(head.rstrip())
        out += wrap(reason, indent="    ")
    return out


def pooled_samples(bench, metric, where, pool):
    """{point: samples}, pooled parameters replaced by '*'."""
    pidx = [bench.params.index(p) for p in pool if p in bench.params]
    out = {}
    for pt in bench.points(metric, where):
        q = tuple("*" if i in pidx else v for i, v in enumerate(pt))
        out.setdefault(q, []).extend(bench.samples[(pt, metric)])
    return out


def match_baseline(P, vary, bi, bv, bases, pt, outc=()):
    """The baseline point for pt: equal in every varying requested
    parameter (vary) whose value the baseline has at all (a parameter
    that only other strategies use, like cpuid '-', is not matched);
    ties broken by the same outcome (outc: the backing obtained, never
    a reason to refuse a match), then by the preferred value (e.g.
    cpuid=rseq)."""
    basevals = {i: {b[i] for b in bases} for i in vary}
    best, bkey = None, None
    for b in bases:
        ok, exact = True, 0
        for i in vary:
            if i == bi:
                continue
            if b[i] == pt[i]:
                exact += 1
            elif pt[i] in basevals[i]:
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
    names = (["metric"] if multi else []) + [P[i] for i in mvary]
    if outc:
        names.append("[%s]" % " ".join(P[i] for i in outc))
    out += wrap("point = " + " ".join(names))
    if outc:
        out += wrap("[%s] is what was obtained, not asked for: not "
                    "matched on; b = differs from its base row's"
                    % "/".join(P[i] for i in outc))
    spread = "IQR" if len(diffs) == len(per) else \
        "rCV%" if not diffs else "rCV/IQR"
    out.append("%-*s %3s %9s %6s %8s" % (LABEL_W, "point", "n", "median",
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
                      match_baseline(P, mvary, bi, bv, bases, pt, outc))
                 for pt in d} if bi is not None else {pt: None for pt in d}

        def order(pt):
            b = match[pt]
            k = [(1,)] if b is None else \
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
        for pt in sorted(d, key=order):
            st = stats[pt]
            b = match[pt]
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
            label = " ".join(pt[i] for i in mvary) or "(all)"
            if outc:
                label += " [%s]" % "/".join(pt[i] or "-" for i in outc)
            if multi:
                label = ("%s %s" % (m, label)).strip()
            if st.n == 0:
                out += na_line(label, st.n_na, st.na_reasons)
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
                            (" " + flags) if flags else "")
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
    if st.get("status") == "complete" and nfail:
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
    for s in steps:
        msg = s["msg"]
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
            out += shell_wrap(["build/pcpubench"] + ln.split())
    return out


def text_plot(lines):
    return ["", "plot:"] + [ln[:WIDTH] for ln in lines]


def build_report(run, baselines, do_plots):
    out = []
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
    for name in names:
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
        if not prim:
            prim = bench.metrics[:2]
        baseline = baselines.get(name, cfg.get("baseline"))
        notes = {"na": 0, "minn": 10 ** 9, "pairs": set(),
                 "partial": set(), "flags": set(), "crossed": set()}
        shown = []
        groups = [prim] if cfg.get("combine") else [[m] for m in prim]
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
        zero = [m for m in cfg.get("must_be_zero", [])
                if m in bench.metrics]
        for m in zero:
            out += zero_table(bench, m)
        shown += zero
        out += other_metrics(bench, shown)
        if "lost_updates" in bench.metrics:
            lost = [s["value"] for v in
                    (bench.samples[k] for k in bench.samples
                     if k[1] == "lost_updates") for s in v
                    if s["value"]]
            out.append("lost_updates: %s" % (
                "NONE (invariant held)" if not lost else
                "FAILED: %d rep(s) lost updates" % len(lost)))
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
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def main(argv):
    args = argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if args else 2
    d, baselines, do_plots, to_stdout = None, {}, True, False
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--baseline" and i + 1 < len(args):
            spec = args[i + 1]
            try:
                b, pv = spec.split(":", 1)
                p, v = pv.split("=", 1)
            except ValueError:
                print("report.py: --baseline wants BENCH:PARAM=VALUE, "
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
            print("report.py: unknown argument '%s'" % a, file=sys.stderr)
            return 2
        i += 1
    if d is None or not os.path.isdir(d):
        print("report.py: no results directory '%s'" % d, file=sys.stderr)
        return 2
    run = Run(d)
    if do_plots:
        os.makedirs(os.path.join(run.path, "plots"), exist_ok=True)
    lines = build_report(run, baselines, do_plots)
    long_ = [ln for ln in lines if len(ln) > WIDTH]
    if long_:
        print("report.py: warning: %d line(s) cut to %d columns"
              % (len(long_), WIDTH), file=sys.stderr)
    text = "\n".join(ln.rstrip()[:WIDTH] for ln in lines) + "\n"
    atomic_write(os.path.join(run.path, "report.txt"), text)
    if to_stdout:
        sys.stdout.write(text)
    else:
        print("report: %s" % os.path.join(run.path, "report.txt"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
