using System.Globalization;

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

    /// <summary>
    /// The status the preconditions decide for a GET or HEAD, or null to go on
    /// (§13.2.2): If-Match that fails is 412; If-None-Match that matches is 304;
    /// without If-None-Match, If-Modified-Since not older than the file is 304.
    /// </summary>
    /// <param name="header">The request's field value by (lower-case) name, or null.</param>
    public int? Evaluate(Func<string, string?> header)
    {
        // §13.1.1: If-Match compares strongly; "*" matches any current representation.
        if (header("if-match") is { } ifMatch && !AnyTag(ifMatch, weak: false)) return 412;
        if (header("if-unmodified-since") is { } ius && header("if-match") is null
            && HttpDate(ius) is { } unmodifiedSince && LastModified > unmodifiedSince) return 412; // §13.1.4
        // §13.1.2: If-None-Match compares weakly; for GET and HEAD a match is 304.
        if (header("if-none-match") is { } ifNoneMatch) return AnyTag(ifNoneMatch, weak: true) ? 304 : null;
        // §13.1.3: only without If-None-Match; an invalid date is ignored.
        if (header("if-modified-since") is { } ims && HttpDate(ims) is { } since && LastModified <= since) return 304;
        return null;
    }

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

    /// <summary>True when the list (or <c>*</c>) holds a tag matching ours (weakly: the W/ prefix ignored, §8.8.3.2).</summary>
    private bool AnyTag(string list, bool weak)
    {
        if (list.Trim() == "*") return true;
        foreach (var tag in Tags(list))
        {
            var isWeak = tag.StartsWith("W/", StringComparison.Ordinal);
            if (isWeak && !weak) continue;
            if ((isWeak ? tag[2..] : tag) == ETag) return true;
        }
        return false;
    }

    /// <summary>The entity tags of a comma-separated list (a tag's quoted part may itself hold commas).</summary>
    private static IEnumerable<string> Tags(string list)
    {
        var i = 0;
        while (i < list.Length)
        {
            while (i < list.Length && (list[i] is ' ' or '\t' or ',')) i++;
            if (i >= list.Length) yield break;
            var start = i;
            if (string.CompareOrdinal(list, i, "W/", 0, 2) == 0) i += 2;
            if (i < list.Length && list[i] == '"')
            {
                var close = list.IndexOf('"', i + 1);
                if (close < 0) yield break; // unterminated: nothing more to match
                i = close + 1;
                yield return list[start..i];
            }
            else
            {
                while (i < list.Length && list[i] != ',') i++; // not a tag: skipped
            }
        }
    }

    private static readonly string[] DateFormats =
    [
        "r",                                  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        "dddd, dd-MMM-yy HH:mm:ss 'GMT'",     // obsolete RFC 850 form
        "ddd MMM d HH:mm:ss yyyy",            // asctime
    ];

    /// <summary>An HTTP-date in any of the three forms a recipient must accept (§5.6.7), or null.</summary>
    public static DateTimeOffset? HttpDate(string text) =>
        DateTimeOffset.TryParseExact(text.Trim(), DateFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AllowInnerWhite | DateTimeStyles.AssumeUniversal, out var date) ? date : null;
}
