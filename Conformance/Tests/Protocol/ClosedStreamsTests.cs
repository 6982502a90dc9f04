using Reference.Protocol;
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
