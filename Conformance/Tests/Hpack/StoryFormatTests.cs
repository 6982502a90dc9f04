using HpackStories;
using Http2.Reference.Hpack;
using Xunit;

namespace Conformance.Tests.Hpack;

/// <summary>
/// The hpack-test-case story format as its README describes it, covered with
/// stories built here (so every optional field is exercised without the
/// public folders that use it): <c>header_table_size</c> null or absent,
/// <c>seqno</c> absent, <c>wire</c> absent (raw-data), sizes changing
/// mid-story; and malformed stories, each a one-line error naming the source
/// and the case.
/// </summary>
public class StoryFormatTests
{
    // One context through size changes (RFC 7541 §4.2, §6.3): x-a: 1 is indexed
    // (62), the table shrinks to 0 (the block must start with an update), then
    // grows back to 4096 (an update the encoder chooses to send) and x-a: 3 is indexed.
    private const string SizeChanges = """
        { "description": "size changes",
          "cases": [
            { "wire": "4003782d610131", "headers": [ {"x-a": "1"} ] },
            { "header_table_size": null, "wire": "be", "headers": [ {"x-a": "1"} ] },
            { "header_table_size": 0, "wire": "200003782d610132", "headers": [ {"x-a": "2"} ] },
            { "seqno": 3, "header_table_size": 4096, "wire": "3fe11f4003782d610133", "headers": [ {"x-a": "3"} ] },
            { "seqno": 4, "wire": "be", "headers": [ {"x-a": "3"} ] } ] }
        """;

    [Fact(DisplayName = "hpack-test-case format: null and absent header_table_size, absent seqno and description read as the README says")]
    public void OptionalFields()
    {
        var story = StoryReader.Parse(SizeChanges, "sizes.json");
        Assert.Equal("size changes", story.Description);
        Assert.Equal([0, 1, 2, 3, 4], story.Cases.Select(c => c.Seqno));
        Assert.Equal([null, null, 0, 4096, null], story.Cases.Select(c => c.HeaderTableSize));
        Assert.True(story.HasWires);
        Assert.Null(StoryReader.Parse("""{"cases":[{"headers":[]}]}""", "x").Description);
        var seqnos = StoryReader.Parse("""{"cases":[{"seqno":7,"headers":[]},{"seqno":null,"headers":[]}]}""", "x");
        Assert.Equal([7, 1], seqnos.Cases.Select(c => c.Seqno));
    }

    [Fact(DisplayName = "hpack-test-case format (RFC 7541 §4.2, §6.3): a story whose table size changes mid-story decodes with one context")]
    public void SizeChangesDecode()
    {
        var outcome = StoryCheck.Decode(StoryReader.Parse(SizeChanges, "sizes.json"), DecoderLimits.Unlimited);
        Assert.Null(outcome.Failure);
        Assert.Equal((5, 5), (outcome.Cases, outcome.Passed));
    }

    [Fact(DisplayName = "hpack-test-case format (RFC 7541 §4.2): header_table_size is applied before its case (a shrink without an update fails there)")]
    public void SizeIsApplied()
    {
        // Case 2 without the size update its header_table_size of 0 requires.
        var story = StoryReader.Parse(SizeChanges.Replace("\"200003782d610132\"", "\"0003782d610132\""), "sizes.json");
        var outcome = StoryCheck.Decode(story, DecoderLimits.Unlimited);
        Assert.Equal(2, outcome.Passed);
        Assert.StartsWith("case 2: ", outcome.Failure);
        Assert.Contains("§4.2", outcome.Failure);
    }

    // raw-data style: no wire, no seqno; sizes absent, null, shrinking to 0 and growing mid-story.
    private const string RawSizes = """
        { "cases": [
            { "headers": [ {":method": "GET"}, {":authority": "example.com"}, {"x-long": "a value to index"} ] },
            { "header_table_size": null, "headers": [ {":method": "GET"}, {":authority": "example.com"}, {"x-long": "a value to index"} ] },
            { "header_table_size": 256, "headers": [ {":authority": "example.com"}, {"x-long": "a value to index"} ] },
            { "header_table_size": 0, "headers": [ {":authority": "example.com"}, {"x-long": "a value to index"} ] },
            { "header_table_size": 4096, "headers": [ {":authority": "example.com"}, {"x-long": "a value to index"} ] },
            { "headers": [ {":authority": "example.com"}, {"x-long": "a value to index"} ] } ] }
        """;

    public static TheoryData<string> Strategies() => new(EncoderStrategy.All.Select(s => s.Name));

    [Theory(DisplayName = "hpack-test-case format (RFC 7541 §4.2): a raw-data story with null, absent and changing table sizes round-trips with every strategy")]
    [MemberData(nameof(Strategies))]
    public void RawSizesRoundTrip(string strategyName)
    {
        var strategy = EncoderStrategy.Find(strategyName).IfNone(() => throw new InvalidOperationException(strategyName));
        var story = StoryReader.Parse(RawSizes, "raw.json");
        Assert.False(story.HasWires);
        Assert.All(story.Cases, c => Assert.Null(c.Wire));
        var outcome = StoryCheck.RoundTrip(story, strategy);
        Assert.Null(outcome.Failure);
        Assert.Equal(6, outcome.Passed);
    }

    [Fact(DisplayName = "hpack-test-case format (RFC 7541 §4.2, §6.3): the encoder is told each header_table_size before its case")]
    public void EncoderToldSizes()
    {
        var story = StoryReader.Parse(RawSizes, "raw.json");
        EncoderState? enc = null;
        var firstOctets = new List<byte>();
        foreach (var c in story.Cases)
        {
            enc = StoryContext.EncoderBefore(enc, c.HeaderTableSize, EncoderStrategy.Nghttp2);
            (enc, var block) = HpackEncoder.Encode(enc, c.Headers);
            firstOctets.Add(block[0]);
        }
        // Cases 2, 3, 4 start with a size update (001xxxxx): to 256, to 0, to 4096; the others do not.
        Assert.Equal([false, false, true, true, true, false], firstOctets.Select(b => (b & 0xe0) == 0x20));
        Assert.Equal(0x20, firstOctets[3]);
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { """[1, 2]""", "x.json: expected a JSON object with a \"cases\" array" },
        { """{"cases": {}}""", "x.json: expected a JSON object with a \"cases\" array" },
        { """{"description": 3, "cases": []}""", "x.json: \"description\" is 3, not a string" },
        { """{"cases": [{"headers": []}, 5]}""", "x.json: case 1: is 5, not an object" },
        { """{"cases": [["a"]]}""", "x.json: case 0: is an array, not an object" },
        { """{"cases": [{"seqno": "0", "headers": []}]}""", "x.json: case 0: \"seqno\" is the string \"0\", not an integer" },
        { """{"cases": [{"seqno": 1.5, "headers": []}]}""", "x.json: case 0: \"seqno\" is 1.5, not an integer" },
        { """{"cases": [{"header_table_size": "4096", "headers": []}]}""", "x.json: case 0: \"header_table_size\" is the string \"4096\", not a table size" },
        { """{"cases": [{"header_table_size": -1, "headers": []}]}""", "x.json: case 0: \"header_table_size\" is -1, not a table size" },
        { """{"cases": [{"header_table_size": 4294967296, "headers": []}]}""", "x.json: case 0: \"header_table_size\" is 4294967296, not a table size" },
        { """{"cases": [{"headers": []}, {"seqno": 9, "wire": 82, "headers": []}]}""", "x.json: case 1 (seqno 9): \"wire\" is 82, not a hex string" },
        { """{"cases": [{"wire": "828", "headers": []}]}""", "x.json: case 0: \"wire\": '828' is not hex octets (an odd number of digits, 3)" },
        { """{"cases": [{"wire": "82zz", "headers": []}]}""", "x.json: case 0: \"wire\": '82zz' is not hex octets ('z' is not a hex digit)" },
        { """{"cases": [{"headers": {":method": "GET"}}]}""", "x.json: case 0: \"headers\" is an object, not an array" },
        { """{"cases": [{"headers": [{":method": "GET"}, "x"]}]}""", "x.json: case 0: header 1 is the string \"x\", not a one-key {\"name\": \"value\"} object" },
        { """{"cases": [{"headers": [{"a": "1", "b": "2"}]}]}""", "x.json: case 0: header 0 is an object with 2 keys, not a one-key" },
        { """{"cases": [{"headers": [{"a": 1}]}]}""", "x.json: case 0: header 0 (\"a\") has 1 as its value, not a string" },
        { """{"cases": [{"headers": [{"a": null}]}]}""", "x.json: case 0: header 0 (\"a\") has null as its value, not a string" },
        { """{"cases": [""", "x.json: not valid JSON: " },
        { """{"cases": []} {}""", "x.json: not valid JSON: " },
    };

    [Theory(DisplayName = "hpack-test-case format: a malformed story is one line naming the file and the case")]
    [MemberData(nameof(Malformed))]
    public void MalformedIsOneLine(string json, string expected)
    {
        var e = Assert.Throws<FormatException>(() => StoryReader.Parse(json, "x.json"));
        Assert.StartsWith(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
