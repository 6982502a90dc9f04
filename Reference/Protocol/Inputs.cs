using LanguageExt;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;

namespace Http2.Reference.Protocol;

/// <summary>
/// Everything that can happen to a connection besides raw bytes (which go
/// through <see cref="Connection.Receive"/>): a decoded frame, a command of
/// the application, or the passing of time. A closed hierarchy.
/// </summary>
public abstract record ConnectionCommand
{
    private protected ConnectionCommand() { }
}

/// <summary>A frame read from the peer (what <see cref="Connection.Receive"/> feeds itself).</summary>
/// <param name="Frame">The frame.</param>
public sealed record ReceiveFrame(Frame Frame) : ConnectionCommand;

/// <summary>
/// Send a header section on a stream: the response (server) or the request
/// (client, on a new odd stream id). HPACK encoding happens in the core,
/// since the encoder's table is connection-wide.
/// </summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Fields">The fields, pseudo-headers first (§8.3), names lower case.</param>
/// <param name="EndStream">Whether no body follows (END_STREAM on HEADERS).</param>
public sealed record SendHeaders(uint StreamId, IReadOnlyList<HeaderField> Fields, bool EndStream) : ConnectionCommand
{
    /// <summary>
    /// Server role: the <c>date</c> field a final response gets unless it has
    /// one (RFC 9110 §6.6.1; <see cref="HttpSemantics.DateField"/>). The time
    /// of day is an input like every other: the shell formats it (once a second).
    /// </summary>
    public Option<HeaderField> Date
    {
        get => date is null ? Option<HeaderField>.None : Option<HeaderField>.Some(date);
        init => date = value.IsSome ? (HeaderField)value : null;
    }

    // A reference rather than an Option (a value and a flag): a smaller command per response.
    private readonly HeaderField? date;
}

/// <summary>
/// Server role: the time of day changed. <paramref name="Date"/> (a
/// <c>date</c> field, <see cref="HttpSemantics.DateField"/>) is what final
/// responses get when they have none: those the core makes itself (431 for a
/// header section over the limit) and a <see cref="SendHeaders"/> without its
/// own <see cref="SendHeaders.Date"/>. RFC 9110 §6.6.1: "An origin server with
/// a clock ... MUST generate a Date header field in all 2xx (Successful), 3xx
/// (Redirection), and 4xx (Client Error) responses". The time of day is an
/// input like every other: without this command the core adds no date.
/// </summary>
/// <param name="Date">The <c>date</c> field of the current second.</param>
public sealed record SetDate(HeaderField Date) : ConnectionCommand;

/// <summary>
/// Send body octets. The core sends what the flow-control windows and the
/// peer's SETTINGS_MAX_FRAME_SIZE allow and buffers the rest, up to
/// <see cref="ConnectionLimits.MaxStreamSendBuffer"/>; it reports what it
/// took with <see cref="DataAccepted"/>. The octets are kept by reference:
/// the caller must not overwrite them.
/// </summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Data">The octets.</param>
/// <param name="EndStream">Whether these are the last ones (applies only if all are accepted).</param>
public sealed record SendData(uint StreamId, Bytes Data, bool EndStream) : ConnectionCommand;

/// <summary>Send trailers, ending the stream (§8.1); they follow any buffered data.</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Fields">Trailer fields (no pseudo-headers, §8.1).</param>
public sealed record SendTrailers(uint StreamId, IReadOnlyList<HeaderField> Fields) : ConnectionCommand;

/// <summary>Reset a stream (RST_STREAM, §6.4); buffered data for it is dropped.</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Code">The error code.</param>
public sealed record SendReset(uint StreamId, ErrorCode Code) : ConnectionCommand;

/// <summary>
/// Promise a pushed response (server only, §8.4): allocates the next even
/// stream id, sends PUSH_PROMISE on the parent with the request fields and
/// reserves the new stream (reserved (local)). Answered with
/// <see cref="PushPromiseSent"/>, or <see cref="CommandRejected"/> when the
/// client disabled push, the parent has finished, or a GOAWAY was received.
/// </summary>
/// <param name="ParentStreamId">The client stream the push is associated with.</param>
/// <param name="RequestFields">The promised request: :method, :scheme, :authority, :path, then fields.</param>
public sealed record PromisePush(uint ParentStreamId, IReadOnlyList<HeaderField> RequestFields) : ConnectionCommand;

/// <summary>Send a PING (§6.7); the ACK comes back as <see cref="PingAnswered"/>.</summary>
/// <param name="Opaque">The 8 octets.</param>
public sealed record SendPing(ulong Opaque) : ConnectionCommand;

/// <summary>
/// Shut down gracefully (§6.8): GOAWAY with the last peer stream processed
/// and <paramref name="Code"/>; no new streams are accepted; the connection
/// closes when the open ones are done.
/// </summary>
/// <param name="Code">The GOAWAY code (NO_ERROR for a graceful shutdown).</param>
/// <param name="DebugData">Opaque diagnostic octets.</param>
public sealed record SendGoAway(ErrorCode Code, Bytes DebugData = default) : ConnectionCommand;

/// <summary>Advertise new local settings; they take effect when acknowledged (§6.5.3).</summary>
/// <param name="Settings">The new values.</param>
public sealed record UpdateSettings(Http2Settings Settings) : ConnectionCommand;

/// <summary>
/// The application consumed <paramref name="Count"/> octets of request data
/// on a stream; the core returns the credit to the peer with WINDOW_UPDATE
/// when it is worth a frame (<see cref="FlowControl.CreditToSend"/>).
/// </summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Count">Octets consumed.</param>
public sealed record ConsumeData(uint StreamId, int Count) : ConnectionCommand;

/// <summary>
/// The shell wrote every frame emitted so far to the socket: resets the
/// count of queued control frames (<see cref="ConnectionLimits.MaxQueuedControlFrames"/>).
/// </summary>
public sealed record MarkFlushed : ConnectionCommand
{
    /// <summary>The one value.</summary>
    public static readonly MarkFlushed Instance = new();
}

/// <summary>Time passed: timeouts and rate checks are evaluated at the time given with it.</summary>
public sealed record Tick : ConnectionCommand
{
    /// <summary>The one value.</summary>
    public static readonly Tick Instance = new();
}

/// <summary>The transport closed or failed: every open stream ends with INTERNAL_ERROR (the seed's on_close).</summary>
public sealed record AbortConnection : ConnectionCommand
{
    /// <summary>The one value.</summary>
    public static readonly AbortConnection Instance = new();
}
