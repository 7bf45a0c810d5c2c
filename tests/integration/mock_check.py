#!/usr/bin/env python3
"""Checks a finished lattigo-batch job directory against the mock's ledger.

usage: mock_check.py OP MANIFEST OUT LEDGER EXPECT [--faults]

EXPECT is gen-manifest.py's --expect file (the rows it damaged). Rules:
- results.csv holds rows 1..N once each, in order, with the key column;
- a damaged row (other than formula-note) is `invalid`, no other row is;
- a valid row is `ok` exactly when its effect is in the ledger, `error` (with a
  message) when it is not; with --faults a non-idempotent row may also end
  `unknown`, with a message saying why; `unchanged` (the preflight found it in
  place) only with a "not sent:" message and no effect in the ledger — nor has
  an `error` the preflight settled ("not sent:");
- no non-idempotent effect is in the ledger twice, and every ledger entry
  belongs to a row that ended ok (or unknown);
- errors.csv = the manifest's own header + error, source_row, source_line,
  exactly the rows not ok, their cells as in the manifest (formula cells
  prefixed with '), source_row = the row's number;
- summary.json counts equal the counts of results.csv.
"""
import collections
import csv
import json
import sys

NON_IDEMPOTENT = {"activate", "upload", "sms", "locate"}


def fail(message):
    sys.exit("mock_check: " + message)


def ledger_key(op, row):
    if op == "activate":
        return row["iccid"]
    if op == "upload":
        return row["imei"]
    if op == "note":
        return "%s:%s" % (row["device_name"], row["field_name"])
    return row["device_name"]


def neutralised(cell):
    # SPEC: a cell starting with = + - @ TAB CR LF (also after leading 's) gets
    # a ' unless it is a plain number
    bare = cell.lstrip("'")
    plain_number = bare[:1] in ("-", "+") and bare[1:].replace(".", "", 1).isdigit()
    if bare[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") and not plain_number:
        return "'" + cell
    return cell


def main():
    args = sys.argv[1:]
    faults = "--faults" in args
    op, manifest_path, out, ledger_path, expect_path = [a for a in args if a != "--faults"]
    with open(manifest_path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        manifest = [dict(zip(header, cells)) for cells in reader]
    damaged = set()
    with open(expect_path, newline="") as f:
        for line in csv.DictReader(f):
            if line["kind"] != "formula-note":
                damaged.add(int(line["row"]))
    ledger = collections.Counter()
    with open(ledger_path) as f:
        for line in f:
            entry = json.loads(line)
            if entry["op"] == op:
                ledger[entry["key"]] += 1
    with open(out + "/results.csv", newline="") as f:
        results = list(csv.DictReader(f))
    if [int(r["row"]) for r in results] != list(range(1, len(manifest) + 1)):
        fail("results.csv rows are not 1..%d once each in order" % len(manifest))

    counts = collections.Counter()
    not_ok = []
    not_ok_numbers = []
    rows_of_key = collections.Counter()
    for number, (result, row) in enumerate(zip(results, manifest), start=1):
        status, message = result["status"], result["message"]
        counts[status] += 1
        key = ledger_key(op, row)
        where = "row %d (%s) %s '%s'" % (number, key, status, message)
        if number in damaged:
            if status != "invalid":
                fail(where + ": a damaged row must be invalid")
        elif status == "invalid":
            fail(where + ": a valid row was refused")
        elif status == "ok":
            if ledger[key] == 0:
                fail(where + ": ok but the mock never applied it")
            rows_of_key[key] += 1
        elif status == "error":
            if ledger[key] and (op in NON_IDEMPOTENT or message.startswith("not sent:")):
                fail(where + ": error but the mock applied it")
            if not message:
                fail(where + ": error without a message")
        elif status == "unchanged":
            if ledger[key]:
                fail(where + ": unchanged but the mock applied it")
            if not message.startswith("not sent:"):
                fail(where + ": unchanged without saying what was found")
        elif status == "unknown":
            if not (faults and op in NON_IDEMPOTENT):
                fail(where + ": unknown without an ambiguous failure")
            if not message:
                fail(where + ": unknown without a reason")
            rows_of_key[key] += 1
        else:
            fail(where + ": unexpected status")
        if status not in ("ok", "unchanged"):
            not_ok.append(row)
            not_ok_numbers.append(number)
    if op in NON_IDEMPOTENT:
        twice = [key for key, count in ledger.items() if count > 1]
        if twice:
            fail("applied more than once: %s" % twice[:5])
        stray = [key for key in ledger if key not in rows_of_key]
        if stray:
            fail("applied for no ok/unknown row: %s" % stray[:5])

    with open(out + "/errors.csv", newline="", encoding="utf-8") as f:
        errors = list(csv.reader(f))
    if errors[0] != header + ["error", "source_row", "source_line"]:
        fail("errors.csv header %s, expected %s + error, source_row, source_line" % (
            errors[0], header))
    expected = sorted(tuple(neutralised(row[c]) for c in header) for row in not_ok)
    got = sorted(tuple(cells[:-3]) for cells in errors[1:])
    rows_listed = sorted(int(cells[-2]) for cells in errors[1:])
    if rows_listed != sorted(not_ok_numbers):
        fail("errors.csv source_row values %s do not name the rows not ok" % rows_listed[:5])
    if expected != got:
        fail("errors.csv holds %d rows, expected %d; first difference: %s" % (
            len(got), len(expected), next(((a, b) for a, b in zip(expected, got) if a != b),
                                          None)))
    if any(not cells[-3] for cells in errors[1:]):
        fail("an errors.csv row has an empty error")

    with open(out + "/summary.json") as f:
        summary = json.load(f)
    numbers = summary.get("counts")
    for status in ("ok", "unchanged", "error", "invalid", "unknown", "skipped"):
        value = numbers.get(status, 0) if isinstance(numbers, dict) else None
        if value != counts[status]:
            fail("summary.json %s = %s, results.csv has %d" % (status, value, counts[status]))
    print("mock_check %s: %s" % (op, dict(counts)))


main()
