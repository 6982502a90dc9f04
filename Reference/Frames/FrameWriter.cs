using System.Buffers;
using System.Buffers.Binary;
using LanguageExt;

namespace Http2.Reference.Frames;

/// <summary>
/// Frames to bytes (RFC 9113 §4.1, §6), and field blocks to HEADERS or
/// PUSH_PROMISE plus CONTINUATION frames (§4.3).
/// </summary>
/// <remarks>
/// Typed frames are written exactly as their fields say: flags are derived
/// from the fields (unused flags are 0, §4.1), the reserved bits are 0, padding
/// octets are 0 (§6.1: "Padding octets MUST be set to zero when sending").
/// The writer does not enforce the peer's rules (stream 0 for SETTINGS, sizes
/// within SETTINGS_MAX_FRAME_SIZE); that is the connection's job, and a test
/// client may want to break them. An <see cref="UnknownFrame"/> of any type,
/// known ones included, is written verbatim: its flags as given and its stream
/// id as all 32 bits, so a test can set the reserved bit.
/// </remarks>
public static class FrameWriter
{
    /// <summary>
    /// Writes <paramref name="frame"/> into <paramref name="output"/>: one
    /// <c>GetSpan</c>/<c>Advance</c> pair, no other allocation.
    /// </summary>
    /// <param name="frame">The frame.</param>
    /// <param name="output">Where the octets go.</param>
    /// <exception cref="ArgumentOutOfRangeException">The payload exceeds 2^24-1 octets (a bug in the caller).</exception>
    public static void Write(Frame frame, IBufferWriter<byte> output)
    {
        // The two frames of every response, unpadded: one type test, no switch.
        if (frame is DataFrame { Padding.IsNone: true } d)
        {
            var n = FrameConstants.HeaderLength + d.Data.Length;
            output.Advance(WriteSimple(output.GetSpan(n), FrameType.Data, Flag(d.EndStream, FrameFlags.EndStream), d.StreamId, d.Data.Span));
            return;
        }
        if (frame is HeadersFrame { Padding.IsNone: true, Priority.IsNone: true } h)
        {
            var n = FrameConstants.HeaderLength + h.Fragment.Length;
            output.Advance(WriteSimple(output.GetSpan(n), FrameType.Headers,
                (byte)(Flag(h.EndStream, FrameFlags.EndStream) | Flag(h.EndHeaders, FrameFlags.EndHeaders)), h.StreamId, h.Fragment.Span));
            return;
        }
        var length = FrameConstants.HeaderLength + PayloadLength(frame);
        var span = output.GetSpan(length);
        Encode(frame, span);
        output.Advance(length);
    }

    /// <summary>The encoding of <paramref name="frame"/> as a new array.</summary>
    /// <param name="frame">The frame.</param>
    /// <exception cref="ArgumentOutOfRangeException">The payload exceeds 2^24-1 octets (a bug in the caller).</exception>
    public static byte[] ToBytes(Frame frame)
    {
        var bytes = new byte[FrameConstants.HeaderLength + PayloadLength(frame)];
        Encode(frame, bytes);
        return bytes;
    }

    /// <summary>The encoding of a sequence of frames, concatenated.</summary>
    /// <param name="frames">The frames, in order.</param>
    public static byte[] ToBytes(IEnumerable<Frame> frames)
    {
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var frame in frames)
            Write(frame, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes a raw 9-octet frame header, for conformance tests that build
    /// broken frames: the stream id is written as all 32 bits, so
    /// <c>streamId | 0x80000000</c> sets the reserved bit; the length need not
    /// match the payload that follows.
    /// </summary>
    /// <param name="length">The Length field (at most 2^24-1).</param>
    /// <param name="type">The type octet.</param>
    /// <param name="flags">The flags octet.</param>
    /// <param name="streamId">Reserved bit and stream id, written verbatim.</param>
    /// <param name="output">Where the octets go.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> does not fit in 24 bits.</exception>
    public static void WriteHeader(uint length, FrameType type, byte flags, uint streamId, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(FrameConstants.HeaderLength);
        EncodeHeader(span, checked((int)CheckLength(length)), type, flags, streamId);
        output.Advance(FrameConstants.HeaderLength);
    }

    /// <summary>
    /// The length of the payload <paramref name="frame"/> encodes to (the
    /// frame header's Length field).
    /// </summary>
    /// <param name="frame">The frame.</param>
    public static int PayloadLength(Frame frame) => frame switch
    {
        DataFrame d => PadOverhead(d.Padding) + d.Data.Length,
        HeadersFrame h => PadOverhead(h.Padding) + (h.Priority.IsSome ? 5 : 0) + h.Fragment.Length,
        PriorityFrame => 5,
        RstStreamFrame => 4,
        SettingsFrame s => 6 * s.Settings.Count,
        PushPromiseFrame p => PadOverhead(p.Padding) + 4 + p.Fragment.Length,
        PingFrame => 8,
        GoAwayFrame g => 8 + g.DebugData.Length,
        WindowUpdateFrame => 4,
        ContinuationFrame c => c.Fragment.Length,
        UnknownFrame u => u.Payload.Length,
        _ => throw new ArgumentOutOfRangeException(nameof(frame), frame.GetType().Name, "unknown Frame subtype"),
    };

    /// <summary>
    /// The flags octet <paramref name="frame"/> is written with: only the
    /// flags its type defines (§4.1: unused flags "MUST be left unset (0x00)
    /// when sending"), or the raw flags of an <see cref="UnknownFrame"/>.
    /// </summary>
    /// <param name="frame">The frame.</param>
    public static byte Flags(Frame frame) => frame switch
    {
        DataFrame d => (byte)(Flag(d.EndStream, FrameFlags.EndStream) | Flag(d.Padding.IsSome, FrameFlags.Padded)),
        HeadersFrame h => (byte)(Flag(h.EndStream, FrameFlags.EndStream) | Flag(h.EndHeaders, FrameFlags.EndHeaders)
                                 | Flag(h.Padding.IsSome, FrameFlags.Padded) | Flag(h.Priority.IsSome, FrameFlags.Priority)),
        SettingsFrame s => Flag(s.Ack, FrameFlags.Ack),
        PushPromiseFrame p => (byte)(Flag(p.EndHeaders, FrameFlags.EndHeaders) | Flag(p.Padding.IsSome, FrameFlags.Padded)),
        PingFrame p => Flag(p.Ack, FrameFlags.Ack),
        ContinuationFrame c => Flag(c.EndHeaders, FrameFlags.EndHeaders),
        UnknownFrame u => u.Flags,
        _ => 0,
    };

    /// <summary>
    /// Encodes <paramref name="frame"/> into <paramref name="destination"/>,
    /// which must hold at least 9 + <see cref="PayloadLength"/> octets.
    /// </summary>
    /// <param name="frame">The frame.</param>
    /// <param name="destination">The target span.</param>
    /// <returns>The number of octets written.</returns>
    public static int Encode(Frame frame, Span<byte> destination)
    {
        var length = PayloadLength(frame);
        CheckLength((uint)length);
        var streamId = frame is UnknownFrame ? frame.StreamId : frame.StreamId & FrameConstants.MaxStreamId;
        EncodeHeader(destination, length, frame.Type, Flags(frame), streamId);
        var p = destination.Slice(FrameConstants.HeaderLength, length);
        switch (frame)
        {
            case DataFrame d:
                WritePadded(p, d.Padding, d.Data.Span, ReadOnlySpan<byte>.Empty);
                break;
            case HeadersFrame h:
                Span<byte> priority = stackalloc byte[5];
                var prefix = 0;
                if (h.Priority.IsSome)
                {
                    WritePriority(priority, h.Priority.IfNone(default(PriorityFields)));
                    prefix = 5;
                }
                WritePadded(p, h.Padding, priority[..prefix], h.Fragment.Span);
                break;
            case PriorityFrame pr:
                WritePriority(p, pr.Priority);
                break;
            case RstStreamFrame r:
                BinaryPrimitives.WriteUInt32BigEndian(p, r.Error.Value);
                break;
            case SettingsFrame s:
                // Indexing, not foreach: Seq's enumerator is a heap object.
                for (var i = 0; i < s.Settings.Count; i++)
                {
                    var setting = s.Settings[i];
                    BinaryPrimitives.WriteUInt16BigEndian(p[(6 * i)..], setting.Id.Value);
                    BinaryPrimitives.WriteUInt32BigEndian(p[(6 * i + 2)..], setting.Value);
                }
                break;
            case PushPromiseFrame pp:
                Span<byte> promised = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(promised, pp.PromisedStreamId & FrameConstants.MaxStreamId);
                WritePadded(p, pp.Padding, promised, pp.Fragment.Span);
                break;
            case PingFrame ping:
                BinaryPrimitives.WriteUInt64BigEndian(p, ping.Opaque);
                break;
            case GoAwayFrame g:
                BinaryPrimitives.WriteUInt32BigEndian(p, g.LastStreamId & FrameConstants.MaxStreamId);
                BinaryPrimitives.WriteUInt32BigEndian(p[4..], g.Error.Value);
                g.DebugData.Span.CopyTo(p[8..]);
                break;
            case WindowUpdateFrame w:
                BinaryPrimitives.WriteUInt32BigEndian(p, w.Increment & FrameConstants.MaxWindowSize);
                break;
            case ContinuationFrame c:
                c.Fragment.Span.CopyTo(p);
                break;
            case UnknownFrame u:
                u.Payload.Span.CopyTo(p);
                break;
        }
        return FrameConstants.HeaderLength + length;
    }

    /// <summary>
    /// Splits a field block into a HEADERS frame and as many CONTINUATION
    /// frames as needed so that no payload exceeds
    /// <paramref name="peerMaxFrameSize"/> (§4.3: "A field block ... is
    /// continued in a CONTINUATION frame"; §4.2). END_STREAM goes on the
    /// HEADERS frame, END_HEADERS on the last frame. No padding.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="block">The encoded field block; fragments alias it.</param>
    /// <param name="endStream">Whether the HEADERS frame ends the stream.</param>
    /// <param name="priority">Priority fields for the HEADERS frame, if any.</param>
    /// <param name="peerMaxFrameSize">The peer's SETTINGS_MAX_FRAME_SIZE; values too small to carry one fragment octet are raised to that minimum.</param>
    /// <returns>The frames, in sending order.</returns>
    public static Seq<Frame> SplitHeaderBlock(
        uint streamId, ReadOnlyMemory<byte> block, bool endStream, Option<PriorityFields> priority, uint peerMaxFrameSize)
    {
        var first = FirstChunk(block.Length, priority.IsSome ? 5 : 0, peerMaxFrameSize);
        var frames = new List<Frame>
        {
            new HeadersFrame(streamId, block[..first], endStream, EndHeaders: first == block.Length, priority),
        };
        AddContinuations(frames, streamId, block[first..], peerMaxFrameSize);
        return LanguageExt.Prelude.toSeq(frames);
    }

    /// <summary>
    /// Splits a field block into a PUSH_PROMISE frame and CONTINUATION frames
    /// (§6.6, §4.3), as <see cref="SplitHeaderBlock"/> does for HEADERS.
    /// </summary>
    /// <param name="streamId">The stream the promise is sent on.</param>
    /// <param name="promisedStreamId">The stream reserved by the promise.</param>
    /// <param name="block">The encoded field block; fragments alias it.</param>
    /// <param name="peerMaxFrameSize">The peer's SETTINGS_MAX_FRAME_SIZE.</param>
    /// <returns>The frames, in sending order.</returns>
    public static Seq<Frame> SplitPushPromise(
        uint streamId, uint promisedStreamId, ReadOnlyMemory<byte> block, uint peerMaxFrameSize)
    {
        var first = FirstChunk(block.Length, 4, peerMaxFrameSize);
        var frames = new List<Frame>
        {
            new PushPromiseFrame(streamId, promisedStreamId, block[..first], EndHeaders: first == block.Length),
        };
        AddContinuations(frames, streamId, block[first..], peerMaxFrameSize);
        return LanguageExt.Prelude.toSeq(frames);
    }

    /// <summary>
    /// Writes a field block as HEADERS + CONTINUATION* frames directly into
    /// <paramref name="output"/>, without allocating frames; the octets equal
    /// those of <see cref="SplitHeaderBlock"/>'s frames.
    /// </summary>
    /// <param name="streamId">The stream.</param>
    /// <param name="block">The encoded field block.</param>
    /// <param name="endStream">Whether the HEADERS frame ends the stream.</param>
    /// <param name="priority">Priority fields for the HEADERS frame, if any.</param>
    /// <param name="peerMaxFrameSize">The peer's SETTINGS_MAX_FRAME_SIZE.</param>
    /// <param name="output">Where the octets go.</param>
    public static void WriteHeaderBlock(
        uint streamId, ReadOnlySpan<byte> block, bool endStream, Option<PriorityFields> priority,
        uint peerMaxFrameSize, IBufferWriter<byte> output)
    {
        var prefix = priority.IsSome ? 5 : 0;
        var first = FirstChunk(block.Length, prefix, peerMaxFrameSize);
        var flags = (byte)(Flag(endStream, FrameFlags.EndStream) | Flag(first == block.Length, FrameFlags.EndHeaders)
                           | Flag(priority.IsSome, FrameFlags.Priority));
        var span = output.GetSpan(FrameConstants.HeaderLength + prefix + first);
        EncodeHeader(span, prefix + first, FrameType.Headers, flags, streamId & FrameConstants.MaxStreamId);
        if (priority.IsSome)
            WritePriority(span[FrameConstants.HeaderLength..], priority.IfNone(default(PriorityFields)));
        block[..first].CopyTo(span[(FrameConstants.HeaderLength + prefix)..]);
        output.Advance(FrameConstants.HeaderLength + prefix + first);
        WriteContinuations(streamId, block[first..], peerMaxFrameSize, output);
    }

    /// <summary>
    /// Writes a field block as PUSH_PROMISE + CONTINUATION* frames directly
    /// into <paramref name="output"/>; the octets equal those of
    /// <see cref="SplitPushPromise"/>'s frames.
    /// </summary>
    /// <param name="streamId">The stream the promise is sent on.</param>
    /// <param name="promisedStreamId">The stream reserved by the promise.</param>
    /// <param name="block">The encoded field block.</param>
    /// <param name="peerMaxFrameSize">The peer's SETTINGS_MAX_FRAME_SIZE.</param>
    /// <param name="output">Where the octets go.</param>
    public static void WritePushPromise(
        uint streamId, uint promisedStreamId, ReadOnlySpan<byte> block, uint peerMaxFrameSize, IBufferWriter<byte> output)
    {
        var first = FirstChunk(block.Length, 4, peerMaxFrameSize);
        var span = output.GetSpan(FrameConstants.HeaderLength + 4 + first);
        EncodeHeader(span, 4 + first, FrameType.PushPromise, Flag(first == block.Length, FrameFlags.EndHeaders),
            streamId & FrameConstants.MaxStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(span[FrameConstants.HeaderLength..], promisedStreamId & FrameConstants.MaxStreamId);
        block[..first].CopyTo(span[(FrameConstants.HeaderLength + 4)..]);
        output.Advance(FrameConstants.HeaderLength + 4 + first);
        WriteContinuations(streamId, block[first..], peerMaxFrameSize, output);
    }

    private static void WriteContinuations(uint streamId, ReadOnlySpan<byte> rest, uint peerMaxFrameSize, IBufferWriter<byte> output)
    {
        var chunk = ChunkSize(0, peerMaxFrameSize);
        while (!rest.IsEmpty)
        {
            var n = Math.Min(chunk, rest.Length);
            var span = output.GetSpan(FrameConstants.HeaderLength + n);
            EncodeHeader(span, n, FrameType.Continuation, Flag(n == rest.Length, FrameFlags.EndHeaders),
                streamId & FrameConstants.MaxStreamId);
            rest[..n].CopyTo(span[FrameConstants.HeaderLength..]);
            output.Advance(FrameConstants.HeaderLength + n);
            rest = rest[n..];
        }
    }

    private static void AddContinuations(List<Frame> frames, uint streamId, ReadOnlyMemory<byte> rest, uint peerMaxFrameSize)
    {
        var chunk = ChunkSize(0, peerMaxFrameSize);
        while (!rest.IsEmpty)
        {
            var n = Math.Min(chunk, rest.Length);
            frames.Add(new ContinuationFrame(streamId, rest[..n], EndHeaders: n == rest.Length));
            rest = rest[n..];
        }
    }

    /// <summary>Fragment octets that fit in a frame after <paramref name="prefix"/> octets of fixed fields; at least 1.</summary>
    private static int ChunkSize(int prefix, uint peerMaxFrameSize) =>
        (int)Math.Max(1, Math.Min(peerMaxFrameSize, FrameConstants.MaxMaxFrameSize) - (long)prefix);

    private static int FirstChunk(int blockLength, int prefix, uint peerMaxFrameSize) =>
        Math.Min(blockLength, ChunkSize(prefix, peerMaxFrameSize));

    private static void EncodeHeader(Span<byte> span, int length, FrameType type, byte flags, uint streamIdWord)
    {
        span[0] = (byte)(length >> 16);
        span[1] = (byte)(length >> 8);
        span[2] = (byte)length;
        span[3] = type.Value;
        span[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(span[5..], streamIdWord);
    }

    private static uint CheckLength(uint length) =>
        length <= FrameConstants.MaxMaxFrameSize
            ? length
            : throw new ArgumentOutOfRangeException(nameof(length), length, "a frame payload cannot exceed 2^24-1 octets (§4.1)");

    private static void WritePadded(Span<byte> payload, Option<byte> padding, ReadOnlySpan<byte> fixedFields, ReadOnlySpan<byte> body)
    {
        var pad = padding.IsSome ? padding.IfNone(0) : -1;
        var offset = 0;
        if (pad >= 0)
            payload[offset++] = (byte)pad;
        fixedFields.CopyTo(payload[offset..]);
        offset += fixedFields.Length;
        body.CopyTo(payload[offset..]);
        offset += body.Length;
        // §6.1: "Padding octets MUST be set to zero when sending."
        payload[offset..].Clear();
    }

    private static void WritePriority(Span<byte> span, PriorityFields priority)
    {
        BinaryPrimitives.WriteUInt32BigEndian(span,
            (priority.DependsOn & FrameConstants.MaxStreamId) | (priority.Exclusive ? 0x8000_0000u : 0));
        span[4] = priority.Weight;
    }

    /// <summary>Octets padding adds to a payload: the Pad Length octet and the padding (§6.1), 0 when unpadded.</summary>
    internal static int PadOverhead(Option<byte> padding) => padding.IsSome ? padding.IfNone(0) + 1 : 0;

    private static int WriteSimple(Span<byte> destination, FrameType type, byte flags, uint streamId, ReadOnlySpan<byte> payload)
    {
        CheckLength((uint)payload.Length);
        EncodeHeader(destination, payload.Length, type, flags, streamId & FrameConstants.MaxStreamId);
        payload.CopyTo(destination[FrameConstants.HeaderLength..]);
        return FrameConstants.HeaderLength + payload.Length;
    }

    private static byte Flag(bool set, byte flag) => set ? flag : (byte)0;
}
