#!/usr/bin/env bash
# `export`: every page of a listing, per-device reads from a manifest, CSV and
# JSONL, exit 1 when a device is unknown, clear refusals of bad usage.
source "$(dirname "$0")/lib.sh"

start_sim --devices 250
# 250 devices at 100 a page: three pages, every device once
batch export devices --endpoint "$SIM_URL" --output "$WORK/devices.csv" 2>"$WORK/err.txt"
python3 - "$WORK/devices.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
names = [r['device_name'] for r in rows]
assert len(rows) == 250, len(rows)
assert len(set(names)) == 250, "a device was exported twice"
assert 'iccid' in rows[0] and rows[0]['iccid'].startswith('89'), rows[0]
PY
grep -q "exported 250 records" "$WORK/err.txt" || fail "no record count on stderr: $(cat "$WORK/err.txt")"

batch export rate-plans --endpoint "$SIM_URL" --output-format jsonl >"$WORK/plans.jsonl" 2>/dev/null
python3 - "$WORK/plans.jsonl" <<'PY'
import json, sys
plans = [json.loads(line) for line in open(sys.argv[1])]
assert any(p['name'] == 'ACME Co 5mb Rate Plan' for p in plans), plans
PY

printf 'device_name\n36500\nno-such-device\n36501\n' >"$WORK/devices-wanted.csv"
status=0
batch export device --endpoint "$SIM_URL" --manifest "$WORK/devices-wanted.csv" >"$WORK/some.csv" 2>"$WORK/err.txt" || status=$?
assert_eq 1 "$status" "exit status with an unknown device"
grep -q "no-such-device" "$WORK/err.txt" || fail "the unknown device is not named"
assert_eq 3 "$(wc -l <"$WORK/some.csv" | tr -d ' ')" "lines of the device export (header + 2)"

status=0
batch export devices --endpoint "$SIM_URL" --manifest "$WORK/devices-wanted.csv" 2>"$WORK/err.txt" || status=$?
assert_eq 2 "$status" "exit status of a misused option"
status=0
batch export nothing-like-this --endpoint "$SIM_URL" 2>"$WORK/err.txt" || status=$?
assert_eq 2 "$status" "exit status of an unknown WHAT"
batch export --help | grep -q "rate-plans" || fail "export --help does not list what it exports"
stop_sim
