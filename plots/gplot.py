"""gplot - draw a figure (medians + interquartile range) with gnuplot.

Writes <outdir>/data/<name>.dat, then runs plots/cat.gp or plots/curve.gp
twice: a PNG (pngcairo, else png) and a plain-text plot (dumb terminal,
72 columns, trailing blanks stripped) for e-mail. Reads only what it is
given; never runs a benchmark.
"""

import os
import re
import shutil
import subprocess

from pcpu.files import atomic_write
from pcpu.fmt import fmt, wrap
from pcpu.labels import num_key, xlabel
from pcpu.plotspec import series_names, subtitle
from pcpu.stats import Stats

HERE = os.path.dirname(os.path.abspath(__file__))
_TERM = None
# A PNG subtitle's lines, in columns: about 9 px each in the 1100 px
# canvas (cat.gp, curve.gp centre them on it)
SUB_WIDTH = 100


def png_term():
    global _TERM
    if _TERM is None:
        try:
            out = subprocess.run(["gnuplot", "-e", "set terminal"],
                                 capture_output=True, text=True,
                                 timeout=20)
            txt = out.stdout + out.stderr
        except (OSError, subprocess.SubprocessError):
            txt = ""
        _TERM = "pngcairo" if re.search(r"\bpngcairo\b", txt) else "png"
    return _TERM


def have_gnuplot():
    return shutil.which("gnuplot") is not None


def word(s):
    s = re.sub(r"\s+", "_", str(s)) or "-"
    return s.replace('"', "'")


def gq(s):
    """A gnuplot double-quoted string."""
    return '"' + str(s).replace("\\", "\\\\").replace('"', "'") + '"'


def from_spec(spec, run):
    """Turn a resolved plot spec (pcpu.plotspec.resolve) into a figure."""
    names = series_names(spec)
    stat = {}
    for si, s in enumerate(spec["series"]):
        for xi, x in enumerate(spec["xs"]):
            d = spec["data"].get((s, x))
            if d:
                stat[(si, xi)] = Stats(d)
    unit = spec.get("unit") or ""
    top = max([abs(st.median) for st in stat.values()
               if st.median is not None] or [0])
    scale, unit = yscale(unit, top)
    return {"name": spec["name"], "kind": spec["kind"], "xs": spec["xs"],
            "series": names, "stat": stat, "title": spec["title"],
            "sub": subtitle(spec), "foot": run.footer() if run else "",
            "ylab": "%s (%s)" % (spec["metric"], unit) if unit
            else spec["metric"], "yscale": scale,
            "yfmt": "%.1s%c" if scale == 1 and top >= 1e5 else "",
            "xlab": spec.get("xlabel") or xlabel(spec["x"]),
            "xmode": spec.get("xmode", "index"),
            "marks": spec.get("marks", [])}


def yscale(unit, top):
    """(divisor, unit) so that bytes read as KiB/MiB/GiB."""
    if unit == "bytes":
        for div, name in ((1 << 30, "GiB"), (1 << 20, "MiB"),
                          (1 << 10, "KiB")):
            if top >= 2 * div:
                return div, name
    return 1, unit


def xpos(fig, xi):
    if fig["kind"] == "curve" and fig["xmode"] in ("log", "num"):
        return num_key(fig["xs"][xi])[1]
    return float(xi)


def write_data(fig, path):
    ns = len(fig["series"])
    bw = min(0.8 / max(ns, 1), 0.3)
    out = ["# %s\n# %s\n" % (fig["title"], fig["sub"])]
    for si, name in enumerate(fig["series"]):
        out.append("# series %s\n" % name)
        for xi, x in enumerate(fig["xs"]):
            st = fig["stat"].get((si, xi))
            if st is None or st.median is None:
                continue            # NA: leave a gap
            pos = xpos(fig, xi)
            if fig["kind"] == "cat":
                pos += (si - (ns - 1) / 2.0) * bw
            k = float(fig.get("yscale", 1))
            out.append("%.6g %.6g %.6g %.6g\n" % (pos, st.median / k,
                                                    st.q1 / k, st.q3 / k))
        out.append("\n\n")
    atomic_write(path, "".join(out))
    return bw


def has_values(fig):
    return any(st.median is not None for st in fig["stat"].values())


def draw(fig, outdir):
    """Returns (png path or None, text plot lines or None, message)."""
    if not has_values(fig):
        return None, None, "no values to plot (all NA or missing)"
    if not have_gnuplot():
        return None, None, "gnuplot not installed; no plot"
    os.makedirs(os.path.join(outdir, "data"), exist_ok=True)
    dat = os.path.join(outdir, "data", fig["name"] + ".dat")
    bw = write_data(fig, dat)
    # keep series whose block is present in order; empty blocks are fine
    titles = " ".join(word(s) for s in fig["series"])
    xs = fig["xs"]
    if fig["kind"] == "cat" or fig["xmode"] == "index":
        def tics(n):
            return "set xtics (%s)" % ", ".join(
                "%s %d" % (gq(str(x)[:n]), i) for i, x in enumerate(xs))
    else:
        def tics(n):
            return ""
    marks, arrows = [], []
    for k, (x, lab) in enumerate(fig.get("marks", [])):
        arrows.append("set arrow from %g, graph 0 to %g, graph 1 nohead "
                      "dt 2 lc rgb 'gray40'" % (x, x))
        marks.append("set label %d %s at %g, graph %.2f left offset 0.5,0"
                     % (k + 10, gq(lab), x, 0.95 - 0.06 * k))
    marks = arrows + marks
    script = os.path.join(HERE, "cat.gp" if fig["kind"] == "cat"
                          else "curve.gp")
    # a zero baseline unless a value is negative (difference metrics)
    lows = [v for st in fig["stat"].values() if st.median is not None
            for v in (st.median, st.q1)]
    common = {"datafile": dat, "yzero": 1 if min(lows) >= 0 else 0, "nseries": len(fig["series"]),
              "titles": titles, "ylab": fig["ylab"], "xlab": fig["xlab"],
              "logx": 1 if fig["xmode"] == "log" else 0, "bw": bw,
              "yfmt": fig.get("yfmt", "")}
    png = os.path.join(outdir, fig["name"] + ".png")
    txt = os.path.join(outdir, fig["name"] + ".txt")
    msg = "ok"
    sub = "\n".join(wrap(fig["sub"], width=SUB_WIDTH)) if fig["sub"] else ""
    runs = [(png, png_term(), fig["title"] + ("\n" + sub if sub else ""),
             tics(40), "; ".join(marks)),
            (txt, "dumb", fig["title"][:70], tics(10), "; ".join(arrows))]
    for out, term, ttl, xt, mk in runs:
        v = dict(common, outfile=out + ".tmp", term=term, ttl=ttl,
                 tlines=ttl.count("\n") + 1,
                 foot=fig["foot"], xticsdef=xt, marks=mk)
        args = []
        for k, val in v.items():
            if isinstance(val, str):
                args.append("%s=%s" % (k, gq(val)))
            else:
                args.append("%s=%s" % (k, val))
        try:
            r = subprocess.run(["gnuplot", "-e", "; ".join(args), script],
                               capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError) as e:
            msg = "gnuplot failed: %s" % e
            continue
        if r.returncode != 0 or not os.path.exists(out + ".tmp"):
            msg = "gnuplot failed: %s" % (r.stderr.strip().splitlines()
                                          or ["?"])[-1]
            continue
        if term == "dumb":
            with open(out + ".tmp") as f:
                lines = [ln.replace("\f", "").rstrip()[:72]
                         for ln in f.read().splitlines()]
            while lines and not lines[0]:
                lines.pop(0)
            while lines and not lines[-1]:
                lines.pop()
            if fig.get("marks"):
                lines += wrap("| marks: " + ", ".join(
                    "%s=%s" % (lab, fmt(x)) for x, lab in fig["marks"]),
                    "  ")
            if fig["sub"]:
                lines += wrap(fig["sub"], "  ")
            lines.append(("  " + fig["foot"])[:72])
            atomic_write(out, "\n".join(lines) + "\n")
            os.unlink(out + ".tmp")
        else:
            os.replace(out + ".tmp", out)
    txtlines = None
    if os.path.exists(txt):
        with open(txt) as f:
            txtlines = f.read().splitlines()
    return (png if os.path.exists(png) else None), txtlines, msg
