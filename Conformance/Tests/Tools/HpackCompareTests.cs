using Newtonsoft.Json.Linq;
using Xunit;
using static Conformance.Tests.Tools.ToolHarness;

namespace Conformance.Tests.Tools;

/// <summary><c>h2ref hpack compare</c>.</summary>
public class HpackCompareTests
{
    [Fact(DisplayName = "hpack compare: our own vectors all pass; ratio table per strategy (golden)")]
    public void OwnVectorsGolden()
    {
        var run = HpackCli("compare", RepoPath("vectors", "hpack"));
        Assert.True(run.Status == 0, run.Out);
        Golden("compare-vectors.txt", run.Out);
    }

    [Fact(DisplayName = "hpack compare: a failing folder shows the first differing field, both versions and the explain view (golden)")]
    public void FailuresGolden()
    {
        var dir = Directory.CreateTempSubdirectory("h2ref-compare-");
        try
        {
            var folder = Directory.CreateDirectory(Path.Combine(dir.FullName, "other-encoder"));
            // passes
            File.WriteAllText(Path.Combine(folder.FullName, "a-good.json"),
                """{"cases":[{"seqno":0,"wire":"82","headers":[{":method":"GET"}]}]}""");
            // wrong value in the second case: 0xbe is the entry the first case added
            File.WriteAllText(Path.Combine(folder.FullName, "b-mismatch.json"),
                """{"cases":[{"seqno":0,"wire":"4003666f6f03626172","headers":[{"foo":"bar"}]},{"seqno":1,"wire":"82be","headers":[{":method":"GET"},{"foo":"baz"}]}]}""");
            // a decoding error: index 0 (RFC 7541 §6.1)
            File.WriteAllText(Path.Combine(folder.FullName, "c-error.json"),
                """{"cases":[{"seqno":0,"wire":"8280","headers":[{":method":"GET"},{"x":"y"}]}]}""");
            var run = HpackCli("compare", "--no-ratio", folder.FullName);
            Assert.Equal(1, run.Status);
            Golden("compare-failures.txt", run.Out);

            var json = HpackCli("compare", "--json", "--no-ratio", folder.FullName);
            Assert.Equal(1, json.Status);
            var f = JObject.Parse(json.Out)["folders"]![0]!;
            Assert.Equal((3, 1, 2), ((int)f["stories"]!, (int)f["passed"]!, (int)f["failed"]!));
            Assert.Equal("header 1 (foo): value differs: expected \"baz\", decoded \"bar\"", (string)f["failures"]![0]!["detail"]!);
            Assert.Contains("@1    be", (string)f["failures"]![0]!["explain"]!);
        }
        finally { dir.Delete(true); }
    }

    /// <summary>The public corpus, or a skip (a failure when CI is set).</summary>
    internal static string? Corpus()
    {
        var dir = Environment.GetEnvironmentVariable("HPACK_TEST_CASE_DIR");
        if (dir is not null && Directory.Exists(Path.Combine(dir, "raw-data"))) return dir;
        var how = "set HPACK_TEST_CASE_DIR to a checkout of https://github.com/http2jp/hpack-test-case";
        if (Environment.GetEnvironmentVariable("CI") is not null) Assert.Fail("CI: the hpack-test-case corpus is missing: " + how);
        Assert.Skip("hpack-test-case corpus not found: " + how);
        return null;
    }

    [Fact(DisplayName = "hpack compare: every hpack-test-case folder decodes; counts match the corpus")]
    public void PublicCorpus()
    {
        var corpus = Corpus()!;
        var folders = Directory.GetDirectories(corpus).Where(d => Path.GetFileName(d) != "raw-data").Order(StringComparer.Ordinal).ToArray();
        var run = HpackCli(["compare", "--json", "--no-ratio", .. folders]);
        var result = JObject.Parse(run.Out);
        foreach (var f in result["folders"]!)
            Assert.True((int)f["failed"]! == 0, $"{f["folder"]}: {f["failures"]}");
        Assert.Equal(folders.Sum(d => Directory.GetFiles(d, "*.json").Length), (int)result["passed"]!);
        Assert.Equal(0, run.Status);
    }

    [Fact(DisplayName = "hpack compare: usage errors and --help")]
    public void Usage()
    {
        Assert.Equal(2, HpackCli("compare").Status);
        Assert.Equal(1, HpackCli("compare", "/nonexistent/folder").Status);
        Assert.Contains("examples:", HpackCli("compare", "--help").Out);
        Assert.Equal(2, HpackCli("nope").Status);
        Assert.Contains("encode", HpackCli("--help").Out);
    }
}
