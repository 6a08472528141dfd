#!/usr/bin/python3
"""test_findings - the findings block (plots/findings.py) of a run that
lost samples to disturbance, and its NA lines, over copies of the
fixtures (tests/fixtures/real-vm: claims 1-6; guest-kfacts: 3, 4, 7):

- each claim that lost samples carries its own mark, "disturbed: N
  samples left out (rerun on a quiet machine)", N its count; no
  summary line after the legend;
- a figure whose samples were all left out says "disturbed: rerun",
  never only "too few samples", and its verdict class is "disturbed"
  (compare's agreement line);
- the block stays within findings.MAX_LINES lines of 72 columns, every
  line of every claim whole (never cut);
- claim 7's module reserve r: NA with its reason (this host's kernel
  log rotated out its boot lines), never a bare "r NA B"; no NA in the
  block without its reason;
- invariants that all held take one line of the block when their list
  would take more (the list follows the block);
- the machine floor (ptr at the workload's smallest P, largest M) is
  said after the block, and compare's agreement line names runs whose
  floors lie more than FLOOR_APART apart (unlike machine states), and
  only those;
- claim 5's cold K from an unstable calibration says "rerun"; compare
  names the runs that asked for a rerun in a claim that differs.

Run by tests/t-report-findings.sh; /usr/bin/python3 (no matplotlib).
"""

import csv
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "plots"))

import findings  # noqa: E402
from pcpu_results import Run  # noqa: E402

FIX = os.path.join(HERE, "fixtures")
FLAG = "flagged:disturbed(preempted in 5 of 5 batches; another task had" \
    " the CPU: rerun on a quiet machine)"


def flag(path, pick):
    """Rewrite the CSV at path with status FLAG on rows pick(row) holds
    (ok rows only); the number flagged."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
        names = list(rows[0].keys())
    n = 0
    for r in rows:
        if r["status"] == "ok" and pick(r):
            r["status"] = FLAG
            n += 1
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, names, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return n


def flat(lines):
    return " ".join(" ".join(lines).split())


class Base(unittest.TestCase):
    fixture = None

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="test_findings.")
        self.dir = os.path.join(self.tmp, self.fixture)
        shutil.copytree(os.path.join(FIX, self.fixture), self.dir)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def block(self):
        run = Run(self.dir)
        ctx = []
        blk = findings.block(run, ctx)
        return run, blk, ctx

    def whole(self, run, blk, ctx):
        """The budget and the never-cut invariants."""
        self.assertLessEqual(len(blk), findings.MAX_LINES, "\n".join(blk))
        self.assertFalse([ln for ln in blk + ctx if len(ln) > 72])
        b, m = flat(blk), flat(ctx)
        for c in findings.compute(run):
            if c.key == "modules" and not c.settled:
                continue
            for i, ln in enumerate(c.lines):
                self.assertIn(flat([ln]), m if i in c.more else b,
                              (c.key, ln))

    def claim_text(self, blk, k):
        """The block's lines of claim k (its header to the next)."""
        out, on = [], False
        for ln in blk:
            if ln[:1].isdigit():
                on = ln.startswith("%d " % k)
            elif not ln.startswith(" "):
                on = False
            if on:
                out.append(ln)
        return flat(out)


class Disturbed(Base):
    fixture = "real-vm"

    def test_marks(self):
        d = self.dir
        # claim 1: two repetitions of offset-array's path samples
        n1 = flag(os.path.join(d, "access.csv"), lambda r: (
            r["strategy"], r["mode"], r["metric"], r["rep"]) in {
                ("offset-array", "path", "cycles_per_op", rep)
                for rep in ("0", "1")} and r["phase"] == "boot" and
            r["vars"] == "1" and r["op"] == "read")
        # claim 5: every late sample of hybrid (cold and path): its
        # figures have no sample left
        n5 = flag(os.path.join(d, "access.csv"), lambda r:
                  r["strategy"] == "hybrid" and r["phase"] == "late")
        # claim 2: one repetition of vm-area's workload samples
        n2 = flag(os.path.join(d, "workload.csv"), lambda r:
                  r["strategy"] == "vm-area" and r["rep"] == "0" and
                  r["metric"] == "cycles_per_iter")
        self.assertTrue(n1 and n2 and n5, (n1, n2, n5))
        run, blk, ctx = self.block()
        self.whole(run, blk, ctx)
        cl = {c.key: c for c in findings.compute(run)}
        for k, key in ((1, "deref"), (2, "tlb"), (5, "strain")):
            n = cl[key].dropped
            self.assertGreater(n, 0, key)
            self.assertIn(findings.DISTURBED % n, self.claim_text(blk, k),
                          "\n".join(blk))
        for k in (3, 4, 6):
            self.assertNotIn("disturbed", self.claim_text(blk, k))
        # claim 5 lost all of hybrid's late samples: "disturbed: rerun"
        c5 = self.claim_text(blk, 5)
        self.assertIn("disturbed: rerun", c5)
        self.assertNotIn("too few samples", c5)
        # compare's agreement line names it so ("B disturbed")
        self.assertEqual(set(cl["strain"].verdicts.values()), {"disturbed"})
        self.assertIn("disturbed", findings.agreement(
            [findings.compute(Run(os.path.join(FIX, "real-vm"))),
             findings.compute(run)], lambda j: "AB"[j]))
        # no summary line of the old form after the legend
        self.assertFalse([ln for ln in blk if ln.startswith("disturbed")])

    def test_rerun_asked(self):
        """compare: a claim that differs names the runs that asked for a
        rerun (disturbed samples left out)."""
        quiet = findings.compute(Run(self.dir))
        flag(os.path.join(self.dir, "access.csv"), lambda r:
             r["strategy"] == "hybrid" and r["phase"] == "late")
        line = findings.agreement([quiet, findings.compute(Run(self.dir))],
                                  "AB".__getitem__)
        self.assertIn("claim 5 differs", line)
        self.assertIn("rerun asked in B", line)
        self.assertNotIn("rerun asked in A", line)

    def test_quiet_run_has_no_mark(self):
        run, blk, ctx = self.block()
        self.whole(run, blk, ctx)
        self.assertNotIn("disturbed", flat(blk + ctx))


class ModuleReserve(Base):
    fixture = "guest-kfacts"

    def reserve(self, value, why=None):
        p = os.path.join(self.dir, "info.json")
        with open(p) as f:
            info = json.load(f)
        info["modules"]["percpu_reserve_bytes"] = value
        if why:
            info["modules"]["percpu_reserve_why"] = why
        with open(p, "w") as f:
            json.dump(info, f)

    def test_rotated_out(self):
        self.reserve(None, "the kernel log starts at record 12186, not at "
                     "boot: the per-CPU boot lines were rotated out of "
                     "the ring buffer")
        run, blk, ctx = self.block()
        self.whole(run, blk, ctx)
        c7 = self.claim_text(blk, 7)
        self.assertIn("r NA here (the kernel log starts at record 12186, "
                      "not at boot)", c7)
        self.assertIn("loaded use NA (no /proc/modules)", c7)
        self.assertNotIn("NA B", c7)

    def test_known(self):
        self.reserve(8192)
        run, blk, ctx = self.block()
        self.assertIn("r 8K here, loaded use NA (no /proc/modules)",
                      self.claim_text(blk, 7))

    def test_invariants_held_one_line(self):
        """Every invariant held, its list longer than a line: one line in
        the block, the list first after it."""
        run, blk, ctx = self.block()
        ok, inv = findings.invariants(run)
        self.assertTrue(ok and len(inv) > 72, inv)
        self.assertEqual(blk[1], findings.INVARIANTS_HELD)
        self.assertEqual(flat(ctx[1:3]), flat([inv]))

    def test_no_bare_na(self):
        """Every NA in the block has its reason: '(why)', ', why' or
        ': why' after it, or the figure's own words before 'vs'."""
        import re
        self.reserve(None, "no 'percpu: ... rN' boot line in /dev/kmsg")
        run, blk, ctx = self.block()
        text = flat(blk)        # a reason may wrap to the next line
        for m in re.finditer(r"\bNA\b", text):
            self.assertRegex(text[m.end():], r"^( here)?( \(|, |: | vs )",
                             text[m.start() - 30:m.end() + 30])


def scale_ptr(path, k):
    """Multiply every ptr cycles_per_iter value of the workload CSV at
    path by k (a run made in a slower machine state)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
        names = list(rows[0].keys())
    for r in rows:
        if r["strategy"] == "ptr" and r["metric"] == "cycles_per_iter" \
                and r["value"] not in ("", "NA"):
            r["value"] = repr(float(r["value"]) * k)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, names, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


class MachineFloor(Base):
    fixture = "real-vm"

    def test_floor_said(self):
        run, blk, ctx = self.block()
        self.assertIn("2 machine floor (ptr, P=", flat(ctx))

    def test_floors_apart(self):
        same = Run(self.dir)
        slow = os.path.join(self.tmp, "slow")
        shutil.copytree(self.dir, slow)
        scale_ptr(os.path.join(slow, "workload.csv"), 1.3)
        per = [findings.compute(r) for r in (same, Run(self.dir),
                                             Run(slow))]
        letters = "ABC".__getitem__
        self.assertNotIn("machine floors apart",
                         findings.agreement(per[:2], letters))
        line = findings.agreement([per[0], per[2]], letters)
        self.assertIn("machine floors apart: A ", line)
        self.assertIn("(+30%): timed claims (1, 2, 5)", line)
        # a small difference is not called apart
        near = os.path.join(self.tmp, "near")
        shutil.copytree(self.dir, near)
        scale_ptr(os.path.join(near, "workload.csv"), 1.05)
        self.assertNotIn("machine floors apart", findings.agreement(
            [per[0], findings.compute(Run(near))], letters))


class UnstableReach(Base):
    """Claim 5's cold K is 2x the calibration's L2 reach: from an
    unstable calibration, the claim says rerun; from a stable one or
    none, nothing."""
    fixture = "real-vm"

    def set_verdict(self, v):
        p = os.path.join(self.dir, "raw", "01-tlb.csv.meta.json")
        with open(p) as f:
            m = json.load(f)
        m["meta"]["calibration_4k"] = v
        with open(p, "w") as f:
            json.dump(m, f)

    def test_unstable(self):
        self.set_verdict("unstable: L1d shared in this run's 4k pass")
        run, blk, ctx = self.block()
        self.assertIn("K from an unstable L2 reach (tlb step): rerun",
                      self.claim_text(blk, 5))
        self.whole(run, blk, ctx)

    def test_stable(self):
        self.set_verdict("stable")
        run, blk, ctx = self.block()
        self.assertNotIn("unstable L2 reach", self.claim_text(blk, 5))


if __name__ == "__main__":
    unittest.main()
