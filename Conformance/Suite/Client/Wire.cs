using System.Buffers.Binary;
using LanguageExt;
using static LanguageExt.Prelude;
using Http2.Reference;
using Http2.Reference.Frames;

namespace Conformance.Suite.Client;

/// <summary>
/// The client's view of the wire: frames to octets and back (RFC 9113 §4.1)
/// with the core's <see cref="FrameWriter"/> and <see cref="FrameReader"/>,
/// plus raw frame headers for what the core would never write (a wrong
/// length, the reserved bit set). <see cref="UnknownFrame"/> is written
/// verbatim whatever its type: that is how cases send frames the typed
/// records cannot express. The cases are also run against nghttpd, so a bug
/// shared by our codec and our server cannot pass unnoticed.
/// </summary>
public static class Wire
{
    /// <summary>RFC 9113 §3.4: the client connection preface.</summary>
    public static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    public const int HeaderLength = 9;

    /// <summary>The client reads frames of any size a 24-bit length allows (it reports; it does not police).</summary>
    const uint MaxFrameSizeAccepted = (1 << 24) - 1;

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

    /// <summary>The octets of a frame record: the core's writer (RFC 9113 §4.1, §6), which writes an <see cref="UnknownFrame"/> verbatim whatever its type.</summary>
    public static byte[] Encode(Frame frame) => FrameWriter.ToBytes(frame);

    public static byte[] U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32BigEndian(b, v); return b; }
    public static byte[] U64(ulong v) { var b = new byte[8]; BinaryPrimitives.WriteUInt64BigEndian(b, v); return b; }

    /// <summary>
    /// Reads one frame from the front of <paramref name="buffer"/> with the
    /// core's reader: the frame and the octets it took, or None when more
    /// octets are needed. What a server sends is reported, not judged here:
    /// a frame the reader rejects becomes an <see cref="UnknownFrame"/>.
    /// </summary>
    public static Option<(Frame Frame, int Consumed)> TryRead(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < HeaderLength) return None;
        var length = (buffer[0] << 16) | (buffer[1] << 8) | buffer[2];
        if (buffer.Length < HeaderLength + length) return None;
        // a private copy: the frame's Bytes alias it, and the caller reuses its buffer
        var octets = buffer[..(HeaderLength + length)].ToArray();
        var frame = FrameReader.Read(octets, MaxFrameSizeAccepted) switch
        {
            FrameRead r => r.Frame,
            // a frame the core rejects is still reported, as its raw parts
            _ => new UnknownFrame(new FrameType(octets[3]), octets[4],
                BinaryPrimitives.ReadUInt32BigEndian(octets.AsSpan(5)) & 0x7fffffff, new Bytes(octets.AsMemory(HeaderLength))),
        };
        return (frame, octets.Length);
    }

    static Option<(Frame, int)> None => Option<(Frame, int)>.None;

    /// <summary>The largest frame a server may send before it has seen the client's SETTINGS (RFC 9113 §4.2, §6.5.2: the initial SETTINGS_MAX_FRAME_SIZE).</summary>
    public const int InitialMaxFrameSize = 16384;

    /// <summary>
    /// Why the first octets from the server cannot start HTTP/2 (RFC 9113
    /// §3.4: the server's first frame is SETTINGS; any first frame has a
    /// defined type and fits the initial SETTINGS_MAX_FRAME_SIZE), or null
    /// while they can (or too few octets arrived to tell).
    /// </summary>
    public static string? NotAFirstFrame(ReadOnlySpan<byte> octets)
    {
        if (LooksLike(octets) is { } guess) return guess;
        if (octets.Length < HeaderLength) return null;
        var length = (octets[0] << 16) | (octets[1] << 8) | octets[2];
        return octets[3] > 0x9 ? $"the first frame header has the undefined type 0x{octets[3]:x2}; the server connection preface is a SETTINGS frame (RFC 9113 §3.4)"
             : length > InitialMaxFrameSize ? $"the first frame header announces {length} octets, more than the initial SETTINGS_MAX_FRAME_SIZE of {InitialMaxFrameSize} (RFC 9113 §4.2)"
             : null;
    }

    /// <summary>Why octets left when the connection ended are not a frame.</summary>
    public static string Truncation(ReadOnlySpan<byte> octets)
    {
        if (LooksLike(octets) is { } guess) return guess;
        if (octets.Length < HeaderLength) return $"the connection ended after {octets.Length} octet(s) of a 9-octet frame header";
        var length = (octets[0] << 16) | (octets[1] << 8) | octets[2];
        return $"the connection ended inside a frame: its header announces {length} octets of payload, {octets.Length - HeaderLength} arrived";
    }

    /// <summary>Recognisable protocols that are not HTTP/2.</summary>
    static string? LooksLike(ReadOnlySpan<byte> octets) =>
        octets.StartsWith("HTTP/1."u8) ? "an HTTP/1.x response: the target does not speak HTTP/2 with prior knowledge here"
        : octets.Length >= 2 && octets[0] is 0x15 or 0x16 && octets[1] == 0x03 ? "a TLS record: the target expects TLS (h2spec -t, --tls)"
        : null;

    /// <summary>
    /// Runs every frame type through the writer and the reader once, so that
    /// one-time costs (JIT, LanguageExt's first-use type-class resolution) are
    /// not charged to the first case's timeout.
    /// </summary>
    public static void WarmUp()
    {
        Frame[] frames =
        [
            new DataFrame(1, new byte[] { 1 }, true, (byte)1), new HeadersFrame(1, new byte[] { 0x82 }, true, true, new PriorityFields(true, 3, 1)),
            new PriorityFrame(1, new PriorityFields(false, 0, 1)), new RstStreamFrame(1, ErrorCode.Cancel),
            new SettingsFrame(false, Seq1(new Setting(SettingId.MaxFrameSize, 16384))), SettingsFrame.Acknowledgement,
            new PushPromiseFrame(1, 2, new byte[] { 0x82 }), new PingFrame(true, 1), new GoAwayFrame(1, ErrorCode.NoError, new byte[] { 1 }),
            new WindowUpdateFrame(0, 1), new ContinuationFrame(1, new byte[] { 0x82 }), new UnknownFrame(new FrameType(0xff), 0, 0, new byte[] { 1 }),
        ];
        foreach (var f in frames)
            foreach (var (read, _) in TryRead(Encode(f)))
                _ = Describe(read);
    }

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
