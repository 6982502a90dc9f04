using Http2.Reference.Hpack;

namespace HpackStories;

/// <summary>
/// What a case's <c>header_table_size</c> does to the compression context, as
/// hpack-test-case defines it: the SETTINGS_HEADER_TABLE_SIZE in force from
/// that case on — the initial size on the first case (4096 when absent or
/// null), an acknowledged new SETTINGS value on a later one (absent or null:
/// unchanged). A smaller value obliges the encoder to start the next block
/// with a size update (RFC 7541 §4.2).
/// </summary>
public static class StoryContext
{
    /// <summary>The decoder context before a case, given the one after the previous case (<c>null</c> before the first).</summary>
    public static DecoderState DecoderBefore(DecoderState? previous, int? headerTableSize) =>
        previous is null
            ? DecoderState.Initial(headerTableSize ?? HpackConstants.DefaultHeaderTableSize)
            : headerTableSize is { } size ? previous.WithSettingsTableSize(size) : previous;

    /// <summary>
    /// The encoder context before a case, given the one after the previous case
    /// (<c>null</c> before the first: a fresh encoder of <paramref name="strategy"/>
    /// with <paramref name="cap"/>, told the first size when it is not 4096).
    /// </summary>
    public static EncoderState EncoderBefore(EncoderState? previous, int? headerTableSize, EncoderStrategy strategy, int cap = HpackConstants.DeflateMaxHeaderTableSize) =>
        previous is null
            ? headerTableSize is { } first && first != HpackConstants.DefaultHeaderTableSize
                ? EncoderState.Initial(strategy, cap).WithTableSize(first)
                : EncoderState.Initial(strategy, cap)
            : headerTableSize is { } size ? previous.WithTableSize(size) : previous;
}
