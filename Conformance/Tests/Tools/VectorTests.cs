using Newtonsoft.Json.Linq;
using Reference;
using Reference.Hpack;
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

    [Theory(DisplayName = "RFC 7541: each invalid vector is rejected as a COMPRESSION_ERROR after its preceding blocks decode")]
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
            var before = StoryDecoder.Before(state, (int?)steps[i]["header_table_size"]);
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
            }
        }
    }
}
