using System.Buffers;
using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Http2.Reference.Protocol;

namespace Http2.Reference.Server;

internal sealed partial class Http2Connection
{
    /// <summary>Octets of the reader's pooled buffer (0 while it waits for data); read by tests.</summary>
    private int readBufferOctets;

    /// <summary>What one read may take: four frames of the default size and then some.</summary>
    private const int ReadBufferSize = 64 * 1024;

    /// <summary>
    /// Octets read, handed to the loop. The reader waits for the loop's answer
    /// (<see cref="Consumed"/>, <see cref="Backlog"/>) before it touches the
    /// buffer again: DATA handed to handlers aliases it. One per connection,
    /// reused for every read.
    /// </summary>
    private sealed class ReadBatch : Message
    {
        private readonly SemaphoreSlim handled = new(0, 1);
        public byte[] Buffer = [];
        public int Filled, Consumed;
        public Task? Backlog;

        public override void Handle(Http2Connection c)
        {
            (Consumed, Backlog) = c.Feed(Buffer, Filled);
            handled.Release();
        }

        public override void Drop()
        {
            Consumed = Filled;
            handled.Release();
        }

        /// <summary>Posts the batch and waits for the loop's answer (at once when the idle loop ran on this thread).</summary>
        public async ValueTask<bool> SendAsync(Http2Connection c)
        {
            if (!c.Post(this)) return false;
            await handled.WaitAsync().ConfigureAwait(false);
            return true;
        }
    }

    /// <summary>
    /// Reads the client's octets and hands them to the loop. While nothing is
    /// left over from the last read, the reader waits for data with a
    /// zero-byte read and holds no buffer: an idle connection costs no read
    /// memory (64 KiB each otherwise, the most of what an idle connection
    /// held). The buffer is rented from the shared pool when data is there.
    /// </summary>
    private async Task ReadLoopAsync(ReadOnlyMemory<byte> first)
    {
        var batch = new ReadBatch();
        byte[]? buffer = null;
        var filled = 0;
        try
        {
            if (!first.IsEmpty)
            {
                buffer = Rent(Math.Max(ReadBufferSize, first.Length));
                first.CopyTo(buffer);
                filled = first.Length;
            }
            while (true)
            {
                if (filled > 0)
                {
                    (batch.Buffer, batch.Filled) = (buffer!, filled);
                    if (!await batch.SendAsync(this).ConfigureAwait(false)) return;
                    buffer.AsSpan(batch.Consumed, filled - batch.Consumed).CopyTo(buffer);
                    filled -= batch.Consumed;
                    if (filled == buffer!.Length) buffer = Grow(buffer, filled); // one frame larger than the buffer
                    if (batch.Backlog is { } backlog && !await WaitForBacklogAsync(backlog).ConfigureAwait(false)) return;
                }
                if (filled == 0)
                {
                    Return(ref buffer);
                    var wait = transport.ReadAsync(Memory<byte>.Empty);
                    if (!wait.IsCompleted) await wait.ConfigureAwait(false);
                    else wait.GetAwaiter().GetResult();
                    buffer = Rent(ReadBufferSize);
                }
                var n = await transport.ReadAsync(buffer.AsMemory(filled)).ConfigureAwait(false);
                if (n == 0) return;
                filled += n;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // the transport is gone: the connection ends below
        }
        finally
        {
            Return(ref buffer);
            Post(Message.ReaderEnded.Instance);
        }
    }

    /// <summary>
    /// The client is not reading its responses: stop reading its requests too
    /// (CVE-2019-9517). One that reads nothing for the idle timeout is dropped.
    /// </summary>
    private async Task<bool> WaitForBacklogAsync(Task backlog)
    {
        try
        {
            await backlog.WaitAsync(options.IdleTimeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            log.LogDebug("{Client}: not reading its responses; closing", client);
            Abort();
            return false;
        }
    }

    private byte[] Rent(int size)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(size);
        Volatile.Write(ref readBufferOctets, buffer.Length);
        return buffer;
    }

    private byte[] Grow(byte[] buffer, int filled)
    {
        var bigger = Rent(buffer.Length * 2);
        buffer.AsSpan(0, filled).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(buffer);
        return bigger;
    }

    private void Return(ref byte[]? buffer)
    {
        if (buffer is null) return;
        Volatile.Write(ref readBufferOctets, 0);
        ArrayPool<byte>.Shared.Return(buffer);
        buffer = null;
    }

    /// <summary>
    /// Feeds received octets to the core and delivers what it says; returns
    /// how many octets it consumed, and, when the output queue is at its
    /// bound, a task that completes when the writer has brought it back under.
    /// Once the core has closed, octets are dropped: the peer's side is
    /// drained until it closes or the close of the transport ends it.
    /// </summary>
    private (int Consumed, Task? Backlog) Feed(byte[] buffer, int filled)
    {
        if (closeRequested || finished) return (filled, null);
        FlushDeferred();
        receivedAt = Stopwatch.GetTimestamp(); // after the read: no later than any request it brought was received
        GiveDate();
        var r = Connection.Receive(state, buffer.AsMemory(0, filled), Stopwatch.GetElapsedTime(Epoch, receivedAt)); // Now, from the clock read above
        state = r.State;
        frameLog?.Received(buffer.AsMemory(0, r.Consumed));
        Apply(r.Outputs);
        Dispatch(); // handlers see DATA that aliases the buffer: before it is reused
        return (r.Consumed, OutputBacklog());
    }

    /// <summary>
    /// Null when the queued output is under <see cref="QueueLimit"/> (the
    /// connection's share of the bounds), else a task that completes when the
    /// writer has brought it back under (or the connection ended). CVE-2019-9517:
    /// a client that sends requests but does not read the answers must not
    /// make us queue without bound.
    /// </summary>
    private Task? OutputBacklog()
    {
        if (output.Queued < QueueLimit) return null;
        drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return drained.Task;
    }

    private TaskCompletionSource? drained;

    /// <summary>When the octets being fed were read (a <see cref="Stopwatch"/> timestamp): each request's <see cref="RequestHandler.ReceivedAt"/>.</summary>
    private long receivedAt;
}
