# Shared helpers for integration tests (sourced by tests/integration/*.sh).
# Environment from ctest: LATTIGO_BATCH, LATTIGO_SIM, SOURCE_DIR, TESTS_DIR, WORK_ROOT.
# Every child is reaped on exit; the simulator's port is read from its first
# line of output, never fixed and never waited for with sleep.
set -euo pipefail

: "${LATTIGO_BATCH:?}" "${LATTIGO_SIM:?}" "${WORK_ROOT:?}"
TEST_NAME=$(basename "$0" .sh)
WORK=$(mktemp -d "${WORK_ROOT%/}/${TEST_NAME}.XXXXXX" 2>/dev/null || { mkdir -p "$WORK_ROOT"; mktemp -d "${WORK_ROOT%/}/${TEST_NAME}.XXXXXX"; })
CHILD_PIDS=()

cleanup() {
  local pid
  for pid in "${CHILD_PIDS[@]+"${CHILD_PIDS[@]}"}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${CHILD_PIDS[@]+"${CHILD_PIDS[@]}"}"; do
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

fail() { echo "FAIL ($TEST_NAME): $*" >&2; exit 1; }
note() { echo "# $*" >&2; }
# wait_for_text FILE PATTERN: polls FILE (a background process's output) every
# 0.05 s, for 30 s at most, until a line matches PATTERN (grep); the caller
# checks afterwards, so a timeout fails with its own message.
wait_for_text() {
  local _
  for _ in $(seq 1 600); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}

assert_eq() { # expected actual what
  [ "$1" = "$2" ] || fail "$3: expected '$1', got '$2'"
}

# start_sim [sim options...]: starts lattigo-sim on an ephemeral port with the
# test credentials; sets SIM_PID, SIM_PORT, SIM_URL. Extra options pass through.
TEST_KEY_NAME=test-key
TEST_API_KEY=s3cr3t-api-key-value
start_sim() {
  local fifo="$WORK/sim.$RANDOM.out"
  mkfifo "$fifo"
  "$LATTIGO_SIM" --port 0 --key-name "$TEST_KEY_NAME" --api-key "$TEST_API_KEY" "$@" >"$fifo" 2>"$WORK/sim.stderr" &
  SIM_PID=$!
  CHILD_PIDS+=("$SIM_PID")
  exec {SIM_FD}<"$fifo"
  local line=""
  IFS= read -r -t 30 line <&"$SIM_FD" || fail "lattigo-sim printed no 'listening on' line: $(cat "$WORK/sim.stderr")"
  case "$line" in
    "listening on "*) ;;
    *) fail "unexpected first line from lattigo-sim: $line" ;;
  esac
  SIM_PORT=${line##*:}
  SIM_URL="http://127.0.0.1:$SIM_PORT"
  # keep draining its stdout so it never blocks on a full pipe
  cat <&"$SIM_FD" >"$WORK/sim.stdout" &
  CHILD_PIDS+=("$!")
  rm -f "$fifo"
}

# stop_sim: SIGTERM and reap; fails the test if the simulator crashed.
stop_sim() {
  kill -TERM "$SIM_PID" 2>/dev/null || true
  local status=0
  wait "$SIM_PID" || status=$?
  [ "$status" -eq 0 ] || fail "lattigo-sim exited with $status: $(tail -5 "$WORK/sim.stderr")"
}

# batch [args...]: runs lattigo-batch with the test credentials in the environment.
batch() {
  LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" "$@"
}

# api METHOD PATH [curl args...]: one authenticated request to the simulator; prints the body.
api() {
  local method=$1 path=$2; shift 2
  curl -sS -u "$TEST_KEY_NAME:$TEST_API_KEY" -X "$method" "$SIM_URL/$path" "$@"
}

# hold_job_lock DIR: a background process takes DIR/lock the way lattigo-batch
# does (an exclusive open file description lock, PID written inside) and
# keeps it until killed; returns once the lock is held. Sets LOCK_HOLDER_PID.
hold_job_lock() {
  local fifo="$WORK/lock-holder.$RANDOM" line=""
  mkfifo "$fifo"
  python3 -c '
import fcntl, os, struct, sys, time
fd = os.open(sys.argv[1] + "/lock", os.O_RDWR | os.O_CREAT, 0o644)
fcntl.fcntl(fd, fcntl.F_OFD_SETLK, struct.pack("@hhqqi", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0))
os.ftruncate(fd, 0); os.write(fd, b"%d\n" % os.getpid())
print("locked", flush=True)
while True: time.sleep(3600)' "$1" >"$fifo" &
  LOCK_HOLDER_PID=$!
  CHILD_PIDS+=("$LOCK_HOLDER_PID")
  read -r -t 30 line <"$fifo" || true
  rm -f "$fifo"
  [ "$line" = locked ] || fail "could not hold the lock of $1"
}

# list_commands: the commands `lattigo-batch --help` lists, one a line.
list_commands() {
  "$LATTIGO_BATCH" --help | sed -n '/^commands:/,/^$/p' | sed -n 's/^  \([a-z]\+\).*/\1/p'
}

# list_options COMMAND: the options COMMAND's --help lists (generated from
# the option table), one a line.
list_options() {
  "$LATTIGO_BATCH" "$1" --help | grep -oE '^ +--[a-z][a-z0-9-]*' | tr -d ' '
}
