// TEMPORARY CONTRACT STUBS: the HPACK work replaces this whole file with the
// real codec (same public names and signatures). Never lands on main as is.
using LanguageExt;

namespace Reference.Hpack;

/// <summary>Limits the decoder enforces while decoding (not after).</summary>
public sealed record DecoderLimits(int MaxHeaderListSize = 32 * 1024, int MaxFieldCount = 100, int MaxStringLength = 64 * 1024)
{
    /// <summary>Defaults.</summary>
    public static readonly DecoderLimits Default = new();
}

/// <summary>Immutable decoder context (dynamic table, limits from SETTINGS).</summary>
public sealed record DecoderState
{
    /// <summary>A fresh context whose maximum is SETTINGS_HEADER_TABLE_SIZE = <paramref name="settingsTableSize"/>.</summary>
    public static DecoderState Initial(int settingsTableSize = 4096) => throw new NotImplementedException();
    /// <summary>The SETTINGS_HEADER_TABLE_SIZE we advertised took effect (acknowledged).</summary>
    public DecoderState WithSettingsTableSize(int size) => throw new NotImplementedException();
}

/// <summary>The result of decoding one header block.</summary>
/// <param name="State">The context after the block.</param>
/// <param name="Fields">The fields in order (empty when <paramref name="ListSizeExceeded"/>).</param>
/// <param name="ListSizeExceeded">The list went over a limit of <see cref="DecoderLimits"/>; the table was still updated.</param>
public sealed record DecodedBlock(DecoderState State, IReadOnlyList<HeaderField> Fields, bool ListSizeExceeded);

/// <summary>The decoder as a function.</summary>
public static class HpackDecoder
{
    /// <summary>Decodes one complete header block.</summary>
    public static Either<HpackError, DecodedBlock> Decode(DecoderState state, ReadOnlySpan<byte> block, DecoderLimits limits) =>
        throw new NotImplementedException();
}

/// <summary>How the encoder chooses representations.</summary>
public sealed record EncoderStrategy
{
    /// <summary>nghttp2's choices (BEHAVIOUR.md).</summary>
    public static EncoderStrategy Nghttp2 => throw new NotImplementedException();
}

/// <summary>Immutable encoder context.</summary>
public sealed record EncoderState
{
    /// <summary>A fresh encoder capped at <paramref name="cap"/> octets.</summary>
    public static EncoderState Initial(EncoderStrategy strategy, int cap = 4096) => throw new NotImplementedException();
    /// <summary>The peer's SETTINGS_HEADER_TABLE_SIZE changed.</summary>
    public EncoderState WithTableSize(int size) => throw new NotImplementedException();
}

/// <summary>The encoder as a function.</summary>
public static class HpackEncoder
{
    /// <summary>Encodes one header block.</summary>
    public static (EncoderState State, byte[] Block) Encode(EncoderState state, IReadOnlyList<HeaderField> fields) =>
        throw new NotImplementedException();
}
