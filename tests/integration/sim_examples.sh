#!/usr/bin/env bash
# The API text's own examples, replayed against lattigo-sim (data-driven: the
# cases live in tests/data/sim/api_examples.json). The text's sample IMEIs and
# ICCIDs have no valid check digit, so this run relaxes the Luhn rule.
source "$(dirname "$0")/lib.sh"

start_sim --no-luhn imei --no-luhn iccid
TEST_KEY_NAME="$TEST_KEY_NAME" TEST_API_KEY="$TEST_API_KEY" \
  python3 "$TESTS_DIR/integration/sim_examples.py" "$SIM_PORT" "$TESTS_DIR/data/sim/api_examples.json" ||
  fail "an example of the API text is not answered as the text shows"
stop_sim
