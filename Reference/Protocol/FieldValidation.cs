using System.Runtime.CompilerServices;
using LanguageExt;
using static LanguageExt.Prelude;
using Http2.Reference.Hpack;

namespace Http2.Reference.Protocol;

/// <summary>Why a message is malformed (RFC 9113 §8.1.1): a stream error PROTOCOL_ERROR for the receiver.</summary>
/// <param name="Reason">The rule broken.</param>
/// <param name="Section">The section stating it.</param>
public sealed record Malformed(string Reason, string Section)
{
    /// <summary>The stream error this is for stream <paramref name="streamId"/>.</summary>
    public StreamError ToStreamError(uint streamId) => new(streamId, ErrorCode.ProtocolError, "malformed: " + Reason, Section);
}

/// <summary>What the connection needs to know about a valid request header section.</summary>
/// <param name="IsConnect">:method is CONNECT (§8.5).</param>
/// <param name="ContentLength">The declared content-length, if any (§8.1.1).</param>
public readonly record struct RequestHead(bool IsConnect, Option<long> ContentLength)
{
    /// <summary>How many cookie fields the request has (§8.2.3: two or more are joined for the application).</summary>
    public int Cookies { get; init; }

    /// <summary>:method is HEAD: the response carries no content (RFC 9110 §9.3.2).</summary>
    public bool IsHead { get; init; }
}

/// <summary>What the connection needs to know about a valid response header section.</summary>
/// <param name="Status">The :status code.</param>
/// <param name="ContentLength">The declared content-length, if any.</param>
public readonly record struct ResponseHead(int Status, Option<long> ContentLength)
{
    /// <summary>1xx: more header sections follow (§8.1).</summary>
    public bool IsInformational => Status is >= 100 and < 200;
}

/// <summary>
/// The message rules of RFC 9113 §8.1-§8.3 and §8.5 over decoded field
/// lists: pure checks, one pass over the octets, no allocation unless a
/// cookie must be joined.
/// </summary>
public static class FieldValidation
{
    private static Malformed Bad(string reason, string section) => new(reason, section);


    /// <summary>
    /// §8.2.1: a name is not empty and has no octet in 0x00-0x20, 0x41-0x5a
    /// (uppercase) or 0x7f-0xff, and no colon except the pseudo-header's first.
    /// </summary>
    public static Either<Malformed, Unit> CheckName(ReadOnlySpan<byte> name) => NameError(name) is { } bad ? bad : unit;

    private static Malformed? NameError(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty) return Bad("empty field name", "8.2.1");
        var skip = name[0] == (byte)':' ? 1 : 0;
        var at = name[skip..].IndexOfAny(FieldFacts.NotInName);
        if (at < 0) return null;
        var c = name[skip + at];
        return c is >= (byte)'A' and <= (byte)'Z' ? Bad("uppercase character in a field name", "8.2.1")
            : c == (byte)':' ? Bad("colon inside a field name", "8.2.1")
            : Bad("forbidden character in a field name", "8.2.1");
    }

    /// <summary>§8.2.1: a value has no NUL, CR or LF, and does not start or end with SP or HTAB.</summary>
    public static Either<Malformed, Unit> CheckValue(ReadOnlySpan<byte> value) => ValueError(value) is { } bad ? bad : unit;

    private static Malformed? ValueError(ReadOnlySpan<byte> value)
    {
        if (value.IndexOfAny(FieldFacts.NotInValue) >= 0) return Bad("NUL, CR or LF in a field value", "8.2.1");
        if (!value.IsEmpty && (value[0] is (byte)' ' or (byte)'\t' || value[^1] is (byte)' ' or (byte)'\t'))
            return Bad("leading or trailing whitespace in a field value", "8.2.1");
        return null;
    }

    /// <summary>
    /// Checks a regular (non-pseudo) field: name and value characters
    /// (§8.2.1), connection-specific fields (§8.2.2), TE other than
    /// "trailers" (§8.2.2). Right: the field itself.
    /// </summary>
    public static Either<Malformed, HeaderField> CheckRegular(HeaderField f) => RegularError(f) is { } bad ? bad : f;

    private static Malformed? RegularError(HeaderField f) => (Facts(f) & RegularOk) != 0 ? null : ComputeRegularError(f);

    private static Malformed? ComputeRegularError(HeaderField f)
    {
        var name = f.Name.Span;
        if (NameError(name) is { } badName) return badName;
        if (ValueError(f.Value.Span) is { } badValue) return badValue;
        return SpecificError(f);
    }

    // §8.2.2 alone: connection-specific fields, TE other than "trailers".
    private static Malformed? SpecificError(HeaderField f)
    {
        var name = f.Name.Span;
        // §8.2.2: "An endpoint MUST NOT generate an HTTP/2 message containing connection-specific header fields."
        var connectionSpecific = name.Length switch
        {
            7 => name.SequenceEqual("upgrade"u8),
            10 => name.SequenceEqual("connection"u8) || name.SequenceEqual("keep-alive"u8),
            16 => name.SequenceEqual("proxy-connection"u8),
            17 => name.SequenceEqual("transfer-encoding"u8),
            _ => false,
        };
        if (connectionSpecific) return Bad($"connection-specific field '{f.NameText}'", "8.2.2");
        if (name.Length == 2 && name.SequenceEqual("te"u8) && !f.Value.Span.SequenceEqual("trailers"u8))
            return Bad("TE with a value other than \"trailers\"", "8.2.2");
        return null;
    }

    // ---- per-field facts (FieldFacts): part of the field's value, never written here ------------

    private const int ValueOk = FieldFacts.ValueOk, RegularOk = FieldFacts.RegularOk;

    /// <summary>
    /// The verdicts on one field's octets: those the field was made with (the
    /// decoder computes them while it reads the octets, the static table's
    /// entries have them from the start, so a field from a table is checked
    /// once, not on every message that uses it), or else computed now and kept
    /// nowhere: a field is an immutable value shared between connections.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // a field load on every check of every field: the computation stays out of line
    private static int Facts(HeaderField f)
    {
        var facts = f.Facts;
        return facts != 0 ? facts : ComputeFacts(f);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int ComputeFacts(HeaderField f) => FieldFacts.Of(f.Name.Span, f.Value.Span);

    private static FieldKind KindOf(int facts) => FieldFacts.KindOf(facts);

    /// <summary>A regular field that passes every §8.2 check (lower case, not connection-specific, a clean value): from the facts the field was made with, or computed now.</summary>
    internal static bool IsPlainRegular(HeaderField f) => (Facts(f) & RegularOk) != 0;

    /// <summary>
    /// A regular field of a request or response: <see cref="CheckRegular"/>,
    /// then content-length (§8.1.1): digits, and equal to any earlier one
    /// (RFC 9110 §8.6 allows repeats of one value only).
    /// </summary>
    private static Malformed? RegularWithLength(HeaderField f, int facts, ref long contentLength)
    {
        if ((facts & RegularOk) == 0) return ComputeRegularError(f);
        if (KindOf(facts) != FieldKind.ContentLength) return null;
        var parsed = ParseLength(f.Value.Span);
        if (parsed < 0) return Bad("content-length is not a number", "8.1.1");
        if (contentLength >= 0 && contentLength != parsed) return Bad("conflicting content-length fields", "8.1.1");
        contentLength = parsed;
        return null;
    }

    /// <summary>
    /// The request rules: pseudo-headers (§8.3, §8.3.1) — only :method,
    /// :scheme, :authority, :path, each at most once, before every regular
    /// field; :method, :scheme and a non-empty :path present, except for
    /// CONNECT (§8.5: :authority only); regular fields as
    /// <see cref="CheckRegular"/>; content-length digits, consistent, and 0
    /// when <paramref name="endStream"/> (§8.1.1).
    /// </summary>
    public static Either<Malformed, RequestHead> CheckRequest(IReadOnlyList<HeaderField> fields, bool endStream)
    {
        bool method = false, scheme = false, authority = false, path = false, regular = false, connect = false, isHead = false;
        long contentLength = -1;
        var cookies = 0;
        foreach (var f in ReadOnlyLists.Span(fields))
        {
            var facts = Facts(f);
            var kind = KindOf(facts);
            if (kind >= FieldKind.Method)
            {
                if (regular) return Bad("pseudo-header after a regular field", "8.3");
                switch (kind)
                {
                    case FieldKind.Method:
                        if (method) return Bad("repeated :method", "8.3");
                        if (f.Value.IsEmpty) return Bad("empty :method", "8.3.1");
                        method = true;
                        connect = f.Value.Span.SequenceEqual("CONNECT"u8);
                        isHead = f.Value.Span.SequenceEqual("HEAD"u8);
                        break;
                    case FieldKind.Scheme:
                        if (scheme) return Bad("repeated :scheme", "8.3");
                        scheme = true;
                        break;
                    case FieldKind.Authority:
                        if (authority) return Bad("repeated :authority", "8.3");
                        authority = true;
                        break;
                    case FieldKind.Path:
                        if (path) return Bad("repeated :path", "8.3");
                        if (f.Value.IsEmpty) return Bad("empty :path", "8.3.1");
                        path = true;
                        break;
                    case FieldKind.Status:
                        return Bad("response pseudo-header :status in a request", "8.3");
                    default:
                        return Bad($"unknown pseudo-header '{f.NameText}'", "8.3");
                }
                if ((facts & ValueOk) == 0) return ValueError(f.Value.Span)!;
                continue;
            }
            regular = true;
            if (kind == FieldKind.Cookie) cookies++;
            if ((facts & RegularOk) != 0 && kind != FieldKind.ContentLength) continue; // the usual field: nothing more to check
            if (RegularWithLength(f, facts, ref contentLength) is { } bad) return bad;
        }
        if (!method) return Bad("missing :method", "8.3.1");
        if (connect)
        {
            // §8.5: ":scheme and :path pseudo-header fields MUST be omitted", ":authority ... MUST" be present.
            if (scheme || path) return Bad("CONNECT with :scheme or :path", "8.5");
            if (!authority) return Bad("CONNECT without :authority", "8.5");
        }
        else
        {
            if (!scheme) return Bad("missing :scheme", "8.3.1");
            if (!path) return Bad("missing :path", "8.3.1");
        }
        if (endStream && contentLength > 0) return Bad("content-length does not match an empty body", "8.1.1");
        return new RequestHead(connect, contentLength >= 0 ? contentLength : Option<long>.None) { Cookies = cookies, IsHead = isHead };
    }

    /// <summary>
    /// The response rules (client role): exactly one :status of three digits
    /// (§8.3.2), no request pseudo-headers, pseudo-headers first, regular
    /// fields as <see cref="CheckRegular"/>, content-length digits and consistent.
    /// </summary>
    public static Either<Malformed, ResponseHead> CheckResponse(IReadOnlyList<HeaderField> fields, bool endStream)
    {
        var status = -1;
        var regular = false;
        long contentLength = -1;
        foreach (var f in ReadOnlyLists.Span(fields))
        {
            var facts = Facts(f);
            var kind = KindOf(facts);
            if (kind >= FieldKind.Method)
            {
                if (regular) return Bad("pseudo-header after a regular field", "8.3");
                if (kind != FieldKind.Status) return Bad($"pseudo-header '{f.NameText}' in a response", "8.3");
                if (status >= 0) return Bad("repeated :status", "8.3");
                var v = f.Value.Span;
                if (v.Length != 3 || !char.IsAsciiDigit((char)v[0]) || !char.IsAsciiDigit((char)v[1]) || !char.IsAsciiDigit((char)v[2]))
                    return Bad(":status is not three digits", "8.3.2");
                status = (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
                continue;
            }
            regular = true;
            if ((facts & RegularOk) != 0 && kind != FieldKind.ContentLength) continue; // the usual field: nothing more to check
            if (RegularWithLength(f, facts, ref contentLength) is { } bad) return bad;
        }
        if (status < 0) return Bad("missing :status", "8.3.2");
        return new ResponseHead(status, contentLength >= 0 ? contentLength : Option<long>.None);
    }

    /// <summary>Trailers (§8.1): no pseudo-headers (§8.3), regular fields as <see cref="CheckRegular"/>. Right: the fields themselves.</summary>
    public static Either<Malformed, IReadOnlyList<HeaderField>> CheckTrailers(IReadOnlyList<HeaderField> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            if (f.Name.Length > 0 && f.Name.Span[0] == (byte)':') return Bad("pseudo-header in trailers", "8.1");
            if (RegularError(f) is { } bad) return bad;
        }
        return Either<Malformed, IReadOnlyList<HeaderField>>.Right(fields);
    }

    /// <summary>A content-length value: one or more ASCII digits, no sign, no overflow.</summary>
    public static Option<long> ParseContentLength(ReadOnlySpan<byte> value) =>
        ParseLength(value) is var n and >= 0 ? n : None;

    private static long ParseLength(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty || value.Length > 18) return -1;
        long n = 0;
        foreach (var c in value)
        {
            if (c is < (byte)'0' or > (byte)'9') return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /// <summary>
    /// §8.2.3: several cookie fields are joined with "; " into one before the
    /// message goes to a context that is not HTTP/2; the joined field takes
    /// the place of the first. Returns the list itself when there is at most one.
    /// </summary>
    public static IReadOnlyList<HeaderField> JoinCookies(IReadOnlyList<HeaderField> fields)
    {
        var count = 0;
        for (var i = 0; i < fields.Count; i++)
            if (fields[i].Name.Span.SequenceEqual("cookie"u8)) count++;
        if (count < 2) return fields;
        var joined = new List<byte>();
        var first = -1;
        var result = new List<HeaderField>(fields.Count - count + 1);
        var sensitive = false;
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            if (!f.Name.Span.SequenceEqual("cookie"u8)) { result.Add(f); continue; }
            if (first < 0) { first = result.Count; result.Add(f); }
            else joined.AddRange("; "u8.ToArray());
            joined.AddRange(f.Value.Span.ToArray());
            sensitive |= f.Sensitive;
        }
        result[first] = new HeaderField(result[first].Name, joined.ToArray(), sensitive);
        return result;
    }
}
