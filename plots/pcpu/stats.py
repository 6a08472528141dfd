"""pcpu.stats - the statistics of a report or comparison, once: order
statistics, a point's Stats (median, IQR, robust CV, NA reasons, flags;
disturbed samples left out), the two-sided Mann-Whitney U test (exact
for small samples), the smallest p it can reach, and the base-versus-
point comparison every table cell is made from (versus()).

The U test is exact for small samples (with ties, by enumerating the
arrangements of the tied ranks up to 60000 of them; without ties, the U
distribution up to 30 per side), otherwise the normal approximation with
tie and continuity correction.
"""

import itertools
import math

ALPHA = 0.05          # the significance level a '*' marks


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


def exact_counts(m, n):
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
        mean = n1 * (n1 + n2 + 1) / 2.0
        dev = abs(r1 - mean) - 1e-9
        hits = total = 0
        for c in itertools.combinations(ranks, n1):
            total += 1
            if abs(sum(c) - mean) >= dev:
                hits += 1
        return u, min(1.0, hits / float(total)), "exact"
    if not ties and n1 <= 30 and n2 <= 30:
        counts = exact_counts(n1, n2)
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



def min_exact_p(n1, n2):
    """The smallest two-sided p an exact U test of n1 against n2 samples
    can reach (0.1 at 3 vs 3): below 9 repetitions a note says it."""
    return min(1.0, 2.0 / math.comb(n1 + n2, n1)) if n1 and n2 else 1.0


def significant(a, b):
    """True when a two-sided U test of a against b gives p < ALPHA."""
    t = mann_whitney(a, b)
    return bool(t and t[1] < ALPHA)


def sig_mark(a, b):
    """'*' when a two-sided U test gives p<0.05, ' ' when not, '?'
    when a side has fewer than 2 values."""
    if len(a) < 2 or len(b) < 2:
        return "?"
    return "*" if significant(a, b) else " "


class Versus:
    """A point against its base (two Stats with values): the difference
    of the medians, the relative change (None for a zero base median),
    and whether the U test separates them. Every base-versus-point cell
    (report's vs base, compare's ratio or diff) is formatted from one."""

    def __init__(self, base, st):
        self.diff = st.median - base.median
        self.ratio = st.median / base.median if base.median else None
        self.pct = (self.diff / abs(base.median) * 100
                    if base.median else None)
        self.sig = significant(base.vals, st.vals)
        self.n = min(base.n, st.n)
        self.pair = (base.n, st.n)


def versus(base, st):
    """A Versus of st against base, or None when a side has no value."""
    if base is None or st is None or not base.n or not st.n:
        return None
    return Versus(base, st)
