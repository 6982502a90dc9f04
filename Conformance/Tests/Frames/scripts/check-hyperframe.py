#!/usr/bin/python3
"""Reads vectors/frames.json and vectors/frames-invalid.json with hyperframe
(python-hyper's frame codec, Debian python3-hyperframe), an implementation
independent of ours, and prints one line per vector where it disagrees:

    DISAGREE <id>: <what differs>

then a summary line `hyperframe <version>: N valid agree, M invalid rejected,
K disagreements, S skipped`. Exit status 0 (the caller decides which
disagreements are known). Skipped: vectors about SETTINGS_MAX_FRAME_SIZE,
which hyperframe does not know.
    /usr/bin/python3 Conformance/Tests/Frames/scripts/check-hyperframe.py [REPO_ROOT]
"""
import json, os, sys
import hyperframe
from hyperframe.frame import Frame, ExtensionFrame
from hyperframe.exceptions import HyperframeError

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "..", "..")


def parse(wire):
    frame, length = Frame.parse_frame_header(memoryview(wire[:9]))
    frame.parse_body(memoryview(wire[9:9 + length]))
    return frame


def observed(frame, expected):
    """The vector's decoded fields as hyperframe sees them (only those it exposes)."""
    t = expected["type"]
    got = {"stream_id": frame.stream_id}
    if isinstance(frame, ExtensionFrame):
        got.update(type_code=frame.type, flags=frame.flag_byte, payload=bytes(frame.body).hex())
        return got
    flags = frame.flags
    pad = getattr(frame, "pad_length", 0) if "PADDED" in flags else None
    if t == "DATA":
        got.update(end_stream="END_STREAM" in flags, padded="PADDED" in flags, pad_length=pad, data=bytes(frame.data).hex())
    elif t in ("HEADERS", "PRIORITY"):
        has_priority = t == "PRIORITY" or "PRIORITY" in flags
        priority = {"exclusive": bool(frame.exclusive), "stream_dependency": frame.depends_on,
                    "weight_octet": frame.stream_weight} if has_priority else None
        got.update(priority=priority)
        if t == "HEADERS":
            got.update(end_stream="END_STREAM" in flags, end_headers="END_HEADERS" in flags, padded="PADDED" in flags,
                       pad_length=pad, fragment=bytes(frame.data).hex())
    elif t == "RST_STREAM":
        got.update(error_code=frame.error_code)
    elif t == "SETTINGS":
        got.update(ack="ACK" in flags, settings=dict(frame.settings))
    elif t == "PUSH_PROMISE":
        got.update(end_headers="END_HEADERS" in flags, padded="PADDED" in flags, pad_length=pad,
                   promised_stream_id=frame.promised_stream_id, fragment=bytes(frame.data).hex())
    elif t == "PING":
        got.update(ack="ACK" in flags, opaque_data=bytes(frame.opaque_data).hex())
    elif t == "GOAWAY":
        got.update(last_stream_id=frame.last_stream_id, error_code=frame.error_code,
                   debug_data=bytes(frame.additional_data).hex())
    elif t == "WINDOW_UPDATE":
        got.update(window_size_increment=frame.window_increment)
    elif t == "CONTINUATION":
        got.update(end_headers="END_HEADERS" in flags, fragment=bytes(frame.data).hex())
    return got


def load(name):
    with open(os.path.join(root, "vectors", name)) as f:
        return json.load(f)["vectors"]


agree = rejected = skipped = 0
disagreements = []
for v in load("frames.json"):
    expected = v["frame"]
    try:
        got = observed(parse(bytes.fromhex(v["wire"])), expected)
    except HyperframeError as e:
        disagreements.append((v["id"], f"valid vector rejected: {type(e).__name__}: {e}"))
        continue
    want = {k: expected[k] for k in got}
    if "settings" in want:  # hyperframe keeps a dict: the last value of each id wins
        want["settings"] = {s["id"]: s["value"] for s in expected["settings"]}
    if got == want:
        agree += 1
    else:
        diff = {k: (want[k], got[k]) for k in got if got[k] != want[k]}
        disagreements.append((v["id"], f"fields differ (vector, hyperframe): {diff}"))

for v in load("frames-invalid.json"):
    if v["section"] == "RFC 9113 §4.2" and v["error"]["name"] == "FRAME_SIZE_ERROR" and "oversize" in v["id"]:
        skipped += 1
        continue
    try:
        parse(bytes.fromhex(v["wire"]))
        disagreements.append((v["id"], "invalid vector accepted"))
    except HyperframeError:
        rejected += 1

for id_, detail in disagreements:
    print(f"DISAGREE {id_}: {detail}")
print(f"hyperframe {hyperframe.__version__}: {agree} valid agree, {rejected} invalid rejected, "
      f"{len(disagreements)} disagreements, {skipped} skipped")
