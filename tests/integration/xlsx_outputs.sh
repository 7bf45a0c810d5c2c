#!/usr/bin/env bash
# .xlsx out: templates (columns from the operation table, Text identifier
# columns, drop-down lists, input messages, instructions), errors.xlsx and
# results.xlsx (IDs as strings, never formulas, bold frozen header,
# autofilter), and the round trip errors.xlsx -> fix -> run.
source "$(dirname "$0")/lib.sh"
INSPECT="python3 $TESTS_DIR/integration/xlsx_inspect.py"

capture() {
  local status=0
  "$@" >"$WORK/stdout" 2>"$WORK/stderr" || status=$?
  STATUS=$status
}
expect_line() { grep -qF -- "$2" "$1" || fail "expected '$2' in $1: $(cat "$1")"; }

# ---- templates
capture "$LATTIGO_BATCH" template activate
assert_eq 0 "$STATUS" "csv template exit status"
assert_eq "iccid,rate_plan_name,imei,device_sku,region_code,note,note1,note2,note3" \
  "$(cat "$WORK/stdout")" "activate csv template (required columns first)"
capture "$LATTIGO_BATCH" template no-such-op
assert_eq 2 "$STATUS" "unknown op exit status"
capture "$LATTIGO_BATCH" template simstate --format pdf
assert_eq 2 "$STATUS" "unknown template format exit status"

# every operation: an .xlsx template whose columns are the CSV template's
for op in $("$LATTIGO_BATCH" ops | sed -n 's/^\([a-z][a-z-]*\)$/\1/p'); do
  "$LATTIGO_BATCH" template "$op" --output "$WORK/$op.xlsx" 2>/dev/null || fail "template $op"
  expected=$("$LATTIGO_BATCH" template "$op" --format csv | tr ',' '\t' | sed 's/[^\t]*/s:&/g')
  actual=$($INSPECT cells "$WORK/$op.xlsx" | head -1 | cut -f2-)
  assert_eq "$expected" "$actual" "$op template header"
  $INSPECT layout "$WORK/$op.xlsx" >"$WORK/$op.layout"
  expect_line "$WORK/$op.layout" "sheets: $op, Instructions"
  expect_line "$WORK/$op.layout" "frozen: A2"
  expect_line "$WORK/$op.layout" "bold header: yes"
  # a blank template is a manifest with no rows
  capture "$LATTIGO_BATCH" validate --op "$op" --manifest "$WORK/$op.xlsx"
  assert_eq 0 "$STATUS" "$op template validates ($(cat "$WORK/stderr"))"
done
# drop-down lists for the fields that take one of a few words, rules as input messages
expect_line "$WORK/simstate.layout" 'validation B2:B1048576: list "suspend,restore" | state: Required.'
expect_line "$WORK/simstate.layout" 'list "device_name,iccid,imei,imsi,msisdn,mdn,meid,esn,min" | id_type: Optional.'
expect_line "$WORK/note.layout" 'list "note,note1,note2,note3" | field_name: Required.'
expect_line "$WORK/activate.layout" "validation A2:A1048576: any  | iccid: Required. 19 or 20 digits starting 89; the last digit is a Luhn check digit."
expect_line "$WORK/activate.layout" "column 1: width 23 text"
grep -q 'list "suspend,email"' "$WORK"/*.layout || fail "no template has the action drop-down"
grep -q 'B2:B1048576: whole 1 | kb_limit' "$WORK/usage-limit.layout" || fail "kb_limit has no whole-number validation"
# the instructions sheet: one line per column and an example row that validates
$INSPECT cells "$WORK/activate.xlsx" Instructions >"$WORK/instructions"
expect_line "$WORK/instructions" "s:iccid	s:yes	s:19 or 20 digits"
python3 - "$WORK" "$TESTS_DIR/integration" <<'PY'
import subprocess, sys
sys.path.insert(0, sys.argv[2])
from xlsx_fixtures import workbook
work = sys.argv[1]
lines = [l.rstrip('\n').split('\t')[1:] for l in open(f'{work}/instructions')]
header = [c[2:] for c in lines[-2]]
cells = {c[2:] for c in lines[-1]}
rule_rows = {l[0][2:]: l[3][2:] for l in lines if len(l) == 4 and l[1] in ('s:yes', 's:no')}
example = [rule_rows[name] if rule_rows[name] in cells else None for name in header]
workbook(f'{work}/example.xlsx', [('activate', [header, example])])
PY
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/example.xlsx"
assert_eq 0 "$STATUS" "the template's example row validates ($(cat "$WORK/stdout"))"

# ---- errors.xlsx from validate, and the round trip
python3 - "$WORK" "$TESTS_DIR/integration" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from xlsx_fixtures import workbook
work = sys.argv[1]
rows = [['ICCID', 'Rate Plan Name', 'IMEI', 'Remark'],
        ['89440000000000000002', 'ACME Co 5mb Rate Plan', '356938035643809', 'ok'],
        [89440000000000000010, 'ACME Co 5mb Rate Plan', '356938035643817', '=HYPERLINK("x")'],
        ['89440000000000000028', 'ACME Co 5mb Rate Plan', '35693803564382', '+44 20'],
        ['89440000000000000036', 'ACME Co 5mb Rate Plan', '356938035643833', 'ok']]
workbook(f'{work}/lot.xlsx', [('Lot 7', rows)])
PY
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/lot.xlsx" --out "$WORK/checked"
assert_eq 1 "$STATUS" "validate exit status"
expect_line "$WORK/stdout" "errors:    $WORK/checked/errors.xlsx"
$INSPECT cells "$WORK/checked/errors.xlsx" >"$WORK/errors.cells"
assert_eq 3 "$(wc -l <"$WORK/errors.cells")" "errors.xlsx rows (header and two)"
grep -q '	f:' "$WORK/errors.cells" && fail "errors.xlsx holds a formula: $(cat "$WORK/errors.cells")"
grep -q '	n:' "$WORK/errors.cells" && fail "errors.xlsx holds a number: $(cat "$WORK/errors.cells")"
expect_line "$WORK/errors.cells" 's:=HYPERLINK("x")'   # a string, without the CSV's ' guard
expect_line "$WORK/errors.cells" 's:+44 20'
expect_line "$WORK/errors.cells" 's:ICCID	s:Rate Plan Name	s:IMEI	s:Remark	s:error	s:source_row	s:source_line'
$INSPECT layout "$WORK/checked/errors.xlsx" >"$WORK/errors.layout"
expect_line "$WORK/errors.layout" "frozen: A2"
expect_line "$WORK/errors.layout" "autofilter: A1:G3"
expect_line "$WORK/errors.layout" "bold header: yes"
expect_line "$WORK/errors.layout" "column 1: width 23 text"

# fix the two rows as a user would in a spreadsheet, save, run the file itself
python3 - "$WORK" "$TESTS_DIR/integration" <<'PY'
import subprocess, sys
sys.path.insert(0, sys.argv[2])
from xlsx_fixtures import workbook
work = sys.argv[1]
out = subprocess.run(['python3', f'{sys.argv[2]}/xlsx_inspect.py', 'cells',
                      f'{work}/checked/errors.xlsx'], capture_output=True, text=True).stdout
rows = [[c[2:] for c in line.split('\t')[1:]] for line in out.splitlines()]
for row in rows[1:]:
    if row[0].startswith('8.944'):
        row[0] = '89440000000000000010'
    if row[2] == '35693803564382':
        row[2] = '356938035643825'
workbook(f'{work}/fixed.xlsx', [('errors', rows)])
PY
capture "$LATTIGO_BATCH" run --op activate --manifest "$WORK/fixed.xlsx" --out "$WORK/job" \
  --endpoint sim --quiet
assert_eq 0 "$STATUS" "run of the fixed errors.xlsx ($(cat "$WORK/stdout" "$WORK/stderr"))"
[ -s "$WORK/job/results.xlsx" ] || fail "no results.xlsx"
[ -s "$WORK/job/errors.xlsx" ] || fail "no errors.xlsx"
$INSPECT cells "$WORK/job/results.xlsx" >"$WORK/results.cells"
expect_line "$WORK/results.cells" "s:row	s:status	s:http_status	s:message	s:attempts	s:finished_at	s:iccid	s:imei"
expect_line "$WORK/results.cells" "n:1	s:ok"
expect_line "$WORK/results.cells" "s:89440000000000000010	s:356938035643817"
assert_eq 3 "$(wc -l <"$WORK/results.cells")" "results.xlsx rows"
assert_eq 1 "$($INSPECT cells "$WORK/job/errors.xlsx" | wc -l)" "errors.xlsx of a clean run: header only"

# --output-format csv turns the copies off; xlsx turns them on for a CSV manifest
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/lot.xlsx" --out "$WORK/csv-only" \
  --output-format csv
[ -e "$WORK/csv-only/errors.xlsx" ] && fail "--output-format csv still wrote errors.xlsx"
printf 'iccid,rate_plan_name,imei\n89440000000000000002,P,1\n' >"$WORK/lot.csv"
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/lot.csv" --out "$WORK/both" \
  --output-format xlsx
[ -s "$WORK/both/errors.xlsx" ] || fail "--output-format xlsx wrote no errors.xlsx"

# export --output-format xlsx: the read side as a workbook, IDs as strings
capture "$LATTIGO_BATCH" export devices --endpoint sim --output "$WORK/devices.xlsx" \
  --output-format xlsx --quiet
assert_eq 0 "$STATUS" "export to xlsx ($(cat "$WORK/stderr"))"
[ -e "$WORK/devices.xlsx.csv" ] && fail "export left its CSV behind"
$INSPECT cells "$WORK/devices.xlsx" >"$WORK/devices.cells"
expect_line "$WORK/devices.cells" "s:id	s:device_name"
grep -q '	n:' "$WORK/devices.cells" && fail "the export workbook holds numbers"
capture "$LATTIGO_BATCH" export devices --endpoint sim --output-format xlsx
assert_eq 2 "$STATUS" "export xlsx to stdout is refused"
note "ok"
