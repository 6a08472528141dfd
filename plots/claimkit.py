"""claimkit - what every claim of the findings is made with: the Claim
(its figure lines, verdicts, step tag, context and condition lines),
the step a figure comes from (chosen by what each step measured, never
by the words of its profile line), and the samples of a point picked
from the rows (the other parameters held at their preferred values),
paired by repetition, with disturbed samples left out.
"""

import effects
from pcpu.stats import Stats, dropped
from pcpu.labels import prefer_key


def why_short(why):
    """A reason, short, for a findings line: its first clause, up to the
    first ': ' outside parentheses ('no /proc/modules: the running
    kernel has no module support' -> 'no /proc/modules'; 'the kernel log
    starts at record 12186, not at boot: the per-CPU boot lines were
    rotated out' -> 'the kernel log starts at record 12186, not at
    boot'). The whole reason stays in the report's sections."""
    depth, quote = 0, False
    for i, ch in enumerate(why or ""):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "'" and (quote or i == 0 or why[i - 1] == " "):
            quote = not quote       # 'percpu: ... rN' is one word
        if ch == ":" and not depth and not quote and \
                why[i + 1:i + 2] in (" ", ""):
            return why[:i]
    return why or "?"


def step_list(ns):
    """Step numbers, runs of three or more as a range: '3-5,7', '9,10'."""
    out, i = [], 0
    while i < len(ns):
        j = i
        while j + 1 < len(ns) and str(ns[j + 1]).isdigit() and \
                str(ns[j]).isdigit() and int(ns[j + 1]) == int(ns[j]) + 1:
            j += 1
        out.append("%s-%s" % (ns[i], ns[j]) if j - i >= 2 else
                   ",".join(str(n) for n in ns[i:j + 1]))
        i = j + 1
    return ",".join(out)


def step_of(run, bench):
    """'step 3-5 access': the ok steps that ran bench, or the bench
    name."""
    ns = [s["n"] for s in run.state["steps"] if s["bench"] == bench
          and s["status"] == "ok"]
    return "step %s %s" % (step_list(ns), bench) if ns else bench


def step_with(run, bench, have=None, lack=None):
    """'step 9,10 numa': the ok steps of bench whose rows hold each value
    of have ({parameter: value}) and none of lack, from what each step
    measured (meta.json steps[].params, written by results-write.py);
    step_of(run, bench) for a directory that does not record it."""
    ns = run.steps_with(bench, have, lack)
    if ns is None:
        return step_of(run, bench)
    return "step %s %s" % (step_list(ns), bench) if ns else bench


def step_meta_values(run, bench, key, have=None):
    """The distinct values of key in the metadata the benchmark wrote
    for its steps of bench whose rows hold have (every step of bench
    when the directory records no step parameters)."""
    ns = run.steps_with(bench, have)
    if ns is None:
        ns = [s["n"] for s in run.state["steps"] if s["bench"] == bench]
    vals = []
    for n in ns:
        try:
            sm = run.step_meta.get("%02d-%s" % (int(n), bench), {})
        except ValueError:
            continue
        v = sm.get(key) if isinstance(sm, dict) else None
        if v not in (None, "") and v not in vals:
            vals.append(v)
    return vals


# A claim that lost disturbed samples (left out of its figures) says so
# in its own lines; one whose figure has no sample left says the first
# in place of "too few samples".
DISTURBED_NONE = "disturbed: rerun"
DISTURBED = "disturbed: %s sample(s) left out (rerun on a quiet machine)"


class Claim:
    def __init__(self, key, title):
        self.key = key
        self.title = title
        self.lines = []           # figure lines (without indent)
        self.step = ""
        self.settled = False
        # what a second run must agree on: {figure name: verdict word
        # (slower, faster, n.d., <3%, few), or "disturbed" (no sample
        # left)}
        self.verdicts = {}
        # and its interval: {figure name: (lo, hi)} (compare's overlap)
        self.intervals = {}
        self.dropped = 0          # disturbed samples left out
        self.floor = None         # the run's machine floor (claim 2)
        # indexes of lines printed after the block, as context; of
        # lines (conditions) that join the line before when they fit
        self.more = set()
        self.join = set()


    def effect(self, name, e, unit="", margin=None):
        """Record e's verdict class (margin: the claim's smallest
        effect of interest) and interval under name; its description
        (in % of the baseline when e has one, else in unit). No effect
        at all in a claim that lost disturbed samples: 'disturbed:
        rerun', not 'too few samples' (the samples were measured, then
        left out)."""
        if e is None and self.dropped:
            # compare's agreement line: "B disturbed", not "B few"
            self.verdicts[name] = "disturbed"
            self.intervals[name] = None
            return DISTURBED_NONE
        self.verdicts[name] = effects.word(
            effects.verdict(e, margin=margin)[0], margin)
        b = effects.bounds(e)
        self.intervals[name] = b[1:] if b else None
        return effects.describe(e, unit, margin=margin)

    def disturbed(self):
        """The claim's mark when it lost disturbed samples (a condition
        line: findings.block adds it), else None."""
        return DISTURBED % self.dropped if self.dropped else None

    def needs(self, run, bench, metric):
        """The benchmark bench of run when it has metric; else None,
        and the claim says it is not measured in this run (needs the
        bench step)."""
        b = run.benches.get(bench)
        if b is None or metric not in b.metrics:
            self.add("not measured in this run (needs the %s step)"
                     % bench)
            return None
        return b

    def add(self, text, more=False, join=False):
        """A figure line; more: context, printed after the block; join:
        a condition, on the line before when it fits there."""
        (self.more if more else self.join if join else set()).add(
            len(self.lines))
        self.lines.append(text)


def pick_samples(bench, metric, where, by):
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


def good_vals(samples):
    return Stats(samples).vals


def by_rep(samples):
    out = {}
    for s in samples:
        out.setdefault(s["rep"], []).append(s)
    return out


def is_good(s):
    return s["value"] is not None and not dropped(s["status"])


def paired(sa, sb):
    """(a, b): the values of two sample lists paired by repetition (in
    file order within one), pairs where both were measured and neither
    was dropped (disturbed)."""
    A, B = by_rep(sa), by_rep(sb)
    a, b = [], []
    for r in A:
        for x, y in zip(A[r], B.get(r, [])):
            if is_good(x) and is_good(y):
                a.append(x["value"])
                b.append(y["value"])
    return a, b


def n_dropped(*lists):
    return sum(1 for ss in lists for s in ss if s["value"] is not None
               and dropped(s["status"]))


def has_value(bench, param, value):
    return bench is not None and param in bench.params and \
        value in bench.values(param)


# ----------------------------------------------------------- the claims

def pct_of(a, b):
    return (a - b) / b * 100 if b else None


def layout_of(b):
    return "layout" if b is not None and "layout" in b.params else \
        "strategy"


def median_of(b, metric, where):
    st = Stats([x for pt in b.points(metric, where)
                for x in b.samples[(pt, metric)]])
    return st.median if st.n else None


def medians_by(b, metric, where, by):
    """{by value: median} of metric over points matching where."""
    return {k: Stats(v).median for k, v in
            pick_samples(b, metric, where, by).items() if Stats(v).n}

