using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using Xunit;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Protocol;

public class CommandTests
{
    [Fact(DisplayName = "RFC 9113 §8.1.1: the server does not generate a malformed response (CR LF in a value rejected as a value)")]
    public void MalformedResponseRejected()
    {
        var s = new Server();
        s.Request(1);
        var o = s.Step(new SendHeaders(1, [HeaderField.Of(":status", "200"), HeaderField.Of("content-type", "x\r\nset-cookie: a")], true));
        Assert.Single(o.OfType<CommandRejected>());
        Assert.Empty(o.Frames());
    }

    [Fact(DisplayName = "RFC 9113 §8.1: a 1xx response may precede the final one; trailers end the stream after the data")]
    public void InformationalThenFinalThenTrailers()
    {
        var s = new Server();
        s.Request(1);
        s.Respond(1, false, "103").NoError();
        s.Respond(1, false, "200").NoError();
        s.Step(new SendData(1, new byte[] { 1 }, false)).NoError();
        var o = s.Step(new SendTrailers(1, [HeaderField.Of("x-checksum", "1")]));
        var h = Assert.Single(o.Frames().OfType<HeadersFrame>());
        Assert.True(h.EndStream);
        Assert.Contains(new StreamClosed(1, ErrorCode.NoError), o);
        Assert.Equal(3, s.All.Frames().OfType<HeadersFrame>().Count());
    }

    [Fact(DisplayName = "Seed: a second response on a stream is refused as a value")]
    public void SecondResponse()
    {
        var s = new Server();
        s.Request(1, false);
        s.Respond(1, false);
        Assert.Single(s.Respond(1, false).OfType<CommandRejected>());
    }

    [Fact(DisplayName = "Seed: commands after the connection closed are refused as values")]
    public void AfterClose()
    {
        var s = new Server();
        s.Request(1);
        s.Feed(new WindowUpdateFrame(0, 0));
        Assert.Single(s.Respond(1).OfType<CommandRejected>());
    }

    [Fact(DisplayName = "Seed: a lost transport closes every open stream with INTERNAL_ERROR")]
    public void TransportLost()
    {
        var s = new Server();
        s.Request(1, false);
        Assert.Contains(new StreamClosed(1, ErrorCode.InternalError), s.Step(AbortConnection.Instance));
    }

    [Fact(DisplayName = "RFC 9113 §6.5.3: UpdateSettings sends SETTINGS; the new values are in force once acknowledged")]
    public void UpdateSettings()
    {
        var s = new Server();
        var o = s.Step(new UpdateSettings(Http2Settings.ServerDefaults with { MaxConcurrentStreams = 5 }));
        Assert.Contains(new Setting(SettingId.MaxConcurrentStreams, 5), Assert.Single(o.Frames().OfType<SettingsFrame>()).Settings);
        Assert.Equal(100u, s.State.LocalSettings.MaxConcurrentStreams);
        s.Feed(SettingsFrame.Acknowledgement);
        Assert.Equal(5u, s.State.LocalSettings.MaxConcurrentStreams);
    }
}

public class ClientRoleTests
{
    private static (ConnectionState, IReadOnlyList<ConnectionEvent>) Client()
    {
        var r = Connection.Start(ConnectionOptions.Client, TimeSpan.Zero);
        Assert.IsType<PrefaceReady>(r.Outputs[0]);
        var r2 = Connection.Receive(r.State, FrameWriter.ToBytes(new SettingsFrame(false, LanguageExt.Seq<Setting>.Empty)), TimeSpan.Zero);
        return (r2.State, r2.Outputs);
    }

    [Fact(DisplayName = "RFC 9113 §5.1.1: a client opens odd streams and receives the response")]
    public void RequestResponse()
    {
        var (state, _) = Client();
        var r = Connection.Step(state, new SendHeaders(1, [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/"), HeaderField.Of(":authority", "a")], true), TimeSpan.Zero);
        Assert.Single(r.Outputs.Frames().OfType<HeadersFrame>());
        var block = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Nghttp2, 4096), [HeaderField.Of(":status", "200")]).Block;
        var r2 = Connection.Receive(r.State, FrameWriter.ToBytes([new HeadersFrame(1, block, false), new DataFrame(1, new byte[] { 7 }, true)]), TimeSpan.Zero);
        Assert.Single(r2.Outputs.OfType<HeadersReceived>());
        Assert.Contains(new StreamClosed(1, ErrorCode.NoError), r2.Outputs);
    }

    [Fact(DisplayName = "RFC 9113 §6.5.2: a client receiving SETTINGS_ENABLE_PUSH = 1 treats it as a connection PROTOCOL_ERROR")]
    public void EnablePushFromServer()
    {
        var r = Connection.Start(ConnectionOptions.Client, TimeSpan.Zero);
        var r2 = Connection.Receive(r.State, FrameWriter.ToBytes(new SettingsFrame(false, Seq1(new Setting(SettingId.EnablePush, 1)))), TimeSpan.Zero);
        r2.Outputs.GoAway(ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §6.6: a client that disabled push treats PUSH_PROMISE as a connection PROTOCOL_ERROR")]
    public void PushWhenDisabled()
    {
        var (state, _) = Client();
        var r = Connection.Step(state, new SendHeaders(1, [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/"), HeaderField.Of(":authority", "a")], true), TimeSpan.Zero);
        var block = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Nghttp2, 4096), [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/p"), HeaderField.Of(":authority", "a")]).Block;
        Connection.Receive(r.State, FrameWriter.ToBytes(new PushPromiseFrame(1, 2, block)), TimeSpan.Zero).Outputs.GoAway(ErrorCode.ProtocolError);
    }

    private static readonly IReadOnlyList<HeaderField> ClientGet =
        [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/"), HeaderField.Of(":authority", "a")];

    [Fact(DisplayName = "RFC 9113 §6.8: a client that received GOAWAY opens no new stream; streams at or below its last id finish")]
    public void ClientAfterGoAway()
    {
        var (state, _) = Client();
        var r = Connection.Step(state, new SendHeaders(1, ClientGet, true), TimeSpan.Zero);
        r = Connection.StepAll(r.State, [new SendHeaders(3, ClientGet, true)], TimeSpan.Zero);
        // The server processed stream 1 only: stream 3 was not, and may be retried elsewhere (§6.8).
        var g = Connection.Receive(r.State, FrameWriter.ToBytes(new GoAwayFrame(1, ErrorCode.NoError, Http2.Reference.Bytes.Empty)), TimeSpan.Zero);
        Assert.Contains(g.Outputs, o => o is GoAwayReceived { LastStreamId: 1 });
        Assert.Contains(new StreamClosed(3, ErrorCode.RefusedStream), g.Outputs);
        Assert.True(g.State.Stream(1).IsSome);
        var refused = Connection.Step(g.State, new SendHeaders(5, ClientGet, true), TimeSpan.Zero);
        Assert.Single(refused.Outputs.OfType<CommandRejected>());
        Assert.Empty(refused.Outputs.Frames());
        // Stream 1 still gets its response, then the connection closes gracefully.
        var block = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Nghttp2, 4096), [HeaderField.Of(":status", "200")]).Block;
        var done = Connection.Receive(g.State, FrameWriter.ToBytes(new HeadersFrame(1, block, true)), TimeSpan.Zero);
        Assert.Single(done.Outputs.OfType<HeadersReceived>());
        Assert.Contains(new StreamClosed(1, ErrorCode.NoError), done.Outputs);
        Assert.Contains(done.Outputs, o => o is ConnectionEnded { Code.Value: 0 });
    }

    [Fact(DisplayName = "RFC 9113 §8.1.1: a client treats a response with conflicting content-length fields as malformed (stream PROTOCOL_ERROR)")]
    public void ClientConflictingContentLength()
    {
        var (state, _) = Client();
        var r = Connection.Step(state, new SendHeaders(1, ClientGet, true), TimeSpan.Zero);
        var block = HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Nghttp2, 4096),
            [HeaderField.Of(":status", "200"), HeaderField.Of("content-length", "1"), HeaderField.Of("content-length", "2")]).Block;
        var o = Connection.Receive(r.State, FrameWriter.ToBytes(new HeadersFrame(1, block, false)), TimeSpan.Zero).Outputs;
        o.Rst(1, ErrorCode.ProtocolError);
        Assert.Empty(o.OfType<HeadersReceived>());
    }

    [Fact(DisplayName = "RFC 9113 §8.1.1: the server does not send a response with conflicting content-length fields")]
    public void ServerConflictingContentLength()
    {
        var s = new Server();
        s.Request(1);
        var o = s.Step(new SendHeaders(1, [HeaderField.Of(":status", "200"), HeaderField.Of("content-length", "1"), HeaderField.Of("content-length", "2")], true));
        Assert.Single(o.OfType<CommandRejected>());
        Assert.Empty(o.Frames());
    }
}
