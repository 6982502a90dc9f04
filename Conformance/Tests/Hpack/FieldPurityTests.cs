using System.Reflection;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Http2.Reference;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using LanguageExt;
using Xunit;

namespace Conformance.Tests.Hpack;

/// <summary>
/// A field is an immutable value (RFC 7541 §1.3): encoding writes nothing into
/// the fields it is given, nor into the static table's shared entries (Appendix A),
/// and neither do the connection's RFC 9113 §8.2 checks, so one field can be
/// encoded, decoded into and checked by any number of connections and threads.
/// What the checks learn of a field's octets is part of the value, made with it.
/// </summary>
public class FieldPurityTests
{
    // Every instance field of a HeaderField, public or not, as stored.
    private static object?[] Snapshot(HeaderField f) =>
        [.. typeof(HeaderField).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Select(x => x.GetValue(f))];

    [Fact(DisplayName = "RFC 7541 §2.3.1, §6: encoding leaves the given fields and the static table's entries exactly as they were")]
    public void EncodingWritesNoField()
    {
        HeaderField[] block =
        [
            StaticTable.Get(2), StaticTable.Get(8), StaticTable.Get(32), HeaderField.Of("x-custom", "v"),
            HeaderField.Of(":path", "/a"), HeaderField.Of("cookie", "short"), HeaderField.Of("user-agent", "test", sensitive: true),
        ];
        var statics = StaticTable.Entries.ToArray();
        var before = block.Select(Snapshot).ToArray();
        var staticBefore = statics.Select(Snapshot).ToArray();
        foreach (var strategy in EncoderStrategy.All)
        {
            var state = EncoderState.Initial(strategy);
            for (var i = 0; i < 3; i++) (state, _) = HpackEncoder.Encode(state, block);
        }
        for (var i = 0; i < block.Length; i++) Assert.Equal(before[i], Snapshot(block[i]));
        for (var i = 0; i < statics.Length; i++) Assert.Equal(staticBefore[i], Snapshot(statics[i]));
    }

    [Fact(DisplayName = "RFC 7541 §1.3: every instance field of a HeaderField is read-only (set when it is made, never after)")]
    public void EveryFieldIsReadOnly()
    {
        var writable = typeof(HeaderField).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            .Where(f => !f.IsInitOnly).Select(f => f.Name).ToArray();
        Assert.Empty(writable);
    }

    private static HeaderField F(string name, string value) => new(Bytes.FromUtf8(name), Bytes.FromUtf8(value));

    [Fact(DisplayName = "RFC 9113 §8.2, §8.3: the connection's field checks write nothing into a field (built by a caller, decoded, or the static table's)")]
    public void ValidationWritesNoField()
    {
        // A request decoded twice, so that its second block reads fields from the dynamic table.
        HeaderField[] request =
        [
            F(":method", "GET"), F(":scheme", "https"), F(":path", "/x"), F(":authority", "example.com"),
            F("user-agent", "t"), F("cookie", "a=b"), F("cookie", "c=d"), F("content-length", "0"), F("x-custom", "v"),
        ];
        var (encoder, first) = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Rfc7541), request);
        var (_, second) = HpackEncoder.Encode(encoder, request);
        var decoder = DecoderState.Initial();
        var decoded = new List<IReadOnlyList<HeaderField>>();
        foreach (var block in new[] { first, second })
        {
            var result = (DecodedBlock)HpackDecoder.Decode(decoder, block, DecoderLimits.Default);
            decoder = result.State;
            decoded.Add(result.Fields);
        }
        HeaderField[] response = [F(":status", "200"), F("content-type", "text/plain"), F("Upper", "x"), F("connection", "close"), F("te", "gzip")];
        HeaderField[] trailers = [F("grpc-status", "0"), F("x-bad", " padded")];
        var all = request.Concat(decoded.SelectMany(d => d)).Concat(StaticTable.Entries).Concat(response).Concat(trailers)
            .Concat([HeaderField.Of("x-of", "v"), F("x-with", "v") with { Sensitive = true }]).ToArray();
        var before = all.Select(Snapshot).ToArray();

        Assert.True(FieldValidation.CheckRequest(request, true).IsRight);
        foreach (var d in decoded) Assert.True(FieldValidation.CheckRequest(d, true).IsRight);
        FieldValidation.CheckRequest(StaticTable.Entries, false);
        FieldValidation.CheckResponse(response, false);
        FieldValidation.CheckResponse([.. StaticTable.Entries.Skip(7)], false);
        FieldValidation.CheckTrailers(trailers);
        foreach (var f in all) FieldValidation.CheckRegular(f);
        HttpSemantics.PrepareResponse(response, false, false, Option<HeaderField>.None, Option<HeaderField>.None);
        HttpSemantics.PrepareResponse([StaticTable.Get(8), .. all.Where(f => f.Name.Span[0] != (byte)':')], false, false,
            Option<HeaderField>.None, Option<HeaderField>.None);

        for (var i = 0; i < all.Length; i++) Assert.Equal(before[i], Snapshot(all[i]));
    }

    // Names and values around every §8.2 rule: pseudo-headers, connection-specific names,
    // TE, upper case, colons, whitespace, NUL/CR/LF, and arbitrary octets.
    private static readonly string[] Names =
    [
        ":method", ":path", ":scheme", ":authority", ":status", ":other", ":", "", "cookie", "content-length", "te", "upgrade",
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "x-custom", "X-Upper", "a:b", "sp ace", "accept-encoding",
    ];

    private static readonly string[] Values = ["", "GET", "/", "trailers", "gzip", "12", " lead", "trail\t", "a\rb", "nul\0", "lf\n", "ok value"];

    private static readonly Gen<byte[]> Octets =
        from n in Gen.Choose(0, 20)
        from seed in Gen.Choose(0, int.MaxValue)
        select RandomOctets(seed, n);

    private static byte[] RandomOctets(int seed, int n)
    {
        var octets = new byte[n];
        new Random(seed).NextBytes(octets);
        return octets;
    }

    private static readonly Gen<(byte[] Name, byte[] Value)> Pair =
        from name in Gen.Frequency((4, Gen.Elements(Names).Select(System.Text.Encoding.UTF8.GetBytes)), (1, Octets))
        from value in Gen.Frequency((4, Gen.Elements(Values).Select(System.Text.Encoding.UTF8.GetBytes)), (1, Octets))
        select (name, value);

    [Property(DisplayName = "RFC 9113 §8.2: a decoded field (literal name, static or dynamic table name, indexed) carries the same §8.2 verdicts as its octets", MaxTest = 300)]
    public Property DecodedFactsAreTheOctetsFacts() => Prop.ForAll(Gen.Choose(1, 6).SelectMany(n => Gen.ArrayOf(Pair, n)).ToArbitrary(), pairs =>
    {
        var plain = pairs.Select(p => new HeaderField(p.Name, p.Value)).ToArray();
        foreach (var strategy in EncoderStrategy.All)
        {
            var encoder = EncoderState.Initial(strategy);
            var decoder = DecoderState.Initial();
            for (var round = 0; round < 2; round++)
            {
                (encoder, byte[] block) = HpackEncoder.Encode(encoder, plain);
                var result = (DecodedBlock)HpackDecoder.Decode(decoder, block, DecoderLimits.Unlimited);
                decoder = result.State;
                for (var i = 0; i < plain.Length; i++)
                {
                    var got = result.Fields[i];
                    if (got.Facts != FieldFacts.Of(plain[i].Name.Span, plain[i].Value.Span)) return false;
                    if (Verdict(FieldValidation.CheckRegular(got)) != Verdict(FieldValidation.CheckRegular(plain[i]))) return false;
                }
                if (Verdict(FieldValidation.CheckRequest(result.Fields, true)) != Verdict(FieldValidation.CheckRequest(plain, true))) return false;
                if (Verdict(FieldValidation.CheckResponse(result.Fields, true)) != Verdict(FieldValidation.CheckResponse(plain, true))) return false;
            }
        }
        return plain.All(f => HeaderField.Of(f.NameText, f.ValueText) is var of
                               && of.Facts == FieldFacts.Of(of.Name.Span, of.Value.Span));
    });

    private static string Verdict<T>(Either<Malformed, T> result) => result.Match(Right: _ => "ok", Left: m => m.Section + " " + m.Reason);

    [Fact(DisplayName = "RFC 7541 Appendix A, RFC 9113 §8.2: the static table's entries are made with their §8.2 verdicts")]
    public void StaticEntriesCarryTheirFacts()
    {
        foreach (var f in StaticTable.Entries)
        {
            Assert.NotEqual(0, f.Facts);
            Assert.Equal(FieldFacts.Of(f.Name.Span, f.Value.Span), f.Facts);
        }
    }
}
