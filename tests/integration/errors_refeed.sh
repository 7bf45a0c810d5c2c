#!/usr/bin/env bash
# Issue 17 §1 / issue 16 #6: errors.csv is a faithful manifest. A `;`-delimited
# manifest with a BOM and CRLF line ends gives an errors.csv in the same
# dialect with source_row/source_line; fixed and fed back through the same job
# file it sends the original values (the formula guard taken off), and the
# re-fed job names rows by their source row.
source "$(dirname "$0")/lib.sh"

manifest="$WORK/export.csv"
printf '\xef\xbb\xbfDevice Name;Cost Center;Colour\r\n' >"$manifest"
printf '36500;Sales;red\r\n36501;Sales;blue\r\n36502;Ops;green\r\n36503;Ops;red\r\n36504;Ops;red\r\n' >>"$manifest"
printf '99999999;-East Region;x\r\n99999998;=Finance;y\r\n99999997;@Ops+1;z\r\n99999996;+Growth;w\r\n' >>"$manifest"
cat >"$WORK/job.json" <<JSON
{"op": "cost-center", "map": {"device_name": "Device Name", "cost_center": "Cost Center"},
 "endpoint": "sim"}
JSON

start_sim
status=0
batch run "$WORK/job.json" --manifest "$manifest" --out "$WORK/first" --endpoint "$SIM_URL" --quiet \
  2>"$WORK/err.txt" || status=$?
assert_eq 1 "$status" "first run (four unknown devices)"
errors="$WORK/first/errors.csv"
head -c 3 "$errors" | od -An -tx1 | grep -q "ef bb bf" || fail "errors.csv has no BOM like its manifest"
header=$(head -1 "$errors" | sed 's/^\xef\xbb\xbf//')
assert_eq $'Device Name;Cost Center;Colour;error;source_row;source_line\r' "$header" "errors.csv header"
assert_eq 5 "$(grep -c $'\r$' "$errors")" "CRLF lines in errors.csv"
grep -q "^99999999;'-East Region;x;.*;6;7"$'\r$' "$errors" || fail "row 6 not as expected: $(cat -A "$errors")"

# the user fixes the device names (two rows now name the same device)
sed -e 's/^99999999;/36510;/' -e 's/^99999998;/36511;/' -e 's/^99999997;/36510;/' \
  -e 's/^99999996;/36512;/' "$errors" >"$WORK/fixed.csv"
status=0
batch run "$WORK/job.json" --manifest "$WORK/fixed.csv" --out "$WORK/second" --endpoint "$SIM_URL" \
  >/dev/null 2>"$WORK/err.txt" || status=$?
assert_eq 1 "$status" "re-fed run (one duplicate)"
grep -q "extra columns kept but not used: Colour$" "$WORK/err.txt" ||
  fail "the note on unused columns lists errors.csv's own columns: $(cat "$WORK/err.txt")"
assert_eq '"-East Region"' "$(api GET v2/devices/36510 | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["cost_center"]))')" \
  "cost center sent for a guarded '-' value"
assert_eq '"=Finance"' "$(api GET v2/devices/36511 | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["cost_center"]))')" \
  "cost center sent for a guarded '=' value"
assert_eq '"+Growth"' "$(api GET v2/devices/36512 | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["cost_center"]))')" \
  "cost center sent for a guarded '+' value"
# the duplicate is named by its source row, and keeps its source position
grep -q "^36510;'@Ops+1;z;device_name: duplicate of row 6;8;9"$'\r$' "$WORK/second/errors.csv" ||
  fail "re-fed errors.csv: $(cat -A "$WORK/second/errors.csv")"

# --set over an existing column says so once, and errors.csv shows the value sent
status=0
batch run "$WORK/job.json" --manifest "$manifest" --set cost_center=Fleet --out "$WORK/third" \
  --endpoint "$SIM_URL" >/dev/null 2>"$WORK/err.txt" || status=$?
assert_eq 1 "$status" "run with --set"
assert_eq 1 "$(grep -c "replaces the manifest's column 'Cost Center'" "$WORK/err.txt")" "--set note"
if grep -q "Cost Center" <(grep "not used" "$WORK/err.txt"); then fail "the overridden column is called unused"; fi
grep -q "^99999999;Fleet;x;" "$WORK/third/errors.csv" || fail "errors.csv does not show the value sent: $(cat "$WORK/third/errors.csv")"
stop_sim

# validate --out: the same dialect and the value --set sends
printf 'Device Name;Cost Center;Colour\r\n;Sales;red\r\n36500;Sales;blue\r\n' >"$WORK/one.csv"
status=0
"$LATTIGO_BATCH" validate "$WORK/job.json" --manifest "$WORK/one.csv" --set cost_center=Fleet \
  --out "$WORK/checked" >/dev/null 2>&1 || status=$?
assert_eq 1 "$status" "validate with an invalid row"
assert_eq $'Device Name;Cost Center;Colour;error;source_row;source_line\r' "$(head -1 "$WORK/checked/errors.csv")" \
  "validate errors.csv header"
grep -q "^;Fleet;red;device_name: required;1;2"$'\r$' "$WORK/checked/errors.csv" ||
  fail "validate errors.csv: $(cat -A "$WORK/checked/errors.csv")"
