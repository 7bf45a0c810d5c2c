#!/usr/bin/env bash
# `verify` against lattigo-sim (issue 10): delayed activations go pending ->
# verified within the tool's own --wait (no sleep here), device_name filled;
# a cost-center job verified, then a device changed behind the job's back is a
# mismatch; devices the endpoint does not hold are missing; exit codes 0/1/2/3;
# reads only, recorded in OUT/verify-audit.jsonl.gz; run --verify.
source "$(dirname "$0")/lib.sh"

verdicts() { # verify.csv -> "verdict count" lines
  python3 -c '
import collections, csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert list(rows[0].keys()) == ["row", "identifier", "device_name", "expected", "observed", "verdict"], rows[0].keys()
print(" ".join("%s=%d" % item for item in sorted(collections.Counter(r["verdict"] for r in rows).items())))' "$1"
}
summary_field() { # summary.json dotted.path
  python3 -c '
import json, sys
value = json.load(open(sys.argv[1]))
for key in sys.argv[2].split("."):
    value = value[key]
print(json.dumps(value))' "$1" "$2"
}
verify_status() { # expected-status args...: runs verify, keeps stderr in $WORK/verify.err
  local expected=$1 status=0
  shift
  batch verify "$@" >"$WORK/verify.out" 2>"$WORK/verify.err" || status=$?
  [ "$status" = "$expected" ] || fail "verify $* exited $status, expected $expected: $(tail -3 "$WORK/verify.err")"
}

gen() { python3 "$SOURCE_DIR/scripts/gen-manifest.py" --out "$1" "${@:2}" >/dev/null; }

# --- activations, pending until the simulator makes them active -----------------
start_sim --activation-delay-ms 6000 --ledger "$WORK/ledger.jsonl"
gen "$WORK/act.csv" --op activate --rows 12
batch run --quiet --yes --op activate --manifest "$WORK/act.csv" --out "$WORK/act" \
  --endpoint "$SIM_URL" || fail "the activation job failed"
writes=$(wc -l <"$WORK/ledger.jsonl")

verify_status 1 "$WORK/act"
assert_eq "pending=12" "$(verdicts "$WORK/act/verify.csv")" "right after the job"
python3 - "$WORK/act/verify.csv" "$WORK/act.csv" <<'PY' || fail "verify.csv rows of the activation"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
manifest = list(csv.DictReader(open(sys.argv[2], newline="")))
assert [r["row"] for r in rows] == [str(n) for n in range(1, 13)]
for row, wanted in zip(rows, manifest):
    assert row["identifier"] == wanted["iccid"], row
    assert row["device_name"] == wanted["iccid"], row  # the simulator names devices after their ICCID
    assert (row["expected"], row["observed"]) == ("active", "pending"), row
PY
assert_eq 12 "$(summary_field "$WORK/act/summary.json" verification.counts.pending)" "summary: pending"
assert_eq 1 "$(summary_field "$WORK/act/summary.json" verification.exit_status)" "summary: exit status"
assert_eq 12 "$(summary_field "$WORK/act/summary.json" counts.ok)" "the job's own counts are kept"

verify_status 0 "$WORK/act" --wait 2m
assert_eq "verified=12" "$(verdicts "$WORK/act/verify.csv")" "after --wait"
assert_eq true "$(summary_field "$WORK/act/summary.json" verification.all_verified)" "summary: all verified"
rounds=$(summary_field "$WORK/act/summary.json" verification.rounds)
calls=$(summary_field "$WORK/act/summary.json" verification.calls)
# only the rows still pending are read again: one call per row and round at most
[ "$calls" -le $((12 * rounds)) ] || fail "$calls calls for 12 rows in $rounds rounds"
assert_eq "$writes" "$(wc -l <"$WORK/ledger.jsonl")" "verify wrote to the API"
batch audit verify "$WORK/act/verify-audit.jsonl.gz" >/dev/null || fail "verify's audit trail does not verify"
zcat "$WORK/act/audit.jsonl.gz" >"$WORK/job-audit.jsonl"
grep -q '"operation":"verify"' "$WORK/job-audit.jsonl" && fail "verify wrote to the job's audit trail"
zcat "$WORK/act/verify-audit.jsonl.gz" >"$WORK/audit.jsonl"
grep -q '"kind":"resume",.*"operation":"verify"' "$WORK/audit.jsonl" ||
  fail "no verify marker in the audit trail"
sed -n '/"operation":"verify"/,$p' "$WORK/audit.jsonl" >"$WORK/audit-verify.jsonl"
grep -q '"method":"GET","url":"v2/devices' "$WORK/audit-verify.jsonl" ||
  fail "the reads are not in the audit trail"
grep -q '"method":"\(PUT\|POST\)"' "$WORK/audit-verify.jsonl" && fail "verify wrote"

# --- a cost-center job, verified; then changed behind the job's back -------------
gen "$WORK/cc.csv" --op cost-center --rows 10 --names sim-default
batch run --quiet --op cost-center --manifest "$WORK/cc.csv" --out "$WORK/cc" \
  --endpoint "$SIM_URL" || fail "the cost-center job failed"
verify_status 0 "$WORK/cc"
assert_eq "verified=10" "$(verdicts "$WORK/cc/verify.csv")" "cost centers in place"
device=$(sed -n 4p "$WORK/cc.csv" | cut -d, -f1)
api PUT v2/device_operations/change_cost_center -H 'Content-Type: application/json' \
  -d "{\"device_names\":[\"$device\"],\"cost_center\":\"Somebody-Else\"}" >/dev/null
verify_status 1 "$WORK/cc"
assert_eq "mismatch=1 verified=9" "$(verdicts "$WORK/cc/verify.csv")" "one device changed"
grep -q "^3,$device,$device,[^,]*,Somebody-Else,mismatch$" "$WORK/cc/verify.csv" ||
  fail "the changed row: $(grep "$device" "$WORK/cc/verify.csv")"

# --- devices another endpoint does not hold ---------------------------------------
# activations accepted moments ago stay pending (not readable yet) when the wait
# is over; a cost center's device that is not there is missing
first_url=$SIM_URL
first_pid=$SIM_PID
start_sim --devices 1
verify_status 1 "$WORK/act" --endpoint "$SIM_URL" --wait 1s
assert_eq "pending=12" "$(verdicts "$WORK/act/verify.csv")" "an endpoint without the new devices"
verify_status 1 "$WORK/cc" --endpoint "$SIM_URL"
assert_eq "mismatch=1 missing=9" "$(verdicts "$WORK/cc/verify.csv")" "an endpoint with one of the devices"
stop_sim
SIM_URL=$first_url
SIM_PID=$first_pid

# --- refusals: exit 2 -----------------------------------------------------------
verify_status 2 "$WORK/nothing-here"
verify_status 2 "$WORK/act" --wait soon
grep -q -- "--wait" "$WORK/verify.err" || fail "a bad --wait is not named"
LATTIGO_API_KEY=wrong "$LATTIGO_BATCH" verify "$WORK/cc" >/dev/null 2>"$WORK/verify.err" && fail "wrong credentials accepted"
status=0
LATTIGO_KEY_NAME=$TEST_KEY_NAME LATTIGO_API_KEY=wrong "$LATTIGO_BATCH" verify "$WORK/cc" >/dev/null 2>"$WORK/verify.err" || status=$?
assert_eq 2 "$status" "refused credentials"
gen "$WORK/sms.csv" --op sms --rows 3 --names sim-default
batch run --quiet --yes --op sms --manifest "$WORK/sms.csv" --out "$WORK/sms" --endpoint "$SIM_URL" ||
  true
verify_status 2 "$WORK/sms"
grep -q "cannot be verified" "$WORK/verify.err" || fail "sms: $(cat "$WORK/verify.err")"
[ ! -e "$WORK/sms/verify.csv" ] || fail "an sms job got a verify.csv"
hold_job_lock "$WORK/cc"
verify_status 2 "$WORK/cc"
grep -q "in use" "$WORK/verify.err" || fail "a running job: $(cat "$WORK/verify.err")"
kill "$LOCK_HOLDER_PID"
wait "$LOCK_HOLDER_PID" 2>/dev/null || true
# run --verify refuses an operation it cannot verify before sending anything
status=0
batch run --quiet --yes --verify --op sms --manifest "$WORK/sms.csv" --out "$WORK/sms2" \
  --endpoint "$SIM_URL" 2>"$WORK/run.err" || status=$?
assert_eq 2 "$status" "run --verify of sms"
[ ! -e "$WORK/sms2/checkpoint" ] || fail "run --verify of sms created a job"

# --- Ctrl-C during --wait: exit 3, verify.csv holds what is known ----------------
stop_sim
# 20 pages of devices against 5 rows: read one device at a time this time
start_sim --activation-delay-ms 600000 --devices 20000
gen "$WORK/slow.csv" --op activate --rows 5 --seed 7
batch run --quiet --yes --op activate --manifest "$WORK/slow.csv" --out "$WORK/slow" \
  --endpoint "$SIM_URL" || fail "the slow activation job failed"
LATTIGO_KEY_NAME=$TEST_KEY_NAME LATTIGO_API_KEY=$TEST_API_KEY \
  "$LATTIGO_BATCH" verify "$WORK/slow" --wait 10m --progress >/dev/null 2>"$WORK/slow.err" &
verifier=$!
CHILD_PIDS+=("$verifier")
wait_for_text "$WORK/slow.err" "next look in" || true
grep -q "next look in" "$WORK/slow.err" || fail "no progress line: $(cat "$WORK/slow.err")"
kill -INT "$verifier"
status=0
wait "$verifier" || status=$?
assert_eq 3 "$status" "verify stopped by SIGINT"
assert_eq "pending=5" "$(verdicts "$WORK/slow/verify.csv")" "what was known when stopped"
assert_eq true "$(summary_field "$WORK/slow/summary.json" verification.interrupted)" "summary: interrupted"
zcat "$WORK/slow/verify-audit.jsonl.gz" >"$WORK/slow-audit.jsonl"
grep -q '"url":"v2/devices/89[0-9]*?id_type=iccid"' "$WORK/slow-audit.jsonl" ||
  fail "the rows were not read one device at a time"
stop_sim

# --- run --verify=DURATION: the same at the end of the job ------------------------
start_sim --activation-delay-ms 3000
gen "$WORK/act2.csv" --op activate --rows 6 --seed 3
batch run --quiet --yes --verify=2m --op activate --manifest "$WORK/act2.csv" --out "$WORK/act2" \
  --endpoint "$SIM_URL" || fail "run --verify=2m exited $?"
assert_eq "verified=6" "$(verdicts "$WORK/act2/verify.csv")" "run --verify=2m"
grep -q '"verify": "2m"' "$WORK/act2/job.json" || fail "job.json does not record --verify"
# without a wait the rows are read once: still pending, so the run exits 1
gen "$WORK/act3.csv" --op activate --rows 4 --seed 4
status=0
batch run --quiet --yes --verify --op activate --manifest "$WORK/act3.csv" --out "$WORK/act3" \
  --endpoint "$SIM_URL" || status=$?
assert_eq 1 "$status" "run --verify with rows still pending"
assert_eq "pending=4" "$(verdicts "$WORK/act3/verify.csv")" "run --verify without a wait"
stop_sim
# the bundled simulator: verified while it still runs
batch run --quiet --verify --op cost-center --manifest "$WORK/cc.csv" --out "$WORK/cc-sim" \
  --endpoint sim || fail "run --verify --endpoint sim exited $?"
assert_eq "verified=10" "$(verdicts "$WORK/cc-sim/verify.csv")" "run --verify --endpoint sim"
verify_status 2 "$WORK/cc-sim"
grep -q "bundled simulator" "$WORK/verify.err" || fail "verify of a --endpoint sim job: $(cat "$WORK/verify.err")"

# --- verify-audit.jsonl.gz: a device read is recorded under the job's row --------
# rows 1 and 3 are invalid (never verified); the devices lie past the listing's
# first page, so each is read on its own, under manifest rows 2 and 4
start_sim --devices 5000
printf 'device_name,cost_center\n36500,\n40100,CC-A\n40200,\n40300,CC-C\n' >"$WORK/rows.csv"
status=0
batch run --quiet --op cost-center --manifest "$WORK/rows.csv" --out "$WORK/rows" \
  --endpoint "$SIM_URL" || status=$?
assert_eq 1 "$status" "a job with invalid rows"
verify_status 0 "$WORK/rows"
zcat "$WORK/rows/verify-audit.jsonl.gz" >"$WORK/rows-audit.jsonl"
python3 - "$WORK/rows-audit.jsonl" <<'PY' || fail "verify-audit rows: $(grep -o '"url":"[^"]*"\|"rows":\[[0-9,]*\]' "$WORK/rows-audit.jsonl" | tr '\n' ' ')"
import json, sys
seen = {}
for line in open(sys.argv[1]):
    record = json.loads(line)
    url = record.get("url", "")
    if url.startswith("v2/devices/"):
        seen[url.split("?")[0]] = record.get("rows")
assert seen == {"v2/devices/40100": [2], "v2/devices/40300": [4]}, seen
PY
stop_sim
