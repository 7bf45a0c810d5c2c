#!/usr/bin/env bash
# validate and run --dry-run of a job file with "steps": every row judged for
# every step before anything is sent; a row invalid for step 3 stops before
# step 1 (or, with "partial", runs the steps before it); per-step plans; the
# sample job jobs/provision-factory-lot.json.
source "$(dirname "$0")/lib.sh"

capture() {
  local status=0
  "$@" >"$WORK/stdout" 2>"$WORK/stderr" || status=$?
  STATUS=$status
}
expect_line() { # file text
  grep -qF -- "$2" "$1" || fail "expected '$2' in $1: $(cat "$1")"
}

# two devices; row 2's kb_limit is invalid, which only step 3 uses
cat >"$WORK/lot.csv" <<'CSV'
SIM ICCID,IMEI No.,Site,KB
89017531318850843733,863436382321968,Rotterdam DC,51200
89017533692169793864,863441641989837,Antwerp Hub,-5
89017531318850843733,863436382321968,Rotterdam DC,51200
CSV
write_job() { # partial
  cat >"$WORK/job.json" <<JSON
{"manifest": "lot.csv", "map": {"iccid": "SIM ICCID", "imei": "IMEI No."}, "partial": $1,
 "steps": [
  {"op": "activate", "set": {"rate_plan_name": "ACME Co 5mb Rate Plan"}, "verify": "30m"},
  {"op": "cost-center", "map": {"cost_center": "Site"}, "chunk": 10},
  {"op": "usage-limit", "map": {"kb_limit": "KB"}, "set": {"action": "email", "usernames": "ops.alice"}}
 ]}
JSON
}
write_job false

capture "$LATTIGO_BATCH" validate "$WORK/job.json"
assert_eq 1 "$STATUS" "validate exit status with invalid rows"
expect_line "$WORK/stdout" "step 3 of 3: usage-limit (devices named by ICCID"
expect_line "$WORK/stdout" "valid for every step:  1"
expect_line "$WORK/stdout" "invalid for some step: 2 (none of their steps is sent)"
expect_line "$WORK/stdout" "row 2 (line 3): step 3 (usage-limit): kb_limit:"
expect_line "$WORK/stdout" "row 3 (line 4): step 1 (activate): iccid: duplicate of row 1"

# the dry run: the row invalid for step 3 enters no step
capture "$LATTIGO_BATCH" run --dry-run "$WORK/job.json" --endpoint sim
assert_eq 1 "$STATUS" "dry-run exit status with invalid rows"
[ "$(grep -c 'rows:        1 would enter this step' "$WORK/stdout")" = 3 ] ||
  fail "every step should plan 1 row: $(cat "$WORK/stdout")"
expect_line "$WORK/stdout" "step 1 of 3: activate, then wait until verified (up to 30m)"
expect_line "$WORK/stdout" "PUT v2/device_operations/change_cost_center"

# partial: row 2 runs steps 1 and 2, not step 3
write_job true
capture "$LATTIGO_BATCH" run --dry-run "$WORK/job.json" --endpoint sim
assert_eq 1 "$STATUS" "partial dry-run exit status"
[ "$(grep -c 'rows:        2 would enter this step' "$WORK/stdout")" = 2 ] ||
  fail "steps 1 and 2 should plan 2 rows: $(cat "$WORK/stdout")"
expect_line "$WORK/stdout" "rows:        1 would enter this step"

# a steps job takes no --op
capture "$LATTIGO_BATCH" run "$WORK/job.json" --op activate --endpoint sim --out "$WORK/out"
assert_eq 2 "$STATUS" "run of a steps job with --op"
[ ! -e "$WORK/out" ] || fail "a refused run created its job directory"

# a file-level problem of a later step names the step
sed -i 's/"Site"/"Sight"/' "$WORK/job.json"
capture "$LATTIGO_BATCH" validate "$WORK/job.json"
assert_eq 2 "$STATUS" "validate with a bad map in step 2"
expect_line "$WORK/stderr" "step 2 (cost-center): "

# the sample provisioning job: 44 of the demo lot's 48 rows are ready
capture "$LATTIGO_BATCH" validate "$SOURCE_DIR/jobs/provision-factory-lot.json"
assert_eq 1 "$STATUS" "sample provisioning job"
expect_line "$WORK/stdout" "valid for every step:  44"
expect_line "$WORK/stdout" "step 4 of 4: note"
note "steps: all checks passed"
