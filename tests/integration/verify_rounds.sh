#!/usr/bin/env bash
# `verify --wait`: rounds after the first walk only the rows still pending
# (kept on disk by the first round), never the job's manifest again. Shown
# by replacing the manifest once the first round is over (its progress line
# says when) with another of as many activations, other SIMs: were the
# later rounds to read the manifest, they would look for devices that do
# not exist and the rows would stay pending; they are verified, and
# verify.csv is byte-identical to a verify run afterwards against the
# original manifest, but for the identifier column (the last pass, which
# writes verify.csv, reads the manifest: it shows the replacement's).
source "$(dirname "$0")/lib.sh"

verdicts() {
  python3 -c '
import collections, csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(" ".join("%s=%d" % item for item in sorted(collections.Counter(r["verdict"] for r in rows).items())))' "$1"
}
rounds() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["verification"]["rounds"])' "$1"
}

export TMPDIR="$WORK/tmp"
mkdir -p "$TMPDIR"

start_sim --activation-delay-ms 4000
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op activate --rows 12 --out "$WORK/act.csv" >/dev/null
cp "$WORK/act.csv" "$WORK/original.csv"
batch run --quiet --yes --op activate --manifest "$WORK/act.csv" --out "$WORK/act" \
  --endpoint "$SIM_URL" || fail "the activation job failed"

LATTIGO_KEY_NAME=$TEST_KEY_NAME LATTIGO_API_KEY=$TEST_API_KEY \
  "$LATTIGO_BATCH" verify "$WORK/act" --wait 30s --progress >/dev/null 2>"$WORK/wait.err" &
verifier=$!
CHILD_PIDS+=("$verifier")
wait_for_text "$WORK/wait.err" "next look in" || true
grep -q "12 pending, .*next look in" "$WORK/wait.err" ||
  fail "no progress line with the activations pending: $(cat "$WORK/wait.err")"
# as many activations of other SIMs, put in place in one step
python3 "$SOURCE_DIR/scripts/gen-manifest.py" --op activate --rows 12 --seed 99 \
  --out "$WORK/changed.csv" >/dev/null
cmp -s "$WORK/changed.csv" "$WORK/original.csv" && fail "the replacement manifest is the same"
mv "$WORK/changed.csv" "$WORK/act.csv"
status=0
wait "$verifier" || status=$?
assert_eq 0 "$status" "verify --wait with the manifest replaced after the first round: $(tail -3 "$WORK/wait.err")"
assert_eq "verified=12" "$(verdicts "$WORK/act/verify.csv")" "later rounds judged the rows of the first"
[ "$(rounds "$WORK/act/summary.json")" -ge 2 ] || fail "verified in one round: never pending"
# verify.csv without its identifier column
columns() {
  python3 -c '
import csv, sys
for row in csv.reader(open(sys.argv[1], newline="")):
    print(",".join(row[:1] + row[2:]))' "$1"
}
# the ICCIDs: the manifest's second column, verify.csv's identifier
identifiers() {
  python3 -c '
import csv, sys
print(" ".join(row[1] for row in list(csv.reader(open(sys.argv[1], newline="")))[1:]))' "$1"
}
assert_eq "$(identifiers "$WORK/act.csv")" "$(identifiers "$WORK/act/verify.csv")" \
  "verify.csv's identifiers are those of the manifest in place at its last pass"
columns "$WORK/act/verify.csv" >"$WORK/waited.csv"

# the reference: the original manifest back, every device active now
cp "$WORK/original.csv" "$WORK/act.csv"
batch verify "$WORK/act" >/dev/null 2>"$WORK/verify.err" || fail "verify exited $?: $(tail -3 "$WORK/verify.err")"
assert_eq "verified=12" "$(verdicts "$WORK/act/verify.csv")" "verify afterwards"
columns "$WORK/act/verify.csv" >"$WORK/reference.csv"
cmp -s "$WORK/waited.csv" "$WORK/reference.csv" ||
  fail "verify.csv after --wait differs: $(diff "$WORK/waited.csv" "$WORK/reference.csv" | head -5)"
stop_sim

# the pending rows' and judgements' files are gone
[ -z "$(ls -A "$TMPDIR")" ] || fail "left in TMPDIR: $(ls -A "$TMPDIR")"
