"""Drives every endpoint of lattigo-sim and compares status codes, headers and
exact response shapes with the API text. Usage: sim_endpoints.py PORT LEDGER
(the simulator runs with --max-chunk 50 --max-body 65536 --ledger LEDGER)."""
import json
import math
import sys

from sim_client import Client, expect, expect_true, fail, luhn_complete, run

PORT = int(sys.argv[1])
LEDGER = sys.argv[2]
client = Client(PORT)

DEVICE_FIELDS = ["id", "device_name", "ip_address", "ipv6", "note", "state", "mdn", "meid",
                 "imsi", "imei", "iccid", "esn", "msisdn", "min", "connected",
                 "last_connection_date", "cost_center", "last_activation_date", "latitude",
                 "longitude", "address", "bytes_used", "sms_used", "note1", "note2", "note3"]
RATE_PLAN_FIELDS = ["name", "days_in_term", "activation_fee", "termination_fee",
                    "monthly_data_plan_cost", "monthly_data_allowance_bytes",
                    "overage_data_unit_bytes", "overage_data_unit_cost", "monthly_sms_plan_cost",
                    "monthly_sms_allowance", "overage_sms_unit", "overage_sms_unit_cost"]
REPORT_FIELDS = ["id", "latitude", "longitude", "speed", "heading", "altitude", "gps_quality",
                 "unit_status", "time_of_fix", "battery", "voltage", "event_code", "temperature",
                 "created_at", "type", "fuel_level", "distance", "rssi"]
USAGE_FIELDS = ["id", "date_for", "bytes_used", "sms_used"]
SMS_FIELDS = ["event_id", "event_status", "event_timestamp", "event_type", "imsi",
              "message_body", "msisdn", "report_timestamp", "failure_reason"]
PAGE_HEADERS = ["x-total", "x-total-pages", "x-page", "x-per-page", "x-next-page",
                "x-prev-page", "x-offset"]
NEW_ICCIDS = [luhn_complete("8944000000000000%03d" % n) for n in range(1, 6)]
NEW_IMEIS = [luhn_complete("35000000000%03d" % n) for n in range(1, 6)]
expected_ledger = []


def page_headers(headers):
    return {name: headers[name] for name in PAGE_HEADERS if name in headers}


def expect_pages(headers, total, total_pages, page, per_page, offset, what):
    wanted = {"x-total": str(total), "x-total-pages": str(total_pages), "x-page": str(page),
              "x-per-page": str(per_page), "x-offset": str(offset)}
    # Present on every page; empty when there is no next / previous page.
    wanted["x-next-page"] = str(page + 1) if page < total_pages else ""
    wanted["x-prev-page"] = str(page - 1) if page > 1 else ""
    expect(page_headers(headers), wanted, what + " pagination headers")


def expect_error(status, body, code, what):
    expect(status, code, what + " status")
    expect_true(isinstance(body, dict) and list(body) == ["error"]
                and isinstance(body["error"], str) and body["error"], what + f": body {body!r}")


def check_auth():
    anonymous = Client(PORT)
    status, headers, body, _ = anonymous.call("GET", "v2/devices", auth=False)
    expect(status, 401, "no credentials")
    expect(body, {"error": "authentication failed: credentials are missing or incorrect"},
           "401 body")
    expect(headers.get("www-authenticate"), 'Basic realm="Lattigo API"', "WWW-Authenticate")
    wrong = Client(PORT, api_key=client.api_key + "x")
    status, _, body, _ = wrong.call("GET", "v2/devices")
    expect(status, 401, "wrong api_key")
    status, _, body, _ = anonymous.call("GET", "v2/devices",
                                        headers={"Authorization": "Basic !!notbase64!!"},
                                        auth=False)
    expect(status, 401, "malformed Authorization")
    wrong.close()
    anonymous.close()


def all_device_names():
    status, headers, names, _ = client.call("GET", "v2/devices?per_page=1000")
    expect(status, 200, "GET v2/devices?per_page=1000")
    expect_pages(headers, 300, 1, 1, 1000, 0, "single page")
    return names


def check_device_list():
    status, headers, names, _ = client.call("GET", "v2/devices")
    expect(status, 200, "GET v2/devices")
    expect_pages(headers, 300, 3, 1, 100, 0, "default page")
    expect(len(names), 100, "default page size")
    expect_true(all(isinstance(name, str) for name in names), "names are strings")
    everything = all_device_names()
    expect(len(set(everything)), 300, "unique device names")
    collected = []
    for page in (1, 2, 3):
        status, headers, chunk, _ = client.call("GET", f"v2/devices?per_page=120&page={page}")
        expect(status, 200, f"page {page}")
        expect_pages(headers, 300, 3, page, 120, 0, f"page {page} of 3")
        collected += chunk
    expect(collected, everything, "three pages concatenated")
    status, headers, chunk, _ = client.call("GET", "v2/devices?per_page=120&page=4")
    expect((status, chunk), (200, []), "page past the end")
    expect(headers.get("x-prev-page"), "3", "X-Prev-Page past the end")
    expect(headers.get("x-next-page"), "", "empty X-Next-Page past the end")
    status, headers, chunk, _ = client.call("GET", "v2/devices?offset=10&per_page=50&page=2")
    expect_pages(headers, 300, math.ceil(290 / 50), 2, 50, 10, "offset")
    expect(chunk, everything[60:110], "offset + (page - 1) * per_page")
    status, headers, _, _ = client.call("GET", "v2/devices?per_page=5000")
    expect(headers.get("x-per-page"), "1000", "per_page capped")
    for query in ("page=0", "page=abc", "per_page=0", "per_page=-3", "offset=-1"):
        status, _, body, _ = client.call("GET", f"v2/devices?{query}")
        expect_error(status, body, 400, query)
    status, headers, details, _ = client.call("GET", "v2/devices?details=true&per_page=7")
    expect(status, 200, "details=true")
    expect(len(details), 7, "details page size")
    for device in details:
        expect(list(device), DEVICE_FIELDS, "device object fields")
    expect([d["device_name"] for d in details], everything[:7], "details order")
    status, headers, suspended, _ = client.call(
        "GET", "v2/devices?details=true&state=suspended&per_page=1000")
    expect_true(len(suspended) > 0, "some suspended devices")
    expect(headers["x-total"], str(len(suspended)), "X-Total counts the filtered list")
    expect_true(all(d["state"] == "suspended" for d in suspended), "state filter")
    status, _, none, _ = client.call("GET", "v2/devices?state=no-such-state")
    expect((status, none), (200, []), "empty list for an unknown state")


def check_single_device():
    status, _, device, _ = client.call("GET", "v2/devices/36500")
    expect(status, 200, "GET v2/devices/36500")
    expect(list(device), DEVICE_FIELDS, "device fields")
    expect(device["device_name"], "36500", "device_name")
    for id_type in ("iccid", "imei", "imsi", "msisdn", "id"):
        status, _, by_id, _ = client.call(
            "GET", f"v2/devices/{device[id_type]}?id_type={id_type}")
        expect((status, by_id), (200, device), f"look-up by {id_type}")
    status, _, body, _ = client.call("GET", "v2/devices/36500?id_type=serial")
    expect_error(status, body, 400, "unknown id_type")
    status, _, body, _ = client.call("GET", "v2/devices/no-such-device")
    expect_error(status, body, 404, "unknown device")
    status, _, body, _ = client.call("GET", f"v2/devices/{device['iccid']}")
    expect_error(status, body, 404, "iccid without id_type")
    status, _, body, _ = client.call("GET", "v2/no_such_endpoint")
    expect_error(status, body, 404, "unknown path")
    status, headers, body, _ = client.call("POST", "v2/devices/36500")
    expect_error(status, body, 405, "POST on a device")
    expect(headers.get("allow"), "GET", "Allow header")
    status, headers, body, _ = client.call("GET", "v2/devices/36500/cellular_locate")
    expect_error(status, body, 405, "GET on cellular_locate")
    expect(headers.get("allow"), "POST", "Allow for cellular_locate")


def check_history():
    base = "v2/devices/36501"
    status, headers, usages, _ = client.call(
        "GET", base + "/daily_data_usages?start_date=2026-01-01&end_date=2026-01-10T23:59:59Z"
        "&limit=100")
    expect(status, 200, "daily usages")
    expect([u["date_for"] for u in usages], ["2026-01-%02d" % d for d in range(10, 0, -1)],
           "one usage per day, newest first")
    for usage in usages:
        expect(list(usage), USAGE_FIELDS, "daily usage fields")
    expect_pages(headers, 10, 1, 1, 100, 0, "daily usages")
    status, headers, page3, _ = client.call(
        "GET", base + "/daily_data_usages?start_date=2026-01-01&end_date=2026-01-10&limit=100"
        "&per_page=4&page=3")
    expect(page3, usages[8:], "third page of usages")
    expect_pages(headers, 10, 3, 3, 4, 0, "usages page 3")
    status, _, again, _ = client.call(
        "GET", base + "/daily_data_usages?start_date=2026-01-01&end_date=2026-01-10&limit=100")
    expect(again, usages, "history is deterministic")
    status, _, limited, _ = client.call(
        "GET", base + "/daily_data_usages?start_date=2026-01-01&end_date=2026-01-10")
    expect(limited, usages[:1], "limit defaults to 1")
    status, _, monthly, _ = client.call(
        "GET", base + "/monthly_data_usages?start_date=2026-01-15&end_date=2026-03-02&limit=10")
    expect([m["date_for"] for m in monthly], ["2026-03-01", "2026-02-01", "2026-01-01"],
           "monthly usages")
    for usage in monthly:
        expect(list(usage), USAGE_FIELDS, "monthly usage fields")
    status, _, reports, _ = client.call(
        "GET", base + "/device_reports?start_date=2026-02-01&end_date=2026-02-05&limit=3")
    expect(len(reports), 3, "device reports limited to 3")
    for report in reports:
        expect(list(report), REPORT_FIELDS, "device report fields")
    for query in ("start_date=yesterday", "end_date=2026-13-01", "limit=0", "limit=x"):
        status, _, body, _ = client.call("GET", base + "/device_reports?" + query)
        expect_error(status, body, 400, "history " + query)
    status, _, body, _ = client.call("GET", "v2/devices/nope/daily_data_usages")
    expect_error(status, body, 404, "usages of an unknown device")
    status, _, events, _ = client.call(
        "GET", base + "/get_sms?start_date=2026-01-01&end_date=2026-03-31")
    expect_true(len(events) > 0, "some SMS events")
    for event in events:
        expect(list(event), SMS_FIELDS, "SMS MT object fields")
    stamps = [event["event_timestamp"] for event in events]
    expect(stamps, sorted(stamps, reverse=True), "SMS events newest first")
    status, _, received, _ = client.call(
        "GET", base + "/get_sms?start_date=2026-01-01&end_date=2026-03-31&direction=received")
    expect(received, [e for e in events if e["event_type"] == "received"], "direction filter")
    status, _, body, _ = client.call("GET", base + "/get_sms?direction=up")
    expect_error(status, body, 400, "bad direction")


def check_note_and_locate():
    status, _, body, _ = client.call("PUT", "v2/devices/36502/note",
                                     form=[("field_name", "note"), ("note", "form note")])
    expect((status, body), (200, {"36502": "Success"}), "note by form")
    expected_ledger.append(("note", "36502"))
    status, _, body, _ = client.call("PUT", "v2/devices/36502/note",
                                     body={"field_name": "note2", "note": "x" * 150})
    expect((status, body), (200, {"36502": "Success"}), "note by JSON")
    expected_ledger.append(("note", "36502"))
    _, _, device, _ = client.call("GET", "v2/devices/36502")
    expect((device["note"], device["note2"]), ("form note", "x" * 100),
           "notes stored, truncated at 100")
    status, _, body, _ = client.call("PUT", "v2/devices/36502/note",
                                     body={"field_name": "note9", "note": "x"})
    expect_error(status, body, 400, "bad field_name")
    status, _, body, _ = client.call("PUT", "v2/devices/36502/note", body={"field_name": "note"})
    expect_error(status, body, 400, "missing note")
    status, _, body, _ = client.call("PUT", "v2/devices/nope/note",
                                     body={"field_name": "note", "note": "x"})
    expect_error(status, body, 404, "note on an unknown device")
    iccid = device["iccid"]
    status, _, body, _ = client.call("PUT", f"v2/devices/{iccid}/note?id_type=iccid",
                                     body={"field_name": "note3", "note": "by iccid"})
    expect((status, body), (200, {iccid: "Success"}), "note by iccid")
    expected_ledger.append(("note", iccid))
    status, _, body, _ = client.call("POST", "v2/devices/36503/cellular_locate")
    expect(status, 200, "cellular_locate")
    expect_true(list(body) == ["36503"] and isinstance(body["36503"], str), "locate shape")
    expected_ledger.append(("locate", "36503"))
    status, _, body, _ = client.call("POST", "v2/devices/nope/cellular_locate")
    expect_error(status, body, 404, "locate an unknown device")


def check_activation():
    path = "v2/device_operations/activation_request"
    request = {"rate_plan_name": "ACME Co 5mb Rate Plan", "activation_requests": [
        {"imei": NEW_IMEIS[0], "iccid": NEW_ICCIDS[0]},
        {"imei": NEW_IMEIS[1], "iccid": NEW_ICCIDS[1], "note": "second"},
        {"imei": NEW_IMEIS[2], "iccid": NEW_ICCIDS[2], "note3": "third"}]}
    status, _, body, _ = client.call("POST", path, body=request)
    expect(status, 200, "activation, all processed")
    blank = {"note": "", "note1": "", "note2": "", "note3": ""}
    expect(body, {"processed": [
        {"iccid": NEW_ICCIDS[0], "imei": NEW_IMEIS[0], **blank, "request_type": "activate"},
        {"iccid": NEW_ICCIDS[1], "imei": NEW_IMEIS[1], **blank, "note": "second",
         "request_type": "activate"},
        {"iccid": NEW_ICCIDS[2], "imei": NEW_IMEIS[2], **blank, "note3": "third",
         "request_type": "activate"}], "unprocessed": []}, "activation 200 body")
    expected_ledger.extend(("activate", iccid) for iccid in NEW_ICCIDS[:3])
    status, _, device, _ = client.call("GET", f"v2/devices/{NEW_ICCIDS[1]}?id_type=iccid")
    expect((status, device["imei"], device["note"], device["state"]),
           (200, NEW_IMEIS[1], "second", "active"), "activated device readable by iccid")
    status, _, same, _ = client.call("GET", f"v2/devices/{device['device_name']}")
    expect(same, device, "activated device readable by its name")
    bad_iccid = NEW_ICCIDS[4][:-1] + str((int(NEW_ICCIDS[4][-1]) + 1) % 10)
    request = {"rate_plan_name": "ACME Co 10MB Plan", "activation_requests": [
        {"imei": NEW_IMEIS[3], "iccid": NEW_ICCIDS[3]},
        {"imei": NEW_IMEIS[4], "iccid": bad_iccid, "note": "bad check digit"},
        {"imei": NEW_IMEIS[0], "iccid": NEW_ICCIDS[0]},
        "not an object"]}
    status, _, body, _ = client.call("POST", path, body=request)
    expect(status, 422, "activation, partly processed")
    expect(body["processed"], [{"iccid": NEW_ICCIDS[3], "imei": NEW_IMEIS[3], **blank,
                                "request_type": "activate"}], "processed entries")
    expected_ledger.append(("activate", NEW_ICCIDS[3]))
    unprocessed = body["unprocessed"]
    expect([u["device_index"] for u in unprocessed], [1, 2, 3], "device_index of failures")
    for entry in unprocessed:
        expect(sorted(entry), ["device_index", "error", "input"], "unprocessed entry keys")
        expect_true(isinstance(entry["error"], str), "error is a JSON-encoded string")
    errors = [json.loads(u["error"]) for u in unprocessed]
    expect(list(errors[0]), ["iccid"], "bad ICCID error key")
    expect_true(isinstance(errors[0]["iccid"], list) and errors[0]["iccid"]
                and all(isinstance(m, str) for m in errors[0]["iccid"]), "hash of arrays")
    expect(errors[1], {"iccid": ["has already been taken"], "imei": ["has already been taken"]},
           "already active")
    expect(errors[2], {"base": ["must be an object"]}, "non-object entry")
    expect(unprocessed[0]["input"], {"iccid": bad_iccid, "imei": NEW_IMEIS[4], **blank,
                                     "note": "bad check digit"}, "input echoed")
    expect(unprocessed[2]["input"], "not an object", "non-object input echoed")
    request = {"rate_plan_name": "No Such Plan", "activation_requests": [
        {"imei": NEW_IMEIS[4], "iccid": NEW_ICCIDS[4]}]}
    status, _, body, _ = client.call("POST", path, body=request)
    expect(status, 422, "unknown rate plan")
    expect(json.loads(body["unprocessed"][0]["error"]),
           {"rate_plan_name": ["is not available on this account"]}, "unknown plan error")
    for bad in ({"activation_requests": [{"imei": NEW_IMEIS[4], "iccid": NEW_ICCIDS[4]}]},
                {"rate_plan_name": "ACME Co 10MB Plan"},
                {"rate_plan_name": "ACME Co 10MB Plan", "activation_requests": []},
                {"rate_plan_name": "ACME Co 10MB Plan", "activation_requests": "x"}):
        status, _, body, _ = client.call("POST", path, body=bad)
        expect_error(status, body, 400, f"activation {sorted(bad)}")
    status, _, body, _ = client.call("POST", path, raw_body=b'{"rate_plan_name": "x",',
                                     headers={"Content-Type": "application/json"})
    expect_error(status, body, 400, "truncated JSON")
    status, _, body, _ = client.call("POST", path, raw_body=b'["not", "an", "object"]',
                                     headers={"Content-Type": "application/json"})
    expect_error(status, body, 400, "JSON array body")
    status, _, body, _ = client.call("POST", path, raw_body=b'{"rate_plan_name": "\xff\xfe"}',
                                     headers={"Content-Type": "application/json"})
    expect_error(status, body, 400, "invalid UTF-8 JSON")
    status, _, body, _ = client.call("POST", path, body={
        "rate_plan_name": "ACME Co 5mb Rate Plan",
        "activation_requests": [{"imei": NEW_IMEIS[4], "iccid": NEW_ICCIDS[4]}] * 51})
    expect_error(status, body, 413, "more entries than --max-chunk")
    status, _, body, _ = client.call("POST", path, body={
        "rate_plan_name": "ACME Co 5mb Rate Plan", "pad": "x" * 70000,
        "activation_requests": [{"imei": NEW_IMEIS[4], "iccid": NEW_ICCIDS[4]}]})
    expect_error(status, body, 413, "body above --max-body")


def check_upload():
    path = "v2/device_operations/upload_request"
    imeis = [luhn_complete("86000000000%03d" % n) for n in range(1, 4)]
    request = {"upload_email": "name@vendor.example.com", "upload_sku": "XYZ000000012345",
               "upload_ids": [{"imei": imeis[0]}, {"imei": imeis[1]}]}
    status, _, body, _ = client.call("POST", path, body=request)
    expect((status, body), (200, {"processed": [
        {"imei": imeis[0], "sku": "XYZ000000012345", "email": "name@vendor.example.com"},
        {"imei": imeis[1], "sku": "XYZ000000012345", "email": "name@vendor.example.com"}],
        "unprocessed": []}), "upload 200")
    expected_ledger.extend(("upload", imei) for imei in imeis[:2])
    request["upload_ids"] = [{"imei": imeis[2]}, {"imei": imeis[0]}]
    status, _, body, _ = client.call("POST", path, body=request)
    expect(status, 422, "upload partly processed")
    expect(body["processed"], [{"imei": imeis[2], "sku": "XYZ000000012345",
                                "email": "name@vendor.example.com"}], "upload processed")
    expected_ledger.append(("upload", imeis[2]))
    expect(body["unprocessed"], [{"device_index": 1,
                                  "error": '{"imei":["has already been taken"]}',
                                  "input": {"imei": imeis[0]}}], "upload unprocessed")
    status, _, body, _ = client.call("POST", path, body={"upload_sku": "X",
                                                         "upload_ids": [{"imei": imeis[0]}]})
    expect_error(status, body, 400, "upload without upload_email")


def check_device_operations():
    ops = "v2/device_operations/"
    status, _, body, _ = client.call("PUT", ops + "change_cost_center", form=[
        ("device_names[]", "36504"), ("device_names[]", "36505"), ("device_names[]", "nope"),
        ("cost_center", "Acme Form")])
    expect((status, body), (200, {"change_status": {
        "36504": "Success", "36505": "Success", "nope": "Error: Device does not exist."}}),
        "change_cost_center by form")
    expected_ledger.extend([("cost-center", "36504"), ("cost-center", "36505")])
    status, _, body, _ = client.call("PUT", ops + "change_cost_center",
                                     body={"device_names": ["36506"], "cost_center": "Acme"})
    expect((status, body), (200, {"change_status": {"36506": "Success"}}), "by JSON")
    expected_ledger.append(("cost-center", "36506"))
    _, _, device, _ = client.call("GET", "v2/devices/36504")
    expect(device["cost_center"], "Acme Form", "cost center applied")
    status, _, body, _ = client.call("PUT", ops + "change_cost_center",
                                     body={"device_names": 36511, "cost_center": "One"})
    expect((status, body), (200, {"change_status": {"36511": "Success"}}),
           "a single number as device_names")
    expected_ledger.append(("cost-center", "36511"))
    status, _, body, _ = client.call("PUT", ops + "change_cost_center",
                                     body={"device_names": ["36512", "36512"], "cost_center": "T"})
    expect((status, body), (200, {"change_status": {"36512": "Success"}}), "a name given twice")
    expected_ledger.append(("cost-center", "36512"))
    for bad in ([True], [{"a": 1}], [""], {"a": "b"}):
        status, _, body, _ = client.call("PUT", ops + "change_cost_center",
                                         body={"device_names": bad, "cost_center": "A"})
        expect_error(status, body, 400, f"device_names {bad!r}")
    status, _, body, _ = client.call("PUT", ops + "change_cost_center",
                                     body={"device_names": ["36506"]})
    expect_error(status, body, 400, "missing cost_center")
    status, _, body, _ = client.call("PUT", ops + "change_cost_center", body={"cost_center": "A"})
    expect_error(status, body, 400, "missing device_names")
    status, _, body, _ = client.call("PUT", ops + "change_cost_center", body={
        "cost_center": "A", "device_names": [str(36500 + n) for n in range(51)]})
    expect_error(status, body, 413, "device_names above --max-chunk")
    status, headers, body, _ = client.call("POST", ops + "change_cost_center",
                                           body={"cost_center": "A", "device_names": ["36500"]})
    expect_error(status, body, 405, "POST change_cost_center")
    expect(headers.get("allow"), "PUT", "Allow: PUT")

    _, _, target, _ = client.call("GET", "v2/devices/36507")
    status, _, body, _ = client.call("PUT", ops + "change_simstate", form=[
        ("device_names[]", target["iccid"]), ("state", "suspend"), ("id_type", "iccid")])
    expect((status, body), (200, {"change_status": {target["iccid"]: "Success"}}),
           "simstate by iccid")
    expected_ledger.append(("simstate", target["iccid"]))
    _, _, device, _ = client.call("GET", "v2/devices/36507")
    expect(device["state"], "suspended", "suspended")
    status, _, body, _ = client.call("PUT", ops + "change_simstate",
                                     body={"device_names": ["36507", "nope"], "state": "restore"})
    expect((status, body), (200, {"change_status": {
        "36507": "Success", "nope": "Error: Device does not exist."}}), "restore")
    expected_ledger.append(("simstate", "36507"))
    _, _, device, _ = client.call("GET", "v2/devices/36507")
    expect(device["state"], "active", "restored")
    status, _, body, _ = client.call("PUT", ops + "change_simstate",
                                     body={"device_names": ["36507"], "state": "pause"})
    expect_error(status, body, 400, "bad state")

    status, _, body, _ = client.call("POST", ops + "set_usage_limit", form=[
        ("device_names[]", "36508"), ("device_names[]", "nope"), ("action", "suspend"),
        ("usernames[]", "admin"), ("kb_limit", "1024")])
    expect((status, body), (200, {"status": {
        "36508": "Success: Device data limit is set.", "nope": "Error: Device does not exist."}}),
        "set_usage_limit by form")
    expected_ledger.append(("usage-limit", "36508"))
    status, _, body, _ = client.call("POST", ops + "set_usage_limit", body={
        "device_names": ["36508"], "usernames": ["admin"], "kb_limit": 2048})
    expect((status, body), (200, {"status": {"36508": "Success: Device data limit is set."}}),
           "set_usage_limit by JSON")
    expected_ledger.append(("usage-limit", "36508"))
    for bad in ({"device_names": ["36508"], "kb_limit": -5, "action": "suspend"},
                {"device_names": ["36508"], "kb_limit": "ten", "action": "suspend"},
                {"device_names": ["36508"], "action": "suspend"}):
        status, _, body, _ = client.call("POST", ops + "set_usage_limit", body=bad)
        expect_error(status, body, 400, f"set_usage_limit {bad}")
    status, _, body, _ = client.call("POST", ops + "remove_usage_limit", form=[
        ("device_names[]", "36508"), ("device_names[]", "nope")])
    expect((status, body), (200, {"status": {
        "36508": "Success: Device data limit removed.", "nope": "Error: Device does not exist."}}),
        "remove_usage_limit")
    expected_ledger.append(("remove-usage-limit", "36508"))

    status, _, body, _ = client.call("POST", ops + "send_sms", form=[
        ("device_names[]", "36500"), ("device_names[]", "36509"), ("device_names[]", "nope"),
        ("sms_text", "This is the SMS message")])
    no_sms = "Error: Device does not exist, or does not support SMS."
    expect((status, body), (200, {"status": {"36500": "Success: Attempting SMS Send.",
                                             "36509": no_sms, "nope": no_sms}}), "send_sms")
    expected_ledger.append(("sms", "36500"))
    status, _, events, _ = client.call("GET", "v2/devices/36500/get_sms?direction=sent")
    expect_true(any(e["message_body"] == "This is the SMS message" for e in events),
                "sent SMS shows in get_sms")
    status, _, body, _ = client.call("POST", ops + "send_sms", body={"device_names": ["36500"]})
    expect_error(status, body, 400, "send_sms without sms_text")
    status, _, body, _ = client.call("POST", ops + "send_sms", raw_body=b"device_names[]=%zz",
                                     headers={"Content-Type":
                                              "application/x-www-form-urlencoded"})
    expect_error(status, body, 400, "bad percent escape")


def check_catalog():
    status, headers, plans, _ = client.call("GET", "v2/rate_plans")
    expect(status, 200, "rate plans")
    names = [plan["name"] for plan in plans]
    expect_true("ACME Co 5mb Rate Plan" in names and "ACME Co 10MB Plan" in names,
                "the text's rate plans exist")
    for plan in plans:
        expect(list(plan), RATE_PLAN_FIELDS, "rate plan fields")
    expect_pages(headers, len(plans), 1, 1, 100, 0, "rate plans")
    collected = []
    for page in (1, 2, 3):
        status, headers, chunk, _ = client.call("GET", f"v2/rate_plans?per_page=2&page={page}")
        expect_pages(headers, len(plans), 3, page, 2, 0, f"rate plans page {page}")
        collected += chunk
    expect(collected, plans, "rate plans in three pages")
    status, headers, users, _ = client.call("GET", "v2/users")
    expect_true(len(users) > 20 and all(isinstance(u, str) for u in users), "usernames")
    total = len(users)
    collected = []
    for page in (1, 2, 3):
        status, headers, chunk, _ = client.call("GET", f"v2/users?per_page=10&page={page}")
        expect_pages(headers, total, math.ceil(total / 10), page, 10, 0, f"users page {page}")
        collected += chunk
    expect(collected, users[:30], "users in pages")


def check_ledger():
    with open(LEDGER, encoding="utf-8") as ledger:
        lines = [json.loads(line) for line in ledger]
    for line in lines:
        expect(sorted(line), ["device", "key", "op", "request"], "ledger line keys")
        expect_true(isinstance(line["request"], int) and line["request"] > 0, "request number")
    expect([(line["op"], line["key"]) for line in lines], expected_ledger,
           "one ledger line per applied effect, nothing else")


run([("auth", check_auth), ("device list", check_device_list),
     ("single device", check_single_device), ("history", check_history),
     ("note and locate", check_note_and_locate), ("activation", check_activation),
     ("upload", check_upload), ("device operations", check_device_operations),
     ("catalog", check_catalog), ("ledger", check_ledger)])
client.close()
