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
internal sealed class Http2Connection
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
    private readonly Queue<ConnectionEvent> events = new();
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
                    StepLocked(new SendGoAway(ErrorCode.InadequateSecurity, Bytes.FromUtf8(inadequateSecurity)));
                }
                else if (stopBeforeStart) StepLocked(new SendGoAway(ErrorCode.NoError));
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
            StepLocked(new SendGoAway(ErrorCode.NoError));
        }
        Dispatch();
        Flush();
    }

    /// <summary>Closes the transport at once; open streams end with INTERNAL_ERROR.</summary>
    public void Abort()
    {
        try { transport.Dispose(); } catch (Exception e) when (e is IOException or ObjectDisposedException) { }
    }

    // ================= reading =================

    /// <summary>
    /// Reads the client's octets and feeds them to the core. While nothing is
    /// left over from the last read, the loop waits for data with a zero-byte
    /// read and holds no buffer: an idle connection costs no read memory
    /// (64 KiB each otherwise, the most of what an idle connection held).
    /// The buffer is rented from the shared pool when data is there.
    /// </summary>
    private async Task ReadLoopAsync(ReadOnlyMemory<byte> first)
    {
        var filled = 0;
        try
        {
            if (!first.IsEmpty)
            {
                readBuffer = ArrayPool<byte>.Shared.Rent(Math.Max(ReadBufferSize, first.Length));
                first.CopyTo(readBuffer);
                filled = first.Length;
            }
            while (true)
            {
                if (filled > 0 && Feed(readBuffer!, filled) is var consumed && consumed > 0)
                {
                    readBuffer.AsSpan(consumed, filled - consumed).CopyTo(readBuffer);
                    filled -= consumed;
                }
                if (readBuffer is not null && filled == readBuffer.Length) // one frame larger than the buffer: grow
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(readBuffer.Length * 2);
                    readBuffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(readBuffer);
                    readBuffer = bigger;
                }
                if (OutputBacklog() is { } backlog)
                {
                    // The client is not reading: stop reading its requests too. One that
                    // reads nothing for the idle timeout is dropped.
                    try { await backlog.WaitAsync(options.IdleTimeout).ConfigureAwait(false); }
                    catch (TimeoutException)
                    {
                        log.LogDebug("{Client}: not reading its responses; closing", client);
                        Abort();
                        return;
                    }
                }
                int n;
                try
                {
                    if (filled == 0)
                    {
                        if (readBuffer is not null) { ArrayPool<byte>.Shared.Return(readBuffer); readBuffer = null; }
                        var wait = transport.ReadAsync(Memory<byte>.Empty);
                        if (!wait.IsCompleted) await wait.ConfigureAwait(false);
                        else wait.GetAwaiter().GetResult();
                        readBuffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
                    }
                    n = await transport.ReadAsync(readBuffer.AsMemory(filled)).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
                {
                    n = 0;
                }
                if (n == 0) return;
                filled += n;
            }
        }
        finally
        {
            if (readBuffer is not null) ArrayPool<byte>.Shared.Return(readBuffer);
            readBuffer = null;
        }
    }

    /// <summary>What one read may take: four frames of the default size and then some.</summary>
    private const int ReadBufferSize = 64 * 1024;

    /// <summary>
    /// Null when the queued output is under <see cref="QueueLimit"/> (the connection's share of the bounds),
    /// else a task that completes when the writer has brought it back under
    /// (or the connection ended). CVE-2019-9517: a client that sends requests
    /// but does not read the answers must not make us queue without bound.
    /// </summary>
    private Task? OutputBacklog()
    {
        lock (gate)
        {
            if (closed || pending.Length + writing.Length < QueueLimit) return null;
            drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return drained.Task;
        }
    }

    /// <summary>
    /// Feeds received octets to the core and delivers what it says; returns
    /// how many octets it consumed. Once the core has closed, octets are
    /// dropped: the peer's side is drained until it closes or the writer,
    /// having sent the last GOAWAY, closes the transport.
    /// </summary>
    private int Feed(byte[] buffer, int filled)
    {
        lock (gate)
        {
            if (closeRequested) return filled;
            var r = Connection.Receive(state, buffer.AsMemory(0, filled), Now);
            state = r.State;
            if (options.LogFrames) LogReceived(buffer.AsMemory(0, r.Consumed));
            Apply(r.Outputs);
            filled = r.Consumed;
        }
        batching = this;
        try { Dispatch(); } // handlers see DATA that aliases the buffer: before it is reused
        finally { batching = null; }
        Flush();
        return filled;
    }

    private void OnTimer()
    {
        lock (gate)
        {
            if (closed || closeRequested) return;
            timerDue = TimeSpan.MaxValue;
            StepLocked(Tick.Instance);
            // A tick that came a little early expires nothing, and the core need not
            // repeat its request: re-arm from the state's deadline in every case.
            state.NextDeadline.IfSome(ArmTimer);
        }
        Dispatch();
        Flush();
    }

    /// <summary>Makes the timer fire at <paramref name="at"/> unless it already fires earlier. Caller holds the gate.</summary>
    private void ArmTimer(TimeSpan at)
    {
        if (at >= timerDue) return;
        timerDue = at;
        var due = at - Now;
        timer?.Change(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    // ================= the core =================

    /// <summary>One step of the core with <paramref name="input"/>; returns its outputs (already applied). Caller holds the gate.</summary>
    private IReadOnlyList<ConnectionEvent> StepLocked(ConnectionCommand input)
    {
        var r = Connection.Step(state, input, Now);
        state = r.State;
        Apply(r.Outputs);
        return r.Outputs;
    }

    /// <summary>Acts on the core's outputs: frames into the output buffer, events queued, timer and close noted. Caller holds the gate.</summary>
    private void Apply(IReadOnlyList<ConnectionEvent> outputs)
    {
        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
            switch (output)
            {
                case FrameReady f:
                    FrameWriter.Write(f.Frame, pending);
                    if (f.Frame is DataFrame data && options.AccessLog && streams.TryGetValue(data.StreamId, out var sending))
                        sending.SentOctets += data.Data.Length; // for the access line
                    if (options.LogFrames) frameLog.LogInformation("{Client} send {Frame}", client, Describe(f.Frame));
                    break;
                case TimerRequested t:
                    ArmTimer(t.At);
                    break;
                case ConnectionEnded c:
                    closeRequested = true;
                    log.LogDebug("{Client}: closing ({Code}: {Reason})", client, c.Code, c.Reason);
                    break;
                case ErrorDetected e:
                    log.LogDebug("{Client}: {Error}", client, e.Error);
                    break;
                case HeadersReceived or DataReceived or TrailersReceived or StreamClosed or StreamWritable:
                    events.Enqueue(output);
                    break;
                case ResponseAdjusted a:
                    if (a.Adjustment.Kind == AdjustmentKind.ContentOmitted)
                        log.LogDebug("{Client}: stream {Stream}: {Adjustment}", client, a.StreamId, a.Adjustment);
                    else
                        log.LogWarning("{Client}: stream {Stream}: {Adjustment}", client, a.StreamId, a.Adjustment);
                    break;
                case GoAwayReceived g:
                    log.LogDebug("{Client}: GOAWAY received ({Code}, last stream {Last})", client, g.Code, g.LastStreamId);
                    break;
                default:
                    break; // answers read at the call site (DataAccepted, PushPromiseSent, CommandRejected) and notices
            }
        }
    }

    // ================= writing =================

    /// <summary>Starts the writer if there is output and none is running. Never blocks.</summary>
    private void Flush()
    {
        // While the read loop delivers a batch of frames, responses made on its
        // thread are not written one by one: the loop writes them all at once
        // when the batch is done (one write for many streams).
        if (batching == this) return;
        lock (gate)
        {
            if (writerActive) return;
            if (pending.Length == 0)
            {
                if (closeRequested && !closed) { closed = true; _ = CloseTransportAsync(); }
                return;
            }
            writerActive = true;
        }
        _ = WriteLoopAsync();
    }

    private async Task WriteLoopAsync()
    {
        var turn = 0;
        try
        {
            while (true)
            {
                OutputBuffer batch;
                List<StreamContext>? wake = null;
                lock (gate)
                {
                    if (pending.Length == 0)
                    {
                        writerActive = false;
                        if (closeRequested && !closed) { closed = true; _ = CloseTransportAsync(); }
                        return;
                    }
                    (batch, pending, writing) = (pending, writing, pending);
                }
                var size = batch.Length;
                var write = transport.WriteAsync(batch.Written);
                if (write.IsCompleted)
                {
                    write.GetAwaiter().GetResult();
                    // A socket that takes everything at once would keep this loop (and the pumps
                    // it wakes) on the thread until the connection's whole backlog is written,
                    // while other connections' reads and writes wait in the pool's queue: after
                    // a turn's worth of writes, let them run first.
                    turn += size;
                    if (turn >= TurnBytes)
                    {
                        turn = 0;
                        await Task.Yield();
                    }
                }
                // The socket is full: a client that reads nothing for the idle timeout is dropped
                // (the read loop may be waiting for requests that never come, so this is the only watch).
                else
                {
                    await write.AsTask().WaitAsync(options.IdleTimeout).ConfigureAwait(false);
                    turn = 0; // the socket made us wait: others ran meanwhile
                }
                batch.Clear();
                lock (gate)
                {
                    if (!closeRequested && !closed) StepLocked(MarkFlushed.Instance);
                    if (drained is not null && pending.Length < QueueLimit)
                    {
                        drained.TrySetResult();
                        drained = null;
                    }
                    if (waitingForOutput.Count > 0 && pending.Length < PumpLimit)
                    {
                        wake = [.. waitingForOutput];
                        waitingForOutput.Clear();
                    }
                }
                if (wake is not null) foreach (var ctx in wake) Pump(ctx);
                Dispatch();
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or TimeoutException)
        {
            log.LogDebug("{Client}: write failed: {Error}", client, e.Message);
            lock (gate)
            {
                writerActive = false;
                writeFailed = true;
                drained?.TrySetResult();
                drained = null;
            }
            Abort();
        }
    }

    /// <summary>
    /// Octets a writer sends in a row (each write completing at once) before it yields the
    /// thread to other connections. Measured with 64 KiB responses over 16 connections
    /// (h2load -m 32, server on one CPU): without it, p50 2-9 ms but p99 120-430 ms, whole
    /// connections waiting while another wrote its backlog.
    /// </summary>
    private const int TurnBytes = 1024 * 1024;

    /// <summary>
    /// After the core asked to close and every frame is written: end our side
    /// (FIN, TLS close_notify), then let the read loop drain the peer's side
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

    // ================= events to handlers =================

    /// <summary>Delivers queued events, one dispatcher at a time, outside the gate.</summary>
    private void Dispatch()
    {
        while (true)
        {
            ConnectionEvent ev;
            lock (gate)
            {
                if (dispatching || events.Count == 0) return;
                dispatching = true;
                ev = events.Dequeue();
            }
            try { Deliver(ev); }
            finally { lock (gate) dispatching = false; }
        }
    }

    private void Deliver(ConnectionEvent ev)
    {
        switch (ev)
        {
            case HeadersReceived h:
            {
                StreamContext? ctx;
                try { ctx = Open(h.StreamId); }
                catch (Exception e)
                {
                    // The application's factory failed: this stream cannot be served.
                    log.LogError(e, "{Client}: the handler factory failed for stream {Stream}", client, h.StreamId);
                    lock (gate)
                        if (!closed && !closeRequested) StepLocked(new SendReset(h.StreamId, ErrorCode.InternalError));
                    return;
                }
                if (ctx is null) return;
                ctx.Handler.SetRequest(h.Fields);
                // RFC 9110 §10.1.1: the client waits for a 100 before it sends the body.
                var awaitContinue = options.ExpectContinue != ExpectContinue.Never && HttpSemantics.ExpectsContinue(h.Fields, h.EndStream);
                if (awaitContinue)
                {
                    lock (gate) ctx.AwaitingContinue = true;
                    if (options.ExpectContinue == ExpectContinue.Immediately) SendContinue(ctx);
                }
                Run(ctx, static c => c.Handler.InvokeHeaders(), awaitContinue ? SendContinue : null);
                if (h.EndStream) Run(ctx, static c => c.Handler.InvokeRequestDone());
                break;
            }
            case DataReceived d:
                DeliverData(d);
                break;
            case TrailersReceived t:
            {
                var ctx = Find(t.StreamId);
                var trailers = t.Fields;
                if (ctx is not null)
                    Run(ctx, c => // also after trailers (a DEFECT of the original), which it can read
                    {
                        c.Handler.SetTrailers(trailers);
                        return c.Handler.InvokeRequestDone();
                    });
                break;
            }
            case StreamClosed c:
            {
                StreamContext? ctx;
                bool unseen;
                lock (gate)
                {
                    streams.Remove(c.StreamId, out ctx);
                    unseen = ctx is null && c.StreamId % 2 == 1 && c.StreamId > highestCreated;
                    if (unseen) highestCreated = c.StreamId;
                }
                if (unseen)
                {
                    // Closed before its request was delivered (malformed, refused): the
                    // seed makes the handler anyway, and it sees only on_close.
                    try { ctx = NewContext(c.StreamId, pushed: false); }
                    catch (Exception e) { log.LogError(e, "{Client}: the handler factory failed", client); }
                }
                if (ctx is null) return;
                ctx.Closed = true;
                ctx.CloseCode = c.Code;
                LogAccess(ctx, c.Code);
                if (c.Code != ErrorCode.NoError) ctx.Handler.SignalAborted();
                Run(ctx, CloseWithCode, alwaysRun: true);
                break;
            }
            case StreamWritable w:
            {
                var ctx = Find(w.StreamId);
                if (ctx is null) return;
                lock (gate) ctx.Blocked = false;
                Pump(ctx);
                break;
            }
        }
    }

    /// <summary>
    /// A DATA frame's octets to the handler. Its own method: the closure over the
    /// chunk would otherwise be allocated on every event <see cref="Deliver"/> handles.
    /// </summary>
    private void DeliverData(DataReceived d)
    {
        var ctx = Find(d.StreamId);
        if (ctx is null) { Consumed(d.StreamId, d.Data.Length); return; }
        if (ctx.AwaitingContinue) lock (gate) ctx.AwaitingContinue = false; // the body came without waiting: no 100 is due (RFC 9110 §10.1.1)
        var chunk = d.Data.Memory;
        var count = d.Data.Length;
        if (ctx.Busy) chunk = chunk.ToArray(); // the read buffer is reused before a queued callback runs
        if (count > 0)
            Run(ctx, c => c.Handler.InvokeData(chunk), c => Consumed(c.Handler.StreamId, count));
        if (d.EndStream) Run(ctx, static c => c.Handler.InvokeRequestDone());
    }

    /// <summary>The close callback with the code the core gave (<see cref="StreamContext.CloseCode"/>): one delegate for every stream.</summary>
    private static readonly Func<StreamContext, Task> CloseWithCode = static c => { c.CloseHandler(c.CloseCode); return Task.CompletedTask; };

    private StreamContext? Find(uint id)
    {
        lock (gate) return streams.GetValueOrDefault(id);
    }

    private StreamContext? Open(uint id)
    {
        lock (gate)
        {
            if (streams.TryGetValue(id, out var existing)) return existing;
            if (closed) return null;
        }
        var ctx = NewContext(id, pushed: false); // the application's factory runs outside the lock
        lock (gate)
        {
            if (closed) return null;
            highestCreated = Math.Max(highestCreated, id);
            streams[id] = ctx;
            return ctx;
        }
    }

    private StreamContext NewContext(uint id, bool pushed)
    {
        var handler = factory();
        handler.Attach(host, client, id, pushed);
        return new StreamContext(handler);
    }

    private void Consumed(uint id, int count)
    {
        if (count == 0) return;
        lock (gate)
        {
            if (closeRequested || closed) return;
            StepLocked(new ConsumeData(id, count));
        }
        Flush();
    }

    /// <summary>
    /// Runs one callback of a stream: at once if the stream has none running,
    /// else after the running ones. A callback that throws resets the stream
    /// with INTERNAL_ERROR; later callbacks are skipped but the close.
    /// </summary>
    private void Run(StreamContext ctx, Func<StreamContext, Task> callback, Action<StreamContext>? after = null, bool alwaysRun = false)
    {
        lock (ctx)
        {
            if (ctx.Busy)
            {
                (ctx.Backlog ??= new()).Enqueue((callback, after, alwaysRun));
                return;
            }
            ctx.Busy = true;
        }
        RunChain(ctx, callback, after, alwaysRun);
    }

    private void RunChain(StreamContext ctx, Func<StreamContext, Task> callback, Action<StreamContext>? after, bool alwaysRun)
    {
        while (true)
        {
            if (!ctx.Failed || alwaysRun)
            {
                Task task;
                try { task = callback(ctx); }
                catch (Exception e) { task = Task.FromException(e); }
                if (!task.IsCompleted)
                {
                    task.ContinueWith(static (t, s) =>
                    {
                        var (self, c, a) = ((Http2Connection, StreamContext, Action<StreamContext>?))s!;
                        self.Finished(c, t, a);
                        self.Continue(c);
                        self.Dispatch();
                        self.Flush();
                    }, (this, ctx, after), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
                    return;
                }
                Finished(ctx, task, after);
            }
            else after?.Invoke(ctx);
            lock (ctx)
            {
                if (ctx.Backlog is not { Count: > 0 }) { ctx.Busy = false; return; }
                (callback, after, alwaysRun) = ctx.Backlog.Dequeue();
            }
        }
    }

    private void Continue(StreamContext ctx)
    {
        Func<StreamContext, Task> callback;
        Action<StreamContext>? after;
        bool alwaysRun;
        lock (ctx)
        {
            if (ctx.Backlog is not { Count: > 0 }) { ctx.Busy = false; return; }
            (callback, after, alwaysRun) = ctx.Backlog.Dequeue();
        }
        RunChain(ctx, callback, after, alwaysRun);
    }

    private void Finished(StreamContext ctx, Task task, Action<StreamContext>? after)
    {
        if (task.IsFaulted || task.IsCanceled)
        {
            var e = task.Exception?.GetBaseException();
            if (!ctx.Failed && !ctx.Closed)
            {
                ctx.Failed = true;
                log.LogError(e, "{Client}: handler of stream {Stream} failed; resetting it with INTERNAL_ERROR", client, ctx.Handler.StreamId);
                ResetStream(ctx, ErrorCode.InternalError);
            }
        }
        else if (ctx.InvalidResponse is { } why && !ctx.Handler.ResponseSent && !ctx.Failed && !ctx.Closed)
        {
            // Never left open: a handler that tried an invalid response and sent no other ends here.
            ctx.Failed = true;
            log.LogError("{Client}: stream {Stream}: the handler's response was invalid ({Reason}) and it sent no other; resetting the stream with INTERNAL_ERROR",
                client, ctx.Handler.StreamId, why);
            ResetStream(ctx, ErrorCode.InternalError);
        }
        after?.Invoke(ctx);
    }

    /// <summary>The access line of a stream that ended (<paramref name="code"/> null: with the connection), once its request was seen.</summary>
    private void LogAccess(StreamContext ctx, ErrorCode? code)
    {
        if (!options.AccessLog || (ctx.Handler.Method.Length == 0 && ctx.Status == 0)) return;
        int status;
        long octets;
        lock (gate) (status, octets) = (ctx.Status, ctx.SentOctets);
        AccessLog.Log(accessLog, client, ctx.Handler, status, octets, code);
    }

    /// <summary>The connection is gone: every stream not yet closed ends with INTERNAL_ERROR (the seed's on_close).</summary>
    private void ConnectionLost()
    {
        StreamContext[] open;
        lock (gate)
        {
            open = [.. streams.Values];
            streams.Clear();
        }
        foreach (var ctx in open)
        {
            ctx.Closed = true;
            LogAccess(ctx, null);
            ctx.Handler.SignalAborted();
            Run(ctx, cc => { cc.CloseHandler(ErrorCode.InternalError); return Task.CompletedTask; }, alwaysRun: true);
        }
    }

    // ================= commands from handlers =================

    private ResponseResult SendResponse(RequestHandler handler, ResponsePlan plan)
    {
        StreamContext ctx;
        lock (gate)
        {
            if (!streams.TryGetValue(handler.StreamId, out var found) || found.Closed || closed)
            {
                plan.Body?.Discard();
                return ResponseResult.NotSent($"stream {handler.StreamId} is closed; the response cannot be sent");
            }
            ctx = found;
            var fields = new HeaderField[plan.Headers.Count + 1];
            fields[0] = StatusField(plan.Status);
            for (var i = 0; i < plan.Headers.Count; i++) fields[i + 1] = plan.Headers[i];
            // RFC 9110 §9.3.2, §15.3.5, §15.4.5: HEAD, 204 and 304 carry no content, so the body is not even opened
            // (the core applies the same rule to what it is given).
            var contentAllowed = HttpSemantics.ContentAllowed(handler.Method == "HEAD", plan.Status);
            BodyReader? reader = null;
            if (plan.Body is { } body)
            {
                if (!contentAllowed || body.Length == 0) body.Discard();
                else
                {
                    try { reader = body.Open(); }
                    catch (InvalidOperationException e) { return Invalid(ctx, e.Message); }
                }
            }
            var trailers = contentAllowed ? plan.Trailers : null;
            var endStream = reader is null && trailers is null;
            string? rejected = null;
            if (endStream || !SmallBodyAtOnce(ctx, fields, reader!, trailers, out rejected))
            {
                if (rejected is null)
                {
                    var outputs = StepLocked(new SendHeaders(handler.StreamId, fields, endStream) { Date = CurrentDate });
                    for (var i = 0; i < outputs.Count; i++)
                    {
                        if (outputs[i] is CommandRejected r) rejected = r.Reason;
                        else if (outputs[i] is ResponseAdjusted { Adjustment.Kind: AdjustmentKind.ContentOmitted }) endStream = true;
                    }
                }
                if (rejected is not null)
                {
                    reader?.Release();
                    return Invalid(ctx, rejected);
                }
                if (!endStream)
                {
                    ctx.Body = reader;
                    ctx.Trailers = trailers;
                    ctx.Streaming = true;
                }
                else reader?.Release();
            }
            ctx.InvalidResponse = null;
            ctx.AwaitingContinue = false; // a final response: no 100 any more (RFC 9110 §15.2.1)
            ctx.Status = plan.Status;
        }
        if (ctx.Streaming) Pump(ctx);
        Dispatch();
        Flush();
        return ResponseResult.Ok;
    }

    /// <summary>A response the core refused (malformed): reported and logged; the stream stays answerable. Caller holds the gate.</summary>
    private ResponseResult Invalid(StreamContext ctx, string reason)
    {
        ctx.InvalidResponse = reason;
        log.LogWarning("{Client}: stream {Stream}: the response was not sent: {Reason}; the handler may send another", client, ctx.Handler.StreamId, reason);
        return ResponseResult.NotSent(reason);
    }

    /// <summary>An informational response (RFC 9110 §15.2): a 1xx header section, the stream stays open for the final one.</summary>
    private ResponseResult SendInformational(RequestHandler handler, int status, IReadOnlyList<HeaderField> headers)
    {
        lock (gate)
        {
            if (!streams.TryGetValue(handler.StreamId, out var ctx) || ctx.Closed || closed || closeRequested)
                return ResponseResult.NotSent($"stream {handler.StreamId} is closed");
            var fields = new HeaderField[headers.Count + 1];
            fields[0] = StatusField(status);
            for (var i = 0; i < headers.Count; i++) fields[i + 1] = headers[i];
            var outputs = StepLocked(new SendHeaders(handler.StreamId, fields, false));
            for (var i = 0; i < outputs.Count; i++)
                if (outputs[i] is CommandRejected r)
                {
                    log.LogWarning("{Client}: stream {Stream}: the {Status} response was not sent: {Reason}", client, handler.StreamId, status, r.Reason);
                    return ResponseResult.NotSent(r.Reason);
                }
            if (status == 100) ctx.AwaitingContinue = false;
        }
        Dispatch();
        Flush();
        return ResponseResult.Ok;
    }

    /// <summary>
    /// The 100 (Continue) a request with <c>Expect: 100-continue</c> waits for
    /// (RFC 9110 §10.1.1), unless it is no longer due: the handler answered,
    /// sent its own 100, failed, or the body came anyway.
    /// </summary>
    private void SendContinue(StreamContext ctx)
    {
        lock (gate)
        {
            if (!ctx.AwaitingContinue) return;
            ctx.AwaitingContinue = false;
            if (ctx.Closed || ctx.Failed || closed || closeRequested || ctx.Handler.ResponseSent) return;
            StepLocked(new SendHeaders(ctx.Handler.StreamId, [StatusField(100)], false));
        }
        Dispatch();
        Flush();
    }

    /// <summary>The <c>date</c> field of the current second (RFC 9110 §6.6.1), made once a second for all connections.</summary>
    private static Option<HeaderField> CurrentDate
    {
        get
        {
            var second = DateTime.UtcNow.Ticks / TimeSpan.TicksPerSecond;
            var stamp = Volatile.Read(ref dateStamp);
            if (stamp is null || stamp.Second != second)
            {
                stamp = new DateStamp(second, HttpSemantics.DateField(new DateTimeOffset(second * TimeSpan.TicksPerSecond, TimeSpan.Zero)));
                Volatile.Write(ref dateStamp, stamp);
            }
            return stamp.Field;
        }
    }

    private sealed record DateStamp(long Second, Option<HeaderField> Field);

    private static DateStamp? dateStamp;

    /// <summary>The two commands of <see cref="SmallBodyAtOnce"/>, one array per connection (used under the gate).</summary>
    private readonly ConnectionCommand[] headersAndData = new ConnectionCommand[2];

    /// <summary>
    /// A small in-memory body without trailers goes out with its header
    /// section in one call of the core (HEADERS and DATA with END_STREAM): one
    /// state transition per response instead of two plus a pump. What the
    /// windows do not take now waits, as the pump's leftover, for
    /// StreamWritable. False (nothing done) when the response does not qualify.
    /// Caller holds the gate.
    /// </summary>
    private bool SmallBodyAtOnce(StreamContext ctx, HeaderField[] fields, BodyReader body, IReadOnlyList<HeaderField>? trailers, out string? rejected)
    {
        rejected = null;
        if (trailers is not null || body is null || body.Remaining is not (> 0 and <= SmallBody)
            || pending.Length + writing.Length >= PumpLimit || body.TakeDirect(SmallBody) is not { } chunk)
            return false;
        var id = ctx.Handler.StreamId;
        headersAndData[0] = new SendHeaders(id, fields, false) { Date = CurrentDate };
        headersAndData[1] = new SendData(id, chunk, true);
        var r = Connection.StepAll(state, headersAndData, Now);
        headersAndData[0] = headersAndData[1] = null!; // the core kept nothing of the array; do not keep the commands either
        var accepted = 0;
        for (var i = 0; i < r.Outputs.Count; i++)
        {
            var o = r.Outputs[i];
            if (o is CommandRejected { Command: SendHeaders } no)
            {
                // Nothing was sent (the core rejects before emitting): keep the state as it was.
                rejected = no.Reason;
                return false;
            }
            if (o is DataAccepted a && a.StreamId == id) accepted = a.Accepted;
        }
        state = r.State;
        Apply(r.Outputs);
        if (accepted < chunk.Length)
        {
            ctx.Body = body;
            ctx.Streaming = true;
            HoldBack(ctx, chunk[accepted..], last: true);
        }
        else body.Release();
        return true;
    }

    /// <summary>The core's buffer was full: <paramref name="rest"/> goes when it says StreamWritable. Caller holds the gate.</summary>
    private static void HoldBack(StreamContext ctx, ReadOnlyMemory<byte> rest, bool last)
    {
        ctx.Leftover = rest;
        ctx.LeftoverIsLast = last;
        ctx.Blocked = true;
    }

    private const int SmallBody = 16384; // one DATA frame at the default SETTINGS_MAX_FRAME_SIZE

    private PushResult Push(RequestHandler parent, PushPlan plan)
    {
        StreamContext childCtx;
        lock (gate)
        {
            var refusal =
                !options.EnablePush ? "push is disabled in the server options"
                : closed || closeRequested ? "the connection is closing"
                : !streams.TryGetValue(parent.StreamId, out var p) || p.Closed ? $"stream {parent.StreamId} is closed"
                : null;
            if (refusal is not null) return Refused(plan, refusal);
            var fields = new List<HeaderField>(4 + plan.RequestHeaders.Count)
            {
                HeaderField.Of(":method", plan.Method),
                HeaderField.Of(":scheme", parent.Scheme.Length > 0 ? parent.Scheme : Scheme),
                HeaderField.Of(":authority", parent.Host),
                HeaderField.Of(":path", plan.Path),
            };
            fields.AddRange(plan.RequestHeaders);
            uint promised = 0;
            foreach (var o in StepLocked(new PromisePush(parent.StreamId, fields)))
            {
                if (o is CommandRejected r) return Refused(plan, r.Reason);
                if (o is PushPromiseSent pp) promised = pp.PromisedStreamId;
            }
            if (promised == 0) return Refused(plan, "the core made no promise");
            childCtx = NewContext(promised, pushed: true);
            childCtx.Handler.SetRequest(fields);
            streams[promised] = childCtx;
        }
        var child = childCtx.Handler;
        child.MarkResponded();
        var sent = SendResponse(child, plan.Response);
        if (!sent.Sent)
        {
            log.LogWarning("{Client}: the response pushed for {Path} on stream {Stream} is invalid ({Reason}); resetting the promised stream", client, plan.Path, child.StreamId, sent.Reason);
            ResetStream(childCtx, ErrorCode.InternalError);
            return PushResult.Refused($"the pushed response is invalid: {sent.Reason}; the promised stream {child.StreamId} was reset");
        }
        return PushResult.Done(child);
    }

    /// <summary>No push: the pushed body is released, the reason logged for whoever does not read the result. Caller holds the gate.</summary>
    private PushResult Refused(PushPlan plan, string reason)
    {
        plan.Response.Body?.Discard();
        log.LogDebug("{Client}: no push of {Path}: {Reason}", client, plan.Path, reason);
        return PushResult.Refused($"cannot push {plan.Path}: {reason}");
    }

    private void ResetStream(StreamContext ctx, ErrorCode code)
    {
        lock (gate)
        {
            if (closed || closeRequested || ctx.Closed) return;
            StepLocked(new SendReset(ctx.Handler.StreamId, code));
        }
        Dispatch();
        Flush();
    }

    private void Resume(RequestHandler handler)
    {
        var ctx = Find(handler.StreamId);
        if (ctx is null) return;
        lock (gate)
        {
            if (ctx.Pumping) { ctx.ResumeRequested = true; return; }
            ctx.Deferred = false;
        }
        Pump(ctx);
    }

    // ================= response bodies =================

    /// <summary>
    /// Feeds a stream's body into the core as long as the core takes it, the
    /// source has octets and the socket keeps up. Stops (to be called again)
    /// when the core's buffer is full (until StreamWritable), the source says
    /// NotYet (until Resume), or too much output is queued (until the writer
    /// drains it). One pump per stream at a time.
    /// </summary>
    private void Pump(StreamContext ctx)
    {
        lock (gate)
        {
            if (ctx.Pumping || !ctx.Streaming || ctx.Blocked || ctx.Deferred) return;
            ctx.Pumping = true;
        }
        _ = PumpAsync(ctx);
    }

    private async Task PumpAsync(StreamContext ctx)
    {
        try
        {
            while (true)
            {
                ReadOnlyMemory<byte> chunk;
                bool last;
                lock (gate)
                {
                    if (ctx.Closed || closed || closeRequested) { ctx.Streaming = false; ctx.Body?.Release(); return; }
                    if (pending.Length + writing.Length >= PumpLimit)
                    {
                        waitingForOutput.Add(ctx);
                        ctx.Pumping = false;
                        return;
                    }
                }
                if (!ctx.Leftover.IsEmpty)
                {
                    chunk = ctx.Leftover;
                    last = ctx.LeftoverIsLast;
                }
                else
                {
                    var body = ctx.Body;
                    if (body is null) { chunk = default; last = true; }
                    else if (body.TakeDirect(DirectChunkSize) is { } direct)
                    {
                        chunk = direct; // in-memory body: no copy, the core keeps a reference
                        last = direct.IsEmpty || body.Remaining == 0;
                    }
                    else
                    {
                        var size = (int)Math.Min(body.Remaining ?? ChunkSize, ChunkSize);
                        var buffer = new byte[Math.Max(size, 1)]; // the core keeps it by reference until sent
                        var task = body.ReadAsync(buffer);
                        var n = task.IsCompletedSuccessfully ? task.Result : await task.ConfigureAwait(false);
                        if (n == ResponseBody.NotYet)
                        {
                            bool again;
                            lock (gate)
                            {
                                again = ctx.ResumeRequested; // Resume() came while this pump was reading
                                ctx.ResumeRequested = false;
                                if (!again) { ctx.Pumping = false; ctx.Deferred = true; }
                            }
                            if (again) continue;
                            return;
                        }
                        chunk = buffer.AsMemory(0, n);
                        last = n == 0 || body.Remaining == 0;
                    }
                }
                var endStream = last && ctx.Trailers is null;
                var accepted = 0;
                // Whether this pump stopped, decided under the gate: once it has, a resume may
                // start another pump at any moment, so ctx.Pumping is no longer this one's to read.
                var stopped = false;
                lock (gate)
                {
                    if (ctx.Closed || closed || closeRequested) continue;
                    // No more than the output bound leaves room for: every pump checked it
                    // before taking its chunk, but a hundred streams' chunks would otherwise
                    // all land in the same write (100 x 64 KiB on one connection).
                    var room = Math.Max(PumpLimit - (pending.Length + writing.Length), 0);
                    var feed = chunk.Length <= room ? chunk : chunk[..room];
                    var feedEnd = endStream && feed.Length == chunk.Length;
                    if (!feed.IsEmpty || feedEnd)
                    {
                        accepted = feed.Length;
                        var outputs = StepLocked(new SendData(ctx.Handler.StreamId, feed, feedEnd));
                        for (var i = 0; i < outputs.Count; i++)
                        {
                            var o = outputs[i];
                            if (o is DataAccepted a && a.StreamId == ctx.Handler.StreamId) accepted = a.Accepted;
                            else if (o is CommandRejected) { ctx.Streaming = false; ctx.Closed = true; }
                        }
                    }
                    if (accepted < feed.Length)
                    {
                        HoldBack(ctx, chunk[accepted..], last); // the core's buffer is full: StreamWritable resumes it
                        ctx.Pumping = false;
                        stopped = true;
                    }
                    else if (accepted < chunk.Length)
                    {
                        ctx.Leftover = chunk[accepted..]; // the output is full: the writer resumes it
                        ctx.LeftoverIsLast = last;
                        waitingForOutput.Add(ctx);
                        ctx.Pumping = false;
                        stopped = true;
                    }
                    else
                    {
                        ctx.Leftover = default;
                        if (last)
                        {
                            if (ctx.Trailers is not null) StepLocked(new SendTrailers(ctx.Handler.StreamId, ctx.Trailers));
                            ctx.Streaming = false;
                            ctx.Pumping = false;
                            stopped = true;
                            ctx.Body?.Release();
                        }
                    }
                }
                Dispatch();
                Flush();
                if (stopped) return;
            }
        }
        catch (Exception e)
        {
            log.LogError(e, "{Client}: response body of stream {Stream} failed; resetting it", client, ctx.Handler.StreamId);
            lock (gate) { ctx.Pumping = false; ctx.Streaming = false; }
            ctx.Body?.Release();
            ResetStream(ctx, ErrorCode.InternalError);
        }
    }

    /// <summary>
    /// Response bodies are fed to the core while less than this is queued for
    /// the socket (or the connection's <see cref="QueueLimit"/> if smaller).
    /// Measured at 64 KiB responses over 16 connections (h2load -m 32): 512 KiB
    /// let each connection's two output buffers grow to 1 MiB arrays (peak RSS
    /// 116 MB); 256 KiB: 107 MB at the same or lower CPU per request; 128 KiB:
    /// 103 MB but ~15% more CPU (twice the writes and flush steps).
    /// </summary>
    private const int PumpHighWater = 256 * 1024;

    private int PumpLimit => Math.Min(QueueLimit, PumpHighWater);

    /// <summary>
    /// What this connection may queue for the socket now: <see cref="ServerOptions.MaxQueuedOutput"/>,
    /// or less when many connections share <see cref="ServerOptions.MaxQueuedOutputTotal"/>.
    /// </summary>
    internal int QueueLimit => share?.Of(options.MaxQueuedOutput) ?? options.MaxQueuedOutput;

    /// <summary>Body octets read from a source at a time: four frames of the default size.</summary>
    private const int ChunkSize = 64 * 1024;

    /// <summary>In-memory body octets handed to the core at a time (it takes what its buffer allows).</summary>
    private const int DirectChunkSize = 1 << 20;

    private static readonly HeaderField[] Statuses = Enumerable.Range(0, 1000)
        .Select(s => s is >= 100 and <= 999 ? HeaderField.Of(":status", s.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null!)
        .ToArray();

    private static HeaderField StatusField(int status) => Statuses[status];

    // ================= frame log =================

    private void LogReceived(ReadOnlyMemory<byte> octets)
    {
        while (!octets.IsEmpty)
        {
            if (octets.Length >= CleartextPreface.Preface.Length && octets.Span[..CleartextPreface.Preface.Length].SequenceEqual(CleartextPreface.Preface))
            {
                frameLog.LogInformation("{Client} recv connection preface", client);
                octets = octets[CleartextPreface.Preface.Length..];
                continue;
            }
            switch (FrameReader.Read(octets, FrameConstants.MaxMaxFrameSize))
            {
                case FrameRead r:
                    frameLog.LogInformation("{Client} recv {Frame}", client, Describe(r.Frame));
                    octets = octets[r.Consumed..];
                    break;
                case ReadFailed f:
                    frameLog.LogInformation("{Client} recv invalid frame: {Error}", client, f.Error);
                    return;
                default:
                    return;
            }
        }
    }

    private static string Describe(Frame frame) => frame switch
    {
        DataFrame d => $"DATA stream={d.StreamId} length={d.Data.Length}{(d.EndStream ? " END_STREAM" : "")}",
        HeadersFrame h => $"HEADERS stream={h.StreamId} block={h.Fragment.Length}{(h.EndStream ? " END_STREAM" : "")}{(h.EndHeaders ? " END_HEADERS" : "")}",
        PushPromiseFrame p => $"PUSH_PROMISE stream={p.StreamId} promised={p.PromisedStreamId}",
        SettingsFrame s => s.Ack ? "SETTINGS ACK" : $"SETTINGS [{string.Join(", ", s.Settings.Select(x => $"{x.Id.Name}={x.Value}"))}]",
        WindowUpdateFrame w => $"WINDOW_UPDATE stream={w.StreamId} increment={w.Increment}",
        RstStreamFrame r => $"RST_STREAM stream={r.StreamId} {r.Error}",
        GoAwayFrame g => $"GOAWAY last={g.LastStreamId} {g.Error} \"{g.DebugData.ToUtf8()}\"",
        PingFrame p => $"PING{(p.Ack ? " ACK" : "")} {p.Opaque:x16}",
        _ => $"{frame.Type} stream={frame.StreamId}",
    };

    // ================= per stream =================

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
        public bool Streaming, Pumping, Blocked, Deferred, ResumeRequested;
        public ReadOnlyMemory<byte> Leftover;
        public bool LeftoverIsLast;
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
