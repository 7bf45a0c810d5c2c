#!/usr/bin/env bash
# Checks scripts/gen-manifest.py, the generator other tests and the benchmarks
# rely on: Luhn-valid unique ids, the requested bad rows exactly where --expect
# says, dirty CSV that still parses to the same rows, JSONL and gzip, and
# determinism by --seed. The checks are written in python3, independent of
# lattigo-batch's own validators.
source "$(dirname "$0")/lib.sh"

GEN="$SOURCE_DIR/scripts/gen-manifest.py"
cd "$WORK"

ops="activate upload cost-center simstate usage-limit remove-usage-limit sms note locate"
for op in $ops; do
	bad="--bad duplicate=2 --bad missing=1"
	case $op in
	activate) bad="$bad --bad bad-luhn=3 --bad imei14 --bad imeisv --bad sci-notation=2 --bad trailing-zero --bad long-note --bad formula-note --bad latin1-note" ;;
	upload) bad="$bad --bad bad-luhn --bad imei14 --bad imeisv --bad sci-notation --bad trailing-zero" ;;
	note) bad="$bad --bad long-note --bad formula-note --bad latin1-note" ;;
	esac
	# shellcheck disable=SC2086
	python3 "$GEN" --op "$op" --rows 2000 --seed 7 $bad --expect "$op.expect.csv" --out "$op.csv" ||
		fail "generator failed for --op $op"
	# shellcheck disable=SC2086
	python3 "$GEN" --op "$op" --rows 2000 --seed 7 $bad --out "$op.jsonl.gz" || fail "generator failed for --op $op (jsonl.gz)"
	python3 "$GEN" --op "$op" --rows 300 --seed 3 --dirty all --bad duplicate --expect "$op.dirty.expect.csv" --out "$op.dirty.csv" ||
		fail "generator failed for --op $op (dirty)"
done

python3 - "$ops" <<'PY' || fail "generated manifests are not what was asked for"
import csv, gzip, json, sys

def luhn_ok(number):
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0

# Reference vectors, so the checker itself is known to be right.
assert luhn_ok("490154203237518") and luhn_ok("89014103211118510720")
assert not luhn_ok("490154203237519")

def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig", errors="surrogateescape") as handle:
        sample = handle.readline()
        handle.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        reader = csv.reader(handle, delimiter=delimiter)
        header = [name.strip().lower() for name in next(reader)]
        rows = [dict(zip(header, (v.strip() for v in values))) for values in reader if values]
    return header, rows

def read_expect(path):
    with open(path, newline="") as handle:
        return {int(r["row"]): r for r in csv.DictReader(handle)}

def check(op, rows, expect, where):
    keys = {"activate": "iccid", "upload": "imei"}.get(op, "device_name")
    seen = {}
    bad = 0
    for number, row in enumerate(rows, 1):
        wanted = expect.get(number)
        kind = wanted["kind"] if wanted else None
        key = row.get(keys, "")
        if kind == "duplicate":
            assert key in seen, "%s row %d: duplicate of nothing" % (where, number)
            bad += 1
            continue
        assert key == "" or key not in seen, "%s row %d: unexpected duplicate %s" % (where, number, key)
        seen[key] = number
        for field, length in (("imei", 15), ("iccid", 20)):
            value = row.get(field)
            if value is None or (wanted and wanted["field"] == field):
                continue
            assert len(value) == length and value.isdigit() and luhn_ok(value), \
                "%s row %d: %s %r not valid" % (where, number, field, value)
            if field == "iccid":
                assert value.startswith("89"), "%s row %d: iccid without 89" % (where, number)
        if not wanted:
            continue
        bad += 1
        value = row.get(wanted["field"], "")
        checks = {
            "bad-luhn": lambda v: v.isdigit() and not luhn_ok(v),
            "imei14": lambda v: len(v) == 14 and v.isdigit(),
            "imeisv": lambda v: len(v) == 16 and v.isdigit(),
            "sci-notation": lambda v: "E+" in v,
            "trailing-zero": lambda v: v.endswith(".0"),
            "missing": lambda v: v == "",
            "long-note": lambda v: len(v) > (100 if op == "note" else 250),
            "formula-note": lambda v: v.startswith("="),
            "latin1-note": lambda v: "\udce9" in v,  # the lone Latin-1 byte 0xE9
        }
        assert checks[kind](value), "%s row %d: %s not applied (%r)" % (where, number, kind, value)
    assert bad == len(expect), "%s: %d bad rows found, %d expected" % (where, bad, len(expect))

for op in sys.argv[1].split():
    expect = read_expect(op + ".expect.csv")
    assert len(expect) >= 3, op + ": too few bad rows listed"
    header, rows = read_csv(op + ".csv")
    assert len(rows) == 2000, "%s: %d rows" % (op, len(rows))
    check(op, rows, expect, op + ".csv")
    with gzip.open(op + ".jsonl.gz", "rt", encoding="utf-8", errors="surrogateescape") as handle:
        objects = [json.loads(line) for line in handle]
    assert len(objects) == 2000
    json_rows = [{k: str(v) for k, v in o.items()} for o in objects]
    for csv_row, json_row in zip(rows, json_rows):
        assert {k: v for k, v in csv_row.items() if v} == json_row, op + ": csv and jsonl differ"
    dirty_expect = read_expect(op + ".dirty.expect.csv")
    raw = open(op + ".dirty.csv", "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw and b"\r\n\r\n" in raw, op + ": not dirty"
    header, rows = read_csv(op + ".dirty.csv")
    assert len(rows) == 300 and "comment" in header, op + ".dirty.csv: %d rows" % len(rows)
    assert any("\n" in row["comment"] for row in rows), op + ": no quoted newline"
    check(op, rows, dirty_expect, op + ".dirty.csv")
print("generator checks passed")
PY

# Old Mac exports: CR-only line ends, nothing else.
python3 "$GEN" --op activate --rows 50 --dirty cr-only --out cr.csv
python3 -c 'import sys; data = open(sys.argv[1], "rb").read(); sys.exit(not (data.count(b"\r") == 51 and b"\n" not in data))' cr.csv ||
	fail "--dirty cr-only did not give 51 CR-only lines"

# Deterministic by seed, different across seeds.
python3 "$GEN" --op activate --rows 500 --seed 11 --bad bad-luhn=4 --out a.csv
python3 "$GEN" --op activate --rows 500 --seed 11 --bad bad-luhn=4 --out b.csv
python3 "$GEN" --op activate --rows 500 --seed 12 --bad bad-luhn=4 --out c.csv
cmp -s a.csv b.csv || fail "same seed gave different files"
cmp -s a.csv c.csv && fail "different seeds gave the same file"

# Nonsense requests are refused with a message, not a traceback.
status=0
python3 "$GEN" --op cost-center --rows 10 --bad imei14 --out x.csv 2>err.txt || status=$?
assert_eq 2 "$status" "exit status of an inapplicable bad-row kind"
grep -q "does not apply" err.txt || fail "no clear message: $(cat err.txt)"
exit 0
