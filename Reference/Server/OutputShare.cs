namespace Http2.Reference.Server;

/// <summary>
/// The server-wide bound on response octets queued for sockets
/// (<see cref="ServerOptions.MaxQueuedOutputTotal"/>). Each connection may
/// queue its share of it, the total divided by the connections open, but
/// never more than <see cref="ServerOptions.MaxQueuedOutput"/> nor less than
/// <see cref="MinShare"/>. A few busy connections get the full per-connection
/// bound; many clients that do not read (CVE-2019-9517 at the server's scale)
/// cost the total, not the per-connection bound each. A connection whose
/// share shrinks while it holds more simply waits for its writer to drain
/// below the new share: nothing is dropped, and no connection waits on another.
/// </summary>
internal sealed class OutputShare(long total)
{
    /// <summary>The least a connection may queue: two frames of the default size.</summary>
    public const int MinShare = 32 * 1024;

    private int connections;

    public void Enter() => Interlocked.Increment(ref connections);

    public void Leave() => Interlocked.Decrement(ref connections);

    /// <summary>What one connection may queue now, given its own bound <paramref name="perConnection"/>.</summary>
    public int Of(int perConnection)
    {
        var n = Math.Max(1, Volatile.Read(ref connections));
        return (int)Math.Min(perConnection, Math.Max(MinShare, total / n));
    }
}
