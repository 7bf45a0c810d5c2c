#!/usr/bin/env bash
# `verify` beyond its memory budget (issue 14): with the account's snapshot
# forced to spill to disk at one device (LATTIGO_TEST_SNAPSHOT_DEVICES=1, the
# rows then meet their devices partition by partition), verify.csv is
# byte-identical and summary.json's verification section the same as with
# everything in memory: a cost-center job naming devices by name and by
# ICCID (read as the whole listing), one device changed behind the job's
# back, the same job against an endpoint missing most devices, activations
# pending and then verified with --wait, and a few rows read one device at a
# time.
source "$(dirname "$0")/lib.sh"

# summary.json's verification section without its clock readings
section() {
  python3 -c '
import json, sys
section = json.load(open(sys.argv[1]))["verification"]
for key in ("started_at", "finished_at", "waited_seconds"):
    section.pop(key)
print(json.dumps(section, sort_keys=True))' "$1"
}
verdicts() {
  python3 -c '
import collections, csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(" ".join("%s=%d" % item for item in sorted(collections.Counter(r["verdict"] for r in rows).items())))' "$1"
}
verify_as() { # budget expected-status directory args...: budget "" is the default (in memory)
  local budget=$1 expected=$2 directory=$3 status=0
  shift 3
  LATTIGO_TEST_SNAPSHOT_DEVICES=$budget batch verify "$directory" "$@" >/dev/null \
    2>"$WORK/verify.err" || status=$?
  [ "$status" = "$expected" ] ||
    fail "verify $directory $* (budget '${budget:-default}') exited $status, expected $expected: $(tail -3 "$WORK/verify.err")"
}
# verify_both expected-status directory args...: in memory, then spilled at one
# device; the same verify.csv (byte for byte) and verification section
verify_both() {
  local expected=$1 directory=$2
  shift 2
  verify_as "" "$expected" "$directory" "$@"
  cp "$directory/verify.csv" "$WORK/memory.csv"
  section "$directory/summary.json" >"$WORK/memory.json"
  verify_as 1 "$expected" "$directory" "$@"
  cmp -s "$WORK/memory.csv" "$directory/verify.csv" ||
    fail "verify.csv of $directory differs beyond the budget: $(diff "$WORK/memory.csv" "$directory/verify.csv" | head -5)"
  section "$directory/summary.json" >"$WORK/spilled.json"
  cmp -s "$WORK/memory.json" "$WORK/spilled.json" ||
    fail "the verification section differs beyond the budget: $(cat "$WORK/memory.json") vs $(cat "$WORK/spilled.json")"
}

# the spools go here, so that the test can see they are removed
export TMPDIR="$WORK/tmp"
mkdir -p "$TMPDIR"

start_sim --devices 3000 --activation-delay-ms 20000
# --- cost-center: 30 rows by name, 10 by ICCID (id_type) --------------------------
api GET 'v2/devices?details=true&per_page=100' >"$WORK/devices.json"
python3 - "$WORK/devices.json" "$WORK/cc.csv" <<'PY' || fail "cannot write the cost-center manifest"
import json, sys
devices = json.load(open(sys.argv[1]))
devices = devices["devices"] if isinstance(devices, dict) else devices
with open(sys.argv[2], "w") as out:
    out.write("device_name,id_type,cost_center\n")
    for index, device in enumerate(devices[:40]):
        if index % 4 == 3:
            out.write("%s,iccid,CC-%d\n" % (device["iccid"], index % 3))
        else:
            out.write("%s,,CC-%d\n" % (device["device_name"], index % 3))
PY
batch run --quiet --op cost-center --manifest "$WORK/cc.csv" --out "$WORK/cc" \
  --endpoint "$SIM_URL" || fail "the cost-center job failed"
verify_both 0 "$WORK/cc"
assert_eq "verified=40" "$(verdicts "$WORK/cc/verify.csv")" "cost centers in place"
grep -q ',iccid,' "$WORK/cc.csv" || fail "no row names its device by ICCID"
# a row by ICCID shows the device's name
python3 - "$WORK/cc/verify.csv" <<'PY' || fail "rows by ICCID: $(sed -n 5p "$WORK/cc/verify.csv")"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert rows[3]["identifier"].startswith("89") and rows[3]["device_name"] and \
    rows[3]["device_name"] != rows[3]["identifier"], rows[3]
PY
device=$(sed -n 3p "$WORK/cc.csv" | cut -d, -f1)
api PUT v2/device_operations/change_cost_center -H 'Content-Type: application/json' \
  -d "{\"device_names\":[\"$device\"],\"cost_center\":\"Somebody-Else\"}" >/dev/null
verify_both 1 "$WORK/cc"
assert_eq "mismatch=1 verified=39" "$(verdicts "$WORK/cc/verify.csv")" "one device changed"

# --- activations: pending, then verified within --wait ----------------------------
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op activate --rows 12 --out "$WORK/act.csv" >/dev/null
batch run --quiet --yes --op activate --manifest "$WORK/act.csv" --out "$WORK/act" \
  --endpoint "$SIM_URL" || fail "the activation job failed"
verify_both 1 "$WORK/act"
assert_eq "pending=12" "$(verdicts "$WORK/act/verify.csv")" "right after the job"
# beyond the budget first, while they are pending: verified in a later round
verify_as 1 0 "$WORK/act" --wait 2m
assert_eq "verified=12" "$(verdicts "$WORK/act/verify.csv")" "after --wait beyond the budget"
rounds=$(section "$WORK/act/summary.json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["rounds"])')
[ "$rounds" -ge 2 ] || fail "the activations were verified in $rounds round(s): never pending"
cp "$WORK/act/verify.csv" "$WORK/waited.csv"
verify_as "" 0 "$WORK/act"
cmp -s "$WORK/waited.csv" "$WORK/act/verify.csv" ||
  fail "verify.csv after --wait differs from the one in memory: $(diff "$WORK/waited.csv" "$WORK/act/verify.csv" | head -5)"

# --- a few rows of a large account, past the listing's first page (two by
# ICCID): one read per device ------------------------------------------------------
api GET 'v2/devices?details=true&per_page=100&page=25' >"$WORK/later.json"
python3 - "$WORK/later.json" "$WORK/few.csv" <<'PY' || fail "cannot write the manifest of a few rows"
import json, sys
devices = json.load(open(sys.argv[1]))
devices = devices["devices"] if isinstance(devices, dict) else devices
with open(sys.argv[2], "w") as out:
    out.write("device_name,id_type,cost_center\n%s,,CC-9\n%s,iccid,CC-9\n%s,iccid,CC-9\n" %
              (devices[10]["device_name"], devices[20]["iccid"], devices[30]["iccid"]))
PY
batch run --quiet --op cost-center --manifest "$WORK/few.csv" --out "$WORK/few" \
  --endpoint "$SIM_URL" || fail "the job of a few rows failed"
verify_both 0 "$WORK/few"
assert_eq "verified=3" "$(verdicts "$WORK/few/verify.csv")" "a few rows"
zcat "$WORK/few/verify-audit.jsonl.gz" >"$WORK/few-audit.jsonl"
grep -q '"url":"v2/devices/89[0-9]*?id_type=iccid"' "$WORK/few-audit.jsonl" ||
  fail "the few rows were not read one device at a time"
device=$(sed -n 2p "$WORK/few.csv" | cut -d, -f1)
api PUT v2/device_operations/change_cost_center -H 'Content-Type: application/json' \
  -d "{\"device_names\":[\"$device\"],\"cost_center\":\"Somebody-Else\"}" >/dev/null
verify_both 1 "$WORK/few"
assert_eq "mismatch=1 verified=2" "$(verdicts "$WORK/few/verify.csv")" "a few rows, one changed"

# --- another endpoint, holding 10 of the devices: missing, and pending activations -
stop_sim
start_sim --devices 10
verify_both 1 "$WORK/cc" --endpoint "$SIM_URL"
grep -q ',missing$' "$WORK/cc/verify.csv" || fail "no device missing: $(verdicts "$WORK/cc/verify.csv")"
verify_both 1 "$WORK/act" --endpoint "$SIM_URL" --wait 1s
assert_eq "pending=12" "$(verdicts "$WORK/act/verify.csv")" "activations accepted moments ago"
stop_sim

# every spool and temporary file is gone
[ -z "$(ls -A "$TMPDIR")" ] || fail "left in TMPDIR: $(ls -A "$TMPDIR")"
