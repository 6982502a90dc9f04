using HpackStories;
using Http2.Reference.Hpack;
using Xunit;

namespace Conformance.Tests.Hpack;

/// <summary>
/// The public hpack-test-case corpus, read from <c>HPACK_TEST_CASE_DIR</c>
/// (never copied into the repository). Story files are parsed by the reader
/// run-vectors.sh and h2ref use (tools/HpackStories), so the tests and the
/// tools read the corpus alike; this
/// class adds what only tests need: skip or fail when it is missing, theory
/// data, a cache.
/// </summary>
internal static class Corpus
{
    private static readonly Dictionary<string, IReadOnlyList<Story>> cache = [];

    public const string Missing = "(corpus missing)";

    public static string? Dir =>
        Environment.GetEnvironmentVariable("HPACK_TEST_CASE_DIR") is { Length: > 0 } d && Directory.Exists(Path.Combine(d, "raw-data")) ? d : null;

    /// <summary>Skips the test when the corpus is missing, or fails it when <c>CI</c> is set.</summary>
    public static string Require()
    {
        if (Dir is { } dir) return dir;
        const string how = "the hpack-test-case corpus is missing: git clone https://github.com/http2jp/hpack-test-case and set HPACK_TEST_CASE_DIR to it";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) Assert.Fail($"CI is set and {how}");
        Assert.Skip(how);
        return "";
    }

    /// <summary>The implementation folders (those holding story files), or a single placeholder when the corpus is missing.</summary>
    public static TheoryData<string> Folders()
    {
        var data = new TheoryData<string>();
        if (Dir is not { } dir)
        {
            data.Add(Missing);
            return data;
        }
        foreach (var f in Directory.GetDirectories(dir).Where(d => Directory.EnumerateFiles(d, "story_*.json").Any()).Select(Path.GetFileName).Order())
            data.Add(f!);
        return data;
    }

    public static IReadOnlyList<Story> Load(string folder)
    {
        lock (cache)
        {
            if (cache.TryGetValue(folder, out var stories)) return stories;
            var dir = Path.Combine(Require(), folder);
            stories = [.. Directory.GetFiles(dir, "story_*.json").Order(StringComparer.Ordinal).Select(StoryReader.Load)];
            cache[folder] = stories;
            return stories;
        }
    }

    public static string Show(IEnumerable<HeaderField> fields) => HpackStories.Corpus.Show(fields);

    public static bool SameFields(IReadOnlyList<HeaderField> a, IReadOnlyList<HeaderField> b) => HpackStories.Corpus.SameFields(a, b);
}
