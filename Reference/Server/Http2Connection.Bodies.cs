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
    /// Moves a stream's body from its source into the core, doing what
    /// <see cref="ResponseProduction.Next"/> says until it says to wait: for
    /// StreamWritable, the handler's resume, a read in progress, or the writer
    /// to drain the output queue (<see cref="waitingForOutput"/>). Every
    /// decision is the production's; this only reads and steps.
    /// </summary>
    private void Pump(StreamContext ctx)
    {
        try
        {
            while (Advance(ctx) && Read(ctx)) { }
        }
        catch (Exception e)
        {
            BodyFailed(ctx, e);
        }
        Dispatch();
    }

    /// <summary>Applies <paramref name="happened"/> to the stream's production, then pumps.</summary>
    private void Pump(StreamContext ctx, ProductionEvent happened)
    {
        if (ctx.Production is null) return;
        ctx.Production = ResponseProduction.On(ctx.Production, happened);
        Pump(ctx);
    }

    /// <summary>
    /// Does the production's steps that need no read; true
    /// when the next step is a read of the source.
    /// </summary>
    private bool Advance(StreamContext ctx)
    {
        while (ctx.Production is { } production && !ctx.FeedDeferred)
        {
            if (ctx.Closed || closing || closeRequested) production = ResponseProduction.On(production, ProductionEvent.Ended.Instance);
            // Octets given to deferred commands are queued as soon as those reach the core: counted as queued already.
            (ctx.Production, var step) = ResponseProduction.Next(production, ResponseProduction.Room(output.Queued + deferredOctets, PumpLimit));
            switch (step)
            {
                case ProductionStep.Read:
                    return true;
                case ProductionStep.Feed f when BatchingFeeds:
                    DeferFeed(ctx, f);
                    return false;
                case ProductionStep.Feed f:
                    FeedCore(ctx, f);
                    break;
                case ProductionStep.SendTrailers:
                    Step(new SendTrailers(ctx.Handler.StreamId, ctx.Trailers ?? []));
                    break;
                case ProductionStep.WaitForOutput:
                    WaitForOutput(ctx);
                    return false;
                case ProductionStep.Finish:
                    ctx.Production = null;
                    ReleaseBody(ctx);
                    return false;
                default:
                    return false;
            }
        }
        return false;
    }

    /// <summary>
    /// Whether a body's <see cref="SendData"/> joins the deferred commands
    /// (<see cref="FlushDeferred"/>) instead of a call of the core of its own:
    /// while the loop delivers events, and while the end of a write wakes the
    /// streams that waited for room (<see cref="feedBatch"/>), so the bodies of
    /// all the streams it wakes go to the core in one call.
    /// </summary>
    private bool BatchingFeeds => (dispatching || feedBatch) && !closeRequested && !closing;

    /// <summary>Set while <see cref="WakeWaitingForOutput"/> pumps the streams it wakes.</summary>
    private bool feedBatch;

    /// <summary>A <see cref="SendData"/> for the next call of the core; its answer moves the production on then (<see cref="FlushDeferred"/>).</summary>
    private void DeferFeed(StreamContext ctx, ProductionStep.Feed f)
    {
        ctx.FeedDeferred = true; // until the core has answered, the production holds these octets and must not feed them again
        deferredCommands.Add(new SendData(ctx.Handler.StreamId, f.Octets, f.EndStream));
        deferredFeeds.Add((ctx, f.Octets.Length));
        deferredOctets += f.Octets.Length;
    }

    /// <summary>Puts <paramref name="ctx"/> among the streams waiting for room in the output queue, once.</summary>
    private void WaitForOutput(StreamContext ctx)
    {
        if (ctx.WaitingForOutput) return;
        ctx.WaitingForOutput = true;
        waitingForOutput.Add(ctx);
    }

    /// <summary>
    /// The streams that waited for room in the output queue go on, in the order
    /// they began to wait, their bodies' commands in one call of the core; once
    /// the room is taken the others keep waiting, untouched (a connection with
    /// many large responses would otherwise step every waiting stream's
    /// production on every write only to make it wait again). A stream that
    /// ended is always woken, so its body is released.
    /// </summary>
    private void WakeWaitingForOutput()
    {
        var limit = PumpLimit; // the same for the whole wake-up (a division of the server's share per call otherwise)
        if (waitingForOutput.Count == 0 || output.Queued >= limit) return;
        // The waiting list is taken whole and a fresh one (the spare) takes those that wait again, so
        // a pump that makes a stream wait (or a nested wake) never touches the list being walked.
        var wake = waitingForOutput;
        waitingForOutput = spareWaiting ?? new();
        spareWaiting = null;
        var outer = feedBatch;
        feedBatch = true;
        try
        {
            for (var i = 0; i < wake.Count; i++)
            {
                var ctx = wake[i];
                ctx.WaitingForOutput = false;
                if (ResponseProduction.Room(output.Queued + deferredOctets, limit) > 0 || ctx.Closed || closing || closeRequested)
                    Pump(ctx, ProductionEvent.OutputDrained.Instance);
                else WaitForOutput(ctx); // not pumped: waits on, in its turn
            }
        }
        finally
        {
            feedBatch = outer;
            wake.Clear();
            spareWaiting = wake;
        }
    }

    /// <summary>One <see cref="SendData"/>: what the core took moves the production on.</summary>
    private void FeedCore(StreamContext ctx, ProductionStep.Feed f)
    {
        var id = ctx.Handler.StreamId;
        var taken = f.Octets.Length;
        var outputs = Step(new SendData(id, f.Octets, f.EndStream));
        for (var i = 0; i < outputs.Count; i++)
        {
            if (outputs[i] is DataAccepted a && a.StreamId == id) taken = a.Accepted;
            else if (outputs[i] is CommandRejected) { ctx.Production = ResponseProduction.Done.Instance; return; }
        }
        ctx.Production = ResponseProduction.On(ctx.Production!, new ProductionEvent.Accepted(f.Octets.Length, taken));
    }

    /// <summary>
    /// Reads the source: an in-memory body hands over its octets without a
    /// copy (the core keeps them by reference); other sources fill a buffer
    /// from the shared pool (kept by the core until sent, see <see cref="loans"/>). True when the read is done
    /// (pump on); false when it runs on, and its end pumps again.
    /// </summary>
    private bool Read(StreamContext ctx)
    {
        var body = ctx.Body;
        if (body is null) // no content, only trailers
        {
            Produced(ctx, new ProductionEvent.Octets(ReadOnlyMemory<byte>.Empty, true));
            return true;
        }
        if (body.TakeDirect(ResponseProduction.DirectChunkSize) is { } direct)
        {
            Produced(ctx, new ProductionEvent.Octets(direct, direct.IsEmpty || body.Remaining == 0));
            return true;
        }
        var size = ResponseProduction.ReadSize(body.Remaining);
        var buffer = ArrayPool<byte>.Shared.Rent(size); // lent to the core by ReadResult, back to the pool once written
        ValueTask<int> read;
        try { read = body.ReadAsync(buffer.AsMemory(0, size)); }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer); // the read ended, with nothing handed on
            throw;
        }
        if (!read.IsCompleted)
        {
            _ = ReadLaterAsync(ctx, body, buffer, read);
            return false;
        }
        Produced(ctx, ReadResult(ctx, body, buffer, read.GetAwaiter().GetResult()));
        return true;
    }

    /// <summary>A read that did not end at once: its end goes back to the loop.</summary>
    private async Task ReadLaterAsync(StreamContext ctx, BodyReader body, byte[] buffer, ValueTask<int> read)
    {
        int n;
        try
        {
            n = await read.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Continue(c => c.BodyFailed(ctx, e));
            return;
        }
        Continue(c =>
        {
            if (c.finished) return; // the buffer is left to the collector
            c.Produced(ctx, c.ReadResult(ctx, body, buffer, n));
            c.Pump(ctx);
        });
    }

    /// <summary>What a read into <paramref name="buffer"/> (rented) gave; octets read make the buffer a loan until they are written (<see cref="Lend"/>).</summary>
    private ProductionEvent ReadResult(StreamContext ctx, BodyReader body, byte[] buffer, int n)
    {
        if (n <= 0) ArrayPool<byte>.Shared.Return(buffer);
        else if (!ctx.Closed) Lend(buffer, ctx.Handler.StreamId, n); // a read that ended after its stream closed: its octets are never sent, the collector takes the buffer
        return n == ResponseBody.NotYet ? ProductionEvent.NotYet.Instance
            : new ProductionEvent.Octets(buffer.AsMemory(0, Math.Max(n, 0)), ResponseProduction.IsLast(n, body.Remaining));
    }

    /// <summary>
    /// Read buffers handed to the core, by array: the stream and the octets read
    /// into it (from its start). A body read from a file or a stream is read into
    /// arrays rented from the shared pool, and each goes back to the pool once the
    /// write holding the DATA frame with its last octet has ended
    /// (<see cref="Returned"/>): the frames of one buffer leave in order, so by
    /// then every earlier one was written too. A 1 MiB file was 16 new 64 KiB
    /// arrays that the queued output kept alive past each gen-0 collection
    /// (copied to gen 1, the pages faulted in afresh): half the server's user
    /// time. A buffer whose last octet is never sent (the stream was reset, the
    /// connection ended) is forgotten, and the collector takes it.
    /// </summary>
    private Dictionary<byte[], (uint StreamId, int Length)>? loans;

    private void Lend(byte[] buffer, uint streamId, int length) => (loans ??= new())[buffer] = (streamId, length);

    /// <summary>A DATA frame's payload went into the output buffer: when it ends a loaned buffer, the buffer returns to the pool after that write.</summary>
    private void Returned(ReadOnlyMemory<byte> payload)
    {
        if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray(payload, out var segment)
            && loans!.TryGetValue(segment.Array!, out var loan) && segment.Offset + segment.Count == loan.Length)
        {
            loans.Remove(segment.Array!);
            output.Pending.ReturnAfterWrite(segment.Array!);
        }
    }

    /// <summary>A stream closed: its buffers whose last octets were not sent are forgotten.</summary>
    private void ForgetLoans(uint streamId)
    {
        if (loans is not { Count: > 0 }) return;
        foreach (var (array, loan) in loans)
            if (loan.StreamId == streamId) loans.Remove(array);
    }

    private void Produced(StreamContext ctx, ProductionEvent happened)
    {
        if (ctx.Production is { } production) ctx.Production = ResponseProduction.On(production, happened);
    }

    /// <summary>The source or a step failed: the stream is reset with INTERNAL_ERROR.</summary>
    private void BodyFailed(StreamContext ctx, Exception e)
    {
        log.LogError(e, "{Client}: response body of stream {Stream} failed; resetting it", client, ctx.Handler.StreamId);
        ctx.Production = null;
        ReleaseBody(ctx);
        ResetStream(ctx, ErrorCode.InternalError);
    }

    /// <summary>Releases the stream's body source, once.</summary>
    private static void ReleaseBody(StreamContext ctx)
    {
        var body = ctx.Body;
        ctx.Body = null;
        body?.Release();
    }

    /// <summary>
    /// Response bodies are fed to the core while less than this is queued for
    /// the socket (or the connection's <see cref="QueueLimit"/> if smaller), when
    /// the writer copies what it sends (TLS). Measured at 64 KiB responses over 16
    /// connections (h2load -m 32): 512 KiB let each connection's two output
    /// buffers grow to 1 MiB arrays (peak RSS 116 MB); 256 KiB: 107 MB at the same
    /// or lower CPU per request; 128 KiB: 103 MB but ~15% more CPU (twice the
    /// writes and flush steps).
    /// </summary>
    private const int PumpHighWater = 256 * 1024;

    /// <summary>
    /// How much may be queued before bodies wait. A gathering writer (cleartext on a
    /// socket) queues frame headers and references to the bodies' own octets, so a
    /// queued octet costs no buffer memory there and the whole <see cref="QueueLimit"/>
    /// is used: larger batches mean fewer <c>sendmsg</c> calls and fewer wake-ups of
    /// the reader, which on loopback is most of the kernel's share. Measured with 64 KiB
    /// responses (h2load -c 16 -m 32, 9 interleaved runs): 21.0 µs of CPU per request
    /// at 512 KiB against 25.5 at 256 KiB, nghttpd 30.0 in the same run.
    /// </summary>
    private int PumpLimit => output.Gathers ? QueueLimit : Math.Min(QueueLimit, PumpHighWater);

    /// <summary>
    /// What this connection may queue for the socket now: <see cref="ServerOptions.MaxQueuedOutput"/>,
    /// or less when many connections share <see cref="ServerOptions.MaxQueuedOutputTotal"/>.
    /// </summary>
    internal int QueueLimit => share?.Of(options.MaxQueuedOutput) ?? options.MaxQueuedOutput;

    private static readonly HeaderField[] Statuses = Enumerable.Range(0, 1000)
        .Select(s => s is >= 100 and <= 999 ? HeaderField.Of(":status", s.ToString(System.Globalization.CultureInfo.InvariantCulture)) : null!)
        .ToArray();

    private static HeaderField StatusField(int status) => Statuses[status];
}
