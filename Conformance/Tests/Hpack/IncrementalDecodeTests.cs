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
        // A string skipped unread (neither kept nor indexed) is not Huffman-checked: only then may fragments be more lenient.
        return whole.IsLeft || Show(whole) == Show(split);
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
