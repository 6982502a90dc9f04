using Http2.Reference.Hpack;
using Xunit;
using static Conformance.Tests.Hpack.HpackTestKit;

namespace Conformance.Tests.Hpack;

/// <summary>Every decoding error of RFC 7541 (and BEHAVIOUR.md) is a COMPRESSION_ERROR value with the rule, the section and the offset.</summary>
public class DecoderErrorTests
{
    [Theory(DisplayName = "RFC 7541: the seed's failing samples are COMPRESSION_ERRORs at the right section and offset")]
    [InlineData("80", "6.1", 0)]          // index 0
    [InlineData("bf", "2.3.3", 0)]        // index 63, empty dynamic table
    [InlineData("ff00", "2.3.3", 0)]      // index 127
    [InlineData("40036162", "5.2", 1)]    // string runs past the end
    [InlineData("823fe11f", "4.2", 1)]    // size update after a field
    [InlineData("4181ff", "5.2", 1)]      // Huffman padding of 8 bits
    public void SeedSamples(string hex, string section, int offset)
    {
        var e = DecodeError(DecoderState.Initial(), Hex(hex));
        Assert.Equal((section, offset), (e.Section, e.Offset));
        Assert.Equal(Http2.Reference.ErrorCode.CompressionError, e.Code);
    }

    [Fact(DisplayName = "RFC 7541 §6.3: seed sample 2081 decodes to (:authority, \"\") after a size update to 0")]
    public void SizeUpdateZero()
    {
        var d = DecodeOk(DecoderState.Initial(), Hex("2081"));
        FieldsEqual([F(":authority", "")], d.Fields);
        Assert.Equal(0, d.State.Table.MaxSize);
    }

    [Theory(DisplayName = "RFC 7541 §5.1: integers beyond 31 bits or over-long are errors")]
    [InlineData("ffffffffff0f")]       // 127 + 0xffffffff... > int.MaxValue
    [InlineData("ff8080808080800100")] // too many continuation octets
    [InlineData("3fffffffff7f")]       // size update with a huge value
    public void IntegerOverflow(string hex) => Assert.Equal("5.1", DecodeError(DecoderState.Initial(), Hex(hex)).Section);

    [Theory(DisplayName = "RFC 7541 §5.1: an error for an integer says which limit it broke: its value (31 bits) or its length (5 continuation octets)")]
    [InlineData("0f8080808080000161", "has more than 5 continuation octets")]  // name index 15 in 1 + 6 octets (redundant zero groups)
    [InlineData("007f808080808000", "has more than 5 continuation octets")]    // name length 127 in 1 + 6 octets
    [InlineData("0fffffffff0f", "does not fit in 31 bits")]                    // name index 15 + 0xf0000000-1 > 2^31-1
    [InlineData("00007fffffffff0f", "does not fit in 31 bits")]                // string length over 2^31-1
    public void IntegerLimitNamed(string hex, string rule)
    {
        var e = DecodeError(DecoderState.Initial(), Hex(hex));
        Assert.Equal("5.1", e.Section);
        Assert.Contains(rule, e.Rule);
        Assert.DoesNotContain(rule.StartsWith("has") ? "31 bits" : "continuation", e.Rule);
    }

    [Fact(DisplayName = "RFC 7541 §5.1: a value that fits, spread over more than 5 continuation octets, is refused as too long, not as too large")]
    public void TooManyOctetsStatus()
    {
        Assert.Equal(IntegerStatus.TooManyOctets, Integer.TryRead(Hex("0f808080808000"), 4, out _, out _));
        Assert.Equal(IntegerStatus.Ok, Integer.TryRead(Hex("0f8080808000"), 4, out var value, out var consumed));
        Assert.Equal((15, 6), (value, consumed));
        Assert.Equal(IntegerStatus.Overflow, Integer.TryRead(Hex("0fffffffff0f"), 4, out _, out _));
    }

    [Theory(DisplayName = "RFC 7541 §5.1/§5.2: a block ending inside a representation is an error")]
    [InlineData("ff", "5.1")]
    [InlineData("41", "5.2")]
    [InlineData("40", "5.2")]
    [InlineData("4003616263", "5.2")]
    [InlineData("417f", "5.2")]
    [InlineData("41ff80", "5.2")]
    [InlineData("3f", "5.1")]
    public void Truncated(string hex, string section) => Assert.Equal(section, DecodeError(DecoderState.Initial(), Hex(hex)).Section);

    [Fact(DisplayName = "RFC 7541 §5.2: a Huffman string containing EOS is an error")]
    public void HuffmanEos()
    {
        // EOS is 30 one bits: "ffffffff" holds it (then 2 padding bits).
        var e = DecodeError(DecoderState.Initial(), Hex("0000" + "84ffffffff"));
        Assert.Equal(("5.2", 2), (e.Section, e.Offset));
        Assert.Contains("EOS", e.Rule);
    }

    [Theory(DisplayName = "RFC 7541 §5.2: Huffman padding longer than 7 bits or not all ones is an error")]
    [InlineData("000081fe")]   // 11111110: a prefix of a longer code, not of EOS
    [InlineData("0000821fff")] // 'a' (00011), then 3 + 8 one bits: padding over 7 bits
    public void HuffmanPadding(string hex) => Assert.Equal("5.2", DecodeError(DecoderState.Initial(), Hex(hex)).Section);

    [Fact(DisplayName = "RFC 7541 §5.2: a valid Huffman string with 1 to 7 bits of padding decodes")]
    public void HuffmanPaddingValid()
    {
        // 'a' = 00011 (5 bits) + 3 ones of padding.
        FieldsEqual([F("", "a")], DecodeOk(DecoderState.Initial(), Hex("0000811f")).Fields);
    }

    [Fact(DisplayName = "RFC 7541 §6.3: a size update above SETTINGS_HEADER_TABLE_SIZE is an error")]
    public void SizeUpdateAboveLimit()
    {
        Assert.Equal("6.3", DecodeError(DecoderState.Initial(), Hex("3fe21f")).Section); // 4097
        Assert.Equal("6.3", DecodeError(DecoderState.Initial(100), Hex("3f46")).Section); // 101 > 100
        Assert.Equal(100, DecodeOk(DecoderState.Initial(100), Hex("3f45")).State.Table.MaxSize);
    }

    [Fact(DisplayName = "RFC 7541 §4.2: several size updates at the start of a block are allowed")]
    public void SeveralSizeUpdates()
    {
        var d = DecodeOk(DecoderState.Initial(), Hex("203fe10f82"));
        Assert.Equal(2048, d.State.Table.MaxSize);
        Assert.Single(d.Fields);
    }

    [Fact(DisplayName = "RFC 7541 §4.2: after the limit shrinks, the next block must start with a size update (even an empty block)")]
    public void RequiredUpdate()
    {
        var shrunk = DecoderState.Initial().WithSettingsTableSize(1024);
        Assert.True(shrunk.SizeUpdateRequired);
        Assert.Equal("4.2", DecodeError(shrunk, Hex("82")).Section);
        Assert.Equal("4.2", DecodeError(shrunk, []).Section);
        Assert.Equal("6.3", DecodeError(shrunk, Hex("3fe11f")).Section); // 4096 > 1024
        var ok = DecodeOk(shrunk, Hex("3fe10782"));
        Assert.False(ok.State.SizeUpdateRequired);
        Assert.Equal(1024, ok.State.Table.MaxSize);
        Assert.Single(DecodeOk(ok.State, Hex("82")).Fields);
    }

    [Fact(DisplayName = "RFC 7541 §4.3: shrinking the limit evicts entries at once; growing waits for the update")]
    public void SettingsEvicts()
    {
        var d = DecodeOk(DecoderState.Initial(), Hex("400a637573746f6d2d6b65790d637573746f6d2d686561646572"));
        Assert.Single(d.State.Table);
        Assert.Empty(d.State.WithSettingsTableSize(50).Table);
        var grown = d.State.WithSettingsTableSize(10000);
        Assert.False(grown.SizeUpdateRequired);
        Assert.Equal(4096, grown.Table.MaxSize);
        Assert.Single(d.State.Table); // the old state is untouched
    }

    [Fact(DisplayName = "RFC 7541 §4.4: an entry larger than the table empties it")]
    public void OversizedEntryEmpties()
    {
        var state = DecodeOk(DecoderState.Initial(100), Hex("4003666f6f03626172")).State; // foo: bar, 38
        Assert.Single(state.Table);
        var big = "40" + "01" + "78" + "44" + string.Concat(Enumerable.Repeat("61", 68)); // x: 68 a's = 101 > 100
        var after = DecodeOk(state, Hex(big));
        Assert.Empty(after.State.Table);
        Assert.Equal(68, after.Fields[0].Value.Length);
    }

    [Fact(DisplayName = "RFC 7541 §2.3.3: index 62 is the newest dynamic entry, and one past the end is an error")]
    public void DynamicIndices()
    {
        var s = DecodeOk(DecoderState.Initial(), Hex("4003666f6f03626172" + "400362617a0362757a")).State;
        FieldsEqual([F("baz", "buz"), F("foo", "bar")], DecodeOk(s, Hex("bebf")).Fields);
        Assert.Equal("2.3.3", DecodeError(s, Hex("c0")).Section);
    }
}
