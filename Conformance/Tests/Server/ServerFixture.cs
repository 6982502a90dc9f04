using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using Http2.Reference;
using Http2.Reference.Server;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// The demo application plus routes that exercise the handler API
/// (exceptions, double responses, responses from other tasks, deferred
/// bodies, trailers). Every handler records how its stream closed.
/// </summary>
internal sealed class TestHandler : DemoHandler
{
    /// <summary>Per stream path: the codes OnClose saw, and the calls recorded.</summary>
    public static readonly ConcurrentQueue<(string Path, string Event)> Journal = new();

    private readonly System.Text.StringBuilder body = new();

    protected override Task OnHeadersAsync()
    {
        switch (Path)
        {
            case "/test/throw-in-headers":
                throw new InvalidOperationException("handler failure on purpose");
            case "/test/twice":
                SendResponse(200, body: "first");
                try { SendResponse(200, body: "second"); }
                catch (InvalidOperationException e) { Journal.Enqueue((Path, "second: " + e.Message)); }
                return Task.CompletedTask;
            case "/test/background":
                // Answer from another task after the callback returned (the original never flushed this).
                _ = Task.Run(async () =>
                {
                    await Task.Delay(50);
                    SendResponse(200, [("content-type", "text/plain")], "from a background task");
                });
                return Task.CompletedTask;
            case "/test/deferred":
            {
                var parts = new Queue<string>(["one ", "two ", "three"]);
                var ready = false;
                var body = ResponseBody.FromPull(buffer =>
                {
                    if (!Volatile.Read(ref ready)) return ResponseBody.NotYet;
                    Volatile.Write(ref ready, false);
                    if (parts.Count == 0) return 0;
                    var n = System.Text.Encoding.UTF8.GetBytes(parts.Dequeue(), buffer);
                    if (parts.Count > 0) _ = Task.Delay(20).ContinueWith(_ => { Volatile.Write(ref ready, true); Resume(); });
                    else Volatile.Write(ref ready, true);
                    return n;
                });
                SendResponse(200, body: body);
                _ = Task.Delay(20).ContinueWith(_ => { Volatile.Write(ref ready, true); Resume(); });
                return Task.CompletedTask;
            }
            case var p when p.StartsWith("/test/stream-bytes/", StringComparison.Ordinal):
                // N pseudo-random octets (seeded by N) from a stream: read into the server's pooled buffers.
                SendResponse(200, body: ResponseBody.FromStream(new MemoryStream(StreamOctets(int.Parse(p.AsSpan(19), System.Globalization.CultureInfo.InvariantCulture)))));
                return Task.CompletedTask;
            case "/test/client":
                SendResponse(200, body: ClientAddress is { } peer ? $"{peer.Address} {peer.Port}" : "none");
                return Task.CompletedTask;
            case "/test/small-segments":
                // A small body of known length in two segments: both go, END_STREAM after the second.
                SendResponse(200, body: ResponseBody.FromSegments(["small "u8.ToArray(), "segments"u8.ToArray()], 14));
                return Task.CompletedTask;
            case "/test/trailers":
                SendResponse(200, [("content-type", "text/plain")], "with trailers", trailers: [("x-checksum", "42")]);
                return Task.CompletedTask;
            case "/test/push-refused":
            {
                var push = Push("/css/style.css", body: "x");
                SendResponse(200, body: push.Pushed ? "pushed" : "push failed: " + push.Reason);
                return Task.CompletedTask;
            }
            case "/test/async-slow":
                return SlowAsync();
            case var p when p.StartsWith("/test/later-bytes/", StringComparison.Ordinal):
                // N octets answered from another task 100 ms later: after the read loop went back to reading.
                var n = long.Parse(p.AsSpan(18, p.IndexOf('?') is var q and > 0 ? q - 18 : p.Length - 18), System.Globalization.CultureInfo.InvariantCulture);
                _ = Task.Run(async () =>
                {
                    await Task.Delay(100);
                    SendResponse(200, body: ResponseBody.FromSegments(Zeros(n), n));
                });
                return Task.CompletedTask;
            default:
                return base.OnHeadersAsync();
        }
    }

    private static readonly byte[] ZeroRun = new byte[64 * 1024];

    /// <summary>N zero octets as slices of one shared array (never N octets held).</summary>
    private static IEnumerable<ReadOnlyMemory<byte>> Zeros(long n)
    {
        for (long left = n; left > 0; left -= ZeroRun.Length)
            yield return ZeroRun.AsMemory(0, (int)Math.Min(left, ZeroRun.Length));
    }

    private async Task SlowAsync()
    {
        await Task.Delay(300);
        SendResponse(200, body: "slow");
    }

    protected override void OnData(ReadOnlyMemory<byte> chunk)
    {
        base.OnData(chunk);
        if (Path == "/test/headers") body.Append(System.Text.Encoding.UTF8.GetString(chunk.Span));
    }

    protected override void OnRequestDone()
    {
        Journal.Enqueue((Path, "done"));
        if (Path == "/test/headers")
        {
            var lines = string.Join("\n", Headers.Select(f => $"{f.NameText}: {f.ValueText}"));
            SendResponse(200, body: $"{Scheme} {Method} {Host} {Path}\n{lines}\n");
            return;
        }
        if (Path.StartsWith("/test/", StringComparison.Ordinal)) return;
        base.OnRequestDone();
    }

    protected override void OnClose(ErrorCode error) => Journal.Enqueue((Path, "close " + error.Name));

    public static bool Saw(string path, string ev) => Journal.Any(j => j.Path == path && j.Event == ev);

    /// <summary>The octets of /test/stream-bytes/N.</summary>
    public static byte[] StreamOctets(int length)
    {
        var octets = new byte[length];
        new Random(length).NextBytes(octets);
        return octets;
    }
}

/// <summary>An h2c and a TLS reference server on loopback (ephemeral ports) running one handler, started and stopped with the fixture.</summary>
public abstract class ServerPair(Func<RequestHandler> handler, ServerOptions options) : IAsyncLifetime
{
    public Http2Server Cleartext { get; } = new("127.0.0.1", 0, handler, null, options);
    public Http2Server Secure { get; } = new("127.0.0.1", 0, handler, TlsOptions.SelfSigned(), options);

    public string H2c => $"http://127.0.0.1:{Cleartext.LocalEndPoint!.Port}";
    public string H2 => $"https://127.0.0.1:{Secure.LocalEndPoint!.Port}";
    public string Base(bool tls) => tls ? H2 : H2c;

    public ValueTask InitializeAsync()
    {
        Cleartext.Start();
        Secure.Start();
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await Cleartext.StopAsync(TimeSpan.FromSeconds(2));
        await Secure.StopAsync(TimeSpan.FromSeconds(2));
    }
}

/// <summary>One cleartext (h2c) and one TLS reference server on loopback, ephemeral ports, shared by the Server tests.</summary>
public sealed class ServerFixture() : ServerPair(() => new TestHandler(), Quiet)
{
    public static ServerOptions Quiet => ServerOptions.Default with { AccessLog = false };

    /// <summary>An HttpClient that speaks HTTP/2 only: prior knowledge on http://, ALPN h2 on https:// (self-signed accepted).</summary>
    public static HttpClient Http2Client() => new(new SocketsHttpHandler
    {
        SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    })
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        Timeout = TimeSpan.FromSeconds(20),
    };
}

[CollectionDefinition("servers")]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>;
