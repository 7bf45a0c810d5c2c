#!/usr/bin/env bash
# --drop-rate 0.1 on activate: the simulator applies the activation and then
# closes the connection unanswered. activate is not idempotent, so those calls
# are never re-sent: each row is read back (ok when the device exists) or
# ends unknown. No ICCID may be activated twice.
source "$TESTS_DIR/integration/lib.sh"
source "$TESTS_DIR/integration/engine_common.sh"

rows=500
m=$(manifest lot --op activate --rows $rows --seed 3)
start_sim --drop-rate 0.1 --seed 11 --ledger "$WORK/ledger.jsonl"
status=0
batch run --quiet --yes --op activate --manifest "$m" --chunk 10 --concurrency 4 \
  --endpoint "$SIM_URL" --out "$WORK/out" 2>"$WORK/batch.stderr" || status=$?
stop_sim
case "$status" in 0 | 1) ;; *) fail "exit $status: $(tail -5 "$WORK/batch.stderr")" ;; esac

python3 - "$WORK/ledger.jsonl" "$WORK/out/results.csv" "$rows" <<'PY' || fail "exactly-once check failed"
import collections, csv, json, sys
ledger = [json.loads(line) for line in open(sys.argv[1])]
applied = collections.Counter(entry["key"] for entry in ledger if entry["op"] == "activate")
twice = [iccid for iccid, count in applied.items() if count > 1]
if twice:
    sys.exit("activated more than once: %s" % twice[:5])
rows = list(csv.DictReader(open(sys.argv[2], newline="")))
if len(rows) != int(sys.argv[3]):
    sys.exit("results.csv has %d rows, expected %s" % (len(rows), sys.argv[3]))
reconciled = 0
for row in rows:
    if row["status"] == "ok":
        if row["iccid"] not in applied:
            sys.exit("row %s is ok but its ICCID was never activated" % row["row"])
        reconciled += "reconciled" in row["message"]
    elif row["status"] == "unknown":
        if "check before re-sending" not in row["message"] and "not retried" not in row["message"]:
            sys.exit("row %s unknown without a reason: %s" % (row["row"], row["message"]))
    else:
        sys.exit("row %s ended %s: %s" % (row["row"], row["status"], row["message"]))
if reconciled == 0:
    sys.exit("no dropped call was reconciled: did the drop rate apply?")
print("reconciled rows:", reconciled)
PY
