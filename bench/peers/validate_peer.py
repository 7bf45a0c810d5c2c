#!/usr/bin/env python3
"""The fair Python peer of `lattigo-batch validate --op activate` (issue 14):
what a careful script does with an activation manifest -- the csv module,
the Luhn check digit of both IDs, their lengths and digits, and a set per ID
for duplicates -- and nothing more (no trimming rules, no UTF-8 or
spreadsheet-damage checks, no errors.csv). Prints the same counts as
validate's summary. Usage: validate_peer.py FILE
"""
import csv
import sys


def luhn_ok(digits):
    """The usual loop (faster in CPython than the slicing and table idioms)."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def main():
    if len(sys.argv) != 2:
        print("usage: validate_peer.py FILE", file=sys.stderr)
        return 2
    rows = valid = 0
    seen_iccid = set()
    seen_imei = set()
    with open(sys.argv[1], newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        iccid_column = header.index("iccid")
        imei_column = header.index("imei")
        for rows, record in enumerate(reader, start=1):
            iccid = record[iccid_column].strip()
            imei = record[imei_column].strip()
            if not (19 <= len(iccid) <= 20 and iccid.isdigit() and luhn_ok(iccid)):
                continue
            if not (len(imei) == 15 and imei.isdigit() and luhn_ok(imei)):
                continue
            if iccid in seen_iccid or imei in seen_imei:
                continue
            seen_iccid.add(iccid)
            seen_imei.add(imei)
            valid += 1
    print(f"rows:      {rows}")
    print(f"valid:     {valid}")
    print(f"invalid:   {rows - valid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
