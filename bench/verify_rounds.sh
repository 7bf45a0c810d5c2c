#!/usr/bin/env bash
# Verify's later rounds (`verify --wait`): what a round costs once only a
# few rows are still pending, after a ROWS-row activation job. Loopback
# only, every child stopped and reaped:
#   1. the activation manifest (scripts/gen-manifest.py, kept in BENCH_DIR);
#   2. `lattigo-sim --latency-ms 20 --state FILE`, the job to its end
#      (--chunk 1000 --concurrency 16), the simulator stopped (state saved);
#   3. PENDING rows spread over the manifest (every ROWS/PENDING-th) made
#      pending again in the saved state (as `--activation-delay-ms` leaves a
#      device: state pending, active_at_ms), until HOLD seconds after the
#      simulator is started from that state (loading 1,000,000 devices from
#      a state file takes it ~40 s: the seconds they stay pending once verify
#      runs are printed), so that the first round sees them pending and a few
#      later rounds read only them;
#   4. `verify OUT --wait 10m --progress` (--concurrency 16) against the
#      simulator restarted from that state, with BEFORE (another
#      lattigo-batch, e.g. main's before the change; optional), then with
#      BATCH: the progress lines timestamped, so each round's seconds are
#      (time between two lines) - (the pause between them: 2 s, then
#      doubling); the first round includes loading the rows; the last line
#      also holds the last round and the final pass (verify.csv).
# A benchmark, not a test: figures are printed, never asserted. Run it under
# `nice -n 10` on a shared machine and state the load average (printed).
# Environment: ROWS (default 1,000,000), PENDING (default 12), HOLD (default
# 150), BUILD_DIR (default build/, Release, built when missing), BATCH,
# BEFORE, BENCH_DIR (default /tmp/lattigo-bench).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib/sim.sh"
ROWS=${ROWS:-1000000}
PENDING=${PENDING:-12}
HOLD=${HOLD:-150}
CONCURRENCY=16
LATENCY_MS=20
PLACEHOLDER=9999999999999
bench_init verify_rounds

bench_build lattigo-batch lattigo-sim
manifest="$BENCH_DIR/verify-rounds-activate-$ROWS.csv"
if [ ! -s "$manifest" ]; then
	say "generating $manifest"
	python3 "$ROOT/scripts/gen-manifest.py" --op activate --rows "$ROWS" --out "$manifest.tmp.$$" >&2
	mv "$manifest.tmp.$$" "$manifest"
fi

say "running the $ROWS-row activation job"
start_sim sim --latency-ms "$LATENCY_MS" --max-connections 64 --state "$RUN_DIR/state.json"
started=$(now)
"$BATCH" run --op activate --yes --manifest "$manifest" --chunk 1000 --concurrency "$CONCURRENCY" \
	--endpoint "$SIM_URL" --out "$RUN_DIR/job" --quiet 2>"$RUN_DIR/run.stderr" ||
	{ echo "verify_rounds.sh: the job failed: $(tail -3 "$RUN_DIR/run.stderr")" >&2; exit 1; }
job_seconds=$(seconds "$started" "$(now)")
stop_sim

say "making $PENDING devices pending again in the saved state"
python3 - "$manifest" "$RUN_DIR/state.json" "$RUN_DIR/template.json" "$PENDING" "$PLACEHOLDER" <<'PY'
import csv, sys
manifest, state, template, pending, placeholder = sys.argv[1:6]
with open(manifest, newline="") as source:
    iccids = [row["iccid"] for row in csv.DictReader(source)]
step = max(1, len(iccids) // int(pending))
chosen = {'"iccid":"%s"' % iccid for iccid in iccids[step - 1::step][: int(pending)]}
made = 0
with open(state) as source, open(template, "w") as out:
    for line in source:
        if line.startswith('{"fields":') and any(key in line for key in chosen):
            line = line.replace('"state":"active"', '"state":"pending"', 1)
            line = line.replace('"sim":{', '"sim":{"active_at_ms":%s,' % placeholder, 1)
            made += 1
        out.write(line)
if made != len(chosen):
    sys.exit("made %d of %d devices pending" % (made, len(chosen)))
PY
rm -f "$RUN_DIR/state.json"

# measure NAME BINARY: verify --wait with BINARY against the state above; prints its rounds
measure() {
	local name=$1 binary=$2 status=0 until
	until=$(python3 -c 'import sys, time; print(int(time.time() * 1000) + int(sys.argv[1]) * 1000)' "$HOLD")
	sed "s/$PLACEHOLDER/$until/" "$RUN_DIR/template.json" >"$RUN_DIR/$name-state.json"
	start_sim "$name-sim" --latency-ms "$LATENCY_MS" --max-connections 64 --state "$RUN_DIR/$name-state.json"
	say "the simulator is up in ${SIM_START_SECONDS} s"
	say "verify --wait with $name ($binary)"
	# each progress line with the seconds since verify started (the clock
	# starts before verify does, so no line waits for the reader)
	python3 - "$RUN_DIR/$name.progress" "$binary" verify "$RUN_DIR/job" --endpoint "$SIM_URL" \
		--concurrency "$CONCURRENCY" --wait 10m --progress 2>"$RUN_DIR/$name.stderr" <<'PY' || status=$?
import subprocess, sys, time
started = time.monotonic()
print("# verify starts at %d ms (UTC epoch)" % int(time.time() * 1000), file=sys.stderr)
child = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
with open(sys.argv[1], "w") as out:
    for line in child.stderr:
        out.write("%.3f %s" % (time.monotonic() - started, line))
sys.exit(child.wait())
PY
	stop_sim
	cp "$RUN_DIR/job/verify.csv" "$RUN_DIR/$name.csv"
	python3 - "$name" "$status" "$RUN_DIR/$name.progress" "$RUN_DIR/job/summary.json" "$until" \
		"$(sed -n 's/^# verify starts at \([0-9]*\) ms.*/\1/p' "$RUN_DIR/$name.stderr")" <<'PY'
import json, sys
name, status, progress, summary = sys.argv[1:5]
held = (int(sys.argv[5]) - int(sys.argv[6])) / 1000
times = [float(line.split(" ", 1)[0]) for line in open(progress) if line.split(" ", 1)[1].startswith("verify:")]
section = json.load(open(summary))["verification"]
pauses, pause = [], 2.0
for _ in times[1:]:
    pauses.append(pause)
    pause = min(pause * 2, 60.0)
rounds = [times[0]] + [later - earlier - paused for earlier, later, paused in zip(times, times[1:], pauses)]
print("verify --wait %-6s exit %s  rounds %d  calls %d  pending for %.1f s after verify started  %s" % (
    name, status, section["rounds"], section["calls"], held,
    " ".join("%s=%d" % item for item in sorted(section["counts"].items()))))
print("  first round (with loading the rows) %.2f s" % rounds[0])
for index, seconds in enumerate(rounds[1:-1], 2):
    print("  round %d %.2f s" % (index, seconds))
print("  last round and final pass %.2f s" % rounds[-1])
PY
}

echo "rows $ROWS  pending $PENDING for ${HOLD} s after the simulator starts  latency ${LATENCY_MS} ms  concurrency $CONCURRENCY  job ${job_seconds} s"
measure_before_after
