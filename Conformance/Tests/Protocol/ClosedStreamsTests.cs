using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Protocol;
using Xunit;

namespace Conformance.Tests.Protocol;

/// <summary>
/// The bounded memory of closed streams (§5.1 "closed": frames for a stream
/// closed a short while ago are answered by how it closed). It is a value:
/// old connection states keep seeing what they saw, even when replayed.
/// </summary>
public class ClosedStreamsTests
{
    private static ClosedStreams With(ClosedStreams c, params uint[] ids)
    {
        var copy = c.Copy();
        foreach (var id in ids) copy.Add(id, CloseCause.EndStream);
        return copy;
    }

    [Fact(DisplayName = "RFC 9113 §5.1: the closed-stream memory keeps the last N streams and forgets older ones")]
    public void Bounded()
    {
        var c = ClosedStreams.Create(8);
        for (uint id = 1; id <= 41; id += 2) c = With(c, id); // 21 streams, one per call
        Assert.True(c.Find(41).IsSome);
        Assert.True(c.Find(27).IsSome);  // the 8th newest
        Assert.True(c.Find(25).IsNone);  // the 9th newest is forgotten
        Assert.True(c.Find(1).IsNone);
    }

    [Fact(DisplayName = "Design: an older state replayed sees its own closes, not those of the state that followed it")]
    public void OldStatesStayValid()
    {
        var start = With(ClosedStreams.Create(4), 1);
        var a = With(start, 3);
        var b = With(start, 5, 7, 9, 11, 13); // a replay from start; also overflows the log
        Assert.True(a.Find(3).IsSome);
        Assert.True(a.Find(5).IsNone);
        Assert.True(b.Find(13).IsSome);
        Assert.True(b.Find(3).IsNone);
        Assert.True(b.Find(1).IsNone);   // 5 newer closes in a memory of 4
        Assert.True(start.Find(1).IsSome);
        Assert.True(start.Find(3).IsNone);
        Assert.Equal(CloseCause.EndStream, a.Find(1).IfNone(CloseCause.ResetReceived));
    }
}

/// <summary>
/// Streams we reset are remembered apart from normal closes (RFC 9113 §5.4.2,
/// §6.4: frames the peer sent before our RST_STREAM reached it are expected
/// and discarded), so any number of ordinary requests in between does not
/// turn a late frame into an error.
/// </summary>
public class ResetStreamMemoryTests
{
    /// <summary>Stream 1: a POST with content-length 1 and a 5-octet body, reset by us (§8.1.1 malformed).</summary>
    private static Server WithResetUpload(ConnectionOptions? options = null)
    {
        var s = new Server(options);
        s.Request(1, false, Server.Post(1));
        s.Feed(new DataFrame(1, new byte[5])).Rst(1, ErrorCode.ProtocolError);
        return s;
    }

    private static void Ordinary(Server s, int n)
    {
        for (var i = 0; i < n; i++)
        {
            var id = (uint)(3 + 2 * i);
            s.Request(id);
            s.Respond(id, endStream: true);
        }
    }

    [Theory(DisplayName = "RFC 9113 §6.4: late DATA, trailers and WINDOW_UPDATE on a stream we reset are discarded after N ordinary requests")]
    [InlineData(10)]
    [InlineData(300)]
    [InlineData(10_000)]
    public void LateFramesIgnored(int n)
    {
        var s = WithResetUpload();
        Ordinary(s, n);
        s.Feed(new DataFrame(1, new byte[100])).NoError();
        s.Feed(new WindowUpdateFrame(1, 10), new RstStreamFrame(1, ErrorCode.Cancel)).NoError();
        s.Feed(s.Headers(1, true, ("x-trailer", "1"))).NoError();
        Assert.Equal(ConnectionPhase.Open, s.State.Phase);
        // The HPACK context stayed in step: the next request decodes.
        var next = (uint)(3 + 2 * n);
        Assert.Contains(s.Request(next), o => o is HeadersReceived h && h.StreamId == next);
    }

    [Fact(DisplayName = "RFC 9113 §6.1: DATA on a forgotten reset stream is a stream error STREAM_CLOSED, never a connection error")]
    public void ForgottenResetIsStreamError()
    {
        var s = WithResetUpload(ConnectionOptions.Server with { Limits = new ConnectionLimits { ResetStreamMemory = 4, ClosedStreamMemory = 4 } });
        // Four more resets push stream 1 out of a memory of four.
        for (uint id = 3; id <= 9; id += 2)
        {
            s.Request(id, false);
            s.Step(new SendReset(id, ErrorCode.Cancel));
        }
        Assert.True(s.State.RecentlyClosed(1).IsNone);
        s.Feed(new DataFrame(1, new byte[3])).Rst(1, ErrorCode.StreamClosed);
        Assert.Equal(ConnectionPhase.Open, s.State.Phase);
        // Now it is remembered as reset again: a second late frame is discarded.
        s.Feed(new DataFrame(1, new byte[3])).NoError();
    }

    [Fact(DisplayName = "RFC 9113 §5.4.2: normal closes never evict a reset stream from its memory")]
    public void NormalClosesDoNotEvict()
    {
        var s = WithResetUpload(ConnectionOptions.Server with { Limits = new ConnectionLimits { ResetStreamMemory = 2, ClosedStreamMemory = 2 } });
        Ordinary(s, 50);
        Assert.Equal(LanguageExt.Prelude.Some(CloseCause.ResetSent), s.State.RecentlyClosed(1));
        Assert.True(s.State.RecentlyClosed(3).IsNone); // the ordinary memory holds the last two only
    }
}
