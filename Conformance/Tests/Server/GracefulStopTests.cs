using System.Net;
using Reference.Server;
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

    [Fact(DisplayName = "RFC 9113 §6.8: a graceful stop during load loses no started response")]
    public async Task StopDuringLoad()
    {
        var server = new Http2Server("127.0.0.1", 0, () => new TestHandler(), null, ServerFixture.Quiet);
        server.Start();
        var url = $"http://127.0.0.1:{server.LocalEndPoint!.Port}/bytes/20000";
        var started = 0;
        var completed = 0;
        var broken = new List<string>();
        using var stopAfter = new CancellationTokenSource();
        async Task Worker()
        {
            using var client = ServerFixture.Http2Client();
            while (!stopAfter.IsCancellationRequested)
            {
                HttpResponseMessage response;
                try { response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, Ct); }
                catch (HttpRequestException) { await Task.Delay(5, Ct); continue; } // refused before it started: allowed
                using (response)
                {
                    Interlocked.Increment(ref started);
                    try
                    {
                        var body = await response.Content.ReadAsByteArrayAsync(Ct);
                        if (body.Length != 20000) lock (broken) broken.Add($"short body {body.Length}");
                        else Interlocked.Increment(ref completed);
                    }
                    catch (Exception e) when (e is HttpRequestException or IOException)
                    {
                        lock (broken) broken.Add(e.Message);
                    }
                }
            }
        }
        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(Worker, Ct)).ToArray();
        await Task.Delay(500, Ct);
        await server.StopAsync(TimeSpan.FromSeconds(10));
        stopAfter.CancelAfter(300);
        await Task.WhenAll(workers);
        Assert.Empty(broken);
        Assert.True(completed > 0);
        Assert.Equal(started, completed);
    }
}
