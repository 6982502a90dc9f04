using System.Buffers;
using Http2.Reference;
using Http2.Reference.Frames;
using Xunit;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Frames;

/// <summary>
/// The hot paths allocate nothing beyond what their results are: counted
/// with GC.GetAllocatedBytesForCurrentThread (octets, not time).
/// </summary>
public class AllocationTests
{
    private static readonly Frame[] Frames =
    [
        new DataFrame(1, new byte[100], true, Some((byte)3)),
        new HeadersFrame(3, new byte[40], true, true, new PriorityFields(true, 1, 15), Some((byte)2)),
        new PriorityFrame(3, new PriorityFields(false, 1, 15)),
        new RstStreamFrame(3, ErrorCode.Cancel),
        new SettingsFrame(false, Seq(new Setting(SettingId.MaxConcurrentStreams, 100), new Setting(SettingId.InitialWindowSize, 1))),
        new PushPromiseFrame(1, 2, new byte[10], true, Some((byte)1)),
        new PingFrame(true, 42),
        new GoAwayFrame(7, ErrorCode.NoError, new byte[3]),
        new WindowUpdateFrame(0, 1000),
        new ContinuationFrame(3, new byte[5]),
        new UnknownFrame(new FrameType(0xfa), 1, 1, new byte[2]),
    ];

    private static long Allocated(Action action, int times = 100)
    {
        action(); // JIT, static initialisers
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < times; i++)
            action();
        return (GC.GetAllocatedBytesForCurrentThread() - before) / times;
    }

    [Fact(DisplayName = "FrameWriter.Write allocates nothing beyond the IBufferWriter, for every frame type")]
    public void WriterAllocatesNothing()
    {
        var buffer = new ArrayBufferWriter<byte>(1 << 16);
        foreach (var frame in Frames)
            Assert.True(0 == Allocated(() => { buffer.ResetWrittenCount(); FrameWriter.Write(frame, buffer); }), frame.Type.Name);
        Assert.Equal(0, Allocated(() =>
        {
            buffer.ResetWrittenCount();
            FrameWriter.WriteHeaderBlock(1, new byte[100], true, None, 16, buffer);
        }) - 128 /* the new byte[100] of the test itself */);
    }

    [Fact(DisplayName = "FrameReader.Read allocates only the frame record and its FrameRead result (and a SETTINGS list)")]
    public void ReaderAllocatesOnlyResults()
    {
        foreach (var frame in Frames)
        {
            var bytes = FrameWriter.ToBytes(frame);
            var allocated = Allocated(() => FrameReader.Read(bytes, FrameConstants.DefaultMaxFrameSize));
            // A frame record is at most ~80 octets and FrameRead 32; SETTINGS adds its array and Seq.
            var limit = frame is SettingsFrame ? 400 : 160;
            Assert.True(allocated <= limit, $"{frame.Type.Name}: {allocated} octets per read");
        }
    }

    [Fact(DisplayName = "FrameReader.Read allocates nothing for need-more and only the error for a failed read, beyond the result")]
    public void ReaderNeedMoreAllocatesLittle()
    {
        var partial = FrameWriter.ToBytes(new DataFrame(1, new byte[100]))[..50];
        Assert.True(Allocated(() => FrameReader.Read(partial, FrameConstants.DefaultMaxFrameSize)) <= 32);
        var header = new byte[9];
        Assert.Equal(0, Allocated(() => FrameReader.Read(header.AsMemory(0, 5), FrameConstants.DefaultMaxFrameSize)));
    }
}
