#!/usr/bin/env bash
# Verify benchmark (issue 14): `verify OUT` after a finished ROWS-row
# cost-center job on a ROWS-device simulator account, loopback only, every
# child stopped and reaped:
#   1. the manifest (bench/lib/sim.sh's scale_manifest, kept in BENCH_DIR);
#   2. `lattigo-sim --latency-ms 20 --devices DEVICES`;
#   3. the job, to its end (--concurrency 16 --chunk 100): its wall time;
#   4. `verify OUT` (--concurrency 16) with BEFORE (another lattigo-batch,
#      e.g. main's before the change; optional), then with BATCH: wall
#      seconds, client peak RSS (GNU time's maximum resident set), calls,
#      rounds and the verdict counts from summary.json, whether the two
#      verify.csv files are byte-identical.
# A benchmark, not a test: figures are printed, never asserted. Run it under
# `nice -n 10` on a shared machine and state the load average (printed).
# Environment: ROWS (default 1,000,000), DEVICES (default ROWS), BUILD_DIR
# (default build/, Release, built when missing), BATCH, BEFORE, BENCH_DIR
# (default /tmp/lattigo-bench; the job directory of 10,000,000 rows is
# about 2.5 GB, verify's spool and judgements under TMPDIR about as much).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib/sim.sh"
ROWS=${ROWS:-1000000}
DEVICES=${DEVICES:-$ROWS}
CONCURRENCY=16
CHUNK=100
LATENCY_MS=20
bench_init verify

bench_build lattigo-batch lattigo-sim
manifest=$(scale_manifest "$ROWS" "$DEVICES")

say "starting lattigo-sim --devices $DEVICES --latency-ms $LATENCY_MS"
start_sim sim --latency-ms "$LATENCY_MS" --devices "$DEVICES" --max-connections 64
say "running the $ROWS-row job"
started=$(now)
"$BATCH" run --op cost-center --manifest "$manifest" --chunk "$CHUNK" --concurrency "$CONCURRENCY" \
	--endpoint "$SIM_URL" --out "$RUN_DIR/job" --quiet 2>"$RUN_DIR/run.stderr" ||
	{ echo "verify.sh: the job failed: $(tail -3 "$RUN_DIR/run.stderr")" >&2; exit 1; }
job_seconds=$(seconds "$started" "$(now)")

# measure NAME BINARY: verify with BINARY; prints its figures, keeps verify.csv as NAME.csv
measure() {
	local name=$1 binary=$2 status=0
	say "verify with $name ($binary)"
	/usr/bin/time -f '%M %e' -o "$RUN_DIR/$name.time" \
		"$binary" verify "$RUN_DIR/job" --concurrency "$CONCURRENCY" --quiet \
		>/dev/null 2>"$RUN_DIR/$name.stderr" || status=$?
	cp "$RUN_DIR/job/verify.csv" "$RUN_DIR/$name.csv"
	python3 - "$name" "$status" "$(cat "$RUN_DIR/$name.time")" "$RUN_DIR/job/summary.json" <<'PY'
import json, sys
name, status, (peak_kb, wall) = sys.argv[1], sys.argv[2], sys.argv[3].split()[-2:]
section = json.load(open(sys.argv[4]))["verification"]
print("verify %-6s exit %s  wall %6.2f s  peak RSS %7.1f MB  calls %d  rounds %d  %s" % (
    name, status, float(wall), int(peak_kb) / 1024, section["calls"], section["rounds"],
    " ".join("%s=%d" % item for item in sorted(section["counts"].items()))))
PY
}

echo "rows $ROWS  devices $DEVICES  latency ${LATENCY_MS} ms  concurrency $CONCURRENCY  job ${job_seconds} s"
measure_before_after
stop_sim
