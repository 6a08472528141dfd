#!/usr/bin/python3
"""fuzz.py - a deterministic fuzz pass over pcpubench (issue 22).

Usage: fuzz.py BIN WORKDIR [N] [SEED]

Generates N invocations (default 5000) from a seeded generator: option
names taken from each command's --help, values from a hostile pool
(0, -1, 2^32+1, 2^64, octal, space, empty, NaN, lists with holes, long
strings, FIFOs, device nodes, /proc files, the binary itself, huge and
deep files) mixed with valid values. Most are dry runs (`pcpubench
--dry-run ...`: every check of a real run); about one in eight is a
real run, bounded (short durations, one repetition) and never with an
option that changes the machine (no kernel command, no --allow-hotplug,
no --hugetlb-reserve, no sysfs backend; as user nobody when root, who
could not change anything anyway). Each under an address-space limit
(ulimit -v) and a time limit. Fails on: a crash (signal), a hang
(timeout), an exit code outside 0-4, a traceback or sanitizer report, a
write outside WORKDIR's scratch files, the binary changed, a device
node replaced, vm.nr_hugepages or the online CPUs changed.

Run by `make check-fuzz` (tests/t-fuzz.sh: inside `unshare -m`, with a
private tmpfs on /dev, so device-node cases never touch the host's /dev).
Prints the totals.
"""
import hashlib
import os
import random
import resource
import stat
import subprocess
import sys

COMMANDS = ["list", "info", "access", "tlb", "churn", "numa", "mem",
            "kernel", "workload"]
DANGER = {"--allow-hotplug", "--hugetlb-reserve", "--backend"}
AS_LIMIT = 4 << 30
TIMEOUT = 30


def opts_of(binary, cmd):
    out = subprocess.run([binary, cmd, "--help"], capture_output=True,
                         text=True, timeout=20).stdout
    names = sorted({w.rstrip(".,)") for w in out.replace("[", " ").split()
                    if w.startswith("--") and len(w) > 3
                    and w[2].isalpha()})
    return [n.split("=")[0] for n in names if n != "--help"]


def pool(w, binary):
    long_ = "9" * 1000
    return [
        "0", "1", "2", "-1", "-0", "4294967297", "4294967296",
        "18446744073709551616", "18446744073709551615", "010", " 5", "+5",
        "", " ", ",", "1,,2", "0-1,", "1-", "NaN", "nan", "inf", "1e308",
        "1e-300", "0x10", "0.5", "3", "8", "16", "all", "tls", "segment",
        "offset-array", "vm-area", "read", "inc", "latency", "cold", "4k",
        "2m", "thp", "hugetlb", "local", "node:0", "node:99", "interleave",
        "sim", "sysfs", "csv", "json", "text", "auto", "host", "abc",
        long_, "x" * 300, "synthetic:node:2 core:2 pu:2",
        "synthetic:node:100 core:100 pu:100", "xml:/dev/zero",
        "xml:" + w + "/fifo", "xml:" + w + "/big.xml", "xml:" + w + "/none",
        w + "/out.csv", w + "/out.json", w + "/sub/none/x.csv",
        w + "/fifo", w + "/dev/null", w + "/dev/zero", w + "/link",
        w + "/hard", "/proc/self/exe", "/proc/self/comm",
        w + "/bincopy", "-", "/dev/stdout", "/dev/null", w,
        "/sys/kernel/mm/transparent_hugepage/enabled",
    ]


def files_snapshot(w):
    snap = {}
    for root, dirs, files in os.walk(w):
        for f in files:
            p = os.path.join(root, f)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            snap[p] = (stat.S_IFMT(st.st_mode), st.st_ino)
    return snap


def setup(w, binary):
    """The scratch files of WORKDIR (device nodes, a FIFO, a huge file,
    a symlink and a hard link, copies of the binary): (the binary every
    run uses, its SHA-256)."""
    os.makedirs(w + "/dev", exist_ok=True)
    for name, minor in (("null", 3), ("zero", 5)):
        p = w + "/dev/" + name
        if not os.path.exists(p):
            try:
                os.mknod(p, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
            except OSError:
                pass
    if not os.path.exists(w + "/fifo"):
        os.mkfifo(w + "/fifo")
    with open(w + "/big.xml", "wb") as f:
        f.truncate(64 << 20)
    with open(w + "/victim", "w") as f:
        f.write("victim\n")
    if not os.path.lexists(w + "/link"):
        os.symlink("victim", w + "/link")
    with open(w + "/hard0", "w") as f:
        f.write("x\n")
    if not os.path.exists(w + "/hard"):
        os.link(w + "/hard0", w + "/hard")
    with open(binary, "rb") as f:
        data = f.read()
    with open(w + "/bincopy", "wb") as f:
        f.write(data)
    # every run uses a copy (a rebuild meanwhile changes nothing), one
    # nobody can read for the real runs wherever the checkout lives
    runbin = w + "/run-bin"
    with open(runbin, "wb") as f:
        f.write(data)
    os.chmod(runbin, 0o755)
    os.chmod(w, 0o777)
    return runbin, hashlib.sha256(data).hexdigest()


KNOBS = ("/proc/sys/vm/nr_hugepages", "/sys/devices/system/cpu/online")


def knob():
    """The machine's knobs a run must never change."""
    out = []
    for k in KNOBS:
        try:
            with open(k) as f:
                out.append(f.read())
        except OSError:
            out.append("?")
    return out


# a real run's bounds: short, one repetition, one strategy
BOUNDS = {
    "access": ["--repeat", "1", "--tries", "1", "--min-time", "0.0001",
               "--op", "read", "--mode", "latency", "--strategy", "tls"],
    "tlb": ["--pages", "8,16", "--repeat", "1", "--page", "4k"],
    "churn": ["--duration", "0.05", "--rate", "0", "-q",
              "--possible", "8", "--online", "2"],
    "numa": ["--matrix", "off", "--strategy", "tls"],
    "mem": ["--possible", "8", "--online", "2", "--strategy", "tls"],
    "workload": ["--repeat", "1", "--tries", "1", "--min-time", "0.0001",
                 "--pages", "8", "--strategy", "tls"],
}


def gen_jobs(rnd, n, opts, vals, runbin):
    """n (real?, argv) invocations from the seeded generator."""
    jobs = []
    while len(jobs) < n:
        cmd = rnd.choice(COMMANDS)
        real = cmd not in ("kernel",) and rnd.random() < 0.125
        args = []
        for _ in range(rnd.randint(0, 4)):
            o = rnd.choice(opts[cmd] or ["--format"])
            if real and o in DANGER:
                continue
            if o in ("--quiet", "--no-save", "--late", "--no-fold",
                     "--metrics", "--allow-hotplug", "--emulated"):
                args.append(o)
                continue
            v = rnd.choice(vals)
            args += [o + "=" + v] if rnd.random() < 0.2 else [o, v]
        if real:
            # the generated options last: getopt takes the last value, so
            # a hostile value is what the run sees
            argv = [runbin, cmd] + BOUNDS.get(cmd, []) + args
            if any(a.startswith(("--allow", "--hugetlb", "--back"))
                   for a in argv):
                continue
        else:
            # most dry runs of the memory commands over 8 possible CPUs
            # (the default 8192 makes every dry run a second of work)
            small = ["--possible", "8"] if cmd in ("mem", "numa", "churn") \
                and rnd.random() < 0.8 else []
            argv = [runbin, "--dry-run", cmd] + small + args
        jobs.append((real, argv))
    return jobs


def run_jobs(jobs, w):
    """[(real?, argv, exit code or None for a hang, stderr)], four at a
    time, each under its limits (real runs as nobody when root)."""
    as_nobody = os.geteuid() == 0

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))
        if as_nobody:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)

    def limit_dry():
        resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))

    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PCPU_ALLOW") and k != "PCPU_RUN_SH"}
    env["PCPU_CALIBRATION"] = w + "/cal.csv"

    def one(job):
        real, argv = job
        try:
            p = subprocess.run(argv, capture_output=True, timeout=TIMEOUT,
                               env=env, cwd=w, stdin=subprocess.DEVNULL,
                               preexec_fn=limit if real else limit_dry)
            return real, argv, p.returncode, p.stderr.decode("utf-8",
                                                             "replace")
        except subprocess.TimeoutExpired:
            return real, argv, None, ""
        except OSError as e:
            return real, argv, 200, "exec failed: %s" % e

    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        return list(ex.map(one, jobs))


def tally_results(results, tally, bad):
    """Count exit codes; a hang, a crash, an exit code above 4 or a
    traceback/sanitizer report is bad."""
    for real, argv, rc, err in results:
        tally["total"] += 1
        tally["real" if real else "dry"] += 1
        if rc is None:
            tally["hang"] += 1
            bad.append(("hang", argv))
            continue
        tally["rc"][rc] = tally["rc"].get(rc, 0) + 1
        if rc < 0 or rc >= 128:
            tally["crash"] += 1
            bad.append(("crash %d" % rc, argv))
        elif rc > 4:
            tally["badrc"] += 1
            bad.append(("exit %d" % rc, argv))
        if "Traceback" in err or "Sanitizer" in err or "runtime error" in err:
            tally["traceback"] += 1
            bad.append(("traceback", argv))


def harm_checks(w, runbin, bin_sha, before, tally, bad):
    """Harm: devices, the FIFO, the binary and its copy, hard links, the
    victim behind the symlink, the machine's knobs."""
    for d in ("null", "zero"):
        if os.path.lexists(w + "/dev/" + d) and \
                not stat.S_ISCHR(os.lstat(w + "/dev/" + d).st_mode):
            tally["harm"] += 1
            bad.append(("device replaced: " + d, []))
    if not stat.S_ISFIFO(os.lstat(w + "/fifo").st_mode):
        tally["harm"] += 1
        bad.append(("FIFO replaced", []))
    if not os.path.islink(w + "/link"):
        tally["harm"] += 1
        bad.append(("symlink replaced by a file", []))
    # the binary the runs ran (-o /proc/self/exe names it) and a copy
    # (a rebuild of build/pcpubench meanwhile is not the program's doing)
    with open(runbin, "rb") as f:
        if hashlib.sha256(f.read()).hexdigest() != bin_sha:
            tally["harm"] += 1
            bad.append(("the binary changed", []))
    with open(w + "/bincopy", "rb") as f:
        if hashlib.sha256(f.read()).hexdigest() != bin_sha:
            tally["harm"] += 1
            bad.append(("the copy of the binary changed", []))
    if os.stat(w + "/hard0").st_nlink != 2:
        tally["harm"] += 1
        bad.append(("hard link split", []))
    if knob() != before:
        tally["harm"] += 1
        bad.append(("machine knob changed: %s -> %s" % (before, knob()), []))


def main():
    binary, w = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 22
    rnd = random.Random(seed)
    runbin, bin_sha = setup(w, binary)
    vals = pool(w, binary)
    opts = {c: opts_of(runbin, c) for c in COMMANDS}
    before = knob()
    tally = {"total": 0, "dry": 0, "real": 0, "rc": {}, "crash": 0,
             "hang": 0, "traceback": 0, "harm": 0, "badrc": 0}
    bad = []
    jobs = gen_jobs(rnd, n, opts, vals, runbin)
    tally_results(run_jobs(jobs, w), tally, bad)
    harm_checks(w, runbin, bin_sha, before, tally, bad)
    print("fuzz: %d invocations (%d dry runs, %d bounded real runs), seed "
          "%d; exit codes %s; crashes %d, hangs %d, tracebacks %d, bad exit "
          "codes %d, harm %d" % (
              tally["total"], tally["dry"], tally["real"], seed,
              ", ".join("%s: %d" % kv for kv in sorted(tally["rc"].items())),
              tally["crash"], tally["hang"], tally["traceback"],
              tally["badrc"], tally["harm"]))
    for why, argv in bad[:30]:
        print("FAIL %s: %s" % (why, " ".join(repr(a)[:80] for a in argv)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
