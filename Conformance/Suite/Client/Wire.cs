using System.Buffers.Binary;
using LanguageExt;
using Reference;
using Reference.Frames;

namespace Conformance.Suite.Client;

/// <summary>
/// The client's view of the wire: frames to octets and back (RFC 9113 §4.1).
/// Deliberately independent of the core's codec on the receive side so that a
/// bug in <c>Reference.Frames</c> cannot hide a bug in the server under test
/// ("a codec tested only against itself can be wrong in both directions").
/// <see cref="UnknownFrame"/> is written verbatim whatever its type: that is
/// how cases send frames the typed records cannot express.
/// </summary>
public static class Wire
{
    /// <summary>RFC 9113 §3.4: the client connection preface.</summary>
    public static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public const int HeaderLength = 9;

    /// <summary>The 9-octet frame header (§4.1); <paramref name="length"/> is written as given, right or wrong.</summary>
    public static byte[] Header(int length, byte type, byte flags, uint streamId, bool reservedBit = false)
    {
        var h = new byte[HeaderLength];
        h[0] = (byte)(length >> 16); h[1] = (byte)(length >> 8); h[2] = (byte)length;
        h[3] = type; h[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(h.AsSpan(5), (streamId & 0x7fffffff) | (reservedBit ? 0x80000000u : 0));
        return h;
    }

    /// <summary>A whole frame from its raw parts.</summary>
    public static byte[] Raw(byte type, byte flags, uint streamId, ReadOnlySpan<byte> payload, bool reservedBit = false) =>
        [.. Header(payload.Length, type, flags, streamId, reservedBit), .. payload];

    /// <summary>The octets of a frame record.</summary>
    public static byte[] Encode(Frame frame) => frame switch
    {
        DataFrame d => Raw(0x0, (byte)((d.EndStream ? FrameFlags.EndStream : 0) | (d.Padding.IsSome ? FrameFlags.Padded : 0)),
            d.StreamId, Padded(d.Data.Span, d.Padding)),
        HeadersFrame h => Raw(0x1,
            (byte)((h.EndStream ? FrameFlags.EndStream : 0) | (h.EndHeaders ? FrameFlags.EndHeaders : 0)
                   | (h.Padding.IsSome ? FrameFlags.Padded : 0) | (h.Priority.IsSome ? FrameFlags.Priority : 0)),
            h.StreamId, Padded([.. h.Priority.Match(PriorityBytes, () => []), .. h.Fragment.Span], h.Padding)),
        PriorityFrame p => Raw(0x2, 0, p.StreamId, PriorityBytes(p.Priority)),
        RstStreamFrame r => Raw(0x3, 0, r.StreamId, U32(r.Error.Value)),
        SettingsFrame s => Raw(0x4, s.Ack ? FrameFlags.Ack : (byte)0, 0,
            s.Settings.SelectMany(x => (byte[])[(byte)(x.Id.Value >> 8), (byte)x.Id.Value, .. U32(x.Value)]).ToArray()),
        PushPromiseFrame pp => Raw(0x5, (byte)((pp.EndHeaders ? FrameFlags.EndHeaders : 0) | (pp.Padding.IsSome ? FrameFlags.Padded : 0)),
            pp.StreamId, Padded([.. U32(pp.PromisedStreamId), .. pp.Fragment.Span], pp.Padding)),
        PingFrame p => Raw(0x6, p.Ack ? FrameFlags.Ack : (byte)0, 0, U64(p.Opaque)),
        GoAwayFrame g => Raw(0x7, 0, 0, [.. U32(g.LastStreamId), .. U32(g.Error.Value), .. g.DebugData.Span]),
        WindowUpdateFrame w => Raw(0x8, 0, w.StreamId, U32(w.Increment)),
        ContinuationFrame c => Raw(0x9, c.EndHeaders ? FrameFlags.EndHeaders : (byte)0, c.StreamId, c.Fragment.Span),
        UnknownFrame u => Raw(u.RawType.Value, u.Flags, u.StreamId, u.Payload.Span),
        _ => throw new ArgumentOutOfRangeException(nameof(frame)),
    };

    public static byte[] U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, v); return b; }
    public static byte[] U64(ulong v) { var b = new byte[8]; BinaryPrimitives.WriteUInt64BigEndian(b, v); return b; }

    static byte[] PriorityBytes(PriorityFields p) =>
        [.. U32((p.DependsOn & 0x7fffffff) | (p.Exclusive ? 0x80000000u : 0)), p.Weight];

    static byte[] Padded(ReadOnlySpan<byte> body, Option<byte> padding)
    {
        var copy = body.ToArray();
        return padding.Match(n => (byte[])[n, .. copy, .. new byte[n]], () => copy);
    }

    /// <summary>
    /// Reads one frame from the front of <paramref name="buffer"/>: the frame
    /// and the octets it took, or None when more octets are needed. Frames are
    /// decoded leniently into records (what a server sends is reported, not
    /// judged here); anything the records cannot hold becomes an <see cref="UnknownFrame"/>.
    /// </summary>
    public static Option<(Frame Frame, int Consumed)> TryRead(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < HeaderLength) return None;
        var length = (buffer[0] << 16) | (buffer[1] << 8) | buffer[2];
        if (buffer.Length < HeaderLength + length) return None;
        var type = buffer[3];
        var flags = buffer[4];
        var stream = BinaryPrimitives.ReadUInt32BigEndian(buffer[5..]) & 0x7fffffff;
        var payload = buffer.Slice(HeaderLength, length).ToArray();
        return (Decode(type, flags, stream, payload), HeaderLength + length);
    }

    static Option<(Frame, int)> None => Option<(Frame, int)>.None;

    static Frame Decode(byte type, byte flags, uint stream, byte[] p)
    {
        var raw = new UnknownFrame(new FrameType(type), flags, stream, p);
        bool Has(byte f) => (flags & f) != 0;
        ReadOnlySpan<byte> s = p;
        try
        {
            return type switch
            {
                0x0 => Unpad(p, Has(FrameFlags.Padded)) is { } d ? new DataFrame(stream, d, Has(FrameFlags.EndStream)) : raw,
                0x1 => Unpad(p, Has(FrameFlags.Padded)) is { } h
                    ? new HeadersFrame(stream, Has(FrameFlags.Priority) ? h[5..] : h, Has(FrameFlags.EndStream), Has(FrameFlags.EndHeaders))
                    : raw,
                0x3 when p.Length == 4 => new RstStreamFrame(stream, new ErrorCode(BinaryPrimitives.ReadUInt32BigEndian(s))),
                0x4 when p.Length % 6 == 0 => new SettingsFrame(Has(FrameFlags.Ack),
                    Enumerable.Range(0, p.Length / 6).Select(i => new Setting(
                        new SettingId(BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(i * 6))),
                        BinaryPrimitives.ReadUInt32BigEndian(p.AsSpan(i * 6 + 2)))).ToSeq()),
                0x5 when p.Length >= 4 => new PushPromiseFrame(stream, BinaryPrimitives.ReadUInt32BigEndian(s) & 0x7fffffff, p[4..], Has(FrameFlags.EndHeaders)),
                0x6 when p.Length == 8 => new PingFrame(Has(FrameFlags.Ack), BinaryPrimitives.ReadUInt64BigEndian(s)),
                0x7 when p.Length >= 8 => new GoAwayFrame(BinaryPrimitives.ReadUInt32BigEndian(s) & 0x7fffffff,
                    new ErrorCode(BinaryPrimitives.ReadUInt32BigEndian(s[4..])), p[8..]),
                0x8 when p.Length == 4 => new WindowUpdateFrame(stream, BinaryPrimitives.ReadUInt32BigEndian(s) & 0x7fffffff),
                0x9 => new ContinuationFrame(stream, p, Has(FrameFlags.EndHeaders)),
                _ => raw,
            };
        }
        catch (ArgumentOutOfRangeException) { return raw; }
    }

    static byte[]? Unpad(byte[] p, bool padded) =>
        !padded ? p : p.Length >= 1 && p[0] < p.Length ? p[1..(p.Length - p[0])] : null;

    /// <summary>One line for reports: "GOAWAY(last=1, PROTOCOL_ERROR)".</summary>
    public static string Describe(Frame f) => f switch
    {
        DataFrame d => $"DATA(stream {d.StreamId}, {d.Data.Length} octets{(d.EndStream ? ", END_STREAM" : "")})",
        HeadersFrame h => $"HEADERS(stream {h.StreamId}{(h.EndStream ? ", END_STREAM" : "")}{(h.EndHeaders ? "" : ", no END_HEADERS")})",
        RstStreamFrame r => $"RST_STREAM(stream {r.StreamId}, {r.Error})",
        SettingsFrame s => s.Ack ? "SETTINGS(ACK)" : $"SETTINGS({string.Join(", ", s.Settings.Map(x => $"{x.Id}={x.Value}"))})",
        PushPromiseFrame pp => $"PUSH_PROMISE(stream {pp.StreamId}, promised {pp.PromisedStreamId})",
        PingFrame p => $"PING({(p.Ack ? "ACK, " : "")}{p.Opaque:x16})",
        GoAwayFrame g => $"GOAWAY(last {g.LastStreamId}, {g.Error}{(g.DebugData.IsEmpty ? "" : $", \"{Printable(g.DebugData)}\"")})",
        WindowUpdateFrame w => $"WINDOW_UPDATE(stream {w.StreamId}, +{w.Increment})",
        ContinuationFrame c => $"CONTINUATION(stream {c.StreamId})",
        PriorityFrame p => $"PRIORITY(stream {p.StreamId})",
        UnknownFrame u => $"{u.RawType}(stream {u.StreamId}, flags 0x{u.Flags:x2}, {u.Payload.Length} octets)",
        _ => f.ToString(),
    };

    static string Printable(Bytes b) =>
        new(b.ToUtf8().Take(80).Select(c => char.IsControl(c) ? '.' : c).ToArray());
}
