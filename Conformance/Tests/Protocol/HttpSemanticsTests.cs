using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using Xunit;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Protocol;

/// <summary>RFC 9110 rules the server's core applies to every response it produces (HttpSemantics), through the pure connection.</summary>
public class HttpSemanticsTests
{
    private static readonly (string, string)[] Head = [(":method", "HEAD"), (":scheme", "https"), (":path", "/"), (":authority", "example.org")];

    private static HeaderField F(string name, string value) => HeaderField.Of(name, value);

    /// <summary>Every header section the server sent, decoded in order with one decoder (as the client's).</summary>
    private static List<(uint Stream, bool EndStream, List<HeaderField> Fields)> Sections(Server s)
    {
        var dec = DecoderState.Initial(4096);
        var list = new List<(uint, bool, List<HeaderField>)>();
        foreach (var h in s.All.Frames().OfType<HeadersFrame>())
        {
            var d = HpackDecoder.Decode(dec, h.Fragment.Span, DecoderLimits.Default).Match(Right: x => x, Left: e => throw new Xunit.Sdk.XunitException(e.ToString()));
            dec = d.State;
            list.Add((h.StreamId, h.EndStream, d.Fields.ToList()));
        }
        return list;
    }

    [Fact(DisplayName = "RFC 9110 §9.3.2: the response to HEAD keeps its fields (content-length too) and carries no content: HEADERS ends the stream")]
    public void HeadHasNoContent()
    {
        var s = new Server();
        s.Request(1, true, Head);
        var o = s.Step(new SendHeaders(1, [F(":status", "200"), F("content-length", "5")], false));
        var adjusted = Assert.Single(o.OfType<ResponseAdjusted>());
        Assert.Equal(AdjustmentKind.ContentOmitted, adjusted.Adjustment.Kind);
        Assert.Equal("RFC 9110 §9.3.2", adjusted.Adjustment.Section);
        Assert.Contains(new StreamClosed(1, ErrorCode.NoError), o);
        var (_, end, fields) = Assert.Single(Sections(s));
        Assert.True(end);
        Assert.Contains(F("content-length", "5"), fields);
        // The data the application still sends is not sent (the stream is closed).
        Assert.Empty(s.Step(new SendData(1, new byte[5], true)).Frames());
    }

    [Theory(DisplayName = "RFC 9110 §15.3.5, §15.4.5: 204 and 304 never carry content, whatever the method")]
    [InlineData("204", "RFC 9110 §15.3.5")]
    [InlineData("304", "RFC 9110 §15.4.5")]
    public void NoContentStatuses(string status, string section)
    {
        var s = new Server();
        s.Request(1);
        var o = s.Step(new SendHeaders(1, [F(":status", status)], false));
        Assert.Equal(section, Assert.Single(o.OfType<ResponseAdjusted>()).Adjustment.Section);
        Assert.True(Assert.Single(o.Frames().OfType<HeadersFrame>()).EndStream);
        Assert.DoesNotContain(o.Frames(), f => f is DataFrame);
    }

    [Fact(DisplayName = "RFC 9110 §8.6: a 204 does not carry content-length (removed, with a reason); a 304 keeps it")]
    public void ContentLengthIn204()
    {
        var s = new Server();
        s.Request(1);
        s.Request(3);
        var o = s.Step(new SendHeaders(1, [F(":status", "204"), F("content-length", "0")], true));
        Assert.Contains(o.OfType<ResponseAdjusted>(), a => a.Adjustment.Kind == AdjustmentKind.FieldDropped && a.Adjustment.Section == "RFC 9110 §8.6");
        s.Step(new SendHeaders(3, [F(":status", "304"), F("content-length", "10")], true)).NoError();
        var sections = Sections(s);
        Assert.DoesNotContain(sections[0].Fields, f => f.NameText == "content-length");
        Assert.Contains(F("content-length", "10"), sections[1].Fields);
    }

    [Fact(DisplayName = "RFC 9110 §15.2: a 1xx never ends the stream nor carries content; the final response follows it")]
    public void InformationalHasNoContent()
    {
        var s = new Server();
        s.Request(1, false, Server.Post(3));
        var o = s.Step(new SendHeaders(1, [F(":status", "100"), F("content-length", "3")], false));
        Assert.False(Assert.Single(o.Frames().OfType<HeadersFrame>()).EndStream);
        Assert.DoesNotContain(Sections(s)[0].Fields, f => f.NameText == "content-length"); // RFC 9110 §8.6
        Assert.Single(s.Step(new SendData(1, new byte[1], false)).OfType<CommandRejected>()); // no DATA after a 1xx
        Assert.Single(s.Step(new SendHeaders(1, [F(":status", "103")], true)).OfType<CommandRejected>());
        s.Step(new SendHeaders(1, [F(":status", "200")], false)).NoError();
    }

    [Fact(DisplayName = "RFC 9110 §6.6.1: a final response gets the date given with the command; a handler's own date is kept; a 1xx gets none")]
    public void DateOnFinalResponses()
    {
        var date = HttpSemantics.DateField(new DateTimeOffset(1994, 11, 6, 8, 49, 37, TimeSpan.Zero));
        Assert.Equal("Sun, 06 Nov 1994 08:49:37 GMT", date.ValueText); // §5.6.7 IMF-fixdate
        var s = new Server();
        s.Request(1, false, Server.Post(0));
        s.Request(3);
        s.Step(new SendHeaders(1, [F(":status", "103"), F("link", "</a.css>; rel=preload")], false) { Date = date }).NoError();
        s.Step(new SendHeaders(1, [F(":status", "200")], true) { Date = date }).NoError();
        s.Step(new SendHeaders(3, [F(":status", "500"), F("date", "Mon, 07 Nov 1994 00:00:00 GMT")], true) { Date = date }).NoError();
        var sections = Sections(s);
        Assert.DoesNotContain(sections[0].Fields, f => f.NameText == "date");
        Assert.Equal([F(":status", "200"), date], sections[1].Fields);
        Assert.Single(sections[2].Fields, f => f.NameText == "date");
        Assert.Contains(F("date", "Mon, 07 Nov 1994 00:00:00 GMT"), sections[2].Fields);
    }

    [Fact(DisplayName = "RFC 9110 §10.2.4: the server field of the options is added to final responses that have none")]
    public void ServerField()
    {
        var s = new Server(ConnectionOptions.Server with { ServerField = Some(F("server", "h2ref")) });
        s.Request(1);
        s.Respond(1, true).NoError();
        Assert.Contains(F("server", "h2ref"), Sections(s)[0].Fields);
    }

    [Fact(DisplayName = "RFC 9113 §8.2.2: connection-specific response fields are removed with a reason, the response goes out")]
    public void ConnectionSpecificDropped()
    {
        var s = new Server();
        s.Request(1);
        var o = s.Step(new SendHeaders(1, [F(":status", "200"), F("connection", "close"), F("x-a", "1"), F("transfer-encoding", "chunked"),
            F("keep-alive", "5"), F("proxy-connection", "x"), F("upgrade", "h2c")], true));
        o.NoError();
        Assert.Equal(5, o.OfType<ResponseAdjusted>().Count(a => a.Adjustment.Section == "RFC 9113 §8.2.2"));
        Assert.Equal([F(":status", "200"), F("x-a", "1")], Sections(s)[0].Fields);
    }

    [Fact(DisplayName = "RFC 9113 §8.2.1, RFC 9110 §5.1: response names are sent lower case (Content-Type is content-type)")]
    public void NamesLowerCased()
    {
        var s = new Server();
        s.Request(1);
        s.Step(new SendHeaders(1, [F(":status", "200"), F("Content-Type", "text/plain")], true)).NoError();
        Assert.Contains(F("content-type", "text/plain"), Sections(s)[0].Fields);
    }

    [Fact(DisplayName = "RFC 9113 §8.1.1: a response the core refuses leaves the stream answerable: a 500 after it goes out")]
    public void RefusedResponseLeavesStreamOpen()
    {
        var s = new Server();
        s.Request(1);
        var o = s.Step(new SendHeaders(1, [F(":status", "200"), F("x-bad", "a\r\nb")], true));
        Assert.Single(o.OfType<CommandRejected>());
        Assert.Empty(o.Frames());
        var retry = s.Step(new SendHeaders(1, [F(":status", "500")], true));
        retry.NoError();
        Assert.Contains(new StreamClosed(1, ErrorCode.NoError), retry);
    }

    [Fact(DisplayName = "RFC 9110 §9.3.2: a pushed HEAD request's response carries no content either")]
    public void PushedHead()
    {
        var s = new Server();
        s.Request(1, false);
        var promised = s.Step(new PromisePush(1, [F(":method", "HEAD"), F(":scheme", "https"), F(":authority", "example.org"), F(":path", "/x")]))
            .OfType<PushPromiseSent>().Single().PromisedStreamId;
        s.Respond(1, false).NoError(); // the parent's HEADERS first (§8.4: a pushed response waits for them)
        var o = s.Step(new SendHeaders(promised, [F(":status", "200")], false));
        Assert.True(Assert.Single(o.Frames().OfType<HeadersFrame>()).EndStream);
    }

    [Theory(DisplayName = "RFC 9110 §10.1.1: Expect: 100-continue (any case) with content to come asks for a 100")]
    [InlineData("100-continue", false, true)]
    [InlineData("100-Continue", false, true)]
    [InlineData("100-continue", true, false)]
    [InlineData("something", false, false)]
    public void ExpectsContinue(string value, bool endStream, bool expected) =>
        Assert.Equal(expected, HttpSemantics.ExpectsContinue([F(":method", "POST"), F("expect", value)], endStream));

    [Theory(DisplayName = "RFC 9113 §8.6, RFC 9110 §15.2: informational statuses are 100-199 but 101")]
    [InlineData(100, true)]
    [InlineData(103, true)]
    [InlineData(101, false)]
    [InlineData(200, false)]
    public void Informational(int status, bool ok) => Assert.Equal(ok, HttpSemantics.InformationalError(status) is null);
}
