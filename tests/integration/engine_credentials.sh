#!/usr/bin/env bash
# Wrong credentials: a clear error naming HTTP 401, nothing applied, nothing
# retried, and the key appears nowhere.
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

m=$(manifest lot --op activate --rows 50 --seed 5)
start_sim --ledger "$WORK/ledger.jsonl"
status=0
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="wrong-$TEST_API_KEY" "$LATTIGO_BATCH" run \
  --quiet --verbose --op activate --manifest "$m" --chunk 10 --endpoint "$SIM_URL" \
  --out "$WORK/out" 2>"$WORK/batch.stderr" || status=$?
stop_sim

case "$status" in 2 | 3) ;; *) fail "exit $status, expected 2 or 3: $(tail -3 "$WORK/batch.stderr")" ;; esac
grep -q "refused the credentials (HTTP 401)" "$WORK/batch.stderr" ||
  fail "no clear credentials error: $(tail -3 "$WORK/batch.stderr")"
[ ! -s "$WORK/ledger.jsonl" ] || fail "something was applied with wrong credentials"
grep -qF "wrong-$TEST_API_KEY" "$WORK/batch.stderr" && fail "the api key was printed"
calls=$(grep -c -- '-> 401' "$WORK/batch.stderr" || true)
[ "$calls" -le 4 ] || fail "$calls calls refused with 401: the engine kept trying"
TEST_API_KEY="wrong-$TEST_API_KEY" assert_no_secret "$WORK/batch.stderr" "$WORK"/out/*
