#!/usr/bin/env bash
# Issue 10's acceptance list against the independent mock with a seeded
# account (every device its own cost center and note1; some already in the
# job's target state; some suspended): plan counts exactly right (one device
# named twice included); only the rows that change are written (the mock's
# ledger); undo.csv puts back every changed value for cost-center, note and
# simstate (the whole account compared); a job whose rows are all in place
# exits 0 and writes nothing; an activation is not written before a typed
# confirmation that shows the rows and the estimated cost, and is pending
# when read back right after the job, verified once the mock shows it.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/integration/mock_lib.sh"
source "$TESTS_DIR/integration/live_lib.sh"

name() { printf 'mock-%07d' "$1"; }

writes_since() { echo $(($(wc -l <"$WORK/ledger.jsonl") - $1)); }

# undone LABEL OP: runs OUT/undo.csv of job LABEL and compares the account with before-LABEL.
undone() {
  run_batch 0 --op "$2" --manifest "$WORK/$1/undo.csv" --endpoint "$MOCK_URL" --out "$WORK/$1-undo"
  account_state "$MOCK_URL" "$WORK/after-$1"
  cmp -s "$WORK/before-$1" "$WORK/after-$1" ||
    fail "$1: undo.csv did not restore the account: $(diff "$WORK/before-$1" "$WORK/after-$1" | head -6)"
}

# 60 devices: 1-10 already hold cost center ACC-T, 41-45 are suspended, 51-60 hold note1 N-T
for index in $(seq 1 60); do
  center="ORIG-$index" state=active note="orig note $index"
  [ "$index" -le 10 ] && center=ACC-T
  [ "$index" -ge 41 ] && [ "$index" -le 45 ] && state=suspended
  [ "$index" -ge 51 ] && note=N-T
  printf '{"device_name":"%s","cost_center":"%s","state":"%s","note1":"%s"}\n' \
    "$(name "$index")" "$center" "$state" "$note"
done >"$WORK/preset.jsonl"
start_mock --devices 60 --preset "$WORK/preset.jsonl" --ledger "$WORK/ledger.jsonl" --visible-after-ms 4000
touch "$WORK/ledger.jsonl"

# --- cost-center: 1-10 in place, 11-35 change, 36-37 missing, 38 by ICCID
# (change), 39 device 5 by ICCID (a duplicate of row 5), 40 device 11 by ICCID
# (a duplicate of row 11)
{
  echo "device_name,cost_center,id_type"
  for index in $(seq 1 35); do echo "$(name "$index"),ACC-T,"; done
  echo "nope-1,ACC-T,"
  echo "nope-2,ACC-T,"
  for index in 38 5 11; do echo "$(iccid_of "$MOCK_URL" "$(name "$index")"),ACC-T,iccid"; done
} >"$WORK/cc.csv"
account_state "$MOCK_URL" "$WORK/before-cc"
status=0
batch plan --op cost-center --manifest "$WORK/cc.csv" --endpoint "$MOCK_URL" >"$WORK/plan.out" 2>&1 || status=$?
assert_eq 1 "$status" "plan exit status"
assert_eq "26 10 2 0 2" "$(for kind in change unchanged missing conflict invalid; do
  sed -n "s/^  $kind *\([0-9]*\)\$/\1/p" "$WORK/plan.out"; done | tr '\n' ' ' | sed 's/ $//')" \
  "plan: change unchanged missing conflict invalid"
assert_eq 0 "$(wc -l <"$WORK/ledger.jsonl")" "plan wrote"
run_batch 1 --op cost-center --manifest "$WORK/cc.csv" --endpoint "$MOCK_URL" --out "$WORK/cc"
# rows 39 and 40 name devices rows 5 and 11 name: invalid, as plan said
assert_eq "error=2 invalid=2 ok=26 unchanged=10" "$(statuses "$WORK/cc/results.csv")" "cost-center statuses"
ledger_writes "$WORK/ledger.jsonl" 0 | awk '{print $2}' | sort >"$WORK/written"
for index in $(seq 11 35) 38; do name "$index"; echo; done | sort >"$WORK/expected-writes"
cmp -s "$WORK/expected-writes" "$WORK/written" ||
  fail "writes other than the 26 changing rows: $(diff "$WORK/expected-writes" "$WORK/written" | head -5)"
grep -q '^39,invalid,,"\?duplicate of row 5: same device mock-0000005 (this row names it by iccid' "$WORK/cc/results.csv" ||
  fail "row 39: $(sed -n 40p "$WORK/cc/results.csv")"
undone cc cost-center
# every row already in place: exit 0, nothing written
head -11 "$WORK/cc.csv" >"$WORK/in-place.csv"
before=$(wc -l <"$WORK/ledger.jsonl")
run_batch 0 --op cost-center --manifest "$WORK/in-place.csv" --endpoint "$MOCK_URL" --out "$WORK/in-place"
assert_eq "unchanged=10" "$(statuses "$WORK/in-place/results.csv")" "a job already in place"
assert_eq 0 "$(writes_since "$before")" "writes of a job already in place"

# --- note1 of 46-60 (51-60 in place) and simstate suspend of 41-48 (41-45 in place)
{ echo "device_name,field_name,note"; for index in $(seq 46 60); do echo "$(name "$index"),note1,N-T"; done; } >"$WORK/note.csv"
account_state "$MOCK_URL" "$WORK/before-note"
before=$(wc -l <"$WORK/ledger.jsonl")
run_batch 0 --op note --manifest "$WORK/note.csv" --endpoint "$MOCK_URL" --out "$WORK/note"
assert_eq "ok=5 unchanged=10" "$(statuses "$WORK/note/results.csv")" "note statuses"
assert_eq 5 "$(writes_since "$before")" "note writes"
undone note note
{ echo "device_name,state"; for index in $(seq 41 48); do echo "$(name "$index"),suspend"; done; } >"$WORK/simstate.csv"
account_state "$MOCK_URL" "$WORK/before-simstate"
before=$(wc -l <"$WORK/ledger.jsonl")
run_batch 0 --op simstate --manifest "$WORK/simstate.csv" --endpoint "$MOCK_URL" --out "$WORK/simstate"
assert_eq "ok=3 unchanged=5" "$(statuses "$WORK/simstate/results.csv")" "simstate statuses"
assert_eq 3 "$(writes_since "$before")" "simstate writes"
undone simstate simstate

# --- activate: a typed confirmation (rows, estimated cost) before any write
gen "$WORK/act.csv" --op activate --rows 5 --seed 77
sed -i 's/,ACME Co 5mb Rate Plan,/,ACME Co 10MB Plan,/' "$WORK/act.csv"
before=$(wc -l <"$WORK/ledger.jsonl")
status=0
typed_answer no run --op activate --manifest "$WORK/act.csv" --endpoint "$MOCK_URL" --out "$WORK/act-no" \
  >"$WORK/typed.out" 2>&1 || status=$?
assert_eq 2 "$status" "activate, typed 'no'"
grep -q "activate 5 rows at an estimated cost of 7.50" "$WORK/typed.out" ||
  fail "the question does not show rows and cost (5 x 1.50): $(cat "$WORK/typed.out")"
assert_eq 0 "$(writes_since "$before")" "writes before a confirmation"
[ ! -e "$WORK/act-no" ] || fail "a job directory was left without a confirmation"
run_batch 0 --op activate --manifest "$WORK/act.csv" --endpoint "$MOCK_URL" --out "$WORK/act"
assert_eq 5 "$(writes_since "$before")" "activations written with --yes"
status=0
batch verify "$WORK/act" >/dev/null 2>&1 || status=$?
assert_eq 1 "$status" "verify right after the activations"
assert_eq 5 "$(grep -c ',pending$' "$WORK/act/verify.csv")" "pending right after the activations"
batch verify "$WORK/act" --wait 1m >/dev/null 2>&1 || fail "verify --wait 1m exited $?"
assert_eq 5 "$(grep -c ',verified$' "$WORK/act/verify.csv")" "verified once the mock shows them"
stop_mock
echo ok
