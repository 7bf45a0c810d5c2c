#!/usr/bin/env bash
# A dead service (--fail-rate 1: every call answered 500, nothing applied):
# the retry budget bounds the calls, then the job stops resumably with a
# clear message instead of failing every row; a later run finishes the job.
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

rows=500
m=$(manifest lot --op cost-center --rows $rows --names sim-default --sim-devices $rows)
start_sim --fail-rate 1 --devices $rows --ledger "$WORK/ledger.jsonl"
status=0
batch run --quiet --op cost-center --manifest "$m" --chunk 10 --concurrency 4 --max-retries 3 --no-preflight \
  --endpoint "$SIM_URL" --out "$WORK/out" 2>"$WORK/dead.stderr" || status=$?
stop_sim
case "$status" in 2 | 3) ;; *) fail "exit $status against a dead service: $(tail -3 "$WORK/dead.stderr")" ;; esac
grep -q "the API keeps failing" "$WORK/dead.stderr" || fail "unclear message: $(tail -3 "$WORK/dead.stderr")"
[ ! -s "$WORK/ledger.jsonl" ] || fail "the simulator applied something at --fail-rate 1"
# 50 chunks: at most 0.5 × 50 + 20 retries on top of the first tries
calls=$(summary_field "$WORK/out/summary.json" calls)
[ "$calls" -le $((50 + 45 + 4)) ] || fail "$calls calls against a dead service: a retry storm"

start_sim --devices $rows --ledger "$WORK/ledger.jsonl"
run_job 0 --op cost-center --manifest "$m" --chunk 10 --concurrency 4 --no-preflight --endpoint "$SIM_URL" --force-endpoint \
  --out "$WORK/out"
stop_sim
read -r total ok _ < <(status_counts "$WORK/out/results.csv")
assert_eq "$rows" "$ok" "rows ok after the service came back"
