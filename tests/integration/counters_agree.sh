#!/usr/bin/env bash
# One set of counters (issue 17 §2): a job interrupted twice (SIGINT, then
# SIGKILL) and resumed to its end shows the same rows per status, in-doubt
# rows, calls and retries in its progress lines, its closing lines, `status
# --json`, summary.json and the audit trail; the total it prints never shifts;
# summary.json keeps the job's first start and one entry per run.
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

rows=3000
m=$(manifest lot --op cost-center --rows $rows --names sim-default --sim-devices $rows --bad missing=9)
start_sim --latency-ms 40 --devices $rows --ledger "$WORK/ledger.jsonl"
out="$WORK/jobs/../out//lot"
mkdir -p "$WORK/jobs"
export COLUMNS=200 # the progress lines in full, to be read back

# wait_ledger N: until the simulator has applied at least N changes (bounded)
wait_ledger() {
  for _ in $(seq 1 400); do
    [ -s "$WORK/ledger.jsonl" ] && [ "$(wc -l <"$WORK/ledger.jsonl")" -ge "$1" ] && return 0
    sleep 0.05
  done
  fail "the simulator applied fewer than $1 changes"
}

# check_agree RUN_STDERR: every counter agrees across the outputs of the job.
check_agree() {
  batch status "$out" --json >"$WORK/status.json" || fail "status --json failed"
  python3 - "$1" "$WORK/status.json" "$WORK/out/lot/summary.json" \
    "$WORK/out/lot/audit.jsonl.gz" "$rows" <<'PY'
import json, re, sys, zlib
stderr_path, status_path, summary_path, audit_path, rows = sys.argv[1:6]
rows = int(rows)
text = open(stderr_path).read()
status = json.load(open(status_path))
summary = json.load(open(summary_path))

def number(s):
    return int(s.replace(",", ""))

def fail(message):
    sys.exit("counters disagree: " + message)

# the audit trail, read as the ground truth of calls (a killed writer may
# leave a truncated last member: its complete lines count)
data = open(audit_path, "rb").read()
lines = b""
while data:
    d = zlib.decompressobj(31)
    lines += d.decompress(data)
    data = d.unused_data
records = [json.loads(l) for l in lines.split(b"\n")[:-1] if l.strip()]
exchanges = [r for r in records if r["kind"] == "exchange"]
calls = len(exchanges)
retries = sum(1 for r in exchanges if r["attempt"] > 1)
for r in records:
    if "counts" not in r:
        fail("audit record %d has no counts" % r["seq"])
if records[-1]["counts"]["calls"] != calls:
    fail("last audit record counts %d calls, the trail holds %d" % (records[-1]["counts"]["calls"], calls))

# progress lines: the total is absent or exact, never an estimate
progress = [l for l in text.splitlines() if l.startswith("rows ")]
if not progress:
    fail("no progress line")
for line in progress:
    m = re.match(r"rows ([\d,]+)(?:/([\d,]+) \(\d+%\))? \| ok ([\d,]+) error ([\d,]+) unknown ([\d,]+) invalid ([\d,]+)", line)
    if not m:
        fail("progress line not understood: " + line)
    if m.group(2) and number(m.group(2)) != rows:
        fail("progress total shifted: " + line)
last = re.match(r"rows ([\d,]+)(?:/[\d,]+ \(\d+%\))? \| ok ([\d,]+) error ([\d,]+) unknown ([\d,]+) invalid ([\d,]+)", progress[-1])
progress_counts = {"done": number(last.group(1)), "ok": number(last.group(2)),
                   "error": number(last.group(3)), "unknown": number(last.group(4)),
                   "invalid": number(last.group(5))}

# the closing lines
table = {}
for line in text.splitlines():
    m = re.match(r"  (ok|error|invalid|unknown|skipped|pending) +([\d,]+)$", line)
    if m:
        table[m.group(1)] = number(m.group(2))
job = re.search(r"  job \(([\d,]+) runs?\): ([\d,]+) calls?, ([\d,]+) retr(?:y|ies), ([\d,]+) throttled", text)
this_run = re.search(r"  this run: ([\d,]+) rows?(?:, ([\d,]+) calls?)?", text)
head = re.search(r" (finished: ([\d,]+) rows?|stopped early: ([\d,]+) of ([\d,]+) rows? done)", text)
if not job or not this_run or not head:
    fail("closing lines not found in:\n" + text)

done = sum(summary["counts"][k] for k in ("ok", "error", "invalid", "unknown", "skipped"))
for key in ("ok", "error", "unknown", "invalid"):
    values = {"summary.json": summary["counts"][key], "status": status["counts"][key],
              "progress": progress_counts[key], "closing": table.get(key, 0)}
    if len(set(values.values())) != 1:
        fail("%s: %s" % (key, values))
if not (done == status["rows_done"] == progress_counts["done"]):
    fail("rows done: summary %d status %d progress %d" % (done, status["rows_done"], progress_counts["done"]))
if head.group(3) and number(head.group(3)) != done:
    fail("closing line says %s done, the job has %d" % (head.group(3), done))
if summary["rows_total"] != rows or status["rows_total"] != rows:
    fail("rows_total: summary %s status %s" % (summary["rows_total"], status["rows_total"]))
values = {"audit": calls, "summary.json": summary["calls"], "status": status["calls"],
          "closing": number(job.group(2))}
if len(set(values.values())) != 1:
    fail("calls: %s" % values)
values = {"audit": retries, "summary.json": summary["retries"], "status": status["retries"],
          "closing": number(job.group(3))}
if len(set(values.values())) != 1:
    fail("retries: %s" % values)
runs = summary["runs"]
if number(job.group(1)) != len(runs):
    fail("closing lines count %s runs, summary.json %d" % (job.group(1), len(runs)))
if sum(r["calls"] for r in runs) != calls or sum(r["rows_settled"] for r in runs) != done:
    fail("the runs do not add up to the job: %s" % runs)
if this_run.group(2) is not None and number(this_run.group(2)) != runs[-1]["calls"]:
    fail("this run's calls: closing %s, summary.json %d" % (this_run.group(2), runs[-1]["calls"]))
if number(this_run.group(1)) != runs[-1]["rows_settled"] or summary["rows_this_run"] != runs[-1]["rows_settled"]:
    fail("this run's rows: closing %s, summary.json %s" % (this_run.group(1), runs[-1]))
print(json.dumps({"calls": calls, "done": done, "in_doubt": status["in_doubt"], "runs": len(runs),
                  "started_at": summary["started_at"]}))
PY
}

# run 1: stopped by SIGINT
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" run --progress --op cost-center --manifest "$m" --chunk 10 --concurrency 2 \
  --endpoint "$SIM_URL" --out "$out" 2>"$WORK/run1.stderr" &
job=$!
CHILD_PIDS+=("$job")
wait_ledger 100
kill -INT "$job"
status=0
wait "$job" || status=$?
assert_eq 3 "$status" "exit status after SIGINT"
grep -q "resume with: lattigo-batch resume $WORK/out/lot\$" "$WORK/run1.stderr" ||
  fail "the closing lines do not say how to resume, with the path normalised: $(tail -5 "$WORK/run1.stderr")"
if grep -qE 'same command again|[^:]//|/\.\./' "$WORK/run1.stderr"; then
  fail "run 1 printed a second resume advice or an unnormalised path: $(cat "$WORK/run1.stderr")"
fi
first=$(check_agree "$WORK/run1.stderr")
note "after SIGINT: $first"
batch status "$out" >"$WORK/status1.txt"
grep -q "of $rows done" "$WORK/status1.txt" || fail "status does not know the total the run counted: $(cat "$WORK/status1.txt")"
started_at=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["started_at"])' "$first")

# run 2: resumed, then killed with SIGKILL mid-run
applied=$(wc -l <"$WORK/ledger.jsonl")
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" resume "$out" \
  --progress --endpoint "$SIM_URL" 2>"$WORK/run2.stderr" &
job=$!
CHILD_PIDS+=("$job")
wait_ledger $((applied + 200))
kill -KILL "$job"
wait "$job" 2>/dev/null || true
batch status "$out" --json >"$WORK/status2.json"
read -r done2 doubt2 calls2 < <(python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
print(s["rows_done"], s["in_doubt"], s["calls"])' "$WORK/status2.json")
[ "$done2" -lt "$rows" ] || fail "run 2 finished before it was killed; nothing was tested"
# the snapshot a killed run leaves never claims more than the checkpoint and
# the audit trail hold (it is written after their commit)
python3 - "$WORK/out/lot/summary.json" "$WORK/status2.json" <<'PY' || fail "summary.json after SIGKILL claims more than the job holds"
import json, sys
summary, status = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
done = sum(summary["counts"][k] for k in ("ok", "error", "invalid", "unknown", "skipped"))
assert done <= status["rows_done"], (done, status["rows_done"])
assert summary["calls"] <= status["calls"], (summary["calls"], status["calls"])
assert summary["runs"][-1]["running"], summary["runs"]
PY
# the runs are recorded as they start (runs.jsonl), not taken from
# summary.json: a run killed before any snapshot, or a lost summary.json,
# still leaves every run listed with its exact share
rm "$WORK/out/lot/summary.json"

# run 3: resumed to the end
# 9 invalid rows: exit 1
status=0
batch resume "$out" --progress --endpoint "$SIM_URL" 2>"$WORK/run3.stderr" || status=$?
assert_eq 1 "$status" "exit status of the last resume (9 invalid rows): $(tail -3 "$WORK/run3.stderr")"
start_line=$(grep -m1 "resuming:" "$WORK/run3.stderr") || fail "no start line: $(head -3 "$WORK/run3.stderr")"
expected=$(python3 -c 'import sys; print("resuming: {:,} of {:,} done, {:,} in doubt".format(*map(int, sys.argv[1:])))' \
  "$done2" "$rows" "$doubt2")
case "$start_line" in
  *"$expected") ;;
  *) fail "start line '$start_line' disagrees with status after the kill ('$expected')" ;;
esac
grep -q "cost-center finished: 3,000 rows" "$WORK/run3.stderr" || fail "closing line: $(cat "$WORK/run3.stderr")"
last=$(check_agree "$WORK/run3.stderr")
note "after the last resume: $last"
python3 - "$WORK/out/lot/summary.json" "$started_at" "$doubt2" "$calls2" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))
started_at, doubt2, calls2 = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
runs = summary["runs"]
assert summary["started_at"] == started_at, ("the job's start moved", summary["started_at"], started_at)
assert len(runs) == 3, runs
assert [r["exit_status"] for r in runs] == [3, None, 1], runs
assert runs[1]["killed"] and not runs[0]["killed"] and not runs[2]["killed"], runs
assert runs[2]["in_doubt_at_start"] == doubt2, (runs, doubt2)
assert runs[0]["calls"] + runs[1]["calls"] == calls2, (runs, calls2)
assert summary["counts"]["ok"] + summary["counts"]["invalid"] == 3000, summary["counts"]
assert summary["counts"]["invalid"] == 9, summary["counts"]
assert runs[1]["ended_at"] > runs[1]["started_at"], runs
PY

# a finished job run again: nothing sent, summary.json untouched
cp "$WORK/out/lot/summary.json" "$WORK/summary.before"
status=0
batch resume "$out" --endpoint "$SIM_URL" 2>"$WORK/run4.stderr" || status=$?
assert_eq 1 "$status" "exit status of a re-run of the finished job (the job's own)"
grep -q "already complete, nothing to send" "$WORK/run4.stderr" || fail "start line: $(cat "$WORK/run4.stderr")"
cmp -s "$WORK/summary.before" "$WORK/out/lot/summary.json" || fail "a re-run of a finished job rewrote summary.json"
stop_sim
