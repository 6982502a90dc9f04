namespace Http2.Reference.Protocol;

/// <summary>
/// A protocol violation found while processing a frame or a command
/// (RFC 9113 §5.4). Two kinds, as in Go's x/net/http2: a
/// <see cref="StreamError"/> ends one stream with RST_STREAM (§5.4.2), a
/// <see cref="ConnectionError"/> ends the connection with GOAWAY (§5.4.1).
/// The connection maps them to frames in exactly one place.
/// </summary>
public abstract record ProtocolError
{
    private protected ProtocolError() { }

    /// <summary>The error code sent in RST_STREAM or GOAWAY.</summary>
    public abstract ErrorCode Code { get; }

    /// <summary>The rule broken, in words.</summary>
    public abstract string Reason { get; }

    /// <summary>The RFC 9113 section that states the rule ("6.9.1"), or the CVE for a local limit.</summary>
    public abstract string Section { get; }
}

/// <summary>An error that ends one stream: answered with RST_STREAM (RFC 9113 §5.4.2).</summary>
/// <param name="StreamId">The stream.</param>
/// <param name="Code">The RST_STREAM code.</param>
/// <param name="Reason">The rule broken.</param>
/// <param name="Section">The section stating it.</param>
public sealed record StreamError(uint StreamId, ErrorCode Code, string Reason, string Section) : ProtocolError
{
    /// <inheritdoc />
    public override ErrorCode Code { get; } = Code;
    /// <inheritdoc />
    public override string Reason { get; } = Reason;
    /// <inheritdoc />
    public override string Section { get; } = Section;

    /// <inheritdoc />
    public override string ToString() => $"stream {StreamId} error {Code}: {Reason} (RFC 9113 §{Section})";
}

/// <summary>An error that ends the connection: answered with GOAWAY and a close (RFC 9113 §5.4.1).</summary>
/// <param name="Code">The GOAWAY code.</param>
/// <param name="Reason">The rule broken (also sent as GOAWAY debug data).</param>
/// <param name="Section">The section stating it.</param>
public sealed record ConnectionError(ErrorCode Code, string Reason, string Section) : ProtocolError
{
    /// <inheritdoc />
    public override ErrorCode Code { get; } = Code;
    /// <inheritdoc />
    public override string Reason { get; } = Reason;
    /// <inheritdoc />
    public override string Section { get; } = Section;

    /// <inheritdoc />
    public override string ToString() => $"connection error {Code}: {Reason} (RFC 9113 §{Section})";
}
