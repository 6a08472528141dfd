#!/usr/bin/python3
"""results-write.py - what run.sh writes into a results directory (the
merged CSVs, meta.json) with the reading side's package plots/pcpu/
(the tidy CSV contract, the state file, atomic writes).

usage: results-write.py merge DIR [BENCH]
       results-write.py meta DIR ROOT BINARY

merge: concatenate DIR/raw/*.csv into one tidy CSV per benchmark
       (DIR/<bench>.csv, one header; the union of the parameter columns
       in first-seen order, so a parameter added later needs no change;
       rows of a file without it get an empty value).
meta:  write DIR/meta.json from `pcpubench info --format json` (kept
       whole under "info"), DIR/state (each step with "params": the
       distinct values of each parameter column of its own CSV, what
       the findings select steps by), and what this script can see:
       uname, /proc/cmdline, CPU model, NUMA nodes, THP, perf paranoia,
       compiler and flags (from the Makefile), git revision, tools;
       with uncommitted changes, the changed files and DIR/git.diff.
Both write atomically (temporary file + rename). Standard library only.
"""

import csv
import glob
import hashlib
import io
import json
import os
import platform
import re
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "plots"))
from pcpu.files import atomic_write  # noqa: E402
from pcpu.read import parse_state, profile_lines, read_step_meta  # noqa
from pcpu.tidy import TAIL, params_of, text_lines, tidy_rows  # noqa: E402

SCHEMA = "pcpubench-results/2"


def read_raw(fn, groups):
    """The rows of one step's CSV into groups {bench: (params, rows)};
    what cannot be read is said on stderr (logs/merge.log)."""
    problems = []
    try:
        lines = text_lines(fn, problems)
    except OSError as e:
        print("merge: %s: %s" % (fn, e.strerror or e), file=sys.stderr)
        return
    for name, why in problems:
        print("merge: %s: %s" % (name, why), file=sys.stderr)
    for kind, header, rec in tidy_rows(lines):
        if kind == "bad-header":
            print("merge: %s: bad header %s" % (fn, rec), file=sys.stderr)
            continue
        if kind == "malformed":
            print("merge: %s: skipped line %s" % (fn, rec[:3]),
                  file=sys.stderr)
            continue
        params, rows = groups.setdefault(rec["bench"], ([], []))
        for p in params_of(header):
            if p not in params:
                params.append(p)
        rows.append(rec)


def merge(d, only=None):
    groups = {}                   # bench -> (params list, rows)
    for fn in sorted(glob.glob(os.path.join(d, "raw", "*.csv"))):
        read_raw(fn, groups)
    for bench, (params, rows) in groups.items():
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", bench):
            print("merge: odd bench name %r skipped" % bench,
                  file=sys.stderr)
            continue
        cols = ["bench"] + params + list(TAIL)
        f = io.StringIO()
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([r.get(c, "") for c in cols])
        atomic_write(os.path.join(d, bench + ".csv"), f.getvalue())
    return 0


def sh(cmd, cwd=None, timeout=30):
    try:
        r = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True,
                           timeout=timeout)
        return r.stdout.strip() if r.returncode == 0 else None
    except (OSError, subprocess.SubprocessError):
        return None


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def cpulist_count(s):
    n = 0
    for part in (s or "").split(","):
        if "-" in part:
            a, b = part.split("-")
            n += int(b) - int(a) + 1
        elif part.strip():
            n += 1
    return n or None


def host_facts():
    h = {"hostname": platform.node().split(".")[0],
         "kernel": platform.release(), "kernel_version": platform.version(),
         "arch": platform.machine(), "cmdline": read("/proc/cmdline")}
    cpuinfo = read("/proc/cpuinfo") or ""
    m = re.search(r"^model name\s*:\s*(.*)$", cpuinfo, re.M)
    h["cpu_model"] = m.group(1).strip() if m else platform.processor()
    m = re.search(r"^microcode\s*:\s*(.*)$", cpuinfo, re.M)
    h["microcode"] = m.group(1).strip() if m else None
    h["hypervisor"] = bool(re.search(r"^flags\s*:.*\bhypervisor\b",
                                     cpuinfo, re.M))
    for k in ("online", "possible", "present"):
        s = read("/sys/devices/system/cpu/%s" % k)
        h["cpus_" + k] = cpulist_count(s)
        h["cpus_%s_list" % k] = s
    nodes = glob.glob("/sys/devices/system/node/node[0-9]*")
    h["numa_nodes"] = len(nodes) or 1
    thp = read("/sys/kernel/mm/transparent_hugepage/enabled")
    m = re.search(r"\[(\w+)\]", thp or "")
    h["thp"] = m.group(1) if m else thp
    h["hugepages_2m"] = read(
        "/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages")
    h["perf_event_paranoid"] = read("/proc/sys/kernel/perf_event_paranoid")
    return h


def build_facts(root, binary):
    b = {"binary": binary}
    mk = os.path.join(root, "Makefile")
    if os.path.exists(mk):
        try:
            r = subprocess.run(
                ["make", "-s", "--no-print-directory", "-f", "Makefile",
                 "-f", "-", "pcpu-print-flags"], cwd=root,
                input="pcpu-print-flags:\n\t$(info $(BUILD_FLAGS_STR))"
                      "@:\n", capture_output=True, text=True, timeout=30)
            if r.returncode == 0 and r.stdout.strip():
                b["flags"] = r.stdout.strip().splitlines()[0]
        except (OSError, subprocess.SubprocessError):
            pass
    cc = os.environ.get("CC", "cc")
    b["compiler"] = (sh([cc, "--version"]) or "unknown").splitlines()[0]
    try:
        with open(binary, "rb") as f:
            b["binary_sha256"] = hashlib.sha256(f.read()).hexdigest()
    except OSError:
        b["binary_sha256"] = None
    return b


def git_facts(root):
    rev = sh(["git", "rev-parse", "--short=12", "HEAD"], cwd=root)
    dirty = sh(["git", "status", "--porcelain", "--untracked-files=no"],
               cwd=root)
    g = {"revision": (rev or "uncommitted") + ("-dirty" if rev and dirty
                                               else ""),
         "describe": sh(["git", "describe", "--always", "--dirty"],
                        cwd=root),
         "branch": sh(["git", "rev-parse", "--abbrev-ref", "HEAD"],
                      cwd=root)}
    # a dirty tree cannot be checked out again: keep the clean commit,
    # the changed files and (written by meta()) the diff itself
    g["commit"] = rev
    g["dirty"] = bool(rev and dirty)
    if rev and dirty:
        g["dirty_files"] = [ln.split(None, 1)[1] for ln in
                            dirty.splitlines() if len(ln.split()) > 1][:50]
    return g


def step_params(d, n, bench):
    """What step N measured: {parameter column: its distinct values} over
    the rows of its own CSV (raw/NN-BENCH.csv), so that a reader finds
    the step behind a figure from the data (the access step with phase
    late, the numa step over a synthetic topology), never from the words
    of its profile line. None when the step wrote no CSV."""
    fn = os.path.join(d, "raw", "%02d-%s.csv" % (n, bench))
    try:
        lines = text_lines(fn, [])
    except OSError:
        return None
    vals = {}
    for kind, header, rec in tidy_rows(lines):
        if kind == "row":
            for p in params_of(header):
                vals.setdefault(p, set()).add(rec[p])
    return {p: sorted(v) for p, v in vals.items()} if vals else None


def state_facts(d):
    """run.sh's state file as meta.json keeps it: its keys, and the
    steps (number, status, bench, message, the binary each ran with)."""
    kv, steps, revs = parse_state((read(os.path.join(d, "state")) or "")
                                  .splitlines())
    st = dict(kv)
    st["steps"] = []
    for s in steps:
        try:
            n = int(s["n"])
        except ValueError:
            continue
        step = {"n": n, "status": s["status"], "bench": s["bench"],
                "message": s["msg"]}
        if s["n"] in revs:
            # the binary each step ran with (a resume may use another)
            step.update(revision=revs[s["n"]][0],
                        binary_sha256=revs[s["n"]][1])
        params = step_params(d, n, s["bench"])
        if params is not None:
            step["params"] = params
        st["steps"].append(step)
    return st


def pick(info, *paths):
    for p in paths:
        d = info
        for k in p.split("."):
            if isinstance(d, dict) and k in d:
                d = d[k]
            else:
                d = None
                break
        if d not in (None, ""):
            return d
    return None


def meta(d, root, binary):
    st = state_facts(d)
    info = None
    ip = os.path.join(d, "info.json")
    if os.path.exists(ip):
        try:
            with open(ip) as f:
                info = json.load(f)
        except ValueError:
            info = None
    host = host_facts()
    if isinstance(info, dict):
        # what the benchmark knows beats what this script guesses
        for key, paths in (
                ("cpu_model", ("cpu.model_name", "cpu.cpuid_brand",
                               "cpu.brand")),
                ("numa_nodes", ("topology.numa_nodes", "topology.nodes")),
                ("cpus_online", ("topology.cpus_online",)),
                ("cpus_possible", ("topology.cpus_possible",))):
            v = pick(info, *paths)
            if key.startswith("cpus_") and isinstance(v, str):
                try:
                    v = cpulist_count(v)
                except ValueError:
                    v = None
            if key == "cpu_model" and not isinstance(v, str):
                v = None
            if isinstance(v, (str, int, float)) and v != "":
                host[key] = v
    lines = profile_lines(d)
    unknown = "unknown: pcpubench info --format json not available"
    m = {
        "schema": SCHEMA,
        "label": st.get("label"),
        "profile": {"name": st.get("profile"), "lines": lines},
        "started_utc": st.get("started"),
        "finished_utc": st.get("finished"),
        "resumed_utc": st.get("resumed"),
        "status": st.get("status"),
        "setup": st.get("setup"),
        "build_status": st.get("build"),
        "info_status": st.get("info"),
        "steps": st["steps"],
        # each step's metadata from its sidecar (the exact command, seed,
        # TSC rate, core clock source, calibration, layout ...)
        "step_meta": read_step_meta(d),
        # "REVISION SHA256" the run started with, and the one a resume
        # used when it differed (each step has its own in "steps")
        "binary_started": st.get("binary"),
        "binary_resumed": st.get("binary_resumed"),
        "host": host,
        "build": build_facts(root, binary),
        "git": git_facts(root),
        "counters": pick(info, "counters", "events") or unknown,
        "calibration": ({k: info[k] for k in ("clocks", "tlb_calibration",
                                               "calibration")
                         if isinstance(info, dict) and k in info}
                        or unknown),
        "tools": {"python": platform.python_version(),
                  "gnuplot": sh(["gnuplot", "--version"]),
                  "hwloc": sh(["lstopo-no-graphics", "--version"])},
        "info": info,
    }
    if info is None:
        m["info_text"] = read(os.path.join(d, "info.txt"))
    if m["git"].get("dirty"):
        # the uncommitted changes the run was built with (tracked files)
        diff = sh(["git", "diff", "HEAD"], cwd=root)
        if diff:
            atomic_write(os.path.join(d, "git.diff"), diff + "\n")
    atomic_write(os.path.join(d, "meta.json"),
                 json.dumps(m, indent=2, sort_keys=False) + "\n")
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "merge":
        return merge(argv[2], argv[3] if len(argv) > 3 else None)
    if len(argv) == 5 and argv[1] == "meta":
        return meta(argv[2], argv[3], argv[4])
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
