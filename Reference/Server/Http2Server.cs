using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Http2.Reference.Server;

/// <summary>
/// The HTTP/2 server (the seed's <c>HTTP2Server</c>): listens on an address,
/// speaks HTTP/2 over TLS (ALPN "h2") or cleartext with prior knowledge, and
/// hands each request to a new <see cref="RequestHandler"/> from the factory.
/// The protocol itself is decided by the pure core (<c>Reference.Protocol</c>);
/// this class and <see cref="Http2Connection"/> only move bytes, run timers
/// and call handlers.
/// </summary>
public sealed class Http2Server : IAsyncDisposable
{
    private readonly IPEndPoint requested;
    private readonly Func<RequestHandler> factory;
    private readonly ConcurrentDictionary<Http2Connection, byte> connections = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly OutputShare outputShare;
    private readonly ILogger log;
    private Socket? listener;
    private Task? acceptLoop;
    private int started;

    /// <summary>
    /// A server for <paramref name="host"/>:<paramref name="port"/> (any
    /// address when <paramref name="host"/> is null; port 0 picks a free
    /// port, see <see cref="LocalEndPoint"/>).
    /// </summary>
    /// <param name="host">An IP address or a host name; null for every address.</param>
    /// <param name="port">The TCP port; 0 for an ephemeral one.</param>
    /// <param name="handlerFactory">Makes the handler of each new stream (the seed's RequestHandlerClass).</param>
    /// <param name="tls">TLS settings; null for cleartext HTTP/2 with prior knowledge.</param>
    /// <param name="options">Limits, timeouts and logging; null for the defaults.</param>
    public Http2Server(string? host, int port, Func<RequestHandler> handlerFactory, TlsOptions? tls = null, ServerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(handlerFactory);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        requested = new IPEndPoint(Resolve(host), port);
        factory = handlerFactory;
        Tls = tls;
        Options = options ?? ServerOptions.Default;
        outputShare = new OutputShare(Options.MaxQueuedOutputTotal);
        log = Options.LoggerFactory.CreateLogger("Http2.Reference.Server");
    }

    /// <summary>A server whose handlers are <typeparamref name="THandler"/> made with its parameterless constructor.</summary>
    public static Http2Server Create<THandler>(string? host, int port, TlsOptions? tls = null, ServerOptions? options = null)
        where THandler : RequestHandler, new() => new(host, port, () => new THandler(), tls, options);

    /// <summary>The TLS settings, or null for cleartext.</summary>
    public TlsOptions? Tls { get; }

    /// <summary>The options in force.</summary>
    public ServerOptions Options { get; }

    /// <summary>The address actually bound (with the real port when 0 was asked); null before <see cref="Start"/>.</summary>
    public IPEndPoint? LocalEndPoint => listener?.LocalEndPoint as IPEndPoint;

    /// <summary>Connections currently open.</summary>
    /// <remarks>
    /// Counts those not yet completed: a closed connection leaves the table just after its
    /// <c>Completion</c>, and <see cref="StopAsync"/> (which awaits the completions) could
    /// otherwise return while it still counted one.
    /// </remarks>
    public int ConnectionCount => connections.Keys.Count(c => !c.Completion.IsCompleted);

    /// <summary>The connections currently open (tests look at their buffers).</summary>
    internal IReadOnlyList<Http2Connection> Connections => [.. connections.Keys];

    /// <summary>Binds and starts accepting connections; returns at once.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref started, 1) != 0) throw new InvalidOperationException("the server was already started");
        var socket = new Socket(requested.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (requested.Address.Equals(IPAddress.IPv6Any)) socket.DualMode = true;
        socket.Bind(requested);
        socket.Listen(512);
        listener = socket;
        log.LogInformation("listening on {Scheme}://{EndPoint}", Tls is null ? "http" : "https", LocalEndPoint);
        acceptLoop = AcceptLoopAsync(socket);
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled, then stops gracefully (5 s at most).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (listener is null) Start();
        try { await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
    }

    /// <summary>Serves until the process ends (the seed's <c>serve_forever</c>).</summary>
    public void ServeForever() => RunAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>
    /// Graceful stop: no new connections; every connection gets GOAWAY
    /// (RFC 9113 §6.8) so clients start no new streams, the streams already
    /// started run to completion, and each connection closes when it has
    /// none left. Connections still busy after <paramref name="timeout"/> are
    /// closed (their streams see INTERNAL_ERROR).
    /// </summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (!stopping.IsCancellationRequested) stopping.Cancel();
        listener?.Dispose();
        if (acceptLoop is not null) await acceptLoop.ConfigureAwait(false);
        var all = connections.Keys.ToArray();
        foreach (var c in all) c.Shutdown();
        var done = AllClosedAsync(all);
        if (await Task.WhenAny(done, Task.Delay(timeout)).ConfigureAwait(false) != done)
        {
            foreach (var c in connections.Keys) c.Abort();
            await Task.WhenAny(done, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        }
    }

    private async Task AllClosedAsync(Http2Connection[] all)
    {
        await Task.WhenAll(all.Select(c => c.Completion)).ConfigureAwait(false);
        // A connection set up while the snapshot was taken is not in it, but it saw the stop and
        // shut itself down (ServeConnectionAsync checks after adding it): wait for those too.
        await Task.WhenAll(connections.Keys.Select(c => c.Completion)).ConfigureAwait(false);
    }

    /// <summary>Stops with a 5 s grace period.</summary>
    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);

    private async Task AcceptLoopAsync(Socket socket)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try { client = await socket.AcceptAsync(stopping.Token).ConfigureAwait(false); }
            catch (OperationCanceledException) { break; }
            catch (ObjectDisposedException) { break; }
            catch (SocketException e) when (!stopping.IsCancellationRequested)
            {
                log.LogWarning("accept failed: {Error}", e.SocketErrorCode);
                continue;
            }
            catch (SocketException) { break; }
            if (connections.Count >= Options.MaxConnections) { client.Dispose(); continue; }
            _ = ServeConnectionAsync(client);
        }
    }

    private async Task ServeConnectionAsync(Socket socket)
    {
        socket.NoDelay = true; // frames are coalesced by the writer; Nagle would only add delay
        var client = socket.RemoteEndPoint as IPEndPoint;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            string? inadequate = null;
            ReadOnlyMemory<byte> first = default;
            if (Tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token))
                {
                    handshake.CancelAfter(Options.HandshakeTimeout);
                    await ssl.AuthenticateAsServerAsync(Tls.ForHandshake(), handshake.Token).ConfigureAwait(false);
                }
                if (ssl.NegotiatedApplicationProtocol != SslApplicationProtocol.Http2)
                {
                    // RFC 9113 §3.2: "h2" must be selected; we have no other protocol to offer.
                    log.LogDebug("{Client}: ALPN did not select h2; closing", client);
                    return;
                }
                inadequate = TlsPolicy.Inadequacy(ssl.SslProtocol, ssl.NegotiatedCipherSuite);
            }
            else
            {
                var sniff = await SniffAsync(stream, socket, client).ConfigureAwait(false);
                if (sniff is null) return;
                first = sniff.Value;
            }
            var connection = new Http2Connection(stream, socket, client, factory, Options, Tls is not null, outputShare);
            connections.TryAdd(connection, 0);
            outputShare.Enter();
            try
            {
                if (stopping.IsCancellationRequested) connection.Shutdown();
                await connection.RunAsync(first, inadequate).ConfigureAwait(false);
            }
            finally
            {
                outputShare.Leave();
                connections.TryRemove(connection, out _);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException
                                      or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            log.LogDebug("{Client}: {Error}", client, e.Message);
        }
        catch (Exception e)
        {
            log.LogError(e, "{Client}: connection failed", client);
        }
        finally
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Reads the first octets of a cleartext connection: returns them when they
    /// may be HTTP/2 (the core checks the preface, and answers anything else
    /// with GOAWAY(PROTOCOL_ERROR), RFC 9113 §3.4), or null after refusing an
    /// HTTP/1.x request line with a 505 (or closing on silence).
    /// </summary>
    private async Task<ReadOnlyMemory<byte>?> SniffAsync(Stream stream, Socket socket, IPEndPoint? client)
    {
        var buffer = new byte[CleartextPreface.Preface.Length];
        var filled = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        timeout.CancelAfter(Options.PrefaceTimeout);
        while (true)
        {
            var kind = CleartextPreface.Classify(buffer.AsSpan(0, filled));
            if (kind == Opening.Http1)
            {
                log.LogDebug("{Client}: HTTP/1.x request on the cleartext port; refused", client);
                await stream.WriteAsync(CleartextPreface.Refusal, timeout.Token).ConfigureAwait(false);
                await stream.FlushAsync(timeout.Token).ConfigureAwait(false);
                await LingerAsync(stream, socket).ConfigureAwait(false);
                return null;
            }
            if (kind != Opening.NeedMore) return buffer.AsMemory(0, filled);
            if (filled == buffer.Length) Array.Resize(ref buffer, Math.Min(buffer.Length * 4, CleartextPreface.MaxRequestLine));
            var n = await stream.ReadAsync(buffer.AsMemory(filled), timeout.Token).ConfigureAwait(false);
            if (n == 0) return null;
            filled += n;
        }
    }

    /// <summary>
    /// After the 505 (which says <c>Connection: close</c>), close the way
    /// RFC 9112 §9.6 asks: half-close, then read and discard what the client
    /// still sends (the rest of its request and its body) until it closes,
    /// so that a client still writing a body does not get a reset that
    /// destroys the response before it reads it. Bounded by time and octets.
    /// </summary>
    private static async Task LingerAsync(Stream stream, Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
            using var linger = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var sink = new byte[4096];
            for (var total = 0; total < 1 << 20;)
            {
                var n = await stream.ReadAsync(sink, linger.Token).ConfigureAwait(false);
                if (n == 0) break;
                total += n;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
    }

    private static IPAddress Resolve(string? host) =>
        host switch
        {
            null or "" or "*" => IPAddress.IPv6Any,
            "localhost" => IPAddress.Loopback,
            _ when IPAddress.TryParse(host, out var ip) => ip,
            _ => Dns.GetHostAddresses(host).OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).First(),
        };
}
