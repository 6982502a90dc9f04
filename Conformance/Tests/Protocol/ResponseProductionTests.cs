using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using Xunit;
using P = Http2.Reference.Protocol.ResponseProduction;
using Step = Http2.Reference.Protocol.ProductionStep;
using Ev = Http2.Reference.Protocol.ProductionEvent;

namespace Conformance.Tests.Protocol;

/// <summary>Response production (how a body moves from its source into the connection) without a socket.</summary>
public class ResponseProductionTests
{
    private static readonly byte[] Body = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();

    [Fact(DisplayName = "RFC 9113 §8.1: a body without trailers ends with END_STREAM on its last DATA")]
    public void EndStreamOnLastData()
    {
        var (s, step) = P.Next(P.Start(trailers: false), room: 1000);
        Assert.IsType<Step.Read>(step);
        s = P.On(s, new Ev.Octets(Body, Last: true));
        (s, step) = P.Next(s, 1000);
        var feed = Assert.IsType<Step.Feed>(step);
        Assert.True(feed.EndStream);
        Assert.Equal(Body.Length, feed.Octets.Length);
        s = P.On(s, new Ev.Accepted(Body.Length, Body.Length));
        Assert.IsType<P.Done>(s);
        Assert.IsType<Step.Finish>(P.Next(s, 1000).Step);
    }

    [Fact(DisplayName = "RFC 9113 §8.1: with trailers, END_STREAM goes on the trailing HEADERS, not on DATA")]
    public void TrailersEndTheStream()
    {
        var s = P.On(P.Next(P.Start(trailers: true), 1000).State, new Ev.Octets(Body, Last: true));
        var (s2, step) = P.Next(s, 1000);
        Assert.False(Assert.IsType<Step.Feed>(step).EndStream);
        s2 = P.On(s2, new Ev.Accepted(Body.Length, Body.Length));
        var (s3, trailers) = P.Next(s2, 1000);
        Assert.IsType<Step.SendTrailers>(trailers);
        Assert.IsType<Step.Finish>(P.Next(s3, 1000).Step);
    }

    [Fact(DisplayName = "RFC 9113 §5.2, §6.9: what the core does not take (its window and buffer are full) waits for StreamWritable")]
    public void PartTakenWaitsForWindow()
    {
        var s = P.On(P.Next(P.Start(false), 1000).State, new Ev.Octets(Body, Last: true));
        (s, var step) = P.Next(s, 1000);
        s = P.On(s, new Ev.Accepted(Body.Length, 30));
        Assert.IsType<P.AwaitingWindow>(s);
        Assert.IsType<Step.Wait>(P.Next(s, 1000).Step);
        Assert.IsType<P.AwaitingWindow>(P.On(s, Ev.OutputDrained.Instance)); // only the window moves it
        s = P.On(s, Ev.Writable.Instance);
        var feed = Assert.IsType<Step.Feed>(P.Next(s, 1000).Step);
        Assert.Equal(Body.AsSpan(30).ToArray(), feed.Octets.ToArray());
        Assert.True(feed.EndStream);
    }

    [Fact(DisplayName = "RFC 9113 §10.5 (CVE-2019-9517): no more is fed than the output queue has room for; a full queue waits for the writer")]
    public void OutputRoomBoundsTheFeed()
    {
        var s = P.On(P.Next(P.Start(false), 1000).State, new Ev.Octets(Body, Last: true));
        (s, var step) = P.Next(s, room: 40);
        var feed = Assert.IsType<Step.Feed>(step);
        Assert.Equal(40, feed.Octets.Length);
        Assert.False(feed.EndStream); // not the whole rest: END_STREAM waits for the last octets
        s = P.On(s, new Ev.Accepted(40, 40));
        Assert.IsType<P.AwaitingOutput>(s);
        Assert.IsType<Step.WaitForOutput>(P.Next(s, room: 1000).Step); // the shell waits for the writer, whatever the room says now
        Assert.IsType<P.AwaitingOutput>(P.On(s, Ev.Writable.Instance));
        s = P.On(s, Ev.OutputDrained.Instance);
        Assert.IsType<Step.WaitForOutput>(P.Next(s, room: 0).Step);
        Assert.IsType<Step.WaitForOutput>(P.Next(P.Start(false), room: 0).Step); // nothing is read while the queue is full
    }

    [Fact(DisplayName = "Seed: a source with nothing yet waits for the handler's resume; a resume during the read reads again")]
    public void NotYetWaitsForResume()
    {
        var reading = P.Next(P.Start(false), 1000).State;
        var deferred = P.On(reading, Ev.NotYet.Instance);
        Assert.IsType<P.Deferred>(deferred);
        Assert.IsType<Step.Wait>(P.Next(deferred, 1000).Step);
        Assert.IsType<Step.Read>(P.Next(P.On(deferred, Ev.Resumed.Instance), 1000).Step);
        var resumedWhileReading = P.On(P.On(reading, Ev.Resumed.Instance), Ev.NotYet.Instance);
        Assert.IsType<Step.Read>(P.Next(resumedWhileReading, 1000).Step);
    }

    [Fact(DisplayName = "RFC 9113 §5.1: a stream that ends (reset, closed) ends its body in every state")]
    public void EndedFromEveryState()
    {
        var h = new P.Holding(Body, false, false);
        P[] states = [P.Start(false), new P.Reading(false, false), h, new P.AwaitingWindow(h), new P.AwaitingOutput(h), new P.Deferred(true), P.Done.Instance];
        foreach (var s in states)
        {
            var ended = P.On(s, Ev.Ended.Instance);
            Assert.IsType<P.Done>(ended);
            Assert.IsType<Step.Finish>(P.Next(ended, 1000).Step);
        }
    }

    [Fact(DisplayName = "RFC 9113 §8.1: a small in-memory body without trailers goes with its HEADERS; others, an empty one and a full queue do not")]
    public void SmallBodyWithHeaders()
    {
        Assert.True(P.WithHeaders(13, inMemory: true, trailers: false, room: 1));
        Assert.True(P.WithHeaders(P.SmallBody, true, false, 1));
        Assert.False(P.WithHeaders(P.SmallBody + 1, true, false, 1));
        Assert.False(P.WithHeaders(0, true, false, 1));
        Assert.False(P.WithHeaders(13, false, false, 1));
        Assert.False(P.WithHeaders(13, true, true, 1));
        Assert.False(P.WithHeaders(13, true, false, 0));
        Assert.False(P.WithHeaders(null, true, false, 1));
        Assert.IsType<P.AwaitingWindow>(P.AfterHeaders(Body, last: true));
        Assert.IsType<P.Done>(P.AfterHeaders(ReadOnlyMemory<byte>.Empty, last: true));
        Assert.IsType<P.Ready>(P.AfterHeaders(ReadOnlyMemory<byte>.Empty, last: false)); // a segmented body: the next segment is read
    }

    [Fact(DisplayName = "RFC 9113 §5.2, §6.9, §8.1: any chunking, queue room and core acceptance delivers every octet in order, END_STREAM once and last")]
    public void AnyScheduleDeliversTheBody()
    {
        var random = new Random(9113);
        for (var run = 0; run < 2000; run++)
        {
            var body = new byte[random.Next(0, 300)];
            random.NextBytes(body);
            var trailers = random.Next(2) == 0;
            var (sent, ends, trailersSent) = Drive(body, trailers, random);
            Assert.Equal(body, sent.ToArray());
            Assert.Equal(trailers ? 0 : 1, ends);
            Assert.Equal(trailers, trailersSent);
        }
    }

    /// <summary>A shell in miniature: a source giving random chunks, a core taking random amounts, a queue with random room.</summary>
    private static (List<byte> Sent, int Ends, bool Trailers) Drive(byte[] body, bool trailers, Random random)
    {
        var sent = new List<byte>();
        int ends = 0, offset = 0;
        var trailersSent = false;
        var s = P.Start(trailers);
        for (var i = 0; i < 10_000; i++)
        {
            var room = random.Next(4) == 0 ? 0 : random.Next(1, 120);
            (s, var step) = P.Next(s, room);
            switch (step)
            {
                case Step.Read:
                    if (random.Next(5) == 0) s = P.On(s, Ev.Resumed.Instance); // the handler resumes while the read runs
                    if (random.Next(5) == 0) { s = P.On(s, Ev.NotYet.Instance); break; }
                    var left = body.Length - offset;
                    var n = left == 0 ? 0 : random.Next(1, Math.Min(left, 90) + 1); // 0: the source ended
                    var last = P.IsLast(n, body.Length - offset - n);
                    s = P.On(s, new Ev.Octets(body.AsMemory(offset, n), last));
                    offset += n;
                    break;
                case Step.Feed f:
                    Assert.True(f.Octets.Length <= room || f.Octets.IsEmpty);
                    var taken = random.Next(3) == 0 ? random.Next(0, f.Octets.Length + 1) : f.Octets.Length;
                    sent.AddRange(f.Octets[..taken].ToArray());
                    if (f.EndStream && taken == f.Octets.Length) ends++;
                    s = P.On(s, new Ev.Accepted(f.Octets.Length, taken));
                    break;
                case Step.SendTrailers:
                    trailersSent = true;
                    break;
                case Step.Finish:
                    return (sent, ends, trailersSent);
                default: // Wait, WaitForOutput: what the shell waits for comes
                    s = P.On(s, random.Next(3) switch { 0 => Ev.Writable.Instance, 1 => Ev.OutputDrained.Instance, _ => Ev.Resumed.Instance });
                    break;
            }
            Assert.True(ends <= 1);
        }
        throw new Xunit.Sdk.XunitException("the body did not finish in 10,000 steps");
    }

    [Fact(DisplayName = "RFC 9113 §6.9.1: driven against the core with small windows, a body larger than its send buffer arrives whole as WINDOW_UPDATEs come")]
    public void AgainstTheCore()
    {
        var big = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 7)).ToArray();
        var server = new Server(ack: true);
        server.Feed(new SettingsFrame(false, LanguageExt.Prelude.Seq1(new Setting(SettingId.InitialWindowSize, 10_000))));
        server.Request(1);
        server.Respond(1).NoError();
        var s = P.Start(false);
        var data = new List<byte>();
        var endStream = false;
        var waitedForWindow = false;
        for (var i = 0; i < 1000 && !endStream; i++)
        {
            (s, var step) = P.Next(s, room: 1 << 20);
            IReadOnlyList<ConnectionEvent> o = [];
            switch (step)
            {
                case Step.Read: s = P.On(s, new Ev.Octets(big, true)); break;
                case Step.Feed f:
                    o = server.Step(new SendData(1, f.Octets, f.EndStream));
                    var taken = o.OfType<DataAccepted>().Single().Accepted;
                    s = P.On(s, new Ev.Accepted(f.Octets.Length, taken));
                    break;
                default: // waiting, or finished with octets still in the core's buffer: the client's WINDOW_UPDATEs let them out
                    waitedForWindow |= s is P.AwaitingWindow;
                    o = server.Feed(new WindowUpdateFrame(0, 10_000), new WindowUpdateFrame(1, 10_000));
                    if (o.OfType<StreamWritable>().Any()) s = P.On(s, Ev.Writable.Instance);
                    break;
            }
            foreach (var d in o.Frames().OfType<DataFrame>())
            {
                Assert.True(d.Data.Length <= 10_000);
                data.AddRange(d.Data.Span.ToArray());
                endStream |= d.EndStream;
            }
        }
        Assert.True(endStream, $"{data.Count} octets arrived, in state {s}");
        Assert.True(waitedForWindow);
        Assert.Equal(big, data.ToArray());
    }
}
