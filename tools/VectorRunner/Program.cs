using HpackStories;
using Http2.Reference.Hpack;
using VectorRunner;

// run-vectors: every hpack-test-case story through our decoder (other
// implementations' wires) and our encoders (raw-data, each strategy, decoded
// back), with a summary row per implementation folder / strategy.
if (args is ["--speed", .. var rest])
{
    var corpus = rest.Length > 0 ? rest[0] : Environment.GetEnvironmentVariable("HPACK_TEST_CASE_DIR") ?? "";
    if (!Directory.Exists(Path.Combine(corpus, "raw-data")))
    {
        Console.Error.WriteLine("usage: run-vectors.sh --speed [CORPUS_DIR] [ROUNDS]  (the corpus root, default $HPACK_TEST_CASE_DIR)");
        return 2;
    }
    try
    {
        return Speed.Run(corpus, rest.Length > 1 && int.TryParse(rest[1], out var n) ? n : 10);
    }
    catch (Exception e) when (e is FormatException or IOException)
    {
        Console.Error.WriteLine($"run-vectors: {e.Message}");
        return 1;
    }
}

var dirs = args.Length > 0 ? args : Environment.GetEnvironmentVariable("HPACK_TEST_CASE_DIR") is { Length: > 0 } d ? [d] : [];
if (dirs.Length == 0)
{
    Console.Error.WriteLine("usage: run-vectors.sh [DIR...]  (default $HPACK_TEST_CASE_DIR)");
    Console.Error.WriteLine("get the corpus: git clone https://github.com/http2jp/hpack-test-case; export HPACK_TEST_CASE_DIR=$PWD/hpack-test-case");
    return 2;
}
if (dirs.FirstOrDefault(dir => !Directory.Exists(dir)) is { } missing)
{
    Console.Error.WriteLine($"run-vectors: no such directory: {missing}");
    return 2;
}

var rows = new List<Row>();
var failures = new List<string>();
foreach (var folder in dirs.SelectMany(Corpus.Folders))
{
    var name = Path.GetFileName(Path.GetFullPath(folder).TrimEnd(Path.DirectorySeparatorChar));
    var stories = new List<Story>();
    var unreadable = 0;
    foreach (var file in StoryReader.Files(folder))
    {
        try { stories.Add(StoryReader.Load(file)); }
        catch (Exception e) when (e is FormatException or IOException)
        {
            unreadable++;
            failures.Add($"{name}/{e.Message.Replace(folder.TrimEnd('/') + "/", "")}");
        }
    }
    // A folder with no wire at all is encoder input (raw-data); any other is decoder input.
    if (stories.All(s => s.Cases.All(c => c.Wire is null)))
        foreach (var strategy in EncoderStrategy.All)
            rows.Add(Tally($"ours: {strategy.Name}", stories, unreadable, s => StoryCheck.RoundTrip(s, strategy), $"{strategy.Name} {name}", failures));
    else
        rows.Add(Tally(name, stories, unreadable, s => StoryCheck.Decode(s, DecoderLimits.Unlimited), name, failures));
}

Console.WriteLine($"{"implementation",-34} {"stories",7} {"cases",7} {"passed",7} {"failed",7} {"ratio",7}");
foreach (var r in rows)
    Console.WriteLine($"{r.Name,-34} {r.Stories,7} {r.Cases,7} {r.Passed,7} {r.Cases - r.Passed,7} {Ratio(r.Wire, r.Raw),7}{(r.Unreadable > 0 ? $"   ({r.Unreadable} unreadable stories)" : "")}");
Console.WriteLine("ratio = header block octets / name+value octets of the same stories; ours: raw-data encoded (table size 4096 unless a story says otherwise), decoded back by our decoder");
foreach (var f in failures) Console.WriteLine($"FAIL {f}");
return failures.Count == 0 && rows.Count > 0 ? 0 : 1;

static Row Tally(string name, IReadOnlyList<Story> stories, int unreadable, Func<Story, StoryOutcome> check, string label, List<string> failures)
{
    var row = new Row(name, stories.Count + unreadable, 0, 0, 0, 0, unreadable);
    foreach (var story in stories)
    {
        var o = check(story);
        row = row with { Cases = row.Cases + o.Cases, Passed = row.Passed + o.Passed, Raw = row.Raw + o.Raw, Wire = row.Wire + o.Wire };
        if (o.Failure is { } f) failures.Add($"{label}/{story.Name} {f}");
    }
    return row;
}

static string Ratio(long wire, long raw) => raw == 0 ? "-" : ((double)wire / raw).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);

internal sealed record Row(string Name, int Stories, int Cases, int Passed, long Raw, long Wire, int Unreadable);
