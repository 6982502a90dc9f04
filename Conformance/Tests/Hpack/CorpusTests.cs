using HpackStories;
using Http2.Reference.Hpack;
using Xunit;

namespace Conformance.Tests.Hpack;

/// <summary>hpack-test-case (HPACK_TEST_CASE_DIR): other implementations' wires decode exactly; our encodings of raw-data decode back.</summary>
public class CorpusTests
{
    [Theory(DisplayName = "hpack-test-case: every story of the implementation folder decodes exactly")]
    [MemberData(nameof(Corpus.Folders), MemberType = typeof(Corpus))]
    public void Decodes(string folder)
    {
        Corpus.Require();
        var stories = Corpus.Load(folder);
        if (stories.All(s => s.Cases.All(c => c.Wire is null))) return; // raw-data: nothing to decode (covered by the encoder tests)
        var failures = new List<string>();
        var cases = 0;
        foreach (var story in stories)
        {
            var outcome = StoryCheck.Decode(story, DecoderLimits.Unlimited);
            cases += outcome.Cases;
            if (outcome.Failure is { } f) failures.Add($"{folder}/{story.Name} {f}");
        }
        Assert.True(cases > 0);
        if (failures.Count > 0) Assert.Fail(string.Join("\n", failures));
    }

    public static TheoryData<string, int, bool> Encodings()
    {
        var data = new TheoryData<string, int, bool>();
        foreach (var s in EncoderStrategy.All)
            foreach (var size in new[] { 4096, 16384 })
                foreach (var changes in new[] { false, true })
                    data.Add(s.Name, size, changes);
        return data;
    }

    /// <summary>The table sizes the peer announces before case <paramref name="i"/> of <paramref name="n"/> (changes mid-story).</summary>
    internal static int[] SizeChangesBefore(int i, int n, int size) =>
        n < 4 ? [] : i == n / 4 ? [256] : i == n / 2 ? [0, 1024] : i == 3 * n / 4 ? [size] : [];

    [Theory(DisplayName = "hpack-test-case raw-data: every story encoded with the strategy decodes back exactly (RFC 7541 §2.2)")]
    [MemberData(nameof(Encodings))]
    public void RoundTrips(string strategyName, int size, bool changes)
    {
        Corpus.Require();
        var strategy = EncoderStrategy.Find(strategyName).IfNone(() => throw new InvalidOperationException(strategyName));
        var failures = new List<string>();
        long raw = 0, encoded = 0;
        foreach (var story in Corpus.Load("raw-data"))
        {
            var enc = EncoderState.Initial(strategy, size).WithTableSize(size);
            var dec = DecoderState.Initial().WithSettingsTableSize(size);
            for (var i = 0; i < story.Cases.Count; i++)
            {
                var c = story.Cases[i];
                foreach (var change in changes ? SizeChangesBefore(i, story.Cases.Count, size) : [])
                {
                    enc = enc.WithTableSize(change);
                    dec = dec.WithSettingsTableSize(change);
                }
                (enc, var block) = HpackEncoder.Encode(enc, c.Headers);
                raw += c.Headers.Sum(f => f.Name.Length + f.Value.Length);
                encoded += block.Length;
                var failure = HpackDecoder.Decode(dec, block, DecoderLimits.Unlimited).Match(
                    Right: d =>
                    {
                        dec = d.State;
                        return Corpus.SameFields(c.Headers, d.Fields) ? "" : $"expected {Corpus.Show(c.Headers)}, got {Corpus.Show(d.Fields)}";
                    },
                    Left: e => $"error {e} on {Convert.ToHexStringLower(block)}");
                if (failure.Length > 0)
                {
                    failures.Add($"{story.Name} seqno {c.Seqno}: {failure}");
                    break;
                }
            }
        }
        if (failures.Count > 0) Assert.Fail(string.Join("\n", failures));
        Assert.True(encoded < raw || strategy.Indexing == IndexingPolicy.Never || strategy.Huffman == HuffmanPolicy.Always,
            $"{strategyName} compressed {raw} octets to {encoded}");
    }

    [Fact(DisplayName = "hpack-test-case raw-data: the nghttp2 strategy compresses no worse than libnghttp2 (ratio 0.309)")]
    public void Nghttp2Ratio()
    {
        Corpus.Require();
        long raw = 0, encoded = 0;
        foreach (var story in Corpus.Load("raw-data"))
        {
            var enc = EncoderState.Initial(EncoderStrategy.Nghttp2);
            foreach (var c in story.Cases)
            {
                (enc, var block) = HpackEncoder.Encode(enc, c.Headers);
                raw += c.Headers.Sum(f => f.Name.Length + f.Value.Length);
                encoded += block.Length;
            }
        }
        Assert.InRange((double)encoded / raw, 0.0, 0.309);
    }
}
