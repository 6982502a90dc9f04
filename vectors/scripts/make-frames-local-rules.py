#!/usr/bin/env python3
# Writes vectors/frames-local-rules.json: each wire assembled with struct.pack from the
# RFC 9113 §4.1/§6 layouts (not by the writer under test). Usage:
#   /usr/bin/python3 vectors/scripts/make-frames-local-rules.py > vectors/frames-local-rules.json
import json, struct
def frame(t, flags, sid, payload):
    return (struct.pack('>I', len(payload))[1:] + bytes([t, flags]) + struct.pack('>I', sid) + payload).hex()
def setting(i, v): return struct.pack('>HI', i, v)
PROTOCOL = {"code": 1, "name": "PROTOCOL_ERROR"}
FLOW = {"code": 3, "name": "FLOW_CONTROL_ERROR"}
def err(c, scope): return dict(c, scope=scope)
block = bytes.fromhex('828684')  # :method GET, :scheme http, :path /
V = [
 ("window-update-zero-stream", "WINDOW_UPDATE by 0 on stream 1: a stream error", "RFC 9113 §6.9", frame(8,0,1,struct.pack('>I',0)), None, err(PROTOCOL,"stream")),
 ("window-update-zero-connection", "WINDOW_UPDATE by 0 on stream 0: a connection error", "RFC 9113 §6.9", frame(8,0,0,struct.pack('>I',0)), None, err(PROTOCOL,"connection")),
 ("push-promise-promised-zero", "PUSH_PROMISE promising stream 0", "RFC 9113 §6.6", frame(5,4,1,struct.pack('>I',0)+block), None, err(PROTOCOL,"connection")),
 ("push-promise-promised-odd", "PUSH_PROMISE promising stream 3 (odd: client-initiated)", "RFC 9113 §5.1.1", frame(5,4,1,struct.pack('>I',3)+block), None, err(PROTOCOL,"connection")),
 ("push-promise-from-client", "PUSH_PROMISE sent by a client (promising stream 2)", "RFC 9113 §8.4", frame(5,4,1,struct.pack('>I',2)+block), "client", err(PROTOCOL,"connection")),
 ("push-promise-from-server", "PUSH_PROMISE on stream 1 promising stream 2, sent by a server: accepted", "RFC 9113 §6.6", frame(5,4,1,struct.pack('>I',2)+block), "server", None),
 ("push-promise-on-even-stream", "PUSH_PROMISE from a server on stream 2 (server-initiated)", "RFC 9113 §6.6", frame(5,4,2,struct.pack('>I',4)+block), "server", err(PROTOCOL,"connection")),
 ("headers-even-stream-from-client", "HEADERS from a client opening stream 2", "RFC 9113 §5.1.1", frame(1,5,2,block), "client", err(PROTOCOL,"connection")),
 ("headers-even-stream-from-server", "HEADERS from a server on stream 2 (a pushed response): accepted", "RFC 9113 §5.1.1", frame(1,4,2,bytes.fromhex('88')), "server", None),
 ("settings-enable-push-2", "SETTINGS_ENABLE_PUSH = 2", "RFC 9113 §6.5.2", frame(4,0,0,setting(2,2)), None, err(PROTOCOL,"connection")),
 ("settings-enable-push-1-from-server", "SETTINGS_ENABLE_PUSH = 1 sent by a server", "RFC 9113 §6.5.2", frame(4,0,0,setting(2,1)), "server", err(PROTOCOL,"connection")),
 ("settings-enable-push-1-from-client", "SETTINGS_ENABLE_PUSH = 1 sent by a client: accepted", "RFC 9113 §6.5.2", frame(4,0,0,setting(2,1)), "client", None),
 ("settings-initial-window-too-large", "SETTINGS_INITIAL_WINDOW_SIZE = 2^31", "RFC 9113 §6.5.2", frame(4,0,0,setting(4,0x80000000)), None, err(FLOW,"connection")),
 ("settings-max-frame-size-too-small", "SETTINGS_MAX_FRAME_SIZE = 2^14-1", "RFC 9113 §6.5.2", frame(4,0,0,setting(5,16383)), None, err(PROTOCOL,"connection")),
 ("settings-max-frame-size-too-large", "SETTINGS_MAX_FRAME_SIZE = 2^24", "RFC 9113 §6.5.2", frame(4,0,0,setting(5,1<<24)), None, err(PROTOCOL,"connection")),
 ("settings-invalid-values-rejected", "SETTINGS_ENABLE_PUSH = 2 and SETTINGS_MAX_FRAME_SIZE = 0 (frames.json's settings-invalid-values: valid framing, rejected by the receiver)", "RFC 9113 §6.5.2", frame(4,0,0,setting(2,2)+setting(5,0)), None, err(PROTOCOL,"connection")),
]
doc = {
 "description": "Frames the codec reads (valid framing) that the receiver must still reject by a rule decidable from the one frame and the sender's role, with the error's code and scope (RFC 9113 §5.4: stream or connection); and frames that the same rules accept in the other direction. `from`: who sent the frame (client, server), or null when the rule holds whichever did. `error`: null when the frame is accepted. h2ref frames decode --from FROM reports these.",
 "format": "id, description, section, wire (one whole frame, hex), from, error {code, name, scope}",
 "vectors": [dict(id=i, description=d, section=s, wire=w, **{"from": f}, error=e) for (i,d,s,w,f,e) in V],
}
print(json.dumps(doc, indent=2, ensure_ascii=False))
