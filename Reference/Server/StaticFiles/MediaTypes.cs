namespace Http2.Reference.Server;

/// <summary>
/// File name extension to media type (the <c>content-type</c> of a served file,
/// RFC 9110 §8.3): a small built-in table for the types browsers insist on
/// (module scripts need a JavaScript type, SVG images need image/svg+xml,
/// WebAssembly streaming needs application/wasm), then the system's
/// <c>/etc/mime.types</c> (Debian's <c>media-types</c>, from the IANA
/// registry) for everything else, then application/octet-stream.
/// </summary>
public sealed class MediaTypes
{
    /// <summary>The type of a file whose extension no table knows (RFC 9110 §8.3: "application/octet-stream" when unknown).</summary>
    public const string Unknown = "application/octet-stream";

    /// <summary>Where Debian's media-types package (and most Unix systems) keep the table.</summary>
    public const string SystemTablePath = "/etc/mime.types";

    /// <summary>
    /// The common web types, consulted first so a server behaves the same with or without
    /// /etc/mime.types. JavaScript is text/javascript (RFC 9239 §6); ico is the IANA type.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> BuiltIn = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["html"] = "text/html", ["htm"] = "text/html", ["css"] = "text/css",
        ["js"] = "text/javascript", ["mjs"] = "text/javascript", ["json"] = "application/json",
        ["map"] = "application/json", ["webmanifest"] = "application/manifest+json",
        ["txt"] = "text/plain", ["xml"] = "application/xml", ["wasm"] = "application/wasm",
        ["svg"] = "image/svg+xml", ["png"] = "image/png", ["jpg"] = "image/jpeg", ["jpeg"] = "image/jpeg",
        ["gif"] = "image/gif", ["webp"] = "image/webp", ["avif"] = "image/avif", ["ico"] = "image/vnd.microsoft.icon",
        ["woff"] = "font/woff", ["woff2"] = "font/woff2", ["ttf"] = "font/ttf", ["otf"] = "font/otf",
        ["pdf"] = "application/pdf", ["mp4"] = "video/mp4", ["webm"] = "video/webm", ["mp3"] = "audio/mpeg",
    };

    private readonly IReadOnlyDictionary<string, string> table;

    private MediaTypes(IReadOnlyDictionary<string, string> table) => this.table = table;

    /// <summary>The built-in table over the system's (read once, on first use; the built-in one alone when the file is absent).</summary>
    public static MediaTypes System => system.Value;

    private static readonly Lazy<MediaTypes> system = new(() => FromFile(SystemTablePath));

    /// <summary>The built-in table over the one in <paramref name="path"/> (mime.types format); the built-in one alone when it cannot be read.</summary>
    public static MediaTypes FromFile(string path)
    {
        string text;
        try { text = File.ReadAllText(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { text = ""; }
        return FromText(text);
    }

    /// <summary>The built-in table over <paramref name="mimeTypes"/>, text in the mime.types format.</summary>
    public static MediaTypes FromText(string mimeTypes)
    {
        var merged = new Dictionary<string, string>(Parse(mimeTypes), StringComparer.OrdinalIgnoreCase);
        foreach (var (extension, type) in BuiltIn) merged[extension] = type;
        return new MediaTypes(merged);
    }

    /// <summary>
    /// Parses the mime.types format: one type per line followed by its extensions,
    /// separated by blanks; <c>#</c> starts a comment. An extension listed twice keeps
    /// its first type.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Parse(string text)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var raw in text.Split('\n'))
        {
            var hash = raw.IndexOf('#');
            var line = hash < 0 ? raw : raw[..hash];
            var words = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || !words[0].Contains('/', StringComparison.Ordinal)) continue;
            foreach (var extension in words.Skip(1)) map.TryAdd(extension, words[0]);
        }
        return map;
    }

    /// <summary>
    /// The media type of <paramref name="fileName"/> by its extension (for "a.tar.gz",
    /// "tar.gz" is tried before "gz"), or <see cref="Unknown"/>.
    /// </summary>
    public string For(string fileName)
    {
        var name = Path.GetFileName(fileName);
        var start = name.StartsWith('.') ? 1 : 0; // ".profile" has no extension
        for (var dot = name.IndexOf('.', start); dot >= 0 && dot < name.Length - 1; dot = name.IndexOf('.', dot + 1))
            if (table.TryGetValue(name[(dot + 1)..], out var type)) return type;
        return Unknown;
    }
}
