using Http2.Reference.Frames;
using Http2.Reference.Hpack;

namespace Http2.Reference.Protocol;

/// <summary>
/// What a step of the connection asks of the outside world, in order: frames
/// to write, events for the application, and decisions about the
/// connection. A closed hierarchy.
/// </summary>
public abstract record ConnectionEvent
{
    private protected ConnectionEvent() { }
}

/// <summary>Write this frame (with the frame writer). Frames are emitted in wire order.</summary>
/// <param name="Frame">The frame.</param>
public sealed record FrameReady(Frame Frame) : ConnectionEvent;

/// <summary>Write the client connection preface octets (§3.4) — client role only, before its SETTINGS.</summary>
public sealed record PrefaceReady : ConnectionEvent
{
    /// <summary>The one value.</summary>
    public static readonly PrefaceReady Instance = new();
}

/// <summary>
/// A header section arrived that opens a message: a request (server) or a
/// response, informational ones included (client). Fields in wire order,
/// pseudo-headers included; several cookie fields joined with "; " (§8.2.3).
/// </summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Fields">The fields.</param>
/// <param name="EndStream">No body follows: the request is complete.</param>
public sealed record HeadersReceived(uint StreamId, IReadOnlyList<HeaderField> Fields, bool EndStream) : ConnectionEvent;

/// <summary>Body octets arrived (padding removed). Report them consumed with <see cref="ConsumeData"/>.</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Data">The octets (they alias the buffer given to Receive: copy them before reusing it).</param>
/// <param name="EndStream">The message is complete.</param>
public sealed record DataReceived(uint StreamId, Bytes Data, bool EndStream) : ConnectionEvent;

/// <summary>Trailers arrived; the message is complete (§8.1).</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Fields">The trailer fields.</param>
public sealed record TrailersReceived(uint StreamId, IReadOnlyList<HeaderField> Fields) : ConnectionEvent;

/// <summary>Client role: the server promised a push (§8.4).</summary>
/// <param name="ParentStreamId">The stream the promise came on.</param>
/// <param name="PromisedStreamId">The reserved (remote) stream.</param>
/// <param name="RequestFields">The promised request.</param>
public sealed record PushPromiseReceived(uint ParentStreamId, uint PromisedStreamId, IReadOnlyList<HeaderField> RequestFields) : ConnectionEvent;

/// <summary>
/// A stream reached "closed" (§5.1): NO_ERROR after both sides ended it,
/// else the RST_STREAM code (ours or the peer's), REFUSED_STREAM for our
/// streams above a received GOAWAY's last id, INTERNAL_ERROR when the
/// transport failed. Any work for it should stop (work started for
/// reset streams is cancelled: CVE-2023-44487).
/// </summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Code">Why.</param>
public sealed record StreamClosed(uint StreamId, ErrorCode Code) : ConnectionEvent;

/// <summary>The answer to <see cref="SendData"/>: how many of its octets the core took (the rest waits for <see cref="StreamWritable"/>).</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Accepted">Octets taken (sent or buffered).</param>
public sealed record DataAccepted(uint StreamId, int Accepted) : ConnectionEvent;

/// <summary>Buffer space freed on a stream whose writer was turned away: it may send again.</summary>
/// <param name="StreamId">The stream.</param>
public sealed record StreamWritable(uint StreamId) : ConnectionEvent;

/// <summary>The answer to <see cref="PromisePush"/>: the promised stream id.</summary>
/// <param name="ParentStreamId">The parent stream.</param>
/// <param name="PromisedStreamId">The reserved even stream.</param>
public sealed record PushPromiseSent(uint ParentStreamId, uint PromisedStreamId) : ConnectionEvent;

/// <summary>A command could not be carried out (unknown or finished stream, push disabled, GOAWAY received, ...). Nothing was sent.</summary>
/// <param name="Command">The command.</param>
/// <param name="Reason">Why.</param>
public sealed record CommandRejected(ConnectionCommand Command, string Reason) : ConnectionEvent;

/// <summary>
/// Server role: a response was sent other than the application gave it, by a
/// rule of <see cref="HttpSemantics.PrepareResponse"/> (content omitted for
/// HEAD, 204, 304; a forbidden field removed). With
/// <see cref="AdjustmentKind.ContentOmitted"/> the stream's response is
/// complete: send no DATA or trailers for it.
/// </summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Adjustment">What changed, and the section saying so.</param>
public sealed record ResponseAdjusted(uint StreamId, ResponseAdjustment Adjustment) : ConnectionEvent;

/// <summary>The peer's SETTINGS were applied (and acknowledged).</summary>
/// <param name="Settings">The peer's values now in force.</param>
public sealed record PeerSettingsReceived(Http2Settings Settings) : ConnectionEvent;

/// <summary>The peer acknowledged our SETTINGS; they are in force.</summary>
/// <param name="Settings">Our values now in force.</param>
public sealed record SettingsAcknowledged(Http2Settings Settings) : ConnectionEvent;

/// <summary>The peer answered our PING.</summary>
/// <param name="Opaque">The payload.</param>
public sealed record PingAnswered(ulong Opaque) : ConnectionEvent;

/// <summary>The peer sent GOAWAY (§6.8): no new streams; ours above <paramref name="LastStreamId"/> were not processed.</summary>
/// <param name="LastStreamId">The last of our streams the peer processed.</param>
/// <param name="Code">The error code.</param>
/// <param name="DebugData">The debug data.</param>
public sealed record GoAwayReceived(uint LastStreamId, ErrorCode Code, Bytes DebugData) : ConnectionEvent;

/// <summary>
/// A protocol error was detected and answered (RST_STREAM or GOAWAY is in
/// the outputs too). For logs and tests: says which rule, which section.
/// </summary>
/// <param name="Error">The error.</param>
public sealed record ErrorDetected(ProtocolError Error) : ConnectionEvent;

/// <summary>Close the transport after writing every frame emitted before this output. Nothing more will be emitted.</summary>
/// <param name="Code">The code of the GOAWAY sent (or that would have been), NO_ERROR for a graceful end.</param>
/// <param name="Reason">Why, for logs.</param>
public sealed record ConnectionEnded(ErrorCode Code, string Reason) : ConnectionEvent;

/// <summary>Call <see cref="Connection.Step"/> with <see cref="Tick"/> at this time (or earlier; ticks are idempotent). Replaces any earlier request.</summary>
/// <param name="At">The deadline, on the same clock as the times passed in.</param>
public sealed record TimerRequested(TimeSpan At) : ConnectionEvent;
