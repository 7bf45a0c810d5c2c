#!/usr/bin/env bash
# Transport security: the certificate of an https endpoint is verified (a
# self-signed one is refused before anything is applied, trusted when named
# by CURL_CA_BUNDLE), and plain http to a host that is not loopback is refused
# before sending.
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 2 \
  -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" 2>/dev/null ||
  fail "openssl could not make a test certificate"
m=$(manifest lot --op cost-center --rows 30 --names sim-default --sim-devices 300)
start_sim --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem" --ledger "$WORK/ledger.jsonl"
https_url="https://127.0.0.1:$SIM_PORT"

status=0
batch run --quiet --op cost-center --manifest "$m" --endpoint "$https_url" --out "$WORK/refused" \
  2>"$WORK/refused.stderr" || status=$?
case "$status" in 2 | 3) ;; *) fail "an unverifiable certificate gave exit $status" ;; esac
grep -q "certificate" "$WORK/refused.stderr" || fail "no certificate error: $(cat "$WORK/refused.stderr")"
[ ! -s "$WORK/ledger.jsonl" ] || fail "something was applied over an unverified connection"

CURL_CA_BUNDLE="$WORK/cert.pem" run_job 0 --op cost-center --manifest "$m" --endpoint "$https_url" \
  --out "$WORK/trusted"
stop_sim
read -r total ok _ < <(status_counts "$WORK/trusted/results.csv")
assert_eq 30 "$ok" "rows ok over https"

status=0
batch run --quiet --op cost-center --manifest "$m" --endpoint "http://api.example.invalid" \
  --out "$WORK/plain" 2>"$WORK/plain.stderr" || status=$?
assert_eq 2 "$status" "exit status for plain http to a remote host"
grep -q "refusing plain http to 'api.example.invalid' (use https, or --insecure-http)" \
  "$WORK/plain.stderr" || fail "unclear refusal: $(cat "$WORK/plain.stderr")"
