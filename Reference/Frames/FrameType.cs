namespace Http2.Reference.Frames;

/// <summary>
/// A frame type octet (RFC 9113 §4.1, §6, §11.2). Open: types this
/// implementation does not know are kept as <see cref="UnknownFrame"/> and
/// ignored (§4.1, §5.5).
/// </summary>
public readonly record struct FrameType(byte Value)
{
    /// <summary>0x00 DATA (§6.1).</summary>
    public static readonly FrameType Data = new(0x0);
    /// <summary>0x01 HEADERS (§6.2).</summary>
    public static readonly FrameType Headers = new(0x1);
    /// <summary>0x02 PRIORITY (§6.3, deprecated).</summary>
    public static readonly FrameType Priority = new(0x2);
    /// <summary>0x03 RST_STREAM (§6.4).</summary>
    public static readonly FrameType RstStream = new(0x3);
    /// <summary>0x04 SETTINGS (§6.5).</summary>
    public static readonly FrameType Settings = new(0x4);
    /// <summary>0x05 PUSH_PROMISE (§6.6).</summary>
    public static readonly FrameType PushPromise = new(0x5);
    /// <summary>0x06 PING (§6.7).</summary>
    public static readonly FrameType Ping = new(0x6);
    /// <summary>0x07 GOAWAY (§6.8).</summary>
    public static readonly FrameType GoAway = new(0x7);
    /// <summary>0x08 WINDOW_UPDATE (§6.9).</summary>
    public static readonly FrameType WindowUpdate = new(0x8);
    /// <summary>0x09 CONTINUATION (§6.10).</summary>
    public static readonly FrameType Continuation = new(0x9);

    /// <summary>True for the ten types RFC 9113 defines.</summary>
    public bool IsKnown => Value <= 0x9;

    /// <summary>The RFC name, or the hex value of an unknown type.</summary>
    public string Name => Value switch
    {
        0x0 => "DATA",
        0x1 => "HEADERS",
        0x2 => "PRIORITY",
        0x3 => "RST_STREAM",
        0x4 => "SETTINGS",
        0x5 => "PUSH_PROMISE",
        0x6 => "PING",
        0x7 => "GOAWAY",
        0x8 => "WINDOW_UPDATE",
        0x9 => "CONTINUATION",
        _ => $"0x{Value:x2}",
    };

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>Flag bits (RFC 9113 §6). Their meaning depends on the frame type.</summary>
public static class FrameFlags
{
    /// <summary>0x01 END_STREAM on DATA and HEADERS (§6.1, §6.2).</summary>
    public const byte EndStream = 0x01;
    /// <summary>0x01 ACK on SETTINGS and PING (§6.5, §6.7).</summary>
    public const byte Ack = 0x01;
    /// <summary>0x04 END_HEADERS on HEADERS, PUSH_PROMISE, CONTINUATION.</summary>
    public const byte EndHeaders = 0x04;
    /// <summary>0x08 PADDED on DATA, HEADERS, PUSH_PROMISE.</summary>
    public const byte Padded = 0x08;
    /// <summary>0x20 PRIORITY on HEADERS.</summary>
    public const byte Priority = 0x20;
}
