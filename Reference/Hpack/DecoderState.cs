namespace Http2.Reference.Hpack;

/// <summary>
/// The decoding context of one connection direction (RFC 7541 §2.2): the
/// dynamic table, and the table-size limit we advertised in
/// SETTINGS_HEADER_TABLE_SIZE (RFC 9113 §6.5.2) once the peer acknowledged it.
/// Immutable: decoding returns a new state and leaves this one valid.
/// </summary>
public sealed record DecoderState
{
    private DecoderState(DynamicTable table, int settingsTableSize, bool sizeUpdateRequired)
    {
        Table = table;
        SettingsTableSize = settingsTableSize;
        SizeUpdateRequired = sizeUpdateRequired;
    }

    /// <summary>The dynamic table (§2.3.2).</summary>
    public DynamicTable Table { get; private init; }

    /// <summary>The acknowledged SETTINGS_HEADER_TABLE_SIZE: no size update may exceed it (§6.3).</summary>
    public int SettingsTableSize { get; private init; }

    /// <summary>
    /// The limit shrank below the table's maximum: the next block must start
    /// with a dynamic table size update (§4.2).
    /// </summary>
    public bool SizeUpdateRequired { get; private init; }

    /// <summary>
    /// A fresh context in which both sides start from a table of
    /// <paramref name="settingsTableSize"/> octets: the limit and the table's
    /// maximum. On an HTTP/2 connection that is the protocol's initial 4096
    /// (RFC 9113 §6.5.2, the default); a different SETTINGS_HEADER_TABLE_SIZE
    /// we advertise applies once acknowledged, through
    /// <see cref="WithSettingsTableSize"/>. Other sizes model contexts agreed
    /// out of band (RFC 7541 Appendix C.5, hpack-test-case's
    /// <c>header_table_size</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When the size is negative.</exception>
    public static DecoderState Initial(int settingsTableSize = HpackConstants.DefaultHeaderTableSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(settingsTableSize);
        return new DecoderState(DynamicTable.Empty(settingsTableSize), settingsTableSize, false);
    }

    /// <summary>
    /// The SETTINGS_HEADER_TABLE_SIZE we advertised took effect (the peer
    /// acknowledged it). A shrink below the table's maximum applies now and
    /// obliges the encoder to start its next block with a size update no larger
    /// (§4.2); a growth only raises the ceiling and waits for the encoder's update.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When the size is negative.</exception>
    public DecoderState WithSettingsTableSize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (size >= Table.MaxSize) return this with { SettingsTableSize = size };
        var table = Table.Clone();
        table.SetMaxSize(size);
        return new DecoderState(table, size, true);
    }

    /// <summary>The state after a block that left <paramref name="table"/> (any required update was made).</summary>
    internal DecoderState AfterBlock(DynamicTable table) =>
        ReferenceEquals(table, Table) && !SizeUpdateRequired ? this : new DecoderState(table, SettingsTableSize, false);
}
