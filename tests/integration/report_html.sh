#!/usr/bin/env bash
# report.html (issue 13): written at the end of a finished and of an
# interrupted run, and on demand for a running job; its numbers equal
# summary.json; hostile text from the manifest and from the API is escaped;
# the page is self-contained; and it renders in headless Chromium.
#
# The browser check needs `chromium` (scripts/setup installs it). Without it
# the test FAILS, unless LATTIGO_SKIP_BROWSER=1 says a machine without a
# browser is expected: then everything else is checked and the test reports
# itself skipped (exit 77), never passed.
source "$(dirname "$0")/lib.sh"

browser=""
for candidate in chromium chromium-browser; do
  command -v "$candidate" >/dev/null 2>&1 && { browser=$candidate; break; }
done
if [ -z "$browser" ] && [ "${LATTIGO_SKIP_BROWSER:-}" != 1 ]; then
  fail "no headless browser (chromium): install it (scripts/setup does) or set LATTIGO_SKIP_BROWSER=1"
fi

# screenshot HTML PNG: renders the page in headless Chromium at 1000x1600 and
# checks the picture has that size and is not blank.
screenshot() {
  [ -n "$browser" ] || return 0
  local profile="$WORK/profile.$RANDOM"
  timeout 60 "$browser" --headless --no-sandbox --disable-gpu --no-first-run \
    --user-data-dir="$profile" --window-size=1000,1600 --screenshot="$2" "file://$1" \
    >"$WORK/browser.log" 2>&1 || fail "chromium failed on $1: $(tail -3 "$WORK/browser.log")"
  [ -s "$2" ] || fail "chromium wrote no screenshot of $1"
  python3 "$TESTS_DIR/integration/png_check.py" "$2" 1000 1600 || fail "screenshot of $1"
}

rows=300
hostile_device='<script>alert(2)<script>'
hostile_image='<img src=x onerror=alert(3)>'
manifest="$WORK/<b>lot-42<i>.csv"
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op note --rows "$rows" --seed 3 \
  --names sim-default --sim-devices "$rows" --bad duplicate=4 --out "$manifest" || fail "gen-manifest.py failed"
# Two devices the API does not know, named with markup: their error messages echo the names.
printf '%s,note,x\n"%s",note,y\n36500,note,"<script>alert(1)</script> in a note"\n' \
  "$hostile_device" "$hostile_image" >>"$manifest"
out="$WORK/finished"

start_sim --devices "$rows" --seed 3
status=0
# --no-preflight: the rows go to the API, whose (hostile) error message the report must escape
batch run --op note --manifest "$manifest" --chunk 25 --quiet --endpoint "$SIM_URL" --no-preflight \
  --out "$out" 2>"$WORK/run.stderr" || status=$?
assert_eq 1 "$status" "exit status of a job with failed rows ($(tail -3 "$WORK/run.stderr"))"
[ -s "$out/report.html" ] || fail "run wrote no report.html"
python3 "$TESTS_DIR/integration/report_check.py" "$out/report.html" "$out/summary.json" \
  --state finished --hostile "$hostile_device" --hostile "$hostile_image" \
  --hostile "$(basename "$manifest")" || fail "report.html of a finished job"
grep -q "device &#39;&lt;script&gt;alert(2)&lt;script&gt;&#39; not found" "$out/report.html" ||
  fail "the API's error message is not in the report"
# The sample rows name their device (the key column of results.csv).
grep -q '<td class="mono">device_name &lt;script&gt;alert(2)&lt;script&gt;</td>' "$out/report.html" ||
  fail "the error's sample row does not show its device_name"
# The audit trail's last hash in the page is the SHA-256 of the trail's last line.
last_hash=$(zcat "$out/audit.jsonl.gz" | tail -n 1 | tr -d '\n' | sha256sum | cut -d' ' -f1)
grep -q "id=\"audit-last-hash\" class=\"mono\">$last_hash<" "$out/report.html" ||
  fail "the audit trail's last hash ($last_hash) is not in the report"
grep -q "id=\"manifest-sha256\" class=\"mono\">$(sha256sum "$manifest" | cut -d' ' -f1)<" "$out/report.html" ||
  fail "the manifest's SHA-256 is not in the report"
screenshot "$out/report.html" "$WORK/finished.png"

# On demand, to another file; the same numbers.
batch report "$out" --output "$WORK/again.html" || fail "report --output failed"
python3 "$TESTS_DIR/integration/report_check.py" "$WORK/again.html" "$out/summary.json" --state finished ||
  fail "report --output"
stop_sim

# A slow service: the job runs long enough to make a report while it runs,
# then is interrupted with SIGINT (exit 3) and writes its report as it stops.
start_sim --devices "$rows" --seed 3 --latency-ms 100
slow="$WORK/interrupted"
LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" run \
  --op note --manifest "$manifest" --chunk 5 --concurrency 1 --quiet --endpoint "$SIM_URL" \
  --out "$slow" 2>"$WORK/slow.stderr" &
job_pid=$!
CHILD_PIDS+=("$job_pid")
deadline=$((SECONDS + 30))
until [ -s "$slow/results.csv" ] || python3 - "$slow/checkpoint" <<'PY' 2>/dev/null; do
import os, sys
sys.exit(0 if os.path.getsize(sys.argv[1]) > 2000 else 1)
PY
  [ "$SECONDS" -lt "$deadline" ] || fail "the slow job recorded nothing in 30 s"
  kill -0 "$job_pid" 2>/dev/null || fail "the slow job ended early: $(tail -3 "$WORK/slow.stderr")"
  sleep 0.1
done
batch report "$slow" --output "$WORK/running.html" || fail "report of a running job failed"
grep -q 'id="state">running' "$WORK/running.html" || fail "the running job's report does not say running"
kill -INT "$job_pid"
status=0
wait "$job_pid" || status=$?
assert_eq 3 "$status" "exit status of the interrupted job ($(tail -3 "$WORK/slow.stderr"))"
stop_sim
python3 - "$slow/summary.json" <<'PY' || fail "the interrupted job's summary: $(cat "$slow/summary.json")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["complete"] is False and s["exit_status"] == 3 and s["counts"]["pending"] > 0, s
PY
python3 "$TESTS_DIR/integration/report_check.py" "$slow/report.html" "$slow/summary.json" \
  --state stopped || fail "report.html of an interrupted job"
screenshot "$slow/report.html" "$WORK/interrupted.png"

# Usage errors.
status=0
batch report "$WORK/nowhere" 2>/dev/null || status=$?
assert_eq 2 "$status" "report of a directory that does not exist"
mkdir -p "$WORK/empty"
status=0
batch report "$WORK/empty" 2>/dev/null || status=$?
assert_eq 2 "$status" "report of a directory without a job"

if [ -z "$browser" ]; then
  note "SKIPPED the browser check: no chromium (LATTIGO_SKIP_BROWSER=1)"
  exit 77
fi
