#!/usr/bin/env bash
# Every operation of lattigo-batch run against the independent mock API (not
# lattigo-sim): per row, status agrees with what the mock applied (its ledger);
# damaged rows are invalid; errors.csv, summary.json and exit codes per SPEC §2/§5;
# 422 partial answers map to the right rows; names given as ICCIDs (id_type) work
# when the mock answers with the canonical device name; no secret in OUT.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/integration/mock_lib.sh"

devices=40
# ledger_since FILE LINES: the ledger entries appended after its first LINES lines.
ledger_since() { tail -n "+$(($2 + 1))" "$1" >"$1.since"; echo "$1.since"; }

start_mock --devices "$devices" --ledger "$WORK/ledger.jsonl"
ledger="$WORK/ledger.jsonl"
touch "$ledger"

# 1. every device-side operation: 50 rows over 40 devices (the last 10 do not
# exist, every 7th device refuses SMS), one row missing a field, one duplicate.
for op in cost-center simstate usage-limit remove-usage-limit sms note locate; do
  bad=(--bad missing=1 --bad duplicate=1)
  [ "$op" = note ] && bad+=(--bad formula-note=1 --bad long-note=1)
  [ "$op" = locate ] && bad=(--bad duplicate=1)
  gen "$WORK/$op.csv" --op "$op" --rows 50 --seed 3 --names prefix --name-prefix mock- \
    "${bad[@]}" --expect "$WORK/$op.expect"
  extra=()
  [ "$op" = locate ] && extra=(--yes)
  before=$(wc -l <"$ledger")
  run_batch 1 --op "$op" --manifest "$WORK/$op.csv" --endpoint "$MOCK_URL" --chunk 7 \
    --concurrency 3 --out "$WORK/out-$op" "${extra[@]}"
  check_job "$op" "$WORK/$op.csv" "$WORK/out-$op" "$(ledger_since "$ledger" "$before")" "$WORK/$op.expect"
  assert_no_secret_in "$WORK/out-$op"
done

# 2. activate: a first lot, then a bigger lot of the same seed that repeats it:
# the repeated ICCIDs come back in 422 unprocessed[] (by device_index) as taken
# (--no-preflight: sent, so that the API's answer is what is checked; with the
# preflight they end unchanged unsent, see preflight_run.sh).
gen "$WORK/lot1.csv" --op activate --rows 30 --seed 5 --bad bad-luhn=1 --bad imei14=1 --expect "$WORK/lot1.expect"
before=$(wc -l <"$ledger")
run_batch 1 --op activate --manifest "$WORK/lot1.csv" --endpoint "$MOCK_URL" --chunk 8 --out "$WORK/out-lot1"
check_job activate "$WORK/lot1.csv" "$WORK/out-lot1" "$(ledger_since "$ledger" "$before")" "$WORK/lot1.expect"
gen "$WORK/lot2.csv" --op activate --rows 90 --seed 5 --bad sci-notation=1 --bad duplicate=1 --expect "$WORK/lot2.expect"
before=$(wc -l <"$ledger")
run_batch 1 --op activate --manifest "$WORK/lot2.csv" --endpoint "$MOCK_URL" --chunk 8 --out "$WORK/out-lot2" \
  --no-preflight
check_job activate "$WORK/lot2.csv" "$WORK/out-lot2" "$(ledger_since "$ledger" "$before")" "$WORK/lot2.expect"
python3 - "$WORK/lot1.csv" "$WORK/out-lot1/results.csv" "$WORK/out-lot2/results.csv" <<'PY' || fail "taken ICCIDs not reported on their own rows"
import csv, sys
first = {r["iccid"] for r in csv.DictReader(open(sys.argv[2])) if r["status"] == "ok"}
for r in csv.DictReader(open(sys.argv[3])):
    if r["status"] != "invalid" and r["iccid"] in first and (r["status"] != "error" or "already been taken" not in r["message"]):
        sys.exit("row %s (%s): %s %s" % (r["row"], r["iccid"], r["status"], r["message"]))
PY

# 3. an unknown rate plan: every row refused by the API, the message names the
# field (--no-preflight: with the preflight the job is refused before sending,
# exit 2, see preflight_run.sh).
gen "$WORK/plan.csv" --op activate --rows 6 --seed 8
before=$(wc -l <"$ledger")
run_batch 1 --op activate --manifest "$WORK/plan.csv" --set 'rate_plan_name=No Such Plan' \
  --endpoint "$MOCK_URL" --out "$WORK/out-plan" --no-preflight
[ "$(ledger_since "$ledger" "$before" | xargs cat | wc -l)" = 0 ] || fail "a refused plan was applied"
grep -c 'error,422,.*rate_plan_name' "$WORK/out-plan/results.csv" | grep -qx 6 ||
  fail "rows of an unknown plan: $(cat "$WORK/out-plan/results.csv")"

# 4. upload twice: the second time every IMEI is refused (422, nothing processed).
gen "$WORK/upload.csv" --op upload --rows 25 --seed 4 --bad imeisv=1 --expect "$WORK/upload.expect"
before=$(wc -l <"$ledger")
run_batch 1 --op upload --manifest "$WORK/upload.csv" --endpoint "$MOCK_URL" --chunk 6 --out "$WORK/out-up1"
check_job upload "$WORK/upload.csv" "$WORK/out-up1" "$(ledger_since "$ledger" "$before")" "$WORK/upload.expect"
before=$(wc -l <"$ledger")
run_batch 1 --op upload --manifest "$WORK/upload.csv" --endpoint "$MOCK_URL" --chunk 6 --out "$WORK/out-up2"
check_job upload "$WORK/upload.csv" "$WORK/out-up2" "$(ledger_since "$ledger" "$before")" "$WORK/upload.expect"
[ "$(grep -c ',error,422,.*already been uploaded' "$WORK/out-up2/results.csv")" = 24 ] ||
  fail "second upload: $(head -5 "$WORK/out-up2/results.csv")"

# 5. clean jobs exit 0: activate (200 with an empty unprocessed list), then note
# and simstate naming the devices by ICCID (id_type=iccid) — the mock answers the
# note keyed by the device's canonical name, not the ICCID sent.
gen "$WORK/clean.csv" --op activate --rows 12 --seed 9
run_batch 0 --op activate --manifest "$WORK/clean.csv" --endpoint "$MOCK_URL" --out "$WORK/out-clean"
python3 - "$devices" >"$WORK/by-iccid.csv" <<'PY'
import sys
def luhn_complete(body):
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)
print("device_name,field_name,note,state")
for index in range(1, 11):
    print("%s,note2,bay %d,suspend" % (luhn_complete("8999%015d" % index), index))
PY
for op in note simstate; do
  run_batch 0 --op "$op" --manifest "$WORK/by-iccid.csv" --set id_type=iccid --endpoint "$MOCK_URL" \
    --out "$WORK/out-iccid-$op"
  # devices section 1 suspended already are found in place by the preflight
  [ "$(grep -cE ',(ok,200,|unchanged,,not sent: )' "$WORK/out-iccid-$op/results.csv")" = 10 ] ||
    fail "$op by iccid: $(cat "$WORK/out-iccid-$op/results.csv")"
done
stop_mock

# 6. the same ICCIDs with a mock that keys change_status by the devices' own names
# (and closes keep-alive connections often): unambiguous answers still map.
start_mock --devices "$devices" --canonical-names --close-every 3
run_batch 0 --op simstate --manifest "$WORK/by-iccid.csv" --set id_type=iccid --endpoint "$MOCK_URL" \
  --chunk 5 --out "$WORK/out-canonical"
[ "$(grep -c ',ok,200,Success,' "$WORK/out-canonical/results.csv")" = 10 ] ||
  fail "answers keyed by device name: $(cat "$WORK/out-canonical/results.csv")"
stop_mock
note "ok: every operation against the mock"
