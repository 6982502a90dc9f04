using Newtonsoft.Json.Linq;
using Http2.Reference;
using Tools.Cli;

namespace Tools.Commands;

/// <summary>
/// <c>h2ref hpack decode</c>: nghttp2's <c>inflatehd</c>. Reads a story's wires
/// and writes the header lists, decoding every case with one context.
/// </summary>
public static class HpackDecode
{
    /// <summary>The help text.</summary>
    public const string Help = """
        usage: h2ref hpack decode [FILE|-] [options]

        Decodes the wires of a story (hpack-test-case JSON: cases with "wire" and
        optional "header_table_size") with one HPACK decoder, and writes the
        story back with the decoded "headers" (and "header_table_size" where the
        input had one), so the output is valid input for 'hpack encode'.

        A decoding error stops the story: stderr names the case, the byte offset
        and the rule broken (RFC 7541 section); the JSON output gets an "error"
        object; the exit status is 1.

        options:
          -d, --dump-table   add the dynamic table after each case ("header_table")
              --expect       also compare each decoded list with the input's
                             "headers" and fail on the first difference

        examples:
          h2ref hpack decode $HPACK_TEST_CASE_DIR/go-hpack/story_00.json
          h2ref hpack encode headers.txt | h2ref hpack decode -d
        """;

    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv, CliIO io)
    {
        var args = Args.Parse(argv, [], ["dump-table", "expect"], new Dictionary<char, string> { ['d'] = "dump-table" });
        if (args.Flag("help")) { io.Out.WriteLine(Help); return 0; }
        if (args.Positionals.Count > 1) throw new UsageException("one input at a time");
        var source = args.Positionals.Count == 1 ? args.Positionals[0] : null;
        var name = source ?? "stdin";
        var story = Stories.ParseJson(io.ReadAllText(source), name);
        var missing = story.Cases.FirstOrDefault(c => c.Wire is null);
        if (missing is not null) throw new FormatException($"{name}: case seqno {missing.Seqno} has no \"wire\"");

        var outcomes = StoryDecoder.DecodeStory(story);
        var cases = new JArray();
        string? failure = null;
        JObject? error = null;
        foreach (var (o, i) in outcomes.Select((o, i) => (o, i)))
        {
            var c = story.Cases[i];
            if (o.Error is { } e)
            {
                failure = $"{name}: case {i} (seqno {c.Seqno}): {e}";
                error = new JObject
                {
                    ["case"] = i, ["seqno"] = c.Seqno, ["offset"] = e.Offset,
                    ["rule"] = e.Rule, ["section"] = e.Section, ["code"] = e.Code.Name,
                };
                break;
            }
            var json = new JObject { ["seqno"] = c.Seqno, ["wire"] = c.Wire!.Value.ToHex(), ["headers"] = Stories.HeadersJson(o.Fields) };
            if (c.HeaderTableSize is { } size) json["header_table_size"] = size;
            if (args.Flag("dump-table")) json["header_table"] = HpackFacts.TableJson(HpackFacts.Table(o.After!));
            cases.Add(json);
            if (args.Flag("expect") && HpackDiff.FirstDifference(c.Headers, o.Fields) is { } diff)
            {
                failure = $"{name}: case {i} (seqno {c.Seqno}): {diff}";
                error = new JObject { ["case"] = i, ["seqno"] = c.Seqno, ["mismatch"] = diff };
                break;
            }
        }
        var root = new JObject();
        if (story.Description is { } d) root["description"] = d;
        root["cases"] = cases;
        if (error is not null) root["error"] = error;
        io.Out.Write(Stories.ToJson(root));
        if (failure is null) return 0;
        io.Err.WriteLine(failure);
        return 1;
    }
}
