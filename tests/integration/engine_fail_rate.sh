#!/usr/bin/env bash
# --fail-rate 0.2: one answer in five is a 500 (nothing applied). Retries with
# backoff bring every row to ok, each device changed exactly once.
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

rows=1000
m=$(manifest lot --op cost-center --rows $rows --names sim-default --sim-devices $rows)
start_sim --fail-rate 0.2 --seed 7 --devices $rows --ledger "$WORK/ledger.jsonl"
run_job 0 --op cost-center --manifest "$m" --chunk 20 --concurrency 4 --verbose \
  --endpoint "$SIM_URL" --out "$WORK/out"
stop_sim

read -r total ok _ < <(status_counts "$WORK/out/results.csv")
assert_eq "$rows" "$total" "rows in results.csv"
assert_eq "$rows" "$ok" "rows ok"
retries=$(summary_field "$WORK/out/summary.json" retries)
[ "$retries" -gt 0 ] || fail "no retries counted against a 20 % failure rate"
applied=$(python3 -c 'import json,sys; print(len({json.loads(l)["key"] for l in open(sys.argv[1])}))' "$WORK/ledger.jsonl")
assert_eq "$rows" "$applied" "devices changed"
# --verbose shows one line per call (retries included) and never a credential
grep -q -- '-> 500' "$WORK/batch.stderr" || fail "--verbose did not show the failed calls"
assert_no_secret "$WORK/batch.stderr" "$WORK"/out/*
