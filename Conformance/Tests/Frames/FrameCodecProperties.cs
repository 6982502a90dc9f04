using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;

namespace Conformance.Tests.Frames;

/// <summary>
/// Properties of the codec as a whole (RFC 9113 §4.1, §4.2, §6): round trips,
/// chunking independence, totality on arbitrary input.
/// </summary>
public class FrameCodecProperties
{
    private const uint Max = FrameConstants.MaxMaxFrameSize;

    [Property(DisplayName = "RFC 9113 §4.1, §6: writer then reader gives back the same frame, consuming exactly its octets",
        Arbitrary = [typeof(FrameArbitraries)], MaxTest = 300)]
    public void RoundTrip(Frame frame)
    {
        var bytes = FrameWriter.ToBytes(frame);
        Assert.Equal(FrameConstants.HeaderLength + FrameWriter.PayloadLength(frame), bytes.Length);
        var read = Assert.IsType<FrameRead>(FrameReader.Read(bytes, Max));
        Assert.Equal(frame, read.Frame);
        Assert.Equal(bytes.Length, read.Consumed);
    }

    [Property(DisplayName = "RFC 9113 §6.1, §6.2: a DATA or HEADERS frame gives back the stream id, flags, priority and padding it was made with; with changes only the field named",
        MaxTest = 300)]
    public void FieldsKept(uint streamId, bool end, bool endHeaders, bool exclusive, uint dependsOn, byte weight, byte pad, bool hasPriority, bool padded)
    {
        var priority = hasPriority ? LanguageExt.Option<PriorityFields>.Some(new(exclusive, dependsOn, weight)) : LanguageExt.Option<PriorityFields>.None;
        var padding = padded ? LanguageExt.Option<byte>.Some(pad) : LanguageExt.Option<byte>.None;
        var h = new HeadersFrame(streamId, new byte[] { 1, 2 }, end, endHeaders, priority, padding);
        Assert.Equal((streamId, end, endHeaders, priority, padding), (h.StreamId, h.EndStream, h.EndHeaders, h.Priority, h.Padding));
        var h2 = h with { Padding = padded ? LanguageExt.Option<byte>.None : LanguageExt.Option<byte>.Some((byte)(pad ^ 0xff)) };
        Assert.Equal((streamId, end, endHeaders, priority), (h2.StreamId, h2.EndStream, h2.EndHeaders, h2.Priority));
        Assert.NotEqual(h, h2);
        var h3 = h with { Priority = LanguageExt.Option<PriorityFields>.Some(new(!exclusive, ~dependsOn, (byte)~weight)) };
        Assert.Equal((new PriorityFields(!exclusive, ~dependsOn, (byte)~weight), padding), ((PriorityFields)h3.Priority, h3.Padding));
        var d = new DataFrame(streamId, new byte[] { 3 }, end, padding);
        Assert.Equal((streamId, end, padding), (d.StreamId, d.EndStream, d.Padding));
        var d2 = d with { EndStream = !end };
        Assert.Equal((streamId, !end, padding), (d2.StreamId, d2.EndStream, d2.Padding));
        Assert.Equal(d, d2 with { EndStream = end });
    }

    [Property(DisplayName = "RFC 9113 §4.1: Write into an IBufferWriter produces the same octets as ToBytes",
        Arbitrary = [typeof(FrameArbitraries)], MaxTest = 100)]
    public void WriteEqualsToBytes(Frame frame)
    {
        var buffer = new ArrayBufferWriter<byte>(1);
        FrameWriter.Write(frame, buffer);
        Assert.Equal(FrameWriter.ToBytes(frame), buffer.WrittenSpan.ToArray());
    }

    [Property(DisplayName = "RFC 9113 §4.1: the reader gives the same frames for every chunking of a stream (random splits)",
        Arbitrary = [typeof(FrameArbitraries)], MaxTest = 150)]
    public Property AnyChunking(Frame[] frames) =>
        Prop.ForAll(Arb.From(Gen.ArrayOf(Gen.Choose(1, 64))), splits =>
        {
            var (read, error) = Wire.ReadChunked(FrameWriter.ToBytes(frames), splits, Max);
            Assert.True(error.IsNone);
            Assert.Equal(frames, read);
        });

    [Property(DisplayName = "RFC 9113 §4.1: the reader gives the same frames when the stream arrives byte by byte",
        Arbitrary = [typeof(FrameArbitraries)], MaxTest = 60)]
    public void ByteByByte(Frame[] frames)
    {
        var (read, error) = Wire.ReadChunked(FrameWriter.ToBytes(frames), Enumerable.Repeat(1, int.MaxValue), Max);
        Assert.True(error.IsNone);
        Assert.Equal(frames, read);
    }

    [Property(DisplayName = "RFC 9113 §4.1: reading a multi-segment ReadOnlySequence gives the same frames as one buffer",
        Arbitrary = [typeof(FrameArbitraries)], MaxTest = 150)]
    public Property SequenceSegments(Frame[] frames) =>
        Prop.ForAll(Arb.From(Gen.ArrayOf(Gen.Choose(1, 20))), splits =>
        {
            var sequence = Segments.Split(FrameWriter.ToBytes(frames), splits);
            var read = new List<Frame>();
            while (true)
            {
                var result = FrameReader.Read(sequence, Max);
                if (result is not FrameRead frame)
                {
                    var needMore = Assert.IsType<NeedMore>(result);
                    Assert.True(sequence.Length == 0 && needMore.AtLeast == FrameConstants.HeaderLength);
                    break;
                }
                read.Add(frame.Frame);
                sequence = sequence.Slice(frame.Consumed);
            }
            Assert.Equal(frames, read);
        });

    [Property(DisplayName = "RFC 9113 §4.1: with invalid frames in the stream, every chunking gives the same frames, then the same error",
        MaxTest = 200)]
    public Property ChunkingWithErrors() =>
        Prop.ForAll(Arb.From(Gen.ArrayOf(FrameGen.RawFrame)), Arb.From(Gen.ArrayOf(Gen.Choose(1, 30))), (raws, splits) =>
        {
            var stream = FrameWriter.ToBytes(raws.Select(r => (Frame)new UnknownFrame(new FrameType(r.Type), r.Flags, r.StreamId, r.Payload)));
            var whole = Wire.ReadChunked(stream, [stream.Length], Max);
            var chunked = Wire.ReadChunked(stream, splits, Max);
            var byteByByte = Wire.ReadChunked(stream, Enumerable.Repeat(1, int.MaxValue), Max);
            Assert.Equal(whole.Frames, chunked.Frames);
            Assert.Equal(whole.Error, chunked.Error);
            Assert.Equal(whole.Frames, byteByByte.Frames);
            Assert.Equal(whole.Error, byteByByte.Error);
        });

    [Property(DisplayName = "RFC 9113 §4.1, §4.2, §6: the connection's frame reading (no result object) gives what Read gives: the same frame, error and octets consumed, or need-more",
        MaxTest = 300)]
    public Property ConnectionReadingAgreesWithRead() =>
        Prop.ForAll(Arb.From(Gen.ArrayOf(FrameGen.RawFrame)), Arb.From(Gen.Choose(0, 40)), (raws, cut) =>
        {
            var stream = FrameWriter.ToBytes(raws.Select(r => (Frame)new UnknownFrame(new FrameType((byte)(r.Type % 11)), r.Flags, r.StreamId, r.Payload)));
            var rest = new ReadOnlyMemory<byte>(stream, 0, Math.Max(0, stream.Length - cut));
            foreach (var max in new[] { 16u, Max })
                for (var input = rest; ;)
                {
                    var parsed = FrameReader.ReadFrame(input, max);
                    switch (FrameReader.Read(input, max))
                    {
                        case FrameRead read:
                            Assert.Equal((read.Frame, (ReadFailed?)null, read.Consumed), (parsed.Frame, parsed.Failed, parsed.Consumed));
                            input = input[read.Consumed..];
                            continue;
                        case ReadFailed failed:
                            Assert.Null(parsed.Frame);
                            Assert.Equal(failed, parsed.Failed);
                            Assert.Equal(failed.Consumed, parsed.Consumed);
                            break;
                        case NeedMore:
                            Assert.Equal(default, parsed);
                            break;
                    }
                    break;
                }
        });

    [Fact(DisplayName = "RFC 9113 §4.2: an oversized frame is rejected from a header split across sequence segments, before its payload")]
    public void OversizeAcrossSegments()
    {
        var header = Wire.Hex("004001 00 00 00000001");
        var failed = Assert.IsType<ReadFailed>(FrameReader.Read(Segments.Split(header, [2, 3, 1]), FrameConstants.DefaultMaxFrameSize));
        Assert.Equal((ErrorCode.FrameSizeError, ErrorScope.Connection), (failed.Error.Code, failed.Error.Scope));
        Assert.Equal(new NeedMore(9), FrameReader.Read(Segments.Split(header[..8], [2, 3]), FrameConstants.DefaultMaxFrameSize));
        Assert.Equal(new NeedMore(9 + 0x4001), FrameReader.Read(Segments.Split(header, [4]), FrameConstants.MaxMaxFrameSize));
    }

    [Property(DisplayName = "RFC 9113 §4.1, §6: arbitrary octets never throw; every result is a frame, need-more or a typed error",
        MaxTest = 500)]
    public void ArbitraryBytesNeverThrow(byte[] input, bool smallMax)
    {
        var max = smallMax ? 64u : Max;
        var rest = new ReadOnlyMemory<byte>(input);
        while (true)
        {
            switch (FrameReader.Read(rest, max))
            {
                case FrameRead read:
                    Assert.InRange(read.Consumed, FrameConstants.HeaderLength, rest.Length);
                    rest = rest[read.Consumed..];
                    continue;
                case ReadFailed { Error.Scope: ErrorScope.Stream } failed:
                    Assert.InRange(failed.Consumed, FrameConstants.HeaderLength, rest.Length);
                    rest = rest[failed.Consumed..];
                    continue;
                case ReadFailed failed:
                    Assert.Equal(ErrorScope.Connection, failed.Error.Scope);
                    return;
                case NeedMore needMore:
                    Assert.True(needMore.AtLeast > rest.Length);
                    return;
            }
        }
    }

    [Property(DisplayName = "RFC 9113 §6: any frame header over a random payload is parsed or rejected with a typed error; " +
                            "a parsed frame re-encodes to a frame that reads back equal", MaxTest = 2000)]
    public Property RawFramesAreTotal() =>
        Prop.ForAll(Arb.From(FrameGen.RawFrame), raw =>
        {
            var bytes = FrameWriter.ToBytes(new UnknownFrame(new FrameType(raw.Type), raw.Flags, raw.StreamId, raw.Payload));
            switch (FrameReader.Read(bytes, Max))
            {
                case FrameRead read:
                    Assert.Equal(bytes.Length, read.Consumed);
                    Assert.Equal(raw.StreamId & FrameConstants.MaxStreamId, read.Frame.StreamId);
                    var again = Assert.IsType<FrameRead>(FrameReader.Read(FrameWriter.ToBytes(read.Frame), Max));
                    Assert.Equal(read.Frame, again.Frame);
                    break;
                case ReadFailed failed:
                    Assert.Equal(bytes.Length, failed.Consumed);
                    Assert.True(failed.Error.Code == ErrorCode.ProtocolError || failed.Error.Code == ErrorCode.FrameSizeError);
                    Assert.True(raw.Type <= 9, "unknown types are never errors (§4.1)");
                    break;
                default:
                    Assert.Fail("a complete frame is never need-more");
                    break;
            }
        });
}

/// <summary>Builds multi-segment sequences, as System.IO.Pipelines delivers them.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Split(byte[] bytes, IEnumerable<int> sizes)
    {
        var offset = 0;
        var chunks = new List<ReadOnlyMemory<byte>>();
        foreach (var size in sizes.Concat(Enumerable.Repeat(int.MaxValue, 1)))
        {
            var n = Math.Min(size, bytes.Length - offset);
            // Each segment is its own array, so a frame that spans segments cannot be aliased.
            chunks.Add(bytes.AsSpan(offset, n).ToArray());
            offset += n;
            if (offset == bytes.Length)
                break;
        }
        var first = new Segments(chunks[0], 0);
        var last = first;
        foreach (var chunk in chunks.Skip(1))
        {
            var next = new Segments(chunk, last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
