#!/usr/bin/env bash
# Throughput of lattigo-sim on loopback at concurrency 8 (wrk): GET
# v2/devices/:name, and PUT change_cost_center carrying 10 and 100 devices per
# call, at latency 0 (target: >= 10,000 calls/s of 10 devices); then GET with
# --latency-ms 20 to show that calls in flight overlap (expect about 8 x 50 =
# 400 calls/s); then 10-device calls on a 1,000,000-device simulator.
# Memory and start-up: time to "listening on" and peak RSS with --devices
# 1000000 (targets: < 2 s, < 400 MB), and peak RSS after ACTIVATIONS
# activations (default 100,000; 1,000,000 must stay under 400 MB).
# Usage: bench/sim.sh [seconds per run, default 10]. LATTIGO_SIM=path skips
# the build; ACTIVATIONS=N changes the activation count.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib/sim.sh"
DURATION=${1:-10}
ACTIVATIONS=${ACTIVATIONS:-100000}
bench_init sim

command -v wrk >/dev/null || { echo "bench/sim.sh: wrk is needed (apt-get install -y wrk)" >&2; exit 2; }
if [ -n "${LATTIGO_SIM:-}" ]; then SIM=$LATTIGO_SIM; else bench_build lattigo-sim; fi
# peak_mb: the simulator's peak resident set so far, in MB.
peak_mb() { echo $(($(peak_kb "$SIM_PID") / 1024)); }

AUTH="Authorization: Basic $(printf '%s:%s' "$LATTIGO_KEY_NAME" "$LATTIGO_API_KEY" | base64 -w0)"
# put_script FILE NAMES...: a wrk script sending change_cost_center for NAMES.
put_script() {
	local file=$1
	shift
	local names
	names=$(printf '"%s"\n' "$@" | paste -sd, -)
	cat >"$file" <<LUA
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"device_names":[$names],"cost_center":"Bench"}'
LUA
}
put_script "$RUN_DIR/put10.lua" $(seq 36500 36509)
put_script "$RUN_DIR/put.lua" $(seq 36500 36599)
# Ten devices spread over a million (each call touches cold index slots).
put_script "$RUN_DIR/put10-wide.lua" $(seq 36500 99991 1036499)

# run_wrk LABEL URL [wrk options]: prints "LABEL: N requests/s (p99 latency)".
run_wrk() {
	local label=$1 url=$2
	shift 2
	local report
	report=$(wrk -t2 -c8 -d"${DURATION}s" --latency -H "$AUTH" "$@" "$url")
	local rate p99 errors
	rate=$(awk '/^Requests\/sec:/ {print $2}' <<<"$report")
	p99=$(awk '$1 == "99%" {print $2}' <<<"$report")
	errors=$(grep -E "Non-2xx|Socket errors" <<<"$report" || true)
	printf '%-48s %10s requests/s   p99 %s %s\n' "$label" "$rate" "$p99" "${errors:+($errors)}"
}

echo "lattigo-sim, loopback, 8 connections (wrk -t2 -c8), ${DURATION}s per run, $(nproc) cores shared with wrk"
start_sim sim --devices 300
run_wrk "GET v2/devices/:name, latency 0" "$SIM_URL/v2/devices/36500"
run_wrk "PUT change_cost_center x10 devices, latency 0" \
	"$SIM_URL/v2/device_operations/change_cost_center" -s "$RUN_DIR/put10.lua"
run_wrk "PUT change_cost_center x100 devices, latency 0" \
	"$SIM_URL/v2/device_operations/change_cost_center" -s "$RUN_DIR/put.lua"
stop_sim
start_sim sim --devices 300 --latency-ms 20
run_wrk "GET v2/devices/:name, --latency-ms 20" "$SIM_URL/v2/devices/36500"
stop_sim

start_sim sim --devices 1000000
printf '%-48s %10s s to listen, peak RSS %s MB\n' "start with --devices 1000000" "$SIM_START_SECONDS" "$(peak_mb)"
run_wrk "PUT change_cost_center x10 of 1M, latency 0" \
	"$SIM_URL/v2/device_operations/change_cost_center" -s "$RUN_DIR/put10-wide.lua"
run_wrk "GET v2/devices/:name of 1M, latency 0" "$SIM_URL/v2/devices/536500"
stop_sim

start_sim sim --devices 300
started=$(date +%s%N)
python3 "$ROOT/bench/sim_activate.py" "$SIM_URL" "$LATTIGO_KEY_NAME" "$LATTIGO_API_KEY" "$ACTIVATIONS"
seconds=$(awk -v a="$started" -v b="$(date +%s%N)" 'BEGIN {printf "%.1f", (b - a) / 1e9}')
printf '%-48s %10s s, peak RSS %s MB\n' "$ACTIVATIONS activations (calls of 1000)" "$seconds" "$(peak_mb)"
stop_sim
