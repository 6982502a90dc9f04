using Newtonsoft.Json.Linq;
using Xunit;
using static Conformance.Tests.Tools.ToolHarness;

namespace Conformance.Tests.Tools;

/// <summary><c>h2ref hpack encode</c> (deflatehd).</summary>
public class HpackEncodeTests
{
    private const string TwoRequests = ":method: GET\n:path: /\n:authority: example.org\nuser-agent: h2ref\n\n:method: GET\n:path: /style.css\n:authority: example.org\nuser-agent: h2ref\n";

    private static string[] Wires(string json) =>
        JObject.Parse(json)["cases"]!.Select(c => (string)c["wire"]!).ToArray();

    [Fact(DisplayName = "hpack encode: text blocks from stdin, one context for the story (golden)")]
    public void TextBlocksGolden()
    {
        var run = HpackCliWith(TwoRequests, "encode");
        Assert.Equal(0, run.Status);
        Golden("encode-text.json", run.Out);
        var cases = JObject.Parse(run.Out)["cases"]!;
        Assert.Equal([52, 61], cases.Select(c => (int)c["input_length"]!));
        var output = Wires(run.Out).Sum(w => w.Length / 2);
        Assert.Equal(output, cases.Sum(c => (int)c["output_length"]!));
        Assert.Equal($"Overall: input=113 output={output} ratio={(output / 113.0).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)}\n", run.Err);
    }

    [Fact(DisplayName = "hpack encode: nghttp2 strategy reproduces the seed's golden wires (foo/bar, then fully indexed)")]
    public void SeedGoldenWires()
    {
        var run = HpackCliWith("foo: bar\nbaz: buz\n\nfoo: bar\nbaz: buz\n", "encode", "--strategy", "nghttp2");
        Assert.Equal(0, run.Status);
        Assert.Equal(["408294e703626172400362617a0362757a", "bfbe"], Wires(run.Out));
    }

    [Fact(DisplayName = "hpack encode: nghttp2 strategy, :authority/user-agent story matches the seed (user-agent indexed, :path not)")]
    public void SeedGoldenRequestWires()
    {
        var run = HpackCliWith(":authority: example.org\n:method: GET\n:path: /\n:scheme: https\nuser-agent: nghttp2\n\n" +
                            ":authority: example.org\n:method: POST\n:path: /account\n:scheme: https\nuser-agent: nghttp2\n", "encode", "-d");
        Assert.Equal(0, run.Status);
        Assert.Equal(["41882f91d35d055cf64d8284877a85aa69d29ac5", "bf830486606421eda93f87be"], Wires(run.Out));
        var table = JObject.Parse(run.Out)["cases"]![1]!["header_table"]!["entries"]!;
        Assert.Equal(["user-agent: nghttp2 (49)", ":authority: example.org (53)"],
            table.Select(e => $"{e["name"]}: {e["value"]} ({e["size"]})"));
    }

    [Fact(DisplayName = "RFC 7541 §4.2/§6.3: an encoder cap below 4096 is announced by a size update at the start of the first block")]
    public void CapSendsSizeUpdate()
    {
        var run = HpackCliWith("foo: bar\n", "encode", "-c", "1024");
        Assert.Equal(0, run.Status);
        Assert.Equal("3fe107408294e703626172", Wires(run.Out)[0]);
        Assert.Equal(4096, (int)JObject.Parse(run.Out)["cases"]![0]!["header_table_size"]!);
    }

    [Fact(DisplayName = "hpack encode: JSON input, SETTINGS table size, cap and table dump (golden)")]
    public void JsonInputWithTableGolden()
    {
        var input = """{"cases":[{"headers":[{":method":"GET"},{"x-custom":"one"}]},{"headers":[{":method":"GET"},{"x-custom":"one"},{"x-custom":"two"}]}]}""";
        var run = HpackCliWith(input, "encode", "-s", "16384", "-c", "4096", "--strategy", "no-huffman", "-d");
        Assert.Equal(0, run.Status);
        Golden("encode-json-table.json", run.Out);
    }

    [Fact(DisplayName = "hpack encode: every strategy's output decodes back to the input (hpack decode --expect)")]
    public void EveryStrategyRoundTrips()
    {
        foreach (var (name, _) in global::Tools.Cli.HpackFacts.Strategies)
        {
            var encoded = HpackCliWith(TwoRequests + "\nauthorization: secret\ncookie: a=b\nx-long: " + new string('z', 3000) + "\n", "encode", "--strategy", name);
            Assert.Equal(0, encoded.Status);
            var decoded = HpackCliWith(encoded.Out, "decode", "--expect");
            Assert.True(decoded.Status == 0, $"{name}: {decoded.Err}");
        }
    }

    [Fact(DisplayName = "hpack encode: unknown strategy and unknown option are usage errors (exit 2)")]
    public void UsageErrors()
    {
        var bad = HpackCliWith("a: b\n", "encode", "--strategy", "zip");
        Assert.Equal(2, bad.Status);
        Assert.Contains("nghttp2", bad.Err);
        Assert.Equal(2, HpackCliWith("a: b\n", "encode", "--frobnicate").Status);
    }

    [Fact(DisplayName = "hpack encode: malformed input exits 1 with the reason")]
    public void MalformedInput()
    {
        var run = HpackCliWith("{\"cases\": [", "encode");
        Assert.Equal(1, run.Status);
        Assert.Contains("not valid JSON", run.Err);
        var text = HpackCliWith("no colon here\n", "encode");
        Assert.Equal(1, text.Status);
        Assert.Contains("stdin:1", text.Err);
    }

    [Fact(DisplayName = "hpack encode --help shows options and examples")]
    public void Help()
    {
        var run = HpackCli("encode", "--help");
        Assert.Equal(0, run.Status);
        Assert.Contains("examples:", run.Out);
        Assert.Contains("--table-size", run.Out);
    }
}
