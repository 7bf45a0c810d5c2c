#!/usr/bin/env bash
# `export` against the independent mock, which pages unlike lattigo-sim
# (per_page 25 by default, clamped to 50, no pagination headers on every third
# page, histories oldest first, `limit` default 1): every kind, every record
# exactly once over multi-page ranges, limit, direction, unknown devices,
# refused dates and options, 429 storms, 500s, dropped connections, stalls,
# the concurrency and rate limits, and SIGKILL + resume to the same bytes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mock_lib.sh"
CHECK="$TESTS_DIR/integration/export_check.py"

expect_exit() { # EXPECTED args...: export with the test credentials
  local expected=$1 status=0
  shift
  batch export "$@" >"$WORK/out.txt" 2>"$WORK/err.txt" || status=$?
  [ "$status" = "$expected" ] || fail "export $* exited $status, expected $expected: $(tail -3 "$WORK/err.txt")"
}

start_mock --devices 40 --read-log "$WORK/reads.log"
printf 'device_name\n' >"$WORK/fleet.csv"
for i in $(seq 1 40); do printf 'mock-%07d\n' "$i"; done >>"$WORK/fleet.csv"

# Every record over a 61-day range: 183 reports a device = 4 pages of 50, page 3 without headers.
expect_exit 0 reports --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-01 \
  --end-date 2026-11-30T23:59:59Z --output-format jsonl --output "$WORK/reports.jsonl" --concurrency 6
python3 "$CHECK" device_reports "$WORK/reports.jsonl" "$WORK/fleet.csv" --start 2026-10-01 \
  --end 2026-11-30 --limit 100000 || fail "reports differ from the mock's"
grep -q '"bare": true' "$WORK/reads.log" || fail "no page without headers was read"
python3 - "$WORK/reads.log" <<'PY' || fail "limit not sent or pages not followed"
import json, sys
reads = [json.loads(l) for l in open(sys.argv[1]) if "device_reports" in l]
assert all(r["query"].get("limit") == "100000" for r in reads), "limit missing"
assert max(int(r["query"]["page"]) for r in reads) >= 4, "stopped before page 4"
PY

for kind in daily-usage:daily_data_usages monthly-usage:monthly_data_usages; do
  expect_exit 0 "${kind%%:*}" --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --start-date 2026-06-01 \
    --end-date 2026-11-30 --output-format jsonl --output "$WORK/k.jsonl"
  python3 "$CHECK" "${kind##*:}" "$WORK/k.jsonl" "$WORK/fleet.csv" --start 2026-06-01 --end 2026-11-30 \
    --limit 100000 || fail "${kind%%:*} differs from the mock's"
done
# --limit per device, over pages
expect_exit 0 daily-usage --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --start-date 2026-06-01 \
  --end-date 2026-11-30 --limit 60 --output-format jsonl --output "$WORK/limited.jsonl"
python3 "$CHECK" daily_data_usages "$WORK/limited.jsonl" "$WORK/fleet.csv" --start 2026-06-01 \
  --end 2026-11-30 --limit 60 || fail "--limit 60"
# sms-log with a direction
expect_exit 0 sms-log --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --start-date 2026-09-01 \
  --end-date 2026-11-30 --direction received --output-format jsonl --output "$WORK/sms.jsonl"
python3 "$CHECK" get_sms "$WORK/sms.jsonl" "$WORK/fleet.csv" --start 2026-09-01 --end 2026-11-30 \
  --direction received || fail "sms-log --direction received"
# CSV: formula-safe cells
expect_exit 0 sms-log --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --output "$WORK/sms.csv"
grep -q ",'=ping" "$WORK/sms.csv" || fail "a cell starting with = was not neutralised"
grep -q ",=ping" "$WORK/sms.csv" && fail "a formula cell reached the CSV"

# Account listings: every page, page size clamped silently, every third page bare.
expect_exit 0 users --endpoint "$MOCK_URL" --output "$WORK/users.csv"
assert_eq 63 "$(wc -l <"$WORK/users.csv" | tr -d ' ')" "users lines (header + 62)"
assert_eq 62 "$(tail -n +2 "$WORK/users.csv" | sort -u | wc -l | tr -d ' ')" "distinct users"
expect_exit 0 rate-plans --endpoint "$MOCK_URL" --output-format jsonl
assert_eq 2 "$(wc -l <"$WORK/out.txt" | tr -d ' ')" "rate plans"
expect_exit 0 devices --endpoint "$MOCK_URL" --no-details --output "$WORK/names.csv"
assert_eq "$(cat "$WORK/fleet.csv")" "$(cat "$WORK/names.csv")" "device names, in order"

# Unknown devices: per-row errors, the export goes on.
{ cat "$WORK/fleet.csv"; printf 'nope-1\nmock-0000002\n'; } >"$WORK/some.csv"
rm -rf "$WORK/job-some"
expect_exit 1 daily-usage --endpoint "$MOCK_URL" --manifest "$WORK/some.csv" --out "$WORK/job-some"
grep -q "^nope-1,.*not found.*,41,42$" "$WORK/job-some/errors.csv" || fail "unknown device not in errors.csv (row 41, line 42): $(cat "$WORK/job-some/errors.csv")"
assert_eq 2 "$(wc -l <"$WORK/job-some/errors.csv" | tr -d ' ')" "errors.csv lines"
grep -q "^mock-0000002," <(tail -1 "$WORK/job-some/records.csv") || fail "rows after the unknown device were not read"

# Refused before anything is sent (exit 2, no output file).
expect_exit 2 daily-usage --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --start-date 2026-02-30 --output "$WORK/never.csv"
grep -q "day does not exist" "$WORK/err.txt" || fail "bad date message: $(cat "$WORK/err.txt")"
expect_exit 2 daily-usage --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --start-date 2026-11-02 --end-date 2026-11-01 --output "$WORK/never.csv"
expect_exit 2 users --endpoint "$MOCK_URL" --limit 5 --output "$WORK/never.csv"
expect_exit 2 reports --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --direction sent --output "$WORK/never.csv"
expect_exit 2 devices --endpoint "$MOCK_URL" --state suspend --output "$WORK/never.csv"
grep -q "did you mean 'suspended'" "$WORK/err.txt" || fail "no hint for --state suspend"
expect_exit 2 sms-log --endpoint "$MOCK_URL" --manifest "$WORK/missing.csv" --output "$WORK/never.csv"
printf 'iccid,x\n1,2\n' >"$WORK/nocolumn.csv"
expect_exit 2 device --endpoint "$MOCK_URL" --manifest "$WORK/nocolumn.csv" --output "$WORK/never.csv"
grep -q -- "--map device_name=COLUMN" "$WORK/err.txt" || fail "no --map hint: $(cat "$WORK/err.txt")"
[ -e "$WORK/never.csv" ] && fail "a refused export left an output file"
stop_mock

# Faults: 429 storm (10 calls/s), 500/503, drops and stalls; still every record exactly once.
rm -f "$WORK/reads.log"
start_mock --devices 40 --rate 10 --read-fail-rate 0.15 --read-drop-rate 0.05 --read-stall-rate 0.02 \
  --stall-seconds 4 --latency-ms 5 --read-log "$WORK/reads.log"
rm -rf "$WORK/job-faults"
expect_exit 0 reports --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --start-date 2026-11-01 \
  --end-date 2026-11-30 --output-format jsonl --out "$WORK/job-faults" --concurrency 4 --stall-timeout 1 \
  --max-retries 20
python3 "$CHECK" device_reports "$WORK/job-faults/records.jsonl" "$WORK/fleet.csv" --start 2026-11-01 \
  --end 2026-11-30 --limit 100000 || fail "records lost or doubled under faults"
python3 - "$WORK/job-faults/summary.json" <<'PY' || fail "faults were not retried: $(cat "$WORK/job-faults/summary.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["complete"] and s["retries"] > 0 and s["throttled"] > 0, s
PY
stop_mock

# The rate limit is respected: --rate 20 over 40 reads. Measured where the
# limit is applied, when the client started each read (the audit trail's
# started_at): the mock's arrival times also carry its threads' scheduling,
# which on a loaded machine can delay the first arrivals and shrink the span.
rm -f "$WORK/reads.log"
rm -rf "$WORK/job-rate"
start_mock --devices 40 --read-log "$WORK/reads.log"
expect_exit 0 daily-usage --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --start-date 2026-11-01 \
  --end-date 2026-11-30 --rate 20 --concurrency 8 --out "$WORK/job-rate"
python3 - "$WORK/reads.log" "$WORK/job-rate/audit.jsonl.gz" <<'PY' || fail "--rate 20 was exceeded"
import datetime, gzip, json, sys
assert sum(1 for l in open(sys.argv[1]) if "daily_data_usages" in l) == 40, "reads at the mock"
def at(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
with gzip.open(sys.argv[2], "rt") as trail:
    times = sorted(at(r["started_at"]) for r in map(json.loads, trail) if r["kind"] == "exchange")
span = times[-1] - times[0]
assert len(times) == 40, len(times)
assert span >= (len(times) - 1) / 20.0 * 0.95, (len(times), span)
PY
# Concurrency: never more than --concurrency reads in flight at the mock.
rm -f "$WORK/reads.log"
expect_exit 0 reports --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --start-date 2026-11-01 \
  --end-date 2026-11-30 --concurrency 3 --output "$WORK/conc.csv"
python3 - "$WORK/reads.log" <<'PY' || fail "more reads in flight than --concurrency 3"
import json, sys
peak = max(json.loads(l)["in_flight"] for l in open(sys.argv[1]))
assert 1 <= peak <= 3, peak
PY
stop_mock

# SIGKILL mid-export, three times, then resume: the same bytes as an
# uninterrupted export. Each kill comes once the export has written more
# records than before it started (not after a fixed sleep: on a loaded machine
# that killed a process still starting, 40 times over, and tested nothing),
# at a byte count drawn at random, so it lands anywhere between two commits.
start_mock --devices 40 --latency-ms 15
rm -rf "$WORK/job-whole" "$WORK/job-killed"
expect_exit 0 reports --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-01 \
  --end-date 2026-11-30 --out "$WORK/job-whole" --concurrency 4
whole_bytes=$(stat -c %s "$WORK/job-whole/records.csv")
partial="$WORK/job-killed/records.csv.partial"
kills=0
for attempt in 1 2 3; do
  # the program itself, not a shell function around it: the kill must reach it
  LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" export reports \
    --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-01 \
    --end-date 2026-11-30 --out "$WORK/job-killed" --concurrency 4 --quiet 2>>"$WORK/killed.err" &
  pid=$!
  CHILD_PIDS+=("$pid")
  # the resume first cuts the file back to its last checkpoint: aim past that
  now=$(stat -c %s "$partial" 2>/dev/null || echo 0)
  target=$((now + 2000 + RANDOM % (whole_bytes / 5)))
  for _ in $(seq 1 1200); do
    [ "$(stat -c %s "$partial" 2>/dev/null || echo 0)" -ge "$target" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  if kill -KILL "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  [ -e "$WORK/job-killed/records.csv" ] && break
done
[ "$kills" -ge 2 ] || fail "the export was killed only $kills times"
[ -e "$WORK/job-killed/records.csv" ] || expect_exit 0 reports --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" \
  --start-date 2026-10-01 --end-date 2026-11-30 --out "$WORK/job-killed" --concurrency 4
cmp "$WORK/job-whole/records.csv" "$WORK/job-killed/records.csv" || fail "resumed records differ from an uninterrupted export"
note "killed $kills times (attempts $attempt); records identical ($(wc -l <"$WORK/job-killed/records.csv") lines)"
batch audit verify "$WORK/job-killed/audit.jsonl.gz" >/dev/null || fail "audit trail of the killed job does not verify"
batch status "$WORK/job-killed" | grep -q "complete" || fail "status does not show the export complete"
# a changed option or manifest is refused
expect_exit 4 reports --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-02 \
  --end-date 2026-11-30 --out "$WORK/job-killed"
grep -q "start_date" "$WORK/err.txt" || fail "the refusal does not name the option: $(cat "$WORK/err.txt")"
cp "$WORK/fleet.csv" "$WORK/fleet2.csv"; echo "mock-0000001" >>"$WORK/fleet2.csv"
cp "$WORK/fleet2.csv" "$WORK/fleet.csv"
expect_exit 4 reports --endpoint "$MOCK_URL" --manifest "$WORK/fleet.csv" --start-date 2026-10-01 \
  --end-date 2026-11-30 --out "$WORK/job-killed"
grep -q "manifest changed" "$WORK/err.txt" || fail "the refusal does not say the manifest changed"
stop_mock
