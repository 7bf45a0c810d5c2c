#!/usr/bin/env bash
# Power loss (issue 11), in the style of SQLite's and ALICE's crash tests.
# kill -9 keeps everything already handed to the kernel; a power cut keeps
# only what was made durable. An activate job (non-idempotent) runs once
# under record_io.so, which logs every write, truncation, fsync, rename and
# sent request. Then, for many cut points, crash_replay.py rebuilds what the
# disk could hold after a power cut there, a fresh simulator receives exactly
# the requests sent before the cut (the server's side of that world), and the
# job is resumed from the rebuilt directory. Every time:
#   - no row lost: results.csv holds every row once, all `ok`;
#   - none applied twice: the simulator's ledger holds each ICCID once;
#   - the audit trail verifies.
# "prefix" crash states (each file's unsynced appends reach the disk in order,
# the last maybe torn) must resume. "subset" states (any subset of the
# unsynced changes, any of them torn) must resume the same way or be refused
# with exit 4 and a message naming the byte offset of the damage, never lose
# or repeat a row.
# With CRASH_SEGMENT_BYTES (the power_loss_compaction test) the checkpoint is
# compacted every few calls, the cut points include every step of those
# compactions, and a third kind of state is tried: "kill" (kill -9: every
# change handed to the kernel survives).
source "$(dirname "$0")/../integration/lib.sh"
: "${CRASH_SHIM:?path of crash_record_io.so}"

rows=${CRASH_ROWS:-60}
cut_count=${CRASH_CUTS:-8}
modes=(prefix subset)
if [ -n "${CRASH_SEGMENT_BYTES:-}" ]; then
  export LATTIGO_CHECKPOINT_SEGMENT_BYTES=$CRASH_SEGMENT_BYTES
  modes+=(kill)
fi
seed=${CRASH_SEED:-$RANDOM}
replay="python3 $(dirname "$0")/crash_replay.py"
manifest="$WORK/lot.csv"
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op activate --rows "$rows" --seed 13 --out "$manifest"
job_options=(--op activate --manifest "$manifest" --chunk 5 --concurrency 2 --quiet --yes)
sim_options=(--devices "$rows" --seed 13)
note "seed $seed (CRASH_SEED=$seed reproduces the cut points and crash states)"

# 1. the recorded run
start_sim "${sim_options[@]}"
status=0
CRASH_LOG="$WORK/io.log" CRASH_DIR="$WORK/job" LD_PRELOAD="$CRASH_SHIM" \
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
  LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" \
  "$LATTIGO_BATCH" run "${job_options[@]}" --endpoint "$SIM_URL" --out "$WORK/job" || status=$?
stop_sim
assert_eq 0 "$status" "exit status of the recorded run"
if [ -n "${CRASH_SEGMENT_BYTES:-}" ]; then
  [ -e "$WORK/job/checkpoint.prev" ] || fail "the recorded run never compacted its checkpoint"
fi
$replay requests "$WORK/io.log" 1000000000 >"$WORK/all.requests"
[ "$(grep -c . "$WORK/all.requests")" -ge $((rows / 5)) ] || fail "the requests were not recorded"

# check DIR LEDGER WHAT: the resumed job in DIR is complete and right
check() {
  local dir=$1 ledger=$2 what=$3
  python3 - "$dir/results.csv" "$rows" "$ledger" <<'PY' || fail "$what"
import collections, csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
assert [int(r['row']) for r in rows] == list(range(1, int(sys.argv[2]) + 1)), "a row is lost or repeated"
bad = [(r['row'], r['status'], r['message']) for r in rows if r['status'] != 'ok']
assert not bad, f"{len(bad)} rows not ok, e.g. {bad[:3]}"
keys = collections.Counter(e['key'] for e in map(json.loads, filter(str.strip, open(sys.argv[3])))
                           if e['op'] == 'activate')
twice = [k for k, n in keys.items() if n > 1]
assert not twice, f"activated twice: {twice[:3]}"
assert len(keys) == int(sys.argv[2]), f"{len(keys)} activations, not {sys.argv[2]}"
PY
  batch audit verify "$dir/audit.jsonl.gz" >"$WORK/verify.txt" 2>&1 || fail "$what: audit verify: $(cat "$WORK/verify.txt")"
}

resumed=0 refused=0
for cut in $($replay cuts "$WORK/io.log" "$cut_count" "$seed"); do
  for mode in "${modes[@]}"; do
    dir="$WORK/crash-$cut-$mode"
    $replay build "$WORK/io.log" "$cut" "$mode" "$seed" "$WORK/job" "$dir"
    # nothing durable yet (cut before the checkpoint's first sync): no job to resume
    [ -s "$dir/checkpoint" ] || { rm -rf "$dir"; continue; }
    # nor when the cut came before the checkpoint's header was synced: its
    # creation never completed (the run refuses such a directory, exit 4,
    # naming the header; a new --out starts the job)
    python3 -c '
import struct, sys
data = open(sys.argv[1], "rb").read()
sys.exit(0 if len(data) >= 12 and len(data) >= 8 + 13 + struct.unpack_from("<I", data, 8)[0] else 1)' \
      "$dir/checkpoint" || { rm -rf "$dir"; continue; }
    $replay requests "$WORK/io.log" "$cut" >"$dir.requests"
    start_sim "${sim_options[@]}" --ledger "$dir.ledger"
    $replay replay "$SIM_URL" "$dir.requests"
    status=0
    batch run "${job_options[@]}" --endpoint "$SIM_URL" --force-endpoint --out "$dir" 2>"$dir.err" || status=$?
    stop_sim
    what="cut $cut ($mode, $(grep -c . "$dir.requests" || true) requests sent before it)"
    if [ "$status" -eq 0 ]; then
      check "$dir" "$dir.ledger" "$what"
      resumed=$((resumed + 1))
    elif [ "$mode" = subset ] && [ "$status" -eq 4 ] && grep -q "byte offset [0-9]" "$dir.err"; then
      # refused, naming where: nothing sent again, nothing applied twice
      python3 -c '
import collections, json, sys
keys = collections.Counter(e["key"] for e in map(json.loads, filter(str.strip, open(sys.argv[1]))) if e["op"] == "activate")
sys.exit(any(n > 1 for n in keys.values()))' "$dir.ledger" || fail "$what: activated twice"
      refused=$((refused + 1))
    else
      fail "$what: resume exited $status: $(tail -3 "$dir.err")"
    fi
    rm -rf "$dir"
  done
done
[ "$resumed" -ge 10 ] || fail "only $resumed crash states were resumed: the test checks too little"
note "ok: $resumed crash states resumed with every row once and the audit verified; $refused (subset) refused naming the damage"
