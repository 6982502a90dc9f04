using System.Globalization;
using LanguageExt;
using Http2.Reference.Hpack;

namespace Http2.Reference.Protocol;

/// <summary>What <see cref="HttpSemantics.PrepareResponse"/> changed in a response, and why.</summary>
public enum AdjustmentKind
{
    /// <summary>The response may carry no content (HEAD, 1xx, 204, 304): its body and trailers are not sent, the stream ends with the header section.</summary>
    ContentOmitted,
    /// <summary>A field the response must not carry was removed (connection-specific, or content-length where RFC 9110 §8.6 forbids it).</summary>
    FieldDropped,
}

/// <summary>One change <see cref="HttpSemantics.PrepareResponse"/> made to a response.</summary>
/// <param name="Kind">What was changed.</param>
/// <param name="Detail">A sentence for a log.</param>
/// <param name="Section">The section stating the rule ("RFC 9110 §9.3.2").</param>
public sealed record ResponseAdjustment(AdjustmentKind Kind, string Detail, string Section)
{
    /// <inheritdoc />
    public override string ToString() => $"{Detail} ({Section})";
}

/// <summary>A response header section as it goes on the wire.</summary>
/// <param name="Fields">The fields: :status first, names lower case, forbidden fields removed, date and server added.</param>
/// <param name="EndStream">Whether the header section ends the stream (forced for a final response without content).</param>
/// <param name="Adjustments">What was changed, in order (empty when nothing was).</param>
internal readonly record struct PreparedResponse(IReadOnlyList<HeaderField> Fields, bool EndStream, Seq<ResponseAdjustment> Adjustments)
{
    /// <summary>The content (body and trailers) the caller meant to send is not sent.</summary>
    public bool ContentOmitted => Adjustments.Exists(a => a.Kind == AdjustmentKind.ContentOmitted);
}

/// <summary>
/// The rules of HTTP semantics (RFC 9110) a server applies to every response
/// it produces, above the message rules of RFC 9113 §8 (<see cref="FieldValidation"/>).
/// Pure functions: the time of day comes in as a field the caller formatted
/// (<see cref="DateField"/>), so the shell can make it once per second.
/// </summary>
internal static class HttpSemantics
{
    /// <summary>
    /// Whether a response with <paramref name="status"/> to a request of
    /// that kind may carry content: not to HEAD (RFC 9110 §9.3.2: "The server
    /// SHOULD send the same header fields ... as GET" but "MUST NOT send
    /// content"), not 1xx (§15.2: "terminated by the end of the header
    /// section"), 204 (§15.3.5) or 304 (§15.4.5: "cannot contain content").
    /// </summary>
    public static bool ContentAllowed(bool headRequest, int status) => ForbiddingRule(headRequest, status) is null;

    /// <summary>The section that forbids content in this response; None when content is allowed.</summary>
    public static Option<string> NoContentRule(bool headRequest, int status) => Prelude.Optional(ForbiddingRule(headRequest, status));

    // Per response (PrepareResponse), so a plain nullable: no Option built on the hot path.
    private static string? ForbiddingRule(bool headRequest, int status) => status switch
    {
        >= 100 and < 200 => "RFC 9110 §15.2",
        204 => "RFC 9110 §15.3.5",
        304 => "RFC 9110 §15.4.5",
        _ when headRequest => "RFC 9110 §9.3.2",
        _ => null,
    };

    /// <summary>RFC 9110 §8.6: "A server MUST NOT send a Content-Length header field in any response with a status code of 1xx (Informational) or 204 (No Content)."</summary>
    public static bool ContentLengthForbidden(int status) => status is (>= 100 and < 200) or 204;

    /// <summary>
    /// A status a handler may send as an informational (1xx) response: 100 to
    /// 199 except 101 (RFC 9113 §8.6: HTTP/2 removes Switching Protocols).
    /// Null when allowed, else why not.
    /// </summary>
    public static string? InformationalError(int status) => status switch
    {
        101 => "101 (Switching Protocols) does not exist in HTTP/2 (RFC 9113 §8.6)",
        >= 100 and < 200 => null,
        _ => $"{status} is not an informational (1xx) status (RFC 9110 §15.2)",
    };

    /// <summary>
    /// RFC 9110 §10.1.1: the request asks for a 100 (Continue) before it
    /// sends its content — it has an <c>expect</c> field of "100-continue"
    /// (compared case-insensitively) and content still to come.
    /// </summary>
    public static bool ExpectsContinue(IReadOnlyList<HeaderField> fields, bool endStream)
    {
        if (endStream) return false;
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            if (f.Name.Span.SequenceEqual("expect"u8) && System.Text.Ascii.EqualsIgnoreCase(f.Value.Span, "100-continue"u8)) return true;
        }
        return false;
    }

    /// <summary>
    /// RFC 9110 §5.6.7 IMF-fixdate of <paramref name="time"/> ("Sun, 06 Nov 1994 08:49:37 GMT"),
    /// the form §6.6.1 asks for in <c>date</c>.
    /// </summary>
    public static string FormatDate(DateTimeOffset time) => time.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);

    /// <summary>The <c>date</c> field for <paramref name="time"/> (RFC 9110 §6.6.1).</summary>
    public static HeaderField DateField(DateTimeOffset time) => HeaderField.Of("date", FormatDate(time));

    /// <summary>RFC 9113 §8.2.2: connection, keep-alive, proxy-connection, transfer-encoding, upgrade.</summary>
    public static bool IsConnectionSpecific(ReadOnlySpan<byte> name) => (FieldFacts.OfName(name) & FieldFacts.ConnectionSpecific) != 0;

    /// <summary>
    /// A field with its name in lower case (RFC 9113 §8.2.1: names are lower
    /// case in HTTP/2; RFC 9110 §5.1: they are case-insensitive, so
    /// <c>Content-Type</c> means <c>content-type</c>). The field itself when it already is.
    /// </summary>
    public static HeaderField LowerCaseName(HeaderField f)
    {
        var name = f.Name.Span;
        if (name.IndexOfAnyInRange((byte)'A', (byte)'Z') < 0) return f;
        var lower = new byte[name.Length];
        System.Text.Ascii.ToLower(name, lower, out _);
        return f with { Name = lower };
    }

    /// <summary>
    /// Makes a server's response header section what RFC 9110 and RFC 9113
    /// §8 ask for, from what the application gave:
    /// <list type="bullet">
    /// <item>names in lower case (RFC 9113 §8.2.1);</item>
    /// <item>connection-specific fields removed (RFC 9113 §8.2.2: "MUST NOT generate");</item>
    /// <item>content-length removed from 1xx and 204 (RFC 9110 §8.6), kept for HEAD and 304 (§9.3.2, §15.4.5: it tells the size the GET would have);</item>
    /// <item>a final response that may carry no content (<see cref="NoContentRule"/>) ends the stream with its header section;</item>
    /// <item>a final response gets <paramref name="date"/> unless it has a <c>date</c> (RFC 9110 §6.6.1: an origin server with a clock MUST send it in 2xx-4xx; we do in 5xx too), and <paramref name="server"/> unless it has a <c>server</c> (§10.2.4).</item>
    /// </list>
    /// The first field must be <c>:status</c>; a section without a valid one
    /// is returned as given (the §8.3.2 check reports it).
    /// </summary>
    /// <param name="fields">The fields, <c>:status</c> first.</param>
    /// <param name="endStream">Whether the caller ends the stream with the section.</param>
    /// <param name="headRequest">The request's method is HEAD.</param>
    /// <param name="date">The <c>date</c> field to add (None: add none, e.g. no clock).</param>
    /// <param name="server">The <c>server</c> field to add (None: add none).</param>
    public static PreparedResponse PrepareResponse(IReadOnlyList<HeaderField> fields, bool endStream, bool headRequest, Option<HeaderField> date, Option<HeaderField> server)
    {
        var all = ReadOnlyLists.Span(fields);
        var status = all.Length > 0 ? StatusOf(all[0]) : -1;
        if (status < 0) return new(fields, endStream, Seq<ResponseAdjustment>.Empty);
        var final = status >= 200;
        var adjustments = Seq<ResponseAdjustment>.Empty;
        // One pass to learn what changes; most responses need only date (and server) appended.
        bool hasDate = false, hasServer = false, rewrite = false;
        var dropped = 0;
        foreach (var f in all[1..])
        {
            var name = f.Name.Span;
            // Lower case and not connection-specific: known from the §8.2 checks' cached facts.
            if (!FieldValidation.IsPlainRegular(f))
            {
                if (Drop(f, status) is not null) dropped++;
                else if (name.IndexOfAnyInRange((byte)'A', (byte)'Z') >= 0) rewrite = true;
                name = LowerCaseName(f).Name.Span;
            }
            else if (name.Length == 14 && ContentLengthForbidden(status) && name.SequenceEqual("content-length"u8)) dropped++;
            if (name.Length == 4 && name.SequenceEqual("date"u8)) hasDate = true;
            else if (name.Length == 6 && name.SequenceEqual("server"u8)) hasServer = true;
        }
        var addDate = final && !hasDate && date.IsSome;
        var addServer = final && !hasServer && server.IsSome;
        var result = fields;
        if (rewrite || dropped > 0 || addDate || addServer)
        {
            var copy = new HeaderField[all.Length - dropped + (addDate ? 1 : 0) + (addServer ? 1 : 0)];
            copy[0] = all[0];
            var n = 1;
            foreach (var field in all[1..])
            {
                var f = field;
                if ((rewrite || dropped > 0) && !FieldValidation.IsPlainRegular(f) || dropped > 0 && f.Name.Length == 14)
                {
                    if (Drop(f, status) is { } section)
                    {
                        adjustments = adjustments.Add(new ResponseAdjustment(AdjustmentKind.FieldDropped,
                            $"field '{LowerCaseName(f).NameText}' removed from a {status} response", section));
                        continue;
                    }
                    f = LowerCaseName(f);
                }
                copy[n++] = f;
            }
            if (addDate) copy[n++] = (HeaderField)date;
            if (addServer) copy[n++] = (HeaderField)server;
            result = copy;
        }
        if (final && !endStream && ForbiddingRule(headRequest, status) is { } rule)
        {
            adjustments = adjustments.Add(new ResponseAdjustment(AdjustmentKind.ContentOmitted,
                headRequest && status is not (204 or 304) ? "the response to HEAD carries no content; its body is not sent" : $"a {status} response carries no content; its body is not sent", rule));
            endStream = true;
        }
        return new(result, endStream, adjustments);
    }

    /// <summary>The section that removes <paramref name="f"/> from a response with <paramref name="status"/>, or null when it stays.</summary>
    private static string? Drop(HeaderField f, int status)
    {
        var name = LowerCaseName(f).Name.Span;
        if (IsConnectionSpecific(name)) return "RFC 9113 §8.2.2";
        if (name.Length == 14 && ContentLengthForbidden(status) && name.SequenceEqual("content-length"u8)) return "RFC 9110 §8.6";
        return null;
    }

    /// <summary>The three-digit status of a <c>:status</c> field, else -1.</summary>
    private static int StatusOf(HeaderField f)
    {
        if (!f.Name.Span.SequenceEqual(":status"u8)) return -1;
        var v = f.Value.Span;
        if (v.Length != 3 || !char.IsAsciiDigit((char)v[0]) || !char.IsAsciiDigit((char)v[1]) || !char.IsAsciiDigit((char)v[2])) return -1;
        return (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
    }
}
