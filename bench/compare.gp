# compare.gp -- the plot of bench/compare: gnuplot -e "data='F';out='F.svg'"
#
# Left: the tree's total time, sequential and all at once (0: failed).
# Right: process A's breakpoint cycle alone and while B is read.
set terminal svg size 1000,460 dynamic font "sans,11" background "white"
set output out
set multiplot layout 1,2 title "bench/compare: one fork tree, 100 children kept"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -35 left nomirror font ",9"
set ytics nomirror
set grid ytics
set key top left font ",9"
set ylabel "total time, ms"
set title "fork tree: total time (0 = did not work)"
plot data using 2:xtic(1) title "sequential", '' using 3 title "all at once"
set ylabel "breakpoint cycle of A, us (median)"
set title "isolation: A's cycle, B's memory read or not"
plot data using ($4 > 0 ? $4 : NaN):xtic(1) title "A alone", \
     '' using ($5 > 0 ? $5 : NaN) title "while B is read"
unset multiplot
