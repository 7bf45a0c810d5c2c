#!/usr/bin/env python3
"""Activation manifests of another shape than scripts/gen-manifest.py's, written
independently of it, for bench/validate.sh (issue 14: the speed must hold on
files we did not generate ourselves). The ids are Luhn-valid and unique.

The CSV is what Python's csv module writes by default: CRLF line ends and
minimal quoting. Its columns come in another order, with an extra column the
operation does not use; notes are longer (40-140 characters) and about a third
hold a comma (so the field is quoted), one in 50 a doubled quote, one in 20 an
accented letter, one in 200 an embedded line end (that row is invalid: a note
may not hold a control character); one rate plan name holds a comma. The JSONL holds the same rows as json.dumps writes them (non-ASCII as
\\u escapes), the region code as a number.

  gen_shapes.py --rows 1000000 --csv shaped.csv --jsonl shaped.jsonl
"""
import argparse
import csv
import json
import random
import sys

WORDS = ["pallet", "cold", "chain", "depot", "north", "kiosk", "retail", "route",
         "spare", "bay", "truck", "reefer", "zone", "shelf", "lot", "batch", "site",
         "gate", "dock", "van", "meter", "pump", "sensor", "tracker"]
ACCENTED = ["Zürich", "Málaga", "Kraków", "Besançon", "Göteborg", "Sevilla-Este"]
RATE_PLANS = ["Fleet 5MB", "Fleet 25MB, pooled", "IoT Basic 1MB", "Tracker Annual 50MB"]
REGIONS = [94107, 10001, 60601, 73301, 98101, 30301, 2110, 85001]


def luhn_digit(body):
    """The check digit that makes body + digit pass the Luhn test."""
    total = 0
    for position, char in enumerate(reversed(body)):
        value = ord(char) - 48
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def note(rng, row):
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 18))]
    text = " ".join(words)
    pick = row % 200
    if pick % 3 == 0:
        text = text.replace(" ", ", ", 1)
    if pick % 50 == 7:
        text += ' "urgent"'
    if pick == 11:
        text += "\nsecond line"
    if pick % 20 == 5:
        text += " " + rng.choice(ACCENTED)
    return "lot %d: %s" % (row // 1000, text[:130])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--csv", help="write the CSV here")
    parser.add_argument("--jsonl", help="write the JSONL here")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    imei_base = rng.randrange(10**12, 10**13)
    iccid_base = rng.randrange(10**15, 10**16)
    csv_file = open(args.csv, "w", newline="", encoding="utf-8") if args.csv else None
    jsonl_file = open(args.jsonl, "w", encoding="utf-8") if args.jsonl else None
    writer = csv.writer(csv_file) if csv_file else None
    if writer:
        writer.writerow(["note", "iccid", "Region_Code", "batch", "IMEI", "rate_plan_name"])
    for row in range(args.rows):
        imei_body = "35" + str(imei_base + row * 7919)[-12:]
        imei = imei_body + luhn_digit(imei_body)
        iccid_body = "891" + str(iccid_base + row * 104729).zfill(16)[-16:]
        iccid = iccid_body + luhn_digit(iccid_body)
        plan = RATE_PLANS[row % len(RATE_PLANS)]
        region = REGIONS[rng.randrange(len(REGIONS))]
        text = note(rng, row)
        if writer:
            writer.writerow([text, iccid, region, "B%d" % (row // 5000), imei, plan])
        if jsonl_file:
            jsonl_file.write(json.dumps({"imei": imei, "iccid": iccid, "rate_plan_name": plan,
                                         "region_code": region, "note": text}) + "\n")
    for handle in (csv_file, jsonl_file):
        if handle:
            handle.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
