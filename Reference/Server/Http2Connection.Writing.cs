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
                    if (!closeRequested && !closed) StepLocked(OutputFlushed.Instance);
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
                if (wake is not null) foreach (var ctx in wake) Pump(ctx, ProductionEvent.OutputDrained.Instance);
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
}
