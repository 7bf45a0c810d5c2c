#!/usr/bin/env bash
# `verify` against the independent mock (issue 10): an accepted activation the
# mock shows only later (404 until --visible-after-ms) is pending — read once
# or during the tool's own --wait — and verified once readable; cost centers verified, one changed behind the job's back is a
# mismatch; run --verify=DURATION; verify never writes (the mock's ledger).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mock_lib.sh"

verdicts() { # verify.csv -> "verdict=count ..." (sorted)
  python3 -c '
import collections, csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(" ".join("%s=%d" % item for item in sorted(collections.Counter(r["verdict"] for r in rows).items())))' "$1"
}
mock_api() { # METHOD PATH [curl args...]
  local method=$1 path=$2; shift 2
  curl -sS -u "$TEST_KEY_NAME:$TEST_API_KEY" -X "$method" "$MOCK_URL/$path" "$@"
}
verify_status() { # expected-status args...
  local expected=$1 status=0
  shift
  batch verify "$@" >"$WORK/verify.out" 2>"$WORK/verify.err" || status=$?
  [ "$status" = "$expected" ] || fail "verify $* exited $status, expected $expected: $(tail -3 "$WORK/verify.err")"
}

start_mock --visible-after-ms 5000 --ledger "$WORK/ledger.jsonl"
gen "$WORK/act.csv" --op activate --rows 8
run_batch 0 --yes --op activate --manifest "$WORK/act.csv" --out "$WORK/act" --endpoint "$MOCK_URL"
writes=$(wc -l <"$WORK/ledger.jsonl")

# read once, no wait: the mock does not show them yet, and they were accepted
# moments ago ("will be worked on"): pending, not missing
verify_status 1 "$WORK/act"
assert_eq "pending=8" "$(verdicts "$WORK/act/verify.csv")" "not readable yet, no wait"
grep -q ',active,not readable yet,pending$' "$WORK/act/verify.csv" ||
  fail "observed of a device not readable yet: $(sed -n 2p "$WORK/act/verify.csv")"
# the tool's own wait: pending while the mock answers 404, verified once readable
verify_status 0 "$WORK/act" --wait 2m
assert_eq "verified=8" "$(verdicts "$WORK/act/verify.csv")" "after --wait"
python3 - "$WORK/act/verify.csv" "$WORK/act.csv" <<'PY' || fail "device_name of the new devices"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
manifest = list(csv.DictReader(open(sys.argv[2], newline="")))
for row, wanted in zip(rows, manifest):
    assert row["identifier"] == wanted["iccid"] and row["device_name"] == wanted["iccid"], row
PY

# cost centers: verified, then one changed behind the job's back
gen "$WORK/cc.csv" --op cost-center --rows 10 --names prefix --name-prefix mock-
run_batch 0 --op cost-center --manifest "$WORK/cc.csv" --out "$WORK/cc" --endpoint "$MOCK_URL"
verify_status 0 "$WORK/cc"
assert_eq "verified=10" "$(verdicts "$WORK/cc/verify.csv")" "cost centers in place"
mock_api PUT v2/device_operations/change_cost_center -H 'Content-Type: application/json' \
  -d '{"device_names":["mock-0000007"],"cost_center":"Moved-Away"}' >/dev/null
writes=$(wc -l <"$WORK/ledger.jsonl")
verify_status 1 "$WORK/cc" --wait 3s
assert_eq "mismatch=1 verified=9" "$(verdicts "$WORK/cc/verify.csv")" "one device changed"
grep -q '^7,mock-0000007,mock-0000007,[^,]*,Moved-Away,mismatch$' "$WORK/cc/verify.csv" ||
  fail "the changed row: $(grep mock-0000007 "$WORK/cc/verify.csv")"
assert_eq "$writes" "$(wc -l <"$WORK/ledger.jsonl")" "verify wrote to the API"

# run --verify=DURATION waits for the mock to show the new device (one row: read by
# GET v2/devices/:iccid?id_type=iccid, where the rows above were read from the listing)
gen "$WORK/act2.csv" --op activate --rows 1 --seed 9
run_batch 0 --yes --verify=2m --op activate --manifest "$WORK/act2.csv" --out "$WORK/act2" \
  --endpoint "$MOCK_URL"
assert_eq "verified=1" "$(verdicts "$WORK/act2/verify.csv")" "run --verify=2m"
stop_mock
