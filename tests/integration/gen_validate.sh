#!/usr/bin/env bash
# Cross-check of the generator and lattigo-batch: manifests with injected bad
# rows of every kind (scripts/gen-manifest.py --bad ... --expect), clean, dirty
# (BOM, CRLF, quoted newlines, ';', shuffled other-case headers, blank lines,
# padded values) and gzip-compressed JSONL, run against lattigo-sim: exactly
# the rows the generator damaged end as `invalid`, every other row is sent.
source "$(dirname "$0")/lib.sh"

GEN="$SOURCE_DIR/scripts/gen-manifest.py"
cd "$WORK"
start_sim

SEED=0
check() { # op format(csv|dirty|jsonl.gz) bad-row options...
	local op=$1 format=$2 file extra="" status=0
	SEED=$((SEED + 1)) # new ids for every activation: the simulator keeps the devices it made
	shift 2
	case $format in
	csv) file=$op.csv ;;
	dirty) file=$op.dirty.csv extra="--dirty all" ;;
	jsonl.gz) file=$op.jsonl.gz ;;
	esac
	# shellcheck disable=SC2086
	python3 "$GEN" --op "$op" --rows 120 --seed "$SEED" --names sim-default "$@" $extra \
		--expect "$file.expect" --out "$file" || fail "generator failed for $op $format"
	batch run --op "$op" --manifest "$file" --no-preflight --endpoint "$SIM_URL" --out "out.$op.$format" \
		--quiet --yes >/dev/null 2>"$file.stderr" || status=$?
	assert_eq 1 "$status" "exit status of $op $format (some rows invalid): $(tail -2 "$file.stderr")"
	python3 - "$file.expect" "out.$op.$format/results.csv" "$op $format" <<'PY' || fail "$op $format: invalid rows differ from the injected ones"
import csv, sys
expect = {int(r["row"]): r for r in csv.DictReader(open(sys.argv[1]))}
wanted = {row for row, r in expect.items() if r["invalid"] == "yes"}
results = list(csv.DictReader(open(sys.argv[2], encoding="utf-8", errors="replace")))
assert len(results) == 120, "%s: %d rows in results.csv" % (sys.argv[3], len(results))
invalid = {int(r["row"]) for r in results if r["status"] == "invalid"}
for row in sorted(invalid ^ wanted):
    print("%s row %d: injected %s, got %s %s" % (sys.argv[3], row, expect.get(row, {}).get("kind", "nothing"),
          results[row - 1]["status"], results[row - 1]["message"][:80]), file=sys.stderr)
assert invalid == wanted
sent = [r for r in results if r["status"] != "invalid"]
# lattigo-sim's devices without SMS support answer an Error: for send_sms; every other row is ok
assert all(r["status"] == "ok" or r["message"].startswith("Error: Device does not exist, or does not support SMS")
           for r in sent), sys.argv[3] + ": a valid row did not end ok"
PY
}

ids="--bad bad-luhn=2 --bad imei14 --bad imeisv --bad sci-notation --bad trailing-zero --bad duplicate=2 --bad missing"
notes="--bad long-note --bad formula-note --bad latin1-note"
# shellcheck disable=SC2086
for format in csv dirty jsonl.gz; do
	check activate "$format" $ids $notes
done
# shellcheck disable=SC2086
check upload dirty $ids
check cost-center csv --bad duplicate=2 --bad missing
check simstate jsonl.gz --bad duplicate --bad missing
check usage-limit dirty --bad duplicate --bad missing
check remove-usage-limit jsonl.gz --bad duplicate --bad missing
check sms csv --bad duplicate --bad missing
# shellcheck disable=SC2086
check note dirty --bad duplicate --bad missing $notes
check locate jsonl.gz --bad duplicate --bad missing
stop_sim
