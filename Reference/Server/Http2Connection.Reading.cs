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
}
