using LanguageExt;
using static LanguageExt.Prelude;

namespace Http2.Reference.Hpack;

/// <summary>When the encoder Huffman-codes a string (§5.2).</summary>
public enum HuffmanPolicy
{
    /// <summary>Always raw octets.</summary>
    Never,

    /// <summary>Huffman only when strictly shorter than the raw octets (nghttp2).</summary>
    WhenShorter,

    /// <summary>Always Huffman, even when longer.</summary>
    Always,
}

/// <summary>Which literal representation (§6.2) the encoder picks for a field that is not sent as an index.</summary>
public enum IndexingPolicy
{
    /// <summary>
    /// nghttp2's rules: never indexed for <c>authorization</c> and for
    /// <c>cookie</c> values shorter than 20 octets (guessable secrets,
    /// §7.1.3); without indexing for <c>:path</c>, <c>age</c>,
    /// <c>content-length</c>, <c>etag</c>, <c>if-modified-since</c>,
    /// <c>if-none-match</c>, <c>location</c>, <c>set-cookie</c> (values that
    /// rarely repeat) and for entries over 3/4 of the table; everything else
    /// with incremental indexing.
    /// </summary>
    Nghttp2,

    /// <summary>Incremental indexing for every field that fits in the table (RFC 7541 Appendix C).</summary>
    Always,

    /// <summary>Literal without indexing for every field: the dynamic table stays empty.</summary>
    Never,
}

/// <summary>Where the encoder looks for an index first (§2.3.3).</summary>
public enum LookupOrder
{
    /// <summary>
    /// nghttp2's: an exact dynamic match; else a static name (its exact entry,
    /// else its first index as the name); else the newest dynamic entry with the name.
    /// </summary>
    Nghttp2,

    /// <summary>Appendix C's: an exact static match, an exact dynamic match, a static name, a dynamic name.</summary>
    StaticFirst,
}

/// <summary>
/// How the encoder chooses representations: a value passed in with the
/// encoder state, never a global setting. Every strategy produces valid HPACK;
/// they differ in size and in what they exercise in a peer's decoder. Fields
/// marked <see cref="HeaderField.Sensitive"/> are never-indexed literals
/// (§7.1.3) under every strategy.
/// </summary>
/// <param name="Name">Short name (command-line tools take it).</param>
/// <param name="Description">One line on what it does.</param>
/// <param name="Huffman">When strings are Huffman-coded.</param>
/// <param name="Indexing">Which literals are indexed.</param>
/// <param name="Lookup">Which index wins.</param>
public sealed record EncoderStrategy(string Name, string Description, HuffmanPolicy Huffman, IndexingPolicy Indexing, LookupOrder Lookup)
{
    /// <summary>nghttp2's choices (BEHAVIOUR.md): reproduces its wires byte for byte.</summary>
    public static EncoderStrategy Nghttp2 { get; } = new("nghttp2",
        "libnghttp2's encoder: its indexing rules, Huffman when shorter", HuffmanPolicy.WhenShorter, IndexingPolicy.Nghttp2, LookupOrder.Nghttp2);

    /// <summary>RFC 7541 Appendix C.3 and C.5: everything indexed, no Huffman.</summary>
    public static EncoderStrategy Rfc7541 { get; } = new("rfc7541",
        "RFC 7541 Appendix C.3/C.5: incremental indexing, static table first, raw strings", HuffmanPolicy.Never, IndexingPolicy.Always, LookupOrder.StaticFirst);

    /// <summary>RFC 7541 Appendix C.4 and C.6: everything indexed, Huffman.</summary>
    public static EncoderStrategy Rfc7541Huffman { get; } = new("rfc7541-huffman",
        "RFC 7541 Appendix C.4/C.6: incremental indexing, static table first, Huffman strings", HuffmanPolicy.Always, IndexingPolicy.Always, LookupOrder.StaticFirst);

    /// <summary>nghttp2's indexing with raw strings only.</summary>
    public static EncoderStrategy NoHuffman { get; } = new("no-huffman",
        "nghttp2's indexing, raw strings only", HuffmanPolicy.Never, IndexingPolicy.Nghttp2, LookupOrder.Nghttp2);

    /// <summary>Never adds to the dynamic table (static indices and literals without indexing).</summary>
    public static EncoderStrategy NoIndexing { get; } = new("no-indexing",
        "literals without indexing, static indices only; Huffman when shorter", HuffmanPolicy.WhenShorter, IndexingPolicy.Never, LookupOrder.Nghttp2);

    /// <summary>nghttp2's indexing, every string Huffman-coded even when longer.</summary>
    public static EncoderStrategy AlwaysHuffman { get; } = new("always-huffman",
        "nghttp2's indexing, every string Huffman-coded (even when longer)", HuffmanPolicy.Always, IndexingPolicy.Nghttp2, LookupOrder.Nghttp2);

    /// <summary>Every predefined strategy, <see cref="Nghttp2"/> first.</summary>
    public static IReadOnlyList<EncoderStrategy> All { get; } = [Nghttp2, Rfc7541, Rfc7541Huffman, NoHuffman, NoIndexing, AlwaysHuffman];

    /// <summary>The predefined strategy called <paramref name="name"/> (case-insensitive).</summary>
    public static Option<EncoderStrategy> Find(string name) =>
        Optional(All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase)));

    /// <inheritdoc />
    public override string ToString() => Name;
}
