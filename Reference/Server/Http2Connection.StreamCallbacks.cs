using Microsoft.Extensions.Logging;
using Http2.Reference.Hpack;
using Http2.Reference.Protocol;

namespace Http2.Reference.Server;

internal sealed partial class Http2Connection
{
    /// <summary>One stream as the shell sees it: its handler, the sequence of its callbacks, its response body. The loop's.</summary>
    private sealed class StreamContext(RequestHandler handler)
    {
        public readonly RequestHandler Handler = handler;
        // callback sequencing
        public bool Busy;
        /// <summary>Callbacks waiting for the running one (a handler's slow work).</summary>
        public Queue<(Func<StreamContext, Task>, Action<StreamContext>?, bool)>? Backlog
        {
            get => rare?.Backlog;
            set { if (rare is not null || value is not null) (rare ??= new()).Backlog = value; }
        }
        public bool Failed;
        public bool Closed;
        /// <summary>The code of the core's StreamClosed (read by the close callback, which runs after it is set).</summary>
        public ErrorCode CloseCode;
        private bool closeDelivered;
        // response body
        public BodyReader? Body;
        /// <summary>The response's trailers, sent after the body.</summary>
        public IReadOnlyList<HeaderField>? Trailers
        {
            get => rare?.Trailers;
            set { if (rare is not null || value is not null) (rare ??= new()).Trailers = value; }
        }
        /// <summary>The body's production (null: no body in progress).</summary>
        public ResponseProduction? Production;
        /// <summary>A <see cref="SendData"/> of the production waits among the deferred commands: nothing more is fed until the core answers it.</summary>
        public bool FeedDeferred;
        /// <summary>The stream is in the list of those waiting for room in the output queue (a flag: no search of the list).</summary>
        public bool WaitingForOutput;
        // semantics
        /// <summary>Why the handler's last response attempt was refused (it may retry); null once one is sent.</summary>
        public string? InvalidResponse
        {
            get => rare?.InvalidResponse;
            set { if (rare is not null || value is not null) (rare ??= new()).InvalidResponse = value; }
        }
        /// <summary>The request has <c>Expect: 100-continue</c> and no 100 (or final response) was sent yet.</summary>
        public bool AwaitingContinue;
        // for the access line
        public int Status;
        public long SentOctets;

        // What few streams use (a backlog of callbacks, trailers, a refused response), made on first use: a smaller context per request.
        private RareParts? rare;

        private sealed class RareParts
        {
            public Queue<(Func<StreamContext, Task>, Action<StreamContext>?, bool)>? Backlog;
            public IReadOnlyList<HeaderField>? Trailers;
            public string? InvalidResponse;
        }

        public void CloseHandler(ErrorCode code)
        {
            if (closeDelivered) return;
            closeDelivered = true;
            Handler.InvokeClose(code);
        }
    }

    /// <summary>
    /// Runs one callback of a stream: at once if the stream has none running,
    /// else after the running ones. A callback that throws resets the stream
    /// with INTERNAL_ERROR; later callbacks are skipped but the close.
    /// </summary>
    private void Run(StreamContext ctx, Func<StreamContext, Task> callback, Action<StreamContext>? after = null, bool alwaysRun = false)
    {
        if (ctx.Busy)
        {
            (ctx.Backlog ??= new()).Enqueue((callback, after, alwaysRun));
            return;
        }
        ctx.Busy = true;
        RunChain(ctx, callback, after, alwaysRun);
    }

    /// <summary>
    /// Runs callbacks of the stream in order until one does not complete at
    /// once: its end comes back to the loop as a message, which goes on from
    /// there (<see cref="CallbackEnded"/>).
    /// </summary>
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
                        self.Continue(conn => conn.CallbackEnded(c, t, a));
                    }, (this, ctx, after), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    return;
                }
                Finished(ctx, task, after);
            }
            else after?.Invoke(ctx);
            if (ctx.Backlog is not { Count: > 0 }) { ctx.Busy = false; return; }
            (callback, after, alwaysRun) = ctx.Backlog.Dequeue();
        }
    }

    /// <summary>An asynchronous callback ended: its outcome, then the stream's next callbacks.</summary>
    private void CallbackEnded(StreamContext ctx, Task task, Action<StreamContext>? after)
    {
        Finished(ctx, task, after);
        if (ctx.Backlog is not { Count: > 0 }) ctx.Busy = false;
        else
        {
            var (callback, next, alwaysRun) = ctx.Backlog.Dequeue();
            RunChain(ctx, callback, next, alwaysRun);
        }
        Dispatch();
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
}
