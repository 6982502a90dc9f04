using Http2.Reference.Hpack;

namespace HpackStories;

/// <summary>How one story fared: cases run and passed, the first failure, and the octets before and after compression.</summary>
/// <param name="Cases">Cases in the story (those after the first failure count as failed: they depend on its table).</param>
/// <param name="Passed">Cases that decoded to exactly their headers.</param>
/// <param name="Failure">The first failure in one line (<c>case N (seqno S): ...</c>), or null.</param>
/// <param name="Raw">Octets of names and values.</param>
/// <param name="Wire">Octets of header blocks.</param>
public sealed record StoryOutcome(int Cases, int Passed, string? Failure, long Raw, long Wire);

/// <summary>
/// The two checks run-vectors.sh and the tests make of a story: its wires
/// decode to its headers with one decoder context, and its header lists
/// encoded with one encoder context decode back to themselves.
/// </summary>
public static class StoryCheck
{
    /// <summary>Decodes every case's wire in order (one context); a story stops at its first failure.</summary>
    public static StoryOutcome Decode(Story story, DecoderLimits limits)
    {
        DecoderState? state = null;
        long raw = 0, wire = 0;
        for (var i = 0; i < story.Cases.Count; i++)
        {
            var c = story.Cases[i];
            raw += c.RawLength;
            if (c.Wire is not { } block) return Failed(story, i, raw, wire, "no \"wire\" to decode");
            wire += block.Length;
            var before = StoryContext.DecoderBefore(state, c.HeaderTableSize);
            // LanguageExt's Match refuses null results: "" is success.
            var failure = HpackDecoder.Decode(before, block.Span, limits).Match(
                Right: decoded =>
                {
                    state = decoded.State;
                    return decoded.ListSizeExceeded ? "the header list exceeds the decoder's limits"
                        : Corpus.SameFields(c.Headers, decoded.Fields) ? ""
                        : $"expected {Corpus.Show(c.Headers)} actual {Corpus.Show(decoded.Fields)}";
                },
                Left: e => $"expected {Corpus.Show(c.Headers)} actual error {e}");
            if (failure.Length > 0) return Failed(story, i, raw, wire, failure);
        }
        return new StoryOutcome(story.Cases.Count, story.Cases.Count, null, raw, wire);
    }

    /// <summary>
    /// Encodes every case's headers with <paramref name="strategy"/> (one
    /// context, each <c>header_table_size</c> applied as the peer's new
    /// SETTINGS value) and decodes each block back with a decoder told the same sizes.
    /// </summary>
    public static StoryOutcome RoundTrip(Story story, EncoderStrategy strategy)
    {
        EncoderState? enc = null;
        DecoderState? dec = null;
        long raw = 0, wire = 0;
        for (var i = 0; i < story.Cases.Count; i++)
        {
            var c = story.Cases[i];
            raw += c.RawLength;
            enc = StoryContext.EncoderBefore(enc, c.HeaderTableSize, strategy);
            (enc, var block) = HpackEncoder.Encode(enc, c.Headers);
            wire += block.Length;
            var before = StoryContext.DecoderBefore(dec, c.HeaderTableSize);
            var failure = HpackDecoder.Decode(before, block, DecoderLimits.Unlimited).Match(
                Right: decoded =>
                {
                    dec = decoded.State;
                    return Corpus.SameFields(c.Headers, decoded.Fields) ? ""
                        : $"expected {Corpus.Show(c.Headers)} actual {Corpus.Show(decoded.Fields)} (block {Convert.ToHexStringLower(block)})";
                },
                Left: e => $"expected {Corpus.Show(c.Headers)} actual error {e} (block {Convert.ToHexStringLower(block)})");
            if (failure.Length > 0) return Failed(story, i, raw, wire, failure);
        }
        return new StoryOutcome(story.Cases.Count, story.Cases.Count, null, raw, wire);
    }

    private static StoryOutcome Failed(Story story, int i, long raw, long wire, string why)
    {
        var c = story.Cases[i];
        var name = c.Seqno == i ? $"case {i}" : $"case {i} (seqno {c.Seqno})";
        return new StoryOutcome(story.Cases.Count, i, $"{name}: {why}", raw, wire);
    }
}
