#!/usr/bin/env bash
# Turns the CSV files of `Mapd.Bench resize` into one PNG:
#   top: time until every client serves the new size, one box per design, 4 KiB and huge pages;
#   bottom: the readers' 4 KiB-read latency p99.9, idle vs during resizes.
# Usage: bench/plot-resize.sh bench/results/resize-YYYYMMDD-HHMMSS.csv [out.png]
# Needs gnuplot (Debian: apt-get install -y gnuplot-nox). Reads the -readers.csv next to the CSV.
set -euo pipefail

rounds=${1:?usage: $0 ROUNDS.csv [OUT.png]}
readers=${rounds%.csv}-readers.csv
out=${2:-${rounds%.csv}.png}
[[ -f $rounds && -f $readers ]] || { echo "$0: need $rounds and $readers" >&2; exit 2; }
command -v gnuplot >/dev/null || { echo "$0: gnuplot is missing (apt-get install -y gnuplot-nox)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

label() {
  case $1 in
    mapd) echo "mapd" ;;
    mapd-remap) echo "mapd, no reservation" ;;
    copy) echo "copy baseline" ;;
    stop-the-world) echo "stop-the-world baseline" ;;
    *) echo "$1" ;;
  esac
}

# pages,scenario,round,served_us,... -> one file per page kind and design: milliseconds, one per line
designs=(mapd mapd-remap copy stop-the-world)
for pages in 4k huge; do
  for i in "${!designs[@]}"; do
    awk -F, -v p="$pages" -v s="${designs[$i]}" 'NR > 1 && $1 == p && $2 == s { printf "%.4f\n", $4 / 1000 }' "$rounds" > "$work/serve-$pages-$i.dat"
  done
done
xtics=$(for i in "${!designs[@]}"; do printf '"%s" %d, ' "$(label "${designs[$i]}")" "$((i + 1))"; done)
xtics="(${xtics%, })"

boxes() {
  local pages=$1 color=$2 plots=()
  for i in "${!designs[@]}"; do
    [[ -s $work/serve-$pages-$i.dat ]] && plots+=("\"$work/serve-$pages-$i.dat\" using ($((i + 1))):1 linecolor rgb \"$color\"")
  done
  local IFS=,
  echo "${plots[*]}"
}

# pages,scenario,phase,range,reads,p50,p99,p999,max -> "label idle_p999 resizing_p999" (all reads)
: > "$work/readers.dat"
for pages in 4k huge; do
  for scenario in mapd mapd-remap copy stop-the-world; do
    idle=$(awk -F, -v p="$pages" -v s="$scenario" '$1==p && $2==s && $3=="idle" && $4=="all" { print $8 }' "$readers")
    busy=$(awk -F, -v p="$pages" -v s="$scenario" '$1==p && $2==s && $3=="resizing" && $4=="all" { print $8 }' "$readers")
    [[ -n $idle && -n $busy ]] || continue
    printf '"%s\\n%s"\t%s\t%s\n' "$pages" "$(label "$scenario")" "$idle" "$busy" >> "$work/readers.dat"
  done
done

gnuplot <<GNUPLOT
set terminal pngcairo size 1400,1000 font "DejaVu Sans,10"
set output "$out"
set multiplot title "mapd online grow, $(basename "$rounds" .csv): client processes map the region, reader threads read it" font ",13"
set size 0.5,0.46
set logscale y
set grid ytics mytics
set style fill solid 0.35 border
set style boxplot outliers pointtype 7
set style data boxplot
set boxwidth 0.6
set xrange [0.4:4.6]
set xtics nomirror $xtics
unset key
set ylabel "time until every client serves the new size (ms, log)"
set origin 0,0.5
set title "4 KiB pages (tmpfs huge=never)"
plot $(boxes 4k "#1f77b4")
set origin 0.5,0.5
set title "2 MiB pages (tmpfs huge=within_size)" noenhanced
plot $(boxes huge "#2ca02c")
set origin 0,0
set size 1,0.49
set bmargin 4
set title "readers: 4 KiB read latency p99.9, idle vs during resizes (all reads)"
set ylabel "p99.9 (us, log)"
set autoscale x
set xtics autofreq
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.7 border -1
set yrange [1:*]
set key top left
plot "$work/readers.dat" using 2:xtic(1) title "idle" linecolor rgb "#7f7f7f", \
     "" using 3 title "during resizes" linecolor rgb "#d62728"
unset multiplot
GNUPLOT
echo "$out"
