#!/usr/bin/env bash
# .xlsx manifests: every kind of cell classified exactly as its CSV twin
# (shared, inline and rich strings, numbers, booleans, dates, empty cells and
# rows, a prefixed namespace, --sheet), numeric 20-digit ICCIDs refused with
# the lost-digits message, and each hostile workbook refused in one line with
# exit status 2.
source "$(dirname "$0")/lib.sh"
FIXTURES="$TESTS_DIR/integration/xlsx_fixtures.py"

capture() {
  local status=0
  "$@" >"$WORK/stdout" 2>"$WORK/stderr" || status=$?
  STATUS=$status
}
expect_line() { grep -qF -- "$2" "$1" || fail "expected '$2' in $1: $(cat "$1")"; }

python3 - "$WORK" "$TESTS_DIR/integration" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
from xlsx_fixtures import workbook, ICCID, ICCID2
work = sys.argv[1]
imei = '356938035643809'
# (xlsx rows, csv text): the CSV is what a spreadsheet saves for the same cells
header = ['ICCID', 'Rate Plan Name', 'IMEI', 'Note']
rows = [
    header,
    [ICCID, 'ACME 5MB', imei, 'first'],
    None,                                            # an empty row is skipped
    [ICCID2, 'ACME 5MB', int(imei) + 10, True],      # a numeric 15-digit IMEI, wrong Luhn
    [89440000000000000028, 'ACME 5MB', None, ('date', 46023)],  # numeric 20-digit ICCID
    ['89440000000000000036', ('rich', ['ACME ', '5MB']), None, ('formula', 'A1&"x"', 'fx')],
    ['8944000000000000004', '', 356938035643817, ('error', '#N/A')],  # 19 digits, Luhn wrong
    [None, 'ACME 5MB', imei, None],                  # no iccid
]
csv = ('ICCID,Rate Plan Name,IMEI,Note\n'
       f'{ICCID},ACME 5MB,{imei},first\n'
       '\n'
       f'{ICCID2},ACME 5MB,{int(imei) + 10},TRUE\n'
       '8.944E+19,ACME 5MB,,2026-01-01\n'
       '89440000000000000036,ACME 5MB,,fx\n'
       '8944000000000000004,,356938035643817,#N/A\n'
       f',ACME 5MB,{imei},\n')
open(f'{work}/twin.csv', 'w').write(csv)
workbook(f'{work}/shared.xlsx', [('Lot 42', rows), ('Other', [['iccid'], [ICCID]])])
workbook(f'{work}/inline.xlsx', [('Lot 42', rows, {'first_row': 3})], inline=True,
         prefix='x')
workbook(f'{work}/sheets.xlsx', [('Notes', [['read me']]), ('Lot 42', rows)])
PY

# the classification of each workbook equals its CSV twin's
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/twin.csv"
assert_eq 1 "$STATUS" "CSV twin exit status"
sed -n '/^rows:/,/^invalid rows:/p' "$WORK/stdout" >"$WORK/twin.counts"
sed -n 's/^  row \([0-9]*\) ([^)]*): /\1 /p' "$WORK/stdout" >"$WORK/twin.rows"
[ -s "$WORK/twin.rows" ] || fail "the CSV twin has no invalid rows: $(cat "$WORK/stdout")"
for book in shared inline; do
  capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/$book.xlsx"
  assert_eq 1 "$STATUS" "$book.xlsx exit status"
  expect_line "$WORK/stdout" "(xlsx, sheet 'Lot 42')"
  sed -n '/^rows:/,/^invalid rows:/p' "$WORK/stdout" >"$WORK/$book.counts"
  sed -n 's/^  row \([0-9]*\) ([^)]*): /\1 /p' "$WORK/stdout" >"$WORK/$book.rows"
  diff "$WORK/twin.counts" "$WORK/$book.counts" >&2 || fail "$book.xlsx counts differ from the CSV twin"
  diff "$WORK/twin.rows" "$WORK/$book.rows" >&2 || fail "$book.xlsx rows differ from the CSV twin"
  expect_line "$WORK/stderr" "column 'ICCID' of sheet 'Lot 42' holds numbers of more than 15 digits"
  expect_line "$WORK/stderr" "format the column as Text and re-enter or re-import the values"
done
# the sheet's own row numbers in messages (the inline book starts at row 3)
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/shared.xlsx"
expect_line "$WORK/stdout" "row 3 (row 5 of sheet 'Lot 42'): iccid: in scientific notation (got 8.944E+19)"
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/inline.xlsx"
expect_line "$WORK/stdout" "row 3 (row 7 of sheet 'Lot 42')"

# --sheet picks a sheet by name; the first sheet is the default
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/sheets.xlsx"
assert_eq 2 "$STATUS" "first sheet lacks the required columns"
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/sheets.xlsx" --sheet "Lot 42"
assert_eq 1 "$STATUS" "--sheet 'Lot 42' exit status"
sed -n '/^rows:/,/^invalid rows:/p' "$WORK/stdout" >"$WORK/sheets.counts"
diff "$WORK/twin.counts" "$WORK/sheets.counts" >&2 || fail "--sheet counts differ from the CSV twin"
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/sheets.xlsx" --sheet "Lot 43"
assert_eq 2 "$STATUS" "unknown sheet exit status"
expect_line "$WORK/stderr" "no sheet named 'Lot 43'; the workbook has 'Notes', 'Lot 42'"
# a workbook named otherwise is sniffed; --format xlsx forces it
cp "$WORK/shared.xlsx" "$WORK/shared.dat"
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/shared.dat"
assert_eq 1 "$STATUS" "sniffed workbook exit status"
capture "$LATTIGO_BATCH" validate --op activate --manifest - <"$WORK/shared.xlsx"
assert_eq 2 "$STATUS" "workbook on stdin exit status"
expect_line "$WORK/stderr" "not stdin"

# hostile and broken workbooks: one line, exit 2, no sanitizer report
for kind in zip-bomb entity-bomb external-entity truncated corrupt encrypted xls no-sheets \
  not-a-workbook zip-encrypted-entry row-limit malformed huge-tag; do
  python3 "$FIXTURES" "$kind" "$WORK/$kind.xlsx"
  capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/$kind.xlsx" --set rate_plan_name=P
  assert_eq 2 "$STATUS" "$kind exit status ($(cat "$WORK/stderr"))"
  assert_eq 1 "$(wc -l <"$WORK/stderr")" "$kind: lines on stderr ($(cat "$WORK/stderr"))"
  case "$kind" in
    zip-bomb) expect_line "$WORK/stderr" "zip bomb" ;;
    entity-bomb | external-entity) expect_line "$WORK/stderr" "entity tricks are refused" ;;
    truncated | corrupt) expect_line "$WORK/stderr" "corrupt or truncated" ;;
    encrypted | zip-encrypted-entry) expect_line "$WORK/stderr" "password" ;;
    xls) expect_line "$WORK/stderr" "old Excel workbook (.xls" ;;
    no-sheets) expect_line "$WORK/stderr" "no worksheets" ;;
    not-a-workbook) expect_line "$WORK/stderr" "no xl/workbook.xml" ;;
    row-limit) expect_line "$WORK/stderr" "1,048,576 rows" ;;
    malformed) expect_line "$WORK/stderr" "not well-formed XML" ;;
    huge-tag) expect_line "$WORK/stderr" "needs more than 64 MiB to parse" ;;
  esac
done
# the last row a worksheet holds is read
python3 "$FIXTURES" last-row "$WORK/last-row.xlsx"
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/last-row.xlsx" --set rate_plan_name=P --set device_sku=S1
assert_eq 0 "$STATUS" "last-row exit status ($(cat "$WORK/stdout" "$WORK/stderr"))"
expect_line "$WORK/stdout" "valid:     1"
note "ok"
