using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Http2.Reference.Hpack;
using Xunit;
using static Conformance.Tests.Hpack.HpackTestKit;

namespace Conformance.Tests.Hpack;

/// <summary>
/// The table-driven Huffman decoder against the definition: a bit-by-bit
/// reading of RFC 7541 Appendix B (every code compared as written there) with
/// §5.2's rules for EOS and padding, over arbitrary octets (almost all of
/// them invalid) and over valid strings cut or extended by a few bits.
/// </summary>
public class HuffmanDecoderTests
{
    // Reads codes MSB first by comparing the accumulated bits with every code of that length.
    private static (HuffmanStatus Status, byte[] Octets) Reference(byte[] coded)
    {
        var codes = HuffmanCode.Codes.ToArray();
        var lengths = HuffmanCode.Lengths.ToArray();
        var output = new List<byte>();
        uint code = 0;
        var length = 0;
        for (var i = 0; i < coded.Length * 8; i++)
        {
            code = (code << 1) | (uint)((coded[i / 8] >> (7 - i % 8)) & 1);
            length++;
            for (var sym = 0; sym <= HuffmanCode.Eos; sym++)
            {
                if (lengths[sym] != length || codes[sym] != code) continue;
                if (sym == HuffmanCode.Eos) return (HuffmanStatus.Eos, [.. output]); // §5.2: EOS in a string is an error
                output.Add((byte)sym);
                code = 0;
                length = 0;
                break;
            }
        }
        // §5.2: the rest is padding: fewer than 8 bits, all ones.
        var ok = length <= 7 && code == (1u << length) - 1;
        return (ok ? HuffmanStatus.Ok : HuffmanStatus.BadPadding, [.. output]);
    }

    private static void Agrees(byte[] coded)
    {
        var (status, octets) = Reference(coded);
        var destination = new byte[Huffman.MaxDecodedLength(coded.Length)];
        var actual = Huffman.Decode(coded, destination, out var written);
        Assert.Equal(status, actual);
        if (status == HuffmanStatus.Ok) Assert.Equal(ToHex(octets), ToHex(destination[..written]));
        // Read inside a block, with octets after it (ones look like padding and EOS): the same.
        foreach (var after in (byte[][])[[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0, 0, 0, 0, 0, 0, 0, 0, 0x80]])
            AgreesInBlock(coded, after, status, octets);
    }

    private static void AgreesInBlock(byte[] coded, byte[] after, HuffmanStatus status, byte[] octets)
    {
        var destination = new byte[Huffman.MaxDecodedLength(coded.Length)];
        var actual = Huffman.Decode([.. coded, .. after], coded.Length, destination, out var written, out _);
        Assert.Equal(status, actual);
        if (status == HuffmanStatus.Ok) Assert.Equal(ToHex(octets), ToHex(destination[..written]));
    }

    [Property(DisplayName = "RFC 7541 §5.2: a string decoded where it lies in its block, arbitrary octets after it, decodes as the string alone", MaxTest = 2000)]
    public void InsideABlock(byte[] text, byte[] after, bool valid)
    {
        var coded = text;
        if (valid)
        {
            coded = new byte[Huffman.EncodedLength(text)];
            Huffman.Encode(text, coded);
        }
        var (status, octets) = Reference(coded);
        AgreesInBlock(coded, after, status, octets);
    }

    [Property(DisplayName = "RFC 9113 §8.2.1, RFC 7541 Appendix B: the Huffman decoder reports exactly the classes of the octets it decoded (not in a name; NUL, CR or LF)", MaxTest = 2000)]
    public bool ClassesOfDecodedOctets(byte[] s, byte[] extra)
    {
        // Text with the octets §8.2.1 singles out, and arbitrary octets.
        byte[] text = [.. s, .. extra.Select(b => "A :\0\r\nz-"u8[b % 8])];
        var coded = new byte[Huffman.EncodedLength(text)];
        Huffman.Encode(text, coded);
        var decoded = new byte[Huffman.MaxDecodedLength(coded.Length)];
        if (Huffman.Decode(coded, decoded, out var written, out var classes) != HuffmanStatus.Ok) return false;
        var octets = decoded.AsSpan(0, written);
        var notName = octets.IndexOfAny(Http2.Reference.Hpack.FieldFacts.NotInName) >= 0;
        var notValue = octets.IndexOfAny((byte)0, (byte)'\r', (byte)'\n') >= 0;
        return octets.SequenceEqual(text)
               && ((classes & Huffman.NotNameOctet) != 0) == notName
               && ((classes & Huffman.NotValueOctet) != 0) == notValue;
    }

    [Property(DisplayName = "RFC 7541 §5.2, Appendix B: on arbitrary octets the Huffman decoder gives what a bit-by-bit reading of the code gives (octets, EOS, bad padding)", MaxTest = 2000)]
    public void ArbitraryOctets(byte[] coded) => Agrees(coded);

    public static Gen<byte[]> NearlyValid() =>
        from text in ArbMap.Default.GeneratorFor<byte[]>()
        from cut in Gen.Choose(0, 3)
        from extra in Gen.Elements<byte>(0xff, 0xfe, 0x7f, 0x00)
        select Mutate(text, cut, extra);

    private static byte[] Mutate(byte[] text, int cut, byte extra)
    {
        var coded = new byte[Huffman.EncodedLength(text)];
        Huffman.Encode(text, coded);
        return cut switch
        {
            0 => coded,
            1 => coded.Length > 0 ? coded[..^1] : coded,
            2 => [.. coded, extra],
            _ => [.. coded, 0xff, 0xff, 0xff, extra],
        };
    }

    [Property(DisplayName = "RFC 7541 §5.2: valid Huffman strings, cut short or followed by ones or zeros, decode as the bit-by-bit reading says", MaxTest = 1000)]
    public Property NearlyValidStrings() => Prop.ForAll(NearlyValid().ToArbitrary(), Agrees);

    [Theory(DisplayName = "RFC 7541 §5.2: codes longer than the decoder's 12-bit lookup, EOS at the end, and padding of 0 to 8 bits")]
    [InlineData("")]
    [InlineData("ff")]               // 8 one bits: padding too long
    [InlineData("fe")]               // 7 ones then 0: not all ones
    [InlineData("1f")]               // 'a' (00011) + 111: padding of 3
    [InlineData("18")]               // 'a' + 000: padding not ones
    [InlineData("ffc7")]             // 1111111111000 ... : the 13-bit code of 0x00
    [InlineData("ffc7ff")]           // 0x00 then 11 ones of padding: too long
    [InlineData("fffffffc")]         // EOS (30 ones) then 00
    [InlineData("ffffffff")]         // EOS then 11
    [InlineData("fffffff3ff")]       // 0x0a (30 bits) then ones
    [InlineData("94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007")] // RFC 7541 C.6.1
    public void Edges(string hex) => Agrees(Hex(hex));

    // The streaming check (for strings skipped unread) fed in two pieces cut at `cut`: well coded or not.
    private static bool CheckedInPieces(byte[] coded, int cut)
    {
        cut = coded.Length == 0 ? 0 : Math.Abs(cut % (coded.Length + 1));
        var state = Huffman.Check(Huffman.Check(Huffman.CheckStart, coded.AsSpan(0, cut)), coded.AsSpan(cut));
        return Huffman.CheckEnd(state);
    }

    private static bool DecodesOk(byte[] coded) =>
        Huffman.Decode(coded, new byte[Huffman.MaxDecodedLength(coded.Length)], out _) == HuffmanStatus.Ok;

    [Property(DisplayName = "RFC 7541 §5.2: the check of a skipped string, in pieces, accepts exactly what decoding accepts (arbitrary octets)", MaxTest = 2000)]
    public bool CheckAgreesOnArbitraryOctets(byte[] coded, int cut) => CheckedInPieces(coded, cut) == DecodesOk(coded);

    [Property(DisplayName = "RFC 7541 §5.2: the check of a skipped string, in pieces, accepts exactly what decoding accepts (nearly valid strings)", MaxTest = 1000)]
    public Property CheckAgreesOnNearlyValid() =>
        Prop.ForAll(NearlyValid().ToArbitrary(), Gen.Choose(0, 1000).ToArbitrary(), (coded, cut) => CheckedInPieces(coded, cut) == DecodesOk(coded));

    [Theory(DisplayName = "RFC 7541 §5.2: the check of a skipped string at the edges (EOS, padding of 0 to 8 bits, long codes)")]
    [InlineData("", true)]
    [InlineData("ff", false)]
    [InlineData("fe", false)]
    [InlineData("1f", true)]
    [InlineData("18", false)]
    [InlineData("ffc7", true)]        // the 13-bit code of 0x00, then 3 one bits
    [InlineData("ffc7ff", false)]
    [InlineData("fffffffc", false)]
    [InlineData("ffffffff", false)]
    [InlineData("fffffff3ff", false)]
    [InlineData("94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007", true)]
    public void CheckEdges(string hex, bool valid)
    {
        Assert.Equal(valid, DecodesOk(Hex(hex)));
        for (var cut = 0; cut <= Hex(hex).Length; cut++) Assert.Equal(valid, CheckedInPieces(Hex(hex), cut));
    }
}
