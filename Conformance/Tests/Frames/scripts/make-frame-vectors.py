#!/usr/bin/python3
"""Writes vectors/frames.json and vectors/frames-invalid.json.

Every wire is assembled here from first principles (RFC 9113 §4.1 header,
§6 payload layouts) with struct.pack, not produced by the writer under test;
the decoded fields are written from the same inputs. Run from anywhere:
    /usr/bin/python3 Conformance/Tests/Frames/scripts/make-frame-vectors.py
"""
import json, os, struct

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
TYPES = ["DATA", "HEADERS", "PRIORITY", "RST_STREAM", "SETTINGS", "PUSH_PROMISE",
         "PING", "GOAWAY", "WINDOW_UPDATE", "CONTINUATION"]
ERRORS = ["NO_ERROR", "PROTOCOL_ERROR", "INTERNAL_ERROR", "FLOW_CONTROL_ERROR", "SETTINGS_TIMEOUT",
          "STREAM_CLOSED", "FRAME_SIZE_ERROR", "REFUSED_STREAM", "CANCEL", "COMPRESSION_ERROR",
          "CONNECT_ERROR", "ENHANCE_YOUR_CALM", "INADEQUATE_SECURITY", "HTTP_1_1_REQUIRED"]
SETTINGS = {1: "SETTINGS_HEADER_TABLE_SIZE", 2: "SETTINGS_ENABLE_PUSH", 3: "SETTINGS_MAX_CONCURRENT_STREAMS",
            4: "SETTINGS_INITIAL_WINDOW_SIZE", 5: "SETTINGS_MAX_FRAME_SIZE", 6: "SETTINGS_MAX_HEADER_LIST_SIZE"}
END_STREAM, ACK, END_HEADERS, PADDED, PRIORITY = 0x1, 0x1, 0x4, 0x8, 0x20


def header(length, type_, flags, stream_word):
    # Length (24), Type (8), Flags (8), Reserved (1) + Stream Identifier (31)
    return struct.pack(">I", length)[1:] + bytes([type_, flags]) + struct.pack(">I", stream_word)


def frame(type_, flags, stream_word, payload):
    return header(len(payload), type_, flags, stream_word) + payload


def padded(pad, body, pad_octet=0):
    return bytes([pad]) + body + bytes([pad_octet]) * pad


def error_name(code):
    return ERRORS[code] if code < len(ERRORS) else "UNKNOWN"


def prio(exclusive, dep, weight_octet):
    return {"exclusive": exclusive, "stream_dependency": dep, "weight_octet": weight_octet}


def prio_bytes(p):
    return struct.pack(">IB", p["stream_dependency"] | (0x80000000 if p["exclusive"] else 0), p["weight_octet"])


valid = []


def add(id_, description, section, wire, fields, canonical=True):
    length, type_, flags = int.from_bytes(wire[0:3], "big"), wire[3], wire[4]
    stream_id = int.from_bytes(wire[5:9], "big") & 0x7FFFFFFF
    frame_fields = {"type": TYPES[type_] if type_ < len(TYPES) else "UNKNOWN", "type_code": type_,
                    "flags": flags, "stream_id": stream_id, "length": length}
    frame_fields.update(fields)
    valid.append({"id": id_, "description": description, "section": section, "wire": wire.hex(),
                  "canonical": canonical, "frame": frame_fields})


def data(id_, description, stream, body, end_stream=False, pad=None, extra_flags=0, stream_bits=0, pad_octet=0):
    flags = (END_STREAM if end_stream else 0) | (PADDED if pad is not None else 0) | extra_flags
    payload = padded(pad, body, pad_octet) if pad is not None else body
    add(id_, description, "RFC 9113 §6.1", frame(0, flags, stream | stream_bits, payload),
        {"end_stream": end_stream, "padded": pad is not None, "pad_length": pad, "data": body.hex()},
        canonical=extra_flags == 0 and stream_bits == 0 and pad_octet == 0)


def headers(id_, description, stream, fragment, end_stream=False, end_headers=True, priority=None, pad=None):
    flags = ((END_STREAM if end_stream else 0) | (END_HEADERS if end_headers else 0)
             | (PADDED if pad is not None else 0) | (PRIORITY if priority else 0))
    body = (prio_bytes(priority) if priority else b"") + fragment
    payload = padded(pad, body) if pad is not None else body
    add(id_, description, "RFC 9113 §6.2", frame(1, flags, stream, payload),
        {"end_stream": end_stream, "end_headers": end_headers, "padded": pad is not None, "pad_length": pad,
         "priority": priority, "fragment": fragment.hex()})


def settings(id_, description, pairs, ack=False, extra_flags=0):
    payload = b"".join(struct.pack(">HI", i, v) for i, v in pairs)
    add(id_, description, "RFC 9113 §6.5", frame(4, (ACK if ack else 0) | extra_flags, 0, payload),
        {"ack": ack, "settings": [{"id": i, "name": SETTINGS.get(i, "UNKNOWN"), "value": v} for i, v in pairs]},
        canonical=extra_flags == 0)


# A request field block (RFC 7541 C.3.1): :method GET, :scheme http, :path /, :authority www.example.com
REQUEST = bytes.fromhex("828684410f7777772e6578616d706c652e636f6d")

data("data-plain", "DATA with 5 octets", 1, b"hello")
data("data-end-stream-empty", "empty DATA with END_STREAM: how a stream is ended without data", 3, b"", end_stream=True)
data("data-padded", "DATA with PADDED, Pad Length 4, and END_STREAM", 1, b"hello", end_stream=True, pad=4)
data("data-padded-zero", "DATA with PADDED and Pad Length 0: one octet larger (§6.1 note)", 1, b"hi", pad=0)
data("data-padding-only", "DATA whose padding fills the payload after the Pad Length octet: empty data", 1, b"", pad=7)
data("data-unused-flags", "DATA with every unused flag set (0xf6): ignored on receipt (§4.1)", 1, b"x", extra_flags=0xF6)
data("data-reserved-bit", "DATA with the reserved bit set: ignored on receipt (§4.1)", 5, b"x", stream_bits=0x80000000)
data("data-nonzero-padding", "DATA with non-zero padding octets: a receiver is not obligated to verify padding (§6.1)", 1, b"x", pad=2, pad_octet=0xFF)
data("data-max-stream-id", "DATA on stream 2^31-1", 0x7FFFFFFF, b"x")

headers("headers-request", "HEADERS with END_STREAM and END_HEADERS: a GET request", 1, REQUEST, end_stream=True)
headers("headers-not-end-headers", "HEADERS without END_HEADERS: CONTINUATION follows", 3, REQUEST[:4])
headers("headers-priority", "HEADERS with PRIORITY: exclusive, on stream 11, weight 256", 13, REQUEST, end_stream=True,
        priority=prio(True, 11, 255))
headers("headers-padded-priority", "HEADERS with PADDED and PRIORITY", 5, REQUEST, priority=prio(False, 3, 15), pad=3)
headers("headers-empty-fragment", "HEADERS with an empty fragment and END_HEADERS (an empty field block is valid framing)", 7, b"")

add("priority-default", "PRIORITY: depends on stream 0, weight 16 (octet 15)", "RFC 9113 §6.3",
    frame(2, 0, 3, prio_bytes(prio(False, 0, 15))), {"priority": prio(False, 0, 15)})
add("priority-exclusive", "PRIORITY with the E bit, on stream 7, weight 1", "RFC 9113 §6.3",
    frame(2, 0, 9, prio_bytes(prio(True, 7, 0))), {"priority": prio(True, 7, 0)})
add("priority-self", "PRIORITY depending on its own stream: valid framing; the connection answers a stream PROTOCOL_ERROR (§5.3.1)",
    "RFC 9113 §6.3", frame(2, 0, 5, prio_bytes(prio(False, 5, 15))), {"priority": prio(False, 5, 15)})
add("priority-idle-unused-flags", "PRIORITY with all flags set (PRIORITY defines none)", "RFC 9113 §6.3",
    frame(2, 0xFF, 101, prio_bytes(prio(False, 0, 200))), {"priority": prio(False, 0, 200)}, canonical=False)

for code, name in [(8, "CANCEL"), (1, "PROTOCOL_ERROR"), (0xDEADBEEF, "unknown")]:
    add(f"rst-stream-{name.lower().replace('_', '-')}", f"RST_STREAM with {name} (0x{code:x})", "RFC 9113 §6.4, §7",
        frame(3, 0, 1, struct.pack(">I", code)), {"error_code": code, "error_name": error_name(code)})

settings("settings-empty", "an empty SETTINGS frame (all defaults)", [])
settings("settings-ack", "SETTINGS acknowledgement", [], ack=True)
settings("settings-all", "every setting RFC 9113 defines, in order",
         [(1, 4096), (2, 0), (3, 100), (4, 65535), (5, 16384), (6, 8192)])
settings("settings-nghttp", "nghttp's first SETTINGS", [(3, 100), (4, 65535)])
settings("settings-unknown-and-repeated", "an unknown identifier (0xabcd) and a repeated one: kept in order (§6.5.2, §6.5.3)",
         [(0xABCD, 0xFFFFFFFF), (3, 1), (3, 2)])
settings("settings-extremes", "the largest legal values: INITIAL_WINDOW_SIZE 2^31-1, MAX_FRAME_SIZE 2^24-1",
         [(4, 0x7FFFFFFF), (5, 0xFFFFFF)])
settings("settings-invalid-values", "values the connection rejects (ENABLE_PUSH 2, MAX_FRAME_SIZE 0): valid framing; validation is §6.5.2's",
         [(2, 2), (5, 0)])
settings("settings-unused-flags", "SETTINGS with unused flags 0xfe set: not an ACK", [(3, 10)], extra_flags=0xFE)

add("push-promise", "PUSH_PROMISE on stream 1 promising stream 2, END_HEADERS", "RFC 9113 §6.6",
    frame(5, END_HEADERS, 1, struct.pack(">I", 2) + REQUEST),
    {"end_headers": True, "padded": False, "pad_length": None, "promised_stream_id": 2, "fragment": REQUEST.hex()})
add("push-promise-padded", "PUSH_PROMISE with PADDED, without END_HEADERS", "RFC 9113 §6.6",
    frame(5, PADDED, 3, padded(2, struct.pack(">I", 4) + REQUEST[:3])),
    {"end_headers": False, "padded": True, "pad_length": 2, "promised_stream_id": 4, "fragment": REQUEST[:3].hex()})
add("push-promise-reserved-bit", "PUSH_PROMISE whose Promised Stream ID has the reserved bit set: ignored", "RFC 9113 §6.6, §4.1",
    frame(5, END_HEADERS, 1, struct.pack(">I", 0x80000006) + b"\x82"),
    {"end_headers": True, "padded": False, "pad_length": None, "promised_stream_id": 6, "fragment": "82"}, canonical=False)

add("ping", "PING", "RFC 9113 §6.7", frame(6, 0, 0, bytes(range(1, 9))), {"ack": False, "opaque_data": bytes(range(1, 9)).hex()})
add("ping-ack", "PING with ACK", "RFC 9113 §6.7", frame(6, ACK, 0, b"\xff" * 8), {"ack": True, "opaque_data": "ff" * 8})

add("goaway", "GOAWAY NO_ERROR, last stream 0", "RFC 9113 §6.8", frame(7, 0, 0, struct.pack(">II", 0, 0)),
    {"last_stream_id": 0, "error_code": 0, "error_name": "NO_ERROR", "debug_data": ""})
add("goaway-debug", "GOAWAY PROTOCOL_ERROR with debug data", "RFC 9113 §6.8",
    frame(7, 0, 0, struct.pack(">II", 5, 1) + b"bad frame"),
    {"last_stream_id": 5, "error_code": 1, "error_name": "PROTOCOL_ERROR", "debug_data": b"bad frame".hex()})
add("goaway-unknown-code", "GOAWAY with an unknown error code: survives, no special behaviour (§7)", "RFC 9113 §6.8, §7",
    frame(7, 0, 0, struct.pack(">II", 0x7FFFFFFF, 0xFF)),
    {"last_stream_id": 0x7FFFFFFF, "error_code": 0xFF, "error_name": "UNKNOWN", "debug_data": ""})
add("goaway-reserved-bit", "GOAWAY whose Last-Stream-ID has the reserved bit set: ignored", "RFC 9113 §6.8, §4.1",
    frame(7, 0, 0, struct.pack(">II", 0x80000003, 0)),
    {"last_stream_id": 3, "error_code": 0, "error_name": "NO_ERROR", "debug_data": ""}, canonical=False)

for id_, description, stream, word, canonical in [
        ("window-update-connection", "WINDOW_UPDATE of the connection window by 65535", 0, 65535, True),
        ("window-update-stream", "WINDOW_UPDATE of stream 1 by 1", 1, 1, True),
        ("window-update-max", "WINDOW_UPDATE by 2^31-1", 3, 0x7FFFFFFF, True),
        ("window-update-zero", "WINDOW_UPDATE by 0: valid framing; the connection answers PROTOCOL_ERROR of the stream's or the connection's scope (§6.9)", 1, 0, True),
        ("window-update-reserved-bit", "WINDOW_UPDATE with the reserved bit of the increment set: ignored", 0, 0x80000001, False)]:
    add(id_, description, "RFC 9113 §6.9", frame(8, 0, stream, struct.pack(">I", word)),
        {"window_size_increment": word & 0x7FFFFFFF}, canonical=canonical)

add("continuation", "CONTINUATION with END_HEADERS", "RFC 9113 §6.10", frame(9, END_HEADERS, 3, REQUEST[4:]),
    {"end_headers": True, "fragment": REQUEST[4:].hex()})
add("continuation-not-end", "CONTINUATION without END_HEADERS", "RFC 9113 §6.10", frame(9, 0, 3, b"\x41"),
    {"end_headers": False, "fragment": "41"})
add("continuation-empty", "an empty CONTINUATION", "RFC 9113 §6.10", frame(9, END_HEADERS, 3, b""),
    {"end_headers": True, "fragment": ""})

add("unknown-priority-update", "PRIORITY_UPDATE (0x10, RFC 9218): a type unknown to an RFC 9113 codec, kept opaque (§4.1, §5.5)",
    "RFC 9113 §4.1, §5.5", frame(0x10, 0, 0, struct.pack(">I", 1) + b"u=1"), {"payload": (struct.pack(">I", 1) + b"u=1").hex()})
add("unknown-type-ff", "type 0xff with every flag on stream 7", "RFC 9113 §4.1, §5.5", frame(0xFF, 0xFF, 7, b"\x00\x01"),
    {"payload": "0001"})

invalid = []


def bad(id_, description, section, wire, code, scope, requirement, max_frame_size=16384, header_only=False):
    invalid.append({"id": id_, "description": description, "section": section, "wire": wire.hex(),
                    "max_frame_size": max_frame_size, "header_only": header_only,
                    "error": {"code": code, "name": ERRORS[code], "scope": scope}, "requirement": requirement})


PROTOCOL, FRAME_SIZE = 1, 6
SIZE = "An endpoint MUST send an error code of FRAME_SIZE_ERROR if a frame exceeds the size defined in SETTINGS_MAX_FRAME_SIZE"
bad("oversize-data", "DATA of 16385 octets at the default SETTINGS_MAX_FRAME_SIZE (header only: decidable before the payload)",
    "RFC 9113 §4.2", header(16385, 0, 0, 1), FRAME_SIZE, "connection", SIZE, header_only=True)
bad("oversize-headers", "HEADERS of 2^24-1 octets at SETTINGS_MAX_FRAME_SIZE 16384 (header only)",
    "RFC 9113 §4.2", header(0xFFFFFF, 1, END_HEADERS, 1), FRAME_SIZE, "connection", SIZE, header_only=True)
bad("oversize-settings-small-max", "SETTINGS of 18 octets when SETTINGS_MAX_FRAME_SIZE is 12 (a test setting; real ones are >= 16384)",
    "RFC 9113 §4.2", frame(4, 0, 0, struct.pack(">HIHIHI", 1, 0, 2, 0, 3, 0)), FRAME_SIZE, "connection", SIZE, max_frame_size=12)

ZERO = "MUST respond with a connection error (Section 5.4.1) of type PROTOCOL_ERROR"
bad("data-stream-0", "DATA on stream 0", "RFC 9113 §6.1", frame(0, 0, 0, b"x"), PROTOCOL, "connection",
    "If a DATA frame is received whose Stream Identifier field is 0x00, the recipient " + ZERO)
PAD = ("If the length of the padding is the length of the frame payload or greater, the recipient MUST treat this as a "
       "connection error (Section 5.4.1) of type PROTOCOL_ERROR.")
bad("data-pad-equals-payload", "DATA with Pad Length equal to the payload length", "RFC 9113 §6.1",
    frame(0, PADDED, 1, b"\x04" + b"\x00" * 3), PROTOCOL, "connection", PAD)
bad("data-pad-exceeds-payload", "DATA with Pad Length 255 in a 2-octet payload", "RFC 9113 §6.1",
    frame(0, PADDED, 1, b"\xff\x00"), PROTOCOL, "connection", PAD)
bad("headers-stream-0", "HEADERS on stream 0", "RFC 9113 §6.2", frame(1, END_HEADERS, 0, b"\x82"), PROTOCOL, "connection",
    "If a HEADERS frame is received whose Stream Identifier field is 0x00, the recipient " + ZERO)
bad("headers-pad-exceeds-payload", "HEADERS with Pad Length 5 in a 3-octet payload", "RFC 9113 §6.2",
    frame(1, PADDED | END_HEADERS, 1, b"\x05\x82\x84"), PROTOCOL, "connection", PAD)
bad("headers-priority-too-short", "HEADERS with PRIORITY and a 4-octet payload: no room for the priority fields",
    "RFC 9113 §4.2", frame(1, PRIORITY | END_HEADERS, 1, b"\x00\x00\x00\x03"), FRAME_SIZE, "connection",
    "A frame size error in a frame that could alter the state of the entire connection MUST be treated as a connection "
    "error (Section 5.4.1); this includes any frame carrying a field block")
bad("priority-stream-0", "PRIORITY on stream 0", "RFC 9113 §6.3", frame(2, 0, 0, prio_bytes(prio(False, 1, 15))),
    PROTOCOL, "connection", "If a PRIORITY frame is received with a stream identifier of 0x00, the recipient " + ZERO)
PLEN = "A PRIORITY frame with a length other than 5 octets MUST be treated as a stream error (Section 5.4.2) of type FRAME_SIZE_ERROR."
bad("priority-length-4", "PRIORITY of 4 octets", "RFC 9113 §6.3", frame(2, 0, 1, b"\x00\x00\x00\x03"), FRAME_SIZE, "stream", PLEN)
bad("priority-length-6", "PRIORITY of 6 octets", "RFC 9113 §6.3", frame(2, 0, 1, b"\x00\x00\x00\x03\x0f\x00"), FRAME_SIZE, "stream", PLEN)
bad("rst-stream-stream-0", "RST_STREAM on stream 0", "RFC 9113 §6.4", frame(3, 0, 0, struct.pack(">I", 8)), PROTOCOL,
    "connection", "If a RST_STREAM frame is received with a stream identifier of 0x00, the recipient MUST treat this as a "
                  "connection error (Section 5.4.1) of type PROTOCOL_ERROR.")
RLEN = "A RST_STREAM frame with a length other than 4 octets MUST be treated as a connection error (Section 5.4.1) of type FRAME_SIZE_ERROR."
bad("rst-stream-length-3", "RST_STREAM of 3 octets", "RFC 9113 §6.4", frame(3, 0, 1, b"\x00\x00\x08"), FRAME_SIZE, "connection", RLEN)
bad("rst-stream-length-5", "RST_STREAM of 5 octets", "RFC 9113 §6.4", frame(3, 0, 1, b"\x00\x00\x00\x08\x00"), FRAME_SIZE, "connection", RLEN)
bad("settings-stream-1", "SETTINGS on stream 1", "RFC 9113 §6.5", frame(4, 0, 1, b""), PROTOCOL, "connection",
    "If an endpoint receives a SETTINGS frame whose Stream Identifier field is anything other than 0x00, the endpoint "
    "MUST respond with a connection error (Section 5.4.1) of type PROTOCOL_ERROR.")
bad("settings-ack-with-payload", "SETTINGS ACK with one setting", "RFC 9113 §6.5", frame(4, ACK, 0, struct.pack(">HI", 3, 100)),
    FRAME_SIZE, "connection", "Receipt of a SETTINGS frame with the ACK flag set and a length field value other than 0 MUST be "
                              "treated as a connection error (Section 5.4.1) of type FRAME_SIZE_ERROR.")
SLEN = ("A SETTINGS frame with a length other than a multiple of 6 octets MUST be treated as a connection error "
        "(Section 5.4.1) of type FRAME_SIZE_ERROR.")
bad("settings-length-5", "SETTINGS of 5 octets", "RFC 9113 §6.5", frame(4, 0, 0, b"\x00\x03\x00\x00\x00"), FRAME_SIZE, "connection", SLEN)
bad("settings-length-7", "SETTINGS of 7 octets", "RFC 9113 §6.5", frame(4, 0, 0, struct.pack(">HI", 3, 100) + b"\x00"),
    FRAME_SIZE, "connection", SLEN)
bad("push-promise-stream-0", "PUSH_PROMISE on stream 0", "RFC 9113 §6.6", frame(5, END_HEADERS, 0, struct.pack(">I", 2) + b"\x82"),
    PROTOCOL, "connection", "If the Stream Identifier field specifies the value 0x00, a recipient " + ZERO)
bad("push-promise-pad-exceeds-payload", "PUSH_PROMISE with Pad Length 9 in a 6-octet payload", "RFC 9113 §6.6",
    frame(5, PADDED | END_HEADERS, 1, b"\x09" + struct.pack(">I", 2) + b"\x82"), PROTOCOL, "connection", PAD)
bad("push-promise-too-short", "PUSH_PROMISE of 3 octets: no room for the Promised Stream ID", "RFC 9113 §4.2",
    frame(5, END_HEADERS, 1, b"\x00\x00\x02"), FRAME_SIZE, "connection",
    "An endpoint MUST send an error code of FRAME_SIZE_ERROR if a frame ... is too small to contain mandatory frame data. "
    "... this includes any frame carrying a field block")
bad("ping-stream-1", "PING on stream 1", "RFC 9113 §6.7", frame(6, 0, 1, bytes(8)), PROTOCOL, "connection",
    "If a PING frame is received with a Stream Identifier field value other than 0x00, the recipient " + ZERO)
PLEN8 = "Receipt of a PING frame with a length field value other than 8 MUST be treated as a connection error (Section 5.4.1) of type FRAME_SIZE_ERROR."
bad("ping-length-7", "PING of 7 octets", "RFC 9113 §6.7", frame(6, 0, 0, bytes(7)), FRAME_SIZE, "connection", PLEN8)
bad("ping-length-9", "PING ACK of 9 octets", "RFC 9113 §6.7", frame(6, ACK, 0, bytes(9)), FRAME_SIZE, "connection", PLEN8)
bad("goaway-stream-1", "GOAWAY on stream 1", "RFC 9113 §6.8", frame(7, 0, 1, bytes(8)), PROTOCOL, "connection",
    "An endpoint MUST treat a GOAWAY frame with a stream identifier other than 0x00 as a connection error (Section 5.4.1) "
    "of type PROTOCOL_ERROR.")
bad("goaway-too-short", "GOAWAY of 7 octets: no room for Last-Stream-ID and Error Code", "RFC 9113 §4.2",
    frame(7, 0, 0, bytes(7)), FRAME_SIZE, "connection",
    "An endpoint MUST send an error code of FRAME_SIZE_ERROR if a frame ... is too small to contain mandatory frame data. "
    "A frame size error in a frame that could alter the state of the entire connection MUST be treated as a connection "
    "error (Section 5.4.1); this includes ... any frame with a stream identifier of 0.")
WLEN = "A WINDOW_UPDATE frame with a length other than 4 octets MUST be treated as a connection error (Section 5.4.1) of type FRAME_SIZE_ERROR."
bad("window-update-length-3", "WINDOW_UPDATE of 3 octets on the connection", "RFC 9113 §6.9", frame(8, 0, 0, b"\x00\x00\x01"),
    FRAME_SIZE, "connection", WLEN)
bad("window-update-length-5-stream", "WINDOW_UPDATE of 5 octets on stream 1", "RFC 9113 §6.9",
    frame(8, 0, 1, b"\x00\x00\x00\x01\x00"), FRAME_SIZE, "connection", WLEN)
bad("continuation-stream-0", "CONTINUATION on stream 0", "RFC 9113 §6.10", frame(9, END_HEADERS, 0, b"\x82"), PROTOCOL, "connection",
    "If a CONTINUATION frame is received with a Stream Identifier field of 0x00, the recipient " + ZERO)


def write(name, description, vectors):
    with open(os.path.join(ROOT, "vectors", name), "w") as f:
        json.dump({"description": description, "format": "see vectors/README.md, section Frames", "vectors": vectors},
                  f, indent=2, ensure_ascii=False)
        f.write("\n")


write("frames.json", "Valid HTTP/2 frames (RFC 9113 §4.1, §6) with their decoded fields. Read each `wire` with "
      "SETTINGS_MAX_FRAME_SIZE 16384: it is one whole frame with the fields in `frame`. Where `canonical` is true, "
      "writing those fields gives `wire` back.", valid)
write("frames-invalid.json", "Frames every HTTP/2 endpoint must reject, with the error code, scope and section "
      "(RFC 9113 §4.2, §6). Read `wire` with SETTINGS_MAX_FRAME_SIZE `max_frame_size`.", invalid)
print(f"frames.json: {len(valid)} vectors, frames-invalid.json: {len(invalid)} vectors")
