#!/usr/bin/env bash
# Where a job sends and what a run is about to do are always visible (issue 17
# §2, §3): the start line says `new job`, `resuming: N of T done, D in doubt`
# or `already complete, nothing to send`; the endpoint is in the start line,
# status (text and --json) and summary.json; a resume given another --endpoint
# than the job's is refused (exit 4) unless --force-endpoint.
source "$(dirname "$0")/lib.sh"

manifest="$WORK/lot.csv"
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op activate --rows 300 --seed 7 --out "$manifest"
python3 - "$manifest" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
for row in rows:
    row["rate_plan_name"] = "No Such Plan"  # every row refused: --max-errors stops the job
with open(sys.argv[1], "w", newline="") as out:
    writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    writer.writerows(rows)
PY
start_sim --ledger "$WORK/ledger.jsonl"
out="$WORK/out"
json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"; }

step() { # expected-exit what -- command...
  local expected=$1 what=$2 status=0
  shift 3
  "$@" >"$WORK/stdout.txt" 2>"$WORK/err.txt" || status=$?
  assert_eq "$expected" "$status" "exit status ($what)"
}

step 3 "first run, stopped by --max-errors" -- \
  batch run --op activate --yes --no-preflight --manifest "$manifest" --chunk 10 --concurrency 1 --max-errors 20 \
  --endpoint "$SIM_URL" --out "$out"
grep -qx "lattigo-batch: activate to $SIM_URL: new job" "$WORK/err.txt" ||
  fail "no 'new job' start line naming the endpoint: $(head -3 "$WORK/err.txt")"
assert_eq "$SIM_URL" "$(json_field "$out/summary.json" endpoint)" "summary.json endpoint"

batch status "$out" >"$WORK/status.txt"
grep -Eq "^endpoint: +$SIM_URL\$" "$WORK/status.txt" || fail "status does not show the endpoint"
batch status "$out" --json >"$WORK/status.json"
assert_eq "$SIM_URL" "$(json_field "$WORK/status.json" endpoint)" "status --json endpoint"
done_rows=$(json_field "$WORK/status.json" rows_done)

# another endpoint on the command line: refused, naming both, nothing sent
other="http://127.0.0.1:9"
step 4 "resume at another endpoint" -- batch resume "$out" --yes --endpoint "$other"
grep -q "$other" "$WORK/err.txt" && grep -q "$SIM_URL" "$WORK/err.txt" ||
  fail "the refusal does not name both endpoints: $(cat "$WORK/err.txt")"
grep -q -- "--force-endpoint" "$WORK/err.txt" || fail "the refusal gives no way out"
assert_eq "$done_rows" "$(batch status "$out" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["rows_done"])')" \
  "rows done after the refused resume"
# a re-run (run, not resume) at another endpoint is refused the same way
step 4 "re-run at another endpoint" -- \
  batch run --op activate --yes --no-preflight --manifest "$manifest" --chunk 10 --concurrency 1 --endpoint "$other" --out "$out"
grep -q "$other" "$WORK/err.txt" || fail "the re-run refusal does not name the endpoint given"

step 1 "resume to the end" -- batch resume "$out" --yes --max-errors 100% --verbose
grep -q "^POST $SIM_URL/v2/" "$WORK/err.txt" || fail "--verbose does not print full URLs: $(grep -m1 POST "$WORK/err.txt")"
grep -Eq "^lattigo-batch: activate to $SIM_URL: resuming: $done_rows (of 300 done|done \(total not counted yet\)), 0 in doubt\$" "$WORK/err.txt" ||
  fail "no 'resuming' start line with the job's figures ($done_rows of 300): $(head -3 "$WORK/err.txt")"
calls=$(batch status "$out" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"])')
ledger_lines=$(wc -l <"$WORK/ledger.jsonl")

step 1 "resume of a complete job" -- batch resume "$out" --yes
grep -qx "lattigo-batch: activate to $SIM_URL: already complete, nothing to send" "$WORK/err.txt" ||
  fail "no 'already complete' start line: $(head -3 "$WORK/err.txt")"
assert_eq "$calls" "$(batch status "$out" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["calls"])')" \
  "calls after resuming a complete job"
assert_eq "$ledger_lines" "$(wc -l <"$WORK/ledger.jsonl")" "ledger after resuming a complete job"

# --force-endpoint: the explicit override is accepted (the job is complete: nothing sent)
step 1 "resume with --force-endpoint" -- batch resume "$out" --yes --endpoint "$other" --force-endpoint
grep -q "already complete" "$WORK/err.txt" || fail "--force-endpoint did not let the resume through"
stop_sim
