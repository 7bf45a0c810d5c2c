#!/usr/bin/env bash
# Issue 16 #4: rows naming one device legitimately (note: one row per note
# field) reach the API in manifest order — a row for a device never starts
# before every earlier row for it has finished, also across retries — while
# duplicates of one key (an empty id_type is device_name) are refused.
source "$(dirname "$0")/lib.sh"

manifest="$WORK/notes.csv"
{
  echo "device_name,field_name,note,id_type"
  for device in $(seq 36500 36529); do
    echo "$device,note,first $device,"
    echo "$device,note1,second $device,device_name"
    echo "$device,note2,third $device,"
    echo "$device,note3,fourth $device,"
  done
  # the reproduction of the issue: one key written two ways
  echo "36570,note1,FIRST,"
  echo "36570,note1,SECOND,device_name"
} >"$manifest"

start_sim --latency-ms 5 --jitter-ms 40 --fail-rate 0.2 --seed 7
status=0
batch run --op note --manifest "$manifest" --out "$WORK/job" --endpoint "$SIM_URL" --quiet \
  --concurrency 8 --max-retries 20 || status=$?
assert_eq 1 "$status" "exit status (one duplicate row is invalid)"
stop_sim

python3 - "$WORK/job" "$manifest" <<'PY' || fail "rows of one device overtook each other (see above)"
import csv, gzip, json, sys
job, manifest = sys.argv[1], sys.argv[2]
with open(manifest, newline="") as f:
    rows = list(csv.DictReader(f))
device_of = {i + 1: r["device_name"] for i, r in enumerate(rows)}
with open(f"{job}/results.csv", newline="") as f:
    results = {int(r["row"]): r for r in csv.DictReader(f)}
bad = [r for n, r in results.items() if n <= 120 and r["status"] != "ok"]
assert not bad, f"rows not ok: {bad[:3]}"
assert results[122]["status"] == "invalid", results[122]
assert "duplicate of row 121" in results[122]["message"], results[122]
spans = {}  # row -> [first start, last finish]
with gzip.open(f"{job}/audit.jsonl.gz", "rt") as f:
    for line in f:
        record = json.loads(line)
        if record.get("kind") != "exchange":
            continue
        for row in record["rows"]:
            span = spans.setdefault(row, [record["started_at"], record["finished_at"]])
            span[0] = min(span[0], record["started_at"])
            span[1] = max(span[1], record["finished_at"])
retried = 0
problems = []
for row in range(1, 121):
    if row + 1 <= 120 and device_of[row + 1] == device_of[row]:
        if spans[row + 1][0] < spans[row][1]:
            problems.append(f"row {row + 1} started {spans[row + 1][0]} before row {row} finished {spans[row][1]}")
print(f"{len(spans)} rows sent", file=sys.stderr)
if problems:
    print("\n".join(problems[:10]), file=sys.stderr)
    sys.exit(1)
PY
