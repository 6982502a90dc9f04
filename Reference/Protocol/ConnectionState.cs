using LanguageExt;
using Http2.Reference.Hpack;
using static LanguageExt.Prelude;

namespace Http2.Reference.Protocol;

/// <summary>Where the connection is in its life (RFC 9113 §3.4, §6.8).</summary>
public enum ConnectionPhase
{
    /// <summary>Server: waiting for the 24-octet client preface.</summary>
    AwaitingPreface,
    /// <summary>Waiting for the peer's first frame, which MUST be SETTINGS (§3.4).</summary>
    AwaitingSettings,
    /// <summary>Frames flow.</summary>
    Open,
    /// <summary>Closed: a ConnectionEnded was emitted; every further input is ignored.</summary>
    Closed,
}

/// <summary>A header block being received: HEADERS or PUSH_PROMISE without END_HEADERS, waiting for CONTINUATION (§6.10).</summary>
/// <param name="StreamId">The stream every CONTINUATION must be on.</param>
/// <param name="IsPushPromise">The block started with PUSH_PROMISE.</param>
/// <param name="PromisedStreamId">The promised stream (PUSH_PROMISE only).</param>
/// <param name="EndStream">END_STREAM of the HEADERS frame.</param>
/// <param name="Decoding">The block decoded so far: fragments are decoded as they arrive (nothing else is held, §4.3).</param>
/// <param name="Length">Octets of the block received so far.</param>
/// <param name="Continuations">CONTINUATION frames so far.</param>
/// <param name="StartedAt">When the first frame arrived.</param>
/// <param name="Deferred">A stream error found in the first frame, raised once the block is decoded (the block is decoded regardless, Kestrel's rule).</param>
public sealed record HeaderBlockInProgress(
    uint StreamId,
    bool IsPushPromise,
    uint PromisedStreamId,
    bool EndStream,
    HeaderBlockProgress Decoding,
    long Length,
    int Continuations,
    TimeSpan StartedAt,
    Option<StreamError> Deferred);

/// <summary>
/// The whole state of one HTTP/2 connection, a value: every call of
/// <see cref="Connection"/> takes one and returns a new one; the old one
/// stays valid (a test can keep it and replay). Collections inside are
/// persistent (LanguageExt), the rest is copied per call.
/// </summary>
public sealed class ConnectionState
{
    internal ConnectionOptions options = ConnectionOptions.Server;
    internal ConnectionPhase phase;
    internal int prefaceMatched;
    internal Http2Settings localSettings = Http2Settings.Initial;
    internal Http2Settings advertisedSettings = Http2Settings.Initial;
    internal Seq<(Http2Settings Settings, TimeSpan SentAt)> unacknowledged;
    internal Http2Settings peerSettings = Http2Settings.Initial;
    internal DecoderState decoder = null!;
    internal EncoderState encoder = null!;
    internal StreamTable streams = StreamTable.Empty;
    internal ClosedStreams closed = ClosedStreams.Create(256);
    internal ClosedStreams reset = ClosedStreams.Create(1024); // streams we reset, kept apart from normal closes
    internal uint highestPeerStreamId;
    internal uint highestLocalStreamId;
    internal int activePeerStreams;
    internal int activeLocalStreams;
    internal int reservedLocalStreams;
    internal int peerSendingStreams;
    internal int streamsWithPendingOutput;
    internal int heldResponses; // pushed responses waiting for their parent's HEADERS (§8.4)
    internal uint drainCursor; // the stream the last round-robin drain started with
    internal long connectionSendWindow = FlowControl.DefaultWindow;
    internal long connectionReceiveWindow = FlowControl.DefaultWindow;
    internal int connectionUnreturnedCredit;
    internal Option<HeaderBlockInProgress> headerBlock;
    internal TokenBucket resetBucket;
    internal TokenBucket churnBucket;
    internal int queuedControlFrames;
    internal TimeSpan startedAt;
    internal TimeSpan lastActivity;
    internal Option<TimeSpan> nextDeadline;
    internal Option<TimeSpan> rateCheckAt;
    internal Option<uint> goAwaySent;
    internal Option<uint> goAwayReceived;

    internal ConnectionState() { }

    internal ConnectionState Clone() => (ConnectionState)MemberwiseClone();

    /// <summary>The options the connection was started with.</summary>
    public ConnectionOptions Options => options;

    /// <summary>Where the connection is in its life.</summary>
    public ConnectionPhase Phase => phase;

    /// <summary>Our settings in force (acknowledged by the peer, §6.5.3).</summary>
    public Http2Settings LocalSettings => localSettings;

    /// <summary>Our most recently advertised settings (in force once acknowledged).</summary>
    public Http2Settings AdvertisedSettings => advertisedSettings;

    /// <summary>The peer's settings in force.</summary>
    public Http2Settings PeerSettings => peerSettings;

    /// <summary>SETTINGS frames we sent that the peer has not acknowledged, with when they were sent.</summary>
    public Seq<(Http2Settings Settings, TimeSpan SentAt)> UnacknowledgedSettings => unacknowledged;

    /// <summary>The HPACK decoder context (connection-wide, RFC 9113 §4.3).</summary>
    public DecoderState Decoder => decoder;

    /// <summary>The HPACK encoder context (connection-wide).</summary>
    public EncoderState Encoder => encoder;

    /// <summary>Streams not yet closed, by id (a snapshot built on each access; use <see cref="Stream"/> for one).</summary>
    public HashMap<uint, StreamRecord> Streams => toHashMap(streams.Snapshot().Select(r => (r.Id, r)));

    /// <summary>One live stream, if it is not closed.</summary>
    public Option<StreamRecord> Stream(uint streamId) => Optional(streams.Find(streamId));

    /// <summary>How many streams are not closed (idle streams are never stored).</summary>
    public int StreamCount => streams.Count;

    /// <summary>The largest stream id the peer has used (§5.1.1: new ones must be larger).</summary>
    public uint HighestPeerStreamId => highestPeerStreamId;

    /// <summary>The largest stream id we have used (client requests or pushes).</summary>
    public uint HighestLocalStreamId => highestLocalStreamId;

    /// <summary>The next stream id we would open: odd for a client, even for a server (§5.1.1).</summary>
    public uint NextLocalStreamId => highestLocalStreamId == 0 ? (options.Role == Role.Client ? 1u : 2u) : highestLocalStreamId + 2;

    /// <summary>Peer-initiated streams counting against our MAX_CONCURRENT_STREAMS (§5.1.2).</summary>
    public int ActivePeerStreams => activePeerStreams;

    /// <summary>Streams we initiated counting against the peer's MAX_CONCURRENT_STREAMS.</summary>
    public int ActiveLocalStreams => activeLocalStreams;

    /// <summary>Octets we may send on the connection (§6.9).</summary>
    public long ConnectionSendWindow => connectionSendWindow;

    /// <summary>Octets the peer may send on the connection.</summary>
    public long ConnectionReceiveWindow => connectionReceiveWindow;

    /// <summary>A header block waiting for CONTINUATION, if any (§6.10).</summary>
    public Option<HeaderBlockInProgress> HeaderBlock => headerBlock;

    /// <summary>Control frames emitted since the shell last reported <see cref="MarkFlushed"/>.</summary>
    public int QueuedControlFrames => queuedControlFrames;

    /// <summary>The reset budget (rapid reset, CVE-2023-44487).</summary>
    public TokenBucket ResetBudget => resetBucket;

    /// <summary>The no-op/churn frame budget (CVE-2019-9518 family).</summary>
    public TokenBucket ChurnBudget => churnBucket;

    /// <summary>When the shell should call Step with <see cref="Tick"/>; None when no timer is running.</summary>
    public Option<TimeSpan> NextDeadline => nextDeadline;

    /// <summary>The last stream id of the GOAWAY we sent, if we sent one.</summary>
    public Option<uint> GoAwaySent => goAwaySent;

    /// <summary>The last stream id of the GOAWAY we received, if we received one.</summary>
    public Option<uint> GoAwayReceivedLastStreamId => goAwayReceived;

    /// <summary>How a recently closed stream closed (None: not closed, or forgotten).</summary>
    public Option<CloseCause> RecentlyClosed(uint streamId)
    {
        var r = reset.Find(streamId);
        return r.IsSome ? r : closed.Find(streamId);
    }

    /// <summary>
    /// How many body octets <see cref="SendData"/> would take now on a stream
    /// (sent at once or buffered): 0 when the stream cannot send.
    /// </summary>
    public int WritableBytes(uint streamId) =>
        Stream(streamId).Match(
            s => s.State.WeMaySend && !s.PendingEnd && s.PendingTrailers.IsNone
                ? (int)Math.Clamp((s.PendingBytes == 0 ? Math.Max(0L, Math.Min(s.SendWindow, connectionSendWindow)) : 0L)
                    + options.Limits.MaxStreamSendBuffer - s.PendingBytes, 0L, int.MaxValue)
                : 0,
            () => 0);
}

/// <summary>The result of one call: the new state, the outputs in order, and how many input octets were consumed (Receive only).</summary>
/// <param name="State">The new state.</param>
/// <param name="Outputs">Frames to write, events, decisions — in order.</param>
/// <param name="Consumed">Octets of the input consumed; the shell keeps the rest and passes it again with more.</param>
public sealed record ConnectionResult(ConnectionState State, IReadOnlyList<ConnectionEvent> Outputs, int Consumed);
