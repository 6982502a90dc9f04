using LanguageExt;

namespace Http2.Reference.Hpack;

/// <summary>The kinds of representation of RFC 7541 §6.</summary>
public enum RepresentationKind
{
    /// <summary>§6.1 indexed header field (first bit 1).</summary>
    Indexed,

    /// <summary>§6.2.1 literal with incremental indexing (01): the field is added to the dynamic table.</summary>
    LiteralWithIncrementalIndexing,

    /// <summary>§6.2.2 literal without indexing (0000).</summary>
    LiteralWithoutIndexing,

    /// <summary>§6.2.3 literal never indexed (0001): intermediaries must keep it a literal.</summary>
    LiteralNeverIndexed,

    /// <summary>§6.3 dynamic table size update (001).</summary>
    SizeUpdate,
}

/// <summary>How a string of a literal was sent (§5.2).</summary>
public enum StringEncoding
{
    /// <summary>No string: an indexed field, an indexed name, or a size update.</summary>
    None,

    /// <summary>Raw octets (H = 0).</summary>
    Raw,

    /// <summary>Huffman-coded (H = 1, Appendix B).</summary>
    Huffman,
}

/// <summary>One representation of a header block, as read (for <c>hpack explain</c>).</summary>
/// <param name="Offset">Offset of its first octet in the block.</param>
/// <param name="Length">Octets it takes.</param>
/// <param name="Kind">Which representation of §6.</param>
/// <param name="Index">The index (Indexed), the name index (literals; 0 = new name), or 0 (size update).</param>
/// <param name="NameEncoding">How the name was sent (<see cref="StringEncoding.None"/> when indexed).</param>
/// <param name="ValueEncoding">How the value was sent (<see cref="StringEncoding.None"/> when indexed).</param>
/// <param name="Name">The field's name (empty for a size update).</param>
/// <param name="Value">The field's value (empty for a size update).</param>
/// <param name="NewMaxSize">The new maximum table size of a size update; 0 otherwise.</param>
public sealed record Representation(
    int Offset, int Length, RepresentationKind Kind, int Index,
    StringEncoding NameEncoding, StringEncoding ValueEncoding, Bytes Name, Bytes Value, int NewMaxSize);

/// <summary>A header block taken apart: the representations read, and the state afterwards or the error that stopped the walk.</summary>
/// <param name="Representations">Every representation read before the end or the error.</param>
/// <param name="Outcome">The state after the block (its dynamic table included), or the error.</param>
public sealed record Explanation(IReadOnlyList<Representation> Representations, Either<HpackError, DecoderState> Outcome);

public static partial class HpackDecoder
{
    /// <summary>
    /// Decodes a block representation by representation, for tools that show
    /// what each octet means. No limits apply. Never throws.
    /// </summary>
    public static Explanation Explain(DecoderState state, ReadOnlySpan<byte> block)
    {
        var trace = new List<Representation>();
        var result = Run(state, block, DecoderLimits.Unlimited, trace);
        return new Explanation(trace, result.Map(decoded => decoded.State));
    }
}
