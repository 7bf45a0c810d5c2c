#!/usr/bin/env bash
# --max-errors (issue 11): a hopeless job stops early. Against lattigo-sim, an
# activation lot on a rate plan the account does not have (every row refused)
# stops after --max-errors 20: exit 3, rows not sent are `skipped` in
# results.csv and summary.json; a resume with a higher threshold sends them.
# Against the independent mock, cost-center on unknown devices with a
# percentage threshold (judged after 100 rows).
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"
source "$TESTS_DIR/integration/mock_lib.sh"

m=$(manifest lot --op activate --rows 400 --seed 21)
python3 - "$m" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
for row in rows:
    row["rate_plan_name"] = "No Such Plan"
with open(sys.argv[1], "w", newline="") as out:
    writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    writer.writerows(rows)
PY
start_sim --ledger "$WORK/sim.ledger"
touch "$WORK/sim.ledger"
run_job 3 --op activate --manifest "$m" --chunk 10 --concurrency 2 --max-errors 20 --no-preflight \
  --endpoint "$SIM_URL" --out "$WORK/out"
read -r rows ok error unknown invalid skipped < <(status_counts "$WORK/out/results.csv")
assert_eq 400 "$rows" "results.csv rows after the threshold stop"
[ "$error" -gt 20 ] && [ "$error" -le 60 ] || fail "expected a little over 20 errors, got $error"
assert_eq $((400 - error)) "$skipped" "rows skipped"
assert_eq "$skipped" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["counts"]["skipped"])' \
  "$WORK/out/summary.json")" "summary.json skipped"
grep -q "resume with a higher --max-errors" "$WORK/out/results.csv" || fail "skipped rows do not say why"
# the same threshold stops the resume at once; a higher one finishes the job
batch resume "$WORK/out" --quiet --yes --max-errors 1000 >"$WORK/resume.stdout" 2>"$WORK/resume.stderr" &&
  fail "a lot of refused rows resumed with exit 0"
read -r rows ok error unknown invalid skipped < <(status_counts "$WORK/out/results.csv")
assert_eq "400 0 400 0" "$rows $ok $error $skipped" "rows/ok/error/skipped after the resume"
stop_sim
[ ! -s "$WORK/sim.ledger" ] || fail "something was applied"

# the independent mock: a percentage, judged once 100 rows have an outcome
python3 - "$WORK/cc.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as out:
    out.write("device_name,cost_center\n")
    for index in range(1, 401):
        out.write("nowhere-%d,East\n" % index)
PY
start_mock --devices 10 --ledger "$WORK/mock.ledger"
run_batch 3 --op cost-center --manifest "$WORK/cc.csv" --chunk 10 --concurrency 2 --no-preflight \
  --max-errors 10% --endpoint "$MOCK_URL" --out "$WORK/out-cc"
stop_mock
read -r rows ok error unknown invalid skipped < <(status_counts "$WORK/out-cc/results.csv")
assert_eq 400 "$rows" "results.csv rows (mock)"
[ "$error" -ge 100 ] && [ "$error" -le 140 ] || fail "expected about 100 errors before the stop, got $error"
assert_eq $((400 - error)) "$skipped" "rows skipped (mock)"

# a threshold that is not one is refused before anything is created
status=0
batch run --quiet --op cost-center --manifest "$WORK/cc.csv" --max-errors 5x \
  --endpoint "$MOCK_URL" --out "$WORK/out-bad" 2>"$WORK/bad.stderr" || status=$?
assert_eq 2 "$status" "exit status of --max-errors 5x"
grep -q -- "--max-errors: '5x'" "$WORK/bad.stderr" || fail "no message naming --max-errors: $(cat "$WORK/bad.stderr")"
[ ! -e "$WORK/out-bad/checkpoint" ] || fail "a job directory was created for a refused option"
