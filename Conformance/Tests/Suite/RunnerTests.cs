using System.Net;
using System.Net.Sockets;
using System.Xml.Linq;
using LanguageExt;
using Http2.Reference;
using Http2.Reference.Frames;
using Conformance.Suite.Catalogue;
using Conformance.Suite.Client;
using Conformance.Suite.Runner;
using Xunit;

namespace Conformance.Tests.Suite;

/// <summary>
/// The runner against misbehaving fake servers: a case passes only on the
/// reaction it expects; silence is "timeout", a wrong reaction "fail", an
/// unreachable target "error" — never a pass.
/// </summary>
public class RunnerTests
{
    /// <summary>A fake server: each connection gets <paramref name="behave"/> (the socket, after the 24-octet preface was read).</summary>
    sealed class FakeServer : IAsyncDisposable
    {
        readonly TcpListener listener = new(IPAddress.Loopback, 0);
        readonly CancellationTokenSource stop = new();
        readonly Task loop;

        public FakeServer(Func<NetworkStream, CancellationToken, Task> behave)
        {
            listener.Start();
            loop = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    TcpClient c;
                    try { c = await listener.AcceptTcpClientAsync(stop.Token); } catch (OperationCanceledException) { return; }
                    _ = Task.Run(async () =>
                    {
                        using (c)
                        {
                            try
                            {
                                var s = c.GetStream();
                                var preface = new byte[24];
                                await s.ReadExactlyAsync(preface, stop.Token);
                                await behave(s, stop.Token);
                            }
                            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException) { }
                        }
                    });
                }
            });
        }

        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;
        public Target Target => new("127.0.0.1", Port);

        public async ValueTask DisposeAsync()
        {
            stop.Cancel();
            listener.Stop();
            try { await loop; } catch (OperationCanceledException) { }
        }
    }

    static async Task Send(NetworkStream s, Frame f, CancellationToken ct) => await s.WriteAsync(Wire.Encode(f), ct);

    /// <summary>Completes the SETTINGS exchange, then hands over to <paramref name="then"/>.</summary>
    static Func<NetworkStream, CancellationToken, Task> Handshaking(Func<NetworkStream, CancellationToken, Task> then) => async (s, ct) =>
    {
        await Send(s, new SettingsFrame(false, default), ct);
        await Send(s, SettingsFrame.Acknowledgement, ct);
        await then(s, ct);
    };

    static async Task Drain(NetworkStream s, CancellationToken ct)
    {
        var buffer = new byte[4096];
        while (await s.ReadAsync(buffer, ct) > 0) { }
    }

    static Conformance.Suite.Model.Case Case(string id) => AllCases.Cases.Find(c => c.Id == id).IfNone(() => throw new KeyNotFoundException(id));

    static readonly TimeSpan Short = TimeSpan.FromMilliseconds(300);

    [Fact(DisplayName = "Runner: a server that never answers makes cases time out (not pass)")]
    public async Task Silence_is_a_timeout()
    {
        await using var server = new FakeServer(Drain);
        var r = await CaseRunner.RunAsync(Case("http2/6.5/1"), new RunOptions(server.Target, Short), TestContext.Current.CancellationToken);
        Assert.Equal(Status.Timeout, r.Status);
        Assert.Contains("SETTINGS", r.Expected);
    }

    [Fact(DisplayName = "Runner: a server that ignores a protocol error makes the case time out, with what it received")]
    public async Task Ignoring_an_error_is_a_timeout()
    {
        await using var server = new FakeServer(Handshaking(Drain));
        var r = await CaseRunner.RunAsync(Case("http2/6.7/4"), new RunOptions(server.Target, Short), TestContext.Current.CancellationToken);   // PING of 6 octets
        Assert.Equal(Status.Timeout, r.Status);
        Assert.Equal("GOAWAY with FRAME_SIZE_ERROR, or the connection closed", r.Expected);
    }

    [Fact(DisplayName = "Runner: a GOAWAY with the wrong error code fails the case, naming both")]
    public async Task Wrong_code_fails()
    {
        await using var server = new FakeServer(Handshaking(async (s, ct) =>
        {
            await Send(s, new GoAwayFrame(0, ErrorCode.InternalError), ct);
            await Drain(s, ct);
        }));
        var r = await CaseRunner.RunAsync(Case("http2/6.7/4"), new RunOptions(server.Target, TimeSpan.FromSeconds(2)), TestContext.Current.CancellationToken);
        Assert.Equal(Status.Fail, r.Status);
        Assert.Contains("INTERNAL_ERROR", r.Actual);
        Assert.Contains("FRAME_SIZE_ERROR", r.Expected);
    }

    [Fact(DisplayName = "Runner: a server that closes on anything passes connection-error cases and fails response cases")]
    public async Task Closing_server()
    {
        await using var server = new FakeServer(Handshaking((_, _) => Task.CompletedTask));
        var options = new RunOptions(server.Target, TimeSpan.FromSeconds(2));
        Assert.Equal(Status.Pass, (await CaseRunner.RunAsync(Case("http2/6.7/4"), options, TestContext.Current.CancellationToken)).Status);
        var response = await CaseRunner.RunAsync(Case("generic/4/1"), options, TestContext.Current.CancellationToken);
        Assert.Equal(Status.Fail, response.Status);
        Assert.Contains("connection closed", response.Actual);
    }

    [Fact(DisplayName = "Runner: an unreachable target is an error, not a pass")]
    public async Task Unreachable_is_an_error()
    {
        var r = await CaseRunner.RunAsync(Case("generic/4/1"), new RunOptions(new Target("127.0.0.1", NghttpdTarget.FreePort()), Short), TestContext.Current.CancellationToken);
        Assert.Equal(Status.Error, r.Status);
    }

    static readonly byte[] Http11Response = "HTTP/1.1 505 HTTP Version Not Supported\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray();

    [Fact(DisplayName = "RFC 9113 §3.4: an HTTP/1.1 response instead of frames fails even a connection-error case, and the report shows the octets")]
    public async Task Http11_octets_are_a_finding()
    {
        await using var server = new FakeServer(async (s, ct) => await s.WriteAsync(Http11Response, ct));
        var r = await CaseRunner.RunAsync(Case("http2/3.5/2"), new RunOptions(server.Target, TimeSpan.FromSeconds(2)), TestContext.Current.CancellationToken);
        Assert.Equal(Status.Fail, r.Status);
        Assert.Contains("not HTTP/2", r.Actual);
        Assert.Contains("HTTP/1.1 505", r.Actual);
        Assert.Contains("485454502f312e31", r.Actual);
    }

    [Fact(DisplayName = "RFC 9113 §4.1: a frame cut short by the end of the connection is reported with its octets, not taken for a clean close")]
    public async Task Truncated_frame_is_a_finding()
    {
        // a GOAWAY header announcing 8 octets of payload, then 3 octets, then the end
        // Half-close, then read what the client still sends: closing with its octets unread would reset the connection
        // (TCP RST) and could destroy the cut-short frame before the client reads it.
        await using var server = new FakeServer(Handshaking(async (s, ct) =>
        {
            await s.WriteAsync(Convert.FromHexString("000008070000000000000000"), ct);
            s.Socket.Shutdown(SocketShutdown.Send);
            await Drain(s, ct);
        }));
        var r = await CaseRunner.RunAsync(Case("http2/6.7/4"), new RunOptions(server.Target, TimeSpan.FromSeconds(2)), TestContext.Current.CancellationToken);
        Assert.Equal(Status.Fail, r.Status);
        Assert.Contains("ended inside a frame", r.Actual);
    }

    [Fact(DisplayName = "RFC 9113 §8.4: a pushed response's HEADERS before the requested one fails a response case, as it does in h2spec")]
    public async Task Pushed_headers_first_fail()
    {
        await using var server = new FakeServer(Handshaking(async (s, ct) =>
        {
            var buffer = new byte[4096];
            await s.ReadAtLeastAsync(buffer, 9, false, ct);
            await Send(s, new PushPromiseFrame(1, 2, new byte[] { 0x82, 0x86, 0x84 }), ct);
            await Send(s, new HeadersFrame(2, new byte[] { 0x88 }, EndStream: true), ct);
            await Send(s, new HeadersFrame(1, new byte[] { 0x88 }, EndStream: true), ct);
            await Drain(s, ct);
        }));
        var r = await CaseRunner.RunAsync(Case("generic/4/1"), new RunOptions(server.Target, TimeSpan.FromSeconds(2)), TestContext.Current.CancellationToken);
        Assert.Equal(Status.Fail, r.Status);
        Assert.Contains("HEADERS(stream 2", r.Actual);
    }

    [Fact(DisplayName = "Preflight: a refused connection is one clear error")]
    public async Task Preflight_refused()
    {
        var problem = await Preflight.CheckAsync(new RunOptions(new Target("127.0.0.1", NghttpdTarget.FreePort()), Short), TestContext.Current.CancellationToken);
        Assert.Contains("cannot connect", problem.IfNone(""));
    }

    [Fact(DisplayName = "Preflight: an HTTP/1.1 server is \"not HTTP/2\", with the octets shown; a TLS alert on an h2c port says TLS")]
    public async Task Preflight_not_http2()
    {
        await using var http1 = new FakeServer(async (s, ct) => await s.WriteAsync(Http11Response, ct));
        var problem = await Preflight.CheckAsync(new RunOptions(http1.Target, TimeSpan.FromSeconds(2)), TestContext.Current.CancellationToken);
        Assert.Contains("does not speak HTTP/2", problem.IfNone(""));
        Assert.Contains("HTTP/1.1 505", problem.IfNone(""));
        // a TLS alert record (protocol_version), as a TLS server answers cleartext
        await using var tls = new FakeServer(async (s, ct) => await s.WriteAsync(new byte[] { 0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46 }, ct));
        var alert = await Preflight.CheckAsync(new RunOptions(tls.Target, TimeSpan.FromSeconds(2)), TestContext.Current.CancellationToken);
        Assert.Contains("TLS", alert.IfNone(""));
        await using var good = new FakeServer(Handshaking(Drain));
        Assert.True((await Preflight.CheckAsync(new RunOptions(good.Target, TimeSpan.FromSeconds(2)), TestContext.Current.CancellationToken)).IsNone);
    }

    [Fact(DisplayName = "Profile h2spec (the default): the preface SETTINGS carry SETTINGS_INITIAL_WINDOW_SIZE=65535 and nothing else, as h2spec 2.0.0 sends them")]
    public async Task H2spec_profile_settings()
    {
        var seen = new TaskCompletionSource<byte[]>();
        await using var server = new FakeServer(async (s, ct) =>
        {
            var header = new byte[9];
            await s.ReadExactlyAsync(header, ct);
            var payload = new byte[(header[0] << 16) | (header[1] << 8) | header[2]];
            await s.ReadExactlyAsync(payload, ct);
            seen.TrySetResult([.. header, .. payload]);
            await Drain(s, ct);
        });
        var options = new RunOptions(server.Target, Short);
        Assert.Equal(Profile.H2spec, options.Profile);
        await CaseRunner.RunAsync(Case("http2/6.5/1"), options, TestContext.Current.CancellationToken);
        Assert.Equal("000006040000000000000400" + "00ffff", Convert.ToHexString(await seen.Task).ToLowerInvariant());
    }

    [Fact(DisplayName = "Runner: a known deviation is labelled and does not count against the run; unknown failures do")]
    public async Task Known_deviations()
    {
        await using var server = new FakeServer(Handshaking(Drain));
        var c = Case("http2/6.7/4").Deviates("fake", "fake ignores it; RFC 9113 §6.7: MUST be treated as a connection error");
        var known = await CaseRunner.RunAsync(c, new RunOptions(server.Target, Short, Prelude.Some("fake")), TestContext.Current.CancellationToken);
        Assert.True(known.KnownFailure);
        Assert.Equal("timeout (known deviation: fake)", known.Label);
        var unknown = await CaseRunner.RunAsync(c, new RunOptions(server.Target, Short, Prelude.Some("other")), TestContext.Current.CancellationToken);
        Assert.True(unknown.UnexpectedFailure);
        var results = Prelude.Seq(known, unknown);
        Assert.False(Totals.Of(results).Success(results));
        Assert.True(Totals.Of(Prelude.Seq1(known)).Success(Prelude.Seq1(known)));
    }

    [Fact(DisplayName = "Reports: the tree shows sections, failures with expected and actual, and a totals line; JUnit and JSON parse")]
    public async Task Reports()
    {
        await using var server = new FakeServer(Handshaking(Drain));
        var results = await SuiteRunner.RunAsync(AllCases.Select("6.7"), new RunOptions(server.Target, Short), ct: TestContext.Current.CancellationToken);
        var tree = Conformance.Suite.Runner.Reports.Tree(results);
        Assert.Contains("§6 Frame Definitions", tree);
        Assert.Contains("§6.7 PING", tree);
        Assert.Contains("expected: ", tree);
        Assert.Contains("actual:   ", tree);
        Assert.EndsWith($"{results.Count} cases: 0 passed, 0 failed, {results.Count} timed out, 0 skipped, 0 errors{Environment.NewLine}", tree);
        var junit = XDocument.Parse(Conformance.Suite.Runner.Reports.JUnit(results, "fake").ToString());
        Assert.Equal(results.Count, junit.Descendants("testcase").Count());
        Assert.Equal(results.Count, junit.Descendants("failure").Count());
        var json = Newtonsoft.Json.Linq.JObject.Parse(Conformance.Suite.Runner.Reports.Json(results, "fake"));
        Assert.Equal(results.Count, (int)json["totals"]!["timedOut"]!);
        Assert.False((bool)json["success"]!);
    }
}
