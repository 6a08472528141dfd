#!/usr/bin/python3
"""adapt - a pcpubench results directory in the formats of two other
harnesses kernel developers use.

Usage: lab/adapt.py mmtests|lkp RESULTS_DIR

mmtests  one line per sample, `OPERATION<TAB>SAMPLE<TAB>VALUE`: the
         (operation, sample, value) triples an mmtests Extract module
         collects with addData() from a benchmark's logs, which
         compare-kernels.sh summarises and compares across kernels. A
         sample is a repetition (rep + 1). An NA sample (a counter this
         machine cannot read, with its reason) is a `# ` comment line:
         mmtests has no NA and a 0 would be a lie.
lkp      `KEY: VALUE` lines, as an lkp-tests programs/<name>/parse step
         prints them (one value per key per run; lkp averages across
         runs itself): the median of every point's samples, and per claim
         of the findings `finding.<key>.settled: 0|1`, and
         `invariants.held: 0|1` when the run measured any.

OPERATION and KEY are `<bench>.<metric>` followed by the point's
parameters as `,name=value` in the CSV's column order (the obtained
`backing` column left out): derived from the rows and metrics.json,
stable across runs of one profile.

Exit: 0; 1 not a results directory; 2 usage.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "plots"))
import findings  # noqa: E402
from pcpu_results import NotResults, Run, Stats  # noqa: E402

SKIP_PARAMS = ("backing",)


def num(v):
    return "%d" % v if v == int(v) and abs(v) < 1e15 else "%.6g" % v


def operations(run):
    """(op name, [samples]) of every point of every metric, in order."""
    for name in run.bench_names():
        b = run.benches[name]
        keep = [i for i, p in enumerate(b.params) if p not in SKIP_PARAMS]
        for metric in b.metrics:
            for pt in b.points(metric):
                op = "%s.%s" % (name, metric) + "".join(
                    ",%s=%s" % (b.params[i], pt[i]) for i in keep
                    if pt[i] != "")
                yield op.replace(" ", "_"), b.samples[(pt, metric)]


def mmtests(run):
    out = []
    for op, samples in operations(run):
        for s in sorted(samples, key=lambda s: int(s["rep"] or 0)):
            sample = int(s["rep"] or 0) + 1
            if s["value"] is None:
                out.append("# %s\t%d\tNA\t%s" % (op, sample, s["status"]))
            else:
                out.append("%s\t%d\t%s" % (op, sample, num(s["value"])))
    return out


def lkp(run):
    out = []
    for op, samples in operations(run):
        st = Stats(samples)
        if st.median is not None:
            out.append("%s: %s" % (op, num(st.median)))
    ok, line = findings.invariants(run)
    if line is not None:
        out.append("invariants.held: %d" % (1 if ok else 0))
    for c in findings.compute(run):
        out.append("finding.%s.settled: %d" % (c.key, 1 if c.settled else 0))
    return out


def main(argv):
    if len(argv) != 3 or argv[1] not in ("mmtests", "lkp"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        run = Run(argv[2])
    except NotResults as e:
        print("adapt: %s" % e, file=sys.stderr)
        return 1
    lines = mmtests(run) if argv[1] == "mmtests" else lkp(run)
    sys.stdout.write("".join(ln + "\n" for ln in lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
