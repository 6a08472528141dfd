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

import os
import sys
import textwrap

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import findings  # noqa: E402
import gplot  # noqa: E402
import kfacts  # noqa: E402
from pcpu.files import atomic_write, run_main  # noqa: E402
from pcpu.fmt import WIDTH, shell_wrap, wrap  # noqa: E402
from pcpu.labels import num_key  # noqa: E402
from pcpu.plotspec import pick_metric, plot_specs  # noqa: E402
from pcpu.read import NotResults, Run, profile_lines, rev_clean  # noqa: E402
from pcpu.rules import BENCH  # noqa: E402
from pcpu.stats import min_exact_p  # noqa: E402
from pcpu.tables import (metric_table, other_metrics,  # noqa: E402
                         workload_table, zero_table)


def quiet_note(run, step):
    """'12.3 s; disturbed 12/3400 batches, 0 samples dropped' from the
    step's measure_seconds and quiet_* metadata (bench-quiet.h); the
    disturbed part for every step that judged its batches, 0 of them
    disturbed too (a step without it was not judged)."""
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
        if b:
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
        # a long note continues under the status, not under the number
        line = "  %3s %-7s " % (s["n"], s["bench"])
        out += textwrap.wrap("%s%s" % (s["status"], (": " + msg) if msg
                                       else ""), width=WIDTH,
                             initial_indent=line,
                             subsequent_indent=" " * (len(line) + 2),
                             break_on_hyphens=False)
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
    lines = [ln for ln in profile_lines(run.path) if not ln.startswith("@")]
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


def bench_head(run, name, bench):
    """The lines under '== BENCH ==' before its tables: its steps that
    did not run ok, incomplete data, rows, metrics and repetitions."""
    out = []
    for s in run.state["steps"]:
        if s["bench"] == name and s["status"] != "ok":
            out += wrap("step %s %s%s" % (s["n"], s["status"],
                                          (": " + s["msg"]) if s["msg"]
                                          else ""))
    if bench is None or not bench.metrics:
        return out + ["no data"]
    nrows = sum(len(v) for v in bench.samples.values())
    reps = sorted({s["rep"] for v in bench.samples.values() for s in v},
                  key=num_key)
    for p in run.incomplete():
        if p.startswith(name + ".csv:"):
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
    return out


def table_notes(notes):
    """The notes under a benchmark's tables: weak U test, flags,
    crossed backings, NA repetitions."""
    out = []
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
    return out


def bench_tables(run, name, bench, baselines):
    """A benchmark's tables: its pivots, its headline metrics (declared
    in metrics.json; the first two metrics when it declares none), the
    notes, its invariants and the other metrics. (lines, shown)"""
    cfg = BENCH.get(name, {})
    where = None
    if cfg.get("table_filter") and cfg["table_filter"][0] in bench.params:
        where = {cfg["table_filter"][0]: cfg["table_filter"][1]}
    prim = []
    for alts in bench.headlines():
        alts = [a for a in alts if a in bench.metrics]
        if alts:
            prim.append(pick_metric(bench, alts, where))
    pivots = [m for g in bench.headlines(pivot=True) for m in g]
    if not prim and not pivots:
        prim = bench.metrics[:2]
    baseline = baselines.get(name, cfg.get("baseline"))
    notes = {"na": 0, "minn": 10 ** 9, "pairs": set(),
             "partial": set(), "flags": set(), "crossed": set()}
    out, shown = [], []
    groups = [prim] if cfg.get("combine") else [[m] for m in prim]
    for pm in pivots:
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
    out += table_notes(notes)
    zero = [m for m in run.must_be_zero(name) if m in bench.metrics]
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
    return out


def bench_plots(run, bench, pdir):
    """A benchmark's plots (gnuplot); the first as text in the report."""
    out, first, made = [], True, []
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
        out += wrap("plots (.png, .txt in plots/): " + ", ".join(made))
    return out


def figures_line(run, pdir):
    """The matplotlib set, drawn, or why not."""
    if os.environ.get("PCPU_NO_FIGURES") == "1":
        return ["", "matplotlib figures: skipped (PCPU_NO_FIGURES=1)"]
    try:
        import figures as mfig
        msg = mfig.make_figures(run, pdir)
    except ImportError as e:
        msg = "skipped, matplotlib not usable: %s" % e
    except Exception as e:  # a figure bug must not lose the report
        msg = "failed: %s: %s" % (type(e).__name__, e)
    return [""] + wrap("matplotlib figures: " + msg)


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
        out += bench_head(run, name, bench)
        if bench is None or not bench.metrics:
            continue
        out += bench_tables(run, name, bench, baselines)
        if do_plots:
            out += bench_plots(run, bench, pdir)
    if do_plots:
        out += figures_line(run, pdir)
    out += reproduce_block(run)
    return out


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
