namespace Http2.Reference.Hpack;

/// <summary>
/// The facades' failure (<see cref="Deflater"/>, <see cref="Inflater"/>): the
/// seed raised "Header compression/decompression error"; ours also carries
/// the RFC reason and, for decoding errors, the <see cref="HpackError"/>.
/// </summary>
public sealed class HpackException : Exception
{
    /// <summary>A failure with a reason and, when it came from decoding, the error value.</summary>
    public HpackException(string message, HpackError? error = null)
        : base(error is null ? $"Header compression/decompression error: {message}" : $"Header compression/decompression error: {error}")
    {
        Error = error;
    }

    /// <summary>An empty failure (for serializers and tools).</summary>
    public HpackException() : this("unspecified") { }

    /// <summary>A failure wrapping another exception.</summary>
    public HpackException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The decoding error behind this failure, when there is one (rule, RFC section, offset).</summary>
    public HpackError? Error { get; }
}
