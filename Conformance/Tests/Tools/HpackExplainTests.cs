using Newtonsoft.Json.Linq;
using Xunit;
using static Conformance.Tests.Tools.ToolHarness;

namespace Conformance.Tests.Tools;

/// <summary><c>h2ref hpack explain</c>.</summary>
public class HpackExplainTests
{
    private static string Vector(string name) => RepoPath("vectors", "hpack", name);

    [Fact(DisplayName = "hpack explain HEX: RFC 7541 C.3.1, representation by representation (golden)")]
    public void FirstRequestGolden()
    {
        var run = HpackCli("explain", "8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d");
        Assert.Equal(0, run.Status);
        Golden("explain-c3-1.txt", run.Out);
        Assert.EndsWith("[1] (s=57) :authority: www.example.com\n", run.Out);
    }

    [Fact(DisplayName = "hpack explain --story: RFC 7541 C.5.3 shows the evictions and the RFC's final table (golden)")]
    public void StoryEvictionsGolden()
    {
        var run = HpackCli("explain", "--story", Vector("rfc7541-c5-responses-raw.json"), "--seqno", "2");
        Assert.Equal(0, run.Status);
        Golden("explain-c5-3.txt", run.Out);
        // The table RFC 7541 C.5.3 prints after decoding, in the seed's printer format.
        Assert.EndsWith(
            "[1] (s=98) set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1\n" +
            "[2] (s=52) content-encoding: gzip\n" +
            "[3] (s=65) date: Mon, 21 Oct 2013 20:13:22 GMT\n", run.Out);
        Assert.Contains("evicted: (s=52) cache-control: private", run.Out);
    }

    [Fact(DisplayName = "hpack explain --json: Huffman strings and indexes of RFC 7541 C.4.3 (golden)")]
    public void JsonGolden()
    {
        var run = HpackCli("explain", "--json", "--story", Vector("rfc7541-c4-requests-huffman.json"), "--seqno", "2");
        Assert.Equal(0, run.Status);
        Golden("explain-c4-3.json", run.Out);
        var reps = JObject.Parse(run.Out)["representations"]!;
        Assert.Equal(["indexed field", "indexed field", "indexed field", "indexed field", "literal with incremental indexing"],
            reps.Select(r => (string)r["kind"]!));
        Assert.True((bool)reps[4]!["name_literal"]!["huffman"]!);
        Assert.Equal(8, (int)reps[4]!["name_literal"]!["length"]!);
        Assert.Equal("custom-value", (string)reps[4]!["value"]!);
    }

    [Fact(DisplayName = "hpack explain: an invalid block shows the good part, then the error with offset and section; exit 1 (golden)")]
    public void ErrorGolden()
    {
        // RFC 7541 §4.2: a size update after a field
        var run = HpackCli("explain", "823fe11f");
        Assert.Equal(1, run.Status);
        Golden("explain-error.txt", run.Out);
        Assert.Contains("offset 1", run.Err);
    }

    [Fact(DisplayName = "hpack explain: size update, never-indexed literal and an entry larger than the table")]
    public void KindsAndOversizedEntry()
    {
        // size update to 64; never-indexed password: secret (RFC 7541 C.2.3); "x" with a 32-octet value: 65 octets > 64
        var run = HpackCli("explain", "-s", "64", "3f21", "100870617373776f726406736563726574", "40017820" + string.Concat(Enumerable.Repeat("78", 32)));
        Assert.Equal(0, run.Status);
        Assert.Contains("dynamic table size update (§6.3) to 64", run.Out);
        Assert.Contains("literal never indexed (§6.2.3), new name", run.Out);
        Assert.Contains("not added: the entry (65 octets) is larger than the table (64)", run.Out);
        Assert.EndsWith("(empty)\n", run.Out);
    }

    [Fact(DisplayName = "hpack explain: usage errors (no block; --story without --seqno)")]
    public void Usage()
    {
        Assert.Equal(2, HpackCli("explain").Status);
        Assert.Equal(2, HpackCli("explain", "--story", Vector("rfc7541-c2-4-indexed.json")).Status);
        Assert.Equal(1, HpackCli("explain", "zz").Status);
    }
}
