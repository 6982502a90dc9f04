using System.Buffers.Binary;

namespace Http2.Reference.Frames;

/// <summary>
/// The fixed 9-octet frame header (RFC 9113 §4.1):
/// <code>
/// HTTP Frame {
///   Length (24),
///   Type (8),
///   Flags (8),
///   Reserved (1),
///   Stream Identifier (31),
///   Frame Payload (..),
/// }
/// </code>
/// </summary>
/// <param name="Length">The payload length, "expressed as an unsigned 24-bit integer" (§4.1).</param>
/// <param name="Type">The frame type octet.</param>
/// <param name="Flags">The flags octet, as received (meaning depends on the type).</param>
/// <param name="StreamId">The 31-bit stream identifier, reserved bit removed.</param>
/// <param name="ReservedBit">The reserved bit as received: "MUST remain unset (0x0) when sending and MUST be ignored when receiving" (§4.1).</param>
public readonly record struct FrameHeader(uint Length, FrameType Type, byte Flags, uint StreamId, bool ReservedBit)
{
    /// <summary>Reads a header from the first 9 octets of <paramref name="source"/>; <c>None</c> when fewer are available.</summary>
    /// <param name="source">At least <see cref="FrameConstants.HeaderLength"/> octets for a result.</param>
    public static LanguageExt.Option<FrameHeader> TryParse(ReadOnlySpan<byte> source) =>
        source.Length < FrameConstants.HeaderLength ? LanguageExt.Option<FrameHeader>.None : Parse(source);

    /// <summary>Reads a header from the first 9 octets of <paramref name="source"/>, which the caller guarantees are there.</summary>
    internal static FrameHeader Parse(ReadOnlySpan<byte> source)
    {
        var word = BinaryPrimitives.ReadUInt32BigEndian(source[5..]);
        return new FrameHeader(
            Length: (uint)(source[0] << 16 | source[1] << 8 | source[2]),
            Type: new FrameType(source[3]),
            Flags: source[4],
            StreamId: word & FrameConstants.MaxStreamId,
            ReservedBit: (word & 0x8000_0000) != 0);
    }

    /// <summary>True when <paramref name="flag"/> is set in <see cref="Flags"/>.</summary>
    /// <param name="flag">One of the <see cref="FrameFlags"/> bits.</param>
    public bool Has(byte flag) => (Flags & flag) != 0;

    /// <summary>Octets of the whole frame: header plus payload.</summary>
    public int TotalLength => FrameConstants.HeaderLength + (int)Length;
}
