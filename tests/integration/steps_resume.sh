#!/usr/bin/env bash
# kill -9 of a job with "steps", then resume: during a verification wait,
# during a later step, while activations are in flight, and while rounds of
# verification reads go on. Nothing
# non-idempotent is sent twice (each ICCID activated once, by the service's
# own record), no step is skipped, every row ends ok through every step.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mock_lib.sh"

ROWS=16
gen_lot "$WORK/lot.csv" $ROWS 11 4
cut -d, -f1 "$WORK/lot.csv" | tail -n +2 >"$WORK/iccids"

write_job() { # endpoint activate-chunk cost-center-chunk
  cat >"$WORK/job.json" <<JSON
{"manifest": "lot.csv",
 "steps": [
  {"op": "activate", "verify": "2m", "chunk": $2},
  {"op": "cost-center", "map": {"cost_center": "Site"}, "chunk": $3},
  {"op": "note", "set": {"field_name": "note2", "note": "provisioned"}}
 ],
 "endpoint": "$1", "concurrency": 2}
JSON
}

# start_job OUT: the job in the background (JOB_PID)
start_job() {
  # the program itself, not a subshell: kill -9 must hit it
  LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" run --yes --quiet \
    "$WORK/job.json" --out "$1" >"$WORK/first.out" 2>"$WORK/first.err" &
  JOB_PID=$!
  CHILD_PIDS+=("$JOB_PID")
}
kill_job() {
  kill -KILL "$JOB_PID" 2>/dev/null || fail "the job ended before it was killed"
  wait "$JOB_PID" 2>/dev/null || true
}
# wait_until DESCRIPTION COMMAND...: polls COMMAND (every 50 ms, 60 s at most)
wait_until() {
  local what=$1 tries=0
  shift
  until "$@"; do
    tries=$((tries + 1))
    [ $tries -lt 1200 ] || fail "timed out waiting for $what"
    sleep 0.05
  done
}
resume_ok() { # OUT
  local status=0
  # an activation step costs money: a resume needs --yes as a run does
  batch resume --yes "$1" >"$WORK/resume.out" 2>"$WORK/resume.err" || status=$?
  assert_eq 0 "$status" "resume of $1 ($(tail -3 "$WORK/resume.err"))"
  python3 - "$1/results.csv" $ROWS <<'PY' || fail "results of $1"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == int(sys.argv[2]), len(rows)
for row in rows:
    got = [row[c] for c in ("status", "activate", "cost_center", "note")]
    assert got == ["ok"] * 4, (row["row"], got, row["message"])
PY
  # summary.json: the killed run and this one, each with the rows it settled
  python3 - "$1/summary.json" $ROWS <<'PY' || fail "summary.json of $1"
import json, sys
summary = json.load(open(sys.argv[1]))
runs = summary["runs"]
assert len(runs) == 2 and runs[0]["killed"] and not runs[1]["killed"], runs
assert runs[1]["rows_settled"] == summary["rows_this_run"], (runs, summary["rows_this_run"])
assert sum(run["rows_settled"] for run in runs) == int(sys.argv[2]), runs
PY
}
# activations_sent OUT: the most times one ICCID went out in an activation call
activations_sent() {
  zcat "$1/audit.jsonl.gz" 2>/dev/null | python3 -c '
import collections, json, sys
sent = collections.Counter()
for line in sys.stdin:
    try:
        entry = json.loads(line)
    except ValueError:
        continue
    if entry.get("kind") == "exchange" and entry["url"].endswith("activation_request"):
        for request in json.loads(entry["request_body"])["activation_requests"]:
            sent[request["iccid"]] += 1
print(max(sent.values()) if sent else 0)'
}
pending_count() {
  api GET 'v2/devices?state=pending&per_page=1000' | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
cost_centers_set() { # how many of the lot's devices have their cost center
  local count=0 iccid
  while read -r iccid; do
    api GET "v2/devices/$iccid?id_type=iccid" | grep -q '"cost_center":"Site' && count=$((count + 1))
  done <"$WORK/iccids"
  echo $count
}

# ---- 1. killed during the verification wait (activations pending 3 s) ----
start_sim --activation-delay-ms 3000
write_job "$SIM_URL" 8 4
start_job "$WORK/out1"
all_pending() { [ "$(pending_count)" = $ROWS ]; }
wait_until "every activation pending" all_pending
kill_job
[ ! -s "$WORK/out1/steps/2-cost-center/outcomes.idx" ] || note "cost-center had begun"
resume_ok "$WORK/out1"
assert_eq 1 "$(activations_sent "$WORK/out1")" "activations per ICCID (wait)"
assert_eq $ROWS "$(cost_centers_set)" "cost centers after the resume (wait)"
stop_sim

# ---- 2. killed during step 2 (one cost center per call, slow answers) ----
start_sim --activation-delay-ms 300 --latency-ms 300
write_job "$SIM_URL" 8 1
start_job "$WORK/out2"
first_iccid=$(head -1 "$WORK/iccids")
first_set() { api GET "v2/devices/$first_iccid?id_type=iccid" | grep -q '"cost_center":"Site'; }
wait_until "the first cost center" first_set
kill_job
note "cost centers set when killed: $(cost_centers_set) of $ROWS"
resume_ok "$WORK/out2"
assert_eq 1 "$(activations_sent "$WORK/out2")" "activations per ICCID (step 2)"
assert_eq $ROWS "$(cost_centers_set)" "cost centers after the resume (step 2)"
stop_sim

# ---- 3. the mock, killed while activations are in flight (one per call,
# answered 400 ms after they are applied): rows in doubt are read back, not
# sent again ----
start_mock --latency-ms 400 --visible-after-ms 600 --ledger "$WORK/ledger.jsonl"
write_job "$MOCK_URL" 1 4
start_job "$WORK/out3"
some_applied() { [ -s "$WORK/ledger.jsonl" ] && [ "$(grep -c '"activate"' "$WORK/ledger.jsonl")" -ge 3 ]; }
wait_until "activations applied" some_applied
kill_job
resume_ok "$WORK/out3"
stop_mock
python3 - "$WORK/ledger.jsonl" "$WORK/iccids" <<'PY' || fail "mock ledger after the resume"
import collections, json, sys
ledger = [json.loads(line) for line in open(sys.argv[1])]
iccids = open(sys.argv[2]).read().split()
activated = collections.Counter(e["key"] for e in ledger if e["op"] == "activate")
assert sorted(activated) == sorted(iccids) and set(activated.values()) == {1}, activated
at = {e["key"]: e["at"] for e in ledger if e["op"] == "activate"}
for entry in ledger:
    if entry["op"] in ("cost-center", "note"):
        assert entry["at"] >= at[entry["key"].split(":")[0]] + 0.6, entry
assert len([e for e in ledger if e["op"] == "cost-center"]) >= len(iccids)
PY
grep -q 'read back\|reconciled' "$WORK/out3/results.csv" "$WORK/out3/steps/1-activate/outcomes.msg" 2>/dev/null ||
  note "no row was in doubt at the kill"
# ---- 4. killed while rounds of verification reads go on (200 rows: the
# account's listing is read in rounds, its pages calls of the job's engine
# that are not journaled): the waits go on where they were ----
gen "$WORK/many.csv" --op activate --rows 200 --seed 12
cat >"$WORK/many.json" <<'JSON'
{"manifest": "many.csv", "concurrency": 4,
 "steps": [{"op": "activate", "verify": "2m"}, {"op": "note", "set": {"field_name": "note3", "note": "ok"}}]}
JSON
start_sim --activation-delay-ms 2500
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" run --yes --quiet \
  "$WORK/many.json" --endpoint "$SIM_URL" --out "$WORK/out4" >"$WORK/first.out" 2>"$WORK/first.err" &
JOB_PID=$!
CHILD_PIDS+=("$JOB_PID")
# a page of the listing read after the activations went out: a round is on
round_read() {
  python3 - "$WORK/out4/audit.jsonl.gz" <<'PY'
import gzip, json, sys
activated = False
try:
    with gzip.open(sys.argv[1], "rt") as trail:
        for line in trail:
            entry = json.loads(line)
            if entry.get("kind") != "exchange":
                continue
            activated |= entry["url"].endswith("activation_request")
            if activated and "v2/devices?details=true&page=" in entry["url"]:
                sys.exit(0)
except (OSError, EOFError, ValueError):
    pass  # not there yet, or its last record still being written
sys.exit(1)
PY
}
wait_until "a round of reads" round_read
kill_job
status=0
batch resume --yes "$WORK/out4" >"$WORK/resume.out" 2>"$WORK/resume.err" || status=$?
assert_eq 0 "$status" "resume after a kill during the rounds ($(tail -3 "$WORK/resume.err"))"
assert_eq 200 "$(grep -c '^[0-9]*,ok,ok,ok,' "$WORK/out4/results.csv")" "rows ok through both steps (rounds)"
assert_eq 1 "$(activations_sent "$WORK/out4")" "activations per ICCID (rounds)"
stop_sim
note "steps_resume: all checks passed"
