using Newtonsoft.Json.Linq;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using HpackStories;

namespace Fuzz;

/// <summary>
/// The seeds: the project's vector files (vectors/hpack, vectors/frames*.json),
/// the hpack-test-case corpus when HPACK_TEST_CASE_DIR names it, and client
/// and server traffic built from scripts of frames.
/// </summary>
public sealed class Seeds
{
    /// <summary>HPACK stories (one connection's blocks, in order, with the fields each must decode to).</summary>
    public required IReadOnlyList<Story> Stories { get; init; }

    /// <summary>The decoder state before each case of each story, and the case (valid corpus blocks).</summary>
    public required IReadOnlyList<(DecoderState Before, StoryCase Case)> Blocks { get; init; }

    /// <summary>Frame octets: single frames and runs of frames.</summary>
    public required IReadOnlyList<byte[]> Frames { get; init; }

    /// <summary>What a client sends a server, after the preface.</summary>
    public required IReadOnlyList<byte[]> ClientTraffic { get; init; }

    /// <summary>What a server sends a client that asked for stream 1.</summary>
    public required IReadOnlyList<byte[]> ServerTraffic { get; init; }

    public static string Root()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Conformance.sln"))) return d.FullName;
        for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Conformance.sln"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository (Conformance.sln) above the program or the current directory");
    }

    /// <summary>Loads the seeds and checks the seed invariant: every valid corpus block decodes to its fields.</summary>
    public static Seeds Load(int corpusStories)
    {
        var root = Root();
        var stories = Directory.GetFiles(Path.Combine(root, "vectors", "hpack"), "*.json").Order().Select(StoryReader.Load).ToList();
        if (Environment.GetEnvironmentVariable("HPACK_TEST_CASE_DIR") is { Length: > 0 } dir && Directory.Exists(dir))
            foreach (var folder in Directory.GetDirectories(dir).Order())
                stories.AddRange(Directory.GetFiles(folder, "story_*.json").Order().Take(corpusStories).Select(StoryReader.Load).Where(s => s.Cases.All(c => c.Wire is not null)));
        var blocks = new List<(DecoderState, StoryCase)>();
        foreach (var story in stories)
        {
            DecoderState? state = null;
            foreach (var c in story.Cases)
            {
                if (c.Wire is null) break;
                state = state is null ? DecoderState.Initial(c.HeaderTableSize ?? 4096)
                    : c.HeaderTableSize is { } size ? state.WithSettingsTableSize(size) : state;
                blocks.Add((state, c));
                var r = HpackDecoder.Decode(state, c.Wire.Value.Span, DecoderLimits.Unlimited);
                state = r.Match(
                    Right: d => Corpus.SameFields(c.Headers, d.Fields) ? d.State : throw Invariant(story.Name, c.Seqno, Corpus.Show(d.Fields)),
                    Left: e => throw Invariant(story.Name, c.Seqno, e.ToString()));
            }
        }

        var frames = new List<byte[]>();
        foreach (var file in new[] { "frames.json", "frames-invalid.json" })
        {
            var json = JObject.Parse(File.ReadAllText(Path.Combine(root, "vectors", file)));
            foreach (var v in json["vectors"]!)
                if (v["wire"]?.Value<string>() is { } hex && hex.Length % 2 == 0)
                    try { frames.Add(Convert.FromHexString(hex)); } catch (FormatException) { }
        }
        var rng = new Random(20260101);
        for (var i = 0; i < 40; i++) frames.Add([.. Enumerable.Range(0, 2 + rng.Next(5)).SelectMany(_ => frames[rng.Next(frames.Count)])]);

        var client = Enumerable.Range(0, 64).Select(i => Traffic.Client(new Random(1000 + i))).ToList();
        var server = Enumerable.Range(0, 32).Select(i => Traffic.Server(new Random(2000 + i))).ToList();
        return new Seeds { Stories = stories, Blocks = blocks, Frames = frames, ClientTraffic = client, ServerTraffic = server };
    }

    private static InvalidOperationException Invariant(string story, int seqno, string got) =>
        new($"seed invariant: {story} seqno {seqno} does not decode to its fields ({got})");
}

/// <summary>Plausible traffic from scripts of frames: what a busy (and sometimes odd) peer sends.</summary>
public static class Traffic
{
    private static readonly HeaderField[] Get = [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "http"), HeaderField.Of(":path", "/"), HeaderField.Of(":authority", "a")];

    /// <summary>A client's frames after the preface: SETTINGS first, then requests, bodies, resets, pings, GOAWAY, CONTINUATIONs.</summary>
    public static byte[] Client(Random rng)
    {
        var enc = EncoderState.Initial(EncoderStrategy.All[rng.Next(EncoderStrategy.All.Count)]);
        var frames = new List<Frame> { new SettingsFrame(false, LanguageExt.Seq<Setting>.Empty) };
        uint next = 1, last = 1;
        var n = 1 + rng.Next(14);
        for (var i = 0; i < n; i++)
        {
            byte[] Block(bool big)
            {
                IReadOnlyList<HeaderField> fields = big ? [.. Get, HeaderField.Of("x-big", new string('v', rng.Next(40000)))] : rng.Next(3) == 0 ? [.. Get, HeaderField.Of("content-length", "3")] : Get;
                (enc, var b) = HpackEncoder.Encode(enc, fields);
                return b;
            }
            switch (rng.Next(12))
            {
                case 0: frames.Add(SettingsFrame.Acknowledgement); break;
                case 1: frames.Add(new PingFrame(false, (ulong)i)); break;
                case 2: frames.Add(new GoAwayFrame(rng.Next(2) == 0 ? 0 : last, ErrorCode.NoError)); break;
                case 3: frames.Add(new RstStreamFrame(last, ErrorCode.Cancel)); break;
                case 4: frames.Add(new DataFrame(last, new byte[rng.Next(5)], rng.Next(2) == 0)); break;
                case 5: frames.Add(new WindowUpdateFrame((uint)(rng.Next(2) == 0 ? 0 : last), (uint)(1 + rng.Next(100000)))); break;
                case 6: frames.Add(new SettingsFrame(false, LanguageExt.Prelude.Seq1(new Setting(SettingId.InitialWindowSize, (uint)rng.Next(100000))))); break;
                case 7 or 8:
                    last = next; next += 2;
                    frames.AddRange(FrameWriter.SplitHeaderBlock(last, Block(rng.Next(4) == 0), rng.Next(2) == 0, LanguageExt.Option<PriorityFields>.None, 16384));
                    break;
                case 9:
                    last = next; next += 2;
                    var block = Block(false);
                    var cut = rng.Next(block.Length + 1);
                    frames.Add(new HeadersFrame(last, block[..cut], true, EndHeaders: false));
                    frames.Add(new ContinuationFrame(last, block[cut..], true));
                    break;
                case 10: frames.Add(new PriorityFrame(last, new PriorityFields(false, 0, 15))); break;
                default: frames.Add(new UnknownFrame(new FrameType(0x20), 0, 0, new byte[] { 1 })); break;
            }
        }
        return FrameWriter.ToBytes(frames);
    }

    /// <summary>A server's frames to a client that opened stream 1: SETTINGS, a response, data, trailers, pushes, pings.</summary>
    public static byte[] Server(Random rng)
    {
        var enc = EncoderState.Initial(EncoderStrategy.Nghttp2);
        var frames = new List<Frame> { new SettingsFrame(false, LanguageExt.Seq<Setting>.Empty) };
        byte[] Block(params HeaderField[] fields)
        {
            (enc, var b) = HpackEncoder.Encode(enc, fields);
            return b;
        }
        var n = 1 + rng.Next(10);
        for (var i = 0; i < n; i++)
        {
            switch (rng.Next(9))
            {
                case 0: frames.Add(SettingsFrame.Acknowledgement); break;
                case 1: frames.Add(new HeadersFrame(1, Block(HeaderField.Of(":status", rng.Next(2) == 0 ? "200" : "103")), rng.Next(3) == 0)); break;
                case 2: frames.Add(new DataFrame(1, new byte[rng.Next(100)], rng.Next(3) == 0)); break;
                case 3: frames.Add(new PushPromiseFrame(1, (uint)(2 + 2 * rng.Next(3)), Block([.. Get]))); break;
                case 4: frames.Add(new PingFrame(rng.Next(2) == 0, (ulong)i)); break;
                case 5: frames.Add(new GoAwayFrame(1, ErrorCode.NoError)); break;
                case 6: frames.Add(new WindowUpdateFrame(0, (uint)(1 + rng.Next(1000)))); break;
                case 7: frames.Add(new HeadersFrame(1, Block(HeaderField.Of("x-trailer", "t")), true)); break;
                default: frames.Add(new RstStreamFrame(1, ErrorCode.Cancel)); break;
            }
        }
        return FrameWriter.ToBytes(frames);
    }
}
