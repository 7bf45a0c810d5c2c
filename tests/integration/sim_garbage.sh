#!/usr/bin/env bash
# Bounded randomized hostile input (run under ASan in the test build): the
# simulator survives, still answers, and stops with exit 0 and no sanitizer report.
source "$(dirname "$0")/lib.sh"

seconds=${SIM_GARBAGE_SECONDS:-12}
seed=${SIM_GARBAGE_SEED:-$RANDOM}
start_sim --max-body 1048576 --ledger "$WORK/garbage.ledger"
TEST_KEY_NAME="$TEST_KEY_NAME" TEST_API_KEY="$TEST_API_KEY" \
  python3 "$TESTS_DIR/integration/sim_garbage.py" "$SIM_PORT" "$seconds" "$seed" ||
  fail "garbage run failed (seed $seed): $(tail -5 "$WORK/sim.stderr")"
stop_sim
if grep -q "Sanitizer" "$WORK/sim.stderr"; then
  fail "sanitizer report (seed $seed): $(grep -A5 Sanitizer "$WORK/sim.stderr" | head -20)"
fi
