#!/usr/bin/python3
"""figures.py - matplotlib figure set for one pcpubench results directory.

usage: /usr/bin/python3 plots/figures.py DIR

One multi-panel figure (DIR/plots/figures.png, 200 dpi, and
figures.pdf): for every benchmark present, the same plots as the gnuplot
set (strategies side by side as box plots: median, quartiles, whiskers
at 1.5 IQR; sweeps as median lines with an interquartile band; TLB
reaches as dashed lines). Host, kernel and revision in the footer.
Reads results only. Without matplotlib: prints why and exits 0.
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcpu.fmt import wrap  # noqa: E402
from pcpu.labels import num_key, xlabel  # noqa: E402
from pcpu.plotspec import plot_specs, series_names, subtitle  # noqa: E402
from pcpu.read import Run  # noqa: E402
from pcpu.stats import Stats  # noqa: E402
from gplot import yscale  # noqa: E402


def make_figures(run, outdir):
    """Draw the set; returns a one-line message for the report."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    specs = []
    for name in run.bench_names():
        specs += plot_specs(run.benches[name])
    specs = [s for s in specs if any(Stats(d).n for d in s["data"].values())]
    if not specs:
        return "no data to plot (every benchmark skipped or NA)"
    n = len(specs)
    # one column: every panel keeps its legend outside, to the right
    cols = 1
    rows = int(math.ceil(n / float(cols)))
    plt.rcParams.update({"font.size": 9, "axes.titlesize": 10,
                         "axes.spines.top": False,
                         "axes.spines.right": False})
    fig, axes = plt.subplots(rows, cols, figsize=(10.5, 3.7 * rows),
                             squeeze=False)
    from matplotlib.ticker import EngFormatter
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, spec in enumerate(specs):
        ax = axes[k // cols][k % cols]
        names = series_names(spec)
        ns = len(spec["series"])
        top = max([abs(v) for d in spec["data"].values()
                   for v in Stats(d).vals] or [0])
        div, unit = yscale(spec.get("unit") or "", top)

        def sc(vals):
            return [v / float(div) for v in vals]
        if spec["kind"] == "cat":
            w = min(0.8 / max(ns, 1), 0.3)
            for si, ser in enumerate(spec["series"]):
                pos, data = [], []
                for xi, x in enumerate(spec["xs"]):
                    st = Stats(spec["data"].get((ser, x), []))
                    if st.n:
                        pos.append(xi + (si - (ns - 1) / 2.0) * w)
                        data.append(sc(st.vals))
                if not data:
                    continue
                bp = ax.boxplot(data, positions=pos, widths=w * 0.85,
                                patch_artist=True, showfliers=True,
                                manage_ticks=False)
                c = colors[si % len(colors)]
                for b in bp["boxes"]:
                    b.set(facecolor=c, alpha=0.55, edgecolor=c)
                for part in ("medians", "whiskers", "caps"):
                    for ln in bp[part]:
                        ln.set(color=c if part != "medians" else "black")
                ax.plot([], [], color=c, lw=6, alpha=0.55,
                        label=names[si])
            ax.set_xticks(range(len(spec["xs"])))
            ax.set_xticklabels(spec["xs"], rotation=20, ha="right")
            ax.set_xlim(-0.6, len(spec["xs"]) - 0.4)
        else:
            logx = spec.get("xmode") == "log"
            for si, ser in enumerate(spec["series"]):
                xs, med, lo, hi = [], [], [], []
                for xi, x in enumerate(spec["xs"]):
                    st = Stats(spec["data"].get((ser, x), []))
                    if not st.n:
                        continue
                    xs.append(num_key(x)[1] if logx else xi)
                    med.append(st.median / float(div))
                    lo.append(st.q1 / float(div))
                    hi.append(st.q3 / float(div))
                if not xs:
                    continue
                c = colors[si % len(colors)]
                ax.plot(xs, med, marker="o", ms=3, color=c,
                        label=names[si])
                ax.fill_between(xs, lo, hi, color=c, alpha=0.2, lw=0)
            if logx:
                ax.set_xscale("log", base=2)
            else:
                ax.set_xticks(range(len(spec["xs"])))
                ax.set_xticklabels(spec["xs"])
            for j, (x, lab) in enumerate(spec.get("marks", [])):
                ax.axvline(x, ls="--", lw=0.8, color="gray")
                ax.annotate("%s = %g" % (lab, x), (x, 1),
                            xycoords=("data", "axes fraction"),
                            xytext=(3, -10 - 10 * j),
                            textcoords="offset points",
                            fontsize=7, color="#444444")
        lows = [v for d in spec["data"].values() for v in Stats(d).vals]
        if lows and min(lows) >= 0:
            ax.set_ylim(bottom=0)
        else:
            ax.axhline(0, color="black", lw=0.6)
        if div == 1 and top >= 1e5:
            ax.yaxis.set_major_formatter(EngFormatter(sep=""))
        ax.set_ylabel(spec["metric"] + (" (%s)" % unit if unit else ""))
        ax.set_xlabel(spec.get("xlabel") or xlabel(spec["x"]))
        sub = "\n".join(wrap(subtitle(spec), width=95))
        ax.set_title("(%s) %s%s" % (chr(ord("a") + k), spec["title"],
                                    "\n" + sub if sub else ""), loc="left",
                     fontsize=9)
        ax.grid(axis="y", color="#e5e5e5", lw=0.6)
        ax.set_axisbelow(True)
        if ns > 1 or spec["kind"] == "curve":
            ax.legend(fontsize=7, frameon=False, loc="upper left",
                      bbox_to_anchor=(1.01, 1.0))
    for k in range(n, rows * cols):
        axes[k // cols][k % cols].axis("off")
    skipped = [s for s in run.state.get("steps", [])
               if s["status"] != "ok"]
    foot = run.footer()
    if skipped:
        foot += "   not run: " + ", ".join(
            "%s (%s)" % (s["bench"], s["status"]) for s in skipped)
    fig.suptitle("pcpubench %s: %s" % (run.name, run.footer()),
                 fontsize=11, x=0.01, ha="left")
    fig.text(0.01, 0.004, "\n".join(wrap(foot, width=150)), fontsize=7,
             color="#555555")
    fig.tight_layout(rect=(0, 0.012, 1, 0.985))
    os.makedirs(outdir, exist_ok=True)
    for ext, kw in (("png", {"dpi": 200}), ("pdf", {})):
        path = os.path.join(outdir, "figures." + ext)
        fig.savefig(path + ".tmp", format=ext, **kw)
        os.replace(path + ".tmp", path)
    plt.close(fig)
    return "plots/figures.png and figures.pdf, %d panel(s)" % n


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if len(argv) == 2 else 2
    run = Run(argv[1])
    try:
        msg = make_figures(run, os.path.join(run.path, "plots"))
    except ImportError as e:
        msg = "skipped: matplotlib not usable by %s: %s" % (sys.executable,
                                                           e)
    print("figures: " + msg)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
