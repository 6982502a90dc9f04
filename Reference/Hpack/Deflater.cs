namespace Http2.Reference.Hpack;

/// <summary>
/// The seed's <c>HDDeflater</c>: a stateful encoder for one connection
/// direction, a thin wrapper holding the current <see cref="EncoderState"/>
/// of the pure <see cref="HpackEncoder"/> (nghttp2's strategy unless told otherwise).
/// Not thread-safe, like the original.
/// </summary>
public sealed class Deflater
{
    private EncoderState state;

    /// <summary>
    /// A deflater that never uses a table larger than <paramref name="cap"/>
    /// (the seed's <c>deflate_table_size</c>). The table starts at
    /// min(4096, cap); a smaller cap is announced by a size update at the start
    /// of the first block.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="cap"/> is negative (the original crashed).</exception>
    public Deflater(int cap = HpackConstants.DeflateMaxHeaderTableSize)
        : this(cap, EncoderStrategy.Nghttp2)
    {
    }

    /// <summary>A deflater with another strategy.</summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="cap"/> is negative.</exception>
    /// <exception cref="ArgumentNullException">When <paramref name="strategy"/> is null.</exception>
    public Deflater(int cap, EncoderStrategy strategy)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cap);
        ArgumentNullException.ThrowIfNull(strategy);
        state = EncoderState.Initial(strategy, cap);
    }

    /// <summary>The current state of the pure encoder (a value: keeping it does not pin the deflater).</summary>
    public EncoderState State => state;

    /// <summary>Encodes one header block.</summary>
    /// <exception cref="ArgumentNullException">When the list or a field is null.</exception>
    public byte[] Deflate(IEnumerable<HeaderField> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var list = fields as IReadOnlyList<HeaderField> ?? [.. fields];
        (state, var block) = HpackEncoder.Encode(state, list);
        return block;
    }

    /// <summary>Encodes one header block of (name, value) octet pairs.</summary>
    /// <exception cref="ArgumentNullException">When the list, a name or a value is null.</exception>
    public byte[] Deflate(IEnumerable<(byte[] Name, byte[] Value)> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return Deflate(fields.Select(f => new HeaderField(
            f.Name ?? throw new ArgumentNullException(nameof(fields), "a field name is null"),
            f.Value ?? throw new ArgumentNullException(nameof(fields), "a field value is null"))).ToList());
    }

    /// <summary>Encodes one header block of (name, value) text pairs, as UTF-8.</summary>
    /// <exception cref="ArgumentNullException">When the list, a name or a value is null.</exception>
    public byte[] Deflate(IEnumerable<(string Name, string Value)> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return Deflate(fields.Select(f => HeaderField.Of(
            f.Name ?? throw new ArgumentNullException(nameof(fields), "a field name is null"),
            f.Value ?? throw new ArgumentNullException(nameof(fields), "a field value is null"))).ToList());
    }

    /// <summary>
    /// The peer's SETTINGS_HEADER_TABLE_SIZE: the maximum becomes min(n, cap)
    /// now, and the next block starts with the size updates §4.2 requires.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="size"/> is negative.</exception>
    public void ChangeTableSize(int size) => state = state.WithTableSize(size);

    /// <summary>A copy of the dynamic table, newest first.</summary>
    public IReadOnlyList<HeaderTableEntry> HeaderTable => HeaderTableEntry.Of(state.Table);
}
