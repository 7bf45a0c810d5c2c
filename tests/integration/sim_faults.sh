#!/usr/bin/env bash
# Fault injection of lattigo-sim: 429 + Retry-After, injected 500s (nothing
# applied), dropped connections (applied, no answer, in the ledger), latency
# that never serialises calls in flight and never answers a read early, and
# optional TLS.
source "$(dirname "$0")/lib.sh"
export TEST_KEY_NAME TEST_API_KEY
checks() { python3 "$TESTS_DIR/integration/sim_faults.py" "$@" || fail "fault check '$1' failed"; }

start_sim --rate 2
checks rate "$SIM_PORT"
stop_sim

start_sim --fail-rate 1 --ledger "$WORK/fail.ledger"
checks fail "$SIM_PORT"
stop_sim
assert_eq 0 "$(wc -l <"$WORK/fail.ledger")" "ledger lines after injected 500s"

# Dropped: the effect is applied and recorded, but the client gets no answer.
start_sim --drop-rate 1 --ledger "$WORK/drop.ledger" --state "$WORK/drop.state"
rc=0
api PUT v2/device_operations/change_cost_center -d 'device_names[]=36500' -d 'cost_center=Dropped' \
  -o "$WORK/drop.body" 2>"$WORK/drop.curl" || rc=$?
assert_eq 52 "$rc" "curl exit status for a dropped connection (empty reply)"
assert_eq 0 "$(wc -c <"$WORK/drop.body" 2>/dev/null || echo 0)" "bytes received from a dropped call"
stop_sim
ledger_line=$(cat "$WORK/drop.ledger")
case "$ledger_line" in
  '{"op":"cost-center","key":"36500","device":"36500","request":1}') ;;
  *) fail "ledger after a dropped call: $ledger_line" ;;
esac
applied=$(python3 -c 'import json,sys
state = json.load(open(sys.argv[1]))
print([d["fields"]["cost_center"] for d in state["devices"] if d["fields"]["device_name"] == "36500"][0])' "$WORK/drop.state")
assert_eq Dropped "$applied" "cost center applied although the answer was dropped"

start_sim --latency-ms 300
checks latency "$SIM_PORT" 300
stop_sim

start_sim --latency-ms 30 --devices 2000
checks latency_floor "$SIM_PORT" 30
stop_sim

start_sim --latency-ms 5 --ledger "$WORK/race.ledger"
checks race "$SIM_PORT" "$WORK/race.ledger"
stop_sim

# TLS with a throw-away self-signed certificate.
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
start_sim --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem"
out=$(curl -sS --cacert "$WORK/cert.pem" -u "$TEST_KEY_NAME:$TEST_API_KEY" \
  "https://127.0.0.1:$SIM_PORT/v2/users?per_page=1")
assert_eq '["admin"]' "$out" "a call over TLS"
stop_sim
