using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Conformance.Suite.Client;
using Conformance.Suite.Model;
using static Conformance.Suite.Catalogue.Dsl;
using static Conformance.Suite.Model.Steps;

namespace Conformance.Suite.Catalogue;

/// <summary>RFC 9113 §8: HTTP semantics — message framing, malformed messages, field validity, pseudo-headers, push.</summary>
public static partial class Rfc9113
{
    /// <summary>A request with these fields in this order (octets as given), expected to be rejected as malformed (§8.1.1).</summary>
    static Case Malformed(string section, int n, string origin, string requirement, Func<Session, byte[]> block, string what) =>
        H2(section, n, origin, requirement + " Malformed requests MUST be treated as a stream error of type PROTOCOL_ERROR (§8.1.1).",
            Handshake(), Headers(1, what, block), Expect(new StreamError(1, Seq(PROTOCOL_ERROR), CompleteResponseFails: true)))
        .Changed(MalformedResponseAllowed);

    const string MalformedResponseAllowed =
        "RFC 9113 §8.1.1 lets a server send a response (e.g. 400) before resetting the stream of a malformed request; RFC 7540 §8.1.2.6 asked for the stream error alone.";

    const string FieldValidityIsNew =
        "New in RFC 9113 §8.2.1: RFC 7540 §8.1.2 only made uppercase field names malformed; NUL, CR, LF, leading or trailing whitespace in values and these name characters were not named.";

    const string ConnectionFieldsListed =
        "RFC 9113 §8.2.2 names the connection-specific fields (Connection, Proxy-Connection, Keep-Alive, Transfer-Encoding, Upgrade); RFC 7540 §8.1.2.2 named Connection and left the rest to HTTP/1.1's definition.";

    static byte[] With(Session s, params (string, string)[] extra) => HpackBytes.Block([.. Pseudo(s), .. extra]);
    static byte[] WithRaw(Session s, byte[] name, byte[] value) => [.. HpackBytes.Block(Pseudo(s)), .. HpackBytes.Field(name, value)];
    static byte[] Without(Session s, string pseudo) => HpackBytes.Block(Pseudo(s).Where(f => f.Item1 != pseudo));

    public static Seq<Case> MessageExchange => Seq(
        H2("8.1", 1, "h2spec generic/4/1", "A GET request (a HEADERS frame with END_STREAM) receives a response.",
            Handshake(), Get(1), Response(1)),
        H2("8.1", 2, "h2spec generic/4/2", "A HEAD request receives a response.",
            Handshake(), Headers(1, "HEAD request", s => s.Request("HEAD")), Response(1)),
        H2("8.1", 3, "h2spec generic/4/3", "A POST request with content in DATA frames receives a response.",
            Handshake(), Post(1, ("content-length", "4")), Dsl.Data(1, "test"), Response(1)),
        H2("8.1", 4, "h2spec generic/4/4",
            "Trailer fields are carried in a field block that also terminates the stream (a POST with trailers receives a response).",
            Handshake(), Post(1, ("content-length", "4"), ("te", "trailers")), Dsl.Data(1, "test", false),
            Headers(1, "trailers", _ => HpackBytes.Field("x-trailer", "done")), Response(1)),
        H2("8.1", 5, "h2spec http2/8.1/1",
            "An endpoint that receives a HEADERS frame without the END_STREAM flag set after receiving the HEADERS frame that opens a request MUST treat the corresponding request as malformed (a stream error of type PROTOCOL_ERROR).",
            Handshake(), Post(1), Dsl.Data(1, "test", false),
            Headers(1, "second HEADERS without END_STREAM", _ => HpackBytes.Field("x-trailer", "done"), endStream: false),
            StreamError(1, PROTOCOL_ERROR)),
        H2("8.1", 6, "extra",
            "Trailers MUST NOT include pseudo-header fields; an endpoint that receives pseudo-header fields in trailers MUST treat the request as malformed (a stream error of type PROTOCOL_ERROR).",
            Handshake(), Post(1), Dsl.Data(1, "test", false),
            Headers(1, "trailers with :method", _ => HpackBytes.Block([(":method", "POST"), ("x-trailer", "done")])),
            StreamError(1, PROTOCOL_ERROR)));

    public static Seq<Case> MalformedMessages => Seq(
        H2("8.1.1", 1, "h2spec http2/8.1.2.6/1",
            "A request is malformed if the value of a content-length header field does not equal the sum of the DATA frame payload lengths (here: one DATA frame longer), a stream error of type PROTOCOL_ERROR.",
            Handshake(), Post(1, ("content-length", "1")), Dsl.Data(1, "test"), StreamError(1, PROTOCOL_ERROR)),
        H2("8.1.1", 2, "h2spec http2/8.1.2.6/2",
            "A request is malformed if the value of a content-length header field does not equal the sum of the DATA frame payload lengths (here: two DATA frames), a stream error of type PROTOCOL_ERROR.",
            Handshake(), Post(1, ("content-length", "1")), Dsl.Data(1, "test", false), Dsl.Data(1, "test"), StreamError(1, PROTOCOL_ERROR)),
        H2("8.1.1", 3, "extra",
            "A request is malformed if the value of a content-length header field does not equal the sum of the DATA frame payload lengths (here: fewer octets than announced before END_STREAM), a stream error of type PROTOCOL_ERROR.",
            Handshake(), Post(1, ("content-length", "10")), Dsl.Data(1, "test"), StreamError(1, PROTOCOL_ERROR)));

    public static Seq<Case> Fields => Seq(
        Malformed("8.2", 1, "h2spec http2/8.1.2/1",
            "A field name MUST NOT contain characters in the ranges 0x41-0x5a (uppercase); a request containing one MUST be treated as malformed.",
            s => With(s, ("X-TEST", "ok")), "request with field name X-TEST"));

    public static Seq<Case> FieldValidity => Seq(
        Malformed("8.2.1", 1, "extra", "A field value MUST NOT contain the zero value (ASCII NUL, 0x00) at any position.",
            s => WithRaw(s, "x-test"u8.ToArray(), "a\0b"u8.ToArray()), "request with NUL in a field value").Changed(FieldValidityIsNew),
        Malformed("8.2.1", 2, "extra", "A field value MUST NOT contain line feed (ASCII LF, 0x0a) at any position.",
            s => WithRaw(s, "x-test"u8.ToArray(), "a\nb"u8.ToArray()), "request with LF in a field value").Changed(FieldValidityIsNew),
        Malformed("8.2.1", 3, "extra", "A field value MUST NOT contain carriage return (ASCII CR, 0x0d) at any position.",
            s => WithRaw(s, "x-test"u8.ToArray(), "a\rb"u8.ToArray()), "request with CR in a field value").Changed(FieldValidityIsNew),
        Malformed("8.2.1", 4, "extra", "A field value MUST NOT start with an ASCII whitespace character (SP, 0x20).",
            s => WithRaw(s, "x-test"u8.ToArray(), " ab"u8.ToArray()), "request with a field value starting with SP").Changed(FieldValidityIsNew),
        Malformed("8.2.1", 5, "extra", "A field value MUST NOT end with an ASCII whitespace character (HTAB, 0x09).",
            s => WithRaw(s, "x-test"u8.ToArray(), "ab\t"u8.ToArray()), "request with a field value ending with HTAB").Changed(FieldValidityIsNew),
        Malformed("8.2.1", 6, "extra", "A field name MUST NOT contain characters in the ranges 0x00-0x20 (here: SP).",
            s => WithRaw(s, "x test"u8.ToArray(), "ok"u8.ToArray()), "request with SP in a field name").Changed(FieldValidityIsNew),
        Malformed("8.2.1", 7, "extra", "With the exception of pseudo-header fields, field names MUST NOT include a colon (ASCII COLON, 0x3a).",
            s => WithRaw(s, "x:test"u8.ToArray(), "ok"u8.ToArray()), "request with a colon inside a field name").Changed(FieldValidityIsNew),
        Malformed("8.2.1", 8, "extra", "A field name MUST NOT contain characters in the range 0x7f-0xff.",
            s => WithRaw(s, [(byte)'x', 0xe9], "ok"u8.ToArray()), "request with octet 0xe9 in a field name").Changed(FieldValidityIsNew));

    public static Seq<Case> ConnectionSpecificFields => Seq(
        Malformed("8.2.2", 1, "h2spec http2/8.1.2.2/1",
            "Any message containing connection-specific header fields MUST be treated as malformed (here: connection).",
            s => With(s, ("connection", "keep-alive")), "request with connection: keep-alive"),
        Malformed("8.2.2", 2, "h2spec http2/8.1.2.2/2",
            "The TE header field MAY be present in an HTTP/2 request; when it is, it MUST NOT contain any value other than \"trailers\".",
            s => With(s, ("te", "trailers, deflate")), "request with te: trailers, deflate"),
        Malformed("8.2.2", 3, "extra",
            "Any message containing connection-specific header fields MUST be treated as malformed (here: transfer-encoding).",
            s => With(s, ("transfer-encoding", "chunked")), "request with transfer-encoding: chunked").Changed(ConnectionFieldsListed),
        Malformed("8.2.2", 4, "extra",
            "Any message containing connection-specific header fields MUST be treated as malformed (here: upgrade).",
            s => With(s, ("upgrade", "h2c")), "request with upgrade: h2c").Changed(ConnectionFieldsListed));

    public static Seq<Case> ControlData => Seq(
        Malformed("8.3", 1, "h2spec http2/8.1.2.1/1",
            "Endpoints MUST treat a request or response that contains undefined or invalid pseudo-header fields as malformed.",
            s => With(s, (":test", "ok")), "request with pseudo-header :test"),
        Malformed("8.3", 2, "h2spec http2/8.1.2.1/2",
            "Pseudo-header fields defined for responses MUST NOT appear in requests.",
            s => With(s, (":status", "200")), "request with :status"),
        H2("8.3", 3, "h2spec http2/8.1.2.1/3",
            "Pseudo-header fields MUST NOT appear in a trailer section; such a request is malformed (a stream error of type PROTOCOL_ERROR).",
            Handshake(), Post(1), Dsl.Data(1, "test", false),
            Headers(1, "trailers with :path", _ => HpackBytes.Block([("x-trailer", "done"), (":path", "/")])),
            StreamError(1, PROTOCOL_ERROR)),
        Malformed("8.3", 4, "h2spec http2/8.1.2.1/4",
            "All pseudo-header fields MUST appear in a field block before all regular field lines.",
            s => HpackBytes.Block([.. Pseudo(s).Take(3), ("x-test", "ok"), .. Pseudo(s).Skip(3)]), "request with :authority after a regular field"));

    public static Seq<Case> RequestPseudoHeaders => Seq(
        Malformed("8.3.1", 1, "h2spec http2/8.1.2.3/1",
            "The :path pseudo-header field MUST NOT be empty for \"http\" or \"https\" URIs.",
            s => HpackBytes.Block(Pseudo(s).Select(f => f.Item1 == ":path" ? (":path", "") : f)), "request with an empty :path"),
        Malformed("8.3.1", 2, "h2spec http2/8.1.2.3/2",
            "All HTTP/2 requests MUST include exactly one valid value for the :method, :scheme, and :path pseudo-header fields, unless they are CONNECT requests (here: no :method).",
            s => Without(s, ":method"), "request without :method"),
        Malformed("8.3.1", 3, "h2spec http2/8.1.2.3/3",
            "All HTTP/2 requests MUST include exactly one valid value for the :method, :scheme, and :path pseudo-header fields, unless they are CONNECT requests (here: no :scheme).",
            s => Without(s, ":scheme"), "request without :scheme"),
        Malformed("8.3.1", 4, "h2spec http2/8.1.2.3/4",
            "All HTTP/2 requests MUST include exactly one valid value for the :method, :scheme, and :path pseudo-header fields, unless they are CONNECT requests (here: no :path).",
            s => Without(s, ":path"), "request without :path"),
        Malformed("8.3.1", 5, "h2spec http2/8.1.2.3/5",
            "The same pseudo-header field name MUST NOT appear more than once in a field block (here: :method).",
            s => HpackBytes.Block([(":method", "GET"), .. Pseudo(s)]), "request with two :method fields"),
        Malformed("8.3.1", 6, "h2spec http2/8.1.2.3/6",
            "The same pseudo-header field name MUST NOT appear more than once in a field block (here: :scheme).",
            s => HpackBytes.Block([(":scheme", s.Target.Scheme), .. Pseudo(s)]), "request with two :scheme fields"),
        Malformed("8.3.1", 7, "h2spec http2/8.1.2.3/7",
            "The same pseudo-header field name MUST NOT appear more than once in a field block (here: :path).",
            s => HpackBytes.Block([(":path", s.Target.Path), .. Pseudo(s)]), "request with two :path fields"));

    public static Seq<Case> ServerPush => Seq(
        H2("8.4", 1, "h2spec http2/8.2/1",
            "A client cannot push; servers MUST treat the receipt of a PUSH_PROMISE frame as a connection error of type PROTOCOL_ERROR.",
            Handshake(), Post(1),
            new Send("PUSH_PROMISE(stream 1, promised 2): GET request", s => Wire.Encode(new PushPromiseFrame(1, 2, s.Request()))),
            ConnectionError(PROTOCOL_ERROR)));
}
