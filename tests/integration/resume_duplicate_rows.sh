#!/usr/bin/env bash
# Resume with the job's duplicate rows (docs/checkpoint.md, "The duplicate
# rows"): the preflight's pass over the whole manifest, before anything is
# sent, records which rows repeat an earlier one; the sending and every resume
# look rows up there, so no keys file is written and none is loaded. A
# cost-center job (preflight on) with duplicate rows on both sides of the
# resume point is killed with SIGKILL after a known number of calls, the
# checkpoint compacted every few calls, and resumed from copies of its
# directory:
#   - as it is: the duplicate rows serve (no note);
#   - with one more entry forged in, CRCs made whole: the resume obeys it (the
#     proof that it reads the rows it judges from the list);
#   - with them flipped (in an entry or the trailer) or cut: the resume says
#     so and reads the manifest from its first row;
#   - with them removed, or left half-written (duplicate-rows.creating, as a
#     kill during their creation leaves them): the manifest is read from its
#     first row (an older job's way, no note).
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
[ ! -e "$WORK/killed/duplicate-keys" ] || fail "a keys file was written beside the duplicate rows"

flip() { # flip one byte of FILE at OFFSET (negative: from the end)
  python3 - "$1" "$2" <<'PY'
import sys
path, offset = sys.argv[1], int(sys.argv[2])
data = bytearray(open(path, 'rb').read())
data[offset] ^= 0x20
open(path, 'wb').write(bytes(data))
PY
}

damage() { # DIR CASE: damages DIR's duplicate rows the CASE way
  case "$2" in
    rows-flipped) flip "$1/duplicate-rows" 3 ;;
    rows-trailer-flipped) flip "$1/duplicate-rows" -20 ;;
    rows-cut) truncate -s -1 "$1/duplicate-rows" ;;
    rows-half-written)
      head -c 37 "$1/duplicate-rows" >"$1/duplicate-rows.creating"
      rm "$1/duplicate-rows" ;;
    rows-removed) rm "$1/duplicate-rows" ;;
    rows-forged) python3 - "$1/duplicate-rows" "$rows" <<'PY'
import struct, sys, zlib
path, last = sys.argv[1], int(sys.argv[2])
data = open(path, 'rb').read()
entries, trailer = data[:-40], bytearray(data[-40:])
assert struct.unpack_from('<Q', entries, len(entries) - 16)[0] < last, "the last row is a duplicate"
# the last row (not sent before the kill) said to repeat row 1's first key
entries += struct.pack('<QII', last, 1, 0)
struct.pack_into('<Q', trailer, 24, len(entries) // 16)
struct.pack_into('<I', trailer, 32, zlib.crc32(entries))
struct.pack_into('<I', trailer, 36, zlib.crc32(bytes(trailer[:36])))
open(path, 'wb').write(entries + bytes(trailer))
PY
      ;;
  esac
}

resume_copy() { # CASE: resumes a copy of the killed job damaged the CASE way; sets RESUMED
  RESUMED="$WORK/$1"
  cp -a "$WORK/killed" "$RESUMED"
  damage "$RESUMED" "$1"
  local status=0
  batch run "${job_options[@]}" --endpoint "$SIM_URL" --out "$RESUMED" 2>"$RESUMED.stderr" || status=$?
  assert_eq "$reference_status" "$status" "exit status of the resume ($1)"
}

note_text='reading the manifest from its first row'
resume_copy intact
compare_with_reference "$RESUMED" || fail "results.csv of the intact resume differs from the uninterrupted run's"
if grep -q "$note_text" "$RESUMED.stderr"; then
  fail "the intact duplicate rows were not used: $(cat "$RESUMED.stderr")"
fi
for case in rows-flipped rows-trailer-flipped rows-cut rows-removed rows-half-written; do
  resume_copy "$case"
  compare_with_reference "$RESUMED" || fail "results.csv of the resume ($case) differs from the uninterrupted run's"
  case $case in
    rows-removed | rows-half-written) ;;
    *) grep -q "$note_text" "$RESUMED.stderr" ||
         fail "the damage ($case) was not noticed: $(cat "$RESUMED.stderr")" ;;
  esac
done
resume_copy rows-forged
python3 - "$WORK/reference/results.csv" "$RESUMED/results.csv" "$rows" <<'PY' ||
import csv, sys
reference = list(csv.DictReader(open(sys.argv[1], newline='')))
resumed = list(csv.DictReader(open(sys.argv[2], newline='')))
last = int(sys.argv[3])
assert [int(r['row']) for r in resumed] == list(range(1, last + 1))
for a, b in zip(reference[:-1], resumed[:-1]):
    assert a['status'] == b['status'], f"row {a['row']}: {a['status']} vs {b['status']}"
assert resumed[-1]['status'] == 'invalid', resumed[-1]
assert resumed[-1]['message'].endswith('duplicate of row 1'), resumed[-1]['message']
PY
  fail "the resume did not judge the rows it read by the duplicate rows"
stop_sim
note "resumed from the duplicate rows (a forged entry obeyed), and from the manifest's first row when they were damaged or removed"
