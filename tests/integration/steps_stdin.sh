#!/usr/bin/env bash
# A job with "steps" whose manifest is piped (--manifest -): each step reads
# it, in lockstep, so a manifest larger than one read block (256 KB) is the
# case that matters. validate, --dry-run and plan agree with the same file
# given by name; run keeps the copy in the job directory, is killed during
# the verification wait and resumed by piping the same manifest again (each
# ICCID activated once, every row ok through every step); a different
# manifest piped to the resume is refused (exit 4).
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/integration/mock_lib.sh"

ROWS=5000
gen_lot "$WORK/lot.csv" $ROWS 21 7
[ "$(stat -c %s "$WORK/lot.csv")" -gt 262144 ] || fail "the manifest fits in one read block"
cat >"$WORK/job.json" <<'JSON'
{"manifest": "never-read.csv", "concurrency": 4,
 "steps": [{"op": "activate", "verify": "2m", "chunk": 500},
           {"op": "cost-center", "map": {"cost_center": "Site"}}]}
JSON

# validate and --dry-run: piped as by name
batch validate "$WORK/job.json" --manifest "$WORK/lot.csv" >"$WORK/validate-file.out" 2>&1
cat "$WORK/lot.csv" | batch validate "$WORK/job.json" --manifest - >"$WORK/validate-pipe.out" 2>&1 ||
  fail "validate of a piped manifest: $(tail -3 "$WORK/validate-pipe.out")"
assert_eq "$(grep -E '^(rows|valid|invalid)' "$WORK/validate-file.out")" \
  "$(grep -E '^(rows|valid|invalid)' "$WORK/validate-pipe.out")" "validate, piped vs by name"
grep -q "^valid for every step: *$ROWS\$" "$WORK/validate-pipe.out" ||
  fail "validate: $(cat "$WORK/validate-pipe.out")"
batch run "$WORK/job.json" --manifest "$WORK/lot.csv" --dry-run >"$WORK/dry-file.out" 2>&1
cat "$WORK/lot.csv" | batch run "$WORK/job.json" --manifest - --dry-run >"$WORK/dry-pipe.out" 2>&1 ||
  fail "--dry-run of a piped manifest: $(tail -3 "$WORK/dry-pipe.out")"
# the same rows and calls (the job directory's default name differs: stdin-steps)
cmp -s <(grep -v 'job dir:' "$WORK/dry-file.out") <(grep -v 'job dir:' "$WORK/dry-pipe.out") ||
  fail "--dry-run, piped vs by name: $(diff "$WORK/dry-file.out" "$WORK/dry-pipe.out" | head -6)"

start_sim --activation-delay-ms 4000
# plan: every row of both steps would change, piped as by name
for how in file pipe; do
  status=0
  if [ $how = file ]; then
    batch plan "$WORK/job.json" --manifest "$WORK/lot.csv" --endpoint "$SIM_URL" >"$WORK/plan-$how.out" 2>&1 || status=$?
  else
    cat "$WORK/lot.csv" | batch plan "$WORK/job.json" --manifest - --endpoint "$SIM_URL" >"$WORK/plan-$how.out" 2>&1 || status=$?
  fi
  assert_eq 0 "$status" "plan ($how): $(tail -3 "$WORK/plan-$how.out")"
  assert_eq "$ROWS $ROWS" "$(sed -n 's/^  change *\([0-9]*\)$/\1/p' "$WORK/plan-$how.out" | tr '\n' ' ' | sed 's/ $//')" \
    "plan ($how): rows to change in each step"
done

# run, piped; killed while the activations are pending
cat "$WORK/lot.csv" | LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" \
  "$LATTIGO_BATCH" run --yes --quiet "$WORK/job.json" --manifest - --endpoint "$SIM_URL" \
  --out "$WORK/out" >"$WORK/first.out" 2>"$WORK/first.err" &
JOB_PID=$!
CHILD_PIDS+=("$JOB_PID")
all_sent() { # every activation answered: the step's journal holds every row
  [ "$(zcat "$WORK/out/audit.jsonl.gz" 2>/dev/null | grep -c 'activation_request' || true)" -ge $((ROWS / 500)) ]
}
for _ in $(seq 1 1200); do all_sent && break; sleep 0.05; done
all_sent || fail "the activations did not go out: $(tail -3 "$WORK/first.err")"
kill -KILL "$JOB_PID" 2>/dev/null || fail "the job ended before the activations were active"
wait "$JOB_PID" 2>/dev/null || true
cmp -s "$WORK/lot.csv" "$WORK/out/manifest.stdin" || fail "the job directory's copy of the piped manifest differs"

# a resume with another manifest piped: refused, nothing sent
sed '3s/Site 1/Site 9/' "$WORK/lot.csv" >"$WORK/changed.csv"
status=0
cat "$WORK/changed.csv" | batch run --yes --quiet "$WORK/job.json" --manifest - --endpoint "$SIM_URL" \
  --out "$WORK/out" >"$WORK/changed.out" 2>&1 || status=$?
assert_eq 4 "$status" "resume with another manifest piped"
grep -q "line 3" "$WORK/changed.out" || fail "the refusal names no line: $(cat "$WORK/changed.out")"

# the same manifest piped again: the job goes on where it was
status=0
cat "$WORK/lot.csv" | batch run --yes --quiet "$WORK/job.json" --manifest - --endpoint "$SIM_URL" \
  --out "$WORK/out" >"$WORK/resume.out" 2>"$WORK/resume.err" || status=$?
assert_eq 0 "$status" "resume with the same manifest piped ($(tail -3 "$WORK/resume.err"))"
assert_eq $ROWS "$(grep -c '^[0-9]*,ok,ok,ok,' "$WORK/out/results.csv")" "rows ok through both steps"
zcat "$WORK/out/audit.jsonl.gz" | python3 -c '
import collections, json, sys
sent = collections.Counter()
for line in sys.stdin:
    entry = json.loads(line)
    if entry.get("kind") == "exchange" and entry["url"].endswith("activation_request"):
        for request in json.loads(entry["request_body"])["activation_requests"]:
            sent[request["iccid"]] += 1
assert len(sent) == int(sys.argv[1]) and set(sent.values()) == {1}, collections.Counter(sent.values())
' $ROWS || fail "an ICCID was activated twice, or not at all"
stop_sim
note "steps_stdin: all checks passed"
