using HpackStories;
using Http2.Reference;
using Http2.Reference.Hpack;

namespace Tools.Cli;

/// <summary>
/// Decoding stories case by case with one decoder context, the way
/// hpack-test-case defines it: a case's <c>header_table_size</c> is the
/// SETTINGS_HEADER_TABLE_SIZE in force from that case on — the initial size
/// on the first case, an acknowledged new SETTINGS value on later ones (a
/// smaller one obliges the encoder to start the next block with a size
/// update, RFC 7541 §4.2).
/// </summary>
public static class StoryDecoder
{
    /// <summary>
    /// Limits for tools: generous, since tools read test data (the library
    /// defaults protect servers; see <see cref="DecoderLimits"/>).
    /// </summary>
    public static readonly DecoderLimits ToolLimits = new(MaxHeaderListSize: 1 << 30, MaxFieldCount: 1 << 20, MaxStringLength: 1 << 30);

    /// <summary>One block decoded, or why it failed.</summary>
    public sealed record Outcome(DecoderState Before, DecoderState? After, IReadOnlyList<HeaderField> Fields, HpackError? Error);

    /// <summary>Decodes one block; a header list over the limits is reported as an error.</summary>
    public static Outcome DecodeBlock(DecoderState before, Bytes wire, DecoderLimits? limits = null) =>
        HpackDecoder.Decode(before, wire.Span, limits ?? ToolLimits).Match(
            Right: block => block.ListSizeExceeded
                ? new Outcome(before, block.State, [], new HpackError("the header list exceeds the decoder's limits", "4.1", wire.Length))
                : new Outcome(before, block.State, block.Fields, null),
            Left: error => new Outcome(before, null, [], error));

    /// <summary>Decodes the cases in order until the first error; returns every outcome so far.</summary>
    public static IReadOnlyList<Outcome> DecodeStory(Story story, DecoderLimits? limits = null)
    {
        var outcomes = new List<Outcome>();
        DecoderState? state = null;
        foreach (var c in story.Cases)
        {
            var before = StoryContext.DecoderBefore(state, c.HeaderTableSize);
            var outcome = DecodeBlock(before, c.Wire ?? Bytes.Empty, limits);
            outcomes.Add(outcome);
            if (outcome.Error is not null) break;
            state = outcome.After;
        }
        return outcomes;
    }

    /// <summary>The context before case <paramref name="index"/> (all earlier cases decoded), or the error that stops it.</summary>
    public static (DecoderState? State, string? Error) StateBefore(Story story, int index)
    {
        DecoderState? state = null;
        for (var i = 0; i < index; i++)
        {
            var c = story.Cases[i];
            var outcome = DecodeBlock(StoryContext.DecoderBefore(state, c.HeaderTableSize), c.Wire ?? Bytes.Empty);
            if (outcome.Error is not null) return (null, $"case {i} (seqno {c.Seqno}) fails before it: {outcome.Error}");
            state = outcome.After;
        }
        return (StoryContext.DecoderBefore(state, story.Cases[index].HeaderTableSize), null);
    }
}
