#!/usr/bin/env bash
# Resume with the job's duplicate rows (docs/checkpoint.md, "The duplicate
# rows"): the preflight's pass over the whole manifest, before anything is
# sent, records which rows repeat an earlier one; a resume looks rows up there
# instead of loading the keys file. A cost-center job (preflight on) with
# duplicate rows on both sides of the resume point is killed with SIGKILL
# after a known number of calls, the checkpoint compacted every few calls,
# and resumed from copies of its directory:
#   - the keys file removed: the duplicate rows alone serve (no note);
#   - the duplicate rows flipped, cut, removed, or left half-written
#     (duplicate-rows.creating, as a kill during their creation leaves them):
#     the keys file serves;
#   - both removed: the resume says so and reads the manifest from its first row.
# Every resume must end with results.csv equal to an uninterrupted run's:
# each duplicate row `invalid` naming the same earlier row, every other row once.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/resume_lib.sh"

rows=3000
manifest="$WORK/manifest.csv"
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op cost-center --rows "$rows" --seed 11 \
  --names sim-default --sim-devices "$rows" --bad duplicate=40 --out "$manifest"
job_options=(--op cost-center --manifest "$manifest" --chunk 10 --concurrency 4)
export LATTIGO_CHECKPOINT_SEGMENT_BYTES=2048

start_sim --devices "$rows"
reference_status=0
batch run "${job_options[@]}" --quiet --endpoint "$SIM_URL" --out "$WORK/reference" || reference_status=$?
[ "$reference_status" -eq 1 ] || fail "reference run exited $reference_status (duplicates make it 1)"
[ -s "$WORK/reference/duplicate-rows" ] || fail "the reference run kept no duplicate rows"
stop_sim

# the interrupted job: SIGKILL once the simulator answered 150 of its ~300
# writes and the checkpoint was compacted at least once
start_sim --devices "$rows" --latency-ms 5 --verbose
run_killed_job "$WORK/killed"
[ -s "$WORK/killed/duplicate-rows" ] || fail "no duplicate rows in the job directory"

flip() { # flip one byte of FILE at OFFSET (negative: from the end)
  python3 - "$1" "$2" <<'PY'
import sys
path, offset = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, 'rb').read())
data[offset] ^= 0x20
open(path, 'wb').write(bytes(data))
PY
}

resume_copy() { # name: how the copy is damaged; sets RESUMED
  RESUMED="$WORK/$1"
  cp -a "$WORK/killed" "$RESUMED"
  case "$1" in
    keys-removed) rm "$RESUMED/duplicate-keys" ;;
    rows-flipped) flip "$RESUMED/duplicate-rows" 3 ;;
    rows-trailer-flipped) flip "$RESUMED/duplicate-rows" -20 ;;
    rows-cut) truncate -s -1 "$RESUMED/duplicate-rows" ;;
    rows-half-written)
      head -c 37 "$RESUMED/duplicate-rows" >"$RESUMED/duplicate-rows.creating"
      rm "$RESUMED/duplicate-rows" ;;
    both-removed) rm "$RESUMED/duplicate-rows" "$RESUMED/duplicate-keys" ;;
  esac
  local status=0
  batch run "${job_options[@]}" --endpoint "$SIM_URL" --out "$RESUMED" 2>"$RESUMED.stderr" || status=$?
  assert_eq "$reference_status" "$status" "exit status of the resume ($1)"
  compare_with_reference "$RESUMED" || fail "results.csv of the resume ($1) differs from the uninterrupted run's"
}

for case in keys-removed rows-flipped rows-trailer-flipped rows-cut rows-half-written; do
  resume_copy "$case"
  if grep -q 'reading the manifest from its first row' "$RESUMED.stderr"; then
    fail "the resume ($case) did not use the duplicate rows or the keys: $(cat "$RESUMED.stderr")"
  fi
done
resume_copy both-removed
grep -q 'reading the manifest from its first row' "$RESUMED.stderr" ||
  fail "without duplicate rows and keys, the resume did not say so: $(cat "$RESUMED.stderr")"
stop_sim
note "resumed from the duplicate rows alone, from the keys when the rows were damaged, and from neither"
