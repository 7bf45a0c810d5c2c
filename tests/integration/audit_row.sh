#!/usr/bin/env bash
# `audit show OUTDIR --row N` is about the row (issue 17 §5): the row's
# identifier, its own element of a multi-row request and its own entry of the
# response (not its neighbours'), --full for whole bodies, and what it says
# of an invalid row and of a row never sent.
source "$(dirname "$0")/lib.sh"

manifest="$WORK/centers.csv"
# row 3 names a device the simulator does not know (an API error that stops
# the job under --max-errors 0); row 5 repeats row 1 (invalid); rows 8-10 are
# never sent
printf 'device_name,cost_center\n36500,CC-A\n36501,CC-A\n99999999,CC-A\n36502,CC-A\n36500,CC-A\n36503,CC-A\n36504,CC-A\n36505,CC-A\n36506,CC-A\n36507,CC-A\n' >"$manifest"
out="$WORK/job"

start_sim
status=0
# (--no-preflight: row 3 goes to the API, whose refusal the trail must show)
batch run --op cost-center --manifest "$manifest" --chunk 3 --concurrency 1 --max-errors 0 \
  --no-preflight --quiet --endpoint "$SIM_URL" --out "$out" 2>"$WORK/run.stderr" || status=$?
stop_sim
assert_eq 3 "$status" "exit status of the job stopped by --max-errors ($(tail -3 "$WORK/run.stderr"))"

# row 2 of the call carrying rows 1-3: its own element and entry only
batch audit show "$out" --row 2 >"$WORK/row2.out" || fail "audit show OUTDIR --row 2 failed"
show=$(cat "$WORK/row2.out")
grep -q '^row 2: 36501$' "$WORK/row2.out" || fail "no identifier line: $show"
grep -q 'attempt 1  -> 200  (.*)  rows 1-3$' "$WORK/row2.out" || fail "no exchange line: $show"
grep -q '^  request (the row.s element): "36501"$' "$WORK/row2.out" || fail "request element: $show"
grep -q '^  request (shared by the call.s rows): {"cost_center":"CC-A"}$' "$WORK/row2.out" \
  || fail "the value the row was sent with: $show"
grep -q '^  response (the row.s entries): {"change_status":{"36501":"Success"}}$' "$WORK/row2.out" \
  || fail "response entry: $show"
if grep -q -e 36500 -e 99999999 "$WORK/row2.out"; then
  fail "the neighbours' identifiers appear in row 2's output: $show"
fi

# the refused row's entry carries the API's error
batch audit show "$out/audit.jsonl.gz" --row 3 >"$WORK/row3.out" || fail "audit show FILE --row 3 failed"
grep -q '^  response (the row.s entries): {"change_status":{"99999999":"Error: Device does not exist."}}$' \
  "$WORK/row3.out" || fail "row 3's response entry: $(cat "$WORK/row3.out")"

# --full prints the whole bodies, neighbours included
batch audit show "$out" --row 2 --full >"$WORK/full.out" || fail "audit show --full failed"
grep -q "^row 2: 36501$" "$WORK/full.out" || fail "--full: no identifier line: $(cat "$WORK/full.out")"
grep -q '"36500"' "$WORK/full.out" && grep -q '"99999999"' "$WORK/full.out" \
  || fail "--full does not print the whole request: $(cat "$WORK/full.out")"

# an invalid row: never sent, with the reason (exit 1)
status=0
batch audit show "$out" --row 5 >"$WORK/row5.out" || status=$?
assert_eq 1 "$status" "exit status of show for an invalid row"
assert_eq "row 5 was invalid (device_name: duplicate of row 1), never sent" "$(cat "$WORK/row5.out")" \
  "show of an invalid row"

# a row the stopped job never sent (exit 1)
status=0
batch audit show "$out" --row 9 >"$WORK/row9.out" || status=$?
assert_eq 1 "$status" "exit status of show for a row not sent"
grep -q -E '^row 9 (has not been sent yet|was skipped .*never sent)' "$WORK/row9.out" \
  || fail "show of a row not sent: $(cat "$WORK/row9.out")"

# given only the trail (no outcome store beside it), a row nothing carried is exit 1 as before
cp "$out/audit.jsonl.gz" "$WORK/alone.jsonl.gz"
status=0
batch audit show "$WORK/alone.jsonl.gz" --row 5 >/dev/null 2>"$WORK/alone.err" || status=$?
assert_eq 1 "$status" "exit status of show FILE for a row no exchange carried"
grep -q "no exchange in .* carried row 5" "$WORK/alone.err" || fail "show FILE: $(cat "$WORK/alone.err")"
