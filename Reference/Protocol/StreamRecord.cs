using LanguageExt;
using Http2.Reference.Hpack;

namespace Http2.Reference.Protocol;

/// <summary>
/// One stream as the connection knows it: its §5.1 state and the data valid
/// while it is not closed (windows, the request's content-length, buffered
/// output). Closed streams leave the table and are remembered only by id and
/// <see cref="CloseCause"/> in a bounded memory. Internal to the core, and
/// on its hot path: absent values are plain nullables, not Option (no
/// wrapper per frame).
/// </summary>
internal sealed record StreamRecord
{
    /// <summary>The stream identifier.</summary>
    public required uint Id { get; init; }

    /// <summary>The §5.1 state.</summary>
    public required StreamState State { get; init; }

    /// <summary>Octets we may still send on this stream (the peer's window; may be negative, §6.9.2).</summary>
    public required long SendWindow { get; init; }

    /// <summary>Octets the peer may still send on this stream (our window).</summary>
    public required long ReceiveWindow { get; init; }

    /// <summary>Octets the application consumed that have not been returned to the peer yet.</summary>
    public int UnreturnedCredit { get; init; }

    /// <summary>The content-length the peer declared, if any (§8.1.1).</summary>
    public long? ExpectedLength { get; init; }

    /// <summary>Body octets received so far (checked against <see cref="ExpectedLength"/>).</summary>
    public long ReceivedLength { get; init; }

    /// <summary>A final (non-1xx) header section was received: a later HEADERS is trailers (§8.1).</summary>
    public bool PeerHeadersDone { get; init; }

    /// <summary>The application was told about this stream (it got <see cref="HeadersReceived"/>), so it is told when it closes.</summary>
    public bool Announced { get; init; }

    /// <summary>The request's method is HEAD: its response carries no content (RFC 9110 §9.3.2).</summary>
    public bool HeadRequest { get; init; }

    /// <summary>We sent a final (non-1xx) header section (§8.1): DATA and trailers may follow.</summary>
    public bool OurHeadersDone { get; init; }

    /// <summary>Body octets waiting for window, oldest first.</summary>
    public Seq<Bytes> Pending { get; init; }

    /// <summary>Total octets in <see cref="Pending"/> (at most <see cref="ConnectionLimits.MaxStreamSendBuffer"/>).</summary>
    public int PendingBytes { get; init; }

    /// <summary>END_STREAM goes on the last pending DATA frame.</summary>
    public bool PendingEnd { get; init; }

    /// <summary>Trailers to send once the pending data is out.</summary>
    public IReadOnlyList<HeaderField>? PendingTrailers { get; init; }

    /// <summary>A writer was turned away (partially accepted): tell it with <see cref="StreamWritable"/> when space frees.</summary>
    public bool WriterWaiting { get; init; }

    /// <summary>Start of the current request-body rate measurement.</summary>
    public TimeSpan RateStart { get; init; }

    /// <summary>Body octets received since <see cref="RateStart"/>.</summary>
    public long RateBytes { get; init; }

    /// <summary>For a pushed stream, the client stream its PUSH_PROMISE was sent on (§8.4); 0 for other streams.</summary>
    public uint PromisedOn { get; init; }

    /// <summary>
    /// A pushed response's header section, held until the parent stream's
    /// final HEADERS are sent: a client reads the answer to what it asked for
    /// first (§8.4 orders only PUSH_PROMISE before the content that refers to
    /// the pushed resource; the pushed response must not overtake the parent's).
    /// Body octets and trailers given meanwhile wait in <see cref="Pending"/>.
    /// </summary>
    public HeldHeaders? Held { get; init; }

    /// <summary>True when output (data, END_STREAM or trailers) is waiting in the core.</summary>
    public bool HasPendingOutput => PendingBytes > 0 || PendingEnd || PendingTrailers is not null;
}

/// <summary>A header section the core accepted but has not sent yet (see <see cref="StreamRecord.Held"/>).</summary>
/// <param name="Fields">The fields, as given.</param>
/// <param name="EndStream">Whether the section ends the stream (no body follows).</param>
internal sealed record HeldHeaders(IReadOnlyList<HeaderField> Fields, bool EndStream);
