#!/usr/bin/env python3
"""Latency probe for tests/bench/latency_bench.sh: reading accepted -> alarm on the live stream.

While a load runs (hazmon-sim, started by the script), this probe
  1. logs in as admin and subscribes to GET /api/v1/stream (server-sent events);
  2. creates K switch points (debounce 0) in the first enterprise of the hazmon-sim config, so
     that one reading of 1 raises a SWITCH alarm and one of 0 clears it;
  3. every --interval seconds sends one upload flipping the next probe point (as that
     enterprise's gateway, over its own kept-alive HTTPS connection), noting when the request
     went out (t_send) and when its 2xx came back (t_ack);
  4. matches every alarm event of a probe point on the stream (t_event) to its upload.
It prints one JSON object: event - ack and event - send percentiles (ms), and how many
threshold crossings never showed up on the stream within 5 s (missing).

Only the standard library is used. Certificates are not verified (the development certificate).
"""
import argparse
import datetime
import http.client
import json
import socket
import ssl
import sys
import threading
import time
from urllib.parse import urlparse


def ctx():
    c = ssl.create_default_context()
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    return c


def call(conn, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = conn.getresponse()
    data = r.read()
    return r.status, data


def at_ms(text):
    # "2026-11-30 00:36:15.123+00" (storage::format_pg_timestamp) -> epoch ms
    try:
        dt = datetime.datetime.strptime(text[:23], "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        return None
    return round(dt.timestamp() * 1000)


def local_time(t):
    # RFC 3339 with milliseconds in UTC+8, as gateways with sub-second clocks send it.
    tz = datetime.timezone(datetime.timedelta(hours=8))
    return datetime.datetime.fromtimestamp(t, tz).isoformat(timespec="milliseconds")


class Stream(threading.Thread):
    """Reads the chunked text/event-stream and records when each probe alarm event arrives."""

    def __init__(self, host, port, token, probes):
        super().__init__(daemon=True)
        self.host, self.port, self.token, self.probes = host, port, token, probes
        self.events = []  # (t_event, quota, transition)
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.error = None

    def run(self):
        try:
            raw = socket.create_connection((self.host, self.port))
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s = ctx().wrap_socket(raw, server_hostname=self.host)
            s.sendall((f"GET /api/v1/stream HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {self.token}\r\n"
                       "Accept: text/event-stream\r\n\r\n").encode())
            f = s.makefile("rb", buffering=0)
            status = f.readline()
            if b" 200 " not in status:
                raise RuntimeError("stream: " + status.decode(errors="replace"))
            while f.readline() not in (b"\r\n", b"\n", b""):
                pass
            self.ready.set()
            buf = b""
            while True:
                size_line = f.readline()
                if not size_line:
                    return
                size = int(size_line.strip().split(b";")[0] or b"0", 16)
                if size == 0:
                    return
                chunk = b""
                while len(chunk) < size:
                    part = f.read(size - len(chunk))
                    if not part:
                        return
                    chunk += part
                f.readline()  # the CRLF after the chunk
                now = time.monotonic()
                buf += chunk
                while b"\n\n" in buf:
                    ev, buf = buf.split(b"\n\n", 1)
                    for line in ev.split(b"\n"):
                        if line.startswith(b"data:"):
                            try:
                                d = json.loads(line[5:].strip())
                            except ValueError:
                                continue
                            q = d.get("quota_code")
                            if q in self.probes and d.get("alarm_type") == "SWITCH":
                                with self.lock:
                                    self.events.append((now, q, d.get("transition"), at_ms(d.get("at", ""))))
        except Exception as e:  # reported by the main thread
            self.error = repr(e)
            self.ready.set()


def pct(values, q):
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--sim-config", required=True)
    ap.add_argument("--probes", type=int, default=10)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--duration", type=float, default=60)
    a = ap.parse_args()

    u = urlparse(a.url)
    host, port = u.hostname, u.port or 443
    admin = http.client.HTTPSConnection(host, port, context=ctx(), timeout=30)
    password = open(a.password_file).read().strip()
    st, body = call(admin, "POST", "/api/v1/auth/login", {"username": "admin", "password": password})
    if st != 200:
        sys.exit(f"login failed: {st} {body[:200]}")
    token = json.loads(body)["token"]

    ent = json.load(open(a.sim_config))["enterprises"][0]
    company, hazard, bearer = ent["company_code"], ent["hazard_code"], ent["bearer"]
    probes = [f"{hazard}PRB{i:03d}" for i in range(a.probes)]
    for q in probes:
        st, body = call(admin, "POST", "/api/v1/monitoring-points",
                        {"quota_code": q, "company_code": company, "hazard_code": hazard, "name": "延迟探针",
                         "indicator_type": "overflow", "value_kind": "switch", "debounce_s": 0}, token)
        if st not in (201, 409):
            sys.exit(f"creating probe point {q}: {st} {body[:300]}")

    stream = Stream(host, port, token, set(probes))
    stream.start()
    stream.ready.wait(30)
    if stream.error:
        sys.exit("stream: " + stream.error)
    time.sleep(1.0)  # the registry reload after the new points

    gw = http.client.HTTPSConnection(host, port, context=ctx(), timeout=60)
    gw.connect()
    gw.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # Start every probe from 0 (cleared) so that each later flip is exactly one alarm change.
    run_id = str(int(time.time()))
    seq = 0

    def upload(q, v):
        nonlocal seq
        seq += 1
        collect_ms = int(time.time() * 1000)
        doc = {"companyCode": company, "gatewayCode": ent.get("gateway_code", ""), "dataId": f"probe-{run_id}-{seq}",
               "reportType": "realtime", "sendTime": local_time(time.time()).replace("T", " ")[:19],
               "datas": [{"quotaCode": q, "collectTime": local_time(collect_ms / 1000), "switchValue": v, "quality": 0}]}
        if not doc["gatewayCode"]:
            del doc["gatewayCode"]
        t0 = time.monotonic()
        st, body = call(gw, "POST", "/api/v1/upload/realtime", doc, bearer)
        t1 = time.monotonic()
        return st, body, t0, t1, collect_ms

    for q in probes:
        upload(q, 0)
    time.sleep(1.0)
    with stream.lock:
        stream.events.clear()

    sent = []  # (t_send, t_ack, quota, expected transition)
    state = {q: 0 for q in probes}
    errors = 0
    end = time.monotonic() + a.duration
    i = 0
    next_t = time.monotonic()
    while time.monotonic() < end:
        q = probes[i % len(probes)]
        i += 1
        v = 1 - state[q]
        st, body, t0, t1, cms = upload(q, v)
        if st != 200 or json.loads(body).get("accepted") != 1:
            errors += 1
        else:
            state[q] = v
            sent.append((t0, t1, q, "raised" if v == 1 else "cleared", cms))
        next_t += a.interval
        time.sleep(max(0.0, next_t - time.monotonic()))
    time.sleep(5.0)

    with stream.lock:
        events = list(stream.events)
    # An event belongs to the upload whose reading it was raised or cleared by: same point,
    # same collect time ("at"), same transition.
    seen = {}
    for t, q, tr, at in events:
        seen.setdefault((q, at, tr), t)
    ack_ms, send_ms, missing = [], [], 0
    for t0, t1, q, tr, cms in sent:
        te = seen.get((q, cms, tr))
        if te is None:
            missing += 1
            continue
        ack_ms.append((te - t1) * 1000)
        send_ms.append((te - t0) * 1000)
    mismatched = len(events) - len(ack_ms)  # events of probe points that match no upload
    r3 = lambda x: None if x is None else round(x, 1)
    print(json.dumps({
        "probes": len(probes), "changes_sent": len(sent), "events_matched": len(ack_ms), "missing": missing,
        "unmatched_events": mismatched, "upload_errors": errors,
        "ack_to_event_ms": {"p50": r3(pct(ack_ms, 0.5)), "p99": r3(pct(ack_ms, 0.99)), "max": r3(max(ack_ms, default=None))},
        "send_to_event_ms": {"p50": r3(pct(send_ms, 0.5)), "p99": r3(pct(send_ms, 0.99)), "max": r3(max(send_ms, default=None))},
    }))
    return 0 if missing == 0 and errors == 0 and ack_ms else 1


if __name__ == "__main__":
    sys.exit(main())
