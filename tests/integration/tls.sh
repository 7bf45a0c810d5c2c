#!/usr/bin/env bash
# TLS (issue 11): whom the client trusts and why it refuses. Against
# lattigo-sim's TLS mode with certificates made here:
#   - a private CA is trusted through --cacert, $CURL_CA_BUNDLE or
#     $SSL_CERT_FILE, by `run` and by `export`;
#   - an expired certificate, one for another host and one from an unknown
#     authority are each refused before anything is applied, with a message
#     that says which; an unreadable --cacert is a usage error;
#   - an https endpoint that redirects to plain http is not followed: nothing
#     reaches the http side, and the rows say why.
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

cd "$WORK"
# the machine's own trust settings must not decide a case
unset CURL_CA_BUNDLE SSL_CERT_FILE
ssl() { openssl "$@" 2>/dev/null || fail "openssl $1 failed"; }
ssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj "/CN=Test CA"
ssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other-ca.pem -days 2 -subj "/CN=Other CA"
ssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj "/CN=localhost"
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >right.ext
printf 'subjectAltName=DNS:wrong.example\n' >wrong.ext
sign() { # OUT DAYS EXT
  ssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1" -days "$2" -extfile "$3"
}
sign good.pem 2 right.ext
sign expired.pem -1 right.ext
sign wrong-host.pem 2 wrong.ext

m=$(manifest lot --op cost-center --rows 20 --names sim-default --sim-devices 300)

# refused CERT CA EXPECTED: the job is refused before anything is applied
refused() {
  local cert=$1 ca=$2 expected=$3 status=0
  start_sim --tls-cert "$cert" --tls-key server.key --ledger "ledger-$cert.jsonl"
  batch run --quiet --op cost-center --manifest "$m" --endpoint "https://127.0.0.1:$SIM_PORT" \
    --cacert "$ca" --out "out-$cert-$ca" 2>"err-$cert" || status=$?
  stop_sim
  case "$status" in 2 | 3) ;; *) fail "$cert trusted with $ca: exit $status" ;; esac
  grep -q "$expected" "err-$cert" || fail "$cert: the message does not say '$expected': $(cat "err-$cert")"
  [ ! -s "ledger-$cert.jsonl" ] || fail "$cert: something was applied over a refused connection"
  note "$cert: refused: $(grep -o "the server's certificate[^(]*" "err-$cert" | head -1)"
}
refused expired.pem ca.pem "the server's certificate has expired"
refused wrong-host.pem ca.pem "the server's certificate is for another host name"
refused good.pem other-ca.pem "the server's certificate is signed by an unknown certificate authority"

# trusted: --cacert, then each environment variable, for run; --cacert for export
start_sim --tls-cert good.pem --tls-key server.key
url="https://127.0.0.1:$SIM_PORT"
run_job 0 --op cost-center --manifest "$m" --endpoint "$url" --cacert ca.pem --out by-option
CURL_CA_BUNDLE="$WORK/ca.pem" run_job 0 --op cost-center --manifest "$m" --endpoint "$url" --out by-curl-env
(unset CURL_CA_BUNDLE # it comes first: the one under test must be the only one
 SSL_CERT_FILE="$WORK/ca.pem" run_job 0 --op cost-center --manifest "$m" --endpoint "$url" --out by-ssl-env)
status=0
batch export rate-plans --endpoint "$url" --cacert ca.pem --output plans.csv 2>export.err || status=$?
assert_eq 0 "$status" "export over https with --cacert: $(cat export.err)"
[ "$(wc -l <plans.csv)" -gt 1 ] || fail "export wrote no rate plan"
status=0
CURL_CA_BUNDLE="$WORK/ca.pem" batch export rate-plans --endpoint "$url" --output plans2.csv 2>export.err ||
  status=$?
assert_eq 0 "$status" "export over https with \$CURL_CA_BUNDLE: $(cat export.err)"
status=0
batch export rate-plans --endpoint "$url" --output plans3.csv 2>export.err || status=$?
[ "$status" -ne 0 ] || fail "export trusted a private CA it was not given"
grep -q "certificate" export.err || fail "export's refusal does not mention the certificate: $(cat export.err)"
stop_sim

status=0
batch run --quiet --op cost-center --manifest "$m" --endpoint "https://127.0.0.1:1" \
  --cacert missing.pem --out no-ca 2>err-missing || status=$?
assert_eq 2 "$status" "exit status for an unreadable --cacert"
grep -q "cannot read the CA bundle '.*missing.pem' (from --cacert)" err-missing ||
  fail "unclear message for an unreadable --cacert: $(cat err-missing)"
[ ! -e no-ca ] || fail "a job directory was made for a job that cannot run"

# https -> http: a server that redirects every request to a plain http one
python3 - good.pem server.key >redirect.out 2>redirect.err <<'PY' &
import http.server, socket, ssl, sys, threading
hits = []
class Plain(http.server.BaseHTTPRequestHandler):
    def do_ANY(self):
        hits.append(self.path); print("plain-hit", self.path, flush=True)
        self.send_response(200); self.end_headers()
    do_GET = do_PUT = do_POST = do_ANY
    def log_message(self, *args): pass
plain = http.server.HTTPServer(("127.0.0.1", 0), Plain)
class Redirect(http.server.BaseHTTPRequestHandler):
    def do_ANY(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.send_response(302)
        self.send_header("Location", "http://127.0.0.1:%d%s" % (plain.server_port, self.path))
        self.send_header("Content-Length", "0"); self.end_headers()
    do_GET = do_PUT = do_POST = do_ANY
    def log_message(self, *args): pass
secure = http.server.HTTPServer(("127.0.0.1", 0), Redirect)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
secure.socket = context.wrap_socket(secure.socket, server_side=True)
threading.Thread(target=plain.serve_forever, daemon=True).start()
print("listening on 127.0.0.1:%d" % secure.server_port, flush=True)
secure.serve_forever()
PY
REDIRECT_PID=$!
CHILD_PIDS+=("$REDIRECT_PID")
for _ in $(seq 1 100); do grep -q "listening on" redirect.out 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/listening on 127.0.0.1://p' redirect.out)
[ -n "$port" ] || fail "the redirecting server did not start: $(cat redirect.err)"
status=0
batch run --quiet --op cost-center --manifest "$m" --endpoint "https://127.0.0.1:$port" \
  --no-preflight --cacert ca.pem --out redirected 2>err-redirect || status=$?
kill "$REDIRECT_PID"; wait "$REDIRECT_PID" 2>/dev/null || true
assert_eq 1 "$status" "exit status when https redirects to http"
if grep -q plain-hit redirect.out; then fail "a request followed the redirect to plain http"; fi
python3 - redirected/results.csv <<'PY' || fail "the rows do not say the redirect was refused"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
assert rows and all(r['status'] == 'error' and 'redirecting to' in r['message']
                    and 'not followed' in r['message'] for r in rows), rows[:2]
PY
note "ok: trust by option and environment (run, export), three refusals that say which, redirect not followed"
