#!/usr/bin/env bash
# Wrong credentials are found by one read before the job starts: exit 2, a
# message naming the key name (never the key), no job directory, nothing sent
# or applied. An unreachable endpoint at that check: exit 3, nothing sent.
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

m=$(manifest lot --op activate --rows 50 --seed 5)
start_sim --ledger "$WORK/ledger.jsonl"
status=0
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="wrong-$TEST_API_KEY" "$LATTIGO_BATCH" run --yes \
  --verbose --op activate --manifest "$m" --chunk 10 --endpoint "$SIM_URL" \
  --out "$WORK/out" 2>"$WORK/batch.stderr" || status=$?
stop_sim

assert_eq 2 "$status" "exit status with wrong credentials"
grep -qF "the API refused the credentials (key name '$TEST_KEY_NAME')" "$WORK/batch.stderr" ||
  fail "no clear credentials error: $(tail -3 "$WORK/batch.stderr")"
[ ! -e "$WORK/out" ] || fail "a job directory was created for a job that cannot run"
[ ! -s "$WORK/ledger.jsonl" ] || fail "something was applied with wrong credentials"
grep -q -- '-> 401' "$WORK/batch.stderr" && fail "an operation call was sent with wrong credentials"
grep -q 'run the same command again to resume\|lattigo-batch resume' "$WORK/batch.stderr" &&
  fail "a refused job is advised to resume"
grep -qF "wrong-$TEST_API_KEY" "$WORK/batch.stderr" && fail "the api key was printed"

# nothing listens: exit 3 (try later), nothing created
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
status=0
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" run --quiet --yes \
  --op activate --manifest "$m" --endpoint "http://127.0.0.1:$port" \
  --connect-timeout 2 --out "$WORK/out-unreachable" 2>"$WORK/unreachable.stderr" || status=$?
assert_eq 3 "$status" "exit status when the API cannot be reached"
grep -q "cannot reach the API at .* to check the credentials" "$WORK/unreachable.stderr" ||
  fail "no clear message: $(cat "$WORK/unreachable.stderr")"
[ ! -e "$WORK/out-unreachable" ] || fail "a job directory was created though nothing could be sent"
