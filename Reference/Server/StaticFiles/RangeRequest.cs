using System.Globalization;

namespace Http2.Reference.Server;

/// <summary>What a <c>range</c> field asks of a representation of a known length (RFC 9110 §14).</summary>
internal abstract record RangeRequest
{
    private RangeRequest() { }

    /// <summary>The whole representation (no range, one the server ignores, or several ranges: §14.2 lets a server ignore them).</summary>
    public sealed record Whole : RangeRequest;

    /// <summary>One satisfiable range: octets <paramref name="First"/> to <paramref name="Last"/> inclusive, answered 206 (§15.3.7).</summary>
    public sealed record Part(long First, long Last) : RangeRequest
    {
        /// <summary>The octets in the range.</summary>
        public long Length => Last - First + 1;
    }

    /// <summary>No octet of the representation is in the range: 416 with <c>content-range: bytes */LENGTH</c> (§15.5.17).</summary>
    public sealed record Unsatisfiable : RangeRequest;

    /// <summary>
    /// Reads a <c>range</c> field value (§14.1.2: <c>bytes=FIRST-LAST</c>,
    /// <c>bytes=FIRST-</c>, <c>bytes=-SUFFIX</c>) against a representation of
    /// <paramref name="length"/> octets. A value that is not one valid byte range
    /// is ignored (§14.2: "MAY ignore"), as is any range of an empty
    /// representation (nothing to cut).
    /// </summary>
    public static RangeRequest Of(string? value, long length)
    {
        if (value is null || length == 0) return new Whole();
        var eq = value.IndexOf('=');
        if (eq < 0 || !value.AsSpan(0, eq).Trim().Equals("bytes", StringComparison.OrdinalIgnoreCase)) return new Whole(); // §14.1: unknown units are ignored
        var spec = value[(eq + 1)..].Trim();
        if (spec.Contains(',', StringComparison.Ordinal)) return new Whole(); // several ranges: served whole
        var dash = spec.IndexOf('-');
        if (dash < 0) return new Whole();
        var firstText = spec[..dash].Trim();
        var lastText = spec[(dash + 1)..].Trim();
        if (firstText.Length == 0)
        {
            // suffix-range: the last N octets; "-0" selects nothing (§14.1.2)
            if (!Number(lastText, out var suffix)) return new Whole();
            return suffix == 0 ? new Unsatisfiable() : new Part(Math.Max(0, length - suffix), length - 1);
        }
        if (!Number(firstText, out var first)) return new Whole();
        long last = length - 1;
        if (lastText.Length > 0)
        {
            if (!Number(lastText, out var given) || given < first) return new Whole(); // §14.1.1: last < first is invalid
            last = Math.Min(given, length - 1);
        }
        return first >= length ? new Unsatisfiable() : new Part(first, last);
    }

    private static bool Number(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
