#!/usr/bin/env bash
# Scale benchmark (issue 14, "End-to-end"): a ROWS-row cost-center job for a
# ROWS-device simulator account, end to end, loopback only, every child
# stopped and reaped:
#   1. generate the manifest (scripts/gen-manifest.py, kept in BENCH_DIR);
#   2. start `lattigo-sim --latency-ms 20 --devices DEVICES --verbose` (one
#      log line per request);
#   3. run the job with --concurrency 16 --chunk 100, SIGKILL it once 90 % of
#      its calls were answered: seconds to its first write (the preflight),
#      rows/s, efficiency (rows/s / 80,000, the ideal 16 x 100 rows / 20 ms),
#      client peak RSS (at the first write, and in all), checkpoint/store/
#      audit sizes at the kill;
#   4. run the same command again (it resumes): seconds to its first call
#      (wall, and CPU of the resuming process), in all, after its last call
#      (the outputs' write time), peak RSS;
#   5. the simulator's peak RSS, results.csv's row count.
# A benchmark, not a test: figures are printed, never asserted.
# Environment: ROWS (default 10,000,000), DEVICES (default ROWS), BUILD_DIR
# (default build/, Release, built when missing), BATCH (another lattigo-batch
# to measure, e.g. an older build), BENCH_DIR (default /tmp/lattigo-bench;
# the 10M manifest is 200 MB, the job directory about 2.5 GB), PREFLIGHT
# (default on; "off" runs the job with --no-preflight: no account snapshot
# to read before the job nor to load on resume).
#
# OP=activate measures instead what an activation's preflight costs on a large
# account (the join of each row's ICCID and IMEI with the account's devices):
# `plan` of the ROWS-row activation manifest (BENCH_DIR/activate-ROWS.csv,
# generated when missing; ROWS default 1,000,000 here) against `lattigo-sim
# --devices DEVICES` (default 1,000,000), where every tenth row is the (ICCID, IMEI) pair of one of the
# account's devices (unchanged when it is active, else a conflict), every
# tenth + 1 a device's ICCID with the row's own IMEI (conflict), every tenth
# + 2 the row's ICCID with a device's IMEI (conflict), the rest new pairs
# (change); the devices spread over the whole listing. The manifest is derived
# once from `lattigo-batch export devices` of that account (the simulator's
# data set is the same at every start) and kept in BENCH_DIR. Figures: wall,
# CPU (user + system) and peak RSS of `plan` (GNU time), the verdict counts,
# the load average;
# BEFORE=path/to/lattigo-batch measures that build too against the same
# simulator and says whether both wrote the same plan.csv.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib/sim.sh"
if [ "${OP:-cost-center}" = activate ]; then
	ROWS=${ROWS:-1000000}
	DEVICES=${DEVICES:-1000000}
fi
ROWS=${ROWS:-10000000}
DEVICES=${DEVICES:-$ROWS}
CONCURRENCY=16
CHUNK=100
LATENCY_MS=20
bench_init scale
mb() { python3 -c 'import sys; print("%.1f" % (int(sys.argv[1]) / 1024))' "$1"; }
size_mb() { { du -cm "$@" 2>/dev/null || true; } | tail -1 | cut -f1; }

bench_build lattigo-batch lattigo-sim

# activation_manifest ROWS DEVICES: the path of the activation manifest
# described above, derived into BENCH_DIR once from the running simulator's
# devices (SIM_URL).
activation_manifest() {
	local rows=$1 base="$BENCH_DIR/activate-$1.csv"
	local manifest="$BENCH_DIR/activate-$1-meets-$2-devices.csv"
	if [ ! -s "$manifest" ]; then
		if [ ! -s "$base" ]; then
			say "generating $base"
			python3 "$ROOT/scripts/gen-manifest.py" --op activate --rows "$rows" \
				--out "$base.tmp.$$" >&2
			mv "$base.tmp.$$" "$base"
		fi
		say "exporting the account's devices, deriving $manifest"
		"$BATCH" export devices --endpoint "$SIM_URL" --output "$RUN_DIR/devices.csv" --quiet
		python3 - "$base" "$RUN_DIR/devices.csv" "$manifest.tmp.$$" <<'PY'
import csv, sys
base, listing, out = sys.argv[1:4]
pairs = [(device["iccid"], device["imei"]) for device in csv.DictReader(open(listing, newline=""))]
with open(base, newline="") as source, open(out, "w", newline="") as target:
    reader = csv.reader(source)
    writer = csv.writer(target, lineterminator="\n")
    header = next(reader)
    writer.writerow(header)
    iccid, imei = header.index("iccid"), header.index("imei")
    for number, row in enumerate(reader):
        group, index = number % 10, number // 10
        if group < 3:
            # each group its own devices (residues 0, 3, 6 of 9), spread over the listing
            device = pairs[(index * 9 + group * 3) % len(pairs)]
            if group in (0, 1):
                row[iccid] = device[0]
            if group in (0, 2):
                row[imei] = device[1]
        writer.writerow(row)
PY
		mv "$manifest.tmp.$$" "$manifest"
	fi
	echo "$manifest"
}

# plan_activation NAME BATCH MANIFEST: `plan` of MANIFEST with BATCH under GNU
# time into RUN_DIR/NAME; prints "wall_s cpu_s peak_kb exit load1 counts...".
plan_activation() {
	local name=$1 batch=$2 manifest=$3 status=0
	local load
	load=$(cut -d' ' -f1 /proc/loadavg)
	/usr/bin/time -f "%e %U %S %M" -o "$RUN_DIR/$name.time" "$batch" plan --op activate \
		--manifest "$manifest" --endpoint "$SIM_URL" --out "$RUN_DIR/$name" \
		>"$RUN_DIR/$name.stdout" 2>"$RUN_DIR/$name.stderr" || status=$?
	echo "$(tail -1 "$RUN_DIR/$name.time" | awk '{ printf "%s %.2f %s", $1, $2 + $3, $4 }') $status $load/$(cut -d' ' -f1 /proc/loadavg)" \
		"$(awk '$1 ~ /^(change|unchanged|missing|conflict|invalid)$/ { printf "%s=%s ", $1, $2 }' \
			"$RUN_DIR/$name.stdout")"
}

if [ "${OP:-cost-center}" = activate ]; then
	say "starting lattigo-sim --devices $DEVICES --latency-ms $LATENCY_MS"
	start_sim sim --latency-ms "$LATENCY_MS" --devices "$DEVICES" --max-connections 64
	manifest=$(activation_manifest "$ROWS" "$DEVICES")
	printf '\n%-44s %s\n' "plan --op activate ($ROWS rows, $DEVICES devices)" \
		"wall_s cpu_s peak_KB exit load1(before/after) verdicts"
	if [ -n "${BEFORE:-}" ]; then
		say "plan with $BEFORE"
		printf '%-44s %s\n' "before ($BEFORE)" "$(plan_activation before "$BEFORE" "$manifest")"
	fi
	say "plan with $BATCH"
	printf '%-44s %s\n' "after ($BATCH)" "$(plan_activation after "$BATCH" "$manifest")"
	if [ -n "${BEFORE:-}" ]; then
		# the same verdicts, messages and names; only the time the account was read differs
		same=no
		cmp -s <(sed 's/account read at [^)]*)/read)/' "$RUN_DIR/before/plan.csv") \
			<(sed 's/account read at [^)]*)/read)/' "$RUN_DIR/after/plan.csv") && same=yes
		printf '%-44s %s\n' "plan.csv identical (but the reading time)" "$same"
	fi
	exit 0
fi

manifest=$(scale_manifest "$ROWS" "$DEVICES")

say "starting lattigo-sim --devices $DEVICES --latency-ms $LATENCY_MS"
log="$RUN_DIR/sim.log"
start_sim sim --latency-ms "$LATENCY_MS" --devices "$DEVICES" --max-connections 64 --verbose
sim_ready=$SIM_START_SECONDS
base=$(wc -l <"$log")

job=(run --op cost-center --manifest "$manifest" --chunk "$CHUNK" --concurrency "$CONCURRENCY"
	--endpoint "$SIM_URL" --out "$RUN_DIR/job" --quiet)
[ "${PREFLIGHT:-on}" = off ] && job+=(--no-preflight)
calls=$(((ROWS + CHUNK - 1) / CHUNK))
kill_at=$((calls * 9 / 10))
say "running $ROWS rows; SIGKILL at $kill_at of $calls calls"
started=$(now)
"$BATCH" "${job[@]}" 2>"$RUN_DIR/run1.stderr" &
job_pid=$!
CHILD_PIDS+=("$job_pid")
client_peak=0
first_write=""
while kill -0 "$job_pid" 2>/dev/null && [ $(($(wc -l <"$log") - base)) -lt "$kill_at" ]; do
	peak=$(peak_kb "$job_pid")
	[ "${peak:-0}" -gt "$client_peak" ] && client_peak=$peak
	# the preflight (account read, snapshot kept, every row classified,
	# undo.csv and the verdicts written) ends with the first write
	# (its reads do not count towards the 90 %: the kill counts writes)
	if [ -z "$first_write" ] && first_line=$(tail -n +"$((base + 1))" "$log" | grep -n -m1 ' PUT '); then
		first_write=$(seconds "$started" "$(now)")
		preflight_peak=$peak
		base=$((base + ${first_line%%:*} - 1))
	fi
	sleep 0.1
done
peak=$(peak_kb "$job_pid")
[ "${peak:-0}" -gt "$client_peak" ] && client_peak=$peak
kill -KILL "$job_pid" 2>/dev/null || true
wait "$job_pid" 2>/dev/null || true
killed=$(now)
calls_before=$(($(wc -l <"$log") - base))
elapsed=$(seconds "$started" "$killed")
done_rows=$("$BATCH" status "$RUN_DIR/job" --json 2>/dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["rows_done"])' 2>/dev/null || echo 0)
rate=$(python3 -c 'import sys; print("%.0f" % (int(sys.argv[1]) / float(sys.argv[2])))' "$done_rows" "$elapsed")
efficiency=$(python3 -c 'import sys; print("%.2f" % (float(sys.argv[1]) / (16 * 100 / 0.020)))' "$rate")
checkpoint_mb=$(size_mb "$RUN_DIR/job"/checkpoint*)
snapshot_mb=$(size_mb "$RUN_DIR/job/snapshot")
verdicts_mb=$(size_mb "$RUN_DIR/job/snapshot/verdicts" "$RUN_DIR/job/snapshot/verdict-notes")
keys_mb=$(size_mb "$RUN_DIR/job/duplicate-keys")
store_mb=$(size_mb "$RUN_DIR/job"/outcomes.*)
audit_mb=$(size_mb "$RUN_DIR/job/audit.jsonl.gz")

say "resuming"
read -r _ first _ total _ status _ last _ first_cpu < <(python3 "$ROOT/bench/peers/first_request.py" \
	--watch "$log" --timeout 3000 --last --cpu -- /usr/bin/time -f "%M" -o "$RUN_DIR/resume.rss" \
	"$BATCH" "${job[@]}")
resume_peak=$(tail -1 "$RUN_DIR/resume.rss")
outputs_write=$(python3 -c 'import sys
try: print("%.2f" % (float(sys.argv[1]) - float(sys.argv[2])))
except ValueError: print("n/a")' "$total" "$last")
sim_peak=$(peak_kb "$SIM_PID")
results=$(($(wc -l <"$RUN_DIR/job/results.csv") - 1))
calls_after=$(($(wc -l <"$log") - base - calls_before))
checkpoint_end_mb=$(size_mb "$RUN_DIR/job"/checkpoint*)
audit_end_mb=$(size_mb "$RUN_DIR/job/audit.jsonl.gz")

printf '\n%-52s %s\n' "figure ($ROWS rows, $DEVICES devices, $(nproc) cores, preflight ${PREFLIGHT:-on})" "value"
printf '%-52s %s\n' "simulator start-up (s)" "$sim_ready"
printf '%-52s %s\n' "run to 90 %: rows done, seconds" "$done_rows in $elapsed s ($calls_before calls)"
printf '%-52s %s\n' "rows/s (start-up included)" "$rate"
printf '%-52s %s\n' "efficiency (rows/s / 80,000)" "$efficiency"
printf '%-52s %s\n' "first run: first write after (s; the preflight)" "${first_write:-n/a}"
printf '%-52s %s\n' "client peak RSS, first run: preflight / to 90 % (MB)" "$(mb "${preflight_peak:-0}") / $(mb "$client_peak")"
printf '%-52s %s\n' "at the kill: checkpoint, outcome store, audit (MB)" "$checkpoint_mb, $store_mb, $audit_mb"
printf '%-52s %s\n' "at the kill: duplicate keys (MB)" "$keys_mb"
printf '%-52s %s\n' "at the kill: snapshot dir, of it verdicts (MB)" "$snapshot_mb, $verdicts_mb"
printf '%-52s %s\n' "resume: first call (s), CPU until then (s)" "$first, $first_cpu"
printf '%-52s %s\n' "resume: in all (s), exit" "$total, $status"
printf '%-52s %s\n' "resume: outputs' write time after the last call (s)" "$outputs_write"
printf '%-52s %s\n' "resume: calls sent" "$calls_after"
printf '%-52s %s\n' "client peak RSS, resume (MB)" "$(mb "$resume_peak")"
printf '%-52s %s\n' "simulator peak RSS (MB)" "$(mb "$sim_peak")"
printf '%-52s %s\n' "at the end: checkpoint, audit (MB)" "$checkpoint_end_mb, $audit_end_mb"
printf '%-52s %s\n' "results.csv rows" "$results"
