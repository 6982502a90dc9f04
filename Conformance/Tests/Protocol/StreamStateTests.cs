using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using Xunit;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Protocol;

/// <summary>RFC 9113 §5.1: every state, the frames it allows and the error each wrong frame gets.</summary>
public class StreamStateTests
{
    [Fact(DisplayName = "RFC 9113 §5.1 idle: HEADERS opens the stream (open) and the request goes to the application")]
    public void IdleHeadersOpens()
    {
        var s = new Server();
        var o = s.Request(1, endStream: false);
        var h = Assert.Single(o.OfType<HeadersReceived>());
        Assert.Equal(1u, h.StreamId);
        Assert.False(h.EndStream);
        Assert.IsType<StreamState.Open>(s.State.Streams[1].State);
        Assert.Equal(":method", h.Fields[0].NameText);
    }

    [Fact(DisplayName = "RFC 9113 §5.1 idle: HEADERS with END_STREAM gives half-closed (remote)")]
    public void IdleHeadersEndStream()
    {
        var s = new Server();
        s.Request(1).NoError();
        Assert.IsType<StreamState.HalfClosedRemote>(s.State.Streams[1].State);
    }

    [Theory(DisplayName = "RFC 9113 §5.1 idle: DATA, RST_STREAM, WINDOW_UPDATE on an idle stream are connection PROTOCOL_ERRORs")]
    [InlineData("data")]
    [InlineData("rst")]
    [InlineData("wu")]
    public void IdleOtherFrames(string kind)
    {
        var s = new Server();
        Frame f = kind switch
        {
            "data" => new DataFrame(1, new byte[] { 1 }),
            "rst" => new RstStreamFrame(1, ErrorCode.Cancel),
            _ => new WindowUpdateFrame(1, 10),
        };
        s.Feed(f).GoAway(ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §5.1 idle: PRIORITY is allowed on an idle stream and does not open it")]
    public void IdlePriority()
    {
        var s = new Server();
        s.Feed(new PriorityFrame(3, new PriorityFields(false, 0, 15))).NoError();
        Assert.True(s.State.Streams.IsEmpty);
        s.Request(3).NoError();
    }

    [Fact(DisplayName = "RFC 9113 §5.1 open: DATA with END_STREAM half-closes (remote); the body reaches the application")]
    public void OpenDataEndStream()
    {
        var s = new Server();
        s.Request(1, false, Server.Post(3));
        var o = s.Feed(new DataFrame(1, new byte[] { 1, 2, 3 }, EndStream: true));
        var d = Assert.Single(o.OfType<DataReceived>());
        Assert.True(d.EndStream);
        Assert.Equal(3, d.Data.Length);
        Assert.IsType<StreamState.HalfClosedRemote>(s.State.Streams[1].State);
    }

    [Fact(DisplayName = "RFC 9113 §5.1 half-closed (remote): DATA is a stream error STREAM_CLOSED")]
    public void HalfClosedRemoteData()
    {
        var s = new Server();
        s.Request(1);
        s.Feed(new DataFrame(1, new byte[] { 1 })).Rst(1, ErrorCode.StreamClosed);
    }

    [Fact(DisplayName = "RFC 9113 §5.1 half-closed (remote): HEADERS is a stream error STREAM_CLOSED (and the block is still decoded)")]
    public void HalfClosedRemoteHeaders()
    {
        var s = new Server();
        s.Request(1);
        s.Feed(s.Headers(1, true, ("x-trailer", "1"))).Rst(1, ErrorCode.StreamClosed);
        // The HPACK context stayed in sync: a new request decodes fine.
        s.Request(3).NoError();
    }

    [Fact(DisplayName = "RFC 9113 §5.1 half-closed (remote): WINDOW_UPDATE, PRIORITY and RST_STREAM are allowed")]
    public void HalfClosedRemoteAllowed()
    {
        var s = new Server();
        s.Request(1);
        s.Feed(new WindowUpdateFrame(1, 100), new PriorityFrame(1, new PriorityFields(false, 0, 1))).NoError();
        var o = s.Feed(new RstStreamFrame(1, ErrorCode.Cancel));
        Assert.Contains(new StreamClosed(1, ErrorCode.Cancel), o);
        Assert.Empty(o.Frames());
    }

    [Fact(DisplayName = "RFC 9113 §5.1 half-closed (remote) -> closed: our END_STREAM closes the stream with NO_ERROR")]
    public void ResponseClosesStream()
    {
        var s = new Server();
        s.Request(1);
        s.Respond(1);
        var o = s.Step(new SendData(1, new byte[] { 1, 2 }, true));
        Assert.Contains(new StreamClosed(1, ErrorCode.NoError), o);
        Assert.True(s.State.Streams.IsEmpty);
        Assert.Equal(Some(CloseCause.EndStream), s.State.RecentlyClosed(1));
        var d = Assert.Single(o.Frames().OfType<DataFrame>());
        Assert.True(d.EndStream);
    }

    [Fact(DisplayName = "RFC 9113 §5.1 closed: DATA after both END_STREAMs is STREAM_CLOSED")]
    public void ClosedData()
    {
        var s = new Server();
        s.Request(1);
        s.Respond(1, endStream: true);
        var o = s.Feed(new DataFrame(1, new byte[] { 1 }));
        Assert.Contains(o.Frames(), f => f is RstStreamFrame { Error.Value: 5 } or GoAwayFrame { Error.Value: 5 });
    }

    [Fact(DisplayName = "RFC 9113 §5.1 closed: HEADERS on a closed stream is a connection error STREAM_CLOSED")]
    public void ClosedHeaders()
    {
        var s = new Server();
        s.Request(1);
        s.Respond(1, endStream: true);
        s.Feed(s.Headers(1)).GoAway(ErrorCode.StreamClosed);
    }

    [Fact(DisplayName = "RFC 9113 §5.1 closed: WINDOW_UPDATE and RST_STREAM shortly after END_STREAM are ignored")]
    public void ClosedLateFramesIgnored()
    {
        var s = new Server();
        s.Request(1);
        s.Respond(1, endStream: true);
        s.Feed(new WindowUpdateFrame(1, 5), new RstStreamFrame(1, ErrorCode.Cancel), new PriorityFrame(1, new PriorityFields(false, 0, 1))).NoError();
    }

    [Fact(DisplayName = "RFC 9113 §5.1 closed: after the peer's RST_STREAM, DATA is a stream error STREAM_CLOSED")]
    public void AfterPeerResetData()
    {
        var s = new Server();
        s.Request(1, false, Server.Post(3));
        s.Feed(new RstStreamFrame(1, ErrorCode.Cancel));
        s.Feed(new DataFrame(1, new byte[] { 1 })).Rst(1, ErrorCode.StreamClosed);
    }

    [Fact(DisplayName = "RFC 9113 §5.1 closed: frames after we sent RST_STREAM MUST be ignored (flow control still counted)")]
    public void AfterOurResetIgnored()
    {
        var s = new Server();
        s.Request(1, false, Server.Post(3));
        s.Step(new SendReset(1, ErrorCode.Cancel));
        var window = s.State.ConnectionReceiveWindow;
        s.Feed(new DataFrame(1, new byte[] { 1, 2, 3 }), s.Headers(1, true, ("x", "y")), new WindowUpdateFrame(1, 1)).NoError();
        Assert.Equal(window - 3, s.State.ConnectionReceiveWindow);
    }

    [Fact(DisplayName = "RFC 9113 §5.1 reserved (local): the client may send only RST_STREAM, PRIORITY, WINDOW_UPDATE; HEADERS is a connection PROTOCOL_ERROR")]
    public void ReservedLocal()
    {
        var s = new Server();
        s.Feed(new SettingsFrame(false, Seq1(new Setting(SettingId.EnablePush, 1))));
        s.Request(1);
        var o = s.Step(new PromisePush(1, [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/style.css"), HeaderField.Of(":authority", "example.org")]));
        var promised = Assert.Single(o.OfType<PushPromiseSent>()).PromisedStreamId;
        Assert.Equal(2u, promised);
        Assert.IsType<StreamState.ReservedLocal>(s.State.Streams[2].State);
        s.Feed(new WindowUpdateFrame(2, 10), new PriorityFrame(2, new PriorityFields(false, 0, 1))).NoError();
        s.Feed(new DataFrame(2, new byte[] { 1 })).GoAway(ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §5.1 reserved (local) -> half-closed (remote) on our HEADERS; -> closed on the client's RST_STREAM")]
    public void ReservedLocalMoves()
    {
        var s = new Server();
        s.Feed(new SettingsFrame(false, Seq1(new Setting(SettingId.EnablePush, 1))));
        s.Request(1);
        s.Step(new PromisePush(1, [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/a"), HeaderField.Of(":authority", "x")]));
        s.Step(new PromisePush(1, [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/b"), HeaderField.Of(":authority", "x")]));
        s.Respond(2);
        Assert.IsType<StreamState.HalfClosedRemote>(s.State.Streams[2].State);
        var o = s.Feed(new RstStreamFrame(4, ErrorCode.Cancel));
        Assert.Contains(new StreamClosed(4, ErrorCode.Cancel), o);
        Assert.False(s.State.Streams.ContainsKey(4));
    }

    [Fact(DisplayName = "RFC 9113 §5.1: RST_STREAM closes an open stream; the application hears the code")]
    public void RstClosesOpen()
    {
        var s = new Server();
        s.Request(1, false);
        var o = s.Feed(new RstStreamFrame(1, ErrorCode.Cancel));
        Assert.Contains(new StreamClosed(1, ErrorCode.Cancel), o);
        Assert.Empty(o.Frames());
    }

    [Fact(DisplayName = "RFC 9113 §5.4.2: a RST_STREAM is never answered with RST_STREAM")]
    public void NoRstForRst()
    {
        var s = new Server();
        s.Request(1, false);
        s.Feed(new RstStreamFrame(1, ErrorCode.Cancel));
        s.Feed(new RstStreamFrame(1, ErrorCode.Cancel)).NoError();
    }
}
