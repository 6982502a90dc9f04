using HpackStories;
using Newtonsoft.Json.Linq;
using Http2.Reference;
using Http2.Reference.Hpack;
using Tools.Cli;
using Xunit;
using static Conformance.Tests.Tools.ToolHarness;

namespace Conformance.Tests.Tools;

/// <summary>
/// Runs every HPACK vector of vectors/ (our own, never the public corpus)
/// through the reference codec: the stories decode to their headers, their
/// header lists survive our encoder with every strategy, and every invalid
/// block is rejected.
/// </summary>
public class VectorTests
{
    public static TheoryData<string> StoryFiles() =>
        new(Directory.GetFiles(RepoPath("vectors", "hpack"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    public static TheoryData<string> InvalidIds() =>
        new(Invalid().Select(v => (string)v["id"]!));

    private static IEnumerable<JObject> Invalid() =>
        JObject.Parse(File.ReadAllText(RepoPath("vectors", "hpack-invalid.json")))["vectors"]!.Cast<JObject>();

    private static IEnumerable<JObject> FrameVectors(string file) =>
        JObject.Parse(File.ReadAllText(RepoPath("vectors", file)))["vectors"]!.Cast<JObject>();

    public static TheoryData<string> ValidFrameIds() => new(FrameVectors("frames.json").Select(v => (string)v["id"]!));

    public static TheoryData<string> InvalidFrameIds() => new(FrameVectors("frames-invalid.json").Select(v => (string)v["id"]!));

    private static Story Load(string file) => Stories.Load(RepoPath("vectors", "hpack", file));

    [Fact(DisplayName = "vectors: no file can be mistaken for the public corpus (no story_NN.json)")]
    public void NoCorpusNames() =>
        Assert.DoesNotContain(Directory.GetFiles(RepoPath("vectors"), "*.json", SearchOption.AllDirectories),
            f => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(f), @"^story_\d+\.json$"));

    [Theory(DisplayName = "RFC 7541: each vector story decodes to its headers with one context")]
    [MemberData(nameof(StoryFiles))]
    public void StoryDecodes(string file)
    {
        var story = Load(file);
        Assert.NotEmpty(story.Cases);
        var failure = global::Tools.Commands.HpackCompare.CheckStory(file, story);
        Assert.True(failure is null, failure is null ? "" : $"case {failure.Case}: {failure.Detail}\n{failure.Explain}");
    }

    [Theory(DisplayName = "RFC 7541: each vector story's header lists round-trip through our encoder with every strategy")]
    [MemberData(nameof(StoryFiles))]
    public void StoryRoundTrips(string file)
    {
        var story = Load(file);
        foreach (var (name, strategy) in HpackFacts.Strategies)
        {
            var encoded = global::Tools.Commands.HpackEncode.Encode(story, strategy, 4096, null, false);
            var again = Stories.ParseJson(encoded.Json.ToString(), "encoded");
            var failure = global::Tools.Commands.HpackCompare.CheckStory(file, again);
            Assert.True(failure is null, failure is null ? "" : $"{name}: case {failure.Case}: {failure.Detail}\n{failure.Explain}");
        }
    }

    [Theory(DisplayName = "RFC 7541: each invalid vector is rejected as a COMPRESSION_ERROR citing the vector's section, after its preceding blocks decode")]
    [MemberData(nameof(InvalidIds))]
    public void InvalidRejected(string id)
    {
        var v = Invalid().Single(x => (string)x["id"]! == id);
        Assert.False(string.IsNullOrWhiteSpace((string?)v["error"]));
        Assert.Matches(@"^\d+(\.\d+)*$", (string)v["section"]!);
        DecoderState? state = null;
        var steps = ((JArray?)v["preceding"] ?? []).Cast<JObject>().Append(v).ToArray();
        for (var i = 0; i < steps.Length; i++)
        {
            var before = StoryContext.DecoderBefore(state, (int?)steps[i]["header_table_size"]);
            var outcome = StoryDecoder.DecodeBlock(before, Bytes.FromHex((string)steps[i]["wire"]!), DecoderLimits.Default);
            if (i < steps.Length - 1)
            {
                Assert.True(outcome.Error is null, $"preceding block {i} must decode: {outcome.Error}");
                state = outcome.After;
            }
            else
            {
                Assert.True(outcome.Error is not null, $"{id} was accepted: {string.Join(", ", outcome.Fields)}");
                Assert.Equal(ErrorCode.CompressionError, outcome.Error!.Code);
                Assert.InRange(outcome.Error.Offset, 0, Bytes.FromHex((string)v["wire"]!).Length);
                // the vector and the reference decoder name the same rule
                Assert.Equal((string)v["section"]!, outcome.Error.Section);
            }
        }
    }

    [Theory(DisplayName = "RFC 9113 §4.1, §6: each valid frame vector, through h2ref frames decode --json, gives the vector's fields")]
    [MemberData(nameof(ValidFrameIds))]
    public void FrameVectorDecodes(string id)
    {
        var v = FrameVectors("frames.json").Single(x => (string)x["id"]! == id);
        var run = FramesCli("decode", "--json", "--no-hpack", (string)v["wire"]!);
        // valid framing that a frame-local rule of the receiver rejects (frames-local-rules.json) exits 1, with the fields still decoded
        var rejected = FrameVectors("frames-local-rules.json").Any(r => (string)r["wire"]! == (string)v["wire"]! && r["error"]!.Type != JTokenType.Null);
        Assert.True(run.Status == (rejected ? 1 : 0), run.Err);
        var frames = JArray.Parse(run.Out);
        var frame = (JObject)Assert.Single(frames);
        foreach (var p in ((JObject)v["frame"]!).Properties())
            Assert.True(JToken.DeepEquals(p.Value, frame[p.Name]), $"{id}: {p.Name}: vector {p.Value.ToString(Newtonsoft.Json.Formatting.None)}, h2ref {frame[p.Name]?.ToString(Newtonsoft.Json.Formatting.None) ?? "(missing)"}");
    }

    [Theory(DisplayName = "RFC 9113 §4.2, §5.4, §6: each invalid frame vector, through h2ref frames decode, fails with the vector's code and scope")]
    [MemberData(nameof(InvalidFrameIds))]
    public void FrameVectorRejected(string id)
    {
        var v = FrameVectors("frames-invalid.json").Single(x => (string)x["id"]! == id);
        var run = FramesCli("decode", "--json", "--no-hpack", "--max-frame-size", (string)v["max_frame_size"]!, (string)v["wire"]!);
        Assert.Equal(1, run.Status);
        var error = JArray.Parse(run.Out)[0]!["error"]!;
        Assert.Equal((int)v["error"]!["code"]!, (int)error["code"]!);
        Assert.Equal((string)v["error"]!["name"]!, (string)error["name"]!);
        Assert.Equal((string)v["error"]!["scope"]!, (string)error["scope"]!);
    }
}
