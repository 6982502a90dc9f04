using System.Buffers;
using LanguageExt;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;

namespace Http2.Reference.Server;

/// <summary>
/// One HTTP/2 connection: the effectful shell around the pure
/// <see cref="Connection"/> of the core. It owns the transport, the clock and
/// the handlers; the core owns every protocol decision.
/// </summary>
/// <remarks>
/// <para>Moving parts: a read loop feeds received octets to
/// <see cref="Connection.Receive"/>; handler commands (response, data,
/// push, reset) and timer ticks go through <see cref="Connection.Step"/>.
/// Every call into the core happens under one lock, so the state is a single
/// value replaced step by step. Frames the core emits are encoded into a
/// pooled buffer; one writer at a time sends that buffer while the next one
/// fills, so frames coalesce into large writes.</para>
/// <para>Events for handlers are queued in step order and delivered by one
/// dispatcher at a time, outside the lock, so a handler may call back into
/// the connection. Each stream's callbacks run in order; an asynchronous
/// callback delays only the later callbacks of its own stream.</para>
/// </remarks>
internal sealed partial class Http2Connection
{
    private static readonly long Epoch = Stopwatch.GetTimestamp();

    private readonly Stream transport;
    private readonly Socket? socket;
    private readonly IPEndPoint? client;
    private readonly Func<RequestHandler> factory;
    private readonly ServerOptions options;
    private readonly ConnectionOptions coreOptions;
    private readonly ILogger log, accessLog, frameLog;
    private readonly StreamHost host;
    private readonly OutputShare? share;
    private readonly object gate = new();
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // ---- guarded by gate ----
    private ConnectionState state = null!;
    private readonly Dictionary<uint, StreamContext> streams = new();
    private readonly Queue<ConnectionOutput> events = new();
    private OutputBuffer pending = new(), writing = new();
    private readonly List<StreamContext> waitingForOutput = new();
    private bool dispatching, writerActive, closeRequested, closed;
    private bool writeFailed; // the transport refused a write: nothing queued will be sent
    private bool stopBeforeStart; // Shutdown() came before RunAsync started the core: it sends the GOAWAY at start
    private TaskCompletionSource? drained;
    private uint highestCreated;
    private TimeSpan timerDue = TimeSpan.MaxValue;
    private Timer? timer;

    internal Http2Connection(Stream transport, Socket? socket, IPEndPoint? client, Func<RequestHandler> factory, ServerOptions options, bool secure, OutputShare? share = null)
    {
        this.share = share;
        this.transport = transport;
        this.socket = socket;
        this.client = client;
        this.factory = factory;
        this.options = options;
        coreOptions = options.ToConnectionOptions();
        log = options.LoggerFactory.CreateLogger("Http2.Reference.Server.Connection");
        accessLog = options.LoggerFactory.CreateLogger(AccessLog.Category);
        frameLog = options.LoggerFactory.CreateLogger("Http2.Reference.Server.Frames");
        host = new StreamHost(this);
        Scheme = secure ? "https" : "http";
    }

    /// <summary>"https" over TLS, else "http".</summary>
    public string Scheme { get; }

    /// <summary>Completes when the connection is closed.</summary>
    public Task Completion => completion.Task;

    /// <summary>Octets queued for the socket (being written plus waiting): what a client that does not read makes us hold (tests).</summary>
    internal int QueuedOutput { get { lock (gate) return pending.Length + writing.Length; } }

    /// <summary>Response body octets the core holds for its streams, not yet framed (tests).</summary>
    internal long CoreBufferedOutput { get { lock (gate) return state is null ? 0 : state.Streams.Values.Sum(r => (long)r.PendingBytes); } }

    /// <summary>Octets of pooled arrays the connection holds for reading and writing (tests: 0 while idle).</summary>
    internal int HeldBufferOctets { get { lock (gate) return (readBuffer?.Length ?? 0) + pending.Capacity + writing.Capacity; } }

    /// <summary>The read loop's buffer while it holds one (only the read loop uses it; null while it waits for data).</summary>
    private byte[]? readBuffer;

    private static TimeSpan Now => Stopwatch.GetElapsedTime(Epoch);

    /// <summary>The connection whose read loop is delivering a batch on this thread (its flushes wait for the batch's end).</summary>
    [ThreadStatic] private static Http2Connection? batching;

    /// <summary>
    /// Runs the connection until it closes: sends our preface, then reads.
    /// <paramref name="first"/> are octets already read (the cleartext sniff);
    /// <paramref name="inadequateSecurity"/>, when set, ends the connection at
    /// once with GOAWAY(INADEQUATE_SECURITY) (RFC 9113 §9.2).
    /// </summary>
    internal async Task RunAsync(ReadOnlyMemory<byte> first, string? inadequateSecurity)
    {
        timer = new Timer(static s => ((Http2Connection)s!).OnTimer(), this, Timeout.Infinite, Timeout.Infinite);
        try
        {
            lock (gate)
            {
                var start = Connection.Start(coreOptions, Now);
                state = start.State;
                Apply(start.Outputs);
                if (inadequateSecurity is not null)
                {
                    log.LogInformation("{Client}: {Reason}", client, inadequateSecurity);
                    StepLocked(new GoAway(ErrorCode.InadequateSecurity, Bytes.FromUtf8(inadequateSecurity)));
                }
                else if (stopBeforeStart) StepLocked(new GoAway(ErrorCode.NoError));
            }
            Flush();
            await ReadLoopAsync(first).ConfigureAwait(false);
            await DrainAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        finally
        {
            lock (gate)
            {
                closed = true;
                timer.Dispose();
            }
            ConnectionLost();
            lock (gate)
            {
                if (!writerActive)
                {
                    pending.Dispose();
                    writing.Dispose();
                }
            }
            completion.TrySetResult();
        }
    }

    /// <summary>Waits (bounded) until the writer has sent everything queued, so a last GOAWAY is not lost.</summary>
    private async Task DrainAsync(TimeSpan bound)
    {
        var until = Now + bound;
        while (Now < until)
        {
            lock (gate)
                if ((!writerActive && pending.Length == 0) || writeFailed) return; // sent, or never will be
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>Graceful shutdown (RFC 9113 §6.8): GOAWAY(NO_ERROR), running streams finish, then close.</summary>
    public void Shutdown()
    {
        lock (gate)
        {
            if (closed) return;
            // A server stopping while this connection is being set up must not miss it:
            // before the core exists, the GOAWAY is remembered and sent as soon as it does.
            if (state is null) { stopBeforeStart = true; return; }
            StepLocked(new GoAway(ErrorCode.NoError));
        }
        Dispatch();
        Flush();
    }

    /// <summary>Closes the transport at once; open streams end with INTERNAL_ERROR.</summary>
    public void Abort()
    {
        try { transport.Dispose(); } catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }


    private sealed class StreamContext(RequestHandler handler)
    {
        public readonly RequestHandler Handler = handler;
        // callback sequencing (guarded by lock(this))
        public bool Busy;
        public Queue<(Func<StreamContext, Task>, Action<StreamContext>?, bool)>? Backlog;
        public volatile bool Failed;
        public volatile bool Closed;
        /// <summary>The code of the core's StreamClosed (read by the close callback, which runs after it is set).</summary>
        public ErrorCode CloseCode;
        private int closeDelivered;
        // response body (guarded by the connection's gate)
        public BodyReader? Body;
        public IReadOnlyList<HeaderField>? Trailers;
        /// <summary>The body's production (null: no body in progress).</summary>
        public ResponseProduction? Production;
        // semantics (guarded by the connection's gate)
        /// <summary>Why the handler's last response attempt was refused (it may retry); null once one is sent.</summary>
        public string? InvalidResponse;
        /// <summary>The request has <c>Expect: 100-continue</c> and no 100 (or final response) was sent yet.</summary>
        public bool AwaitingContinue;
        // for the access line (guarded by the connection's gate)
        public int Status;
        public long SentOctets;

        public void CloseHandler(ErrorCode code)
        {
            if (Interlocked.Exchange(ref closeDelivered, 1) != 0) return;
            Handler.InvokeClose(code);
        }
    }

    private sealed class StreamHost(Http2Connection connection) : IStreamHost
    {
        public ResponseResult SendResponse(RequestHandler handler, ResponsePlan plan) => connection.SendResponse(handler, plan);
        public ResponseResult SendInformational(RequestHandler handler, int status, IReadOnlyList<HeaderField> headers) => connection.SendInformational(handler, status, headers);
        public PushResult Push(RequestHandler parent, PushPlan plan) => connection.Push(parent, plan);
        public void Resume(RequestHandler handler) => connection.Resume(handler);
        public void Reset(RequestHandler handler, ErrorCode error)
        {
            var ctx = connection.Find(handler.StreamId);
            if (ctx is not null) connection.ResetStream(ctx, error);
        }
    }
}
