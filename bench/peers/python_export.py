#!/usr/bin/env python3
"""The script users write today to export every device's daily usage: read the
device names, then for each device GET daily_data_usages page after page
(following X-Next-Page), one request at a time, and write CSV.
bench/export.sh times it against `lattigo-batch export daily-usage`.

Uses `requests` (a Session, so connections are kept alive) when it is
importable, else urllib.request. Credentials: LATTIGO_KEY_NAME, LATTIGO_API_KEY.

  python_export.py --url http://127.0.0.1:PORT --manifest devices.csv \
      --start-date 2026-10-01 --end-date 2026-11-29 --output usage.csv [--limit-devices N]

Prints: devices N records R calls C seconds S records_per_second X client requests|urllib
"""
import argparse
import base64
import csv
import json
import os
import sys
import time
import urllib.parse
import urllib.request

FIELDS = ["id", "date_for", "bytes_used", "sms_used"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--start-date", required=True)
    parser.add_argument("--end-date", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--limit-devices", type=int, default=0)
    args = parser.parse_args()
    key, secret = os.environ["LATTIGO_KEY_NAME"], os.environ["LATTIGO_API_KEY"]
    try:
        import requests
        session = requests.Session()
        session.auth = (key, secret)

        def get(url):
            answer = session.get(url, timeout=60)
            answer.raise_for_status()
            return answer.json(), answer.headers.get("X-Next-Page", "")
        client = "requests"
    except ImportError:
        token = base64.b64encode(("%s:%s" % (key, secret)).encode()).decode()

        def get(url):
            request = urllib.request.Request(url, headers={"Authorization": "Basic " + token})
            with urllib.request.urlopen(request, timeout=60) as answer:
                return json.load(answer), answer.headers.get("X-Next-Page", "")
        client = "urllib"
    with open(args.manifest, newline="") as handle:
        names = [row["device_name"] for row in csv.DictReader(handle)]
    if args.limit_devices:
        names = names[:args.limit_devices]
    records = calls = 0
    started = time.monotonic()
    with open(args.output, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["requested_device"] + FIELDS)
        for name in names:
            page = "1"
            while page:
                query = urllib.parse.urlencode({"start_date": args.start_date,
                                                "end_date": args.end_date, "limit": 100000,
                                                "page": page, "per_page": 1000})
                items, page = get("%s/v2/devices/%s/daily_data_usages?%s" % (
                    args.url, urllib.parse.quote(name, safe=""), query))
                calls += 1
                for item in items:
                    writer.writerow([name] + [item.get(field, "") for field in FIELDS])
                records += len(items)
                page = page.strip()
    seconds = time.monotonic() - started
    print("devices %d records %d calls %d seconds %.3f records_per_second %.1f client %s" % (
        len(names), records, calls, seconds, records / seconds if seconds else 0, client))


if __name__ == "__main__":
    sys.exit(main())
