#!/bin/bash
# t-report-plots.sh - the gnuplot figures (plots/gplot.py, cat.gp,
# curve.gp) keep their text on the canvas: a subtitle as long as gplot
# wraps it (gplot.SUB_WIDTH columns, wide letters first), under a key of
# long series names that pulls the graph's centre left, is drawn whole.
# The access-pressure figure's subtitle was cut at the left edge in every
# run: the title was centred on the graph, not on the canvas. Reads the
# PNG's pixels (python3-pil); no benchmark runs.
. "$(dirname "$0")/lib.sh"
command -v gnuplot >/dev/null || skip_all "gnuplot not installed"
"$PY" -c 'import PIL' 2>/dev/null || skip_all "python3-pil not installed"

for kind in cat curve; do
	if msg=$(cd plots && "$PY" - "$T/$kind" "$kind" 2>&1 <<'PY'
import sys
from PIL import Image
import gplot
from pcpu.stats import Stats

out, kind = sys.argv[1], sys.argv[2]
series = ["hybrid-segment/4k(4k)", "offset-array/2m(thp)", "tls/4k(tls-block)"]
xs = ["0", "2048"] if kind == "cat" else ["16", "256", "4096"]
stat = {(si, xi): Stats([{"rep": "0", "value": 5.0 + si + xi,
                          "status": "ok"}])
        for si in range(len(series)) for xi in range(len(xs))}
# one line of the most gplot puts on one (SUB_WIDTH), wide letters
sub = ("WWWWWWWWWWWW cpu=1 phase=boot placement=local vars=1 "
       "cpuid=implicit|rseq mode=latency op=read (...) = backing obtained")
sub = sub[:gplot.SUB_WIDTH]
assert len(sub) == gplot.SUB_WIDTH, len(sub)
fig = {"name": "long", "kind": kind, "xs": xs, "series": series,
       "stat": stat, "title": "access: cycles_per_op vs TLB pressure",
       "sub": sub, "foot": "vm, test", "ylab": "cycles", "yscale": 1,
       "yfmt": "", "xlab": "pages", "xmode": "log" if kind == "curve"
       else "index", "marks": []}
png, txt, msg = gplot.draw(fig, out)
assert png, msg
im = Image.open(png).convert("L")
w, h = im.size
px = im.load()
# the title band: the rows above the graph's top border
top = next(y for y in range(h) if sum(px[x, y] < 128
                                      for x in range(w)) > w // 3)
ink = [x for y in range(top - 2) for x in range(w) if px[x, y] < 160]
assert ink, "no title drawn"
assert min(ink) >= 8 and max(ink) <= w - 8, \
    "title text at x %d..%d of %d: cut" % (min(ink), max(ink), w)
print("title x %d..%d of %d" % (min(ink), max(ink), w))
PY
	); then
		pass "$kind.gp: a SUB_WIDTH-column subtitle whole on the canvas ($msg)"
	else
		fail "$kind.gp: $msg"
	fi
done

done_testing
