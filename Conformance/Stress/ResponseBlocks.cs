using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;

namespace Conformance.Stress;

/// <summary>A complete header block the server sent: HEADERS or PUSH_PROMISE (with its CONTINUATIONs).</summary>
/// <param name="StreamId">The stream it was sent on.</param>
/// <param name="Push">True for PUSH_PROMISE (a request the server promises), false for HEADERS.</param>
/// <param name="Status">The :status field (RFC 9113 §8.3.2) of a HEADERS block, when there is one.</param>
/// <param name="Error">The decoder's error when the block did not decode.</param>
public sealed record ResponseBlock(uint StreamId, bool Push, int? Status, string? Error);

/// <summary>
/// The client half of the server's HPACK context: every header block of a
/// connection is decoded in order with the reference decoder (RFC 7541 §2.2:
/// one dynamic table per direction, so PUSH_PROMISE blocks must be decoded
/// too, or later references go wrong). Fragments split over CONTINUATION
/// frames are joined first (RFC 9113 §4.3).
/// </summary>
public sealed class ResponseBlocks
{
    private DecoderState state = DecoderState.Initial();
    private List<byte>? fragments;
    private uint fragmentStream;
    private bool fragmentPush;

    /// <summary>Feeds one frame; returns a block when this frame completed one.</summary>
    public ResponseBlock? Feed(Frame frame) => frame switch
    {
        HeadersFrame h => Start(h.StreamId, push: false, h.Fragment, h.EndHeaders),
        PushPromiseFrame p => Start(p.StreamId, push: true, p.Fragment, p.EndHeaders),
        ContinuationFrame c when fragments is not null => Continue(c),
        _ => null,
    };

    private ResponseBlock? Start(uint stream, bool push, Bytes fragment, bool end)
    {
        if (end) return Decode(stream, push, fragment.Span);
        fragments = [.. fragment.Span];
        fragmentStream = stream;
        fragmentPush = push;
        return null;
    }

    private ResponseBlock? Continue(ContinuationFrame c)
    {
        var pending = fragments!;
        pending.AddRange(c.Fragment.Span);
        if (!c.EndHeaders) return null;
        var block = pending.ToArray();
        fragments = null;
        return Decode(fragmentStream, fragmentPush, block);
    }

    private ResponseBlock Decode(uint stream, bool push, ReadOnlySpan<byte> block) =>
        HpackDecoder.Decode(state, block, DecoderLimits.Unlimited).Match(
            Right: decoded =>
            {
                state = decoded.State;
                var status = decoded.Fields.FirstOrDefault(f => f.NameText == ":status")?.ValueText;
                return new ResponseBlock(stream, push, int.TryParse(status, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : null, null);
            },
            Left: error => new ResponseBlock(stream, push, null, error.ToString()));
}
