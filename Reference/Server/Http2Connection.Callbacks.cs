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
internal sealed partial class Http2Connection
{
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
}
