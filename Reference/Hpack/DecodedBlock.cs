namespace Http2.Reference.Hpack;

/// <summary>The result of decoding one header block.</summary>
/// <param name="State">The context after the block.</param>
/// <param name="Fields">The fields in order (empty when <paramref name="ListSizeExceeded"/>).</param>
/// <param name="ListSizeExceeded">The list went over a limit of <see cref="DecoderLimits"/>; the table was still updated.</param>
public sealed record DecodedBlock(DecoderState State, IReadOnlyList<HeaderField> Fields, bool ListSizeExceeded);
