using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LanguageExt;
using Http2.Reference.Frames;
using Xunit;

namespace Conformance.Tests.Frames;

/// <summary>
/// RFC 9113 §4.3, §6.2, §6.6, §6.10: a field block too large for one frame
/// is split into HEADERS or PUSH_PROMISE followed by CONTINUATION frames, each
/// within the peer's SETTINGS_MAX_FRAME_SIZE (§4.2).
/// </summary>
public class HeaderBlockSplittingTests
{
    private static readonly Gen<byte[]> Block = Gen.Choose(0, 300).SelectMany(n => Gen.ArrayOf(FrameGen.Octet, n));

    private static readonly Gen<uint> MaxSize = Gen.Frequency(
        (4, Gen.Choose(1, 40)), (1, Gen.Choose(41, 400)), (1, Gen.Constant(16_384))).Select(i => (uint)i);

    private static readonly Gen<Option<PriorityFields>> PriorityOption =
        Gen.OneOf(Gen.Constant(Option<PriorityFields>.None), FrameGen.Priority.Select(Option<PriorityFields>.Some));

    [Fact(DisplayName = "RFC 9113 §4.3: a 40000-octet block at 16384 becomes HEADERS(16384) + CONTINUATION(16384) + CONTINUATION(7232, END_HEADERS)")]
    public void SplitAtDefaultMaximum()
    {
        var block = new byte[40_000];
        var frames = FrameWriter.SplitHeaderBlock(1, block, endStream: true, Option<PriorityFields>.None, 16_384);
        Assert.Collection(frames,
            f => Assert.Equal((16_384, true, false), Assert.IsType<HeadersFrame>(f) is var h ? (h.Fragment.Length, h.EndStream, h.EndHeaders) : default),
            f => Assert.Equal((16_384, false), Assert.IsType<ContinuationFrame>(f) is var c ? (c.Fragment.Length, c.EndHeaders) : default),
            f => Assert.Equal((7_232, true), Assert.IsType<ContinuationFrame>(f) is var c ? (c.Fragment.Length, c.EndHeaders) : default));
    }

    [Fact(DisplayName = "RFC 9113 §6.2: a block that fits is one HEADERS frame with END_HEADERS; an empty block too")]
    public void Fits()
    {
        Assert.Equal(new Frame[] { new HeadersFrame(3, new byte[] { 0x82 }, false, true) },
            FrameWriter.SplitHeaderBlock(3, new byte[] { 0x82 }, false, Option<PriorityFields>.None, 16_384).ToArray());
        Assert.Equal(new Frame[] { new HeadersFrame(3, Http2.Reference.Bytes.Empty, true, true) },
            FrameWriter.SplitHeaderBlock(3, ReadOnlyMemory<byte>.Empty, true, Option<PriorityFields>.None, 16_384).ToArray());
    }

    [Fact(DisplayName = "RFC 9113 §6.2: the priority fields count against the first frame's size")]
    public void PriorityCounts()
    {
        var frames = FrameWriter.SplitHeaderBlock(1, new byte[10], false, new PriorityFields(false, 0, 15), 10);
        Assert.Equal(new[] { 5, 5 }, frames.Map(f => f switch { HeadersFrame h => h.Fragment.Length, ContinuationFrame c => c.Fragment.Length, _ => -1 }).ToArray());
        Assert.All(frames, f => Assert.True(FrameWriter.PayloadLength(f) <= 10));
    }

    [Property(DisplayName = "RFC 9113 §4.3, §6.10: HEADERS + CONTINUATION* reassemble the block exactly, every payload within the maximum, END_HEADERS only on the last",
        MaxTest = 300)]
    public Property HeadersSplit() =>
        Prop.ForAll(Arb.From(Block), Arb.From(MaxSize), Arb.From(Gen.Zip(PriorityOption, FrameGen.Bool)), (block, max, options) =>
        {
            var (priority, endStream) = options;
            var frames = FrameWriter.SplitHeaderBlock(7, block, endStream, priority, max);
            var first = Assert.IsType<HeadersFrame>(frames.Head);
            Assert.Equal((endStream, priority), (first.EndStream, first.Priority));
            Assert.Equal(Option<byte>.None, first.Padding);
            CheckSequence(frames, block, max, fixedFields: priority.IsSome ? 5 : 0);
            CheckWriterAgrees(frames, w => FrameWriter.WriteHeaderBlock(7, block, endStream, priority, max, w));
        });

    [Property(DisplayName = "RFC 9113 §4.3, §6.6: PUSH_PROMISE + CONTINUATION* reassemble the block exactly, every payload within the maximum",
        MaxTest = 300)]
    public Property PushPromiseSplit() =>
        Prop.ForAll(Arb.From(Block), Arb.From(MaxSize), (block, max) =>
        {
            var frames = FrameWriter.SplitPushPromise(1, 2, block, max);
            var first = Assert.IsType<PushPromiseFrame>(frames.Head);
            Assert.Equal(2u, first.PromisedStreamId);
            CheckSequence(frames, block, max, fixedFields: 4);
            CheckWriterAgrees(frames, w => FrameWriter.WritePushPromise(1, 2, block, max, w));
        });

    private static void CheckSequence(Seq<Frame> frames, byte[] block, uint max, int fixedFields)
    {
        var fragments = frames.Map(f => f switch
        {
            HeadersFrame h => (h.Fragment, h.EndHeaders),
            PushPromiseFrame p => (p.Fragment, p.EndHeaders),
            ContinuationFrame c => (c.Fragment, c.EndHeaders),
            _ => throw new InvalidOperationException(f.ToString()),
        }).ToArray();
        Assert.All(frames.Tail, f => Assert.IsType<ContinuationFrame>(f));
        Assert.All(frames, f => Assert.Equal(frames.Head.StreamId, f.StreamId));
        Assert.Equal(block, fragments.SelectMany(f => f.Fragment.ToArray()).ToArray());
        Assert.Equal(fragments.Select((f, i) => i == fragments.Length - 1), fragments.Select(f => f.EndHeaders));
        // Every frame within the maximum, when it leaves room for one fragment octet.
        if (max > fixedFields)
            Assert.All(frames, f => Assert.True(FrameWriter.PayloadLength(f) <= max));
        // No empty CONTINUATION frames, and no frame smaller than it could be except the last.
        Assert.All(fragments.Skip(1), f => Assert.False(f.Fragment.IsEmpty));
        // (The first frame carries fixedFields octets besides its fragment and at least one fragment octet.)
        Assert.All(frames.Take(frames.Count - 1).Select((f, i) => (f, i)), p =>
            Assert.Equal(p.i == 0 ? Math.Max(max, fixedFields + 1) : max, (uint)FrameWriter.PayloadLength(p.f)));
    }

    private static void CheckWriterAgrees(Seq<Frame> frames, Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1);
        write(buffer);
        var bytes = buffer.WrittenSpan.ToArray();
        Assert.Equal(FrameWriter.ToBytes(frames), bytes);
        var (read, error) = Wire.ReadChunked(bytes, [bytes.Length], FrameConstants.MaxMaxFrameSize);
        Assert.True(error.IsNone);
        Assert.Equal(frames.ToArray(), read.ToArray());
    }
}
