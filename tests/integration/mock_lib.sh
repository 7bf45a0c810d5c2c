# Helpers for the tests against the independent mock API (tests/integration/mock_api.py).
# Sourced after lib.sh (which reaps every child on exit); not a test itself.
MOCK_API="$TESTS_DIR/integration/mock_api.py"

# start_mock [mock options...]: starts the mock on an ephemeral port with the test
# credentials; sets MOCK_PID, MOCK_URL. The port is read from its first line.
start_mock() {
  local fifo="$WORK/mock.$RANDOM.out"
  mkfifo "$fifo"
  python3 "$MOCK_API" --port 0 --key-name "$TEST_KEY_NAME" --api-key "$TEST_API_KEY" "$@" \
    >"$fifo" 2>"$WORK/mock.stderr" &
  MOCK_PID=$!
  CHILD_PIDS+=("$MOCK_PID")
  exec {MOCK_FD}<"$fifo"
  local line=""
  IFS= read -r -t 30 line <&"$MOCK_FD" || fail "the mock printed no 'listening on' line: $(cat "$WORK/mock.stderr")"
  case "$line" in
    "listening on "*) ;;
    *) fail "unexpected first line from the mock: $line" ;;
  esac
  MOCK_URL="http://127.0.0.1:${line##*:}"
  exec {MOCK_FD}<&-
  rm -f "$fifo"
}

# stop_mock: SIGTERM and reap; fails the test if the mock crashed (a traceback is a mock bug).
stop_mock() {
  kill -TERM "$MOCK_PID" 2>/dev/null || true
  local status=0
  wait "$MOCK_PID" || status=$?
  [ "$status" -eq 0 ] || fail "the mock exited with $status: $(tail -5 "$WORK/mock.stderr")"
  if grep -q Traceback "$WORK/mock.stderr"; then
    fail "the mock raised: $(grep -A3 Traceback "$WORK/mock.stderr" | tail -4)"
  fi
}

# gen OUT gen-manifest-args...: writes a manifest with scripts/gen-manifest.py.
gen() {
  local out=$1
  shift
  python3 "$SOURCE_DIR/scripts/gen-manifest.py" --out "$out" "$@" || fail "gen-manifest.py $* failed"
}

# gen_lot OUT ROWS SEED SITES: a factory lot for jobs with steps: iccid, imei,
# rate_plan_name of ROWS activations, and a Site column ("Site 0" to "Site SITES-1").
gen_lot() {
  gen "$WORK/lot-activations.csv" --op activate --rows "$2" --seed "$3"
  python3 - "$WORK/lot-activations.csv" "$1" "$4" <<'PY' || fail "gen_lot $*"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["iccid", "imei", "rate_plan_name", "Site"])
    for index, row in enumerate(rows):
        writer.writerow([row["iccid"], row["imei"], row["rate_plan_name"], "Site %d" % (index % int(sys.argv[3]))])
PY
}

# run_batch EXPECTED_EXIT args...: `lattigo-batch run --quiet --yes` with the test credentials;
# fails unless it exits EXPECTED_EXIT (a list like "0|1" is accepted).
run_batch() {
  local expected=$1 status=0
  shift
  batch run --quiet --yes "$@" >"$WORK/batch.stdout" 2>"$WORK/batch.stderr" || status=$?
  case "|$expected|" in
    *"|$status|"*) ;;
    *) fail "lattigo-batch run $* exited $status, expected $expected: $(tail -5 "$WORK/batch.stderr")" ;;
  esac
}

# check_job OP MANIFEST OUT LEDGER EXPECT [strict]: checks a finished job against the
# mock's ledger with tests/integration/mock_check.py (see there for the rules).
check_job() {
  python3 "$TESTS_DIR/integration/mock_check.py" "$@" || fail "check of $3 failed"
}

# assert_no_secret_in DIR: the api key and its Basic form appear in no file of DIR
# (the audit trail decompressed).
assert_no_secret_in() {
  local basic file
  basic=$(printf '%s:%s' "$TEST_KEY_NAME" "$TEST_API_KEY" | base64 -w0)
  grep -rqaF -e "$TEST_API_KEY" -e "$basic" "$1" && fail "a secret appears in $1"
  for file in "$1"/*.gz; do
    [ -f "$file" ] || continue
    zcat "$file" | grep -aqF -e "$TEST_API_KEY" -e "$basic" && fail "a secret appears in $file"
  done
  return 0
}
