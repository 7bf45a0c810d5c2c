"""Shared helpers for the lattigo-sim integration checks: an HTTP client that
returns (status, headers, parsed JSON, raw body) and exact-comparison asserts."""
import base64
import http.client
import json
import os
import sys


class CheckFailed(Exception):
    pass


def fail(message):
    raise CheckFailed(message)


def expect(actual, expected, what):
    if actual != expected:
        fail(f"{what}: expected {expected!r}, got {actual!r}")


def expect_true(condition, what):
    if not condition:
        fail(what)


def luhn_complete(digits):
    """Appends the Luhn check digit to a string of digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return digits + str((10 - total % 10) % 10)


class Client:
    def __init__(self, port, key_name=None, api_key=None):
        self.port = port
        self.key_name = key_name if key_name is not None else os.environ["TEST_KEY_NAME"]
        self.api_key = api_key if api_key is not None else os.environ["TEST_API_KEY"]
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def close(self):
        self.connection.close()

    def call(self, method, path, body=None, form=None, headers=None, auth=True, raw_body=None):
        """One request on the keep-alive connection. body: JSON value; form:
        list of (name, value) pairs; raw_body: bytes sent as they are."""
        sent_headers = dict(headers or {})
        data = None
        if auth:
            token = base64.b64encode(f"{self.key_name}:{self.api_key}".encode()).decode()
            sent_headers["Authorization"] = "Basic " + token
        if body is not None:
            data = json.dumps(body).encode()
            sent_headers.setdefault("Content-Type", "application/json")
        elif form is not None:
            from urllib.parse import urlencode
            data = urlencode(form).encode()
            sent_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        elif raw_body is not None:
            data = raw_body
        self.connection.request(method, "/" + path.lstrip("/"), body=data, headers=sent_headers)
        response = self.connection.getresponse()
        raw = response.read()
        response_headers = {name.lower(): value for name, value in response.getheaders()}
        if response_headers.get("connection", "").lower() == "close":
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            fail(f"{method} {path}: body is not JSON: {raw[:200]!r}")
        expect(response_headers.get("content-type"), "application/json; charset=utf-8",
               f"{method} {path}: Content-Type")
        return response.status, response_headers, parsed, raw


def run(checks):
    """Runs each (name, function) and exits non-zero on the first failure."""
    for name, function in checks:
        try:
            function()
        except CheckFailed as error:
            print(f"FAIL {name}: {error}", file=sys.stderr)
            sys.exit(1)
        print(f"ok {name}", file=sys.stderr)
