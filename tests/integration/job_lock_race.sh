#!/usr/bin/env bash
# The job directory lock (issue 11): many lattigo-batch processes started at
# once on one --out: exactly one runs the job, every other one exits 4 with
# "is in use by process N". Then the runner is killed with SIGKILL (its lock
# file stays behind, naming a dead process) and the race is run again: again
# exactly one proceeds (it resumes), and the job ends with every row once.
source "$(dirname "$0")/lib.sh"

racers=${RACERS:-12}
rows=600
manifest="$WORK/lot.csv"
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op cost-center --rows "$rows" --seed 3 \
  --names sim-default --sim-devices "$rows" --out "$manifest"
# small chunks and a slow simulator: the job lasts long enough to be raced
job_options=(--op cost-center --manifest "$manifest" --chunk 5 --concurrency 2 --quiet)
start_sim --devices "$rows" --seed 3 --latency-ms 20

# race ROUND: starts $racers runs at once; sets WINNERS (their pids)
race() {
  local round=$1 index pids=()
  for index in $(seq 1 "$racers"); do
    LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" \
      "$LATTIGO_BATCH" run "${job_options[@]}" --endpoint "$SIM_URL" --out "$WORK/job" \
      >/dev/null 2>"$WORK/race$round.$index.err" &
    pids+=($!)
    CHILD_PIDS+=($!)
  done
  RACERS_PIDS=("${pids[@]}")
}

# settle ROUND: the $racers - 1 losers exit by themselves (exit 4, "is in use
# by ..."); the one left must still be running. RUNNING is its pid.
settle() {
  local round=$1 count pid status left=("${RACERS_PIDS[@]}")
  for count in $(seq 1 $((racers - 1))); do
    pid=""
    status=0
    wait -n -p pid "${left[@]}" || status=$?
    assert_eq 4 "$status" "exit status of racer $pid, the ${count}th to end (round $round)"
    left=("${left[@]/#$pid}")
    left=(${left[@]})
  done
  assert_eq 1 "${#left[@]}" "racers left in round $round"
  RUNNING=${left[0]}
  kill -0 "$RUNNING" 2>/dev/null || fail "round $round: no racer proceeded"
  grep -l "is in use by" "$WORK"/race"$round".*.err | wc -l | {
    read -r refused; assert_eq $((racers - 1)) "$refused" "refusal messages in round $round"; }
}

race 1
settle 1
note "round 1: one runner ($RUNNING), $((racers - 1)) refused"
kill -0 "$RUNNING" 2>/dev/null || fail "the job finished before it could be killed: make it longer"
kill -KILL "$RUNNING"
wait "$RUNNING" 2>/dev/null || true
[ -e "$WORK/job/lock" ] || fail "kill -9 should leave the lock file behind"

race 2
settle 2
note "round 2 (stale lock file left by kill -9): one runner ($RUNNING), $((racers - 1)) refused"
status=0
wait "$RUNNING" || status=$?
assert_eq 0 "$status" "exit status of the resumed job"
[ ! -e "$WORK/job/lock" ] || fail "the lock file was not removed at the end"
stop_sim
python3 - "$WORK/job/results.csv" "$rows" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], newline=''))]
assert [int(r['row']) for r in rows] == list(range(1, int(sys.argv[2]) + 1)), "rows not 1..N once each"
assert all(r['status'] == 'ok' for r in rows), "some rows not ok"
PY
note "ok: exactly one of $racers racers proceeded, twice (with and without a stale lock)"
