using System.Globalization;
using System.Text;
using Http2.Reference.Hpack;

namespace Http2.Reference.Server;

/// <summary>
/// The validators of a served file (RFC 9110 §8.8) and the conditional request
/// fields evaluated against them (§13.1, in the order of §13.2.2).
/// </summary>
/// <param name="ETag">A strong entity tag, quotes included (§8.8.3).</param>
/// <param name="LastModified">The modification time, whole seconds (§8.8.2).</param>
internal sealed record Validators(string ETag, DateTimeOffset LastModified)
{
    /// <summary>
    /// Validators of a file from its length and modification time (as nginx makes them):
    /// a change of either changes the tag.
    /// </summary>
    public static Validators Of(long length, DateTime lastWriteUtc)
    {
        var seconds = new DateTimeOffset(DateTime.SpecifyKind(lastWriteUtc, DateTimeKind.Utc)).ToUnixTimeSeconds();
        return new Validators(
            string.Create(CultureInfo.InvariantCulture, $"\"{seconds:x}-{length:x}\""),
            DateTimeOffset.FromUnixTimeSeconds(seconds));
    }

    /// <summary>The <c>last-modified</c> value: an IMF-fixdate (§5.6.7).</summary>
    public string LastModifiedText => LastModified.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);

    /// <summary>The <c>etag</c> and <c>last-modified</c> fields, as every answer about the file carries them (a 304 too, §15.4.5).</summary>
    public (string, string)[] Fields() => [("etag", ETag), ("last-modified", LastModifiedText)];

    /// <summary>The same fields as octets (<see cref="Fields"/>), new ones on each call: keep them to share them.</summary>
    public HeaderField[] HeaderFields() => [HeaderField.Of("etag", ETag), HeaderField.Of("last-modified", LastModifiedText)];

    /// <summary>
    /// The status the preconditions decide for a GET or HEAD, or null to go on
    /// (§13.2.2): If-Match that fails is 412; If-None-Match that matches is 304;
    /// without If-None-Match, If-Modified-Since not older than the file is 304.
    /// The fields are read as octets: nothing is allocated but for a date's parse.
    /// </summary>
    /// <param name="fields">The request's fields (names lower case, RFC 9113 §8.2.1).</param>
    public int? Evaluate(IReadOnlyList<HeaderField> fields)
    {
        // One pass for the four fields. If-Match and If-None-Match are lists: several lines of one
        // are one list (§5.3), so a tag in any line counts; of the dates, the first line counts.
        bool ifMatch = false, ifMatchHit = false, ifNoneMatch = false, ifNoneMatchHit = false;
        HeaderField? ifUnmodifiedSince = null, ifModifiedSince = null;
        for (var i = 0; i < fields.Count; i++)
        {
            var f = fields[i];
            var name = f.Name.Span;
            if (name.Length < 8 || !name.StartsWith("if-"u8)) continue;
            if (name.SequenceEqual("if-match"u8)) { ifMatch = true; ifMatchHit = ifMatchHit || AnyTag(f.Value.Span, weak: false); }
            else if (name.SequenceEqual("if-none-match"u8)) { ifNoneMatch = true; ifNoneMatchHit = ifNoneMatchHit || AnyTag(f.Value.Span, weak: true); }
            else if (name.SequenceEqual("if-modified-since"u8)) ifModifiedSince ??= f;
            else if (name.SequenceEqual("if-unmodified-since"u8)) ifUnmodifiedSince ??= f;
        }
        // §13.1.1: If-Match compares strongly; "*" matches any current representation.
        if (ifMatch && !ifMatchHit) return 412;
        if (!ifMatch && ifUnmodifiedSince is not null
            && HttpDate(ifUnmodifiedSince.Value.Span) is { } unmodifiedSince && LastModified > unmodifiedSince) return 412; // §13.1.4
        // §13.1.2: If-None-Match compares weakly; for GET and HEAD a match is 304.
        if (ifNoneMatch) return ifNoneMatchHit ? 304 : null;
        // §13.1.3: only without If-None-Match; an invalid date is ignored.
        if (ifModifiedSince is not null && (ifModifiedSince.Value.Span.SequenceEqual(lastModifiedOctets) // our own last-modified sent back: the same date
            || HttpDate(ifModifiedSince.Value.Span) is { } since && LastModified <= since)) return 304;
        return null;
    }

    /// <summary><see cref="LastModifiedText"/> as octets: what a client sends back in If-Modified-Since.</summary>
    private readonly byte[] lastModifiedOctets = Encoding.ASCII.GetBytes(LastModified.UtcDateTime.ToString("r", CultureInfo.InvariantCulture));

    /// <summary>
    /// §13.1.5: a range request applies only when If-Range (if any) still names this
    /// representation: an entity tag by strong comparison, or the exact Last-Modified date.
    /// </summary>
    public bool RangeApplies(string? ifRange)
    {
        if (ifRange is null) return true;
        var value = ifRange.Trim();
        if (value.StartsWith('"') || value.StartsWith("W/", StringComparison.Ordinal))
            return !value.StartsWith("W/", StringComparison.Ordinal) && value == ETag;
        return HttpDate(value) is { } date && date == LastModified;
    }

    /// <summary>The entity tag as octets, to compare with request fields.</summary>
    private readonly byte[] etagOctets = Encoding.ASCII.GetBytes(ETag);

    /// <summary>
    /// True when the list (or <c>*</c>) holds a tag matching ours (weakly: the W/ prefix ignored,
    /// §8.8.3.2). A tag's quoted part may itself hold commas; an entry that is not a tag is skipped.
    /// </summary>
    private bool AnyTag(ReadOnlySpan<byte> list, bool weak)
    {
        if (list.Trim(" \t"u8).SequenceEqual("*"u8)) return true;
        var i = 0;
        while (i < list.Length)
        {
            while (i < list.Length && list[i] is (byte)' ' or (byte)'\t' or (byte)',') i++;
            if (i >= list.Length) return false;
            var isWeak = list[i..].StartsWith("W/"u8);
            if (isWeak) i += 2;
            if (i < list.Length && list[i] == '"')
            {
                var close = list[(i + 1)..].IndexOf((byte)'"');
                if (close < 0) return false; // unterminated: nothing more to match
                var tag = list.Slice(i, close + 2);
                i += close + 2;
                if ((weak || !isWeak) && tag.SequenceEqual(etagOctets)) return true;
            }
            else
            {
                while (i < list.Length && list[i] != ',') i++; // not a tag: skipped
            }
        }
        return false;
    }

    private static readonly string[] DateFormats =
    [
        "r",                                  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        "dddd, dd-MMM-yy HH:mm:ss 'GMT'",     // obsolete RFC 850 form
        "ddd MMM d HH:mm:ss yyyy",            // asctime
    ];

    /// <summary>An HTTP-date in any of the three forms a recipient must accept (§5.6.7), or null.</summary>
    public static DateTimeOffset? HttpDate(string text) => HttpDate(text.AsSpan());

    private static DateTimeOffset? HttpDate(ReadOnlySpan<char> text) =>
        DateTimeOffset.TryParseExact(text.Trim(), DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AllowInnerWhite | DateTimeStyles.AssumeUniversal, out var date) ? date : null;

    /// <summary>An HTTP-date given as a field's octets (ASCII; any other octet fails the parse), or null.</summary>
    private static DateTimeOffset? HttpDate(ReadOnlySpan<byte> octets)
    {
        if (octets.Length > 64) return HttpDate(Encoding.Latin1.GetString(octets)); // not a date but with much white space: as text
        Span<char> text = stackalloc char[octets.Length];
        for (var i = 0; i < octets.Length; i++) text[i] = (char)octets[i];
        return HttpDate(text);
    }
}
