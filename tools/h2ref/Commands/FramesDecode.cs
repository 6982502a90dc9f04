using System.Text;
using Newtonsoft.Json.Linq;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
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
        Decoding stops at the first connection error (frame or HPACK); a stream
        error skips its frame and goes on (RFC 9113 §5.4.2). Any error, or an
        input that ends inside a frame or a field block, makes the exit status 1.

        Besides the codec's checks, the rules decidable from one frame and the
        direction are reported with their scope, as the receiver must apply them:
        WINDOW_UPDATE with increment 0 (§6.9: a stream error on a stream, a
        connection error on stream 0); PUSH_PROMISE promising stream 0 or an odd
        stream (§6.6, §5.1.1); SETTINGS values out of range (§6.5.2:
        ENABLE_PUSH other than 0 or 1, INITIAL_WINDOW_SIZE above 2^31-1,
        MAX_FRAME_SIZE outside 2^14..2^24-1). With --from client: any
        PUSH_PROMISE (§8.4: a client cannot push) and HEADERS opening an even
        stream (§5.1.1). With --from server: SETTINGS_ENABLE_PUSH=1 (§6.5.2) and
        PUSH_PROMISE on an even (server-initiated) stream (§6.6).

        --json writes one object per frame: offset, the fields of the frame
        vectors' format (vectors/README.md: type, type_code, flags, stream_id,
        length and the type's fields), flag_names, headers (decoded field
        blocks), error ({code, name, scope, reason, section}).

        options:
              --file PATH          raw octets from a file ('-' = stdin) instead of HEX
              --max-frame-size N   the receiver's SETTINGS_MAX_FRAME_SIZE (default 16384; any
                                   value is accepted here, for tests)
          -s, --table-size N       the receiver's SETTINGS_HEADER_TABLE_SIZE (default 4096)
              --no-hpack           do not decode field blocks (frames only)
              --from client|server who sent the octets (default: not known, only the
                                   rules that hold in both directions apply)
              --json               the frames as a JSON array

        examples:
          h2ref frames decode 000006040000000000000300000064
          h2ref frames decode --file capture.bin --json
        """;

    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv, CliIO io)
    {
        var args = Args.Parse(argv, ["file", "max-frame-size", "table-size", "from"], ["no-hpack"], new Dictionary<char, string> { ['s'] = "table-size" });
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
        var maxFrameSize = (uint)(args.Int("max-frame-size", 0, (int)FrameConstants.MaxMaxFrameSize) ?? (int)FrameConstants.DefaultMaxFrameSize);
        var sender = args.Value("from") switch
        {
            null => Sender.Unknown,
            "client" => Sender.Client,
            "server" => Sender.Server,
            var other => throw new UsageException($"--from takes client or server, not '{other}'"),
        };
        var result = Decode(input, maxFrameSize, args.Int("table-size") ?? 4096, !args.Flag("no-hpack"), sender);
        if (args.Flag("json")) io.Out.Write(Stories.ToJson(result.Json));
        else io.Out.Write(result.Text);
        if (result.Error is { } e) io.Err.WriteLine($"h2ref frames decode: {e}");
        return result.Error is null ? 0 : 1;
    }

    /// <summary>The decoded input: text, JSON, and the error that stopped it.</summary>
    public sealed record Decoded(string Text, JArray Json, string? Error);

    /// <summary>Who sent the octets: the rules a receiver applies depend on it.</summary>
    public enum Sender
    {
        /// <summary>Not known: only the rules that hold in both directions.</summary>
        Unknown,
        /// <summary>A client (the receiver is a server).</summary>
        Client,
        /// <summary>A server (the receiver is a client).</summary>
        Server,
    }

    /// <summary>
    /// The rules a receiver decides from one frame the codec accepted and the
    /// sender's role, with their scope (RFC 9113 §5.4): the first one broken, or null.
    /// </summary>
    public static FrameError? LocalRule(Frame frame, Sender sender)
    {
        var protocol = ErrorCode.ProtocolError;
        switch (frame)
        {
            case WindowUpdateFrame { Increment: 0 } w:
                return w.StreamId == 0
                    ? FrameError.Connection(protocol, 0, "WINDOW_UPDATE with a flow-control window increment of 0 on the connection", "RFC 9113 §6.9")
                    : FrameError.Stream(protocol, w.StreamId, "WINDOW_UPDATE with a flow-control window increment of 0", "RFC 9113 §6.9");
            case PushPromiseFrame p when sender == Sender.Client:
                return FrameError.Connection(protocol, p.StreamId, "PUSH_PROMISE from a client: a client cannot push", "RFC 9113 §8.4");
            case PushPromiseFrame p when p.PromisedStreamId == 0 || p.PromisedStreamId % 2 == 1:
                return FrameError.Connection(protocol, p.StreamId,
                    $"PUSH_PROMISE promising stream {p.PromisedStreamId}: a promised stream is server-initiated, so even and not 0", "RFC 9113 §6.6, §5.1.1");
            case PushPromiseFrame p when sender == Sender.Server && p.StreamId % 2 == 0:
                return FrameError.Connection(protocol, p.StreamId,
                    $"PUSH_PROMISE on stream {p.StreamId}: it must be sent on a stream the client initiated (odd)", "RFC 9113 §6.6, §5.1.1");
            case HeadersFrame h when sender == Sender.Client && h.StreamId % 2 == 0:
                return FrameError.Connection(protocol, h.StreamId, $"HEADERS opening stream {h.StreamId}: streams a client initiates are odd", "RFC 9113 §5.1.1");
            case SettingsFrame { Ack: false } settings:
                foreach (var x in settings.Settings)
                {
                    if (x.Id == SettingId.EnablePush && x.Value > 1)
                        return FrameError.Connection(protocol, 0, $"SETTINGS_ENABLE_PUSH = {x.Value}: only 0 and 1 are allowed", "RFC 9113 §6.5.2");
                    if (x.Id == SettingId.EnablePush && x.Value == 1 && sender == Sender.Server)
                        return FrameError.Connection(protocol, 0, "SETTINGS_ENABLE_PUSH = 1 from a server: a server MUST NOT set it to 1", "RFC 9113 §6.5.2");
                    if (x.Id == SettingId.InitialWindowSize && x.Value > int.MaxValue)
                        return FrameError.Connection(ErrorCode.FlowControlError, 0, $"SETTINGS_INITIAL_WINDOW_SIZE = {x.Value}: above the maximum window of 2^31-1", "RFC 9113 §6.5.2");
                    if (x.Id == SettingId.MaxFrameSize && x.Value is < FrameConstants.MinMaxFrameSize or > FrameConstants.MaxMaxFrameSize)
                        return FrameError.Connection(protocol, 0, $"SETTINGS_MAX_FRAME_SIZE = {x.Value}: outside 2^14 to 2^24-1", "RFC 9113 §6.5.2");
                }
                return null;
            default:
                return null;
        }
    }

    /// <summary>Decodes every frame of <paramref name="input"/>.</summary>
    public static Decoded Decode(ReadOnlyMemory<byte> input, uint maxFrameSize, int tableSize, bool decodeFields = true, Sender sender = Sender.Unknown)
    {
        var text = new StringBuilder();
        var json = new JArray();
        var decoder = DecoderState.Initial(tableSize);
        var block = new List<byte>();          // the field block being assembled
        uint? blockStream = null;
        var pos = 0;
        string? error = null;                  // a connection error: decoding stops
        var streamErrors = new List<string>(); // stream errors: the frame is skipped, decoding goes on (§5.4.2)
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
                        text.Append($"[{pos,6}] {FrameFormatter.TypeName(h.Type)} frame <length={h.Length}, flags=0x{h.Flags:x2}, stream_id={h.StreamId}>\n")
                            .Append(Indent).Append("; ").Append(failed.Error).Append('\n');
                        var o = Head(pos, h);
                        o["error"] = Err(failed.Error);
                        json.Add(o);
                        if (failed.Error.Scope == ErrorScope.Stream && failed.Consumed > 0)
                        {
                            streamErrors.Add($"offset {pos}: {failed.Error}");
                            pos += failed.Consumed;
                        }
                        else
                            error = $"offset {pos}: {failed.Error}";
                        break;
                    }
                case FrameRead read:
                    {
                        var h = header.Match(x => x, () => default);
                        var o = Head(pos, h);
                        // the frames library's nghttp -v formatter, behind our offset column
                        var lines = FrameFormatter.Lines(h, read.Frame);
                        text.Append($"[{pos,6}] ").Append(lines.Head).Append('\n');
                        foreach (var line in lines.Tail) text.Append(Indent).Append(line).Append('\n');
                        var flagNames = FrameFormatter.FlagNames(h.Type, h.Flags);
                        if (flagNames.Length > 0) o["flag_names"] = new JArray(flagNames.Split(" | "));
                        Fields(read.Frame, o);
                        if (LocalRule(read.Frame, sender) is { } broken)
                        {
                            // the codec accepted the frame; the receiver must still reject it
                            text.Append(Indent).Append("; ").Append(broken).Append('\n');
                            o["error"] = Err(broken);
                            json.Add(o);
                            if (broken.Scope == ErrorScope.Stream)
                            {
                                streamErrors.Add($"offset {pos}: {broken}");
                                pos += read.Consumed;
                            }
                            else
                                error = $"offset {pos}: {broken}";
                            break;
                        }
                        // RFC 9113 §4.3: one field block, one decoder for the connection;
                        // CONTINUATION must follow on the same stream (§6.10).
                        (Bytes Fragment, bool End)? fragment = read.Frame switch
                        {
                            HeadersFrame f => (f.Fragment, f.EndHeaders),
                            PushPromiseFrame f => (f.Fragment, f.EndHeaders),
                            ContinuationFrame f => (f.Fragment, f.EndHeaders),
                            _ => null,
                        };
                        if (!decodeFields) { }
                        else if (blockStream is { } open && (read.Frame is not ContinuationFrame || read.Frame.StreamId != open))
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
        if (error is null && streamErrors.Count > 0)
            error = string.Join("; ", streamErrors);
        return new Decoded(text.ToString(), json, error);
    }

    private const string Indent = "         ";

    private static JObject Err(FrameError e) => new()
    {
        ["code"] = e.Code.Value, ["name"] = e.Code.Name, ["scope"] = e.Scope.ToString().ToLowerInvariant(),
        ["reason"] = e.Reason, ["section"] = e.Section,
    };

    /// <summary>The frame header fields, as the frame vectors write them.</summary>
    private static JObject Head(int offset, FrameHeader h) => new()
    {
        ["offset"] = offset,
        ["type"] = h.Type.IsKnown ? h.Type.Name : "UNKNOWN",
        ["type_code"] = h.Type.Value,
        ["flags"] = h.Flags,
        ["stream_id"] = h.StreamId,
        ["length"] = h.Length,
    };

    private static string ErrorName(ErrorCode code) => code.Value <= 0xd ? code.Name : "UNKNOWN";

    /// <summary>The Pad Length field (null without the PADDED flag).</summary>
    private static JToken PadLength(LanguageExt.Option<byte> padding) => padding.IsSome ? new JValue(padding.Match(p => (int)p, () => 0)) : JValue.CreateNull();

    /// <summary>The type's own fields, for the JSON view, named as in vectors/frames.json.</summary>
    private static void Fields(Frame frame, JObject o)
    {
        switch (frame)
        {
            case DataFrame f:
                o["end_stream"] = f.EndStream; o["padded"] = f.Padding.IsSome; o["pad_length"] = PadLength(f.Padding);
                o["data"] = f.Data.ToHex();
                break;
            case HeadersFrame f:
                o["end_stream"] = f.EndStream; o["end_headers"] = f.EndHeaders;
                o["padded"] = f.Padding.IsSome; o["pad_length"] = PadLength(f.Padding);
                o["priority"] = f.Priority.IsSome ? f.Priority.Match(Priority, () => new JObject()) : JValue.CreateNull();
                o["fragment"] = f.Fragment.ToHex();
                break;
            case PriorityFrame f:
                o["priority"] = Priority(f.Priority);
                break;
            case RstStreamFrame f:
                o["error_code"] = f.Error.Value; o["error_name"] = ErrorName(f.Error);
                break;
            case SettingsFrame f:
                o["ack"] = f.Ack;
                o["settings"] = new JArray(f.Settings.Select(s => new JObject
                {
                    ["id"] = s.Id.Value, ["name"] = s.Id.Value is >= 1 and <= 6 ? s.Id.Name : "UNKNOWN", ["value"] = s.Value,
                }));
                break;
            case PushPromiseFrame f:
                o["end_headers"] = f.EndHeaders; o["padded"] = f.Padding.IsSome; o["pad_length"] = PadLength(f.Padding);
                o["promised_stream_id"] = f.PromisedStreamId; o["fragment"] = f.Fragment.ToHex();
                break;
            case PingFrame f:
                o["ack"] = f.Ack; o["opaque_data"] = f.Opaque.ToString("x16");
                break;
            case GoAwayFrame f:
                o["last_stream_id"] = f.LastStreamId; o["error_code"] = f.Error.Value; o["error_name"] = ErrorName(f.Error);
                o["debug_data"] = f.DebugData.ToHex();
                break;
            case WindowUpdateFrame f:
                o["window_size_increment"] = f.Increment;
                break;
            case ContinuationFrame f:
                o["end_headers"] = f.EndHeaders; o["fragment"] = f.Fragment.ToHex();
                break;
            case UnknownFrame f:
                o["payload"] = f.Payload.ToHex();
                break;
        }
    }

    private static JObject Priority(PriorityFields p) =>
        new() { ["exclusive"] = p.Exclusive, ["stream_dependency"] = p.DependsOn, ["weight_octet"] = p.Weight };
}
