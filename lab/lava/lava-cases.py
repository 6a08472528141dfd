#!/usr/bin/python3
"""lava-cases - what a results directory reports to a lab: one line per
test case, `NAME RESULT [MEASUREMENT UNITS]`, for lab/lava/pcpubench-lava.sh
to hand to `lava-test-case`.

Usage: lab/lava/lava-cases.py RESULTS_DIR [--reasons]

Test cases, all named from the code, never typed twice:
  finding-invariants     pass when every must-be-zero metric of the run
                         (metrics.json) was emitted and is 0, fail when one
                         is not, skip when the run measured none
  finding-<key>          one per claim of plots/findings.py (its key):
                         pass when the claim could be measured and the
                         invariants held, fail when measured but they did
                         not, skip when this run cannot settle it
  <bench>.<metric>.<condition>.<strategy>
                         the headline figures (HEADLINES below): the
                         median of the rows selected by the condition, the
                         unit from metrics.json; skip when NA or absent
--reasons adds, after a skipped or failed case, or a figure some samples
were left out of, a line `# NAME: why`.

Exit: 0 written; 2 usage; 1 not a results directory.
"""

import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "plots"))
import findings  # noqa: E402
from pcpu_results import NotResults, Run, Stats, is_difference  # noqa: E402

# The headline figures: (bench, metric, condition). The condition's
# values, in order, name the figure; the other parameters are held at
# their preferred values (findings' selection). One figure per strategy.
HEADLINES = (
    ("access", "cycles_per_op",
     (("mode", "path"), ("op", "read"), ("page", "4k"), ("pressure", "0"),
      ("phase", "boot"))),
    ("access", "cycles_per_op",
     (("mode", "latency"), ("op", "read"), ("page", "4k"),
      ("pressure", "0"), ("phase", "boot"))),
    ("mem", "committed_bytes", (("possible", "1024"), ("online", "16"))),
    ("mem", "committed_bytes", (("possible", "1024"), ("online", "2"))),
    ("churn", "online_latency_ns_p50", (("backend", "sim"),)),
    ("churn", "online_latency_ns_p50", (("backend", "sysfs"),)),
    ("churn", "offline_latency_ns_p50", (("backend", "sysfs"),)),
)

NAME_OK = re.compile(r"[^A-Za-z0-9._-]")


def case_name(*parts):
    """A LAVA test case name: letters, digits, . _ - only."""
    return NAME_OK.sub("_", ".".join(p for p in parts if p != ""))


def num(v):
    """A measurement LAVA accepts: a plain decimal number."""
    if v == int(v) and abs(v) < 1e15:
        return "%d" % v
    return "%.6g" % v if "e" not in "%.6g" % v else "%.6f" % v


def figures(run):
    """[(name, median or None, unit, why)] of HEADLINES present in run."""
    out = []
    for bench, metric, cond in HEADLINES:
        b = run.benches.get(bench)
        if b is None or metric not in b.metrics or "strategy" not in b.params:
            continue
        if any(k in b.params and v not in b.values(k) for k, v in cond):
            continue
        per = findings._samples(b, metric, dict(cond), "strategy")
        decl = run.metric_list.find(bench, metric) if run.metric_list \
            else None
        unit = decl["unit"] if decl else ""
        for strat in sorted(per):
            # a flagged sample (disturbed, failing its own check) and a
            # negative value of a metric that is not a difference (a
            # time, a size, a count) are left out, never a figure
            neg = [s for s in per[strat] if s["value"] is not None
                   and s["value"] < 0 and not is_difference(metric)
                   and not s["status"].startswith("flagged")]
            good = [s for s in per[strat]
                    if not s["status"].startswith("flagged")
                    and s not in neg]
            st = Stats(good)
            name = case_name(bench, metric, *[v for _, v in cond], strat)
            left = len(per[strat]) - len(good)
            if st.median is None:
                why = ", ".join(st.na_reasons) or ", ".join(sorted(
                    {s["status"] for s in per[strat]})) or "no value"
                if neg:
                    why += "; %d negative" % len(neg)
            else:
                why = ""
            if left and st.median is not None:
                why = "%d of %d samples left out (%d negative, %d " \
                    "flagged)" % (left, len(per[strat]), len(neg),
                                  left - len(neg))
            out.append((name, st.median, unit, why))
    return out


def cases(run):
    """[(name, result, measurement, unit, why)]."""
    out = []
    inv_ok, inv_line = findings.invariants(run)
    if inv_line is None:
        out.append(("finding-invariants", "skip", None, None,
                    "no must-be-zero metric measured in this run"))
    else:
        out.append(("finding-invariants", "pass" if inv_ok else "fail",
                    None, None, inv_line))
    for c in findings.compute(run):
        why = "; ".join(c.lines[:2]) or c.title
        if not c.settled:
            res = "skip"
        else:
            res = "pass" if inv_ok else "fail"
            if res == "fail":
                why = "invariants: " + (inv_line or "?")
        out.append(("finding-" + c.key, res, None, None, why))
    for name, med, unit, why in figures(run):
        if med is None:
            out.append((name, "skip", None, None, why))
        else:
            out.append((name, "pass", med, unit, why))
    return out


def main(argv):
    args = [a for a in argv[1:] if a != "--reasons"]
    reasons = "--reasons" in argv[1:]
    if len(args) != 1 or args[0].startswith("-"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    try:
        run = Run(args[0])
    except NotResults as e:
        print("lava-cases: %s" % e, file=sys.stderr)
        return 1
    for name, res, meas, unit, why in cases(run):
        line = "%s %s" % (name, res)
        if meas is not None:
            line += " %s %s" % (num(meas), NAME_OK.sub("_", unit or "none"))
        print(line)
        if reasons and why and (res != "pass" or meas is not None):
            print("# %s: %s" % (name, why))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
