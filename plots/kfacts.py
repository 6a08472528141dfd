"""kfacts - the report's kernel section and the kernel's own lines of
findings claims 3 and 4, from a results directory's rows only:

  kfacts.csv       the running kernel's per-CPU layout from its boot
                   lines (pcpubench kfacts; topology host) and the test
                   guest's (the guest step; topology guest, boot
                   default|page)
  kernel-numa.csv  where each CPU's per-CPU memory lives (the module):
                   node, mapping page size, linear map or vmalloc, and
                   the pages N variables touch
  raw/NN-guest.csv.meta.json  the guest kernel's release

Nothing here reads the machine; every figure is a row's.
"""

from pcpu.fmt import wrap

SECTION_BENCHES = ("kfacts", "kernel-numa", "guest")
MEMS = ("static", "alloc_percpu", "vm_area", "hybrid")


def _rows(b):
    if b is None:
        return
    for (pt, m), ss in b.samples.items():
        p = dict(zip(b.params, pt))
        for s in ss:
            yield p, m, s


def size(v):
    """Bytes, short and exact: 8K, 1M, 202200."""
    if v is None:
        return "NA"
    v = int(v)
    for unit, n in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if v and v % n == 0:
            return "%d%s" % (v // n, unit)
    return "%d" % v


def _na_reason(status):
    """'na:word(why)' -> 'why' (or the word)."""
    s = status[3:] if status.startswith("na:") else status
    if "(" in s and s.endswith(")"):
        return s[s.index("(") + 1:-1]
    return s


def kernels(run):
    """{(topology, boot): {"alloc", "facts": {m: v}, "na": {m: why},
    "cpus": {cpu: {m: v}}}} from kfacts rows."""
    out = {}
    for p, m, s in _rows(run.benches.get("kfacts")):
        key = (p.get("topology") or "host", p.get("boot") or "running")
        k = out.setdefault(key, {"alloc": p.get("allocator", "unknown"),
                                 "facts": {}, "na": {}, "cpus": {}})
        cpu = p.get("cpu", "-")
        if cpu in ("-", ""):
            if s["value"] is None:
                k["na"][m] = _na_reason(s["status"])
            else:
                k["facts"][m] = s["value"]
        elif s["value"] is not None:
            k["cpus"].setdefault(cpu, {})[m] = s["value"]
    return out


def guest_release(run):
    for step in sorted(getattr(run, "step_meta", {}) or {}):
        sm = run.step_meta[step]
        if isinstance(sm, dict) and sm.get("guest_kernel"):
            return str(sm["guest_kernel"])
    return None


def _release_short(rel):
    """'6.1.0-57-amd64' -> '6.1'."""
    if not rel:
        return None
    parts = rel.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else rel


def _label(run, key, k=None):
    topo, boot = key
    if topo == "guest":
        rel = _release_short(guest_release(run))
        nodes = (k or {}).get("facts", {}).get("nr_node_ids")
        return "Linux %s%s guest, %s boot" % (
            rel or "?", ", %d-node" % nodes if nodes else "", boot)
    return "this kernel" if boot == "running" else "%s, %s" % (topo, boot)


def modsize_lines(run, short=False):
    """Claim 7, the real kernel: per guest boot, the test module the
    kernel refused against its reserve r, beside the model's point
    (kernel-modules rows: the guest step or tests/guest); short: the
    findings' form, '6.1 guest refused module 5 (40 B) at 8144 B of r
    8K; model: the same'."""
    by = {}
    for p, m, s in _rows(run.benches.get("kernel-modules")):
        pos = p.get("position", "")
        if s["value"] is None or not pos.isdigit():
            continue
        by.setdefault(p.get("boot") or "default", {}).setdefault(
            int(pos), {})[m] = s["value"]
    out = []
    rel = _release_short(guest_release(run)) or "?"
    for boot in sorted(by):
        mods = by[boot]
        r = next((v["reserve_bytes"] for v in mods.values()
                  if "reserve_bytes" in v), None)
        ref = [k for k in sorted(mods) if mods[k].get("loaded") == 0]
        model = sum(1 for v in mods.values() if v.get("model_loaded") == 1)
        mism = sum(int(v.get("model_mismatch", 0)) for v in mods.values())
        agree = "the same" if not mism else "DISAGREES on %d loads" % mism
        if short:
            v = mods[ref[0]] if ref else {}
            out.append("%s guest%s refused %s; model: %s" % (
                rel, "" if boot == "default" else " (%s boot)" % boot,
                "module %d (%s B) at %s B of r %s" % (
                    ref[0], size(v.get("section_bytes")),
                    size(v.get("sum_before_bytes")), size(r)) if ref else
                "none of %d modules (r %s)" % (len(mods), size(r)),
                agree))
            continue
        if ref:
            v = mods[ref[0]]
            what = "refused test module %d (%s B) with %s B of r %s used" % (
                ref[0], size(v.get("section_bytes")),
                size(v.get("sum_before_bytes")), size(r))
        else:
            what = "refused none of %d test modules (r %s)" % (len(mods),
                                                              size(r))
        out.append("Linux %s guest, %s boot: kernel %s; model reserve:r "
                   "loads %d, %s" % (rel, boot, what, model,
                                     "refuses the same one" if not mism else
                                     "DISAGREES on %d loads" % mism))
    return out


def mem_line(run, short=None):
    """Claim 3, one line: 'this kernel (embed): unit 1M x 2 possible =
    2M, 2M for 2 online'; NA with its reason (short(reason) with short,
    a function)."""
    ks = kernels(run)
    k = ks.get(("host", "running"))
    if k is None:
        return None
    f = k["facts"]
    if "first_chunk_possible_bytes" in f:
        unit = f.get("unit_size")
        if unit is None and "pages_per_cpu" in f and "page_size" in f:
            unit = f["pages_per_cpu"] * f["page_size"]
        return ("this kernel (%s): unit %s x %d possible = %s, %s for %d "
                "online" % (k["alloc"], size(unit),
                            int(f.get("possible_cpus", 0)),
                            size(f["first_chunk_possible_bytes"]),
                            size(f.get("first_chunk_online_bytes")),
                            int(f.get("online_cpus", 0))))
    why = k["na"].get("first_chunk_possible_bytes") or \
        k["na"].get("unit_size") or "not known"
    return "this kernel: NA, %s" % (short(why) if short else why)


def placements(run):
    """{(topology, boot): {cpu: {"phase", "node", mem: {node, map,
    vmalloc}}}} from kernel-numa rows."""
    out = {}
    for p, m, s in _rows(run.benches.get("kernel-numa")):
        key = (p.get("topology") or "host", p.get("boot") or "running")
        cpu = p.get("cpu", "")
        if not cpu.isdigit():
            continue
        c = out.setdefault(key, {}).setdefault(int(cpu), {})
        c["phase"] = p.get("phase", "?")
        mem = p.get("memory", "-")
        if m == "cpu_node":
            c["node"] = s["value"]
        elif m == "online":
            c["online"] = s["value"]
        elif mem in MEMS and m in ("page_node", "map_page_bytes",
                                   "in_vmalloc"):
            c.setdefault(mem, {})[m] = s["value"]
        elif mem in ("kernel_static", "alloc_percpu") and \
                m in ("vars", "pages_touched", "map_pages_touched"):
            c.setdefault("touch_" + mem, {})[m] = s["value"]
    return out


def _late(pl):
    return [c for c in sorted(pl) if pl[c].get("phase") in
            ("hotadded", "late") and pl[c].get("online")]


def _where(c):
    """'static, alloc_percpu on node 0; vm_area, hybrid on node 1'."""
    by = {}
    for mem in MEMS:
        n = c.get(mem, {}).get("page_node")
        if n is not None:
            by.setdefault(int(n), []).append(mem)
    return "; ".join("%s on node %d" % (", ".join(v), n)
                     for n, v in sorted(by.items(), key=lambda kv:
                                        MEMS.index(kv[1][0])))


def remote_lines(run, short=False):
    """Claim 4: per kernel measured (the guest's boots, a NUMA host's
    kernel-numa rows), where its first late CPU's memory lives; boots
    with the same answer share a line. short: the findings' form, every
    memory's node when one is off the CPU's ('6.1 guest: hot-added CPU
    4 (node 1): static, alloc_percpu on node 0; vm_area, hybrid on node
    1': the kernel's guess beside the local VM unit), else 'all on its
    node'."""
    ks = kernels(run)
    said = {}                  # (kernel label, text) -> [allocators]
    for key, pl in sorted(placements(run).items(),
                          key=lambda kv: (kv[0][0] != "guest", kv[0])):
        late = _late(pl)
        if not late:
            continue
        k = ks.get(key, {})
        c = pl[late[0]]
        node = c.get("node")
        text = "%s CPU %d on node %s: %s" % (
            c["phase"].replace("hotadded", "hot-added"), late[0],
            "?" if node is None else int(node), _where(c))
        if short:
            off = {m: c[m] for m in MEMS if m in c and node is not None
                   and c[m].get("page_node") is not None
                   and int(c[m]["page_node"]) != int(node)}
            text = "%s CPU %d (node %s): %s" % (
                c["phase"].replace("hotadded", "hot-added"), late[0],
                "?" if node is None else int(node),
                _where(c) if node is None or off else "all on its node")
        if key[0] == "guest":
            rel = _release_short(guest_release(run))
            nodes = k.get("facts", {}).get("nr_node_ids")
            who = "Linux %s%s guest" % (rel or "?", " %d-node" % nodes
                                        if nodes else "")
            if short:
                who = "%s guest" % (rel or "?")
        else:
            who = _label(run, key, k)
        said.setdefault((who, text), []).append(
            k.get("alloc") or key[1])
    if short:
        return ["%s: %s" % (who, text) for who, text in said]
    return ["%s (%s): %s" % (who, ", ".join(a), text)
            for (who, text), a in said.items()]


def _map(c, mem):
    d = c.get(mem, {})
    n, mp, vm = d.get("page_node"), d.get("map_page_bytes"), \
        d.get("in_vmalloc")
    if n is None:
        return "-"
    off = "" if c.get("node") is None or int(n) == int(c["node"]) else "*"
    return "%d%s %s %s" % (int(n), off, size(mp) if mp else "?",
                           "v" if vm else ("l" if vm is not None else "?"))


def _facts_lines(run, key, k):
    f, na = k["facts"], k["na"]
    out = []
    if "static_size" not in f:
        why = na.get("static_size") or "not known"
        return wrap("%s: layout NA, %s" % (_label(run, key, k), why))
    unit = f.get("unit_size")
    out += wrap("%s: %s, %s pages/cpu%s, s%d r%s d%s u%s%s; NR_CPUS %s, "
                "nr_cpu_ids %s, %s node(s)" % (
                    _label(run, key, k), k["alloc"],
                    int(f["pages_per_cpu"]) if "pages_per_cpu" in f
                    else "?",
                    " of %s" % size(f["page_size"]) if "page_size" in f
                    else "", int(f["static_size"]),
                    size(f.get("reserved_size")),
                    size(f.get("dynamic_size")), size(unit),
                    ", atom %s" % size(f["atom_size"]) if "atom_size" in f
                    else "",
                    int(f["nr_cpus"]) if "nr_cpus" in f else "?",
                    int(f["nr_cpu_ids"]) if "nr_cpu_ids" in f else "?",
                    int(f["nr_node_ids"]) if "nr_node_ids" in f else "?"),
                "  ")
    # groups: [g (node n)] cpus
    groups = {}
    for cpu, cf in k["cpus"].items():
        if "unit_group" in cf:
            groups.setdefault(int(cf["unit_group"]), []).append(int(cpu))
    if groups:
        bits = []
        for g in sorted(groups):
            cpus = sorted(groups[g])
            gn = {k["cpus"][str(c)].get("group_node") for c in cpus} - {None}
            bits.append("[%d%s] %s" % (
                g, " node %d" % int(gn.pop()) if len(gn) == 1 else "",
                " ".join(str(c) for c in cpus)))
        out += wrap("groups: " + " ".join(bits), "    ")
    if "first_chunk_possible_bytes" in f:
        out += wrap("first chunk: %s x %d possible = %s; %s for %d online;"
                    " Percpu now %s" % (
                        size(unit if unit else f.get("pages_per_cpu", 0) *
                             f.get("page_size", 0)),
                        int(f.get("possible_cpus", 0)),
                        size(f["first_chunk_possible_bytes"]),
                        size(f.get("first_chunk_online_bytes")),
                        int(f.get("online_cpus", 0)),
                        size(f.get("meminfo_percpu"))), "    ")
    off = [int(c) for c, cf in k["cpus"].items()
           if cf.get("cpu_node") is not None and
           cf.get("group_node") is not None and
           cf["cpu_node"] != cf["group_node"]]
    if off:
        out += wrap("in another node's group: CPU %s (unit placed at boot,"
                    " before the CPU had a node)" % ", ".join(
                        "%d (node %d, group node %d)" % (
                            c, int(k["cpus"][str(c)]["cpu_node"]),
                            int(k["cpus"][str(c)]["group_node"]))
                        for c in sorted(off)), "    ")
    return out


def _placement_table(run, key, pl, k):
    out = wrap("placement, %s%s: node of each online CPU's copy, page "
               "size of its mapping, l linear map / v vmalloc; * off the"
               " CPU's node" % (_label(run, key, k),
                                " (%s)" % k["alloc"] if k else ""))
    out.append("cpu phase     node %-11s %-11s %-11s %-11s" % (
        "static", "alloc_pcpu", "vm_area", "hybrid"))
    off = []
    for cpu in sorted(pl):
        c = pl[cpu]
        if not c.get("online"):
            off.append(cpu)
            continue
        node = c.get("node")
        out.append("%3d %-9s %4s %-11s %-11s %-11s %-11s" % (
            cpu, c.get("phase", "?")[:9],
            "?" if node is None else int(node),
            _map(c, "static"), _map(c, "alloc_percpu"),
            _map(c, "vm_area"), _map(c, "hybrid")))
    if off:
        out += wrap("offline or absent: CPU %s" % ",".join(
            str(c) for c in off), "  ")
    first = min((c for c in pl if pl[c].get("online")), default=None)
    if first is not None:
        bits = []
        for mem in ("kernel_static", "alloc_percpu"):
            t = pl[first].get("touch_" + mem, {})
            if t.get("vars") is not None and \
                    t.get("pages_touched") is not None:
                bits.append("%s %d vars: %d pages, %d TLB entries" % (
                    mem, int(t["vars"]), int(t["pages_touched"]),
                    int(t["map_pages_touched"])))
        if bits:
            out += wrap("this_cpu access of N variables, CPU %d: %s" % (
                first, "; ".join(bits)), "  ")
    return out


def section(run):
    """The report's kernel section (lines of at most 72 columns)."""
    out = ["== kernel: the running kernel's per-CPU layout ==", ""]
    for s in run.state.get("steps", []):
        if s["bench"] in SECTION_BENCHES and s["status"] != "ok":
            out += wrap("step %s %s %s%s" % (
                s["n"], s["bench"], s["status"],
                (": " + s["msg"]) if s["msg"] else ""))
    ks = kernels(run)
    pls = placements(run)
    keys = sorted(set(ks) | set(pls),
                  key=lambda k: (k[0] != "host", k[0], k[1] != "default",
                                 k[1]))
    ms = [ln for t in modsize_lines(run) for ln in wrap(t, "  ")]
    if ms:
        ms = ["", "module reserve (test modules loaded until the kernel "
              "refuses one):"] + ms
    if not keys:
        out.append("no kfacts or kernel-numa rows in this run")
        return out + ms
    for key in keys:
        k = ks.get(key)
        if k:
            out += _facts_lines(run, key, k)
    out += ms
    for key in keys:
        if key in pls:
            out.append("")
            out += _placement_table(run, key, pls[key], ks.get(key))
    return out
