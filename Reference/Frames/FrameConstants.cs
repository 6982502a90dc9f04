namespace Http2.Reference.Frames;

/// <summary>
/// Fixed numbers of the HTTP/2 framing layer (RFC 9113 §3.4, §4.1, §4.2,
/// §6.5.2, §6.9.1).
/// </summary>
public static class FrameConstants
{
    /// <summary>
    /// Octets in a frame header: "All frames begin with a fixed 9-octet
    /// header followed by a variable-length frame payload" (§4.1).
    /// </summary>
    public const int HeaderLength = 9;

    /// <summary>
    /// The client connection preface, <c>PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n</c>
    /// (24 octets, §3.4). A span over static data: no allocation.
    /// </summary>
    public static ReadOnlySpan<byte> ConnectionPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>Length of <see cref="ConnectionPreface"/> (24).</summary>
    public const int ConnectionPrefaceLength = 24;

    /// <summary>
    /// The initial SETTINGS_MAX_FRAME_SIZE, 2^14 = 16384 (§6.5.2); also the
    /// smallest value a peer may advertise: "The initial value is 2^14
    /// (16,384) octets" and "Values outside this range MUST be treated as a
    /// connection error".
    /// </summary>
    public const uint DefaultMaxFrameSize = 16_384;

    /// <summary>The smallest legal SETTINGS_MAX_FRAME_SIZE, 2^14 (§6.5.2).</summary>
    public const uint MinMaxFrameSize = 16_384;

    /// <summary>
    /// The largest legal SETTINGS_MAX_FRAME_SIZE and the largest length the
    /// 24-bit Length field can carry, 2^24-1 = 16777215 (§4.1, §6.5.2).
    /// </summary>
    public const uint MaxMaxFrameSize = 16_777_215;

    /// <summary>
    /// The largest flow-control window, 2^31-1 (§6.9.1: "A sender MUST NOT
    /// allow a flow-control window to exceed 2^31-1 octets").
    /// </summary>
    public const uint MaxWindowSize = 2_147_483_647;

    /// <summary>The initial flow-control window of every stream and of the connection, 65535 (§6.9.2).</summary>
    public const uint DefaultInitialWindowSize = 65_535;

    /// <summary>The largest stream identifier, 2^31-1 (31 bits, §5.1.1).</summary>
    public const uint MaxStreamId = 0x7fff_ffff;
}
