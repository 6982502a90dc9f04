using HpackStories;
using Newtonsoft.Json.Linq;
using Http2.Reference.Hpack;
using Tools.Cli;

namespace Tools.Commands;

/// <summary>
/// <c>h2ref hpack encode</c>: nghttp2's <c>deflatehd</c>. Header lists in, one
/// hpack-test-case story out, all cases encoded with one encoder context.
/// </summary>
public static class HpackEncode
{
    /// <summary>The help text.</summary>
    public static string Help => $$"""
        usage: h2ref hpack encode [FILE|-] [options]

        Encodes header lists with one HPACK encoder (one connection) and writes a
        story in the hpack-test-case format: per case seqno, input_length,
        output_length, percentage_of_original_size, wire, headers (and
        header_table_size on the first case). The overall ratio goes to stderr.

        Input (FILE or stdin): JSON {"cases":[{"headers":[{"name":"value"},...]},...]}
        (the output of 'hpack decode' or any hpack-test-case story; a case's
        header_table_size is applied as a new SETTINGS_HEADER_TABLE_SIZE before
        it), or text: 'name: value' lines, header lists separated by blank lines.

        options:
          -s, --table-size N   SETTINGS_HEADER_TABLE_SIZE of the decoder (default 4096)
          -c, --cap N          the encoder's own limit on its table (default 4096);
                               the table is min(table size, cap)
              --strategy NAME  how to choose representations (default nghttp2):
                               {{string.Join(", ", HpackFacts.Strategies.Select(s => s.Name))}}
          -d, --dump-table     add the dynamic table after each case ("header_table")
              --list-strategies  print the strategy names, one per line, and exit

        examples:
          printf ':method: GET\n:path: /\n\n:method: GET\n:path: /a\n' | h2ref hpack encode
          h2ref hpack encode -s 16384 --strategy no-huffman $HPACK_TEST_CASE_DIR/raw-data/story_00.json
        """;

    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv, CliIO io)
    {
        var args = Args.Parse(argv, ["table-size", "cap", "strategy"], ["dump-table", "list-strategies"],
            new Dictionary<char, string> { ['s'] = "table-size", ['c'] = "cap", ['d'] = "dump-table" });
        if (args.Flag("help")) { io.Out.WriteLine(Help); return 0; }
        if (args.Flag("list-strategies"))
        {
            foreach (var (name, _) in HpackFacts.Strategies) io.Out.WriteLine(name);
            return 0;
        }
        if (args.Positionals.Count > 1) throw new UsageException("one input at a time");
        var strategy = HpackFacts.StrategyByName(args.Value("strategy") ?? "nghttp2");
        var cap = args.Int("cap") ?? 4096;
        var source = args.Positionals.Count == 1 ? args.Positionals[0] : null;
        var story = Stories.Parse(io.ReadAllText(source), source ?? "stdin");

        var result = Encode(story, strategy, cap, args.Int("table-size"), args.Flag("dump-table"));
        io.Out.Write(Stories.ToJson(result.Json));
        io.Err.WriteLine(System.FormattableString.Invariant(
            $"Overall: input={result.Input} output={result.Output} ratio={Ratio(result.Output, result.Input):0.00}"));
        return 0;
    }

    /// <summary>The encoded story, and the totals of names+values and wire octets.</summary>
    public sealed record Encoded(JObject Json, long Input, long Output);

    /// <summary>Output size over input size (0 for an empty input).</summary>
    public static double Ratio(long output, long input) => input == 0 ? 0 : (double)output / input;

    /// <summary>Encodes every case of <paramref name="story"/> with one encoder.</summary>
    public static Encoded Encode(Story story, EncoderStrategy strategy, int cap, int? settingsTableSize, bool dumpTable)
    {
        var first = settingsTableSize ?? story.Cases.FirstOrDefault()?.HeaderTableSize ?? 4096;
        EncoderState? state = null;
        var cases = new JArray();
        long input = 0, output = 0;
        foreach (var (c, i) in story.Cases.Select((c, i) => (c, i)))
        {
            state = StoryContext.EncoderBefore(state, i == 0 ? first : c.HeaderTableSize, strategy, cap);
            var (next, wire) = HpackEncoder.Encode(state, c.Headers);
            state = next;
            var inLen = Stories.InputLength(c.Headers);
            input += inLen;
            output += wire.Length;
            var o = new JObject
            {
                ["seqno"] = i,
                ["input_length"] = inLen,
                ["output_length"] = wire.Length,
                ["percentage_of_original_size"] = Math.Round(100 * Ratio(wire.Length, inLen), 2),
                ["wire"] = Convert.ToHexStringLower(wire),
                ["headers"] = Stories.HeadersJson(c.Headers),
            };
            if (i == 0) o["header_table_size"] = first;
            else if (c.HeaderTableSize is { } later) o["header_table_size"] = later;
            if (dumpTable) o["header_table"] = HpackFacts.TableJson(HpackFacts.Table(state));
            cases.Add(o);
        }
        var root = new JObject();
        if (story.Description is { } d) root["description"] = d;
        root["cases"] = cases;
        return new Encoded(root, input, output);
    }
}
