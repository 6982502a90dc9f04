using HpackStories;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Http2.Reference;
using Http2.Reference.Hpack;

namespace Tools.Cli;

/// <summary>
/// Stories for the tools: hpack-test-case JSON (read by <see cref="StoryReader"/>),
/// or <c>name: value</c> text blocks; and writing them back as JSON.
/// </summary>
public static class Stories
{
    /// <summary>
    /// Parses JSON (<c>{"cases":[...]}</c>) or, when the text does not start
    /// with <c>{</c>, <c>name: value</c> lines in blocks separated by blank lines.
    /// </summary>
    public static Story Parse(string text, string source) =>
        text.TrimStart().StartsWith('{') ? ParseJson(text, source) : ParseText(text, source);

    /// <summary>Reads a story file.</summary>
    public static Story Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Parses a story in the hpack-test-case format (the one reader, <see cref="StoryReader"/>).</summary>
    public static Story ParseJson(string text, string source) => StoryReader.Parse(text, source);

    /// <summary>
    /// Parses <c>name: value</c> lines; a blank line ends a header block. The
    /// name is everything before the first colon after the first character (so
    /// pseudo-header names keep their leading colon); optional whitespace
    /// after the colon is not part of the value.
    /// </summary>
    public static Story ParseText(string text, string source)
    {
        var cases = new List<StoryCase>();
        var current = new List<HeaderField>();
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                if (current.Count > 0) cases.Add(new StoryCase(cases.Count, null, null, current));
                current = [];
                continue;
            }
            var colon = line.IndexOf(':', 1);
            if (colon < 0)
                throw new FormatException($"{source}:{lineNo}: expected 'name: value'");
            current.Add(HeaderField.Of(line[..colon], line[(colon + 1)..].TrimStart(' ', '\t')));
        }
        if (current.Count > 0) cases.Add(new StoryCase(cases.Count, null, null, current));
        return new Story(source, null, cases);
    }

    /// <summary>Hex text to octets (whitespace and a leading <c>0x</c> ignored), with a clear error.</summary>
    public static Bytes ParseHex(string hex, string where) => StoryReader.ParseHex(hex, where);

    /// <summary>A field list as hpack-test-case <c>headers</c>: one-key objects, in order.</summary>
    public static JArray HeadersJson(IEnumerable<HeaderField> fields) =>
        new(fields.Select(f => new JObject(new JProperty(f.NameText, f.ValueText))));

    /// <summary>Serialises with two-space indentation, as the corpus does.</summary>
    public static string ToJson(JToken token)
    {
        var sw = new StringWriter { NewLine = "\n" };
        using (var w = new JsonTextWriter(sw) { Formatting = Formatting.Indented, Indentation = 2 })
            token.WriteTo(w);
        return sw.ToString() + "\n";
    }

    /// <summary>The octets of names and values (the size a list has before compression).</summary>
    public static long InputLength(IEnumerable<HeaderField> fields) => fields.Sum(f => (long)f.Name.Length + f.Value.Length);

    /// <summary>All story files of a directory (or the file itself), sorted by name.</summary>
    public static IReadOnlyList<string> Files(string path) =>
        Directory.Exists(path)
            ? Directory.GetFiles(path, "*.json").Order(StringComparer.Ordinal).ToArray()
            : File.Exists(path) ? [path] : throw new FileNotFoundException($"{path}: no such file or directory");
}
