#!/usr/bin/env python3
"""Activates N devices in lattigo-sim in calls of CHUNK entries (valid Luhn
ICCIDs and IMEIs, deterministic), for bench/sim.sh's memory figures.
Usage: sim_activate.py URL KEY_NAME API_KEY N [CHUNK]"""
import base64
import http.client
import json
import sys
import urllib.parse


def luhn(body):
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def main():
    url, key, secret, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    chunk = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    auth = "Basic " + base64.b64encode(("%s:%s" % (key, secret)).encode()).decode()
    done = 0
    while done < count:
        entries = []
        for i in range(done, min(count, done + chunk)):
            iccid = "8901410" + "%012d" % i
            imei = "49" + "%012d" % i
            entries.append({"iccid": iccid + luhn(iccid), "imei": imei + luhn(imei),
                            "region_code": "EU", "note": "lot %d" % (i // 500)})
        body = json.dumps({"rate_plan_name": "ACME Co 10MB Plan", "activation_requests": entries})
        connection.request("POST", "/v2/device_operations/activation_request", body,
                           {"Authorization": auth, "Content-Type": "application/json"})
        answer = connection.getresponse()
        text = answer.read()
        if answer.status != 200:
            sys.exit("activation call failed: %d %s" % (answer.status, text[:300]))
        done += len(entries)


main()
