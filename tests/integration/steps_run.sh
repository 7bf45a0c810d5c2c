#!/usr/bin/env bash
# run of a job with "steps", pipelined: rows whose activation failed never
# reach a later step; later steps only once the device is active (verified),
# sent to the device_name the verification found; a status per step in
# results.csv; errors.csv names the step; a row invalid for step 3 stops
# before step 1; exit 1 when a row failed a step. Against lattigo-sim with
# an activation delay and against the independent mock.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mock_lib.sh"

csv_field() { # FILE ROW COLUMN: the cell of data row ROW (1-based) in COLUMN
  python3 - "$@" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")))
print(rows[int(sys.argv[2]) - 1][sys.argv[3]])
PY
}

# 12 activations; Site and KB columns for the later steps
gen "$WORK/act.csv" --op activate --rows 12 --seed 7
python3 - "$WORK/act.csv" "$WORK/lot.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["SIM ICCID", "IMEI No.", "Plan", "Site", "KB"])
    for index, row in enumerate(rows):
        # row 5 has a usage limit step 3 refuses: it must not even be activated
        kb = "-5" if index == 4 else str(1024 * (index + 1))
        writer.writerow([row["iccid"], row["imei"], row["rate_plan_name"], "Site %d" % (index % 3), kb])
PY
write_job() { # endpoint verify
  cat >"$WORK/job.json" <<JSON
{"manifest": "lot.csv", "map": {"iccid": "SIM ICCID", "imei": "IMEI No."},
 "steps": [
  {"op": "activate", "map": {"rate_plan_name": "Plan"}, "verify": "$2"},
  {"op": "cost-center", "map": {"cost_center": "Site"}, "chunk": 3},
  {"op": "usage-limit", "map": {"kb_limit": "KB"}, "set": {"action": "email", "usernames": "ops.alice"}}
 ],
 "endpoint": "$1", "concurrency": 4}
JSON
}

# ---- lattigo-sim, activations pending for 1.5 s ----
start_sim --activation-delay-ms 1500
write_job "$SIM_URL" 1m
status=0
batch run --yes "$WORK/job.json" --out "$WORK/sim-out" >"$WORK/run.out" 2>"$WORK/run.err" || status=$?
assert_eq 1 "$status" "exit status with a row invalid for step 3 ($(tail -3 "$WORK/run.err"))"
results="$WORK/sim-out/results.csv"
head -1 "$results" | grep -q '^row,status,activate,cost_center,usage_limit,failed_step,message,resolved_device_name,iccid,imei' ||
  fail "results.csv header: $(head -1 "$results")"
assert_eq 13 "$(wc -l <"$results")" "results.csv lines"
for row in 1 2 3 4 6 7 8 9 10 11 12; do
  assert_eq "ok ok ok ok" "$(for c in status activate cost_center usage_limit; do csv_field "$results" $row $c; done | xargs)" "row $row"
done
assert_eq "invalid   invalid 3-usage-limit" \
  "$(for c in status activate cost_center usage_limit failed_step; do csv_field "$results" 5 $c; done | xargs -d '\n' echo)" "row 5"
iccid5=$(csv_field "$results" 5 iccid)
iccid1=$(csv_field "$results" 1 iccid)
assert_eq "$iccid1" "$(csv_field "$results" 1 resolved_device_name)" "row 1's device name (the sim names it by ICCID)"
# row 5 was never sent: no device holds its ICCID
code=$(curl -s -o /dev/null -w '%{http_code}' -u "$TEST_KEY_NAME:$TEST_API_KEY" "$SIM_URL/v2/devices/$iccid5?id_type=iccid")
assert_eq 404 "$code" "row 5's ICCID after the job"
api GET "v2/devices/$iccid1?id_type=iccid" | grep -q '"cost_center":"Site 0"' || fail "row 1's cost center: $(api GET "v2/devices/$iccid1?id_type=iccid")"
grep -q '^Site\|SIM ICCID' "$WORK/sim-out/errors.csv" || fail "errors.csv header"
assert_eq 2 "$(wc -l <"$WORK/sim-out/errors.csv")" "errors.csv lines"
head -1 "$WORK/sim-out/errors.csv" | grep -q ',step,error,source_row,source_line' || fail "errors.csv columns: $(head -1 "$WORK/sim-out/errors.csv")"
grep -q '3-usage-limit,step 3 (usage-limit): kb_limit' "$WORK/sim-out/errors.csv" || fail "errors.csv row: $(cat "$WORK/sim-out/errors.csv")"
# the per-step checkpoints
for step in 1-activate 2-cost-center 3-usage-limit 1-activate/verify; do
  [ -s "$WORK/sim-out/steps/$step/checkpoint" ] || fail "no checkpoint for $step"
done
# run again into the same directory: the finished job sends nothing more
calls() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["calls"])' "$WORK/sim-out/summary.json"; }
calls_before=$(calls)
cp "$results" "$WORK/results.first"
status=0
batch run --yes "$WORK/job.json" --out "$WORK/sim-out" >/dev/null 2>"$WORK/again.err" || status=$?
assert_eq 1 "$status" "exit status of a second run into the same directory"
assert_eq "$calls_before" "$(calls)" "calls after running the finished job again"
cmp -s "$results" "$WORK/results.first" || fail "results.csv changed: $(diff "$WORK/results.first" "$results")"

# ---- many rows due for verification at once: read in rounds (the account's
# listing), not one read per row ----
gen "$WORK/many.csv" --op activate --rows 300 --seed 8
cat >"$WORK/many.json" <<JSON
{"manifest": "many.csv", "endpoint": "$SIM_URL", "concurrency": 4,
 "steps": [{"op": "activate", "verify": "1m"}, {"op": "note", "set": {"field_name": "note3", "note": "ok"}}]}
JSON
status=0
batch run --yes --quiet --verbose "$WORK/many.json" --out "$WORK/many-out" 2>"$WORK/many.err" || status=$?
assert_eq 0 "$status" "exit status of the 300-row job ($(tail -3 "$WORK/many.err"))"
assert_eq 300 "$(grep -c '^[0-9]*,ok,ok,ok,' "$WORK/many-out/results.csv")" "rows ok through both steps"
reads=$(zcat "$WORK/many-out/audit.jsonl.gz" | grep -c '"method":"GET","url":"[^"]*/v2/devices/[0-9]' || true)
[ "$reads" -lt 300 ] || fail "$reads reads of single devices for 300 rows: the rounds did not read the listing"
# the rounds' pages are calls of the job's engine, recorded like any other,
# naming no manifest row
zcat "$WORK/many-out/audit.jsonl.gz" | python3 -c '
import json, sys
pages = [e for e in map(json.loads, sys.stdin)
         if e.get("kind") == "exchange" and "v2/devices?details=true&page=" in e["url"]]
assert pages, "no page of the listing in the audit trail"
named = [e["url"] for e in pages if e["rows"]]
assert not named, "listing pages naming rows: %s" % named[:3]
' || fail "the listing pages in the audit trail"
# --verbose says what a page held (its devices), never "0 rows"
grep -q '^  page 1: [0-9]* devices$' "$WORK/many.err" || fail "--verbose: no 'page 1: N devices' line"
grep -q 'page=1&per_page=[0-9]* -> 200 (a page of the listing, attempt 1)' "$WORK/many.err" ||
  fail "--verbose: the listing's page 1 not shown as a page: $(grep -m1 'page=1&' "$WORK/many.err")"
if grep -q 'page=[0-9]*&per_page=[0-9]* -> [0-9]* (0 rows' "$WORK/many.err"; then
  fail "--verbose: a listing page shown as 0 rows"
fi
stop_sim

# ---- the independent mock: activations visible after 1.2 s under another
# name, two ICCIDs already taken (refused) ----
iccid2=$(csv_field "$WORK/lot.csv" 2 "SIM ICCID")
iccid9=$(csv_field "$WORK/lot.csv" 9 "SIM ICCID")
printf '{"device_name":"taken-1","iccid":"%s","imei":"356938035643809"}\n{"device_name":"taken-2","iccid":"%s","imei":"356938035643809"}\n' \
  "$iccid2" "$iccid9" >"$WORK/preset.jsonl"
start_mock --visible-after-ms 1200 --activated-prefix dev- --preset "$WORK/preset.jsonl" \
  --ledger "$WORK/ledger.jsonl" --latency-ms 5
write_job "$MOCK_URL" 30s
status=0
batch run --yes "$WORK/job.json" --out "$WORK/mock-out" >"$WORK/run.out" 2>"$WORK/run.err" || status=$?
assert_eq 1 "$status" "exit status against the mock ($(tail -3 "$WORK/run.err"))"
cp "$WORK/ledger.jsonl" "$WORK/ledger.first"
# the same job file again into another directory: what the first job did is
# in place (read before the job), so it comes out unchanged, not sent again
status=0
batch run --yes "$WORK/job.json" --out "$WORK/mock-again" >"$WORK/again.out" 2>"$WORK/again.err" || status=$?
assert_eq 1 "$status" "exit status of the same job again ($(tail -3 "$WORK/again.err"))"
# errors.csv fed back with row 5's usage limit fixed: only row 5 is new
sed 's/,-5,/,4096,/' "$WORK/mock-out/errors.csv" >"$WORK/fixed.csv"
grep -q ',4096,' "$WORK/fixed.csv" || fail "row 5 not found in errors.csv: $(cat "$WORK/mock-out/errors.csv")"
status=0
batch run --yes "$WORK/job.json" --manifest "$WORK/fixed.csv" --out "$WORK/mock-refeed" \
  >"$WORK/refeed.out" 2>"$WORK/refeed.err" || status=$?
assert_eq 1 "$status" "exit status of errors.csv fed back ($(tail -3 "$WORK/refeed.err"))"
stop_mock
python3 - "$WORK/ledger.first" "$WORK/ledger.jsonl" "$WORK/mock-again/results.csv" "$WORK/mock-refeed/results.csv" <<'PY' || fail "the job run again / errors.csv fed back"
import csv, json, sys
first = [json.loads(line) for line in open(sys.argv[1])]
ledger = [json.loads(line) for line in open(sys.argv[2])]
again = list(csv.DictReader(open(sys.argv[3], encoding="utf-8")))
refeed = list(csv.DictReader(open(sys.argv[4], encoding="utf-8")))
def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)
later = ledger[len(first):]
for row in again:
    got = [row[c] for c in ("status", "activate", "cost_center")]
    if row["row"] in ("2", "9"):
        want = ["error", "error", ""]
    elif row["row"] == "5":
        want = ["invalid", "", ""]
    else:
        want = ["ok", "unchanged", "unchanged"]
        if row["resolved_device_name"] != "dev-" + row["iccid"][-10:]:
            fail("row %s device name %r the second time" % (row["row"], row["resolved_device_name"]))
    if got != want:
        fail("row %s the second time: %s, expected %s (%s)" % (row["row"], got, want, row["message"]))
if len(refeed) != 3 or [r["status"] for r in refeed] != ["error", "ok", "error"]:
    fail("errors.csv fed back: %s" % [(r["status"], r["message"]) for r in refeed])
fixed = refeed[1]["iccid"]
activated = [e["key"] for e in later if e["op"] == "activate"]
if activated != [fixed]:
    fail("activations after the first job: %s, expected only %s" % (activated, fixed))
cost_centers = [e["key"] for e in later if e["op"] == "cost-center"]
if cost_centers != ["dev-" + fixed[-10:]]:
    fail("cost centers after the first job: %s" % cost_centers)
PY
python3 - "$WORK/mock-out/results.csv" "$WORK/ledger.first" "$WORK/mock-out/errors.csv" <<'PY' || fail "mock checks"
import csv, json, sys
results = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
ledger = [json.loads(line) for line in open(sys.argv[2])]
errors = list(csv.DictReader(open(sys.argv[3], encoding="utf-8-sig")))
def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)
activated = {e["key"]: e["at"] for e in ledger if e["op"] == "activate"}
for op in ("cost-center", "usage-limit"):
    keys = [e["key"] for e in ledger if e["op"] == op]
    if len(keys) != len(set(keys)):
        fail("%s sent twice to a device: %s" % (op, keys))
    names = {"dev-" + iccid[-10:]: iccid for iccid in activated}
    for entry in ledger:
        if entry["op"] != op:
            continue
        iccid = names.get(entry["key"])
        if iccid is None:
            fail("%s reached %s, which this job did not activate" % (op, entry["key"]))
        if entry["at"] < activated[iccid] + 1.2:
            fail("%s reached %s %.2f s after its activation, before it was active" %
                 (op, entry["key"], entry["at"] - activated[iccid]))
    if set(keys) != set(names) - {"dev-" + r["iccid"][-10:] for r in results if r["usage_limit"] == "invalid"}:
        fail("%s went to %s, activated %s" % (op, sorted(keys), sorted(names)))
for index, row in enumerate(results, 1):
    if index in (2, 9):
        want = ["error", "error", "", "", "1-activate"]
    elif index == 5:
        want = ["invalid", "", "", "invalid", "3-usage-limit"]
    else:
        want = ["ok", "ok", "ok", "ok", ""]
        if row["resolved_device_name"] != "dev-" + row["iccid"][-10:]:
            fail("row %d device name %r" % (index, row["resolved_device_name"]))
    got = [row[c] for c in ("status", "activate", "cost_center", "usage_limit", "failed_step")]
    if got != want:
        fail("row %d: %s, expected %s" % (index, got, want))
if [e["source_row"] for e in errors] != ["2", "5", "9"]:
    fail("errors.csv rows %s" % [e["source_row"] for e in errors])
if errors[0]["step"] != "1-activate" or "already been taken" not in errors[0]["error"]:
    fail("errors.csv row 2: %s" % errors[0])
PY
note "steps_run: all checks passed"
