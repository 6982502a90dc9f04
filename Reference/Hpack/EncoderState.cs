namespace Http2.Reference.Hpack;

/// <summary>
/// The encoding context of one connection direction (RFC 7541 §2.2): the
/// strategy, the dynamic table, and the table-size changes still to signal.
/// Immutable: encoding returns a new state and leaves this one valid.
/// </summary>
public sealed record EncoderState
{
    private EncoderState(EncoderStrategy strategy, int cap, DynamicTable table, int smallestSinceLastBlock, bool sizeUpdatePending)
    {
        Strategy = strategy;
        Cap = cap;
        Table = table;
        SmallestSinceLastBlock = smallestSinceLastBlock;
        SizeUpdatePending = sizeUpdatePending;
    }

    /// <summary>How representations are chosen.</summary>
    public EncoderStrategy Strategy { get; }

    /// <summary>The largest table this encoder uses, whatever the peer allows (nghttp2's <c>deflate_hd_table_bufsize_max</c>).</summary>
    public int Cap { get; }

    /// <summary>The dynamic table (§2.3.2); its maximum is the size the decoder has been (or will be) told.</summary>
    public DynamicTable Table { get; }

    /// <summary>The smallest maximum set since the last block (<see cref="int.MaxValue"/> when none).</summary>
    public int SmallestSinceLastBlock { get; }

    /// <summary>The next block starts with dynamic table size updates (§4.2, §6.3).</summary>
    public bool SizeUpdatePending { get; }

    /// <summary>
    /// A fresh encoder. The table starts at min(4096, <paramref name="cap"/>)
    /// (4096 is the peer's initial SETTINGS_HEADER_TABLE_SIZE); a cap below
    /// 4096 is signalled by a size update at the start of the first block.
    /// </summary>
    /// <exception cref="ArgumentNullException">When <paramref name="strategy"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="cap"/> is negative.</exception>
    public static EncoderState Initial(EncoderStrategy strategy, int cap = HpackConstants.DeflateMaxHeaderTableSize)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentOutOfRangeException.ThrowIfNegative(cap);
        var size = Math.Min(HpackConstants.DefaultHeaderTableSize, cap);
        return new(strategy, cap, DynamicTable.EmptyIndexed(size), int.MaxValue, cap < HpackConstants.DefaultHeaderTableSize);
    }

    /// <summary>
    /// An encoder whose peer was configured out of band with a table of
    /// <paramref name="tableSize"/> octets (RFC 7541 Appendix C.5/C.6 assume
    /// 256): the table starts at that size, the cap is that size, and no size
    /// update is sent.
    /// </summary>
    /// <exception cref="ArgumentNullException">When <paramref name="strategy"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="tableSize"/> is negative.</exception>
    public static EncoderState Preset(EncoderStrategy strategy, int tableSize)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        ArgumentOutOfRangeException.ThrowIfNegative(tableSize);
        return new(strategy, tableSize, DynamicTable.EmptyIndexed(tableSize), int.MaxValue, false);
    }

    /// <summary>
    /// The peer's SETTINGS_HEADER_TABLE_SIZE changed: the maximum becomes
    /// min(<paramref name="size"/>, <see cref="Cap"/>) now (the table shrinks at
    /// once), and the next block starts with size updates: the smallest
    /// maximum set since the last block if it is below the final one, then the
    /// final one (§4.2: "the smallest maximum table size that occurs in that
    /// interval MUST be signaled").
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="size"/> is negative.</exception>
    public EncoderState WithTableSize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        var next = Math.Min(size, Cap);
        var table = Table.Clone();
        table.SetMaxSize(next);
        return new(Strategy, Cap, table, Math.Min(SmallestSinceLastBlock, next), true);
    }

    /// <summary>The state after a block that left <paramref name="table"/>.</summary>
    internal EncoderState AfterBlock(DynamicTable table) =>
        ReferenceEquals(table, Table) && !SizeUpdatePending ? this : new(Strategy, Cap, table, int.MaxValue, false);

    // ---- the last block that left the table as it was ------------------------------------
    // A block is a function of the table, the strategy and the fields (RFC 7541 §6: the
    // representations chosen depend on nothing else). A block that added nothing and had no
    // size update to signal leaves a state with the same table, so the same fields (the same
    // field objects: a field is an immutable value) encode to the same octets against it
    // again. A server answers many requests with one set of fields: its blocks after the
    // first are then a comparison of references and a copy. Derived data, part of no
    // comparison of states (Equals ignores it).

    /// <summary>The largest block remembered: a header section of a few fields, not a large cookie.</summary>
    internal const int MaxRemembered = 1024;

    private HeaderField[]? rememberedFields;
    private byte[]? rememberedBlock;

    /// <summary>
    /// The block <paramref name="fields"/> encode to from this state, when they are the very
    /// field objects of the block remembered with it (<see cref="Remember"/>); null otherwise.
    /// The caller must not write into it.
    /// </summary>
    internal byte[]? Remembered(ReadOnlySpan<HeaderField> fields)
    {
        var known = rememberedFields;
        if (known is null || known.Length != fields.Length) return null;
        for (var i = 0; i < known.Length; i++)
            if (!ReferenceEquals(known[i], fields[i])) return null;
        return rememberedBlock;
    }

    /// <summary>
    /// This state, remembering that <paramref name="fields"/> encode to <paramref name="block"/>
    /// from it (a block that left the table as it was and signalled no size update); this state
    /// itself when the block is too large to keep. Takes copies: the caller's list and
    /// octets may change afterwards.
    /// </summary>
    internal EncoderState Remember(ReadOnlySpan<HeaderField> fields, ReadOnlySpan<byte> block) =>
        SizeUpdatePending || fields.IsEmpty || block.Length > MaxRemembered ? this
        : new(Strategy, Cap, Table, SmallestSinceLastBlock, false) { rememberedFields = fields.ToArray(), rememberedBlock = block.ToArray() };

    /// <summary>Equal strategy, cap, table (the same table object), pending size updates; what a state remembers of its last block is not compared.</summary>
    public bool Equals(EncoderState? other) =>
        other is not null && (ReferenceEquals(this, other)
            || (Strategy == other.Strategy && Cap == other.Cap && ReferenceEquals(Table, other.Table)
                && SmallestSinceLastBlock == other.SmallestSinceLastBlock && SizeUpdatePending == other.SizeUpdatePending));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Strategy, Cap, Table, SmallestSinceLastBlock, SizeUpdatePending);
}
