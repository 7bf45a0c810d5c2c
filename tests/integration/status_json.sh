#!/usr/bin/env bash
# `status OUTDIR --json` states the facts of the text form as one JSON object,
# and summary.json is a live snapshot (running, complete false) while a job
# runs, then the final figures (issue 13).
source "$(dirname "$0")/lib.sh"

rows=200
manifest="$WORK/centers.csv"
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op cost-center --rows "$rows" --seed 3 \
  --names sim-default --sim-devices "$rows" --out "$manifest" || fail "gen-manifest.py failed"
out="$WORK/job"

# A slow service: 20 calls of 150 ms one after the other, so the job runs for
# about 3 s and the live summary.json can be read while it does.
start_sim --devices "$rows" --seed 3 --latency-ms 150
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" run \
  --op cost-center --manifest "$manifest" --chunk 10 --concurrency 1 --quiet \
  --endpoint "$SIM_URL" --out "$out" 2>"$WORK/run.stderr" &
job_pid=$!
CHILD_PIDS+=("$job_pid")

# Wait (bounded) for the first snapshot the run writes as it starts.
deadline=$((SECONDS + 30))
until [ -f "$out/summary.json" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "no summary.json while the job runs"
  kill -0 "$job_pid" 2>/dev/null || fail "the job ended before it wrote a live summary.json"
  sleep 0.05
done
python3 - "$out/summary.json" <<'PY' || fail "live summary.json: $(cat "$out/summary.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["running"] is True and s["complete"] is False, s
assert s["finished_at"] is None and s["exit_status"] is None, s
assert s["op"] == "cost-center" and s["updated_at"], s
PY
batch status "$out" --json >"$WORK/live.json" || fail "status --json of a running job failed"
python3 - "$WORK/live.json" "$job_pid" <<'PY' || fail "status --json while running: $(cat "$WORK/live.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["state"] == "running" and s["pid"] == int(sys.argv[2]), s
assert s["operation"] == "cost-center" and s["rows_done"] <= 200, s
PY
status=0
wait "$job_pid" || status=$?
assert_eq 0 "$status" "exit status of the job ($(tail -3 "$WORK/run.stderr"))"
stop_sim

# Finished: the JSON form says what the text form says, and agrees with summary.json.
batch status "$out" >"$WORK/status.txt" || fail "status failed"
batch status "$out" --json >"$WORK/status.json" || fail "status --json failed"
python3 - "$WORK/status.json" "$WORK/status.txt" "$out/summary.json" "$manifest" <<'PY' || fail "status --json: $(cat "$WORK/status.json")"
import hashlib, json, re, sys
s = json.load(open(sys.argv[1]))
text = dict(re.match(r"([a-z ]+):\s+(.*)", line).groups() for line in open(sys.argv[2]))
summary = json.load(open(sys.argv[3]))
manifest = open(sys.argv[4], "rb").read()
assert s["state"] == "finished" and text["state"] == "finished" and s["pid"] is None, s
assert s["operation"] == text["operation"] == summary["op"], s
assert s["job_id"] == text["job id"], (s, text)
assert text["manifest"] == "%s (%d bytes)" % (s["manifest"], s["manifest_bytes"]), text
assert s["manifest_bytes"] == len(manifest), s
assert s["manifest_sha256"] == hashlib.sha256(manifest).hexdigest(), s
assert text["rows"] == "%d of %d done (%.1f%%)" % (s["rows_done"], s["rows_total"], s["percent_done"]), text
assert s["rows_total"] == summary["rows_total"] == 200, s
for status, n in s["counts"].items():
    assert summary["counts"][status] == n, (status, s, summary)
    assert "%s %d" % (status, n) in text["by status"], text
assert text["in doubt"] == str(s["in_doubt"]) and s["in_doubt"] == 0, s
assert text["calls"] == "%d (retries %d, throttled %d)" % (s["calls"], s["retries"], s["throttled"]), text
assert s["calls"] == summary["calls"] == 20, s
assert text["started"] == s["started_at"] and text["last update"] == s["last_update"], text
assert s["checkpoint"]["intact"] is True and s["checkpoint"]["torn_bytes"] == 0, s
assert text["checkpoint"] == "intact (%d records, %d bytes)" % (s["checkpoint"]["records"], s["checkpoint"]["valid_bytes"]), text
assert summary["running"] is False and summary["complete"] is True and summary["exit_status"] == 0, summary
PY

# A job that was stopped (no lock, not finished): state "stopped"; a torn tail is reported.
cp -r "$out" "$WORK/stopped"
python3 - "$WORK/stopped/checkpoint" <<'PY'
import sys
# Drop the job_finished record and leave half of the record before it: a crash.
data = open(sys.argv[1], "rb").read()
open(sys.argv[1], "wb").write(data[:-40])
PY
batch status "$WORK/stopped" --json >"$WORK/stopped.json" || fail "status --json of a stopped job failed"
python3 - "$WORK/stopped.json" <<'PY' || fail "status --json stopped: $(cat "$WORK/stopped.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["state"] == "stopped", s
assert s["checkpoint"]["intact"] is False and s["checkpoint"]["torn_bytes"] > 0, s
PY

# Usage errors: no directory, an unknown option.
status=0
batch status --json >/dev/null 2>&1 || status=$?
assert_eq 2 "$status" "status --json without OUTDIR"
status=0
batch status "$out" --jsn >/dev/null 2>&1 || status=$?
assert_eq 2 "$status" "status with an unknown option"
