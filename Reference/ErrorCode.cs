namespace Http2.Reference;

/// <summary>
/// An HTTP/2 error code (RFC 9113 §7). The set is open: codes this
/// implementation does not know survive a round trip and "MUST NOT trigger
/// any special behavior" (§7), so they are values, not an enum.
/// </summary>
/// <param name="Value">The 32-bit code as sent on the wire.</param>
public readonly record struct ErrorCode(uint Value)
{
    /// <summary>0x00: graceful shutdown or normal close.</summary>
    public static readonly ErrorCode NoError = new(0x0);
    /// <summary>0x01: an unspecific protocol error.</summary>
    public static readonly ErrorCode ProtocolError = new(0x1);
    /// <summary>0x02: an unexpected internal error.</summary>
    public static readonly ErrorCode InternalError = new(0x2);
    /// <summary>0x03: the peer violated the flow-control protocol.</summary>
    public static readonly ErrorCode FlowControlError = new(0x3);
    /// <summary>0x04: a SETTINGS frame was not acknowledged in time.</summary>
    public static readonly ErrorCode SettingsTimeout = new(0x4);
    /// <summary>0x05: a frame arrived after the stream was half-closed.</summary>
    public static readonly ErrorCode StreamClosed = new(0x5);
    /// <summary>0x06: a frame had an invalid size.</summary>
    public static readonly ErrorCode FrameSizeError = new(0x6);
    /// <summary>0x07: the stream was refused before any processing.</summary>
    public static readonly ErrorCode RefusedStream = new(0x7);
    /// <summary>0x08: the stream is no longer needed.</summary>
    public static readonly ErrorCode Cancel = new(0x8);
    /// <summary>0x09: the field-block compression context cannot be maintained.</summary>
    public static readonly ErrorCode CompressionError = new(0x9);
    /// <summary>0x0a: the connection of a CONNECT request was reset or closed.</summary>
    public static readonly ErrorCode ConnectError = new(0xa);
    /// <summary>0x0b: the peer is generating excessive load.</summary>
    public static readonly ErrorCode EnhanceYourCalm = new(0xb);
    /// <summary>0x0c: the transport does not meet minimum security requirements.</summary>
    public static readonly ErrorCode InadequateSecurity = new(0xc);
    /// <summary>0x0d: HTTP/1.1 is required instead of HTTP/2.</summary>
    public static readonly ErrorCode Http11Required = new(0xd);

    /// <summary>The RFC 9113 name of a known code, or the hex value of an unknown one.</summary>
    public string Name => Value switch
    {
        0x0 => "NO_ERROR",
        0x1 => "PROTOCOL_ERROR",
        0x2 => "INTERNAL_ERROR",
        0x3 => "FLOW_CONTROL_ERROR",
        0x4 => "SETTINGS_TIMEOUT",
        0x5 => "STREAM_CLOSED",
        0x6 => "FRAME_SIZE_ERROR",
        0x7 => "REFUSED_STREAM",
        0x8 => "CANCEL",
        0x9 => "COMPRESSION_ERROR",
        0xa => "CONNECT_ERROR",
        0xb => "ENHANCE_YOUR_CALM",
        0xc => "INADEQUATE_SECURITY",
        0xd => "HTTP_1_1_REQUIRED",
        _ => $"0x{Value:x}",
    };

    /// <inheritdoc />
    public override string ToString() => Name;
}
