using System.Net.Sockets;

namespace Http2.Reference.Server;

/// <summary>
/// A connection's frames on their way to the socket: the loop encodes frames
/// into <see cref="Pending"/>; when it hands them over (<see cref="TryStart"/>)
/// one write sends them while the next ones fill the other buffer, so frames
/// coalesce into large writes. The end of each write comes back to the loop
/// as a message. Only the loop calls this class; the write itself runs on.
/// An empty buffer holds no array: an idle connection holds no output memory.
/// </summary>
internal sealed class OutputWriter(Stream transport, TimeSpan idleTimeout, Func<OutputWriter.Written, bool> report, Socket? gatherTo = null) : IDisposable
{
    /// <summary>
    /// Whether buffers may reference octets instead of copying them
    /// (<see cref="OutputBuffer.Reference"/>): the transport is a socket's own
    /// stream, so a batch leaves in one gathering write (sendmsg with the frame
    /// headers and the payloads where they are). Not over TLS, which encrypts
    /// everything anyway.
    /// </summary>
    public bool Gathers => gatherTo is not null;

    private OutputBuffer pending = new(), writing = new();
    private int inFlight; // octets of the write in progress (0: none)
    private int turn;
    private bool active, disposed;

    /// <summary>The end of a write, as the loop receives it: <see cref="Error"/> null when all was sent.</summary>
    internal sealed record Written(int Octets, Exception? Error);

    /// <summary>Where the loop encodes frames.</summary>
    public OutputBuffer Pending => pending;

    /// <summary>Octets queued for the socket: being written plus waiting.</summary>
    public int Queued => pending.Length + inFlight;

    /// <summary>Octets of the pooled arrays held (0 while idle).</summary>
    public int HeldOctets => pending.Capacity + writing.Capacity;

    /// <summary>A write is in progress or output waits.</summary>
    public bool Busy => active || pending.Length > 0;

    /// <summary>The transport refused a write: nothing queued will be sent.</summary>
    public bool Failed { get; private set; }

    /// <summary>Starts writing what is pending, unless a write is in progress or nothing is pending; true when it started.</summary>
    public bool TryStart()
    {
        if (active || Failed || disposed || pending.Length == 0) return false;
        (pending, writing) = (writing, pending);
        active = true;
        inFlight = writing.Length;
        _ = WriteAsync(writing);
        return true;
    }

    /// <summary>The loop received the end of a write: the buffer is free again.</summary>
    public void Completed(Written written)
    {
        active = false;
        inFlight = 0;
        if (written.Error is not null) Failed = true;
        if (disposed) writing.Dispose();
    }

    private async Task WriteAsync(OutputBuffer batch)
    {
        Exception? error = null;
        var size = batch.Length;
        try
        {
            var write = gatherTo is not null ? GatherAsync(batch) : transport.WriteAsync(batch.Written);
            if (write.IsCompleted)
            {
                write.GetAwaiter().GetResult();
                // A socket that takes everything at once would keep the loop writing until the
                // connection's whole backlog is out, while other connections' reads and writes
                // wait in the pool's queue: after a turn's worth of writes, let them run first.
                turn += size;
                if (turn >= TurnBytes)
                {
                    turn = 0;
                    await Task.Yield();
                }
            }
            else
            {
                // The socket is full: a client that reads nothing for the idle timeout is dropped
                // (the reader may be waiting for requests that never come, so this is the only watch).
                await write.AsTask().WaitAsync(idleTimeout).ConfigureAwait(false);
                turn = 0; // the socket made us wait: others ran meanwhile
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException or TimeoutException)
        {
            error = e;
        }
        batch.Clear();
        if (!report(new Written(size, error))) batch.Dispose(); // the loop has ended
    }

    /// <summary>
    /// One gathering write of the whole batch, continued until every octet is sent:
    /// on Linux first directly (<see cref="GatheringSend"/>), and what the socket does
    /// not take at once by the socket's asynchronous send, which waits for room.
    /// </summary>
    private ValueTask GatherAsync(OutputBuffer batch)
    {
        var list = batch.Gather();
        long size = batch.Length;
        if (GatheringSend.Enabled)
        {
            var sent = GatheringSend.Send(gatherTo!, list); // drops what it sent from the list
            if (sent == size) return ValueTask.CompletedTask;
            size -= sent;
        }
        else if (!batch.HasReferences)
        {
            return transport.WriteAsync(batch.Written);
        }
        var send = gatherTo!.SendAsync(list, SocketFlags.None);
        return send.IsCompletedSuccessfully && send.Result == size ? ValueTask.CompletedTask : new ValueTask(RestAsync(send, list, size));
    }

    private async Task RestAsync(Task<int> send, List<ArraySegment<byte>> list, long size)
    {
        for (var sent = await send.ConfigureAwait(false); sent < size; sent = await gatherTo!.SendAsync(list, SocketFlags.None).ConfigureAwait(false))
        {
            if (sent <= 0) throw new IOException("the socket took nothing of a gathering write");
            size -= sent;
            GatheringSend.Drop(list, sent);
        }
    }

    /// <summary>
    /// Octets a writer sends in a row (each write completing at once) before it yields the
    /// thread to other connections. Measured with 64 KiB responses over 16 connections
    /// (h2load -m 32, server on one CPU): without it, p50 2-9 ms but p99 120-430 ms, whole
    /// connections waiting while another wrote its backlog.
    /// </summary>
    private const int TurnBytes = 1024 * 1024;

    /// <summary>The connection ended: arrays go back to the pool (the one being written, when its write ends).</summary>
    public void Dispose()
    {
        disposed = true;
        pending.Dispose();
        if (!active) writing.Dispose();
    }
}
