#!/usr/bin/env bash
# SIGKILL at random moments and resume, against the independent mock (the
# approach of crash_resume.sh, checked with the mock's ledger): every row once in
# results.csv with the status of an uninterrupted run, errors.csv equal to it,
# nothing non-idempotent applied twice (also when activations become visible late),
# the audit chain verifies, no secret in OUT;
# then a changed manifest is refused with exit 4.
#   usage: mock_crash.sh OP   (cost-center or activate)
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/integration/mock_lib.sh"

op=${1:-${MOCK_CRASH_OP:?operation}}
rows=3000
manifest="$WORK/manifest.csv"
case "$op" in
  activate) gen "$manifest" --op activate --rows $rows --seed 12 --bad bad-luhn=3 --bad duplicate=2 --expect "$WORK/expect.csv" ;;
  *) gen "$manifest" --op "$op" --rows $rows --seed 12 --names prefix --name-prefix mock- --bad missing=2 --expect "$WORK/expect.csv" ;;
esac
devices=$((rows - 100)) # the last 100 devices do not exist: error rows
job_options=(--op "$op" --manifest "$manifest" --chunk 10 --concurrency 4 --quiet --yes --no-preflight)

# 1. the reference: one uninterrupted run on a fresh mock
start_mock --devices $devices --ledger "$WORK/reference.ledger"
reference_status=0
batch run "${job_options[@]}" --endpoint "$MOCK_URL" --out "$WORK/reference" 2>"$WORK/reference.stderr" || reference_status=$?
stop_mock
assert_eq 1 "$reference_status" "exit status of the uninterrupted run"

# 2. killed at random moments, resumed each time, one mock throughout (with latency).
# An activated device shows up only 7 s after its activation ("accepted and will be
# worked on"): longer than the client waits before reading rows in doubt back.
start_mock --devices $devices --latency-ms 15 --visible-after-ms 7000 --ledger "$WORK/ledger.jsonl"
touch "$WORK/ledger.jsonl"
killed=0
for attempt in 1 2 3 4 5; do
  LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" \
    "$LATTIGO_BATCH" run "${job_options[@]}" --endpoint "$MOCK_URL" --out "$WORK/crashed" 2>>"$WORK/crashed.stderr" &
  pid=$!
  sleep "0.$((RANDOM % 5 + 1))$((RANDOM % 10))" # a random moment, 100–599 ms in
  kill -KILL "$pid" 2>/dev/null && killed=$((killed + 1))
  wait "$pid" 2>/dev/null || true
done
final_status=0
batch run "${job_options[@]}" --endpoint "$MOCK_URL" --out "$WORK/crashed" 2>>"$WORK/crashed.stderr" || final_status=$?
stop_mock
note "killed $killed of 5 runs"
[ "$killed" -ge 3 ] || fail "the job finished before it could be killed ($killed kills)"
assert_eq "$reference_status" "$final_status" "exit status after resuming"

check_job "$op" "$manifest" "$WORK/crashed" "$WORK/ledger.jsonl" "$WORK/expect.csv"
python3 - "$WORK/reference" "$WORK/crashed" <<'PY' || fail "the resumed job differs from the uninterrupted one"
import csv, sys
def load(directory, name):
    with open(directory + "/" + name, newline="") as f:
        return list(csv.reader(f))
reference, crashed = load(sys.argv[1], "results.csv"), load(sys.argv[2], "results.csv")
assert len(reference) == len(crashed), "row counts differ"
different = [(a[0], a[1], b[1], b[3]) for a, b in zip(reference[1:], crashed[1:]) if a[1] != b[1]]
assert not different, "%d rows differ, e.g. %s" % (len(different), different[:3])
assert load(sys.argv[1], "errors.csv") == load(sys.argv[2], "errors.csv"), "errors.csv differs"
PY
batch audit verify "$WORK/crashed/audit.jsonl.gz" >/dev/null || fail "audit verify failed"
assert_no_secret_in "$WORK/crashed"

# 3. a changed manifest is refused (exit 4), nothing sent
sed -i '5d' "$manifest"
status=0
batch run "${job_options[@]}" --endpoint "$MOCK_URL" --out "$WORK/crashed" 2>"$WORK/changed.stderr" || status=$?
assert_eq 4 "$status" "exit status of a resume with a changed manifest"
note "ok: $op killed $killed times and resumed against the mock"
