"""claims_cost - the findings' claims about what an access costs:
1 "dereferences kill performance" (offset-array against segment, the
lookup chained), 2 "an additional TLB entry ... 3%" (inside the L1
dTLB reach and beyond twice the L2 reach) and 5 "only puts strain on
the TLB of the newly online CPU" (hybrid's late-boot move against
offset-array's, a difference of differences).
"""

import math

import effects
from claimkit import (Claim, by_rep, has_value, is_good, n_dropped, paired,
                      pick_samples, step_of, step_with)
from pcpu.fmt import f3
from pcpu.labels import short
from pcpu.stats import Stats


def claim_deref(run):
    c = Claim("deref", '"dereferences kill performance" oa vs seg')
    b = c.needs(run, "access", "cycles_per_op")
    if b is None:
        return c
    c.step = step_with(run, "access", lack={"phase": "late"})
    cond = {"op": "read", "pressure": "0", "page": "4k",
            "placement": "local", "vars": "1", "phase": "boot"}
    got = {}
    for m in ("path", "latency", "throughput"):
        if not has_value(b, "mode", m):
            continue
        d = pick_samples(b, "cycles_per_op", dict(cond, mode=m), "strategy")
        if d.get("offset-array") and d.get("segment"):
            got[m] = d
            c.dropped += n_dropped(d["offset-array"], d["segment"])
    if not got:
        c.add("no offset-array and segment rows at op=read, pressure=0,"
              " 4k")
        return c
    c.settled = True
    if "path" in got:
        d = got["path"]
        sg, oa = paired(d["segment"], d["offset-array"])
        c.add("path (answers it): oa %s vs seg %s cyc: %s" % (
            f3(Stats(d["offset-array"]).median),
            f3(Stats(d["segment"]).median),
            c.effect("path oa-seg", effects.paired_shift(sg, oa))))
        if d.get("tls"):
            # like with like: one %gs: load against one %fs: load
            sg, tl = paired(d["segment"], d["tls"])
            c.add("%%fs tls %s vs %%gs seg: %s" % (
                f3(Stats(d["tls"]).median),
                c.effect("path tls-seg", effects.paired_shift(sg, tl))))
    else:
        c.add("path, which answers it: not measured (needs access --mode"
              " path)")
    bits = []
    for m, lab in (("latency", "lat"), ("throughput", "tput")):
        if m in got:
            sg, oa = paired(got[m]["segment"], got[m]["offset-array"])
            e = effects.paired_shift(sg, oa)
            c.effect(lab + " oa-seg", e)
            cls, _ = effects.verdict(e)
            if e is not None and e.base:
                bits.append("%s %+.0f%% %s" % (lab, e.pct(e.est),
                                               effects.ND if cls == "none"
                                               else cls))
    # context when the path answers it; the condition, in the block
    if bits and "path" in got:
        c.add("not chained: %s; read, 1 var, 4k" % ", ".join(bits),
              more=True)
    elif bits:
        c.add("not chained: %s" % ", ".join(bits))
    c.add("read, 1 var, 4k", join=True)
    _load_limit(c, b, dict(cond, mode="throughput"))
    return c


def _load_limit(c, b, where):
    """Context: the one-load forms' read throughput against the pure
    independent-load loop timed in the same process (ptr's row,
    minimal_loop_cycles_per_op), as ratios; those above x1.1, with what
    bounds them."""
    lim = pick_samples(b, "minimal_loop_cycles_per_op", where,
                       "strategy").get("ptr")
    L = Stats(lim).median if lim else None
    if not L or L <= 0:
        return
    d = pick_samples(b, "cycles_per_op", where, "strategy")
    rs = [(s, Stats(d[s]).median / L) for s in
          ("ptr", "segment", "tls", "hybrid-segment")
          if d.get(s) and Stats(d[s]).n]
    if not rs:
        return
    c.add("tput read vs load limit %s cyc: %s" % (f3(L), ", ".join(
        "%s x%.2f" % (short(s), r) for s, r in rs)), more=True)
    # the throughput rows' spread, every op and CPU-id source: how many
    # have rCV > 5% (issue 23 item 6), the worst named
    w = {k: v for k, v in where.items() if k != "op"}
    P = b.params
    sp = []
    for pt in b.points("cycles_per_op"):
        if not all(k not in P or pt[P.index(k)] == v for k, v in w.items()):
            continue
        st = Stats(b.samples[(pt, "cycles_per_op")])
        if st.n > 1 and st.rcv is not None:
            sp.append((st.rcv, pt))
    over = sorted((x for x in sp if round(x[0], 1) > 5),
                  key=lambda x: -x[0])
    if sp and not over:
        c.add("tput rows: rCV <= 5%% in all %d" % len(sp), more=True)
    elif over:
        def name(pt):
            return " ".join(short(pt[P.index(k)]) for k in
                            ("strategy", "cpuid", "op") if k in P and
                            pt[P.index(k)] != "implicit")
        c.add("tput rows rCV > 5%%: %d of %d (%s)" % (
            len(over), len(sp), ", ".join(
                "%s %.1f%%" % (name(pt), r) for r, pt in over[:3])),
            more=True)
    above = [s for s, r in rs if r > 1.10]
    if not above:
        return
    # a ratio this far off is a bound only when the samples agree
    noise = max([Stats(lim).rcv or 0] + [Stats(d[s]).rcv or 0
                                          for s in above])
    names = ",".join(short(s) for s in above)
    if noise > 5:
        c.add("above x1.1: %s, within their noise (rCV up to %.0f%%): "
              "rerun on a quiet machine" % (names, noise), more=True)
    else:
        c.add("above x1.1: %s: one load per op like the limit, so the "
              "load's form or the loop bounds it, not the load ports"
              % names, more=True)


def _reach(run):
    """(L1 dTLB entries, L2 TLB entries) at 4k from the run's tlb step
    (its calibration rows), None where not measured."""
    t = run.benches.get("tlb")
    out = []
    for m in ("l1_dtlb_entries", "l2_tlb_entries"):
        st = Stats(pick_samples(t, m, {"page": "4k"}, "page").get("4k", [])) \
            if t is not None and "page" in t.params else None
        out.append(st.median if st is not None and st.n else None)
    return out


# Claim 2's smallest effect of interest, in %: Lameter's "an additional
# TLB entry ... 3%". An interval inside +-3% reads "<3%" (no difference
# of interest), whatever side of 0 it sits (effects.verdict).
TLB_MARGIN = 3.0
# Claim 5's: the same question (the strain of the late CPU's extra TLB
# entry), the same figure.
STRAIN_MARGIN = TLB_MARGIN


def _pair_logs(b, strat, base, pages, metric="cycles_per_iter",
               page="4k"):
    """log(strat / base) for each pair measured in one repetition at one
    point (P in pages, every M), base's sample of the same repetition and
    point; base None: metric's own values, already a per-repetition
    (4k - 2m) / 4k in % (tlb_share_pct), as -log(1 - share/100) =
    log(4k / 2m). (logs, pairs dropped) over the pooled (repetition, P,
    M) pairs."""
    if b is None or metric not in b.metrics or "pages" not in b.params:
        return [], 0
    P = b.params
    keep = [i for i in range(len(P)) if P[i] not in
            ("strategy", "access", "layout", "backing")]
    bases = {tuple(q[i] for i in keep): q for q in
             b.points(metric, {"strategy": base, "page": page})} \
        if base else {}
    logs, drop = [], 0
    for pt in b.points(metric, {"strategy": strat, "page": page}):
        try:
            pg = float(pt[P.index("pages")])
        except ValueError:
            continue
        if pg not in pages:
            continue
        mine = b.samples[(pt, metric)]
        if not base:
            for x in mine:
                if is_good(x) and x["value"] < 100:
                    logs.append(-math.log1p(-x["value"] / 100.0))
                else:
                    drop += 1
            continue
        q = bases.get(tuple(pt[i] for i in keep))
        if q is None:
            continue
        A, B = by_rep(mine), by_rep(b.samples[(q, metric)])
        for r in A:
            for x, y in zip(A[r], B.get(r, [])):
                if is_good(x) and is_good(y) and x["value"] > 0 and \
                        y["value"] > 0:
                    logs.append(math.log(x["value"] / y["value"]))
                else:
                    drop += 1
    return logs, drop


def _reach_verdict(run):
    """The tlb step's verdict on its 4k calibration ("stable" or
    "unstable: why", metadata calibration_4k), None where the run does
    not say (runs made before it)."""
    sm = getattr(run, "step_meta", None) or {}
    for k in sorted(sm):
        m = sm[k]
        if k.endswith("-tlb") and isinstance(m, dict) and \
                isinstance(m.get("calibration_4k"), str):
            return m["calibration_4k"]
    return None


# Runs whose machine floors differ by more than this measured unlike
# machines (compare's agreement line says so): on this workplace's VMs
# the floor of quiet runs spread 4% (49.6-51.7 cyc), while a slow host
# state of seconds to minutes, which no batch check sees, lifted it 24-35%
# (61.7-67.5) and vm-area's figures with it.
FLOOR_APART = 1.10


def machine_floor(run):
    """The run's machine floor: the median cycles per iteration of ptr
    (no per-CPU lookup) at the workload's smallest P and largest M, 4k
    pages: (value, P, M), or None. Its working set stays in L1, so it
    moves with the machine's state, not with a strategy."""
    b = run.benches.get("workload")
    if b is None or "cycles_per_iter" not in b.metrics or \
            "pages" not in b.params or "accesses" not in b.params:
        return None
    try:
        P = min(b.values("pages"), key=float)
        M = max(b.values("accesses"), key=float)
    except ValueError:
        return None
    st = Stats(pick_samples(b, "cycles_per_iter",
                            {"pages": P, "accesses": M, "page": "4k"},
                            "strategy").get("ptr", []))
    return (st.median, P, M) if st.n else None


def claim_tlb(run):
    c = Claim("tlb", '"an additional TLB entry ... 3%" vs seg')
    b = run.benches.get("workload")
    if b is None or "cycles_per_iter" not in b.metrics or \
            "pages" not in b.params:
        c.add("not measured in this run (needs pcpubench workload)")
    else:
        c.step = step_of(run, "workload")
        l1, l2 = _reach(run)
        ps = sorted({float(v) for v in b.values("pages")})
        # the two pre-declared figures: inside the L1 dTLB reach (the
        # lookup's cost: every P there), and the first P measured past
        # twice the L2 TLB reach (TLB pressure: one point, the nearest to
        # the reach, whose lines stay cached; a larger P adds the cache's
        # and the host's noise to the 3% question)
        inl = [p for p in ps if p <= l1] if l1 else ps[:1]
        past = [p for p in ps if p >= 2 * l2][:1] if l2 else ps[-1:]
        parts = (("in L1 P<=%s" % f3(l1) if l1 else
                  "P=%s (no L1)" % f3(ps[0]), "in", inl, None),
                 (">2xL2 P=%d" % past[0] if l2 and past else
                  "P=%s (no L2)" % f3(ps[-1]) if not l2 else
                  ">2xL2=%s" % f3(2 * l2),
                  "beyond", past, TLB_MARGIN))
        for lab, key, pages, mg in parts:
            bits = []
            for s in ("vm-area", "hybrid"):
                logs, drop = _pair_logs(b, s, "segment", pages)
                c.dropped += drop
                if logs:
                    bits.append("%s %s" % (short(s), c.effect(
                        "%s %s" % (key, s), effects.log_shift(logs), "",
                        mg)))
            c.add("%s: %s" % (lab, ", ".join(bits) if bits else
                              "no point measured in this range"))
            if bits:
                c.settled = True
        logs, drop = _pair_logs(b, "vm-area", None, past,
                                "tlb_share_pct", "2m")
        share = "vm 4k/2m there %s; " % c.effect(
            "beyond vm 4k/2m", effects.log_shift(logs), "",
            TLB_MARGIN) if logs else ""
        c.add("%s%% of seg, pairs (rep, P, M)" % share)
        if (_reach_verdict(run) or "").startswith("unstable"):
            # the ranges above come from a calibration that disagreed
            # with itself (its sweeps, or disturbed points): say so
            c.add("L1/L2 reach unstable (tlb step): rerun", join=True)
    fl = machine_floor(run)
    c.floor = fl[0] if fl else None
    if fl:
        c.add("machine floor (ptr, P=%s M=%s) %s cyc: compare runs at "
              "equal floors" % (fl[1], fl[2], f3(fl[0])), more=True)
    a = run.benches.get("access")
    if a is not None and "cold_cycles" in a.metrics and \
            has_value(a, "mode", "cold"):
        ks = [k for k in a.values("cold_pages") if k not in ("-", "")]
        k = max(ks, key=lambda v: float(v)) if ks else None
        w = {"mode": "cold", "cold_pages": k, "page": "4k",
             "phase": "boot"}
        d = pick_samples(a, "cold_cycles", w, "strategy")
        pg = pick_samples(a, "pages_on_path", w, "strategy")
        bits = []
        for s in ("segment", "offset-array", "vm-area", "hybrid"):
            if d.get(s) and Stats(d[s]).n:
                bits.append("%s %s/%s" % (
                    short(s), f3(Stats(d[s]).median),
                    f3(Stats(pg.get(s, [])).median)))
        if bits:
            c.add("cold cyc/pages, K=%s: %s" % (
                k, ", ".join(bits)), more=True)
    else:
        c.add("cold cost, pages on path: not measured (needs access"
              " --mode cold)")
    return c


def _phase_dod(b, metric, where, strat, ctrl):
    """strat's (late - boot) minus ctrl's, repetition by repetition, as
    logs: log(strat late / boot) - log(ctrl late / boot), one per
    repetition and CPU-id source measured for both (each source its own
    pair of points: hybrid's rseq lookup against offset-array's). (logs,
    strat's boot median, late median, samples dropped) or None; logs
    empty when every pair had a disturbed sample."""
    ids = [None]
    if "cpuid" in b.params:
        i = b.params.index("cpuid")
        ids = sorted(set.intersection(*(
            {pt[i] for pt in b.points(metric, dict(where, strategy=st))}
            for st in (strat, ctrl)))) or [None]
    logs, med, drop = [], {}, 0
    for cid in ids:
        w = dict(where, cpuid=cid) if cid is not None else where
        s = {}
        for ph in ("boot", "late"):
            d = pick_samples(b, metric, dict(w, phase=ph), "strategy")
            if d.get(strat) and d.get(ctrl):
                s[ph] = d
        if len(s) < 2:
            continue
        sb, sl = by_rep(s["boot"][strat]), by_rep(s["late"][strat])
        cb, cl = by_rep(s["boot"][ctrl]), by_rep(s["late"][ctrl])
        for r in sb:
            for q in zip(sb[r], sl.get(r, []), cb.get(r, []),
                         cl.get(r, [])):
                if all(is_good(x) and x["value"] > 0 for x in q):
                    v = [x["value"] for x in q]
                    logs.append(math.log(v[1] / v[0]) -
                                math.log(v[3] / v[2]))
                else:
                    drop += 1
    if not logs and not drop:
        return None
    # context: strat's medians at the preferred id source, as before
    for ph in ("boot", "late"):
        med[ph] = Stats(pick_samples(b, metric, dict(where, phase=ph),
                                     "strategy").get(strat, [])).median
    return logs, med["boot"], med["late"], drop


def claim_strain(run):
    c = Claim("strain", '"only puts strain on the TLB of the newly'
              ' online CPU"')
    a = run.benches.get("access")
    if a is None or "phase" not in a.params or \
            not has_value(a, "phase", "late"):
        c.add("not measured in this run (needs access --late: hybrid on"
              " a boot and on a late CPU)")
        return c
    c.step = step_with(run, "access", have={"phase": "late"})
    ks = [k for k in a.values("cold_pages") if k not in ("-", "")] \
        if "cold_pages" in a.params else []
    k = max(ks, key=float) if ks else None
    cold = {"mode": "cold", "cold_pages": k, "page": "4k"}
    path = {"mode": "path", "op": "read", "page": "4k",
            "pressure": "0"}
    # the control: offset-array, the same table lookup over the embedded
    # block in both phases (hybrid moves to the VM area when late)
    ctrl = "offset-array"
    meds = []           # hybrid's boot->late medians: context
    for lab, metric, where in (("cold", "cold_cycles", cold),
                               ("path", "cycles_per_op", path)):
        if lab == "cold" and k is None:
            continue
        r = _phase_dod(a, metric, where, "hybrid", ctrl)
        if r is None:
            continue
        logs, mb, ml, drop = r
        c.dropped += drop
        c.settled = True
        # the two figures on one line when they fit; a figure whose
        # pairs were all disturbed says so (never left out unsaid)
        fig = c.effect("hyb late-boot " + lab, effects.log_shift(logs),
                       "", STRAIN_MARGIN)
        if len(logs) < 2:
            fig = "%d pairs, %d disturbed: rerun" % (len(logs) + drop, drop)
        c.add("%s %s %s" % (lab, "K=%s" % k if lab == "cold" else
                            "2 vars", fig), join=bool(meds))
        meds.append("%s %s->%s%s" % (lab, f3(mb), f3(ml), " (NA: left out)"
                                     if None in (mb, ml) else ""))
    if not c.settled:
        c.add("no hybrid and offset-array rows in both phases")
        return c
    inter = any("interleaved" in str(m.get("phases", ""))
                for m in run.step_meta.values() if isinstance(m, dict))
    c.add("hyb late/boot over oa's, per rep and id source; phases %s"
          % ("interleaved" if inter else "in turn"))
    # K = 2 x the L2 reach of the run's calibration: from one that
    # disagreed with itself (or ran beside the core's other thread), the
    # cold figure measured another point than a quiet run's: say so
    src = [str(m.get("cold_pages_source", "")) for m in
           run.step_meta.values() if isinstance(m, dict)]
    if k is not None and any(x.startswith("default") for x in src) and \
            (_reach_verdict(run) or "").startswith("unstable"):
        c.add("K from an unstable L2 reach (tlb step): rerun", join=True)
    c.add("hyb boot->late cyc: %s" % ", ".join(meds), more=True)
    return c

