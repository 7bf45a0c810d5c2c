#!/usr/bin/env bash
# Benchmark of manifest reading and validation (issue 2), one run:
#   - `lattigo-batch validate` on a 1,000,000-row activation CSV (~75 bytes a
#     row, Luhn-valid unique ids): MB/s and peak RSS; the same on 100,000 rows;
#   - the ceiling: a bare libcsv loop that only counts fields (bench/bare_csv.c);
#   - Python's csv module reading the same file.
# Each timing is the best of $REPEAT runs (default 3) on a shared machine.
# Uses the Release build in $BUILD_DIR (default build/, made by scripts/setup;
# built here when missing). Data goes to $BENCH_DIR (default /tmp/lattigo-bench).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BENCH_DIR=${BENCH_DIR:-/tmp/lattigo-bench}
REPEAT=${REPEAT:-3}
MEASURE="python3 $ROOT/bench/peers/measure.py"
mkdir -p "$BENCH_DIR"

if [ ! -x "$BUILD_DIR/lattigo-batch" ]; then
	echo "# building lattigo-batch (Release) into $BUILD_DIR" >&2
	cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DLATTIGO_TESTS=OFF >/dev/null
	cmake --build "$BUILD_DIR" -j2 --target lattigo-batch >/dev/null
fi
BATCH=$BUILD_DIR/lattigo-batch

cc -std=c11 -O2 -Wall -Wextra -Werror -o "$BENCH_DIR/bare_csv" "$ROOT/bench/bare_csv.c" -lcsv

manifest() { # rows -> path of a generated activation CSV (cached)
	local path="$BENCH_DIR/activate-$1.csv"
	if [ ! -s "$path" ]; then
		python3 "$ROOT/scripts/gen-manifest.py" --op activate --rows "$1" --seed 42 --out "$path.tmp"
		mv "$path.tmp" "$path"
	fi
	echo "$path"
}

# best_of EXPECTED_EXIT command...: prints the best wall time, the largest
# peak RSS (KB) and the best CPU time over $REPEAT runs; fails on a wrong exit status.
best_of() {
	local expected=$1 best="" best_cpu="" rss=0 wall peak status cpu i
	shift
	for ((i = 0; i < REPEAT; i++)); do
		read -r wall peak status cpu < <($MEASURE -- "$@")
		if [ "$status" != "$expected" ]; then
			echo "validate.sh: '$*' exited with $status (expected $expected)" >&2
			return 1
		fi
		if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$wall; fi
		if [ -z "$best_cpu" ] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then best_cpu=$cpu; fi
		[ "$peak" -gt "$rss" ] && rss=$peak
	done
	echo "$best $rss $best_cpu"
}

big=$(manifest 1000000)
small=$(manifest 100000)
big_mb=$(awk -v b="$(stat -c %s "$big")" 'BEGIN { printf "%.1f", b / 1e6 }')
per_row=$(awk -v b="$(stat -c %s "$big")" 'BEGIN { printf "%.1f", b / 1e6 }')

read -r v_wall v_rss v_cpu < <(best_of 0 "$BATCH" validate --op activate --manifest "$big")
read -r s_wall s_rss s_cpu < <(best_of 0 "$BATCH" validate --op activate --manifest "$small")
read -r c_wall c_rss c_cpu < <(best_of 0 "$BENCH_DIR/bare_csv" "$big")
read -r p_wall p_rss p_cpu < <(best_of 0 python3 -c 'import csv,sys; sum(1 for _ in csv.reader(open(sys.argv[1])))' "$big")

load=$(cut -d' ' -f1-3 /proc/loadavg)
awk -v mb="$big_mb" -v row="$per_row" -v repeat="$REPEAT" -v load="$load" \
	-v vw="$v_wall" -v vr="$v_rss" -v vc="$v_cpu" -v sw="$s_wall" -v sr="$s_rss" -v sc="$s_cpu" \
	-v cw="$c_wall" -v cr="$c_rss" -v cc="$c_cpu" -v pw="$p_wall" -v pr="$p_rss" -v pc="$p_cpu" 'BEGIN {
	printf "validate benchmark: 1,000,000-row activation CSV, %s MB (%s bytes/row); best of %d; load average %s\n\n", mb, row, repeat, load
	printf "%-34s %8s %8s %9s %10s\n", "reader", "wall s", "CPU s", "MB/s", "peak RSS"
	line("lattigo-batch validate (1M rows)", vw, vc, mb, vr)
	line("lattigo-batch validate (100k rows)", sw, sc, mb / 10, sr)
	line("bare libcsv field count", cw, cc, mb, cr)
	line("python3 csv module", pw, pc, mb, pr)
	printf "\n%-34s %8s %8s %9s  %s\n", "ratio", "wall", "CPU", "target", "verdict (on wall time)"
	verdict(" validate / bare libcsv", cw / vw, cc / vc, 0.6, ">=")
	verdict(" validate / python csv", pw / vw, pc / vc, 1.5, ">=")
	verdict(" peak RSS at 1M rows (MB)", vr / 1024, "", 32, "<")
	verdict(" peak RSS 1M / 100k", vr / sr, "", 1.2, "<")
}
function line(name, wall, cpu, megabytes, rss) {
	printf "%-34s %8.3f %8.3f %9.1f %7.1f MB\n", name, wall, cpu, megabytes / wall, rss / 1024
}
function verdict(name, value, cpu_value, target, sense) {
	ok = (sense == ">=") ? value >= target : value < target
	printf "%-34s %8.2f %8s %5s %-4s %s\n", name, value, cpu_value == "" ? "" : sprintf("%.2f", cpu_value), sense, target, ok ? "met" : "MISSED"
}'

# The same 1,000,000 rows as a workbook of text cells (issue 12): inline strings, as streaming
# writers save them, and a shared-strings table, as Excel saves them. Targets: at most 3x the
# CSV's validate time, peak RSS under 64 MB.
workbook() { # csv [--shared] -> path of the cached workbook
	local path="${1%.csv}${2:+-shared}.xlsx"
	if [ ! -s "$path" ]; then
		python3 "$ROOT/bench/csv_to_xlsx.py" "$1" "$path.tmp" ${2:+"$2"}
		mv "$path.tmp" "$path"
	fi
	echo "$path"
}
inline_book=$(workbook "$big")
shared_book=$(workbook "$big" --shared)
read -r i_wall i_rss i_cpu < <(best_of 0 "$BATCH" validate --op activate --manifest "$inline_book")
read -r h_wall h_rss h_cpu < <(best_of 0 "$BATCH" validate --op activate --manifest "$shared_book")
awk -v vw="$v_wall" -v vc="$v_cpu" -v vr="$v_rss" -v iw="$i_wall" -v ic="$i_cpu" -v ir="$i_rss" \
	-v hw="$h_wall" -v hc="$h_cpu" -v hr="$h_rss" \
	-v imb="$(stat -c %s "$inline_book")" -v hmb="$(stat -c %s "$shared_book")" 'BEGIN {
	printf "\nvalidate of the same rows as .xlsx (text cells); best of the same runs\n\n"
	printf "%-34s %8s %8s %10s %10s\n", "manifest", "wall s", "CPU s", "peak RSS", "file MB"
	printf "%-34s %8.3f %8.3f %7.1f MB\n", "CSV", vw, vc, vr / 1024
	printf "%-34s %8.3f %8.3f %7.1f MB %10.1f\n", "xlsx, inline strings", iw, ic, ir / 1024, imb / 1e6
	printf "%-34s %8.3f %8.3f %7.1f MB %10.1f\n", "xlsx, shared strings", hw, hc, hr / 1024, hmb / 1e6
	printf "\n%-34s %8s %8s %9s  %s\n", "ratio", "wall", "CPU", "target", "verdict (on wall time)"
	verdict(" xlsx inline / CSV time", iw / vw, ic / vc, 3, "<=")
	verdict(" xlsx shared / CSV time", hw / vw, hc / vc, 3, "<=")
	verdict(" xlsx inline peak RSS (MB)", ir / 1024, "", 64, "<")
	verdict(" xlsx shared peak RSS (MB)", hr / 1024, "", 64, "<")
}
function verdict(name, value, cpu_value, target, sense) {
	ok = (sense == "<=") ? value <= target : value < target
	printf "%-34s %8.2f %8s %5s %-4s %s\n", name, value, cpu_value == "" ? "" : sprintf("%.2f", cpu_value), sense, target, ok ? "met" : "MISSED"
}'
