using LanguageExt;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using static LanguageExt.Prelude;

namespace Http2.Reference.Protocol;

/// <summary>
/// The HTTP/2 connection as pure functions (RFC 9113 §3-§8): state, input and
/// the current time in; new state and outputs out. No I/O, no clock: the
/// shell passes <c>now</c> (monotonic, any epoch, e.g. a Stopwatch) and
/// writes the frames. Every protocol error found anywhere is mapped to
/// RST_STREAM or GOAWAY in one place (<c>Raise</c>).
/// </summary>
public static partial class Connection
{
    /// <summary>The client connection preface, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (§3.4).</summary>
    public static ReadOnlySpan<byte> ClientPreface => FrameConstants.ConnectionPreface;

    private static readonly IReadOnlyList<ConnectionEvent> NoOutputs = [];

    /// <summary>
    /// Starts a connection at time <paramref name="now"/>: the first state and
    /// our preface — for a client the preface octets, then for both our
    /// SETTINGS (§3.4: "MUST be the first frame the server sends") and a
    /// WINDOW_UPDATE raising the connection window to
    /// <see cref="ConnectionLimits.ConnectionReceiveWindow"/>.
    /// </summary>
    public static ConnectionResult Start(ConnectionOptions options, TimeSpan now)
    {
        var m = new Machine(new ConnectionFields
        {
            rare = RareFields.First(options, Http2Settings.Initial, ClosedStreams.Create(options.Limits.ResetStreamMemory)),
            phase = options.Role == Role.Server ? ConnectionPhase.AwaitingPreface : ConnectionPhase.AwaitingSettings,
            decoder = DecoderState.Initial(4096),
            encoder = EncoderState.Initial(options.EncoderStrategy.IfNone(() => EncoderStrategy.Nghttp2), options.EncoderTableCap),
            streams = StreamTable.Empty,
            closed = ClosedStreams.Create(options.Limits.ClosedStreamMemory),
            connectionSendWindow = FlowControl.DefaultWindow,
            connectionReceiveWindow = FlowControl.DefaultWindow,
            resetBucket = TokenBucket.Full(options.Limits.Resets, now),
            churnBucket = TokenBucket.Full(options.Limits.Churn, now),
            startedAt = now,
            lastActivity = now,
        }, now);
        if (options.Role == Role.Client) m.Emit(PrefaceReady.Instance);
        m.SendLocalSettings(options.Settings);
        var extra = options.Limits.ConnectionReceiveWindow - FlowControl.DefaultWindow;
        if (extra > 0)
        {
            m.Send(new WindowUpdateFrame(0, (uint)extra));
            m.S.connectionReceiveWindow += extra;
        }
        return m.Finish(0);
    }

    /// <summary>
    /// Feeds octets read from the transport: the client preface (server
    /// role, §3.4: a wrong one is a connection PROTOCOL_ERROR, detected at
    /// the first differing octet), then as many complete frames as
    /// <paramref name="bytes"/> holds, each stepped in order. Unconsumed
    /// octets (an incomplete frame) stay with the shell, which passes them
    /// again with more. Frames and events may alias <paramref name="bytes"/>.
    /// </summary>
    public static ConnectionResult Receive(ConnectionState state, ReadOnlyMemory<byte> bytes, TimeSpan now)
    {
        if (state.Phase == ConnectionPhase.Closed) return new(state, NoOutputs, bytes.Length);
        // Sized for a batch of small frames (a HEADERS of a request is ~15 octets and yields one output), so the list rarely grows.
        var m = new Machine(state.Fields, now, Math.Clamp(bytes.Length / 16, 8, 1024));
        ref var s = ref m.S;
        var consumed = 0;
        if (s.phase == ConnectionPhase.AwaitingPreface)
        {
            var preface = FrameConstants.ConnectionPreface;
            var have = Math.Min(bytes.Length, preface.Length - s.prefaceMatched);
            if (!bytes.Span[..have].SequenceEqual(preface.Slice(s.prefaceMatched, have)))
            {
                m.Raise(new ConnectionError(ErrorCode.ProtocolError, "invalid connection preface", "3.4"));
                return m.Finish(bytes.Length);
            }
            s.prefaceMatched += have;
            consumed = have;
            if (s.prefaceMatched < preface.Length) return m.Finish(consumed);
            s.phase = ConnectionPhase.AwaitingSettings;
        }
        while (s.phase != ConnectionPhase.Closed && consumed < bytes.Length)
        {
            var maxFrame = Math.Max(s.localSettings.MaxFrameSize, s.advertisedSettings.MaxFrameSize);
            var r = FrameReader.ReadFrame(bytes[consumed..], maxFrame);
            if (r.Frame is { } frame)
            {
                consumed += r.Consumed;
                m.Run(m.OnFrame(frame));
                // Decided after each frame, not per call: the outputs are a function of the octets alone,
                // however the transport split them (a PING after the GOAWAY that ends the connection is
                // never answered, whether it came in the same read or the next).
                m.MaybeFinishGracefully();
            }
            else if (r.Failed is { } bad)
            {
                consumed += bad.Consumed;
                var e = bad.Error;
                // A frame-level error in a header block sequence can only be a connection error (§6.10).
                m.Run(e.Scope == ErrorScope.Stream && s.headerBlock is null
                    ? new StreamError(e.StreamId, e.Code, e.Reason, Section(e.Section))
                    : new ConnectionError(e.Code, e.Reason, Section(e.Section)));
                m.MaybeFinishGracefully();
            }
            else break; // NeedMore: the rest stays with the shell.
        }
        return m.Finish(s.phase == ConnectionPhase.Closed ? bytes.Length : consumed);
    }

    private static string Section(string s) => s.StartsWith("RFC 9113 §", StringComparison.Ordinal) ? s["RFC 9113 §".Length..] : s;

    /// <summary>
    /// One input (a frame, a command of the application, a tick) at time
    /// <paramref name="now"/>. Commands that cannot be carried out are
    /// answered with <see cref="CommandRejected"/>; protocol errors with
    /// RST_STREAM or GOAWAY.
    /// </summary>
    public static ConnectionResult Step(ConnectionState state, ConnectionCommand input, TimeSpan now)
    {
        if (state.Phase == ConnectionPhase.Closed)
            return new(state, IsSilent(input) ? NoOutputs : [new CommandRejected(input, "the connection is closed")], 0);
        var m = new Machine(state.Fields, now);
        m.Dispatch(input);
        return m.Finish(0);
    }

    private static bool IsSilent(ConnectionCommand input) => input is ReceiveFrame or Tick or MarkFlushed or AbortConnection or SetDate;

    /// <summary>
    /// Several inputs in order, as one call: the same outputs as stepping them
    /// one by one, for one copy of the state (the shell batches the commands
    /// its handlers issued since the last call; the hot path of a busy
    /// connection).
    /// </summary>
    public static ConnectionResult StepAll(ConnectionState state, IEnumerable<ConnectionCommand> inputs, TimeSpan now)
    {
        var m = new Machine(state.Fields, now, ExpectedOutputs(state, inputs));
        if (inputs is List<ConnectionCommand> list)
            StepEach(ref m, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list)); // no enumerator on the hot path
        else if (inputs is ConnectionCommand[] array)
            StepEach(ref m, array);
        else
            foreach (var input in inputs) StepOne(ref m, input);
        return m.Finish(0);
    }

    /// <summary>
    /// The commands in order; a header section followed by its stream's last DATA goes as one
    /// step (<see cref="Machine.OnSendHeaders(SendHeaders, SendData?, out bool)"/>), with the
    /// outputs of two.
    /// </summary>
    private static void StepEach(ref Machine m, ReadOnlySpan<ConnectionCommand> commands)
    {
        for (var i = 0; i < commands.Length; i++)
        {
            if (commands[i] is SendHeaders h && i + 1 < commands.Length && commands[i + 1] is SendData { EndStream: true } d
                && d.StreamId == h.StreamId && m.S.phase != ConnectionPhase.Closed)
            {
                m.Run(m.OnSendHeaders(h, d, out var tookLast));
                if (tookLast) i++;
                continue;
            }
            StepOne(ref m, commands[i]);
        }
    }

    /// <summary>
    /// How many outputs a batch of commands will likely give, so that the list is made once at its size:
    /// a command two (a frame and an event: a small response is HEADERS, DATA, DataAccepted, StreamClosed),
    /// DATA one frame more per frame size it spans; and the call may add a timer request (a response on a
    /// connection with one stream: five outputs, five places).
    /// </summary>
    private static int ExpectedOutputs(ConnectionState state, IEnumerable<ConnectionCommand> inputs)
    {
        var commands = inputs switch
        {
            List<ConnectionCommand> list => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list),
            ConnectionCommand[] array => array,
            _ => default,
        };
        if (commands.IsEmpty) return inputs is ICollection<ConnectionCommand> c ? Math.Clamp(c.Count * 2 + 4, 8, 4096) : 8;
        var frameSize = Math.Max(1, (int)state.Fields.peerSettings.MaxFrameSize);
        var n = 1;
        foreach (var command in commands)
            n += command is SendData d ? 2 + d.Data.Length / frameSize : 2;
        return Math.Clamp(n, 2, 4096);
    }

    private static void StepOne(ref Machine m, ConnectionCommand input)
    {
        if (m.S.phase == ConnectionPhase.Closed)
        {
            if (!IsSilent(input)) m.Emit(new CommandRejected(input, "the connection is closed"));
            return;
        }
        m.Dispatch(input);
    }

    /// <summary>
    /// The builder of one call: a private copy of the state's fields (and,
    /// from the first edit, of its stream table and closed-stream memories)
    /// edited in place, and the outputs so far. <see cref="Finish"/> freezes
    /// it into the new state; the state it was copied from is never written.
    /// A struct, a local of the call (no object per call), passed by reference
    /// only: a copy would edit apart (so no method of it is ever made a delegate).
    /// </summary>
    private partial struct Machine(in ConnectionFields s, TimeSpan now, int expectedOutputs = 8)
    {
        // The next state, private to this call until Finish returns it: its fields are the call's working copy.
        private readonly ConnectionState next = new(in s);
        public ref ConnectionFields S => ref next.Building;
        // This call's stream records (StreamRecord.Stamp): no other call, before, after or beside it from the same state, has this stamp.
        private readonly long stamp = s.generation + 1;
        // The stream table and closed-stream memories being edited (Connection.Streams.cs): structs, edited in place in these fields, never copied out.
        private StreamTable.Builder streamEdits;
        private ClosedStreams.Builder closedEdits, resetEdits;
        // The outputs: the first alone, a list from the second on (many calls have one output, a request's HeadersReceived, say).
        private readonly int expectedOutputs = expectedOutputs;
        private ConnectionEvent? firstOutput;
        private List<ConnectionEvent>? outputs;
        private readonly TimeSpan now = now;
        private ConnectionLimits L => S.options.Limits;
        private bool IsServer => S.options.Role == Role.Server;

        public void Emit(ConnectionEvent o)
        {
            if (outputs is not null) outputs.Add(o);
            else if (firstOutput is null) firstOutput = o;
            else outputs = new List<ConnectionEvent>(Math.Max(2, expectedOutputs)) { firstOutput, o };
        }

        public void Send(Frame f) => Emit(new FrameReady(f));

        public bool PrefaceDone() => S.phase != ConnectionPhase.AwaitingPreface;

        public void Dispatch(ConnectionCommand input) => Run(input switch
        {
            ReceiveFrame f => PrefaceDone() ? OnFrame(f.Frame) : new ConnectionError(ErrorCode.ProtocolError, "frame before the connection preface", "3.4"),
            SendHeaders c => OnSendHeaders(c),
            SendData c => OnSendData(c),
            SendTrailers c => OnSendTrailers(c),
            SendReset c => OnResetStream(c),
            PromisePush c => OnPushPromise(c),
            SendPing c => OnSendPing(c),
            SendGoAway c => OnGoAway(c),
            UpdateSettings c => OnUpdateSettings(c),
            ConsumeData c => OnDataConsumed(c),
            MarkFlushed => OnFlushed(),
            Tick => OnTick(),
            SetDate c => OnSetDate(c),
            AbortConnection => OnTransportClosed(),
            _ => null,
        });

        /// <summary>Raises the error, if any. The single entry for errors.</summary>
        public void Run(ProtocolError? e)
        {
            if (e is not null) Raise(e);
        }

        /// <summary>
        /// The one place where errors become frames (Go's model): a stream
        /// error resets the stream (§5.4.2), a connection error sends GOAWAY
        /// with the last peer stream processed and closes (§5.4.1).
        /// </summary>
        public void Raise(ProtocolError e)
        {
            if (S.phase == ConnectionPhase.Closed) return;
            Emit(new ErrorDetected(e));
            switch (e)
            {
                case StreamError se:
                    var next = ResetFromError(se);
                    if (next is not null) Raise(next);
                    break;
                case ConnectionError ce:
                    Shutdown(ce.Code, ce.Reason, sendGoAway: true);
                    break;
            }
        }

        private ProtocolError? ResetFromError(StreamError se)
        {
            var rec = Find(se.StreamId);
            if (rec is not null) Close(rec, CloseCause.ResetSent, se.Code);
            else if (se.StreamId <= S.highestPeerStreamId || se.StreamId <= S.highestLocalStreamId) Remember(se.StreamId, CloseCause.ResetSent);
            var err = Control(new RstStreamFrame(se.StreamId, se.Code));
            if (err is not null) return err;
            // Resets we are made to send count too: the reset flood (CVE-2019-9514).
            return TakeReset();
        }

        /// <summary>Sends GOAWAY (if asked) and closes; every announced stream ends with <paramref name="code"/>.</summary>
        public void Shutdown(ErrorCode code, string reason, bool sendGoAway)
        {
            if (sendGoAway)
            {
                var last = Math.Min(S.goAwaySent ?? uint.MaxValue, S.highestPeerStreamId);
                Send(new GoAwayFrame(last, code, System.Text.Encoding.UTF8.GetBytes(reason)));
                S.goAwaySent = last;
            }
            foreach (var rec in Live())
                if (rec.Announced) Emit(new StreamClosed(rec.Id, code == ErrorCode.NoError ? ErrorCode.Cancel : code));
            DropStreams();
            S.headerBlock = null;
            S.phase = ConnectionPhase.Closed;
            Emit(new ConnectionEnded(code, reason));
        }

        /// <summary>Emits a control frame we owe the peer and counts it against <see cref="ConnectionLimits.MaxQueuedControlFrames"/>.</summary>
        private ProtocolError? Control(Frame f)
        {
            Send(f);
            if (++S.queuedControlFrames > L.MaxQueuedControlFrames)
                return new ConnectionError(ErrorCode.EnhanceYourCalm,
                    $"more than {L.MaxQueuedControlFrames} control frames queued while the peer does not read", "CVE-2019-9512/9515/9517");
            return null;
        }

        private ProtocolError? TakeReset()
        {
            var (ok, b) = S.resetBucket.Take(L.Resets, now);
            S.resetBucket = b;
            return ok ? null : new ConnectionError(ErrorCode.EnhanceYourCalm, "stream resets over budget (rapid reset)", "CVE-2023-44487");
        }

        private ProtocolError? Churn(string what)
        {
            var (ok, b) = S.churnBucket.Take(L.Churn, now);
            S.churnBucket = b;
            return ok ? null : new ConnectionError(ErrorCode.EnhanceYourCalm, $"too many frames that do no work ({what})", "CVE-2019-9518");
        }

        // ---- finishing a call ---------------------------------------------------

        /// <summary>§6.8: once a GOAWAY was sent or received and no stream (nor header block) is left, the connection closes.</summary>
        public void MaybeFinishGracefully()
        {
            if (S.phase == ConnectionPhase.Closed) return;
            if ((S.goAwaySent is not null || S.goAwayReceived is not null) && LiveCount == 0 && S.headerBlock is null)
            {
                S.phase = ConnectionPhase.Closed;
                Emit(new ConnectionEnded(ErrorCode.NoError, "graceful shutdown complete"));
            }
        }

        public ConnectionResult Finish(int consumed)
        {
            MaybeFinishGracefully();
            var deadline = Deadline();
            if (deadline != S.nextDeadline)
            {
                S.nextDeadline = deadline;
                if (deadline is { } at && S.phase != ConnectionPhase.Closed) Emit(new TimerRequested(at));
            }
            IReadOnlyList<ConnectionEvent> all = outputs ?? (firstOutput is null ? NoOutputs : new[] { firstOutput }); // an array: the shell walks it as a span
            return new ConnectionResult(Freeze(), all, consumed);
        }

        private TimeSpan? Deadline()
        {
            if (S.phase == ConnectionPhase.Closed) return null;
            var t = TimeSpan.MaxValue;
            var T = S.options.Timeouts;
            if (S.phase != ConnectionPhase.Open) t = Min(t, S.startedAt + T.Preface);
            if (!S.unacknowledged.IsEmpty) t = Min(t, S.unacknowledged.Head.SentAt + T.SettingsAck);
            if (S.headerBlock is { } hb) t = Min(t, hb.StartedAt + T.HeaderBlock);
            if (LiveCount == 0) t = Min(t, S.lastActivity + T.Idle);
            if (S.peerSendingStreams > 0 && T.MinRequestBodyBytesPerSecond > 0)
            {
                // Check body rates once a second while any request body is arriving.
                S.rateCheckAt ??= now + TimeSpan.FromSeconds(1);
                t = Min(t, S.rateCheckAt.Value);
            }
            else S.rateCheckAt = null;
            return t == TimeSpan.MaxValue ? null : t;
        }

        private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
    }
}
