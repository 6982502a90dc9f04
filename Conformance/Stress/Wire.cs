using System.Buffers;
using System.Text;
using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;

namespace Conformance.Stress;

/// <summary>
/// Frame types, flags and the client connection preface as octets
/// (RFC 9113 §3.4, §4.1, §6). The attacks need frames the typed codec
/// would refuse to build (empty CONTINUATION floods, SETTINGS with thousands
/// of entries, mutated bytes), so they are assembled here from the 9-octet
/// header and a payload.
/// </summary>
public static class Wire
{
    /// <summary>RFC 9113 §3.4: the client connection preface.</summary>
    public static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>Frame type octets (§6, §11.2).</summary>
    public const byte Data = 0x0, Headers = 0x1, Priority = 0x2, RstStream = 0x3, Settings = 0x4,
        PushPromise = 0x5, Ping = 0x6, GoAway = 0x7, WindowUpdate = 0x8, Continuation = 0x9;

    /// <summary>Flag bits (§6).</summary>
    public const byte EndStream = 0x1, Ack = 0x1, EndHeaders = 0x4, Padded = 0x8, PriorityFlag = 0x20;

    /// <summary>SETTINGS identifiers (§6.5.2).</summary>
    public const ushort HeaderTableSize = 0x1, EnablePush = 0x2, MaxConcurrentStreams = 0x3,
        InitialWindowSize = 0x4, MaxFrameSize = 0x5, MaxHeaderListSize = 0x6;

    /// <summary>Error codes (§7) this program names in its reports.</summary>
    public static string ErrorName(uint code) => new Http2.Reference.ErrorCode(code).Name;

    /// <summary>The frame type name (§6) or its hex value.</summary>
    public static string TypeName(byte type) => new Http2.Reference.Frames.FrameType(type).Name;
}

/// <summary>
/// A growable buffer of frames to send in one write. Appending many small
/// frames and writing them at once keeps the attacker fast (one syscall per
/// batch, not per frame). Well-formed frames go through the reference frame
/// codec (<see cref="FrameWriter"/>); frames the typed records cannot express
/// (a length that lies, a stray type) are <see cref="UnknownFrame"/>s, which
/// the codec writes verbatim, or raw octets.
/// </summary>
public sealed class FrameBatch : IBufferWriter<byte>
{
    private readonly ArrayBufferWriter<byte> buffer = new(64 * 1024);

    /// <summary>Octets appended so far.</summary>
    public int Length => buffer.WrittenCount;

    /// <summary>Frames appended so far.</summary>
    public int Frames { get; private set; }

    /// <summary>The octets appended so far (aliases the internal buffer until the next append).</summary>
    public ReadOnlyMemory<byte> Memory => buffer.WrittenMemory;

    /// <summary>Forgets the contents, keeps the capacity.</summary>
    public FrameBatch Clear()
    {
        buffer.ResetWrittenCount();
        Frames = 0;
        return this;
    }

    /// <summary>Appends raw octets (a preface, a torn frame).</summary>
    public FrameBatch Raw(ReadOnlySpan<byte> octets)
    {
        octets.CopyTo(GetSpan(octets.Length));
        Advance(octets.Length);
        return this;
    }

    /// <summary>Appends one frame through the reference writer (RFC 9113 §4.1, §6).</summary>
    public FrameBatch Add(Frame frame)
    {
        FrameWriter.Write(frame, this);
        Frames++;
        return this;
    }

    /// <summary>Appends one frame of any type, flags and payload, written verbatim.</summary>
    public FrameBatch Frame(byte type, byte flags, uint streamId, ReadOnlyMemory<byte> payload) =>
        Add(new UnknownFrame(new FrameType(type), flags, streamId, payload));

    /// <summary>§6.2 HEADERS.</summary>
    public FrameBatch Headers(uint streamId, ReadOnlyMemory<byte> block, bool endStream, bool endHeaders = true) =>
        Add(new HeadersFrame(streamId, block, endStream, endHeaders));

    /// <summary>§6.10 CONTINUATION.</summary>
    public FrameBatch Continuation(uint streamId, ReadOnlyMemory<byte> fragment, bool endHeaders) =>
        Add(new ContinuationFrame(streamId, fragment, endHeaders));

    /// <summary>§6.1 DATA.</summary>
    public FrameBatch Data(uint streamId, ReadOnlyMemory<byte> data, bool endStream) =>
        Add(new DataFrame(streamId, data, endStream));

    /// <summary>§6.4 RST_STREAM.</summary>
    public FrameBatch RstStream(uint streamId, uint errorCode) =>
        Add(new RstStreamFrame(streamId, new ErrorCode(errorCode)));

    /// <summary>§6.5 SETTINGS (not ACK) with the given entries, in order.</summary>
    public FrameBatch Settings(params (ushort Id, uint Value)[] entries) =>
        Add(new SettingsFrame(false, entries.Select(e => new Setting(new SettingId(e.Id), e.Value)).ToSeq()));

    /// <summary>§6.5 SETTINGS with ACK.</summary>
    public FrameBatch SettingsAck() => Add(SettingsFrame.Acknowledgement);

    /// <summary>§6.7 PING.</summary>
    public FrameBatch Ping(ulong opaque, bool ack = false) => Add(new PingFrame(ack, opaque));

    /// <summary>§6.9 WINDOW_UPDATE.</summary>
    public FrameBatch WindowUpdate(uint streamId, uint increment) => Add(new WindowUpdateFrame(streamId, increment));

    /// <summary>§6.3 PRIORITY.</summary>
    public FrameBatch Priority(uint streamId, uint dependsOn, byte weight) =>
        Add(new PriorityFrame(streamId, new PriorityFields(false, dependsOn, weight)));

    /// <summary>The start of every client connection: preface, SETTINGS (§3.4), and an
    /// acknowledgement of the server's SETTINGS (which it sends first, §3.4), sent blind so
    /// that a client that never reads is not cut off for a missing ACK (§6.5.3).</summary>
    public FrameBatch Start(params (ushort Id, uint Value)[] settings) =>
        Raw(Wire.Preface).Settings(settings).SettingsAck();

    /// <summary>A bare 9-octet frame header (§4.1) whose Length need not match what follows.</summary>
    public FrameBatch Header(uint length, byte type, byte flags, uint streamId)
    {
        FrameWriter.WriteHeader(length, new FrameType(type), flags, streamId, this);
        return this;
    }

    /// <inheritdoc />
    public void Advance(int count) => buffer.Advance(count);

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0) => buffer.GetMemory(sizeHint);

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0) => buffer.GetSpan(sizeHint);
}

/// <summary>
/// HPACK representations (RFC 7541 §6) written by hand. The attacks need
/// exact choices (one big entry with incremental indexing, then thousands of
/// one-octet references to it) that no encoder strategy would make.
/// </summary>
public static class RawHpack
{
    /// <summary>§5.1 integer with an N-bit prefix; <paramref name="first"/> holds the pattern bits.</summary>
    public static void Integer(List<byte> o, byte first, int prefixBits, long value)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            o.Add((byte)(first | value));
            return;
        }
        o.Add((byte)(first | max));
        value -= max;
        while (value >= 128)
        {
            o.Add((byte)(value % 128 + 128));
            value /= 128;
        }
        o.Add((byte)value);
    }

    /// <summary>§5.2 string literal, no Huffman.</summary>
    public static void String(List<byte> o, ReadOnlySpan<byte> s)
    {
        Integer(o, 0x00, 7, s.Length);
        foreach (var b in s) o.Add(b);
    }

    /// <summary>§6.1 indexed field (1 octet for indices below 127).</summary>
    public static void Indexed(List<byte> o, int index) => Integer(o, 0x80, 7, index);

    /// <summary>§6.2.1 literal with incremental indexing, new name.</summary>
    public static void Incremental(List<byte> o, string name, ReadOnlySpan<byte> value)
    {
        o.Add(0x40);
        String(o, Encoding.ASCII.GetBytes(name));
        String(o, value);
    }

    /// <summary>§6.2.2 literal without indexing, name from the static table.</summary>
    public static void LiteralIndexedName(List<byte> o, int nameIndex, string value)
    {
        Integer(o, 0x00, 4, nameIndex);
        String(o, Encoding.ASCII.GetBytes(value));
    }

    /// <summary>§6.2.2 literal without indexing, new name.</summary>
    public static void Literal(List<byte> o, string name, string value)
    {
        o.Add(0x00);
        String(o, Encoding.ASCII.GetBytes(name));
        String(o, Encoding.ASCII.GetBytes(value));
    }

    /// <summary>
    /// A request's header block (RFC 9113 §8.3.1): :method, :scheme http,
    /// :path, :authority, using static-table names (RFC 7541 Appendix A).
    /// </summary>
    public static byte[] Request(string method, string path, string authority)
    {
        var o = new List<byte>(64);
        switch (method)
        {
            case "GET": Indexed(o, 2); break;
            case "POST": Indexed(o, 3); break;
            default: LiteralIndexedName(o, 2, method); break;
        }
        Indexed(o, 6); // :scheme http
        if (path == "/") Indexed(o, 4);
        else LiteralIndexedName(o, 4, path);
        LiteralIndexedName(o, 1, authority);
        return o.ToArray();
    }
}
