#!/usr/bin/python3
"""qmp.py - the host side of the guest tests: serves the guest's requests.

Follows the guest's serial log; for each line

    GUEST-REQ hotadd [node=N]

it asks QMP for query-hotpluggable-cpus, picks the first empty slot (on
node N when given) and plugs a vCPU there with device_add (driver and
props as QMP reported them). It logs what it did on stderr and stops when
the log shows GUEST-DONE, when qemu goes away (QMP socket closed), or after
--timeout seconds (then it asks qemu to quit and exits 1).

Usage: qmp.py --qmp SOCKET --serial LOGFILE [--timeout SECONDS]
Standard library only; runs on /usr/bin/python3.
"""

import argparse
import json
import os
import socket
import sys
import time


def log(msg):
    print(f"qmp.py: {msg}", file=sys.stderr, flush=True)


class QMP:
    def __init__(self, path, wait):
        deadline = time.monotonic() + wait
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        self.f = self.sock.makefile("rw")
        self._recv()  # greeting
        self.cmd("qmp_capabilities")

    def _recv(self):
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError("QMP closed")
            msg = json.loads(line)
            if "event" in msg:
                continue
            return msg

    def cmd(self, name, **args):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.f.write(json.dumps(req) + "\n")
        self.f.flush()
        rep = self._recv()
        if "error" in rep:
            raise RuntimeError(f"{name}: {rep['error'].get('desc', rep)}")
        return rep.get("return")


def hotadd(qmp, node, serial_id):
    slots = qmp.cmd("query-hotpluggable-cpus")
    free = [s for s in slots if "qom-path" not in s]
    if node is not None:
        free = [s for s in free if s.get("props", {}).get("node-id") == node]
    if not free:
        log(f"hotadd: no free vCPU slot (node={node})")
        return False
    free.sort(key=lambda s: sorted(s["props"].items()))
    slot = free[0]
    args = dict(slot["props"])
    args.pop("node-id", None)  # fixed by -numa cpu; not a device property
    args.update(driver=slot["type"], id=f"hpcpu{serial_id}")
    qmp.cmd("device_add", **args)
    log(f"hotadd: device_add {json.dumps(args)}")
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qmp", required=True)
    ap.add_argument("--serial", required=True)
    ap.add_argument("--timeout", type=float, default=240)
    a = ap.parse_args()

    start = time.monotonic()
    try:
        qmp = QMP(a.qmp, 30)
    except OSError as e:
        log(f"cannot connect to {a.qmp}: {e}")
        return 1
    pos = 0
    pending = ""
    nadd = 0
    while True:
        if time.monotonic() - start > a.timeout:
            log(f"timeout after {a.timeout:.0f} s: asking qemu to quit")
            try:
                qmp.cmd("quit")
            except (OSError, EOFError, RuntimeError):
                pass
            return 1
        try:
            with open(a.serial, "rb") as f:
                f.seek(pos)
                data = f.read()
        except FileNotFoundError:
            data = b""
        if data:
            pos += len(data)
            pending += data.decode("utf-8", "replace")
            *lines, pending = pending.split("\n")
            for line in lines:
                line = line.strip("\r")
                i = line.find("GUEST-")
                if i < 0:
                    continue
                words = line[i:].split()
                if words[0] == "GUEST-DONE":
                    return 0
                if words[0] == "GUEST-REQ" and len(words) > 1:
                    opts = dict(w.split("=", 1) for w in words[2:] if "=" in w)
                    if words[1] == "hotadd":
                        node = int(opts["node"]) if "node" in opts else None
                        try:
                            hotadd(qmp, node, nadd)
                            nadd += 1
                        except (RuntimeError, OSError, EOFError) as e:
                            log(f"hotadd failed: {e}")
                    else:
                        log(f"unknown request: {line[i:]}")
            continue
        # Nothing new: is qemu still there?
        try:
            qmp.cmd("query-status")
        except (OSError, EOFError, ValueError):
            return 0
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main())
