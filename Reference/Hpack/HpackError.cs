namespace Http2.Reference.Hpack;

/// <summary>
/// A decoding failure (RFC 7541 §2.3.3, §4.2, §5, §6). Every one of them is a
/// COMPRESSION_ERROR at the HTTP/2 layer (RFC 9113 §4.3): the decoding context
/// cannot be trusted afterwards.
/// </summary>
/// <param name="Rule">The rule broken, in words ("index 0 is not used").</param>
/// <param name="Section">The RFC 7541 section that states it ("6.1").</param>
/// <param name="Offset">The byte offset in the header block where the representation at fault starts.</param>
public sealed record HpackError(string Rule, string Section, int Offset)
{
    /// <summary>The HTTP/2 error code for every HPACK decoding error.</summary>
    public ErrorCode Code => ErrorCode.CompressionError;

    /// <inheritdoc />
    public override string ToString() => $"COMPRESSION_ERROR at offset {Offset}: {Rule} (RFC 7541 §{Section})";
}
