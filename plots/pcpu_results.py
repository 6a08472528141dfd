"""pcpu_results - read pcpubench results directories; statistics; text.

Shared by report.py, compare.py and figures.py (all run with
/usr/bin/python3, standard library only here). A results directory holds
meta.json, state, profile, one tidy CSV per benchmark and logs/. This
module only reads them: it never runs a benchmark.

Tidy CSV contract: columns bench, <parameters...>, rep, metric, value,
unit, status. Every column between bench and rep is a parameter, so new
parameters need no change here. value is NA when status is na:<reason>.
"""

import csv
import errno
import json
import math
import os
import re
import stat
import sys
import textwrap

WIDTH = 72
TAIL = ("rep", "metric", "value", "unit", "status")
# Files of a results directory that end in .csv but hold no benchmark
# rows: the run's TLB calibration (run.sh's PCPU_CALIBRATION, written by
# the tlb step, read by access; its own format, host,date,backing,...).
NOT_BENCH_CSV = ("tlb-calibration.csv",)

# Per-benchmark reading rules. Anything not listed falls back to generic
# behaviour (first metrics in the file, no baseline).
BENCH = {
    "access": {
        "baseline": ("strategy", "offset-array"),
        "primary": [("cycles_per_op", "ns_per_op"), "tlb_cost", "cold_cycles",
                    "pages_on_path"],
    },
    "churn": {
        "baseline": ("strategy", "offset-array"),
        "primary": ["ops_per_sec", "ops_rel_no_churn",
                    "online_latency_ns_p50", "online_latency_ns_p99",
                    "offline_latency_ns_p50", "offline_latency_ns_p99"],
        # invariants (a count that must be 0, tabled per strategy and
        # checked on every run) come from the metric list: must_be_zero()
    },
    "workload": {
        "baseline": ("strategy", "segment"),
        # pivot tables (report.workload_table) instead of a row per point
        "pivot": ["slowdown_vs_segment_pct", "tlb_share_pct"],
        "primary": [],
    },
    "tlb": {
        "baseline": ("page", "4k"),
        "primary": ["l1_dtlb_entries", "l2_tlb_entries",
                    "l2_hit_cycles", "walk_cycles"],
        # the chase/control curves are plotted, not tabled
        "table_filter": ("pattern", "summary"),
        "combine": True,
    },
    "numa": {
        "baseline": ("strategy", "offset-array"),
        "primary": ["local_fraction", "pages_remote"],
        "pool": ["cpu"],
    },
    "mem": {
        "baseline": ("strategy", "offset-array"),
        "primary": ["reserved_bytes", "committed_bytes"],
    },
    "modules": {
        "baseline": ("policy", "reserve:8192"),
        "primary": ["loads_until_refusal", "committed_bytes",
                    "committed_online_bytes", "largest_fit_bytes",
                    "path_ns", "pages_with_boot_var"],
    },
}
# Outcome columns: what a run OBTAINED (access/tlb: the backing actually
# got, 4k, thp, hugetlb, tls-block, none), not what was asked for. They
# are shown with a row but never part of the key that matches a row to
# its baseline (report) or to another directory's row (compare); a row
# whose outcome differs from its match's is flagged.
OUTCOME = ("backing",)
# Difference metrics: a difference of two measurements (tlb_cost = 4k
# minus 2m cycles), an excess over a control, or an estimate from one;
# near zero or negative by nature, so a percentage or ratio against a
# base and a robust CV (IQR / median) mean nothing. Shown as the
# absolute difference to the base in the metric's unit, with the IQR.
DIFF_METRICS = ("tlb_cost", "tlb_excess_cycles", "cycles_over_floor",
                "slowdown_vs_ptr_pct", "slowdown_vs_segment_pct",
                "tlb_share_pct")
DIFF_SUFFIXES = ("_est", "_diff", "_delta", "_excess", "_excess_cycles")


def is_difference(metric):
    """True for a metric that is a difference (see DIFF_METRICS)."""
    return metric in DIFF_METRICS or metric.endswith(DIFF_SUFFIXES)


def rev_clean(rev):
    """(clean revision, dirty?) from a recorded revision 'abc123-dirty'."""
    rev = str(rev)
    if rev.endswith("-dirty"):
        return rev[:-len("-dirty")], True
    return rev, False


STATUS_RE = re.compile(r"ok|multiplexed|estimated|derived|na:.+|flagged:.+")
ORDER = ["access", "tlb", "workload", "churn", "numa", "mem"]
# Canonical order of values (the design's order, baseline first).
CANON = {"strategy": ["offset-array", "segment", "vm-area", "hybrid",
                      "hybrid-segment", "tls", "ptr"],
         "op": ["read", "write", "inc"],
         "mode": ["path", "latency", "throughput", "cold"],
         "page": ["4k", "2m", "thp", "hugetlb"],
         "pattern": ["chase", "control", "summary"],
         "layout": ["embed", "page", "vm", "hybrid", "thread", "none"]}
# Axis label (with its unit) of a parameter plotted along x.
XLABEL = {"pressure": "competing working set (4 KiB pages touched "
                      "between accesses)",
          "pages": "pages touched (4 KiB pages, log2 scale)",
          "workload-pages": "working set P (4 KiB pages, one line each; "
                            "log2 scale)",
          "rate": "hotplug rate (events/s)",
          "possible": "possible CPUs", "online": "online CPUs",
          "vars": "per-CPU variables cycled through"}


def xlabel(param):
    return XLABEL.get(param, param)


# Preferred value of a parameter when a plot has to hold it fixed.
PREFER = {"op": ["read"], "cpuid": ["rseq"], "mode": ["latency"], "page": ["4k"],
          "placement": ["local"], "backend": ["sim"],
          "pattern": ["chase", "random"], "phase": ["boot", "start"],
          "topology": ["host"]}


# ---------------------------------------------------------------- reading

def to_float(s):
    try:
        v = float(s)
    except (TypeError, ValueError):
        return None
    if math.isnan(v) or math.isinf(v):
        return None
    return v


def num_key(s):
    """Sort key: numbers numerically (with k/m/g suffixes), then text."""
    m = re.fullmatch(r"\s*([0-9.]+)\s*([kKmMgG]?)[iI]?[bB]?\s*", str(s))
    if m:
        try:
            v = float(m.group(1))
            v *= {"": 1, "k": 1e3, "m": 1e6, "g": 1e9}[m.group(2).lower()]
            return (0, v, str(s))
        except ValueError:
            pass
    return (1, 0, str(s))


def vkey(param, value):
    """Sort key for a parameter's values: canonical order, then num_key."""
    c = CANON.get(param, [])
    return (c.index(value) if value in c else len(c), num_key(value))


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


# Limits of what a reader takes from a results directory (bytes).
MAX_CSV = 256 << 20
MAX_JSON = 64 << 20


def read_bounded(path, limit):
    """The bytes of a regular file of at most @limit bytes: one way to
    read a file the user names. A FIFO, device or socket is refused
    before any read (opened non-blocking, checked with fstat), a larger
    file too: OSError with the reason."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (%s); refused "
                          "unread" % ("a FIFO" if stat.S_ISFIFO(st.st_mode)
                                      else "a device" if
                                      stat.S_ISCHR(st.st_mode) or
                                      stat.S_ISBLK(st.st_mode) else
                                      "a directory" if
                                      stat.S_ISDIR(st.st_mode) else
                                      "a socket"), path)
        if st.st_size > limit:
            raise OSError(errno.EFBIG, "larger than %d bytes; refused "
                          "unread" % limit, path)
        chunks, n = [], 0
        while True:
            b = os.read(fd, min(1 << 20, limit + 1 - n))
            if not b:
                break
            chunks.append(b)
            n += len(b)
            if n > limit:
                raise OSError(errno.EFBIG, "larger than %d bytes" % limit,
                              path)
        return b"".join(chunks)
    finally:
        os.close(fd)


def load_json(path, limit=MAX_JSON):
    """JSON from a regular file of bounded size; ValueError for anything
    that is not JSON, too deeply nested included (never a traceback)."""
    data = read_bounded(path, limit)
    try:
        return json.loads(data.decode("utf-8"))
    except RecursionError:
        raise ValueError("nested too deeply")
    except UnicodeDecodeError as e:
        raise ValueError("not UTF-8: %s" % e)


def _text_lines(path, problems):
    """The file's lines up to the first undecodable byte; a problem
    (name, reason) for an empty file or invalid UTF-8."""
    name = os.path.basename(path)
    data = read_bounded(path, MAX_CSV)
    if not data.strip():
        problems.append((name, "empty file"))
        return []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        problems.append((name, "invalid UTF-8 at byte %d (line %d); "
                               "rows after it not read" % (e.start, line)))
        text = data[:e.start].decode("utf-8")
        text = text[:text.rfind("\n") + 1]
    return text.splitlines()


def read_csv_file(path, benches, warnings, problems=None):
    """Rows of one tidy CSV into benches; problems gets (file, reason)
    for what makes the file incomplete (empty, invalid UTF-8, no header,
    malformed lines)."""
    if problems is None:
        problems = []
    name = os.path.basename(path)
    lines = _text_lines(path, problems)
    nrows = [0, 0]                # good, malformed
    if lines:
        rd = csv.reader(lines)
        header = None
        for row in rd:
            if not row or (row[0].startswith("#")):
                continue
            if row[0] == "bench":
                header = row
                if header[-5:] != list(TAIL):
                    warnings.append("%s: header does not end with %s"
                                    % (os.path.basename(path),
                                       ",".join(TAIL)))
                    header = None
                continue
            if header is None or len(row) != len(header):
                nrows[1] += 1
                if header is not None:
                    b = benches.get(row[0])
                    if b:
                        b.bad_lines += 1
                    else:
                        warnings.append("%s: malformed line"
                                        % os.path.basename(path))
                continue
            d = dict(zip(header, row))
            if d["rep"] and not d["rep"].isdigit():
                nrows[1] += 1       # a garbage rep: not a sample
                continue
            nrows[0] += 1
            name = d["bench"]
            b = benches.get(name)
            if b is None:
                b = benches[name] = Bench(name)
            b.add_columns(header[1:-5])
            b.add({p: d[p] for p in header[1:-5]}, d["rep"], d["metric"],
                  d["value"], d["unit"], d["status"])
    if lines and not nrows[0] and not any(n == name for n, _ in problems):
        problems.append((name, "no data rows"))
    if nrows[1]:
        problems.append((name, "%d malformed line(s) ignored" % nrows[1]))


class NotResults(Exception):
    """A directory that is not a pcpubench results directory."""


# What a results directory without metrics.json (written before schema 2)
# is checked against: the invariants only, no metric names.
LEGACY_ZERO = {"churn": ["lost_updates", "read_sum_mismatch"]}


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
            self._check_values()
        else:
            self.warnings.append("no metrics.json: metric names not "
                                 "checked")
        # each step's own metadata: raw/NN-BENCH.csv.meta.json, else the
        # copy in meta.json
        self.step_meta = {}
        raw = os.path.join(path, "raw")
        if os.path.isdir(raw):
            for fn in sorted(os.listdir(raw)):
                if fn.endswith(".csv.meta.json"):
                    try:
                        sm = load_json(os.path.join(raw, fn)).get(
                            "meta", {})
                    except (OSError, ValueError, AttributeError):
                        continue
                    if isinstance(sm, dict):
                        self.step_meta[fn[:-len(".csv.meta.json")]] = sm
        if not self.step_meta and isinstance(self.meta, dict) and \
                isinstance(self.meta.get("step_meta"), dict):
            self.step_meta = self.meta["step_meta"]
        # a step recorded ok whose benchmark has no CSV (or no rows)
        for s in self.state["steps"]:
            if s["status"] != "ok":
                continue
            fn = s["bench"] + ".csv"
            # the guest step writes kfacts and kernel-numa rows
            if s["bench"] == "guest" and ("kfacts" in self.benches or
                                          "kernel-numa" in self.benches):
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
                            not is_difference(m):
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


def read_state(path):
    """state file: 'key value' lines and 'step N STATUS BENCH [msg]'."""
    st = {"exists": False, "steps": [], "status": "unknown", "total": None}
    try:
        lines = read_bounded(path, MAX_JSON).decode(
            "utf-8", "replace").splitlines()
    except OSError:
        return st
    st["exists"] = True
    for ln in lines:
        if not ln.strip() or ln.startswith("#"):
            continue
        parts = ln.split(None, 4)
        if parts[0] == "step" and len(parts) >= 4:
            st["steps"].append({"n": parts[1], "status": parts[2],
                                "bench": parts[3],
                                "msg": parts[4] if len(parts) > 4 else ""})
        elif len(parts) >= 2:
            st[parts[0]] = ln.split(None, 1)[1]
    try:
        st["total"] = int(st["total"])
    except (TypeError, ValueError, KeyError):
        st["total"] = None
    return st


# ------------------------------------------------------------- statistics

def quantile(xs, q):
    """Linear interpolation between order statistics (numpy default)."""
    s = sorted(xs)
    if not s:
        return None
    pos = (len(s) - 1) * q
    lo = int(math.floor(pos))
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


# Samples that are no measurement: a batch that did not run alone
# (bench-quiet.h) or a cycle count that is not positive. They keep their
# value in the CSV but are left out of every median and finding.
DROPPED = ("flagged:disturbed", "flagged:not-positive")


def dropped(status):
    return status.startswith(DROPPED)


class Stats:
    def __init__(self, samples):
        self.samples = samples
        self.vals = [s["value"] for s in samples if s["value"] is not None
                     and not dropped(s["status"])]
        self.n = len(self.vals)
        self.n_dropped = sum(1 for s in samples if s["value"] is not None
                             and dropped(s["status"]))
        # a dropped sample is no value: counted and named as NA
        self.n_na = len(samples) - self.n
        self.na_reasons = sorted({s["status"] for s in samples
                                  if s["value"] is None
                                  or dropped(s["status"])})
        self.flags = sorted({s["status"] for s in samples
                             if s["value"] is not None
                             and s["status"] != "ok"})
        if self.n:
            self.median = quantile(self.vals, 0.5)
            self.q1 = quantile(self.vals, 0.25)
            self.q3 = quantile(self.vals, 0.75)
            self.iqr = self.q3 - self.q1
            self.rcv = (0.7413 * self.iqr / abs(self.median) * 100
                        if self.median else None)
        else:
            self.median = self.q1 = self.q3 = self.iqr = self.rcv = None


def _ranks(values):
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    ties = []
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        r = (i + j) / 2.0 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = r
        if j > i:
            ties.append(j - i + 1)
        i = j + 1
    return ranks, ties


_EXACT = {}


def _exact_counts(m, n):
    """counts[u] = number of orderings of m x's and n y's with U = u."""
    key = (m, n)
    if key in _EXACT:
        return _EXACT[key]
    # f[j][u] for current m' built up row by row: dp over (m', n')
    prev = [[1] for _ in range(n + 1)]          # m' = 0: U = 0 only
    for mm in range(1, m + 1):
        cur = [[1]]                             # n' = 0: U = 0 only
        for nn in range(1, n + 1):
            size = mm * nn + 1
            row = [0] * size
            a = prev[nn]                        # x is largest: U += nn
            for u, c in enumerate(a):
                row[u + nn] += c
            b = cur[nn - 1]                     # y is largest: U same
            for u, c in enumerate(b):
                row[u] += c
            cur.append(row)
        prev = cur
    _EXACT[key] = prev[n]
    return prev[n]


def mann_whitney(a, b):
    """Two-sided Mann-Whitney U test.

    Returns (U, p, method) or None when a side has no values. Exact:
    with ties, the permutation distribution of the tied ranks when there
    are at most 60000 arrangements (9 vs 9 is 48620); without ties, the
    U distribution for up to 30 per side. Otherwise the normal
    approximation with tie and continuity correction.
    """
    n1, n2 = len(a), len(b)
    if n1 == 0 or n2 == 0:
        return None
    ranks, ties = _ranks(list(a) + list(b))
    r1 = sum(ranks[:n1])
    u1 = r1 - n1 * (n1 + 1) / 2.0
    u = min(u1, n1 * n2 - u1)
    if ties and math.comb(n1 + n2, n1) <= 60000:
        # exact permutation distribution of the tied ranks
        import itertools
        tot = sum(ranks)
        mean = n1 * (n1 + n2 + 1) / 2.0
        dev = abs(r1 - mean) - 1e-9
        hits = total = 0
        for c in itertools.combinations(ranks, n1):
            total += 1
            if abs(sum(c) - mean) >= dev:
                hits += 1
        del tot
        return u, min(1.0, hits / float(total)), "exact"
    if not ties and n1 <= 30 and n2 <= 30:
        counts = _exact_counts(n1, n2)
        total = sum(counts)
        cum = sum(counts[:int(math.floor(u)) + 1])
        return u, min(1.0, 2.0 * cum / total), "exact"
    n = n1 + n2
    tsum = sum(t ** 3 - t for t in ties)
    var = n1 * n2 / 12.0 * ((n + 1) - tsum / (n * (n - 1.0)))
    if var <= 0:
        return u, 1.0, "normal"
    z = (abs(u1 - n1 * n2 / 2.0) - 0.5) / math.sqrt(var)
    z = max(z, 0.0)
    return u, math.erfc(z / math.sqrt(2.0)), "normal"


# ----------------------------------------------------------------- format

def fmt(v, width=0):
    """A number in at most ~7 characters: 4 significant digits, k/M/G."""
    if v is None:
        s = "NA"
    elif v == 0:
        s = "0"
    else:
        a = abs(v)
        if a >= 1e10:
            s = "%.3gG" % (v / 1e9)
        elif a >= 1e7:
            s = "%.4gM" % (v / 1e6)
        elif a >= 1e5:
            s = "%.4gk" % (v / 1e3)
        elif a >= 1000:
            s = "%.0f" % v
        elif a >= 0.001:
            s = "%.4g" % v
        else:
            s = "%.2e" % v
    return s.rjust(width) if width else s


def fmt_n(v, n):
    """fmt(v) in at most n characters (fewer digits, then exponent)."""
    s = fmt(v)
    if len(s) <= n or v is None:
        return s
    for prec in (3, 2, 1):
        s = "%.*g" % (prec, v)
        if len(s) <= n:
            return s
    return "%.0e" % v


def fmt_diff(d, n=8):
    """A signed absolute difference in at most n characters."""
    if d is None:
        return "-"
    if d == 0:
        return "+0"
    s = fmt_n(d, n - 1)
    return s if s.startswith("-") else "+" + s


def fmt_pct(p):
    if p is None:
        return "-"
    if abs(p) >= 1000:
        return "%+.0f%%" % p
    return "%+.1f%%" % p


def wrap(text, indent="", width=WIDTH):
    return textwrap.wrap(text, width=width, initial_indent=indent,
                         subsequent_indent=indent + "  ",
                         break_on_hyphens=False) or [indent.rstrip()]


def shell_wrap(words, first="  ", cont="      ", width=WIDTH):
    """Wrap a command at spaces with ' \\' continuations."""
    lines, cur = [], first
    for w in words:
        cand = (cur + " " + w) if cur.strip() else cur + w
        if len(cand) + 2 > width and cur.strip():
            lines.append(cur + " \\")
            cur = cont + w
        else:
            cur = cand
    lines.append(cur)
    return lines


def short_status(st):
    return {"multiplexed": "m", "estimated": "e", "derived": "d"}.get(
        st, "f" if st.startswith("flagged") else "?")


# ----------------------------------------------------------- table labels

LABEL_W = 34          # widest point label (the numbers take the rest)
# Short keys for long parameter values, used (with a legend above the
# table) when a table's point labels would not fit in LABEL_W.
SHORTV = {"offset-array": "oa", "segment": "seg", "vm-area": "vm",
          "hybrid": "hyb", "hybrid-segment": "hseg", "latency": "lat",
          "throughput": "tput", "interleave": "intl", "implicit": "impl",
          "round-robin": "rr", "tls-block": "tlsb"}


class Labels:
    """Point labels in columns, one per varying parameter, that never
    wrap: padded to the widest value; long values replaced by short
    keys (legend) when needed; and when even that is too wide, the
    widest column becomes a group heading ('page=2m:') above its rows."""

    def __init__(self, names, rows, width=LABEL_W):
        # names: column names; rows: tuples of values (as printed)
        self.names = list(names)
        self.group = None
        self.legend = {}
        self.map = {}
        cols = list(range(len(names)))

        def widths():
            return [max([len(self.value(r[i])) for r in rows] +
                        [len(names[i])]) for i in cols]

        w = widths()
        if sum(w) + len(w) - 1 > width:
            flat = {x.strip("[]") for r in rows for x in r}
            self.map = {v: k for v, k in SHORTV.items() if v in flat}
            self.legend = {k: v for v, k in self.map.items()}
            w = widths()
        cand = [i for i in cols[1:] if not names[i].startswith("[")]
        groups = []
        while sum(w[i] for i in cols) + len(cols) - 1 > width and cand:
            # the column with the fewest values heads groups of rows
            g = min(cand, key=lambda i: (len({r[i] for r in rows}), -w[i]))
            groups.append(g)
            cand.remove(g)
            cols = [i for i in cols if i != g]
        self.groups = groups
        self.group = groups[0] if groups else None
        self.cols = cols
        self.w = w
        self.width = min(width, max(5, sum(w[i] for i in cols) +
                                    len(cols) - 1))

    def value(self, v):
        if v.startswith("[") and v.endswith("]"):
            return "[%s]" % "/".join(self.map.get(x, x)
                                     for x in v[1:-1].split("/"))
        return self.map.get(v, v)

    def label(self, row):
        s = " ".join(self.value(row[i]).ljust(self.w[i])
                     for i in self.cols).rstrip() or "(all)"
        return s if len(s) <= self.width else s[:self.width - 1] + "~"

    def header(self):
        return " ".join(self.names[i].ljust(self.w[i])
                        for i in self.cols).rstrip() or "point"

    def group_key(self, row):
        return [row[g] for g in self.groups]

    def group_of(self, row):
        if not self.groups:
            return None
        return " ".join("%s=%s" % (self.names[g], row[g])
                        for g in self.groups) + ":"

    def legend_lines(self):
        if not self.legend:
            return []
        return wrap("keys: " + ", ".join("%s %s" % kv for kv in
                                          sorted(self.legend.items())))


# ------------------------------------------------------------------ plots

def pick_metric(bench, candidates, where=None):
    """First candidate with an ok value, else first present, else any."""
    present = [m for m in candidates if m in bench.metrics]
    for m in present:
        for pt in bench.points(m, where):
            if Stats(bench.samples[(pt, m)]).n:
                return m
    if present:
        return present[0]
    for m in bench.metrics:
        for pt in bench.points(m, where):
            if Stats(bench.samples[(pt, m)]).n:
                return m
    return bench.metrics[0] if bench.metrics else None


def prefer_key(param, value):
    """Sort key: the preferred values of a parameter first, then order."""
    pref = PREFER.get(param, [])
    return (pref.index(value) if value in pref else len(pref),
            num_key(value))


def resolve(bench, spec):
    """Fill a plot spec: hold every parameter that is not x, series or
    pooled at one value (the preferred one, chosen per x value when a
    parameter depends on x, like cpuid on strategy); collect samples per
    (series, x). Returns None when nothing is left."""
    metric = spec["metric"]
    where = dict(spec.get("where", {}))
    free = set([spec["x"]] + spec.get("series", []) + spec.get("pool", []))
    pts = bench.points(metric, where)
    if not pts:
        return None
    xi = bench.params.index(spec["x"])
    si = [bench.params.index(s) for s in spec.get("series", [])]

    def xs_key(pt):
        return (pt[xi],) + tuple(pt[i] for i in si)
    fixed = {}
    for pi, p in enumerate(bench.params):
        if p in free or p in OUTCOME:
            continue
        if len({pt[pi] for pt in pts}) <= 1:
            continue
        # a parameter that follows from the series (access and layout
        # from the strategy) is neither held nor named
        per_s = {}
        for pt in pts:
            per_s.setdefault(tuple(pt[i] for i in si), set()).add(pt[pi])
        if si and all(len(v) == 1 for v in per_s.values()):
            continue
        per_x = {}
        for pt in pts:
            per_x.setdefault(xs_key(pt), set()).add(pt[pi])
        choice = {x: min(vs, key=lambda v, p=p: prefer_key(p, v))
                  for x, vs in per_x.items()}
        pts = [pt for pt in pts if pt[pi] == choice[xs_key(pt)]]
        cv = sorted(set(choice.values()), key=num_key)
        fixed[p] = cv[0] if len(cv) == 1 else "|".join(cv)
    # outcome columns (the backing obtained) follow from the requested
    # parameters: never held fixed, named in the subtitle instead
    outcome, snote, snp = {}, {}, []
    for pi, p in enumerate(bench.params):
        if p not in OUTCOME or p in free:
            continue
        vals, per_s = {}, {}
        for pt in pts:
            if pt[pi] != "":
                vals.setdefault(pt[pi], set()).add(pt[xi])
                per_s.setdefault(tuple(pt[i] for i in si),
                                 set()).add(pt[pi])
        if len(vals) == 1:
            fixed[p] = list(vals)[0]
        elif vals and len(per_s) > 1 and \
                all(len(v) == 1 for v in per_s.values()):
            # one outcome per series (backing by page): in the legend
            for k, v in per_s.items():
                snote.setdefault(k, []).append(list(v)[0])
            snp.append(p)
        elif vals:
            outcome[p] = vals
    # parameters with a single value in the whole plot: named too, so
    # that a reader a year later knows the conditions (online=2 ...)
    const = {}
    for pi, p in enumerate(bench.params):
        if p in free or p in fixed or p in outcome or p in OUTCOME:
            continue
        vs = {pt[pi] for pt in pts}
        if len(vs) == 1 and list(vs)[0] not in ("", "-", "*"):
            const[p] = list(vs)[0]
    xs = sorted({pt[xi] for pt in pts}, key=lambda v: vkey(spec["x"], v))
    series = sorted({tuple(pt[i] for i in si) for pt in pts},
                    key=lambda t: [vkey(bench.params[i], x)
                                   for i, x in zip(si, t)])
    data = {}
    for pt in pts:
        k = (tuple(pt[i] for i in si), pt[xi])
        data.setdefault(k, []).extend(bench.samples[(pt, metric)])
    out = dict(spec)
    out["series_params"] = list(spec.get("series", []))
    out.update(xs=xs, series=series, data=data, fixed=fixed,
               outcome=outcome, const=const, snote_params=snp,
               snote={k: "/".join(v) for k, v in snote.items()},
               unit=bench.units.get(metric, ""))
    return out


def plot_specs(bench):
    """The plots worth drawing for a benchmark, most important first."""
    b, P = bench, bench.params
    specs = []
    if b.name == "access" and "strategy" in P:
        m = pick_metric(b, list(BENCH["access"]["primary"][0]))
        ser = [p for p in ("op", "mode") if p in P and len(b.values(p)) > 1]
        specs.append({"name": "access-strategies", "kind": "cat",
                      "x": "strategy", "series": ser, "metric": m,
                      "title": "access: %s by strategy" % m})
        if "pressure" in P and len(b.values("pressure")) > 1:
            ser = ["strategy"] + (["page"] if "page" in P and
                                  len(b.values("page")) > 1 else [])
            specs.append({"name": "access-pressure", "kind": "curve",
                          "x": "pressure", "series": ser, "metric": m,
                          "xmode": "index",
                          "title": "access: %s vs TLB pressure (pages)" % m})
    elif b.name == "tlb" and "pages" in P:
        cands = [m for m in b.metrics if "cycles" in m and "entries" not in m
                 and m not in BENCH["tlb"]["primary"]] + \
                [m for m in b.metrics if m.startswith("ns")]
        m = pick_metric(b, cands) if cands else None
        marks = []
        for mm in ("l1_dtlb_entries", "l2_tlb_entries"):
            if mm not in b.metrics:
                continue
            for pt in b.points(mm):
                st = Stats(b.samples[(pt, mm)])
                if st.n and st.median > 0:
                    pg = pt[P.index("page")] if "page" in P else ""
                    marks.append((st.median, pg,
                                  "L1" if mm.startswith("l1") else "L2"))
        merged = {}
        for x, pg, lvl in sorted(set(marks)):
            merged.setdefault((x, lvl), []).append(pg)
        marks = [(x, "%s %s" % ("/".join(sorted(pgs, key=lambda v:
                                                 vkey("page", v))), lvl))
                 for (x, lvl), pgs in sorted(merged.items())]
        if m:
            ser = [p for p in ("page", "pattern") if p in P]
            spec = {"name": "tlb-curve", "kind": "curve", "x": "pages",
                    "series": ser, "metric": m, "xmode": "log",
                    "marks": marks, "exclude": ("pattern",
                                                           "summary"),
                    "title": "tlb: %s vs pages touched" % m}
            specs.append(spec)
    elif b.name == "churn" and "strategy" in P:
        m = pick_metric(b, ["ops_per_sec", "ops_rel_no_churn"])
        if "rate" in P:
            specs.append({"name": "churn-rate", "kind": "curve",
                          "x": "rate", "series": ["strategy"], "metric": m,
                          "xmode": "index",
                          "title": "churn: %s vs hotplug rate (1/s)" % m})
        lms = [m for m in ("online_latency_ns_p50", "online_latency_ns_p99",
                           "offline_latency_ns_p50",
                           "offline_latency_ns_p99") if m in b.metrics]
        if lms:
            specs.append({"name": "churn-latency", "kind": "cat",
                          "x": "strategy", "series": [], "metric": lms[0],
                          "metrics": lms, "label": "hotplug latency",
                          "pool": ["rate"],
                          "title": "churn: CPU online/offline latency "
                                   "(p50, p99 of each run) by strategy"})
    elif b.name == "workload" and "pages" in P and "strategy" in P:
        m = "slowdown_vs_segment_pct"
        if m not in b.metrics:
            m = pick_metric(b, ["slowdown_vs_ptr_pct", "cycles_per_iter"])
        accs = b.values("accesses") if "accesses" in P else [""]
        where = {"page": "4k"} if "page" in P and \
            "4k" in b.values("page") else {}
        for a in accs:
            w = dict(where, **({"accesses": a} if a else {}))
            specs.append({"name": "workload-m%s" % a, "kind": "curve",
                          "x": "pages", "series": ["strategy"],
                          "metric": m, "xmode": "log", "where": w,
                          "xlabel": XLABEL["workload-pages"],
                          "exclude": ("strategy", "segment"),
                          "title": "workload: %s vs working set, "
                                   "M=%s update(s) per iteration"
                                   % (m, a)})
    elif b.name == "numa" and "strategy" in P:
        m = pick_metric(b, BENCH["numa"]["primary"])
        ser = [p for p in ("placement", "phase") if p in P
               and len(b.values(p)) > 1]
        # measured placement only: a modelled (synthetic) topology's
        # rows are the findings' MODELLED line, not this plot
        w = {"topology": "host"} if "topology" in P and \
            "host" in b.values("topology") else {}
        specs.append({"name": "numa-local", "kind": "cat", "x": "strategy",
                      "series": ser, "metric": m, "where": w,
                      "pool": [p for p in ("cpu",) if p in P],
                      "title": "numa: %s by strategy (all CPUs)" % m})
    elif b.name == "mem" and "strategy" in P:
        m = pick_metric(b, BENCH["mem"]["primary"][::-1])
        ser = [p for p in ("possible", "online") if p in P
               and len(b.values(p)) > 1]
        # by layout when a layout was run on its own (--layout page):
        # memory follows the layout, not the access method
        x = "layout" if "layout" in P and len(set(b.values("layout"))) > \
            len(set(b.values("strategy"))) - 1 and \
            "page" in b.values("layout") else "strategy"
        specs.append({"name": "mem", "kind": "cat", "x": x,
                      "series": ser, "metric": m,
                      "title": "mem: %s by %s" % (m, x)})
    if not specs and b.metrics and P:
        m = pick_metric(b, b.metrics)
        var = b.varying(m) or P
        x = "strategy" if "strategy" in var else var[0]
        specs.append({"name": b.name, "kind": "cat", "x": x, "series": [],
                      "metric": m, "title": "%s: %s" % (b.name, m)})
    out = []
    for s in specs:
        if s.get("metric") is None:
            continue
        r = resolve_excluding(b, s)
        if not r:
            continue
        nums = [num_key(x) for x in r["xs"]]
        if r["kind"] == "curve" and len(r["xs"]) <= 3:
            # a few points imply no trend: markers with error bars
            r["kind"] = "cat"
        elif r["kind"] == "curve" and r.get("xmode") == "index" and \
                len(nums) > 3 and all(k[0] == 0 and k[1] > 0
                                      for k in nums):
            vs = sorted(k[1] for k in nums)
            if all(b2 / a2 >= 1.9 for a2, b2 in zip(vs, vs[1:])):
                r["xmode"] = "log"      # a geometric sweep
        out.append(r)
    return out


def resolve_metrics(bench, spec):
    """resolve() for each of spec['metrics'], one series per metric
    (named without the common prefix); None when none has points."""
    parts = [(m, resolve(bench, dict(spec, metric=m)))
             for m in spec["metrics"]]
    parts = [(m, r) for m, r in parts if r]
    if not parts:
        return None
    out = dict(parts[0][1])
    xs, series, data = [], [], {}
    for m, r in parts:
        name = (m.replace("_latency_ns_", " ")
                if "_latency_ns_" in m else m,)
        series.append(name)
        for x in r["xs"]:
            if x not in xs:
                xs.append(x)
        for (_, x), d in r["data"].items():
            data.setdefault((name, x), []).extend(d)
    out.update(xs=sorted(xs, key=lambda v: vkey(spec["x"], v)),
               series=series, data=data, metric=spec["label"],
               series_params=["metric"])
    return out


def resolve_excluding(bench, spec):
    """resolve(), dropping points whose param equals spec['exclude']."""
    r = resolve_metrics(bench, spec) if spec.get("metrics") \
        else resolve(bench, spec)
    if r and spec.get("exclude"):
        p, v = spec["exclude"]
        if p in spec.get("series", []):
            i = spec["series"].index(p)
            r["series"] = [s for s in r["series"] if s[i] != v]
            r["data"] = {k: d for k, d in r["data"].items() if k[0][i] != v}
    if r and not r["series"]:
        return None
    return r


def series_names(spec):
    """Legend names: the series' values joined by '/', the outcome
    obtained in parentheses when it differs by series (hybrid/4k(thp));
    the metric when there is one unnamed series."""
    out = []
    sp = spec.get("series_params", [])
    for s in spec["series"]:
        # a bare number says nothing in a legend: online=2, not 2
        vals = ["%s=%s" % (sp[i], v) if i < len(sp) and
                re.fullmatch(r"[0-9.]+", v) else v
                for i, v in enumerate(s)]
        n = "/".join(vals) if s else spec.get("label") or spec["metric"]
        note = spec.get("snote", {}).get(s)
        out.append("%s(%s)" % (n, note) if note else n)
    return out


def subtitle(spec):
    bits = ["%s=%s" % kv for kv in sorted(spec.get("const", {}).items())]
    bits += ["%s=%s" % kv for kv in sorted(spec.get("fixed", {}).items())]
    xname = spec.get("x", "")
    for p, vals in sorted(spec.get("outcome", {}).items()):
        # the most common value, then the exceptions by x value
        common = max(vals, key=lambda v: (len(vals[v]), v))
        rest = ["%s %s" % ("/".join(sorted(vals[v], key=lambda x:
                                           vkey(xname, x))), v)
                for v in sorted(vals) if v != common]
        bits.append("%s=%s (%s)" % (p, common, ", ".join(rest)))
    if spec.get("snote_params"):
        bits.append("(...) = %s obtained" % "/".join(spec["snote_params"]))
    if spec.get("pool"):
        bits.append("pooled over " + ",".join(spec["pool"]))
    return " ".join(bits)


def write_file(path, text):
    """The one way report and compare write a file: a new name or a
    regular file (a symlink: its target), through a temporary file
    created with O_EXCL beside it (mkstemp: a symlink planted at a
    predictable name is never followed), flushed to disk and renamed
    over it; an existing file keeps its mode. A device node, FIFO or
    directory is refused (OSError), never replaced."""
    import tempfile
    real = os.path.realpath(path)
    mode = 0o644
    try:
        st = os.stat(real)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EEXIST, "exists and is not a regular file; "
                          "refusing to replace it", path)
        mode = stat.S_IMODE(st.st_mode)
    except FileNotFoundError:
        pass
    d, base = os.path.split(real)
    fd, tmp = tempfile.mkstemp(prefix=base + ".tmp.", dir=d or ".")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def run_main(main, name):
    """Exit status of main(sys.argv), every failure one line on stderr,
    never a traceback: standard output closed (>&-) or full (/dev/full)
    is exit 3 (output not written), a broken pipe ends quietly, an
    unexpected error is exit 1 naming it."""
    def say(msg):
        if sys.stderr is not None:
            try:
                print("%s: %s" % (name, msg), file=sys.stderr)
            except (OSError, ValueError):
                pass
    if sys.stdout is None:
        say("standard output is closed; nothing written")
        return 3
    try:
        rc = main(sys.argv)
        sys.stdout.flush()
        return rc
    except BrokenPipeError:
        try:
            sys.stdout = None
        except Exception:
            pass
        return 1
    except OSError as e:
        say("writing standard output: %s (output not written)"
            % (e.strerror or e))
        try:
            sys.stdout = None
        except Exception:
            pass
        return 3
    except KeyboardInterrupt:
        return 130
    except (RecursionError, MemoryError) as e:
        say("cannot read the results: %s" % type(e).__name__)
        return 1
    except Exception as e:  # one line, never a traceback
        say("internal error: %s: %s" % (type(e).__name__, e))
        return 1
