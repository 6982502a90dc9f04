using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Reference.Hpack;

namespace VectorRunner;

/// <summary>One case of an hpack-test-case story: a header block (absent in raw-data) and its fields.</summary>
public sealed record StoryCase(int Seqno, byte[]? Wire, IReadOnlyList<HeaderField> Headers, int? HeaderTableSize)
{
    /// <summary>Octets of the names and values (the "raw" size compression ratios divide by).</summary>
    public long RawLength => Headers.Sum(f => (long)f.Name.Length + f.Value.Length);
}

/// <summary>One story file (a connection's worth of header blocks).</summary>
public sealed record Story(string Name, IReadOnlyList<StoryCase> Cases);

/// <summary>The hpack-test-case corpus (https://github.com/http2jp/hpack-test-case) read from disk; never copied into the repository.</summary>
public static class Corpus
{
    /// <summary>The implementation folders under <paramref name="dir"/>, or <paramref name="dir"/> itself when it holds stories.</summary>
    public static IReadOnlyList<string> Folders(string dir) =>
        Directory.EnumerateFiles(dir, "story_*.json").Any()
            ? [dir]
            : [.. Directory.GetDirectories(dir).Where(d => Directory.EnumerateFiles(d, "story_*.json").Any()).Order()];

    /// <summary>Every story of an implementation folder, in name order.</summary>
    public static IReadOnlyList<Story> Load(string folder) =>
        [.. Directory.GetFiles(folder, "story_*.json").Order().Select(Parse)];

    /// <summary>Parses one story file. Values stay text (no date parsing) and become UTF-8 octets.</summary>
    public static Story Parse(string path)
    {
        using var reader = new JsonTextReader(new StringReader(File.ReadAllText(path))) { DateParseHandling = DateParseHandling.None };
        var json = JObject.Load(reader);
        var cases = json["cases"]!.Select((c, i) => new StoryCase(
            c["seqno"]?.Value<int>() ?? i,
            c["wire"] is { } w ? Convert.FromHexString(w.Value<string>()!) : null,
            [.. c["headers"]!.SelectMany(h => ((JObject)h).Properties()).Select(p => HeaderField.Of(p.Name, p.Value.Value<string>()!))],
            c["header_table_size"]?.Value<int>())).ToList();
        return new Story(Path.GetFileName(path), cases);
    }

    /// <summary><c>[name: value, ...]</c>.</summary>
    public static string Show(IEnumerable<HeaderField> fields) => "[" + string.Join(", ", fields.Select(f => $"{f.NameText}: {f.ValueText}")) + "]";

    /// <summary>Same names and values in the same order (sensitivity aside).</summary>
    public static bool SameFields(IReadOnlyList<HeaderField> a, IReadOnlyList<HeaderField> b) =>
        a.Count == b.Count && a.Zip(b, (x, y) => x.Name == y.Name && x.Value == y.Value).All(same => same);
}
