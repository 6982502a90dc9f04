using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Http2.Reference.Frames;

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

    /// <summary>Keeps the first GOAWAY debug text seen for a code (RFC 9113 §6.8 "Additional Debug Data").</summary>
    public void Debug(string what, string text) => debug.TryAdd(what, text.Length > 80 ? text[..80] : text);
    private readonly ConcurrentDictionary<string, string> debug = new();

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
        debug.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}: \"{kv.Value}\"").ToArray(),
        Interlocked.Read(ref opened), Interlocked.Read(ref closedByServer),
        Interlocked.Read(ref framesSent), Interlocked.Read(ref bytesSent));

    // GOAWAY and RST_STREAM first: they are the defence; routine frames last.
    private static int Weight(string key) =>
        key.StartsWith("GOAWAY", StringComparison.Ordinal) ? 3
        : key.StartsWith("RST_STREAM", StringComparison.Ordinal) || key.StartsWith("HEADERS", StringComparison.Ordinal) ? 2
        : key.StartsWith("frame", StringComparison.Ordinal) ? 0 : 1;
}

/// <summary>The server's reaction to one attack, as counted by <see cref="Tally"/>.</summary>
public sealed record Reaction(
    (string What, long Count)[] Received,
    string[] GoAwayDebug,
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
                var used = Parse(buf.AsMemory(0, have));
                Buffer.BlockCopy(buf, used, buf, 0, have - used);
                have -= used;
            }
        }
        catch (OperationCanceledException) { }
        catch (SocketException) { MarkClosed(); }
        catch (ObjectDisposedException) { }
    }

    // Consumes whole frames from the front of the buffer through the reference reader
    // (RFC 9113 §4.1, §6); returns octets used. A frame the reader rejects is counted
    // and the rest of what the server sends is no longer parsed.
    private int Parse(ReadOnlyMemory<byte> input)
    {
        var used = 0;
        while (!unparseable)
        {
            switch (FrameReader.Read(input[used..], MaxFrameSize))
            {
                case FrameRead { Frame: var frame, Consumed: var n }:
                    Count(frame);
                    used += n;
                    break;
                case ReadFailed { Error: var e }:
                    tally.Add($"bad frame from server: {e}");
                    unparseable = true;
                    return input.Length;
                default:
                    return used;
            }
        }
        return input.Length;
    }

    // We never raise SETTINGS_MAX_FRAME_SIZE (§6.5.2 initial value).
    private const uint MaxFrameSize = 16384;
    private bool unparseable;
    private readonly ResponseBlocks blocks = new();

    private void Count(Frame frame)
    {
        switch (frame)
        {
            case GoAwayFrame g:
                GoAwayLastStream = g.LastStreamId;
                tally.Add($"GOAWAY {g.Error.Name}");
                if (!g.DebugData.IsEmpty) tally.Debug($"GOAWAY {g.Error.Name}", g.DebugData.ToUtf8());
                break;
            case RstStreamFrame r:
                tally.Add($"RST_STREAM {r.Error.Name}");
                break;
            case HeadersFrame or PushPromiseFrame or ContinuationFrame:
                switch (blocks.Feed(frame))
                {
                    case { Push: true }: tally.Add("frame PUSH_PROMISE"); break;
                    case { Error: { } e }: tally.Add($"undecodable header block: {e}"); break;
                    case { Status: { } status }:
                        Interlocked.Increment(ref responseHeaders);
                        tally.Add($"HEADERS :status {status}");
                        break;
                    case not null: tally.Add("frame HEADERS"); break;
                }
                break;
            case DataFrame d:
                tally.Add("frame DATA");
                tally.Add("DATA octets", d.FlowControlledLength);
                break;
            case SettingsFrame s:
                tally.Add(s.Ack ? "frame SETTINGS ACK" : "frame SETTINGS");
                break;
            case PingFrame p:
                tally.Add(p.Ack ? "frame PING ACK" : "frame PING");
                break;
            default:
                tally.Add($"frame {frame.Type.Name}");
                break;
        }
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
