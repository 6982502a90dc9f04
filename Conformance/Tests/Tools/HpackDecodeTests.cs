using Newtonsoft.Json.Linq;
using Xunit;
using static Conformance.Tests.Tools.ToolHarness;

namespace Conformance.Tests.Tools;

/// <summary><c>h2ref hpack decode</c> (inflatehd).</summary>
public class HpackDecodeTests
{
    private static string Vector(string name) => RepoPath("vectors", "hpack", name);

    [Fact(DisplayName = "hpack decode: RFC 7541 C.5 responses with table dumps (golden)")]
    public void AppendixC5Golden()
    {
        var run = HpackCli("decode", "-d", Vector("rfc7541-c5-responses-raw.json"));
        Assert.Equal(0, run.Status);
        Golden("decode-c5-table.json", run.Out);
        // RFC 7541 C.5.3: the table after the third response
        var last = JObject.Parse(run.Out)["cases"]![2]!["header_table"]!;
        Assert.Equal(215, (int)last["size"]!);
        Assert.Equal(["set-cookie", "content-encoding", "date"], last["entries"]!.Select(e => (string)e["name"]!));
    }

    [Fact(DisplayName = "hpack decode: an error names the case, the byte offset and the rule; exit 1 (golden)")]
    public void ErrorGolden()
    {
        var story = """{"cases":[{"seqno":0,"wire":"4003666f6f03626172"},{"seqno":1,"wire":"82bf"}]}""";
        var run = HpackCliWith(story, "decode");
        Assert.Equal(1, run.Status);
        Golden("decode-error.json", run.Out);
        Golden("decode-error.stderr", run.Err);
        var error = JObject.Parse(run.Out)["error"]!;
        Assert.Equal(1, (int)error["case"]!);
        Assert.Equal(1, (int)error["offset"]!);
    }

    [Fact(DisplayName = "hpack decode output is valid hpack encode input, and back (header_table_size carried)")]
    public void OutputsAreEachOthersInput()
    {
        var decoded = HpackCli("decode", Vector("edge-size-updates.json"));
        Assert.Equal(0, decoded.Status);
        var reencoded = HpackCliWith(decoded.Out, "encode");
        Assert.Equal(0, reencoded.Status);
        var again = HpackCliWith(reencoded.Out, "decode", "--expect");
        Assert.True(again.Status == 0, again.Err);
        Assert.Equal(
            JObject.Parse(decoded.Out)["cases"]!.Select(c => c["headers"]!.ToString()),
            JObject.Parse(again.Out)["cases"]!.Select(c => c["headers"]!.ToString()));
        // encode (like deflatehd) always states the first case's size; 4096 is the default
        Assert.Equal(
            JObject.Parse(decoded.Out)["cases"]!.Select((c, i) => (int?)c["header_table_size"] ?? (i == 0 ? 4096 : null)),
            JObject.Parse(again.Out)["cases"]!.Select(c => (int?)c["header_table_size"]));
    }

    [Fact(DisplayName = "hpack decode --expect: a wire that does not decode to its headers fails with the first difference")]
    public void ExpectMismatch()
    {
        var story = """{"cases":[{"wire":"82","headers":[{":method":"POST"}]}]}""";
        var run = HpackCliWith(story, "decode", "--expect");
        Assert.Equal(1, run.Status);
        Assert.Contains("header 0 (:method): value differs: expected \"POST\", decoded \"GET\"", run.Err);
    }

    [Fact(DisplayName = "hpack decode: a case without a wire is an input error")]
    public void MissingWire()
    {
        var run = HpackCliWith("""{"cases":[{"headers":[]}]}""", "decode");
        Assert.Equal(1, run.Status);
        Assert.Contains("no \"wire\"", run.Err);
    }

    [Fact(DisplayName = "hpack decode: \"header_table_size\": null and absent seqno are read as the hpack-test-case README says (unchanged size, position)")]
    public void NullTableSize()
    {
        var story = """{"cases":[{"header_table_size":null,"wire":"4003782d610131"},{"header_table_size":null,"wire":"be"},{"header_table_size":0,"wire":"200003782d610132"}]}""";
        var run = HpackCliWith(story, "decode");
        Assert.True(run.Status == 0, run.Err);
        var cases = JObject.Parse(run.Out)["cases"]!;
        Assert.Equal([0, 1, 2], cases.Select(c => (int)c["seqno"]!));
        Assert.Equal(["1", "1", "2"], cases.Select(c => (string)c["headers"]![0]!["x-a"]!));
        Assert.Equal(0, (int)cases[2]!["header_table_size"]!);
    }

    [Theory(DisplayName = "hpack decode: a malformed story is one line on stderr naming the case, exit 1")]
    [InlineData("""{"cases":[{"wire":"82"},{"wire":"828"}]}""", "h2ref hpack decode: stdin: case 1: \"wire\": '828' is not hex octets (an odd number of digits, 3)")]
    [InlineData("""{"cases":[{"wire":"82"},[]]}""", "h2ref hpack decode: stdin: case 1: is an array, not an object")]
    [InlineData("""{"cases":[{"header_table_size":"big","wire":"82"}]}""", "h2ref hpack decode: stdin: case 0: \"header_table_size\" is the string \"big\", not a table size")]
    public void MalformedStory(string story, string line)
    {
        var run = HpackCliWith(story, "decode");
        Assert.Equal(1, run.Status);
        Assert.StartsWith(line, run.Err);
        Assert.Single(run.Err.TrimEnd('\n').Split('\n'));
    }
}
