#!/usr/bin/env bash
# A 429 storm: the simulator allows 20 calls/s, the job asks for 8 in flight
# with no client --rate. Every row still ends ok; the throttling is counted.
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

rows=400
m=$(manifest lot --op cost-center --rows $rows --names sim-default --sim-devices $rows)
start_sim --rate 20 --latency-ms 5 --devices $rows
run_job 0 --op cost-center --manifest "$m" --chunk 5 --concurrency 8 \
  --endpoint "$SIM_URL" --out "$WORK/out"
stop_sim

read -r total ok _ < <(status_counts "$WORK/out/results.csv")
assert_eq "$rows" "$total" "rows in results.csv"
assert_eq "$rows" "$ok" "rows ok"
throttled=$(summary_field "$WORK/out/summary.json" throttled)
[ "$throttled" -gt 0 ] || fail "the simulator's 429s were not counted (throttled=$throttled)"
calls=$(summary_field "$WORK/out/summary.json" calls)
# 80 calls are needed; the engine backs off instead of hammering the limit
[ "$calls" -lt 160 ] || fail "$calls calls for 80 chunks: the engine did not slow down"
