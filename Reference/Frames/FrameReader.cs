using System.Buffers;
using System.Buffers.Binary;
using LanguageExt;

namespace Http2.Reference.Frames;

/// <summary>
/// Bytes to frames (RFC 9113 §4, §6): incremental and total.
/// </summary>
/// <remarks>
/// <para>
/// Given any prefix of a byte stream, <see cref="Read(ReadOnlyMemory{byte}, uint)"/>
/// returns the first frame and the octets it consumed, <see cref="NeedMore"/>,
/// or a typed <see cref="FrameError"/>; it never throws for bad input. It looks
/// only at the first frame of its input and keeps no state, so every chunking of
/// a stream yields the same frames: the caller appends what arrives, calls
/// <c>Read</c> again and drops <c>Consumed</c> octets after each frame.
/// </para>
/// <para>
/// Checks run in the order DESIGN.md prescribes: the 9-octet header first (its
/// Length against the local SETTINGS_MAX_FRAME_SIZE, decided before the payload
/// is buffered), then one parser per type.
/// </para>
/// <para>
/// <b>Aliasing:</b> payload fields of the frames returned (<see cref="DataFrame.Data"/>,
/// header block fragments, GOAWAY debug data, unknown payloads) are slices of the
/// input memory, not copies. The caller must not overwrite or return that buffer
/// to a pool while the frame is in use, or must detach the fields with
/// <see cref="Bytes.Copy"/>. The only allocations per frame are the frame record
/// and the <see cref="FrameRead"/> result (and, for SETTINGS, the list of settings).
/// </para>
/// </remarks>
public static class FrameReader
{
    /// <summary>
    /// Reads the first frame of <paramref name="input"/>.
    /// </summary>
    /// <param name="input">Received octets, starting at a frame boundary (after the connection preface).</param>
    /// <param name="maxFrameSize">The local SETTINGS_MAX_FRAME_SIZE the peer must respect (§4.2).</param>
    /// <returns><see cref="FrameRead"/>, <see cref="NeedMore"/> or <see cref="ReadFailed"/>.</returns>
    public static ReadResult Read(ReadOnlyMemory<byte> input, uint maxFrameSize) =>
        ReadFrame(input, maxFrameSize) switch
        {
            { Frame: { } frame } parsed => new FrameRead(frame, parsed.Consumed),
            { Failed: { } failed } => failed,
            // Neither: the frame is not all here yet (only then is its header read again).
            _ when input.Length < FrameConstants.HeaderLength => NeedHeader,
            _ => new NeedMore(FrameHeader.Parse(input.Span).TotalLength),
        };

    /// <summary>
    /// What <see cref="Read(ReadOnlyMemory{byte}, uint)"/> gives, without the
    /// result object around a frame (one per frame on the connection's hot path):
    /// the frame, or the failure, with the octets consumed; neither when the
    /// input holds no complete frame yet.
    /// </summary>
    internal static Parsed ReadFrame(ReadOnlyMemory<byte> input, uint maxFrameSize)
    {
        if (input.Length < FrameConstants.HeaderLength)
            return default;
        var header = FrameHeader.Parse(input.Span);
        if (header.Length > maxFrameSize)
            return Oversize(header, maxFrameSize);
        if (input.Length < header.TotalLength)
            return default;
        return ParseFrame(header, input.Slice(FrameConstants.HeaderLength, (int)header.Length));
    }

    /// <summary>
    /// Reads the first frame of a possibly multi-segment sequence (as
    /// System.IO.Pipelines delivers it). The header may straddle segments; the
    /// payload is aliased when it lies in one segment and copied into one new
    /// array only when the frame spans segments.
    /// </summary>
    /// <remarks>
    /// With a <c>PipeReader</c>, an aliased payload is valid only until the
    /// next <c>AdvanceTo</c>: the pipe then reuses its segments. Finish with
    /// the frame first, or <see cref="Bytes.Copy"/> what must outlive it.
    /// </remarks>
    /// <param name="input">Received octets, starting at a frame boundary.</param>
    /// <param name="maxFrameSize">The local SETTINGS_MAX_FRAME_SIZE (§4.2).</param>
    /// <returns>The same result <see cref="Read(ReadOnlyMemory{byte}, uint)"/> gives for the same octets.</returns>
    public static ReadResult Read(in ReadOnlySequence<byte> input, uint maxFrameSize)
    {
        var first = input.First;
        if (input.IsSingleSegment || first.Length >= FrameConstants.HeaderLength && first.Length >= PeekTotal(first.Span))
            return Read(first, maxFrameSize);
        if (input.Length < FrameConstants.HeaderLength)
            return NeedHeader;
        Span<byte> head = stackalloc byte[FrameConstants.HeaderLength];
        input.Slice(0, FrameConstants.HeaderLength).CopyTo(head);
        var header = FrameHeader.Parse(head);
        if (header.Length > maxFrameSize)
            return Oversize(header, maxFrameSize);
        if (input.Length < header.TotalLength)
            return new NeedMore(header.TotalLength);
        var frame = new byte[header.TotalLength];
        input.Slice(0, frame.Length).CopyTo(frame);
        return Read(frame, maxFrameSize);
    }

    // §4.2: "An endpoint MUST send an error code of FRAME_SIZE_ERROR if a
    // frame exceeds the size defined in SETTINGS_MAX_FRAME_SIZE". Decided from
    // the header alone, so an oversized payload is never buffered. Treating it
    // as a connection error whatever the type is allowed by §5.4.1: "An
    // endpoint MAY choose to treat a stream error as a connection error".
    private static ReadFailed Oversize(FrameHeader header, uint maxFrameSize) =>
        new(FrameError.Connection(ErrorCode.FrameSizeError, header.StreamId,
                $"{header.Type} frame of {header.Length} octets exceeds SETTINGS_MAX_FRAME_SIZE {maxFrameSize}",
                "RFC 9113 §4.2"),
            FrameConstants.HeaderLength);

    private static int PeekTotal(ReadOnlySpan<byte> span) =>
        FrameConstants.HeaderLength + (span[0] << 16 | span[1] << 8 | span[2]);

    private static readonly NeedMore NeedHeader = new(FrameConstants.HeaderLength);

    /// <summary>
    /// Parses a frame whose header has been read and whose payload is complete;
    /// the per-type checks of §6.
    /// </summary>
    /// <param name="header">The frame header.</param>
    /// <param name="payload">Exactly <see cref="FrameHeader.Length"/> octets.</param>
    /// <returns><see cref="FrameRead"/> or <see cref="ReadFailed"/>.</returns>
    public static ReadResult Parse(FrameHeader header, ReadOnlyMemory<byte> payload) =>
        ParseFrame(header, payload) switch
        {
            { Frame: { } frame } parsed => new FrameRead(frame, parsed.Consumed),
            var parsed => parsed.Failed!,
        };

    private static Parsed ParseFrame(FrameHeader header, ReadOnlyMemory<byte> payload) =>
        header.Type.Value switch
        {
            0x0 => ParseData(header, payload),
            0x1 => ParseHeaders(header, payload),
            0x2 => ParsePriority(header, payload.Span),
            0x3 => ParseRstStream(header, payload.Span),
            0x4 => ParseSettings(header, payload.Span),
            0x5 => ParsePushPromise(header, payload),
            0x6 => ParsePing(header, payload.Span),
            0x7 => ParseGoAway(header, payload),
            0x8 => ParseWindowUpdate(header, payload.Span),
            0x9 => ParseContinuation(header, payload),
            // §4.1: "Implementations MUST ignore and discard frames of unknown
            // types." The codec keeps them; the connection ignores them (§5.5).
            _ => Ok(header, new UnknownFrame(header.Type, header.Flags, header.StreamId, payload)),
        };

    // §6.1: "DATA frames MUST be associated with a stream. If a DATA frame is
    // received whose Stream Identifier field is 0x00, the recipient MUST respond
    // with a connection error (Section 5.4.1) of type PROTOCOL_ERROR."
    private static Parsed ParseData(FrameHeader h, ReadOnlyMemory<byte> payload)
    {
        if (h.StreamId == 0)
            return StreamZero(h, "RFC 9113 §6.1");
        return Unpad(h, payload, fixedLength: 0, "RFC 9113 §6.1") switch
        {
            (var body, var pad, null) => Ok(h, new DataFrame(h.StreamId, body, h.Has(FrameFlags.EndStream), pad)),
            (_, _, var error) => Fail(h, error),
        };
    }

    // §6.2: "HEADERS frames MUST be associated with a stream. If a HEADERS frame
    // is received whose Stream Identifier field is 0x00, the recipient MUST
    // respond with a connection error (Section 5.4.1) of type PROTOCOL_ERROR."
    private static Parsed ParseHeaders(FrameHeader h, ReadOnlyMemory<byte> payload)
    {
        if (h.StreamId == 0)
            return StreamZero(h, "RFC 9113 §6.2");
        var hasPriority = h.Has(FrameFlags.Priority);
        return Unpad(h, payload, fixedLength: hasPriority ? 5 : 0, "RFC 9113 §6.2") switch
        {
            (var body, var pad, null) => Ok(h, new HeadersFrame(
                h.StreamId,
                hasPriority ? body[5..] : body,
                EndStream: h.Has(FrameFlags.EndStream),
                EndHeaders: h.Has(FrameFlags.EndHeaders),
                Priority: hasPriority ? Some(ReadPriority(body.Span)) : Option<PriorityFields>.None,
                Padding: pad)),
            (_, _, var error) => Fail(h, error),
        };
    }

    private static Parsed ParsePriority(FrameHeader h, ReadOnlySpan<byte> payload)
    {
        // §6.3: "If a PRIORITY frame is received with a stream identifier of
        // 0x00, the recipient MUST respond with a connection error (Section
        // 5.4.1) of type PROTOCOL_ERROR."
        if (h.StreamId == 0)
            return StreamZero(h, "RFC 9113 §6.3");
        // §6.3: "A PRIORITY frame with a length other than 5 octets MUST be
        // treated as a stream error (Section 5.4.2) of type FRAME_SIZE_ERROR."
        if (payload.Length != 5)
            return Fail(h, FrameError.Stream(ErrorCode.FrameSizeError, h.StreamId,
                $"PRIORITY frame of {payload.Length} octets, not 5", "RFC 9113 §6.3"));
        return Ok(h, new PriorityFrame(h.StreamId, ReadPriority(payload)));
    }

    private static Parsed ParseRstStream(FrameHeader h, ReadOnlySpan<byte> payload)
    {
        // §6.4: "If a RST_STREAM frame is received with a stream identifier of
        // 0x00, the recipient MUST treat this as a connection error (Section
        // 5.4.1) of type PROTOCOL_ERROR."
        if (h.StreamId == 0)
            return StreamZero(h, "RFC 9113 §6.4");
        // §6.4: "A RST_STREAM frame with a length other than 4 octets MUST be
        // treated as a connection error (Section 5.4.1) of type FRAME_SIZE_ERROR."
        if (payload.Length != 4)
            return WrongLength(h, "not 4", "RFC 9113 §6.4");
        return Ok(h, new RstStreamFrame(h.StreamId, new ErrorCode(BinaryPrimitives.ReadUInt32BigEndian(payload))));
    }

    private static Parsed ParseSettings(FrameHeader h, ReadOnlySpan<byte> payload)
    {
        // §6.5: "If an endpoint receives a SETTINGS frame whose Stream
        // Identifier field is anything other than 0x00, the endpoint MUST
        // respond with a connection error (Section 5.4.1) of type PROTOCOL_ERROR."
        if (h.StreamId != 0)
            return StreamNonZero(h, "RFC 9113 §6.5");
        var ack = h.Has(FrameFlags.Ack);
        // §6.5: "Receipt of a SETTINGS frame with the ACK flag set and a length
        // field value other than 0 MUST be treated as a connection error
        // (Section 5.4.1) of type FRAME_SIZE_ERROR."
        if (ack && payload.Length != 0)
            return WrongLength(h, "with ACK, not 0", "RFC 9113 §6.5");
        if (ack)
            return Ok(h, SettingsFrame.Acknowledgement);
        // §6.5: "A SETTINGS frame with a length other than a multiple of 6
        // octets MUST be treated as a connection error (Section 5.4.1) of type
        // FRAME_SIZE_ERROR."
        if (payload.Length % 6 != 0)
            return WrongLength(h, "not a multiple of 6", "RFC 9113 §6.5");
        // §6.5.1: "zero or more settings, each consisting of an unsigned 16-bit
        // setting identifier and an unsigned 32-bit value". Values are checked
        // by the connection (§6.5.2); unknown identifiers are kept (open set).
        var settings = new Setting[payload.Length / 6];
        for (var i = 0; i < settings.Length; i++)
        {
            var entry = payload.Slice(i * 6, 6);
            settings[i] = new Setting(
                new SettingId(BinaryPrimitives.ReadUInt16BigEndian(entry)),
                BinaryPrimitives.ReadUInt32BigEndian(entry[2..]));
        }
        return Ok(h, new SettingsFrame(false, LanguageExt.Prelude.toSeq(settings)));
    }

    // §6.6: "If the Stream Identifier field specifies the value 0x00, a
    // recipient MUST respond with a connection error (Section 5.4.1) of type
    // PROTOCOL_ERROR."
    private static Parsed ParsePushPromise(FrameHeader h, ReadOnlyMemory<byte> payload)
    {
        if (h.StreamId == 0)
            return StreamZero(h, "RFC 9113 §6.6");
        return Unpad(h, payload, fixedLength: 4, "RFC 9113 §6.6") switch
        {
            (var body, var pad, null) => Ok(h, new PushPromiseFrame(
                h.StreamId,
                // "Reserved (1), Promised Stream ID (31)": the bit is ignored (§4.1).
                BinaryPrimitives.ReadUInt32BigEndian(body.Span) & FrameConstants.MaxStreamId,
                body[4..],
                EndHeaders: h.Has(FrameFlags.EndHeaders),
                Padding: pad)),
            (_, _, var error) => Fail(h, error),
        };
    }

    private static Parsed ParsePing(FrameHeader h, ReadOnlySpan<byte> payload)
    {
        // §6.7: "If a PING frame is received with a Stream Identifier field
        // value other than 0x00, the recipient MUST respond with a connection
        // error (Section 5.4.1) of type PROTOCOL_ERROR."
        if (h.StreamId != 0)
            return StreamNonZero(h, "RFC 9113 §6.7");
        // §6.7: "Receipt of a PING frame with a length field value other than 8
        // MUST be treated as a connection error (Section 5.4.1) of type
        // FRAME_SIZE_ERROR."
        if (payload.Length != 8)
            return WrongLength(h, "not 8", "RFC 9113 §6.7");
        return Ok(h, new PingFrame(h.Has(FrameFlags.Ack), BinaryPrimitives.ReadUInt64BigEndian(payload)));
    }

    private static Parsed ParseGoAway(FrameHeader h, ReadOnlyMemory<byte> payload)
    {
        // §6.8: "An endpoint MUST treat a GOAWAY frame with a stream identifier
        // other than 0x00 as a connection error (Section 5.4.1) of type
        // PROTOCOL_ERROR."
        if (h.StreamId != 0)
            return StreamNonZero(h, "RFC 9113 §6.8");
        // §4.2: FRAME_SIZE_ERROR for a frame "too small to contain mandatory
        // frame data": Last-Stream-ID (32) and Error Code (32) are mandatory.
        if (payload.Length < 8)
            return WrongLength(h, "shorter than 8", "RFC 9113 §4.2, §6.8");
        var span = payload.Span;
        return Ok(h, new GoAwayFrame(
            BinaryPrimitives.ReadUInt32BigEndian(span) & FrameConstants.MaxStreamId,
            new ErrorCode(BinaryPrimitives.ReadUInt32BigEndian(span[4..])),
            payload[8..]));
    }

    private static Parsed ParseWindowUpdate(FrameHeader h, ReadOnlySpan<byte> payload)
    {
        // §6.9: "A WINDOW_UPDATE frame with a length other than 4 octets MUST
        // be treated as a connection error (Section 5.4.1) of type
        // FRAME_SIZE_ERROR."
        if (payload.Length != 4)
            return WrongLength(h, "not 4", "RFC 9113 §6.9");
        // An increment of 0 is returned as a frame: whether it is a stream or a
        // connection PROTOCOL_ERROR depends on the stream id and is the
        // connection's decision (§6.9).
        return Ok(h, new WindowUpdateFrame(h.StreamId, BinaryPrimitives.ReadUInt32BigEndian(payload) & FrameConstants.MaxWindowSize));
    }

    // §6.10: "If a CONTINUATION frame is received with a Stream Identifier field
    // of 0x00, the recipient MUST respond with a connection error (Section
    // 5.4.1) of type PROTOCOL_ERROR."
    private static Parsed ParseContinuation(FrameHeader h, ReadOnlyMemory<byte> payload) =>
        h.StreamId == 0
            ? StreamZero(h, "RFC 9113 §6.10")
            : Ok(h, new ContinuationFrame(h.StreamId, payload, h.Has(FrameFlags.EndHeaders)));

    /// <summary>
    /// Removes the Pad Length field and padding of a DATA, HEADERS or
    /// PUSH_PROMISE payload; <paramref name="fixedLength"/> counts the
    /// mandatory fields after Pad Length (5 for HEADERS priority, 4 for the
    /// promised stream id), which stay in the returned body.
    /// </summary>
    private static (ReadOnlyMemory<byte> Body, Option<byte> Padding, FrameError? Error) Unpad(
        FrameHeader h, ReadOnlyMemory<byte> payload, int fixedLength, string section)
    {
        var padded = h.Has(FrameFlags.Padded);
        var mandatory = fixedLength + (padded ? 1 : 0);
        // §4.2: FRAME_SIZE_ERROR for a frame "too small to contain mandatory
        // frame data"; a connection error for frames carrying a field block,
        // and made one for DATA too (§5.4 allows it), since the connection
        // could not otherwise account the octets to flow control.
        if (payload.Length < mandatory)
            return (default, default, FrameError.Connection(ErrorCode.FrameSizeError, h.StreamId,
                $"{h.Type} frame of {payload.Length} octets is too short for its {mandatory} mandatory octets",
                "RFC 9113 §4.2"));
        if (!padded)
            return (payload, Option<byte>.None, null);
        var padLength = payload.Span[0];
        // §6.1, §6.2, §6.6: "If the length of the padding is the length of the
        // frame payload or greater, the recipient MUST treat this as a
        // connection error (Section 5.4.1) of type PROTOCOL_ERROR." The padding
        // may not eat into the mandatory fields either (RFC 7540 §6.2: "Padding
        // that exceeds the size remaining for the header block fragment MUST be
        // treated as a PROTOCOL_ERROR").
        if (padLength > payload.Length - mandatory)
            return (default, default, FrameError.Connection(ErrorCode.ProtocolError, h.StreamId,
                $"{h.Type} pad length {padLength} exceeds the {payload.Length - mandatory} octets available",
                section));
        return (payload[1..(payload.Length - padLength)], Some(padLength), null);
    }

    private static PriorityFields ReadPriority(ReadOnlySpan<byte> five)
    {
        var word = BinaryPrimitives.ReadUInt32BigEndian(five);
        return new PriorityFields((word & 0x8000_0000) != 0, word & FrameConstants.MaxStreamId, five[4]);
    }

    private static Option<T> Some<T>(T value) => Option<T>.Some(value);

    private static Parsed Ok(FrameHeader h, Frame frame) => new(frame, null, h.TotalLength);

    private static ReadFailed Fail(FrameHeader h, FrameError? error) =>
        new(error ?? throw new InvalidOperationException("no error"), h.TotalLength);

    private static ReadFailed StreamZero(FrameHeader h, string section) =>
        Fail(h, FrameError.Connection(ErrorCode.ProtocolError, 0,
            $"{h.Type} frame on stream 0", section));

    private static ReadFailed StreamNonZero(FrameHeader h, string section) =>
        Fail(h, FrameError.Connection(ErrorCode.ProtocolError, h.StreamId,
            $"{h.Type} frame on stream {h.StreamId}, not 0", section));

    private static ReadFailed WrongLength(FrameHeader h, string expected, string section) =>
        Fail(h, FrameError.Connection(ErrorCode.FrameSizeError, h.StreamId,
            $"{h.Type} frame of {h.Length} octets, {expected}", section));
}

/// <summary>
/// A frame read, or why not, as a value (<see cref="FrameReader.ReadFrame"/>):
/// <see cref="Frame"/> set for a frame, <see cref="Failed"/> for an invalid one,
/// neither when more octets are needed.
/// </summary>
internal readonly record struct Parsed(Frame? Frame, ReadFailed? Failed, int Consumed)
{
    public static implicit operator Parsed(ReadFailed failed) => new(null, failed, failed.Consumed);
}
