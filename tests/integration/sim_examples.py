"""Replays the requests of the API text's own examples (tests/data/sim/api_examples.json)
against lattigo-sim and compares status, body and headers exactly. Adding a case needs
no code: append an object with method, path, json or form, status and body (or
body_subset, for the members that must match). Usage: sim_examples.py PORT CASES_FILE"""
import json
import sys

from sim_client import Client, expect, run

PORT, CASES = int(sys.argv[1]), sys.argv[2]
client = Client(PORT)
with open(CASES, encoding="utf-8") as cases_file:
    cases = json.load(cases_file)


def make_check(case):
    def check():
        form = [tuple(pair) for pair in case["form"]] if "form" in case else None
        status, headers, body, _ = client.call(case["method"], case["path"], body=case.get("json"),
                                               form=form)
        expect(status, case["status"], "status")
        if "body" in case:
            expect(body, case["body"], "body")
        for name, value in case.get("body_subset", {}).items():
            expect(body.get(name), value, f"body member {name}")
        for name, value in case.get("headers", {}).items():
            expect(headers.get(name), value, f"header {name}")
    return check


run([(case["name"], make_check(case)) for case in cases])
client.close()
