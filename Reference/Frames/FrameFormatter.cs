using System.Text;
using LanguageExt;

namespace Http2.Reference.Frames;

/// <summary>
/// Prints frames the way <c>nghttp -v</c> does, for logs and
/// <c>h2ref frames decode</c>:
/// <code>
/// HEADERS frame &lt;length=39, flags=0x25, stream_id=13&gt;
///           ; END_STREAM | END_HEADERS | PRIORITY
///           (padlen=0, dep_stream_id=11, weight=16, exclusive=0)
/// </code>
/// The first line names the type and the header fields; the following lines
/// list the named flags and the type's fields. Field blocks are not decoded
/// here (that needs an HPACK decoder and its state).
/// </summary>
/// <remarks>
/// As in nghttp2, <c>padlen</c> counts the Pad Length octet too: a frame with
/// <c>Padding = Some(2)</c> prints <c>padlen=3</c>; a frame without the PADDED
/// flag prints <c>padlen=0</c> (HEADERS, PUSH_PROMISE) or nothing (DATA).
/// Unknown error codes and setting ids print as <c>UNKNOWN(0x..)</c>.
/// </remarks>
public static class FrameFormatter
{
    /// <summary>The indentation nghttp uses for the lines after the first (10 spaces).</summary>
    public const string DefaultIndent = "          ";

    /// <summary>
    /// The lines for <paramref name="frame"/>, using the length and flags the
    /// writer would send (<see cref="FrameWriter.PayloadLength"/>, <see cref="FrameWriter.Flags"/>).
    /// The first line is not indented; the others carry no indentation either.
    /// </summary>
    /// <param name="frame">The frame.</param>
    public static Seq<string> Lines(Frame frame) =>
        Lines(new FrameHeader((uint)FrameWriter.PayloadLength(frame), frame.Type, FrameWriter.Flags(frame), frame.StreamId, false), frame);

    /// <summary>
    /// The lines for <paramref name="frame"/> as received with
    /// <paramref name="header"/>: length and flags are printed as they were on
    /// the wire, unknown flag bits included.
    /// </summary>
    /// <param name="header">The header the frame was read with.</param>
    /// <param name="frame">The parsed frame.</param>
    public static Seq<string> Lines(FrameHeader header, Frame frame)
    {
        var lines = new List<string>
        {
            $"{TypeName(header.Type)} frame <length={header.Length}, flags=0x{header.Flags:x2}, stream_id={header.StreamId}>",
        };
        var flags = FlagNames(header.Type, header.Flags);
        if (flags.Length > 0)
            lines.Add("; " + flags);
        lines.AddRange(Fields(frame));
        return LanguageExt.Prelude.toSeq(lines);
    }

    /// <summary>
    /// <see cref="Lines(Frame)"/> joined with newlines, every line after the
    /// first prefixed with <paramref name="indent"/>.
    /// </summary>
    /// <param name="frame">The frame.</param>
    /// <param name="indent">Prefix of the continuation lines; nghttp's 10 spaces by default.</param>
    public static string Format(Frame frame, string indent = DefaultIndent) => Join(Lines(frame), indent);

    /// <summary>
    /// <see cref="Lines(FrameHeader, Frame)"/> joined with newlines, every line
    /// after the first prefixed with <paramref name="indent"/>.
    /// </summary>
    /// <param name="header">The header the frame was read with.</param>
    /// <param name="frame">The parsed frame.</param>
    /// <param name="indent">Prefix of the continuation lines.</param>
    public static string Format(FrameHeader header, Frame frame, string indent = DefaultIndent) =>
        Join(Lines(header, frame), indent);

    /// <summary>nghttp's name of a frame type: the RFC name, or <c>UNKNOWN(0x..)</c>.</summary>
    /// <param name="type">The type.</param>
    public static string TypeName(FrameType type) => type.IsKnown ? type.Name : $"UNKNOWN(0x{type.Value:x2})";

    /// <summary>
    /// The names of the flags set in <paramref name="flags"/> that
    /// <paramref name="type"/> defines, joined with <c>" | "</c>, in nghttp's
    /// order; bits the type does not define follow as one hex value.
    /// </summary>
    /// <param name="type">The frame type (flag meaning depends on it).</param>
    /// <param name="flags">The flags octet.</param>
    public static string FlagNames(FrameType type, byte flags)
    {
        (byte Bit, string Name)[] known = type.Value switch
        {
            0x0 => [(FrameFlags.EndStream, "END_STREAM"), (FrameFlags.Padded, "PADDED")],
            0x1 => [(FrameFlags.EndStream, "END_STREAM"), (FrameFlags.EndHeaders, "END_HEADERS"),
                    (FrameFlags.Padded, "PADDED"), (FrameFlags.Priority, "PRIORITY")],
            0x4 or 0x6 => [(FrameFlags.Ack, "ACK")],
            0x5 => [(FrameFlags.EndHeaders, "END_HEADERS"), (FrameFlags.Padded, "PADDED")],
            0x9 => [(FrameFlags.EndHeaders, "END_HEADERS")],
            _ => [],
        };
        var names = known.Where(k => (flags & k.Bit) != 0).Select(k => k.Name).ToList();
        var rest = known.Aggregate((int)flags, (bits, k) => bits & ~k.Bit);
        if (rest != 0)
            names.Add($"0x{rest:x2}");
        return string.Join(" | ", names);
    }

    /// <summary>nghttp's rendering of an error code: <c>NAME(0x..)</c>.</summary>
    /// <param name="code">The code.</param>
    public static string ErrorCodeText(ErrorCode code) =>
        code.Value <= 0xd ? $"{code.Name}(0x{code.Value:x2})" : $"UNKNOWN(0x{code.Value:x2})";

    /// <summary>nghttp's rendering of a setting: <c>[NAME(0x..):value]</c>.</summary>
    /// <param name="setting">The setting.</param>
    public static string SettingText(Setting setting) =>
        setting.Id.Value is >= 1 and <= 6
            ? $"[{setting.Id.Name}(0x{setting.Id.Value:x2}):{setting.Value}]"
            : $"[UNKNOWN(0x{setting.Id.Value:x2}):{setting.Value}]";

    private static IEnumerable<string> Fields(Frame frame) => frame switch
    {
        DataFrame d => d.Padding.IsSome ? [$"(padlen={FrameWriter.PadOverhead(d.Padding)})"] : [],
        HeadersFrame h => [h.Priority.Match(
            p => $"(padlen={FrameWriter.PadOverhead(h.Padding)}, {PriorityText(p)})",
            () => $"(padlen={FrameWriter.PadOverhead(h.Padding)})")],
        PriorityFrame p => [$"({PriorityText(p.Priority)})"],
        RstStreamFrame r => [$"(error_code={ErrorCodeText(r.Error)})"],
        SettingsFrame s => [$"(niv={s.Settings.Count})", .. s.Settings.Map(SettingText)],
        PushPromiseFrame pp => [$"(padlen={FrameWriter.PadOverhead(pp.Padding)}, promised_stream_id={pp.PromisedStreamId})"],
        PingFrame ping => [$"(opaque_data={ping.Opaque:x16})"],
        GoAwayFrame g => [$"(last_stream_id={g.LastStreamId}, error_code={ErrorCodeText(g.Error)}, " +
                          $"opaque_data({g.DebugData.Length})=[{Printable(g.DebugData.Span)}])"],
        WindowUpdateFrame w => [$"(window_size_increment={w.Increment})"],
        ContinuationFrame => [],
        UnknownFrame u => [$"(payload({u.Payload.Length})={u.Payload.ToHex()})"],
        _ => [],
    };

    private static string PriorityText(PriorityFields p) =>
        $"dep_stream_id={p.DependsOn}, weight={p.Weight + 1}, exclusive={(p.Exclusive ? 1 : 0)}";


    private static string Printable(ReadOnlySpan<byte> octets)
    {
        var text = new StringBuilder(octets.Length);
        foreach (var b in octets)
            text.Append(b is >= 0x20 and < 0x7f ? ((char)b).ToString() : $"\\x{b:x2}");
        return text.ToString();
    }

    private static string Join(Seq<string> lines, string indent) =>
        string.Join("\n", lines.Select((line, i) => i == 0 ? line : indent + line));
}
