#!/usr/bin/env bash
# lattigo-batch against the independent mock with faults: a 429 storm
# (Retry-After as an HTTP-date, also one already past), 500/503 before applying, connections dropped
# after applying (activate: nothing twice, each dropped row read back or
# unknown), stalled calls with a short --timeout, 413 bisection, and wrong
# credentials (exit 2, nothing applied, no job directory), credentials revoked
# mid-job (exit 3, "fix the credentials, then resume", the resume finishes).
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/integration/mock_lib.sh"

# job NAME OP ROWS EXPECTED_EXIT "MOCK OPTIONS" [batch options...]: one mock, one job, the checks.
job() {
  local name=$1 op=$2 rows=$3 expected=$4 mock_options=$5
  shift 5
  local names=(--names prefix --name-prefix mock-)
  [ "$op" = activate ] && names=()
  gen "$WORK/$name.csv" --op "$op" --rows "$rows" --seed 6 "${names[@]}" --expect "$WORK/$name.expect"
  # shellcheck disable=SC2086 # word splitting of the mock's options is wanted
  start_mock --devices "$rows" --seed 4 --ledger "$WORK/$name.ledger" $mock_options
  touch "$WORK/$name.ledger"
  run_batch "$expected" --op "$op" --manifest "$WORK/$name.csv" --endpoint "$MOCK_URL" --no-preflight \
    --out "$WORK/out-$name" "$@"
  stop_mock
  check_job "$op" "$WORK/$name.csv" "$WORK/out-$name" "$WORK/$name.ledger" "$WORK/$name.expect" --faults
  assert_no_secret_in "$WORK/out-$name"
}

# a 429 storm: the mock allows 10 calls/s, the client starts 8 at a time.
# (The sizes below are what each case needs and no more: these jobs wait on
# the mock's rate, Retry-After and backoff, so rows are wall time.)
job storm cost-center 80 0 "--rate 10" --chunk 4 --concurrency 8
throttled=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["throttled"])' "$WORK/out-storm/summary.json")
[ "$throttled" -gt 0 ] || fail "no call was throttled: the storm did not happen"

# the mock's clock 30 s behind: its Retry-After dates are already past
job storm-skew cost-center 40 0 "--rate 5 --clock-skew -30" --chunk 4 --concurrency 8

# 500/503 before applying: an idempotent op ends all ok; a non-idempotent one never twice
job fail-cc cost-center 200 0 "--fail-rate 0.2" --chunk 5 --concurrency 4
job fail-sms sms 120 "0|1" "--fail-rate 0.2" --chunk 5 --concurrency 4
job fail-activate activate 100 "0|1" "--fail-rate 0.2" --chunk 5 --concurrency 4

# dropped after applying: activate is read back (GET ?id_type=iccid), never re-sent
job drop activate 150 "0|1" "--drop-rate 0.1" --chunk 10 --concurrency 4
grep -q 'ok,.*reconcil' "$WORK/out-drop/results.csv" || note "no dropped activation was read back"
job drop-cc cost-center 200 0 "--drop-rate 0.1" --chunk 10 --concurrency 4
# no read-back for these: a dropped call leaves its rows unknown, never re-sent
job drop-sms sms 150 "0|1" "--drop-rate 0.1" --chunk 10 --concurrency 4
job drop-upload upload 150 "0|1" "--drop-rate 0.1" --chunk 10 --concurrency 4
job drop-locate locate 60 "0|1" "--drop-rate 0.1" --concurrency 4 --yes

# stalled calls (nothing applied, connection held) with a short --timeout
job stall-cc cost-center 40 0 "--stall-rate 0.2 --stall-seconds 20" --chunk 5 --concurrency 4 --timeout 1
job stall-activate activate 40 "0|1|3" "--stall-rate 0.2 --stall-seconds 20" --chunk 5 --concurrency 4 --timeout 1

# 413 above 6 devices per call: chunks are split down to what the mock accepts
job split cost-center 90 0 "--max-chunk 6" --chunk 40 --concurrency 2

# wrong credentials: exit 2, nothing applied, the wrong key nowhere
gen "$WORK/creds.csv" --op cost-center --rows 20 --names prefix --name-prefix mock-
start_mock --devices 20 --ledger "$WORK/creds.ledger"
status=0
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="wrong-$TEST_API_KEY" "$LATTIGO_BATCH" run --quiet \
  --op cost-center --manifest "$WORK/creds.csv" --endpoint "$MOCK_URL" --out "$WORK/out-creds" \
  2>"$WORK/creds.stderr" || status=$?
stop_mock
assert_eq 2 "$status" "exit status with wrong credentials"
[ ! -s "$WORK/creds.ledger" ] || fail "something was applied with wrong credentials"
grep -qi '401\|credential\|unauthori' "$WORK/creds.stderr" || fail "no clear message: $(cat "$WORK/creds.stderr")"
[ ! -e "$WORK/out-creds" ] || fail "a job directory was created with wrong credentials"
grep -qF "wrong-$TEST_API_KEY" "$WORK/creds.stderr" && fail "the key appears on stderr"

# credentials revoked after 3 write calls: the job stops sending, exit 3, and
# resumes to the end once the credentials work again
gen "$WORK/revoke.csv" --op cost-center --rows 60 --names prefix --name-prefix mock-
start_mock --devices 60 --ledger "$WORK/revoke.ledger" --revoke-after-writes 3
status=0
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" run --quiet --op cost-center --manifest "$WORK/revoke.csv" --chunk 5 \
  --concurrency 1 --endpoint "$MOCK_URL" --out "$WORK/out-revoke" 2>"$WORK/revoke.stderr" || status=$?
stop_mock
assert_eq 3 "$status" "exit status when the credentials are revoked mid-job"
grep -q "fix the credentials, then resume with: lattigo-batch resume" "$WORK/revoke.stderr" ||
  fail "no advice to fix the credentials: $(cat "$WORK/revoke.stderr")"
applied=$(wc -l <"$WORK/revoke.ledger")
[ "$applied" -le 15 ] || fail "$applied effects applied after the credentials were revoked"
start_mock --devices 60 --ledger "$WORK/revoke.ledger"
status=0
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" resume "$WORK/out-revoke" --quiet --endpoint "$MOCK_URL" --force-endpoint 2>>"$WORK/revoke.stderr" || status=$?
stop_mock
assert_eq 0 "$status" "exit status of the resume after the credentials were fixed: $(tail -3 "$WORK/revoke.stderr")"
assert_no_secret_in "$WORK/out-revoke"
note "ok: faults against the mock"
