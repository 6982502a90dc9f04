using Http2.Reference;
using Http2.Reference.Hpack;

namespace Tools.Cli;

/// <summary>
/// One representation of a header block (RFC 7541 §6) with what it did to
/// the dynamic table, as the explain view shows it.
/// </summary>
/// <param name="Representation">The representation, as the decoder read it.</param>
/// <param name="Octets">Its octets.</param>
/// <param name="Field">The field it produced (none for a size update).</param>
/// <param name="NameLength">Octets of the name string as sent, when the name is a literal.</param>
/// <param name="ValueLength">Octets of the value string as sent, for literals.</param>
/// <param name="Added">True when the field entered the dynamic table.</param>
/// <param name="Evicted">Entries evicted by it, in eviction order (oldest first).</param>
/// <param name="TableAfter">The dynamic table after it.</param>
public sealed record Step(
    Representation Representation, Bytes Octets, HeaderField? Field, int NameLength, int ValueLength,
    bool Added, IReadOnlyList<HeaderField> Evicted, DynamicTable TableAfter);

/// <summary>A walk over a header block: its steps, and the error that stopped it, if any.</summary>
/// <param name="Before">The context the block was decoded in.</param>
/// <param name="Steps">The representations read.</param>
/// <param name="Error">The decoding error, if any.</param>
/// <param name="After">The context after the block, when it decoded.</param>
public sealed record Walk(DecoderState Before, IReadOnlyList<Step> Steps, HpackError? Error, DecoderState? After);

/// <summary>
/// Walks a header block representation by representation with the reference
/// decoder's own trace (<see cref="HpackDecoder.Explain"/>), and adds what the
/// trace leaves out: the table after each representation, taken from the
/// decoder itself on the prefix of the block that ends there (so the view
/// cannot disagree with the decoder), and the evictions that follow from it.
/// </summary>
public static class BlockWalk
{
    /// <summary>The RFC 7541 section of a kind.</summary>
    public static string Section(RepresentationKind kind) => kind switch
    {
        RepresentationKind.Indexed => "6.1",
        RepresentationKind.LiteralWithIncrementalIndexing => "6.2.1",
        RepresentationKind.LiteralWithoutIndexing => "6.2.2",
        RepresentationKind.LiteralNeverIndexed => "6.2.3",
        RepresentationKind.SizeUpdate => "6.3",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Walks <paramref name="block"/> decoded in context <paramref name="before"/>.</summary>
    public static Walk Run(DecoderState before, Bytes block)
    {
        var explanation = HpackDecoder.Explain(before, block.Span);
        var steps = new List<Step>();
        var table = before.Table;
        foreach (var r in explanation.Representations)
        {
            var end = r.Offset + r.Length;
            // The decoder on the prefix up to this representation gives the exact table after it.
            var after = HpackDecoder.Decode(before, block.Span[..end], DecoderLimits.Unlimited)
                .Match(Right: d => d.State.Table, Left: _ => table);
            HeaderField? field = r.Kind == RepresentationKind.SizeUpdate ? null
                : new HeaderField(r.Name, r.Value, r.Kind == RepresentationKind.LiteralNeverIndexed);
            var added = r.Kind == RepresentationKind.LiteralWithIncrementalIndexing && field!.Size <= after.MaxSize;
            var evictedCount = Math.Max(0, table.Count + (added ? 1 : 0) - after.Count);
            var evicted = Enumerable.Range(0, evictedCount).Select(k => table[table.Count - 1 - k]).ToArray();
            steps.Add(new Step(r, new Bytes(block.Memory.Slice(r.Offset, r.Length)), field,
                StringLength(r.NameEncoding, r.Name), StringLength(r.ValueEncoding, r.Value), added, evicted, after));
            table = after;
        }
        return explanation.Outcome.Match(
            Right: state => new Walk(before, steps, null, state),
            Left: error => new Walk(before, steps, error, null));
    }

    /// <summary>
    /// The octets a string took on the wire: its length, or its Huffman code
    /// length (exact: valid padding is shorter than one octet, §5.2).
    /// </summary>
    private static int StringLength(StringEncoding encoding, Bytes text) => encoding switch
    {
        StringEncoding.Raw => text.Length,
        StringEncoding.Huffman => Huffman.EncodedLength(text.Span),
        _ => 0,
    };
}
