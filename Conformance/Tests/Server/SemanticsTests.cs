using Microsoft.Extensions.Logging;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Http2.Reference;
using Http2.Reference.Frames;
using Http2.Reference.Hpack;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// RFC 9110 semantics and the handler API as real clients see them: a
/// generic handler that passes a body everywhere, answered through curl,
/// nghttp, h2load, HttpClient and raw frames.
/// </summary>
[Collection("semantics")]
public sealed partial class SemanticsTests(SemanticsFixture servers)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<ToolResult> Curl(bool tls, params string[] args) =>
        ExternalTool.RunAsync("curl",
            [.. tls ? new[] { "--http2", "-k" } : ["--http2-prior-knowledge"], "-sS", "--max-time", "15", .. args], Bound);

    // ---- HEAD, 204, 304 (RFC 9110 §9.3.2, §15.3.5, §15.4.5), date and server (§6.6.1, §10.2.4) ----

    [Theory(DisplayName = "RFC 9110 §9.3.2: curl -I on a handler that passes a body gets the GET's fields (content-length 5), no content, no error")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CurlHead(bool tls)
    {
        var r = await Curl(tls, "-I", $"{servers.Base(tls)}/generic");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Empty(r.Stderr);
        Assert.StartsWith("HTTP/2 200", r.Output);
        Assert.Contains("content-type: text/plain", r.Output); // sent as Content-Type by the handler: lower-cased
        Assert.Contains("content-length: 5", r.Output);
        Assert.Matches(DatePattern(), r.Output);
        Assert.Contains($"server: {SemanticsFixture.ServerName}", r.Output);
    }

    [Theory(DisplayName = "RFC 9110 §15.3.5, §15.4.5: curl gets 204 and 304 from a handler that passes a body, without a reset")]
    [InlineData(false, 204)]
    [InlineData(false, 304)]
    [InlineData(true, 204)]
    [InlineData(true, 304)]
    public async Task CurlNoContent(bool tls, int status)
    {
        var r = await Curl(tls, "-D", "-", "-w", "%{http_code}", $"{servers.Base(tls)}/generic?status={status}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Empty(r.Stderr);
        Assert.EndsWith($"\r\n\r\n{status}", r.Output); // headers, then no content at all
        Assert.Equal(status == 304, r.Output.Contains("content-length: 5", StringComparison.Ordinal)); // RFC 9110 §8.6: none in a 204
    }

    [Theory(DisplayName = "RFC 9110 §9.3.2, §15.3.5, §15.4.5: nghttp sees HEADERS with END_STREAM, no DATA and no RST_STREAM for HEAD, 204, 304")]
    [InlineData("HEAD", "")]
    [InlineData("GET", "?status=204")]
    [InlineData("GET", "?status=304")]
    public async Task NghttpNoContent(string method, string query)
    {
        var r = await ExternalTool.RunAsync("nghttp", ["-nv", "-H", $":method: {method}", $"{servers.H2c}/generic{query}"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"recv HEADERS frame <length=\d+, flags=0x05, stream_id=13>", r.Output); // END_STREAM | END_HEADERS
        Assert.DoesNotContain("DATA frame", r.Output);
        Assert.DoesNotContain("RST_STREAM", r.Output);
        Assert.Matches(@"date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", r.Output);
    }

    [Theory(DisplayName = "RFC 9110 §9.3.2, §15.4.5: h2load, 2,000 HEAD and 2,000 304 requests: all succeed, none errored or reset")]
    [InlineData("HEAD", "", "2000 2xx, 0 3xx")]
    [InlineData("GET", "?status=304", "0 2xx, 2000 3xx")]
    public async Task H2loadNoContent(string method, string query, string codes)
    {
        var r = await ExternalTool.RunAsync("h2load", ["-n", "2000", "-c", "4", "-m", "10", "-H", $":method: {method}", $"{servers.H2c}/generic{query}"], TimeSpan.FromSeconds(60));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"requests: 2000 total, 2000 started, 2000 done, 2000 succeeded, 0 failed, 0 errored", r.Output);
        Assert.Contains($"status codes: {codes}", r.Output);
    }

    [Fact(DisplayName = "RFC 9110 §15.2, §10.1.1: h2load, 1,000 requests answered 103 then 200, and 1,000 uploads with Expect: 100-continue: all succeed, none errored")]
    public async Task H2loadInformational()
    {
        var hints = await ExternalTool.RunAsync("h2load", ["-n", "1000", "-c", "2", "-m", "10", $"{servers.H2c}/early-hints"], TimeSpan.FromSeconds(60));
        Assert.True(hints.ExitCode == 0, hints.ToString());
        Assert.Matches(@"requests: 1000 total, 1000 started, 1000 done, 1000 succeeded, 0 failed, 0 errored", hints.Output);
        // (h2load 1.52 files the interim 103 under "3xx" in its status table: the requests' success is what counts.)
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, new byte[10_000], Ct);
            var uploads = await ExternalTool.RunAsync("h2load", ["-n", "1000", "-c", "2", "-m", "10", "-d", file, "-H", "expect: 100-continue", $"{servers.H2c}/upload"], TimeSpan.FromSeconds(60));
            Assert.True(uploads.ExitCode == 0, uploads.ToString());
            Assert.Matches(@"requests: 1000 total, 1000 started, 1000 done, 1000 succeeded, 0 failed, 0 errored", uploads.Output);
        }
        finally { File.Delete(file); }
    }

    [Fact(DisplayName = "RFC 9110 §9.3.2: HttpClient HEAD gets 200, content-length 5, an empty body, date and server")]
    public async Task HttpClientHead()
    {
        using var client = ServerFixture.Http2Client();
        foreach (var url in new[] { servers.H2c, servers.H2 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, $"{url}/generic") { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(HttpVersion.Version20, response.Version);
            Assert.Equal(5, response.Content.Headers.ContentLength);
            Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
            Assert.NotNull(response.Headers.Date);
            Assert.True(Math.Abs((response.Headers.Date!.Value - DateTimeOffset.UtcNow).TotalMinutes) < 5);
            Assert.Equal(SemanticsFixture.ServerName, response.Headers.Server.ToString());
        }
    }

    [Theory(DisplayName = "RFC 9110 §15.3.5, §15.4.5: HttpClient gets 204 and 304 from a handler that passes a body, with no content")]
    [InlineData(204)]
    [InlineData(304)]
    public async Task HttpClientNoContent(int status)
    {
        using var client = ServerFixture.Http2Client();
        using var response = await client.GetAsync($"{servers.H2}/generic?status={status}", Ct);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync(Ct));
    }

    // ---- 1xx (RFC 9110 §15.2, §10.1.1; RFC 9113 §8.1) ----

    [Fact(DisplayName = "RFC 9110 §15.2: curl -v shows the 103 before the 200, and HttpClient, which skips 1xx, gets the 200")]
    public async Task EarlyHintsCurlAndHttpClient()
    {
        var r = await Curl(true, "-v", $"{servers.H2}/early-hints");
        Assert.True(r.ExitCode == 0, r.ToString());
        var hints = r.Stderr.IndexOf("< HTTP/2 103", StringComparison.Ordinal);
        Assert.True(hints >= 0 && r.Stderr.IndexOf("< HTTP/2 200", StringComparison.Ordinal) > hints, r.ToString());
        using var client = ServerFixture.Http2Client();
        Assert.Equal("<p>hinted</p>", await client.GetStringAsync($"{servers.H2}/early-hints", Ct));
    }

    [Fact(DisplayName = "RFC 9110 §10.1.1: nghttp --expect-continue and HttpClient (ExpectContinue) get the 100, then upload and get 200")]
    public async Task ExpectContinueNghttpAndHttpClient()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, new byte[100_000], Ct);
            var r = await ExternalTool.RunAsync("nghttp", ["-v", "--expect-continue", "-d", file, $"{servers.H2c}/upload"], Bound);
            Assert.True(r.ExitCode == 0, r.ToString());
            var interim = r.Output.IndexOf(":status: 100", StringComparison.Ordinal);
            var firstData = r.Output.IndexOf("send DATA frame", StringComparison.Ordinal);
            Assert.True(interim >= 0 && firstData > interim, r.ToString()); // nghttp sent the body after the 100
            Assert.Contains("100000 \n", r.Output);
        }
        finally { File.Delete(file); }
        using var client = ServerFixture.Http2Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{servers.H2}/upload")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(new byte[1 << 20]),
        };
        request.Headers.ExpectContinue = true;
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal("1048576 \n", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact(DisplayName = "RFC 9110 §15.2.2 (103): nghttp receives a 103 with its link field, then the 200 with the page")]
    public async Task EarlyHints()
    {
        var r = await ExternalTool.RunAsync("nghttp", ["-v", $"{servers.H2c}/early-hints"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        var hints = r.Output.IndexOf(":status: 103", StringComparison.Ordinal);
        var final = r.Output.IndexOf(":status: 200", StringComparison.Ordinal);
        Assert.True(hints >= 0 && final > hints, r.ToString());
        Assert.Contains("link: </style.css>; rel=preload; as=style", r.Output[hints..final]);
        Assert.Contains("<p>hinted</p>", r.Output);
        Assert.True(SemanticsHandler.Saw("/early-hints", "103 sent"));
    }

    [Theory(DisplayName = "RFC 9110 §10.1.1: curl -H 'Expect: 100-continue' gets the 100 before it sends any of its 1 MiB body, then the final answer")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CurlExpectContinue(bool tls)
    {
        // curl's trace says what it received and sent, in order: the property is the order (the 100
        // arrives before curl sends body data), not a time. curl waits for the 100 at most
        // --expect100-timeout (5 s here) and then sends the body anyway, so a server that does not
        // answer 100 in time puts "Send data" first and fails this test however loaded the machine.
        var trace = Path.Combine(Path.GetTempPath(), $"h2ref-expect-{Guid.NewGuid():N}.txt");
        try
        {
            var r = await ExternalTool.RunAsync("curl",
                [.. tls ? new[] { "--http2", "-k" } : ["--http2-prior-knowledge"], "-sS", "--trace-ascii", trace, "--max-time", "20",
                    "--expect100-timeout", "5", "-H", "Expect: 100-continue", "--data-binary", "@-", $"{servers.Base(tls)}/upload"],
                Bound, stdin: new byte[1 << 20]);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("1048576", r.Output.Trim());
            var lines = File.ReadAllLines(trace);
            var interim = Array.FindIndex(lines, l => l.Contains("HTTP/2 100", StringComparison.Ordinal));
            var firstData = Array.FindIndex(lines, l => l.StartsWith("=> Send data", StringComparison.Ordinal));
            var final = Array.FindIndex(lines, l => l.Contains("HTTP/2 200", StringComparison.Ordinal));
            Assert.True(interim >= 0 && firstData > interim && final > firstData,
                $"100 at trace line {interim}, first body data at {firstData}, 200 at {final}\n{r}");
        }
        finally { File.Delete(trace); }
    }

    [Fact(DisplayName = "RFC 9110 §10.1.1, RFC 9113 §8.1: with Expect: 100-continue the server sends HEADERS :status 100 before any DATA is sent; the final response follows the body")]
    public async Task ContinueBeforeBody()
    {
        await using var c = await RawClient.Open(servers.Cleartext);
        await c.Request(1, "POST", "/upload", endStream: false, ("expect", "100-continue"));
        var interim = await c.NextHeaders(1, TimeSpan.FromSeconds(5));
        Assert.Equal(":status: 100", interim.Fields[0].ToString());
        Assert.False(interim.EndStream);
        await c.Data(1, new byte[1000], endStream: true);
        var final = await c.NextHeaders(1, TimeSpan.FromSeconds(5));
        Assert.Equal(":status: 200", final.Fields[0].ToString());
    }

    [Fact(DisplayName = "RFC 9110 §10.1.1: the 100 comes when the handler is ready for the body (its OnHeadersAsync completed), not before")]
    public async Task ContinueWhenReady()
    {
        await using var c = await RawClient.Open(servers.Cleartext);
        var clock = Stopwatch.StartNew();
        await c.Request(1, "POST", "/slow-ready", endStream: false, ("expect", "100-continue"));
        var interim = await c.NextHeaders(1, TimeSpan.FromSeconds(5));
        Assert.Equal(":status: 100", interim.Fields[0].ToString());
        Assert.True(SemanticsHandler.Saw("/slow-ready", "ready")); // not before the handler's OnHeadersAsync completed
        Assert.True(clock.ElapsedMilliseconds >= 250, $"100 after {clock.ElapsedMilliseconds} ms; the handler was ready after 300 ms");
    }

    [Fact(DisplayName = "RFC 9110 §10.1.1: a handler that answers from the header section gets no 100 sent: the client need not send the body")]
    public async Task NoContinueWhenAnswered()
    {
        await using var c = await RawClient.Open(servers.Cleartext);
        await c.Request(1, "POST", "/generic?status=413", endStream: false, ("expect", "100-continue"));
        var first = await c.NextHeaders(1, TimeSpan.FromSeconds(5));
        Assert.Equal(":status: 413", first.Fields[0].ToString());
    }

    // ---- the handler API ----

    [Fact(DisplayName = "Handler API: the seed's push example ported literally answers curl and HttpClient (push disabled) with 200")]
    public async Task SeedPushWithoutPush()
    {
        foreach (var tls in new[] { false, true })
        {
            var r = await Curl(tls, "-w", "\n%{http_code}", $"{servers.Base(tls)}/seed-push");
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("nghttp2-python FTW\n200", r.Output);
        }
        using var client = ServerFixture.Http2Client();
        Assert.Equal("nghttp2-python FTW", await client.GetStringAsync($"{servers.H2}/seed-push", Ct));
    }

    [Fact(DisplayName = "RFC 9113 §8.4: the seed's push example ported literally pushes /css/style.css to nghttp (push enabled)")]
    public async Task SeedPushWithPush()
    {
        var r = await ExternalTool.RunAsync("nghttp", ["-nv", $"{servers.H2}/seed-push"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("recv PUSH_PROMISE frame", r.Output);
        Assert.Contains(":path: /css/style.css", r.Output);
        Assert.Matches(@"recv DATA frame <length=15, flags=0x01, stream_id=2>", r.Output);
        Assert.DoesNotContain("RST_STREAM", r.Output);
    }

    [Fact(DisplayName = "Handler API: a response that fails validation (CR LF in a value, RFC 9113 §8.2.1) is reported; a retry with 500 is sent")]
    public async Task InvalidThenRetry()
    {
        using var client = ServerFixture.Http2Client();
        using var response = await client.GetAsync($"{servers.H2c}/invalid-then-500", Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.StartsWith("retried: malformed header section", await response.Content.ReadAsStringAsync(Ct));
        Assert.True(SemanticsHandler.SawStart("/invalid-then-500", "not sent: malformed header section"));
        Assert.True(SemanticsHandler.Saw("/invalid-then-500", "retry sent"));
    }

    [Fact(DisplayName = "Handler API: a handler whose only response is invalid does not leave the stream open: it is reset with INTERNAL_ERROR")]
    public async Task InvalidOnlyIsReset()
    {
        using var client = ServerFixture.Http2Client();
        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync($"{servers.H2c}/invalid-only", Ct));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        await Eventually(() => SemanticsHandler.Saw("/invalid-only", "close INTERNAL_ERROR"));
    }

    [Fact(DisplayName = "RFC 9113 §8.2.2: connection-specific fields from the handler are dropped (as Kestrel does); curl gets the response")]
    public async Task ConnectionSpecificDropped()
    {
        var r = await Curl(false, "-D", "-", $"{servers.H2c}/connection-specific");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("x-kept: yes", r.Output);
        Assert.DoesNotMatch("(?im)^(connection|transfer-encoding|keep-alive):", r.Output);
        Assert.EndsWith("fields dropped", r.Output);
    }

    [Fact(DisplayName = "Handler API: a cached ResponseBody (static readonly) sends its content on every request")]
    public async Task CachedBodyReused()
    {
        using var client = ServerFixture.Http2Client();
        for (var i = 0; i < 3; i++)
            Assert.Equal("a cached body, sent every time", await client.GetStringAsync($"{servers.H2c}/cached", Ct));
    }

    [Fact(DisplayName = "Handler API: a Stream body is read once; sending it again is refused with the reason, and the handler answers otherwise")]
    public async Task StreamBodyOnce()
    {
        using var client = ServerFixture.Http2Client();
        Assert.Equal("streamed once", await client.GetStringAsync($"{servers.H2c}/stream-once", Ct));
        using var again = await client.GetAsync($"{servers.H2c}/stream-once", Ct);
        Assert.Equal(HttpStatusCode.InternalServerError, again.StatusCode);
        Assert.StartsWith("refused: this stream body was already sent", await again.Content.ReadAsStringAsync(Ct));
    }

    [Fact(DisplayName = "RFC 9110 §10.1.1: with ExpectContinue.Immediately the 100 goes before the handler is ready")]
    public async Task ContinueImmediately()
    {
        await using var server = new Http2.Reference.Server.Http2Server("127.0.0.1", 0, () => new SemanticsHandler(), null,
            ServerFixture.Quiet with { ExpectContinue = Http2.Reference.Server.ExpectContinue.Immediately });
        server.Start();
        await using var c = await RawClient.Open(server);
        var clock = Stopwatch.StartNew();
        const string path = "/slow-ready?immediately&ms=2000";
        await c.Request(1, "POST", path, endStream: false, ("expect", "100-continue"));
        var interim = await c.NextHeaders(1, TimeSpan.FromSeconds(5));
        Assert.Equal(":status: 100", interim.Fields[0].ToString());
        Assert.False(SemanticsHandler.Saw(path, "ready")); // the handler is still in its OnHeadersAsync
        await c.Data(1, new byte[10], endStream: true);
        var final = await c.NextHeaders(1, TimeSpan.FromSeconds(10));
        Assert.Equal(":status: 200", final.Fields[0].ToString());
    }

    [Theory(DisplayName = "Handler API: SendResponse(200, null, …), SendResponse(200, [], …) and named arguments compile and answer")]
    [InlineData("null", "null fields")]
    [InlineData("empty", "empty fields")]
    [InlineData("named", "named")]
    public async Task Overloads(string route, string body)
    {
        using var client = ServerFixture.Http2Client();
        using var response = await client.GetAsync($"{servers.H2c}/overloads/{route}", Ct);
        Assert.Equal(body, await response.Content.ReadAsStringAsync(Ct));
        if (route == "named") Assert.Equal(["1"], response.TrailingHeaders.GetValues("x-t"));
    }

    [Fact(DisplayName = "RFC 9113 §8.1: request trailers sent by nghttp are readable by the handler (Trailers)")]
    public async Task RequestTrailersReadable()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, new byte[1000], Ct);
            var r = await ExternalTool.RunAsync("nghttp", ["-d", file, "--trailer", "x-checksum: 42", $"{servers.H2c}/upload"], Bound);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("1000 x-checksum=42\n", r.Output);
        }
        finally { File.Delete(file); }
    }

    [GeneratedRegex(@"date: \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT")]
    private static partial Regex DatePattern();

    private static async Task Eventually(Func<bool> condition)
    {
        for (var i = 0; i < 100 && !condition(); i++) await Task.Delay(50, Ct);
        Assert.True(condition());
    }
}

/// <summary>A minimal h2c client over a socket: our frame writer and HPACK encoder out, frames read back and decoded.</summary>
internal sealed class RawClient : IAsyncDisposable
{
    private readonly Stream stream;
    private EncoderState encoder = EncoderState.Initial(EncoderStrategy.Nghttp2, 4096);
    private DecoderState decoder = DecoderState.Initial(4096);
    private readonly Queue<Frame> seen = new();

    private RawClient(Stream stream) => this.stream = stream;

    public static async Task<RawClient> Open(Http2.Reference.Server.Http2Server server)
    {
        var c = new RawClient(await RawSocketTests.Connect(server));
        await c.Write([.. Http2.Reference.Protocol.Connection.ClientPreface.ToArray(), .. FrameWriter.ToBytes(new SettingsFrame(false, LanguageExt.Seq<Setting>.Empty)), .. FrameWriter.ToBytes(SettingsFrame.Acknowledgement)]);
        return c;
    }

    private async Task Write(byte[] octets) => await stream.WriteAsync(octets, TestContext.Current.CancellationToken);

    public Task Request(uint id, string method, string path, bool endStream, params (string, string)[] extra)
    {
        HeaderField[] fields = [HeaderField.Of(":method", method), HeaderField.Of(":scheme", "http"), HeaderField.Of(":path", path),
            HeaderField.Of(":authority", "127.0.0.1"), .. extra.Select(f => HeaderField.Of(f.Item1, f.Item2))];
        var (e, block) = HpackEncoder.Encode(encoder, fields);
        encoder = e;
        return Write(FrameWriter.ToBytes(new HeadersFrame(id, block, endStream)));
    }

    public Task Data(uint id, byte[] data, bool endStream) => Write(FrameWriter.ToBytes(new DataFrame(id, data, endStream)));

    private readonly byte[] buffer = new byte[1 << 20];
    private int filled;

    /// <summary>The next frame (its octets copied out of the read buffer), or null when the connection ends or the time is up.</summary>
    private async Task<Frame?> NextFrame(CancellationToken ct)
    {
        while (true)
        {
            if (FrameReader.Read(buffer.AsMemory(0, filled), FrameConstants.MaxMaxFrameSize) is FrameRead read)
            {
                // Decode from a copy: the buffer is reused for the next frames.
                var again = FrameReader.Read(buffer.AsSpan(0, read.Consumed).ToArray(), FrameConstants.MaxMaxFrameSize);
                buffer.AsSpan(read.Consumed, filled - read.Consumed).CopyTo(buffer);
                filled -= read.Consumed;
                return ((FrameRead)again).Frame;
            }
            int n;
            try { n = await stream.ReadAsync(buffer.AsMemory(filled), ct); }
            catch (Exception e) when (e is IOException or OperationCanceledException) { n = 0; }
            if (n == 0) return null;
            filled += n;
        }
    }

    /// <summary>The next header section on <paramref name="id"/>, decoded; fails on a reset, on body DATA before it, or when none comes in time.</summary>
    public async Task<(IReadOnlyList<HeaderField> Fields, bool EndStream)> NextHeaders(uint id, TimeSpan bound)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        cts.CancelAfter(bound);
        while (await NextFrame(cts.Token) is { } f)
        {
            Assert.False(f is RstStreamFrame or GoAwayFrame, f.ToString());
            Assert.False(f is DataFrame d && d.StreamId == id, "DATA before the header section: " + f); // nothing of the body before it
            if (f is not HeadersFrame h) continue;
            var block = HpackDecoder.Decode(decoder, h.Fragment.Span, DecoderLimits.Default).Match(Right: x => x, Left: e => throw new Xunit.Sdk.XunitException(e.ToString()));
            decoder = block.State;
            if (h.StreamId == id) return (block.Fields.ToList(), h.EndStream);
        }
        throw new Xunit.Sdk.XunitException($"no header section on stream {id} within {bound}");
    }

    public ValueTask DisposeAsync() => stream.DisposeAsync();
}

/// <summary>The same semantics through python-h2, an independent HTTP/2 stack (Debian python3-h2).</summary>
[Collection("semantics")]
public sealed class PythonH2SemanticsTests(SemanticsFixture servers)
{
    [Fact(DisplayName = "RFC 9110 §9.3.2, §15.3.5, §15.4.5, §10.1.1, §15.2, §6.6.1; RFC 9113 §8.1, §8.4: python-h2 sees HEAD/204/304 without content, a 100 before the body, 103, push, request trailers read, date")]
    public async Task PythonH2()
    {
        const string python = "/usr/bin/python3"; // Debian's, with python3-h2 (a python3 earlier on PATH may lack it)
        ExternalTool.Require(python);
        var probe = await ExternalTool.RunAsync(python, ["-c", "import h2"], TimeSpan.FromSeconds(20));
        if (probe.ExitCode != 0)
        {
            if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 }) Assert.Fail("python3-h2 is not installed");
            Assert.Skip("python3-h2 is not installed: apt-get install python3-h2");
        }
        var script = Path.Combine(AppContext.BaseDirectory, "Server", "Peers", "h2_semantics.py");
        var r = await ExternalTool.RunAsync(python, [script, "127.0.0.1", servers.Cleartext.LocalEndPoint!.Port.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(60));
        Assert.True(r.ExitCode == 0, r.ToString());
        var results = Newtonsoft.Json.JsonConvert.DeserializeObject<Dictionary<string, string>>(r.Output)!;
        Assert.Equal(["HEAD", "204", "304", "100-continue", "request trailers", "103", "push", "date"], results.Keys);
        Assert.All(results, kv => Assert.True(kv.Value == "ok", $"{kv.Key}: {kv.Value}"));
    }
}

/// <summary>What the server logs when it changes or refuses a handler's response (a handler that ignores results still leaves a trace).</summary>
public sealed class SemanticsLogTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Collect : Microsoft.Extensions.Logging.ILoggerProvider, Microsoft.Extensions.Logging.ILogger
    {
        public readonly System.Collections.Concurrent.ConcurrentQueue<(Microsoft.Extensions.Logging.LogLevel Level, string Text)> Lines = new();
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => this;
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;
        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue((logLevel, formatter(state, exception)));
        public void Dispose() { }
    }

    [Fact(DisplayName = "RFC 9113 §8.2.2: each connection-specific field dropped is logged with its name and section; an invalid response is logged with its reason")]
    public async Task DropsAndRefusalsAreLogged()
    {
        var logs = new Collect();
        using var factory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(Microsoft.Extensions.Logging.LogLevel.Trace));
        await using var server = new Http2.Reference.Server.Http2Server("127.0.0.1", 0, () => new SemanticsHandler(), null,
            ServerFixture.Quiet with { LoggerFactory = factory });
        server.Start();
        using var client = ServerFixture.Http2Client();
        var url = $"http://127.0.0.1:{server.LocalEndPoint!.Port}";
        Assert.Equal("fields dropped", await client.GetStringAsync($"{url}/connection-specific", Ct));
        using (var retried = await client.GetAsync($"{url}/invalid-then-500", Ct))
            Assert.Equal(HttpStatusCode.InternalServerError, retried.StatusCode);
        var warnings = logs.Lines.Where(l => l.Level == Microsoft.Extensions.Logging.LogLevel.Warning).Select(l => l.Text).ToList();
        foreach (var name in new[] { "connection", "transfer-encoding", "keep-alive" })
            Assert.Contains(warnings, w => w.Contains($"field '{name}' removed from a 200 response (RFC 9113 §8.2.2)", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("the response was not sent: malformed header section: NUL, CR or LF in a field value", StringComparison.Ordinal));
    }
}
