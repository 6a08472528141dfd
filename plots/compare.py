#!/usr/bin/python3
"""compare - compare pcpubench results directories, mmtests style.

usage: ./run.sh compare DIR DIR [DIR...] [--baseline N|DIR] [--out OUTDIR]
           [--metric M]... [--no-plots]

Rows are matched by their parameters. A parameter that is fixed within
each directory but differs between them (page=4k in one, page=2m in the
other; a new parameter column one side lacks) is left out of the match
and named above the table. Per metric: a row per point, the baseline
directory's median, then for each other directory its median and the
ratio to the baseline, '*' when a two-sided Mann-Whitney U test gives
p<0.05; a warning when fewer than 9 repetitions make the test weak.
At most 72 columns. Reads only the directories' files, so results
copied from other machines work.

Any number of directories (machines, kernels): the first (or
--baseline) is the base; every other gets a median and a ratio column,
two per table, and the findings of each are printed side by side.
Writes OUTDIR/compare.txt and overlay plots OUTDIR/overlay-BENCH.png and
.txt (default OUTDIR: results/compare_<UTC time>, never overwritten);
prints the text. Exit: 0 ok, 1 cannot write OUTDIR, 2 usage error (one
directory, a directory that is not a results directory, directories of
different results schema versions).
"""

import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import findings  # noqa: E402
import gplot  # noqa: E402
from pcpu.files import atomic_write, run_main  # noqa: E402
from pcpu.fmt import WIDTH, fmt, fmt_diff, wrap  # noqa: E402
from pcpu.labels import vkey, xlabel  # noqa: E402
from pcpu.plotspec import plot_specs  # noqa: E402
from pcpu.read import NotResults, Run  # noqa: E402
from pcpu.rules import OUTCOME  # noqa: E402
from pcpu.stats import Stats, min_exact_p, versus  # noqa: E402
from pcpu.tables import Labels  # noqa: E402

PER_TABLE = 2          # other directories per table (72 columns)


def letters(i):
    return chr(ord("A") + i) if i < 26 else "Z%d" % i


def match_keys(runs, bench):
    """Parameters to match on, and the ones that differ between runs.
    Outcome columns (OUTCOME, the backing obtained) are never matched
    on; samples_by_key() reports them per row."""
    params = []
    for r in runs:
        b = r.benches.get(bench)
        if b:
            for p in b.params:
                if p not in params and p not in OUTCOME:
                    params.append(p)
    single = []
    for r in runs:
        b = r.benches.get(bench)
        d = {}
        if b:
            for p in params:
                vals = set(b.values(p)) if p in b.params else {""}
                d[p] = vals.pop() if len(vals) == 1 else None
        single.append(d)
    differs = {}
    for p in params:
        vs = [s.get(p) for s in single if s]
        if vs and all(v is not None for v in vs) and len(set(vs)) > 1:
            differs[p] = vs
    keys = [p for p in params if p not in differs]
    return keys, differs


def samples_by_key(run, bench, metric, keys, outcomes=None):
    """{key: samples}; outcomes[key] collects the outcome values."""
    b = run.benches.get(bench)
    out = {}
    if not b or metric not in b.metrics:
        return out
    idx = {p: b.params.index(p) for p in b.params}
    oi = [idx[p] for p in OUTCOME if p in idx]
    for pt in b.points(metric):
        k = tuple(pt[idx[p]] if p in idx else "" for p in keys)
        out.setdefault(k, []).extend(b.samples[(pt, metric)])
        if outcomes is not None and oi:
            outcomes.setdefault(k, set()).add(
                "/".join(pt[i] or "-" for i in oi))
    return out


def ratio_cell(base, st, diff, notes):
    """The cell of a directory's median against the baseline's: the
    difference (a difference metric) or the ratio, and '*' for a U test
    p<0.05 (notes count the tests); ('', ' ') without both values, '-'
    for a ratio to a zero median (no test)."""
    v = versus(base, st)
    if v is None:
        return "", " "
    if not diff and v.ratio is None:
        return "-", " "
    notes["minn"] = min(notes["minn"], v.n)
    notes["tests"] += 1
    if diff:
        ratio = fmt_diff(v.diff, 6)
    else:
        ratio = "%.3f" % v.ratio if abs(v.ratio) < 100 else \
            "%.0f" % v.ratio
    return ratio, "*" if v.sig else " "


def table(runs, bench, metric, keys, differs, notes):
    outs = [{} for _ in runs]
    per = [samples_by_key(r, bench, metric, keys, o)
           for r, o in zip(runs, outs)]
    diff = any(r.benches[bench].is_difference(metric) for r in runs
               if bench in r.benches)
    allk = set()
    for d in per:
        allk |= set(d)
    if not allk:
        return []
    vary = [i for i, p in enumerate(keys)
            if len({k[i] for k in allk}) > 1]
    ks = sorted(allk, key=lambda k: [vkey(keys[i], k[i]) for i in vary])
    unit = ""
    for r in runs:
        b = r.benches.get(bench)
        if b and metric in b.units:
            unit = b.units[metric]
            break
    out = [""]
    out += wrap("== %s %s%s ==" % (bench, metric,
                                  " (%s)" % unit if unit else ""))
    fixed = ["%s=%s" % (keys[i], ks[0][i]) for i in range(len(keys))
             if i not in vary and ks[0][i] != ""]
    if fixed:
        out += wrap("fixed: " + " ".join(fixed))
    for p, vs in differs.items():
        out += wrap("differs: %s %s" % (p, " ".join(
            "%s=%s" % (letters(i), v) for i, v in enumerate(vs))))
    if any(outs):
        onames = [p for p in OUTCOME if any(
            p in r.benches[bench].params for r in runs
            if bench in r.benches)]
        out += wrap("[%s] is what was obtained, not matched on; A|B.. "
                    "where the directories got different ones (the "
                    "comparison crosses them)" % "/".join(onames))
    if diff:
        out += wrap("%s is a difference (near 0 or below): diff = median "
                    "minus %s's median%s, not a ratio" % (
                        metric, letters(0), " in %s" % unit if unit
                        else ""))
    others = list(range(1, len(runs)))
    chunks = [others[i:i + PER_TABLE]
              for i in range(0, len(others), PER_TABLE)] or [[]]

    def lrow(k):
        r = [k[i] for i in vary]
        got = [",".join(sorted(o.get(k, ()))) or "-" for o in outs]
        present = [g for g in got if g != "-"]
        if any(outs):
            r.append("[%s]" % (present[0] if len(set(present)) == 1
                               else "|".join(got)) if present else "[-]")
        return r
    lnames = [keys[i] for i in vary] + (["[got]"] if any(outs) else [])
    for ci, chunk in enumerate(chunks):
        if ci:
            out.append("")
        lab = Labels(lnames, [lrow(k) for k in ks],
                     WIDTH - 10 - 18 * len(chunk) - 1)
        LABEL_W = lab.width
        if ci == 0:
            out += lab.legend_lines()
        h1 = "%-*s %9s" % (LABEL_W, "", letters(0))
        h2 = "%-*s %9s" % (LABEL_W, lab.header(), "median")
        for j in chunk:
            h1 += " %9s %6s " % (letters(j), "")
            h2 += " %9s %6s " % ("median", "diff" if diff else "ratio")
        out += [h1.rstrip(), h2.rstrip()]
        gprev = None
        for k in sorted(ks, key=lambda k: [vkey(lnames[g], lrow(k)[g])
                                           for g in lab.groups]):
            g = lab.group_of(lrow(k))
            if g is not None and g != gprev:
                out.append(g)
                gprev = g
            label = lab.label(lrow(k))
            got = [",".join(sorted(o.get(k, ()))) or "-" for o in outs]
            present = [g for g in got if g != "-"]
            if present and len(set(present)) > 1:
                notes["crossed"] = notes.get("crossed", 0) + 1
            base = Stats(per[0].get(k, []))
            cells = "%9s" % (fmt(base.median) if per[0].get(k) else "-")
            reasons = set(base.na_reasons) if not base.n else set()
            for j in chunk:
                d = per[j].get(k)
                if d is None:
                    cells += " %9s %6s " % ("-", "")
                    continue
                st = Stats(d)
                if not st.n:
                    reasons |= set(st.na_reasons)
                ratio, sig = ratio_cell(base, st, diff, notes)
                cells += " %9s %6s%s" % (fmt(st.median), ratio, sig)
            out.append(("%-*s %s" % (LABEL_W, label, cells)).rstrip())
            if reasons:
                notes["na"] |= reasons
    return out


def header(runs, base_note):
    out = ["pcpubench compare: %d result directories; baseline %s%s"
           % (len(runs), letters(0), base_note)]
    for i, r in enumerate(runs):
        out += wrap("%s %s" % (letters(i), r.name), "")
        out.append(r.summary_line())
        st = r.state
        if st["exists"] and st.get("status") != "complete":
            out += wrap("WARNING: %s is INCOMPLETE (%s, %d of %s steps)"
                        % (letters(i), st.get("status", "?"),
                           len(st["steps"]), st["total"]), "    ")
        for p in r.incomplete():
            out += wrap("WARNING: %s is INCOMPLETE: %s" % (letters(i), p),
                        "    ")
        ok, inv = findings.invariants(r)
        if not ok and inv:
            out += wrap("WARNING: %s: %s" % (letters(i), inv), "    ")
        nf = sum(1 for s in st.get("steps", []) if s["status"] == "failed")
        if nf:
            out += wrap("WARNING: %s had %d failed step(s)"
                        % (letters(i), nf), "    ")
        for w in r.warnings:
            out += wrap("warning: " + w, "    ")
    out += wrap("ratio = median / median of %s; * = Mann-Whitney U "
                "p<0.05 (two-sided); - = no such point" % letters(0))
    return out


def overlay(runs, bench, outdir):
    """One plot: the bench's first plot spec, one series per run."""
    base_specs = [s for s in (plot_specs(r.benches[bench])
                              if bench in r.benches else [] for r in runs)]
    first = next((s[0] for s in base_specs if s), None)
    if first is None:
        return None, None, "no plot"
    xs, series, stat = [], [], {}
    for i, specs in enumerate(base_specs):
        spec = next((s for s in specs if s["name"] == first["name"]), None)
        if spec is None:
            continue
        ser = spec["series"][:max(1, 8 // len(runs))]
        for s in ser:
            name = "%s:%s" % (letters(i), "/".join(s) if s else
                              spec["metric"])
            si = len(series)
            series.append(name)
            for x in spec["xs"]:
                if x not in xs:
                    xs.append(x)
            for x in spec["xs"]:
                d = spec["data"].get((s, x))
                if d:
                    stat[(si, xs.index(x))] = Stats(d)
    if first["kind"] == "curve" and first.get("xmode") == "log":
        order = sorted(range(len(xs)), key=lambda i: vkey("", xs[i]))
    else:
        order = sorted(range(len(xs)), key=lambda i: vkey(first["x"],
                                                          xs[i]))
    remap = {old: new for new, old in enumerate(order)}
    xs = [xs[i] for i in order]
    stat = {(si, remap[xi]): v for (si, xi), v in stat.items()}
    fig = {"name": "overlay-" + bench, "kind": first["kind"], "xs": xs,
           "series": series, "stat": stat,
           "title": "compare: " + first["title"],
           "sub": " ".join("%s=%s" % (letters(i), r.name)
                           for i, r in enumerate(runs))[:120],
           "foot": " | ".join("%s: %s" % (letters(i), r.footer())
                              for i, r in enumerate(runs))[:200],
           "ylab": "%s (%s)" % (first["metric"], first["unit"])
           if first.get("unit") else first["metric"],
           "xlab": xlabel(first["x"]),
           "xmode": first.get("xmode", "index"), "marks": []}
    return gplot.draw(fig, outdir)


def new_outdir(root):
    # results/ of the checkout, or PCPU_RESULTS as for run.sh
    base = os.path.join(os.environ.get("PCPU_RESULTS") or
                        os.path.join(root, "results"), "compare_" +
                        datetime.datetime.utcnow().strftime(
                            "%Y-%m-%dT%H%M%S"))
    d, n = base, 1
    while True:
        try:
            os.makedirs(d)
            return d
        except FileExistsError:
            n += 1
            d = "%s-%d" % (base, n)


def main(argv):
    args = argv[1:]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if args else 2
    dirs, base, outdir, metrics, do_plots = [], None, None, [], True
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--baseline", "--out", "--metric"):
            if i + 1 >= len(args):
                print("compare: %s needs a value" % a, file=sys.stderr)
                return 2
            v = args[i + 1]
            if a == "--baseline":
                base = v
            elif a == "--out":
                if not v:
                    print("compare: --out needs a directory (got an empty "
                          "name)", file=sys.stderr)
                    return 2
                outdir = v
            else:
                metrics.append(v)
            i += 2
            continue
        if a == "--no-plots":
            do_plots = False
        elif a.startswith("-"):
            print("compare: unknown option '%s'" % a, file=sys.stderr)
            return 2
        else:
            dirs.append(a)
        i += 1
    if len(dirs) < 2:
        print("compare: give at least two results directories (got %d)"
              % len(dirs), file=sys.stderr)
        return 2
    bi = 0
    if base is not None:
        if base.isdigit() and 1 <= int(base) <= len(dirs):
            bi = int(base) - 1
        else:
            ab = [os.path.abspath(d) for d in dirs]
            if os.path.abspath(base) not in ab:
                print("compare: --baseline wants a number 1..%d or one of "
                      "the directories" % len(dirs), file=sys.stderr)
                return 2
            bi = ab.index(os.path.abspath(base))
    dirs = [dirs[bi]] + dirs[:bi] + dirs[bi + 1:]
    runs = []
    for d in dirs:
        try:
            runs.append(Run(d))
        except NotResults as e:
            print("compare: %s" % e, file=sys.stderr)
            return 2
    schemas = [r.schema() or "none" for r in runs]
    if len(set(schemas)) > 1:
        print("compare: the directories have different results schema "
              "versions (%s); compare results of one schema" % ", ".join(
                  "%s %s" % (r.name, sc) for r, sc in zip(runs, schemas)),
              file=sys.stderr)
        return 2
    lines = header(runs, "" if bi == 0 else " (--baseline)")
    lines += [""] + findings.side_by_side(runs, letters)
    notes = {"minn": 10 ** 9, "tests": 0, "na": set()}
    benches = []
    for r in runs:
        for b in r.bench_names():
            if b not in benches:
                benches.append(b)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        if do_plots and outdir is None:
            outdir = new_outdir(root)
        elif outdir:
            os.makedirs(outdir, exist_ok=True)
    except OSError as e:
        print("compare: cannot create %s: %s" % (
            getattr(e, "filename", None) or outdir, e.strerror or e),
            file=sys.stderr)
        return 1
    for b in benches:
        keys, differs = match_keys(runs, b)
        ms = metrics or []
        first = next(r.benches[b] for r in runs if b in r.benches)
        if not ms:
            for alts in first.headlines():
                ms += [a for a in alts if any(
                    a in r.benches[b].metrics for r in runs
                    if b in r.benches)][:1]
        if not ms:
            ms = runs[0].benches[b].metrics[:2] if b in runs[0].benches \
                else []
        missing = [letters(i) for i, r in enumerate(runs)
                   if b not in r.benches]
        for m in ms:
            t = table(runs, b, m, keys, differs, notes)
            lines += t
        if missing and ms:
            lines += wrap("%s: no data in %s" % (b, ", ".join(missing)))
        if do_plots:
            try:
                png, txt, msg = overlay(runs, b, outdir)
            except OSError as e:
                print("compare: plots not written: %s: %s" % (
                    getattr(e, "filename", None) or outdir,
                    e.strerror or e), file=sys.stderr)
                do_plots, txt = False, None
            if txt:
                lines += [""] + txt
    lines.append("")
    if notes["minn"] < 9:
        n = notes["minn"]
        lines += wrap("warning: fewer than 9 repetitions (smallest n=%d): "
                      "the U test is weak; at n=%d vs %d no difference "
                      "can reach p<0.05 below p=%.3f." % (
                          n, n, n, min_exact_p(n, n)))
    if notes["na"]:
        lines += wrap("NA: " + "; ".join(sorted(notes["na"])))
    if notes["tests"] == 0:
        lines.append("no point was present in both the baseline and "
                     "another directory")
    text = "\n".join(ln.rstrip()[:WIDTH] for ln in lines) + "\n"
    sys.stdout.write(text)
    if outdir:
        path = os.path.join(outdir, "compare.txt")
        try:
            atomic_write(path, text)
        except OSError as e:
            print("compare: cannot write %s: %s" % (path, e.strerror or e),
                  file=sys.stderr)
            return 1
        print("compare: wrote %s" % outdir, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(run_main(main, "compare"))
