using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Conformance.Stress;

/// <summary>
/// What the server sent back over the attack connections of one attack:
/// frames by type, GOAWAY and RST_STREAM codes, how connections ended.
/// Thread-safe; every connection of an attack feeds the same tally.
/// </summary>
public sealed class Tally
{
    private readonly ConcurrentDictionary<string, long> counts = new();
    private long opened, closedByServer, framesSent, bytesSent;

    /// <summary>Counts one event under a name (e.g. "GOAWAY ENHANCE_YOUR_CALM").</summary>
    public void Add(string what, long n = 1) => counts.AddOrUpdate(what, n, (_, v) => v + n);

    /// <summary>A connection was opened.</summary>
    public void Opened() => Interlocked.Increment(ref opened);

    /// <summary>The server closed (FIN or reset) a connection we had not closed.</summary>
    public void ClosedByServer() => Interlocked.Increment(ref closedByServer);

    /// <summary>Frames and octets written by the attacker.</summary>
    public void Sent(int frames, int bytes)
    {
        Interlocked.Add(ref framesSent, frames);
        Interlocked.Add(ref bytesSent, bytes);
    }

    /// <summary>A count by name, 0 when absent.</summary>
    public long Count(string what) => counts.TryGetValue(what, out var v) ? v : 0;

    /// <summary>Frozen view for the report.</summary>
    public Reaction Freeze() => new(
        counts.OrderByDescending(kv => Weight(kv.Key)).ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (kv.Key, kv.Value)).ToArray(),
        Interlocked.Read(ref opened), Interlocked.Read(ref closedByServer),
        Interlocked.Read(ref framesSent), Interlocked.Read(ref bytesSent));

    // GOAWAY and RST_STREAM first: they are the defence; routine frames last.
    private static int Weight(string key) =>
        key.StartsWith("GOAWAY", StringComparison.Ordinal) ? 3
        : key.StartsWith("RST_STREAM", StringComparison.Ordinal) ? 2
        : key.StartsWith("frame", StringComparison.Ordinal) ? 0 : 1;
}

/// <summary>The server's reaction to one attack, as counted by <see cref="Tally"/>.</summary>
public sealed record Reaction(
    (string What, long Count)[] Received,
    long ConnectionsOpened,
    long ConnectionsClosedByServer,
    long FramesSent,
    long BytesSent)
{
    /// <summary>One line: the defensive frames first, then the connection fate.</summary>
    public string Summary()
    {
        var parts = Received
            .Where(r => !r.What.StartsWith("frame ", StringComparison.Ordinal) || r.What is "frame HEADERS")
            .Select(r => r.What switch
            {
                "DATA octets" or "connections held" => $"{r.Count} {r.What}",
                _ => r.Count == 1 ? r.What : $"{r.What} x{r.Count}",
            })
            .ToList();
        parts.Add($"closed {ConnectionsClosedByServer}/{ConnectionsOpened} conns");
        return string.Join("; ", parts);
    }
}

/// <summary>
/// One raw TCP connection to the target: the attacker writes whatever octets
/// it likes; an optional background reader parses the frames the server
/// sends back (RFC 9113 §4.1 header, then GOAWAY/RST_STREAM codes) into a
/// <see cref="Tally"/>.
/// </summary>
public sealed class RawConnection : IAsyncDisposable
{
    private readonly Socket socket;
    private readonly Tally tally;
    private readonly CancellationTokenSource stop = new();
    private Task reader = Task.CompletedTask;
    private volatile bool closedByServer, disposed;

    private RawConnection(Socket socket, Tally tally)
    {
        this.socket = socket;
        this.tally = tally;
    }

    /// <summary>True once the server closed or reset the connection (seen by a read or a write).</summary>
    public bool Closed => closedByServer;

    /// <summary>Highest stream id the server named in a GOAWAY, when one came.</summary>
    public uint? GoAwayLastStream { get; private set; }

    /// <summary>Streams the server answered with HEADERS.</summary>
    public int ResponseHeaders => responseHeaders;
    private int responseHeaders;

    /// <summary>Connects within <paramref name="timeout"/>; a small receive buffer makes
    /// "the client does not read" bite quickly.</summary>
    public static async Task<RawConnection> ConnectAsync(IPEndPoint endpoint, Tally tally, TimeSpan timeout, int receiveBuffer = 0)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBuffer > 0) socket.ReceiveBufferSize = receiveBuffer;
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await socket.ConnectAsync(endpoint, cts.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        tally.Opened();
        return new RawConnection(socket, tally);
    }

    /// <summary>Starts the background reader (for attacks that read).</summary>
    public RawConnection StartReading()
    {
        reader = Task.Run(() => ReadLoop(stop.Token));
        return this;
    }

    /// <summary>Reads and tallies for at most <paramref name="window"/> (for attacks that did not read
    /// while attacking: what had the server queued, did it give up on us?).</summary>
    public async Task DrainAsync(TimeSpan window)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        cts.CancelAfter(window);
        await ReadLoop(cts.Token);
    }

    /// <summary>Writes a batch; false when the server has closed the connection
    /// or the write did not finish before <paramref name="ct"/> fired (a server that stopped reading).</summary>
    public async Task<bool> SendAsync(FrameBatch batch, CancellationToken ct)
    {
        if (closedByServer || disposed) return false;
        try
        {
            var m = batch.Memory;
            while (!m.IsEmpty)
            {
                var n = await socket.SendAsync(m, SocketFlags.None, ct);
                m = m[n..];
            }
            tally.Sent(batch.Frames, batch.Length);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (SocketException)
        {
            MarkClosed();
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Waits until the server closes the connection or the time is up.</summary>
    public async Task WaitClosedAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!closedByServer && DateTime.UtcNow < until) await Task.Delay(20);
    }

    private void MarkClosed()
    {
        if (closedByServer || disposed) return;
        closedByServer = true;
        tally.ClosedByServer();
    }

    private async Task ReadLoop(CancellationToken ct)
    {
        var buf = new byte[256 * 1024];
        var have = 0;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (have == buf.Length) have = 0; // a frame larger than we keep: skip its bytes blindly
                var n = await socket.ReceiveAsync(buf.AsMemory(have), SocketFlags.None, ct);
                if (n == 0)
                {
                    MarkClosed();
                    return;
                }
                have += n;
                var used = Parse(buf.AsSpan(0, have));
                Buffer.BlockCopy(buf, used, buf, 0, have - used);
                have -= used;
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { MarkClosed(); }
        catch (ObjectDisposedException) { }
    }

    // Consumes whole frames from the front of span; returns octets used.
    private int Parse(ReadOnlySpan<byte> span)
    {
        var used = 0;
        while (span.Length - used >= 9)
        {
            var h = span[used..];
            var length = (h[0] << 16) | (h[1] << 8) | h[2];
            var type = h[3];
            var flags = h[4];
            var stream = BinaryPrimitives.ReadUInt32BigEndian(h[5..]) & 0x7fffffff;
            if (span.Length - used < 9 + length)
            {
                // DATA can be large: count it from its header and drop it once fully read.
                break;
            }
            var payload = h.Slice(9, length);
            switch (type)
            {
                case Wire.GoAway when length >= 8:
                    GoAwayLastStream = BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7fffffff;
                    tally.Add($"GOAWAY {Wire.ErrorName(BinaryPrimitives.ReadUInt32BigEndian(payload[4..]))}");
                    break;
                case Wire.RstStream when length == 4:
                    tally.Add($"RST_STREAM {Wire.ErrorName(BinaryPrimitives.ReadUInt32BigEndian(payload))}");
                    break;
                case Wire.Headers:
                    Interlocked.Increment(ref responseHeaders);
                    tally.Add("frame HEADERS");
                    break;
                case Wire.Data:
                    tally.Add("frame DATA");
                    tally.Add("DATA octets", length);
                    break;
                case Wire.Settings:
                    tally.Add((flags & Wire.Ack) != 0 ? "frame SETTINGS ACK" : "frame SETTINGS");
                    break;
                case Wire.Ping:
                    tally.Add((flags & Wire.Ack) != 0 ? "frame PING ACK" : "frame PING");
                    break;
                default:
                    tally.Add($"frame {Wire.TypeName(type)}");
                    break;
            }
            _ = stream;
            used += 9 + length;
        }
        return used;
    }

    /// <summary>Closes our side (an abortive close, so no TIME_WAIT pile-up across attacks).</summary>
    public async ValueTask DisposeAsync()
    {
        if (disposed) return;
        disposed = true;
        stop.Cancel();
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException) { }
        socket.Dispose();
        try
        {
            await reader.WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (TimeoutException) { }
        stop.Dispose();
    }
}
