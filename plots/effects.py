"""effects - each finding as an effect with an interval.

The statistics of the findings, once: a paired shift (the
Hodges-Lehmann estimate over per-repetition paired differences) with its
distribution-free confidence interval from the Wilcoxon signed-rank
distribution; the two-sample shift for samples that cannot be paired
(Mann-Whitney); Holm's correction when a claim looks at several points;
and the verdict class a reader can rely on:

  slower    the whole interval above 0
  faster    the whole interval below 0
  none      "no difference larger than X% detectable here", X the larger
            end of the interval (in % of the baseline)
  within    where a claim declares the smallest effect of interest D (in
            %: claim 2's and 5's 3%, Lameter's "additional TLB entry"):
            the whole interval inside (-D, +D), "<D%": no difference of
            interest, whichever side of 0 the estimate falls. It goes
            before slower and faster: an effect near 0 measured with an
            interval narrower than D gets this class run after run,
            where "lo > 0" would flip with each chance exclusion of 0.

The interval is exact for the rank statistic; with few samples its
coverage is the attainable one (conf, e.g. 0.961 for 9 pairs at 95%).
Only the standard library; the reading side's Python 3.
"""

import math

from pcpu.stats import exact_counts, mann_whitney

CONF = 0.95


def _median(xs):
    s = sorted(xs)
    n = len(s)
    if not n:
        return None
    return s[n // 2] if n & 1 else 0.5 * (s[n // 2 - 1] + s[n // 2])


_SR = {}


def signed_rank_counts(n):
    """counts[w] = number of sign assignments of ranks 1..n whose
    positive ranks sum to w (the null distribution of Wilcoxon's W+)."""
    if n in _SR:
        return _SR[n]
    c = [1]
    for r in range(1, n + 1):
        nxt = c + [0] * r
        for w, k in enumerate(c):
            nxt[w + r] += k
        c = nxt
    _SR[n] = c
    return c


def _z(conf):
    """The two-sided normal quantile for conf (0.95 -> 1.95996)."""
    # Acklam-free: bisection on erfc, ample for a handful of calls
    a = (1 - conf) / 2
    lo, hi = 0.0, 10.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if 0.5 * math.erfc(mid / math.sqrt(2)) > a:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def _crit_k(counts, alpha2):
    """(k, coverage): the largest k with P(stat <= k - 1) <= alpha2 for
    the null distribution counts[stat] (k >= 0), and the two-sided
    coverage of the interval between the k-th order statistics."""
    total = float(sum(counts))
    k, cum = 0, 0
    for c in counts:
        if (cum + c) / total > alpha2:
            break
        cum += c
        k += 1
    return k, 1 - 2 * cum / total


class Effect:
    """est, [lo, hi] at coverage conf, from n samples (pairs); p the
    two-sided p of no shift; base the baseline's median (for %)."""

    def __init__(self, est, lo, hi, conf, n, p, base=None, kind="paired"):
        self.est, self.lo, self.hi = est, lo, hi
        self.conf, self.n, self.p = conf, n, p
        self.base = base
        self.kind = kind

    def pct(self, v):
        if v is None or not self.base:
            return None
        return v / abs(self.base) * 100.0

    def __repr__(self):
        return "Effect(%r [%r, %r] conf=%.3f n=%d p=%.3g)" % (
            self.est, self.lo, self.hi, self.conf, self.n, self.p)


def paired_shift(a, b, conf=CONF):
    """The shift of b against a from pairs (a[i], b[i]): Hodges-Lehmann
    (median of the Walsh averages of d = b - a) with the signed-rank
    interval; base = median of a. None with fewer than 2 pairs."""
    d = [y - x for x, y in zip(a, b)]
    e = one_sample_shift(d, conf)
    if e is not None:
        e.base = _median(a)
    return e


def one_sample_shift(d, conf=CONF):
    """Hodges-Lehmann location of differences d with its interval."""
    d = [x for x in d if x is not None and math.isfinite(x)]
    n = len(d)
    if n < 2:
        return None
    walsh = sorted((d[i] + d[j]) / 2.0 for i in range(n)
                   for j in range(i, n))
    M = len(walsh)
    est = _median(walsh)
    alpha2 = (1 - conf) / 2
    if n <= 60:
        k, achieved = _crit_k(signed_rank_counts(n), alpha2)
    else:
        z = _z(conf)
        k = int(math.floor(M / 2.0 - z * math.sqrt(
            n * (n + 1) * (2 * n + 1) / 24.0)))
        achieved = conf
    if k < 1:       # too few samples for conf: the whole range
        k = 1
        achieved = 1 - 2 / float(2 ** n) if n <= 60 else conf
    lo, hi = walsh[k - 1], walsh[M - k]
    return Effect(est, lo, hi, achieved, n, signed_rank_p(d))


def signed_rank_p(d):
    """Two-sided p of Wilcoxon's signed-rank test (zeros dropped; exact
    without ties up to 60, else normal with tie correction)."""
    d = [x for x in d if x != 0]
    n = len(d)
    if n == 0:
        return 1.0
    order = sorted(range(n), key=lambda i: abs(d[i]))
    ranks = [0.0] * n
    ties, i = [], 0
    while i < n:
        j = i
        while j + 1 < n and abs(d[order[j + 1]]) == abs(d[order[i]]):
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0 + 1
        if j > i:
            ties.append(j - i + 1)
        i = j + 1
    wp = sum(r for r, x in zip(ranks, d) if x > 0)
    if not ties and n <= 60:
        cnt = signed_rank_counts(n)
        total = float(2 ** n)
        w = int(round(wp))
        lo = sum(cnt[:w + 1]) / total
        hi = sum(cnt[w:]) / total
        return min(1.0, 2 * min(lo, hi))
    mean = n * (n + 1) / 4.0
    var = n * (n + 1) * (2 * n + 1) / 24.0 - \
        sum(t ** 3 - t for t in ties) / 48.0
    if var <= 0:
        return 1.0
    z = max(0.0, abs(wp - mean) - 0.5) / math.sqrt(var)
    return math.erfc(z / math.sqrt(2))


def two_sample_shift(a, b, conf=CONF):
    """The shift of b against a for samples that cannot be paired:
    median of all b_j - a_i, interval from the Mann-Whitney
    distribution; base = median of a."""
    a = [x for x in a if x is not None]
    b = [x for x in b if x is not None]
    m, n = len(a), len(b)
    if m < 2 or n < 2:
        return None
    D = sorted(y - x for x in a for y in b)
    N = len(D)
    alpha2 = (1 - conf) / 2
    if m <= 30 and n <= 30:
        k, achieved = _crit_k(exact_counts(m, n), alpha2)
    else:
        z = _z(conf)
        k = int(math.floor(N / 2.0 - z * math.sqrt(m * n * (m + n + 1)
                                                   / 12.0)))
        achieved = conf
    if k < 1:
        k = 1
    t = mann_whitney(a, b)
    return Effect(_median(D), D[k - 1], D[N - k], achieved, m * n,
                  t[1] if t else 1.0, _median(a), kind="two-sample")


def diff_of_diffs(a0, a1, c0, c1, conf=CONF):
    """(a1 - a0) - (c1 - c0) from per-repetition samples, each phase
    paired with the other by repetition: the per-repetition difference
    of differences as a one-sample shift; base = median of a0."""
    d = [(y1 - y0) - (x1 - x0) for y0, y1, x0, x1 in zip(a0, a1, c0, c1)]
    e = one_sample_shift(d, conf)
    if e is not None:
        e.base = _median(a0)
    return e


def holm(ps):
    """Holm's step-down adjusted p values, in the order given."""
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    adj = [0.0] * m
    run = 0.0
    for r, i in enumerate(order):
        run = max(run, min(1.0, (m - r) * ps[i]))
        adj[i] = run
    return adj


def bounds(e, pct=True):
    """(est, lo, hi) of e in % of the baseline (pct and a baseline), else
    in the data's unit; None for no effect."""
    if e is None:
        return None
    if pct and e.base:
        return e.pct(e.est), e.pct(e.lo), e.pct(e.hi)
    return e.est, e.lo, e.hi


def verdict(e, pct=True, margin=None):
    """('slower' | 'faster' | 'none' | 'within' | 'few', X): X the
    larger end of the interval in % of the baseline (pct) or in the
    data's unit; 'within' only with a margin (the smallest effect of
    interest, in the same unit) that holds the whole interval."""
    if e is None or e.n < 5:
        return "few", None
    _, lo, hi = bounds(e, pct)
    x = max(abs(lo), abs(hi)) if lo is not None else None
    if margin and x is not None and x < margin:
        return "within", x
    if e.lo > 0:
        cls = "slower"
    elif e.hi < 0:
        cls = "faster"
    else:
        cls = "none"
    return cls, x


def log_shift(logs, conf=CONF):
    """The shift of ratios given as natural logs (log(b / a) per pair):
    Hodges-Lehmann with its signed-rank interval on the log scale (one
    slow sample moves a ratio's log no more than a fast one, and a ratio
    of 2 weighs as much as one of 1/2), returned in % (exp(x) - 1,
    monotone: the interval maps end to end); no baseline."""
    e = one_sample_shift(logs, conf)
    if e is None:
        return None
    for k in ("est", "lo", "hi"):
        setattr(e, k, math.expm1(getattr(e, k)) * 100.0)
    e.kind = "log-ratio"
    return e


def word(cls, margin=None):
    """The verdict word printed for class cls: n.d. for none, '<3%' for
    within a margin of 3."""
    if cls == "none":
        return ND
    if cls == "within":
        return "<%s%%" % ("%g" % margin if margin else "?")
    return cls


def overlap(ivs):
    """Whether intervals [(lo, hi), ...] share a point (every figure
    inside the others' reach); None when fewer than two are given."""
    ivs = [iv for iv in ivs if iv is not None]
    if len(ivs) < 2:
        return None
    return max(lo for lo, _ in ivs) <= min(hi for _, hi in ivs)


def _num(v):
    a = abs(v)
    if a >= 10:
        return "%+.0f" % v
    return "%+.2g" % v if a < 1 else "%+.1f" % v


# The verdict word of class none: no difference larger than the
# interval's larger end detectable here.
ND = "n.d."


def describe(e, unit="", pct=True, margin=None):
    """'+105% [+98,+112] slower', '+4.4% [-1.6,+13] n.d.' (no
    difference larger than 13% detectable here), '+0.2% [-0.5,+0.9] <3%'
    (with margin 3: inside +-3%, no difference of interest)."""
    if e is None:
        return "too few samples"
    cls, x = verdict(e, pct, margin)
    if cls == "few":
        return "n=%d: too few for a CI" % e.n
    if pct and e.base:
        unit = "%"
    vals = bounds(e, pct)
    body = "%s%s [%s,%s]" % (_num(vals[0]), unit, _num(vals[1]),
                             _num(vals[2]))
    return "%s %s" % (body, word(cls, margin))
