#!/usr/bin/env python3
"""Generates test and benchmark manifests for every lattigo-batch operation.

Rows are deterministic for a given --seed; IMEIs (15 digits) and ICCIDs
(20 digits, prefix 89) are Luhn-valid and unique within a file. Bad rows of
named kinds can be injected at deterministic positions, and CSV can be made
"dirty" the way spreadsheets and factory exports make it. Python stdlib only.

  scripts/gen-manifest.py --op activate --rows 1000000 --out lot.csv
  scripts/gen-manifest.py --op cost-center --rows 20000 --names activated --out cc.csv
  scripts/gen-manifest.py --op activate --rows 50 --bad bad-luhn=2 --bad duplicate=1 \\
      --dirty bom,crlf,semicolon --expect lot.expect.csv --out lot.csv

--expect FILE writes one line per injected bad row (row,kind,field), so a test
can check that `lattigo-batch validate` flags exactly those rows.
"""

import argparse
import csv
import gzip
import io
import json
import random
import sys

RATE_PLANS = ["ACME Co 5mb Rate Plan", "ACME Co 10MB Plan"]
COST_CENTERS = ["Fleet-East", "Fleet-West", "Cold Chain", "Retail Kiosks", "Field Service"]
REGIONS = ["94107", "10001", "60601", "73301", "98101", "30301"]
USERNAMES = ["admin", "ops.alice"]  # users of lattigo-sim's built-in data set
SIM_FIRST_DEVICE = 36500  # name of the first built-in lattigo-sim device
# Reporting body identifiers (first 8 digits of an IMEI) of common IoT modules.
TACS = ["35332509", "35907810", "86777703", "35615309", "86065003"]

# Operation -> (columns in order, key column used for duplicates).
OPERATIONS = {
    "activate": (["imei", "iccid", "rate_plan_name", "region_code", "note"], "iccid"),
    "upload": (["imei", "upload_email", "upload_sku"], "imei"),
    "cost-center": (["device_name", "cost_center"], "device_name"),
    "simstate": (["device_name", "state"], "device_name"),
    "usage-limit": (["device_name", "kb_limit", "action", "usernames"], "device_name"),
    "remove-usage-limit": (["device_name"], "device_name"),
    "sms": (["device_name", "sms_text"], "device_name"),
    "note": (["device_name", "field_name", "note"], "device_name"),
    "locate": (["device_name"], "device_name"),
}

# Bad-row kinds: which field each one damages (None = the whole row).
BAD_KINDS = {
    "bad-luhn": ("imei", "iccid"),        # wrong check digit
    "imei14": ("imei",),                  # check digit missing
    "imeisv": ("imei",),                  # 16-digit IMEISV instead of the IMEI
    "sci-notation": ("iccid", "imei"),    # 8.90141E+19, as a spreadsheet shows it
    "trailing-zero": ("iccid", "imei"),   # 89014103211118510720.0
    "duplicate": (None,),                 # repeats an earlier row's key
    "missing": (None,),                   # a required field left empty
    "long-note": ("note",),               # over the API's length limit
    "formula-note": ("note",),            # =HYPERLINK(...): valid text, must be neutralised on output
    "latin1-note": ("note",),             # "Café" saved as Windows-1252/Latin-1, not UTF-8
}
# The required field a "missing" row leaves empty, per operation.
MISSING_FIELD = {
    "activate": "rate_plan_name", "upload": "upload_email", "cost-center": "cost_center",
    "simstate": "state", "usage-limit": "kb_limit", "remove-usage-limit": "device_name",
    "sms": "sms_text", "note": "field_name", "locate": "device_name",
}
# formula-note rows are valid input (their danger is on output), so they are
# listed in --expect with kind formula-note but are not counted as invalid.
VALID_KINDS = {"formula-note"}

DIRTY_FEATURES = ["bom", "crlf", "quoted-newlines", "semicolon", "headers", "blank-lines", "spaces",
                  "cr-only"]  # cr-only (old Mac exports) is not part of "all": it replaces crlf

# Length limits of the API text: 250 for activation notes, 100 for the note endpoint.
NOTE_LIMIT = {"activate": 250, "note": 100}


def luhn_check_digit(body):
    """Returns the Luhn check digit that completes the digit string body."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = ord(char) - 48
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


def luhn_valid(number):
    """True when the digit string number ends with a correct Luhn check digit."""
    return number.isdigit() and luhn_check_digit(number[:-1]) == number[-1]


class Identifiers:
    """Unique, Luhn-valid IMEIs and ICCIDs by row index: index i maps to
    offset + i * stride modulo 10^k, a bijection because stride is coprime
    with 10, so ids look scattered yet never repeat."""

    def __init__(self, rng):
        self.imei_offset = rng.randrange(10**12)
        self.imei_stride = self._stride(rng, 10**9)
        self.iccid_offset = rng.randrange(10**15)
        self.iccid_stride = self._stride(rng, 10**12)
        self.tac = rng.choice(TACS)[:2]  # keep a realistic "35"/"86" prefix

    @staticmethod
    def _stride(rng, size):
        while True:
            stride = rng.randrange(size // 10, size)
            if stride % 2 and stride % 5:
                return stride

    def imei(self, index):
        serial = (self.imei_offset + index * self.imei_stride) % 10**12
        body = self.tac + "%012d" % serial
        return body + luhn_check_digit(body)

    def iccid(self, index):
        # 89 (telecom) + 01 (country) + 15 digits = 19, then the check digit.
        account = (self.iccid_offset + index * self.iccid_stride) % 10**15
        body = "8901" + "%015d" % account
        return body + luhn_check_digit(body)


def device_names(mode, identifiers, prefix):
    """Returns a function index -> device name for the chosen naming mode."""
    if mode == "activated":
        # lattigo-sim names a device it creates on activation after its ICCID
        # (docs/simulator.md), so these are the devices an activate job made
        # from a manifest generated with the same --seed.
        return identifiers.iccid
    if mode == "sim-default":
        # lattigo-sim's built-in data set names its devices 36500, 36501, ...
        # (--devices N of them, 300 by default; src/sim/dataset.c).
        return lambda index: str(SIM_FIRST_DEVICE + index)
    return lambda index: "%s%07d" % (prefix, index + 1)


def clean_row(op, index, rng, identifiers, name_of):
    """Returns the dict of a valid row number index (0-based) for op."""
    row = {}
    if op == "activate":
        row["imei"] = identifiers.imei(index)
        row["iccid"] = identifiers.iccid(index)
        row["rate_plan_name"] = RATE_PLANS[0] if index % 10 else RATE_PLANS[1]
        row["region_code"] = REGIONS[index % len(REGIONS)]
        row["note"] = "lot A%04d" % (index // 500 % 10000)
    elif op == "upload":
        row["imei"] = identifiers.imei(index)
        row["upload_email"] = "provisioning@vendor-example.com"
        row["upload_sku"] = "XYZ0000000%05d" % (index // 1000 % 100000)
    else:
        row["device_name"] = name_of(index)
        if op == "cost-center":
            row["cost_center"] = COST_CENTERS[(index // 100) % len(COST_CENTERS)]
        elif op == "simstate":
            row["state"] = "suspend" if index % 4 else "restore"
        elif op == "usage-limit":
            row["kb_limit"] = str((1 + index % 4) * 1024)
            row["action"] = "suspend"
            row["usernames"] = USERNAMES[index % 2]
        elif op == "sms":
            row["sms_text"] = "CFG APN=iot.lattigo REBOOT"
        elif op == "note":
            row["field_name"] = ["note", "note1", "note2", "note3"][index % 4]
            row["note"] = "installed site %d bay %d" % (index % 997, index % 13)
    return row


def damage(op, kind, row, columns, key, first_rows, rng):
    """Applies bad-row kind to row in place; returns the field it damaged.
    Raises ValueError when the kind makes no sense for op."""
    fields = [field for field in BAD_KINDS[kind] if field is None or field in columns]
    if not fields:
        raise ValueError("bad-row kind '%s' does not apply to --op %s (it needs %s)"
                         % (kind, op, " or ".join(BAD_KINDS[kind])))
    field = fields[0]
    if kind == "bad-luhn":
        value = row[field]
        wrong = str((int(value[-1]) + 1 + rng.randrange(8)) % 10)
        row[field] = value[:-1] + wrong
    elif kind == "imei14":
        row[field] = row[field][:-1]
    elif kind == "imeisv":
        row[field] = row[field][:-1] + "%02d" % rng.randrange(100)
    elif kind == "sci-notation":
        value = row[field]
        row[field] = "%s.%sE+%d" % (value[0], value[1:6].rstrip("0") or "0", len(value) - 1)
    elif kind == "trailing-zero":
        row[field] = row[field] + ".0"
    elif kind == "duplicate":
        # a whole earlier row again, as a copy-paste slip in a spreadsheet makes it
        field = key
        row.update(first_rows[rng.randrange(len(first_rows))])
    elif kind == "missing":
        field = MISSING_FIELD[op]
        row[field] = ""
    elif kind == "long-note":
        limit = NOTE_LIMIT.get(op, 250)
        row[field] = ("pallet 7 overflow " * 20)[: limit + 1]
    elif kind == "formula-note":
        row[field] = '=HYPERLINK("http://example.invalid/x","open")'
    elif kind == "latin1-note":
        # a lone 0xE9 byte, as "Café" in Windows-1252; written through surrogateescape
        row[field] = "Caf\udce9 corner site"
    return field


def plan_bad_rows(rows, bad_counts, rng):
    """Returns {row index: kind}; duplicates never land on the first row."""
    wanted = sum(bad_counts.values())
    if wanted > max(rows - 1, 0):
        raise ValueError("%d bad rows do not fit in %d rows" % (wanted, rows))
    positions = rng.sample(range(1, rows), wanted)
    plan = {}
    for kind, count in bad_counts.items():
        for _ in range(count):
            plan[positions.pop()] = kind
    return plan


def parse_bad(specs):
    counts = {}
    for spec in specs:
        kind, _, count = spec.partition("=")
        if kind not in BAD_KINDS:
            raise ValueError("unknown bad-row kind '%s' (known: %s)" % (kind, ", ".join(BAD_KINDS)))
        counts[kind] = counts.get(kind, 0) + (int(count) if count else 1)
    return counts


def parse_dirty(spec):
    if not spec:
        return set()
    features = set(spec.split(",")) if spec != "all" else set(DIRTY_FEATURES) - {"cr-only"}
    unknown = features - set(DIRTY_FEATURES)
    if unknown:
        raise ValueError("unknown dirty feature(s) %s (known: %s, or all)"
                         % (", ".join(sorted(unknown)), ", ".join(DIRTY_FEATURES)))
    return features


def header_variant(column, rng):
    """Another spelling of a header the way spreadsheets produce them."""
    return rng.choice([column.upper(), column.title(), " " + column + " ", column])


def generate(args, out):
    rng = random.Random(args.seed)
    identifiers = Identifiers(random.Random(args.seed * 7919 + 1))
    name_of = device_names(args.names, identifiers, args.name_prefix)
    columns, key = OPERATIONS[args.op]
    bad_plan = plan_bad_rows(args.rows, parse_bad(args.bad), rng)
    dirty = parse_dirty(args.dirty)
    if args.format == "jsonl" and dirty:
        raise ValueError("--dirty applies to CSV only")
    if args.names == "sim-default" and args.rows > args.sim_devices and args.op not in ("activate", "upload"):
        raise ValueError("--names sim-default: lattigo-sim has %d built-in devices (its --devices), "
                         "more rows would name devices that do not exist" % args.sim_devices)

    order = list(columns)
    header = list(columns)
    extra = "comment" if "quoted-newlines" in dirty else None
    if "headers" in dirty:
        rng.shuffle(order)
        header = [header_variant(column, rng) for column in order]
    if extra:
        order.append(extra)
        header.append("Comment")
    delimiter = ";" if "semicolon" in dirty else ","
    newline = "\r" if "cr-only" in dirty else "\r\n" if "crlf" in dirty else "\n"

    expectations = []
    first_rows = []
    text = io.StringIO(newline="")
    writer = csv.writer(text, delimiter=delimiter, lineterminator=newline)
    if args.format == "csv":
        if "bom" in dirty:
            out.write("\ufeff")
        writer.writerow(header)
    for index in range(args.rows):
        row = clean_row(args.op, index, rng, identifiers, name_of)
        if len(first_rows) < 16 and index not in bad_plan:
            first_rows.append(dict(row))
        kind = bad_plan.get(index)
        if kind:
            field = damage(args.op, kind, row, columns, key, first_rows, rng)
            expectations.append((index + 1, kind, field))
        if args.format == "jsonl":
            obj = {column: row[column] for column in columns if row.get(column, "") != ""}
            if obj.get("kb_limit", "").isdigit():
                obj["kb_limit"] = int(obj["kb_limit"])  # JSONL carries numbers as numbers
            out.write(json.dumps(obj, separators=(",", ":"), ensure_ascii=False) + "\n")
            continue
        if extra:
            row[extra] = ('checked by "QA", line 3\nre-boxed' if index % 5 == 0 else "ok, packed")
        values = [row.get(column, "") for column in order]
        if "spaces" in dirty and index % 3 == 0:
            values = [" %s " % value if value and "\n" not in value and '"' not in value
                      and delimiter not in value else value for value in values]
        writer.writerow(values)
        if "blank-lines" in dirty and index % 7 == 3:
            text.write(newline)
        if text.tell() > 1 << 16:
            out.write(text.getvalue())
            text.seek(0)
            text.truncate()
    out.write(text.getvalue())
    return expectations


def main():
    parser = argparse.ArgumentParser(
        description="Generate lattigo-batch manifests (deterministic for a given --seed).",
        epilog="bad-row kinds: %s; dirty features: %s (or all)"
        % (", ".join(BAD_KINDS), ", ".join(DIRTY_FEATURES)))
    parser.add_argument("--op", required=True, choices=sorted(OPERATIONS))
    parser.add_argument("--rows", type=int, required=True, help="data rows to write")
    parser.add_argument("--format", choices=["csv", "jsonl"], help="default: from --out, else csv")
    parser.add_argument("--gzip", action="store_true", help="gzip the output (default when --out ends in .gz)")
    parser.add_argument("--seed", type=int, default=1, help="same seed, same file (default 1)")
    parser.add_argument("--out", default="-", help="output file (default stdout)")
    parser.add_argument("--bad", action="append", default=[], metavar="KIND[=N]",
                        help="inject N rows (default 1) damaged the named way; repeatable")
    parser.add_argument("--dirty", metavar="F1,F2", help="CSV damage features, comma separated, or all")
    parser.add_argument("--names", choices=["activated", "sim-default", "prefix"], default="activated",
                        help="device names for device-side ops: 'activated' = the ICCIDs that an "
                        "activate manifest with the same --seed creates in lattigo-sim (default); "
                        "'sim-default' = the simulator's built-in devices 36500, 36501, ...; 'prefix' = --name-prefix + number")
    parser.add_argument("--sim-devices", type=int, default=300,
                        help="with --names sim-default: the simulator's --devices (default 300)")
    parser.add_argument("--name-prefix", default="device-", help="with --names prefix")
    parser.add_argument("--expect", metavar="FILE", help="write row,kind,field of every injected bad row")
    args = parser.parse_args()

    if args.rows < 0:
        parser.error("--rows must not be negative")
    name = args.out[:-3] if args.out.endswith(".gz") else args.out
    if args.format is None:
        args.format = "jsonl" if name.endswith((".jsonl", ".ndjson")) else "csv"
    compress = args.gzip or args.out.endswith(".gz")
    try:
        if args.out == "-":
            raw = sys.stdout.buffer
        else:
            raw = open(args.out, "wb")
        stream = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if compress else raw
        out = io.TextIOWrapper(stream, encoding="utf-8", errors="surrogateescape", newline="",
                               write_through=False)
        expectations = generate(args, out)
        out.flush()
        if compress:
            stream.close()
        if args.out != "-":
            raw.close()
    except ValueError as problem:
        print("gen-manifest: %s" % problem, file=sys.stderr)
        return 2
    if args.expect:
        with open(args.expect, "w", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(["row", "kind", "field", "invalid"])
            for row, kind, field in sorted(expectations):
                writer.writerow([row, kind, field or "", "no" if kind in VALID_KINDS else "yes"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
