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
internal sealed record HeaderBlockInProgress(
    uint StreamId,
    bool IsPushPromise,
    uint PromisedStreamId,
    bool EndStream,
    HeaderBlockProgress Decoding,
    long Length,
    int Continuations,
    TimeSpan StartedAt,
    StreamError? Deferred);

/// <summary>
/// The fields of one connection state, as one value. Inside a
/// <see cref="ConnectionState"/> they are a readonly field (the compiler
/// rejects any assignment to them); the one call that builds the next state
/// edits its own copy and freezes it into a new <see cref="ConnectionState"/>.
/// Every reference-typed field is an immutable value (records, LanguageExt
/// collections, the frozen <see cref="StreamTable"/> and <see cref="ClosedStreams"/>),
/// or the <see cref="RareFields"/>, which no call writes but the one that made
/// them, so a copy of these fields can never write into the state it was copied from.
/// Hot path: absent values are plain nullables, not Option (no wrapper to
/// build or unwrap per frame); the public properties give them as Option.
/// <para>
/// What changes with most calls (the stream table, windows, counters, HPACK
/// contexts, the deadline) is kept here and copied with every call; what
/// rarely changes (options, settings, token buckets, GOAWAY ids, ...) is in
/// <see cref="rare"/>, shared by the states that follow until a call changes
/// one of them (at one request per call, as with many connections of one
/// stream each, a call copied ~320 octets of fields, now ~130).
/// </para>
/// </summary>
internal struct ConnectionFields
{
    public ConnectionPhase phase;
    public DecoderState decoder;
    public EncoderState encoder;
    public StreamTable streams;
    public ClosedStreams closed;
    public uint highestPeerStreamId;
    public int activePeerStreams;
    public int peerSendingStreams;
    public int streamsWithPendingOutput;
    public uint drainCursor; // the stream the last round-robin drain started with
    public long connectionSendWindow;
    public long connectionReceiveWindow;
    public int connectionUnreturnedCredit;
    public int queuedControlFrames;
    public TimeSpan lastActivity;
    public TimeSpan? nextDeadline;
    public long generation; // how many calls led to this state: a call stamps the stream records (StreamRecord.Stamp) and the rare fields it copies with this + 1
    public RareFields rare; // shared with earlier states until this call's first change copies them (Rare)

    /// <summary>The rare fields for the call building these fields to write: its own copy (made on the first write of the call, stamped with it).</summary>
    private RareFields Rare => rare.Stamp == generation + 1 ? rare : rare = rare.CopyFor(generation + 1);

    public ConnectionOptions options { readonly get => rare.options; set { if (!ReferenceEquals(rare.options, value)) Rare.options = value; } }
    public int prefaceMatched { readonly get => rare.prefaceMatched; set { if (rare.prefaceMatched != value) Rare.prefaceMatched = value; } }
    public Http2Settings localSettings { readonly get => rare.localSettings; set { if (!ReferenceEquals(rare.localSettings, value)) Rare.localSettings = value; } }
    public Http2Settings advertisedSettings { readonly get => rare.advertisedSettings; set { if (!ReferenceEquals(rare.advertisedSettings, value)) Rare.advertisedSettings = value; } }
    public Seq<(Http2Settings Settings, TimeSpan SentAt)> unacknowledged { readonly get => rare.unacknowledged; set => Rare.unacknowledged = value; }
    public Http2Settings peerSettings { readonly get => rare.peerSettings; set { if (!ReferenceEquals(rare.peerSettings, value)) Rare.peerSettings = value; } }
    public ClosedStreams reset { readonly get => rare.reset; set { if (!ReferenceEquals(rare.reset, value)) Rare.reset = value; } } // streams we reset, kept apart from normal closes
    public uint highestLocalStreamId { readonly get => rare.highestLocalStreamId; set { if (rare.highestLocalStreamId != value) Rare.highestLocalStreamId = value; } }
    public int activeLocalStreams { readonly get => rare.activeLocalStreams; set { if (rare.activeLocalStreams != value) Rare.activeLocalStreams = value; } }
    public int reservedLocalStreams { readonly get => rare.reservedLocalStreams; set { if (rare.reservedLocalStreams != value) Rare.reservedLocalStreams = value; } }
    public int heldResponses { readonly get => rare.heldResponses; set { if (rare.heldResponses != value) Rare.heldResponses = value; } } // pushed responses waiting for their parent's HEADERS (§8.4)
    public HeaderBlockInProgress? headerBlock { readonly get => rare.headerBlock; set { if (!ReferenceEquals(rare.headerBlock, value)) Rare.headerBlock = value; } }
    public HeaderField? date { readonly get => rare.date; set { if (!ReferenceEquals(rare.date, value)) Rare.date = value; } } // the time of day, as SetDate last gave it
    public TokenBucket resetBucket { readonly get => rare.resetBucket; set { if (rare.resetBucket != value) Rare.resetBucket = value; } }
    public TokenBucket churnBucket { readonly get => rare.churnBucket; set { if (rare.churnBucket != value) Rare.churnBucket = value; } }
    public TimeSpan startedAt { readonly get => rare.startedAt; set { if (rare.startedAt != value) Rare.startedAt = value; } }
    public TimeSpan? rateCheckAt { readonly get => rare.rateCheckAt; set { if (rare.rateCheckAt != value) Rare.rateCheckAt = value; } }
    public uint? goAwaySent { readonly get => rare.goAwaySent; set { if (rare.goAwaySent != value) Rare.goAwaySent = value; } }
    public uint? goAwayReceived { readonly get => rare.goAwayReceived; set { if (rare.goAwayReceived != value) Rare.goAwayReceived = value; } }

    /// <summary>The next stream id we would open: odd for a client, even for a server (§5.1.1).</summary>
    public readonly uint NextLocalStreamId => highestLocalStreamId == 0 ? (options.Role == Role.Client ? 1u : 2u) : highestLocalStreamId + 2;
}

/// <summary>
/// The fields of a connection state that rarely change (see <see cref="ConnectionFields"/>),
/// shared by consecutive states until one of them changes. Written only by the
/// call whose <see cref="Stamp"/> they carry (the call that copied them, before it
/// returns its state: as for <see cref="StreamRecord.Stamp"/>, a later call, or a
/// second call from the same state, copies them again), never afterwards.
/// </summary>
internal sealed class RareFields
{
    /// <summary>The call that made this copy (<see cref="ConnectionFields.generation"/> of the state it produced): only it writes it.</summary>
    public long Stamp { get; private set; }

    public required ConnectionOptions options;
    public int prefaceMatched;
    public required Http2Settings localSettings;
    public required Http2Settings advertisedSettings;
    public Seq<(Http2Settings Settings, TimeSpan SentAt)> unacknowledged;
    public required Http2Settings peerSettings;
    public required ClosedStreams reset;
    public uint highestLocalStreamId;
    public int activeLocalStreams;
    public int reservedLocalStreams;
    public int heldResponses;
    public HeaderBlockInProgress? headerBlock;
    public HeaderField? date;
    public TokenBucket resetBucket;
    public TokenBucket churnBucket;
    public TimeSpan startedAt;
    public TimeSpan? rateCheckAt;
    public uint? goAwaySent;
    public uint? goAwayReceived;

    /// <summary>The first fields of a connection, for the call that starts it (stamp 1: the first call's).</summary>
    public static RareFields First(ConnectionOptions options, Http2Settings initial, ClosedStreams reset) =>
        new() { Stamp = 1, options = options, localSettings = initial, advertisedSettings = initial, peerSettings = initial, reset = reset };

    /// <summary>A copy for the call stamped <paramref name="stamp"/> to write.</summary>
    public RareFields CopyFor(long stamp)
    {
        var copy = (RareFields)MemberwiseClone();
        copy.Stamp = stamp;
        return copy;
    }
}

/// <summary>
/// The whole state of one HTTP/2 connection, an immutable value: every call
/// of <see cref="Connection"/> takes one and returns a new one; the old one
/// stays valid and unchanged (a test can keep it and replay, from any number
/// of threads). Nothing can change a state once made: a call copies the
/// fields of the state it was given once, into the state it will return,
/// edits that copy while nobody else can see it, and never touches it after
/// returning it.
/// </summary>
public sealed class ConnectionState
{
    // Written only by the call that creates this state, before it returns it (Connection.Machine); never afterwards.
    private ConnectionFields f;

    internal ConnectionState(in ConnectionFields fields) => f = fields;

    /// <summary>The fields, read-only: a call copies them to build the next state.</summary>
    internal ref readonly ConnectionFields Fields => ref f;

    /// <summary>The fields of a state being built, for the one call building it (its only copy of the previous state's fields, edited in place).</summary>
    internal ref ConnectionFields Building => ref f;

    /// <summary>The options the connection was started with.</summary>
    public ConnectionOptions Options => f.options;

    /// <summary>Where the connection is in its life.</summary>
    public ConnectionPhase Phase => f.phase;

    /// <summary>Our settings in force (acknowledged by the peer, §6.5.3).</summary>
    public Http2Settings LocalSettings => f.localSettings;

    /// <summary>Our most recently advertised settings (in force once acknowledged).</summary>
    public Http2Settings AdvertisedSettings => f.advertisedSettings;

    /// <summary>The peer's settings in force.</summary>
    public Http2Settings PeerSettings => f.peerSettings;

    /// <summary>SETTINGS frames we sent that the peer has not acknowledged, with when they were sent.</summary>
    public Seq<(Http2Settings Settings, TimeSpan SentAt)> UnacknowledgedSettings => f.unacknowledged;

    /// <summary>The HPACK decoder context (connection-wide, RFC 9113 §4.3).</summary>
    public DecoderState Decoder => f.decoder;

    /// <summary>The HPACK encoder context (connection-wide).</summary>
    public EncoderState Encoder => f.encoder;

    /// <summary>Streams not yet closed, by id (a snapshot built on each access; use <see cref="Stream"/> for one).</summary>
    internal HashMap<uint, StreamRecord> Streams => toHashMap(f.streams.Snapshot().Select(r => (r.Id, r)));

    /// <summary>One live stream, if it is not closed.</summary>
    internal Option<StreamRecord> Stream(uint streamId) => Optional(f.streams.Find(streamId));

    /// <summary>The §5.1 state of a stream that is not closed; None for idle and closed streams (see <see cref="RecentlyClosed"/>).</summary>
    public Option<StreamState> StreamStateOf(uint streamId) => Optional(f.streams.Find(streamId)?.State);

    /// <summary>How many streams are not closed (idle streams are never stored).</summary>
    public int StreamCount => f.streams.Count;

    /// <summary>The largest stream id the peer has used (§5.1.1: new ones must be larger).</summary>
    public uint HighestPeerStreamId => f.highestPeerStreamId;

    /// <summary>The largest stream id we have used (client requests or pushes).</summary>
    public uint HighestLocalStreamId => f.highestLocalStreamId;

    /// <summary>The next stream id we would open: odd for a client, even for a server (§5.1.1).</summary>
    public uint NextLocalStreamId => f.NextLocalStreamId;

    /// <summary>Peer-initiated streams counting against our MAX_CONCURRENT_STREAMS (§5.1.2).</summary>
    public int ActivePeerStreams => f.activePeerStreams;

    /// <summary>Streams we initiated counting against the peer's MAX_CONCURRENT_STREAMS.</summary>
    public int ActiveLocalStreams => f.activeLocalStreams;

    /// <summary>Octets we may send on the connection (§6.9).</summary>
    public long ConnectionSendWindow => f.connectionSendWindow;

    /// <summary>Octets the peer may send on the connection.</summary>
    public long ConnectionReceiveWindow => f.connectionReceiveWindow;

    /// <summary>A header block is waiting for CONTINUATION (§6.10): every other frame is a connection error.</summary>
    public bool InHeaderBlock => f.headerBlock is not null;

    internal HeaderBlockInProgress? HeaderBlock => f.headerBlock;

    /// <summary>Control frames emitted since the shell last reported <see cref="MarkFlushed"/>.</summary>
    public int QueuedControlFrames => f.queuedControlFrames;

    /// <summary>The reset budget (rapid reset, CVE-2023-44487).</summary>
    internal TokenBucket ResetBudget => f.resetBucket;

    /// <summary>The no-op/churn frame budget (CVE-2019-9518 family).</summary>
    internal TokenBucket ChurnBudget => f.churnBucket;

    /// <summary>When the shell should call Step with <see cref="Tick"/>; None when no timer is running.</summary>
    public Option<TimeSpan> NextDeadline => Optional(f.nextDeadline);

    /// <summary>The <c>date</c> field the last <see cref="SetDate"/> gave (None: no clock given yet).</summary>
    public Option<HeaderField> Date => Optional(f.date);

    /// <summary>The last stream id of the GOAWAY we sent, if we sent one.</summary>
    public Option<uint> GoAwaySent => Optional(f.goAwaySent);

    /// <summary>The last stream id of the GOAWAY we received, if we received one.</summary>
    public Option<uint> GoAwayReceivedLastStreamId => Optional(f.goAwayReceived);

    /// <summary>How a recently closed stream closed (None: not closed, or forgotten).</summary>
    public Option<CloseCause> RecentlyClosed(uint streamId) => Optional(f.reset.Find(streamId) ?? f.closed.Find(streamId));

    /// <summary>
    /// How many body octets <see cref="SendData"/> would take now on a stream
    /// (sent at once or buffered): 0 when the stream cannot send.
    /// </summary>
    public int WritableBytes(uint streamId) => f.streams.Find(streamId) is { } s
        && s.State.WeMaySend && !s.PendingEnd && s.PendingTrailers is null
            ? (int)Math.Clamp((s.PendingBytes == 0 ? Math.Max(0L, Math.Min(s.SendWindow, f.connectionSendWindow)) : 0L)
                + f.options.Limits.MaxStreamSendBuffer - s.PendingBytes, 0L, int.MaxValue)
            : 0;
}

/// <summary>The result of one call: the new state, the outputs in order, and how many input octets were consumed (Receive only).</summary>
/// <param name="State">The new state.</param>
/// <param name="Outputs">Frames to write, events, decisions — in order.</param>
/// <param name="Consumed">Octets of the input consumed; the shell keeps the rest and passes it again with more.</param>
public sealed record ConnectionResult(ConnectionState State, IReadOnlyList<ConnectionEvent> Outputs, int Consumed);
