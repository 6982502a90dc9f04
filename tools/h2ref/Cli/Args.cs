using System.Globalization;

namespace Tools.Cli;

/// <summary>A command-line usage error (exit status 2).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Parsed arguments: options (<c>--name value</c>, <c>--name=value</c>,
/// short aliases), flags and positional words. A small parser is enough for
/// our tools and keeps every option visible in each command's help text.
/// </summary>
public sealed class Args
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
    private readonly System.Collections.Generic.HashSet<string> flags = new(StringComparer.Ordinal);

    /// <summary>Words that are not options, in order.</summary>
    public IReadOnlyList<string> Positionals { get; }

    private Args(List<string> positionals) => Positionals = positionals;

    /// <summary>
    /// Parses <paramref name="args"/>. <paramref name="valued"/> and
    /// <paramref name="flagNames"/> list the long names (without dashes);
    /// <paramref name="aliases"/> maps a short letter to a long name.
    /// </summary>
    public static Args Parse(
        IEnumerable<string> args,
        IEnumerable<string> valued,
        IEnumerable<string> flagNames,
        IReadOnlyDictionary<char, string>? aliases = null)
    {
        var valuedSet = valued.ToHashSet(StringComparer.Ordinal);
        var flagSet = flagNames.Append("help").Append("json").ToHashSet(StringComparer.Ordinal);
        var positionals = new List<string>();
        var result = new Args(positionals);
        var queue = new Queue<string>(args);
        var onlyPositionals = false;
        while (queue.Count > 0)
        {
            var word = queue.Dequeue();
            if (onlyPositionals || word == "-" || !word.StartsWith('-'))
            {
                positionals.Add(word);
                continue;
            }
            if (word == "--")
            {
                onlyPositionals = true;
                continue;
            }
            string name;
            string? inline = null;
            if (word.StartsWith("--", StringComparison.Ordinal))
            {
                var eq = word.IndexOf('=');
                name = eq < 0 ? word[2..] : word[2..eq];
                inline = eq < 0 ? null : word[(eq + 1)..];
            }
            else if (word.Length == 2 && aliases is not null && aliases.TryGetValue(word[1], out var longName))
                name = longName;
            else if (word is "-h")
                name = "help";
            else
                throw new UsageException($"unknown option '{word}'");

            if (valuedSet.Contains(name))
            {
                if (inline is null && queue.Count == 0)
                    throw new UsageException($"option --{name} needs a value");
                result.values[name] = inline ?? queue.Dequeue();
            }
            else if (flagSet.Contains(name) && inline is null)
                result.flags.Add(name);
            else
                throw new UsageException($"unknown option '{word}'");
        }
        return result;
    }

    /// <summary>True when the flag was given.</summary>
    public bool Flag(string name) => flags.Contains(name);

    /// <summary>The option's value, if given.</summary>
    public string? Value(string name) => values.GetValueOrDefault(name);

    /// <summary>An integer option within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int? Int(string name, int min = 0, int max = int.MaxValue) =>
        Value(name) is { } text ? (int)Integer(name, text, min, max) : null;

    /// <summary>A TCP port option (0 to 65535; 0 asks the system for a free one).</summary>
    public int? Port(string name) => Int(name, 0, 65535);

    /// <summary>A non-negative whole-number option within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public long? Long(string name, long min = 0, long max = long.MaxValue) =>
        Value(name) is { } text ? Integer(name, text, min, max) : null;

    /// <summary>A duration option in seconds (a decimal number, like 0.5) within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public TimeSpan? Seconds(string name, double min = 0, double max = 86400) =>
        Value(name) is { } text ? Duration(name, text, min, max) : null;

    /// <summary>
    /// <paramref name="text"/>, the value of option <c>--<paramref name="name"/></c>, as an
    /// integer within [<paramref name="min"/>, <paramref name="max"/>]; a usage error naming
    /// the option otherwise (also for commands that walk their own arguments).
    /// </summary>
    public static long Integer(string name, string text, long min, long max)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw new UsageException($"--{name} needs an integer from {min} to {max}, not '{text}'");
        return n;
    }

    /// <summary><paramref name="text"/>, the value of option <c>--<paramref name="name"/></c>, as seconds within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static TimeSpan Duration(string name, string text, double min, double max)
    {
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var s) || s < min || s > max)
            throw new UsageException($"--{name} needs a number of seconds from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
        return TimeSpan.FromSeconds(s);
    }

    /// <summary>
    /// Checks an output path given to option <c>--<paramref name="name"/></c> before any
    /// work is done: <c>-</c> (standard output) or a file whose directory exists and
    /// which is not itself a directory.
    /// </summary>
    public static string OutputPath(string name, string path)
    {
        if (path == "-") return path;
        if (path.Length == 0) throw new UsageException($"--{name} needs a file name (or - for standard output)");
        if (Directory.Exists(path)) throw new UsageException($"--{name} {path}: is a directory");
        string full;
        try { full = System.IO.Path.GetFullPath(path); }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new UsageException($"--{name} {path}: not a usable file name");
        }
        var parent = System.IO.Path.GetDirectoryName(full);
        if (parent is not null && !Directory.Exists(parent))
            throw new UsageException($"--{name} {path}: no directory {parent}");
        return path;
    }
}
