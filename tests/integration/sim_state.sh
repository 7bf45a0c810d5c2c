#!/usr/bin/env bash
# --state: a snapshot loaded at start and saved on a clean stop (SIGINT or
# SIGTERM, exit 0); activated devices and changes survive a restart.
source "$(dirname "$0")/lib.sh"

state="$WORK/sim-state.json"
start_sim --state "$state" --seed 7
original=$(api GET v2/devices/36500)
out=$(api POST v2/device_operations/activation_request -H 'Content-Type: application/json' \
  -d '{"rate_plan_name":"ACME Co 10MB Plan","activation_requests":[{"imei":"490154203237518","iccid":"89014103211118510720"}]}')
case "$out" in *'"unprocessed":[]'*) ;; *) fail "activation: $out" ;; esac
api PUT v2/device_operations/change_cost_center -d 'device_names[]=36501' -d 'cost_center=Kept' >/dev/null
kill -INT "$SIM_PID"
status=0
wait "$SIM_PID" || status=$?
assert_eq 0 "$status" "exit status after SIGINT"
[ -s "$state" ] || fail "no state saved in $state"

start_sim --state "$state" --seed 7
assert_eq "$original" "$(api GET v2/devices/36500)" "an untouched device after the restart"
assert_eq Kept "$(api GET v2/devices/36501 | python3 -c 'import json,sys; print(json.load(sys.stdin)["cost_center"])')" "cost center after the restart"
assert_eq 301 "$(curl -sS -o /dev/null -D - -u "$TEST_KEY_NAME:$TEST_API_KEY" "$SIM_URL/v2/devices" | tr -d '\r' | sed -n 's/^X-Total: //p')" "devices after the restart"
out=$(api GET 'v2/devices/89014103211118510720?id_type=iccid')
case "$out" in *'"imei":"490154203237518"'*) ;; *) fail "activated device after the restart: $out" ;; esac
stop_sim

# The same seed gives the same data set; another seed another one.
start_sim --seed 7
assert_eq "$original" "$(api GET v2/devices/36500)" "same seed, same device"
stop_sim
start_sim --seed 8
[ "$original" != "$(api GET v2/devices/36500)" ] || fail "a different seed gave the same device"
stop_sim

# A corrupt snapshot is refused with a message naming the file.
echo '{"devices": [' >"$WORK/bad.json"
status=0
"$LATTIGO_SIM" --port 0 --state "$WORK/bad.json" >/dev/null 2>"$WORK/bad.err" || status=$?
assert_eq 1 "$status" "exit status with a corrupt state file"
grep -q "bad.json" "$WORK/bad.err" || fail "message does not name the state file: $(cat "$WORK/bad.err")"
