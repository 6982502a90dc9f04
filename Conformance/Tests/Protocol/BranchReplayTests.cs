using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;
using Xunit;

namespace Conformance.Tests.Protocol;

/// <summary>
/// Purity by construction: a connection state is an immutable value, so two
/// histories branching from one old state — stepped at the same time on two
/// threads — each give exactly what they give alone, and the old state is
/// unchanged afterwards. The branches open, answer, reset and close streams
/// (the stream table and the closed-stream memories are shared between a
/// state and the states that follow it), send and receive data, and move
/// the clock; some calls carry several commands or frames for one stream
/// (a call edits its own copy of a stream record in place: a header section
/// and DATA in one call, a header section and its whole body in one call,
/// DATA frames and a WINDOW_UPDATE in one read), and
/// change what a state shares with the states after it until one changes it
/// (settings sent, acknowledged and received, GOAWAY both ways, a header
/// block split over two reads, the date, the reset and churn budgets).
/// </summary>
public class BranchReplayTests
{
    private const int Replays = 20;

    [Property(DisplayName = "Purity: two branches stepped from one old state on two threads each equal their single-thread replay, and the old state is unchanged", MaxTest = 25)]
    public Property TwoBranchesOnTwoThreads() =>
        Prop.ForAll(
            (from a in Gen.Choose(0, 146).NonEmptyListOf()
             from b in Gen.Choose(0, 146).NonEmptyListOf()
             select (a.ToArray(), b.ToArray())).ToArbitrary(),
            t =>
            {
                var (scriptA, scriptB) = t;
                var root = Root();
                var before = Summary(root.State);
                var branchA = Inputs(root.Fork(), scriptA);
                var branchB = Inputs(root.Fork(), scriptB);
                var expectedA = Replay(root.State, root.Now, branchA);
                var expectedB = Replay(root.State, root.Now, branchB);
                Assert.Equal(before, Summary(root.State));

                using var start = new Barrier(2);
                string[] RunMany(List<Input> branch)
                {
                    start.SignalAndWait();
                    return [.. Enumerable.Range(0, Replays).Select(_ => Replay(root.State, root.Now, branch))];
                }
                var ta = Task.Factory.StartNew(() => RunMany(branchA), TaskCreationOptions.LongRunning);
                var tb = Task.Factory.StartNew(() => RunMany(branchB), TaskCreationOptions.LongRunning);
                Assert.True(Task.WaitAll([ta, tb], TimeSpan.FromSeconds(60)), "the replays did not finish within 60 s");
                Assert.All(ta.Result, r => Assert.Equal(expectedA, r));
                Assert.All(tb.Result, r => Assert.Equal(expectedB, r));
                Assert.Equal(before, Summary(root.State));
                return true;
            });

    /// <summary>A step of a branch: octets from the peer or a command, after the clock moved.</summary>
    private sealed record Input(byte[]? Octets, ConnectionCommand? Command, TimeSpan Advance, ConnectionCommand[]? Commands = null);

    /// <summary>
    /// The old state: streams open, half-closed, answered with data waiting for
    /// window, closed by END_STREAM and reset both ways, so both branches start
    /// with non-empty tables and memories.
    /// </summary>
    private static Server Root()
    {
        var s = new Server();
        s.Feed(new SettingsFrame(false, [new Setting(SettingId.InitialWindowSize, 10)]));
        s.Request(1, false);
        s.Request(3, true);
        s.Request(5, true);
        s.Request(7, false);
        s.Request(9, true);
        s.Respond(5, true);                                         // closed by END_STREAM
        s.Step(new SendReset(7, ErrorCode.Cancel));                 // reset by us
        s.Respond(3);
        s.Step(new SendData(3, new byte[100], true));               // 10 octets sent, 90 wait for window
        s.Feed(new RstStreamFrame(9, ErrorCode.Cancel));            // reset by the peer
        return s;
    }

    private static List<Input> Inputs(Server fork, int[] script)
    {
        var inputs = new List<Input>();
        var nextId = 11u;
        foreach (var n in script)
        {
            var id = (uint)(n % 7) * 2 + 1; // 1..13, open, closed and idle ones alike
            var advance = TimeSpan.FromMilliseconds(n % 3 * 400);
            byte[] Frames(params Frame[] f) => FrameWriter.ToBytes(f);
            var block = n / 7 == 18 ? fork.Headers(nextId, n % 2 == 0).Fragment : default; // encoded once: the encoder's table moves with it
            Input input = (n / 7) switch
            {
                0 => new(Frames(fork.Headers(nextId, n % 2 == 0)), null, advance),
                1 => new(null, new SendHeaders(id, [HeaderField.Of(":status", "200")], false), advance),
                2 => new(null, new SendData(id, new byte[n * 7], n % 2 == 0), advance),
                3 => new(null, new SendReset(id, ErrorCode.Cancel), advance),
                4 => new(Frames(new RstStreamFrame(id, ErrorCode.Cancel)), null, advance),
                5 => new(Frames(new WindowUpdateFrame(n % 2 == 0 ? 0 : id, (uint)n * 3)), null, advance),
                6 => new(Frames(new DataFrame(id, new byte[n % 9], n % 2 == 0)), null, advance),
                7 => new(null, new ConsumeData(id, n), advance),
                8 => new(Frames(new PingFrame(false, (ulong)n)), null, advance),
                9 => new(Frames(new SettingsFrame(false, [new Setting(SettingId.InitialWindowSize, (uint)n * 50)])), null, advance),
                10 => new(null, new SendTrailers(id, [HeaderField.Of("x-done", "1")]), advance),
                11 => new(null, Tick.Instance, TimeSpan.FromSeconds(n % 5 * 10)),
                12 => new(null, MarkFlushed.Instance, advance),
                13 when n % 2 == 0 => new(null, null, advance,
                    [new SendHeaders(id, [HeaderField.Of(":status", "200")], false), new SendData(id, new byte[n], false), new SendData(id, new byte[n * 3], n % 4 == 0)]),
                13 => new(Frames(new DataFrame(id, new byte[n % 5], false), new WindowUpdateFrame(id, (uint)n), new DataFrame(id, new byte[n % 3], true), new WindowUpdateFrame(id, 7)), null, advance),
                14 => new(null, new UpdateSettings(Http2Settings.ServerDefaults with { InitialWindowSize = (uint)n * 100 }), advance),
                15 => new(Frames(new SettingsFrame(true, [])), null, advance),
                16 => new(Frames(new GoAwayFrame(nextId + 10, ErrorCode.NoError)), null, advance),
                17 => new(null, new SetDate(HeaderField.Of("date", $"Thu, 03 Dec 2026 19:{n % 60:00}:00 GMT")), advance),
                18 => new(Frames(new HeadersFrame(nextId, block.Memory[..3], n % 2 == 0, EndHeaders: false)), null, advance),
                19 => new(null, null, advance, [new SendHeaders(id, [HeaderField.Of(":status", "200")], false), new SendData(id, new byte[n % 20], true)]),
                _ => new(null, new SendGoAway(ErrorCode.NoError), advance),
            };
            if (n / 7 == 18)
            {
                // The rest of the block in the next read: the state between the two reads holds a header block in progress.
                inputs.Add(input);
                input = new(Frames(new ContinuationFrame(nextId, block.Memory[3..], true)), null, advance);
            }
            if (n / 7 is 0 or 18) nextId += 2;
            inputs.Add(input);
        }
        return inputs;
    }

    /// <summary>Steps a branch from <paramref name="root"/>: every output and a summary of every state, as text.</summary>
    private static string Replay(ConnectionState root, TimeSpan now, List<Input> branch)
    {
        var trace = new System.Text.StringBuilder();
        var state = root;
        foreach (var input in branch)
        {
            now += input.Advance;
            var r = input.Octets is { } octets ? Connection.Receive(state, octets, now)
                : input.Commands is { } commands ? Connection.StepAll(state, commands, now)
                : Connection.Step(state, input.Command!, now);
            state = r.State;
            foreach (var o in r.Outputs) trace.Append(o is FrameReady f ? FrameFormatter.Format(f.Frame) : o.ToString()).Append('\n');
            trace.Append(Summary(state)).Append('\n');
        }
        return trace.ToString();
    }

    private static string Summary(ConnectionState s) =>
        $"{s.Phase} streams {s.StreamCount} [{string.Join(" ", s.Streams.Values.OrderBy(r => r.Id).Select(r => $"{r.Id}:{r.State.Name}:{r.SendWindow}/{r.ReceiveWindow}:{r.PendingBytes}"))}]"
        + $" closed [{string.Join(" ", Enumerable.Range(1, 40).Select(i => s.RecentlyClosed((uint)i).Match(c => $"{i}:{c}", () => "")).Where(x => x != ""))}]"
        + $" windows {s.ConnectionSendWindow}/{s.ConnectionReceiveWindow} ids {s.HighestPeerStreamId}/{s.HighestLocalStreamId}"
        + $" hpack {s.Decoder.Table.Size}/{s.Encoder.Table.Size} queued {s.QueuedControlFrames} deadline {s.NextDeadline}"
        + $" settings {s.LocalSettings}/{s.AdvertisedSettings}/{s.PeerSettings} unacknowledged {s.UnacknowledgedSettings.Count}"
        + $" goaway {s.GoAwaySent}/{s.GoAwayReceivedLastStreamId} block {s.InHeaderBlock} date {s.Date} budgets {s.ResetBudget}/{s.ChurnBudget}";
}
