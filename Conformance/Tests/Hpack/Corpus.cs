using Newtonsoft.Json.Linq;
using Reference;
using Reference.Hpack;
using Xunit;

namespace Conformance.Tests.Hpack;

/// <summary>One case of an hpack-test-case story: a header block and its fields.</summary>
internal sealed record StoryCase(int Seqno, byte[]? Wire, IReadOnlyList<HeaderField> Headers, int? HeaderTableSize);

/// <summary>One story file of one implementation folder.</summary>
internal sealed record Story(string Folder, string Name, IReadOnlyList<StoryCase> Cases);

/// <summary>
/// The public hpack-test-case corpus, read from <c>HPACK_TEST_CASE_DIR</c>
/// (never copied into the repository).
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
            stories = [.. Directory.GetFiles(dir, "story_*.json").Order().Select(path => Parse(folder, path))];
            cache[folder] = stories;
            return stories;
        }
    }

    private static Story Parse(string folder, string path)
    {
        // DateParseHandling.None: values such as "11/07/2011 21:33:44" are octets, not dates.
        using var reader = new Newtonsoft.Json.JsonTextReader(new StringReader(File.ReadAllText(path))) { DateParseHandling = Newtonsoft.Json.DateParseHandling.None };
        var json = JObject.Load(reader);
        var cases = json["cases"]!.Select((c, i) => new StoryCase(
            c["seqno"]?.Value<int>() ?? i,
            c["wire"] is { } w ? Convert.FromHexString(w.Value<string>()!) : null,
            [.. c["headers"]!.SelectMany(h => ((JObject)h).Properties()).Select(p => HeaderField.Of(p.Name, p.Value.Value<string>()!))],
            c["header_table_size"]?.Value<int>())).ToList();
        return new Story(folder, Path.GetFileName(path), cases);
    }

    public static string Show(IEnumerable<HeaderField> fields) => "[" + string.Join(", ", fields.Select(f => $"{f.NameText}: {f.ValueText}")) + "]";

    public static bool SameFields(IReadOnlyList<HeaderField> a, IReadOnlyList<HeaderField> b) =>
        a.Count == b.Count && a.Zip(b, (x, y) => x.Name == y.Name && x.Value == y.Value).All(same => same);
}
