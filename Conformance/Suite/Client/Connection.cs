using System.Net.Security;
using System.Net.Sockets;
using System.Threading.Channels;
using Conformance.Suite.Model;

namespace Conformance.Suite.Client;

/// <summary>
/// One client connection to the target: writes octets, and a reader loop that
/// turns what arrives into <see cref="Event"/>s (frames, then one
/// <see cref="Closed"/>). The effectful edge of the suite; all judging is done
/// on the events by <see cref="Reaction.Judge"/>.
/// </summary>
public sealed class Connection : IAsyncDisposable
{
    readonly TcpClient tcp;
    readonly Stream stream;
    readonly Channel<Event> events = Channel.CreateUnbounded<Event>(new() { SingleReader = true });
    readonly CancellationTokenSource stop = new();
    readonly Task reader;
    int closed;

    Connection(TcpClient tcp, Stream stream)
    {
        this.tcp = tcp;
        this.stream = stream;
        reader = Task.Run(ReadLoop);
    }

    /// <summary>The events in arrival order.</summary>
    public ChannelReader<Event> Events => events.Reader;

    /// <summary>Connects (and for TLS negotiates "h2" by ALPN, RFC 9113 §3.2).</summary>
    public static async Task<Connection> OpenAsync(Target target, CancellationToken ct)
    {
        // an address literal skips name resolution (which blocks a pool thread per call on Linux)
        var literal = System.Net.IPAddress.TryParse(target.Host.Trim('[', ']'), out var address);
        var tcp = literal ? new TcpClient(address!.AddressFamily) { NoDelay = true } : new TcpClient { NoDelay = true };
        try
        {
            if (literal) await tcp.ConnectAsync(address!, target.Port, ct);
            else await tcp.ConnectAsync(target.Host, target.Port, ct);
            Stream s = tcp.GetStream();
            if (target.Tls)
            {
                var ssl = new SslStream(s, false);
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = target.Host,
                    ApplicationProtocols = [SslApplicationProtocol.Http2],
                    RemoteCertificateValidationCallback = target.Insecure ? (_, _, _, _) => true : null,
                }, ct);
                if (ssl.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
                    throw new IOException($"TLS peer did not select ALPN \"h2\" (got \"{ssl.NegotiatedApplicationProtocol}\")");
                s = ssl;
            }
            return new Connection(tcp, s);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Writes octets; a failed write ends the connection (reported as <see cref="Closed"/>) rather than throwing.</summary>
    public async Task SendAsync(byte[] octets, CancellationToken ct)
    {
        if (Volatile.Read(ref closed) != 0) return;
        try
        {
            await stream.WriteAsync(octets, ct);
            await stream.FlushAsync(ct);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Close($"write failed: {e.GetBaseException().Message}");
        }
    }

    async Task ReadLoop()
    {
        var buffer = new byte[1 << 20];
        var filled = 0;
        var frames = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                var n = await stream.ReadAsync(buffer.AsMemory(filled), stop.Token);
                if (n == 0)
                {
                    // octets that never made a whole frame are reported, not dropped
                    if (filled > 0) events.Writer.TryWrite(new NotFrames(Wire.Truncation(buffer.AsSpan(0, filled)), buffer[..filled]));
                    Close("end of stream");
                    return;
                }
                filled += n;
                if (frames == 0 && Wire.NotAFirstFrame(buffer.AsSpan(0, filled)) is { } why)
                {
                    events.Writer.TryWrite(new NotFrames(why, buffer[..filled]));
                    Close("the client stopped reading: the target does not speak HTTP/2");
                    return;
                }
                var offset = 0;
                while (true)
                {
                    var next = Wire.TryRead(buffer.AsSpan(offset, filled - offset));
                    if (next.IsNone) break;
                    foreach (var (frame, consumed) in next)
                    {
                        events.Writer.TryWrite(new Received(frame));
                        offset += consumed;
                        frames++;
                    }
                }
                Buffer.BlockCopy(buffer, offset, buffer, 0, filled - offset);
                filled -= offset;
            }
        }
        catch (OperationCanceledException) { Close("closed by the client"); }
        catch (Exception e) { Close(e.GetBaseException().Message); }
    }

    void Close(string how)
    {
        if (Interlocked.Exchange(ref closed, 1) != 0) return;
        events.Writer.TryWrite(new Closed(how));
        events.Writer.TryComplete();
    }

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        try { tcp.Client.Shutdown(SocketShutdown.Both); } catch (Exception) { /* already gone */ }
        tcp.Dispose();
        try { await reader; } catch (Exception) { /* reported as Closed */ }
        stop.Dispose();
    }
}
