#!/usr/bin/env bash
# Export benchmark (issue 9), one run, loopback only, every child reaped:
#   1. daily-usage of 2,000 devices x 60 days at --concurrency 8 against
#      `lattigo-sim --latency-ms 20`: records/s and efficiency against the
#      ideal (concurrency / latency x records per call = 8 / 0.020 s x 60);
#   2. the same export by a sequential Python script (bench/peers/python_export.py,
#      `requests` when importable, else urllib), on a sample of devices: records/s and ratio;
#   3. `devices` of a 100,000-device account (pages of 1000 read concurrently);
#   4. peak RSS against the size of the export (500 vs 2,000 devices; 100,000 vs 300,000
#      devices: both past the first 2 x concurrency + 2 pages, which the reads in flight and the
#      answers waiting to be written may hold, so what grows with the account would show);
#   5. the same 2,000 reads by a bare libcurl-multi driver (bench/bare_driver.c): what this
#      machine allows right now, so a loaded machine shows as such.
# Environment: BUILD_DIR (default build/, Release, built here when missing),
# BENCH_DIR (default /tmp/lattigo-bench), PYTHON_DEVICES (default 300).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib/sim.sh"
LATENCY_MS=20
CONCURRENCY=8
DEVICES=2000
DAYS=60
START=2026-10-01
END=2026-11-29 # 60 days, both ends included
PYTHON_DEVICES=${PYTHON_DEVICES:-300}
MEASURE="python3 $ROOT/bench/peers/measure.py"
bench_init export
bench_build lattigo-batch lattigo-sim
build_bare_driver

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

# export_job NAME ARGS...: sets WALL, RSS, EXIT, RECORDS (from summary.json)
export_job() {
	local name=$1
	shift
	read -r WALL RSS EXIT _ < <($MEASURE --stderr "$RUN_DIR/$name.stderr" -- \
		"$BATCH" export "$@" --out "$RUN_DIR/$name" --quiet)
	[ "$EXIT" = 0 ] || say "$name: exit $EXIT: $(tail -2 "$RUN_DIR/$name.stderr" | tr '\n' ' ')"
	RECORDS=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["records"])' \
		"$RUN_DIR/$name/summary.json" 2>/dev/null || echo 0)
}

TABLE=()
row() { TABLE+=("$(printf '%-52s %14s  %s' "$1" "$2" "${3:-}")"); }

# 1. daily-usage, 2,000 devices x 60 days
start_sim sim --devices "$DEVICES" --latency-ms "$LATENCY_MS"
"$BATCH" export devices --endpoint "$SIM_URL" --no-details --output "$RUN_DIR/devices.csv" --quiet
head -501 "$RUN_DIR/devices.csv" >"$RUN_DIR/devices-500.csv"
export_job daily-2000 daily-usage --endpoint "$SIM_URL" --manifest "$RUN_DIR/devices.csv" \
	--start-date "$START" --end-date "$END" --concurrency "$CONCURRENCY"
ideal=$(awk -v c="$CONCURRENCY" -v l="$LATENCY_MS" -v r="$DAYS" 'BEGIN { printf "%.0f", c / (l / 1000) * r }')
rps=$(awk -v r="$RECORDS" -v w="$WALL" 'BEGIN { printf "%.0f", r / w }')
rss_2000=$RSS
row "daily-usage 2,000 dev x 60 d: records" "$RECORDS" "expected $((DEVICES * DAYS))"
row "  wall s / records/s" "$WALL / $rps" ""
row "  efficiency vs ideal ($ideal records/s)" "$(ratio "$rps" "$ideal")" "target >= 0.85"
export_job daily-500 daily-usage --endpoint "$SIM_URL" --manifest "$RUN_DIR/devices-500.csv" \
	--start-date "$START" --end-date "$END" --concurrency "$CONCURRENCY"
row "  peak RSS KB, 500 vs 2,000 devices" "$RSS / $rss_2000" "target: about equal"
tail -n +2 "$RUN_DIR/devices.csv" | awk -v s="$START" -v e="$END" '{ printf "GET\tv2/devices/%s/daily_data_usages?start_date=%s&end_date=%s&limit=100000&page=1&per_page=1000\t\n", $1, s, e }' >"$RUN_DIR/calls.tsv"
read -r _ _ _ bare_seconds _ _ _ _ _ _ _ _ _ _ < <("$RUN_DIR/bare_driver" "$SIM_URL" "$RUN_DIR/calls.tsv" "$CONCURRENCY")
bare_rps=$(awk -v r="$((DEVICES * DAYS))" -v w="$bare_seconds" 'BEGIN { printf "%.0f", r / w }')
row "bare libcurl-multi driver, same reads: records/s" "$bare_rps" "efficiency $(ratio "$bare_rps" "$ideal")"
row "  lattigo-batch / bare driver" "$(ratio "$rps" "$bare_rps")" ""

# 2. the sequential Python script on a sample
read -r _ _ _ _ _ _ _ py_seconds _ py_rps _ py_client < <(python3 "$ROOT/bench/peers/python_export.py" \
	--url "$SIM_URL" --manifest "$RUN_DIR/devices.csv" --start-date "$START" --end-date "$END" \
	--output "$RUN_DIR/python.csv" --limit-devices "$PYTHON_DEVICES")
row "python ($py_client), $PYTHON_DEVICES devices: records/s" "$py_rps" "${py_seconds} s"
row "  lattigo-batch / python" "$(ratio "$rps" "$py_rps")" "target >= 7"
stop_sim

# 3. devices of a 100,000-device account, and RSS against 300,000
start_sim sim --devices 100000 --latency-ms "$LATENCY_MS"
export_job devices-100k devices --endpoint "$SIM_URL" --concurrency "$CONCURRENCY"
row "devices of a 100,000-device account: records" "$RECORDS" ""
row "  wall s / records/s" "$WALL / $(awk -v r="$RECORDS" -v w="$WALL" 'BEGIN { printf "%.0f", r / w }')" ""
rss_100k=$RSS
stop_sim
start_sim sim --devices 300000 --latency-ms "$LATENCY_MS"
export_job devices-300k devices --endpoint "$SIM_URL" --concurrency "$CONCURRENCY"
row "  peak RSS KB, 100,000 vs 300,000 devices" "$rss_100k / $RSS" "target: about equal"
stop_sim

printf '%s\n' "${TABLE[@]}"
