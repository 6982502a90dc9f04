using Http2.Reference.Frames;
using Http2.Reference.Hpack;

namespace Conformance.Stress;

/// <summary>
/// Checks, before any attack, that the attacks send what they claim: every
/// frame the harness writes reads back through the reference
/// <see cref="FrameReader"/> as the frame meant, and every hand-written
/// header block decodes with the reference <see cref="HpackDecoder"/> to the
/// fields meant, the bombs going over the default limits. A harness that
/// sent garbage would "pass" every attack for the wrong reason.
/// </summary>
public static class SelfCheck
{
    /// <summary>What is wrong with the harness (empty when nothing is).</summary>
    public static IReadOnlyList<string> Run()
    {
        var problems = new List<string>();
        void Check(bool ok, string what)
        {
            if (!ok) problems.Add(what);
        }

        // Frames: one of each kind the attacks write, read back in order.
        var batch = new FrameBatch()
            .Headers(1, RawHpack.Request("GET", "/", "h"), endStream: true, endHeaders: false)
            .Continuation(1, Attacks.ContinuationFragment(), endHeaders: true)
            .RstStream(1, 0x8)
            .Settings(Attacks.ManySettings())
            .SettingsAck()
            .Ping(42)
            .WindowUpdate(0, 1)
            .Priority(3, 1, 15)
            .Data(1, ReadOnlyMemory<byte>.Empty, endStream: false)
            .Frame(0xfa, 0, 0, ReadOnlyMemory<byte>.Empty);
        var frames = new List<Frame>();
        var input = batch.Memory;
        while (!input.IsEmpty && FrameReader.Read(input, 16384) is FrameRead read)
        {
            frames.Add(read.Frame);
            input = input[read.Consumed..];
        }
        Check(input.IsEmpty && frames.Count == batch.Frames, $"frames: {frames.Count} of {batch.Frames} read back through FrameReader");
        Check(frames.Count > 3 && frames[3] is SettingsFrame { Settings.Count: 2730 }, "SETTINGS with 2730 entries fits one 16384-octet frame");
        Check(frames.Count > 9 && frames[9] is UnknownFrame { Type.Value: 0xfa }, "unknown frame type 0xfa survives");

        // Header blocks.
        var request = RawHpack.Request("GET", "/bytes/5", "127.0.0.1:1");
        Check(Decode(DecoderState.Initial(), request, DecoderLimits.Default) is { Fields: var f } && string.Join(' ', f.Select(x => x.ToString()))
              == ":method: GET :scheme: http :path: /bytes/5 :authority: 127.0.0.1:1", "request block decodes to the four pseudo-header fields");
        Check(Decode(DecoderState.Initial(), Attacks.ContinuationFragment(), DecoderLimits.Unlimited) is { Fields.Count: > 100 },
              "CONTINUATION payload is valid HPACK with over 100 fields");
        foreach (var (name, size) in new[] { ("hpack-bomb", 4000), ("header-count-bomb", 1) })
        {
            var (first, refs) = Attacks.BombBlocks(request, size);
            var one = Decode(DecoderState.Initial(), first, DecoderLimits.Default);
            Check(one is { ListSizeExceeded: true }, $"{name}: first block exceeds the default header-list limits");
            var two = one is null ? null : Decode(one.State, refs, DecoderLimits.Default);
            Check(two is { ListSizeExceeded: true }, $"{name}: later blocks exceed them through the table entry alone");
            Check(first.Length <= 16384 && refs.Length <= 16384, $"{name}: blocks fit one frame");
        }
        Check(Decode(DecoderState.Initial(), Attacks.ZeroLengthBlock(request), DecoderLimits.Default) is null or { ListSizeExceeded: true },
              "zero-length-headers block is over the field-count limit (or not decodable)");
        return problems;
    }

    private static DecodedBlock? Decode(DecoderState state, byte[] block, DecoderLimits limits) =>
        HpackDecoder.Decode(state, block, limits).Match(Right: b => b, Left: _ => (DecodedBlock?)null);
}
