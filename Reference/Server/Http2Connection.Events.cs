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
    /// <summary>Delivers queued events in order; a handler's command that queues more while it runs has them delivered by this same call.</summary>
    private void Dispatch()
    {
        while (true)
        {
            ConnectionEvent ev;
            if (dispatching || feedBatch) return; // the delivering (or waking) call goes on with them
            if (events.Count == 0)
            {
                // The responses handlers gave meanwhile go to the core now, in one call; what that
                // brings (a stream closed, a body to pump) is delivered by this same loop.
                if (deferredCommands.Count == 0) return;
                FlushDeferred();
                continue;
            }
            dispatching = true;
            ev = events.Dequeue();
            try { Deliver(ev); }
            finally { dispatching = false; }
        }
    }

    private void Deliver(ConnectionEvent ev)
    {
        switch (ev)
        {
            case HeadersReceived h:
                DeliverHeaders(h);
                break;
            case DataReceived d:
                DeliverData(d);
                break;
            case TrailersReceived t:
                DeliverTrailers(t);
                break;
            case StreamClosed c:
                DeliverClosed(c);
                break;
            case StreamWritable w:
                if (Find(w.StreamId) is { } writable) Pump(writable, ProductionEvent.Writable.Instance);
                break;
        }
    }

    /// <summary>A request's header section: the stream's handler is made and called (RFC 9113 §8.1).</summary>
    private void DeliverHeaders(HeadersReceived h)
    {
        StreamContext? ctx;
        try { ctx = Open(h.StreamId); }
        catch (Exception e)
        {
            // The application's factory failed: this stream cannot be served.
            log.LogError(e, "{Client}: the handler factory failed for stream {Stream}", client, h.StreamId);
            if (!closing && !closeRequested) Step(new SendReset(h.StreamId, ErrorCode.InternalError));
            return;
        }
        if (ctx is null) return;
        ctx.Handler.SetRequest(h.Fields, lastPath);
        lastPath = ctx.Handler.Path;
        ctx.Handler.ReceivedAt = receivedAt;
        // RFC 9110 §10.1.1: the client waits for a 100 before it sends the body.
        var awaitContinue = options.ExpectContinue != ExpectContinue.Never && HttpSemantics.ExpectsContinue(h.Fields, h.EndStream);
        if (awaitContinue)
        {
            ctx.AwaitingContinue = true;
            if (options.ExpectContinue == ExpectContinue.Immediately) SendContinue(ctx);
        }
        Run(ctx, static c => c.Handler.InvokeHeaders(), awaitContinue ? SendContinue : null);
        if (h.EndStream) Run(ctx, static c => c.Handler.InvokeRequestDone());
    }

    /// <summary>Trailers (RFC 9113 §8.1): the request is done, also after trailers (a DEFECT of the original), which the handler can read.</summary>
    private void DeliverTrailers(TrailersReceived t)
    {
        var trailers = t.Fields;
        if (Find(t.StreamId) is { } ctx)
            Run(ctx, c =>
            {
                c.Handler.SetTrailers(trailers);
                return c.Handler.InvokeRequestDone();
            });
    }

    /// <summary>A stream closed: its handler's close callback, after its other callbacks.</summary>
    private void DeliverClosed(StreamClosed c)
    {
        streams.Remove(c.StreamId, out var ctx);
        ForgetLoans(c.StreamId);
        if (ctx is null && c.StreamId % 2 == 1 && c.StreamId > highestCreated)
        {
            highestCreated = c.StreamId;
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
    }

    /// <summary>
    /// A DATA frame's octets to the handler. Its own method: the closure over the
    /// chunk would otherwise be allocated on every event <see cref="Deliver"/> handles.
    /// </summary>
    private void DeliverData(DataReceived d)
    {
        var ctx = Find(d.StreamId);
        if (ctx is null) { Consumed(d.StreamId, d.Data.Length); return; }
        if (ctx.AwaitingContinue) ctx.AwaitingContinue = false; // the body came without waiting: no 100 is due (RFC 9110 §10.1.1)
        var chunk = d.Data.Memory;
        var count = d.Data.Length;
        if (ctx.Busy) chunk = chunk.ToArray(); // the read buffer is reused before a queued callback runs
        if (count > 0)
            Run(ctx, c => c.Handler.InvokeData(chunk), c => Consumed(c.Handler.StreamId, count));
        if (d.EndStream) Run(ctx, static c => c.Handler.InvokeRequestDone());
    }

    /// <summary>The close callback with the code the core gave (<see cref="StreamContext.CloseCode"/>): one delegate for every stream.</summary>
    private static readonly Func<StreamContext, Task> CloseWithCode = static c => { c.CloseHandler(c.CloseCode); return Task.CompletedTask; };

    private StreamContext? Find(uint id) => streams.GetValueOrDefault(id);

    private StreamContext? Open(uint id)
    {
        if (streams.TryGetValue(id, out var existing)) return existing;
        if (closing) return null;
        var ctx = NewContext(id, pushed: false);
        highestCreated = Math.Max(highestCreated, id);
        streams[id] = ctx;
        return ctx;
    }

    private StreamContext NewContext(uint id, bool pushed)
    {
        var handler = factory();
        handler.Attach(host, id, pushed);
        return new StreamContext(handler);
    }

    private void Consumed(uint id, int count)
    {
        if (count == 0 || closeRequested || closing) return;
        Step(new ConsumeData(id, count));
    }

    /// <summary>The access line of a stream that ended (<paramref name="code"/> null: with the connection), once its request was seen.</summary>
    private void LogAccess(StreamContext ctx, ErrorCode? code)
    {
        if (!options.AccessLog || (ctx.Handler.Method.Length == 0 && ctx.Status == 0)) return;
        AccessLog.Log(accessLog, client, ctx.Handler, ctx.Status, ctx.SentOctets, code);
    }

    /// <summary>The connection is gone: every stream not yet closed ends with INTERNAL_ERROR (the seed's on_close).</summary>
    private void ConnectionLost()
    {
        StreamContext[] open = [.. streams.Values];
        streams.Clear();
        foreach (var ctx in open)
        {
            ctx.Closed = true;
            LogAccess(ctx, null);
            ctx.Handler.SignalAborted();
            Run(ctx, cc => { cc.CloseHandler(ErrorCode.InternalError); return Task.CompletedTask; }, alwaysRun: true);
        }
    }
}
