using Http2.Reference;
using Http2.Reference.Hpack;
using Xunit;
using static Conformance.Tests.Hpack.HpackTestKit;

namespace Conformance.Tests.Hpack;

/// <summary>The representation-level walk (for <c>hpack explain</c>) and §7.1.3 sensitive fields.</summary>
public class ExplainAndSensitiveTests
{
    [Fact(DisplayName = "RFC 7541 §6: Explain lists each representation with offset, length, kind, index and encodings")]
    public void ExplainsEveryKind()
    {
        // size update 0, size update 4096, indexed 2, incremental new name (raw) foo: Huffman "foo", without indexing :path (idx 4), never indexed.
        var block = Hex("20" + "3fe11f" + "82" + "4003666f6f8294e7" + "040161" + "10016101" + "62");
        var x = HpackDecoder.Explain(DecoderState.Initial(), block);
        Assert.True(x.Outcome.IsRight);
        Assert.Equal(
            [RepresentationKind.SizeUpdate, RepresentationKind.SizeUpdate, RepresentationKind.Indexed, RepresentationKind.LiteralWithIncrementalIndexing,
             RepresentationKind.LiteralWithoutIndexing, RepresentationKind.LiteralNeverIndexed],
            x.Representations.Select(r => r.Kind));
        Assert.Equal([0, 1, 4, 5, 13, 16], x.Representations.Select(r => r.Offset));
        Assert.Equal([1, 3, 1, 8, 3, 5], x.Representations.Select(r => r.Length));
        Assert.Equal([0, 0, 2, 0, 4, 0], x.Representations.Select(r => r.Index));
        Assert.Equal(4096, x.Representations[1].NewMaxSize);
        Assert.Equal((StringEncoding.Raw, StringEncoding.Huffman), (x.Representations[3].NameEncoding, x.Representations[3].ValueEncoding));
        Assert.Equal("foo: foo", $"{x.Representations[3].Name.ToUtf8()}: {x.Representations[3].Value.ToUtf8()}");
        Assert.Equal(StringEncoding.None, x.Representations[4].NameEncoding);
        var table = x.Outcome.Match(s => s.Table, _ => DynamicTable.Empty(0));
        Assert.Equal("[1] (s=38) foo: foo\n", Print(table));
    }

    [Fact(DisplayName = "RFC 7541 §6: Explain keeps the representations read before an error, and the error")]
    public void ExplainsUpToError()
    {
        var x = HpackDecoder.Explain(DecoderState.Initial(), Hex("8280"));
        Assert.Single(x.Representations);
        Assert.Equal(1, x.Outcome.Match(_ => -1, e => e.Offset));
    }

    [Theory(DisplayName = "RFC 7541 §7.1.3: a sensitive field is a never-indexed literal under every strategy, and decodes as sensitive")]
    [MemberData(nameof(Strategies))]
    public void SensitiveNeverIndexed(string strategyName)
    {
        var strategy = EncoderStrategy.Find(strategyName).IfNone(() => throw new InvalidOperationException());
        var state = EncoderState.Initial(strategy);
        (state, var first) = HpackEncoder.Encode(state, [F("x-secret", "s3cr3t", sensitive: true), F(":method", "GET", sensitive: true)]);
        (state, var second) = HpackEncoder.Encode(state, [F("x-secret", "s3cr3t", sensitive: true)]);
        Assert.Empty(state.Table);
        var x = HpackDecoder.Explain(DecoderState.Initial(), first);
        Assert.All(x.Representations, r => Assert.Equal(RepresentationKind.LiteralNeverIndexed, r.Kind));
        Assert.Equal(2, x.Representations[1].Index); // only the name may be indexed
        var d = DecodeOk(DecoderState.Initial(), second);
        Assert.True(d.Fields.Single().Sensitive);
    }

    public static TheoryData<string> Strategies() => [.. EncoderStrategy.All.Select(s => s.Name)];

    [Fact(DisplayName = "Strategies: every predefined strategy is listed once and found by name")]
    public void StrategiesByName()
    {
        Assert.Equal(EncoderStrategy.All.Count, EncoderStrategy.All.Select(s => s.Name).Distinct().Count());
        Assert.True(EncoderStrategy.Find("NGHTTP2").IsSome);
        Assert.True(EncoderStrategy.Find("nope").IsNone);
        Assert.Contains(EncoderStrategy.NoHuffman, EncoderStrategy.All);
        Assert.Contains(EncoderStrategy.NoIndexing, EncoderStrategy.All);
        Assert.Contains(EncoderStrategy.AlwaysHuffman, EncoderStrategy.All);
    }

    [Fact(DisplayName = "Strategies: no-huffman never sets H, always-huffman always does, no-indexing leaves the table empty")]
    public void PlainStrategies()
    {
        var fields = new[] { F("x-a", "hello world"), F("user-agent", "zzzz") };
        var raw = HpackDecoder.Explain(DecoderState.Initial(), HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.NoHuffman), fields).Block);
        Assert.All(raw.Representations, r => Assert.NotEqual(StringEncoding.Huffman, r.ValueEncoding));
        var huff = HpackDecoder.Explain(DecoderState.Initial(), HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.AlwaysHuffman), fields).Block);
        Assert.All(huff.Representations, r => Assert.Equal(StringEncoding.Huffman, r.ValueEncoding));
        var (state, block) = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.NoIndexing), fields);
        Assert.Empty(state.Table);
        Assert.All(HpackDecoder.Explain(DecoderState.Initial(), block).Representations,
            r => Assert.Equal(RepresentationKind.LiteralWithoutIndexing, r.Kind));
    }

    [Fact(DisplayName = "RFC 7541 §2.2: encoding leaves the input state untouched (old state replays identically)")]
    public void EncoderStateImmutable()
    {
        var s0 = EncoderState.Initial(EncoderStrategy.Nghttp2);
        var (s1, a) = HpackEncoder.Encode(s0, [F("x-a", "1")]);
        var (_, b) = HpackEncoder.Encode(s0, [F("x-a", "1")]);
        Assert.Empty(s0.Table);
        Assert.Single(s1.Table);
        Assert.Equal(a, b);
    }

    [Fact(DisplayName = "Encoder: the IBufferWriter overload writes the same block as the array overload")]
    public void BufferWriterOverload()
    {
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        var fields = new[] { F(":status", "200"), F("content-type", "text/html"), F("x-long", new string('q', 5000)) };
        var s = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), fields, writer);
        var (s2, block) = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), fields);
        Assert.Equal(block, writer.WrittenSpan.ToArray());
        Assert.Equal(s.Table, s2.Table.ToArray(), (x, y) => x.Name == y.Name && x.Value == y.Value);
    }

    [Fact(DisplayName = "Encoder: entries in the table do not alias the caller's buffers")]
    public void TableOwnsItsOctets()
    {
        var buffer = "x-name"u8.ToArray();
        var value = "value"u8.ToArray();
        var (state, _) = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), [new HeaderField(buffer, value)]);
        buffer[0] = (byte)'y';
        value[0] = (byte)'V';
        Assert.Equal("x-name: value", $"{state.Table[0].NameText}: {state.Table[0].ValueText}");
    }

    [Fact(DisplayName = "RFC 7541 §2.2: a state replayed after a newer one has moved on keeps its own table and lookups")]
    public void StaleBranchesStayValid()
    {
        var s0 = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Nghttp2), [F("x-a", "0")]).State;
        var s1 = HpackEncoder.Encode(s0, [F("x-a", "1")]).State;
        var s1b = HpackEncoder.Encode(s0, [F("x-a", "2"), F("x-b", "2")]).State; // a second branch from s0
        Assert.Equal(["x-a: 1", "x-a: 0"], s1.Table.Select(f => $"{f.NameText}: {f.ValueText}"));
        Assert.Equal(["x-b: 2", "x-a: 2", "x-a: 0"], s1b.Table.Select(f => $"{f.NameText}: {f.ValueText}"));
        Assert.Equal("be", ToHex(HpackEncoder.Encode(s1, [F("x-a", "1")]).Block));   // index 62 in s1
        Assert.Equal("bf", ToHex(HpackEncoder.Encode(s1b, [F("x-a", "2")]).Block));  // index 63 in s1b
        Assert.Equal("bf", ToHex(HpackEncoder.Encode(s1, [F("x-a", "0")]).Block));
        var d0 = DecodeOk(DecoderState.Initial(), Hex("4003782d610130")).State;
        var d1 = DecodeOk(d0, Hex("4003782d610131")).State;
        var d1b = DecodeOk(d0, Hex("4003782d610132")).State;
        Assert.Equal("1", d1.Table[0].ValueText);
        Assert.Equal("2", d1b.Table[0].ValueText);
        Assert.Equal("0", d1.Table[1].ValueText);
    }

    [Fact(DisplayName = "RFC 7541 §4.4: thousands of insertions through a small table keep the newest entries in order")]
    public void ManyInsertions()
    {
        var enc = EncoderState.Initial(EncoderStrategy.Rfc7541, 256);
        var dec = DecoderState.Initial();
        for (var i = 0; i < 5000; i++)
        {
            (enc, var block) = HpackEncoder.Encode(enc, [F("x-n", i.ToString()), F("x-m", (i % 7).ToString())]);
            dec = DecodeOk(dec, block).State;
        }
        Assert.Equal(enc.Table.Select(f => f.ToString()), dec.Table.Select(f => f.ToString()));
        Assert.Equal("x-m: 1", enc.Table[0].ToString()); // 4999 % 7 = 1, evicted since 4992
        Assert.Equal("x-n: 4999", enc.Table[1].ToString());
    }
}
