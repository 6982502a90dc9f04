using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using Xunit;
using static LanguageExt.Prelude;

namespace Conformance.Tests.Protocol;

/// <summary>RFC 9113 §10.5 (denial of service): every limit of the core at, just below and just above it, with time as an input.</summary>
public class LimitTests
{
    private static ConnectionOptions With(ConnectionLimits limits) => ConnectionOptions.Server with { Limits = limits };

    // ---- header list size and field count (CVE-2016-6581 family) -----------------

    private static (string, string)[] RequestOfSize(int listSize)
    {
        var baseFields = Server.Get;
        var used = baseFields.Sum(f => f.Item1.Length + f.Item2.Length + 32);
        var pad = listSize - used - ("x-pad".Length + 32);
        return [.. baseFields, ("x-pad", new string('a', pad))];
    }

    [Fact(DisplayName = "RFC 9113 §10.5: a header list of exactly 32 KiB is accepted, one octet less too")]
    public void HeaderListAtLimit()
    {
        var s = new Server();
        s.Request(1, true, RequestOfSize(32 * 1024 - 1)).NoError();
        var o = s.Request(3, true, RequestOfSize(32 * 1024));
        o.NoError();
        Assert.Single(o.OfType<HeadersReceived>());
    }

    [Fact(DisplayName = "RFC 9113 §10.5: a header list one octet over 32 KiB gets 431 and the connection lives")]
    public void HeaderListOverLimit()
    {
        var s = new Server();
        var o = s.Request(1, true, RequestOfSize(32 * 1024 + 1));
        var h = Assert.Single(o.Frames().OfType<HeadersFrame>());
        Assert.True(h.EndStream);
        Assert.DoesNotContain(o, x => x is HeadersReceived or ConnectionEnded);
        Assert.DoesNotContain(o.Frames(), f => f is GoAwayFrame);
        s.Request(3).NoError();
    }

    private static List<string> ResponseFields(IReadOnlyList<ConnectionEvent> o) =>
        HpackDecoder.Decode(DecoderState.Initial(), Assert.Single(o.Frames().OfType<HeadersFrame>()).Fragment.Span, DecoderLimits.Default)
            .Match(d => d.Fields.Select(f => f.ToString()).ToList(), e => [e.ToString()]);

    [Fact(DisplayName = "RFC 9110 §6.6.1: the 431 the core makes itself carries the date SetDate gave and the server field; none without a clock")]
    public void TooLargeAnswerHasDate()
    {
        var date = HeaderField.Of("date", "Thu, 03 Dec 2026 12:00:00 GMT");
        var s = new Server(ConnectionOptions.Server with { ServerField = HeaderField.Of("server", "h2ref") });
        Assert.Empty(s.Step(new SetDate(date)));
        Assert.Equal(date, s.State.Date.IfNone(HeaderField.Of("none", "")));
        var fields = ResponseFields(s.Request(1, true, RequestOfSize(32 * 1024 + 1)));
        Assert.Equal([":status: 431", "date: Thu, 03 Dec 2026 12:00:00 GMT", "server: h2ref"], fields);

        var noClock = ResponseFields(new Server().Request(1, true, RequestOfSize(32 * 1024 + 1)));
        Assert.Equal([":status: 431"], noClock);
    }

    [Fact(DisplayName = "RFC 9110 §6.6.1: a response sent without its own date gets the one SetDate gave; SetDate with another field is rejected")]
    public void SetDateAppliesToResponses()
    {
        var s = new Server();
        s.Step(new SetDate(HeaderField.Of("date", "Thu, 03 Dec 2026 12:00:01 GMT")));
        s.Request(1).NoError();
        Assert.Contains("date: Thu, 03 Dec 2026 12:00:01 GMT", ResponseFields(s.Respond(1, true)));
        var rejected = Assert.Single(s.Step(new SetDate(HeaderField.Of("server", "x"))));
        Assert.IsType<CommandRejected>(rejected);
        Assert.Equal("date", s.State.Date.Map(d => d.Name.ToUtf8()).IfNone(""));
    }

    [Fact(DisplayName = "RFC 9113 §10.5: a request over the list limit that is still sending gets 431 then RST_STREAM(NO_ERROR)")]
    public void HeaderListOverLimitWithBody()
    {
        var s = new Server();
        var o = s.Request(1, false, RequestOfSize(40000));
        Assert.Single(o.Frames().OfType<HeadersFrame>());
        o.Frames().OfType<RstStreamFrame>().Single(r => r.Error == ErrorCode.NoError);
        s.Feed(new DataFrame(1, new byte[10])).NoError(); // ignored: we reset it
    }

    [Theory(DisplayName = "RFC 9113 §10.5: at most 100 fields per header list (99, 100 accepted; 101 gets 431)")]
    [InlineData(99, true)]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public void FieldCount(int count, bool accepted)
    {
        var s = new Server();
        var fields = Server.Get.Concat(Enumerable.Range(0, count - 4).Select(i => ("x-f", i.ToString()))).ToArray();
        var o = s.Request(1, true, fields);
        Assert.Equal(accepted, o.OfType<HeadersReceived>().Any());
        Assert.DoesNotContain(o, x => x is ConnectionEnded);
    }

    // ---- big header lists are a stream matter (RFC 9113 §8.2, §10.5.1) ------------------

    /// <summary>Sends a request's block split at 16384 octets, all frames but the last first, then the last; checks what is held in between.</summary>
    private static (IReadOnlyList<ConnectionEvent> Outputs, int Frames, int BlockLength, int MostHeld) BigRequest(Server s, uint id, (string, string)[] fields)
    {
        var block = s.Block(fields);
        var frames = FrameWriter.SplitHeaderBlock(id, block.Memory, true, None, 16384).ToArray();
        var held = 0;
        foreach (var f in frames[..^1])
        {
            s.Feed(f).NoError();
            held = Math.Max(held, s.State.HeaderBlock?.Decoding.HeldOctets ?? 0);
        }
        return (s.Feed(frames[^1]), frames.Length, block.Length, held);
    }

    private static void Answered431(IReadOnlyList<ConnectionEvent> o, uint id)
    {
        var h = Assert.Single(o.Frames().OfType<HeadersFrame>());
        Assert.Equal(id, h.StreamId);
        var status = HpackDecoder.Decode(DecoderState.Initial(), h.Fragment.Span, DecoderLimits.Default).Match(d => d.Fields[0].ToString(), e => e.ToString());
        Assert.Contains("431", status);
        Assert.DoesNotContain(o, x => x is HeadersReceived or ConnectionEnded);
        Assert.DoesNotContain(o.Frames(), f => f is GoAwayFrame);
    }

    [Fact(DisplayName = "RFC 9113 §10.5.1: a 100 KiB header block in 7 frames gets 431 on its stream; the connection and the HPACK state live on")]
    public void HundredKibBlockIn7Frames()
    {
        var s = new Server();
        var rng = new Random(7);
        var fields = Server.Get.Concat(Enumerable.Range(0, 53).Select(i => ($"x-f{i}", new string(Enumerable.Range(0, 2000).Select(_ => (char)rng.Next('!', '~')).ToArray())))).ToArray();
        var (o, frames, length, held) = BigRequest(s, 1, fields);
        Assert.Equal(7, frames);
        Assert.True(length >= 100 * 1024, $"block of {length} octets");
        Assert.True(held < 8 * 1024, $"held {held} octets between fragments"); // one incomplete representation at most
        Answered431(o, 1);
        Assert.Contains(s.Request(3), x => x is HeadersReceived { StreamId: 3 });
    }

    [Fact(DisplayName = "RFC 9113 §10.5.1: one 70 KB field gets 431; its octets are skipped as they arrive, not held")]
    public void SeventyKbField()
    {
        var s = new Server();
        var (o, frames, length, held) = BigRequest(s, 1, Server.With(("x-big", new string('|', 70_000))));
        Assert.True(frames >= 5 && length >= 70_000, $"{frames} frames, {length} octets");
        Assert.True(held < 64, $"held {held} octets between fragments");
        Answered431(o, 1);
        Assert.Contains(s.Request(3), x => x is HeadersReceived { StreamId: 3 });
    }

    [Fact(DisplayName = "RFC 9113 §10.5.1: 8,000 small fields get 431 on their stream; the connection lives")]
    public void EightThousandFields()
    {
        var s = new Server();
        var (o, frames, _, _) = BigRequest(s, 1, Server.Get.Concat(Enumerable.Range(0, 8000).Select(i => ($"x-{i}", "v"))).ToArray());
        Assert.True(frames >= 3, $"{frames} frames");
        Answered431(o, 1);
        Assert.Contains(s.Request(3), x => x is HeadersReceived { StreamId: 3 });
    }

    [Fact(DisplayName = "CVE-2024-27316: a header block over the octet cap (1 MiB by default) is still a connection ENHANCE_YOUR_CALM")]
    public void OctetCapStillStopsFlood()
    {
        var s = new Server(With(new ConnectionLimits { MaxHeaderBlockBytes = 40_000 }));
        var block = s.Block(Server.With(("x-big", new string('|', 70_000))));
        s.Feed(FrameWriter.SplitHeaderBlock(1, block.Memory, true, None, 16384).ToArray()).GoAway(ErrorCode.EnhanceYourCalm);
    }

    // ---- CONTINUATION flood (CVE-2024-27316, CVE-2024-28182, CVE-2023-45288) -----------

    private static IReadOnlyList<ConnectionEvent> Continuations(Server s, int count, bool empty)
    {
        var block = s.Block(Server.Get);
        var frames = new List<Frame> { new HeadersFrame(1, empty ? block : new Bytes(block.Memory[..1]), true, EndHeaders: false) };
        var rest = empty ? Bytes.Empty : new Bytes(block.Memory[1..]);
        for (var i = 0; i < count; i++)
        {
            var last = i == count - 1;
            frames.Add(new ContinuationFrame(1, last ? rest : Bytes.Empty, last));
        }
        return s.Feed([.. frames]);
    }

    [Theory(DisplayName = "RFC 9113 §10.5: at most 16 CONTINUATION frames per block, empty ones counted (15, 16 accepted; 17 ENHANCE_YOUR_CALM)")]
    [InlineData(15, true)]
    [InlineData(16, true)]
    [InlineData(17, false)]
    public void ContinuationCount(int count, bool accepted)
    {
        var s = new Server();
        var o = Continuations(s, count, empty: false);
        if (accepted) { o.NoError(); Assert.Single(o.OfType<HeadersReceived>()); }
        else o.GoAway(ErrorCode.EnhanceYourCalm);
    }

    [Theory(DisplayName = "RFC 9113 §10.5: the accumulated header block is bounded (limit-1, limit accepted; limit+1 ENHANCE_YOUR_CALM)")]
    [InlineData(-1, true)]
    [InlineData(0, true)]
    [InlineData(1, false)]
    public void HeaderBlockBytes(int delta, bool accepted)
    {
        var s = new Server(With(new ConnectionLimits { MaxHeaderBlockBytes = 200 }));
        // Make the block exactly 200 + delta octets by choosing the value length.
        var fields = new List<HeaderField> { HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/") };
        var enc = EncoderState.Initial(EncoderStrategy.NoHuffman, 4096);
        byte[] b = [];
        for (var n = 100; n < 300; n++)
        {
            b = HpackEncoder.Encode(enc, [.. fields, HeaderField.Of("x", new string('a', n))]).Block;
            if (b.Length == 200 + delta) break;
        }
        Assert.Equal(200 + delta, b.Length);
        var o = s.Feed(new HeadersFrame(1, new Bytes(b.AsMemory(0, 50)), true, EndHeaders: false), new ContinuationFrame(1, new Bytes(b.AsMemory(50)), true));
        if (accepted) Assert.DoesNotContain(o, x => x is ConnectionEnded);
        else o.GoAway(ErrorCode.EnhanceYourCalm);
    }

    [Fact(DisplayName = "RFC 9113 §10.5: a header block must finish within 10 s (below: waiting; at: GOAWAY ENHANCE_YOUR_CALM)")]
    public void HeaderBlockTimeout()
    {
        var s = new Server();
        s.Feed(new HeadersFrame(1, s.Block(Server.Get), true, EndHeaders: false));
        s.Tick(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1)).NoError();
        s.Tick(TimeSpan.FromTicks(1)).GoAway(ErrorCode.EnhanceYourCalm);
    }

    // ---- rapid reset, reset flood (CVE-2023-44487, CVE-2019-9514) ------------------------

    [Fact(DisplayName = "CVE-2023-44487: rapid reset — resets up to the burst pass, one more is GOAWAY ENHANCE_YOUR_CALM; the bucket refills with time")]
    public void RapidReset()
    {
        var s = new Server(With(new ConnectionLimits { Resets = new RateLimit(10, 2) }));
        uint id = 1;
        for (var i = 0; i < 10; i++, id += 2)
        {
            s.Request(id, false);
            s.Feed(new RstStreamFrame(id, ErrorCode.Cancel)).NoError(); // at and below the budget
        }
        s.Now += TimeSpan.FromSeconds(0.5); // refills one token
        s.Request(id, false);
        s.Feed(new RstStreamFrame(id, ErrorCode.Cancel)).NoError();
        id += 2;
        s.Request(id, false);
        s.Feed(new RstStreamFrame(id, ErrorCode.Cancel)).GoAway(ErrorCode.EnhanceYourCalm); // above
    }

    [Fact(DisplayName = "CVE-2019-9514: reset flood — streams we are made to reset draw from the same budget")]
    public void ResetFlood()
    {
        var s = new Server(With(new ConnectionLimits { Resets = new RateLimit(3, 0) }));
        for (uint id = 1; id <= 5; id += 2) s.Request(id, true, Server.With(("Bad", "1"))).Rst(id, ErrorCode.ProtocolError);
        s.Request(7, true, Server.With(("Bad", "1"))).GoAway(ErrorCode.EnhanceYourCalm);
    }

    // ---- churn: empty frames, PING, SETTINGS, PRIORITY, unknown, WINDOW_UPDATE (CVE-2019-9512/9513/9515/9518) ----

    public static TheoryData<string> ChurnKinds => new() { "ping", "priority", "unknown", "empty-data", "settings", "window-update", "settings-ack", "ping-ack" };

    [Theory(DisplayName = "RFC 9113 §10.5: no-op frames draw from one bucket: at the burst fine, one more ENHANCE_YOUR_CALM")]
    [MemberData(nameof(ChurnKinds))]
    public void Churn(string kind)
    {
        var s = new Server(With(new ConnectionLimits { Churn = new RateLimit(20, 0) }));
        var used = 20 - (int)s.State.ChurnBudget.Tokens; // the client's first SETTINGS took one
        s.Request(1, false, Server.Post(100));
        Frame F() => kind switch
        {
            "ping" => new PingFrame(false, 7),
            "priority" => new PriorityFrame(1, new PriorityFields(false, 0, 5)),
            "unknown" => new UnknownFrame(new FrameType(0xbb), 0, 0, Bytes.Empty),
            "empty-data" => new DataFrame(1, Bytes.Empty),
            "settings" => new SettingsFrame(false, LanguageExt.Seq<Setting>.Empty),
            "settings-ack" => SettingsFrame.Acknowledgement,
            "ping-ack" => new PingFrame(true, 7),
            _ => new WindowUpdateFrame(0, 1),
        };
        for (var i = 0; i < 20 - used; i++) Assert.DoesNotContain(s.Feed(F()), x => x is ConnectionEnded);
        s.Feed(F()).GoAway(ErrorCode.EnhanceYourCalm);
    }

    [Fact(DisplayName = "RFC 9113 §10.5: the churn bucket refills with time (time is an input)")]
    public void ChurnRefills()
    {
        var s = new Server(With(new ConnectionLimits { Churn = new RateLimit(3, 10) })); // the client's SETTINGS took one
        s.Feed(new PingFrame(false, 1));
        s.Feed(new PingFrame(false, 1));
        s.Now += TimeSpan.FromSeconds(0.1);
        s.Feed(new PingFrame(false, 1)).NoError();
        s.Feed(new PingFrame(false, 1)).GoAway(ErrorCode.EnhanceYourCalm);
    }

    [Theory(DisplayName = "CVE-2020-11080: at most 32 entries per SETTINGS frame (31, 32 accepted; 33 ENHANCE_YOUR_CALM)")]
    [InlineData(31, true)]
    [InlineData(32, true)]
    [InlineData(33, false)]
    public void SettingsEntries(int count, bool accepted)
    {
        var s = new Server();
        var o = s.Feed(new SettingsFrame(false, toSeq(Enumerable.Repeat(new Setting(SettingId.MaxFrameSize, 16384), count))));
        if (accepted) o.NoError(); else o.GoAway(ErrorCode.EnhanceYourCalm);
    }

    [Theory(DisplayName = "RFC 9113 §10.5: queued control frames are bounded while the peer does not read (4, 5 fine; 6 ENHANCE_YOUR_CALM)")]
    [InlineData(4, true)]
    [InlineData(5, true)]
    [InlineData(6, false)]
    public void QueuedControlFrames(int pings, bool accepted)
    {
        var s = new Server(With(new ConnectionLimits { MaxQueuedControlFrames = 5 }));
        s.Step(MarkFlushed.Instance);
        var o = s.Feed(Enumerable.Repeat<Frame>(new PingFrame(false, 3), pings).ToArray());
        if (accepted) { o.NoError(); Assert.Equal(pings, s.State.QueuedControlFrames); }
        else o.GoAway(ErrorCode.EnhanceYourCalm);
    }

    [Fact(DisplayName = "RFC 9113 §10.5: the control frame count resets when the shell reports the output flushed")]
    public void FlushResetsQueue()
    {
        var s = new Server(With(new ConnectionLimits { MaxQueuedControlFrames = 5 }));
        s.Step(MarkFlushed.Instance);
        s.Feed(Enumerable.Repeat<Frame>(new PingFrame(false, 3), 5).ToArray()).NoError();
        s.Step(MarkFlushed.Instance);
        Assert.Equal(0, s.State.QueuedControlFrames);
        s.Feed(Enumerable.Repeat<Frame>(new PingFrame(false, 3), 5).ToArray()).NoError();
    }

    // ---- outgoing buffering (CVE-2019-9517, CVE-2019-9511) -----------------------------------

    [Fact(DisplayName = "RFC 9113 §6.9.1: windows at the maximum 2^31-1 take a whole body (no overflow of window + buffer)")]
    public void SendDataAtMaximumWindows()
    {
        var s = new Server();
        s.Feed(new SettingsFrame(false, Seq1(new Setting(SettingId.InitialWindowSize, 0x7fffffff))),
               new WindowUpdateFrame(0, 0x7fffffff - 65535));
        s.Request(1);
        s.Respond(1);
        Assert.Equal(int.MaxValue, s.State.WritableBytes(1));
        var o = s.Step(new SendData(1, new byte[100_000], true));
        Assert.Equal(100_000, Assert.Single(o.OfType<DataAccepted>()).Accepted);
        Assert.Equal(100_000, o.Frames().OfType<DataFrame>().Sum(d => d.Data.Length));
        Assert.DoesNotContain(o, x => x is CommandRejected or ErrorDetected);
    }

    [Fact(DisplayName = "RFC 9113 §10.5: a handler writing 1 MiB to a closed window gets 64 KiB taken, waits, and resumes on StreamWritable")]
    public void SendBufferBounded()
    {
        var s = new Server();
        s.Feed(new SettingsFrame(false, Seq1(new Setting(SettingId.InitialWindowSize, 0))));
        s.Request(1);
        s.Respond(1);
        var o = s.Step(new SendData(1, new byte[1024 * 1024], true));
        Assert.Equal(64 * 1024, Assert.Single(o.OfType<DataAccepted>()).Accepted);
        Assert.Empty(o.Frames());
        Assert.Equal(64 * 1024, s.State.Streams[1].PendingBytes);
        Assert.Equal(0, s.State.WritableBytes(1));
        // Just below the bound: one more octet is refused.
        Assert.Equal(0, Assert.Single(s.Step(new SendData(1, new byte[1], false)).OfType<DataAccepted>()).Accepted);
        o = s.Feed(new WindowUpdateFrame(1, 1000));
        Assert.Equal(1000, o.Frames().OfType<DataFrame>().Sum(d => d.Data.Length));
        Assert.Contains(new StreamWritable(1), o);
        Assert.Equal(1000, s.State.WritableBytes(1));
    }

    [Fact(DisplayName = "CVE-2019-9511: data dribble — a client that never opens its window holds at most the bound per stream")]
    public void DataDribble()
    {
        var s = new Server();
        s.Feed(new SettingsFrame(false, Seq1(new Setting(SettingId.InitialWindowSize, 1))));
        s.Request(1);
        s.Respond(1);
        for (var i = 0; i < 50; i++) s.Step(new SendData(1, new byte[16 * 1024], false));
        Assert.True(s.State.Streams[1].PendingBytes <= 64 * 1024);
    }

    // ---- closed-stream memory ------------------------------------------------------------------

    [Fact(DisplayName = "RFC 9113 §10.5: closed streams are remembered in a bounded memory (recent ones kept, old ones forgotten)")]
    public void ClosedMemoryBounded()
    {
        var s = new Server(With(new ConnectionLimits { ClosedStreamMemory = 16 }));
        for (uint id = 1; id < 200; id += 2) { s.Request(id); s.Respond(id, true); }
        Assert.True(s.State.RecentlyClosed(199).IsSome);
        Assert.True(s.State.RecentlyClosed(197).IsSome);
        Assert.True(s.State.RecentlyClosed(1).IsNone);
        var remembered = Enumerable.Range(0, 100).Count(i => s.State.RecentlyClosed((uint)(2 * i + 1)).IsSome);
        Assert.Equal(16, remembered); // exactly the capacity: the most recent 16
        // A forgotten stream is still closed: DATA on it is a stream error STREAM_CLOSED (§6.1); the connection lives.
        s.Feed(new DataFrame(1, new byte[1])).Rst(1, ErrorCode.StreamClosed);
        Assert.Equal(ConnectionPhase.Open, s.State.Phase);
    }

    // ---- timeouts ----------------------------------------------------------------------------------

    [Fact(DisplayName = "RFC 9113 §10.5: an idle connection is closed after 120 s with GOAWAY(NO_ERROR) (below, at)")]
    public void IdleTimeout()
    {
        var s = new Server();
        s.Request(1); s.Respond(1, true);
        s.Tick(TimeSpan.FromSeconds(120) - TimeSpan.FromTicks(1)).NoError();
        s.Tick(TimeSpan.FromTicks(1)).GoAway(ErrorCode.NoError);
    }

    [Fact(DisplayName = "RFC 9113 §10.5: an open stream keeps the connection from idling out")]
    public void NotIdleWithStreams()
    {
        var s = new Server();
        s.Request(1);
        s.Tick(TimeSpan.FromSeconds(500)).NoError();
    }

    [Theory(DisplayName = "RFC 9113 §10.5: slow request bodies are reset after the grace period (rate above, at, below 240 octets/s)")]
    [InlineData(300, true)]
    [InlineData(240, true)]
    [InlineData(200, false)]
    public void MinBodyRate(int perSecond, bool survives)
    {
        var s = new Server();
        s.Request(1, false, Server.Post(100000));
        IReadOnlyList<ConnectionEvent> last = [];
        for (var second = 0; second < 10; second++)
        {
            s.Feed(new DataFrame(1, new byte[perSecond]));
            s.Step(new ConsumeData(1, perSecond));
            last = s.Tick(TimeSpan.FromSeconds(1));
            if (last.Frames().Any()) break;
        }
        if (survives) Assert.Empty(s.All.Frames().OfType<RstStreamFrame>());
        else last.Rst(1, ErrorCode.Cancel);
    }

    [Fact(DisplayName = "RFC 9113 §10.5: a stream whose window we keep closed is not reset for slowness")]
    public void SlowBecauseOfUs()
    {
        var s = new Server();
        s.Request(1, false, Server.Post(100000));
        s.Feed(new DataFrame(1, new byte[16384]), new DataFrame(1, new byte[16384]), new DataFrame(1, new byte[16384]), new DataFrame(1, new byte[16383]));
        for (var i = 0; i < 20; i++) s.Tick(TimeSpan.FromSeconds(1)).NoError();
    }
}
