namespace Http2.Reference.Protocol;

/// <summary>
/// Every resource limit of the connection (RFC 9113 §10.5), each named, defaulted
/// and configurable, with the attack it stops. Defaults follow nghttp2,
/// Kestrel and Go. The limits that are also SETTINGS we advertise
/// (MAX_CONCURRENT_STREAMS, HEADER_TABLE_SIZE, MAX_FRAME_SIZE,
/// MAX_HEADER_LIST_SIZE) live in <see cref="Http2Settings"/> and are enforced
/// as advertised.
/// </summary>
public sealed record ConnectionLimits
{
    /// <summary>
    /// Most fields in one decoded header list (100), enforced while decoding.
    /// Stops header-count bombs: many tiny indexed fields that cost the peer
    /// one octet each but a record each for us (CVE-2016-6581 "HPACK bomb" family).
    /// </summary>
    public int MaxHeaderFields { get; init; } = 100;

    /// <summary>
    /// Most CONTINUATION frames after one HEADERS/PUSH_PROMISE (16), empty ones
    /// counted; one more is a connection ENHANCE_YOUR_CALM. Stops the
    /// CONTINUATION flood (CVE-2024-27316, CVE-2024-28182, CVE-2023-45288):
    /// an endless header block that is never decoded and never ends.
    /// </summary>
    public int MaxContinuationFrames { get; init; } = 16;

    /// <summary>
    /// Most octets of one encoded header block, summed over HEADERS and its
    /// CONTINUATIONs (1 MiB); more is a connection ENHANCE_YOUR_CALM. Stops
    /// the CONTINUATION flood with payload (CVE-2024-27316): fragments are
    /// decoded as they arrive, so the block is never held and this cap costs
    /// no memory; it bounds the work one block can ask for. A header list over
    /// SETTINGS_MAX_HEADER_LIST_SIZE below this cap is a stream matter (431,
    /// RFC 9113 §8.2, §10.5.1).
    /// </summary>
    public int MaxHeaderBlockBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Streams reset by the peer (RST_STREAM) or by us because of the peer
    /// (refused, malformed, flow-control) draw from this bucket: 1000 at once,
    /// 33 per second after (nghttp2's values). Empty bucket: GOAWAY
    /// ENHANCE_YOUR_CALM. Stops rapid reset (CVE-2023-44487), where a reset
    /// stream no longer counts against MAX_CONCURRENT_STREAMS but its work
    /// was already started, and the reset flood (CVE-2019-9514).
    /// </summary>
    public RateLimit Resets { get; init; } = new(1000, 33);

    /// <summary>
    /// Frames that do no work draw from this bucket: empty DATA without
    /// END_STREAM, empty HEADERS/CONTINUATION fragments without END_HEADERS,
    /// PRIORITY, unknown frame types, SETTINGS and PING, unsolicited SETTINGS
    /// ACKs, PING ACKs, repeated GOAWAYs, HEADERS after our GOAWAY, and
    /// WINDOW_UPDATEs that unblock nothing. 1000 at once, 100 per second
    /// after; empty bucket: GOAWAY ENHANCE_YOUR_CALM. Stops the empty-frame
    /// flood (CVE-2019-9518), the ping flood (CVE-2019-9512), the settings
    /// flood (CVE-2019-9515), PRIORITY churn (CVE-2019-9513) and WINDOW_UPDATE
    /// floods.
    /// </summary>
    public RateLimit Churn { get; init; } = new(1000, 100);

    /// <summary>
    /// Most entries in one SETTINGS frame (32); more is a connection
    /// ENHANCE_YOUR_CALM. Six identifiers exist; stops SETTINGS frames with
    /// thousands of entries that each cost a pass (CVE-2020-11080).
    /// </summary>
    public int MaxSettingsEntries { get; init; } = 32;

    /// <summary>
    /// Most control frames we answered with (SETTINGS ACK, PING ACK,
    /// RST_STREAM, WINDOW_UPDATE) that the shell has not yet reported as
    /// written (<see cref="MarkFlushed"/>); one more is GOAWAY
    /// ENHANCE_YOUR_CALM and a close. Stops floods that make us queue answers
    /// to a peer that does not read them (CVE-2019-9512 ping flood,
    /// CVE-2019-9515 settings flood, CVE-2019-9517 internal data buffering).
    /// </summary>
    public int MaxQueuedControlFrames { get; init; } = 1000;

    /// <summary>
    /// Most response octets buffered in the core per stream while the peer's
    /// windows are closed (64 KiB). A handler writing more is told how much was
    /// taken (<see cref="DataAccepted"/>) and waits for <see cref="StreamWritable"/>.
    /// Stops internal data buffering (CVE-2019-9517) and the data dribble
    /// (CVE-2019-9511): a peer that never opens its window holds at most this
    /// much per stream.
    /// </summary>
    public int MaxStreamSendBuffer { get; init; } = 64 * 1024;

    /// <summary>
    /// How many closed streams are remembered (with how they closed) so late
    /// frames for them get the §5.1 treatment (256, a fixed-size ring). Older
    /// ones are forgotten: memory stays bounded however many streams a
    /// connection carries (DESIGN habit 7). Streams we reset are kept apart,
    /// in <see cref="ResetStreamMemory"/>.
    /// </summary>
    public int ClosedStreamMemory { get; init; } = 256;

    /// <summary>
    /// How many streams <em>we</em> reset are remembered, apart from
    /// <see cref="ClosedStreamMemory"/> (1024; swift-nio-http2's
    /// <c>recentlyResetStreams</c>): normal closes never evict them, so the
    /// frames the peer had in flight when our RST_STREAM left — DATA,
    /// trailers, WINDOW_UPDATE — are discarded however many other streams
    /// finished since (§5.4.2, §6.4: "frames that arrive after RST_STREAM is
    /// sent" are expected). Older resets are forgotten; a late frame on a
    /// forgotten stream gets a stream error STREAM_CLOSED (§6.1), never a
    /// connection error (then it is remembered as reset, and further late
    /// frames are discarded). A HEADERS on a forgotten id stays a connection
    /// PROTOCOL_ERROR (§5.1.1: it cannot be told from a stream reopened
    /// below the highest id). The memory grows with use, up to 16 octets per
    /// entry: it stays bounded while a reset flood is stopped by
    /// <see cref="Resets"/>.
    /// </summary>
    public int ResetStreamMemory { get; init; } = 1024;

    /// <summary>
    /// Our connection-level receive window (1 MiB): announced with a
    /// WINDOW_UPDATE on stream 0 right after our SETTINGS so uploads are not
    /// stalled at 64 KiB, and bounding the request data the peer can have in
    /// flight over all streams (with the per-stream INITIAL_WINDOW_SIZE).
    /// </summary>
    public int ConnectionReceiveWindow { get; init; } = 1024 * 1024;

    /// <summary>
    /// The highest stream id the connection will use (2^31-1, §5.1.1). When
    /// the peer opens this stream, or we would need a larger one, the
    /// connection is shut down gracefully with GOAWAY(NO_ERROR), as stream ids cannot be reused.
    /// Configurable so tests can reach it.
    /// </summary>
    public uint MaxStreamId { get; init; } = int.MaxValue;

    /// <summary>The defaults above.</summary>
    public static readonly ConnectionLimits Default = new();
}

/// <summary>
/// Timeouts, all enforced by the core from the time passed in (time is an
/// input; the shell calls <see cref="Connection.Step"/> with <see cref="Tick"/>
/// at <see cref="ConnectionState.NextDeadline"/>).
/// </summary>
public sealed record ConnectionTimeouts
{
    /// <summary>
    /// The client preface and its first SETTINGS must arrive within 10 s of
    /// the start (§3.4); else GOAWAY(PROTOCOL_ERROR) and a close. Stops
    /// slowloris connections that never speak.
    /// </summary>
    public TimeSpan Preface { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Each SETTINGS we send must be acknowledged within 5 s (the seed's
    /// server); else GOAWAY(SETTINGS_TIMEOUT) (§6.5.3).
    /// </summary>
    public TimeSpan SettingsAck { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A connection with no open stream and no frame received for 120 s is
    /// closed with GOAWAY(NO_ERROR). Stops idle connections from holding
    /// memory forever (slowloris with hundreds of idle connections).
    /// </summary>
    public TimeSpan Idle { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>
    /// A header block (HEADERS + CONTINUATION) must finish within 10 s of its
    /// first frame; else GOAWAY(ENHANCE_YOUR_CALM). Stops the slow
    /// CONTINUATION drip (CVE-2024-27316 family), which otherwise blocks the
    /// whole connection (§6.10: nothing else may interleave).
    /// </summary>
    public TimeSpan HeaderBlock { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After this grace period (5 s, Kestrel's) a stream still receiving a
    /// request body must have averaged <see cref="MinRequestBodyBytesPerSecond"/>,
    /// else it is reset with CANCEL. Time in which our own window was closed
    /// (the application did not consume) is not held against the peer.
    /// </summary>
    public TimeSpan RequestBodyGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The minimum request body rate after the grace period (240 octets/s, Kestrel's). 0 disables it. Stops slow-body slowloris.</summary>
    public double MinRequestBodyBytesPerSecond { get; init; } = 240;

    /// <summary>The defaults above.</summary>
    public static readonly ConnectionTimeouts Default = new();
}
