using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using Http2.Reference;
using Http2.Reference.Hpack;

namespace HpackStories;

/// <summary>
/// Reads stories in the hpack-test-case format, as its README describes it:
/// <c>{"description"?, "cases": [{"seqno"?, "header_table_size"?, "wire"?, "headers": [{"name": "value"}, ...]}, ...]}</c>.
/// Every optional key may be absent or <c>null</c> (the same thing): a missing
/// <c>seqno</c> is the case's position, a missing <c>header_table_size</c>
/// leaves the size unchanged, a missing <c>wire</c> makes the case encoder
/// input (raw-data). Other keys (<c>input_length</c>, <c>header_table</c>, ...)
/// are ignored. Anything else malformed is a <see cref="FormatException"/>
/// with one line naming the source and the case.
/// </summary>
public static class StoryReader
{
    /// <summary>Reads and parses a story file.</summary>
    /// <exception cref="FormatException">The file is not a story.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Story Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Every story file (<c>*.json</c>) of a folder, in ordinal name order.</summary>
    public static IReadOnlyList<string> Files(string folder) =>
        [.. Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal)];

    /// <summary>Parses a story; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="FormatException">The text is not a story (one line naming <paramref name="source"/> and the case).</exception>
    public static Story Parse(string text, string source)
    {
        if (ReadJson(text, source) is not JObject root || root["cases"] is not JArray cases)
            throw new FormatException($"{source}: expected a JSON object with a \"cases\" array");
        var description = root["description"] switch
        {
            null or { Type: JTokenType.Null } => null,
            JValue { Type: JTokenType.String } d => (string?)d,
            var other => throw new FormatException($"{source}: \"description\" is {Kind(other)}, not a string"),
        };
        var list = new List<StoryCase>(cases.Count);
        for (var i = 0; i < cases.Count; i++) list.Add(ParseCase(cases[i], i, source));
        return new Story(source, description, list);
    }

    /// <summary>Reads a JSON document, leaving date-like strings and decimals as they are written.</summary>
    /// <exception cref="FormatException">Not valid JSON (one line naming <paramref name="source"/>).</exception>
    public static JToken ReadJson(string text, string source)
    {
        try
        {
            using var reader = new JsonTextReader(new StringReader(text))
            {
                DateParseHandling = DateParseHandling.None,
                FloatParseHandling = FloatParseHandling.Decimal,
            };
            var token = JToken.ReadFrom(reader);
            if (reader.Read()) throw new JsonReaderException($"more after the end of the document (line {reader.LineNumber})");
            return token;
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not valid JSON: {OneLine(e.Message)}");
        }
    }

    /// <summary>Hex text to octets (whitespace and a leading <c>0x</c> ignored).</summary>
    /// <exception cref="FormatException">An odd number of digits, or a character that is not a hex digit; the message starts with <paramref name="where"/>.</exception>
    public static Bytes ParseHex(string hex, string where)
    {
        var clean = string.Concat(hex.Where(c => !char.IsWhiteSpace(c)));
        if (clean.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) clean = clean[2..];
        var bad = clean.FirstOrDefault(c => !Uri.IsHexDigit(c));
        if (bad != default)
            throw new FormatException($"{where}: '{Abbreviate(hex)}' is not hex octets ('{bad}' is not a hex digit)");
        if (clean.Length % 2 != 0)
            throw new FormatException($"{where}: '{Abbreviate(hex)}' is not hex octets (an odd number of digits, {clean.Length})");
        return Convert.FromHexString(clean);
    }

    private static StoryCase ParseCase(JToken token, int i, string source)
    {
        if (token is not JObject c)
            throw new FormatException($"{source}: case {i}: is {Kind(token)}, not an object");
        var seqno = c["seqno"] switch
        {
            null or { Type: JTokenType.Null } => i,
            JValue { Type: JTokenType.Integer } s when s.Value is long n && n is >= int.MinValue and <= int.MaxValue => (int)n,
            var other => throw new FormatException($"{source}: case {i}: \"seqno\" is {Kind(other)}, not an integer"),
        };
        var where = seqno == i ? $"{source}: case {i}" : $"{source}: case {i} (seqno {seqno})";
        int? size = c["header_table_size"] switch
        {
            null or { Type: JTokenType.Null } => null,
            JValue { Type: JTokenType.Integer } v when v.Value is long n && n is >= 0 and <= int.MaxValue => (int)n,
            var other => throw new FormatException($"{where}: \"header_table_size\" is {Kind(other)}, not a table size (an integer from 0 to {int.MaxValue})"),
        };
        Bytes? wire = c["wire"] switch
        {
            null or { Type: JTokenType.Null } => (Bytes?)null,
            JValue { Type: JTokenType.String } w => ParseHex((string)w!, $"{where}: \"wire\""),
            var other => throw new FormatException($"{where}: \"wire\" is {Kind(other)}, not a hex string"),
        };
        IReadOnlyList<HeaderField> headers = c["headers"] switch
        {
            null or { Type: JTokenType.Null } => [],
            JArray hs => [.. hs.Select((h, k) => ParseField(h, k, where))],
            var other => throw new FormatException($"{where}: \"headers\" is {Kind(other)}, not an array"),
        };
        return new StoryCase(seqno, size, wire, headers);
    }

    // README: "Each headers element is a one-key object"; values are text, compared as UTF-8 octets.
    private static HeaderField ParseField(JToken token, int k, string where) =>
        token is JObject { Count: 1 } o && o.Properties().First() is var p
            ? p.Value is JValue { Type: JTokenType.String } v
                ? HeaderField.Of(p.Name, (string)v!)
                : throw new FormatException($"{where}: header {k} (\"{p.Name}\") has {Kind(p.Value)} as its value, not a string")
            : throw new FormatException($"{where}: header {k} is {Kind(token)}, not a one-key {{\"name\": \"value\"}} object");

    private static string Kind(JToken token) => token switch
    {
        JObject o => o.Count == 1 ? "an object" : $"an object with {o.Count} keys",
        JArray => "an array",
        { Type: JTokenType.String } => $"the string {Abbreviate(token.ToString(Formatting.None))}",
        { Type: JTokenType.Null } => "null",
        _ => Abbreviate(token.ToString(Formatting.None)),
    };

    private static string Abbreviate(string text) => text.Length > 40 ? text[..40] + "..." : text;

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}
