#!/usr/bin/env bash
# lattigo-sim's command line: --help, refused options (exit 2), start-up
# failures (exit 1, with a message), and --verbose logs that never show credentials.
source "$(dirname "$0")/lib.sh"

"$LATTIGO_SIM" --help >"$WORK/help.out" || fail "--help exit status"
grep -q -- "--drop-rate" "$WORK/help.out" || fail "--help does not list --drop-rate"

expect_refusal() { # expected-status message-fragment options...
  local expected=$1 fragment=$2 status=0
  shift 2
  "$LATTIGO_SIM" "$@" >"$WORK/refused.out" 2>"$WORK/refused.err" || status=$?
  assert_eq "$expected" "$status" "exit status of lattigo-sim $*"
  grep -qF -- "$fragment" "$WORK/refused.err" || fail "message for '$*': $(cat "$WORK/refused.err")"
  [ ! -s "$WORK/refused.out" ] || fail "'$*' printed to stdout: $(cat "$WORK/refused.out")"
}
expect_refusal 2 "unknown option '--frobnicate'" --frobnicate
expect_refusal 2 "--drop-rate: '1.5' is not a number from 0 to 1" --drop-rate 1.5
expect_refusal 2 "--port: '70000' is not a whole number from 0 to 65535" --port 70000
expect_refusal 2 "option '--seed' needs a value" --seed
expect_refusal 2 "'--tls-cert' and '--tls-key' go together" --port 0 --tls-cert x.pem
expect_refusal 2 "--api-key: empty key" --api-key ""
expect_refusal 2 "--key-name: 'a:b' contains ':'" --key-name a:b
expect_refusal 2 "unexpected argument 'extra'" extra
expect_refusal 1 "invalid --bind address 'localhost'" --port 0 --bind localhost
expect_refusal 1 "cannot open '$WORK/missing.pem'" --port 0 --tls-cert "$WORK/missing.pem" --tls-key "$WORK/missing.pem"

# A port in use is reported, not ignored.
start_sim
expect_refusal 1 "cannot listen on 127.0.0.1:$SIM_PORT" --port "$SIM_PORT"
stop_sim

# --verbose: one line per request, never the credentials in any form.
start_sim --verbose
api GET v2/devices/36500 >/dev/null
curl -sS -o /dev/null -u "$TEST_KEY_NAME:wrong-$TEST_API_KEY" "$SIM_URL/v2/users"
stop_sim
grep -q "GET /v2/devices/36500 -> 200" "$WORK/sim.stderr" || fail "no request line: $(cat "$WORK/sim.stderr")"
grep -q "GET /v2/users -> 401" "$WORK/sim.stderr" || fail "no 401 line: $(cat "$WORK/sim.stderr")"
encoded=$(printf '%s:%s' "$TEST_KEY_NAME" "$TEST_API_KEY" | base64)
for secret in "$TEST_API_KEY" "$encoded" "Authorization"; do
  if grep -qF -- "$secret" "$WORK/sim.stderr" "$WORK/sim.stdout"; then
    fail "the simulator's output shows '$secret'"
  fi
done
