#!/usr/bin/env bash
# The job directory as users inspect it (issue 5): `status` of a finished, a
# running (locked) and a damaged job; `audit verify` of an intact, a tampered
# and a non-gzip trail; `audit show --row`; no secret in the trail or the
# checkpoint; a changed manifest refused on resume.
source "$(dirname "$0")/lib.sh"

rows=300
manifest="$WORK/centers.csv"
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op cost-center --rows "$rows" --seed 3 \
  --names sim-default --sim-devices "$rows" --out "$manifest" || fail "gen-manifest.py failed"
out="$WORK/job"

start_sim --devices "$rows" --seed 3
status=0
batch run --op cost-center --manifest "$manifest" --chunk 25 --quiet --endpoint "$SIM_URL" \
  --out "$out" 2>"$WORK/run.stderr" || status=$?
stop_sim
assert_eq 0 "$status" "exit status of the job ($(tail -3 "$WORK/run.stderr"))"

# status of a finished job
status=0
batch status "$out" >"$WORK/status.out" 2>&1 || status=$?
assert_eq 0 "$status" "status exit"
grep -q "^operation: *cost-center$" "$WORK/status.out" || fail "status: no operation: $(cat "$WORK/status.out")"
grep -q "^state: *finished$" "$WORK/status.out" || fail "status: not finished: $(cat "$WORK/status.out")"
grep -q "^rows: *$rows of $rows done (100.0%)$" "$WORK/status.out" || fail "status: rows: $(cat "$WORK/status.out")"
grep -q "^by status: *ok $rows, unchanged 0, error 0" "$WORK/status.out" || fail "status: counts: $(cat "$WORK/status.out")"
grep -q "^calls: *$((rows / 25)) (retries 0, throttled 0)$" "$WORK/status.out" || fail "status: calls: $(cat "$WORK/status.out")"

# status while a live process holds the lock, read-only
hold_job_lock "$out"
before=$(sha256sum "$out/checkpoint")
batch status "$out" >"$WORK/status.out" 2>&1 || fail "status of a locked job failed"
grep -q "^state: *running (process $LOCK_HOLDER_PID holds the lock)$" "$WORK/status.out" || fail "status: lock: $(cat "$WORK/status.out")"
assert_eq "$before" "$(sha256sum "$out/checkpoint")" "checkpoint unchanged by status"
[ -f "$out/lock" ] || fail "status removed the lock"
kill "$LOCK_HOLDER_PID"
wait "$LOCK_HOLDER_PID" 2>/dev/null || true
rm -f "$out/lock"

# the audit trail verifies, shows a row's exchange, and holds no secret
trail="$out/audit.jsonl.gz"
batch audit verify "$trail" >"$WORK/verify.out" || fail "audit verify of an intact trail: $(cat "$WORK/verify.out")"
grep -q "^audit trail '.*': $((rows / 25 + 1)) records in [0-9]* gzip members$" "$WORK/verify.out" || fail "verify: $(cat "$WORK/verify.out")"
grep -q "^chain: intact$" "$WORK/verify.out" || fail "verify: $(cat "$WORK/verify.out")"
batch audit show "$trail" --row 30 >"$WORK/show.out" || fail "audit show --row 30 found nothing"
grep -q "attempt 1  -> 200  (.*)  rows 26-50$" "$WORK/show.out" || fail "show: $(head -3 "$WORK/show.out")"
batch audit show "$trail" --row 30 --json | python3 -c 'import json,sys; r=[json.loads(l) for l in sys.stdin]; assert len(r)==1 and 30 in r[0]["rows"], r' \
  || fail "show --json is not the record of row 30"
status=0
batch audit show "$trail" --row $((rows + 1)) 2>/dev/null || status=$?
assert_eq 1 "$status" "show of a row no exchange carried"
basic=$(printf '%s:%s' "$TEST_KEY_NAME" "$TEST_API_KEY" | base64 -w0)
key64=$(printf '%s' "$TEST_API_KEY" | base64 -w0)
for file in "$trail" "$out/checkpoint"; do
  if zcat -f "$file" | grep -aqF -e "$TEST_API_KEY" -e "$basic" -e "$key64"; then
    fail "a secret appears in $file"
  fi
done

# a deleted record and two swapped records break the chain (exit 1)
zcat "$trail" | sed '3d' | gzip >"$WORK/deleted.gz"
status=0
batch audit verify "$WORK/deleted.gz" >"$WORK/verify.out" || status=$?
assert_eq 1 "$status" "verify of a trail with a deleted record"
grep -q "^chain: BROKEN: record 3 has seq 3, expected 2" "$WORK/verify.out" || fail "verify: $(cat "$WORK/verify.out")"
zcat "$trail" | awk 'NR == 3 { third = $0; next } { print } NR == 4 { print third }' | gzip >"$WORK/swapped.gz"
status=0
batch audit verify "$WORK/swapped.gz" >"$WORK/verify.out" || status=$?
assert_eq 1 "$status" "verify of a trail with swapped records"
grep -q "^chain: BROKEN: record 3 has seq 3, expected 2" "$WORK/verify.out" || fail "verify: $(cat "$WORK/verify.out")"
printf 'not gzip\n' >"$WORK/plain.gz"
status=0
batch audit verify "$WORK/plain.gz" >/dev/null 2>&1 || status=$?
assert_eq 2 "$status" "verify of a file that is not gzip"

# a damaged checkpoint: status says where (exit 4); a directory without a job: exit 2
cp -r "$out" "$WORK/damaged"
python3 - "$WORK/damaged/checkpoint" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, "rb").read())
data[len(data) // 2] ^= 0x20
open(path, "wb").write(data)
PY
status=0
batch status "$WORK/damaged" >/dev/null 2>"$WORK/status.err" || status=$?
assert_eq 4 "$status" "status of a damaged checkpoint"
grep -q "is damaged at byte offset [0-9]* (valid records follow" "$WORK/status.err" || fail "status: $(cat "$WORK/status.err")"
mkdir "$WORK/empty"
status=0
batch status "$WORK/empty" >/dev/null 2>&1 || status=$?
assert_eq 2 "$status" "status of a directory without a job"

# a changed manifest is refused on resume (exit 4), naming what changed
sed -i '2s/,[^,]*$/,Changed Center/' "$manifest"
status=0
batch run --op cost-center --manifest "$manifest" --chunk 25 --quiet --endpoint "http://127.0.0.1:9" \
  --out "$out" 2>"$WORK/run.stderr" || status=$?
assert_eq 4 "$status" "resume with a changed manifest"
grep -q "changed since the job started" "$WORK/run.stderr" || fail "refusal: $(cat "$WORK/run.stderr")"
note "ok"
