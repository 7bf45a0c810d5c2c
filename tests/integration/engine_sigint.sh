#!/usr/bin/env bash
# SIGINT mid-job: calls in flight finish, no new ones start, exit 3; running
# again resumes and ends every row ok, each device changed once.
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

rows=2000
m=$(manifest lot --op cost-center --rows $rows --names sim-default --sim-devices $rows)
start_sim --latency-ms 40 --devices $rows --ledger "$WORK/ledger.jsonl"
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" run --quiet \
  --op cost-center --manifest "$m" --chunk 10 --concurrency 2 --endpoint "$SIM_URL" \
  --out "$WORK/out" 2>"$WORK/first.stderr" &
job=$!
CHILD_PIDS+=("$job")
# wait (bounded) until the job has changed some devices, then interrupt it
for _ in $(seq 1 200); do
  [ -s "$WORK/ledger.jsonl" ] && [ "$(wc -l <"$WORK/ledger.jsonl")" -ge 100 ] && break
  sleep 0.05
done
kill -INT "$job"
status=0
wait "$job" || status=$?
assert_eq 3 "$status" "exit status after SIGINT"
changed=$(wc -l <"$WORK/ledger.jsonl")
[ "$changed" -lt "$rows" ] || fail "the job finished before the interrupt; nothing was tested"

run_job 0 --op cost-center --manifest "$m" --chunk 10 --concurrency 2 --endpoint "$SIM_URL" \
  --out "$WORK/out"
stop_sim
read -r total ok _ < <(status_counts "$WORK/out/results.csv")
assert_eq "$rows" "$total" "rows in results.csv"
assert_eq "$rows" "$ok" "rows ok"
