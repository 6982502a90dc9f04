using System.Text;
using Newtonsoft.Json.Linq;
using Http2.Reference;
using Http2.Reference.Hpack;
using Tools.Cli;

namespace Tools.Commands;

/// <summary>
/// <c>h2ref hpack explain</c>: a header block representation by representation
/// (offset, octets, kind, index, Huffman or raw, name, value, what entered
/// and left the dynamic table), then the dynamic table in the seed's format.
/// </summary>
public static class HpackExplain
{
    /// <summary>The help text.</summary>
    public const string Help = """
        usage: h2ref hpack explain HEX [options]
               h2ref hpack explain --story FILE --seqno N [options]

        Walks one header block representation by representation: offset, octets,
        kind (indexed §6.1, literal with incremental indexing §6.2.1, without
        indexing §6.2.2, never indexed §6.2.3, size update §6.3), index (static or
        dynamic), Huffman or raw strings, name, value, what entered and left the
        dynamic table; then the dynamic table after the block, one line per
        entry, newest first: [i] (s=size) name: value.

        With --story, the block is case N (its seqno) of a story file: the
        earlier cases are decoded first, so the dynamic table is the one the
        block was encoded against.

        options:
          -s, --table-size N   SETTINGS_HEADER_TABLE_SIZE for a HEX block (default 4096)
              --story FILE     a story in the hpack-test-case format
              --seqno N        the case to explain (with --story)
              --json           representations and table as JSON

        examples:
          h2ref hpack explain 828684410f7777772e6578616d706c652e636f6d
          h2ref hpack explain --story vectors/hpack/rfc7541-c5-responses-raw.json --seqno 2
        """;

    /// <summary>Runs the verb.</summary>
    public static int Run(string[] argv, CliIO io)
    {
        var args = Args.Parse(argv, ["table-size", "story", "seqno"], [], new Dictionary<char, string> { ['s'] = "table-size" });
        if (args.Flag("help")) { io.Out.WriteLine(Help); return 0; }
        DecoderState before;
        Bytes block;
        if (args.Value("story") is { } file)
        {
            if (args.Positionals.Count > 0) throw new UsageException("give either HEX or --story, not both");
            var seqno = args.Int("seqno") ?? throw new UsageException("--story needs --seqno N");
            var story = Stories.Load(file);
            var index = story.Cases.Select((c, i) => (c, i)).FirstOrDefault(x => x.c.Seqno == seqno, (null!, -1)).Item2;
            if (index < 0) throw new FormatException($"{file}: no case with seqno {seqno}");
            if (story.Cases[index].Wire is not { } wire) throw new FormatException($"{file}: case seqno {seqno} has no \"wire\"");
            var (state, error) = StoryDecoder.StateBefore(story, index);
            if (state is null) { io.Err.WriteLine($"h2ref hpack explain: {file}: {error}"); return 1; }
            (before, block) = (state, wire);
        }
        else
        {
            if (args.Positionals.Count == 0) throw new UsageException("give a header block in hex (or --story FILE --seqno N)");
            block = Stories.ParseHex(string.Concat(args.Positionals), "header block");
            before = DecoderState.Initial(args.Int("table-size") ?? 4096);
        }
        var walk = BlockWalk.Run(before, block);
        if (args.Flag("json")) io.Out.Write(Stories.ToJson(Json(walk, block)));
        else io.Out.Write(Render(walk, block));
        if (walk.Error is { } e) io.Err.WriteLine($"h2ref hpack explain: {e}");
        return walk.Error is null ? 0 : 1;
    }

    /// <summary>The text view of a block decoded in context <paramref name="before"/>.</summary>
    public static string Render(DecoderState before, Bytes block) => Render(BlockWalk.Run(before, block), block);

    /// <summary>The text view of a walk.</summary>
    public static string Render(Walk walk, Bytes block)
    {
        var sb = new StringBuilder();
        var t = walk.Before.Table;
        sb.Append($"header block: {block.Length} octets; dynamic table before: {Entries(t.Count)}, {t.Size} of {t.MaxSize} octets\n");
        foreach (var s in walk.Steps)
        {
            sb.Append('\n');
            var hex = HexGroups(s.Octets);
            sb.Append($"@{s.Representation.Offset,-4} {hex[0]}\n");
            foreach (var more in hex.Skip(1)) sb.Append($"      {more}\n");
            sb.Append($"      {Describe(s, walk)}\n");
            var r = s.Representation;
            if (r.NameEncoding != StringEncoding.None) sb.Append($"      name:  {Literal(r.NameEncoding, s.NameLength)} \"{HpackDiff.Show(s.Field!.NameText)}\"\n");
            if (r.ValueEncoding != StringEncoding.None) sb.Append($"      value: {Literal(r.ValueEncoding, s.ValueLength)} \"{HpackDiff.Show(s.Field!.ValueText)}\"\n");
            if (s.Field is { } f) sb.Append($"      -> {HpackDiff.Show(f.NameText)}: {HpackDiff.Show(f.ValueText)}\n");
            if (s.Added) sb.Append($"      added to the dynamic table as [1] (s={s.Field!.Size})\n");
            else if (s.Representation.Kind == RepresentationKind.LiteralWithIncrementalIndexing)
                sb.Append($"      not added: the entry ({s.Field!.Size} octets) is larger than the table ({s.TableAfter.MaxSize}); the table is emptied (§4.4)\n");
            foreach (var e in s.Evicted)
                sb.Append($"      evicted: (s={e.Size}) {HpackDiff.Show(e.NameText)}: {HpackDiff.Show(e.ValueText)}\n");
        }
        if (walk.Error is { } error)
        {
            var at = error.Offset;
            var rest = block.Length > at ? HexGroups(new Bytes(block.Memory[at..]))[0] : "(end of block)";
            sb.Append($"\n@{at,-4} {rest}\n      error: {error}\n");
            var last = walk.Steps.Count > 0 ? walk.Steps[^1].TableAfter : walk.Before.Table;
            sb.Append($"\ndynamic table when decoding stopped ({Entries(last.Count)}, {last.Size} of {last.MaxSize} octets):\n");
            sb.Append(Table(last));
            return sb.ToString();
        }
        var after = walk.After!.Table;
        sb.Append($"\ndynamic table after ({Entries(after.Count)}, {after.Size} of {after.MaxSize} octets):\n");
        sb.Append(Table(after));
        return sb.ToString();
    }

    /// <summary>The seed's table printer: <c>[i] (s=size) name: value</c>, newest first.</summary>
    public static string Table(IReadOnlyList<HeaderField> table) =>
        table.Count == 0 ? "(empty)\n" : string.Concat(table.Select((e, i) => $"[{i + 1}] (s={e.Size}) {e.NameText}: {e.ValueText}\n"));

    private static string Entries(int n) => n == 1 ? "1 entry" : $"{n} entries";

    private static string Literal(StringEncoding encoding, int length) =>
        encoding == StringEncoding.Huffman ? $"Huffman, {length} octets ->" : $"raw, {length} octets";

    private static string Describe(Step s, Walk walk)
    {
        var r = s.Representation;
        var section = BlockWalk.Section(r.Kind);
        return r.Kind switch
        {
            RepresentationKind.Indexed => $"indexed field (§{section}), index {r.Index} {Where(r.Index)}",
            RepresentationKind.SizeUpdate => $"dynamic table size update (§{section}) to {r.NewMaxSize}",
            _ => $"{KindName(r.Kind)} (§{section}), " + (r.Index == 0 ? "new name" : $"name index {r.Index} {Where(r.Index)}"),
        };
    }

    /// <summary>Words for a literal kind.</summary>
    public static string KindName(RepresentationKind kind) => kind switch
    {
        RepresentationKind.Indexed => "indexed field",
        RepresentationKind.LiteralWithIncrementalIndexing => "literal with incremental indexing",
        RepresentationKind.LiteralWithoutIndexing => "literal without indexing",
        RepresentationKind.LiteralNeverIndexed => "literal never indexed",
        RepresentationKind.SizeUpdate => "dynamic table size update",
        _ => kind.ToString(),
    };

    private static string Where(int index) => index <= 61 ? "(static table)" : $"(dynamic table [{index - 61}])";

    private static string[] HexGroups(Bytes octets)
    {
        const int perLine = 16, maxLines = 4;
        var hex = octets.ToHex();
        var lines = new List<string>();
        for (var i = 0; i < octets.Length && lines.Count < maxLines; i += perLine)
        {
            var chunk = hex.Substring(2 * i, 2 * Math.Min(perLine, octets.Length - i));
            lines.Add(string.Join(' ', Enumerable.Range(0, chunk.Length / 2).Select(k => chunk.Substring(2 * k, 2))));
        }
        if (octets.Length > perLine * maxLines) lines[^1] += $" ... ({octets.Length} octets)";
        return lines.Count == 0 ? [""] : lines.ToArray();
    }

    /// <summary>The JSON view of a walk.</summary>
    public static JObject Json(Walk walk, Bytes block)
    {
        var steps = new JArray(walk.Steps.Select(s =>
        {
            var r = s.Representation;
            var o = new JObject
            {
                ["offset"] = r.Offset,
                ["octets"] = s.Octets.ToHex(),
                ["kind"] = KindName(r.Kind),
                ["section"] = BlockWalk.Section(r.Kind),
            };
            if (r.Kind == RepresentationKind.SizeUpdate) o["max_size"] = r.NewMaxSize;
            else if (r.Index > 0) { o["index"] = r.Index; o["table"] = r.Index <= 61 ? "static" : "dynamic"; }
            if (r.NameEncoding != StringEncoding.None) o["name_literal"] = new JObject { ["huffman"] = r.NameEncoding == StringEncoding.Huffman, ["length"] = s.NameLength };
            if (r.ValueEncoding != StringEncoding.None) o["value_literal"] = new JObject { ["huffman"] = r.ValueEncoding == StringEncoding.Huffman, ["length"] = s.ValueLength };
            if (s.Field is { } f) { o["name"] = f.NameText; o["value"] = f.ValueText; }
            if (r.Kind == RepresentationKind.LiteralWithIncrementalIndexing) o["added"] = s.Added;
            if (s.Evicted.Count > 0) o["evicted"] = Stories.HeadersJson(s.Evicted);
            return o;
        }));
        var root = new JObject { ["octets"] = block.Length, ["representations"] = steps };
        if (walk.Error is { } e)
            root["error"] = new JObject { ["offset"] = e.Offset, ["rule"] = e.Rule, ["section"] = e.Section, ["code"] = e.Code.Name };
        var table = walk.After?.Table ?? (walk.Steps.Count > 0 ? walk.Steps[^1].TableAfter : walk.Before.Table);
        root["header_table"] = HpackFacts.TableJson(table);
        return root;
    }
}
