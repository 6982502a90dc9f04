using Http2.Reference.Hpack;

namespace HpackStories;

/// <summary>
/// The hpack-test-case corpus on disk (https://github.com/http2jp/hpack-test-case):
/// one folder per implementation, read where it lies (never copied into the repository).
/// </summary>
public static class Corpus
{
    /// <summary>The implementation folders under <paramref name="dir"/> (those holding <c>*.json</c>), or <paramref name="dir"/> itself when it holds stories.</summary>
    public static IReadOnlyList<string> Folders(string dir) =>
        Directory.EnumerateFiles(dir, "*.json").Any()
            ? [dir]
            : [.. Directory.GetDirectories(dir).Where(d => Directory.EnumerateFiles(d, "*.json").Any()).Order(StringComparer.Ordinal)];

    /// <summary>Every story of a folder, in name order.</summary>
    /// <exception cref="FormatException">A file is not a story (the first such, in one line).</exception>
    public static IReadOnlyList<Story> Load(string folder) => [.. StoryReader.Files(folder).Select(StoryReader.Load)];

    /// <summary><c>[name: value, ...]</c>.</summary>
    public static string Show(IEnumerable<HeaderField> fields) => "[" + string.Join(", ", fields.Select(f => $"{f.NameText}: {f.ValueText}")) + "]";

    /// <summary>Same names and values in the same order (sensitivity aside: the corpus does not record it).</summary>
    public static bool SameFields(IReadOnlyList<HeaderField> a, IReadOnlyList<HeaderField> b)
    {
        if (a.Count != b.Count) return false;
        for (var i = 0; i < a.Count; i++)
            if (a[i].Name != b[i].Name || a[i].Value != b[i].Value) return false;
        return true;
    }
}
