#!/usr/bin/env python3
"""RFC 9110 semantics of a server, as python-h2 (an independent HTTP/2 stack) sees them.

Usage: h2_semantics.py HOST PORT  -- the server runs the SemanticsHandler routes over h2c.
Prints one JSON object: feature -> "ok" or what went wrong. Every wait is bounded.
"""
import json
import socket
import sys
import time

import h2.config
import h2.connection
import h2.events

HOST, PORT = sys.argv[1], int(sys.argv[2])
BOUND = 10.0


class Client:
    def __init__(self):
        self.sock = socket.create_connection((HOST, PORT), timeout=BOUND)
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()  # SETTINGS_ENABLE_PUSH stays 1: python-h2 accepts pushes
        self.flush()

    def flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def events(self, until, bound=BOUND):
        """Reads events until until(event) is true; returns all of them."""
        seen = []
        deadline = time.monotonic() + bound
        while time.monotonic() < deadline:
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                break
            if not data:
                break
            for e in self.conn.receive_data(data):
                seen.append(e)
                if isinstance(e, h2.events.DataReceived):
                    self.conn.acknowledge_received_data(e.flow_controlled_length, e.stream_id)
                if until(e):
                    self.flush()
                    return seen
            self.flush()
        return seen

    def request(self, method, path, end_stream=True, extra=()):
        sid = self.conn.get_next_available_stream_id()
        self.conn.send_headers(sid, [(":method", method), (":scheme", "http"), (":path", path), (":authority", f"{HOST}:{PORT}"), *extra],
                               end_stream=end_stream)
        self.flush()
        return sid

    def close(self):
        self.sock.close()


def ended(sid):
    return lambda e: isinstance(e, (h2.events.StreamEnded, h2.events.StreamReset)) and e.stream_id == sid


def no_content(method, path, status, want_length):
    c = Client()
    try:
        sid = c.request(method, path)
        evs = c.events(ended(sid))
        if any(isinstance(e, h2.events.StreamReset) for e in evs):
            return "reset", None
        resp = [e for e in evs if isinstance(e, h2.events.ResponseReceived) and e.stream_id == sid]
        if not resp:
            return "no response", None
        headers = dict(resp[0].headers)
        if headers.get(":status") != status:
            return f"status {headers.get(':status')}", headers
        if any(isinstance(e, h2.events.DataReceived) and e.stream_id == sid and e.data for e in evs):
            return "content received", headers
        if headers.get("content-length") != want_length:
            return f"content-length {headers.get('content-length')}", headers
        if not any(isinstance(e, h2.events.StreamEnded) for e in evs):
            return "not ended", headers
        return "ok", headers
    finally:
        c.close()


def expect_continue():
    c = Client()
    try:
        sid = c.request("POST", "/upload", end_stream=False, extra=[("expect", "100-continue"), ("content-length", "60000")])
        evs = c.events(lambda e: isinstance(e, (h2.events.InformationalResponseReceived, h2.events.ResponseReceived, h2.events.StreamReset)))
        info = [e for e in evs if isinstance(e, h2.events.InformationalResponseReceived)]
        if not info or dict(info[0].headers).get(":status") != "100":
            return "no 100 before the body", "no"
        # The body, then request trailers (RFC 9113 §8.1): the handler answers with what it read.
        for offset in range(0, 60000, 15000):  # within the 65,535 stream window, frames under 16,384
            c.conn.send_data(sid, b"\0" * 15000)
        c.conn.send_headers(sid, [("x-checksum", "42")], end_stream=True)
        c.flush()
        evs = c.events(ended(sid))
        body = b"".join(e.data for e in evs if isinstance(e, h2.events.DataReceived) and e.stream_id == sid)
        return "ok", ("ok" if body == b"60000 x-checksum=42\n" else f"body {body!r}")
    finally:
        c.close()


def early_hints():
    c = Client()
    try:
        sid = c.request("GET", "/early-hints")
        evs = c.events(ended(sid))
        info = [dict(e.headers) for e in evs if isinstance(e, h2.events.InformationalResponseReceived)]
        final = [dict(e.headers) for e in evs if isinstance(e, h2.events.ResponseReceived)]
        if not info or info[0].get(":status") != "103" or "rel=preload" not in info[0].get("link", ""):
            return f"no 103 with link: {info}"
        if not final or final[0].get(":status") != "200":
            return "no final 200"
        return "ok"
    finally:
        c.close()


def push():
    c = Client()
    try:
        sid = c.request("GET", "/seed-push")
        evs = c.events(ended(2))
        pushed = [e for e in evs if isinstance(e, h2.events.PushedStreamReceived)]
        if not pushed or dict(pushed[0].headers).get(":path") != "/css/style.css":
            return "no PUSH_PROMISE for /css/style.css"
        body = b"".join(e.data for e in evs if isinstance(e, h2.events.DataReceived) and e.stream_id == pushed[0].pushed_stream_id)
        if body != b"body{margin:0;}":
            return f"pushed body {body!r}"
        if any(isinstance(e, h2.events.StreamReset) for e in evs):
            return "reset"
        return "ok"
    finally:
        c.close()


results = {}
head, head_headers = no_content("HEAD", "/generic", "200", "5")
results["HEAD"] = head
results["204"] = no_content("GET", "/generic?status=204", "204", None)[0]
results["304"] = no_content("GET", "/generic?status=304", "304", "5")[0]
results["100-continue"], results["request trailers"] = expect_continue()
results["103"] = early_hints()
results["push"] = push()
date = (head_headers or {}).get("date", "")
results["date"] = "ok" if date.endswith(" GMT") and len(date) == 29 else f"date {date!r}"
print(json.dumps(results))
