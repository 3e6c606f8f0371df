#!/usr/bin/python3
"""An HTTP endpoint standing in for an SMS gateway's API in tests of notify::HttpSmsGateway.

Each POST is written to DIR as N.json: {"path", "headers" (lower-case names), "body" (parsed
JSON)}. The reply depends on a file in DIR named "mode" (absent: "ok"): ok → 200, reject → 400,
busy → 503, slow → 200 after 5 s (for client timeouts). Runs until SIGTERM or SIGINT.

usage: sms_sink.py --port PORT --dir DIR
"""
import argparse
import http.server
import itertools
import json
import os
import signal
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    counter = itertools.count(1)
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            try:
                mode = open(os.path.join(args.dir, "mode")).read().strip()
            except OSError:
                mode = "ok"
            with lock:
                n = next(counter)
            doc = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                   "body": json.loads(raw.decode("utf-8"))}
            base = os.path.join(args.dir, "%04d" % n)
            with open(base + ".tmp", "w", encoding="utf-8") as f:
                json.dump(doc, f, ensure_ascii=False)
            os.rename(base + ".tmp", base + ".json")
            if mode == "slow":
                time.sleep(5)
            status = {"ok": 200, "reject": 400, "busy": 503, "slow": 200}.get(mode, 200)
            answer = json.dumps({"code": status, "message": mode}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.shutdown()


if __name__ == "__main__":
    main()
