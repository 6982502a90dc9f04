namespace Http2.Reference.Hpack;

/// <summary>
/// The seed's <c>HDInflater</c>: a stateful decoder for one connection
/// direction, a thin wrapper holding the current <see cref="DecoderState"/>
/// of the pure <see cref="HpackDecoder"/>. Errors are exceptions here, and
/// sticky as in the original: a decoding error is a connection error in
/// HTTP/2 (COMPRESSION_ERROR, RFC 9113 §4.3), so after one the inflater
/// refuses everything. Not thread-safe.
/// </summary>
public sealed class Inflater
{
    private DecoderState state = DecoderState.Initial();
    private HpackException? failure;

    /// <summary>An inflater with the given limits (<see cref="DecoderLimits.Default"/> when omitted).</summary>
    public Inflater(DecoderLimits? limits = null) => Limits = limits ?? DecoderLimits.Default;

    /// <summary>The limits applied to each block.</summary>
    public DecoderLimits Limits { get; }

    /// <summary>The current state of the pure decoder.</summary>
    public DecoderState State => state;

    /// <summary>Decodes one complete header block.</summary>
    /// <exception cref="ArgumentNullException">When <paramref name="block"/> is null.</exception>
    /// <exception cref="HpackException">
    /// On a decoding error (sticky), after an earlier one, or when the list is
    /// over <see cref="Limits"/> (not sticky: the table was kept in step).
    /// </exception>
    public IReadOnlyList<HeaderField> Inflate(byte[] block)
    {
        ArgumentNullException.ThrowIfNull(block);
        return Inflate(block.AsSpan());
    }

    /// <summary>Decodes one complete header block.</summary>
    /// <exception cref="HpackException">As <see cref="Inflate(byte[])"/>.</exception>
    public IReadOnlyList<HeaderField> Inflate(ReadOnlySpan<byte> block)
    {
        ThrowIfFailed();
        var result = HpackDecoder.Decode(state, block, Limits);
        if (result.IsLeft)
        {
            var error = result.LeftToSeq().Head();
            failure = new HpackException(error.Rule, error);
            throw failure;
        }
        var decoded = result.RightToSeq().Head();
        state = decoded.State;
        if (decoded.ListSizeExceeded)
            throw new HpackException("the header list exceeds the decoder's limits (RFC 9113 §6.5.2); the table was kept in step");
        return decoded.Fields;
    }

    /// <summary>
    /// The SETTINGS_HEADER_TABLE_SIZE we advertise (once acknowledged): a
    /// shrink applies now and the next block must start with a size update no
    /// larger (§4.2); a growth waits for the encoder's update. Blocks are
    /// always decoded whole here, so the original's "in the middle of a block"
    /// state error cannot happen.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">When <paramref name="size"/> is negative.</exception>
    /// <exception cref="HpackException">After a decoding error.</exception>
    public void ChangeTableSize(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ThrowIfFailed();
        state = state.WithSettingsTableSize(size);
    }

    /// <summary>A copy of the dynamic table, newest first.</summary>
    public IReadOnlyList<HeaderTableEntry> HeaderTable => HeaderTableEntry.Of(state.Table);

    private void ThrowIfFailed()
    {
        if (failure is not null) throw new HpackException("the inflater failed earlier and refuses further input", failure.Error);
    }
}
