"""pcpu.read - one pcpubench results directory, read once: meta.json,
state, metrics.json (the metric list of the binary that wrote it), each
step's own metadata and the tidy CSVs, into a Run whose benchmarks
(Bench) hold every sample per (point, metric). This module only reads:
it never runs a benchmark, and it refuses what is not a results
directory (NotResults).
"""

import csv
import math
import os
import re

from .files import MAX_JSON, load_json, read_bounded
from .fmt import WIDTH
from .labels import ORDER, vkey
from .rules import LEGACY_ZERO, is_difference, legacy_label, legacy_report
from .tidy import (NOT_BENCH_CSV, STATUS_RE, TAIL, params_of, text_lines,
                   tidy_rows)


def rev_clean(rev):
    """(clean revision, dirty?) from a recorded revision 'abc123-dirty'."""
    rev = str(rev)
    if rev.endswith("-dirty"):
        return rev[:-len("-dirty")], True
    return rev, False


def to_float(s):
    try:
        v = float(s)
    except (TypeError, ValueError):
        return None
    if math.isnan(v) or math.isinf(v):
        return None
    return v



class Bench:
    """All rows of one benchmark: params, and samples per (point, metric)."""

    def __init__(self, name):
        self.name = name
        self.params = []          # parameter columns, in file order
        self.samples = {}         # (point tuple, metric) -> [sample dict]
        self.units = {}           # metric -> unit
        self.metrics = []         # metric names, in file order
        self.bad_lines = 0
        self.bad_status = 0
        # (point, metric, rep) -> value: a row repeated exactly (the
        # same parameters, rep, metric and value) is one sample, not two
        self.seen = {}
        self.dups = 0           # exact repeats dropped (numeric values)
        self.reruns = 0         # same key, another value: kept
        self.insane = []        # (metric, value, why) refused values
        # report attributes {metric: {headline, pivot, difference,
        # label}} from metrics.json (Run sets them); None: a directory
        # whose list has none (pcpu.rules.LEGACY_*)
        self.report = None

    def attrs(self, metric):
        """How the report shows metric: {headline (0: none, else the
        rank of its table), pivot, difference, label}."""
        rep = self.report if self.report is not None else \
            legacy_report(self.name)
        a = rep.get(metric)
        if a is None:
            legacy = self.report is None
            a = {"headline": 0, "pivot": False,
                 "label": legacy_label(metric) if legacy else None,
                 "difference": legacy and is_difference(metric)}
        return a

    def is_difference(self, metric):
        """A difference metric: shown as median minus the base's, with
        the IQR, never as a ratio or percentage."""
        return bool(self.attrs(metric).get("difference"))

    def label(self, metric):
        """The metric's short label, else its name."""
        return self.attrs(metric).get("label") or metric

    def headlines(self, pivot=False):
        """The headline tables (or pivot tables) in their declared
        order: a list of groups of alternatives (the first with a value
        is tabled: cycles_per_op, else ns_per_op)."""
        rep = self.report if self.report is not None else \
            legacy_report(self.name)
        ranks = {}
        for m, a in rep.items():
            if a.get("headline") and bool(a.get("pivot")) == pivot:
                ranks.setdefault(a["headline"], []).append(m)
        return [ranks[r] for r in sorted(ranks)]

    def add_columns(self, cols):
        for c in cols:
            if c not in self.params:
                self.params.append(c)

    def add(self, params, rep, metric, value, unit, status):
        point = tuple(params.get(p, "") for p in self.params)
        key = (point, metric)
        st = status or "ok"
        if not STATUS_RE.fullmatch(st):
            self.bad_status += 1
        if not st.startswith("na") and str(value).strip().lower() in (
                "nan", "inf", "-inf", "infinity", "-infinity", "+inf"):
            self.insane.append((metric, value, "not finite"))
        v = None if st.startswith("na") else to_float(value)
        if v is None and not st.startswith("na"):
            st = "na:value not a number (%s)" % (value or "empty")
        dk = (point, metric, rep)
        if dk in self.seen:
            if self.seen[dk] == v:
                if v is not None:
                    self.dups += 1
                return          # an exact repeat: counted once
            self.reruns += 1
        self.seen[dk] = v
        self.samples.setdefault(key, []).append(
            {"rep": rep, "value": v, "status": st})
        if metric not in self.units:
            self.units[metric] = unit
            self.metrics.append(metric)

    def finish(self):
        """Pad points to the final parameter list (columns can grow)."""
        n = len(self.params)
        fixed = {}
        for (point, metric), s in self.samples.items():
            point = point + ("",) * (n - len(point))
            fixed.setdefault((point, metric), []).extend(s)
        self.samples = fixed

    def values(self, param):
        i = self.params.index(param)
        vals = {p[i] for p, _ in self.samples}
        return sorted(vals, key=lambda v: vkey(param, v))

    def varying(self, metric=None, where=None):
        out = []
        for i, p in enumerate(self.params):
            vals = {pt[i] for pt, m in self.samples
                    if (metric is None or m == metric)
                    and match(self, pt, where)}
            if len(vals) > 1:
                out.append(p)
        return out

    def points(self, metric, where=None):
        pts = [pt for pt, m in self.samples
               if m == metric and match(self, pt, where)]
        return sorted(pts, key=lambda pt: [vkey(p, x) for p, x in
                                           zip(self.params, pt)])


def match(bench, point, where):
    if not where:
        return True
    for k, v in where.items():
        if k in bench.params and point[bench.params.index(k)] != v:
            return False
    return True


def read_csv_file(path, benches, warnings, problems=None):
    """Rows of one tidy CSV into benches; problems gets (file, reason)
    for what makes the file incomplete (empty, invalid UTF-8, no header,
    malformed lines). (The name a problem is filed under is the last
    benchmark read once a row was, as it always was.)"""
    if problems is None:
        problems = []
    name = os.path.basename(path)
    lines = text_lines(path, problems)
    nrows = [0, 0]                # good, malformed
    for kind, header, d in tidy_rows(lines):
        if kind == "bad-header":
            warnings.append("%s: header does not end with %s"
                            % (os.path.basename(path), ",".join(TAIL)))
            continue
        if kind == "malformed":
            nrows[1] += 1
            if header is not None:
                b = benches.get(d[0])
                if b:
                    b.bad_lines += 1
                else:
                    warnings.append("%s: malformed line"
                                    % os.path.basename(path))
            continue
        if d["rep"] and not d["rep"].isdigit():
            nrows[1] += 1       # a garbage rep: not a sample
            continue
        nrows[0] += 1
        name = d["bench"]
        b = benches.get(name)
        if b is None:
            b = benches[name] = Bench(name)
        params = params_of(header)
        b.add_columns(params)
        b.add({p: d[p] for p in params}, d["rep"], d["metric"],
              d["value"], d["unit"], d["status"])
    if lines and not nrows[0] and not any(n == name for n, _ in problems):
        problems.append((name, "no data rows"))
    if nrows[1]:
        problems.append((name, "%d malformed line(s) ignored" % nrows[1]))


class NotResults(Exception):
    """A directory that is not a pcpubench results directory."""


# What a results directory without metrics.json (written before schema 2)
# is checked against: the invariants only, no metric names.
class MetricList:
    """metrics.json of a results directory: `pcpubench list --metrics
    --format json` of the binary that wrote it (lib/toolkit/pcpu-metrics.h)."""

    def __init__(self, data):
        self.exact, self.pats = {}, []
        for m in data["metrics"]:
            if "<" in m["metric"]:
                rx = re.escape(m["metric"]).replace("\\<", "<") \
                    .replace("\\>", ">")
                rx = re.sub(r"<[a-z]+>", "[A-Za-z0-9_.:-]+", rx)
                self.pats.append((m["bench"], re.compile(rx + r"\Z"), m))
            else:
                self.exact[(m["bench"], m["metric"])] = m

    def find(self, bench, metric):
        """The declaration (exact name, else the longest pattern), or
        None."""
        m = self.exact.get((bench, metric))
        if m:
            return m
        cands = [p[2] for p in self.pats
                 if p[0] == bench and p[1].match(metric)]
        return max(cands, key=lambda x: len(x["metric"])) if cands \
            else None

    def zero(self, bench):
        return [m["metric"] for (b, _), m in self.exact.items()
                if b == bench and m["zero"]]

    def report(self, bench):
        """{metric: report attributes} of bench's declared names, or
        None when this list has none (written before they existed)."""
        if not any("headline" in m for m in self.exact.values()):
            return None
        return {m["metric"]: {k: m.get(k) for k in ("headline", "pivot",
                                                     "difference",
                                                     "label")}
                for (b, _), m in self.exact.items() if b == bench}


def is_results_dir(path):
    """A results directory has run.sh's state or meta.json."""
    return os.path.isdir(path) and (
        os.path.isfile(os.path.join(path, "state")) or
        os.path.isfile(os.path.join(path, "meta.json")))


class Run:
    """One results directory."""

    def __init__(self, path):
        if not os.path.isdir(path):
            raise NotResults("%s: no such directory" % path)
        if not is_results_dir(path):
            raise NotResults("%s: not a results directory (no state or "
                             "meta.json; make one with ./run.sh)" % path)
        self.path = os.path.abspath(path)
        self.name = os.path.basename(self.path.rstrip("/"))
        self.warnings = []
        # (file, reason): what makes a step's data incomplete
        self.problems = []
        self.meta = {}
        mp = os.path.join(path, "meta.json")
        if os.path.exists(mp):
            try:
                self.meta = load_json(mp)
            except (OSError, ValueError) as e:
                self.warnings.append("meta.json unreadable: %s" % e)
        else:
            self.warnings.append("no meta.json")
        self.state = read_state(os.path.join(path, "state"))
        self.benches = {}
        try:
            names = sorted(os.listdir(path))
        except OSError as e:
            raise NotResults("%s: cannot list: %s" % (path, e.strerror))
        for fn in names:
            if fn.endswith(".csv") and fn not in NOT_BENCH_CSV:
                try:
                    read_csv_file(os.path.join(path, fn), self.benches,
                                  self.warnings, self.problems)
                except OSError as e:
                    self.problems.append((fn, "unreadable: %s"
                                          % (e.strerror or e)))
                except csv.Error as e:
                    self.problems.append((fn, "not CSV: %s" % e))
        for b in self.benches.values():
            b.finish()
            if b.dups:
                self.warnings.append(
                    "%s: %d row(s) repeat another exactly (parameters, rep, "
                    "metric, value): counted once" % (b.name, b.dups))
            if b.reruns:
                self.warnings.append(
                    "%s: %d row(s) repeat another's parameters, rep and "
                    "metric with another value (the same point run twice "
                    "or tampered data)" % (b.name, b.reruns))
        self.metric_list = None
        lp = os.path.join(path, "metrics.json")
        if os.path.exists(lp):
            try:
                self.metric_list = MetricList(load_json(lp))
            except (OSError, ValueError, KeyError, TypeError) as e:
                raise NotResults("%s: metrics.json unreadable: %s"
                                 % (path, e))
            for name in sorted(self.benches):
                for m in sorted(self.benches[name].metrics):
                    if not self.metric_list.find(name, m):
                        raise NotResults(
                            "%s: %s metric '%s' is not in its metrics.json "
                            "(the list of the binary that wrote it)"
                            % (path, name, m))
            for name, b in self.benches.items():
                b.report = self.metric_list.report(name)
            self._check_values()
        else:
            self.warnings.append("no metrics.json: metric names not "
                                 "checked")
        # each step's own metadata: raw/NN-BENCH.csv.meta.json, else the
        # copy in meta.json
        self.step_meta = read_step_meta(path)
        if not self.step_meta and isinstance(self.meta, dict) and \
                isinstance(self.meta.get("step_meta"), dict):
            self.step_meta = self.meta["step_meta"]
        # what each step measured: {step number: {parameter: values}}
        # (results-write.py from the step's own CSV); None when the
        # directory was written before it was recorded
        steps = self.meta.get("steps") if isinstance(self.meta, dict) \
            else None
        self.step_params = {
            str(s["n"]): s["params"] for s in steps
            if isinstance(s, dict) and isinstance(s.get("params"), dict)
        } if isinstance(steps, list) else {}
        if not self.step_params:
            self.step_params = None
        # a step recorded ok whose benchmark has no CSV (or no rows)
        for s in self.state["steps"]:
            if s["status"] != "ok":
                continue
            fn = s["bench"] + ".csv"
            # the guest step writes kfacts and kernel-numa rows
            if s["bench"] == "guest" and ("kfacts" in self.benches or
                                          "kernel-numa" in self.benches):
                continue
            # a kernel step writes kernel-access, -numa or -churn rows
            if s["bench"] == "kernel" and any(
                    b.startswith("kernel-") for b in self.benches):
                continue
            if s["bench"] not in self.benches and \
                    not any(p[0] == fn for p in self.problems):
                self.problems.append((fn, "missing (step %s ran ok)"
                                      % s["n"]))

    def _check_values(self):
        """Units against metrics.json; values against what their unit
        can hold (finite, below 1e18, bytes >= 0 unless a difference,
        a fraction in [0, 1]). A value failing is flagged and left out
        of every figure, and said in a warning."""
        for name in sorted(self.benches):
            b = self.benches[name]
            for m in b.metrics:
                d = self.metric_list.find(name, m)
                if d and b.units.get(m) != d.get("unit"):
                    self.problems.append((name + ".csv", "metric %s: unit "
                                          "'%s', metrics.json declares '%s'"
                                          % (m, b.units.get(m),
                                             d.get("unit"))))
            bad = {}
            for (pt, m), ss in b.samples.items():
                unit = b.units.get(m)
                for s in ss:
                    v, why = s["value"], None
                    if v is None:
                        continue
                    if abs(v) > 1e18:
                        why = "beyond 1e18"
                    elif unit == "bytes" and v < 0 and \
                            not b.is_difference(m):
                        why = "negative bytes"
                    elif unit == "fraction" and not -1e-9 <= v <= 1 + 1e-9:
                        why = "a fraction outside [0, 1]"
                    if why:
                        s["value"], s["status"] = None, "flagged:" + why
                        bad.setdefault(m, []).append(why)
            for m, whys in sorted(bad.items()):
                self.warnings.append("%s %s: %d value(s) refused (%s); "
                                     "left out" % (name, m, len(whys),
                                                   whys[0]))
            for m, v, why in b.insane:
                self.warnings.append("%s %s: value '%s' %s; left out"
                                     % (name, m, v, why))

    def steps_with(self, bench, have=None, lack=None):
        """The numbers (str) of the steps of bench that ran ok and whose
        rows hold each value of have ({parameter: value}) and none of
        lack; None when the directory records no step parameters."""
        if self.step_params is None:
            return None
        out = []
        for s in self.state["steps"]:
            p = self.step_params.get(s["n"])
            if s["bench"] != bench or s["status"] != "ok" or p is None:
                continue
            if all(v in p.get(k, ()) for k, v in (have or {}).items()) \
                    and not any(v in p.get(k, ())
                                for k, v in (lack or {}).items()):
                out.append(s["n"])
        return out

    def must_be_zero(self, bench):
        """The invariants of @bench: its must-be-zero metrics from
        metrics.json (LEGACY_ZERO for a directory without one)."""
        if self.metric_list:
            return self.metric_list.zero(bench)
        return LEGACY_ZERO.get(bench, [])

    def schema(self):
        return self.meta.get("schema") if isinstance(self.meta, dict) \
            else None

    def incomplete(self):
        """One line per problem: 'access.csv: empty file'."""
        return ["%s: %s" % p for p in self.problems]

    def bench_names(self):
        names = [b for b in ORDER if b in self.benches]
        names += sorted(b for b in self.benches if b not in ORDER)
        return names

    def label(self):
        return self.meta.get("label") or self.name

    def m(self, *keys, default="unknown"):
        d = self.meta
        for k in keys:
            if not isinstance(d, dict) or k not in d:
                return default
            d = d[k]
        return d if d not in (None, "") else default

    def host(self):
        return self.m("host", "hostname")

    def kernel(self):
        return self.m("host", "kernel")

    def rev(self):
        return self.m("git", "revision")

    def summary_line(self):
        """One-line machine summary, at most WIDTH columns."""
        h = self.meta.get("host", {}) if isinstance(self.meta, dict) else {}
        cpu = str(h.get("cpu_model", "unknown CPU"))
        cpu = re.sub(r"\((R|TM)\)|CPU |Processor", "", cpu)
        cpu = re.sub(r"\s+", " ", cpu).strip()
        parts = [self.host() + ":", cpu + ",",
                 "%s CPUs/%s node%s," % (h.get("cpus_online", "?"),
                                         h.get("numa_nodes", "?"),
                                         "" if h.get("numa_nodes") == 1
                                         else "s"),
                 "%s," % self.kernel(),
                 "rev %s" % self.rev().replace("-dirty", "+")]
        line = " ".join(parts)
        if len(line) > WIDTH:
            room = WIDTH - (len(line) - len(cpu))
            if room < 8:
                parts.pop(1)
            else:
                parts[1] = cpu[:room - 2].rstrip() + "~,"
            line = " ".join(parts)[:WIDTH]
        return line

    def footer(self):
        return "%s, Linux %s, rev %s" % (self.host(), self.kernel(),
                                         self.rev())


def parse_state(lines):
    """run.sh's state file: 'key value' lines, 'step N STATUS BENCH
    [msg]' per finished step and 'steprev N REVISION SHA256' (the binary
    a step ran with). Returns ({key: value}, [step dict], {N: (revision,
    sha256)}); step numbers stay strings."""
    kv, steps, revs = {}, [], {}
    for ln in lines:
        if not ln.strip() or ln.startswith("#"):
            continue
        parts = ln.split(None, 4)
        if parts[0] == "step" and len(parts) >= 4:
            steps.append({"n": parts[1], "status": parts[2],
                          "bench": parts[3],
                          "msg": parts[4] if len(parts) > 4 else ""})
        elif parts[0] == "steprev" and len(parts) >= 4:
            revs[parts[1]] = (parts[2], parts[3])
        elif len(parts) >= 2:
            kv[parts[0]] = ln.split(None, 1)[1]
    return kv, steps, revs


def read_state(path):
    """The state file of a results directory for the readers: its keys,
    "steps", "exists", "status" (unknown without one) and "total" (an
    int or None)."""
    st = {"exists": False, "steps": [], "status": "unknown", "total": None}
    try:
        lines = read_bounded(path, MAX_JSON).decode(
            "utf-8", "replace").splitlines()
    except OSError:
        return st
    kv, steps, _ = parse_state(lines)
    st.update(kv)
    st["exists"] = True
    st["steps"] = steps
    try:
        st["total"] = int(st["total"])
    except (TypeError, ValueError, KeyError):
        st["total"] = None
    return st


def read_step_meta(path):
    """Each step's own metadata, DIR/raw/NN-BENCH.csv.meta.json (written
    by the benchmark beside its CSV): {"NN-BENCH": {command, seed, ...}};
    files that are not such JSON are passed over."""
    out = {}
    raw = os.path.join(path, "raw")
    try:
        names = sorted(os.listdir(raw))
    except OSError:
        return out
    for fn in names:
        if not fn.endswith(".csv.meta.json"):
            continue
        try:
            sm = load_json(os.path.join(raw, fn))
        except (OSError, ValueError):
            continue
        if isinstance(sm, dict) and isinstance(sm.get("meta"), dict):
            out[fn[:-len(".csv.meta.json")]] = sm["meta"]
    return out


def profile_lines(path):
    """The lines of DIR/profile (the profile as run) without comments
    and blank lines; [] when it cannot be read."""
    try:
        text = read_bounded(os.path.join(path, "profile"), MAX_JSON) \
            .decode("utf-8", "replace")
    except OSError:
        return []
    return [ln.split("#", 1)[0].strip() for ln in text.splitlines()
            if ln.split("#", 1)[0].strip()]
