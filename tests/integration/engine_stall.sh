#!/usr/bin/env bash
# A stalled server: every answer takes 4 s, the job allows 1 s per call. The
# job never hangs: calls time out, are retried up to --max-retries, and as no
# call of the run was ever answered the job stops resumably, saying why,
# without reporting the rows (a later run sends them).
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

rows=20
m=$(manifest lot --op cost-center --rows $rows --names sim-default --sim-devices 300)
start_sim --latency-ms 4000
started=$(date +%s)
status=0
batch run --quiet --op cost-center --manifest "$m" --chunk 10 --concurrency 2 --timeout 1 \
  --max-retries 1 --endpoint "$SIM_URL" --out "$WORK/out" 2>"$WORK/stall.stderr" || status=$?
elapsed=$(($(date +%s) - started))
stop_sim

case "$status" in 3) ;; *) fail "exit $status against a stalled server: $(tail -3 "$WORK/stall.stderr")" ;; esac
# a new job finds the stall at its credentials check, before anything is sent
grep -q "\(the API keeps failing\|cannot reach the API at .* to check the credentials\) .*timed out" "$WORK/stall.stderr" ||
  fail "the message does not say why: $(tail -3 "$WORK/stall.stderr")"
[ "$elapsed" -lt 20 ] || fail "the job took ${elapsed}s against 1 s timeouts"

# once the server answers again the same job finishes
start_sim
run_job 0 --op cost-center --manifest "$m" --chunk 10 --endpoint "$SIM_URL" --force-endpoint --out "$WORK/out"
stop_sim
read -r total ok _ < <(status_counts "$WORK/out/results.csv")
assert_eq "$rows" "$ok" "rows ok after the stall"
