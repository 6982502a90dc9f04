using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LanguageExt;
using Http2.Reference;
using Http2.Reference.Hpack;
using Xunit;

namespace Conformance.Tests.Hpack;

/// <summary>
/// Decoding a header block as its fragments arrive (RFC 9113 §4.3: HEADERS
/// and CONTINUATIONs) gives what decoding the whole block gives, whatever the
/// cuts: the same fields, the same over-the-limit verdict, the same table.
/// </summary>
public class IncrementalDecodeTests
{
    /// <summary>Decodes <paramref name="block"/> cut at <paramref name="cuts"/> (sorted offsets) with Begin/Continue/End.</summary>
    internal static Either<HpackError, DecodedBlock> InFragments(DecoderState state, byte[] block, IEnumerable<int> cuts, DecoderLimits limits)
    {
        var p = HpackDecoder.Begin(state);
        var at = 0;
        foreach (var cut in cuts.Where(c => c > 0 && c < block.Length).Distinct().Order())
        {
            var r = HpackDecoder.Continue(p, block.AsSpan(at, cut - at), limits);
            if (r.Case is HpackError e) return e;
            p = (HeaderBlockProgress)r.Case!;
            at = cut;
        }
        return HpackDecoder.End(p, block.AsSpan(at), limits);
    }

    internal static string Show(Either<HpackError, DecodedBlock> r) => r.Match(
        d => $"{d.ListSizeExceeded}:{string.Join(",", d.Fields)}|table {string.Join(",", d.State.Table)} max {d.State.Table.MaxSize}",
        e => "error");

    private static readonly Gen<HeaderField> Field =
        from name in Gen.Elements(":path", "cookie", "x-a", "x-b", "user-agent", "accept")
        from n in Gen.Frequency((6, Gen.Choose(0, 20)), (3, Gen.Choose(20, 600)), (1, Gen.Choose(600, 5000)))
        from c in Gen.Elements('a', '|', '0', '~')
        from sensitive in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new HeaderField(Bytes.FromUtf8(name), Bytes.FromUtf8(new string(c, n)), sensitive);

    [Property(DisplayName = "RFC 9113 §4.3: decoding a block fragment by fragment equals decoding it whole, for any cuts and limits", MaxTest = 300)]
    public Property AnyCutsSameResult() => Prop.ForAll(
        (from strategy in Gen.Choose(0, EncoderStrategy.All.Count - 1)
         from blocks in Gen.Choose(0, 30).SelectMany(n => Gen.ArrayOf(Field, n)).ArrayOf(4)
         from cuts in Gen.Choose(0, 40000).ArrayOf(6)
         from list in Gen.Elements(100, 1000, 4000, 32 * 1024, int.MaxValue)
         from count in Gen.Elements(3, 10, 100)
         from str in Gen.Elements(50, 1000, 128 * 1024)
         select (strategy, blocks, cuts, new DecoderLimits(list, count, str))).ToArbitrary(),
        t =>
        {
            var (strategy, blocks, cuts, limits) = t;
            var enc = EncoderState.Initial(EncoderStrategy.All[strategy]);
            var dec = DecoderState.Initial();
            foreach (var fields in blocks)
            {
                (enc, var block) = HpackEncoder.Encode(enc, fields);
                var scaled = cuts.Select(c => block.Length == 0 ? 0 : c % block.Length).ToArray();
                var whole = HpackDecoder.Decode(dec, block, limits);
                var split = InFragments(dec, block, scaled, limits);
                if (Show(whole) != Show(split)) return false.Label($"block {Convert.ToHexString(block)} cuts [{string.Join(",", scaled)}]\nwhole {Show(whole)}\nsplit {Show(split)}");
                dec = ((DecodedBlock)whole.Case!).State;
            }
            return true.ToProperty();
        });

    [Property(DisplayName = "RFC 7541: arbitrary octets in arbitrary fragments never throw; a block that decodes whole decodes the same in fragments", MaxTest = 1000)]
    public bool ArbitraryOctets(byte[] block, int[] cuts, bool tight)
    {
        var limits = tight ? new DecoderLimits(100, 3, 10) : DecoderLimits.Default;
        var whole = HpackDecoder.Decode(DecoderState.Initial(), block, limits);
        var split = InFragments(DecoderState.Initial(), block, cuts.Select(c => block.Length == 0 ? 0 : Math.Abs(c % block.Length)), limits);
        // A string skipped unread is still Huffman-checked as it passes: fragments fail exactly when one read does
        // (the error may name another offset).
        return whole.IsLeft ? split.IsLeft : Show(whole) == Show(split);
    }

    // A field too long for the limits: "x-big" with a Huffman-coded value of `coded` octets (literal without indexing, new name).
    private static byte[] LongHuffmanField(byte[] coded)
    {
        var block = new List<byte> { 0x00, 0x05 };
        block.AddRange("x-big"u8.ToArray());
        var length = new byte[8];
        var n = Integer.Write(length, coded.Length, 7, 0x80);
        block.AddRange(length.AsSpan(0, n).ToArray());
        block.AddRange(coded);
        return [.. block];
    }

    private static readonly DecoderLimits SmallLimits = new(1000, 100, 1000);

    private static int[] EveryKilobyte(int length) => [.. Enumerable.Range(1, length / 1000).Select(k => k * 1000)];

    [Fact(DisplayName = "RFC 7541 §5.2: a Huffman-coded string skipped in fragments (too long to keep) that contains EOS is a decoding error")]
    public void SkippedStringWithEos()
    {
        // 'a' is 00011 (5 bits): 8 of them fill 5 octets; then EOS (30 ones) and 2 one bits of padding fill 4 more.
        var coded = Enumerable.Repeat(new byte[] { 0x18, 0xc6, 0x31, 0x8c, 0x63 }, 1000).SelectMany(x => x).Concat(new byte[] { 0xff, 0xff, 0xff, 0xff }).ToArray();
        var block = LongHuffmanField(coded);
        Assert.True(HpackDecoder.Decode(DecoderState.Initial(), block, SmallLimits).IsLeft, "one read");
        var split = InFragments(DecoderState.Initial(), block, EveryKilobyte(block.Length), SmallLimits);
        var error = Assert.IsType<HpackError>(split.Case);
        Assert.Equal("5.2", error.Section);
        Assert.Contains("EOS", error.Rule);
    }

    [Fact(DisplayName = "RFC 7541 §5.2: a Huffman-coded string skipped in fragments whose padding is not all ones, or longer than 7 bits, is a decoding error")]
    public void SkippedStringWithBadPadding()
    {
        var aaaa = Enumerable.Repeat(new byte[] { 0x18, 0xc6, 0x31, 0x8c, 0x63 }, 1000).SelectMany(x => x);
        // One 'a' (00011) then 011 as padding: not the most significant bits of EOS.
        var zeroPadding = LongHuffmanField([.. aaaa, 0x1b]);
        // A whole octet of ones after the last symbol: padding of 8 bits.
        var longPadding = LongHuffmanField([.. aaaa, 0xff]);
        // The same strings well padded decode, whole and in fragments (the control).
        var good = LongHuffmanField([.. aaaa, 0x1f]);
        foreach (var block in new[] { zeroPadding, longPadding })
        {
            Assert.True(HpackDecoder.Decode(DecoderState.Initial(), block, SmallLimits).IsLeft, "one read");
            var error = Assert.IsType<HpackError>(InFragments(DecoderState.Initial(), block, EveryKilobyte(block.Length), SmallLimits).Case);
            Assert.Equal("5.2", error.Section);
            Assert.Contains("padding", error.Rule);
        }
        Assert.True(HpackDecoder.Decode(DecoderState.Initial(), good, SmallLimits).IsRight);
        var split = InFragments(DecoderState.Initial(), good, EveryKilobyte(good.Length), SmallLimits);
        Assert.True(((DecodedBlock)split.Case!).ListSizeExceeded);
    }

    [Fact(DisplayName = "RFC 7541 §5.2: the value of a skipped name is checked too, whole in one fragment or across several")]
    public void SkippedNameThenValueChecked()
    {
        // A literal whose new name is too long to keep, then a short value that contains EOS.
        var name = Enumerable.Repeat((byte)'n', 3000).ToArray();
        var block = new List<byte> { 0x00 };
        var length = new byte[8];
        block.AddRange(length.AsSpan(0, Integer.Write(length, name.Length, 7, 0)).ToArray());
        block.AddRange(name);
        block.AddRange(new byte[] { 0x84, 0xff, 0xff, 0xff, 0xff }); // 4 octets: EOS and 2 one bits
        var bytes = block.ToArray();
        Assert.True(HpackDecoder.Decode(DecoderState.Initial(), bytes, SmallLimits).IsLeft, "one read");
        foreach (var cuts in new[] { new[] { 1000 }, new[] { 1000, 3004 }, new[] { 1000, 3005 } })
            Assert.Equal("5.2", Assert.IsType<HpackError>(InFragments(DecoderState.Initial(), bytes, cuts, SmallLimits).Case).Section);
    }

    [Fact(DisplayName = "Design: a block in progress is a value — continuing twice from it decodes identically")]
    public void ProgressReplays()
    {
        var (_, block) = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), [HeaderField.Of(":path", "/a"), HeaderField.Of("x-long", new string('q', 3000)), HeaderField.Of("x-b", "c")]);
        var p = (HeaderBlockProgress)HpackDecoder.Continue(HpackDecoder.Begin(DecoderState.Initial()), block.AsSpan(0, 1500), DecoderLimits.Default).Case!;
        var a = HpackDecoder.End(p, block.AsSpan(1500), DecoderLimits.Default);
        var b = HpackDecoder.End(p, block.AsSpan(1500), DecoderLimits.Default);
        Assert.Equal(Show(HpackDecoder.Decode(DecoderState.Initial(), block, DecoderLimits.Default)), Show(a));
        Assert.Equal(Show(a), Show(b));
    }

    [Fact(DisplayName = "RFC 9113 §10.5.1: a string too long to keep or index is skipped as it arrives: nothing is held between fragments")]
    public void LongStringNotHeld()
    {
        var (_, block) = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.NoHuffman), [HeaderField.Of("x-big", new string('|', 70_000))]);
        var p = HpackDecoder.Begin(DecoderState.Initial());
        for (var at = 0; at + 16384 < block.Length; at += 16384)
        {
            p = (HeaderBlockProgress)HpackDecoder.Continue(p, block.AsSpan(at, 16384), DecoderLimits.Default).Case!;
            Assert.True(p.HeldOctets < 16, $"{p.HeldOctets} octets held");
        }
        Assert.True(p.ListSizeExceeded);
    }
}
