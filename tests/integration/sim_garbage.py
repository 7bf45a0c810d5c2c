"""Hostile input for lattigo-sim over raw sockets: random bytes, malformed
requests, header floods, truncated and oversized bodies, invalid UTF-8, deep
JSON. Usage: sim_garbage.py PORT SECONDS SEED. Afterwards the simulator must
still answer a valid request (checked here) and exit cleanly (checked by the caller)."""
import base64
import os
import random
import socket
import sys
import time

PORT, SECONDS, SEED = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
rng = random.Random(SEED)
TOKEN = base64.b64encode(
    f"{os.environ['TEST_KEY_NAME']}:{os.environ['TEST_API_KEY']}".encode()).decode()
PATHS = ["/v2/devices", "/v2/devices/36500", "/v2/devices/36500/note",
         "/v2/devices/36500/get_sms", "/v2/devices/36500/daily_data_usages",
         "/v2/devices/36500/cellular_locate", "/v2/device_operations/activation_request",
         "/v2/device_operations/upload_request", "/v2/device_operations/change_cost_center",
         "/v2/device_operations/change_simstate", "/v2/device_operations/set_usage_limit",
         "/v2/device_operations/remove_usage_limit", "/v2/device_operations/send_sms",
         "/v2/rate_plans", "/v2/users", "/", "/v2/%ff%fe/..%2f", "/v2/devices/%00"]
METHODS = ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "G\x01T", "X" * 300]


def random_bytes(length):
    return bytes(rng.getrandbits(8) for _ in range(length))


def json_noise():
    pieces = [b'{"device_names":[', b'"36500"', b",", b"]", b'"cost_center":', b"\xff\xfe",
              b'"\\ud800"', b"1e999999", b"null", b"{", b"}", b"[", b":", b'"state":"suspend"',
              b'"activation_requests":[{"iccid":1}]', b'"kb_limit":-1', b'"rate_plan_name":{}']
    return b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))


def form_noise():
    pieces = [b"device_names[]=36500", b"&", b"=", b"%", b"%zz", b"%ff", b"cost_center=x",
              b"[]=", b"state=restore", b"sms_text=%00", b"usernames[]", b"kb_limit=99999999999999"]
    return b"".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))


def request(method, path, headers, body=b"", content_length=None):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += headers
    if content_length is None:
        content_length = len(body)
    if body or content_length:
        lines.append(f"Content-Length: {content_length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def case_random_bytes():
    return random_bytes(rng.randint(1, 4096))


def case_header_flood():
    headers = [f"X-Flood-{i}: {'a' * rng.randint(10, 800)}" for i in range(rng.randint(50, 400))]
    return request("GET", "/v2/devices", headers + [f"Authorization: Basic {TOKEN}"])


def case_huge_header():
    return request("GET", "/v2/devices", ["X-Big: " + "b" * rng.randint(10000, 200000)])


def case_truncated_body():
    body = json_noise()
    return request("PUT", rng.choice(PATHS), [f"Authorization: Basic {TOKEN}",
                                              "Content-Type: application/json"],
                   body[: len(body) // 2], content_length=len(body) + rng.randint(1, 10000))


def case_oversized_length():
    return request("POST", "/v2/device_operations/activation_request",
                   [f"Authorization: Basic {TOKEN}"], b"{}", content_length=10 ** 12)


def case_bad_chunks():
    head = request("POST", rng.choice(PATHS), [f"Authorization: Basic {TOKEN}",
                                               "Transfer-Encoding: chunked"])
    return head + rng.choice([b"zz\r\nabc\r\n0\r\n\r\n", b"ffffffffffffffff\r\nabc",
                              b"5\r\nabc\r\n", b"-1\r\n\r\n", random_bytes(200)])


def case_noisy_body():
    content_type = rng.choice(["Content-Type: application/json",
                               "Content-Type: application/x-www-form-urlencoded",
                               "Content-Type: multipart/form-data; boundary=x", None])
    body = json_noise() if rng.random() < 0.5 else form_noise()
    headers = [f"Authorization: Basic {TOKEN}"] + ([content_type] if content_type else [])
    return request(rng.choice(["PUT", "POST"]), rng.choice(PATHS), headers, body)


def case_deep_json():
    depth = rng.randint(1000, 200000)
    body = (b"[" * depth) if rng.random() < 0.5 else (b'{"a":' * depth)
    return request("POST", "/v2/device_operations/send_sms",
                   [f"Authorization: Basic {TOKEN}", "Content-Type: application/json"], body)


def case_bad_request_line():
    path = rng.choice(PATHS) + "?" + form_noise().decode("latin-1")
    auth = rng.choice([f"Authorization: Basic {TOKEN}", "Authorization: Basic", "Authorization: "
                       + "Basic " + "A" * 5000, "Authorization: Bearer x"])
    version = rng.choice(["HTTP/1.1", "HTTP/1.0", "HTTP/9.9", "", "HTTP/1.1 extra"])
    line = f"{rng.choice(METHODS)} {path} {version}\r\n{auth}\r\n\r\n"
    return line.encode("latin-1")


CASES = [case_random_bytes, case_header_flood, case_huge_header, case_truncated_body,
         case_oversized_length, case_bad_chunks, case_noisy_body, case_deep_json,
         case_bad_request_line]


def send(payload):
    with socket.create_connection(("127.0.0.1", PORT), timeout=2) as sock:
        try:
            sock.sendall(payload)
            if rng.random() < 0.5:
                sock.shutdown(socket.SHUT_WR)
            sock.settimeout(0.05)
            sock.recv(65536)
        except OSError:
            pass  # the server may close or reset: that is fine, crashing is not


def valid_answer():
    with socket.create_connection(("127.0.0.1", PORT), timeout=10) as sock:
        sock.sendall(request("GET", "/v2/devices/36500",
                             [f"Authorization: Basic {TOKEN}", "Connection: close"]))
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


deadline = time.monotonic() + SECONDS
sent = 0
idle = [socket.create_connection(("127.0.0.1", PORT)) for _ in range(40)]
while time.monotonic() < deadline:
    send(rng.choice(CASES)())
    sent += 1
for sock in idle:
    sock.close()
answer = valid_answer()
if not answer.startswith(b"HTTP/1.1 200") or b'"device_name":"36500"' not in answer:
    print(f"FAIL: after {sent} garbage requests (seed {SEED}) a valid call got {answer[:200]!r}",
          file=sys.stderr)
    sys.exit(1)
print(f"ok: {sent} garbage requests (seed {SEED}), still answering", file=sys.stderr)
