#!/usr/bin/env python3
"""Checks an export of the independent mock against what the mock holds:
every record of every device, exactly once, in manifest order.

usage: export_check.py KIND(api path name) RECORDS.jsonl MANIFEST [--start D] [--end D]
       [--limit N] [--direction D] [--reports-per-day N] [--missing NAME ...]
"""
import argparse
import csv
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mock_reads  # noqa: E402


def same(left, right):
    if isinstance(left, float) or isinstance(right, float):
        return isinstance(left, (int, float)) and isinstance(right, (int, float)) and \
            math.isclose(left, right, rel_tol=1e-12, abs_tol=1e-12)
    return left == right


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("kind")
    parser.add_argument("records")
    parser.add_argument("manifest")
    parser.add_argument("--start")
    parser.add_argument("--end")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--direction")
    parser.add_argument("--reports-per-day", type=int, default=3)
    parser.add_argument("--missing", nargs="*", default=[])
    args = parser.parse_args()
    with open(args.manifest, newline="") as handle:
        names = [row["device_name"] for row in csv.DictReader(handle)]
    names = [name for name in names if name not in args.missing]
    expected = mock_reads.expected_records(args.kind, names, args.start, args.end, args.limit,
                                           args.direction, args.reports_per_day)
    got = [json.loads(line) for line in open(args.records, encoding="utf-8")]
    if len(got) != len(expected):
        sys.exit("expected %d records, the export holds %d" % (len(expected), len(got)))
    for index, ((name, record), line) in enumerate(zip(expected, got)):
        if line.pop("requested_device", None) != name:
            sys.exit("record %d: requested_device is not %s: %r" % (index + 1, name, line))
        if set(line) != set(record) or not all(same(line[k], record[k]) for k in record):
            sys.exit("record %d differs:\n  expected %r\n  got      %r" % (index + 1, record, line))
    print("%d records of %d devices, exactly as the mock holds them" % (len(got), len(names)))


if __name__ == "__main__":
    main()
