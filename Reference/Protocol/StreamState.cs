using System.Runtime.CompilerServices;

namespace Http2.Reference.Protocol;

/// <summary>How a stream reached "closed" (RFC 9113 §5.1); it decides what late frames get.</summary>
public enum CloseCause
{
    /// <summary>Both sides sent END_STREAM: late WINDOW_UPDATE/RST_STREAM/PRIORITY are ignored, anything else is STREAM_CLOSED.</summary>
    EndStream,
    /// <summary>We sent RST_STREAM: frames the peer sent before it saw it are minimally processed and discarded (§5.1 "closed").</summary>
    ResetSent,
    /// <summary>The peer sent RST_STREAM: a later frame other than PRIORITY or RST_STREAM is a STREAM_CLOSED error (§5.1 "closed").</summary>
    ResetReceived,
}

/// <summary>
/// The states of a stream (RFC 9113 §5.1, Figure 2), a closed hierarchy.
/// The data valid in a state (windows, buffered output) lives in
/// <see cref="StreamRecord"/>; the legal moves are <see cref="StreamMachine"/>.
/// </summary>
public abstract record StreamState
{
    private protected StreamState() { }

    /// <summary>"idle": every stream starts here; only HEADERS, PUSH_PROMISE (reserving it) and PRIORITY are allowed.</summary>
    public sealed record Idle : StreamState;
    /// <summary>"reserved (local)": we promised it with PUSH_PROMISE.</summary>
    public sealed record ReservedLocal : StreamState;
    /// <summary>"reserved (remote)": the peer promised it.</summary>
    public sealed record ReservedRemote : StreamState;
    /// <summary>"open": both sides may send.</summary>
    public sealed record Open : StreamState;
    /// <summary>"half-closed (local)": we sent END_STREAM; the peer may still send.</summary>
    public sealed record HalfClosedLocal : StreamState;
    /// <summary>"half-closed (remote)": the peer sent END_STREAM; we may still send.</summary>
    public sealed record HalfClosedRemote : StreamState;
    /// <summary>"closed", with how it got there.</summary>
    /// <param name="Cause">End of both sides, or a reset and by whom.</param>
    public sealed record Closed(CloseCause Cause) : StreamState;

    /// <summary>The one idle value.</summary>
    public static readonly StreamState IdleState = new Idle();
    /// <summary>The one reserved (local) value.</summary>
    public static readonly StreamState ReservedLocalState = new ReservedLocal();
    /// <summary>The one reserved (remote) value.</summary>
    public static readonly StreamState ReservedRemoteState = new ReservedRemote();
    /// <summary>The one open value.</summary>
    public static readonly StreamState OpenState = new Open();
    /// <summary>The one half-closed (local) value.</summary>
    public static readonly StreamState HalfClosedLocalState = new HalfClosedLocal();
    /// <summary>The one half-closed (remote) value.</summary>
    public static readonly StreamState HalfClosedRemoteState = new HalfClosedRemote();
    /// <summary>Closed after END_STREAM both ways.</summary>
    public static readonly StreamState ClosedByEndStream = new Closed(CloseCause.EndStream);
    /// <summary>Closed by our RST_STREAM.</summary>
    public static readonly StreamState ClosedByResetSent = new Closed(CloseCause.ResetSent);
    /// <summary>Closed by the peer's RST_STREAM.</summary>
    public static readonly StreamState ClosedByResetReceived = new Closed(CloseCause.ResetReceived);

    /// <summary>The closed value for a cause.</summary>
    public static StreamState ClosedBy(CloseCause cause) => cause switch
    {
        CloseCause.EndStream => ClosedByEndStream,
        CloseCause.ResetSent => ClosedByResetSent,
        _ => ClosedByResetReceived,
    };

    /// <summary>"open" or either "half-closed": the states that count against MAX_CONCURRENT_STREAMS (§5.1.2).</summary>
    public bool IsActive => this is Open or HalfClosedLocal or HalfClosedRemote;

    /// <summary>The peer may still send DATA/HEADERS: open or half-closed (local).</summary>
    public bool PeerMaySend => this is Open or HalfClosedLocal;

    /// <summary>We may still send DATA/HEADERS: open or half-closed (remote).</summary>
    public bool WeMaySend => this is Open or HalfClosedRemote;

    /// <summary>The RFC's name of the state.</summary>
    public string Name => this switch
    {
        Idle => "idle",
        ReservedLocal => "reserved (local)",
        ReservedRemote => "reserved (remote)",
        Open => "open",
        HalfClosedLocal => "half-closed (local)",
        HalfClosedRemote => "half-closed (remote)",
        Closed c => $"closed ({c.Cause})",
        _ => "?",
    };
}

/// <summary>The frame kinds that move a stream (RFC 9113 §5.1); END_STREAM is a separate flag.</summary>
internal enum StreamEvent
{
    /// <summary>HEADERS (with its CONTINUATIONs).</summary>
    Headers,
    /// <summary>DATA.</summary>
    Data,
    /// <summary>PRIORITY.</summary>
    Priority,
    /// <summary>RST_STREAM.</summary>
    RstStream,
    /// <summary>WINDOW_UPDATE.</summary>
    WindowUpdate,
    /// <summary>PUSH_PROMISE carried on this stream (it reserves another).</summary>
    PushPromise,
    /// <summary>PUSH_PROMISE promising this stream (moves idle to reserved).</summary>
    Reserve,
}

/// <summary>The result of moving a stream: a new state, "ignore the frame", or an error. A closed hierarchy.</summary>
internal abstract record StreamTransition
{
    private protected StreamTransition() { }

    /// <summary>The frame is allowed; the stream is now in <paramref name="Next"/>.</summary>
    /// <param name="Next">The new state.</param>
    public sealed record Moved(StreamState Next) : StreamTransition;

    /// <summary>The frame is to be discarded without error (§5.1 "closed").</summary>
    public sealed record Ignored : StreamTransition;

    /// <summary>The frame is not allowed in this state.</summary>
    /// <param name="Error">A stream or connection error, as §5.1 says.</param>
    public sealed record Failed(ProtocolError Error) : StreamTransition;

    /// <summary>The one ignored value.</summary>
    public static readonly StreamTransition Ignore = new Ignored();
}

/// <summary>Which half of the stream table a frame is looked up in.</summary>
internal enum StreamDirection
{
    /// <summary>The peer sent the frame.</summary>
    Receive,
    /// <summary>We want to send the frame (a command).</summary>
    Send,
}

/// <summary>What one cell of the stream table does.</summary>
internal enum StreamEffect
{
    /// <summary>The frame is allowed; the stream is then in the cell's next state (perhaps the same).</summary>
    Move,
    /// <summary>The frame is discarded without error (after the minimal processing of §5.1 "closed").</summary>
    Ignore,
    /// <summary>A stream error (§5.4.2, RST_STREAM); for a frame we want to send, the command is refused.</summary>
    StreamError,
    /// <summary>A connection error (§5.4.1, GOAWAY).</summary>
    ConnectionError,
}

/// <summary>
/// One cell of the stream table: (direction, state, event, END_STREAM) →
/// (effect, next state). END_STREAM only matters for HEADERS and DATA; the
/// other events have one cell, with <paramref name="EndStream"/> false.
/// </summary>
/// <param name="Direction">Frames received or frames sent.</param>
/// <param name="State">The stream's state before the frame.</param>
/// <param name="Event">The frame kind.</param>
/// <param name="EndStream">Whether the frame carries END_STREAM.</param>
/// <param name="Effect">What the frame does.</param>
/// <param name="Next">The state after the frame (the same state unless the effect is <see cref="StreamEffect.Move"/>).</param>
/// <param name="Code">The error code of an error effect; NO_ERROR otherwise.</param>
/// <param name="Reason">Why, for an error effect; empty otherwise.</param>
internal sealed record StreamRule(
    StreamDirection Direction, StreamState State, StreamEvent Event, bool EndStream,
    StreamEffect Effect, StreamState Next, ErrorCode Code, string Reason);

/// <summary>
/// The stream state machine of RFC 9113 §5.1 as data: <see cref="Table"/>
/// lists every (direction, state, event, END_STREAM) that §5.1 permits or
/// answers with a specific error; every pair absent from it is an error
/// (<see cref="Absent"/>). <see cref="Receive"/> and <see cref="Send"/> look
/// a cell up; docs/stream-states.md shows the table beside Figure 2.
/// </summary>
internal static class StreamMachine
{
    /// <summary>The states in table order: Figure 2's, with "closed" split by how it was reached.</summary>
    public static IReadOnlyList<StreamState> States { get; } =
    [
        StreamState.IdleState, StreamState.ReservedLocalState, StreamState.ReservedRemoteState, StreamState.OpenState, StreamState.HalfClosedLocalState,
        StreamState.HalfClosedRemoteState, StreamState.ClosedByEndStream, StreamState.ClosedByResetSent, StreamState.ClosedByResetReceived,
    ];

    /// <summary>Whether END_STREAM can change an event's cell: only HEADERS and DATA carry the flag.</summary>
    /// <param name="e">The event.</param>
    public static bool CarriesEndStream(StreamEvent e) => e is StreamEvent.Headers or StreamEvent.Data;

    /// <summary>
    /// The cell of a pair absent from <see cref="Table"/>. Received: "In the
    /// absence of more specific rules, implementations SHOULD treat the receipt
    /// of a frame that is not expressly permitted in the description of a
    /// state as a connection error (Section 5.4.1) of type PROTOCOL_ERROR"
    /// (§5.1). Sent: the command is refused as a stream PROTOCOL_ERROR.
    /// </summary>
    /// <param name="d">Received or sent.</param>
    /// <param name="s">The state.</param>
    /// <param name="e">The event.</param>
    /// <param name="endStream">The END_STREAM flag.</param>
    public static StreamRule Absent(StreamDirection d, StreamState s, StreamEvent e, bool endStream) => d == StreamDirection.Receive
        ? new(d, s, e, endStream, StreamEffect.ConnectionError, s, ErrorCode.ProtocolError, $"{e} on {Article(s)} stream")
        : new(d, s, e, endStream, StreamEffect.StreamError, s, ErrorCode.ProtocolError, $"cannot send {e} on {Article(s)} stream");

    // Events as the table writes them: HEADERS and DATA with and without END_STREAM, the rest once.
    private readonly record struct Ev(StreamEvent Event, bool EndStream);
    private static readonly Ev H = new(StreamEvent.Headers, false), HES = new(StreamEvent.Headers, true), D = new(StreamEvent.Data, false),
        DES = new(StreamEvent.Data, true), P = new(StreamEvent.Priority, false), R = new(StreamEvent.RstStream, false),
        W = new(StreamEvent.WindowUpdate, false), PP = new(StreamEvent.PushPromise, false), Promised = new(StreamEvent.Reserve, false);
    private static readonly Ev[] AnyEvent = [H, HES, D, DES, P, R, W, PP, Promised];

    // What a row does; a null Next means "stays", a Reason is formatted with the event ({0}).
    private readonly record struct Do(StreamEffect Effect, StreamState? Next, ErrorCode Code, string Reason);
    private static Do To(StreamState next) => new(StreamEffect.Move, next, ErrorCode.NoError, "");
    private static readonly Do Stay = new(StreamEffect.Move, null, ErrorCode.NoError, "");
    private static readonly Do Ignore = new(StreamEffect.Ignore, null, ErrorCode.NoError, "");
    private static Do Conn(ErrorCode code, string reason) => new(StreamEffect.ConnectionError, null, code, reason);
    private static Do Strm(ErrorCode code, string reason) => new(StreamEffect.StreamError, null, code, reason);

    private const StreamDirection In = StreamDirection.Receive, Out = StreamDirection.Send;
    private static readonly StreamState Idle = StreamState.IdleState, ReservedLocal = StreamState.ReservedLocalState,
        ReservedRemote = StreamState.ReservedRemoteState, Open = StreamState.OpenState,
        HalfClosedLocal = StreamState.HalfClosedLocalState, HalfClosedRemote = StreamState.HalfClosedRemoteState,
        ClosedByEndStream = StreamState.ClosedByEndStream, ClosedByResetSent = StreamState.ClosedByResetSent,
        ClosedByResetReceived = StreamState.ClosedByResetReceived;

    private static readonly Do InUse = Conn(ErrorCode.ProtocolError, "PUSH_PROMISE promising a stream already in use");
    private static readonly Do PromiseInUse = Strm(ErrorCode.ProtocolError, "cannot promise a stream in use");
    private static readonly Do ClosedConn = Conn(ErrorCode.StreamClosed, "{0} on a closed stream");
    private static readonly Do ClosedStrm = Strm(ErrorCode.StreamClosed, "{0} on a closed stream");
    private static readonly Do SendClosed = Strm(ErrorCode.StreamClosed, "cannot send {0} on a closed stream");

    // The rows: (direction, state, what it does, for which events). Each quotes the RFC 9113 §5.1 text it follows.
    private static readonly (StreamDirection D, StreamState S, Do Do, Ev[] On)[] Rows = WrittenRows();

    // Run once at start-up: compiled without optimization, which costs the JIT far less for a method this long.
    [MethodImpl(MethodImplOptions.NoOptimization)]
    private static (StreamDirection D, StreamState S, Do Do, Ev[] On)[] WrittenRows() =>
    [
        // idle: "Receiving any frame other than HEADERS or PRIORITY on a stream in this state MUST be treated as a
        // connection error (Section 5.4.1) of type PROTOCOL_ERROR." PUSH_PROMISE on another stream reserves it.
        (In, Idle, To(Open), [H]), (In, Idle, To(HalfClosedRemote), [HES]), (In, Idle, Stay, [P]),
        (In, Idle, To(ReservedRemote), [Promised]),
        // reserved (local): "A PRIORITY or WINDOW_UPDATE frame MAY be received in this state. Receiving any type of frame
        // other than RST_STREAM, PRIORITY, or WINDOW_UPDATE ... MUST be treated as a connection error ... of type PROTOCOL_ERROR."
        (In, ReservedLocal, To(ClosedByResetReceived), [R]), (In, ReservedLocal, Stay, [P, W]),
        // reserved (remote): "Receiving any type of frame other than HEADERS, RST_STREAM, or PRIORITY ... MUST be treated
        // as a connection error (Section 5.4.1) of type PROTOCOL_ERROR."
        (In, ReservedRemote, To(HalfClosedLocal), [H]), (In, ReservedRemote, To(ClosedByEndStream), [HES]),
        (In, ReservedRemote, To(ClosedByResetReceived), [R]), (In, ReservedRemote, Stay, [P]),
        // open: "may be used by both peers to send frames of any type"; END_STREAM half-closes, RST_STREAM closes.
        (In, Open, Stay, [H, D, P, W, PP]), (In, Open, To(HalfClosedRemote), [HES, DES]),
        (In, Open, To(ClosedByResetReceived), [R]), (In, Open, InUse, [Promised]),
        // half-closed (local): "An endpoint can receive any type of frame in this state"; END_STREAM or RST_STREAM closes.
        (In, HalfClosedLocal, Stay, [H, D, P, W, PP]), (In, HalfClosedLocal, To(ClosedByEndStream), [HES, DES]),
        (In, HalfClosedLocal, To(ClosedByResetReceived), [R]), (In, HalfClosedLocal, InUse, [Promised]),
        // half-closed (remote): "If an endpoint receives additional frames, other than WINDOW_UPDATE, PRIORITY, or
        // RST_STREAM, for a stream that is in this state, it MUST respond with a stream error (Section 5.4.2) of type STREAM_CLOSED."
        (In, HalfClosedRemote, Stay, [P, W]), (In, HalfClosedRemote, To(ClosedByResetReceived), [R]),
        (In, HalfClosedRemote, InUse, [Promised]),
        (In, HalfClosedRemote, Strm(ErrorCode.StreamClosed, "{0} after the peer's END_STREAM (half-closed (remote))"), [H, HES, D, DES, PP]),
        // closed: "Note that PRIORITY can be sent and received in any stream state." An endpoint that sent END_STREAM
        // "might receive a WINDOW_UPDATE or RST_STREAM frame from its peer in the time before the peer receives and
        // processes the frame that closes the stream": ignored. "An endpoint MAY treat receipt of any other type of frame on
        // a closed stream as a connection error (Section 5.4.1) of type STREAM_CLOSED": we do for a header block (it would
        // reuse the id, as h2spec expects) and answer DATA with the lighter stream error STREAM_CLOSED.
        (In, ClosedByEndStream, Ignore, [P, R, W]), (In, ClosedByEndStream, ClosedConn, [H, HES, PP, Promised]),
        (In, ClosedByEndStream, ClosedStrm, [D, DES]),
        // After our RST_STREAM the peer "could receive any type of frame. The peer might have sent or enqueued for sending
        // these frames before processing the RST_STREAM frame. An endpoint MUST minimally process and then discard any
        // frames it receives in this state" (the connection still decodes header blocks and counts DATA).
        (In, ClosedByResetSent, Ignore, AnyEvent),
        // After the peer's RST_STREAM: PRIORITY and RST_STREAM are ignored (never answer RST_STREAM with RST_STREAM,
        // §5.4.2); the rest as after END_STREAM, WINDOW_UPDATE included (the peer knows the stream is gone).
        (In, ClosedByResetReceived, Ignore, [P, R]), (In, ClosedByResetReceived, ClosedConn, [H, HES, PP, Promised]),
        (In, ClosedByResetReceived, ClosedStrm, [D, DES, W]),

        // Sending (commands; an "An endpoint MUST NOT send" rule refuses the command). idle: HEADERS opens,
        // PUSH_PROMISE on another stream reserves it.
        (Out, Idle, To(Open), [H]), (Out, Idle, To(HalfClosedLocal), [HES]), (Out, Idle, Stay, [P]),
        (Out, Idle, To(ReservedLocal), [Promised]),
        // reserved (local): "An endpoint MUST NOT send any type of frame other than HEADERS, RST_STREAM, or PRIORITY in this state."
        (Out, ReservedLocal, To(HalfClosedRemote), [H]), (Out, ReservedLocal, To(ClosedByEndStream), [HES]),
        (Out, ReservedLocal, To(ClosedByResetSent), [R]), (Out, ReservedLocal, Stay, [P]),
        // reserved (remote): "An endpoint MUST NOT send any type of frame other than RST_STREAM, WINDOW_UPDATE, or PRIORITY in this state."
        (Out, ReservedRemote, To(ClosedByResetSent), [R]), (Out, ReservedRemote, Stay, [P, W]),
        // open: any frame; END_STREAM half-closes (local), RST_STREAM closes.
        (Out, Open, Stay, [H, D, P, W, PP]), (Out, Open, To(HalfClosedLocal), [HES, DES]),
        (Out, Open, To(ClosedByResetSent), [R]), (Out, Open, PromiseInUse, [Promised]),
        // half-closed (local): "cannot be used for sending frames other than WINDOW_UPDATE, PRIORITY, and RST_STREAM."
        (Out, HalfClosedLocal, Stay, [P, W]), (Out, HalfClosedLocal, To(ClosedByResetSent), [R]),
        (Out, HalfClosedLocal, Strm(ErrorCode.StreamClosed, "cannot send {0} after our END_STREAM"), [H, HES, D, DES, PP, Promised]),
        // half-closed (remote): "can be used by the endpoint to send frames of any type"; END_STREAM or RST_STREAM closes.
        (Out, HalfClosedRemote, Stay, [H, D, P, W, PP]), (Out, HalfClosedRemote, To(ClosedByEndStream), [HES, DES]),
        (Out, HalfClosedRemote, To(ClosedByResetSent), [R]), (Out, HalfClosedRemote, PromiseInUse, [Promised]),
        // closed: "An endpoint MUST NOT send frames other than PRIORITY on a closed stream."
        (Out, ClosedByEndStream, Stay, [P]), (Out, ClosedByEndStream, SendClosed, [H, HES, D, DES, R, W, PP, Promised]),
        (Out, ClosedByResetSent, Stay, [P]), (Out, ClosedByResetSent, SendClosed, [H, HES, D, DES, R, W, PP, Promised]),
        (Out, ClosedByResetReceived, Stay, [P]), (Out, ClosedByResetReceived, SendClosed, [H, HES, D, DES, R, W, PP, Promised]),
    ];

    /// <summary>The explicit cells of the table, in the order written; every other pair is <see cref="Absent"/>.</summary>
    public static IReadOnlyList<StreamRule> Table { get; } = Expand();

    // Plain loops, no LINQ, no optimization: this runs once, at start-up.
    [MethodImpl(MethodImplOptions.NoOptimization)]
    private static StreamRule[] Expand()
    {
        var count = 0;
        foreach (var row in Rows) count += row.On.Length;
        var table = new StreamRule[count];
        var n = 0;
        foreach (var row in Rows)
            foreach (var ev in row.On)
                table[n++] = new StreamRule(row.D, row.S, ev.Event, ev.EndStream, row.Do.Effect, row.Do.Next ?? row.S, row.Do.Code,
                    row.Do.Reason.Replace("{0}", ev.Event.ToString(), StringComparison.Ordinal));
        return table;
    }

    // The table indexed for lookup on every frame and command: (direction, state, event, END_STREAM) -> cell, with the
    // transition ready for the effects that carry no stream id (a Moved value per state, so moving does not allocate).
    private static readonly StreamEvent[] Events = [StreamEvent.Headers, StreamEvent.Data, StreamEvent.Priority,
        StreamEvent.RstStream, StreamEvent.WindowUpdate, StreamEvent.PushPromise, StreamEvent.Reserve];
    private static readonly int EventCount = Events.Length;
    private static readonly StreamTransition[] MovedTo = MovesByState();
    private static readonly (StreamRule Rule, StreamTransition? Ready)[] Cells = Index();

    private static StreamTransition[] MovesByState()
    {
        var moves = new StreamTransition[States.Count];
        for (var i = 0; i < moves.Length; i++) moves[i] = new StreamTransition.Moved(States[i]);
        return moves;
    }

    [MethodImpl(MethodImplOptions.NoOptimization)]
    private static (StreamRule, StreamTransition?)[] Index()
    {
        var cells = new (StreamRule, StreamTransition?)[2 * States.Count * EventCount * 2];
        foreach (var r in Table)
        {
            var i = Slot(r.Direction, r.State, r.Event, r.EndStream);
            if (cells[i].Item1 is not null) throw new InvalidOperationException($"stream table: two cells for {r.Direction} {r.State.Name} {r.Event} {r.EndStream}");
            cells[i] = (r, Ready(r));
        }
        foreach (var d in (ReadOnlySpan<StreamDirection>)[In, Out])
            foreach (var s in States)
                foreach (var e in Events)
                    foreach (var es in (ReadOnlySpan<bool>)[false, true])
                    {
                        var i = Slot(d, s, e, es);
                        cells[i] = cells[i].Item1 is not null ? cells[i]
                            : !CarriesEndStream(e) && es ? cells[Slot(d, s, e, false)]
                            : (Absent(d, s, e, es), null);
                    }
        return cells;
    }

    private static StreamTransition? Ready(StreamRule r) =>
        r.Effect switch { StreamEffect.Move => MovedTo[IndexOf(r.Next)], StreamEffect.Ignore => StreamTransition.Ignore, _ => null };

    // The position of a state in States.
    private static int IndexOf(StreamState s) => s switch
    {
        StreamState.Idle => 0, StreamState.ReservedLocal => 1, StreamState.ReservedRemote => 2, StreamState.Open => 3,
        StreamState.HalfClosedLocal => 4, StreamState.HalfClosedRemote => 5,
        StreamState.Closed { Cause: CloseCause.EndStream } => 6, StreamState.Closed { Cause: CloseCause.ResetSent } => 7, _ => 8,
    };

    private static int Slot(StreamDirection d, StreamState s, StreamEvent e, bool endStream) =>
        ((((int)d * States.Count + IndexOf(s)) * EventCount + (int)e) * 2) + (endStream && CarriesEndStream(e) ? 1 : 0);

    private static string Article(StreamState s) =>
        s switch { StreamState.Idle or StreamState.Open => "an " + s.Name, StreamState.Closed => "a closed", _ => "a " + s.Name };

    /// <summary>The cell for a pair: its row of <see cref="Table"/>, or <see cref="Absent"/>.</summary>
    /// <param name="d">Received or sent.</param>
    /// <param name="s">The state.</param>
    /// <param name="e">The event.</param>
    /// <param name="endStream">The END_STREAM flag (ignored for events that do not carry it).</param>
    public static StreamRule Rule(StreamDirection d, StreamState s, StreamEvent e, bool endStream) => Cells[Slot(d, s, e, endStream)].Rule;

    /// <summary>The peer sent <paramref name="e"/> (with END_STREAM = <paramref name="endStream"/>) on stream <paramref name="id"/> in state <paramref name="s"/>.</summary>
    /// <param name="s">The stream's state.</param>
    /// <param name="e">The frame kind.</param>
    /// <param name="endStream">The END_STREAM flag.</param>
    /// <param name="id">The stream, named by a stream error.</param>
    public static StreamTransition Receive(StreamState s, StreamEvent e, bool endStream, uint id) => Apply(Cells[Slot(In, s, e, endStream)], id);

    /// <summary>We want to send <paramref name="e"/> on a stream in state <paramref name="s"/>: the new state, or a reason it
    /// may not be sent (a command error, not a protocol error: the "An endpoint MUST NOT send" rules of §5.1).</summary>
    /// <param name="s">The stream's state.</param>
    /// <param name="e">The frame kind.</param>
    /// <param name="endStream">The END_STREAM flag.</param>
    /// <param name="id">The stream, named by the refusal.</param>
    public static StreamTransition Send(StreamState s, StreamEvent e, bool endStream, uint id) => Apply(Cells[Slot(Out, s, e, endStream)], id);

    private static StreamTransition Apply((StreamRule Rule, StreamTransition? Ready) cell, uint id) => cell.Ready ?? new StreamTransition.Failed(
        cell.Rule.Effect == StreamEffect.ConnectionError ? new ConnectionError(cell.Rule.Code, cell.Rule.Reason, "5.1") : new StreamError(id, cell.Rule.Code, cell.Rule.Reason, "5.1"));
}
