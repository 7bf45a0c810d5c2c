#!/usr/bin/env bash
# The command line itself: --help for the program and every command, --version,
# ops, run --dry-run plans, job files and resume; the cases of one shape (a
# command line, its exit status, fragments of its output) are in
# tests/data/cli-cases/ (run by cli_cases.sh).
source "$(dirname "$0")/lib.sh"
DATA="$TESTS_DIR/data/cli"

capture() {
  local status=0
  "$@" >"$WORK/stdout" 2>"$WORK/stderr" || status=$?
  STATUS=$status
}
expect_line() {
  grep -qF -- "$2" "$1" || fail "expected '$2' in $1: $(cat "$1")"
}

capture "$LATTIGO_BATCH" --help
assert_eq 0 "$STATUS" "--help exit status"
expect_line "$WORK/stdout" "usage: lattigo-batch <command>"
for command in run resume validate ops; do
  capture "$LATTIGO_BATCH" "$command" --help
  assert_eq 0 "$STATUS" "$command --help exit status"
  expect_line "$WORK/stdout" "usage: lattigo-batch $command"
  capture "$LATTIGO_BATCH" help "$command"
  assert_eq 0 "$STATUS" "help $command exit status"
  expect_line "$WORK/stdout" "usage: lattigo-batch $command"
done
capture "$LATTIGO_BATCH" run --help
expect_line "$WORK/stdout" "--chunk N"
expect_line "$WORK/stdout" "(default: 100)"
expect_line "$WORK/stdout" "examples:"

capture "$LATTIGO_BATCH" --version
assert_eq 0 "$STATUS" "--version exit status"
# project(VERSION) of CMakeLists.txt, plus +g<commit>[.dirty] when built from a checkout.
project_version=$(sed -n 's/^project(lattigo-batch VERSION \([0-9.]*\) .*/\1/p' "$SOURCE_DIR/CMakeLists.txt")
[ -n "$project_version" ] || fail "no project(VERSION) in CMakeLists.txt"
grep -qE "^lattigo-batch ${project_version//./\\.}(\+g[0-9a-f]{12}(\.dirty)?)?\$" "$WORK/stdout" ||
  fail "version: $(cat "$WORK/stdout"), project version $project_version"





# ops: every operation of the contract, required fields marked, flags shown
capture "$LATTIGO_BATCH" ops
assert_eq 0 "$STATUS" "ops exit status"
previous=""
for op in activate cost-center locate note remove-usage-limit simstate sms upload usage-limit; do
  grep -qx "$op" "$WORK/stdout" || fail "ops does not list '$op'"
  line=$(grep -nx "$op" "$WORK/stdout" | cut -d: -f1)
  [ -z "$previous" ] || [ "$line" -gt "$previous" ] || fail "ops is not in name order at '$op'"
  previous=$line
done
expect_line "$WORK/stdout" "POST v2/device_operations/activation_request"
expect_line "$WORK/stdout" "PUT v2/device_operations/change_cost_center"
expect_line "$WORK/stdout" "iccid*"
expect_line "$WORK/stdout" "needs --yes"
expect_line "$WORK/stdout" "one call per row"
capture "$LATTIGO_BATCH" ops
cp "$WORK/stdout" "$WORK/ops.1"
capture "$LATTIGO_BATCH" ops
cmp -s "$WORK/ops.1" "$WORK/stdout" || fail "ops output is not deterministic"


# dry run: validation + plan, no credentials, nothing written
cd "$WORK"
capture env -u LATTIGO_KEY_NAME -u LATTIGO_API_KEY "$LATTIGO_BATCH" run --op activate --manifest "$DATA/clean-activate.csv" --chunk 3 --dry-run
assert_eq 0 "$STATUS" "dry run exit status ($(cat "$WORK/stderr"))"
expect_line "$WORK/stdout" "ACME 5MB"
grep -qE "ACME 5MB +7  3 calls: 3, 3, 1$" "$WORK/stdout" || fail "plan for ACME 5MB: $(cat "$WORK/stdout")"
grep -qE "ACME 1GB +3  1 call: 3$" "$WORK/stdout" || fail "plan for ACME 1GB: $(cat "$WORK/stdout")"
expect_line "$WORK/stdout" "total: 10 rows in 4 calls (2 groups)"
expect_line "$WORK/stdout" "POST v2/device_operations/activation_request"
[ ! -e "$WORK/out" ] || fail "a dry run created the job directory"

# the job file's chunk (3) applies; the command line wins over it
capture "$LATTIGO_BATCH" run "$DATA/clean-activate.json" --dry-run --chunk 5
grep -qE "ACME 5MB +7  2 calls: 5, 2$" "$WORK/stdout" || fail "command line chunk did not win: $(cat "$WORK/stdout")"
capture "$LATTIGO_BATCH" run "$DATA/clean-activate.json" --dry-run
grep -qE "ACME 5MB +7  3 calls: 3, 3, 1$" "$WORK/stdout" || fail "job file chunk not used: $(cat "$WORK/stdout")"



# resume of something that is not a job directory
mkdir -p "$WORK/empty"
capture "$LATTIGO_BATCH" resume "$WORK/empty"
assert_eq 4 "$STATUS" "resume of a directory without job.json"
expect_line "$WORK/stderr" "job.json"
# resume reads OUTDIR/job.json; job-defining options cannot change, --yes is asked again
mkdir -p "$WORK/job1"
printf '{"op": "locate", "manifest": "%s", "chunk": 1, "concurrency": 2}\n' "$DATA/notes.jsonl" >"$WORK/job1/job.json"
capture "$LATTIGO_BATCH" resume "$WORK/job1"
assert_eq 2 "$STATUS" "resume of a locate job without --yes"
expect_line "$WORK/stderr" "add --yes"
capture "$LATTIGO_BATCH" resume "$WORK/job1" --op note --yes
assert_eq 2 "$STATUS" "resume with --op"
expect_line "$WORK/stderr" "option '--op' does not apply to 'resume'"
capture "$LATTIGO_BATCH" resume "$WORK/job1" --concurrency 99 --yes
assert_eq 2 "$STATUS" "resume with a bad --concurrency"
expect_line "$WORK/stderr" "--concurrency: '99'"
printf '{"op": "note", "manifest": "x.csv", "colour": "red"}\n' >"$WORK/job1/job.json"
capture "$LATTIGO_BATCH" resume "$WORK/job1"
assert_eq 4 "$STATUS" "resume of an inconsistent job.json"
expect_line "$WORK/stderr" "unknown key 'colour'"
note "usage: all checks passed"
