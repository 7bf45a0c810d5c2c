#!/usr/bin/env python3
"""Writes samples/factory-lot-2026-12.xlsx: a 320-unit activation lot as a
factory's Excel workbook arrives (deterministic; run again to regenerate):
  - sheet 'Lot 2026-12' with the factory's own headers: Line, Carton,
    Module IMEI, SIM ICCID, Tariff, Region, Remarks, QC, Built (a date),
    Internal Ref (a hidden column);
  - IMEIs mostly stored as numbers (15 digits: exact), Region numbers too;
  - deliberate problems: rows 41, 87 and 233 have their ICCID stored as a
    number (digits lost: 8.90175E+19); row 120 an ICCID with a wrong check
    digit; row 199 the unit scanned twice (same ICCID as row 198);
  - an empty row between cartons (row 162), which is skipped;
  - a second sheet 'Summary' with carton counts.
Usage: samples/make-factory-workbook.py [OUT]   (default: next to this script)"""
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'integration'))
from xlsx_fixtures import workbook  # noqa: E402  (the test suite's stdlib writer)


def luhn_digit(body):
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return str((10 - total % 10) % 10)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, 'factory-lot-2026-12.xlsx')
    rng = random.Random(2026_12)
    header = ['Line', 'Carton', 'Module IMEI', 'SIM ICCID', 'Tariff', 'Region', 'Remarks',
              'QC', 'Built', 'Internal Ref']
    rows = [header]
    cartons = {}
    sheet_row = 1
    for unit in range(320):
        sheet_row += 1
        if sheet_row == 162:
            rows.append(None)  # an empty row between two cartons
            sheet_row += 1
        carton = f'CTN-{1200 + unit // 40:04d}'
        cartons[carton] = cartons.get(carton, 0) + 1
        imei_body = f'86{rng.randrange(10**12):012d}'
        imei = imei_body + luhn_digit(imei_body)
        iccid_body = f'8901753{rng.randrange(10**12):012d}'
        iccid = iccid_body + luhn_digit(iccid_body)
        if sheet_row == 120:
            iccid = iccid[:-1] + str((int(iccid[-1]) + 1) % 10)
        if sheet_row == 199:
            iccid = rows[-1][3]
        iccid_cell = int(iccid) if sheet_row in (41, 87, 233) else iccid
        imei_cell = imei if unit % 7 == 0 else int(imei)   # most IMEIs typed as numbers
        rows.append([f'L{1 + unit % 3}', carton, imei_cell, iccid_cell,
                     'ACME Co 5mb Rate Plan' if unit % 5 else 'ACME Co 10MB Plan',
                     94107 if unit % 2 else 94110,
                     f'asset tracker rev D, carton {carton[4:]}',
                     'PASS', ('date', 46350 + unit // 40), f'IR-{rng.randrange(10**6):06d}'])
    summary = [['Carton', 'Units']] + [[c, n] for c, n in sorted(cartons.items())]
    workbook(out, [('Lot 2026-12', rows, {'hidden_cols': (9,)}), ('Summary', summary)])
    print(out)


if __name__ == '__main__':
    main()
