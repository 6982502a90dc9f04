using Http2.Reference.Hpack;
using Xunit;
using static Conformance.Tests.Hpack.HpackTestKit;

namespace Conformance.Tests.Hpack;

/// <summary>DecoderLimits: enforced while decoding, the table kept in step (RFC 9113 §6.5.2, §10.5.1; CVE-2016-6581).</summary>
public class LimitTests
{
    // A state whose newest entry is x-big: 4000 octets of 'a' (size 4037).
    private static DecoderState WithBigEntry()
    {
        var value = string.Concat(Enumerable.Repeat("61", 4000));
        return DecodeOk(DecoderState.Initial(), Hex("4005782d626967" + "7fa11e" + value)).State;
    }

    [Fact(DisplayName = "CVE-2016-6581 (HPACK bomb): one-octet indices to a large entry stop at MaxHeaderListSize, table kept")]
    public void HpackBomb()
    {
        var state = WithBigEntry();
        var bomb = Enumerable.Repeat((byte)0xbe, 10_000).ToArray(); // 10 000 x index 62 = 40 MB if expanded
        var d = HpackDecoder.Decode(state, bomb, DecoderLimits.Default).Match(x => x, e => throw new Xunit.Sdk.XunitException(e.ToString()));
        Assert.True(d.ListSizeExceeded);
        Assert.Empty(d.Fields);
        Assert.Same(state.Table, d.State.Table); // nothing changed, nothing copied
    }

    [Fact(DisplayName = "RFC 9113 §6.5.2: the list size counts name + value + 32 per field, the limit is inclusive")]
    public void ListSizeBoundary()
    {
        var block = Hex("82"); // :method GET = 7 + 3 + 32 = 42
        Assert.False(DecodeOk(DecoderState.Initial(), block, new DecoderLimits(MaxHeaderListSize: 42)).ListSizeExceeded);
        Assert.True(DecodeOk(DecoderState.Initial(), block, new DecoderLimits(MaxHeaderListSize: 41)).ListSizeExceeded);
        Assert.True(DecodeOk(DecoderState.Initial(), Hex("8282"), new DecoderLimits(MaxHeaderListSize: 83)).ListSizeExceeded);
    }

    [Fact(DisplayName = "DecoderLimits.MaxFieldCount: one more field sets ListSizeExceeded")]
    public void FieldCount()
    {
        Assert.False(DecodeOk(DecoderState.Initial(), Hex("828282"), new DecoderLimits(MaxFieldCount: 3)).ListSizeExceeded);
        Assert.True(DecodeOk(DecoderState.Initial(), Hex("82828282"), new DecoderLimits(MaxFieldCount: 3)).ListSizeExceeded);
    }

    [Fact(DisplayName = "DecoderLimits.MaxStringLength: a longer string stops collection, but an indexed literal still enters the table")]
    public void StringLength()
    {
        var block = Hex("4003666f6f0a30313233343536373839" + "82"); // foo: 0123456789 (with indexing), then :method GET
        var d = DecodeOk(DecoderState.Initial(), block, new DecoderLimits(MaxStringLength: 9));
        Assert.True(d.ListSizeExceeded);
        Assert.Empty(d.Fields);
        Assert.Equal("[1] (s=45) foo: 0123456789\n", Print(d.State.Table));
        Assert.Single(DecodeOk(d.State, Hex("be")).Fields);
    }

    [Fact(DisplayName = "RFC 9113 §4.3: after a limit the rest of the block is still decoded, so its errors are still errors")]
    public void ErrorsAfterLimit() =>
        Assert.True(HpackDecoder.Decode(DecoderState.Initial(), Hex("8282" + "80"), new DecoderLimits(MaxFieldCount: 1)).IsLeft);

    [Fact(DisplayName = "RFC 7541 §5.2: a huge string length with few octets present is an error, not an allocation")]
    public void LengthWithoutOctets()
    {
        var e = DecodeError(DecoderState.Initial(), Hex("007f" + "ffffff07")); // name length ~16M, nothing follows
        Assert.Equal("5.2", e.Section);
    }
}
