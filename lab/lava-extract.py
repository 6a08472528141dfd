#!/usr/bin/python3
"""lava-extract - rebuild pcpubench results directories from LAVA job logs.

Usage: lab/lava-extract.py LOG [LOG ...] DEST [--cases]

LOG is a LAVA job log: the YAML log lava-run writes (lines
`{"dt": ..., "lvl": "target", "msg": ...}`, or `- {...}`), the one a LAVA server
serves for a job (/scheduler/job/N/log_file, or output.yaml in a
worker's job directory), a directory holding one (output.yaml or
lava-run.log), or the plain text of a console. In it,
lab/lava/pcpubench-lava.sh printed each results directory as a gzipped
tar in base64 between

    PCPUBENCH-RESULTS-BEGIN name=DIR bytes=N sha256=HEX
    PCPUBENCH-RESULTS-END name=DIR

Each is checked (size and sha256; tar members stay inside DIR) and
unpacked to DEST/DIR (DEST/DIR-2, -3 ... when two jobs carry one name),
so that `./run.sh report DEST/DIR` and `./run.sh compare DEST/*` work on
N jobs' results. With --cases, LAVA's own results in the log (lvl
"results": test cases and measurements) are printed, one per line:
`DEFINITION CASE RESULT [MEASUREMENT UNITS]`.

Exit: 0 at least one directory rebuilt; 1 none found or one is corrupt
(the message says which); 2 usage.
"""

import base64
import hashlib
import io
import json
import os
import re
import sys
import tarfile

BEGIN = re.compile(r"PCPUBENCH-RESULTS-BEGIN name=([A-Za-z0-9._-]+) "
                   r"bytes=([0-9]+) sha256=([0-9a-f]{64})")
END = "PCPUBENCH-RESULTS-END"
B64 = re.compile(r"^[A-Za-z0-9+/=]+$")


def log_records(path):
    """(lvl, msg) of each line of a LAVA YAML log, or ("target", line)
    for plain text."""
    if os.path.isdir(path):
        for n in ("output.yaml", "lava-run.log"):
            if os.path.exists(os.path.join(path, n)):
                path = os.path.join(path, n)
                break
        else:
            raise OSError("%s: no output.yaml or lava-run.log" % path)
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\r\n")
            body = line[2:] if line.startswith("- {") else line
            if body.startswith("{") and body.endswith("}"):
                rec = None
                try:
                    rec = json.loads(body)
                except ValueError:
                    try:
                        import yaml
                        rec = yaml.safe_load(body)
                    except Exception:
                        rec = None
                if isinstance(rec, dict) and "msg" in rec:
                    yield rec.get("lvl", ""), rec["msg"]
                    continue
            yield "target", line


def target_lines(records):
    for lvl, msg in records:
        if lvl in ("target", "input", "feedback") and isinstance(msg, str):
            for ln in msg.splitlines() or [""]:
                yield ln.strip("\r")


def blocks(lines):
    """[(name, nbytes, sha256, data or None, why)] of the marked blocks."""
    out, cur = [], None
    for ln in lines:
        m = BEGIN.search(ln)
        if m:
            if cur:
                out.append(cur[:3] + (None, "no END marker before the "
                                      "next BEGIN"))
            cur = (m.group(1), int(m.group(2)), m.group(3), [])
            continue
        if cur is None:
            continue
        if END in ln:
            name, n, sha, parts = cur
            cur = None
            try:
                data = base64.b64decode("".join(parts), validate=True)
            except ValueError as e:
                out.append((name, n, sha, None, "bad base64: %s" % e))
                continue
            if len(data) != n:
                out.append((name, n, sha, None, "%d bytes, not %d (lines "
                            "lost or mangled in the log)" % (len(data), n)))
            elif hashlib.sha256(data).hexdigest() != sha:
                out.append((name, n, sha, None, "sha256 differs"))
            else:
                out.append((name, n, sha, data, ""))
            continue
        s = ln.strip()
        # a console line may carry a prompt or kernel message: the
        # base64 body is the longest base64 run ending the line
        if B64.match(s):
            cur[3].append(s)
        else:
            tail = re.search(r"([A-Za-z0-9+/=]{16,})$", s)
            if tail:
                cur[3].append(tail.group(1))
    if cur:
        out.append(cur[:3] + (None, "no END marker (job cut short?)"))
    return out


def unpack(name, data, dest):
    """DEST/name (or -2, -3 ...) from the tar; its path."""
    tf = tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")
    members = tf.getmembers()
    for mb in members:
        parts = mb.name.split("/")
        if mb.name.startswith("/") or ".." in parts or parts[0] != name \
                or not (mb.isfile() or mb.isdir()):
            raise ValueError("unsafe or foreign member %r" % mb.name)
    target, n = os.path.join(dest, name), 1
    while os.path.exists(target):
        n += 1
        target = os.path.join(dest, "%s-%d" % (name, n))
    tmp = target + ".extract"
    os.makedirs(tmp)
    tf.extractall(tmp, members=members)
    os.rename(os.path.join(tmp, name), target)
    os.rmdir(tmp)
    return target


def lava_results(records):
    for lvl, msg in records:
        if lvl == "results" and isinstance(msg, dict):
            yield msg


def main(argv):
    args = [a for a in argv[1:] if a != "--cases"]
    if len(args) < 2 or any(a.startswith("-") for a in args):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    logs, dest = args[:-1], args[-1]
    os.makedirs(dest, exist_ok=True)
    got, bad = 0, 0
    for log in logs:
        try:
            recs = list(log_records(log))
        except OSError as e:
            print("lava-extract: %s" % e, file=sys.stderr)
            bad += 1
            continue
        found = blocks(target_lines(recs))
        if not found:
            print("lava-extract: %s: no PCPUBENCH-RESULTS block" % log,
                  file=sys.stderr)
            bad += 1
        for name, n, sha, data, why in found:
            if data is None:
                print("lava-extract: %s: %s: %s" % (log, name, why),
                      file=sys.stderr)
                bad += 1
                continue
            try:
                path = unpack(name, data, dest)
            except (ValueError, tarfile.TarError, OSError) as e:
                print("lava-extract: %s: %s: %s" % (log, name, e),
                      file=sys.stderr)
                bad += 1
                continue
            print(path)
            got += 1
        if "--cases" in argv[1:]:
            for r in lava_results(recs):
                line = "%s %s %s" % (r.get("definition", "?"),
                                     r.get("case", "?"),
                                     r.get("result", "?"))
                if r.get("measurement") is not None:
                    line += " %s %s" % (r["measurement"], r.get("units", ""))
                print(line)
    return 0 if got and not bad else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
