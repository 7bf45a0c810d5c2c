#!/usr/bin/env bash
# Crash test (issue 5): a 20,000-row job against lattigo-sim with latency is
# killed with SIGKILL at several random moments and resumed each time. Then:
# every row appears exactly once in results.csv with the same status as an
# uninterrupted run of the same job; the simulator's ledger shows no
# non-idempotent effect applied twice; the audit trail verifies.
#   usage: crash_resume.sh OP          (OP: cost-center or activate)
# With LATTIGO_CHECKPOINT_SEGMENT_BYTES small (the crash_resume_compaction_*
# tests) the checkpoint is compacted every few calls, so kills land before,
# during and after compactions; results.csv must then also match the
# uninterrupted run's messages and HTTP statuses, and the checkpoint must
# stay bounded (two segments).
source "$(dirname "$0")/lib.sh"

op=${1:-${CRASH_OP:?operation}}
rows=${CRASH_ROWS:-20000}
kills=${CRASH_KILLS:-5}
gen="$SOURCE_DIR/scripts/gen-manifest.py"
manifest="$WORK/manifest.csv"
case "$op" in
  activate) python3 "$gen" --op activate --rows "$rows" --seed 7 --bad bad-luhn=3 --bad duplicate=2 --out "$manifest" ;;
  *) python3 "$gen" --op "$op" --rows "$rows" --seed 7 --names sim-default --sim-devices "$rows" --out "$manifest" ;;
esac
# the job's own options: small chunks so the job lasts long enough to be killed
job_options=(--op "$op" --manifest "$manifest" --chunk 20 --concurrency 8 --quiet --yes)
sim_options=(--devices "$rows" --seed 7)

# 1. the reference: one uninterrupted run
start_sim "${sim_options[@]}"
reference_status=0
batch run "${job_options[@]}" --endpoint "$SIM_URL" --out "$WORK/reference" || reference_status=$?
stop_sim
[ "$reference_status" -le 1 ] || fail "reference run exited $reference_status"

# 2. the crashed job: one simulator (state and ledger survive the kills)
start_sim "${sim_options[@]}" --latency-ms 15 --ledger "$WORK/ledger.jsonl"
killed=0
for attempt in $(seq 1 "$kills"); do
  # exec'd directly, so that $! is lattigo-batch itself and SIGKILL hits it
  LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" \
    "$LATTIGO_BATCH" run "${job_options[@]}" --endpoint "$SIM_URL" --out "$WORK/crashed" &
  pid=$!
  # a random moment: 100–700 ms into this run (not a readiness wait)
  sleep "0.$((RANDOM % 6 + 1))$((RANDOM % 10))"
  if kill -KILL "$pid" 2>/dev/null; then
    killed=$((killed + 1))
  fi
  wait "$pid" 2>/dev/null || true
done
note "killed $killed of $kills runs"
final_status=0
batch run "${job_options[@]}" --endpoint "$SIM_URL" --out "$WORK/crashed" || final_status=$?
stop_sim
assert_eq "$reference_status" "$final_status" "exit status after resuming"
[ "$killed" -ge 3 ] || fail "the job finished before it could be killed ($killed kills): make it longer"

# 3. every row once, same status as the reference
compacting=0
if [ -n "${LATTIGO_CHECKPOINT_SEGMENT_BYTES:-}" ]; then
  compacting=1
  [ -e "$WORK/crashed/checkpoint.prev" ] || fail "the checkpoint was never compacted"
  # a segment is compacted at the first commit past the size: it may hold
  # one commit group (at most 1,024 records) more
  limit=$((2 * (LATTIGO_CHECKPOINT_SEGMENT_BYTES + 160 * 1024)))
  used=$(cat "$WORK"/crashed/checkpoint* | wc -c)
  [ "$used" -le "$limit" ] || fail "the checkpoint holds $used bytes, more than two segments ($limit)"
fi
# idempotent rows re-sent after a kill get the same answer; a non-idempotent
# row in doubt is read back, whose message says so: statuses only then
[ "$op" = activate ] && compacting=0
python3 - "$WORK/reference/results.csv" "$WORK/crashed/results.csv" "$rows" "$compacting" <<'EOF'
import csv, sys
def load(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))
reference, crashed, rows = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
numbers = [int(r['row']) for r in crashed]
assert numbers == list(range(1, rows + 1)), f"results.csv rows are not 1..{rows} once each in order"
compare = ['status', 'http_status', 'message'] if sys.argv[4] == '1' else ['status']
differences = [(a['row'], a['status'], b['status'], b['message'])
               for a, b in zip(reference, crashed) if [a[k] for k in compare] != [b[k] for k in compare]]
assert not differences, f"{len(differences)} rows differ from the uninterrupted run, e.g. {differences[:5]}"
EOF
[ $? -eq 0 ] || fail "results differ"

# 4. exactly once: no key applied twice by a non-idempotent operation
if [ "$op" = activate ]; then
  duplicates=$(python3 -c '
import json, sys, collections
keys = collections.Counter(json.loads(line)["key"] for line in open(sys.argv[1]) if line.strip())
print(sum(1 for count in keys.values() if count > 1))' "$WORK/ledger.jsonl")
  assert_eq 0 "$duplicates" "ICCIDs activated more than once"
fi

# 5. the audit trail's chain holds across every resume, and no secret leaked
batch audit verify "$WORK/crashed/audit.jsonl.gz" >/dev/null || fail "audit verify failed"
if zcat "$WORK/crashed/audit.jsonl.gz" | grep -q -- "$TEST_API_KEY" ||
   grep -rqa -- "$TEST_API_KEY" "$WORK/crashed"; then
  fail "the api key appears in the job directory"
fi
note "ok: $rows rows, $killed kills, outcomes equal to the uninterrupted run"
