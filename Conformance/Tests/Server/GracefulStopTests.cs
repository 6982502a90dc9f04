using System.Net;
using System.Text.RegularExpressions;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Server;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>StopAsync: GOAWAY, running streams finish, then close (RFC 9113 §6.8).</summary>
public sealed class GracefulStopTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact(DisplayName = "RFC 9113 §6.8: a graceful stop lets every started stream finish (slow async handlers in flight)")]
    public async Task InFlightStreamsFinish()
    {
        var server = new Http2Server("127.0.0.1", 0, () => new TestHandler(), null, ServerFixture.Quiet);
        server.Start();
        using var client = ServerFixture.Http2Client();
        var url = $"http://127.0.0.1:{server.LocalEndPoint!.Port}";
        Assert.Equal(5, (await client.GetStringAsync($"{url}/bytes/5", Ct)).Length); // connection up
        var inFlight = Enumerable.Range(0, 20).Select(_ => client.GetStringAsync($"{url}/delay/1", Ct)).ToArray();
        await Task.Delay(300, Ct); // all 20 HEADERS are in the server, handlers waiting
        var stop = server.StopAsync(TimeSpan.FromSeconds(10));
        var bodies = await Task.WhenAll(inFlight);
        Assert.All(bodies, b => Assert.StartsWith("waited 1 s", b));
        await stop;
        Assert.Equal(0, server.ConnectionCount);
        // New connections are refused once stopped.
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetStringAsync($"{url}/", Ct));
    }

    [Theory(DisplayName = "RFC 9113 §6.8: a graceful stop during load loses no started response (new connections arriving too)")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StopDuringLoad(bool tls)
    {
        var server = new Http2Server("127.0.0.1", 0, () => new TestHandler(), tls ? TlsOptions.SelfSigned() : null, ServerFixture.Quiet);
        server.Start();
        var url = $"{(tls ? "https" : "http")}://127.0.0.1:{server.LocalEndPoint!.Port}/bytes/20000";
        const int Workers = 8;
        var started = 0;
        var completed = 0;
        var warm = 0; // workers that completed a response: the load is on
        var broken = new List<string>();
        using var stopAfter = new CancellationTokenSource();
        // Odd workers open a new connection per request, so connections are being set up
        // (accepted, sniffed, started) when the stop comes; even ones keep one connection.
        async Task Worker(int index)
        {
            using var shared = ServerFixture.Http2Client();
            var fresh = index % 2 == 1;
            var counted = false;
            while (!stopAfter.IsCancellationRequested)
            {
                using var own = fresh ? ServerFixture.Http2Client() : null;
                var client = own ?? shared;
                HttpResponseMessage response;
                try { response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, Ct); }
                // Refused before it started: allowed. A connection the stop closes just after it was
                // accepted can surface from HttpClient's set-up as a bare SocketException (reading the
                // remote end point of a socket already shut down), not wrapped: refused all the same.
                catch (Exception e) when (e is HttpRequestException or System.Net.Sockets.SocketException) { await Task.Delay(5, Ct); continue; }
                using (response)
                {
                    Interlocked.Increment(ref started);
                    try
                    {
                        var body = await response.Content.ReadAsByteArrayAsync(Ct);
                        if (body.Length != 20000) lock (broken) broken.Add($"short body {body.Length}");
                        else
                        {
                            Interlocked.Increment(ref completed);
                            if (!counted) { counted = true; Interlocked.Increment(ref warm); }
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException)
                    {
                        lock (broken) broken.Add(e.Message);
                    }
                }
            }
        }
        var workers = Enumerable.Range(0, Workers).Select(i => Task.Run(() => Worker(i), Ct)).ToArray();
        // Stop once every worker has had an answer, not after a fixed time: on a loaded machine
        // the first answers (JIT, connection set-up) can take longer than any fixed delay, and a
        // stop before the load is on tests nothing. Bounded: 30 s.
        for (var i = 0; i < 3000 && Volatile.Read(ref warm) < Workers; i++) await Task.Delay(10, Ct);
        Assert.True(Volatile.Read(ref warm) == Workers, $"only {warm} of {Workers} workers got an answer in 30 s");
        await Task.Delay(100, Ct); // and some more load
        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await server.StopAsync(TimeSpan.FromSeconds(10));
        var stopTook = stopping.Elapsed;
        var left = server.ConnectionCount;
        stopAfter.CancelAfter(300);
        await Task.WhenAll(workers);
        var report = $"started {started}, completed {completed}, stop took {stopTook}, connections left {left}, broken: {string.Join("; ", broken)}";
        Assert.True(left == 0, report);
        Assert.True(broken.Count == 0, report);
        Assert.True(completed >= Workers, report);
        Assert.True(started == completed, report);
    }

    [Fact(DisplayName = "RFC 9113 §6.8: a stop that reaches a connection before it has started still sends it GOAWAY and closes it")]
    public async Task StopBeforeConnectionStarts()
    {
        // The race StopAsync can meet: a connection accepted and sniffed, but whose core does not
        // exist yet (Http2Connection made, RunAsync not yet run). Its Shutdown was a no-op, so it
        // never got GOAWAY and a stop waited for it until the timeout, then cut its streams.
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint, Ct);
        var accepted = await listener.AcceptSocketAsync(Ct);
        var connection = new Http2Connection(new System.Net.Sockets.NetworkStream(accepted, ownsSocket: true), accepted,
            accepted.RemoteEndPoint as IPEndPoint, () => new TestHandler(), ServerFixture.Quiet, secure: false);
        connection.Shutdown(); // before RunAsync
        var run = connection.RunAsync(default, null);
        var stream = client.GetStream();
        await stream.WriteAsync(CleartextPreface.Preface.ToArray(), Ct);
        await stream.WriteAsync(FrameWriter.ToBytes(new SettingsFrame(false, default)), Ct);
        var frames = await RawSocketTests.ReadFrames(stream, f => f is GoAwayFrame, TimeSpan.FromSeconds(10));
        var goaway = Assert.IsType<GoAwayFrame>(frames[^1]);
        Assert.Equal(ErrorCode.NoError, goaway.Error);
        Assert.Equal(0u, goaway.LastStreamId); // no stream was started: the client retries them elsewhere
        // ... and the connection closes by itself (nothing left to finish), well before any stop timeout.
        Assert.Same(run, await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(5), Ct)));
    }

    [Theory(DisplayName = "RFC 9113 §6.8: SIGTERM to h2ref serve lets requests in flight finish (curl, nghttp), then it exits 0")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SigtermLetsRequestsFinish(bool tls)
    {
        await using var server = await ServeProcess.StartAsync(tls ? ["--tls", "-v"] : ["-v"]);
        var bound = TimeSpan.FromSeconds(20);
        // Two requests whose handlers are still waiting when the stop comes: they must be answered whole.
        var curl = ExternalTool.RunAsync("curl",
            [tls ? "--http2" : "--http2-prior-knowledge", "-k", "-sS", "--max-time", "15", "-w", "\n%{http_version} %{response_code}", server.Base + "/delay/2"], bound);
        var nghttp = ExternalTool.RunAsync("nghttp", ["-s", server.Base + "/delay/2"], bound);
        // SIGTERM once the server has both requests (its frame log shows their HEADERS; the handlers
        // then wait 2 s), not after a fixed time that a loaded machine may not meet. Bounded: 15 s.
        for (var i = 0; i < 1500 && Regex.Count(server.Stdout, "recv HEADERS") < 2; i++) await Task.Delay(10, Ct);
        Assert.True(Regex.Count(server.Stdout, "recv HEADERS") >= 2, server.Stdout);
        var stopping = server.TerminateAsync();
        var (c, n) = (await curl, await nghttp);
        Assert.True(c.ExitCode == 0, c.ToString());
        Assert.StartsWith("waited 2 s", c.Output);
        Assert.EndsWith("\n2 200", c.Output);
        Assert.True(n.ExitCode == 0, n.ToString());
        Assert.Contains("waited 2 s", n.Output);
        Assert.Equal(0, await stopping);
        // Stopped: new connections are refused.
        var after = await ExternalTool.RunAsync("curl", ["--http2-prior-knowledge", "-k", "-sS", "--max-time", "5", server.Base + "/"], bound);
        Assert.NotEqual(0, after.ExitCode);
    }
}
