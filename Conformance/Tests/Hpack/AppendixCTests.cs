using Http2.Reference.Hpack;
using Xunit;
using static Conformance.Tests.Hpack.HpackTestKit;

namespace Conformance.Tests.Hpack;

/// <summary>RFC 7541 Appendix C: every example decodes to its fields and table, and the encoder reproduces it.</summary>
public class AppendixCTests
{
    [Theory(DisplayName = "RFC 7541 §5.1 / C.1: integer examples encode and decode")]
    [InlineData(10, 5, "0a")]
    [InlineData(1337, 5, "1f9a0a")]
    [InlineData(42, 8, "2a")]
    public void Integers(int value, int prefix, string hex)
    {
        var buffer = new byte[8];
        var n = Integer.Write(buffer, value, prefix, 0);
        Assert.Equal(hex, ToHex(buffer[..n]));
        Assert.Equal(n, Integer.EncodedLength(value, prefix));
        Assert.Equal(IntegerStatus.Ok, Integer.TryRead(Hex(hex), prefix, out var read, out var consumed));
        Assert.Equal((value, n), (read, consumed));
    }

    [Fact(DisplayName = "RFC 7541 C.2.1: literal with indexing enters the dynamic table")]
    public void C21()
    {
        var d = DecodeOk(DecoderState.Initial(), Hex("400a637573746f6d2d6b65790d637573746f6d2d686561646572"));
        FieldsEqual([F("custom-key", "custom-header")], d.Fields);
        Assert.Equal("[1] (s=55) custom-key: custom-header\n", Print(d.State.Table));
        Assert.Equal(55, d.State.Table.Size);
    }

    [Fact(DisplayName = "RFC 7541 C.2.2: literal without indexing leaves the table empty")]
    public void C22()
    {
        var d = DecodeOk(DecoderState.Initial(), Hex("040c2f73616d706c652f70617468"));
        FieldsEqual([F(":path", "/sample/path")], d.Fields);
        Assert.Empty(d.State.Table);
    }

    [Fact(DisplayName = "RFC 7541 C.2.3 / §6.2.3: never-indexed literal is reported sensitive, table empty")]
    public void C23()
    {
        var d = DecodeOk(DecoderState.Initial(), Hex("100870617373776f726406736563726574"));
        FieldsEqual([F("password", "secret", sensitive: true)], d.Fields);
        Assert.True(d.Fields[0].Sensitive);
        Assert.Empty(d.State.Table);
    }

    [Fact(DisplayName = "RFC 7541 C.2.4: indexed field from the static table")]
    public void C24()
    {
        var d = DecodeOk(DecoderState.Initial(), Hex("82"));
        FieldsEqual([F(":method", "GET")], d.Fields);
        Assert.Empty(d.State.Table);
    }

    private static readonly HeaderField[][] Requests =
    [
        [F(":method", "GET"), F(":scheme", "http"), F(":path", "/"), F(":authority", "www.example.com")],
        [F(":method", "GET"), F(":scheme", "http"), F(":path", "/"), F(":authority", "www.example.com"), F("cache-control", "no-cache")],
        [F(":method", "GET"), F(":scheme", "https"), F(":path", "/index.html"), F(":authority", "www.example.com"), F("custom-key", "custom-value")],
    ];

    private static readonly string[] RequestTables =
    [
        "[1] (s=57) :authority: www.example.com\n",
        "[1] (s=53) cache-control: no-cache\n[2] (s=57) :authority: www.example.com\n",
        "[1] (s=54) custom-key: custom-value\n[2] (s=53) cache-control: no-cache\n[3] (s=57) :authority: www.example.com\n",
    ];

    private static readonly HeaderField[][] Responses =
    [
        [F(":status", "302"), F("cache-control", "private"), F("date", "Mon, 21 Oct 2013 20:13:21 GMT"), F("location", "https://www.example.com")],
        [F(":status", "307"), F("cache-control", "private"), F("date", "Mon, 21 Oct 2013 20:13:21 GMT"), F("location", "https://www.example.com")],
        [F(":status", "200"), F("cache-control", "private"), F("date", "Mon, 21 Oct 2013 20:13:22 GMT"), F("location", "https://www.example.com"),
         F("content-encoding", "gzip"), F("set-cookie", "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1")],
    ];

    private static readonly string[] ResponseTables =
    [
        "[1] (s=63) location: https://www.example.com\n[2] (s=65) date: Mon, 21 Oct 2013 20:13:21 GMT\n[3] (s=52) cache-control: private\n[4] (s=42) :status: 302\n",
        "[1] (s=42) :status: 307\n[2] (s=63) location: https://www.example.com\n[3] (s=65) date: Mon, 21 Oct 2013 20:13:21 GMT\n[4] (s=52) cache-control: private\n",
        "[1] (s=98) set-cookie: foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1\n[2] (s=52) content-encoding: gzip\n[3] (s=65) date: Mon, 21 Oct 2013 20:13:22 GMT\n",
    ];

    public static TheoryData<string, int, string[], bool> Sequences => new()
    {
        { "C.3", 4096, ["828684410f7777772e6578616d706c652e636f6d", "828684be58086e6f2d6361636865", "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565"], false },
        { "C.4", 4096, ["828684418cf1e3c2e5f23a6ba0ab90f4ff", "828684be5886a8eb10649cbf", "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf"], true },
        { "C.5", 256, [
            "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
            "4803333037c1c0bf",
            "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31"], false },
        { "C.6", 256, [
            "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
            "4883640effc1c0bf",
            "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007"], true },
    };

    [Theory(DisplayName = "RFC 7541 C.3-C.6: each block decodes to its fields and leaves the printed table")]
    [MemberData(nameof(Sequences))]
    public void Decodes(string section, int tableSize, string[] blocks, bool huffman)
    {
        _ = huffman;
        var (fields, tables) = section is "C.3" or "C.4" ? (Requests, RequestTables) : (Responses, ResponseTables);
        var state = DecoderState.Initial(tableSize);
        for (var i = 0; i < blocks.Length; i++)
        {
            var d = DecodeOk(state, Hex(blocks[i]));
            FieldsEqual(fields[i], d.Fields);
            Assert.Equal(tables[i], Print(d.State.Table));
            Assert.Equal(d.State.Table.Sum(f => f.Size), d.State.Table.Size);
            state = d.State;
        }
    }

    [Theory(DisplayName = "RFC 7541 C.3-C.6: the rfc7541 strategies reproduce every block byte for byte")]
    [MemberData(nameof(Sequences))]
    public void Encodes(string section, int tableSize, string[] blocks, bool huffman)
    {
        var fields = section is "C.3" or "C.4" ? Requests : Responses;
        var state = EncoderState.Preset(huffman ? EncoderStrategy.Rfc7541Huffman : EncoderStrategy.Rfc7541, tableSize);
        for (var i = 0; i < blocks.Length; i++)
        {
            (state, var block) = HpackEncoder.Encode(state, fields[i]);
            Assert.Equal(blocks[i], ToHex(block));
        }
    }
}
