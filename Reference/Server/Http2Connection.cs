using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;

namespace Http2.Reference.Server;

/// <summary>
/// One HTTP/2 connection: the effectful shell around the pure
/// <see cref="Connection"/> of the core. It owns the transport, the clock and
/// the handlers; the core owns every protocol decision.
/// </summary>
/// <remarks>
/// <para>One owner: everything that happens to the connection arrives as a
/// message in one mailbox (a channel with a single reader) — octets read
/// (<see cref="ReadLoopAsync"/>), timer ticks, write completions
/// (<see cref="OutputWriter"/>), handler commands, ends of asynchronous
/// callbacks and body reads — and one loop (<see cref="LoopAsync"/>)
/// handles them in order: it steps the core, applies its outputs and calls
/// the handlers. The connection's state is touched by that loop only, so
/// nothing in it is locked.</para>
/// <para>The loop runs on whatever thread posted when it was idle (the
/// channel runs its continuation synchronously): a batch of octets read is
/// handled on the reading thread, with no hop. A handler callback the loop
/// calls runs on the loop; its commands are handled at once. Commands from
/// other threads (an asynchronous handler's continuation) are posted and
/// their answer awaited.</para>
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
    private readonly ILogger log, accessLog;
    private readonly FrameLog? frameLog;
    private readonly StreamHost host;
    private readonly OutputShare? share;
    private readonly OutputWriter output;
    private readonly TaskCompletionSource completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<Message> mailbox = Channel.CreateUnbounded<Message>(new UnboundedChannelOptions
    {
        SingleReader = true,
        AllowSynchronousContinuations = true, // the poster runs the idle loop: no thread hop per batch
    });

    // ---- owned by the loop ----
    private ConnectionState state = null!;
    private readonly Dictionary<uint, StreamContext> streams = new();
    private readonly Queue<ConnectionEvent> events = new();
    private List<StreamContext> waitingForOutput = new();
    private string? lastPath; // the :path of the last request, as text: the next request for the same path shares it
    private List<StreamContext>? spareWaiting = new(); // the list a wake-up walks, between wake-ups
    private bool dispatching, closeRequested, closing, readerEnded, finished;
    private uint highestCreated;
    private TimeSpan timerDue = TimeSpan.MaxValue;
    private TimeSpan drainUntil = TimeSpan.MaxValue;
    private Timer? timer;

    /// <summary>The thread running the loop now (0: none); the only field other threads read.</summary>
    private int loopThread;

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
        if (options.LogFrames) frameLog = new FrameLog(options.LoggerFactory.CreateLogger("Http2.Reference.Server.Frames"), client);
        host = new StreamHost(this);
        output = new OutputWriter(transport, options.IdleTimeout, w => Post(new Flushed(w)), transport is NetworkStream && socket is not null ? socket : null);
        Scheme = secure ? "https" : "http";
    }

    /// <summary>"https" over TLS, else "http".</summary>
    public string Scheme { get; }

    /// <summary>Completes when the connection is closed.</summary>
    public Task Completion => completion.Task;

    /// <summary>Octets queued for the socket (being written plus waiting): what a client that does not read makes us hold (tests).</summary>
    internal int QueuedOutput => Inspect(c => c.output.Queued);

    /// <summary>Response body octets the core holds for its streams, not yet framed (tests).</summary>
    internal long CoreBufferedOutput => Inspect(c => c.state is null ? 0 : c.state.Streams.Values.Sum(r => (long)r.PendingBytes));

    /// <summary>Octets of pooled arrays the connection holds for reading and writing (tests: 0 while idle).</summary>
    internal int HeldBufferOctets => Volatile.Read(ref readBufferOctets) + Inspect(c => c.output.HeldOctets);

    /// <summary>Read buffers of response bodies handed to the core and not yet written or forgotten (<see cref="loans"/>); read by tests.</summary>
    internal int LoanedBuffers => Inspect(c => c.loans?.Count ?? 0);

    private static TimeSpan Now => Stopwatch.GetElapsedTime(Epoch);

    /// <summary>
    /// Runs the connection until it closes: sends our preface, then reads.
    /// <paramref name="first"/> are octets already read (the cleartext sniff);
    /// <paramref name="inadequateSecurity"/>, when set, ends the connection at
    /// once with GOAWAY(INADEQUATE_SECURITY) (RFC 9113 §9.2).
    /// </summary>
    internal async Task RunAsync(ReadOnlyMemory<byte> first, string? inadequateSecurity)
    {
        timer = new Timer(static s => ((Http2Connection)s!).Post(Message.Tick.Instance), this, Timeout.Infinite, Timeout.Infinite);
        // The start goes ahead of anything posted before (a Shutdown that came while the connection was set up).
        var loop = LoopAsync(new Message.Start(inadequateSecurity));
        _ = ReadLoopAsync(first);
        await loop.ConfigureAwait(false);
    }

    /// <summary>Graceful shutdown (RFC 9113 §6.8): GOAWAY(NO_ERROR), running streams finish, then close.</summary>
    public void Shutdown() => Post(Message.Stop.Instance);

    /// <summary>Closes the transport at once; open streams end with INTERNAL_ERROR.</summary>
    public void Abort()
    {
        try { transport.Dispose(); } catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }

    /// <summary>
    /// After the core asked to close and every frame is written: end our side
    /// (FIN, TLS close_notify), then let the reader drain the peer's side
    /// for a moment so a GOAWAY is not lost to a TCP reset, then close.
    /// </summary>
    private async Task CloseTransportAsync()
    {
        try
        {
            if (transport is System.Net.Security.SslStream ssl) await ssl.ShutdownAsync().ConfigureAwait(false);
            socket?.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException) { }
        await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
        Abort();
    }

    /// <summary>The handler API's way in: every call becomes a command of the loop.</summary>
    private sealed class StreamHost(Http2Connection connection) : IStreamHost
    {
        private static readonly ResponseResult Gone = ResponseResult.NotSent("the connection is closed");

        public IPEndPoint? Client => connection.client;

        public ResponseResult SendResponse(RequestHandler handler, ResponsePlan plan) =>
            connection.OnLoop // a handler the loop called (the usual case): at once, without the closures of Ask
                ? connection.finished ? Discarded(plan) : connection.SendResponse(handler, plan)
                : Posted(handler, plan);

        /// <summary>From another thread: posted and awaited (the closures live only on this path).</summary>
        private ResponseResult Posted(RequestHandler handler, ResponsePlan plan) =>
            connection.Ask(c => c.SendResponse(handler, plan), () => Discarded(plan));

        private static ResponseResult Discarded(ResponsePlan plan)
        {
            plan.Body?.Discard();
            return Gone;
        }

        public ResponseResult SendInformational(RequestHandler handler, int status, IReadOnlyList<HeaderField> headers) =>
            connection.Ask(c => c.SendInformational(handler, status, headers), () => Gone);

        public PushResult Push(RequestHandler parent, PushPlan plan) =>
            connection.Ask(c => c.Push(parent, plan), () => { plan.Response.Body?.Discard(); return PushResult.Refused("the connection is closed"); });

        public void Resume(RequestHandler handler) => connection.Tell(c => c.Resume(handler));

        public void Reset(RequestHandler handler, ErrorCode error) => connection.Tell(c =>
        {
            if (c.Find(handler.StreamId) is { } ctx) c.ResetStream(ctx, error);
        });
    }
}
