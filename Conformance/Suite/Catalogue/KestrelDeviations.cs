using LanguageExt;
using Conformance.Suite.Model;

namespace Conformance.Suite.Catalogue;

/// <summary>
/// Kestrel's examined failures (ASP.NET Core 10, tools/KestrelBaseline, h2c),
/// seen by the runner and checked by the agreement test's run: each quotes the
/// requirement Kestrel breaks. <c>--implementation kestrel</c> reports them
/// as known deviations.
/// </summary>
public static class KestrelDeviations
{
    /// <summary>The name on the command line.</summary>
    public const string Name = "kestrel";

    const string Malformed = " RFC 9113 §8.1.1: \"Malformed requests or responses that are detected MUST be treated as a stream error (Section 5.4.2) of type PROTOCOL_ERROR.\"";

    /// <summary>Explanations by case id.</summary>
    public static readonly HashMap<string, string> ById = Prelude.HashMap(
        ("9113/3.4/4", "Kestrel answers a PING sent right after the client connection preface, in place of SETTINGS, and waits. RFC 9113 §3.4: the preface \"MUST be followed by a SETTINGS frame\", and \"Clients and servers MUST treat an invalid connection preface as a connection error (Section 5.4.1) of type PROTOCOL_ERROR.\""),
        ("http2/5.1.1/2", "Kestrel answers HEADERS opening stream 3 after stream 5 with GOAWAY(STREAM_CLOSED) and closes (h2spec passes it: the close follows). RFC 9113 §5.1.1: \"An endpoint that receives an unexpected stream identifier MUST respond with a connection error (Section 5.4.1) of type PROTOCOL_ERROR.\""),
        ("9113/8.2.1/4", "Kestrel answers a request whose field value starts with SP. RFC 9113 §8.2.1: \"A field value MUST NOT start or end with an ASCII whitespace character\"; such a request is malformed." + Malformed),
        ("9113/8.2.1/5", "Kestrel answers a request whose field value ends with HTAB. RFC 9113 §8.2.1: \"A field value MUST NOT start or end with an ASCII whitespace character\"; such a request is malformed." + Malformed),
        ("9113/8.2.1/6", "Kestrel answers a request with SP in a field name. RFC 9113 §8.2.1: \"A field name MUST NOT contain characters in the ranges 0x00-0x20\"; such a request is malformed." + Malformed),
        ("9113/8.2.1/7", "Kestrel answers a request with a colon inside a field name. RFC 9113 §8.2.1: \"With the exception of pseudo-header fields ..., field names MUST NOT include a colon\"; such a request is malformed." + Malformed),
        ("9113/8.2.2/3", "Kestrel answers a request carrying transfer-encoding: chunked. RFC 9113 §8.2.2: \"Any message containing connection-specific header fields MUST be treated as malformed\" (Transfer-Encoding is one)." + Malformed),
        ("9113/8.2.2/4", "Kestrel answers a request carrying upgrade: h2c. RFC 9113 §8.2.2: \"Any message containing connection-specific header fields MUST be treated as malformed\" (Upgrade is one)." + Malformed),
        ("hpack/6.1/1", "Kestrel answers an indexed field with index 0 with GOAWAY(INTERNAL_ERROR) (h2spec passes it: the close follows). RFC 7541 §6.1: index 0 \"MUST be treated as a decoding error\"; RFC 9113 §4.3: \"A decoding error in a field block MUST be treated as a connection error (Section 5.4.1) of type COMPRESSION_ERROR.\""));

    /// <summary>The cases with Kestrel's deviations added.</summary>
    public static Seq<Case> Apply(Seq<Case> cases) =>
        cases.Map(c => ById.Find(c.Id).Match(why => c.Deviates(Name, why), () => c));
}
