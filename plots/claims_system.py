"""claims_system - the findings' claims about memory, placement and
hotplug: 3 memory for possible CPUs (with the cid line), 4 remote
pages of late CPUs (measured, and MODELLED over a synthetic topology),
6 hotplug latency and its dominating part, 7 the module reserve.
"""

import os

import kfacts
from claimkit import (Claim, good_vals, has_value, layout_of, median_of,
                      medians_by, pct_of, pick_samples, step_meta_values,
                      step_of, step_with, why_short)
from pcpu.files import load_json
from pcpu.fmt import f3, fmt
from pcpu.labels import short, vkey
from pcpu.stats import Stats, min_exact_p, sig_mark


def _claim_mem(run):
    c = Claim("mem", '"allocate memory for potential processors"')
    # the running kernel's own figure (NA: the reason's first clause;
    # the report's kernel section has all of it)
    kline = kfacts.mem_line(run, short=why_short)
    if kline:
        # NA (no figure, its reason): after the block
        c.add(kline, more=kline.startswith("this kernel: NA"))
    b = c.needs(run, "mem", "committed_bytes")
    if b is None:
        return c
    c.step = step_of(run, "mem")
    P = b.params
    if "possible" not in P or "online" not in P:
        c.add("mem rows lack possible/online columns")
        return c
    pts = b.points("committed_bytes")

    def num(pt, k):
        try:
            return float(pt[P.index(k)])
        except ValueError:
            return None
    poss = [pt[P.index("possible")] for pt in pts
            if num(pt, "possible") is not None]
    if not poss:
        c.add("no numeric possible/online point")
        return c
    pos = max(poss, key=float)
    onls = sorted({pt[P.index("online")] for pt in pts
                   if pt[P.index("possible")] == pos and
                   num(pt, "online") is not None}, key=float)
    by = layout_of(b)
    shown = False       # the smallest online count in the block
    for onl in onls:
        d = pick_samples(b, "committed_bytes", {"possible": pos,
                                            "online": onl}, by)
        med = {k: Stats(v).median for k, v in d.items()
               if Stats(v).n}
        order = sorted(med, key=lambda v: vkey(by, v))
        if not order:
            continue
        c.settled = True
        ratio = ""
        lo = min(med.values())
        if med.get("embed") and lo:
            low = min((k for k in order if med[k] == lo),
                      key=lambda v: (v != "vm", vkey(by, v)))
            ratio = " (embed/%s x%s)" % (short(low),
                                         f3(med["embed"] / lo))
        groups = []     # layouts with the same figure, once
        for k in order:
            for g in groups:
                if f3(med[g[0]]) == f3(med[k]):
                    g.append(k)
                    break
            else:
                groups.append([k])
        c.add("online=%s: %s%s" % (onl, "; ".join(
            "%s %s" % (",".join(short(k) for k in g), f3(med[g[0]]))
            for g in groups), ratio), more=shown)
        shown = True
    if not c.settled:
        c.add("committed_bytes NA at possible=%s" % pos)
        return c
    c.add("committed bytes, possible=%s, per %s; n=1, no U test"
          % (pos, by))
    return c


def _ncpus(cpulist):
    """CPUs in a cpulist ('0-3,8' -> 5); None when it is not one."""
    try:
        return sum(int(r.split("-")[1]) - int(r.split("-")[0]) + 1
                   if "-" in r else 1 for r in cpulist.split(","))
    except (ValueError, IndexError):
        return None


def _cid_lines(run):
    """Claim 3's cid line (pcpubench cid, part mem): units the
    mm_cid-indexed table committed for T threads on A allowed CPUs,
    against P for cpu indexing over every possible CPU; then the cost
    difference: the lookup path of access --cpuid cid against rseq
    cpu_id where the run has it, else the rseq-protected increment."""
    b = run.benches.get("cid")
    if b is None or "units_committed" not in b.metrics:
        return []
    P = b.params
    best = None
    for pt in b.points("units_committed", {"part": "mem",
                                           "strategy": "cid-table"}):
        t, a = pt[P.index("threads")], _ncpus(pt[P.index("allowed")])
        u = [x["value"] for x in b.samples[(pt, "units_committed")]
             if x["value"] is not None]
        if not u or a is None or not t.isdigit():
            continue
        key = (a, int(t))
        if best is None or key > best[0]:
            best = (key, pt, max(u))
    if best is None:
        st = {x["status"] for k, v in b.samples.items()
              if k[1] == "units_committed" for x in v}
        why = sorted(st)[0] if st else "no rows"
        return [("cid indexing: NA (%s)" % why.split("(")[0], False)]
    (a, t), pt, u = best
    poss = pt[P.index("possible")]
    cpu = median_of(b, "units_committed", {"part": "mem", "strategy": "cpu-table",
                                      "threads": str(t),
                                      "allowed": pt[P.index("allowed")]})
    lines = [("cid: %s unit%s for %d threads on %d CPUs, cpu_id %s (first"
              " use: %s)" % (f3(u), "" if u == 1 else "s", t, a, poss,
                             f3(cpu) if cpu is not None else "NA"), False)]
    acc = run.benches.get("access")
    cost = None
    if acc is not None and has_value(acc, "cpuid", "cid"):
        w = {"strategy": "offset-array", "op": "read", "mode": "path"}
        x = median_of(acc, "cycles_per_op", dict(w, cpuid="cid"))
        y = median_of(acc, "cycles_per_op", dict(w, cpuid="rseq"))
        if x is not None and y is not None:
            cost = "oa read path: cid %s vs cpu_id %s cycles (%+.0f%%)" % (
                f3(x), f3(y), pct_of(x, y))
    if cost is None:
        x = median_of(b, "ns_per_inc", {"part": "cost", "strategy": "cid-table"})
        y = median_of(b, "ns_per_inc", {"part": "cost", "strategy": "cpu-table"})
        if x is not None and y is not None:
            cost = ("rseq-protected inc: cid %s vs cpu_id %s ns (%+.0f%%)"
                    % (f3(x), f3(y), pct_of(x, y)))
    if cost:
        lines.append((cost, True))
    return lines


def claim_mem(run):
    """Claim 3 with the cid line (issue 21) after the layouts' lines."""
    c = _claim_mem(run)
    cid = _cid_lines(run)
    for ln, more in cid:
        c.add(ln, more=more)
    if cid and step_of(run, "cid") != "cid":
        # one tag: [step 11,12,13 mem, 15 cid]
        c.step = c.step + ", " + step_of(run, "cid")[5:] if c.step \
            else step_of(run, "cid")
    return c


def _nodes(run):
    try:
        return int(run.m("host", "numa_nodes", default=0))
    except (TypeError, ValueError):
        return 0


def _modelled_remote(run, b):
    """The modelled line of claim 4: per layout, hot-added CPUs whose
    unit the layout placed off the CPU's node, from the numa rows over a
    synthetic topology (unit_node_remote, phase hotadded)."""
    if b is None or "unit_node_remote" not in b.metrics or \
            "topology" not in b.params or \
            not has_value(b, "topology", "synthetic"):
        return None
    P = b.params
    by = layout_of(b)
    per, first = {}, {}
    for pt in b.points("unit_node_remote", {"topology": "synthetic",
                                            "phase": "hotadded"}):
        if pt[P.index("cpu")] == "all":
            continue
        # the layout decides: count one strategy per layout
        lay, st = pt[P.index(by)], pt[P.index("strategy")]
        if first.setdefault(lay, st) != st:
            continue
        for smp in b.samples[(pt, "unit_node_remote")]:
            if smp["value"] is not None:
                per.setdefault(lay, []).append(smp["value"])
    if not per:
        return None
    nodes = set()
    if "real_node" in b.metrics:
        for pt in b.points("real_node", {"topology": "synthetic"}):
            nodes |= {x["value"] for x in b.samples[(pt, "real_node")]
                      if x["value"] is not None}
    ln = step_meta_values(run, "numa", "late_node",
                          {"topology": "synthetic"}) or ["roundrobin"]
    groups = []         # layouts with the same count, once
    for k in sorted(per, key=lambda v: (vkey("layout", v), vkey(by, v))):
        fig = "%d/%d" % (sum(1 for v in per[k] if v), len(per[k]))
        for g in groups:
            if g[0] == fig:
                g[1].append(short(k))
                break
        else:
            groups.append((fig, [short(k)]))
    return ("MODELLED (synthetic %s nodes, late-node %s): remote units"
            " of hot-added CPUs: %s" % (
                len(nodes) or "?", "/".join(ln), "; ".join(
                    "%s %s" % (",".join(g[1]), g[0]) for g in groups)),
            step_with(run, "numa", have={"topology": "synthetic"}))


def claim_remote(run):
    c = Claim("remote", '"allocated somewhere not on the nodes"')
    real = kfacts.remote_lines(run)       # the real kernels measured
    for ln in kfacts.remote_lines(run, short=True):
        c.add(ln)       # what is off the CPU's node; in full as context
    for ln in real:
        c.add(ln, more=True)
    nodes = _nodes(run)
    b = c.needs(run, "numa", "pages_remote")
    if b is None:
        return c
    model = _modelled_remote(run, b)
    host = {"topology": "host"} if "topology" in b.params else {}
    phases = sorted({pt[b.params.index("phase")] for pt in
                     b.points("pages_remote", host)}) \
        if "phase" in b.params else []
    late = [p for p in ("hotadded", "late", "onlined") if p in phases]
    if nodes == 1 and real:
        # the real kernel answered: the model is context
        if step_of(run, "guest") != "guest":
            c.step = step_of(run, "guest")
        c.add("this host: 1 NUMA node, nothing to place", more=True)
        if model:
            c.add(model[0] + " [%s]" % model[1], more=True)
        return c
    elif nodes == 1:
        c.add("measured: not here, 1 NUMA node (needs a NUMA host or the"
              " guest tests)")
    elif not late:
        c.add("measured: no late CPUs in this run (needs numa --late N)")
    else:
        c.step = step_of(run, "numa")
        by = layout_of(b)
        bits = []
        for ph in late:
            d = pick_samples(b, "pages_remote", dict(host, phase=ph, cpu=[
                v for v in b.values("cpu") if v != "all"]), by)
            for k in sorted(d, key=lambda v: vkey(by, v)):
                st = Stats(d[k])
                if st.n:
                    bits.append("%s %s" % (short(k), fmt(sum(st.vals) /
                                                         float(st.n))))
            if bits:
                c.settled = True
                c.add("measured remote pages/late CPU (%s): %s" % (
                    ph, ", ".join(bits)))
                bits = []
        pl = b.values("placement") if "placement" in b.params else []
        c.add("%d nodes, placement %s%s" % (
            nodes, "/".join(pl) or "?", "" if "hotadded" in phases else
            "; hotadded: not measured (needs QMP hot-add)"))
    if model:
        c.step = c.step or model[1]
        c.add(model[0])
    return c


def claim_hotplug(run):
    c = Claim("hotplug", "hotplug latency, us p50")
    b = c.needs(run, "churn", "online_latency_ns_p50")
    if b is None:
        return c
    c.step = step_of(run, "churn")
    by = layout_of(b)
    rates = [r for r in b.values("rate")] if "rate" in b.params else []
    busy = [r for r in rates if r not in ("0", "")]
    where = {"rate": busy} if busy else {}
    basek = "embed" if by == "layout" else "offset-array"
    dom, ns = [], []
    c.add("?", join=True)       # the condition, filled in below
    for dirn, lab in (("online", "online"), ("offline", "offline")):
        m = "%s_latency_ns_p50" % dirn
        d = pick_samples(b, m, where, by)
        base = good_vals(d.get(basek, []))
        meds, bits = {}, []
        for k in sorted(d, key=lambda v: vkey(by, v)):
            st = Stats(d[k])
            if not st.n:
                continue
            meds[k] = st.median
            ns.append(st.n)
            mk = "" if k == basek or not base else \
                sig_mark(base, st.vals).strip()
            bits.append("%s %s%s" % (short(k), f3(st.median / 1000.0),
                                     mk))
        if not bits:
            continue
        c.settled = True
        # which part dominates, at the layout that pays most
        worst = max(meds, key=lambda k: meds[k])
        parts = []
        for pm in b.metrics:
            if pm.startswith(dirn + "_") and pm.endswith("_ns_p50") and \
                    "_worker_" not in pm and \
                    not pm.startswith(dirn + "_latency"):
                st = Stats(pick_samples(b, pm, where, by).get(worst, []))
                if st.n:
                    parts.append((st.median, b.label(pm)))
        if parts:
            pmed, pname = max(parts)
            dom.append("%s %s %s/%s %s" % (
                lab, pname, f3(pmed / 1000.0), f3(meds[worst] / 1000.0),
                short(worst)))
        if dirn == "online" and basek in meds:
            st = Stats(pick_samples(b, "online_alloc_ns_p50", where,
                                by).get(basek, []))
            if st.n and st.median == 0:
                bits[0] += " (no alloc)"
        c.add("%s: %s" % (lab, ", ".join(bits)))
    if not c.settled:
        c.lines, c.join = [], set()
        c.add("no online/offline latency rows")
        return c
    if dom:
        c.add("; ".join(dom) + " (part/total)", more=True)
    nopart = not any(m.startswith("online_alloc") for m in b.metrics)
    backend = "/".join(b.values("backend")) if "backend" in b.params \
        else "?"
    few = ""
    if ns and min_exact_p(min(ns), min(ns)) >= 0.05:
        few = "n=%d, no U test" % min(ns)
    c.lines[0] = "%s, %s/s; %s" % (backend, ",".join(busy) or "0", few or
                                   "* vs %s" % short(basek))
    if nopart:
        c.add("breakdown: not measured (needs churn online_<part>_ns_p50)")
    return c


def _info_modules(run):
    """'r 8K here, loaded use 1653 B' for this machine, from info.json's
    modules section: the module reserve r (its boot line's rN) and what
    the loaded modules' per-CPU sections use; each NA with its reason,
    short (info.json has all of it)."""
    try:
        m = load_json(os.path.join(run.path, "info.json")).get(
            "modules") or {}
    except (OSError, ValueError, AttributeError):
        return "r, loaded use NA here (no modules section in info.json)"
    r = m.get("percpu_reserve_bytes")
    r = "r NA here (%s)" % why_short(m.get("percpu_reserve_why")) \
        if r is None else "r %s here" % kfacts.size(r)
    s = m.get("loaded_percpu_bytes")
    if s is None:
        return "%s, loaded use NA (%s)" % (r, why_short(m.get("loaded_why")))
    part = ", %s unread: a lower bound" % m["loaded_unread"] \
        if m.get("loaded_unread") else ""
    return "%s, loaded use %s B%s" % (r, f3(s), part)


def claim_modules(run):
    """Claim 7: the fixed module reserve against real module sections,
    what a VM area commits per module, and (with --access) what a module
    variable's lookup costs against a boot variable's."""
    c = Claim("modules", '"too small and required modules cannot load"')
    b = c.needs(run, "modules", "loaded_sections")
    if b is None:
        return c
    c.step = step_of(run, "modules")
    st = medians_by(b, "stream_largest_bytes", {}, "stream")
    n = medians_by(b, "stream_sections", {}, "stream")
    tot = medians_by(b, "stream_bytes", {}, "stream")
    c.add("%s; %s" % (_info_modules(run), "; ".join(
        "%s max %sB" % (k, f3(v)) for k, v in st.items())))
    cps = medians_by(b, "committed_per_section_bytes", {}, "policy")
    lur = medians_by(b, "loads_until_refusal", {}, "policy")
    P = b.params
    pos = [x for x in b.values("possible") if x != "-"] \
        if "possible" in P else []
    onl = [x for x in b.values("online") if x != "-"] if "online" in P else []
    c.add("VM area commits %s B/section for %s possible, %s for %s online" % (
        f3(cps.get("vm:possible")), ",".join(pos) or "?",
        f3(cps.get("vm:online")), ",".join(onl) or "?"), more=True)
    c.add("; ".join("%s: %s sections, sum %s B" % (
        k, f3(n.get(k)), f3(tot.get(k))) for k in st), more=True)
    c.add("loads to the first refusal: " + (", ".join(
        "%s %s" % (k, f3(v)) for k, v in sorted(lur.items())) or "NA"))
    c.settled = True
    for pol in sorted(b.values("policy")) if "path_ns" in b.metrics else []:
        if not pol.startswith("vm"):
            continue
        d = {var: pick_samples(b, "path_ns", {"policy": pol, "var": var},
                           "strategy") for var in ("boot", "module")}
        parts = []
        for s in sorted(d["module"]):
            ms, bs = d["module"][s], d["boot"].get(s, [])
            mv, bv = good_vals(ms), good_vals(bs)
            if mv and bv:
                parts.append("%s %+.2g%s" % (short(s), Stats(ms).median -
                                            Stats(bs).median,
                                            sig_mark(mv, bv).strip()))
        pg = medians_by(b, "pages_with_boot_var", {"policy": pol, "var": "module"},
                   "strategy")
        pb = medians_by(b, "pages_on_path", {"policy": pol, "var": "boot"},
                   "strategy")
        extra = sorted({f3(pg[s] - pb[s]) for s in pg if s in pb})
        if parts:
            # in the block only a difference outside noise (U test)
            sig = any(p.endswith(("*", "?")) for p in parts)
            if not sig:
                c.add("module var costs as boot var (%s)" % pol,
                      join=True)
            c.add("%s: module-boot var path ns %s; pages with a boot var "
                  "+%s" % (pol, ", ".join(parts), "/".join(extra) or "NA"),
                  more=not sig)
            break
    for ln in kfacts.modsize_lines(run, short=True):  # the real kernel
        c.add(ln)
    return c

