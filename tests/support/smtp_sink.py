#!/usr/bin/python3
"""A real SMTP server for the notification tests (aiosmtpd, Debian python3-aiosmtpd).

Every message received is written to DIR as N.eml (the bytes as received) and N.json: the
envelope plus the headers and body as Python's email package decodes them (RFC 2047 words,
charset, transfer encoding) and any defects it found, so the C++ tests check what a real mail
client would show. Runs until SIGTERM or SIGINT.

usage: smtp_sink.py --port PORT --dir DIR
"""
import argparse
import email
import email.policy
import itertools
import json
import os
import signal
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        defects = [type(d).__name__ for d in msg.defects]
        for name in ("subject", "from", "to"):
            header = msg[name]
            if header is not None:
                defects += [type(d).__name__ for d in header.defects]
        body = msg.get_body(preferencelist=("plain",))
        doc = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "date": str(msg["date"]),
            "message_id": str(msg["message-id"]),
            "content_type": msg.get_content_type(),
            "charset": body.get_content_charset() if body is not None else None,
            "transfer_encoding": str(msg["content-transfer-encoding"]),
            "body": body.get_content() if body is not None else None,
            "max_line": max(len(line) for line in raw.split(b"\r\n")),
            "defects": defects,
            "attachments": [
                {"filename": part.get_filename(), "content_type": part.get_content_type(),
                 "size": len(part.get_payload(decode=True) or b"")}
                for part in msg.iter_attachments()
            ] if msg.is_multipart() else [],
        }
        with self.lock:
            n = next(self.counter)
        base = os.path.join(self.directory, "%04d" % n)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(raw)
        os.rename(base + ".eml.tmp", base + ".eml")
        with open(base + ".json.tmp", "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")  # readers see whole files only
        return "250 OK stored"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--dir", required=True)
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    controller = Controller(Sink(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
