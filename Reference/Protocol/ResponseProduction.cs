namespace Http2.Reference.Protocol;

/// <summary>
/// Producing one response body, as a pure state machine: what the shell does
/// next to move octets from a body source into the connection
/// (<see cref="SendData"/>, <see cref="SendTrailers"/>), and what it waits
/// for. The shell only performs the <see cref="ProductionStep"/> that
/// <see cref="Next"/> returns and reports what happened with
/// <see cref="On"/>; every decision (how much to take, when the body goes,
/// when END_STREAM is set, when the stream may be fed again) is made here.
/// </summary>
/// <remarks>
/// RFC 9113 §8.1: a response is HEADERS, then zero or more DATA, then
/// optionally a trailing HEADERS; the last frame carries END_STREAM.
/// §5.2 and §6.9: the core sends what the flow-control windows allow and
/// buffers a bounded amount (<see cref="ConnectionLimits.MaxStreamSendBuffer"/>);
/// what it does not take waits for <see cref="StreamWritable"/>.
/// The shell's output queue is bounded too (CVE-2019-9517): octets are fed only
/// while the queue has room, the rest waits until the writer drains it.
/// </remarks>
internal abstract record ResponseProduction
{
    private ResponseProduction() { }

    /// <summary>Nothing held: the next step reads the source.</summary>
    /// <param name="Trailers">Whether trailers follow the body (then END_STREAM goes on them, not on DATA).</param>
    public sealed record Ready(bool Trailers) : ResponseProduction;

    /// <summary>A read of the source is in progress.</summary>
    /// <param name="Trailers">Whether trailers follow the body.</param>
    /// <param name="Resumed">The handler resumed the body while the read was running: a NotYet answer reads again.</param>
    public sealed record Reading(bool Trailers, bool Resumed) : ResponseProduction;

    /// <summary>Octets taken from the source that the connection has not taken yet: the next step feeds them.</summary>
    /// <param name="Octets">The octets (possibly none when <paramref name="Last"/>).</param>
    /// <param name="Last">The source has nothing after them.</param>
    /// <param name="Trailers">Whether trailers follow the body.</param>
    public sealed record Holding(ReadOnlyMemory<byte> Octets, bool Last, bool Trailers) : ResponseProduction;

    /// <summary>
    /// The stream's send buffer in the core is full (the flow-control windows,
    /// §5.2, §6.9, let nothing more out): the held octets wait for
    /// <see cref="StreamWritable"/>.
    /// </summary>
    /// <param name="Held">What goes once the stream is writable again.</param>
    public sealed record AwaitingWindow(Holding Held) : ResponseProduction;

    /// <summary>The connection's output queue is at its bound: waits until the writer drains it, then goes on as <paramref name="Then"/>.</summary>
    /// <param name="Then">The state to continue in (<see cref="Ready"/> or <see cref="Holding"/>).</param>
    public sealed record AwaitingOutput(ResponseProduction Then) : ResponseProduction;

    /// <summary>The source has nothing now (<c>ResponseBody.NotYet</c>): waits for the handler's resume.</summary>
    /// <param name="Trailers">Whether trailers follow the body.</param>
    public sealed record Deferred(bool Trailers) : ResponseProduction;

    /// <summary>The body is sent (END_STREAM given to the core) or the stream ended: nothing more to do.</summary>
    public sealed record Done : ResponseProduction
    {
        /// <summary>The one instance.</summary>
        public static Done Instance { get; } = new();
    }

    /// <summary>A body is about to be produced (its HEADERS were sent without END_STREAM).</summary>
    /// <param name="trailers">Whether trailers follow the body.</param>
    public static ResponseProduction Start(bool trailers) => new Ready(trailers);

    /// <summary>
    /// A body whose first octets went to the core in the same step as its
    /// HEADERS (<see cref="WithHeaders"/>): <paramref name="rest"/> is what
    /// the core did not take (its buffer was full: it waits for the window);
    /// when it took everything, the body is done if those were the last
    /// octets, else the next step reads.
    /// </summary>
    /// <param name="rest">The octets the core did not take.</param>
    /// <param name="last">The source has nothing after them.</param>
    public static ResponseProduction AfterHeaders(ReadOnlyMemory<byte> rest, bool last) =>
        !rest.IsEmpty ? new AwaitingWindow(new Holding(rest, last, false))
        : last ? Done.Instance
        : new Ready(false);

    /// <summary>
    /// What to do next, given <paramref name="room"/> octets of space in the
    /// shell's output queue, and the state while doing it.
    /// </summary>
    /// <param name="state">The current state.</param>
    /// <param name="room">Octets the output queue may still take (0: it is full).</param>
    public static (ResponseProduction State, ProductionStep Step) Next(ResponseProduction state, int room) => state switch
    {
        Ready r when room <= 0 => (new AwaitingOutput(r), ProductionStep.WaitForOutput.Instance),
        Ready r => (new Reading(r.Trailers, false), ProductionStep.Read.Instance),
        Holding { Octets.IsEmpty: true, Last: true, Trailers: true } => (Done.Instance, ProductionStep.SendTrailers.Instance),
        Holding { Octets.IsEmpty: true, Last: false } h => Next(new Ready(h.Trailers), room),
        Holding { Octets.IsEmpty: false } h when room <= 0 => (new AwaitingOutput(h), ProductionStep.WaitForOutput.Instance),
        Holding h => (h, Feed(h, room)),
        AwaitingOutput => (state, ProductionStep.WaitForOutput.Instance),
        AwaitingWindow or Deferred or Reading => (state, ProductionStep.Wait.Instance),
        _ => (Done.Instance, ProductionStep.Finish.Instance),
    };

    /// <summary>
    /// The DATA command for held octets: no more than the output queue has
    /// room for (a hundred streams' chunks would otherwise all land in one
    /// write), END_STREAM when these are the last octets and no trailers follow
    /// (§8.1).
    /// </summary>
    private static ProductionStep.Feed Feed(Holding h, int room)
    {
        var octets = h.Octets.Length <= room ? h.Octets : h.Octets[..room];
        return new ProductionStep.Feed(octets, h.Last && !h.Trailers && octets.Length == h.Octets.Length);
    }

    /// <summary>The state after <paramref name="happened"/>; events that do not concern the state leave it as it is.</summary>
    /// <param name="state">The current state.</param>
    /// <param name="happened">What the source, the core, the writer or the handler did.</param>
    public static ResponseProduction On(ResponseProduction state, ProductionEvent happened) => (state, happened) switch
    {
        (_, ProductionEvent.Ended) => Done.Instance,
        (Reading r, ProductionEvent.Octets o) => new Holding(o.Chunk, o.Last, r.Trailers),
        (Reading { Resumed: true } r, ProductionEvent.NotYet) => new Ready(r.Trailers),
        (Reading r, ProductionEvent.NotYet) => new Deferred(r.Trailers),
        (Reading r, ProductionEvent.Resumed) => r with { Resumed = true },
        (Deferred d, ProductionEvent.Resumed) => new Ready(d.Trailers),
        (Holding h, ProductionEvent.Accepted a) => Accepted(h, a.Fed, a.Taken),
        (AwaitingWindow w, ProductionEvent.Writable) => w.Held,
        (AwaitingOutput o, ProductionEvent.OutputDrained) => o.Then,
        _ => state,
    };

    /// <summary>
    /// After the core took <paramref name="taken"/> of <paramref name="fed"/>
    /// octets: less than fed means its buffer for the stream is full (wait
    /// for the window); less than held means the output queue had no room
    /// for the rest (wait for the writer); all of the last octets means done,
    /// or the trailers are next.
    /// </summary>
    private static ResponseProduction Accepted(Holding h, int fed, int taken) =>
        taken < fed ? new AwaitingWindow(h with { Octets = h.Octets[taken..] })
        : taken < h.Octets.Length ? new AwaitingOutput(h with { Octets = h.Octets[taken..] })
        : !h.Last ? new Ready(h.Trailers)
        : h.Trailers ? h with { Octets = ReadOnlyMemory<byte>.Empty }
        : Done.Instance;

    /// <summary>One DATA frame at the default SETTINGS_MAX_FRAME_SIZE (§6.5.2): the largest body that goes with its HEADERS.</summary>
    public const int SmallBody = 16384;

    /// <summary>Octets read from a source at a time: four frames of the default size.</summary>
    public const int ChunkSize = 64 * 1024;

    /// <summary>In-memory octets handed to the core at a time (it keeps them by reference and takes what its buffer allows).</summary>
    public const int DirectChunkSize = 1 << 20;

    /// <summary>
    /// Whether a body goes out with its header section in one step of the core
    /// (HEADERS, then DATA with END_STREAM): a small body already in memory,
    /// without trailers, while the output queue has room. One state transition
    /// per response instead of two plus a read.
    /// </summary>
    /// <param name="length">The body's length, when known.</param>
    /// <param name="inMemory">The octets can be taken without a read.</param>
    /// <param name="trailers">Whether trailers follow.</param>
    /// <param name="room">Octets the output queue may still take.</param>
    public static bool WithHeaders(long? length, bool inMemory, bool trailers, int room) =>
        inMemory && !trailers && length is > 0 and <= SmallBody && room > 0;

    /// <summary>
    /// How many octets of a body go with its header section when the response
    /// joins a batch of commands given to the core in one call (the responses
    /// handlers give while the shell delivers a read's requests): a body in
    /// memory of known length without trailers, its first
    /// <see cref="SmallBody"/> octets if it is that small, else as much as the
    /// output queue has room for (0: the header section goes alone and the
    /// body waits for the writer, as a production would). Null when the
    /// response does not qualify (its body is produced after its HEADERS).
    /// </summary>
    /// <param name="length">The body's length, when known.</param>
    /// <param name="inMemory">The octets can be taken without a read.</param>
    /// <param name="trailers">Whether trailers follow.</param>
    /// <param name="room">Octets the output queue may still take.</param>
    public static int? BatchedWithHeaders(long? length, bool inMemory, bool trailers, int room) =>
        !inMemory || trailers || length is not > 0 ? null
        : length <= SmallBody ? (room > 0 ? SmallBody : 0)
        : Math.Min(room, DirectChunkSize);

    /// <summary>How many octets to read from a source of which <paramref name="remaining"/> are left (unknown: null); at least one.</summary>
    /// <param name="remaining">Octets left in the source, when known.</param>
    public static int ReadSize(long? remaining) => (int)Math.Max(1, Math.Min(remaining ?? ChunkSize, ChunkSize));

    /// <summary>Whether a read that gave <paramref name="read"/> octets, leaving <paramref name="remaining"/>, was the last one.</summary>
    /// <param name="read">Octets the read gave (0: the source ended).</param>
    /// <param name="remaining">Octets left in the source, when known.</param>
    public static bool IsLast(int read, long? remaining) => read == 0 || remaining == 0;

    /// <summary>The room in an output queue holding <paramref name="queued"/> octets under <paramref name="limit"/>.</summary>
    /// <param name="queued">Octets queued.</param>
    /// <param name="limit">The queue's bound.</param>
    public static int Room(int queued, int limit) => Math.Max(limit - queued, 0);
}

/// <summary>What the shell does next for a response body (<see cref="ResponseProduction.Next"/>). A closed hierarchy.</summary>
internal abstract record ProductionStep
{
    private ProductionStep() { }

    /// <summary>Read octets from the source (<see cref="ResponseProduction.ReadSize"/> of them), then report <see cref="ProductionEvent.Octets"/> or <see cref="ProductionEvent.NotYet"/>.</summary>
    public sealed record Read : ProductionStep
    {
        /// <summary>The one instance.</summary>
        public static Read Instance { get; } = new();
    }

    /// <summary>Step the core with <see cref="SendData"/>, then report <see cref="ProductionEvent.Accepted"/>.</summary>
    /// <param name="Octets">The octets to send.</param>
    /// <param name="EndStream">Whether END_STREAM goes with them (§8.1).</param>
    public sealed record Feed(ReadOnlyMemory<byte> Octets, bool EndStream) : ProductionStep;

    /// <summary>Step the core with <see cref="SendTrailers"/>: the body is done and the trailers end the stream (§8.1).</summary>
    public sealed record SendTrailers : ProductionStep
    {
        /// <summary>The one instance.</summary>
        public static SendTrailers Instance { get; } = new();
    }

    /// <summary>Nothing now: an event (the window, the source, the read in progress) moves it on.</summary>
    public sealed record Wait : ProductionStep
    {
        /// <summary>The one instance.</summary>
        public static Wait Instance { get; } = new();
    }

    /// <summary>Nothing until the writer drains the output queue (report <see cref="ProductionEvent.OutputDrained"/>).</summary>
    public sealed record WaitForOutput : ProductionStep
    {
        /// <summary>The one instance.</summary>
        public static WaitForOutput Instance { get; } = new();
    }

    /// <summary>The body is finished: release the source.</summary>
    public sealed record Finish : ProductionStep
    {
        /// <summary>The one instance.</summary>
        public static Finish Instance { get; } = new();
    }
}

/// <summary>What happened to a response body in production (<see cref="ResponseProduction.On"/>). A closed hierarchy.</summary>
internal abstract record ProductionEvent
{
    private ProductionEvent() { }

    /// <summary>The source gave octets.</summary>
    /// <param name="Chunk">The octets (kept by reference until the core has sent them).</param>
    /// <param name="Last">The source has nothing after them.</param>
    public sealed record Octets(ReadOnlyMemory<byte> Chunk, bool Last) : ProductionEvent;

    /// <summary>The source has nothing now; the handler resumes it later.</summary>
    public sealed record NotYet : ProductionEvent
    {
        /// <summary>The one instance.</summary>
        public static NotYet Instance { get; } = new();
    }

    /// <summary>The core took <paramref name="Taken"/> of the <paramref name="Fed"/> octets (<see cref="DataAccepted"/>).</summary>
    /// <param name="Fed">Octets given in <see cref="SendData"/>.</param>
    /// <param name="Taken">Octets the core took.</param>
    public sealed record Accepted(int Fed, int Taken) : ProductionEvent;

    /// <summary>The core has room for the stream again (<see cref="StreamWritable"/>).</summary>
    public sealed record Writable : ProductionEvent
    {
        /// <summary>The one instance.</summary>
        public static Writable Instance { get; } = new();
    }

    /// <summary>The writer brought the output queue under its bound.</summary>
    public sealed record OutputDrained : ProductionEvent
    {
        /// <summary>The one instance.</summary>
        public static OutputDrained Instance { get; } = new();
    }

    /// <summary>The handler resumed a body whose source had nothing.</summary>
    public sealed record Resumed : ProductionEvent
    {
        /// <summary>The one instance.</summary>
        public static Resumed Instance { get; } = new();
    }

    /// <summary>The stream ended (closed, reset, the connection closing, the source failed).</summary>
    public sealed record Ended : ProductionEvent
    {
        /// <summary>The one instance.</summary>
        public static Ended Instance { get; } = new();
    }
}
