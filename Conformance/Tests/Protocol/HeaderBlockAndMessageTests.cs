using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using Xunit;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Protocol;

public class HeaderBlockTests
{
    private static (HeadersFrame, ContinuationFrame) Split(Server s, uint id, bool endStream = true)
    {
        var block = s.Block(Server.Get);
        var cut = block.Length / 2;
        return (new HeadersFrame(id, new Bytes(block.Memory[..cut]), endStream, EndHeaders: false),
                new ContinuationFrame(id, new Bytes(block.Memory[cut..]), EndHeaders: true));
    }

    [Fact(DisplayName = "RFC 9113 §6.10: a header block split over HEADERS + CONTINUATION is reassembled and decoded")]
    public void Reassembled()
    {
        var s = new Server();
        var (h, c) = Split(s, 1);
        s.Feed(h).NoError();
        Assert.True(s.State.HeaderBlock.IsSome);
        var o = s.Feed(c);
        o.NoError();
        Assert.Single(o.OfType<HeadersReceived>());
    }

    [Fact(DisplayName = "RFC 9113 §6.10: any frame other than CONTINUATION inside a header block is a connection PROTOCOL_ERROR")]
    public void OtherFrameInsideBlock()
    {
        var s = new Server();
        var (h, _) = Split(s, 1);
        s.Feed(h);
        s.Feed(new PingFrame(false, 1)).GoAway(ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §6.10: CONTINUATION on a different stream inside a header block is a connection PROTOCOL_ERROR")]
    public void ContinuationOtherStream()
    {
        var s = new Server();
        var (h, c) = Split(s, 1);
        s.Feed(h);
        s.Feed(new ContinuationFrame(3, c.Fragment, true)).GoAway(ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §6.10: CONTINUATION without a preceding HEADERS is a connection PROTOCOL_ERROR")]
    public void StrayContinuation()
    {
        var s = new Server();
        s.Request(1);
        s.Feed(new ContinuationFrame(1, new byte[] { 0x82 })).GoAway(ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §4.3: a header block that cannot be decoded is a connection COMPRESSION_ERROR")]
    public void CompressionError() =>
        new Server().Feed(new HeadersFrame(1, new byte[] { 0x80 }, true)).GoAway(ErrorCode.CompressionError);

    [Fact(DisplayName = "RFC 9113 §4.3: a header block for a stream that is reset is still decoded, keeping the HPACK context")]
    public void DecodedForIgnoredStream()
    {
        var s = new Server();
        s.Request(1, false);
        s.Step(new SendReset(1, ErrorCode.Cancel));
        // Trailers on the reset stream, adding a table entry the next request refers to.
        s.Feed(s.Headers(1, true, ("x-added", "to-the-dynamic-table"))).NoError();
        var o = s.Request(3, true, Server.With(("x-added", "to-the-dynamic-table")));
        o.NoError();
        Assert.Contains(Assert.Single(o.OfType<HeadersReceived>()).Fields, f => f.ValueText == "to-the-dynamic-table");
    }
}

public class MessageTests
{
    private static void Malformed(params (string, string)[] fields) => Malformed(true, fields);

    private static void Malformed(bool endStream, params (string, string)[] fields)
    {
        var s = new Server();
        var o = s.Request(1, endStream, fields);
        o.Rst(1, ErrorCode.ProtocolError);
        Assert.DoesNotContain(o, x => x is HeadersReceived);
        // The connection lives: the next request works.
        s.Request(3).NoError();
    }

    [Fact(DisplayName = "RFC 9113 §8.2.1: a field name with uppercase characters is malformed")]
    public void Uppercase() => Malformed(Server.With(("X-Upper", "1")));

    [Theory(DisplayName = "RFC 9113 §8.2.2: connection-specific fields are malformed")]
    [InlineData("connection")]
    [InlineData("keep-alive")]
    [InlineData("proxy-connection")]
    [InlineData("transfer-encoding")]
    [InlineData("upgrade")]
    public void ConnectionSpecific(string name) => Malformed(Server.With((name, "x")));

    [Fact(DisplayName = "RFC 9113 §8.2.2: TE with a value other than \"trailers\" is malformed")]
    public void TeOther() => Malformed(Server.With(("te", "gzip")));

    [Fact(DisplayName = "RFC 9113 §8.2.2: TE: trailers is allowed")]
    public void TeTrailers() => new Server().Request(1, true, Server.With(("te", "trailers"))).NoError();

    [Theory(DisplayName = "RFC 9113 §8.2.1: CR, LF, NUL and leading/trailing whitespace in values are malformed")]
    [InlineData("a\rb")]
    [InlineData("a\nb")]
    [InlineData("a\0b")]
    [InlineData(" a")]
    [InlineData("a ")]
    [InlineData("a\t")]
    public void BadValues(string value) => Malformed(Server.With(("x-v", value)));

    [Theory(DisplayName = "RFC 9113 §8.2.1: forbidden characters in field names are malformed")]
    [InlineData("x y")]
    [InlineData("x:y")]
    [InlineData("x\u007f")]
    public void BadNames(string name) => Malformed(Server.With((name, "1")));

    [Fact(DisplayName = "RFC 9113 §8.3: an unknown pseudo-header is malformed")]
    public void UnknownPseudo() => Malformed([(":method", "GET"), (":scheme", "https"), (":path", "/"), (":foo", "x")]);

    [Fact(DisplayName = "RFC 9113 §8.3: a response pseudo-header in a request is malformed")]
    public void StatusInRequest() => Malformed([(":method", "GET"), (":scheme", "https"), (":path", "/"), (":status", "200")]);

    [Fact(DisplayName = "RFC 9113 §8.3: a repeated pseudo-header is malformed")]
    public void RepeatedPseudo() => Malformed([(":method", "GET"), (":method", "GET"), (":scheme", "https"), (":path", "/")]);

    [Fact(DisplayName = "RFC 9113 §8.3: a pseudo-header after a regular field is malformed")]
    public void PseudoAfterRegular() => Malformed([(":method", "GET"), (":scheme", "https"), ("accept", "*/*"), (":path", "/")]);

    [Theory(DisplayName = "RFC 9113 §8.3.1: a request without :method, :scheme or :path is malformed")]
    [InlineData(":method")]
    [InlineData(":scheme")]
    [InlineData(":path")]
    public void Missing(string name) => Malformed(Server.Get.Where(f => f.Item1 != name).ToArray());

    [Fact(DisplayName = "RFC 9113 §8.3.1: an empty :path is malformed")]
    public void EmptyPath() => Malformed([(":method", "GET"), (":scheme", "https"), (":path", "")]);

    [Fact(DisplayName = "RFC 9113 §8.3: pseudo-headers in trailers are malformed")]
    public void PseudoInTrailers()
    {
        var s = new Server();
        s.Request(1, false);
        s.Feed(s.Headers(1, true, (":path", "/x"))).Rst(1, ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §8.1: trailers without END_STREAM are malformed")]
    public void TrailersWithoutEndStream()
    {
        var s = new Server();
        s.Request(1, false);
        s.Feed(s.Headers(1, false, ("x-checksum", "1"))).Rst(1, ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §8.1: a request ending with trailers is complete: the application gets the trailers")]
    public void TrailersDelivered()
    {
        var s = new Server();
        s.Request(1, false);
        s.Feed(new DataFrame(1, new byte[] { 1 }));
        var o = s.Feed(s.Headers(1, true, ("x-checksum", "1")));
        o.NoError();
        Assert.Equal("x-checksum", Assert.Single(Assert.Single(o.OfType<TrailersReceived>()).Fields).NameText);
        Assert.IsType<StreamState.HalfClosedRemote>(s.State.Streams[1].State);
    }

    [Fact(DisplayName = "RFC 9113 §8.1.1: DATA beyond the content-length is malformed")]
    public void ContentLengthExceeded()
    {
        var s = new Server();
        s.Request(1, false, Server.Post(3));
        s.Feed(new DataFrame(1, new byte[4])).Rst(1, ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §8.1.1: a body shorter than the content-length is malformed at END_STREAM")]
    public void ContentLengthShort()
    {
        var s = new Server();
        s.Request(1, false, Server.Post(3));
        s.Feed(new DataFrame(1, new byte[2], EndStream: true)).Rst(1, ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §8.1.1: content-length other than 0 on a HEADERS with END_STREAM is malformed")]
    public void ContentLengthNoBody() => Malformed(Server.Post(5));

    [Fact(DisplayName = "RFC 9113 §8.1.1: a body matching the content-length is accepted")]
    public void ContentLengthExact()
    {
        var s = new Server();
        s.Request(1, false, Server.Post(3));
        s.Feed(new DataFrame(1, new byte[1]), new DataFrame(1, new byte[2], EndStream: true)).NoError();
    }

    [Fact(DisplayName = "RFC 9113 §8.2.3: cookie fields are joined with \"; \" for the application")]
    public void CookiesJoined()
    {
        var s = new Server();
        var o = s.Request(1, true, Server.With(("cookie", "a=b"), ("accept", "*/*"), ("cookie", "c=d"), ("cookie", "e=f")));
        var fields = Assert.Single(o.OfType<HeadersReceived>()).Fields;
        Assert.Equal("a=b; c=d; e=f", Assert.Single(fields, f => f.NameText == "cookie").ValueText);
        Assert.Equal(["cookie", "accept"], fields.Skip(4).Select(f => f.NameText));
    }

    [Fact(DisplayName = "RFC 9113 §8.2.3: pseudo-headers reach the application in wire order")]
    public void WireOrder()
    {
        var s = new Server();
        var o = s.Request(1, true, [(":authority", "a"), (":path", "/p"), (":scheme", "http"), (":method", "GET"), ("x", "1")]);
        Assert.Equal([":authority", ":path", ":scheme", ":method", "x"], Assert.Single(o.OfType<HeadersReceived>()).Fields.Select(f => f.NameText));
    }

    [Fact(DisplayName = "RFC 9113 §8.5: CONNECT with :authority and without :scheme/:path is accepted")]
    public void ConnectOk() => new Server().Request(1, false, [(":method", "CONNECT"), (":authority", "example.org:443")]).NoError();

    [Fact(DisplayName = "RFC 9113 §8.5: CONNECT with :path is malformed")]
    public void ConnectWithPath() => Malformed(false, (":method", "CONNECT"), (":authority", "example.org:443"), (":path", "/"));

    [Fact(DisplayName = "RFC 9113 §8.5: CONNECT without :authority is malformed")]
    public void ConnectWithoutAuthority() => Malformed(false, (":method", "CONNECT"));
}

public class PriorityPushGoAwayTests
{
    [Fact(DisplayName = "RFC 9113 §5.3.1: a PRIORITY frame making a stream depend on itself is a stream PROTOCOL_ERROR")]
    public void PrioritySelf()
    {
        var s = new Server();
        s.Request(1, false);
        s.Feed(new PriorityFrame(1, new PriorityFields(false, 1, 10))).Rst(1, ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §5.3.1: HEADERS making the stream depend on itself is a stream PROTOCOL_ERROR (block still decoded)")]
    public void HeadersSelfDependency()
    {
        var s = new Server();
        s.Feed(new HeadersFrame(1, s.Block(Server.Get), true, true, Some(new PriorityFields(false, 1, 10)))).Rst(1, ErrorCode.ProtocolError);
        s.Request(3).NoError();
    }

    [Fact(DisplayName = "RFC 9113 §5.3.2: other priority signals are ignored")]
    public void PriorityIgnored()
    {
        var s = new Server();
        s.Feed(new HeadersFrame(1, s.Block(Server.Get), true, true, Some(new PriorityFields(true, 0, 200)))).NoError();
        s.Feed(new PriorityFrame(1, new PriorityFields(false, 7, 3))).NoError();
    }

    [Fact(DisplayName = "RFC 9113 §8.4: a client that sends PUSH_PROMISE gets a connection PROTOCOL_ERROR")]
    public void ClientPush()
    {
        var s = new Server();
        s.Request(1, false);
        s.Feed(new PushPromiseFrame(1, 2, s.Block(Server.Get))).GoAway(ErrorCode.ProtocolError);
    }

    [Fact(DisplayName = "RFC 9113 §8.4: PUSH_PROMISE is sent only when the client's ENABLE_PUSH is 1; otherwise the command fails as a value")]
    public void PushDisabled()
    {
        var s = new Server();
        s.Feed(new SettingsFrame(false, Seq1(new Setting(SettingId.EnablePush, 0))));
        s.Request(1);
        var o = s.Step(new PromisePush(1, [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/a"), HeaderField.Of(":authority", "x")]));
        Assert.Single(o.OfType<CommandRejected>());
        Assert.Empty(o.Frames());
    }

    [Fact(DisplayName = "RFC 9113 §8.4: PUSH_PROMISE goes on the parent stream before its DATA and reserves an even stream")]
    public void PushBeforeData()
    {
        var s = new Server();
        s.Request(1);
        var o = s.Step(new PromisePush(1, [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/a"), HeaderField.Of(":authority", "x")]));
        var pp = Assert.Single(o.Frames().OfType<PushPromiseFrame>());
        Assert.Equal(1u, pp.StreamId);
        Assert.Equal(2u, pp.PromisedStreamId);
        s.Respond(1, false);
        s.Step(new SendData(1, new byte[3], true));
        var frames = s.All.Frames().ToList();
        Assert.True(frames.IndexOf(pp) < frames.FindIndex(f => f is DataFrame));
    }

    private static readonly HeaderField[] PromisedRequest =
        [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/a"), HeaderField.Of(":authority", "x")];

    [Fact(DisplayName = "RFC 9113 §8.4: a pushed response given before the parent's response waits: PUSH_PROMISE, then the parent's HEADERS, then the pushed HEADERS and DATA")]
    public void PushedResponseWaitsForParentHeaders()
    {
        var s = new Server();
        s.Request(1);
        s.Step(new PromisePush(1, PromisedRequest));
        // The handler answers the push first (as the seed's example does), with a body larger than the windows allow at once.
        Assert.Empty(s.Step(new SendHeaders(2, [HeaderField.Of(":status", "200")], false)).Frames());
        var accepted = s.Step(new SendData(2, new byte[100], false));
        Assert.Empty(accepted.Frames());
        Assert.Equal(100, Assert.Single(accepted.OfType<DataAccepted>()).Accepted);
        Assert.Empty(s.Step(new SendTrailers(2, [HeaderField.Of("x-t", "1")])).Frames());
        var o = s.Respond(1, false).Frames().ToList();
        Assert.Equal(1u, Assert.IsType<HeadersFrame>(o[0]).StreamId);
        Assert.Equal(2u, Assert.IsType<HeadersFrame>(o[1]).StreamId);
        Assert.False(((HeadersFrame)o[1]).EndStream);
        Assert.Equal(100, Assert.IsType<DataFrame>(o[2]).Data.Length);
        Assert.True(Assert.IsType<HeadersFrame>(o[3]).EndStream); // the trailers
        s.Step(new SendData(1, new byte[3], true)).NoError();
        Assert.Equal(0, s.State.StreamCount);
    }

    [Fact(DisplayName = "RFC 9113 §8.4: a header-only pushed response waits for the parent's HEADERS and then ends its stream")]
    public void HeaderOnlyPushWaits()
    {
        var s = new Server();
        s.Request(1);
        s.Step(new PromisePush(1, PromisedRequest));
        Assert.Empty(s.Step(new SendHeaders(2, [HeaderField.Of(":status", "204")], true)).Frames());
        Assert.Single(s.Step(new SendData(2, new byte[1], true)).OfType<CommandRejected>());
        var o = s.Respond(1, true).Frames().ToList();
        Assert.Equal([1u, 2u], o.OfType<HeadersFrame>().Select(h => h.StreamId));
        Assert.All(o.OfType<HeadersFrame>(), h => Assert.True(h.EndStream));
        Assert.Equal(0, s.State.StreamCount);
    }

    [Fact(DisplayName = "RFC 9113 §8.4: a 1xx on the parent does not release a held push; a parent reset does")]
    public void HeldPushReleasedByFinalHeadersOrReset()
    {
        var s = new Server();
        s.Request(1);
        s.Step(new PromisePush(1, PromisedRequest));
        s.Step(new SendHeaders(2, [HeaderField.Of(":status", "200")], true));
        Assert.DoesNotContain(s.Respond(1, false, "103").Frames(), f => f.StreamId == 2);
        var o = s.Step(new SendReset(1, ErrorCode.Cancel)).Frames().ToList();
        Assert.IsType<RstStreamFrame>(o[0]);
        Assert.Equal(2u, Assert.IsType<HeadersFrame>(o[1]).StreamId);
    }

    [Fact(DisplayName = "RFC 9113 §8.4: a push answered after the parent's HEADERS goes out at once")]
    public void PushAfterParentHeadersIsNotHeld()
    {
        var s = new Server();
        s.Request(1);
        s.Step(new PromisePush(1, PromisedRequest));
        s.Respond(1, false);
        Assert.Single(s.Step(new SendHeaders(2, [HeaderField.Of(":status", "200")], true)).Frames().OfType<HeadersFrame>());
    }

    [Fact(DisplayName = "RFC 9113 §8.4: no push on a finished parent stream")]
    public void PushOnFinishedParent()
    {
        var s = new Server();
        s.Request(1);
        s.Respond(1, true);
        Assert.Single(s.Step(new PromisePush(1, [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/a"), HeaderField.Of(":authority", "x")])).OfType<CommandRejected>());
    }

    [Fact(DisplayName = "RFC 9113 §6.8: after receiving GOAWAY no new pushes; existing streams finish")]
    public void GoAwayReceived()
    {
        var s = new Server();
        s.Request(1);
        var o = s.Feed(new GoAwayFrame(0, ErrorCode.NoError));
        Assert.Contains(o, x => x is Http2.Reference.Protocol.GoAwayReceived);
        Assert.Single(s.Step(new PromisePush(1, [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/a"), HeaderField.Of(":authority", "x")])).OfType<CommandRejected>());
        s.Respond(1, false);
        o = s.Step(new SendData(1, new byte[1], true));
        Assert.Single(o.Frames().OfType<DataFrame>());
        Assert.Contains(o, x => x is ConnectionEnded { Code.Value: 0 });
    }

    [Fact(DisplayName = "RFC 9113 §6.8: graceful GOAWAY: last stream id, later streams ignored (block decoded), close when done")]
    public void GracefulGoAway()
    {
        var s = new Server();
        s.Request(1, false);
        var g = Assert.Single(s.Step(new Http2.Reference.Protocol.SendGoAway(ErrorCode.NoError)).Frames().OfType<GoAwayFrame>());
        Assert.Equal(1u, g.LastStreamId);
        var o = s.Request(3, true, Server.With(("x-new", "entry")));
        Assert.DoesNotContain(o, x => x is HeadersReceived);
        Assert.Empty(o.Frames());
        s.Feed(new DataFrame(1, new byte[1], EndStream: true)).NoError();
        s.Respond(1, false);
        o = s.Step(new SendData(1, new byte[1], true));
        Assert.Contains(o, x => x is ConnectionEnded { Code.Value: 0 });
    }

    [Fact(DisplayName = "RFC 9113 §5.4.1: a connection error closes every stream; the application hears each")]
    public void ConnectionErrorClosesStreams()
    {
        var s = new Server();
        s.Request(1, false);
        s.Request(3, false);
        var o = s.Feed(new WindowUpdateFrame(0, 0));
        o.GoAway(ErrorCode.ProtocolError);
        Assert.Equal([1u, 3u], o.OfType<StreamClosed>().Select(c => c.StreamId).Order());
        // Nothing after the close.
        Assert.Empty(s.Feed(new PingFrame(false, 1)));
    }
}
