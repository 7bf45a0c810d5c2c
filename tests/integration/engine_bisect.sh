#!/usr/bin/env bash
# 413 bisection: the simulator takes at most 10 entries per call, the job asks
# for 100. Calls are halved until accepted and the working size is kept, so
# the job ends ok without a 413 for every chunk.
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

rows=1000
m=$(manifest lot --op cost-center --rows $rows --names sim-default --sim-devices $rows)
start_sim --max-chunk 10 --devices $rows
run_job 0 --op cost-center --manifest "$m" --chunk 100 --concurrency 2 \
  --endpoint "$SIM_URL" --out "$WORK/out"
stop_sim

read -r total ok _ < <(status_counts "$WORK/out/results.csv")
assert_eq "$rows" "$total" "rows in results.csv"
assert_eq "$rows" "$ok" "rows ok"
calls=$(summary_field "$WORK/out/summary.json" calls)
# at least 100 accepted calls; remembering the size keeps refusals to a handful
[ "$calls" -ge 100 ] || fail "only $calls calls for 1000 rows at 10 per call"
[ "$calls" -le 260 ] || fail "$calls calls: the working chunk size was not remembered"
