#!/usr/bin/env bash
# `run` with its preflight (issue 10) against lattigo-sim and the independent
# mock: only the rows that change are written (the ledgers), rows in place end
# `unchanged` (exit 0 when every row is ok or unchanged), missing devices end
# `error` without a call, devices named by ICCID are sent under their
# device_name (cost-center and usage-limit; results.csv's resolved_device_name),
# undo.csv puts the account back exactly, a rate plan the account lacks stops
# the job before anything is sent (exit 2) unless only some rows use it,
# --no-preflight sends every row, and a resume after SIGKILL keeps the first
# snapshot and completes undo.csv.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/integration/mock_lib.sh"
source "$TESTS_DIR/integration/live_lib.sh"

# summary_get OUT KEY...: a value of OUT/summary.json.
summary_get() { python3 -c '
import json, sys
value = json.load(open(sys.argv[1] + "/summary.json"))
for key in sys.argv[2:]:
    value = value[key]
print(value)' "$@"; }

# The same checks against one API (URL, LEDGER, NAMES: its device names, one a line).
check_api() {
  local label=$1 url=$2 ledger=$3 names=$4 before
  # 30 rows: 1-12 set beforehand (in place), 13-26 change, 27-28 by ICCID, 29-30 missing
  {
    echo "device_name,cost_center,id_type"
    sed -n '1,26p' "$names" | sed 's/$/,PF-A,/'
    for name in $(sed -n '27,28p' "$names"); do
      iccid=$(iccid_of "$url" "$name")
      echo "$iccid,PF-A,iccid"
    done
    echo "no-such-device-1,PF-A,"
    echo "no-such-device-2,PF-A,"
  } >"$WORK/$label-cc.csv"
  head -13 "$WORK/$label-cc.csv" >"$WORK/$label-first.csv"
  # every device holds a cost center of its own first (an empty one cannot be
  # put back by a manifest row), then rows 1-12 get the job's value
  { echo "device_name,cost_center"; sed 's/.*/&,ORIG-&/' "$names"; } >"$WORK/$label-seed.csv"
  run_batch 0 --op cost-center --manifest "$WORK/$label-seed.csv" --endpoint "$url" --out "$WORK/$label-seed"
  run_batch 0 --op cost-center --manifest "$WORK/$label-first.csv" --endpoint "$url" --out "$WORK/$label-first"
  # the state before the job under test, to compare with after its undo
  account_state "$url" "$WORK/$label-state-before"
  before=$(wc -l <"$ledger")

  run_batch 1 --op cost-center --manifest "$WORK/$label-cc.csv" --endpoint "$url" --out "$WORK/$label-job"
  out="$WORK/$label-job"
  assert_eq "error=2 ok=16 unchanged=12" "$(statuses "$out/results.csv")" "$label: statuses"
  # only the 16 rows that change were written, under their device names
  sed -n '13,28p' "$names" | sed 's/^/cost-center /' | sort >"$WORK/$label-expected-writes"
  ledger_writes "$ledger" "$before" >"$WORK/$label-writes"
  cmp -s "$WORK/$label-expected-writes" "$WORK/$label-writes" ||
    fail "$label: the ledger holds other writes than the 16 changed rows: $(diff "$WORK/$label-expected-writes" "$WORK/$label-writes" | head -5)"
  assert_eq 12 "$(summary_get "$out" counts unchanged)" "$label: summary.json unchanged"
  assert_eq 0 "$(summary_get "$out" counts pending)" "$label: summary.json pending"
  # rows in place and missing ones went out in no call; the message says what was read when
  grep -q "^1,unchanged,,not sent: cost_center is already 'PF-A' (account read at 20" "$out/results.csv" ||
    fail "$label: row 1 is not unchanged: $(sed -n 2p "$out/results.csv")"
  grep -q '^29,error,,"\?not sent: no device with device_name no-such-device-1 in the account (read at 20' "$out/results.csv" ||
    fail "$label: row 29 is not a missing error: $(sed -n 30p "$out/results.csv")"
  # the ICCID rows show the device they resolved to
  line=$(sed -n 28p "$out/results.csv")
  case "$line" in
    27,ok,*,iccid,"$(sed -n 27p "$names")") ;;
    *) fail "$label: row 27 (by ICCID) should be ok and resolve to $(sed -n 27p "$names"): $line" ;;
  esac
  # errors.csv holds the two missing rows only
  assert_eq 3 "$(wc -l <"$out/errors.csv" | tr -d ' ')" "$label: errors.csv lines"

  # undo.csv puts the account back exactly as it was before the job
  assert_eq 17 "$(wc -l <"$out/undo.csv" | tr -d ' ')" "$label: undo.csv lines (header + 16)"
  assert_eq 16 "$(summary_get "$out" undo rows)" "$label: summary.json undo rows"
  before=$(wc -l <"$ledger")
  run_batch 0 --op cost-center --manifest "$out/undo.csv" --endpoint "$url" --out "$WORK/$label-undo"
  assert_eq 16 "$(($(wc -l <"$ledger") - before))" "$label: writes of the undo job"
  account_state "$url" "$WORK/$label-state-after"
  cmp -s "$WORK/$label-state-before" "$WORK/$label-state-after" ||
    fail "$label: undo.csv did not restore the account: $(diff "$WORK/$label-state-before" "$WORK/$label-state-after" | head -6)"

  # usage-limit by ICCID: sent under the device name
  {
    echo "device_name,kb_limit,action,id_type"
    for name in $(sed -n '27,28p' "$names"); do
      iccid=$(iccid_of "$url" "$name")
      echo "$iccid,2048,suspend,iccid"
    done
  } >"$WORK/$label-limit.csv"
  before=$(wc -l <"$ledger")
  run_batch 0 --op usage-limit --manifest "$WORK/$label-limit.csv" --endpoint "$url" --out "$WORK/$label-limit"
  assert_eq "ok=2" "$(statuses "$WORK/$label-limit/results.csv")" "$label: usage-limit by ICCID"
  ledger_writes "$ledger" "$before" | awk '{print $2}' >"$WORK/$label-limit-writes"
  sed -n '27,28p' "$names" | sort | cmp -s - "$WORK/$label-limit-writes" ||
    fail "$label: usage-limit by ICCID was not sent under the device names: $(cat "$WORK/$label-limit-writes")"
  grep -q "no undo exists" "$WORK/$label-limit/summary.json" || fail "$label: usage-limit: the summary does not say no undo exists"

  # --no-preflight sends every valid row, those already in place too
  before=$(wc -l <"$ledger")
  run_batch 0 --op cost-center --manifest "$WORK/$label-first.csv" --endpoint "$url" --out "$WORK/$label-nopf" --no-preflight
  assert_eq "ok=12" "$(statuses "$WORK/$label-nopf/results.csv")" "$label: --no-preflight statuses"
  assert_eq 12 "$(($(wc -l <"$ledger") - before))" "$label: --no-preflight writes"
  [ ! -e "$WORK/$label-nopf/undo.csv" ] || fail "$label: --no-preflight wrote undo.csv"
}

# ---------------------------------------------------------------- lattigo-sim
start_sim --ledger "$WORK/sim-ledger.jsonl"
touch "$WORK/sim-ledger.jsonl"
seq 36500 36529 >"$WORK/sim-names"
check_api sim "$SIM_URL" "$WORK/sim-ledger.jsonl" "$WORK/sim-names"

# a rate plan the account lacks: every row names it -> exit 2, nothing sent, no job directory
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op activate --rows 6 --seed 31 --out "$WORK/act.csv"
before=$(wc -l <"$WORK/sim-ledger.jsonl")
status=0
batch run --quiet --yes --op activate --manifest "$WORK/act.csv" --set rate_plan_name="No Such Plan" \
  --endpoint "$SIM_URL" --out "$WORK/act-none" 2>"$WORK/err.txt" || status=$?
assert_eq 2 "$status" "exit status when every row names a missing rate plan"
grep -q "no rate plan 'No Such Plan'" "$WORK/err.txt" || fail "the refusal does not name the plan: $(cat "$WORK/err.txt")"
[ ! -e "$WORK/act-none" ] || fail "a refused job left its directory"
assert_eq "$before" "$(wc -l <"$WORK/sim-ledger.jsonl")" "writes after the refused job"
# only some rows use it: those end error, the others are sent
plan=$(api GET v2/rate_plans | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["name"])')
python3 - "$WORK/act.csv" "$plan" >"$WORK/act-mixed.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0].keys()), lineterminator="\n")
writer.writeheader()
for index, row in enumerate(rows):
    row["rate_plan_name"] = "No Such Plan" if index < 2 else sys.argv[2]
    writer.writerow(row)
PY
run_batch 1 --op activate --manifest "$WORK/act-mixed.csv" --endpoint "$SIM_URL" --out "$WORK/act-mixed"
assert_eq "error=2 ok=4" "$(statuses "$WORK/act-mixed/results.csv")" "statuses with a missing rate plan on 2 rows"
assert_eq 4 "$(($(wc -l <"$WORK/sim-ledger.jsonl") - before))" "activations sent"
grep -q "no undo exists" "$WORK/act-mixed/summary.json" || fail "activate: the summary does not say no undo exists"
# the same activations again: already active -> unchanged, nothing sent, exit... 1 (2 rows still error)
before=$(wc -l <"$WORK/sim-ledger.jsonl")
run_batch 1 --op activate --manifest "$WORK/act-mixed.csv" --endpoint "$SIM_URL" --out "$WORK/act-again"
assert_eq "error=2 unchanged=4" "$(statuses "$WORK/act-again/results.csv")" "activations already made"
assert_eq "$before" "$(wc -l <"$WORK/sim-ledger.jsonl")" "writes of activations already made"

# resume after SIGKILL: the first snapshot is kept, undo.csv is complete
python3 - >"$WORK/slow.csv" <<'PY'
print("device_name,cost_center")
for index in range(200):
    print("%d,SLOW-%d" % (36600 + index, index % 3))
PY
sed 's/,SLOW-.*/,ORIG/; 1s/.*/device_name,cost_center/' "$WORK/slow.csv" >"$WORK/slow-seed.csv"
run_batch 0 --op cost-center --manifest "$WORK/slow-seed.csv" --endpoint "$SIM_URL" --out "$WORK/slow-seed"
account_state "$SIM_URL" "$WORK/slow-before"
before=$(wc -l <"$WORK/sim-ledger.jsonl")
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" run --quiet \
  --op cost-center --manifest "$WORK/slow.csv" --endpoint "$SIM_URL" --out "$WORK/slow" \
  --chunk 5 --concurrency 1 --rate 20 2>"$WORK/slow.stderr" &
victim=$!
CHILD_PIDS+=("$victim")
for _ in $(seq 1 600); do
  [ "$(($(wc -l <"$WORK/sim-ledger.jsonl") - before))" -ge 10 ] && break
  kill -0 "$victim" 2>/dev/null || break
  sleep 0.05
done
kill -KILL "$victim" 2>/dev/null || true
wait "$victim" 2>/dev/null || true
[ -s "$WORK/slow/undo.csv" ] || fail "undo.csv was not written before the first write"
taken=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["taken_at_ms"])' "$WORK/slow/snapshot/meta.json")
cp "$WORK/slow/undo.csv" "$WORK/slow-undo-first.csv"
# change the account behind the job's back: a resume must still judge by the first snapshot
api PUT v2/device_operations/change_cost_center -H 'Content-Type: application/json' \
  -d '{"device_names": ["36699"], "cost_center": "SLOW-1"}' >/dev/null
run_batch 0 --op cost-center --manifest "$WORK/slow.csv" --endpoint "$SIM_URL" --out "$WORK/slow" --chunk 5
taken_after=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["taken_at_ms"])' "$WORK/slow/snapshot/meta.json")
assert_eq "$taken" "$taken_after" "the resume kept the first snapshot"
cmp -s "$WORK/slow-undo-first.csv" "$WORK/slow/undo.csv" || fail "the resume changed undo.csv"
assert_eq 201 "$(wc -l <"$WORK/slow/undo.csv" | tr -d ' ')" "undo.csv lines after the resume"
# row 200 was put in place behind the job's back: judged against the first snapshot it is still sent
grep -q '^200,ok,' "$WORK/slow/results.csv" || fail "row 200 was not sent on resume: $(tail -1 "$WORK/slow/results.csv")"
run_batch 0 --op cost-center --manifest "$WORK/slow/undo.csv" --endpoint "$SIM_URL" --out "$WORK/slow-undo"
account_state "$SIM_URL" "$WORK/slow-after"
cmp -s "$WORK/slow-before" "$WORK/slow-after" ||
  fail "undo.csv of the resumed job did not restore the account: $(diff "$WORK/slow-before" "$WORK/slow-after" | head -6)"
stop_sim

# ---------------------------------------------------------------- the mock
start_mock --devices 40 --ledger "$WORK/mock-ledger.jsonl"
touch "$WORK/mock-ledger.jsonl"
for index in $(seq 1 30); do printf 'mock-%07d\n' "$index"; done >"$WORK/mock-names"
check_api mock "$MOCK_URL" "$WORK/mock-ledger.jsonl" "$WORK/mock-names"
stop_mock
