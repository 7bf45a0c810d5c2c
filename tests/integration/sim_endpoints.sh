#!/usr/bin/env bash
# Every endpoint of lattigo-sim: shapes, status codes, headers and the ledger
# (checks in sim_endpoints.py; this script owns the simulator's life cycle).
source "$(dirname "$0")/lib.sh"

start_sim --max-chunk 50 --max-body 65536 --ledger "$WORK/ledger.jsonl"
TEST_KEY_NAME="$TEST_KEY_NAME" TEST_API_KEY="$TEST_API_KEY" \
  python3 "$TESTS_DIR/integration/sim_endpoints.py" "$SIM_PORT" "$WORK/ledger.jsonl" ||
  fail "endpoint checks failed (stderr of the simulator: $(tail -3 "$WORK/sim.stderr"))"

# curl, as the API text's examples use it: form body and -u.
out=$(api PUT v2/device_operations/change_cost_center -d 'device_names[]=36510' -d 'cost_center=Curl')
assert_eq '{"change_status":{"36510":"Success"}}' "$out" "curl form example"

# A body above --max-body announced with Expect: 100-continue is refused at once.
head -c 100000 /dev/zero | tr '\0' 'a' >"$WORK/big.body"
code=$(curl -sS -o "$WORK/big.out" -w '%{http_code}' -u "$TEST_KEY_NAME:$TEST_API_KEY" -X POST \
  -H 'Expect: 100-continue' -H 'Content-Type: application/json' --data-binary @"$WORK/big.body" \
  "$SIM_URL/v2/device_operations/send_sms")
assert_eq 413 "$code" "status for a body above --max-body"
assert_eq '{"error":"request body larger than 65536 bytes"}' "$(cat "$WORK/big.out")" "413 body"
stop_sim
