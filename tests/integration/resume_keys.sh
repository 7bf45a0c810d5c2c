#!/usr/bin/env bash
# Resume with the duplicate keys kept (docs/checkpoint.md, "The keys file"):
# a cost-center job with duplicate rows on both sides of the resume point is
# killed with SIGKILL after a known number of calls, with the checkpoint
# compacted every few calls, and resumed from copies of its directory:
#   - as it is: the keys are loaded and the manifest sought (no note);
#   - with a flipped byte in OUT/duplicate-keys, cut short, or removed: the
#     resume says so and reads the manifest from its first row.
# Every resume must end with results.csv equal to an uninterrupted run's:
# each duplicate row `invalid` naming the same earlier row.
#   usage: resume_keys.sh [csv|jsonl.gz]   (the manifest's format; a gzip
#   manifest is sought by inflating it up to the point)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/resume_lib.sh"

format=${1:-${KEYS_FORMAT:-csv}}
rows=3000
manifest="$WORK/manifest.$format"
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op cost-center --rows "$rows" --seed 11 \
  --names sim-default --sim-devices "$rows" --bad duplicate=40 --out "$manifest"
job_options=(--op cost-center --manifest "$manifest" --chunk 10 --concurrency 4 --no-preflight)
export LATTIGO_CHECKPOINT_SEGMENT_BYTES=2048

start_sim --devices "$rows"
reference_status=0
batch run "${job_options[@]}" --quiet --endpoint "$SIM_URL" --out "$WORK/reference" || reference_status=$?
[ "$reference_status" -eq 1 ] || fail "reference run exited $reference_status (duplicates make it 1)"
stop_sim

# the interrupted job: SIGKILL once the simulator answered 150 of its ~300
# calls and the checkpoint was compacted at least once
start_sim --devices "$rows" --latency-ms 5 --verbose
run_killed_job "$WORK/killed"
[ -s "$WORK/killed/duplicate-keys" ] || fail "no keys file in the job directory"

resume_copy() { # name, how to damage the keys file; sets RESUMED
  RESUMED="$WORK/$1"
  cp -a "$WORK/killed" "$RESUMED"
  case "$1" in
    flipped) python3 - "$RESUMED/duplicate-keys" <<'PY'
import sys
path = sys.argv[1]
data = bytearray(open(path, 'rb').read())
data[30] ^= 0x20  # in the first key: inside what any snapshot vouches for
open(path, 'wb').write(bytes(data))
PY
      ;;
    # bytes past the last compaction's mark are ignored anyway: cut into the first key
    cut) truncate -s 30 "$RESUMED/duplicate-keys" ;;
    removed) rm "$RESUMED/duplicate-keys" ;;
  esac
  local status=0
  batch run "${job_options[@]}" --endpoint "$SIM_URL" --out "$RESUMED" 2>"$RESUMED.stderr" || status=$?
  assert_eq "$reference_status" "$status" "exit status of the resume ($1)"
  compare_with_reference "$RESUMED" || fail "results.csv of the resume ($1) differs from the uninterrupted run's"
}

resume_copy intact
if grep -q 'reading the manifest from its first row' "$RESUMED.stderr"; then
  fail "the intact keys file was not used: $(cat "$RESUMED.stderr")"
fi
for damage in flipped cut removed; do
  resume_copy "$damage"
  grep -q 'reading the manifest from its first row' "$RESUMED.stderr" ||
    fail "the $damage keys file was not noticed: $(cat "$RESUMED.stderr")"
done
stop_sim
note "resumed with the keys loaded, and after a flipped, cut and removed keys file"
