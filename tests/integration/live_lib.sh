# Helpers for the tests of the account's live state (issue 10: preflight, plan,
# undo, verify, confirmations), sourced after lib.sh; not a test itself.

# account_state URL OUT: "device_name,cost_center,state,note1" of every device
# of the account at URL (every page, following X-Next-Page), sorted: what an
# undo must put back exactly.
account_state() {
  python3 - "$1" "$TEST_KEY_NAME" "$TEST_API_KEY" >"$2" <<'PY' || fail "cannot read the devices of $1"
import base64, json, sys, urllib.request
url, key, secret = sys.argv[1:4]
auth = "Basic " + base64.b64encode(("%s:%s" % (key, secret)).encode()).decode()
rows, page = [], 1
while True:
    request = urllib.request.Request("%s/v2/devices?details=true&page=%d&per_page=200" % (url, page),
                                     headers={"Authorization": auth})
    with urllib.request.urlopen(request) as answer:
        items = json.load(answer)
        following = answer.headers.get("X-Next-Page")
    rows += [",".join((d["device_name"], d.get("cost_center") or "", d.get("state") or "",
                       d.get("note1") or "")) for d in items]
    if not following or not items:
        break
    page = int(following)
print("\n".join(sorted(rows)))
PY
}

# iccid_of URL NAME: the ICCID of device NAME.
iccid_of() {
  curl -sS -u "$TEST_KEY_NAME:$TEST_API_KEY" "$1/v2/devices/$2" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["iccid"])'
}

# statuses RESULTS: "status=count ..." of a results.csv, sorted.
statuses() {
  python3 -c '
import collections, csv, sys
counts = collections.Counter(row["status"] for row in csv.DictReader(open(sys.argv[1], newline="")))
print(" ".join("%s=%d" % item for item in sorted(counts.items())))' "$1"
}

# ledger_writes LEDGER FROM: the ledger's lines after line FROM as "op key", sorted.
ledger_writes() {
  tail -n +"$(($2 + 1))" "$1" | python3 -c '
import json, sys
for line in sys.stdin:
    entry = json.loads(line)
    print(entry["op"], entry["key"])' | sort
}

# typed_answer ANSWER ARGS...: lattigo-batch ARGS (test credentials) on a
# pseudo-terminal, answering its "Type 'yes'" question with ANSWER; prints all
# it wrote and returns its exit status.
typed_answer() {
  local answer=$1
  shift
  LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" \
    python3 "$TESTS_DIR/integration/typed_answer.py" "$answer" "$LATTIGO_BATCH" "$@"
}
