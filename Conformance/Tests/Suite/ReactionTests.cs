using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Conformance.Suite.Model;
using Xunit;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Suite;

/// <summary>Reactions are judged one event at a time: satisfied, violated, or pending (then the timeout decides: "timeout", never a pass).</summary>
public class ReactionTests
{
    static Event Got(Frame f) => new Received(f);
    static readonly Event ClosedEvent = new Closed("end of stream");
    static readonly Seq<ErrorCode> Protocol = Seq1(ErrorCode.ProtocolError);

    [Fact(DisplayName = "RFC 9113 §5.4.1: a connection error is a GOAWAY with the code, or the connection closed")]
    public void Connection_error()
    {
        var r = new ConnectionError(Protocol);
        Assert.Equal(Verdict.Satisfied, r.Judge(Got(new GoAwayFrame(0, ErrorCode.ProtocolError)), true));
        Assert.Equal(Verdict.Satisfied, r.Judge(ClosedEvent, true));
        Assert.Equal(Verdict.Violated, r.Judge(Got(new GoAwayFrame(0, ErrorCode.InternalError)), true));
        Assert.Equal(Verdict.Pending, r.Judge(Got(new DataFrame(1, new byte[] { 1 })), true));
        Assert.Equal(Verdict.Pending, r.Judge(Got(SettingsFrame.Acknowledgement), true));
    }

    [Fact(DisplayName = "RFC 9113 §5.4.2: a stream error is RST_STREAM on that stream with the code (or a connection error)")]
    public void Stream_error()
    {
        var r = new StreamError(3, Protocol);
        Assert.Equal(Verdict.Satisfied, r.Judge(Got(new RstStreamFrame(3, ErrorCode.ProtocolError)), true));
        Assert.Equal(Verdict.Violated, r.Judge(Got(new RstStreamFrame(3, ErrorCode.Cancel)), true));
        Assert.Equal(Verdict.Pending, r.Judge(Got(new RstStreamFrame(1, ErrorCode.Cancel)), true));
        Assert.Equal(Verdict.Satisfied, r.Judge(Got(new GoAwayFrame(3, ErrorCode.ProtocolError)), true));
        Assert.Equal(Verdict.Satisfied, r.Judge(ClosedEvent, true));
        Assert.Equal(Verdict.Pending, r.Judge(Got(new HeadersFrame(3, new byte[] { 0x88 }, EndStream: true)), true));
    }

    [Fact(DisplayName = "RFC 9113 §8.1.1: for a complete malformed request, a complete response without a reset fails")]
    public void Malformed_request_answered_fails()
    {
        var r = new StreamError(1, Protocol, CompleteResponseFails: true);
        Assert.Equal(Verdict.Violated, r.Judge(Got(new HeadersFrame(1, new byte[] { 0x88 }, EndStream: true)), true));
        Assert.Equal(Verdict.Violated, r.Judge(Got(new DataFrame(1, new byte[] { 1 }, EndStream: true)), true));
        Assert.Equal(Verdict.Pending, r.Judge(Got(new HeadersFrame(1, new byte[] { 0x88 })), true));
    }

    [Fact(DisplayName = "RFC 9113 §8.1: a response is HEADERS on the stream; a reset or a connection error fails")]
    public void Response()
    {
        var r = new Response(1);
        Assert.Equal(Verdict.Satisfied, r.Judge(Got(new HeadersFrame(1, new byte[] { 0x88 })), true));
        Assert.Equal(Verdict.Violated, r.Judge(Got(new RstStreamFrame(1, ErrorCode.ProtocolError)), true));
        Assert.Equal(Verdict.Violated, r.Judge(Got(new GoAwayFrame(0, ErrorCode.ProtocolError)), true));
        Assert.Equal(Verdict.Pending, r.Judge(Got(new GoAwayFrame(1, ErrorCode.NoError)), true));
        Assert.Equal(Verdict.Violated, r.Judge(ClosedEvent, true));
    }

    [Fact(DisplayName = "RFC 9113 §8.4: HEADERS of a pushed stream before the response fails it, as h2spec reads it (the first HEADERS is the answer); with several requests in flight it does not")]
    public void Response_overtaken_by_push()
    {
        var pushed = Got(new HeadersFrame(2, new byte[] { 0x88 }));
        Assert.Equal(Verdict.Pending, new Response(1).Judge(Got(new PushPromiseFrame(1, 2, new byte[] { 0x82 })), true));
        Assert.Equal(Verdict.Violated, new Response(1).Judge(pushed, false));
        Assert.Equal(Verdict.Pending, new Response(1, OthersFirst: true).Judge(pushed, false));
        Assert.Contains("before HEADERS on any other stream", new Response(1).Describe());
    }

    [Fact(DisplayName = "RFC 9113 §8.1: RST_STREAM(NO_ERROR) after a complete response (stop sending) is no verdict on a stream error; any other code is")]
    public void Stop_sending_is_not_a_verdict()
    {
        var r = new StreamError(1, Protocol);
        Assert.Equal(Verdict.Pending, r.Judge(Got(new RstStreamFrame(1, ErrorCode.NoError)), false));
        Assert.Equal(Verdict.Violated, r.Judge(Got(new RstStreamFrame(1, ErrorCode.InternalError)), false));
        Assert.Equal(Verdict.Violated, new StreamError(1, Protocol, CompleteResponseFails: true).Judge(Got(new RstStreamFrame(1, ErrorCode.NoError)), false));
    }

    [Fact(DisplayName = "RFC 9113 §6.7: a PING answer echoes the payload; answering a PING ACK fails")]
    public void Ping_ack()
    {
        var r = new PingAck(7);
        Assert.Equal(Verdict.Satisfied, r.Judge(Got(new PingFrame(true, 7)), true));
        Assert.Equal(Verdict.Violated, r.Judge(Got(new PingFrame(true, 8)), true));
        Assert.Equal(Verdict.Pending, r.Judge(Got(new PingFrame(false, 8)), true));
        Assert.Equal(Verdict.Pending, new PingAck(7, OthersAllowed: true).Judge(Got(new PingFrame(true, 8)), true));
    }

    [Fact(DisplayName = "RFC 9113 §3.4: the server's first frame must be SETTINGS")]
    public void Server_preface()
    {
        var r = new ServerPreface();
        Assert.Equal(Verdict.Satisfied, r.Judge(Got(new SettingsFrame(false, default)), true));
        Assert.Equal(Verdict.Violated, r.Judge(Got(new SettingsFrame(false, default)), false));
        Assert.Equal(Verdict.Violated, r.Judge(Got(new PingFrame(false, 1)), true));
    }

    [Fact(DisplayName = "RFC 9113 §6.9.2: DATA before the PING answer fails while the window is not positive")]
    public void No_data_before_ping()
    {
        var r = new PingAckWithoutData(1, 9);
        Assert.Equal(Verdict.Violated, r.Judge(Got(new DataFrame(1, new byte[] { 1 })), true));
        Assert.Equal(Verdict.Satisfied, r.Judge(Got(new PingFrame(true, 9)), true));
    }

    [Fact(DisplayName = "Reactions: AnyOf is satisfied by any option and violated only when all are")]
    public void Any_of()
    {
        var r = new AnyOf(Seq<Reaction>(new PingAck(1), new ConnectionError(Seq1(ErrorCode.NoError))));
        Assert.Equal(Verdict.Satisfied, r.Judge(Got(new PingFrame(true, 1)), true));
        Assert.Equal(Verdict.Satisfied, r.Judge(ClosedEvent, true));
        Assert.Equal(Verdict.Violated, r.Judge(Got(new GoAwayFrame(0, ErrorCode.ProtocolError)), true));
        Assert.Equal(Verdict.Pending, r.Judge(Got(new WindowUpdateFrame(0, 1)), true));
    }
}
