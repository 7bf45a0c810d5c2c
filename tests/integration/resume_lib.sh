# shellcheck shell=bash
# Shared by the resume tests with duplicate rows (resume_keys.sh,
# resume_duplicate_rows.sh), sourced after lib.sh. The caller sets rows,
# job_options and WORK/reference (an uninterrupted run's directory) and has a
# --verbose simulator running (its log: WORK/sim.stderr).

# run_killed_job OUT: runs the job into OUT and SIGKILLs it once the simulator
# answered 150 writes and the checkpoint was compacted at least once.
run_killed_job() {
  local out=$1 pid
  LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" \
    "$LATTIGO_BATCH" run "${job_options[@]}" --quiet --endpoint "$SIM_URL" --out "$out" &
  pid=$!
  for _ in $(seq 1 3000); do
    [ "$(grep -c ' PUT ' "$WORK/sim.stderr" || true)" -ge 150 ] &&
      [ -e "$out/checkpoint.prev" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  kill -KILL "$pid" 2>/dev/null || fail "the job ended before it could be killed"
  wait "$pid" 2>/dev/null || true
  [ -e "$out/checkpoint.prev" ] || fail "the checkpoint was never compacted"
}

# compare_with_reference DIR: results.csv of a resumed copy against the
# uninterrupted run's: rows 1..N once each, the same statuses, each invalid
# row (a duplicate) with the same message naming the same earlier row.
compare_with_reference() {
  python3 - "$WORK/reference/results.csv" "$1/results.csv" "$rows" <<'PY'
import csv, sys
def load(path):
    with open(path, newline='') as f:
        return list(csv.DictReader(f))
reference, resumed, rows = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3])
assert [int(r['row']) for r in resumed] == list(range(1, rows + 1)), "rows are not 1..N once each"
invalid = 0
for a, b in zip(reference, resumed):
    assert a['status'] == b['status'], f"row {a['row']}: {a['status']} vs {b['status']}"
    if a['status'] == 'invalid':
        invalid += 1
        assert a['message'] == b['message'], f"row {a['row']}: {a['message']!r} vs {b['message']!r}"
assert invalid >= 30, f"only {invalid} invalid rows"
PY
}
