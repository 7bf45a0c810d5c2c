#!/usr/bin/env python3
"""The script users write today: read the CSV, make one API call per chunk
(cost-center) or per row (note), one after the other, and count the answers.
bench/throughput.sh times it against lattigo-batch on the same manifest.

Uses `requests` (with a Session, so connections are kept alive) when it is
importable, else urllib.request. Credentials: LATTIGO_KEY_NAME, LATTIGO_API_KEY.

  python_requests.py --url http://127.0.0.1:PORT --op cost-center --manifest cc.csv --chunk 100
  python_requests.py --url ... --op note --manifest notes.csv --limit 1000
  python_requests.py --op cost-center --manifest cc.csv --chunk 100 --emit calls.tsv

--emit writes the calls (METHOD TAB PATH TAB JSON) instead of sending them:
the input of bench/bare_driver.c, so that both make exactly the same calls.
Prints: rows N calls C seconds S rows_per_second R ok_calls K
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


def calls_for(op, reader, chunk, limit):
    """Yields (method, path, body dict, rows carried) for the manifest rows."""
    taken = 0
    if op == "cost-center":
        batch, center = [], None
        for row in reader:
            if limit and taken >= limit:
                break
            taken += 1
            if batch and (row["cost_center"] != center or len(batch) == chunk):
                yield "PUT", "v2/device_operations/change_cost_center", \
                    {"device_names": batch, "cost_center": center}, len(batch)
                batch = []
            center = row["cost_center"]
            batch.append(row["device_name"])
        if batch:
            yield "PUT", "v2/device_operations/change_cost_center", \
                {"device_names": batch, "cost_center": center}, len(batch)
    elif op == "note":
        for row in reader:
            if limit and taken >= limit:
                break
            taken += 1
            path = "v2/devices/%s/note" % urllib.parse.quote(row["device_name"], safe="")
            yield "PUT", path, {"field_name": row["field_name"], "note": row["note"]}, 1
    else:
        raise SystemExit("python_requests.py: --op must be cost-center or note")


def sender(url):
    """Returns send(method, path, body) -> HTTP status, with keep-alive when possible."""
    if "LATTIGO_KEY_NAME" not in os.environ or "LATTIGO_API_KEY" not in os.environ:
        raise SystemExit("python_requests.py: set LATTIGO_KEY_NAME and LATTIGO_API_KEY")
    auth = (os.environ["LATTIGO_KEY_NAME"], os.environ["LATTIGO_API_KEY"])
    try:
        import requests
        session = requests.Session()
        session.auth = auth

        def send(method, path, body):
            return session.request(method, "%s/%s" % (url, path), json=body, timeout=60).status_code
        return send, "requests " + requests.__version__
    except ImportError:
        token = base64.b64encode(("%s:%s" % auth).encode()).decode()

        def send(method, path, body):
            request = urllib.request.Request("%s/%s" % (url, path), method=method,
                                             data=json.dumps(body).encode(),
                                             headers={"Content-Type": "application/json",
                                                      "Authorization": "Basic " + token})
            try:
                with urllib.request.urlopen(request, timeout=60) as answer:
                    answer.read()
                    return answer.status
            except urllib.error.HTTPError as error:
                return error.code
        return send, "urllib.request"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url")
    parser.add_argument("--op", required=True)
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--chunk", type=int, default=100)
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows")
    parser.add_argument("--emit", metavar="FILE", help="write the calls instead of sending them")
    args = parser.parse_args()

    with open(args.manifest, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if args.emit:
            with open(args.emit, "w") as out:
                for method, path, body, _ in calls_for(args.op, reader, args.chunk, args.limit):
                    out.write("%s\t%s\t%s\n" % (method, path, json.dumps(body, separators=(",", ":"))))
            return 0
        send, library = sender(args.url)
        rows = calls = ok = 0
        started = time.perf_counter()
        for method, path, body, carried in calls_for(args.op, reader, args.chunk, args.limit):
            status = send(method, path, body)
            calls += 1
            rows += carried
            ok += 200 <= status < 300
        elapsed = time.perf_counter() - started
    print("rows %d calls %d seconds %.3f rows_per_second %.1f ok_calls %d library %s"
          % (rows, calls, elapsed, rows / elapsed if elapsed else 0, ok, library.replace(" ", "-")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
