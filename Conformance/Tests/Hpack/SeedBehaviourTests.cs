using Http2.Reference.Hpack;
using Xunit;
using static Conformance.Tests.Hpack.HpackTestKit;

namespace Conformance.Tests.Hpack;

/// <summary>The seed's facades: golden wires and printouts of BEHAVIOUR.md (nghttp2 1.52's encoder).</summary>
public class SeedBehaviourTests
{
    [Fact(DisplayName = "Seed: constants are 4096, 4096 and the §4.1 overhead 32")]
    public void Constants()
    {
        Assert.Equal(4096, HpackConstants.DefaultHeaderTableSize);
        Assert.Equal(4096, HpackConstants.DeflateMaxHeaderTableSize);
        Assert.Equal(32, HpackConstants.HeaderEntryOverhead);
        Assert.Equal(38, F("baz", "buz").Size + 0 * HpackConstants.HeaderEntryOverhead);
    }

    [Fact(DisplayName = "Seed golden wire: (foo,bar),(baz,buz) then the same again gives bfbe")]
    public void FooBar()
    {
        var d = new Deflater();
        Assert.Equal("408294e703626172400362617a0362757a", ToHex(d.Deflate([("foo", "bar"), ("baz", "buz")])));
        Assert.Equal("bfbe", ToHex(d.Deflate([("foo", "bar"), ("baz", "buz")])));
        var w = new StringWriter { NewLine = "\n" };
        HeaderTablePrinter.Print(d.HeaderTable, w);
        Assert.Equal("[1] (s=38) baz: buz\n[2] (s=38) foo: bar\n", w.ToString());
    }

    [Fact(DisplayName = "Seed golden wire: a GET then a POST request, and the table afterwards")]
    public void Requests()
    {
        var d = new Deflater();
        Assert.Equal("41882f91d35d055cf64d8284877a85aa69d29ac5", ToHex(d.Deflate([
            (":authority", "example.org"), (":method", "GET"), (":path", "/"), (":scheme", "https"), ("user-agent", "nghttp2")])));
        Assert.Equal("bf830486606421eda93f87be", ToHex(d.Deflate([
            (":authority", "example.org"), (":method", "POST"), (":path", "/account"), (":scheme", "https"), ("user-agent", "nghttp2")])));
        var w = new StringWriter { NewLine = "\n" };
        HeaderTablePrinter.Print(d.HeaderTable, w);
        Assert.Equal("[1] (s=49) user-agent: nghttp2\n[2] (s=53) :authority: example.org\n", w.ToString());
        Assert.Equal([49, 53], d.HeaderTable.Select(e => e.Size));
        Assert.Equal([10, 10], d.HeaderTable.Select(e => e.NameLength));
    }

    [Theory(DisplayName = "Seed §4.2: a cap below 4096 is announced at the start of the first block")]
    [InlineData(1024, "3fe107408294e703626172")]
    [InlineData(0, "20008294e703626172")]
    public void SmallCap(int cap, string wire) =>
        Assert.Equal(wire, ToHex(new Deflater(cap).Deflate([("foo", "bar")])));

    [Theory(DisplayName = "Seed §4.2: change_table_size signals the smallest size since the last block, then the current")]
    [InlineData(new[] { 1000, 3000 }, "3fc9073f9917")]
    [InlineData(new[] { 4096 }, "3fe11f")]
    [InlineData(new[] { 0, 2048 }, "203fe10f")]
    public void ChangeTableSize(int[] sizes, string wire)
    {
        var d = new Deflater();
        foreach (var s in sizes) d.ChangeTableSize(s);
        Assert.Equal(wire, ToHex(d.Deflate(Array.Empty<HeaderField>())));
        Assert.Equal("", ToHex(d.Deflate(Array.Empty<HeaderField>()))); // signalled once
    }

    [Fact(DisplayName = "Seed: change_table_size is capped by the deflater's cap and shrinks the table at once")]
    public void ChangeTableSizeCapsAndShrinks()
    {
        var d = new Deflater(1024);
        d.Deflate([("foo", "bar")]);
        Assert.Single(d.HeaderTable);
        d.ChangeTableSize(0);
        Assert.Empty(d.HeaderTable);
        d.ChangeTableSize(8192);
        Assert.Equal(1024, d.State.Table.MaxSize);
        Assert.Equal("203fe107", ToHex(d.Deflate(Array.Empty<HeaderField>())));
    }

    [Fact(DisplayName = "Seed: bad arguments are argument exceptions, not crashes")]
    public void BadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Deflater(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Deflater().ChangeTableSize(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Inflater().ChangeTableSize(-1));
        Assert.Throws<ArgumentNullException>(() => new Deflater().Deflate((IEnumerable<HeaderField>)null!));
        Assert.Throws<ArgumentNullException>(() => new Deflater().Deflate([("a", (string)null!)]));
        Assert.Throws<ArgumentNullException>(() => new Deflater().Deflate([((byte[])null!, new byte[1])]));
        Assert.Throws<ArgumentNullException>(() => new Deflater().Deflate(new HeaderField[] { null! }));
        Assert.Throws<ArgumentNullException>(() => new Inflater().Inflate((byte[])null!));
    }

    [Fact(DisplayName = "Seed: the inflater decodes the deflater's blocks and keeps the same table")]
    public void InflaterRoundTrip()
    {
        var d = new Deflater();
        var i = new Inflater();
        var fields = new[] { F(":method", "GET"), F("cookie", "short"), F("user-agent", "x"), F("authorization", "secret") };
        for (var round = 0; round < 3; round++)
        {
            var decoded = i.Inflate(d.Deflate(fields));
            Assert.Equal(fields.Select(f => (f.NameText, f.ValueText)), decoded.Select(f => (f.NameText, f.ValueText)));
            Assert.Equal(d.HeaderTable, i.HeaderTable);
        }
    }

    [Fact(DisplayName = "Seed / RFC 9113 §4.3: inflater errors are exceptions with the RFC reason, and sticky")]
    public void StickyErrors()
    {
        var i = new Inflater();
        var e = Assert.Throws<HpackException>(() => i.Inflate(Hex("80")));
        Assert.Equal("6.1", e.Error!.Section);
        Assert.Contains("Header compression/decompression error", e.Message);
        Assert.Throws<HpackException>(() => i.Inflate(Hex("82")));
        Assert.Throws<HpackException>(() => i.ChangeTableSize(100));
    }

    [Fact(DisplayName = "Seed §4.2: after Inflater.ChangeTableSize shrinks, a block without a size update fails")]
    public void InflaterShrinkNeedsUpdate()
    {
        var i = new Inflater();
        i.ChangeTableSize(100);
        Assert.Throws<HpackException>(() => i.Inflate(Hex("82")));
        var j = new Inflater();
        j.ChangeTableSize(100);
        Assert.Equal([":method"], j.Inflate(Hex("3f4582")).Select(f => f.NameText));
        var k = new Inflater();
        k.ChangeTableSize(100);
        Assert.Throws<HpackException>(() => k.Inflate(Hex("3f4682"))); // 101 > 100
    }

    [Fact(DisplayName = "Seed §4.2: Inflater.ChangeTableSize growing waits for the encoder, and allows updates up to it")]
    public void InflaterGrowth()
    {
        var i = new Inflater();
        i.ChangeTableSize(8192);
        Assert.Equal(4096, i.State.Table.MaxSize);
        Assert.Equal([":method"], i.Inflate(Hex("82")).Select(f => f.NameText));
        i.Inflate(Hex("3fe13f"));
        Assert.Equal(8192, i.State.Table.MaxSize);
    }

    [Fact(DisplayName = "Seed: a list over the inflater's limits throws but keeps the table in step (not sticky)")]
    public void InflaterLimit()
    {
        var d = new Deflater();
        var i = new Inflater(new DecoderLimits(MaxHeaderListSize: 100));
        var big = F("x-big", new string('a', 200));
        Assert.Throws<HpackException>(() => i.Inflate(d.Deflate([big])));
        Assert.Equal(d.HeaderTable, i.HeaderTable);
        Assert.Single(i.Inflate(d.Deflate([F("a", "b")])));
    }
}
