using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Conformance.Suite.Client;
using Conformance.Suite.Model;
using static Conformance.Suite.Model.Steps;

namespace Conformance.Suite.Catalogue;

/// <summary>The small vocabulary the catalogue is written in.</summary>
public static class Dsl
{
    /// <summary>
    /// A case. Its id is h2spec's when <paramref name="origin"/> names an h2spec
    /// case ("h2spec http2/6.5/1", optionally followed by " (--strict)" or
    /// " (extended)"), else "SPEC/SECTION/N" (origin "extra").
    /// </summary>
    public static Case Case(string spec, string section, int n, string origin, string requirement, params Step[] script) =>
        new(H2specId(origin).IfNone($"{spec}/{section}/{n}"), new SectionId(spec, section), requirement, script.ToSeq(), origin,
            LanguageExt.Seq<KnownDeviation>.Empty, Option<TimeSpan>.None)
        { Strict = origin.EndsWith("(--strict)", StringComparison.Ordinal) };

    /// <summary>"h2spec http2/6.5/1 (--strict)" → "http2/6.5/1"; None for "extra".</summary>
    public static Option<string> H2specId(string origin)
    {
        if (!origin.StartsWith("h2spec ", StringComparison.Ordinal)) return Option<string>.None;
        var id = origin["h2spec ".Length..].Split(' ')[0];
        if (!Model.Case.IsH2specId(id) || id.Contains(',')) throw new ArgumentException($"origin names one h2spec case id: {origin}");
        return id;
    }

    /// <summary>Records where RFC 9113 changed the expected reaction from RFC 7540.</summary>
    public static Case Changed(this Case c, string what) => c with { ChangedBy9113 = what };

    public static Case H2(string section, int n, string origin, string requirement, params Step[] script) =>
        Case(SectionId.Http2, section, n, origin, requirement, script);

    public static Case Hpack(string section, int n, string origin, string requirement, params Step[] script) =>
        Case(SectionId.Hpack, section, n, origin, requirement, script);

    // ---- connection set-up ----
    public static Step Handshake(params Setting[] settings) => new Handshake(settings.ToSeq());
    public static Setting Set(SettingId id, uint value) => new(id, value);

    // ---- requests ----
    /// <summary>HEADERS opening a GET on the stream (END_STREAM by default).</summary>
    public static Step Get(uint stream, bool endStream = true, params (string, string)[] extra) =>
        new Send($"HEADERS(stream {stream}{(endStream ? ", END_STREAM" : "")}): GET request",
            s => Wire.Encode(new HeadersFrame(stream, s.Request("GET", extra), endStream)));

    /// <summary>HEADERS opening a POST on the stream, the content to follow in DATA.</summary>
    public static Step Post(uint stream, params (string, string)[] extra) =>
        new Send($"HEADERS(stream {stream}): POST request",
            s => Wire.Encode(new HeadersFrame(stream, s.Request("POST", extra), EndStream: false)));

    /// <summary>HEADERS whose block is built from the session (fields in the given order, END_HEADERS set).</summary>
    public static Step Headers(uint stream, string what, Func<Session, byte[]> block, bool endStream = true, bool endHeaders = true) =>
        new Send($"HEADERS(stream {stream}{(endStream ? ", END_STREAM" : "")}{(endHeaders ? "" : ", no END_HEADERS")}): {what}",
            s => Wire.Encode(new HeadersFrame(stream, block(s), endStream, endHeaders)));

    /// <summary>A request whose fields are exactly these (pseudo-headers from the session are spliced in with <see cref="Pseudo"/>).</summary>
    public static Step Request(uint stream, string what, Func<Session, (string, string)[]> fields, bool endStream = true) =>
        Headers(stream, what, s => HpackBytes.Block(fields(s)), endStream);

    public static (string, string)[] Pseudo(Session s, string method = "GET") => s.RequestFields(method);

    public static Step Data(uint stream, string text, bool endStream = true) =>
        Send(new DataFrame(stream, Bytes.FromUtf8(text), endStream));

    // ---- expectations ----
    public static readonly ErrorCode PROTOCOL_ERROR = ErrorCode.ProtocolError;
    public static readonly ErrorCode FRAME_SIZE_ERROR = ErrorCode.FrameSizeError;
    public static readonly ErrorCode FLOW_CONTROL_ERROR = ErrorCode.FlowControlError;
    public static readonly ErrorCode STREAM_CLOSED = ErrorCode.StreamClosed;
    public static readonly ErrorCode COMPRESSION_ERROR = ErrorCode.CompressionError;
    public static readonly ErrorCode REFUSED_STREAM = ErrorCode.RefusedStream;
    public static readonly ErrorCode NO_ERROR = ErrorCode.NoError;
    public static readonly ErrorCode ENHANCE_YOUR_CALM = ErrorCode.EnhanceYourCalm;

    public static Step ConnectionError(params ErrorCode[] codes) => new Expect(new ConnectionError(codes.ToSeq()));
    public static Step StreamError(uint stream, params ErrorCode[] codes) => new Expect(new StreamError(stream, codes.ToSeq()));
    public static Step Response(uint stream) => new Expect(new Response(stream));
    public static Step ResponseEnd(uint stream) => new Expect(new ResponseComplete(stream));
    public static Step SettingsAck() => new Expect(new SettingsAck());
    public static Step Expect(Reaction r) => new Expect(r);

    /// <summary>PING, then its acknowledgement: the connection is alive and the server has processed everything sent before.</summary>
    public static Step[] Alive(ulong opaque = 0x6832726566_000001) =>
        [Send(new PingFrame(false, opaque)), new Expect(new PingAck(opaque))];

    /// <summary>
    /// For frames a server may ignore, or answer by closing: the connection
    /// either answers a PING or is closed without an error (GOAWAY NO_ERROR).
    /// </summary>
    public static Step[] AliveOrGracefulClose(ulong opaque = 0x6832726566_000002) =>
        [Send(new PingFrame(false, opaque)), new Expect(new AnyOf(Seq<Reaction>(new PingAck(opaque), new ConnectionError(Seq1(ErrorCode.NoError)))))];

    /// <summary>The server still serves: a fresh connection answers a GET.</summary>
    public static Step[] FreshRequest() => [new Reconnect(), Handshake(), Get(1), Response(1)];

    public static Seq<T> Seq<T>(params T[] items) => items.ToSeq();
    static Seq<T> Seq1<T>(T item) => LanguageExt.Prelude.Seq1(item);

    // ---- raw frames ----
    public static Frame Raw(FrameType type, byte flags, uint stream, byte[] payload) => new UnknownFrame(type, flags, stream, payload);
    public static Frame Raw(FrameType type, byte flags, uint stream, string hexPayload) => new UnknownFrame(type, flags, stream, Bytes.FromHex(hexPayload));

    /// <summary>Repeats a frame's octets: floods, bounded by <paramref name="count"/>.</summary>
    public static Step Flood(string what, int count, Func<int, Frame> frame) =>
        new Send($"{count} × {what}", _ => Enumerable.Range(0, count).SelectMany(i => Wire.Encode(frame(i))).ToArray());
}

