"""Fault-injection checks for lattigo-sim. Usage: sim_faults.py CHECK PORT [ARGS]
  rate PORT          --rate 2: a burst gets 429 with Retry-After >= 1 (whole seconds)
  fail PORT          --fail-rate 1: every call is a 500 and nothing is applied
  latency PORT MS    --latency-ms MS: 8 calls in flight overlap (no serialisation)
  latency_floor PORT MS   --latency-ms MS: no read is answered before MS, however long
                     its page took to write (whole milliseconds once made it up to 1 ms early)
  race PORT LEDGER   8 concurrent activations of the same ICCID: exactly one is applied"""
import sys
import base64
import threading
import time

import json

from sim_client import Client, expect, expect_true, luhn_complete, run

CHECK, PORT = sys.argv[1], int(sys.argv[2])


def check_rate():
    client = Client(PORT)
    answers = [client.call("GET", "v2/devices/36500") for _ in range(20)]
    statuses = [status for status, _, _, _ in answers]
    expect(statuses[:2], [200, 200], "the bucket starts full (2 calls)")
    limited = [a for a in answers if a[0] == 429]
    expect_true(limited, f"a burst of 20 at --rate 2 gets 429s: {statuses}")
    for status, headers, body, _ in limited:
        retry_after = headers.get("retry-after", "")
        expect_true(retry_after.isdigit() and int(retry_after) >= 1,
                    f"Retry-After is whole seconds >= 1: {retry_after!r}")
        expect(list(body), ["error"], "429 body")
    time.sleep(int(limited[0][1]["retry-after"]))
    expect(client.call("GET", "v2/devices/36500")[0], 200, "after Retry-After")
    client.close()


def check_fail():
    client = Client(PORT)
    status, _, body, _ = client.call("PUT", "v2/device_operations/change_cost_center",
                                     body={"device_names": ["36500"], "cost_center": "Never"})
    expect(status, 500, "injected failure")
    expect(list(body), ["error"], "500 body")
    client.close()


def check_latency():
    latency = int(sys.argv[3]) / 1000.0
    results = []

    def one_call():
        client = Client(PORT)
        started = time.monotonic()
        status = client.call("GET", "v2/devices/36500")[0]
        results.append((status, time.monotonic() - started))
        client.close()

    threads = [threading.Thread(target=one_call) for _ in range(8)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    expect([status for status, _ in results], [200] * 8, "all answered")
    expect_true(all(duration >= latency * 0.9 for _, duration in results),
                f"every call delayed by the latency: {results}")
    # Serialised, 8 calls would take 8 x latency; overlapping they take about one.
    expect_true(elapsed < latency * 5, f"calls in flight overlap: {elapsed:.2f}s for 8")


def check_latency_floor():
    latency = int(sys.argv[3]) / 1000.0
    client = Client(PORT)
    token = base64.b64encode(f"{client.key_name}:{client.api_key}".encode()).decode()
    early = []
    for page in range(1, 21):
        started = time.monotonic()
        client.connection.request("GET", f"/v2/devices?details=true&per_page=1000&page={page % 2 + 1}",
                                   headers={"Authorization": "Basic " + token})
        answer = client.connection.getresponse()
        headers_at = time.monotonic() - started
        answer.read()
        expect(answer.status, 200, "a listing page")
        if headers_at < latency:
            early.append(round(headers_at * 1000, 3))
    client.close()
    expect(early, [], f"reads answered before --latency-ms {sys.argv[3]} (ms)")


def check_race():
    iccid = luhn_complete("894400000000999999")
    imei = luhn_complete("35000000099999")
    body = {"rate_plan_name": "ACME Co 5mb Rate Plan",
            "activation_requests": [{"iccid": iccid, "imei": imei}]}
    statuses = []
    barrier = threading.Barrier(8)

    def activate():
        client = Client(PORT)
        barrier.wait()
        statuses.append(client.call("POST", "v2/device_operations/activation_request",
                                    body=body)[0])
        client.close()

    threads = [threading.Thread(target=activate) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expect(sorted(statuses), [200] + [422] * 7, "one activation wins, the others are refused")
    with open(sys.argv[3], encoding="utf-8") as ledger:
        keys = [json.loads(line)["key"] for line in ledger]
    expect(keys, [iccid], "exactly one ledger line")


run([(CHECK, {"rate": check_rate, "fail": check_fail, "latency": check_latency,
              "latency_floor": check_latency_floor, "race": check_race}[CHECK])])
