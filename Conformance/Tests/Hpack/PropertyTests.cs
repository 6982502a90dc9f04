using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Http2.Reference;
using Http2.Reference.Hpack;
using static Conformance.Tests.Hpack.HpackTestKit;

namespace Conformance.Tests.Hpack;

/// <summary>Properties over whole sequences of blocks: round trips for every strategy, totality of the decoder, replay.</summary>
public class PropertyTests
{
    /// <summary>One step of a connection: a block of fields, or a new SETTINGS_HEADER_TABLE_SIZE (acknowledged).</summary>
    public sealed record Step(IReadOnlyList<HeaderField>? Block, int? TableSize)
    {
        public override string ToString() => Block is null ? $"size {TableSize}" : $"[{string.Join(", ", Block)}]";
    }

    private static readonly string[] Names =
        [":method", ":path", ":authority", ":status", "cookie", "authorization", "user-agent", "set-cookie", "x-custom", "content-length", "etag", "accept"];

    private static readonly string[] Values = ["", "GET", "/", "/index.html", "200", "example.com", "a", "0123456789abcdefghijk"];

    // Octets from a generated seed: much faster than one generator per octet, and still reproducible from FsCheck's seed.
    private static Gen<Bytes> Octets(int max) =>
        from n in Gen.Choose(0, max)
        from seed in Gen.Choose(0, int.MaxValue)
        select new Bytes(RandomOctets(seed, n));

    private static byte[] RandomOctets(int seed, int n)
    {
        var octets = new byte[n];
        new Random(seed).NextBytes(octets);
        return octets;
    }

    private static readonly Gen<HeaderField> Field =
        from name in Gen.OneOf(Gen.Elements(Names).Select(Bytes.FromUtf8), Octets(12))
        from value in Gen.Frequency((3, Gen.Elements(Values).Select(Bytes.FromUtf8)), (2, Octets(40)), (1, Octets(700)))
        from sensitive in Gen.Frequency((9, Gen.Constant(false)), (1, Gen.Constant(true)))
        select new HeaderField(name, value, sensitive);

    private static readonly Gen<Step> StepGen = Gen.Frequency(
        (8, Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(Field, n)).Select(fs => new Step(fs, null))),
        (1, Gen.Elements(0, 32, 100, 256, 1024, 4096, 8192).Select(n => new Step(null, (int?)n))));

    private static Arbitrary<(int Strategy, Step[] Steps)> Scripts() =>
        (from s in Gen.Choose(0, EncoderStrategy.All.Count - 1)
         from n in Gen.Choose(1, 25)
         from steps in Gen.ArrayOf(StepGen, n)
         select (s, steps)).ToArbitrary();

    /// <summary>Runs a script through an encoder and a decoder; returns the blocks, or throws with the first mismatch.</summary>
    private static List<byte[]> RoundTrip(EncoderState enc, DecoderState dec, IEnumerable<Step> steps, out EncoderState encOut, out DecoderState decOut)
    {
        var blocks = new List<byte[]>();
        foreach (var step in steps)
        {
            if (step.TableSize is { } size)
            {
                dec = dec.WithSettingsTableSize(size);
                enc = enc.WithTableSize(size);
                continue;
            }
            (enc, var block) = HpackEncoder.Encode(enc, step.Block!);
            blocks.Add(block);
            var decoded = DecodeOk(dec, block);
            dec = decoded.State;
            if (decoded.Fields.Count != step.Block!.Count) throw new Xunit.Sdk.XunitException($"field count differs for {step}");
            for (var i = 0; i < decoded.Fields.Count; i++)
            {
                var (sent, got) = (step.Block[i], decoded.Fields[i]);
                if (sent.Name != got.Name || sent.Value != got.Value || (sent.Sensitive && !got.Sensitive))
                    throw new Xunit.Sdk.XunitException($"field {i}: sent {sent}, decoded {got}, block {ToHex(block)}");
            }
            if (!enc.Table.Select(f => (f.Name, f.Value)).SequenceEqual(dec.Table.Select(f => (f.Name, f.Value))))
                throw new Xunit.Sdk.XunitException("encoder and decoder tables differ");
        }
        encOut = enc;
        decOut = dec;
        return blocks;
    }

    [Property(DisplayName = "RFC 7541 §2.2, §4: decode(encode(x)) = x over block sequences with table-size changes, for every strategy", MaxTest = 150)]
    public Property RoundTripsEveryStrategy() => Prop.ForAll(Scripts(), script =>
    {
        var strategy = EncoderStrategy.All[script.Strategy];
        RoundTrip(EncoderState.Initial(strategy), DecoderState.Initial(), script.Steps, out _, out _);
        RoundTrip(EncoderState.Initial(strategy, 1024), DecoderState.Initial(), script.Steps, out _, out _);
        return true;
    });

    [Property(DisplayName = "RFC 7541 §2.2: replaying from a saved state gives the same blocks, fields and tables", MaxTest = 60)]
    public Property Replay() => Prop.ForAll(Scripts(), script =>
    {
        var strategy = EncoderStrategy.All[script.Strategy];
        var half = script.Steps.Length / 2;
        RoundTrip(EncoderState.Initial(strategy), DecoderState.Initial(), script.Steps.Take(half), out var enc, out var dec);
        var first = RoundTrip(enc, dec, script.Steps.Skip(half), out var enc1, out var dec1);
        var second = RoundTrip(enc, dec, script.Steps.Skip(half), out var enc2, out var dec2);
        return first.Count == second.Count
               && first.Zip(second, (a, b) => a.AsSpan().SequenceEqual(b)).All(same => same)
               && enc1.Table.SequenceEqual(enc2.Table)
               && dec1.Table.SequenceEqual(dec2.Table);
    });

    [Property(DisplayName = "RFC 7541: decoding arbitrary octets never throws (an error value or fields)", MaxTest = 2000)]
    public bool ArbitraryBytesNeverThrow(byte[] block, bool warm)
    {
        var state = warm ? DecodeOk(DecoderState.Initial(), Hex("4003666f6f03626172" + "400362617a0362757a")).State : DecoderState.Initial();
        _ = HpackDecoder.Decode(state, block, DecoderLimits.Default);
        _ = HpackDecoder.Decode(state.WithSettingsTableSize(100), block, new DecoderLimits(100, 3, 10));
        _ = HpackDecoder.Explain(state, block);
        return true;
    }

    [Property(DisplayName = "RFC 7541 §5.2 / Appendix B: Huffman decode(encode(s)) = s, and the length is predicted", MaxTest = 500)]
    public bool HuffmanRoundTrip(byte[] s)
    {
        var coded = new byte[Huffman.EncodedLength(s)];
        var n = Huffman.Encode(s, coded);
        var decoded = new byte[Huffman.MaxDecodedLength(n)];
        return n == coded.Length
               && Huffman.Decode(coded, decoded, out var written) == HuffmanStatus.Ok
               && decoded.AsSpan(0, written).SequenceEqual(s);
    }

    [Property(DisplayName = "RFC 7541 §5.1: integers round-trip with every prefix", MaxTest = 500)]
    public bool IntegerRoundTrip(NonNegativeInt value, byte prefixSeed)
    {
        var prefix = prefixSeed % 8 + 1;
        var buffer = new byte[8];
        var n = Integer.Write(buffer, value.Get, prefix, 0);
        return Integer.TryRead(buffer.AsSpan(0, n), prefix, out var read, out var consumed) == IntegerStatus.Ok
               && read == value.Get && consumed == n && n == Integer.EncodedLength(value.Get, prefix);
    }
}
