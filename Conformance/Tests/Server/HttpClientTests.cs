using System.Net;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>The server against .NET's HttpClient (HTTP/2 only), and the handler API through it.</summary>
[Collection("servers")]
public sealed class HttpClientTests(ServerFixture servers)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory(DisplayName = "RFC 9113 §3.3/§3.2: HttpClient with HTTP/2 exactly (prior knowledge on http://, ALPN on https://)")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Get(bool tls)
    {
        using var client = ServerFixture.Http2Client();
        using var response = await client.GetAsync($"{servers.Base(tls)}/", Ct);
        Assert.Equal(HttpVersion.Version20, response.Version);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Http2.Reference.Server.DemoHandler.RootText, await response.Content.ReadAsStringAsync(Ct));
    }

    [Theory(DisplayName = "/echo answers the length of a POSTed body; /bytes/N streams N octets")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EchoAndBytes(bool tls)
    {
        using var client = ServerFixture.Http2Client();
        using var post = await client.PostAsync($"{servers.Base(tls)}/echo", new ByteArrayContent(new byte[300_000]), Ct);
        Assert.Equal("300000\n", await post.Content.ReadAsStringAsync(Ct));
        var bytes = await client.GetByteArrayAsync($"{servers.Base(tls)}/bytes/200000", Ct);
        Assert.Equal(200_000, bytes.Length);
    }

    [Theory(DisplayName = "RFC 9113 §8.1: a small body in several segments arrives whole; END_STREAM follows its last segment, not its first")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SmallSegmentedBody(bool tls)
    {
        using var client = ServerFixture.Http2Client();
        Assert.Equal("small segments", await client.GetStringAsync($"{servers.Base(tls)}/test/small-segments", Ct));
    }

    [Theory(DisplayName = "Handler API: ClientAddress is the client's address and port (the seed's client_address)")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ClientAddress(bool tls)
    {
        using var client = ServerFixture.Http2Client();
        var answer = (await client.GetStringAsync($"{servers.Base(tls)}/test/client", Ct)).Split(' ');
        Assert.Equal("127.0.0.1", answer[0]);
        Assert.InRange(int.Parse(answer[1], System.Globalization.CultureInfo.InvariantCulture), 1, 65535);
    }

    [Fact(DisplayName = "Handler API: many concurrent requests on one connection are all answered")]
    public async Task Concurrent()
    {
        using var client = ServerFixture.Http2Client();
        var tasks = Enumerable.Range(0, 200).Select(i => client.GetStringAsync($"{servers.H2c}/bytes/{i}", Ct));
        var bodies = await Task.WhenAll(tasks);
        for (var i = 0; i < bodies.Length; i++) Assert.Equal(i, bodies[i].Length);
    }

    [Fact(DisplayName = "Handler API: an exception in a callback resets the stream with INTERNAL_ERROR and on_close sees INTERNAL_ERROR")]
    public async Task ExceptionResets()
    {
        using var client = ServerFixture.Http2Client();
        var e = await Assert.ThrowsAnyAsync<Exception>(() => client.GetAsync($"{servers.H2c}/test/throw-in-headers", Ct));
        var protocol = e as HttpProtocolException ?? e.InnerException as HttpProtocolException;
        Assert.True(protocol is not null, e.ToString());
        Assert.Equal(0x2, protocol.ErrorCode);
        await Eventually(() => TestHandler.Saw("/test/throw-in-headers", "close INTERNAL_ERROR"));
        // The connection survives: the next request on it is answered.
        Assert.Equal(Http2.Reference.Server.DemoHandler.RootText, await client.GetStringAsync($"{servers.H2c}/", Ct));
    }

    [Fact(DisplayName = "Handler API: a second SendResponse raises \"response has already been sent\"; the first response is intact")]
    public async Task SecondResponseRaises()
    {
        using var client = ServerFixture.Http2Client();
        Assert.Equal("first", await client.GetStringAsync($"{servers.H2c}/test/twice", Ct));
        await Eventually(() => TestHandler.Saw("/test/twice", "second: response has already been sent"));
    }

    [Fact(DisplayName = "Handler API: a response sent from another task after the callback returned is flushed (a DEFECT of the original)")]
    public async Task ResponseFromBackgroundTask()
    {
        using var client = ServerFixture.Http2Client();
        Assert.Equal("from a background task", await client.GetStringAsync($"{servers.H2c}/test/background", Ct));
    }

    [Fact(DisplayName = "Handler API: a pull body that says NotYet is resumed by Resume() (the original's DEFERRED)")]
    public async Task DeferredBody()
    {
        using var client = ServerFixture.Http2Client();
        Assert.Equal("one two three", await client.GetStringAsync($"{servers.H2c}/test/deferred", Ct));
    }

    [Fact(DisplayName = "RFC 9113 §8.1: response trailers follow the body")]
    public async Task ResponseTrailers()
    {
        using var client = ServerFixture.Http2Client();
        using var response = await client.GetAsync($"{servers.H2c}/test/trailers", Ct);
        Assert.Equal("with trailers", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(["42"], response.TrailingHeaders.GetValues("x-checksum"));
    }

    [Fact(DisplayName = "RFC 9113 §8.4: Push tells the handler, as a value with the reason, that the client disabled push (the original crashed)")]
    public async Task PushRefusedClearly()
    {
        using var client = ServerFixture.Http2Client(); // HttpClient sends SETTINGS_ENABLE_PUSH = 0
        var body = await client.GetStringAsync($"{servers.H2c}/test/push-refused", Ct);
        Assert.StartsWith("push failed: ", body);
        Assert.Contains("SETTINGS_ENABLE_PUSH = 0", body);
    }

    [Fact(DisplayName = "Handler API: a slow async callback does not hold up other streams of the connection")]
    public async Task AsyncDoesNotBlock()
    {
        using var client = ServerFixture.Http2Client();
        var slow = client.GetStringAsync($"{servers.H2c}/test/async-slow", Ct);
        var fast = await client.GetStringAsync($"{servers.H2c}/bytes/5", Ct);
        Assert.False(slow.IsCompleted);
        Assert.Equal(5, fast.Length);
        Assert.Equal("slow", await slow);
    }

    [Fact(DisplayName = "Handler API: on_close carries the client's RST_STREAM code (CANCEL)")]
    public async Task CloseCarriesPeerCode()
    {
        using var client = ServerFixture.Http2Client();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var request = new HttpRequestMessage(HttpMethod.Get, $"{servers.H2c}/delay/5?cancel")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var sending = client.SendAsync(request, cts.Token);
        await Task.Delay(300, Ct);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        await Eventually(() => TestHandler.Saw("/delay/5?cancel", "close CANCEL"));
    }

    [Fact(DisplayName = "/delay/S waits S seconds before answering")]
    public async Task Delay()
    {
        using var client = ServerFixture.Http2Client();
        var started = System.Diagnostics.Stopwatch.StartNew();
        var body = await client.GetStringAsync($"{servers.H2c}/delay/1", Ct);
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(0.9), started.Elapsed.ToString());
        Assert.StartsWith("waited 1 s", body);
    }

    internal static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Delay(20);
        Assert.True(condition());
    }
}
