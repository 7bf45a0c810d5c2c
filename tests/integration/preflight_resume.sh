#!/usr/bin/env bash
# A resume settles the rows left from the verdicts the first run kept
# (OUT/snapshot/verdicts, issue 14), and survives a cut during the
# preflight's persistence. One cost-center job per crash point, each on its
# own devices of lattigo-sim: 30 rows already in place, 88 to change (2 by
# ICCID), a duplicate (row 40's device by ICCID), 2 missing devices. The
# job is SIGKILLed, the cut is simulated on its files, and the resume must
# send every change row exactly once (the ledger), none of the others, end
# with the same outcomes, and leave undo.csv whole:
#   intact          the verdicts are used: undo.csv is not rewritten;
#   torn            the verdicts file cut in half: classified again from the
#                   kept snapshot;
#   damaged         one row's byte of the verdicts flipped (row 120, not
#                   final: its block's CRC fails before it is used):
#                   classified again;
#   no-verdicts     a cut after undo.csv, before the verdicts;
#   no-undo         a cut before undo.csv (and the verdicts);
#   early           SIGKILL as soon as the snapshot is stored (before any
#                   write, or just after), the verdicts removed if present.
source "$(dirname "$0")/lib.sh"
source "$TESTS_DIR/integration/mock_lib.sh"

start_sim --devices 1300 --ledger "$WORK/ledger.jsonl"
touch "$WORK/ledger.jsonl"

# writes FROM: the ledger's keys after line FROM, sorted (a key twice shows twice).
writes() { tail -n +"$(($1 + 1))" "$WORK/ledger.jsonl" | python3 -c '
import json, sys
for line in sys.stdin:
    print(json.loads(line)["key"])' | sort; }

# statuses RESULTS: "status=count ..." of results.csv, sorted.
statuses() { python3 - "$1" <<'PY'
import collections, csv, sys
counts = collections.Counter(row["status"] for row in csv.DictReader(open(sys.argv[1], newline="")))
print(" ".join("%s=%d" % item for item in sorted(counts.items())))
PY
}

iccid_of() { api GET "v2/devices/$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["iccid"])'; }

scenario() {
  local label=$1 first=$2 dir="$WORK/$1" out="$WORK/$1/job" before victim
  mkdir -p "$dir"
  seq "$first" $((first + 117)) >"$dir/names"
  name() { sed -n "${1}p" "$dir/names"; }
  # seed: every device its own cost center, rows 1-30 already at the target
  { echo "device_name,cost_center"; sed 's/.*/&,ORIG-&/' "$dir/names"; } >"$dir/seed.csv"
  run_batch 0 --op cost-center --manifest "$dir/seed.csv" --endpoint "$SIM_URL" --out "$dir/seed"
  { echo "device_name,cost_center"; head -30 "$dir/names" | sed 's/.*/&,T-&/'; } >"$dir/place.csv"
  run_batch 0 --op cost-center --manifest "$dir/place.csv" --endpoint "$SIM_URL" --out "$dir/place"
  {
    echo "device_name,cost_center,id_type"
    head -116 "$dir/names" | sed 's/.*/&,T-&,/'
    for row in 117 118; do echo "$(iccid_of "$(name $row)"),T-$(name $row),iccid"; done
    echo "$(iccid_of "$(name 40)"),T-dup,iccid"
    echo "missing-$label-1,T,"
    echo "missing-$label-2,T,"
  } >"$dir/job.csv"
  # what undo.csv must hold: every change row, its value before the job
  {
    echo "device_name,cost_center,source_row"
    for row in $(seq 31 118); do echo "$(name "$row"),ORIG-$(name "$row"),$row"; done
  } >"$dir/undo-expected.csv"
  sed -n '31,118p' "$dir/names" | sort >"$dir/writes-expected"

  before=$(wc -l <"$WORK/ledger.jsonl")
  LATTIGO_KEY_NAME="$TEST_KEY_NAME" LATTIGO_API_KEY="$TEST_API_KEY" "$LATTIGO_BATCH" run --quiet --op cost-center --manifest "$dir/job.csv" --endpoint "$SIM_URL" --out "$out" \
    --chunk 4 --concurrency 1 --rate 20 2>"$dir/run1.stderr" &
  victim=$!
  CHILD_PIDS+=("$victim")
  for _ in $(seq 1 600); do
    if [ "$label" = early ]; then
      [ -e "$out/snapshot/meta.json" ] && break
    else
      [ "$(($(wc -l <"$WORK/ledger.jsonl") - before))" -ge 8 ] && break
    fi
    kill -0 "$victim" 2>/dev/null || break
    sleep 0.02
  done
  kill -KILL "$victim" 2>/dev/null || true
  wait "$victim" 2>/dev/null || true
  [ -e "$out/checkpoint" ] || fail "$label: the job left no checkpoint"
  local sent_before_resume
  sent_before_resume=$(($(wc -l <"$WORK/ledger.jsonl") - before))
  [ "$label" = early ] || [ "$sent_before_resume" -lt 88 ] || fail "$label: the job finished before the kill"
  local inode=""
  case "$label" in
    intact)
      [ -s "$out/snapshot/verdicts" ] || fail "intact: no verdicts kept before the first write"
      cmp -s "$dir/undo-expected.csv" "$out/undo.csv" || fail "intact: undo.csv before the resume: $(diff "$dir/undo-expected.csv" "$out/undo.csv" | head -4)"
      inode=$(stat -c %i "$out/undo.csv")
      # a snapshot older than --max-snapshot-age: refused (exit 2), nothing sent
      # (it was read more than 100 ms ago: 8 writes at --rate 20 came after it)
      local ledger_at_kill
      ledger_at_kill=$(wc -l <"$WORK/ledger.jsonl")
      run_batch 2 --op cost-center --manifest "$dir/job.csv" --endpoint "$SIM_URL" --out "$out" --chunk 4 \
        --max-snapshot-age 100ms
      grep -q "ago, more than --max-snapshot-age 100ms allows; start a new job with another --out" \
        "$WORK/batch.stderr" || fail "intact: --max-snapshot-age: $(cat "$WORK/batch.stderr")"
      assert_eq "$ledger_at_kill" "$(wc -l <"$WORK/ledger.jsonl")" "writes after a refused stale snapshot" ;;
    torn) truncate -s $(($(stat -c %s "$out/snapshot/verdicts") / 2)) "$out/snapshot/verdicts" ;;
    damaged) python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(119); byte = f.read(1)[0]; f.seek(119); f.write(bytes([byte ^ 0x40]))' "$out/snapshot/verdicts" ;;
    no-verdicts) rm -f "$out/snapshot/verdicts" "$out/snapshot/verdict-notes" ;;
    no-undo) rm -f "$out/snapshot/verdicts" "$out/snapshot/verdict-notes" "$out/undo.csv" ;;
    early) rm -f "$out/snapshot/verdicts" "$out/snapshot/verdict-notes" ;;
  esac
  run_batch 1 --op cost-center --manifest "$dir/job.csv" --endpoint "$SIM_URL" --out "$out" --chunk 4 --verbose
  # every change row written, nothing else; twice only a row of the one call
  # in flight at the kill (cost-center is idempotent: a row in doubt is sent
  # again, docs/checkpoint.md), never a row settled before it
  writes "$before" | uniq >"$dir/writes"
  cmp -s "$dir/writes-expected" "$dir/writes" ||
    fail "$label: the ledger is not every change row: $(diff "$dir/writes-expected" "$dir/writes" | head -6)"
  local twice
  twice=$(writes "$before" | uniq -d | wc -l)
  [ "$twice" -le 4 ] || fail "$label: $twice rows written twice (more than the call in flight)"
  tail -n +"$((before + sent_before_resume + 1))" "$WORK/ledger.jsonl" | python3 -c '
import collections, json, sys
counts = collections.Counter(json.loads(line)["key"] for line in sys.stdin)
assert max(counts.values(), default=1) == 1, counts' || fail "$label: the resume wrote a row twice"
  assert_eq "error=2 invalid=1 ok=88 unchanged=30" "$(statuses "$out/results.csv")" "$label: statuses"
  grep -q "^1,unchanged,,not sent: cost_center is already 'T-$(name 1)' (account read at 20" "$out/results.csv" ||
    fail "$label: row 1: $(sed -n 2p "$out/results.csv")"
  # a duplicate key, kept as such in the verdicts: invalid, as in an uninterrupted run
  grep -q "^119,invalid,,\"\\?duplicate of row 40: same device $(name 40) (this row names it by iccid " "$out/results.csv" ||
    fail "$label: row 119: $(sed -n 120p "$out/results.csv")"
  grep -q "^120,error,,\"\?not sent: no device with device_name missing-$label-1 in the account" "$out/results.csv" ||
    fail "$label: row 120: $(sed -n 121p "$out/results.csv")"
  # ICCID rows show the device they resolved to
  case "$(sed -n 118p "$out/results.csv")" in
    117,ok,*,iccid,"$(name 117)") ;;
    *) fail "$label: row 117 should be ok and resolve to $(name 117): $(sed -n 118p "$out/results.csv")" ;;
  esac
  cmp -s "$dir/undo-expected.csv" "$out/undo.csv" ||
    fail "$label: undo.csv after the resume: $(diff "$dir/undo-expected.csv" "$out/undo.csv" | head -4)"
  python3 - "$out/summary.json" <<'PY' || fail "$label: summary.json undo: $(cat "$out/summary.json")"
import json, sys
undo = json.load(open(sys.argv[1]))["undo"]
assert undo["rows"] == 88, undo
PY
  if [ "$label" = intact ]; then
    assert_eq "$inode" "$(stat -c %i "$out/undo.csv")" "intact: undo.csv was rewritten on resume"
    grep -q "classifying the rows again" "$WORK/batch.stderr" && fail "intact: the resume classified again"
  else
    # (without undo.csv, or before any verdict was kept, it classifies without a word)
    grep -q "classifying the rows again" "$WORK/batch.stderr" || [ "$label" = early ] || [ "$label" = no-undo ] ||
      fail "$label: the resume did not say it classifies again: $(cat "$WORK/batch.stderr")"
    [ -s "$out/snapshot/verdicts" ] || fail "$label: the resume did not keep the verdicts again"
  fi
  note "$label: $sent_before_resume writes before the kill, every change row once after the resume"
}

scenario intact 36500
scenario torn 36700
scenario damaged 37500
scenario no-verdicts 36900
scenario no-undo 37100
scenario early 37300
stop_sim
