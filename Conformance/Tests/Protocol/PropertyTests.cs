using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using Xunit;

namespace Conformance.Tests.Protocol;

public class PropertyTests
{
    /// <summary>A server with stream 1 brought into one of the §5.1 states.</summary>
    private static Server InState(int which)
    {
        var s = new Server();
        s.Feed(new SettingsFrame(false, LanguageExt.Prelude.Seq1(new Setting(SettingId.EnablePush, 1))));
        switch (which)
        {
            case 0: break;                                                     // idle
            case 1: s.Request(1, false); break;                                // open
            case 2: s.Request(1, true); break;                                 // half-closed (remote)
            case 3: s.Request(1, false); s.Respond(1, true); break;            // half-closed (local)
            case 4: s.Request(1, true); s.Respond(1, true); break;             // closed (END_STREAM)
            case 5: s.Request(1, false); s.Feed(new RstStreamFrame(1, ErrorCode.Cancel)); break; // closed (reset received)
            case 6: s.Request(1, false); s.Step(new SendReset(1, ErrorCode.Cancel)); break;    // closed (reset sent)
            default:                                                           // reserved (local) = stream 2
                s.Request(1, false);
                s.Step(new PromisePush(1, [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "https"), HeaderField.Of(":path", "/p"), HeaderField.Of(":authority", "a")]));
                break;
        }
        return s;
    }

    private static Frame FrameOf(Server s, int type, uint id, bool flag) => type switch
    {
        0 => new DataFrame(id, new byte[] { 1, 2 }, flag),
        1 => new HeadersFrame(id, s.Block(Server.Get), flag),
        2 => new PriorityFrame(id, new PriorityFields(false, flag ? id : 0, 3)),
        3 => new RstStreamFrame(id, ErrorCode.Cancel),
        4 => new SettingsFrame(flag, flag ? LanguageExt.Seq<Setting>.Empty : LanguageExt.Prelude.Seq1(new Setting(SettingId.MaxFrameSize, 20000))),
        5 => new PushPromiseFrame(id, 2, s.Block(Server.Get)),
        6 => new PingFrame(flag, 9),
        7 => new GoAwayFrame(id, ErrorCode.NoError),
        8 => new WindowUpdateFrame(id, flag ? 0u : 100u),
        9 => new ContinuationFrame(id, s.Block(Server.Get), flag),
        _ => new UnknownFrame(new FrameType((byte)type), 0, id, Bytes.Empty),
    };

    [Property(DisplayName = "RFC 9113 §5.1: for every (stream state, frame type) pair the connection returns a legal state or a typed error, never an exception", MaxTest = 300)]
    public Property EveryStateAndFrame() =>
        Prop.ForAll((from st in Gen.Choose(0, 7) from ty in Gen.Choose(0, 11) from id in Gen.Elements(1u, 2u, 3u) from fl in Gen.Elements(true, false) select (st, ty, id, fl)).ToArbitrary(),
            t =>
            {
                var (state, type, id, flag) = t;
                var s = InState(state);
                var frame = FrameOf(s, type, type is 4 or 6 or 7 ? 0 : id, flag);
                var r = Connection.Receive(s.State, FrameWriter.ToBytes(frame), s.Now);
                var errors = r.Outputs.OfType<ErrorDetected>().ToList();
                var legal = r.State.Phase == ConnectionPhase.Closed
                    ? r.Outputs.OfType<ConnectionEnded>().Any()
                    : r.State.Streams.Values.All(x => x.State is not StreamState.Closed and not StreamState.Idle);
                // Every error is answered: a stream error with RST_STREAM, a connection error with GOAWAY.
                var answered = errors.All(e => e.Error switch
                {
                    StreamError se => r.Outputs.Frames().OfType<RstStreamFrame>().Any(f => f.StreamId == se.StreamId) || r.State.Phase == ConnectionPhase.Closed,
                    ConnectionError => r.Outputs.Frames().OfType<GoAwayFrame>().Any(),
                    _ => false,
                });
                return legal && answered;
            });

    [Property(DisplayName = "RFC 9113 §5.1: the stream machine is total — every (state, event, END_STREAM) has an answer", MaxTest = 200)]
    public Property MachineTotal() =>
        Prop.ForAll(Gen.Choose(0, 8).ToArbitrary(), Gen.Choose(0, 6).ToArbitrary(), ArbMap.Default.ArbFor<bool>(), (st, ev, es) =>
        {
            StreamState[] states = [StreamState.IdleState, StreamState.ReservedLocalState, StreamState.ReservedRemoteState, StreamState.OpenState,
                StreamState.HalfClosedLocalState, StreamState.HalfClosedRemoteState, StreamState.ClosedByEndStream, StreamState.ClosedByResetSent, StreamState.ClosedByResetReceived];
            var r = StreamMachine.Receive(states[st], (StreamEvent)ev, es, 1);
            var t = StreamMachine.Send(states[st], (StreamEvent)ev, es, 1);
            return r is not null && t is not null;
        });

    [Property(DisplayName = "Receive is total: arbitrary octets after the preface never throw", MaxTest = 300)]
    public Property ArbitraryBytes() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), bytes =>
        {
            var s = new Server();
            var r = Connection.Receive(s.State, bytes, s.Now);
            return r.Consumed <= bytes.Length;
        });

    [Property(DisplayName = "Receive accepts any chunking: the same outputs whether octets come at once or in pieces", MaxTest = 100)]
    public Property Chunking() =>
        Prop.ForAll(Gen.Choose(1, 40).ToArbitrary(), chunk =>
        {
            var bytes = Server.Concat(Connection.ClientPreface.ToArray(),
                FrameWriter.ToBytes([new SettingsFrame(false, LanguageExt.Seq<Setting>.Empty), new PingFrame(false, 5)]),
                FrameWriter.ToBytes(new HeadersFrame(1, HpackEncoder.Encode(EncoderState.Initial(EncoderStrategy.Nghttp2, 4096), [HeaderField.Of(":method", "GET"), HeaderField.Of(":scheme", "http"), HeaderField.Of(":path", "/")]).Block, true)));
            var whole = Connection.Receive(Connection.Start(ConnectionOptions.Server, TimeSpan.Zero).State, bytes, TimeSpan.Zero);
            var state = Connection.Start(ConnectionOptions.Server, TimeSpan.Zero).State;
            var outs = new List<ConnectionEvent>();
            var pending = Array.Empty<byte>();
            for (var at = 0; at < bytes.Length; at += chunk)
            {
                pending = [.. pending, .. bytes.Skip(at).Take(chunk)];
                var r = Connection.Receive(state, pending, TimeSpan.Zero);
                state = r.State;
                outs.AddRange(r.Outputs);
                pending = pending[r.Consumed..];
            }
            static string Show(IEnumerable<ConnectionEvent> o) => string.Join("|", o.Where(x => x is not TimerRequested).Select(x => x switch
            {
                HeadersReceived h => $"H{h.StreamId}:{string.Join(",", h.Fields)}",
                _ => x.ToString(),
            }));
            return Show(outs) == Show(whole.Outputs);
        });

    /// <summary>
    /// The client side of a connection as octets: preface, SETTINGS, then a
    /// script of frames drawn from <paramref name="script"/> (SETTINGS and
    /// their ACKs, PING, GOAWAY, requests, RST_STREAM, DATA, WINDOW_UPDATE),
    /// then <paramref name="tail"/> octets of one more frame (a partial frame).
    /// </summary>
    internal static byte[] ClientOctets(IEnumerable<int> script, int tail)
    {
        var encoder = EncoderState.Initial(EncoderStrategy.Nghttp2, 4096);
        var frames = new List<Frame> { new SettingsFrame(false, LanguageExt.Seq<Setting>.Empty) };
        uint last = 1, next = 1;
        foreach (var k in script)
        {
            Frame Request(bool end)
            {
                (encoder, var block) = HpackEncoder.Encode(encoder, [HeaderField.Of(":method", end ? "GET" : "POST"), HeaderField.Of(":scheme", "http"), HeaderField.Of(":path", "/"), HeaderField.Of(":authority", "a")]);
                last = next;
                next += 2;
                return new HeadersFrame(last, block, end);
            }
            frames.Add(k switch
            {
                0 => new SettingsFrame(false, LanguageExt.Seq<Setting>.Empty),
                1 => SettingsFrame.Acknowledgement,
                2 => new PingFrame(false, (ulong)frames.Count),
                3 => new GoAwayFrame(0, ErrorCode.NoError),
                4 => Request(true),
                5 => Request(false),
                6 => new RstStreamFrame(last, ErrorCode.Cancel),
                7 => new DataFrame(last, new byte[] { 1, 2, 3 }, frames.Count % 2 == 0),
                8 => new SettingsFrame(false, LanguageExt.Prelude.Seq1(new Setting(SettingId.InitialWindowSize, (uint)(1000 + frames.Count)))),
                _ => new WindowUpdateFrame(0, 100),
            });
        }
        var bytes = Server.Concat(Connection.ClientPreface.ToArray(), FrameWriter.ToBytes(frames));
        var partial = FrameWriter.ToBytes(new PingFrame(false, 7));
        return Server.Concat(bytes, partial[..Math.Min(tail, partial.Length - 1)]);
    }

    /// <summary>Feeds <paramref name="bytes"/> in the given chunk sizes as a shell would (unconsumed octets are passed again with more); the outputs and what was left unconsumed at the end.</summary>
    internal static (List<ConnectionEvent> Outputs, int Unconsumed, ConnectionPhase Phase) FeedInChunks(byte[] bytes, IReadOnlyList<int> chunks)
    {
        var state = Connection.Start(ConnectionOptions.Server, TimeSpan.Zero).State;
        var outs = new List<ConnectionEvent>();
        var pending = Array.Empty<byte>();
        var at = 0;
        for (var i = 0; at < bytes.Length; i++)
        {
            var n = Math.Max(1, chunks.Count == 0 ? bytes.Length : chunks[i % chunks.Count]);
            pending = [.. pending, .. bytes.Skip(at).Take(n)];
            at += n;
            var r = Connection.Receive(state, pending, TimeSpan.Zero);
            state = r.State;
            outs.AddRange(r.Outputs);
            pending = pending[r.Consumed..];
        }
        return (outs, pending.Length, state.Phase);
    }

    internal static string Show(IEnumerable<ConnectionEvent> o) => string.Join("|", o.Where(x => x is not TimerRequested).Select(x => x switch
    {
        HeadersReceived h => $"H{h.StreamId}:{string.Join(",", h.Fields)}",
        DataReceived d => $"D{d.StreamId}:{d.Data.Length}:{d.EndStream}",
        _ => x.ToString(),
    }));

    [Property(DisplayName = "Outputs are a function of the octets alone: any chunking of SETTINGS, PING, GOAWAY, RST_STREAM, requests and a trailing partial frame gives the outputs of one read", MaxTest = 300)]
    public Property ChunkingOfControlSequences() =>
        Prop.ForAll(
            (from script in Gen.Choose(0, 9).ListOf()
             from tail in Gen.Choose(0, 16)
             from chunks in Gen.Choose(1, 30).NonEmptyListOf()
             select (script.ToArray(), tail, chunks.ToArray())).ToArbitrary(),
            t =>
            {
                var (script, tail, chunks) = t;
                var bytes = ClientOctets(script, tail);
                var whole = FeedInChunks(bytes, []);
                var split = FeedInChunks(bytes, chunks);
                return (Show(whole.Outputs) == Show(split.Outputs) && whole.Unconsumed == split.Unconsumed && whole.Phase == split.Phase)
                    .Label($"script [{string.Join(",", script)}] tail {tail} chunks [{string.Join(",", chunks)}]\nwhole: {Show(whole.Outputs)} (left {whole.Unconsumed})\nsplit: {Show(split.Outputs)} (left {split.Unconsumed})");
            });

    [Fact(DisplayName = "RFC 9113 §6.8: after a client GOAWAY with no open stream the connection closes at once, whether a PING follows in the same read or the next")]
    public void GoAwayThenPingSameAnyChunking()
    {
        var bytes = ClientOctets([1, 3, 2], 0);
        var whole = FeedInChunks(bytes, []);
        var goAwayEnd = bytes.Length - 17; // the PING is the last 17 octets
        var split = FeedInChunks(bytes, [goAwayEnd, 17]);
        Assert.Equal(Show(whole.Outputs), Show(split.Outputs));
        Assert.DoesNotContain(whole.Outputs.Frames(), f => f is PingFrame { Ack: true });
        Assert.Equal(ConnectionPhase.Closed, whole.Phase);
    }

    [Fact(DisplayName = "RFC 9113 §6.8: a partial frame after the GOAWAY that closed the connection is not reported as unconsumed")]
    public void PartialFrameAfterClosingGoAway()
    {
        var bytes = ClientOctets([1, 3], 5);
        var whole = FeedInChunks(bytes, []);
        var split = FeedInChunks(bytes, [bytes.Length - 5, 5]);
        Assert.Equal(0, whole.Unconsumed);
        Assert.Equal(0, split.Unconsumed);
        Assert.Equal(Show(whole.Outputs), Show(split.Outputs));
    }

    [Fact(DisplayName = "StepAll gives the outputs of stepping the same inputs one by one")]
    public void StepAllMatchesSteps()
    {
        var s = new Server();
        s.Request(1); s.Request(3);
        var inputs = new ConnectionCommand[]
        {
            new SendHeaders(1, [HeaderField.Of(":status", "200")], false), new SendData(1, new byte[] { 1 }, true),
            new SendHeaders(3, [HeaderField.Of(":status", "404")], true), MarkFlushed.Instance,
        };
        var batch = Connection.StepAll(s.State, inputs, s.Now);
        var one = s.State;
        var outs = new List<ConnectionEvent>();
        foreach (var i in inputs) { var r = Connection.Step(one, i, s.Now); one = r.State; outs.AddRange(r.Outputs); }
        Assert.Equal(outs.Where(x => x is not TimerRequested), batch.Outputs.Where(x => x is not TimerRequested));
        Assert.Equal(one.StreamCount, batch.State.StreamCount);
    }

    [Property(DisplayName = "StepAll of responses (header sections, 1xx, bodies in one or several DATA, over small and large windows, on GET, HEAD, a POST still sending and closed streams) gives the outputs and state of stepping them one by one",
        MaxTest = 300)]
    public Property StepAllResponsesMatchSteps() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, 79).NonEmptyListOf()), Arb.From(Gen.Elements(5u, 20u, 65535u)), (script, window) =>
        {
            var s = new Server();
            s.Feed(new SettingsFrame(false, [new Setting(SettingId.InitialWindowSize, window)]));
            s.Request(1);
            s.Request(3, false, Server.Post(40));
            s.Request(5, true, (":method", "HEAD"), (":scheme", "https"), (":path", "/"), (":authority", "example.org"));
            s.Request(7);
            var inputs = script.Select(n =>
            {
                var id = (uint)(n % 5) * 2 + 1; // 1, 3, 5, 7 and 9 (never opened)
                return (n / 5) switch
                {
                    < 5 => (ConnectionCommand)new SendHeaders(id, [HeaderField.Of(":status", "200")], false),
                    5 => new SendHeaders(id, [HeaderField.Of(":status", "103")], false),
                    6 => new SendHeaders(id, [HeaderField.Of(":status", "204")], true),
                    < 12 => new SendData(id, new byte[n % 13], true),
                    < 15 => new SendData(id, new byte[n % 7], false),
                    _ => new SendReset(id, ErrorCode.Cancel),
                };
            }).ToArray();
            var batch = Connection.StepAll(s.State, inputs, s.Now);
            var one = s.State;
            var outs = new List<ConnectionEvent>();
            foreach (var i in inputs) { var r = Connection.Step(one, i, s.Now); one = r.State; outs.AddRange(r.Outputs); }
            string Show(IEnumerable<ConnectionEvent> o) => string.Join("\n", o.Where(x => x is not TimerRequested).Select(x => x is FrameReady f ? FrameFormatter.Format(f.Frame) : x.ToString()));
            string State(ConnectionState c) =>
                $"{string.Join(" ", Enumerable.Range(1, 9).Select(i => $"{i}:{c.StreamStateOf((uint)i).Map(x => x.Name).IfNone("-")}/{c.RecentlyClosed((uint)i).Map(x => x.ToString()).IfNone("-")}/{c.WritableBytes((uint)i)}"))}"
                + $" count {c.StreamCount} peer {c.ActivePeerStreams} window {c.ConnectionSendWindow}";
            Assert.Equal(Show(outs), Show(batch.Outputs));
            Assert.Equal(State(one), State(batch.State));
            return true;
        });

    [Fact(DisplayName = "Purity: an old state stays valid and replays to the same result")]
    public void OldStateReplays()
    {
        var s = new Server();
        var before = s.State;
        var bytes = FrameWriter.ToBytes(s.Headers(1));
        var a = Connection.Receive(before, bytes, s.Now);
        var b = Connection.Receive(before, bytes, s.Now);
        Assert.Equal(a.Outputs.Count, b.Outputs.Count);
        Assert.Equal(0, before.StreamCount);
        Assert.Equal(1, a.State.StreamCount);
    }
}
