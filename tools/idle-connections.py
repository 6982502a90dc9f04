#!/usr/bin/env python3
"""Holds N idle HTTP/2 cleartext connections to a server, for its RSS per connection.

usage: idle-connections.py PORT N READY_FILE

Opens N connections to 127.0.0.1:PORT with prior knowledge (RFC 9113 §3.3),
each sending the connection preface and an empty SETTINGS frame, reading the
server's SETTINGS (§3.4) and acknowledging it (§6.5.3), so that every
connection is set up as a client's would be and then left idle. Writes the
number of connections set up to READY_FILE, then holds them until it is
killed (or 10 minutes pass).
"""
import select
import socket
import sys
import time

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"  # empty SETTINGS, stream 0
ACK = b"\x00\x00\x00\x04\x01\x00\x00\x00\x00"  # SETTINGS with ACK


def settings_seen(buffer):
    """True once a SETTINGS frame without ACK has been read (frames in order, §4.1)."""
    at = 0
    while len(buffer) - at >= 9:
        length = int.from_bytes(buffer[at:at + 3], "big")
        kind, flags = buffer[at + 3], buffer[at + 4]
        if kind == 4 and not flags & 1:
            return True
        at += 9 + length
    return False


def main():
    port, count, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    held = []
    deadline = time.monotonic() + 60
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        s.sendall(PREFACE + SETTINGS)
        buffer = b""
        while not settings_seen(buffer) and time.monotonic() < deadline:
            readable, _, _ = select.select([s], [], [], 5)
            if not readable:
                break
            chunk = s.recv(65536)
            if not chunk:
                break
            buffer += chunk
        if not settings_seen(buffer):
            print(f"idle-connections: connection {len(held) + 1} got no SETTINGS", file=sys.stderr)
            sys.exit(1)
        s.sendall(ACK)
        held.append(s)
    with open(ready, "w") as f:
        f.write(f"{len(held)}\n")
    time.sleep(600)


if __name__ == "__main__":
    main()
