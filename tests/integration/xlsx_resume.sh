#!/usr/bin/env bash
# A job on an .xlsx manifest interrupted by SIGINT resumes at the row it
# stopped at (the position is the sheet's row number, the fingerprint the
# workbook's hash): every row ends ok, each device changed once, the sheet's
# empty rows skipped both times; an edited workbook refuses the resume.
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

rows=1500
csv=$(manifest lot --op cost-center --rows $rows --names sim-default --sim-devices $rows)
python3 - "$csv" "$WORK" "$TESTS_DIR/integration" <<'PY'
import csv, sys
sys.path.insert(0, sys.argv[3])
from xlsx_fixtures import workbook
rows = list(csv.reader(open(sys.argv[1], newline='')))
sheet = [rows[0]]
for index, row in enumerate(rows[1:]):
    if index % 100 == 50:
        sheet.append(None)  # an empty row now and then
    sheet.append(row)
workbook(f'{sys.argv[2]}/lot.xlsx', [('Centers', sheet)])
sheet[-1] = sheet[-1][:-1] + ['Edited']  # the same workbook with one cell changed
workbook(f'{sys.argv[2]}/lot-edited.xlsx', [('Centers', sheet)])
PY
start_sim --latency-ms 40 --devices $rows --ledger "$WORK/ledger.jsonl"
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" run --quiet \
  --op cost-center --manifest "$WORK/lot.xlsx" --chunk 10 --concurrency 2 --endpoint "$SIM_URL" \
  --out "$WORK/out" 2>"$WORK/first.stderr" &
job=$!
CHILD_PIDS+=("$job")
for _ in $(seq 1 400); do
  [ -s "$WORK/ledger.jsonl" ] && [ "$(wc -l <"$WORK/ledger.jsonl")" -ge 100 ] && break
  sleep 0.05
done
kill -INT "$job"
status=0
wait "$job" || status=$?
assert_eq 3 "$status" "exit status after SIGINT ($(cat "$WORK/first.stderr"))"
changed=$(wc -l <"$WORK/ledger.jsonl")
[ "$changed" -lt "$rows" ] || fail "the job finished before the interrupt; nothing was tested"

# an edited workbook is refused (the fingerprint is the file's hash)
cp "$WORK/lot.xlsx" "$WORK/lot.saved"
cp "$WORK/lot-edited.xlsx" "$WORK/lot.xlsx"
status=0
batch resume "$WORK/out" --quiet >/dev/null 2>"$WORK/edited.stderr" || status=$?
assert_eq 4 "$status" "resume of an edited workbook ($(cat "$WORK/edited.stderr"))"
mv "$WORK/lot.saved" "$WORK/lot.xlsx"

status=0
batch resume "$WORK/out" --quiet >"$WORK/resume.stdout" 2>"$WORK/resume.stderr" || status=$?
assert_eq 0 "$status" "resume exit status ($(tail -3 "$WORK/resume.stderr"))"
stop_sim
read -r total ok _ < <(status_counts "$WORK/out/results.csv")
assert_eq "$rows" "$total" "rows in results.csv"
assert_eq "$rows" "$ok" "rows ok"
[ -s "$WORK/out/results.xlsx" ] || fail "no results.xlsx after the resume"
python3 - "$WORK/ledger.jsonl" "$rows" <<'PY' || fail "a device was not changed exactly once"
import collections, json, sys
seen = collections.Counter()
for line in open(sys.argv[1]):
    record = json.loads(line)
    for key in ('device_name', 'device', 'name'):
        if key in record:
            seen[record[key]] += 1
            break
twice = [name for name, count in seen.items() if count > 1]
sys.exit(1 if twice or len(seen) != int(sys.argv[2]) else 0)
PY
note "ok"
