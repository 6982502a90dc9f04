using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;

namespace Http2.Reference.Server;

/// <summary>
/// The server's knobs. Protocol limits (the SETTINGS we send, header list
/// limits, timeouts the protocol defines) are handed to the core, which
/// enforces them; the rest concern the shell (sockets, buffers, logging).
/// Defaults are the original's (BEHAVIOUR.md) where it had one.
/// </summary>
/// <remarks>
/// The protocol knobs here are the common ones; every other limit of the
/// core (reset and churn budgets, CONTINUATION limits, ...) is set through
/// <see cref="Protocol"/>, which they are applied on top of.
/// </remarks>
public sealed record ServerOptions
{
    /// <summary>The defaults.</summary>
    public static readonly ServerOptions Default = new();

    /// <summary>SETTINGS_MAX_CONCURRENT_STREAMS we advertise (the original: 100). Bounds per-connection work (RFC 9113 §5.1.2).</summary>
    public uint MaxConcurrentStreams { get; init; } = 100;

    /// <summary>SETTINGS_INITIAL_WINDOW_SIZE we advertise (the original: 65535): how much request body a stream may send unacknowledged.</summary>
    public uint InitialWindowSize { get; init; } = 65_535;

    /// <summary>
    /// The connection-level receive window we keep open with WINDOW_UPDATE on
    /// stream 0 (RFC 9113 §6.9.2: it starts at 65535 and only WINDOW_UPDATE
    /// can change it), so that uploads on several streams are not stalled by
    /// the connection window.
    /// </summary>
    public uint ConnectionWindowSize { get; init; } = 1 << 20;

    /// <summary>SETTINGS_MAX_FRAME_SIZE we advertise (RFC 9113 §6.5.2 default 16384).</summary>
    public uint MaxFrameSize { get; init; } = 16_384;

    /// <summary>SETTINGS_HEADER_TABLE_SIZE we advertise: the HPACK decoder's table (RFC 7541 §4.2).</summary>
    public uint HeaderTableSize { get; init; } = 4_096;

    /// <summary>SETTINGS_MAX_HEADER_LIST_SIZE, advertised and enforced while decoding (stops HPACK bombs, CVE-2016-6581).</summary>
    public uint MaxHeaderListSize { get; init; } = 32 * 1024;

    /// <summary>Most fields in one request's header list (stops header-count bombs).</summary>
    public int MaxHeaderFieldCount { get; init; } = 100;

    /// <summary>Whether handlers may push (the seed's <c>push</c>) to clients that allow it; false makes Push fail.</summary>
    public bool EnablePush { get; init; } = true;

    /// <summary>
    /// When a request with <c>Expect: 100-continue</c> (RFC 9110 §10.1.1) is
    /// answered with 100 (Continue): by default once the handler is ready
    /// for the body, as Kestrel does when the application starts reading it.
    /// </summary>
    public ExpectContinue ExpectContinue { get; init; } = ExpectContinue.WhenReading;

    /// <summary>The value of the <c>server</c> field added to every final response that has none (RFC 9110 §10.2.4); null: none.</summary>
    public string? ServerName { get; init; }

    /// <summary>The core's options the knobs above are applied to (limits and budgets not named here).</summary>
    public ConnectionOptions Protocol { get; init; } = ConnectionOptions.Server;

    /// <summary>
    /// How long our SETTINGS may stay unacknowledged before GOAWAY
    /// SETTINGS_TIMEOUT (RFC 9113 §6.5.3; the original: 5 s).
    /// </summary>
    public TimeSpan SettingsAckTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a client may take to send its connection preface (slowloris on new connections).</summary>
    public TimeSpan PrefaceTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A connection with no open stream and no frame received for this long is closed with GOAWAY NO_ERROR;
    /// one whose client reads none of our output for this long (a write that cannot proceed) is dropped.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the TLS handshake may take.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Most response octets queued for the socket per connection before body
    /// producers are made to wait (the shell's share of CVE-2019-9517: a
    /// client that does not read cannot make the server buffer without bound).
    /// </summary>
    public int MaxQueuedOutput { get; init; } = 512 * 1024;

    /// <summary>
    /// Most response octets queued for sockets by all connections together: each
    /// connection's bound is this divided by the open connections, at most
    /// <see cref="MaxQueuedOutput"/> and at least 32 KiB. With the defaults, up to
    /// 64 connections each get the full <see cref="MaxQueuedOutput"/>; 1,000 clients
    /// that never read hold 32 MiB of queued output, not 500 MiB.
    /// </summary>
    public long MaxQueuedOutputTotal { get; init; } = 32L * 1024 * 1024;

    /// <summary>Most connections served at once; further ones are closed at accept.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>Where logs go (the access log is category <c>Http2.Reference.Server.Access</c>, frames <c>Http2.Reference.Server.Frames</c>).</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Log one access line per response (the original's format).</summary>
    public bool AccessLog { get; init; } = true;

    /// <summary>Log every frame received and sent, at Information level (<c>h2ref serve -v</c>).</summary>
    public bool LogFrames { get; init; }

    /// <summary>The core's options: <see cref="Protocol"/> with the knobs of this record applied.</summary>
    public ConnectionOptions ToConnectionOptions() => Protocol with
    {
        Role = Role.Server,
        ServerField = ServerName is null ? Protocol.ServerField : HeaderField.Of("server", ServerName),
        Settings = Protocol.Settings with
        {
            MaxConcurrentStreams = MaxConcurrentStreams,
            InitialWindowSize = InitialWindowSize,
            MaxFrameSize = MaxFrameSize,
            HeaderTableSize = HeaderTableSize,
            MaxHeaderListSize = MaxHeaderListSize,
        },
        Limits = Protocol.Limits with
        {
            MaxHeaderFields = MaxHeaderFieldCount,
            ConnectionReceiveWindow = (int)Math.Min(ConnectionWindowSize, Http2Settings.MaxWindowSize),
        },
        Timeouts = Protocol.Timeouts with
        {
            Preface = PrefaceTimeout,
            SettingsAck = SettingsAckTimeout,
            Idle = IdleTimeout,
        },
    };
}

/// <summary>When the server answers <c>Expect: 100-continue</c> with 100 (Continue) (RFC 9110 §10.1.1, §15.2.1).</summary>
public enum ExpectContinue
{
    /// <summary>
    /// Once the handler is ready for the body: its <c>OnHeaders</c> (or the
    /// task of <c>OnHeadersAsync</c>) completed without a final response.
    /// A handler that answers at once (a 401, a 413) never makes the client send the body.
    /// </summary>
    WhenReading,
    /// <summary>As soon as the request's header section arrives, before the handler sees it.</summary>
    Immediately,
    /// <summary>Never by the server: the handler calls <c>SendInformational(100)</c> itself.</summary>
    Never,
}
