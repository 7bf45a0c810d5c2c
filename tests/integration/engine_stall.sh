#!/usr/bin/env bash
# A stalled server: every answer takes 4 s, the job allows 1 s per call. An
# idempotent operation is retried up to --max-retries and then the rows end
# error saying why; the job never hangs.
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

rows=20
m=$(manifest lot --op cost-center --rows $rows --names sim-default --sim-devices 300)
start_sim --latency-ms 4000
started=$(date +%s)
run_job 1 --op cost-center --manifest "$m" --chunk 10 --concurrency 2 --timeout 1 \
  --max-retries 1 --endpoint "$SIM_URL" --out "$WORK/out"
elapsed=$(($(date +%s) - started))
stop_sim

read -r total ok error _ < <(status_counts "$WORK/out/results.csv")
assert_eq "$rows" "$total" "rows in results.csv"
assert_eq "$rows" "$error" "rows error"
grep -q "gave up after 2 attempts" "$WORK/out/results.csv" ||
  fail "the error does not say why: $(sed -n 2p "$WORK/out/results.csv")"
[ "$elapsed" -lt 20 ] || fail "the job took ${elapsed}s against 1 s timeouts"
