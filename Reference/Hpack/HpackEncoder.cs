using System.Buffers;

namespace Http2.Reference.Hpack;

/// <summary>
/// The HPACK encoder (RFC 7541 §3.1, §6) as a function: a state and a field
/// list in, a new state and the header block out. The input state is never
/// modified; the dynamic table is copied once per block that changes it.
/// </summary>
public static class HpackEncoder
{
    private enum Literal : byte
    {
        IncrementalIndexing = 0x40, // §6.2.1, 6-bit index
        WithoutIndexing = 0x00,     // §6.2.2, 4-bit index
        NeverIndexed = 0x10,        // §6.2.3, 4-bit index
    }

    /// <summary>Encodes one header block.</summary>
    /// <exception cref="ArgumentNullException">When the state, the list or a field is null.</exception>
    public static (EncoderState State, byte[] Block) Encode(EncoderState state, IReadOnlyList<HeaderField> fields)
    {
        var all = Fields(fields);
        ArgumentNullException.ThrowIfNull(state);
        // The same field objects as the last block that left the table as it was: the same octets (EncoderState.Remembered).
        if (state.Remembered(all) is { } known) return (state, known.AsSpan().ToArray());
        var rented = ArrayPool<byte>.Shared.Rent(Bound(state, all));
        try
        {
            var next = EncodeInto(state, all, rented, out var written);
            var block = rented.AsSpan(0, written);
            return (ReferenceEquals(next, state) ? state.Remember(all, block) : next, block.ToArray());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Encodes one header block into <paramref name="output"/> (the server's
    /// path: no intermediate array) and returns the new state.
    /// </summary>
    /// <exception cref="ArgumentNullException">When an argument or a field is null.</exception>
    public static EncoderState Encode(EncoderState state, IReadOnlyList<HeaderField> fields, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var all = Fields(fields);
        ArgumentNullException.ThrowIfNull(state);
        if (state.Remembered(all) is { } known)
        {
            output.Write(known);
            return state;
        }
        var span = output.GetSpan(Bound(state, all));
        var next = EncodeInto(state, all, span, out var written);
        if (ReferenceEquals(next, state)) next = state.Remember(all, span[..written]);
        output.Advance(written);
        return next;
    }

    /// <summary>
    /// Octets a block can take at most: 12 of size updates, then per field 18
    /// of prefixes and lengths plus its octets (times 4 when every string is
    /// Huffman-coded: a code is at most 30 bits per octet). Checks the arguments.
    /// (A string Huffman-coded only when shorter may be coded tentatively past its
    /// raw length by up to 4 octets: within the 6 its length prefix may take.)
    /// </summary>
    private static int Bound(EncoderState state, ReadOnlySpan<HeaderField> fields)
    {
        ArgumentNullException.ThrowIfNull(state);
        var expansion = state.Strategy.Huffman == HuffmanPolicy.Always ? 4L : 1L;
        long bound = 12;
        for (var i = 0; i < fields.Length; i++)
        {
            var field = fields[i] ?? throw new ArgumentNullException(nameof(fields), $"field {i} is null");
            bound += 18 + (field.Name.Length + (long)field.Value.Length) * expansion;
        }
        return bound <= int.MaxValue ? (int)bound : throw new ArgumentException("the field list is too large to encode", nameof(fields));
    }

    // The block into a span of at least Bound octets.
    private static EncoderState EncodeInto(EncoderState state, ReadOnlySpan<HeaderField> fields, Span<byte> span, out int written)
    {
        var table = state.Table;
        var owned = false;
        var strategy = state.Strategy;
        var n = 0;
        if (state.SizeUpdatePending)
        {
            // §4.2: signal the smallest maximum since the last block when the table grew again afterwards, then the current one.
            if (state.SmallestSinceLastBlock < table.MaxSize) n += Integer.Write(span, state.SmallestSinceLastBlock, 5, 0x20);
            n += Integer.Write(span[n..], table.MaxSize, 5, 0x20);
        }
        foreach (var field in fields) n += EncodeField(span[n..], field, strategy, ref table, ref owned);
        written = n;
        return state.AfterBlock(table);
    }

    // A list or an array is walked as a span (no interface call per field).
    private static ReadOnlySpan<HeaderField> Fields(IReadOnlyList<HeaderField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return ReadOnlyLists.Span(fields);
    }

    // What the encoder learns of a field is computed here, per use, and kept nowhere but
    // in its own dynamic table (the name hash of an entry): a field is an immutable value.
    private static int EncodeField(Span<byte> destination, HeaderField field, EncoderStrategy strategy, ref DynamicTable table, ref bool owned)
    {
        var name = field.Name.Span;
        var value = field.Value.Span;
        // The first static index with the name decides nghttp2's indexing rules, so it comes first.
        var match = StaticTable.Match(name, value, field.Sensitive);
        int staticName = match & 0xff, staticMatch = match >> 8;
        var literal = Choose(field, strategy, table.MaxSize, staticName);
        var never = literal == Literal.NeverIndexed;

        // A never-indexed field may only borrow a name (§6.2.3), so its value is not looked up.
        // An exact static match wins in either lookup order: nghttp2 looks in the dynamic table
        // first, but a field equal to a static entry is always sent as that index, so never
        // enters the dynamic table, where the walk could only find it absent.
        var staticExact = staticMatch > 0 && !never;
        var staticIndex = staticExact ? staticMatch : staticName;
        if (staticExact) return Integer.Write(destination, staticIndex, 7, 0x80);

        // The dynamic table is searched by name hash (a static name's is precomputed).
        uint nameHash = 0, valuePrint = 0;
        var hashed = false;
        int dynamicName = -1;
        if (table.Count > 0)
        {
            nameHash = staticName > 0 ? StaticTable.NameHash(staticName) : DynamicTable.Hash(name, 0);
            hashed = true;
            var dynamicExact = table.Find(name, value, nameHash, staticName, never, out dynamicName, out valuePrint);
            if (dynamicExact >= 0) return Integer.Write(destination, StaticTable.Length + 1 + dynamicExact, 7, 0x80);
        }
        var nameIndex = staticIndex > 0 ? staticIndex : dynamicName >= 0 ? StaticTable.Length + 1 + dynamicName : 0;

        var n = Integer.Write(destination, nameIndex, literal == Literal.IncrementalIndexing ? 6 : 4, (byte)literal);
        if (nameIndex == 0) n += WriteString(destination[n..], name, strategy.Huffman);
        n += WriteString(destination[n..], value, strategy.Huffman);

        if (literal == Literal.IncrementalIndexing)
        {
            if (!owned)
            {
                table = table.Clone();
                owned = true;
            }
            // The table outlives the caller's buffers: it keeps its own copy of the octets.
            if (hashed) table.Add(name, value, nameHash, staticName, valuePrint);
            else table.Add(name, value, staticName > 0 ? StaticTable.NameHash(staticName) : DynamicTable.Hash(name, 0), staticName);
        }
        return n;
    }

    // nghttp2's should_never_index and hd_deflate_decide_indexing, generalised over the policies.
    // Every name those rules single out is in the static table (Appendix A), so the field's
    // first static index (staticName, 0 when none) tells which rule applies without comparing names.
    private static Literal Choose(HeaderField field, EncoderStrategy strategy, int maxSize, int staticName)
    {
        if (field.Sensitive) return Literal.NeverIndexed; // §7.1.3
        switch (strategy.Indexing)
        {
            case IndexingPolicy.Never:
                return Literal.WithoutIndexing;
            case IndexingPolicy.Always:
                return field.Size > maxSize ? Literal.WithoutIndexing : Literal.IncrementalIndexing;
            default:
                if (staticName == StaticAuthorization || (staticName == StaticCookie && field.Value.Length < 20))
                    return Literal.NeverIndexed;
                if (field.Size > maxSize * 3 / 4 || IsRarelyRepeated(staticName)) return Literal.WithoutIndexing;
                return Literal.IncrementalIndexing;
        }
    }

    // Appendix A indices of the names nghttp2 treats apart.
    private const int StaticAuthorization = 23, StaticCookie = 32;

    // :path (4), age (21), content-length (28), etag (34), if-modified-since (40),
    // if-none-match (41), location (46), set-cookie (55): values that rarely repeat.
    private static bool IsRarelyRepeated(int staticName) => staticName is 4 or 21 or 28 or 34 or 40 or 41 or 46 or 55;

    private static int WriteString(Span<byte> destination, ReadOnlySpan<byte> value, HuffmanPolicy policy)
    {
        switch (policy)
        {
            case HuffmanPolicy.Never:
                return StringLiteral.Write(destination, value, false);
            case HuffmanPolicy.Always:
                return StringLiteral.WriteHuffman(destination, value, Huffman.EncodedLength(value));
            default:
                return StringLiteral.WriteHuffmanIfShorter(destination, value);
        }
    }
}
