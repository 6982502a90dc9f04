using static LanguageExt.Prelude;
using Newtonsoft.Json.Linq;
using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;
using static Conformance.Tests.Tools.ToolHarness;

namespace Conformance.Tests.Tools;

/// <summary><c>h2ref frames decode</c>.</summary>
public class FramesDecodeTests
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();

    // RFC 7541 C.3.1-C.3.3: three request blocks of one connection
    private static readonly Bytes Request1 = Bytes.FromHex("828684410f7777772e6578616d706c652e636f6d");
    private static readonly Bytes Request2 = Bytes.FromHex("828684be58086e6f2d6361636865");
    private static readonly Bytes Request3 = Bytes.FromHex("828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565");

    /// <summary>A client's side of a connection with every frame type.</summary>
    private static byte[] Capture() =>
        [.. Preface, .. FrameWriter.ToBytes(new Frame[]
        {
            new SettingsFrame(false, Seq(new Setting(SettingId.MaxConcurrentStreams, 100), new Setting(SettingId.InitialWindowSize, 65535))),
            new WindowUpdateFrame(0, 33554432),
            new HeadersFrame(1, new Bytes(Request1.Memory[..5]), EndStream: true, EndHeaders: false, Priority: Some(new PriorityFields(false, 0, 15))),
            new ContinuationFrame(1, new Bytes(Request1.Memory[5..]), EndHeaders: true),
            SettingsFrame.Acknowledgement,
            new HeadersFrame(3, Request2, EndStream: false, EndHeaders: true, Padding: Some((byte)4)),
            new DataFrame(3, Bytes.FromUtf8("hello"), EndStream: true, Padding: Some((byte)2)),
            new PingFrame(false, 0x0102030405060708),
            new RstStreamFrame(3, ErrorCode.Cancel),
            new PriorityFrame(5, new PriorityFields(true, 3, 255)),
            new PushPromiseFrame(1, 2, Request3),
            new UnknownFrame(new FrameType(0x42), 0xff, 7, Bytes.FromUtf8("ab")),
            new GoAwayFrame(3, ErrorCode.NoError, Bytes.FromUtf8("bye")),
        })];

    [Fact(DisplayName = "frames decode: every frame type, like nghttp -v, headers with one HPACK context (golden)")]
    public void EveryFrameTypeGolden()
    {
        var run = FramesCli("decode", Convert.ToHexString(Capture()));
        Assert.Equal(0, run.Status);
        Golden("frames-every-type.txt", run.Out);
        // RFC 9113 §4.3: the third block refers to entries the first two added
        Assert.Contains("         :authority: www.example.com\n         custom-key: custom-value\n", run.Out);
    }

    [Fact(DisplayName = "frames decode --json --file -: the same capture as JSON from stdin (golden)")]
    public void JsonFromStdinGolden()
    {
        var run = FramesCliWith(Capture(), "decode", "--json", "--file", "-");
        Assert.Equal(0, run.Status);
        Golden("frames-every-type.json", run.Out);
        var frames = JArray.Parse(run.Out);
        Assert.Equal(14, frames.Count);
        Assert.Equal("cache-control", (string)((JObject)frames[6]!["headers"]![4]!).Properties().Single().Name);
    }

    [Fact(DisplayName = "RFC 9113 §4.2: a frame over SETTINGS_MAX_FRAME_SIZE stops decoding with FRAME_SIZE_ERROR; exit 1 (golden)")]
    public void FrameTooLarge()
    {
        var big = FrameWriter.ToBytes(new DataFrame(1, new byte[16385]));
        var run = FramesCli("decode", Convert.ToHexString(FrameWriter.ToBytes(new PingFrame(true, 0))) + Convert.ToHexString(big));
        Assert.Equal(1, run.Status);
        Golden("frames-too-large.txt", run.Out);
        Assert.Contains("FRAME_SIZE_ERROR", run.Err);
        Assert.Equal(0, FramesCli("decode", "--max-frame-size", "16385", Convert.ToHexString(big)).Status);
    }

    [Fact(DisplayName = "RFC 9113 §4.3: an HPACK error in a field block is reported (COMPRESSION_ERROR); exit 1")]
    public void CompressionError()
    {
        var run = FramesCli("decode", Convert.ToHexString(FrameWriter.ToBytes(new HeadersFrame(1, Bytes.FromHex("80")))));
        Assert.Equal(1, run.Status);
        Assert.Contains("COMPRESSION_ERROR at offset 0", run.Out);
        Assert.Contains("field block of stream 1", run.Err);
    }

    [Fact(DisplayName = "RFC 9113 §6.10: a field block interrupted by another frame is a PROTOCOL_ERROR; exit 1")]
    public void InterruptedFieldBlock()
    {
        var bytes = FrameWriter.ToBytes(new Frame[] { new HeadersFrame(1, Request1, EndHeaders: false), new PingFrame(false, 1) });
        var run = FramesCli("decode", Convert.ToHexString(bytes));
        Assert.Equal(1, run.Status);
        Assert.Contains("RFC 9113 §6.10", run.Err);
    }

    [Fact(DisplayName = "RFC 9113 §5.4.2: a stream error (PRIORITY of 4 octets) skips that frame and decoding goes on; exit 1")]
    public void StreamErrorContinues()
    {
        var priority4 = "000004020000000003" + "00000000";
        var run = FramesCli("decode", priority4 + Convert.ToHexString(FrameWriter.ToBytes(new PingFrame(false, 7))));
        Assert.Equal(1, run.Status);
        Assert.Contains("Stream error FRAME_SIZE_ERROR on stream 3", run.Out);
        Assert.Contains("[    13] PING frame", run.Out);
        Assert.Contains("RFC 9113 §6.3", run.Err);
    }

    [Fact(DisplayName = "frames decode: input ending inside a frame, or inside a field block, exits 1")]
    public void Truncated()
    {
        var ping = Convert.ToHexString(FrameWriter.ToBytes(new PingFrame(false, 1)));
        var run = FramesCli("decode", ping[..^2]);
        Assert.Equal(1, run.Status);
        Assert.Contains("16 of 17 octets", run.Err);
        var open = FramesCli("decode", Convert.ToHexString(FrameWriter.ToBytes(new HeadersFrame(1, Request1, EndHeaders: false))));
        Assert.Equal(1, open.Status);
        Assert.Contains("no END_HEADERS", open.Err);
    }

    [Fact(DisplayName = "frames decode: usage errors and --help")]
    public void Usage()
    {
        Assert.Equal(2, FramesCli("decode").Status);
        Assert.Equal(2, FramesCli("nope").Status);
        var help = FramesCli("decode", "--help");
        Assert.Equal(0, help.Status);
        Assert.Contains("examples:", help.Out);
    }
    private static IEnumerable<JObject> LocalRuleVectors() =>
        JObject.Parse(File.ReadAllText(RepoPath("vectors", "frames-local-rules.json")))["vectors"]!.Cast<JObject>();

    public static TheoryData<string> LocalRuleIds() => new(LocalRuleVectors().Select(v => (string)v["id"]!));

    [Theory(DisplayName = "RFC 9113 §5.1.1, §6.5.2, §6.6, §6.9, §8.4: frame-local rules (one frame and the sender's role) are reported with code and scope; the other direction accepts")]
    [MemberData(nameof(LocalRuleIds))]
    public void LocalRuleVector(string id)
    {
        var v = LocalRuleVectors().Single(x => (string)x["id"]! == id);
        string[] from = v["from"]!.Type == JTokenType.Null ? [] : ["--from", (string)v["from"]!];
        var run = FramesCli(["decode", "--json", "--no-hpack", .. from, (string)v["wire"]!]);
        var frame = (JObject)Assert.Single(JArray.Parse(run.Out));
        if (v["error"]!.Type == JTokenType.Null)
        {
            Assert.True(run.Status == 0, run.Err);
            Assert.Null(frame["error"]);
            return;
        }
        Assert.Equal(1, run.Status);
        var error = (JObject)frame["error"]!;
        Assert.Equal((int)v["error"]!["code"]!, (int)error["code"]!);
        Assert.Equal((string)v["error"]!["name"]!, (string)error["name"]!);
        Assert.Equal((string)v["error"]!["scope"]!, (string)error["scope"]!);
        Assert.Contains(((string)v["section"]!).Replace("RFC 9113 ", ""), (string)error["section"]!);
        Assert.Single(run.Err.TrimEnd().Split('\n'));
    }

    [Fact(DisplayName = "RFC 9113 §6.9: a WINDOW_UPDATE of 0 on a stream is a stream error: decoding goes on to the next frame, and the exit status is 1")]
    public void StreamScopedRuleGoesOn()
    {
        var wire = FrameWriter.ToBytes(new Frame[] { new WindowUpdateFrame(1, 0), new PingFrame(false, 7) });
        var run = FramesCli("decode", Convert.ToHexString(wire));
        Assert.Equal(1, run.Status);
        Assert.Contains("Stream error PROTOCOL_ERROR on stream 1: WINDOW_UPDATE with a flow-control window increment of 0 (RFC 9113 §6.9)", run.Out);
        Assert.Contains("PING frame", run.Out);
    }

    [Fact(DisplayName = "frames decode --from takes client or server; anything else is a usage error (exit 2)")]
    public void FromIsChecked()
    {
        var run = FramesCli("decode", "--from", "proxy", "000000040000000000");
        Assert.Equal(2, run.Status);
        Assert.Contains("--from takes client or server", run.Err);
    }
}
