"""Unit tests of plots/effects.py (run by tests/t-effects.sh): the
signed-rank distribution, the Hodges-Lehmann shifts and their intervals,
Holm's correction, the verdict classes (with a claim's smallest effect
of interest: "<3%"), the log-ratio shift, and compare's agreement line
by class and by interval (plots/findings.py). Fixed numbers only."""
import math
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "plots"))
import effects as E  # noqa: E402


class SignedRank(unittest.TestCase):
    def test_counts(self):
        self.assertEqual(E.signed_rank_counts(3), [1, 1, 1, 2, 1, 1, 1])
        for n in (1, 5, 9, 20):
            c = E.signed_rank_counts(n)
            self.assertEqual(sum(c), 2 ** n)
            self.assertEqual(len(c), n * (n + 1) // 2 + 1)
            self.assertEqual(c, c[::-1])

    def test_p_exact(self):
        # all 9 positive: W+ = 45, P = 2 / 512
        self.assertAlmostEqual(E.signed_rank_p(list(range(1, 10))),
                               2 / 512.0)
        self.assertEqual(E.signed_rank_p([0, 0, 0]), 1.0)


class Shift(unittest.TestCase):
    def test_one_sample_interval(self):
        e = E.one_sample_shift(list(range(1, 10)))
        self.assertEqual(e.est, 5)
        # n = 9 at 95%: P(W+ <= 5) = 10/512 <= 0.025 < P(W+ <= 6):
        # the 6th and 40th of the 45 Walsh averages
        walsh = sorted((i + j) / 2.0 for i in range(1, 10)
                       for j in range(i, 10))
        self.assertEqual((e.lo, e.hi), (walsh[5], walsh[39]))
        self.assertAlmostEqual(e.conf, 1 - 2 * 10 / 512.0)
        self.assertEqual(e.n, 9)

    def test_paired_slower_and_pct(self):
        a = [10.0, 11, 9, 10, 12, 10, 11, 9, 10]
        b = [x + 3 for x in a]
        e = E.paired_shift(a, b)
        self.assertEqual((e.est, e.lo, e.hi), (3, 3, 3))
        self.assertEqual(e.base, 10)
        self.assertEqual(E.verdict(e), ("slower", 30.0))
        self.assertIn("slower", E.describe(e))
        self.assertIn("+30%", E.describe(e))

    def test_faster_and_none(self):
        a = [10.0] * 9
        e = E.paired_shift(a, [x - 1 for x in a])
        self.assertEqual(E.verdict(e)[0], "faster")
        noise = [-0.3, 0.2, -0.1, 0.4, -0.2, 0.1, 0.0, -0.4, 0.3]
        e = E.paired_shift(a, [x + d for x, d in zip(a, noise)])
        cls, x = E.verdict(e)
        self.assertEqual(cls, "none")
        self.assertTrue(0 < x <= 4.0)
        self.assertTrue(E.describe(e).endswith("] n.d."))

    def test_few(self):
        self.assertIsNone(E.one_sample_shift([1.0]))
        e = E.one_sample_shift([1.0, 2.0, 3.0])
        self.assertEqual(E.verdict(e), ("few", None))
        self.assertIn("too few for a CI", E.describe(e))

    def test_two_sample(self):
        a = [10.0, 11, 9, 10.5, 9.5, 10.2, 9.8]
        b = [x + 10 for x in a]
        e = E.two_sample_shift(a, b)
        self.assertEqual(e.est, 10)
        self.assertTrue(e.lo <= 10 <= e.hi and e.lo > 0)
        self.assertEqual(e.kind, "two-sample")

    def test_diff_of_diffs(self):
        a0 = [10.0, 11, 9, 10, 12, 10, 11, 9, 10]
        c0 = [20.0, 21, 19, 20, 22, 20, 21, 19, 20]
        # both move by +5: no difference of differences
        e = E.diff_of_diffs(a0, [x + 5 for x in a0], c0,
                            [x + 5 for x in c0])
        self.assertEqual((e.est, e.lo, e.hi), (0, 0, 0))
        self.assertEqual(E.verdict(e)[0], "none")
        # a moves 4 more than the control: slower, 40% of a0's median
        e = E.diff_of_diffs(a0, [x + 9 for x in a0], c0,
                            [x + 5 for x in c0])
        self.assertEqual(E.verdict(e), ("slower", 40.0))


def _fixed(lo, hi, est=None, n=9):
    """An Effect with a given interval, in % (no baseline)."""
    return E.Effect((lo + hi) / 2.0 if est is None else est, lo, hi,
                    0.96, n, 0.5)


class Margin(unittest.TestCase):
    def test_within_before_sign(self):
        # inside +-3% but clear of 0: no difference of interest, not
        # "slower" (the class that flips when the effect is near 0)
        e = _fixed(0.5, 2.5)
        self.assertEqual(E.verdict(e)[0], "slower")
        self.assertEqual(E.verdict(e, margin=3.0), ("within", 2.5))
        self.assertEqual(E.word("within", 3.0), "<3%")
        self.assertTrue(E.describe(e, "%", margin=3.0).endswith("] <3%"))
        self.assertEqual(E.verdict(_fixed(-2.9, 0.4), margin=3)[0],
                         "within")

    def test_margin_crossed(self):
        self.assertEqual(E.verdict(_fixed(1.0, 4.0), margin=3)[0],
                         "slower")
        self.assertEqual(E.verdict(_fixed(-4.0, -3.5), margin=3)[0],
                         "faster")
        cls, x = E.verdict(_fixed(-4.0, 2.0), margin=3)
        self.assertEqual((cls, x), ("none", 4.0))
        self.assertEqual(E.word(cls, 3), E.ND)
        # too few pairs: no class, margin or not
        self.assertEqual(E.verdict(_fixed(-1, 1, n=4), margin=3)[0],
                         "few")

    def test_margin_in_pct_of_base(self):
        a = [100.0] * 9
        noise = [-0.3, 0.2, -0.1, 0.4, -0.2, 0.1, 0.0, -0.4, 0.3]
        e = E.paired_shift(a, [x + 1 + d for x, d in zip(a, noise)])
        self.assertEqual(E.verdict(e)[0], "slower")
        self.assertEqual(E.verdict(e, margin=3)[0], "within")

    def test_log_shift(self):
        e = E.log_shift([math.log(1.10)] * 9)
        self.assertAlmostEqual(e.est, 10.0)
        self.assertAlmostEqual(e.lo, 10.0)
        self.assertIsNone(e.base)
        self.assertEqual(E.verdict(e, margin=3), ("slower", e.hi))
        # a ratio of 2 and one of 1/2 weigh alike: the shift is 0
        e = E.log_shift([math.log(2), math.log(0.5)] * 4 + [0.0])
        self.assertAlmostEqual(e.est, 0.0)
        self.assertIsNone(E.log_shift([0.1]))

    def test_overlap(self):
        self.assertTrue(E.overlap([(-1, 2), (1.5, 4), (0, 1.5)]))
        self.assertFalse(E.overlap([(-1, 2), (2.5, 4)]))
        self.assertIsNone(E.overlap([(-1, 2), None]))


class Agreement(unittest.TestCase):
    """compare's line: by verdict class and by interval."""

    def runs(self, *ivs):
        import findings
        per = []
        for lo, hi in ivs:
            cl = [findings.Claim("k%d" % i, "t") for i in
                  range(len(findings.CLAIMS))]
            for c in cl:
                c.settled = True
            cl[1].effect("beyond vm-area", _fixed(lo, hi), "%", 3.0)
            per.append(cl)
        return findings.agreement(per, lambda j: "ABC"[j])

    def test_same_class(self):
        line = self.runs((-1, 1), (-0.5, 2))
        self.assertRegex(line, r"^findings agree: (\d+)/\1, by interval "
                         r"\1/\1$")

    def test_class_differs_intervals_overlap(self):
        # one interval touches the margin: the classes differ, the
        # figures agree; both counts said, the figure named
        line = self.runs((-1, 2), (0.5, 3.5), (1, 2.5))
        self.assertIn("by interval 7/7; claim 2 differs: beyond "
                      "vm-area (A <3%, B slower, C <3%; intervals "
                      "overlap)", line)
        self.assertTrue(line.startswith("findings agree: 6/7,"))

    def test_intervals_apart(self):
        # a real disagreement is never hidden: apart, even in one class
        line = self.runs((4, 6), (8, 12))
        self.assertIn("findings agree: 7/7, by interval 6/7; claim 2 "
                      "differs: beyond vm-area (intervals apart)", line)
        line = self.runs((-1, 2), (4, 6))
        self.assertIn("(A <3%, B slower; intervals apart)", line)
        self.assertTrue(line.startswith("findings agree: 6/7, by "
                                        "interval 6/7;"))


class Holm(unittest.TestCase):
    def test_holm(self):
        adj = E.holm([0.01, 0.04, 0.03])
        for got, want in zip(adj, [0.03, 0.06, 0.06]):
            self.assertAlmostEqual(got, want)
        self.assertEqual(E.holm([]), [])
        self.assertEqual(E.holm([0.9, 0.8]), [1.0, 1.0])


if __name__ == "__main__":
    unittest.main()
