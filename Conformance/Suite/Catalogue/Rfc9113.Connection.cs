using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Conformance.Suite.Client;
using Conformance.Suite.Model;
using static Conformance.Suite.Catalogue.Dsl;
using static Conformance.Suite.Model.Steps;

namespace Conformance.Suite.Catalogue;

/// <summary>RFC 9113 §3–§5: preface, frame format and size, field compression, streams, errors, extensions.</summary>
public static partial class Rfc9113
{
    static readonly FrameType DATA = FrameType.Data, HEADERS = FrameType.Headers, PRIORITY = FrameType.Priority,
        RST_STREAM = FrameType.RstStream, SETTINGS = FrameType.Settings, PUSH_PROMISE = FrameType.PushPromise, PING = FrameType.Ping,
        GOAWAY = FrameType.GoAway, WINDOW_UPDATE = FrameType.WindowUpdate, CONTINUATION = FrameType.Continuation;

    const byte END_STREAM = FrameFlags.EndStream, END_HEADERS = FrameFlags.EndHeaders, PADDED = FrameFlags.Padded, ACK = FrameFlags.Ack;

    static Step GetBlock(uint stream, byte flags, string what = "GET request") =>
        new Send($"HEADERS(stream {stream}, flags 0x{flags:x2}): {what}", s => Wire.Encode(Raw(HEADERS, flags, stream, s.Request())));

    /// <summary>HEADERS without END_HEADERS carrying the first half of a GET request; CONTINUATION with the rest.</summary>
    static Step SplitGet(uint stream, bool endHeadersOnContinuation = true, bool sendContinuation = true) =>
        new Send($"HEADERS(stream {stream}, END_STREAM, no END_HEADERS){(sendContinuation ? $", CONTINUATION(stream {stream}{(endHeadersOnContinuation ? ", END_HEADERS" : "")})" : "")}: GET request in pieces",
            s =>
            {
                var block = s.Request();
                var cut = block.Length / 2;
                byte[] head = Wire.Encode(Raw(HEADERS, END_STREAM, stream, block[..cut]));
                return sendContinuation
                    ? [.. head, .. Wire.Encode(Raw(CONTINUATION, endHeadersOnContinuation ? END_HEADERS : (byte)0, stream, block[cut..]))]
                    : head;
            });

    static Step HeadersOnly(uint stream) =>
        new Send($"HEADERS(stream {stream}, END_STREAM, no END_HEADERS): first part of a GET request",
            s => Wire.Encode(Raw(HEADERS, END_STREAM, stream, s.Request()[..8])));

    public static Seq<Case> Preface => Seq(
        H2("3.4", 1, "h2spec generic/1/1",
            "The server connection preface consists of a potentially empty SETTINGS frame that MUST be the first frame the server sends in the HTTP/2 connection.",
            SendRaw("client connection preface, SETTINGS", [.. Wire.Preface, .. Wire.Encode(new SettingsFrame(false, default))]),
            Expect(new ServerPreface())),
        H2("3.4", 2, "h2spec http2/3.5/1",
            "The SETTINGS frames received from a peer as part of the connection preface MUST be acknowledged after sending the connection preface.",
            SendRaw("client connection preface, SETTINGS", [.. Wire.Preface, .. Wire.Encode(new SettingsFrame(false, default))]),
            SettingsAck()),
        H2("3.4", 3, "h2spec http2/3.5/2",
            "Clients and servers MUST treat an invalid connection preface as a connection error of type PROTOCOL_ERROR.",
            SendRaw("an invalid connection preface", "INVALID CONNECTION PREFACE\r\n\r\n"u8.ToArray()),
            ConnectionError(PROTOCOL_ERROR)),
        H2("3.4", 4, "extra",
            "The client connection preface MUST be followed by a SETTINGS frame; a preface followed by any other frame is invalid (a connection error of type PROTOCOL_ERROR).",
            SendRaw("client connection preface, then PING instead of SETTINGS", [.. Wire.Preface, .. Wire.Encode(new PingFrame(false, 1))]),
            ConnectionError(PROTOCOL_ERROR)));

    public static Seq<Case> FrameFormat => Seq(
        H2("4.1", 1, "h2spec http2/4.1/1",
            "Implementations MUST ignore and discard frames of unknown types.",
            [Handshake(), Send(Raw(new FrameType(0x16), 0, 0, "0102030405060708")), .. Alive()]),
        H2("4.1", 2, "h2spec http2/4.1/2",
            "Unused flags MUST be ignored on receipt.",
            Handshake(), Send(Raw(PING, 0x16, 0, "0000000000000a0b")), Expect(new PingAck(0x0a0b))),
        H2("4.1", 3, "h2spec http2/4.1/3",
            "The reserved bit of the stream identifier MUST be ignored when receiving (here: a PING with the bit set and undefined flags).",
            Handshake(),
            SendRaw("PING(flags 0x16, reserved bit set)", Wire.Raw(0x6, 0x16, 0, new byte[8], reservedBit: true)),
            Expect(new PingAck(0))),
        H2("4.1", 4, "extra",
            "The reserved bit of the stream identifier MUST be ignored when receiving (here: a HEADERS frame opening a stream).",
            Handshake(),
            new Send("HEADERS(stream 1 with the reserved bit set, END_STREAM): GET request",
                s => Wire.Raw(0x1, END_STREAM | END_HEADERS, 1, s.Request(), reservedBit: true)),
            Response(1)));

    static (string, string)[] Padding(Session s, int octets) =>
        Enumerable.Range(0, octets / 100 + 1).Select(i => ($"x-pad-{i}", new string('a', 90))).ToArray();

    public static Seq<Case> FrameSize => Seq(
        H2("4.2", 1, "h2spec http2/4.2/1",
            "All implementations MUST be capable of receiving and minimally processing frames up to 2^14 octets in length.",
            Handshake(), Post(1, ("content-length", "16384")), Send(new DataFrame(1, new byte[16384], EndStream: true)), Response(1)),
        H2("4.2", 2, "h2spec http2/4.2/2",
            "An endpoint MUST send an error code of FRAME_SIZE_ERROR if a frame exceeds the size defined in SETTINGS_MAX_FRAME_SIZE.",
            Handshake(), Post(1),
            new Send("DATA(stream 1) one octet longer than SETTINGS_MAX_FRAME_SIZE", s => Wire.Encode(new DataFrame(1, new byte[s.MaxFrameSize + 1], EndStream: true))),
            StreamError(1, FRAME_SIZE_ERROR)),
        H2("4.2", 3, "h2spec http2/4.2/3",
            "A frame size error in a frame that could alter the state of the entire connection MUST be treated as a connection error; this includes any frame carrying a field block.",
            Handshake(),
            Headers(1, "GET request longer than SETTINGS_MAX_FRAME_SIZE", s => s.Request("GET", Padding(s, (int)s.MaxFrameSize))),
            ConnectionError(FRAME_SIZE_ERROR)));

    public static Seq<Case> FieldCompression => Seq(
        H2("4.3", 1, "h2spec http2/4.3/1",
            "A decoding error in a field block MUST be treated as a connection error of type COMPRESSION_ERROR.",
            Handshake(),
            // a literal whose name claims 10 octets and the block ends after 2
            Send(Raw(HEADERS, END_STREAM | END_HEADERS, 1, "000a6162")),
            ConnectionError(COMPRESSION_ERROR)),
        H2("4.3", 2, "h2spec http2/4.3/2",
            "Field blocks MUST be transmitted as a contiguous sequence of frames, with no interleaved frames of any other type or from any other stream.",
            Handshake(), HeadersOnly(1), Send(new PriorityFrame(1, new PriorityFields(false, 0, 15))), ConnectionError(PROTOCOL_ERROR)),
        H2("4.3", 3, "h2spec http2/4.3/3",
            "Field blocks MUST be transmitted as a contiguous sequence of frames, with no interleaved frames of any other type or from any other stream.",
            Handshake(), HeadersOnly(1), Get(3), ConnectionError(PROTOCOL_ERROR)),
        H2("4.3", 4, "extra",
            "The HPACK state belongs to the connection: a field block that the server decodes and then rejects still updates it, so a later block referring to an entry it added decodes.",
            Handshake(),
            // stream 1: a malformed request (uppercase name) whose block inserts "x-cached: 1" into the dynamic table
            Headers(1, "malformed request that adds x-cached to the dynamic table",
                s => [.. HpackBytes.Block(Pseudo(s)), .. HpackBytes.LiteralNewName(HpackBytes.String("x-cached"), HpackBytes.String("1"), HpackBytes.Literal.Incremental), .. HpackBytes.Field("X-Upper", "1")]),
            StreamError(1, PROTOCOL_ERROR),
            new SkipIf("the server ended the connection at the malformed request (§5.4: an endpoint MAY treat a stream error as a connection error), so no later stream can show the HPACK state",
                s => s.ConnectionEnded),
            // stream 3: refers to dynamic entry 62
            Headers(3, "GET request that refers to dynamic entry 62", s => [.. HpackBytes.Block(Pseudo(s)), .. HpackBytes.Indexed(62)]),
            Response(3)));

    public static Seq<Case> StreamStates => Seq(
        H2("5.1", 1, "h2spec http2/5.1/1",
            "Receiving any frame other than HEADERS or PRIORITY on a stream in the idle state MUST be treated as a connection error of type PROTOCOL_ERROR (here: DATA).",
            Handshake(), Data(1, "test"), ConnectionError(PROTOCOL_ERROR)),
        H2("5.1", 2, "h2spec http2/5.1/2",
            "Receiving any frame other than HEADERS or PRIORITY on a stream in the idle state MUST be treated as a connection error of type PROTOCOL_ERROR (here: RST_STREAM).",
            Handshake(), Send(new RstStreamFrame(1, ErrorCode.Cancel)), ConnectionError(PROTOCOL_ERROR)),
        H2("5.1", 3, "h2spec http2/5.1/3",
            "Receiving any frame other than HEADERS or PRIORITY on a stream in the idle state MUST be treated as a connection error of type PROTOCOL_ERROR (here: WINDOW_UPDATE).",
            Handshake(), Send(new WindowUpdateFrame(1, 100)), ConnectionError(PROTOCOL_ERROR)),
        H2("5.1", 4, "h2spec http2/5.1/4",
            "Receiving any frame other than HEADERS or PRIORITY on a stream in the idle state MUST be treated as a connection error of type PROTOCOL_ERROR (here: CONTINUATION).",
            Handshake(), new Send("CONTINUATION(stream 1, END_HEADERS): GET request", s => Wire.Encode(Raw(CONTINUATION, END_HEADERS, 1, s.Request()))),
            ConnectionError(PROTOCOL_ERROR)),
        H2("5.1", 5, "h2spec generic/2/1",
            "PRIORITY is allowed on a stream in the idle state (the connection stays usable).",
            [Handshake(), Send(new PriorityFrame(1, new PriorityFields(false, 0, 255))), .. Alive(0)]),
        H2("5.1", 19, "extra",
            "PRIORITY is allowed on a stream in the idle state, and the stream can then be opened by HEADERS.",
            Handshake(), Send(new PriorityFrame(1, new PriorityFields(false, 0, 15))), Get(1), Response(1)),
        H2("5.1", 6, "h2spec http2/5.1/5",
            "If an endpoint receives additional frames, other than WINDOW_UPDATE, PRIORITY, or RST_STREAM, for a stream that is in the half-closed (remote) state, it MUST respond with a stream error of type STREAM_CLOSED (here: DATA).",
            Handshake(), Get(1), Data(1, "test"), StreamError(1, STREAM_CLOSED)),
        H2("5.1", 7, "h2spec http2/5.1/6",
            "If an endpoint receives additional frames, other than WINDOW_UPDATE, PRIORITY, or RST_STREAM, for a stream that is in the half-closed (remote) state, it MUST respond with a stream error of type STREAM_CLOSED (here: HEADERS).",
            Handshake(), Get(1), Get(1), StreamError(1, STREAM_CLOSED)),
        H2("5.1", 8, "h2spec http2/5.1/7",
            "If an endpoint receives additional frames, other than WINDOW_UPDATE, PRIORITY, or RST_STREAM, for a stream that is in the half-closed (remote) state, it MUST respond with a stream error of type STREAM_CLOSED (here: CONTINUATION, also a PROTOCOL_ERROR by §6.10).",
            Handshake(), Get(1), new Send("CONTINUATION(stream 1, END_HEADERS)", s => Wire.Encode(Raw(CONTINUATION, END_HEADERS, 1, s.Request()))),
            StreamError(1, STREAM_CLOSED, PROTOCOL_ERROR)),
        H2("5.1", 9, "h2spec generic/2/2",
            "WINDOW_UPDATE is allowed on a stream in the half-closed (remote) state (initial window 0, then one octet granted: one octet of DATA).",
            Handshake(Set(SettingId.InitialWindowSize, 0)), Get(1), Send(new WindowUpdateFrame(1, 1)), Expect(new DataOf(1, 1))),
        H2("5.1", 10, "h2spec generic/2/3",
            "PRIORITY is allowed on a stream in the half-closed (remote) state (initial window 0, PRIORITY, then one octet granted: one octet of DATA).",
            Handshake(Set(SettingId.InitialWindowSize, 0)), Get(1), Send(new PriorityFrame(1, new PriorityFields(false, 0, 255))),
            Send(new WindowUpdateFrame(1, 1)), Expect(new DataOf(1, 1))),
        H2("5.1", 11, "h2spec generic/2/4",
            "RST_STREAM is allowed on a stream in the half-closed (remote) state.",
            [Handshake(), Get(1), Send(new RstStreamFrame(1, ErrorCode.Cancel)), .. Alive()]),
        H2("5.1", 12, "h2spec http2/5.1/8",
            "An endpoint that receives any frame other than PRIORITY after receiving a RST_STREAM MUST treat that as a stream error of type STREAM_CLOSED (here: DATA).",
            Handshake(), Post(1), Send(new RstStreamFrame(1, ErrorCode.Cancel)), Data(1, "test"), StreamError(1, STREAM_CLOSED)),
        H2("5.1", 13, "h2spec http2/5.1/9",
            "An endpoint that receives any frame other than PRIORITY after receiving a RST_STREAM MUST treat that as a stream error of type STREAM_CLOSED (here: HEADERS).",
            Handshake(), Post(1), Send(new RstStreamFrame(1, ErrorCode.Cancel)), Get(1), StreamError(1, STREAM_CLOSED, PROTOCOL_ERROR)),
        H2("5.1", 14, "h2spec http2/5.1/10",
            "An endpoint that receives any frame other than PRIORITY after receiving a RST_STREAM MUST treat that as a stream error of type STREAM_CLOSED (here: CONTINUATION, also a PROTOCOL_ERROR by §6.10).",
            Handshake(), Post(1), Send(new RstStreamFrame(1, ErrorCode.Cancel)),
            new Send("CONTINUATION(stream 1, END_HEADERS)", s => Wire.Encode(Raw(CONTINUATION, END_HEADERS, 1, s.Request()))),
            StreamError(1, STREAM_CLOSED, PROTOCOL_ERROR)),
        H2("5.1", 15, "h2spec http2/5.1/11",
            "If a DATA frame is received whose stream is not in the open or half-closed (local) state, the recipient MUST respond with a stream error of type STREAM_CLOSED (here: the stream is closed after END_STREAM both ways).",
            Handshake(), Get(1), ResponseEnd(1), Data(1, "test"), StreamError(1, STREAM_CLOSED)),
        H2("5.1", 16, "h2spec http2/5.1/12",
            "An endpoint MAY treat receipt of any frame other than PRIORITY on a closed stream as a connection error of type STREAM_CLOSED; a HEADERS frame reusing a closed stream's identifier is also a PROTOCOL_ERROR (§5.1.1).",
            Handshake(), Get(1), ResponseEnd(1), Get(1), StreamError(1, STREAM_CLOSED, PROTOCOL_ERROR)),
        H2("5.1", 17, "h2spec http2/5.1/13",
            "A CONTINUATION frame on a closed stream is an error: STREAM_CLOSED (§5.1) or, since it follows no open field block, PROTOCOL_ERROR (§6.10).",
            Handshake(), Get(1), ResponseEnd(1),
            new Send("CONTINUATION(stream 1, END_HEADERS)", s => Wire.Encode(Raw(CONTINUATION, END_HEADERS, 1, s.Request()))),
            StreamError(1, STREAM_CLOSED, PROTOCOL_ERROR)),
        H2("5.1", 18, "h2spec generic/2/5",
            "The PRIORITY frame can be sent on a stream in any state, including closed.",
            [Handshake(), Get(1), ResponseEnd(1), Send(new PriorityFrame(1, new PriorityFields(false, 0, 15))), .. Alive()]));

    public static Seq<Case> StreamIdentifiers => Seq(
        H2("5.1.1", 1, "h2spec http2/5.1.1/1",
            "Streams initiated by a client MUST use odd-numbered stream identifiers; an endpoint that receives an unexpected stream identifier MUST respond with a connection error of type PROTOCOL_ERROR.",
            Handshake(), Get(2), ConnectionError(PROTOCOL_ERROR)),
        H2("5.1.1", 2, "h2spec http2/5.1.1/2",
            "The identifier of a newly established stream MUST be numerically greater than all streams that the initiating endpoint has opened or reserved; an unexpected stream identifier is a connection error of type PROTOCOL_ERROR.",
            Handshake(), Get(5), Get(3), ConnectionError(PROTOCOL_ERROR))
        .Deviates("nghttpd",
            "nghttpd (nghttp2 1.52) silently ignores a HEADERS frame that opens stream 3 after stream 5: it answers stream 5 and then neither "
            + "responds on stream 3 nor sends GOAWAY, because nghttp2 treats any stream id at or below the last one it saw as a stream it may "
            + "have closed and forgotten. RFC 9113 §5.1.1: \"The identifier of a newly established stream MUST be numerically greater than all "
            + "streams that the initiating endpoint has opened or reserved ... An endpoint that receives an unexpected stream identifier MUST "
            + "respond with a connection error (Section 5.4.1) of type PROTOCOL_ERROR.\""));

    public static Seq<Case> Concurrency => Seq(
        H2("5.1.2", 1, "h2spec http2/5.1.2/1",
            "An endpoint that receives a HEADERS frame that causes its advertised concurrent stream limit to be exceeded MUST treat this as a stream error of type PROTOCOL_ERROR or REFUSED_STREAM.",
            // initial window 0: the server can start no response body, so every stream stays open
            Handshake(Set(SettingId.InitialWindowSize, 0)),
            new SkipIf("the server announces no SETTINGS_MAX_CONCURRENT_STREAMS (or one above 1000)",
                s => s.Setting(SettingId.MaxConcurrentStreams).Match(n => n > 1000, () => true)),
            new Send("GET requests on SETTINGS_MAX_CONCURRENT_STREAMS + 1 streams",
                s => Enumerable.Range(0, (int)s.Setting(SettingId.MaxConcurrentStreams).IfNone(0) + 1)
                    .SelectMany(i => Wire.Encode(new HeadersFrame((uint)(2 * i + 1), s.Request(), EndStream: true))).ToArray()),
            new ExpectFrom("RST_STREAM on the stream past the limit with PROTOCOL_ERROR or REFUSED_STREAM, or a connection error",
                s => new StreamError(2 * s.Setting(SettingId.MaxConcurrentStreams).IfNone(0) + 1, Seq(PROTOCOL_ERROR, REFUSED_STREAM)))));

    public static Seq<Case> Dependencies => Seq(
        H2("5.3.1", 1, "h2spec http2/5.3.1/1",
            "A stream cannot depend on itself; an endpoint MUST treat this as a stream error of type PROTOCOL_ERROR (RFC 7540 §5.3.1, the priority scheme RFC 9113 §5.3.1 refers to).",
            Handshake(),
            new Send("HEADERS(stream 1, PRIORITY depending on stream 1): GET request",
                s => Wire.Encode(new HeadersFrame(1, s.Request(), true, true, new PriorityFields(false, 1, 15)))),
            StreamError(1, PROTOCOL_ERROR))
        .Changed(PriorityDeprecated),
        H2("5.3.1", 2, "h2spec http2/5.3.1/2",
            "A stream cannot depend on itself; an endpoint MUST treat this as a stream error of type PROTOCOL_ERROR (RFC 7540 §5.3.1, the priority scheme RFC 9113 §5.3.1 refers to).",
            Handshake(), Post(1), Send(new PriorityFrame(1, new PriorityFields(false, 1, 15))), StreamError(1, PROTOCOL_ERROR))
        .Changed(PriorityDeprecated));

    const string PriorityDeprecated =
        "RFC 9113 §5.3 deprecates RFC 7540's priority scheme and keeps only the frame formats (§5.3.1 leaves the semantics, this rule included, to RFC 7540 §5.3.1); the case keeps RFC 7540's reaction, which h2spec checks.";

    public static Seq<Case> ConnectionErrors => Seq(
        H2("5.4.1", 1, "h2spec http2/5.4.1/1",
            "After sending the GOAWAY frame for an error condition, the endpoint MUST close the TCP connection.",
            Handshake(), SendRaw("PING on stream 3", Wire.Raw(0x6, 0, 3, new byte[8])), Expect(new ConnectionClosed())),
        H2("5.4.1", 2, "h2spec http2/5.4.1/2 (--strict)",
            "An endpoint that encounters a connection error SHOULD first send a GOAWAY frame with the last stream it processed and the error code.",
            Handshake(), SendRaw("PING on stream 3", Wire.Raw(0x6, 0, 3, new byte[8])), Expect(new GoAway(Seq(PROTOCOL_ERROR), 0))),
        H2("5.4.1", 3, "extra",
            "An endpoint that encounters a connection error SHOULD first send a GOAWAY frame with the stream identifier of the last stream that it successfully received (here: after a request on stream 1 was answered, a PING of 6 octets).",
            Handshake(), Get(1), new Expect(new Response(1, OthersFirst: true)), Send(Raw(PING, 0, 0, "000000000000")), Expect(new GoAway(Seq(FRAME_SIZE_ERROR), 1))));

    public static Seq<Case> Extensions => Seq(
        H2("5.5", 1, "h2spec http2/5.5/1",
            "Implementations MUST discard frames that have unknown or unsupported types.",
            [Handshake(), Send(Raw(new FrameType(0xff), 0xff, 0, "7465737420")), Send(Raw(new FrameType(0xfe), 0, 1, "00")), .. Alive()]),
        H2("5.5", 2, "h2spec http2/5.5/2",
            "Extension frames that appear in the middle of a field block are not permitted; these MUST be treated as a connection error of type PROTOCOL_ERROR.",
            Handshake(), HeadersOnly(1), Send(Raw(new FrameType(0xff), 0, 1, "7465737420")), ConnectionError(PROTOCOL_ERROR)));
}
