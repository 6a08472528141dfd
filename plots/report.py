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
from pcpu_results import (BENCH, WIDTH, Run, Stats, fmt, fmt_pct,  # noqa
                          mann_whitney, num_key, plot_specs, shell_wrap,
                          short_status, wrap)

LABEL_W = 30


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


def metric_table(bench, metric, where, baseline, notes):
    """Lines for one metric: a row per parameter point."""
    pts = bench.points(metric, where)
    if not pts:
        return []
    P = bench.params
    vary = [i for i, p in enumerate(P) if len({pt[i] for pt in pts}) > 1]
    fixed = ["%s=%s" % (P[i], pts[0][i]) for i in range(len(P))
             if i not in vary and pts[0][i] != ""]
    unit = bench.units.get(metric, "")
    out = ["", "-- %s: %s%s" % (bench.name, metric,
                                " (%s)" % unit if unit else "")]
    if fixed:
        out += wrap("fixed: " + " ".join(fixed))
    bp, bv = baseline if baseline else (None, None)
    bi = P.index(bp) if bp in P and P.index(bp) in vary else None
    if bi is not None and not any(pt[bi] == bv for pt in pts):
        bi = None
    stats = {pt: Stats(bench.samples[(pt, metric)]) for pt in pts}

    def gkey(pt):
        return tuple(pt[i] for i in vary if i != bi)

    def order(pt):
        k = [num_key(pt[i]) for i in vary if i != bi]
        if bi is not None:
            k.append((0,) if pt[bi] == bv else (1, num_key(pt[bi])))
        return k
    base = {}
    if bi is not None:
        for pt in pts:
            if pt[bi] == bv:
                base[gkey(pt)] = stats[pt]
        out.append("vs base: against %s=%s at the same point; "
                   "* p<0.05 (U test)" % (bp, bv) if len(
                       "vs base: against %s=%s at the same point; "
                       "* p<0.05 (U test)" % (bp, bv)) <= WIDTH
                   else "vs base: against %s=%s; * p<0.05" % (bp, bv))
    out.append("%-*s %3s %9s %6s %8s" % (LABEL_W, "point", "n", "median",
                                         "rCV%", "vs base"))
    prev = None
    for pt in sorted(pts, key=order):
        st = stats[pt]
        g = gkey(pt)
        if prev is not None and g != prev and len(vary) > 1 and bi is not None:
            out.append("")
        prev = g
        label = " ".join(pt[i] for i in vary) or "(all)"
        if st.n == 0:
            out += na_line(label, st.n_na, st.na_reasons)
            notes["na"] += 1
            continue
        pct, sig = "", ""
        b = base.get(g)
        if bi is not None and pt[bi] == bv:
            pct = "base"
        elif b is not None and b.n and st.n:
            if b.median:
                pct = fmt_pct((st.median - b.median) / abs(b.median) * 100)
            else:
                pct = "-"
            t = mann_whitney(b.vals, st.vals)
            if t and t[1] < 0.05:
                sig = " *"
            notes["minn"] = min(notes["minn"], b.n, st.n)
            notes["pairs"].add((b.n, st.n))
        elif bi is not None:
            pct = "no base"
        flags = "".join(sorted({short_status(f) for f in st.flags}))
        if st.n_na:
            flags += " %dNA" % st.n_na
            notes["partial"].update(st.na_reasons)
        if st.flags:
            notes["flags"].update(st.flags)
        rcv = "%.1f" % st.rcv if st.rcv is not None else "-"
        out += row_line(label, st.n, fmt(st.median), rcv, pct, sig,
                        (" " + flags) if flags else "")
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
    if st.get("status") == "complete":
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
    rev = run.rev()
    prof = run.m("profile", "name")
    label = run.m("label", default="")
    cmd = "./run.sh %s%s" % (prof, " --label %s" % label if label else "")
    out.append("  git checkout %s && %s" % (rev, cmd)
               if len("  git checkout %s && %s" % (rev, cmd)) <= WIDTH
               else "  git checkout %s" % rev)
    if len("  git checkout %s && %s" % (rev, cmd)) > WIDTH:
        out.append("  " + cmd)
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
        prim = [m for m in cfg.get("primary", []) if m in bench.metrics]
        if not prim:
            prim = bench.metrics[:2]
        baseline = baselines.get(name, cfg.get("baseline"))
        notes = {"na": 0, "minn": 10 ** 9, "pairs": set(),
                 "partial": set(), "flags": set()}
        shown = []
        for m in prim:
            t = metric_table(bench, m, where, baseline, notes)
            if t:
                out += t
                shown.append(m)
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
        if notes["partial"]:
            out += wrap("NA reps: " + "; ".join(sorted(notes["partial"])))
        out += other_metrics(bench, shown if where is None else [])
        if "lost_updates" in bench.metrics:
            lost = [s["value"] for v in
                    (bench.samples[k] for k in bench.samples
                     if k[1] == "lost_updates") for s in v
                    if s["value"]]
            out.append("lost_updates: %s" % (
                "NONE (invariant held)" if not lost else
                "FAILED: %d rep(s) lost updates" % len(lost)))
        if do_plots:
            first = True
            for spec in plot_specs(bench):
                fig = gplot.from_spec(spec, run)
                png, txt, msg = gplot.draw(fig, pdir)
                figures.append((spec, fig))
                if txt and first:
                    out += text_plot(txt)
                    first = False
                elif not txt:
                    out += wrap("plot %s: %s" % (spec["name"], msg))
                if txt and not first and spec is not None:
                    out.append("(plots/%s.png, plots/%s.txt)" % (
                        spec["name"], spec["name"]))
    if do_plots:
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
