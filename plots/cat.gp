# cat.gp - medians with interquartile bars, categories side by side.
#
# Reads a data file written by plots/pcpu_results.py (never a benchmark):
# one block per series (blocks separated by two blank lines), columns
#   x-position  median  q1  q3
# Variables, given with gnuplot -e: datafile outfile term (pngcairo, png
# or dumb) ttl (tlines: its lines) foot ylab xlab nseries titles (one word
# per series)
# xticsdef (a "set xtics (...)" command) marks (set arrow/label commands).
if (!exists("marks")) marks = ""
if (!exists("tlines")) tlines = 1
if (term eq "dumb") {
	set terminal dumb size 72,28 noenhanced
	set key outside below Left reverse samplen 1 maxrows 3
} else {
	eval sprintf("set terminal %s size 1100,650 noenhanced", term)
	set key outside right top
	set label 99 foot at screen 0.01, screen 0.015 left font ",9"
	set bmargin 5
	set grid ytics lc rgb "#dddddd"
	# title and subtitle centred on the canvas, not on the graph (whose
	# centre the key on the right pulls left: a long subtitle was cut at
	# the left edge); tlines of them above the graph
	set label 98 ttl at screen 0.5, screen 1 center offset 0, -1.2 front
	set tmargin tlines + 1.5
}
set output outfile
if (term eq "dumb") { set title ttl }
set ylabel ylab
if (exists("yfmt") && yfmt ne "") { set format y yfmt }
set xlabel xlab
if (!exists("yzero")) yzero = 1
if (yzero) { set yrange [0:*] } else { set yrange [*:*]; set xzeroaxis lt -1 }
set offsets 0.5, 0.5, graph 0.05, 0
eval xticsdef
eval marks
if (term eq "dumb") {
	plot for [i=0:nseries-1] datafile index i using 1:2 \
		with points title word(titles, i+1)
} else {
	set style fill solid 0.35 border
	set boxwidth bw absolute
	plot for [i=0:nseries-1] datafile index i using 1:2 with boxes \
		lc i+1 notitle, \
	     for [i=0:nseries-1] datafile index i using 1:2:3:4 \
		with yerrorbars lc i+1 lw 2 pt 7 ps 0.8 title word(titles, i+1)
}
