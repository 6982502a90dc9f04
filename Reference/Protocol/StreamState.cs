namespace Reference.Protocol;

/// <summary>How a stream reached "closed" (RFC 9113 §5.1); it decides what late frames get.</summary>
public enum CloseCause
{
    /// <summary>Both sides sent END_STREAM: late WINDOW_UPDATE/RST_STREAM/PRIORITY are ignored, anything else is STREAM_CLOSED.</summary>
    EndStream,
    /// <summary>We sent RST_STREAM: frames already in flight "MUST" be ignored (§5.1 "closed").</summary>
    ResetSent,
    /// <summary>The peer sent RST_STREAM: any frame but PRIORITY is a stream error STREAM_CLOSED (§5.1 "closed").</summary>
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
public enum StreamEvent
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
public abstract record StreamTransition
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

/// <summary>
/// The stream state machine of RFC 9113 §5.1 as two total functions, one
/// for frames received and one for frames sent: every (state, event) pair
/// has an answer, written beside the RFC's text for that state.
/// </summary>
public static class StreamMachine
{
    // One Moved value per state: transitions are computed on every frame and command, so they do not allocate.
    private static readonly StreamTransition[] Moves =
    [
        new StreamTransition.Moved(StreamState.IdleState), new StreamTransition.Moved(StreamState.ReservedLocalState),
        new StreamTransition.Moved(StreamState.ReservedRemoteState), new StreamTransition.Moved(StreamState.OpenState),
        new StreamTransition.Moved(StreamState.HalfClosedLocalState), new StreamTransition.Moved(StreamState.HalfClosedRemoteState),
        new StreamTransition.Moved(StreamState.ClosedByEndStream), new StreamTransition.Moved(StreamState.ClosedByResetSent),
        new StreamTransition.Moved(StreamState.ClosedByResetReceived),
    ];

    private static StreamTransition Move(StreamState s) => s switch
    {
        StreamState.Idle => Moves[0],
        StreamState.ReservedLocal => Moves[1],
        StreamState.ReservedRemote => Moves[2],
        StreamState.Open => Moves[3],
        StreamState.HalfClosedLocal => Moves[4],
        StreamState.HalfClosedRemote => Moves[5],
        StreamState.Closed { Cause: CloseCause.EndStream } => Moves[6],
        StreamState.Closed { Cause: CloseCause.ResetSent } => Moves[7],
        _ => Moves[8],
    };

    private static StreamTransition Conn(ErrorCode code, string reason) =>
        new StreamTransition.Failed(new ConnectionError(code, reason, "5.1"));

    private static StreamTransition Strm(uint id, ErrorCode code, string reason) =>
        new StreamTransition.Failed(new StreamError(id, code, reason, "5.1"));

    /// <summary>The peer sent <paramref name="e"/> (with END_STREAM = <paramref name="endStream"/>) on stream <paramref name="id"/> in state <paramref name="s"/>.</summary>
    public static StreamTransition Receive(StreamState s, StreamEvent e, bool endStream, uint id) => s switch
    {
        // idle: "Receiving any frame other than HEADERS or PRIORITY on a stream in this state MUST be treated as a connection error of type PROTOCOL_ERROR."
        StreamState.Idle => e switch
        {
            StreamEvent.Headers => Move(endStream ? StreamState.HalfClosedRemoteState : StreamState.OpenState),
            StreamEvent.Priority => Move(s),
            StreamEvent.Reserve => Move(StreamState.ReservedRemoteState),
            _ => Conn(ErrorCode.ProtocolError, $"{e} on an idle stream"),
        },
        // reserved (local): "Receiving any type of frame other than RST_STREAM, PRIORITY, or WINDOW_UPDATE ... MUST be treated as a connection error of type PROTOCOL_ERROR."
        StreamState.ReservedLocal => e switch
        {
            StreamEvent.RstStream => Move(StreamState.ClosedByResetReceived),
            StreamEvent.Priority or StreamEvent.WindowUpdate => Move(s),
            _ => Conn(ErrorCode.ProtocolError, $"{e} on a reserved (local) stream"),
        },
        // reserved (remote): "Receiving any type of frame other than HEADERS, RST_STREAM, or PRIORITY ... MUST be treated as a connection error of type PROTOCOL_ERROR."
        StreamState.ReservedRemote => e switch
        {
            StreamEvent.Headers => Move(endStream ? StreamState.ClosedByEndStream : StreamState.HalfClosedLocalState),
            StreamEvent.RstStream => Move(StreamState.ClosedByResetReceived),
            StreamEvent.Priority => Move(s),
            _ => Conn(ErrorCode.ProtocolError, $"{e} on a reserved (remote) stream"),
        },
        // open: any frame; END_STREAM half-closes, RST_STREAM closes.
        StreamState.Open => e switch
        {
            StreamEvent.Headers or StreamEvent.Data => Move(endStream ? StreamState.HalfClosedRemoteState : s),
            StreamEvent.RstStream => Move(StreamState.ClosedByResetReceived),
            StreamEvent.Reserve => Conn(ErrorCode.ProtocolError, "PUSH_PROMISE promising a stream already in use"),
            _ => Move(s),
        },
        // half-closed (local): the peer may still send; END_STREAM closes.
        StreamState.HalfClosedLocal => e switch
        {
            StreamEvent.Headers or StreamEvent.Data => Move(endStream ? StreamState.ClosedByEndStream : s),
            StreamEvent.RstStream => Move(StreamState.ClosedByResetReceived),
            StreamEvent.Reserve => Conn(ErrorCode.ProtocolError, "PUSH_PROMISE promising a stream already in use"),
            _ => Move(s),
        },
        // half-closed (remote): "If an endpoint receives additional frames, other than WINDOW_UPDATE, PRIORITY, or RST_STREAM, ... it MUST respond with a stream error of type STREAM_CLOSED."
        StreamState.HalfClosedRemote => e switch
        {
            StreamEvent.WindowUpdate or StreamEvent.Priority => Move(s),
            StreamEvent.RstStream => Move(StreamState.ClosedByResetReceived),
            StreamEvent.Reserve => Conn(ErrorCode.ProtocolError, "PUSH_PROMISE promising a stream already in use"),
            _ => Strm(id, ErrorCode.StreamClosed, $"{e} after the peer's END_STREAM (half-closed (remote))"),
        },
        StreamState.Closed c => ReceiveClosed(c.Cause, e, id),
        _ => Conn(ErrorCode.InternalError, "unknown stream state"),
    };

    private static StreamTransition ReceiveClosed(CloseCause cause, StreamEvent e, uint id) => (cause, e) switch
    {
        // "An endpoint MUST NOT send frames other than PRIORITY on a closed stream" — PRIORITY is always fine.
        (_, StreamEvent.Priority) => StreamTransition.Ignore,
        // "An endpoint MUST ignore frames that it receives on closed streams after it has sent a RST_STREAM frame."
        (CloseCause.ResetSent, _) => StreamTransition.Ignore,
        // Never answer RST_STREAM with RST_STREAM (§5.4.2).
        (_, StreamEvent.RstStream) => StreamTransition.Ignore,
        // WINDOW_UPDATE "can be received in this state for a short period after a DATA or HEADERS frame containing an END_STREAM flag is sent".
        (CloseCause.EndStream, StreamEvent.WindowUpdate) => StreamTransition.Ignore,
        // A new header block on a closed stream reuses its id: connection error STREAM_CLOSED (§5.1 "closed", as h2spec expects).
        (_, StreamEvent.Headers) or (_, StreamEvent.PushPromise) or (_, StreamEvent.Reserve) =>
            Conn(ErrorCode.StreamClosed, $"{e} on a closed stream"),
        // "An endpoint that receives any frame other than PRIORITY after receiving a RST_STREAM MUST treat that as a stream error of type STREAM_CLOSED."
        _ => Strm(id, ErrorCode.StreamClosed, $"{e} on a closed stream"),
    };

    /// <summary>
    /// We want to send <paramref name="e"/> on a stream in state <paramref name="s"/>:
    /// the new state, or a reason it may not be sent (a command error, not
    /// a protocol error: "An endpoint MUST NOT send" rules of §5.1).
    /// </summary>
    public static StreamTransition Send(StreamState s, StreamEvent e, bool endStream, uint id) => s switch
    {
        StreamState.Idle => e switch
        {
            StreamEvent.Headers => Move(endStream ? StreamState.HalfClosedLocalState : StreamState.OpenState),
            StreamEvent.Reserve => Move(StreamState.ReservedLocalState),
            StreamEvent.Priority => Move(s),
            _ => Strm(id, ErrorCode.ProtocolError, $"cannot send {e} on an idle stream"),
        },
        StreamState.ReservedLocal => e switch
        {
            StreamEvent.Headers => Move(endStream ? StreamState.ClosedByEndStream : StreamState.HalfClosedRemoteState),
            StreamEvent.RstStream => Move(StreamState.ClosedByResetSent),
            StreamEvent.Priority => Move(s),
            _ => Strm(id, ErrorCode.ProtocolError, $"cannot send {e} on a reserved (local) stream"),
        },
        StreamState.ReservedRemote => e switch
        {
            StreamEvent.RstStream => Move(StreamState.ClosedByResetSent),
            StreamEvent.Priority or StreamEvent.WindowUpdate => Move(s),
            _ => Strm(id, ErrorCode.ProtocolError, $"cannot send {e} on a reserved (remote) stream"),
        },
        StreamState.Open => e switch
        {
            StreamEvent.Headers or StreamEvent.Data => Move(endStream ? StreamState.HalfClosedLocalState : s),
            StreamEvent.RstStream => Move(StreamState.ClosedByResetSent),
            StreamEvent.Reserve => Strm(id, ErrorCode.ProtocolError, "cannot promise a stream in use"),
            _ => Move(s),
        },
        StreamState.HalfClosedLocal => e switch
        {
            StreamEvent.WindowUpdate or StreamEvent.Priority => Move(s),
            StreamEvent.RstStream => Move(StreamState.ClosedByResetSent),
            _ => Strm(id, ErrorCode.StreamClosed, $"cannot send {e} after our END_STREAM"),
        },
        StreamState.HalfClosedRemote => e switch
        {
            StreamEvent.Headers or StreamEvent.Data => Move(endStream ? StreamState.ClosedByEndStream : s),
            StreamEvent.RstStream => Move(StreamState.ClosedByResetSent),
            StreamEvent.Reserve => Strm(id, ErrorCode.ProtocolError, "cannot promise a stream in use"),
            _ => Move(s),
        },
        StreamState.Closed => e switch
        {
            StreamEvent.Priority => Move(s),
            _ => Strm(id, ErrorCode.StreamClosed, $"cannot send {e} on a closed stream"),
        },
        _ => Strm(id, ErrorCode.InternalError, "unknown stream state"),
    };
}
