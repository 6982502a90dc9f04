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
}
