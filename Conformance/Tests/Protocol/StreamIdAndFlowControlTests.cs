using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Protocol;
using Xunit;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Protocol;

public class StreamIdTests
{
    [Fact(DisplayName = "RFC 9113 §5.1.1: a client stream with an even id is a connection PROTOCOL_ERROR")]
    public void EvenId() => new Server().Request(2).GoAway(ErrorCode.ProtocolError);

    [Fact(DisplayName = "RFC 9113 §5.1.1: a new stream id lower than one already used is a connection PROTOCOL_ERROR")]
    public void LowerId()
    {
        var s = new Server();
        s.Request(5);
        s.Request(3).GoAway(ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §5.1.1/§6.8: GOAWAY carries the last peer stream id processed")]
    public void GoAwayLastStream()
    {
        var s = new Server();
        s.Request(5);
        Assert.Equal(5u, s.Request(3).GoAway(ErrorCode.ProtocolError).LastStreamId);
    }

    [Fact(DisplayName = "RFC 9113 §5.1.2: streams over SETTINGS_MAX_CONCURRENT_STREAMS are refused with REFUSED_STREAM (at, below, above the limit)")]
    public void Concurrency()
    {
        var s = new Server(ConnectionOptions.Server with { Settings = Http2Settings.ServerDefaults with { MaxConcurrentStreams = 3 } });
        s.Request(1, false).NoError();
        s.Request(3, false).NoError();   // below
        s.Request(5, false).NoError();   // at: the third stream is the last allowed
        Assert.Equal(3, s.State.ActivePeerStreams);
        var o = s.Request(7, false);     // above
        o.Rst(7, ErrorCode.RefusedStream);
        Assert.DoesNotContain(o, x => x is HeadersReceived);
        // Closing one frees a slot.
        s.Feed(new RstStreamFrame(1, ErrorCode.Cancel));
        s.Request(9, false).NoError();
    }

    [Fact(DisplayName = "RFC 9113 §4.3: a refused stream's header block is still decoded (HPACK stays in sync, Kestrel's rule)")]
    public void RefusedStillDecoded()
    {
        var s = new Server(ConnectionOptions.Server with { Settings = Http2Settings.ServerDefaults with { MaxConcurrentStreams = 1 } });
        s.Request(1, false);
        s.Request(3, false, Server.With(("x-custom", "indexed-into-the-table"))).Rst(3, ErrorCode.RefusedStream);
        s.Feed(new RstStreamFrame(1, ErrorCode.Cancel));
        // The encoder now refers to the entry added by the refused block.
        var o = s.Request(5, false, Server.With(("x-custom", "indexed-into-the-table")));
        o.NoError();
        Assert.Contains(Assert.Single(o.OfType<HeadersReceived>()).Fields, f => f.NameText == "x-custom");
    }

    [Fact(DisplayName = "RFC 9113 §5.1.1: running out of stream ids closes the connection gracefully (below, at the limit)")]
    public void StreamIdExhaustion()
    {
        var s = new Server(ConnectionOptions.Server with { Limits = new() { MaxStreamId = 11 } });
        s.Request(7).NoError();                       // below
        var o = s.Request(9);                          // at MaxStreamId - 2: still below the last id
        Assert.Empty(o.Frames().OfType<GoAwayFrame>());
        o = s.Request(11);                             // at: the last usable id
        var g = Assert.Single(o.Frames().OfType<GoAwayFrame>());
        Assert.Equal(ErrorCode.NoError, g.Error);
        Assert.Equal(11u, g.LastStreamId);
        // Existing streams finish, then the connection closes.
        s.Respond(7, true); s.Respond(9, true);
        var done = s.Respond(11, true);
        Assert.Contains(done, x => x is ConnectionEnded { Code.Value: 0 });
    }
}

public class FlowControlTests
{
    [Fact(DisplayName = "RFC 9113 §6.9.1: DATA beyond the connection window is a connection FLOW_CONTROL_ERROR")]
    public void ConnectionWindowExceeded()
    {
        var s = new Server(ConnectionOptions.Server with { Limits = new() { ConnectionReceiveWindow = 65535 } });
        s.Feed(new SettingsFrame(false, Seq<Setting>()));
        for (uint id = 1; id <= 9; id += 2)
        {
            s.Request(id, false, Server.Post(20000));
            s.Feed(new DataFrame(id, new byte[16000])).NoError(); // 5 x 16000 = 80000 > 65535
            if (s.State.ConnectionReceiveWindow < 16000) break;
        }
        s.Request(11, false, Server.Post(20000));
        s.Feed(new DataFrame(11, new byte[16000])).GoAway(ErrorCode.FlowControlError);
    }

    [Fact(DisplayName = "RFC 9113 §6.9.1: DATA beyond the stream window is a FLOW_CONTROL_ERROR (stream scope), the connection lives")]
    public void StreamWindowExceeded()
    {
        var s = new Server();
        s.Request(1, false, Server.Post(70000));
        for (var i = 0; i < 4; i++) s.Feed(new DataFrame(1, new byte[16000])).NoError();
        s.Feed(new DataFrame(1, new byte[1535])).NoError();   // exactly 65535: the window is used up
        s.Feed(new DataFrame(1, new byte[16])).Rst(1, ErrorCode.FlowControlError);
    }

    [Fact(DisplayName = "RFC 9113 §6.9: WINDOW_UPDATE with increment 0 on a stream is a stream PROTOCOL_ERROR")]
    public void ZeroIncrementStream()
    {
        var s = new Server();
        s.Request(1, false);
        s.Feed(new WindowUpdateFrame(1, 0)).Rst(1, ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §6.9: WINDOW_UPDATE with increment 0 on the connection is a connection PROTOCOL_ERROR")]
    public void ZeroIncrementConnection() => new Server().Feed(new WindowUpdateFrame(0, 0)).GoAway(ErrorCode.ProtocolError);

    [Fact(DisplayName = "RFC 9113 §6.9.1: a stream window beyond 2^31-1 is a stream FLOW_CONTROL_ERROR (at the limit it is fine)")]
    public void StreamOverflow()
    {
        var s = new Server();
        s.Request(1, false);
        s.Feed(new WindowUpdateFrame(1, (uint)(int.MaxValue - 65535))).NoError(); // exactly 2^31-1
        s.Feed(new WindowUpdateFrame(1, 1)).Rst(1, ErrorCode.FlowControlError);
    }

    [Fact(DisplayName = "RFC 9113 §6.9.1: the connection window beyond 2^31-1 is a connection FLOW_CONTROL_ERROR")]
    public void ConnectionOverflow()
    {
        var s = new Server();
        s.Feed(new WindowUpdateFrame(0, (uint)(int.MaxValue - 65535))).NoError();
        s.Feed(new WindowUpdateFrame(0, 1)).GoAway(ErrorCode.FlowControlError);
    }

    [Fact(DisplayName = "RFC 9113 §6.9.1: outgoing DATA waits for window and resumes on WINDOW_UPDATE; never more than the window")]
    public void OutgoingWaitsForWindow()
    {
        var s = new Server();
        s.Feed(new SettingsFrame(false, Seq1(new Setting(SettingId.InitialWindowSize, 10))));
        s.Request(1);
        s.Respond(1);
        var o = s.Step(new SendData(1, new byte[25], true));
        Assert.Equal(10, o.Frames().OfType<DataFrame>().Sum(d => d.Data.Length));
        Assert.Equal(new DataAccepted(1, 25), Assert.Single(o.OfType<DataAccepted>()));
        o = s.Feed(new WindowUpdateFrame(1, 10));
        Assert.Equal(10, o.Frames().OfType<DataFrame>().Sum(d => d.Data.Length));
        Assert.DoesNotContain(o.Frames().OfType<DataFrame>(), d => d.EndStream);
        o = s.Feed(new WindowUpdateFrame(1, 100));
        var last = Assert.Single(o.Frames().OfType<DataFrame>());
        Assert.Equal(5, last.Data.Length);
        Assert.True(last.EndStream);
        Assert.Contains(new StreamClosed(1, ErrorCode.NoError), o);
    }

    [Fact(DisplayName = "RFC 9113 §5.2: a connection window too small for every waiting stream is shared frame by frame (round robin), not given to the lowest id")]
    public void WaitingStreamsShareTheConnectionWindow()
    {
        var s = new Server();
        // Large stream windows, so the connection window (65,535) is what limits.
        s.Feed(new SettingsFrame(false, Seq1(new Setting(SettingId.InitialWindowSize, 1 << 20))));
        foreach (var id in new uint[] { 1, 3, 5 })
        {
            s.Request(id);
            s.Respond(id);
        }
        // Stream 1 takes the whole connection window at once (it was free); 3 and 5 wait.
        var o = s.Step(new SendData(1, new byte[100_000], true));
        Assert.Equal(65_535, o.Frames().OfType<DataFrame>().Sum(d => d.Data.Length));
        s.Step(new SendData(3, new byte[40_000], true));
        s.Step(new SendData(5, new byte[40_000], true));
        // 3 x 16,384 of new window: one full frame for each waiting stream, in turn.
        o = s.Feed(new WindowUpdateFrame(0, 3 * 16_384));
        var data = o.Frames().OfType<DataFrame>().ToList();
        Assert.Equal(3, data.Count);
        Assert.Equal([1u, 3u, 5u], data.Select(d => d.StreamId).Order());
        Assert.All(data, d => Assert.Equal(16_384, d.Data.Length));
        // The next window starts after the stream that went first last time.
        var first = data[0].StreamId;
        o = s.Feed(new WindowUpdateFrame(0, 16_384));
        var next = Assert.Single(o.Frames().OfType<DataFrame>());
        Assert.NotEqual(first, next.StreamId);
    }

    [Fact(DisplayName = "RFC 9113 §6.9.2: a SETTINGS_INITIAL_WINDOW_SIZE change adjusts open streams and may make a window negative")]
    public void InitialWindowChangeNegative()
    {
        var s = new Server();
        s.Request(1);
        s.Respond(1);
        s.Step(new SendData(1, new byte[1000], false));
        Assert.Equal(64535, s.State.Streams[1].SendWindow);
        s.Feed(new SettingsFrame(false, Seq1(new Setting(SettingId.InitialWindowSize, 100))));
        Assert.Equal(-900, s.State.Streams[1].SendWindow);
        var o = s.Step(new SendData(1, new byte[10], true));
        Assert.Empty(o.Frames().OfType<DataFrame>());
        o = s.Feed(new WindowUpdateFrame(1, 905));
        Assert.Equal(5, Assert.Single(o.Frames().OfType<DataFrame>()).Data.Length);
    }

    [Fact(DisplayName = "RFC 9113 §6.9.2: an INITIAL_WINDOW_SIZE change that takes a stream window beyond 2^31-1 is a connection FLOW_CONTROL_ERROR")]
    public void InitialWindowChangeOverflow()
    {
        var s = new Server();
        s.Request(1);
        s.Feed(new WindowUpdateFrame(1, (uint)(int.MaxValue - 65535)));
        s.Feed(new SettingsFrame(false, Seq1(new Setting(SettingId.InitialWindowSize, 65536)))).GoAway(ErrorCode.FlowControlError);
    }

    [Fact(DisplayName = "RFC 9113 §6.9: consumed request data is returned with WINDOW_UPDATE once half a window is consumed (batched)")]
    public void CreditReturned()
    {
        var s = new Server();
        s.Request(1, false, Server.Post(60000));
        s.Feed(new DataFrame(1, new byte[16000]), new DataFrame(1, new byte[16000]), new DataFrame(1, new byte[767])).NoError();
        Assert.Empty(s.Step(new ConsumeData(1, 16000)).Frames()); // below half the window: held back
        var o = s.Step(new ConsumeData(1, 16767));                 // at half (32767): returned in one frame
        var wu = Assert.Single(o.Frames().OfType<WindowUpdateFrame>(), f => f.StreamId == 1);
        Assert.Equal(32767u, wu.Increment);
        Assert.Equal(65535, s.State.Streams[1].ReceiveWindow);
    }

    [Fact(DisplayName = "RFC 9113 §6.1: padding counts against flow control and its credit is returned without the application")]
    public void PaddingCredit()
    {
        var s = new Server();
        s.Request(1, false, Server.Post(10));
        var window = s.State.Streams[1].ReceiveWindow;
        var o = s.Feed(new DataFrame(1, new byte[10], false, Some((byte)100)));
        Assert.Equal(10, Assert.Single(o.OfType<DataReceived>()).Data.Length);
        Assert.Equal(window - 111, s.State.Streams[1].ReceiveWindow);
        Assert.Equal(101, s.State.Streams[1].UnreturnedCredit);
    }
}
