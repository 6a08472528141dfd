"""Unit tests of the results package plots/pcpu/ (run by
tests/t-pcpu-py.sh) over the checked-in fixtures (tests/fixtures/):
the tidy CSV contract, a results directory read once, the report
attributes read from metrics.json (and equal to what a directory
written before them implies), the statistics and the base-versus-point
cell, labels, atomic writes, the state file, and scripts/results-write.py
merging each step's CSV with the same reader."""
import ast
import glob
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIX = os.path.join(HERE, "fixtures")
sys.path.insert(0, os.path.join(ROOT, "plots"))
from pcpu import files, labels, read, rules, stats, tidy  # noqa: E402


def fixture(name):
    return read.Run(os.path.join(FIX, name))


class Tidy(unittest.TestCase):
    def test_rows_headers_and_malformed(self):
        lines = ["# comment", "bench,strategy,rep,metric,value,unit,status",
                 "access,segment,1,cycles_per_op,1.5,cycles,ok",
                 "access,segment,1,cycles_per_op",
                 "bench,x,rep,metric,value,unit",
                 "access,1,2,3,4,5"]
        got = [(k, r if k != "row" else r["strategy"])
               for k, _, r in tidy.tidy_rows(lines)]
        self.assertEqual([k for k, _ in got],
                         ["row", "malformed", "bad-header", "malformed"])
        self.assertEqual(got[0][1], "segment")
        self.assertEqual(tidy.params_of(lines[1].split(",")), ["strategy"])

    def test_text_lines_invalid_utf8(self):
        with tempfile.NamedTemporaryFile("wb", suffix=".csv",
                                         delete=False) as f:
            f.write(b"bench,rep,metric,value,unit,status\nx,1,m,1,u,ok\n"
                    b"x,2,m,\xff,u,ok\n")
        probs = []
        try:
            lines = tidy.text_lines(f.name, probs)
        finally:
            os.unlink(f.name)
        self.assertEqual(len(lines), 2)
        self.assertIn("invalid UTF-8", probs[0][1])


class ReadFixtures(unittest.TestCase):
    def test_every_fixture_reads(self):
        for name in ("na-vm", "two-node", "real-vm", "interrupted",
                     "guest-kfacts"):
            run = fixture(name)
            self.assertTrue(run.benches, name)
            self.assertIsNotNone(run.metric_list, name)
            for b in run.benches.values():
                self.assertIsNotNone(b.report, name)

    def test_state_and_step_meta(self):
        run = fixture("interrupted")
        self.assertEqual(run.state["status"], "interrupted")
        self.assertEqual(run.state["total"], 5)
        self.assertEqual([s["bench"] for s in run.state["steps"]],
                         ["access", "tlb"])
        self.assertEqual(sorted(run.step_meta), ["01-access", "02-tlb"])
        kv, steps, revs = read.parse_state(
            ["label x", "step 1 ok access", "steprev 1 abc 0123",
             "step 2 failed tlb timeout after 9 s"])
        self.assertEqual(kv, {"label": "x"})
        self.assertEqual(steps[1]["msg"], "timeout after 9 s")
        self.assertEqual(revs, {"1": ("abc", "0123")})

    def test_not_results(self):
        d = tempfile.mkdtemp()
        try:
            self.assertRaises(read.NotResults, read.Run, d)
        finally:
            os.rmdir(d)


class ReportAttributes(unittest.TestCase):
    """The headline, pivot, difference and label attributes come from
    metrics.json (lib/toolkit/pcpu-metrics.h); they must say what the
    frozen legacy rules said, so that old and new directories read
    alike."""

    def test_headlines_from_metrics_json(self):
        run = fixture("real-vm")
        a = run.benches["access"]
        self.assertEqual(a.headlines(), [["cycles_per_op", "ns_per_op"],
                                         ["tlb_cost"], ["cold_cycles"],
                                         ["pages_on_path"]])
        w = run.benches["workload"]
        self.assertEqual(w.headlines(), [])
        self.assertEqual(w.headlines(pivot=True),
                         [["slowdown_vs_segment_pct"], ["tlb_share_pct"]])
        c = run.benches["churn"]
        self.assertEqual(c.label("online_latency_ns_p99"), "online p99")
        self.assertEqual(c.label("online_alloc_ns_p50"), "alloc")
        self.assertEqual(c.label("ops_per_sec"), "ops_per_sec")
        self.assertTrue(a.is_difference("tlb_cost"))
        self.assertTrue(a.is_difference("dtlb_misses_per_op_est"))
        self.assertFalse(a.is_difference("cycles_per_op"))

    def test_declared_equals_legacy(self):
        run = fixture("real-vm")
        for m in run.metric_list.exact.values():
            b = read.Bench(m["bench"])
            legacy = b.attrs(m["metric"])
            self.assertEqual(bool(m["difference"]),
                             bool(legacy["difference"]), m["metric"])
            self.assertEqual(m["headline"], legacy["headline"],
                             m["metric"])
            self.assertEqual(m["pivot"], legacy["pivot"], m["metric"])
            if m["label"] or legacy["label"]:
                self.assertEqual(m["label"], legacy["label"], m["metric"])

    def test_old_metrics_json_uses_legacy(self):
        data = {"metrics": [{"bench": "access", "metric": "tlb_cost",
                             "unit": "cycles", "kind": "ok",
                             "zero": False, "meaning": "x"}]}
        self.assertIsNone(read.MetricList(data).report("access"))


class Stats(unittest.TestCase):
    def test_exact_p_bound(self):
        self.assertAlmostEqual(stats.min_exact_p(3, 3), 0.1)
        self.assertAlmostEqual(stats.min_exact_p(9, 9), 2.0 / 48620)
        self.assertEqual(stats.min_exact_p(0, 3), 1.0)
        # the bound is what the test reaches at complete separation
        u, p, how = stats.mann_whitney([1, 2, 3], [4, 5, 6])
        self.assertAlmostEqual(p, stats.min_exact_p(3, 3))

    def test_versus(self):
        s = [{"rep": str(i), "value": v, "status": "ok"}
             for i, v in enumerate((10, 11, 12, 13, 14))]
        t = [dict(x, value=x["value"] * 2) for x in s]
        v = stats.versus(stats.Stats(s), stats.Stats(t))
        self.assertEqual(v.diff, 12)
        self.assertAlmostEqual(v.ratio, 2.0)
        self.assertAlmostEqual(v.pct, 100.0)
        self.assertTrue(v.sig)
        self.assertEqual(v.pair, (5, 5))
        self.assertIsNone(stats.versus(stats.Stats([]), stats.Stats(t)))

    def test_dropped_left_out(self):
        s = [{"rep": "1", "value": 5.0, "status": "flagged:disturbed"},
             {"rep": "2", "value": 1.0, "status": "ok"}]
        st = stats.Stats(s)
        self.assertEqual((st.n, st.n_na, st.median), (1, 1, 1.0))


class Labels(unittest.TestCase):
    def test_orders_and_abbreviations(self):
        self.assertEqual(labels.short("offset-array"), "oa")
        self.assertEqual(labels.short("tls"), "tls")
        self.assertEqual(labels.short("latency"), "latency")
        self.assertTrue(set(labels.STRATEGY_SHORT) <=
                        set(labels.CANON["strategy"]))
        lay = sorted(["thread", "vm", "embed", "hybrid", "page"],
                     key=lambda v: labels.vkey("layout", v))
        self.assertEqual(lay, ["embed", "page", "vm", "hybrid", "thread"])
        self.assertLess(labels.num_key("2k"), labels.num_key("16k"))


class Files(unittest.TestCase):
    def setUp(self):
        self.d = tempfile.mkdtemp()

    def tearDown(self):
        shutil.rmtree(self.d)

    def test_atomic_write_keeps_mode(self):
        p = os.path.join(self.d, "f")
        files.atomic_write(p, "a")
        os.chmod(p, 0o600)
        files.atomic_write(p, "b")
        self.assertEqual(open(p).read(), "b")
        self.assertEqual(stat.S_IMODE(os.stat(p).st_mode), 0o600)
        self.assertEqual(os.listdir(self.d), ["f"])

    def test_fifo_refused(self):
        p = os.path.join(self.d, "fifo")
        os.mkfifo(p)
        self.assertRaises(OSError, files.atomic_write, p, "x")
        self.assertRaises(OSError, files.read_bounded, p, 10)


class ResultsWrite(unittest.TestCase):
    """scripts/results-write.py merges raw/*.csv with pcpu.tidy: the
    interrupted fixture keeps its raw CSVs, and merging them again
    gives the checked-in merged CSVs byte for byte."""

    def test_merge_round_trip(self):
        d = tempfile.mkdtemp()
        try:
            src = os.path.join(FIX, "interrupted")
            shutil.copytree(os.path.join(src, "raw"),
                            os.path.join(d, "raw"))
            subprocess.run(["/usr/bin/python3",
                            os.path.join(ROOT, "scripts",
                                         "results-write.py"),
                            "merge", d], check=True)
            for b in ("access", "tlb"):
                with open(os.path.join(d, b + ".csv")) as f, \
                        open(os.path.join(src, b + ".csv")) as g:
                    self.assertEqual(f.read(), g.read(), b)
        finally:
            shutil.rmtree(d)


class Shape(unittest.TestCase):
    """No function over 150 lines, no file over 800, in the package and
    the scripts that use it."""

    def test_sizes(self):
        paths = glob.glob(os.path.join(ROOT, "plots", "*.py")) + \
            glob.glob(os.path.join(ROOT, "plots", "pcpu", "*.py")) + \
            [os.path.join(ROOT, "scripts", "results-write.py")]
        for p in paths:
            with open(p) as f:
                text = f.read()
            self.assertLessEqual(text.count("\n"), 800, p)
            for n in ast.walk(ast.parse(text)):
                if isinstance(n, ast.FunctionDef):
                    self.assertLessEqual(n.end_lineno - n.lineno + 1, 150,
                                         "%s: %s" % (p, n.name))


if __name__ == "__main__":
    unittest.main()
