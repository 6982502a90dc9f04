using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Conformance.Suite.Client;
using Xunit;

namespace Conformance.Tests.Suite;

/// <summary>The client's octets: raw frame headers, and hand-made HPACK checked against the core's decoder (valid ones decode, broken ones fail with the rule the case names).</summary>
public class WireTests
{
    [Fact(DisplayName = "RFC 9113 §4.1: a raw frame header is length(24) type flags R+stream(31), the reserved bit settable on purpose")]
    public void Raw_header()
    {
        Assert.Equal("000004060000000001", Convert.ToHexStringLower(Wire.Header(4, 6, 0, 1)));
        Assert.Equal("ffffff01ff80000003", Convert.ToHexStringLower(Wire.Header(0xffffff, 1, 0xff, 3, reservedBit: true)));
    }

    [Fact(DisplayName = "RFC 9113 §4.1: what the client writes, the client reads back (core writer and reader)")]
    public void Round_trip()
    {
        Frame[] frames = [new PingFrame(false, 42), new GoAwayFrame(3, ErrorCode.ProtocolError, Bytes.FromUtf8("x")), new RstStreamFrame(1, ErrorCode.Cancel),
            new WindowUpdateFrame(0, 5), new HeadersFrame(1, new byte[] { 0x82 }), new DataFrame(1, new byte[] { 1, 2 }, true)];
        foreach (var f in frames)
        {
            var bytes = Wire.Encode(f);
            var read = Wire.TryRead(bytes);
            Assert.True(read.IsSome);
            foreach (var (back, consumed) in read)
            {
                Assert.Equal(bytes.Length, consumed);
                Assert.Equal(f, back);
            }
        }
        Assert.True(Wire.TryRead(Wire.Encode(new PingFrame(false, 1))[..16]).IsNone);
    }

    [Fact(DisplayName = "RFC 9113 §4.1: a frame the core rejects still reaches the report, as its raw parts")]
    public void Broken_frames_are_reported_raw()
    {
        var bytes = Wire.Raw(0x6, 0, 0, new byte[6]);   // PING of 6 octets
        foreach (var (f, _) in Wire.TryRead(bytes))
            Assert.Equal(new UnknownFrame(FrameType.Ping, 0, 0, new byte[6]), f);
    }

    [Theory(DisplayName = "RFC 7541 §5.1: integers with an N-bit prefix (Appendix C.1)")]
    [InlineData(10, 5, "0a")]
    [InlineData(1337, 5, "1f9a0a")]
    [InlineData(42, 8, "2a")]
    public void Integers(int value, int prefix, string hex) =>
        Assert.Equal(hex, Convert.ToHexStringLower(HpackBytes.Integer(value, prefix)));

    static Either Decode(byte[] block) => HpackDecoder.Decode(DecoderState.Initial(), block, DecoderLimits.Default)
        .Match(ok => new Either(ok.Fields, null), err => new Either(null, err));

    sealed record Either(IReadOnlyList<HeaderField>? Fields, HpackError? Error);

    [Fact(DisplayName = "RFC 7541 §6.2: the well-formed representations the cases send decode to the intended fields")]
    public void Valid_representations_decode()
    {
        byte[] block = [.. HpackBytes.Field("x-a", "1"),
            .. HpackBytes.LiteralIndexedName(24, HpackBytes.Huffman(HpackBytes.Examples.NoCache), HpackBytes.Literal.Incremental),
            .. HpackBytes.LiteralNewName(HpackBytes.Huffman(HpackBytes.Examples.CustomKey), HpackBytes.Huffman(HpackBytes.Examples.CustomValue), HpackBytes.Literal.NeverIndexed),
            .. HpackBytes.Indexed(62)];
        var r = Decode(block);
        Assert.Null(r.Error);
        Assert.Equal(["x-a: 1", "cache-control: no-cache", "custom-key: custom-value", "cache-control: no-cache"],
            r.Fields!.Select(f => $"{f.NameText}: {f.ValueText}"));
        Assert.Equal(":authority: www.example.com",
            Decode(HpackBytes.LiteralIndexedName(1, HpackBytes.Huffman(HpackBytes.Examples.WwwExampleCom))).Fields!.Select(f => $"{f.NameText}: {f.ValueText}").Single());
    }

    [Theory(DisplayName = "RFC 7541: the broken indices the cases send are decoding errors of the section they cite")]
    [InlineData("80", "6.1")]      // index 0
    [InlineData("c6", "2.3.3")]    // index 70 with an empty dynamic table
    public void Broken_indices_fail(string hex, string section)
    {
        var r = Decode(Convert.FromHexString(hex));
        Assert.NotNull(r.Error);
        Assert.Equal(section, r.Error!.Section);
    }

    [Fact(DisplayName = "RFC 7541 §5.2: EOS in a Huffman string, padding longer than 7 bits, and padding that is not EOS's prefix are decoding errors")]
    public void Huffman_errors()
    {
        Assert.NotNull(Decode(HpackBytes.LiteralNewName(HpackBytes.String("x"), HpackBytes.Huffman([0x18]))).Error);
        Assert.NotNull(Decode(HpackBytes.LiteralNewName(HpackBytes.String("x"), HpackBytes.Huffman([0xff, 0xff, 0xff, 0xff]))).Error);
        Assert.NotNull(Decode(HpackBytes.LiteralNewName(HpackBytes.String("x"), HpackBytes.Huffman([0x1f, 0xff]))).Error);
    }

    [Fact(DisplayName = "RFC 7541 §4.2, §6.3: a size update above the limit, or after a field, is a decoding error")]
    public void Size_update_errors()
    {
        Assert.NotNull(Decode([.. HpackBytes.SizeUpdate(4097), .. HpackBytes.Field("x", "1")]).Error);
        Assert.NotNull(Decode([.. HpackBytes.Field("x", "1"), .. HpackBytes.SizeUpdate(0)]).Error);
        Assert.Null(Decode([.. HpackBytes.SizeUpdate(0), .. HpackBytes.SizeUpdate(4096), .. HpackBytes.Field("x", "1")]).Error);
    }
}
