using LanguageExt;

namespace Http2.Reference.Frames;

/// <summary>
/// An HTTP/2 frame (RFC 9113 §4.1, §6): a closed hierarchy, one record per
/// frame type plus <see cref="UnknownFrame"/> for types this implementation
/// does not know. Records hold only the fields their type has; flags that
/// carry meaning are properties, padding is optional (<c>None</c> = the
/// PADDED flag is clear; <c>Some(n)</c> = PADDED with a Pad Length of n).
/// Stream identifiers are 31-bit; the reserved bit is ignored on receipt
/// and sent as 0 (§4.1).
/// </summary>
public abstract record Frame
{
    private protected Frame() { }

    /// <summary>The stream this frame belongs to; 0 for the connection.</summary>
    public abstract uint StreamId { get; }

    /// <summary>The frame type octet.</summary>
    public abstract FrameType Type { get; }
}

/// <summary>Stream dependency fields of HEADERS and PRIORITY (RFC 9113 §5.3.2, §6.3).</summary>
/// <param name="Exclusive">The E bit.</param>
/// <param name="DependsOn">The 31-bit stream dependency.</param>
/// <param name="Weight">The weight octet as sent (the weight is this value + 1).</param>
public readonly record struct PriorityFields(bool Exclusive, uint DependsOn, byte Weight);

/// <summary>DATA (RFC 9113 §6.1).</summary>
public sealed record DataFrame(uint StreamId, Bytes Data, bool EndStream = false, Option<byte> Padding = default) : Frame
{
    // The stream id, END_STREAM and the padding in one word (bits 0-31 the id, 32 END_STREAM, 33 padded,
    // 40-47 the pad length): 40 octets per frame instead of 48, one frame per 16 KiB sent.
    private readonly ulong packed = StreamId | (EndStream ? EndBit : 0) | PackPadding(Padding);

    /// <inheritdoc />
    public override uint StreamId => (uint)packed;

    /// <summary>The END_STREAM flag (§6.1): the last frame the sender sends on the stream.</summary>
    public bool EndStream
    {
        get => (packed & EndBit) != 0;
        init => packed = value ? packed | EndBit : packed & ~EndBit;
    }

    /// <summary>The Pad Length, present when the PADDED flag is set (§6.1).</summary>
    public Option<byte> Padding
    {
        get => (packed & PaddedBit) == 0 ? Option<byte>.None : Option<byte>.Some((byte)(packed >> 40));
        init => packed = packed & ~(PaddedBit | 0xffUL << 40) | PackPadding(value);
    }

    private const ulong EndBit = 1UL << 32, PaddedBit = 1UL << 33;

    private static ulong PackPadding(Option<byte> padding) => padding.IsSome ? PaddedBit | (ulong)(byte)padding << 40 : 0;

    /// <inheritdoc />
    public override FrameType Type => FrameType.Data;
    /// <summary>Octets counted against flow control: the whole payload, padding included (§6.9).</summary>
    public int FlowControlledLength => Data.Length + FrameWriter.PadOverhead(Padding);
}

/// <summary>HEADERS (RFC 9113 §6.2): opens a stream and carries a field block fragment.</summary>
public sealed record HeadersFrame(
    uint StreamId,
    Bytes Fragment,
    bool EndStream = false,
    bool EndHeaders = true,
    Option<PriorityFields> Priority = default,
    Option<byte> Padding = default) : Frame
{
    /// <inheritdoc />
    public override uint StreamId { get; } = StreamId;
    /// <inheritdoc />
    public override FrameType Type => FrameType.Headers;
    // The priority fields and the padding in one word: bits 0-31 the dependency, 32 exclusive, 40 priority
    // present, 41 padded, 48-55 the weight, 56-63 the pad length. 8 octets per frame instead of 18 in two
    // Options, on every request.
    private readonly ulong packed = Pack(Priority) | PackPadding(Padding);

    /// <summary>The stream dependency fields, present when the PRIORITY flag is set (deprecated, §5.3.2).</summary>
    public Option<PriorityFields> Priority
    {
        get => (packed & PriorityBit) == 0
            ? Option<PriorityFields>.None
            : Option<PriorityFields>.Some(new PriorityFields((packed & ExclusiveBit) != 0, (uint)packed, (byte)(packed >> 48)));
        init => packed = packed & PaddingMask | Pack(value);
    }

    /// <summary>The Pad Length, present when the PADDED flag is set (§6.2).</summary>
    public Option<byte> Padding
    {
        get => (packed & PaddedBit) == 0 ? Option<byte>.None : Option<byte>.Some((byte)(packed >> 56));
        init => packed = packed & ~PaddingMask | PackPadding(value);
    }

    private const ulong ExclusiveBit = 1UL << 32, PriorityBit = 1UL << 40, PaddedBit = 1UL << 41, PaddingMask = PaddedBit | 0xffUL << 56;

    private static ulong Pack(Option<PriorityFields> p) =>
        p.IsSome && (PriorityFields)p is var f ? PriorityBit | (f.Exclusive ? ExclusiveBit : 0) | f.DependsOn | (ulong)f.Weight << 48 : 0;

    private static ulong PackPadding(Option<byte> padding) => padding.IsSome ? PaddedBit | (ulong)(byte)padding << 56 : 0;
}

/// <summary>PRIORITY (RFC 9113 §6.3, deprecated but still parsed).</summary>
public sealed record PriorityFrame(uint StreamId, PriorityFields Priority) : Frame
{
    /// <inheritdoc />
    public override uint StreamId { get; } = StreamId;
    /// <inheritdoc />
    public override FrameType Type => FrameType.Priority;
}

/// <summary>RST_STREAM (RFC 9113 §6.4).</summary>
public sealed record RstStreamFrame(uint StreamId, ErrorCode Error) : Frame
{
    /// <inheritdoc />
    public override uint StreamId { get; } = StreamId;
    /// <inheritdoc />
    public override FrameType Type => FrameType.RstStream;
}

/// <summary>SETTINGS (RFC 9113 §6.5), always on stream 0.</summary>
public sealed record SettingsFrame(bool Ack, Seq<Setting> Settings) : Frame
{
    /// <summary>An acknowledgement (empty payload, ACK flag).</summary>
    public static readonly SettingsFrame Acknowledgement = new(true, Seq<Setting>.Empty);
    /// <inheritdoc />
    public override uint StreamId => 0;
    /// <inheritdoc />
    public override FrameType Type => FrameType.Settings;
}

/// <summary>PUSH_PROMISE (RFC 9113 §6.6).</summary>
public sealed record PushPromiseFrame(
    uint StreamId,
    uint PromisedStreamId,
    Bytes Fragment,
    bool EndHeaders = true,
    Option<byte> Padding = default) : Frame
{
    /// <inheritdoc />
    public override uint StreamId { get; } = StreamId;
    /// <inheritdoc />
    public override FrameType Type => FrameType.PushPromise;
}

/// <summary>PING (RFC 9113 §6.7): 8 opaque octets, read as a big-endian number.</summary>
public sealed record PingFrame(bool Ack, ulong Opaque) : Frame
{
    /// <inheritdoc />
    public override uint StreamId => 0;
    /// <inheritdoc />
    public override FrameType Type => FrameType.Ping;
}

/// <summary>GOAWAY (RFC 9113 §6.8).</summary>
public sealed record GoAwayFrame(uint LastStreamId, ErrorCode Error, Bytes DebugData = default) : Frame
{
    /// <inheritdoc />
    public override uint StreamId => 0;
    /// <inheritdoc />
    public override FrameType Type => FrameType.GoAway;
}

/// <summary>WINDOW_UPDATE (RFC 9113 §6.9); stream 0 is the connection window.</summary>
public sealed record WindowUpdateFrame(uint StreamId, uint Increment) : Frame
{
    /// <inheritdoc />
    public override uint StreamId { get; } = StreamId;
    /// <inheritdoc />
    public override FrameType Type => FrameType.WindowUpdate;
}

/// <summary>CONTINUATION (RFC 9113 §6.10).</summary>
public sealed record ContinuationFrame(uint StreamId, Bytes Fragment, bool EndHeaders = true) : Frame
{
    /// <inheritdoc />
    public override uint StreamId { get; } = StreamId;
    /// <inheritdoc />
    public override FrameType Type => FrameType.Continuation;
}

/// <summary>
/// A frame kept as its raw header fields and payload. The reader returns one
/// for every unknown type (§4.1: "Implementations MUST ignore and discard
/// frames of unknown types"); the writer also writes one of a known type
/// verbatim, which lets a test client send frames the typed records cannot
/// express (wrong lengths, forbidden flags, a stream id where none belongs).
/// </summary>
public sealed record UnknownFrame(FrameType RawType, byte Flags, uint StreamId, Bytes Payload) : Frame
{
    /// <inheritdoc />
    public override uint StreamId { get; } = StreamId;
    /// <inheritdoc />
    public override FrameType Type => RawType;
}
