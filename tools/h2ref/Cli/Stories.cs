using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Reference;
using Reference.Hpack;

namespace Tools.Cli;

/// <summary>
/// One case of a story in the hpack-test-case format: a header block
/// (<see cref="Wire"/>, absent in raw-data stories) and the fields it carries.
/// </summary>
/// <param name="Seqno">The case number (its position when the file has none).</param>
/// <param name="HeaderTableSize">SETTINGS_HEADER_TABLE_SIZE in force from this case on, if given.</param>
/// <param name="Wire">The header block, if given.</param>
/// <param name="Headers">The fields, in order (names may repeat).</param>
public sealed record StoryCase(int Seqno, int? HeaderTableSize, Bytes? Wire, IReadOnlyList<HeaderField> Headers);

/// <summary>A story: cases that share one compression context, in order.</summary>
/// <param name="Description">The optional description.</param>
/// <param name="Cases">The cases.</param>
public sealed record Story(string? Description, IReadOnlyList<StoryCase> Cases);

/// <summary>Reading and writing stories (hpack-test-case JSON, or <c>name: value</c> text blocks).</summary>
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

    /// <summary>Reads a JSON document without turning date-like strings into dates.</summary>
    public static JToken ReadJson(string text, string source)
    {
        try
        {
            using var reader = new JsonTextReader(new StringReader(text))
            {
                DateParseHandling = DateParseHandling.None,
                FloatParseHandling = FloatParseHandling.Decimal,
            };
            return JToken.ReadFrom(reader);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not valid JSON: {e.Message}");
        }
    }

    /// <summary>Parses a story in the hpack-test-case format.</summary>
    public static Story ParseJson(string text, string source)
    {
        if (ReadJson(text, source) is not JObject root || root["cases"] is not JArray cases)
            throw new FormatException($"{source}: expected an object with a \"cases\" array");
        var list = new List<StoryCase>();
        foreach (var (token, i) in cases.Select((c, i) => (c, i)))
        {
            if (token is not JObject c)
                throw new FormatException($"{source}: case {i} is not an object");
            var where = $"{source}: case {i}";
            var seqno = c["seqno"] is JValue { Type: JTokenType.Integer } s ? (int)s : i;
            int? size = c["header_table_size"] switch
            {
                null => null,
                JValue { Type: JTokenType.Integer } v when (long)v is >= 0 and <= int.MaxValue => (int)v,
                var other => throw new FormatException($"{where}: header_table_size {other} is not a size"),
            };
            Bytes? wire = c["wire"] switch
            {
                null => (Bytes?)null,
                JValue { Type: JTokenType.String } w => ParseHex((string)w!, where),
                _ => throw new FormatException($"{where}: wire is not a hex string"),
            };
            var headers = new List<HeaderField>();
            if (c["headers"] is JArray hs)
                foreach (var h in hs)
                {
                    if (h is not JObject o)
                        throw new FormatException($"{where}: a header is not a {{\"name\": \"value\"}} object");
                    foreach (var p in o.Properties())
                        headers.Add(HeaderField.Of(p.Name, p.Value.Type == JTokenType.String ? (string)p.Value! : p.Value.ToString(Formatting.None)));
                }
            else if (c["headers"] is not null)
                throw new FormatException($"{where}: headers is not an array");
            list.Add(new StoryCase(seqno, size, wire, headers));
        }
        return new Story(root["description"]?.Type == JTokenType.String ? (string?)root["description"] : null, list);
    }

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
        return new Story(null, cases);
    }

    /// <summary>Hex text to octets (whitespace ignored), with a clear error.</summary>
    public static Bytes ParseHex(string hex, string where)
    {
        var clean = string.Concat(hex.Where(c => !char.IsWhiteSpace(c)));
        if (clean.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) clean = clean[2..];
        if (clean.Length % 2 != 0 || !clean.All(Uri.IsHexDigit))
            throw new FormatException($"{where}: '{(hex.Length > 40 ? hex[..40] + "..." : hex)}' is not hex octets");
        return Convert.FromHexString(clean);
    }

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
