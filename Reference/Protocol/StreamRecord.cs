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
/// <para>
/// A record in a state's table is never written again. Within one call a
/// record is copied at most once: the copy carries the call's
/// <see cref="Stamp"/>, and only that call (which alone can see it until it
/// freezes the new state) edits it in place (a response's header section and
/// its DATA frames, sent in one call, touch one copy, not one per frame). A
/// later call, or a second call from the same old state, has another stamp,
/// so it copies again.
/// </para>
/// </summary>
internal sealed record StreamRecord
{
    // What most streams never use (a request body, buffered output, trailers, a push): apart, so that
    // the record every request copies stays small; created on the first non-default value, and copied
    // with the record (each record owns its own, so editing a record in place never edits another's).
    private StreamExtras? cold;

    private StreamExtras Cold() => cold ??= new StreamExtras();

    private StreamRecord(StreamRecord original)
    {
        Id = original.Id;
        State = original.State;
        SendWindow = original.SendWindow;
        ReceiveWindow = original.ReceiveWindow;
        PeerHeadersDone = original.PeerHeadersDone;
        Announced = original.Announced;
        HeadRequest = original.HeadRequest;
        OurHeadersDone = original.OurHeadersDone;
        PendingBytes = original.PendingBytes;
        PendingEnd = original.PendingEnd;
        WriterWaiting = original.WriterWaiting;
        RateStart = original.RateStart;
        Stamp = original.Stamp;
        Counted = original.Counted;
        cold = original.cold is { } c ? c with { } : null;
    }

    /// <summary>The stream identifier.</summary>
    public required uint Id { get; init; }

    /// <summary>The §5.1 state.</summary>
    public required StreamState State { get; set; }

    /// <summary>Octets we may still send on this stream (the peer's window; may be negative, §6.9.2).</summary>
    public required long SendWindow { get; set; }

    /// <summary>Octets the peer may still send on this stream (our window).</summary>
    public required long ReceiveWindow { get; set; }

    /// <summary>Octets the application consumed that have not been returned to the peer yet.</summary>
    public int UnreturnedCredit
    {
        get => cold is { } c ? c.UnreturnedCredit : default;
        set { if (cold is not null || value != 0) Cold().UnreturnedCredit = value; }
    }

    /// <summary>The content-length the peer declared, if any (§8.1.1).</summary>
    public long? ExpectedLength
    {
        get => cold is { } c ? c.ExpectedLength : default;
        set { if (cold is not null || value is not null) Cold().ExpectedLength = value; }
    }

    /// <summary>Body octets received so far (checked against <see cref="ExpectedLength"/>).</summary>
    public long ReceivedLength
    {
        get => cold is { } c ? c.ReceivedLength : default;
        set { if (cold is not null || value != 0) Cold().ReceivedLength = value; }
    }

    /// <summary>A final (non-1xx) header section was received: a later HEADERS is trailers (§8.1).</summary>
    public bool PeerHeadersDone { get; set; }

    /// <summary>The application was told about this stream (it got <see cref="HeadersReceived"/>), so it is told when it closes.</summary>
    public bool Announced { get; set; }

    /// <summary>The request's method is HEAD: its response carries no content (RFC 9110 §9.3.2).</summary>
    public bool HeadRequest { get; set; }

    /// <summary>We sent a final (non-1xx) header section (§8.1): DATA and trailers may follow.</summary>
    public bool OurHeadersDone { get; set; }

    /// <summary>Body octets waiting for window, oldest first.</summary>
    public Seq<Bytes> Pending
    {
        get => cold is { } c ? c.Pending : default;
        set { if (cold is not null || !value.IsEmpty) Cold().Pending = value; }
    }

    /// <summary>Total octets in <see cref="Pending"/> (at most <see cref="ConnectionLimits.MaxStreamSendBuffer"/>).</summary>
    public int PendingBytes { get; set; }

    /// <summary>END_STREAM goes on the last pending DATA frame.</summary>
    public bool PendingEnd { get; set; }

    /// <summary>Trailers to send once the pending data is out.</summary>
    public IReadOnlyList<HeaderField>? PendingTrailers
    {
        get => cold is { } c ? c.PendingTrailers : default;
        set { if (cold is not null || value is not null) Cold().PendingTrailers = value; }
    }

    /// <summary>A writer was turned away (partially accepted): tell it with <see cref="StreamWritable"/> when space frees.</summary>
    public bool WriterWaiting { get; set; }

    /// <summary>Start of the current request-body rate measurement.</summary>
    public TimeSpan RateStart { get; set; }

    /// <summary>Body octets received since <see cref="RateStart"/>.</summary>
    public long RateBytes
    {
        get => cold is { } c ? c.RateBytes : default;
        set { if (cold is not null || value != 0) Cold().RateBytes = value; }
    }

    /// <summary>For a pushed stream, the client stream its PUSH_PROMISE was sent on (§8.4); 0 for other streams.</summary>
    public uint PromisedOn
    {
        get => cold is { } c ? c.PromisedOn : default;
        set { if (cold is not null || value != 0) Cold().PromisedOn = value; }
    }

    /// <summary>
    /// A pushed response's header section, held until the parent stream's
    /// final HEADERS are sent: a client reads the answer to what it asked for
    /// first (§8.4 orders only PUSH_PROMISE before the content that refers to
    /// the pushed resource; the pushed response must not overtake the parent's).
    /// Body octets and trailers given meanwhile wait in <see cref="Pending"/>.
    /// </summary>
    public HeldHeaders? Held
    {
        get => cold is { } c ? c.Held : default;
        set { if (cold is not null || value is not null) Cold().Held = value; }
    }

    /// <summary>The call that made this copy (<see cref="ConnectionFields.generation"/> of the state it produced): only it edits the record in place.</summary>
    public long Stamp { get; set; }

    /// <summary>The connection counters this record was last counted in (a bit per counter), so a record edited in place is uncounted by what it was.</summary>
    public byte Counted { get; set; }

    /// <summary>True when output (data, END_STREAM or trailers) is waiting in the core.</summary>
    public bool HasPendingOutput => PendingBytes > 0 || PendingEnd || PendingTrailers is not null;
}

/// <summary>The rarely used part of a <see cref="StreamRecord"/> (see there for each field).</summary>
internal sealed record StreamExtras
{
    public int UnreturnedCredit { get; set; }
    public long? ExpectedLength { get; set; }
    public long ReceivedLength { get; set; }
    public Seq<Bytes> Pending { get; set; }
    public IReadOnlyList<HeaderField>? PendingTrailers { get; set; }
    public long RateBytes { get; set; }
    public uint PromisedOn { get; set; }
    public HeldHeaders? Held { get; set; }
}

/// <summary>A header section the core accepted but has not sent yet (see <see cref="StreamRecord.Held"/>).</summary>
/// <param name="Fields">The fields, as given.</param>
/// <param name="EndStream">Whether the section ends the stream (no body follows).</param>
internal sealed record HeldHeaders(IReadOnlyList<HeaderField> Fields, bool EndStream);
