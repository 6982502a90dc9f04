namespace Http2.Reference.Frames;

/// <summary>
/// Whether an error ends the connection or only one stream (RFC 9113 §5.4).
/// </summary>
public enum ErrorScope
{
    /// <summary>A connection error (§5.4.1): send GOAWAY with the code and close.</summary>
    Connection,

    /// <summary>A stream error (§5.4.2): send RST_STREAM with the code; the connection continues.</summary>
    Stream,
}

/// <summary>
/// Why a frame was rejected, as a value: the error code to send, its scope,
/// the stream concerned, a human-readable reason and the RFC section that
/// requires it (e.g. <c>"RFC 9113 §6.5"</c>).
/// </summary>
/// <param name="Code">The error code for GOAWAY or RST_STREAM.</param>
/// <param name="Scope">Connection or stream error (§5.4).</param>
/// <param name="StreamId">The frame's stream: the stream to reset for a stream error; informational for a connection error.</param>
/// <param name="Reason">What was wrong, for logs and GOAWAY debug data.</param>
/// <param name="Section">The section violated, <c>"RFC 9113 §x.y"</c>.</param>
public sealed record FrameError(ErrorCode Code, ErrorScope Scope, uint StreamId, string Reason, string Section)
{
    /// <summary>A connection error (§5.4.1).</summary>
    public static FrameError Connection(ErrorCode code, uint streamId, string reason, string section) =>
        new(code, ErrorScope.Connection, streamId, reason, section);

    /// <summary>A stream error (§5.4.2).</summary>
    public static FrameError Stream(ErrorCode code, uint streamId, string reason, string section) =>
        new(code, ErrorScope.Stream, streamId, reason, section);

    /// <inheritdoc />
    public override string ToString() => $"{Scope} error {Code} on stream {StreamId}: {Reason} ({Section})";
}
