using System.Globalization;
using HpackStories;
using Newtonsoft.Json.Linq;
using Http2.Reference;
using Http2.Reference.Hpack;
using Tools.Cli;

namespace Tools.Commands;

/// <summary>
/// <c>h2ref hpack compare</c>: decodes other implementations' story folders
/// (hpack-test-case layout) with our decoder, reports each folder's passed and
/// failed stories, the first difference of every failure with the explain
/// view of its block, and the compression ratio of each folder beside ours.
/// </summary>
public static class HpackCompare
{
    /// <summary>The help text.</summary>
    public static string Help => $"""
        usage: h2ref hpack compare DIR... [options]

        Decodes every story (*.json) of each folder with our decoder and checks
        every case's headers. Prints passed/failed stories and cases per folder
        (a story's cases after its first failure count as failed); for each
        failure the first differing field (or the decoding error) with both
        versions, and the explain view of that block. Then the compression
        ratio (wire octets / name+value octets; lower is better) of each folder
        beside ours, encoding the same header lists with each of our strategies;
        each of our encodings is decoded back, and one that does not give the
        input back is marked '!' and listed (and fails the run).
        A story file may also be given instead of a folder.

        options:
              --strategy LIST     our strategies in the ratio table, comma-separated
                                  (default: all: {string.Join(", ", HpackFacts.Strategies.Select(s => s.Name))})
              --no-ratio          leave out the ratio table
              --max-failures N    failures shown in full per folder (default 3; all are counted)
              --json              one JSON object instead of text

        exit status: 0 when every story of every folder passes (and our encodings
        decode back), 1 otherwise.

        examples:
          h2ref hpack compare $HPACK_TEST_CASE_DIR/*/
          h2ref hpack compare --json --no-ratio vectors/hpack
        """;

    /// <summary>The first failure of a story.</summary>
    public sealed record Failure(string File, int Case, int Seqno, string Detail, string Explain);

    /// <summary>A folder's results.</summary>
    /// <remarks>Cases are counted as run-vectors.sh counts them: after a story's first failure, its later cases fail too (they depend on its table).</remarks>
    public sealed record FolderResult(string Folder, int Stories, int Passed, IReadOnlyList<Failure> Failures, long Input, long Wire, int Skipped, int Cases, int CasesPassed);

    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv, CliIO io)
    {
        var args = Args.Parse(argv, ["strategy", "max-failures"], ["no-ratio"]);
        if (args.Flag("help")) { io.Out.WriteLine(Help); return 0; }
        if (args.Positionals.Count == 0) throw new UsageException("name at least one folder");
        var strategies = args.Value("strategy") is { } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => (Name: n, Strategy: HpackFacts.StrategyByName(n))).ToArray()
            : HpackFacts.Strategies.ToArray();
        var maxFailures = args.Int("max-failures") ?? 3;
        var ratio = !args.Flag("no-ratio");

        var folders = new List<FolderResult>();
        var ours = new List<IReadOnlyList<Ours>>();
        foreach (var dir in args.Positionals)
        {
            var files = Stories.Files(dir);
            var label = FolderLabel(dir);
            var (result, loaded) = CompareFolder(io, label, files);
            folders.Add(result);
            if (ratio) ours.Add(strategies.Select(s => OurRatio(loaded, s.Strategy)).ToArray());
        }

        if (args.Flag("json"))
            io.Out.Write(Stories.ToJson(Json(folders, ratio ? strategies.Select(s => s.Name).ToArray() : [], ours)));
        else
            WriteText(io.Out, folders, maxFailures, ratio ? strategies.Select(s => s.Name).ToArray() : [], ours);
        return folders.All(f => f.Failures.Count == 0) && ours.All(o => o.All(x => x.RoundTripFailures.Count == 0)) ? 0 : 1;
    }

    private static string FolderLabel(string path)
    {
        var full = Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar);
        return Directory.Exists(full) ? Path.GetFileName(full) : Path.GetFileName(Path.GetDirectoryName(full)!) + "/" + Path.GetFileName(full);
    }

    /// <summary>Decodes every story of a folder and checks it; also returns the stories read.</summary>
    public static (FolderResult Result, IReadOnlyList<(string File, Story Story)> Stories) CompareFolder(CliIO io, string label, IReadOnlyList<string> files)
    {
        var loaded = new List<(string File, Story Story)>();
        var failures = new List<Failure>();
        int passed = 0, skipped = 0, cases = 0, casesPassed = 0;
        long input = 0, wire = 0;
        using var progress = new Progress(io, $"compare {label}", files.Count);
        foreach (var (file, n) in files.Select((f, n) => (f, n)))
        {
            progress.Report(n, Path.GetFileName(file));
            Story story;
            try { story = Stories.Load(file); }
            catch (FormatException e) { failures.Add(new Failure(file, -1, -1, e.Message, "")); continue; }
            loaded.Add((file, story));
            if (story.Cases.Count == 0 || story.Cases.Any(c => c.Wire is null)) { skipped++; continue; }
            input += story.Cases.Sum(c => Stories.InputLength(c.Headers));
            wire += story.Cases.Sum(c => (long)c.Wire!.Value.Length);
            var failure = CheckStory(file, story);
            cases += story.Cases.Count;
            casesPassed += failure is null ? story.Cases.Count : failure.Case;
            if (failure is null) passed++;
            else failures.Add(failure);
        }
        progress.Report(files.Count);
        return (new FolderResult(label, files.Count - skipped, passed, failures, input, wire, skipped, cases, casesPassed), loaded);
    }

    /// <summary>The first failure of a story, or null when every case decodes to its headers.</summary>
    public static Failure? CheckStory(string file, Story story)
    {
        var outcomes = StoryDecoder.DecodeStory(story);
        foreach (var (o, i) in outcomes.Select((o, i) => (o, i)))
        {
            var c = story.Cases[i];
            var detail = o.Error is { } e ? e.ToString() : HpackDiff.FirstDifference(c.Headers, o.Fields);
            if (detail is not null)
                return new Failure(file, i, c.Seqno, detail, HpackExplain.Render(o.Before, c.Wire!.Value));
        }
        return null;
    }

    /// <summary>Our encoding of a folder's header lists with one strategy: the ratio, and stories that failed to decode back.</summary>
    public sealed record Ours(double Ratio, IReadOnlyList<string> RoundTripFailures);

    /// <summary>
    /// Encodes the header lists of <paramref name="stories"/> with <paramref name="strategy"/>
    /// (one encoder per story, the story's first header_table_size as SETTINGS),
    /// and decodes every result back: a ratio only counts if the encoding is right.
    /// </summary>
    public static Ours OurRatio(IReadOnlyList<(string File, Story Story)> stories, EncoderStrategy strategy)
    {
        long input = 0, output = 0;
        var failures = new List<string>();
        foreach (var (file, story) in stories)
        {
            var encoded = HpackEncode.Encode(story, strategy, 4096, null, false);
            input += encoded.Input;
            output += encoded.Output;
            var again = Stories.ParseJson(encoded.Json.ToString(Newtonsoft.Json.Formatting.None), file);
            if (CheckStory(file, again) is { } failure)
                failures.Add($"{Path.GetFileName(file)} case {failure.Case}: {failure.Detail}");
        }
        return new Ours(HpackEncode.Ratio(output, input), failures);
    }

    private static string F(double x) => x.ToString("0.000", CultureInfo.InvariantCulture);

    private static void WriteText(TextWriter w, IReadOnlyList<FolderResult> folders, int maxFailures, string[] strategyNames, List<IReadOnlyList<Ours>> ours)
    {
        var width = Math.Max(24, folders.Max(f => f.Folder.Length) + 2);
        w.WriteLine($"{"folder".PadRight(width)}{"stories",8}{"passed",8}{"failed",8}{"cases",8}{"passed",8}{"failed",8}");
        foreach (var f in folders)
            w.WriteLine($"{f.Folder.PadRight(width)}{f.Stories,8}{f.Passed,8}{f.Failures.Count,8}{f.Cases,8}{f.CasesPassed,8}{f.Cases - f.CasesPassed,8}{(f.Skipped > 0 ? $"   ({f.Skipped} without wires skipped)" : "")}");
        w.WriteLine($"{"total".PadRight(width)}{folders.Sum(f => f.Stories),8}{folders.Sum(f => f.Passed),8}{folders.Sum(f => f.Failures.Count),8}{folders.Sum(f => f.Cases),8}{folders.Sum(f => f.CasesPassed),8}{folders.Sum(f => f.Cases - f.CasesPassed),8}");

        foreach (var f in folders.Where(f => f.Failures.Count > 0))
        {
            w.WriteLine();
            w.WriteLine($"== {f.Folder}: {f.Failures.Count} failed");
            foreach (var x in f.Failures.Take(maxFailures))
            {
                w.WriteLine(x.Case < 0
                    ? $"{Path.GetFileName(x.File)}: {x.Detail}"
                    : $"{Path.GetFileName(x.File)} case {x.Case} (seqno {x.Seqno}): {x.Detail}");
                if (x.Explain.Length > 0)
                    foreach (var line in x.Explain.TrimEnd('\n').Split('\n')) w.WriteLine("    " + line);
            }
            if (f.Failures.Count > maxFailures)
                w.WriteLine($"... and {f.Failures.Count - maxFailures} more: {string.Join(", ", f.Failures.Skip(maxFailures).Select(x => Path.GetFileName(x.File)))}");
        }

        if (strategyNames.Length == 0) return;
        w.WriteLine();
        w.WriteLine("compression ratio (wire octets / name+value octets; lower is better):");
        w.WriteLine("theirs = the folder's wires; the other columns = the same header lists encoded by our strategies");
        var cols = strategyNames.Select(n => Math.Max(8, n.Length) + 2).ToArray();
        w.WriteLine($"{"folder".PadRight(width)}{"theirs",8}" + string.Concat(strategyNames.Select((n, k) => n.PadLeft(cols[k]))));
        foreach (var (f, k) in folders.Select((f, k) => (f, k)))
            w.WriteLine($"{f.Folder.PadRight(width)}{(f.Input == 0 ? "-" : F(HpackEncode.Ratio(f.Wire, f.Input))),8}"
                        + string.Concat(ours[k].Select((r, j) => (F(r.Ratio) + (r.RoundTripFailures.Count > 0 ? "!" : "")).PadLeft(cols[j]))));
        var broken = ours.SelectMany((o, k) => o.SelectMany((r, j) => r.RoundTripFailures.Select(x => $"{folders[k].Folder} {strategyNames[j]}: {x}"))).ToArray();
        if (broken.Length > 0)
        {
            w.WriteLine($"! our encoding did not decode back to the input ({broken.Length} stories):");
            foreach (var line in broken.Take(maxFailures)) w.WriteLine("  " + line);
        }
    }

    private static JObject Json(IReadOnlyList<FolderResult> folders, string[] strategyNames, List<IReadOnlyList<Ours>> ours) =>
        new()
        {
            ["folders"] = new JArray(folders.Select((f, k) =>
            {
                var o = new JObject
                {
                    ["folder"] = f.Folder,
                    ["stories"] = f.Stories,
                    ["passed"] = f.Passed,
                    ["failed"] = f.Failures.Count,
                    ["skipped"] = f.Skipped,
                    ["cases"] = f.Cases,
                    ["cases_passed"] = f.CasesPassed,
                    ["cases_failed"] = f.Cases - f.CasesPassed,
                    ["failures"] = new JArray(f.Failures.Select(x => new JObject
                    {
                        ["file"] = Path.GetFileName(x.File),
                        ["case"] = x.Case,
                        ["seqno"] = x.Seqno,
                        ["detail"] = x.Detail,
                        ["explain"] = x.Explain,
                    })),
                };
                if (strategyNames.Length > 0)
                {
                    o["ratio"] = f.Input == 0 ? null : Math.Round(HpackEncode.Ratio(f.Wire, f.Input), 4);
                    o["ours"] = new JObject(strategyNames.Select((n, j) => new JProperty(n, Math.Round(ours[k][j].Ratio, 4))));
                    o["ours_round_trip_failures"] = new JArray(ours[k].SelectMany((r, j) => r.RoundTripFailures.Select(x => $"{strategyNames[j]}: {x}")));
                }
                return o;
            })),
            ["passed"] = folders.Sum(f => f.Passed),
            ["failed"] = folders.Sum(f => f.Failures.Count),
        };
}
