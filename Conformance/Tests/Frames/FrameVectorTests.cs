using LanguageExt;
using Newtonsoft.Json.Linq;
using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Frames;

/// <summary>
/// Runs the golden frame vectors vectors/frames.json and
/// vectors/frames-invalid.json (format in vectors/README.md) through the
/// reader and the writer. The expected frame is built from the JSON fields
/// here, independently of the reader.
/// </summary>
public class FrameVectorTests
{
    internal static string RepoPath(params string[] parts)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Conformance.sln")))
            dir = dir.Parent;
        return Path.Combine([dir?.FullName ?? throw new InvalidOperationException("Conformance.sln not found"), .. parts]);
    }

    private static JObject[] Load(string file) =>
        JObject.Parse(File.ReadAllText(RepoPath("vectors", file)))["vectors"]!.Cast<JObject>().ToArray();

    private static readonly Lazy<JObject[]> Valid = new(() => Load("frames.json"));
    private static readonly Lazy<JObject[]> Invalid = new(() => Load("frames-invalid.json"));

    public static TheoryData<string> ValidIds() => new(Valid.Value.Select(v => (string)v["id"]!));

    public static TheoryData<string> InvalidIds() => new(Invalid.Value.Select(v => (string)v["id"]!));

    [Fact(DisplayName = "vectors: frames.json and frames-invalid.json cover every frame type and have unique ids")]
    public void Coverage()
    {
        var types = Valid.Value.Select(v => (int)v["frame"]!["type_code"]!).ToHashSet();
        Assert.True(Enumerable.Range(0, 10).All(types.Contains), "a known type has no valid vector");
        Assert.Contains(types, t => t > 9);
        var invalidTypes = Invalid.Value.Select(v => (int)Convert.FromHexString((string)v["wire"]!)[3]).ToHashSet();
        Assert.True(Enumerable.Range(0, 10).All(invalidTypes.Contains), "a known type has no invalid vector");
        var ids = Valid.Value.Concat(Invalid.Value).Select(v => (string)v["id"]!).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Theory(DisplayName = "RFC 9113 §4.1, §6: each valid frame vector reads as its decoded fields and, when canonical, writes back to its wire")]
    [MemberData(nameof(ValidIds))]
    public void ValidVector(string id)
    {
        var vector = Valid.Value.Single(v => (string)v["id"]! == id);
        var wire = Convert.FromHexString((string)vector["wire"]!);
        var fields = (JObject)vector["frame"]!;
        var header = FrameHeader.TryParse(wire).IfNone(() => throw new InvalidOperationException("short wire"));
        Assert.Equal(((uint)fields["length"]!, (byte)(int)fields["type_code"]!, (byte)(int)fields["flags"]!, (uint)fields["stream_id"]!),
            (header.Length, header.Type.Value, header.Flags, header.StreamId));
        var read = Assert.IsType<FrameRead>(FrameReader.Read(wire, FrameConstants.DefaultMaxFrameSize));
        Assert.Equal(wire.Length, read.Consumed);
        var expected = Expected(fields);
        Assert.Equal(expected, read.Frame);
        if ((bool)vector["canonical"]!)
            Assert.Equal((string)vector["wire"]!, Convert.ToHexStringLower(FrameWriter.ToBytes(expected)));
        else
            Assert.NotEqual((string)vector["wire"]!, Convert.ToHexStringLower(FrameWriter.ToBytes(expected)));
    }

    [Theory(DisplayName = "RFC 9113 §4.2, §6: each invalid frame vector is rejected with its error code, scope and section")]
    [MemberData(nameof(InvalidIds))]
    public void InvalidVector(string id)
    {
        var vector = Invalid.Value.Single(v => (string)v["id"]! == id);
        var wire = Convert.FromHexString((string)vector["wire"]!);
        var error = (JObject)vector["error"]!;
        var failed = Assert.IsType<ReadFailed>(FrameReader.Read(wire, (uint)vector["max_frame_size"]!));
        Assert.Equal(new ErrorCode((uint)error["code"]!), failed.Error.Code);
        Assert.Equal((string)error["name"]!, failed.Error.Code.Name);
        Assert.Equal((string)error["scope"]! == "stream" ? ErrorScope.Stream : ErrorScope.Connection, failed.Error.Scope);
        Assert.Contains(((string)vector["section"]!).Replace("RFC 9113 ", ""), failed.Error.Section);
        if ((bool)vector["header_only"]!)
            Assert.Equal(FrameConstants.HeaderLength, wire.Length);
        else
            Assert.Equal(wire.Length, 9 + (wire[0] << 16 | wire[1] << 8 | wire[2]));
    }

    /// <summary>The frame the JSON fields describe (vectors/README.md, "Decoded fields").</summary>
    private static Frame Expected(JObject f)
    {
        var stream = (uint)f["stream_id"]!;
        Bytes Hex(string name) => Bytes.FromHex((string)f[name]!);
        bool Flag(string name) => (bool)f[name]!;
        Option<byte> Pad() => f["pad_length"]!.Type == JTokenType.Null ? None : Some((byte)(int)f["pad_length"]!);
        PriorityFields Prio(JToken p) => new((bool)p["exclusive"]!, (uint)p["stream_dependency"]!, (byte)(int)p["weight_octet"]!);
        return (string)f["type"]! switch
        {
            "DATA" => new DataFrame(stream, Hex("data"), Flag("end_stream"), Pad()),
            "HEADERS" => new HeadersFrame(stream, Hex("fragment"), Flag("end_stream"), Flag("end_headers"),
                f["priority"]!.Type == JTokenType.Null ? None : Some(Prio(f["priority"]!)), Pad()),
            "PRIORITY" => new PriorityFrame(stream, Prio(f["priority"]!)),
            "RST_STREAM" => new RstStreamFrame(stream, new ErrorCode((uint)f["error_code"]!)),
            "SETTINGS" => Flag("ack") ? SettingsFrame.Acknowledgement : new SettingsFrame(false,
                toSeq(f["settings"]!.Select(s => new Setting(new SettingId((ushort)(int)s["id"]!), (uint)s["value"]!)).ToArray())),
            "PUSH_PROMISE" => new PushPromiseFrame(stream, (uint)f["promised_stream_id"]!, Hex("fragment"), Flag("end_headers"), Pad()),
            "PING" => new PingFrame(Flag("ack"), Convert.ToUInt64((string)f["opaque_data"]!, 16)),
            "GOAWAY" => new GoAwayFrame((uint)f["last_stream_id"]!, new ErrorCode((uint)f["error_code"]!), Hex("debug_data")),
            "WINDOW_UPDATE" => new WindowUpdateFrame(stream, (uint)f["window_size_increment"]!),
            "CONTINUATION" => new ContinuationFrame(stream, Hex("fragment"), Flag("end_headers")),
            _ => new UnknownFrame(new FrameType((byte)(int)f["type_code"]!), (byte)(int)f["flags"]!, stream, Hex("payload")),
        };
    }
}
