#!/usr/bin/env bash
# validate on the samples of tests/data/cli: counts, messages with row and
# line, exit codes 0/1/2, errors.csv (formula-safe, re-feedable), gzip, JSONL,
# a ';' export, job files and unreadable files.
source "$(dirname "$0")/lib.sh"
DATA="$TESTS_DIR/data/cli"

# capture CMD...: runs CMD, keeping stdout, stderr and the exit status.
capture() {
  local status=0
  "$@" >"$WORK/stdout" 2>"$WORK/stderr" || status=$?
  STATUS=$status
}
expect_line() { # file text: the file has a line that contains text
  grep -qF -- "$2" "$1" || fail "expected '$2' in $1: $(cat "$1")"
}
summary_is() { # rows valid invalid
  expect_line "$WORK/stdout" "rows:      $1"
  expect_line "$WORK/stdout" "valid:     $2"
  expect_line "$WORK/stdout" "invalid:   $3"
}

# a clean lot: every row valid, exit 0, no errors.csv without --out
capture "$LATTIGO_BATCH" validate --op activate --manifest "$DATA/clean-activate.csv"
assert_eq 0 "$STATUS" "clean manifest exit status"
summary_is 10 10 0

# the same lot gzip-compressed
gzip -c "$DATA/clean-activate.csv" >"$WORK/clean-activate.csv.gz"
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/clean-activate.csv.gz"
assert_eq 0 "$STATUS" "gzip manifest exit status"
summary_is 10 10 0

# and from stdin
capture "$LATTIGO_BATCH" validate --op activate --manifest - <"$DATA/clean-activate.csv"
assert_eq 0 "$STATUS" "stdin manifest exit status"
summary_is 10 10 0

# a job file, run from another directory: its manifest is relative to it
(cd "$WORK" && "$LATTIGO_BATCH" validate "$DATA/clean-activate.json" >"$WORK/stdout" 2>"$WORK/stderr") ||
  fail "validate with a job file failed: $(cat "$WORK/stderr")"
summary_is 10 10 0
[ ! -e "$WORK/out" ] || fail "validate wrote into the job file's out directory"

# a dirty spreadsheet export: BOM, CRLF, header in another case and order with
# spaces, a quoted newline, blank lines, formula-like notes, bad rows
capture "$LATTIGO_BATCH" validate --op activate --manifest "$DATA/dirty-activate.csv" --out "$WORK/dirty"
assert_eq 1 "$STATUS" "dirty manifest exit status"
summary_is 8 4 4
expect_line "$WORK/stdout" "row 3 (line 6): iccid: "
expect_line "$WORK/stdout" "row 4 (line 7): imei: "
expect_line "$WORK/stdout" "row 5 (line 8): iccid: duplicate of row 1"
expect_line "$WORK/stdout" "row 7 (line 11): imei: "
grep -q "Luhn" "$WORK/stdout" || fail "no Luhn rule named: $(cat "$WORK/stdout")"
grep -q "^invalid rows by rule:" "$WORK/stdout" || fail "no per-rule counts"
grep -q "note: .*Comment" "$WORK/stderr" || fail "unused column 'Comment' not noted: $(cat "$WORK/stderr")"
ERRORS="$WORK/dirty/errors.csv"
[ -f "$ERRORS" ] || fail "no errors.csv"
assert_eq 5 "$(grep -c . "$ERRORS")" "errors.csv lines (header + 4 rows)"
header=$(head -1 "$ERRORS")
case "$header" in
  *ICCID,Rate_Plan_Name,*IMEI*,Note,Comment,error,source_row,source_line*) ;;
  *) fail "errors.csv header is not the manifest's columns + error: $header" ;;
esac
grep -qF "\"'=HYPERLINK(\"\"http://evil.example\"\")\"" "$ERRORS" ||
  fail "formula-like note not neutralised: $(cat "$ERRORS")"
grep -q "^89014103211118510077,ACME 5MB,356938030001144,third unit,," "$ERRORS" ||
  fail "row 3 not echoed exactly: $(cat "$ERRORS")"

# errors.csv is a manifest again: fix the three bad ids, validate it
sed -e 's/89014103211118510077/89014103211118510522/' \
    -e 's/,35693803000121,/,356938030001219,/' \
    -e 's/356938030001426/356938030001425/' "$ERRORS" >"$WORK/fixed.csv"
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/fixed.csv" --out "$WORK/fixed"
assert_eq 0 "$STATUS" "fixed errors.csv exit status ($(cat "$WORK/stdout"))"
summary_is 4 4 0
assert_eq 1 "$(grep -c . "$WORK/fixed/errors.csv")" "errors.csv of a clean manifest (header only)"
assert_eq "$header" "$(head -1 "$WORK/fixed/errors.csv")" "re-fed header (no second error column)"

# a job directory's errors.csv is the job's: validate refuses to write there
mkdir -p "$WORK/job"
echo '{}' >"$WORK/job/job.json"
capture "$LATTIGO_BATCH" validate --op activate --manifest "$DATA/dirty-activate.csv" --out "$WORK/job"
assert_eq 2 "$STATUS" "validate --out into a job directory"
expect_line "$WORK/stderr" "holds a job"
[ ! -e "$WORK/job/errors.csv" ] || fail "validate wrote errors.csv into a job directory"

# a ';'-delimited cost-center export with a missing value and a duplicate device
capture "$LATTIGO_BATCH" validate --op cost-center --manifest "$DATA/cost-center-semicolon.csv" --out "$WORK/cc"
assert_eq 1 "$STATUS" "cost-center exit status"
summary_is 6 4 2
expect_line "$WORK/stdout" "delimiter ';'"
expect_line "$WORK/stdout" "row 3 (line 4): cost_center: "
expect_line "$WORK/stdout" "row 5 (line 6): device_name: duplicate of row 1"
# errors.csv is written in the manifest's own delimiter, with where each row came from
expect_line "$WORK/cc/errors.csv" "Device_Name;Cost_Center;Site;error;source_row;source_line"
expect_line "$WORK/cc/errors.csv" "tracker-001;Field Ops;Lyon;device_name: duplicate of row 1;5;6"

# JSONL: numbers for numeric fields, a line that is not an object, a key seen late
capture "$LATTIGO_BATCH" validate --op activate --manifest "$DATA/activate.jsonl" --out "$WORK/jsonl"
assert_eq 1 "$STATUS" "jsonl exit status"
summary_is 5 3 2
expect_line "$WORK/stdout" "row 3 (line 4): "
expect_line "$WORK/stdout" "row 4 (line 5): iccid: "
assert_eq "imei,iccid,rate_plan_name,batch,error,source_row,source_line" "$(head -1 "$WORK/jsonl/errors.csv")" "jsonl errors.csv header"
assert_eq 3 "$(grep -c . "$WORK/jsonl/errors.csv")" "jsonl errors.csv lines"
expect_line "$WORK/jsonl/errors.csv" "356938030001847,89014103211118510077,ACME 1GB,B7,iccid: "

# --no-luhn iccid accepts the ICCID whose check digit is wrong
capture "$LATTIGO_BATCH" validate --op activate --manifest "$DATA/activate.jsonl" --no-luhn iccid
summary_is 5 4 1

# file-level problems: exit 2, one line naming the file
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/missing.csv"
assert_eq 2 "$STATUS" "missing manifest exit status"
assert_eq 1 "$(wc -l <"$WORK/stderr")" "one line for a missing manifest"
expect_line "$WORK/stderr" "lattigo-batch: "
expect_line "$WORK/stderr" "missing.csv"

capture "$LATTIGO_BATCH" validate --op activate --manifest "$DATA/cost-center-semicolon.csv"
assert_eq 2 "$STATUS" "manifest without the required columns"
expect_line "$WORK/stderr" "cost-center-semicolon.csv:1:"

head -c 4096 /dev/urandom >"$WORK/junk.csv"
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/junk.csv"
assert_eq 2 "$STATUS" "binary junk exit status"
expect_line "$WORK/stderr" "junk.csv"

size=$(wc -c <"$WORK/clean-activate.csv.gz")
head -c $((size / 2)) "$WORK/clean-activate.csv.gz" >"$WORK/truncated.csv.gz"
capture "$LATTIGO_BATCH" validate --op activate --manifest "$WORK/truncated.csv.gz"
assert_eq 2 "$STATUS" "truncated gzip exit status"
expect_line "$WORK/stderr" "truncated.csv.gz"

capture "$LATTIGO_BATCH" validate --op activte --manifest "$DATA/clean-activate.csv"
assert_eq 2 "$STATUS" "unknown operation exit status"
expect_line "$WORK/stderr" "unknown operation 'activte' (did you mean 'activate'?)"

capture "$LATTIGO_BATCH" validate --op activate --manifest "$DATA/clean-activate.csv" --map imei=Serial
assert_eq 2 "$STATUS" "--map to a missing column"
expect_line "$WORK/stderr" "Serial"
# JSONL keys that feed no field are noted once the whole file was read (keys appear row by row)
printf '{"device_name":"36500","cost_center":"A","colour":"red"}\n{"device_name":"36501","cost_center":"B","batch":7}\n' >"$WORK/extra-keys.jsonl"
capture "$LATTIGO_BATCH" validate --op cost-center --manifest "$WORK/extra-keys.jsonl"
assert_eq 0 "$STATUS" "JSONL with extra keys exit status"
expect_line "$WORK/stderr" "extra columns kept but not used: colour, batch"
note "validate: all checks passed"
