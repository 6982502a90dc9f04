using System.Text;
using Newtonsoft.Json.Linq;
using Reference;
using Reference.Frames;
using Reference.Hpack;
using Tools.Cli;

namespace Tools.Commands;

/// <summary>
/// <c>h2ref frames decode</c>: reads raw HTTP/2 octets of one direction of a
/// connection (optionally starting with the client connection preface) and
/// prints every frame the way <c>nghttp -v</c> does: type, length, flags,
/// stream, the type's fields, and the header fields of each complete field
/// block, decoded with one HPACK decoder for the whole connection (RFC 9113 §4.3).
/// </summary>
public static class FramesDecode
{
    /// <summary>The help text.</summary>
    public const string Help = """
        usage: h2ref frames decode HEX [options]
               h2ref frames decode --file CAPTURE [options]

        Prints the frames of one direction of an HTTP/2 connection, like nghttp -v:

          [    24] SETTINGS frame <length=12, flags=0x00, stream_id=0>
                   (niv=2)
                   [SETTINGS_MAX_CONCURRENT_STREAMS(0x03):100]

        The number in brackets is the frame's octet offset in the input. The
        input may start with the client connection preface (RFC 9113 §3.4).
        Field blocks (HEADERS/PUSH_PROMISE + CONTINUATION) are decoded with one
        HPACK decoder for the whole input, as the receiving endpoint would.
        Decoding stops at the first connection error (frame or HPACK); the exit
        status is then 1, as it is for an input that ends inside a frame.

        options:
              --file PATH          raw octets from a file ('-' = stdin) instead of HEX
              --max-frame-size N   the receiver's SETTINGS_MAX_FRAME_SIZE (default 16384)
          -s, --table-size N       the receiver's SETTINGS_HEADER_TABLE_SIZE (default 4096)
              --json               the frames as a JSON array

        examples:
          h2ref frames decode 000006040000000000000300000064
          h2ref frames decode --file capture.bin --json
        """;

    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv, CliIO io)
    {
        var args = Args.Parse(argv, ["file", "max-frame-size", "table-size"], [], new Dictionary<char, string> { ['s'] = "table-size" });
        if (args.Flag("help")) { io.Out.WriteLine(Help); return 0; }
        byte[] input;
        if (args.Value("file") is { } file)
        {
            if (args.Positionals.Count > 0) throw new UsageException("give either HEX or --file, not both");
            input = io.ReadAllBytes(file);
        }
        else if (args.Positionals.Count > 0)
            input = Stories.ParseHex(string.Concat(args.Positionals), "input").ToArray();
        else
            throw new UsageException("give the octets in hex or --file PATH");
        var maxFrameSize = (uint)(args.Int("max-frame-size", (int)FrameConstants.MinMaxFrameSize, (int)FrameConstants.MaxMaxFrameSize) ?? (int)FrameConstants.DefaultMaxFrameSize);
        var result = Decode(input, maxFrameSize, args.Int("table-size") ?? 4096);
        if (args.Flag("json")) io.Out.Write(Stories.ToJson(result.Json));
        else io.Out.Write(result.Text);
        if (result.Error is { } e) io.Err.WriteLine($"h2ref frames decode: {e}");
        return result.Error is null ? 0 : 1;
    }

    /// <summary>The decoded input: text, JSON, and the error that stopped it.</summary>
    public sealed record Decoded(string Text, JArray Json, string? Error);

    /// <summary>Decodes every frame of <paramref name="input"/>.</summary>
    public static Decoded Decode(ReadOnlyMemory<byte> input, uint maxFrameSize, int tableSize)
    {
        var text = new StringBuilder();
        var json = new JArray();
        var decoder = DecoderState.Initial(tableSize);
        var block = new List<byte>();          // the field block being assembled
        uint? blockStream = null;
        var pos = 0;
        string? error = null;
        if (input.Span.StartsWith(FrameConstants.ConnectionPreface))
        {
            text.Append("[     0] client connection preface (PRI * HTTP/2.0)\n");
            json.Add(new JObject { ["offset"] = 0, ["preface"] = true });
            pos = FrameConstants.ConnectionPrefaceLength;
        }
        while (pos < input.Length && error is null)
        {
            var rest = input[pos..];
            var header = FrameHeader.TryParse(rest.Span);
            switch (FrameReader.Read(rest, maxFrameSize))
            {
                case NeedMore need:
                    error = $"the input ends inside a frame at offset {pos}: {rest.Length} of {need.AtLeast} octets";
                    break;
                case ReadFailed failed:
                    {
                        var h = header.Match(x => x, () => default);
                        text.Append(Line(pos, h)).Append(Indent).Append("; ").Append(failed.Error).Append('\n');
                        json.Add(new JObject { ["offset"] = pos, ["type"] = h.Type.Name, ["length"] = h.Length, ["flags"] = h.Flags, ["stream_id"] = h.StreamId, ["error"] = Err(failed.Error) });
                        error = $"offset {pos}: {failed.Error}";
                        break;
                    }
                case FrameRead read:
                    {
                        var h = header.Match(x => x, () => default);
                        var o = new JObject { ["offset"] = pos, ["type"] = h.Type.Name, ["length"] = h.Length, ["flags"] = h.Flags, ["stream_id"] = h.StreamId };
                        text.Append(Line(pos, h));
                        var flagNames = FlagNames(read.Frame, h.Flags);
                        if (flagNames.Count > 0)
                        {
                            text.Append(Indent).Append("; ").Append(string.Join(" | ", flagNames)).Append('\n');
                            o["flag_names"] = new JArray(flagNames);
                        }
                        Fields(read.Frame, text, o);
                        // RFC 9113 §4.3: one field block, one decoder for the connection;
                        // CONTINUATION must follow on the same stream (§6.10).
                        (Bytes Fragment, bool End)? fragment = read.Frame switch
                        {
                            HeadersFrame f => (f.Fragment, f.EndHeaders),
                            PushPromiseFrame f => (f.Fragment, f.EndHeaders),
                            ContinuationFrame f => (f.Fragment, f.EndHeaders),
                            _ => null,
                        };
                        if (blockStream is { } open && (read.Frame is not ContinuationFrame || read.Frame.StreamId != open))
                            error = $"offset {pos}: PROTOCOL_ERROR: a field block on stream {open} was not continued by CONTINUATION on the same stream (RFC 9113 §6.10)";
                        else if (blockStream is null && read.Frame is ContinuationFrame)
                            error = $"offset {pos}: PROTOCOL_ERROR: CONTINUATION without a preceding HEADERS or PUSH_PROMISE (RFC 9113 §6.10)";
                        else if (fragment is { } frag)
                        {
                            block.AddRange(frag.Fragment.Span);
                            blockStream = read.Frame.StreamId;
                            if (frag.End)
                            {
                                var outcome = StoryDecoder.DecodeBlock(decoder, block.ToArray(), DecoderLimits.Default with { MaxHeaderListSize = int.MaxValue, MaxFieldCount = int.MaxValue });
                                if (outcome.Error is { } e)
                                {
                                    text.Append(Indent).Append("; ").Append(e).Append('\n');
                                    o["hpack_error"] = new JObject { ["offset"] = e.Offset, ["rule"] = e.Rule, ["section"] = e.Section, ["code"] = e.Code.Name };
                                    error = $"offset {pos}: field block of stream {read.Frame.StreamId}: {e}";
                                }
                                else
                                {
                                    decoder = outcome.After!;
                                    foreach (var field in outcome.Fields)
                                        text.Append(Indent).Append(HpackDiff.Show(field.NameText, 4096)).Append(": ").Append(HpackDiff.Show(field.ValueText, 4096)).Append('\n');
                                    o["headers"] = Stories.HeadersJson(outcome.Fields);
                                }
                                block.Clear();
                                blockStream = null;
                            }
                        }
                        json.Add(o);
                        pos += read.Consumed;
                        break;
                    }
            }
        }
        if (error is null && blockStream is { } unfinished)
            error = $"the input ends inside the field block of stream {unfinished} (no END_HEADERS)";
        return new Decoded(text.ToString(), json, error);
    }

    private const string Indent = "         ";

    private static string Line(int offset, FrameHeader h) =>
        $"[{offset,6}] {h.Type.Name} frame <length={h.Length}, flags=0x{h.Flags:x2}, stream_id={h.StreamId}>\n";

    private static JObject Err(FrameError e) => new() { ["code"] = e.Code.Name, ["scope"] = e.Scope.ToString().ToLowerInvariant(), ["reason"] = e.Reason, ["section"] = e.Section };

    private static List<string> FlagNames(Frame frame, byte flags)
    {
        var names = new List<string>();
        void Add(byte bit, string name) { if ((flags & bit) != 0) names.Add(name); }
        switch (frame)
        {
            case DataFrame: Add(FrameFlags.EndStream, "END_STREAM"); Add(FrameFlags.Padded, "PADDED"); break;
            case HeadersFrame:
                Add(FrameFlags.EndStream, "END_STREAM"); Add(FrameFlags.EndHeaders, "END_HEADERS");
                Add(FrameFlags.Padded, "PADDED"); Add(FrameFlags.Priority, "PRIORITY"); break;
            case SettingsFrame or PingFrame: Add(FrameFlags.Ack, "ACK"); break;
            case PushPromiseFrame: Add(FrameFlags.EndHeaders, "END_HEADERS"); Add(FrameFlags.Padded, "PADDED"); break;
            case ContinuationFrame: Add(FrameFlags.EndHeaders, "END_HEADERS"); break;
        }
        return names;
    }

    private static int PadLen(LanguageExt.Option<byte> padding) => padding.Match(p => (int)p, () => 0);

    private static string Code(ErrorCode code) => $"{code.Name}(0x{code.Value:x2})";

    /// <summary>The type's own fields, in nghttp -v's words.</summary>
    private static void Fields(Frame frame, StringBuilder text, JObject o)
    {
        void Say(string line) => text.Append(Indent).Append(line).Append('\n');
        switch (frame)
        {
            case DataFrame f:
                Say($"(padlen={PadLen(f.Padding)}, data={f.Data.Length} octets)");
                o["padlen"] = PadLen(f.Padding); o["data"] = f.Data.ToHex();
                break;
            case HeadersFrame f:
                Say(f.Priority.Match(
                    p => $"(padlen={PadLen(f.Padding)}, dep_stream_id={p.DependsOn}, weight={p.Weight + 1}, exclusive={(p.Exclusive ? 1 : 0)})",
                    () => $"(padlen={PadLen(f.Padding)})"));
                o["padlen"] = PadLen(f.Padding); o["fragment"] = f.Fragment.ToHex();
                f.Priority.IfSome(p => o["priority"] = new JObject { ["dep_stream_id"] = p.DependsOn, ["weight"] = p.Weight + 1, ["exclusive"] = p.Exclusive });
                break;
            case PriorityFrame f:
                Say($"(dep_stream_id={f.Priority.DependsOn}, weight={f.Priority.Weight + 1}, exclusive={(f.Priority.Exclusive ? 1 : 0)})");
                o["priority"] = new JObject { ["dep_stream_id"] = f.Priority.DependsOn, ["weight"] = f.Priority.Weight + 1, ["exclusive"] = f.Priority.Exclusive };
                break;
            case RstStreamFrame f:
                Say($"(error_code={Code(f.Error)})");
                o["error_code"] = f.Error.Name;
                break;
            case SettingsFrame f:
                Say($"(niv={f.Settings.Count})");
                foreach (var s in f.Settings) Say($"[{s.Id.Name}(0x{s.Id.Value:x2}):{s.Value}]");
                o["settings"] = new JArray(f.Settings.Select(s => new JObject { ["id"] = s.Id.Name, ["value"] = s.Value }));
                break;
            case PushPromiseFrame f:
                Say($"(padlen={PadLen(f.Padding)}, promised_stream_id={f.PromisedStreamId})");
                o["padlen"] = PadLen(f.Padding); o["promised_stream_id"] = f.PromisedStreamId; o["fragment"] = f.Fragment.ToHex();
                break;
            case PingFrame f:
                Say($"(opaque_data={f.Opaque:x16})");
                o["opaque_data"] = f.Opaque.ToString("x16");
                break;
            case GoAwayFrame f:
                Say($"(last_stream_id={f.LastStreamId}, error_code={Code(f.Error)}, opaque_data({f.DebugData.Length})=[{HpackDiff.Show(f.DebugData.ToUtf8(), 200)}])");
                o["last_stream_id"] = f.LastStreamId; o["error_code"] = f.Error.Name; o["debug_data"] = f.DebugData.ToHex();
                break;
            case WindowUpdateFrame f:
                Say($"(window_size_increment={f.Increment})");
                o["window_size_increment"] = f.Increment;
                break;
            case ContinuationFrame f:
                o["fragment"] = f.Fragment.ToHex();
                break;
            case UnknownFrame f:
                Say($"; unknown frame type 0x{f.RawType.Value:x2}, ignored (RFC 9113 §4.1): payload={f.Payload.Length} octets");
                o["payload"] = f.Payload.ToHex();
                break;
        }
    }
}
