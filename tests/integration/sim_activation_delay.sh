#!/usr/bin/env bash
# --activation-delay-ms: an accepted activation shows as "pending" (also in
# the state filter and in a --state snapshot) until the delay has passed,
# then "active"; last_activation_date is when it became active.
source "$(dirname "$0")/lib.sh"

field() { # JSON-on-stdin key
  python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

state="$WORK/delay-state.json"
activate() { # IMEI ICCID: one activation, answered without errors
  local out
  out=$(api POST v2/device_operations/activation_request -H 'Content-Type: application/json' \
    -d '{"rate_plan_name":"ACME Co 1GB Plan","activation_requests":[{"imei":"'"$1"'","iccid":"'"$2"'","note1":"lot 4"}]}')
  case "$out" in *'"unprocessed":[]'*) ;; *) fail "activation: $out" ;; esac
}

# Pending while the delay runs. The delay is long (10 min) so that "right
# after" holds however slow a loaded machine is: no check below races it.
start_sim --activation-delay-ms 600000 --state "$state"
activate 490154203237518 89014103211118510720
device=$(api GET 'v2/devices/89014103211118510720')
assert_eq pending "$(field state <<<"$device")" "state right after the activation"
assert_eq "lot 4" "$(field note1 <<<"$device")" "note1 of the new device"
assert_eq '["89014103211118510720"]' "$(api GET 'v2/devices?state=pending')" "the pending filter"
# The built-in data set has no pending device: the filter shows only this one.
api GET 'v2/devices?state=active&per_page=1000' | grep -q 89014103211118510720 &&
  fail "a pending device is listed as active"

# Kept pending across a restart (the snapshot has when it becomes active).
stop_sim
start_sim --activation-delay-ms 600000 --state "$state"
assert_eq pending "$(api GET 'v2/devices/89014103211118510720' | field state)" "state after a restart"
stop_sim

# Then active, with its activation date (whole seconds, UTC): the moment the
# call was accepted plus the delay, so at least 1 s after "before" and no later
# than when it was first seen active. A short delay (1 s) keeps the wait short;
# only the order of the moments is checked, never how long anything took.
start_sim --activation-delay-ms 1000
before=$(date -u +%s)
activate 490154203237518 89014103211118510720
device=$(python3 - "$SIM_URL" "$TEST_KEY_NAME" "$TEST_API_KEY" <<'PY'
import base64, json, sys, time, urllib.request
url, key, secret = sys.argv[1:4]
auth = "Basic " + base64.b64encode(("%s:%s" % (key, secret)).encode()).decode()
request = urllib.request.Request(url + "/v2/devices/490154203237518?id_type=imei",
                                 headers={"Authorization": auth})
for _ in range(1200):  # the simulator's clock, polled: up to 60 s on a loaded machine
    device = json.load(urllib.request.urlopen(request, timeout=30))
    if device["state"] == "active":
        break
    time.sleep(0.05)
print(json.dumps(device))
PY
)
assert_eq active "$(field state <<<"$device")" "state once the delay has passed"
seen_active=$(date -u +%s)
activated=$(field last_activation_date <<<"$device")
activated_s=$(date -u -d "$activated" +%s)
[ "$activated_s" -ge $((before + 1)) ] && [ "$activated_s" -le "$seen_active" ] ||
  fail "last_activation_date $activated is not 1 s after $(date -u -d "@$before") and before $(date -u -d "@$seen_active")"
case "$(api GET 'v2/devices?state=active&per_page=1000')" in
  *89014103211118510720*) ;;
  *) fail "the activated device is not listed as active" ;;
esac
stop_sim

# Without the option an activated device is active at once.
start_sim
activate 490154203237518 89014103211118510720
assert_eq active "$(api GET 'v2/devices/89014103211118510720' | field state)" "state with no delay"
stop_sim

# A bad value is a usage error (exit 2).
status=0
"$LATTIGO_SIM" --port 0 --activation-delay-ms soon >/dev/null 2>"$WORK/bad.err" || status=$?
assert_eq 2 "$status" "exit status of a bad --activation-delay-ms"
grep -q -- "--activation-delay-ms" "$WORK/bad.err" || fail "message does not name the option"
