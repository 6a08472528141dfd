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

The claims are in claims_cost.py (1, 2, 5) and claims_system.py (3, 4,
6, 7), made with claimkit.py; this module orders them, checks the
invariants and prints the block, the side-by-side view and the
agreement line.
"""

import effects
# lab/ and tests/ read these through findings
from claimkit import DISTURBED, Claim, pick_samples  # noqa: F401
from claims_cost import (FLOOR_APART, TLB_MARGIN, claim_deref,
                         claim_strain, claim_tlb)
from claims_system import (claim_hotplug, claim_mem, claim_modules,
                           claim_remote)
from pcpu.fmt import WIDTH, f3, fmt, wrap
from pcpu.labels import STRATEGY_SHORT

MAX_LINES = 32   # a first screen: the findings of every claim, uncut
# The block's invariants line when every one held and their list would
# take more than a line (the list follows the block).
INVARIANTS_HELD = "invariants held: all 0 in every run (which, after the block)"
# lab/ reads the samples of a point as findings._samples
_samples = pick_samples


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


def _put(out, c, i, ln):
    """Line i of claim c into out (whose last line is c's): a condition
    (c.join) on the line before when the two fit in WIDTH, else its own
    line(s)."""
    if i in c.join and len(out[-1]) + 2 + len(ln) <= WIDTH:
        out[-1] += "; " + ln
    else:
        out += wrap(ln, "  ")


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
        if c.disturbed():
            c.add(c.disturbed(), join=True)
    # the verdict words: n.d., and <3% of the claims that declare 3%
    # as their smallest effect of interest (claims 2 and 5)
    out = ["== findings: shift [95%% CI]; %s none beyond CI; %s CI in "
           "+-%g%% ==" % (effects.ND, effects.word("within", TLB_MARGIN),
                          TLB_MARGIN)]
    ok, inv = invariants(run)
    ctx = []
    if inv and ok and len(wrap(inv, "")) > 1:
        # all held: one line here, which and over how many runs after
        out.append(INVARIANTS_HELD)
        ctx += wrap(inv, "  ")
    elif inv:
        out += wrap(inv, "")
    for i, c in enumerate(claims):
        head = "%d %s" % (i + 1, c.title)
        if c.step:
            tag = " [%s]" % c.step
            if len(head) + len(tag) <= WIDTH:
                head += tag
            else:
                c.lines.append("from " + c.step)
        out += wrap(head, "")
        for j, ln in enumerate(c.lines):
            if j in c.more:
                ctx += wrap("%d %s" % (i + 1, ln), "  ")
            else:
                _put(out, c, j, ln)
    # the abbreviations of the block's lines under it; those only the
    # context lines use, under them
    def used(lines, but=()):
        text = " " + " ".join(lines) + " "
        return ["%s %s" % (k, v) for v, k in STRATEGY_SHORT.items()
                if k != v and k not in but and re.search(
                    r"[\s,/(]%s[\s,/)]" % re.escape(k), text)]
    legend = used(out)
    if legend:
        out += wrap("; ".join(legend), "")
    if more is not None and ctx:
        rest = used(ctx, but=[kv.split()[0] for kv in legend])
        more += ["findings, context (claim: figure):"] + ctx + (
            wrap("; ".join(rest), "  ") if rest else [])
    # never cut: a block over MAX_LINES is a design fault the tests catch
    return out


def agreement(per, letters):
    """The agreement line of runs' claims (per: one compute() each):
    'findings agree: 5/6, by interval 6/6; claim 5 differs: hyb
    late-boot cold (A slower, B n.d.; intervals overlap)'. A claim
    agrees when every figure's verdict class (slower, faster, n.d.,
    <D%, few, disturbed) is the same in every run; a claim with no verdict, when
    it is settled in all or in none. By interval: when every figure's
    intervals share a point, whatever the classes (a class that differs
    only because an interval touches 0 or the margin); a figure whose
    intervals are apart is named so, even in one class."""
    agree, agree_iv, diffs = 0, 0, []
    for i in range(len(CLAIMS)):
        cls = [cl[i] for cl in per]
        keys = sorted(set().union(*(c.verdicts for c in cls)))
        bad, differs, apart = [], False, False
        for k in keys:
            vs = [c.verdicts.get(k, "-") for c in cls]
            ov = effects.overlap([c.intervals.get(k) for c in cls])
            if len(set(vs)) > 1:
                differs = True
                apart |= ov is not True
                bad.append("%s (%s%s)" % (k, ", ".join(
                    "%s %s" % (letters(j), v) for j, v in enumerate(vs)),
                    "" if ov is None else "; intervals overlap" if ov
                    else "; intervals apart"))
            elif ov is False:
                apart = True
                bad.append("%s (intervals apart)" % k)
        # a run whose claim asked for a rerun (disturbed samples, an
        # unstable calibration): its verdict is not one to agree with
        asked = [letters(j) for j, c in enumerate(cls)
                 if c.dropped or any("rerun" in ln for ln in c.lines)]
        if bad and asked:
            bad.append("rerun asked in %s" % ",".join(asked))
        if not keys and len({c.settled for c in cls}) > 1:
            differs = apart = True
            bad.append("settled in %s only" % ",".join(
                letters(j) for j, c in enumerate(cls) if c.settled))
        if bad:
            diffs.append("claim %d differs: %s" % (i + 1, "; ".join(bad)))
        agree += not differs
        agree_iv += not apart
    return "findings agree: %d/%d, by interval %d/%d%s%s" % (
        agree, len(CLAIMS), agree_iv, len(CLAIMS),
        "".join("; " + d for d in diffs), _floors_apart(per, letters))


def _floors_apart(per, letters):
    """'; machine floors apart: A 49.8, B 64.5 cyc (+30%): timed claims
    (1, 2, 5) compare unlike machine states, rerun' when the runs'
    machine floors (claims_cost.machine_floor) differ by more than
    FLOOR_APART; '' otherwise or where a run has none."""
    i = CLAIMS.index(claim_tlb)
    fl = [getattr(cl[i], "floor", None) for cl in per]
    if len(fl) < 2 or None in fl or min(fl) <= 0 or \
            max(fl) / min(fl) <= FLOOR_APART:
        return ""
    return "; machine floors apart: %s cyc (%+.0f%%): timed claims (1, 2, " \
        "5) compare unlike machine states, rerun" % (
            ", ".join("%s %s" % (letters(j), f3(v))
                      for j, v in enumerate(fl)),
            (max(fl) / min(fl) - 1) * 100)


def side_by_side(runs, letters):
    """compare: per claim, one line per directory (A: ..., B: ...), and
    the agreement line."""
    per = [compute(r) for r in runs]
    out = ["== findings side by side (shift [95%% CI]; %s no diff beyond"
           " CI) ==" % effects.ND]
    for i in range(len(CLAIMS)):
        out += wrap("%d %s" % (i + 1, per[0][i].title), "")
        for j, cl in enumerate(per):
            # the first two figure lines (no condition, no context)
            figs = [ln for k, ln in enumerate(cl[i].lines)
                    if k not in cl[i].more and k not in cl[i].join]
            fig = "; ".join(figs[:2]) if cl[i].settled else \
                (cl[i].lines[0] if cl[i].lines else "-")
            out += wrap("%s: %s" % (letters(j), fig), "  ")
    out += wrap("; ".join("%s %s" % (k, v) for v, k in STRATEGY_SHORT.items()
                          if k != v), "")
    out += wrap(agreement(per, letters), "")
    return out
