"""The read side of the independent mock (imported by mock_api.py).

Lists and histories paged unlike lattigo-sim: per_page defaults to 25 and is
clamped to 50 without a word, every Nth page carries no pagination header at
all (so a client must find the end by itself), histories come oldest first,
`limit` counts the whole list (default 1, as the API text says), reports come
several a day. GET-only faults: 500/503, dropped connections, stalls.
`expected_records` gives what a complete export must hold, for the checks.
"""

import datetime
import hashlib
import json
import socket
import time

# (and the two usernames scripts/gen-manifest.py writes into usage-limit rows)
USERS = ["user%02d@example.com" % index for index in range(1, 61)] + ["admin", "ops.alice"]
# every field of the API text's rate plan object; fees as numbers (lattigo-sim uses strings)
RATE_PLANS = [{"name": "ACME Co 5mb Rate Plan", "days_in_term": 30, "activation_fee": 0,
               "termination_fee": 0, "monthly_data_plan_cost": 2.25,
               "monthly_data_allowance_bytes": 5242880, "overage_data_unit_bytes": 1024,
               "overage_data_unit_cost": 0.01, "monthly_sms_plan_cost": 0,
               "monthly_sms_allowance": 0, "overage_sms_unit": 1, "overage_sms_unit_cost": 0.05},
              {"name": "ACME Co 10MB Plan", "days_in_term": 30, "activation_fee": 1.5,
               "termination_fee": 5, "monthly_data_plan_cost": 3.5,
               "monthly_data_allowance_bytes": 10485760, "overage_data_unit_bytes": 1024,
               "overage_data_unit_cost": 0.01, "monthly_sms_plan_cost": 0.75,
               "monthly_sms_allowance": 100, "overage_sms_unit": 1, "overage_sms_unit_cost": 0.05}]
TODAY = datetime.date(2026, 11, 30)  # fixed, so a test's expectations never depend on the clock


def add_arguments(parser):
    group = parser.add_argument_group("reads (mock_reads.py)")
    group.add_argument("--read-default-per-page", type=int, default=25)
    group.add_argument("--read-max-per-page", type=int, default=50)
    group.add_argument("--read-bare-every", type=int, default=3,
                       help="pages N, 2N, ... carry no X-* pagination header (0: all carry them)")
    group.add_argument("--read-fail-rate", type=float, default=0, help="GET: 500/503")
    group.add_argument("--read-drop-rate", type=float, default=0, help="GET: close unanswered")
    group.add_argument("--read-stall-rate", type=float, default=0, help="GET: hold, then close")
    group.add_argument("--reports-per-day", type=int, default=3)
    group.add_argument("--read-log", help="append one JSON line per read answered")
    group.add_argument("--read-past-end-status", type=int, default=200,
                       help="what a page past the end answers: 200 [] or this refusal")


def number(*parts):
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:6], "big")


def parse_day(text):
    """The YYYY-MM-DD of an ISO 8601 value (the API uses only the date)."""
    try:
        return datetime.date.fromisoformat((text or "")[:10])
    except ValueError:
        return None


def window(query):
    end = parse_day(query["end_date"]) if "end_date" in query else TODAY
    start = parse_day(query["start_date"]) if "start_date" in query else (
        end - datetime.timedelta(days=30) if end else None)
    return start, end


def history(kind, device, start, end, reports_per_day=3):
    """Every record of one device's history in [start, end], oldest first."""
    records, day = [], start
    while day <= end:
        if kind == "daily_data_usages":
            records.append({"id": number(kind, device, day) % 10**9, "date_for": day.isoformat(),
                            "bytes_used": number("b", device, day) % 10**7,
                            "sms_used": number("s", device, day) % 20})
        elif kind == "monthly_data_usages":
            if day.day == 1 or day == start:
                first = day.replace(day=1)
                records.append({"id": number(kind, device, first) % 10**9,
                                "date_for": first.isoformat(),
                                "bytes_used": number("m", device, first) % 10**9,
                                "sms_used": number("ms", device, first) % 500})
        else:
            for slot in range(reports_per_day):
                stamp = "%sT%02d:15:00Z" % (day.isoformat(), 2 + slot * 7)
                records.append({"id": number(kind, device, day, slot) % 10**9,
                                "latitude": 47.0 + number("la", device, day, slot) % 1000 / 1000.0,
                                "longitude": -122.5, "speed": slot * 10, "created_at": stamp,
                                "time_of_fix": stamp, "type": "position", "rssi": -70 - slot})
        day += datetime.timedelta(days=1)
    return records


def sms_events(device, start, end, direction):
    events, day = [], start
    while day <= end:
        if number("sms", device, day) % 2 == 0:
            kind = "received" if number("dir", device, day) % 3 else "sent"
            if direction in (None, "all", kind):
                events.append({"event_id": "ev-%d" % (number("ev", device, day) % 10**8),
                               "event_type": kind, "event_status": "delivered",
                               "event_timestamp": day.isoformat() + "T09:30:00Z",
                               "message_body": "=ping %s" % day.isoformat(),
                               "msisdn": "1555%07d" % (number("n", device) % 10**7)})
        day += datetime.timedelta(days=1)
    return events


def device_object(device):
    shown = {key: value for key, value in device.items()
             if key not in ("supports_sms", "visible_at", "usage_limit_kb")}
    shown["connected"] = device["id"] % 2 == 0
    return shown


def expected_records(kind, names, start=None, end=None, limit=None, direction=None,
                     reports_per_day=3, devices=None):
    """What a complete export holds for names (per-device kinds), in manifest order."""
    query = {}
    if start:
        query["start_date"] = start
    if end:
        query["end_date"] = end
    first, last = window(query)
    out = []
    for name in names:
        if kind == "get_sms":
            # the mock's seeded devices: every seventh keeps no SMS log (mock_api.Store)
            capable = not name[-7:].isdigit() or int(name[-7:]) % 7 != 0
            records = sms_events(name, first, last, direction) if capable else []
        else:
            records = history(kind, name, first, last, reports_per_day)
            records = records[:limit if limit else 1]
        out.extend((name, record) for record in records)
    return out


def paged(config, items, query):
    """One page of items and its headers (none on every Nth page)."""
    try:
        page = int(query.get("page", "1"))
        per_page = int(query.get("per_page", str(config.read_default_per_page)))
    except ValueError:
        return 400, {"error": "page and per_page must be integers"}, []
    if page < 1 or per_page < 1:
        return 400, {"error": "page and per_page must be positive"}, []
    per_page = min(per_page, config.read_max_per_page)
    pages = (len(items) + per_page - 1) // per_page
    if page > max(pages, 1) and config.read_past_end_status != 200:
        return config.read_past_end_status, {"error": "page %d is out of range" % page}, []
    chunk = items[(page - 1) * per_page: page * per_page]
    headers = []
    if not (config.read_bare_every and page % config.read_bare_every == 0):
        headers = [("X-Total", str(len(items))), ("X-Total-Pages", str(pages)),
                   ("X-Per-Page", str(per_page)), ("X-Page", str(page)),
                   ("X-Next-Page", str(page + 1) if page < pages else "")]
    return 200, chunk, headers


def fault(handler, config):
    """Injects a GET fault; True when the request was answered (or dropped) by it."""
    roll = handler.rolls[5]
    if roll < config.read_fail_rate:
        if handler.rolls[6] < 0.5:
            handler.answer(503, {"error": "busy"}, [("Retry-After", "1")])
        else:
            handler.answer(500, {"error": "Internal Server Error"})
        return True
    roll -= config.read_fail_rate
    if roll < config.read_drop_rate:
        handler.vanish()
        return True
    roll -= config.read_drop_rate
    if roll < config.read_stall_rate:
        time.sleep(config.stall_seconds)
        handler.vanish()
        return True
    return False


def answer(store, config, parts, query, in_flight=0):
    """(status, body, headers) for the read endpoints this module serves, else None."""
    result = None
    if parts == ["v2", "users"]:
        result = paged(config, USERS, query)
    elif parts == ["v2", "rate_plans"]:
        result = paged(config, RATE_PLANS, query)
    elif parts == ["v2", "devices"]:
        with store.lock:
            # an activated device shows up in lists no sooner than on its own (--visible-after-ms)
            devices = [d for d in store.devices.values()
                       if (not query.get("state") or d["state"] == query["state"])
                       and d["visible_at"] <= time.time()]
            details = query.get("details") in ("true", "1")
            items = [device_object(d) if details else d["device_name"] for d in devices]
        result = paged(config, items, query)
    elif len(parts) == 4 and parts[:2] == ["v2", "devices"] and parts[3] in (
            "device_reports", "daily_data_usages", "monthly_data_usages", "get_sms"):
        import urllib.parse
        with store.lock:
            device = store.find(urllib.parse.unquote(parts[2]),
                                query.get("id_type") or "device_name")
        if device is None:
            return 404, {"error": "Device not found"}, []
        start, end = window(query)
        if start is None or end is None:
            return 400, {"error": "start_date / end_date must be ISO 8601 dates"}, []
        name = device["device_name"]
        if parts[3] == "get_sms":
            direction = query.get("direction")
            if direction not in (None, "all", "received", "sent"):
                return 400, {"error": "direction must be all, received or sent"}, []
            events = sms_events(name, start, end, direction) if device["supports_sms"] else []
            result = 200, events, []
        else:
            try:
                limit = int(query.get("limit", "1"))
            except ValueError:
                return 400, {"error": "limit must be an integer"}, []
            records = history(parts[3], name, start, end, config.reports_per_day)[:limit]
            result = paged(config, records, query)
    if result is not None and config.read_log:
        with open(config.read_log, "a", encoding="utf-8") as log:
            log.write(json.dumps({"path": "/".join(parts), "query": query,
                                  "status": result[0],
                                  "count": len(result[1]) if isinstance(result[1], list) else 0,
                                  "bare": result[0] == 200 and not result[2],
                                  "t": time.time(), "in_flight": in_flight}) + "\n")
    return result
