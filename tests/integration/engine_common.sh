# Helpers shared by the engine's integration tests (sourced after lib.sh; not a test itself).

# manifest NAME gen-manifest-args...: writes $WORK/NAME.csv and prints its path.
manifest() {
  local out="$WORK/$1.csv"
  shift
  python3 "$SOURCE_DIR/scripts/gen-manifest.py" --out "$out" "$@" || fail "gen-manifest.py failed"
  echo "$out"
}

# run_job EXPECTED_EXIT args...: runs `lattigo-batch run --yes` with the test credentials,
# stderr to $WORK/batch.stderr; fails unless it exits with EXPECTED_EXIT.
run_job() {
  local expected=$1 status=0
  shift
  batch run --quiet --yes "$@" 2>"$WORK/batch.stderr" >"$WORK/batch.stdout" || status=$?
  [ "$status" = "$expected" ] || fail "lattigo-batch run exited $status, expected $expected: $(tail -5 "$WORK/batch.stderr")"
}

# status_counts RESULTS_CSV: prints "rows ok error unknown invalid skipped", one count each.
status_counts() {
  python3 - "$1" <<'PY'
import csv, sys
counts = {"ok": 0, "error": 0, "unknown": 0, "invalid": 0, "skipped": 0}
rows = 0
with open(sys.argv[1], newline="") as f:
    for row in csv.DictReader(f):
        rows += 1
        counts[row["status"]] = counts.get(row["status"], 0) + 1
print(rows, counts["ok"], counts["error"], counts["unknown"], counts["invalid"], counts["skipped"])
PY
}

# summary_field SUMMARY_JSON KEY: prints one top-level number of summary.json.
summary_field() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# assert_no_secret FILES...: the api key (plain or in a Basic header) appears in none of them.
assert_no_secret() {
  local basic
  basic=$(printf '%s:%s' "$TEST_KEY_NAME" "$TEST_API_KEY" | base64 -w0)
  local file
  for file in "$@"; do
    [ -f "$file" ] || continue
    if zcat -f "$file" | grep -aqF -e "$TEST_API_KEY" -e "$basic"; then
      fail "a secret appears in $file"
    fi
  done
}
