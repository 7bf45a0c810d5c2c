#!/usr/bin/env bash
# `run` refuses what it cannot do before anything is written or sent: a bad
# --map, a forbidden endpoint, missing or exposed credentials; and it never
# overwrites a job: --force-new into a job directory, a changed manifest.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/integration/live_lib.sh"

manifest="$WORK/lot.csv"
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op cost-center --rows 30 --names sim-default --out "$manifest"

expect_refusal() { # expected-exit out-dir what -- command...
  local expected=$1 out=$2 what=$3 status=0
  shift 4
  "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || status=$?
  assert_eq "$expected" "$status" "exit status ($what)"
  [ -s "$WORK/err.txt" ] || fail "$what: no message on stderr"
  if [ -n "$out" ] && [ -e "$out" ]; then fail "$what: '$out' was created"; fi
}

expect_refusal 2 "$WORK/a" "unknown --map column" -- \
  batch run --op cost-center --manifest "$manifest" --map device_name=Nope --out "$WORK/a" --endpoint sim
grep -q "Nope" "$WORK/err.txt" || fail "the --map message does not name the column"

expect_refusal 2 "$WORK/b" "plain http to a remote host" -- \
  batch run --op cost-center --manifest "$manifest" --out "$WORK/b" --endpoint http://example.com
grep -q "insecure-http" "$WORK/err.txt" || fail "the http refusal gives no way out"

expect_refusal 2 "$WORK/c" "no credentials" -- \
  env -u LATTIGO_KEY_NAME -u LATTIGO_API_KEY "$LATTIGO_BATCH" run --op cost-center \
  --manifest "$manifest" --out "$WORK/c" --endpoint https://example.invalid

printf '%s:%s\n' "$TEST_KEY_NAME" "$TEST_API_KEY" >"$WORK/credentials"
chmod 644 "$WORK/credentials"
expect_refusal 2 "$WORK/d" "credentials readable by others" -- \
  "$LATTIGO_BATCH" run --op cost-center --manifest "$manifest" --out "$WORK/d" \
  --credentials "$WORK/credentials" --endpoint https://example.invalid
grep -q "chmod 600" "$WORK/err.txt" || fail "the mode refusal does not say how to fix it"
if grep -q -- "$TEST_API_KEY" "$WORK/err.txt"; then fail "the api key was printed"; fi

# wrong credentials: the check before the job refuses them; nothing sent, no job directory
start_sim --ledger "$WORK/ledger.jsonl"
status=0
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY=wrong-key "$LATTIGO_BATCH" run --op cost-center \
  --manifest "$manifest" --out "$WORK/refused" --endpoint "$SIM_URL" --quiet 2>"$WORK/err.txt" || status=$?
assert_eq 2 "$status" "exit status with wrong credentials"
grep -q "credentials" "$WORK/err.txt" || fail "the refusal does not mention the credentials"
[ ! -e "$WORK/refused" ] || fail "a job directory was created with wrong credentials"
[ ! -s "$WORK/ledger.jsonl" ] || fail "something was applied with wrong credentials"
stop_sim

# a manifest on stdin that does not fit the operation leaves no job behind, so
# the corrected command can use the same --out
status=0
batch run --op cost-center --manifest - --delimiter ';' --out "$WORK/from-stdin" --endpoint sim \
  --quiet <"$manifest" 2>"$WORK/err.txt" || status=$?
assert_eq 2 "$status" "exit status of a stdin manifest with the wrong delimiter"
[ ! -e "$WORK/from-stdin" ] || fail "a refused stdin job left '$WORK/from-stdin' behind"
status=0
batch run --op cost-center --manifest - --out "$WORK/from-stdin" --endpoint sim --quiet <"$manifest" || status=$?
assert_eq 0 "$status" "exit status of the corrected stdin job"
assert_eq 31 "$(wc -l <"$WORK/from-stdin/results.csv" | tr -d ' ')" "results.csv lines of the stdin job"

# a stdin job killed with -9 while copying its manifest, before its checkpoint
# existed, began no job: the next run starts afresh in the same --out (the cut
# copy was refused as "files but no checkpoint" before)
awk 'BEGIN { print "device_name,cost_center"; for (i = 0; i < 20000; i++) print 50000 + i ",Fleet-East" }' \
  >"$WORK/large.csv"
mkfifo "$WORK/stdin-pipe"
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" run \
  --op cost-center --manifest - --out "$WORK/cut-stdin" --endpoint sim --quiet \
  <"$WORK/stdin-pipe" 2>/dev/null &
cut_pid=$!
CHILD_PIDS+=("$cut_pid")
exec {pipe_fd}>"$WORK/stdin-pipe"
# more than a pipe buffers: when the write returns, the copy has begun
head -c 300000 "$WORK/large.csv" >&"$pipe_fd"
bundled_sim=$(pgrep -P "$cut_pid" -x lattigo-sim || true)
[ -n "$bundled_sim" ] || fail "the stdin job started no bundled simulator"
kill -KILL "$cut_pid"
wait "$cut_pid" 2>/dev/null || true
exec {pipe_fd}>&-
# its bundled simulator ends with it, not reaped by anyone else (tail waits for its end)
timeout 30 tail --pid="$bundled_sim" -f /dev/null ||
  fail "the bundled simulator $bundled_sim outlived the job killed with -9"
[ -s "$WORK/cut-stdin/manifest.stdin" ] || fail "the killed start left no stdin copy to test with"
[ ! -e "$WORK/cut-stdin/checkpoint" ] || fail "the killed start got as far as a checkpoint"
status=0
batch run --op cost-center --manifest - --out "$WORK/cut-stdin" --endpoint sim --quiet \
  <"$manifest" 2>"$WORK/err.txt" || status=$?
assert_eq 0 "$status" "a stdin job after a start killed during the copy: $(cat "$WORK/err.txt")"
cmp -s "$manifest" "$WORK/cut-stdin/manifest.stdin" || fail "the cut stdin copy was kept"
assert_eq 31 "$(wc -l <"$WORK/cut-stdin/results.csv" | tr -d ' ')" "results.csv lines after the cut start"

# a finished job, then the refusals that protect it
start_sim
status=0
batch run --op cost-center --manifest "$manifest" --out "$WORK/job" --endpoint "$SIM_URL" --quiet || status=$?
assert_eq 0 "$status" "first run"
cp "$WORK/job/results.csv" "$WORK/results.before"

expect_refusal 2 "" "--force-new into a job directory" -- \
  batch run --op cost-center --manifest "$manifest" --out "$WORK/job" --endpoint "$SIM_URL" --force-new
grep -q "never resumes.*start the new job with another --out" "$WORK/err.txt" ||
  fail "the --force-new refusal does not say what --force-new does: $(cat "$WORK/err.txt")"

sed -i '2d' "$manifest"
expect_refusal 4 "" "changed manifest" -- \
  batch run --op cost-center --manifest "$manifest" --out "$WORK/job" --endpoint "$SIM_URL"
grep -q "changed" "$WORK/err.txt" || fail "the refusal does not say the manifest changed"
cmp -s "$WORK/results.before" "$WORK/job/results.csv" || fail "a refused run changed results.csv"
stop_sim

# issue 16 #1: a job started from stdin resumes only with the same content
# piped again (compressed or not); a different manifest is refused with exit 4
# naming the line where the two differ, and nothing is sent.
start_sim --ledger "$WORK/stdin-ledger.jsonl"
printf 'device_name,cost_center\n36550,AAA\n36551,AAA\n' >"$WORK/stdin-a.csv"
printf 'device_name,cost_center\n36550,AAA\n36552,BBB\n' >"$WORK/stdin-b.csv"
status=0
batch run --op cost-center --manifest - --out "$WORK/stdin-job" --endpoint "$SIM_URL" --quiet \
  <"$WORK/stdin-a.csv" || status=$?
assert_eq 0 "$status" "first stdin run"
applied=$(wc -l <"$WORK/stdin-ledger.jsonl")
status=0
batch run --op cost-center --manifest - --out "$WORK/stdin-job" --endpoint "$SIM_URL" --quiet \
  <"$WORK/stdin-a.csv" || status=$?
assert_eq 0 "$status" "the same stdin manifest again (resume)"
status=0
gzip -c "$WORK/stdin-a.csv" | batch run --op cost-center --manifest - --out "$WORK/stdin-job" \
  --endpoint "$SIM_URL" --quiet || status=$?
assert_eq 0 "$status" "the same stdin manifest again, gzip-compressed"
expect_refusal 4 "" "a different manifest on stdin" -- \
  batch run --op cost-center --manifest - --out "$WORK/stdin-job" --endpoint "$SIM_URL" --quiet \
  <"$WORK/stdin-b.csv"
grep -q "stdin is not the one this job was started with" "$WORK/err.txt" ||
  fail "the stdin refusal does not say the manifest differs: $(cat "$WORK/err.txt")"
grep -q "from line 3 on" "$WORK/err.txt" || fail "the stdin refusal does not name the line: $(cat "$WORK/err.txt")"
[ ! -e "$WORK/stdin-job/manifest.stdin.new" ] || fail "the scratch copy of stdin was left behind"
cmp -s "$WORK/stdin-a.csv" "$WORK/stdin-job/manifest.stdin" || fail "the kept stdin copy changed"
# a job started from a file is not resumed from stdin
expect_refusal 4 "" "stdin into a job started from a file" -- \
  batch run --op cost-center --manifest - --out "$WORK/job" --endpoint "$SIM_URL" --quiet \
  <"$WORK/stdin-a.csv"
grep -q "not with one from stdin" "$WORK/err.txt" || fail "the refusal does not say the job was started from a file: $(cat "$WORK/err.txt")"
assert_eq "$applied" "$(wc -l <"$WORK/stdin-ledger.jsonl")" "ledger lines after the refused stdin runs"
stop_sim

# issue 10: activate, locate and sms cost money or cannot be recalled. Without
# --yes and without a terminal to confirm on, exit 2 before anything is sent
# and before a job directory exists; against --endpoint sim no confirmation.
start_sim --ledger "$WORK/costly-ledger.jsonl"
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op activate --rows 5 --seed 3 --out "$WORK/act.csv"
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op sms --rows 5 --names sim-default --out "$WORK/sms.csv"
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op locate --rows 5 --names sim-default --out "$WORK/locate.csv"
for op in activate sms locate; do
  m="$WORK/act.csv"
  [ "$op" = activate ] || m="$WORK/$op.csv"
  expect_refusal 2 "$WORK/costly-$op" "$op without --yes" -- \
    batch run --op "$op" --manifest "$m" --out "$WORK/costly-$op" --endpoint "$SIM_URL" </dev/null
  grep -q -- "add --yes" "$WORK/err.txt" || fail "$op: the refusal does not name --yes: $(cat "$WORK/err.txt")"
done
[ ! -s "$WORK/costly-ledger.jsonl" ] || fail "a costly operation was applied without --yes"

# a typed confirmation on a terminal stands in for --yes: anything but "yes"
# sends nothing and leaves no job; "yes" runs the job
confirm() { # answer out
  typed_answer "$1" run --op activate --manifest "$WORK/act.csv" --out "$2" --endpoint "$SIM_URL" --quiet
}
status=0
confirm no "$WORK/typed-no" >"$WORK/typed.txt" || status=$?
assert_eq 2 "$status" "exit status after answering no"
grep -q "activate 5 rows" "$WORK/typed.txt" || fail "the question does not show the rows: $(cat "$WORK/typed.txt")"
[ ! -e "$WORK/typed-no" ] || fail "a job directory was created without confirmation"
[ ! -s "$WORK/costly-ledger.jsonl" ] || fail "an activation was applied without confirmation"
status=0
confirm yes "$WORK/typed-yes" >"$WORK/typed.txt" || status=$?
assert_eq 0 "$status" "exit status after answering yes: $(cat "$WORK/typed.txt")"
assert_eq 5 "$(grep -c '"activate"' "$WORK/costly-ledger.jsonl")" "activations applied after yes"
stop_sim
status=0
batch run --op sms --manifest "$WORK/sms.csv" --out "$WORK/costly-sim" --endpoint sim --quiet </dev/null || status=$?
assert_eq 0 "$status" "sms against --endpoint sim without --yes"

# a kill while the checkpoint was being created leaves only checkpoint.creating
# (nothing is sent before the checkpoint exists): the same command starts the job
mkdir -p "$WORK/cut-creation" && printf 'LTGC' >"$WORK/cut-creation/checkpoint.creating"
status=0
batch run --op sms --manifest "$WORK/sms.csv" --out "$WORK/cut-creation" --endpoint sim --quiet </dev/null || status=$?
assert_eq 0 "$status" "a run in a directory whose checkpoint creation was cut short"
[ -s "$WORK/cut-creation/checkpoint" ] && [ ! -e "$WORK/cut-creation/checkpoint.creating" ] ||
  fail "the job over a creation cut short has no checkpoint, or kept checkpoint.creating"
