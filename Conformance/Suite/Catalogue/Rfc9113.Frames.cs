using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Conformance.Suite.Client;
using Conformance.Suite.Model;
using static Conformance.Suite.Catalogue.Dsl;
using static Conformance.Suite.Model.Steps;

namespace Conformance.Suite.Catalogue;

/// <summary>RFC 9113 §6: each frame type, and §7 error codes.</summary>
public static partial class Rfc9113
{
    static Step Continuation(uint stream, bool endHeaders, string what, Func<Session, byte[]> fragment) =>
        new Send($"CONTINUATION(stream {stream}{(endHeaders ? ", END_HEADERS" : "")}): {what}",
            s => Wire.Encode(new ContinuationFrame(stream, fragment(s), endHeaders)));

    static readonly PriorityFields Weight16 = new(false, 0, 15);

    public static Seq<Case> Data => Seq(
        H2("6.1", 1, "h2spec generic/3.1/1",
            "DATA frames convey arbitrary, variable-length sequences of octets associated with a stream (a request with content is answered).",
            Handshake(), Post(1, ("content-length", "4")), Dsl.Data(1, "test"), Response(1)),
        H2("6.1", 2, "h2spec generic/3.1/2",
            "A request's content may span several DATA frames; the last one carries END_STREAM.",
            Handshake(), Post(1, ("content-length", "8")), Dsl.Data(1, "test", false), Dsl.Data(1, "test"), Response(1)),
        H2("6.1", 3, "h2spec generic/3.1/3",
            "DATA frames MAY contain padding (the PADDED flag and a Pad Length field), which a receiver ignores.",
            Handshake(), Post(1, ("content-length", "4")), Send(new DataFrame(1, Bytes.FromUtf8("test"), true, (byte)8)), Response(1)),
        H2("6.1", 4, "h2spec http2/6.1/1",
            "If a DATA frame is received whose Stream Identifier field is 0x00, the recipient MUST respond with a connection error of type PROTOCOL_ERROR.",
            Handshake(), Post(1), Dsl.Data(0, "test"), ConnectionError(PROTOCOL_ERROR)),
        H2("6.1", 5, "h2spec http2/6.1/2",
            "If a DATA frame is received whose stream is not in the open or half-closed (local) state, the recipient MUST respond with a stream error of type STREAM_CLOSED.",
            Handshake(), Get(1), Dsl.Data(1, "test"), StreamError(1, STREAM_CLOSED)),
        H2("6.1", 6, "h2spec http2/6.1/3",
            "If the length of the padding is the length of the frame payload or greater, the recipient MUST treat this as a connection error of type PROTOCOL_ERROR.",
            Handshake(), Post(1, ("content-length", "4")), Send(Raw(DATA, PADDED | END_STREAM, 1, "0674657374")), ConnectionError(PROTOCOL_ERROR)));

    public static Seq<Case> Headers => Seq(
        H2("6.2", 1, "h2spec generic/3.2/1",
            "The HEADERS frame is used to open a stream and carries a field block (a request is answered).",
            Handshake(), Get(1), Response(1)),
        H2("6.2", 2, "h2spec generic/3.2/2",
            "HEADERS frames MAY contain padding, which a receiver ignores.",
            Handshake(), new Send("HEADERS(stream 1, PADDED 8): GET request", s => Wire.Encode(new HeadersFrame(1, s.Request(), true, true, default, (byte)8))),
            Response(1)),
        H2("6.2", 3, "h2spec generic/3.2/3",
            "HEADERS frames MAY carry the priority fields (the PRIORITY flag), which a receiver parses.",
            Handshake(), new Send("HEADERS(stream 1, PRIORITY): GET request", s => Wire.Encode(new HeadersFrame(1, s.Request(), true, true, Weight16))),
            Response(1)),
        H2("6.2", 4, "h2spec http2/6.2/1",
            "A HEADERS frame without the END_HEADERS flag set MUST be followed by a CONTINUATION frame for the same stream; a receiver MUST treat the receipt of any other type of frame as a connection error of type PROTOCOL_ERROR.",
            Handshake(), HeadersOnly(1), Send(new PriorityFrame(1, Weight16)), ConnectionError(PROTOCOL_ERROR)),
        H2("6.2", 5, "h2spec http2/6.2/2",
            "A HEADERS frame without the END_HEADERS flag set MUST be followed by a CONTINUATION frame for the same stream; a receiver MUST treat the receipt of a frame on a different stream as a connection error of type PROTOCOL_ERROR.",
            Handshake(), HeadersOnly(1), Get(3), ConnectionError(PROTOCOL_ERROR)),
        H2("6.2", 6, "h2spec http2/6.2/3",
            "If a HEADERS frame is received whose Stream Identifier field is 0x00, the recipient MUST respond with a connection error of type PROTOCOL_ERROR.",
            Handshake(), Get(0), ConnectionError(PROTOCOL_ERROR)),
        H2("6.2", 7, "h2spec http2/6.2/4",
            "If the length of the padding is the length of the frame payload or greater, the recipient MUST treat this as a connection error of type PROTOCOL_ERROR.",
            Handshake(), new Send("HEADERS(stream 1, PADDED, Pad Length past the payload): GET request",
                s => Wire.Encode(Raw(HEADERS, PADDED | END_HEADERS | END_STREAM, 1, [(byte)(s.Request().Length + 1), .. s.Request()]))),
            ConnectionError(PROTOCOL_ERROR)));

    public static Seq<Case> Priority => Seq(
        H2("6.3", 1, "h2spec generic/3.3/1",
            "The PRIORITY frame can be sent on a stream in any state (weight 1, on the idle stream a request then opens).",
            Handshake(), Send(new PriorityFrame(1, new PriorityFields(false, 0, 0))), Get(1), Response(1)),
        H2("6.3", 2, "h2spec generic/3.3/2",
            "The PRIORITY frame can be sent on a stream in any state (weight 256, on the idle stream a request then opens).",
            Handshake(), Send(new PriorityFrame(1, new PriorityFields(false, 0, 255))), Get(1), Response(1)),
        H2("6.3", 3, "h2spec generic/3.3/3",
            "The PRIORITY frame can be sent on a stream in any state (idle stream 3 made dependent on stream 1, which a request then opens).",
            Handshake(), Send(new PriorityFrame(3, new PriorityFields(false, 1, 0))), Get(1), Response(1)),
        H2("6.3", 4, "h2spec http2/6.3/1",
            "If a PRIORITY frame is received with a stream identifier of 0x00, the recipient MUST respond with a connection error of type PROTOCOL_ERROR.",
            Handshake(), Send(new PriorityFrame(0, Weight16)), ConnectionError(PROTOCOL_ERROR)),
        H2("6.3", 5, "h2spec http2/6.3/2",
            "A PRIORITY frame with a length other than 5 octets MUST be treated as a stream error of type FRAME_SIZE_ERROR.",
            Handshake(), Post(1), Send(Raw(PRIORITY, 0, 1, "00000000")), StreamError(1, FRAME_SIZE_ERROR)),
        H2("6.3", 6, "h2spec generic/3.3/4",
            "The PRIORITY frame can be sent on a stream in any state (the exclusive flag set, on the idle stream a request then opens).",
            Handshake(), Send(new PriorityFrame(1, new PriorityFields(true, 0, 0))), Get(1), Response(1)),
        H2("6.3", 8, "extra",
            "The PRIORITY frame can be sent on a stream in any state: a PRIORITY frame with a dependency on an open stream, exclusive, leaves both streams usable.",
            Handshake(), Get(1), Send(new PriorityFrame(3, new PriorityFields(true, 1, 15))), Get(3), new Expect(new Response(3, OthersFirst: true))),
        H2("6.3", 7, "h2spec generic/3.3/5",
            "Sending or receiving a PRIORITY frame does not affect the state of any stream: after PRIORITY on idle stream 3, HEADERS may still open the lower stream 1.",
            Handshake(), Send(new PriorityFrame(3, Weight16)), Get(1), Response(1)));

    public static Seq<Case> RstStream => Seq(
        H2("6.4", 1, "h2spec generic/3.4/1",
            "The RST_STREAM frame allows for immediate termination of a stream (the connection stays usable).",
            [Handshake(), Post(1), Send(new RstStreamFrame(1, ErrorCode.Cancel)), .. Alive()]),
        H2("6.4", 2, "h2spec http2/6.4/1",
            "If a RST_STREAM frame is received with a stream identifier of 0x00, the recipient MUST treat this as a connection error of type PROTOCOL_ERROR.",
            Handshake(), Send(new RstStreamFrame(0, ErrorCode.Cancel)), ConnectionError(PROTOCOL_ERROR)),
        H2("6.4", 3, "h2spec http2/6.4/2",
            "If a RST_STREAM frame identifying an idle stream is received, the recipient MUST treat this as a connection error of type PROTOCOL_ERROR.",
            Handshake(), Send(new RstStreamFrame(3, ErrorCode.Cancel)), ConnectionError(PROTOCOL_ERROR)),
        H2("6.4", 4, "h2spec http2/6.4/3",
            "A RST_STREAM frame with a length other than 4 octets MUST be treated as a connection error of type FRAME_SIZE_ERROR.",
            Handshake(), Post(1), Send(Raw(RST_STREAM, 0, 1, "000000")), ConnectionError(FRAME_SIZE_ERROR)));

    public static Seq<Case> Settings => Seq(
        H2("6.5", 1, "h2spec generic/3.5/1",
            "A SETTINGS frame with the ACK flag not set is applied and acknowledged.",
            Handshake(), Send(new SettingsFrame(false, Seq(Set(SettingId.InitialWindowSize, 65535)))), SettingsAck()),
        H2("6.5", 2, "h2spec http2/6.5/1",
            "Receipt of a SETTINGS frame with the ACK flag set and a length field value other than 0 MUST be treated as a connection error of type FRAME_SIZE_ERROR.",
            Handshake(), Send(Raw(SETTINGS, ACK, 0, "000400010000")), ConnectionError(FRAME_SIZE_ERROR)),
        H2("6.5", 3, "h2spec http2/6.5/2",
            "If an endpoint receives a SETTINGS frame whose Stream Identifier field is anything other than 0x00, the endpoint MUST respond with a connection error of type PROTOCOL_ERROR.",
            Handshake(), Send(Raw(SETTINGS, 0, 1, "000400010000")), ConnectionError(PROTOCOL_ERROR)),
        H2("6.5", 4, "h2spec http2/6.5/3",
            "A SETTINGS frame with a length other than a multiple of 6 octets MUST be treated as a connection error of type FRAME_SIZE_ERROR.",
            Handshake(), Send(Raw(SETTINGS, 0, 0, "0003000000")), ConnectionError(FRAME_SIZE_ERROR)));

    public static Seq<Case> DefinedSettings => Seq(
        H2("6.5.2", 1, "h2spec http2/6.5.2/1",
            "SETTINGS_ENABLE_PUSH: any value other than 0 or 1 MUST be treated as a connection error of type PROTOCOL_ERROR.",
            Handshake(), Send(new SettingsFrame(false, Seq(Set(SettingId.EnablePush, 2)))), ConnectionError(PROTOCOL_ERROR)),
        H2("6.5.2", 2, "h2spec http2/6.5.2/2",
            "SETTINGS_INITIAL_WINDOW_SIZE: values above the maximum flow-control window size of 2^31-1 MUST be treated as a connection error of type FLOW_CONTROL_ERROR.",
            Handshake(), Send(new SettingsFrame(false, Seq(Set(SettingId.InitialWindowSize, 0x80000000)))), ConnectionError(FLOW_CONTROL_ERROR)),
        H2("6.5.2", 3, "h2spec http2/6.5.2/3",
            "SETTINGS_MAX_FRAME_SIZE: values outside the range 2^14 to 2^24-1 MUST be treated as a connection error of type PROTOCOL_ERROR (here: 2^14-1).",
            Handshake(), Send(new SettingsFrame(false, Seq(Set(SettingId.MaxFrameSize, 16383)))), ConnectionError(PROTOCOL_ERROR)),
        H2("6.5.2", 4, "h2spec http2/6.5.2/4",
            "SETTINGS_MAX_FRAME_SIZE: values outside the range 2^14 to 2^24-1 MUST be treated as a connection error of type PROTOCOL_ERROR (here: 2^24).",
            Handshake(), Send(new SettingsFrame(false, Seq(Set(SettingId.MaxFrameSize, 16777216)))), ConnectionError(PROTOCOL_ERROR)),
        H2("6.5.2", 5, "h2spec http2/6.5.2/5",
            "An endpoint that receives a SETTINGS frame with any unknown or unsupported identifier MUST ignore that setting.",
            Handshake(), Send(new SettingsFrame(false, Seq(Set(new SettingId(0xff), 1)))), SettingsAck()));

    public static Seq<Case> SettingsSynchronization => Seq(
        H2("6.5.3", 1, "h2spec http2/6.5.3/1",
            "The values in the SETTINGS frame MUST be processed in the order they appear (SETTINGS_INITIAL_WINDOW_SIZE 100 then 1: the last value wins).",
            Handshake(Set(SettingId.InitialWindowSize, 100), Set(SettingId.InitialWindowSize, 1)), Get(1), Expect(new DataOf(1, 1))),
        H2("6.5.3", 2, "h2spec http2/6.5.3/2",
            "Once all values have been processed, the recipient MUST immediately emit a SETTINGS frame with the ACK flag set.",
            Handshake(), Send(new SettingsFrame(false, Seq(Set(SettingId.EnablePush, 0)))), SettingsAck()));

    public static Seq<Case> Ping => Seq(
        H2("6.7", 1, "h2spec http2/6.7/1",
            "Receivers of a PING frame that does not include an ACK flag MUST send a PING frame with the ACK flag set in response, with an identical frame payload.",
            Handshake(), Send(new PingFrame(false, 0x0123456789abcdef)), Expect(new PingAck(0x0123456789abcdef))),
        H2("6.7", 5, "h2spec generic/3.7/1",
            "A PING frame is answered by a PING frame with the ACK flag set and the same payload.",
            Handshake(), Send(new PingFrame(false, 0x6832737065630001)), Expect(new PingAck(0x6832737065630001))),
        H2("6.7", 2, "h2spec http2/6.7/2",
            "An endpoint MUST NOT respond to PING frames containing the ACK flag.",
            [Handshake(), Send(new PingFrame(true, 0xdeadbeef)), .. Alive(0x1234)]),
        H2("6.7", 3, "h2spec http2/6.7/3",
            "If a PING frame is received with a Stream Identifier field value other than 0x00, the recipient MUST respond with a connection error of type PROTOCOL_ERROR.",
            Handshake(), Send(Raw(PING, 0, 1, "0000000000000000")), ConnectionError(PROTOCOL_ERROR)),
        H2("6.7", 4, "h2spec http2/6.7/4",
            "Receipt of a PING frame with a length field value other than 8 MUST be treated as a connection error of type FRAME_SIZE_ERROR.",
            Handshake(), Send(Raw(PING, 0, 0, "000000000000")), ConnectionError(FRAME_SIZE_ERROR)));

    public static Seq<Case> GoAway => Seq(
        H2("6.8", 1, "h2spec generic/3.8/1",
            "A GOAWAY frame from the client (graceful, NO_ERROR) is not an error: the connection answers or closes without error.",
            [Handshake(), Send(new GoAwayFrame(0, NO_ERROR)), .. AliveOrGracefulClose()]),
        H2("6.8", 2, "h2spec http2/6.8/1",
            "An endpoint MUST treat a GOAWAY frame with a stream identifier other than 0x00 as a connection error of type PROTOCOL_ERROR.",
            Handshake(), Send(Raw(GOAWAY, 0, 1, "0000000000000000")), ConnectionError(PROTOCOL_ERROR)),
        H2("6.8", 3, "extra",
            "GOAWAY allows an endpoint to gracefully stop accepting new streams while still finishing processing of previously established streams: a request open before the client's GOAWAY is still answered.",
            Handshake(), Post(1, ("content-length", "4")), Send(new GoAwayFrame(0, NO_ERROR)), Dsl.Data(1, "test"), Response(1)));

    public static Seq<Case> WindowUpdate => Seq(
        H2("6.9", 1, "h2spec generic/3.9/1",
            "WINDOW_UPDATE on the connection (stream 0) increases the connection flow-control window.",
            [Handshake(), Send(new WindowUpdateFrame(0, 1)), .. Alive()]),
        H2("6.9", 2, "h2spec generic/3.9/2",
            "WINDOW_UPDATE on a stream increases its flow-control window.",
            Handshake(), Get(1), Send(new WindowUpdateFrame(1, 1)), Response(1)),
        H2("6.9", 3, "h2spec http2/6.9/1",
            "Errors on the connection flow-control window MUST be treated as a connection error: a WINDOW_UPDATE with an increment of 0 on stream 0 is a PROTOCOL_ERROR.",
            Handshake(), Send(new WindowUpdateFrame(0, 0)), ConnectionError(PROTOCOL_ERROR)),
        H2("6.9", 4, "h2spec http2/6.9/2",
            "A receiver MUST treat the receipt of a WINDOW_UPDATE frame with a flow-control window increment of 0 as a stream error of type PROTOCOL_ERROR.",
            Handshake(), Post(1), Send(new WindowUpdateFrame(1, 0)), StreamError(1, PROTOCOL_ERROR)),
        H2("6.9", 5, "h2spec http2/6.9/3",
            "A WINDOW_UPDATE frame with a length other than 4 octets MUST be treated as a connection error of type FRAME_SIZE_ERROR.",
            Handshake(), Send(Raw(WINDOW_UPDATE, 0, 0, "000001")), ConnectionError(FRAME_SIZE_ERROR)));

    public static Seq<Case> FlowControlWindow => Seq(
        H2("6.9.1", 1, "h2spec http2/6.9.1/1",
            "The sender MUST NOT send a flow-controlled frame with a length that exceeds the space available in either of the flow-control windows advertised by the receiver (initial window 1: one octet of DATA).",
            Handshake(Set(SettingId.InitialWindowSize, 1)), Get(1), Expect(new DataOf(1, 1))),
        H2("6.9.1", 2, "h2spec http2/6.9.1/2",
            "If a sender receives a WINDOW_UPDATE that causes the connection flow-control window to exceed 2^31-1, it MUST terminate the connection with a GOAWAY frame with an error code of FLOW_CONTROL_ERROR.",
            Handshake(), Send(new WindowUpdateFrame(0, 0x7fffffff), new WindowUpdateFrame(0, 0x7fffffff)), ConnectionError(FLOW_CONTROL_ERROR)),
        H2("6.9.1", 3, "h2spec http2/6.9.1/3",
            "If a sender receives a WINDOW_UPDATE that causes a stream flow-control window to exceed 2^31-1, it MUST terminate the stream with a RST_STREAM with an error code of FLOW_CONTROL_ERROR.",
            Handshake(), Post(1), Send(new WindowUpdateFrame(1, 0x7fffffff), new WindowUpdateFrame(1, 0x7fffffff)), StreamError(1, FLOW_CONTROL_ERROR)));

    public static Seq<Case> InitialWindowSize => Seq(
        H2("6.9.2", 1, "h2spec http2/6.9.2/1",
            "When the value of SETTINGS_INITIAL_WINDOW_SIZE changes, a receiver MUST adjust the size of all stream flow-control windows that it maintains by the difference between the new value and the old value (0 → 1: one octet of DATA).",
            Handshake(Set(SettingId.InitialWindowSize, 0)), Get(1),
            Send(new SettingsFrame(false, Seq(Set(SettingId.InitialWindowSize, 1)))), Expect(new DataOf(1, 1))),
        H2("6.9.2", 2, "h2spec http2/6.9.2/2 (extended)",
            "A sender MUST track the negative flow-control window and MUST NOT send new flow-controlled frames until it receives WINDOW_UPDATE frames that cause the flow-control window to become positive.",
            Handshake(Set(SettingId.InitialWindowSize, 5)), Get(1), Expect(new DataOf(1, 5)),
            Send(new SettingsFrame(false, Seq(Set(SettingId.InitialWindowSize, 3)))), SettingsAck(),    // window 0 - 2 = -2
            Send(new WindowUpdateFrame(1, 2)),                                                          // window 0: still nothing to send
            Send(new PingFrame(false, 0x6e6567)), Expect(new PingAckWithoutData(1, 0x6e6567)),
            Send(new WindowUpdateFrame(1, 1)), Expect(new DataOf(1, 1))),                               // window 1
        H2("6.9.2", 3, "h2spec http2/6.9.2/3",
            "An endpoint MUST treat a change to SETTINGS_INITIAL_WINDOW_SIZE that causes any flow-control window to exceed the maximum size as a connection error of type FLOW_CONTROL_ERROR.",
            Handshake(), Send(new SettingsFrame(false, Seq(Set(SettingId.InitialWindowSize, 0x80000000)))), ConnectionError(FLOW_CONTROL_ERROR)),
        H2("6.9.2", 4, "extra",
            "A change to SETTINGS_INITIAL_WINDOW_SIZE can cause the available space in a flow-control window to become negative; this is not an error, and the connection continues.",
            [Handshake(Set(SettingId.InitialWindowSize, 5)), Get(1), Expect(new DataOf(1, 5)),
             Send(new SettingsFrame(false, Seq(Set(SettingId.InitialWindowSize, 0)))), SettingsAck(), .. Alive(), Get(3), Response(3)]));

    /// <summary>A GET on stream 1 as HEADERS without END_HEADERS and three CONTINUATION frames.</summary>
    private static readonly Send ThreeContinuations = new("HEADERS(stream 1, no END_HEADERS) and three CONTINUATION frames: GET request",
        s =>
        {
            var b = s.Request("GET", ("x-one", "1"), ("x-two", "2"));
            var q = b.Length / 4;
            return [.. Wire.Encode(Raw(HEADERS, END_STREAM, 1, b[..q])),
                    .. Wire.Encode(Raw(CONTINUATION, 0, 1, b[q..(2 * q)])),
                    .. Wire.Encode(Raw(CONTINUATION, 0, 1, b[(2 * q)..(3 * q)])),
                    .. Wire.Encode(Raw(CONTINUATION, END_HEADERS, 1, b[(3 * q)..]))];
        });

    public static Seq<Case> ContinuationFrames => Seq(
        H2("6.10", 1, "h2spec generic/3.10/1",
            "The CONTINUATION frame is used to continue a sequence of field block fragments.",
            Handshake(), SplitGet(1), Response(1)),
        H2("6.10", 2, "h2spec http2/6.10/1",
            "Any number of CONTINUATION frames can be sent, as long as the preceding frame is on the same stream and is a HEADERS, PUSH_PROMISE, or CONTINUATION frame without the END_HEADERS flag set.",
            Handshake(),
            ThreeContinuations,
            Response(1)),
        H2("6.10", 8, "h2spec generic/3.10/2",
            "Any number of CONTINUATION frames can be sent, as long as the preceding frame is on the same stream and is a HEADERS, PUSH_PROMISE, or CONTINUATION frame without the END_HEADERS flag set.",
            Handshake(),
            ThreeContinuations,
            Response(1)),
        H2("6.10", 3, "h2spec http2/6.10/2",
            "If the END_HEADERS flag is not set, this frame MUST be followed by another CONTINUATION frame; a receiver MUST treat the receipt of any other type of frame as a connection error of type PROTOCOL_ERROR.",
            Handshake(), SplitGet(1, endHeadersOnContinuation: false), Dsl.Data(1, "test"), ConnectionError(PROTOCOL_ERROR)),
        H2("6.10", 4, "h2spec http2/6.10/3",
            "If a CONTINUATION frame is received with a Stream Identifier field of 0x00, the recipient MUST respond with a connection error of type PROTOCOL_ERROR.",
            Handshake(), HeadersOnly(1),
            Continuation(0, true, "rest of the block", s => s.Request()[8..]), ConnectionError(PROTOCOL_ERROR)),
        H2("6.10", 5, "h2spec http2/6.10/4",
            "A CONTINUATION frame MUST be preceded by a HEADERS, PUSH_PROMISE or CONTINUATION frame without the END_HEADERS flag set; a violation MUST be a connection error of type PROTOCOL_ERROR (here: HEADERS with END_HEADERS).",
            Handshake(), Get(1), Continuation(1, true, "another field", _ => HpackBytes.Field("x-more", "1")), ConnectionError(PROTOCOL_ERROR)),
        H2("6.10", 6, "h2spec http2/6.10/5",
            "A CONTINUATION frame MUST be preceded by a HEADERS, PUSH_PROMISE or CONTINUATION frame without the END_HEADERS flag set; a violation MUST be a connection error of type PROTOCOL_ERROR (here: CONTINUATION with END_HEADERS).",
            Handshake(), SplitGet(1), Continuation(1, true, "another field", _ => HpackBytes.Field("x-more", "1")), ConnectionError(PROTOCOL_ERROR)),
        H2("6.10", 7, "h2spec http2/6.10/6",
            "A CONTINUATION frame MUST be preceded by a HEADERS, PUSH_PROMISE or CONTINUATION frame without the END_HEADERS flag set; a violation MUST be a connection error of type PROTOCOL_ERROR (here: DATA).",
            Handshake(), Post(1), Dsl.Data(1, "test", false), Continuation(1, true, "a field", _ => HpackBytes.Field("x-more", "1")), ConnectionError(PROTOCOL_ERROR)));

    public static Seq<Case> ErrorCodes => Seq(
        H2("7", 1, "h2spec http2/7/1",
            "Unknown or unsupported error codes MUST NOT trigger any special behavior (GOAWAY with an unknown code).",
            [Handshake(), Send(new GoAwayFrame(0, new ErrorCode(0xff))), .. AliveOrGracefulClose()]),
        H2("7", 2, "h2spec http2/7/2",
            "Unknown or unsupported error codes MUST NOT trigger any special behavior (RST_STREAM with an unknown code).",
            [Handshake(), Post(1), Send(new RstStreamFrame(1, new ErrorCode(0xff))), .. Alive()]));
}
