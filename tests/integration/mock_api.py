#!/usr/bin/env python3
"""An independent mock of the Lattigo v2 write API, deliberately unlike lattigo-sim.

It answers the write endpoints and GET v2/devices/:name from the API text,
choosing differently from lattigo-sim wherever the text allows: extra keys and
a different key order in answers, 200 with an empty `unprocessed` list, 422
with device_index and a JSON-encoded error of several keys, Retry-After as an
HTTP-date, 503 with Retry-After, note answers keyed by the canonical device
name, locate answering a carrier object, last_activation_date written as
"YYYY-MM-DD HH:MM:SS UTC". Faults come from flags (see --help): among them a
server that applies a change and then fails answering it (HTTP 500), and
status maps answered with 422 when an entry failed.
Every applied effect is appended to --ledger as {"op","key"}. Stdlib only.
"""

import argparse
import base64
import email.utils
import json
import random
import signal
import socket
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import mock_reads

RATE_PLANS = {"ACME Co 5mb Rate Plan", "ACME Co 10MB Plan"}
NOTE_FIELDS = ("note", "note1", "note2", "note3")
ROLLS_PER_REQUEST = 7  # fault rolls per request: see next_rolls in main()


def luhn_complete(body):
    """body followed by its Luhn check digit."""
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char) * (2 if position % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)


class Store:
    """Devices keyed by name with an ICCID index; every method runs under one lock."""

    def __init__(self, count, prefix, ledger_path):
        self.lock = threading.Lock()
        self.devices, self.by_iccid, self.by_imei, self.uploaded = {}, {}, {}, set()
        self.ledger = open(ledger_path, "a", encoding="utf-8") if ledger_path else None
        self.canonical_names, self.visible_after, self.status_422 = False, 0.0, False
        self.activated_prefix = ""
        for index in range(1, count + 1):
            # seeded devices were activated long before any job
            self.add("%s%07d" % (prefix, index), luhn_complete("8999%015d" % index), "",
                     sms=index % 7 != 0, activated=1500000000 + index * 3600)

    def add(self, name, iccid, imei, sms=True, delay=0.0, activated=None):
        when = time.gmtime(activated if activated is not None else time.time())
        device = {"device_name": name, "iccid": iccid, "imei": imei, "state": "active",
                  "last_activation_date": time.strftime("%Y-%m-%d %H:%M:%S UTC", when),
                  "cost_center": "", "usage_limit_kb": None, "supports_sms": sms,
                  "id": len(self.devices) + 1000, "visible_at": time.time() + delay}
        device.update({field: "" for field in NOTE_FIELDS})
        self.devices[name] = device
        self.by_iccid[iccid] = device
        if imei:
            self.by_imei[imei] = device
        return device

    def preset(self, path):
        """Seeds the account from a JSONL file (--preset): each line names a device
        (device_name) and the fields it holds; an unknown name is created (it needs
        an iccid), so a test can seed rows already in place, ICCIDs already taken."""
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if not line.strip():
                    continue
                fields = json.loads(line)
                device = self.devices.get(fields["device_name"])
                if device is None:
                    device = self.add(fields["device_name"], fields["iccid"], fields.get("imei", ""))
                self.by_iccid.pop(device["iccid"], None)
                if device["imei"]:
                    self.by_imei.pop(device["imei"], None)
                device.update(fields)
                self.by_iccid[device["iccid"]] = device
                if device["imei"]:
                    self.by_imei[device["imei"]] = device

    def find(self, ident, id_type):
        if id_type == "iccid":
            device = self.by_iccid.get(ident)
        elif id_type == "imei":
            device = self.by_imei.get(ident)
        elif id_type == "device_name":
            device = self.devices.get(ident)
        else:
            device = next((d for d in self.devices.values() if str(d.get(id_type)) == ident), None)
        # "accepted and will be worked on": an activated device shows up some time later
        return device if device and device["visible_at"] <= time.time() else None

    def record(self, op, key):
        if self.ledger:
            # "at": when the effect was applied, so a test can order effects
            self.ledger.write(json.dumps({"op": op, "key": key, "at": time.time()}) + "\n")
            self.ledger.flush()


class RateWindow:
    """Counts calls per wall-clock second; over the limit means 429."""

    def __init__(self, limit):
        self.limit, self.second, self.calls, self.lock = limit, 0, 0, threading.Lock()

    def over(self):
        if self.limit <= 0:
            return False
        with self.lock:
            now = int(time.time())
            if now != self.second:
                self.second, self.calls = now, 0
            self.calls += 1
            return self.calls > self.limit


def device_status_op(op, success, missing, apply):
    """A device_operations handler: {wrapper_key: {name: status}} plus extras."""

    def handle(store, body, wrapper):
        names = body.get("device_names")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            return 400, {"errors": {"device_names": ["must be a non-empty array"]}}
        id_type = body.get("id_type") or "device_name"
        statuses = {}
        for name in reversed(names):  # key order unlike the request's
            device = store.find(name, id_type)
            problem = apply(device, body) if device else missing
            # --canonical-names: keyed by the device's own name even when id_type named it
            # otherwise (the text calls the keys device_names).
            key = device["device_name"] if device and store.canonical_names else name
            if problem:
                statuses[key] = problem
            else:
                statuses[key] = success
                store.record(op, name)
        failed = any(not value.startswith("Success") for value in statuses.values())
        # --status-422: a partial success answered 422, as the API text does for activations
        code = 422 if failed and store.status_422 else 200
        return code, {"request_id": "req-%d" % random.getrandbits(32), wrapper: statuses,
                      "count": len(statuses)}

    return handle


def set_field(field, allowed=None):
    """Sets field from the body; allowed maps each accepted value to what the
    device object then shows (simstate: suspend -> suspended, restore -> active)."""
    def apply(device, body):
        value = body.get(field)
        if not isinstance(value, (str, int)) or (allowed and value not in allowed):
            return "Error: %s is invalid." % field
        device[field] = allowed[value] if allowed else value
        return None
    return apply


def set_limit(device, body):
    if not isinstance(body.get("kb_limit"), int) or body["kb_limit"] <= 0:
        return "Error: kb_limit must be a positive integer."
    device["usage_limit_kb"] = body["kb_limit"]
    return None


def remove_limit(device, body):
    device["usage_limit_kb"] = None
    return None


def send_sms(device, body):
    if not device["supports_sms"]:
        return "Error: Device does not exist, or does not support SMS."
    return None if body.get("sms_text") else "Error: sms_text is missing."


def batch_requests(store, body, op, list_key, check, make_processed):
    """activation_request / upload_request: processed[] and unprocessed[]."""
    entries = body.get(list_key)
    if not isinstance(entries, list) or not entries:
        return 400, {"error": json.dumps({list_key: ["must be a non-empty array"]})}
    processed, unprocessed = [], []
    for index, entry in enumerate(entries):
        problems = check(entry if isinstance(entry, dict) else {}, body)
        if problems:
            unprocessed.append({"input": entry, "error": json.dumps(problems),
                                "device_index": index})
        else:
            processed.append(make_processed(entry, body))
            store.record(op, entry.get("iccid") if op == "activate" else entry.get("imei"))
    answer = {"unprocessed": unprocessed, "processed": processed, "received": len(entries)}
    return (422 if unprocessed else 200), answer


def activation(store, body):
    plan_ok = body.get("rate_plan_name") in RATE_PLANS
    seen = set()

    def check(entry, _):
        problems = {}
        iccid, imei = entry.get("iccid"), entry.get("imei") or entry.get("device_sku")
        if not plan_ok:
            problems["rate_plan_name"] = ["is not included in the list", "is not on your contract"]
        if not isinstance(iccid, str) or not iccid:
            problems["iccid"] = ["can't be blank"]
        elif iccid in store.by_iccid or iccid in seen:
            problems["iccid"] = ["has already been taken"]
        if not imei:
            problems["imei"] = ["can't be blank"]
        if problems:
            problems["base"] = ["activation request rejected"]
        else:
            seen.add(iccid)
            # --activated-prefix: the device's name is not its ICCID
            name = store.activated_prefix + iccid[-10:] if store.activated_prefix else iccid
            device = store.add(name, iccid, entry.get("imei", ""), delay=store.visible_after)
            for field in NOTE_FIELDS:
                device[field] = str(entry.get(field, ""))
        return problems

    def processed(entry, _):
        result = {"request_type": "activate", "status": "pending"}
        result.update({field: str(entry.get(field, "")) for field in NOTE_FIELDS})
        result.update(iccid=entry.get("iccid"), imei=entry.get("imei", ""))
        return result

    return batch_requests(store, body, "activate", "activation_requests", check, processed)


def upload(store, body):
    def check(entry, _):
        imei = entry.get("imei")
        if not isinstance(imei, str) or not imei:
            return {"imei": ["can't be blank"]}
        if imei in store.uploaded:
            return {"imei": ["has already been uploaded"], "upload_sku": ["duplicate for sku"]}
        store.uploaded.add(imei)
        return None

    def processed(entry, request):
        return {"email": request.get("upload_email"), "sku": request.get("upload_sku"),
                "imei": entry.get("imei")}

    return batch_requests(store, body, "upload", "upload_ids", check, processed)


ROUTES = {
    ("POST", "v2/device_operations/activation_request"): (activation, None),
    ("POST", "v2/device_operations/upload_request"): (upload, None),
    ("PUT", "v2/device_operations/change_cost_center"): (device_status_op(
        "cost-center", "Success", "Error: Device does not exist.",
        set_field("cost_center")), "change_status"),
    ("PUT", "v2/device_operations/change_simstate"): (device_status_op(
        "simstate", "Success", "Error: Device does not exist.",
        set_field("state", {"suspend": "suspended", "restore": "active"})), "change_status"),
    ("POST", "v2/device_operations/set_usage_limit"): (device_status_op(
        "usage-limit", "Success: Device data limit is set.", "Error: Device does not exist.",
        set_limit), "status"),
    ("POST", "v2/device_operations/remove_usage_limit"): (device_status_op(
        "remove-usage-limit", "Success: Device data limit removed.",
        "Error: Device does not exist.", remove_limit), "status"),
    ("POST", "v2/device_operations/send_sms"): (device_status_op(
        "sms", "Success: Attempting SMS Send.",
        "Error: Device does not exist, or does not support SMS.", send_sms), "status"),
}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MockLattigo/0.1"

    def log_message(self, *args):
        pass

    def handle(self):
        try:
            super().handle()
        except ConnectionError:  # the client went away (killed, or timed out): normal here
            pass

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def answer(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.server.answers += 1
        if self.server.config.close_every and self.server.answers % self.server.config.close_every == 0:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)

    def vanish(self):
        """Closes the connection without a byte of answer."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def dispatch(self, method):
        config, store = self.server.config, self.server.store
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        path, query = url.path.strip("/"), dict(urllib.parse.parse_qsl(url.query))
        revoked = config.revoke_after_writes and self.server.writes_authorised >= config.revoke_after_writes
        if revoked or self.headers.get("Authorization") != self.server.expected_auth:
            return self.answer(401, {"error": "Unauthorized", "detail": "bad key_name or api_key"},
                               [("WWW-Authenticate", 'Basic realm="lattigo"')])
        if self.server.rate.over():
            later = email.utils.formatdate(time.time() + 1 + config.clock_skew, usegmt=True)
            return self.answer(429, {"error": "Too Many Requests"}, [("Retry-After", later)])
        self.rolls = self.server.next_rolls()
        if self.rolls[0] < config.fail_rate:
            if self.rolls[1] < 0.5:
                return self.answer(503, {"error": "maintenance"}, [("Retry-After", "1")])
            return self.answer(500, {"error": "Internal Server Error"})
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return self.answer(400, {"error": "body is not JSON"})
        if not isinstance(body, dict):
            return self.answer(400, {"error": "body must be a JSON object"})
        writing = method != "GET"
        if writing:
            self.server.writes_authorised += 1
        if not writing and (mock_reads.fault(self, config) or self.answer_read(parts=path.split("/"),
                                                                               query=query)):
            return
        if writing and self.rolls[2] < config.stall_rate:
            time.sleep(config.stall_seconds)
            return self.vanish()
        parts = path.split("/")
        with store.lock:
            status, answer = self.route(method, path, parts, body, query)
        if status is None:
            return self.answer(404, {"error": "no route"})
        if writing and self.rolls[3] < config.drop_rate:
            return self.vanish()
        if writing and self.rolls[4] < config.apply_then_fail:
            # an exception after the commit: the change is made, the answer says 500
            return self.answer(500, {"error": "Internal Server Error",
                                     "trace": "NoMethodError after commit"})
        if config.latency_ms:
            time.sleep(config.latency_ms / 1000.0)
        self.answer(status, answer)

    def answer_read(self, parts, query):
        """The list and history reads (mock_reads.py); False when the path is not one."""
        with self.server.store.lock:
            self.server.reads_in_flight += 1
            in_flight = self.server.reads_in_flight
        try:
            read = mock_reads.answer(self.server.store, self.server.config, parts, query,
                                     in_flight)
            if read is None:
                return False
            # a page past the end is refused at once (no listing to build): it
            # may then come back long before page 1 has told where the end is
            refused_past_end = (read[0] != 200 and
                                read[0] == self.server.config.read_past_end_status)
            if self.server.config.latency_ms and not refused_past_end:
                time.sleep(self.server.config.latency_ms / 1000.0)
        finally:
            # no longer in flight once the answer is ready: counted down after
            # answering, a client that starts its next read as soon as this
            # answer arrives could be seen with one read too many in flight
            # (a race a loaded machine wins now and then)
            with self.server.store.lock:
                self.server.reads_in_flight -= 1
        self.answer(*read)
        return True

    def route(self, method, path, parts, body, query):
        store, config = self.server.store, self.server.config
        if (method, path) in ROUTES:
            handler, wrapper = ROUTES[(method, path)]
            size = len(body.get("device_names") or body.get("activation_requests")
                       or body.get("upload_ids") or [])
            if config.max_chunk and size > config.max_chunk:
                return 413, {"error": "too many devices in one request", "limit": config.max_chunk}
            return handler(store, body) if wrapper is None else handler(store, body, wrapper)
        if len(parts) < 3 or parts[:2] != ["v2", "devices"]:
            return None, None
        name = urllib.parse.unquote(parts[2])
        id_type = body.get("id_type") or query.get("id_type") or "device_name"
        device = store.find(name, id_type)
        if device is None and (method, parts[3:]) in (("GET", []), ("PUT", ["note"]),
                                                     ("POST", ["cellular_locate"])):
            return 404, {"error": "Device not found", "device_name": name}
        if method == "GET" and len(parts) == 3:
            shown = {key: value for key, value in device.items()
                     if key not in ("supports_sms", "visible_at")}
            shown["connected"] = False
            return 200, dict(reversed(list(shown.items())))
        if method == "PUT" and parts[3:] == ["note"]:
            field = body.get("field_name")
            if field not in NOTE_FIELDS or not isinstance(body.get("note"), str):
                return 400, {"error": "field_name must be one of note, note1, note2, note3"}
            device[field] = body["note"][:100]  # "may be truncated arbitrarily"
            store.record("note", "%s:%s" % (device["device_name"], field))
            return 200, {device["device_name"]: "Success"}
        if method == "POST" and parts[3:] == ["cellular_locate"]:
            store.record("locate", device["device_name"])
            carrier = {"carrier": "MockTel", "latitude": 47.6 + device["id"] % 10 / 100.0,
                       "longitude": -122.3, "accuracy_m": 850, "status": "located"}
            return 200, {device["device_name"]: carrier}
        return None, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--key-name", default="test-key")
    parser.add_argument("--api-key", default="s3cr3t-api-key-value")
    parser.add_argument("--devices", type=int, default=100, help="seeded devices PREFIX0000001...")
    parser.add_argument("--name-prefix", default="mock-")
    parser.add_argument("--rate", type=float, default=0, help="429 above R calls/s")
    parser.add_argument("--fail-rate", type=float, default=0, help="500/503 before applying")
    parser.add_argument("--drop-rate", type=float, default=0, help="apply, then close unanswered")
    parser.add_argument("--stall-rate", type=float, default=0, help="apply nothing, hold the call")
    parser.add_argument("--stall-seconds", type=float, default=60)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--max-chunk", type=int, default=0, help="413 above N devices per call")
    parser.add_argument("--ledger", help="append one JSON line per applied effect")
    parser.add_argument("--canonical-names", action="store_true",
                        help="status maps keyed by device_name even when id_type named the device")
    parser.add_argument("--visible-after-ms", type=int, default=0,
                        help="an activated device can be read back only after this long")
    parser.add_argument("--activated-prefix", default="",
                        help="an activated device is named PREFIX + the last 10 digits of its ICCID")
    parser.add_argument("--clock-skew", type=float, default=0,
                        help="seconds the mock's clock is ahead (negative: behind) in Retry-After")
    parser.add_argument("--close-every", type=int, default=0,
                        help="close the keep-alive connection after every Nth answer")
    parser.add_argument("--apply-then-fail", type=float, default=0,
                        help="apply the change, then answer 500 (probability)")
    parser.add_argument("--status-422", action="store_true",
                        help="answer status maps with 422 when an entry is an error")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--preset", help="JSONL of device fields to seed (see Store.preset)")
    parser.add_argument("--revoke-after-writes", type=int, default=0,
                        help="the credentials are revoked after N write calls: every call then gets 401")
    mock_reads.add_arguments(parser)
    config = parser.parse_args()
    random.seed(config.seed)

    server = ThreadingHTTPServer(("127.0.0.1", config.port), Handler)
    server.daemon_threads = True
    server.config = config
    server.store = Store(config.devices, config.name_prefix, config.ledger)
    if config.preset:
        server.store.preset(config.preset)
    server.rate = RateWindow(config.rate)
    server.store.canonical_names = config.canonical_names
    server.store.status_422 = config.status_422
    server.store.visible_after = config.visible_after_ms / 1000.0
    server.store.activated_prefix = config.activated_prefix
    server.answers = 0
    server.writes_authorised = 0
    server.reads_in_flight = 0
    # Fault decisions come from their own generator, a fixed number of rolls
    # per request taken under a lock: the Nth request's fate depends on N and
    # the seed only, not on how the handler threads interleave (with the
    # shared generator, a loaded machine could change how many calls of a
    # small job fail, down to none, and a test that needs one would fail).
    faults, faults_lock = random.Random(config.seed), threading.Lock()

    def next_rolls():
        with faults_lock:
            return [faults.random() for _ in range(ROLLS_PER_REQUEST)]

    server.next_rolls = next_rolls
    token = base64.b64encode(("%s:%s" % (config.key_name, config.api_key)).encode()).decode()
    server.expected_auth = "Basic " + token

    def stop(*_):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    print("listening on 127.0.0.1:%d" % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.1)
    except (SystemExit, KeyboardInterrupt):
        pass
    finally:
        server.server_close()
    sys.exit(0)


if __name__ == "__main__":
    main()
