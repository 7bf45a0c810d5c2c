#!/usr/bin/env bash
# `export` against lattigo-sim: every kind, every record of multi-page ranges
# (the simulator's default `limit` is 1), account pages read concurrently,
# --no-details / --state / --limit / --direction, `resume DIR` after SIGKILL,
# SIGTERM (exit 3, resumable), a full disk (ulimit -f: exit 3, never 0 with a
# short file; resumed afterwards to the same bytes), status and audit verify.
source "$(dirname "$0")/lib.sh"

expect_exit() { # EXPECTED args...
  local expected=$1 status=0
  shift
  batch export "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || status=$?
  [ "$status" = "$expected" ] || fail "export $* exited $status, expected $expected: $(tail -3 "$WORK/err.txt")"
}
lines() { wc -l <"$1" | tr -d ' '; }

# wait_written FILE BYTES PID: until FILE holds at least BYTES (the export has
# written records) or PID has ended; never a fixed sleep, so a loaded machine
# only makes it wait longer, and a signal always finds the export at work
# with its handlers installed.
wait_written() {
  for _ in $(seq 1 1200); do
    [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
    kill -0 "$3" 2>/dev/null || return 0
    sleep 0.05
  done
  fail "$1 did not reach $2 bytes"
}

start_sim --devices 2600 --latency-ms 2
# devices: 3 pages of 1000, read concurrently once page 1 says there are 3
expect_exit 0 devices --endpoint "$SIM_URL" --output "$WORK/devices.csv" --concurrency 4
assert_eq 2601 "$(lines "$WORK/devices.csv")" "device lines"
assert_eq 2600 "$(cut -d, -f2 "$WORK/devices.csv" | tail -n +2 | sort -u | wc -l | tr -d ' ')" "distinct devices"
expect_exit 0 devices --endpoint "$SIM_URL" --no-details --state suspended --output "$WORK/suspended.csv"
assert_eq device_name "$(head -1 "$WORK/suspended.csv")" "names-only header"
want=$(grep -c ',suspended,' "$WORK/devices.csv")
assert_eq "$((want + 1))" "$(lines "$WORK/suspended.csv")" "suspended devices"
expect_exit 0 users --endpoint "$SIM_URL" --output "$WORK/users.csv"
expect_exit 0 rate-plans --endpoint "$SIM_URL" --output-format jsonl --output "$WORK/plans.jsonl"
grep -q '"ACME Co 5mb Rate Plan"' "$WORK/plans.jsonl" || fail "rate plans"

head -301 "$WORK/devices.csv" | cut -d, -f2 >"$WORK/fleet.csv"   # device_name + 300 devices
# 61 days a device, not the one record `limit`'s default would give
expect_exit 0 daily-usage --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-01 \
  --end-date 2026-11-30 --output "$WORK/daily.csv"
assert_eq "$((300 * 61 + 1))" "$(lines "$WORK/daily.csv")" "daily-usage lines"
assert_eq "$((300 * 61))" "$(tail -n +2 "$WORK/daily.csv" | cut -d, -f1,3 | sort -u | wc -l | tr -d ' ')" "distinct device-days"
grep -q "exported 18300 records" "$WORK/err.txt" || fail "closing line: $(cat "$WORK/err.txt")"
expect_exit 0 daily-usage --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-01 \
  --end-date 2026-11-30 --limit 7 --output "$WORK/daily7.csv"
assert_eq "$((300 * 7 + 1))" "$(lines "$WORK/daily7.csv")" "--limit 7"
expect_exit 0 monthly-usage --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --start-date 2026-01-15 \
  --end-date 2026-11-30T12:00:00-05:00 --output "$WORK/monthly.csv"
assert_eq "$((300 * 11 + 1))" "$(lines "$WORK/monthly.csv")" "monthly-usage lines"
expect_exit 0 reports --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --start-date 2026-11-01 \
  --end-date 2026-11-30 --output-format jsonl --output "$WORK/reports.jsonl"
assert_eq "$((300 * 30))" "$(lines "$WORK/reports.jsonl")" "reports"
expect_exit 0 sms-log --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --direction sent --output "$WORK/sent.csv"
expect_exit 0 sms-log --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --direction all --output "$WORK/all.csv"
[ "$(lines "$WORK/sent.csv")" -lt "$(lines "$WORK/all.csv")" ] || fail "--direction sent kept everything"
tail -n +2 "$WORK/sent.csv" | cut -d, -f5 | sort -u | grep -qv '^sent$' && fail "--direction sent let other events through"
expect_exit 0 device --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --output "$WORK/device.csv"
assert_eq 301 "$(lines "$WORK/device.csv")" "device lines"
# an ICCID manifest
{ echo iccid; head -21 "$WORK/devices.csv" | tail -20 | cut -d, -f11; } >"$WORK/iccids.csv"
expect_exit 0 device --endpoint "$SIM_URL" --manifest "$WORK/iccids.csv" --map device_name=iccid --id-type iccid --output "$WORK/by-iccid.csv"
assert_eq 21 "$(lines "$WORK/by-iccid.csv")" "devices by iccid"

# A job directory; SIGKILL; `resume DIR`; same bytes as uninterrupted.
expect_exit 0 daily-usage --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-01 \
  --end-date 2026-11-30 --out "$WORK/whole" --concurrency 2
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" export daily-usage \
  --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-01 \
  --end-date 2026-11-30 --out "$WORK/killed" --concurrency 2 --quiet &
pid=$!
CHILD_PIDS+=("$pid")
wait_written "$WORK/killed/records.csv.partial" 20000 "$pid"
kill -KILL "$pid" 2>/dev/null || true
wait "$pid" || true
[ -e "$WORK/killed/records.csv" ] && note "the export ended before the kill"
batch status "$WORK/killed" >"$WORK/status.txt" || fail "status of an export job"
grep -q "export daily-usage" "$WORK/status.txt" || fail "status: $(cat "$WORK/status.txt")"
status=0
batch resume "$WORK/killed" 2>"$WORK/err.txt" || status=$?
assert_eq 0 "$status" "resume of the export: $(cat "$WORK/err.txt")"
cmp "$WORK/whole/records.csv" "$WORK/killed/records.csv" || fail "resumed records differ"
batch audit verify "$WORK/killed/audit.jsonl.gz" >/dev/null || fail "audit verify"

# SIGTERM: exit 3, resumable, then complete and identical.
stop_sim
start_sim --devices 2600 --latency-ms 40
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" export daily-usage \
  --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-01 \
  --end-date 2026-11-30 --out "$WORK/termed" --concurrency 2 2>"$WORK/termed.err" &
pid=$!
CHILD_PIDS+=("$pid")
wait_written "$WORK/termed/records.csv.partial" 20000 "$pid"
kill -TERM "$pid"
status=0
wait "$pid" || status=$?
assert_eq 3 "$status" "exit status after SIGTERM"
[ -e "$WORK/termed/records.csv" ] && fail "a stopped export published records.csv"
grep -q "resume with: lattigo-batch resume $WORK/termed" "$WORK/termed.err" ||
  fail "no way to resume the stopped export: $(cat "$WORK/termed.err")"

# A progress line on a terminal (issue 17 §6): redrawn in place with the
# devices and records so far, then cleared so the closing line starts clean.
head -21 "$WORK/fleet.csv" >"$WORK/fleet20.csv"
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" python3 - "$LATTIGO_BATCH" "$SIM_URL" \
  "$WORK/fleet20.csv" "$WORK/tty.csv" <<'PY' || fail "no progress line on a terminal"
import os, pty, re, subprocess, sys
batch, url, manifest, output = sys.argv[1:5]
master, slave = pty.openpty()
child = subprocess.Popen([batch, "export", "daily-usage", "--endpoint", url, "--manifest", manifest,
                          "--start-date", "2026-10-01", "--end-date", "2026-11-30", "--output", output,
                          "--concurrency", "1"], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=slave)
os.close(slave)
text = b""
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    text += chunk
status = child.wait()
text = text.decode()
lines = re.findall(r"\rdevices ([\d,]+) \| records ([\d,]+) \| not read 0", text)
assert status == 0, (status, text)
assert lines, text
assert int(lines[-1][1].replace(",", "")) <= 20 * 61, lines
assert "\r\x1b[Klattigo-batch: exported 1220 records" in text, text
PY
stop_sim
start_sim --devices 2600
expect_exit 0 daily-usage --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-01 \
  --end-date 2026-11-30 --out "$WORK/termed"
cmp "$WORK/whole/records.csv" "$WORK/termed/records.csv" || fail "records after SIGTERM + resume differ"

# A full disk: exit 3 with a message, never 0; then resumed to the same bytes.
status=0
(ulimit -f 200; batch export daily-usage --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" \
  --start-date 2026-10-01 --end-date 2026-11-30 --out "$WORK/full" >/dev/null 2>"$WORK/err.txt") || status=$?
assert_eq 3 "$status" "exit status on a full disk"
grep -q "disk full" "$WORK/err.txt" || fail "no disk-full message: $(cat "$WORK/err.txt")"
[ -e "$WORK/full/records.csv" ] && fail "a failed write published records.csv"
expect_exit 0 daily-usage --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-01 \
  --end-date 2026-11-30 --out "$WORK/full"
cmp "$WORK/whole/records.csv" "$WORK/full/records.csv" || fail "records after a full disk + resume differ"
status=0
(ulimit -f 100; batch export daily-usage --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" \
  --output "$WORK/short.csv" >/dev/null 2>"$WORK/err.txt") || status=$?
assert_eq 3 "$status" "exit status of --output on a full disk"
[ -e "$WORK/short.csv" ] && fail "--output left a short file"
# a good earlier output is never replaced by a cut one (full disk, signal),
# and the advice fits an export that starts over (no job directory to resume)
cp "$WORK/whole/records.csv" "$WORK/kept.csv"
status=0
(ulimit -f 100; batch export daily-usage --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" \
  --start-date 2026-10-01 --end-date 2026-11-30 --output "$WORK/kept.csv" >/dev/null 2>"$WORK/err.txt") || status=$?
assert_eq 3 "$status" "exit status of --output over an earlier file on a full disk"
cmp -s "$WORK/whole/records.csv" "$WORK/kept.csv" || fail "a failed export replaced the earlier output"
grep -q "'$WORK/kept.csv' was not written (run the export again: it starts over" "$WORK/err.txt" ||
  fail "advice after a failed --output export: $(cat "$WORK/err.txt")"
grep -q "resume DIR\|to continue" "$WORK/err.txt" && fail "advice to resume an export that has no job directory: $(cat "$WORK/err.txt")"
stop_sim
start_sim --devices 2600 --latency-ms 40
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" export daily-usage \
  --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-01 \
  --end-date 2026-11-30 --output "$WORK/kept.csv" --concurrency 2 2>"$WORK/err.txt" &
pid=$!
CHILD_PIDS+=("$pid")
wait_written "$(dirname "$WORK/kept.csv")/kept.csv.tmp.$pid" 20000 "$pid"
kill -INT "$pid"
status=0
wait "$pid" || status=$?
assert_eq 3 "$status" "exit status of an --output export after SIGINT"
cmp -s "$WORK/whole/records.csv" "$WORK/kept.csv" || fail "an interrupted export replaced the earlier output"
ls "$WORK"/kept.csv.tmp.* 2>/dev/null && fail "an interrupted export left its temporary file"
grep -q "was not written (run the export again: it starts over" "$WORK/err.txt" ||
  fail "advice after an interrupted --output export: $(cat "$WORK/err.txt")"
# killed outright it cannot clean up: the next export that completes the file does
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" export daily-usage \
  --endpoint "$SIM_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-01 \
  --end-date 2026-11-30 --output "$WORK/kept.csv" --concurrency 2 --quiet &
pid=$!
CHILD_PIDS+=("$pid")
wait_written "$WORK/kept.csv.tmp.$pid" 20000 "$pid"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
[ -e "$WORK/kept.csv.tmp.$pid" ] || fail "the killed export left no temporary: nothing tested"
cmp -s "$WORK/whole/records.csv" "$WORK/kept.csv" || fail "a killed export replaced the earlier output"
expect_exit 0 daily-usage --endpoint "$SIM_URL" --manifest "$WORK/fleet20.csv" --output "$WORK/kept.csv"
[ -e "$WORK/kept.csv.tmp.$pid" ] && fail "the killed export's temporary was left after the next export"
stop_sim
