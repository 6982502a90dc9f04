using System.Net;
using System.Net.Http.Headers;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary><c>h2ref serve -d</c> seen by .NET HttpClient over h2c: media types, conditional GETs, a range, 405.</summary>
public sealed class ServeDirectoryHttpClientTests(ServedDirectory dir) : IClassFixture<ServedDirectory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static HttpClient Client() => new(new SocketsHttpHandler())
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, // h2c with prior knowledge
        Timeout = TimeSpan.FromSeconds(20),
    };

    private static HttpRequestMessage Request(string url) =>
        new(HttpMethod.Get, url) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

    [Fact(DisplayName = "HttpClient: serve -d gives content-type, then 304 for its etag and its date (RFC 9110 §13.1.2, §13.1.3), 206 for a range (§14), 405 for POST (§15.5.6)")]
    public async Task Semantics()
    {
        using var client = Client();
        using var first = await client.GetAsync(dir.Server.Base + "/app.mjs", Ct);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("text/javascript", first.Content.Headers.ContentType?.MediaType);
        var etag = first.Headers.ETag!;
        var modified = first.Content.Headers.LastModified!.Value;

        using var byTag = Request(dir.Server.Base + "/app.mjs");
        byTag.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(byTag, Ct);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(Ct));

        using var byDate = Request(dir.Server.Base + "/app.mjs");
        byDate.Headers.IfModifiedSince = modified;
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(byDate, Ct)).StatusCode);

        using var ranged = Request(dir.Server.Base + "/sub/big.bin");
        ranged.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var partial = await client.SendAsync(ranged, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(new ContentRangeHeaderValue(1000, 1999, dir.Big.Length) { Unit = "bytes" }, partial.Content.Headers.ContentRange);
        Assert.Equal(dir.Big[1000..2000], await partial.Content.ReadAsByteArrayAsync(Ct));

        using var post = await client.PostAsync(dir.Server.Base + "/a.txt", new StringContent("x"), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        Assert.Equal(["GET", "HEAD"], post.Content.Headers.Allow);
    }

    [Theory(DisplayName = "HttpClient: serve -d sends large files of distinct octets exactly, whole and in ranges, many at once on one connection, while other streams are cancelled mid-body (h2c and TLS)")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LargeFilesStayExact(bool tls)
    {
        await using var own = tls ? await ServeProcess.StartAsync("--tls", "-d", dir.Root) : null;
        var server = own ?? dir.Server;
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true }, // the self-signed certificate of --tls
        })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Timeout = TimeSpan.FromSeconds(60),
        };
        for (var round = 0; round < 3; round++)
        {
            var checks = new List<Task>();
            foreach (var (path, octets) in dir.Distinct)
            {
                for (var i = 0; i < 4; i++) checks.Add(Whole(client, server.Base + path, octets));
                var first = octets.Length / 3 + round;
                checks.Add(Part(client, server.Base + path, octets, first, Math.Min(octets.Length - 1, first + 250_000)));
                checks.Add(Abandon(client, server.Base + path));
            }
            await Task.WhenAll(checks);
        }
    }

    private static async Task Whole(HttpClient client, string url, byte[] expected)
    {
        using var response = await client.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var got = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.True(expected.AsSpan().SequenceEqual(got), $"{url}: the octets differ from the file's");
    }

    private static async Task Part(HttpClient client, string url, byte[] expected, int first, int last)
    {
        using var request = Request(url);
        request.Headers.Range = new RangeHeaderValue(first, last);
        using var response = await client.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        var got = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.True(expected.AsSpan(first, last - first + 1).SequenceEqual(got), $"{url} {first}-{last}: the octets differ from the file's");
    }

    /// <summary>Reads the start of a body, then drops the response: HttpClient resets the stream (RST_STREAM CANCEL) while the server still reads the file.</summary>
    private static async Task Abandon(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, Ct);
        await using var body = await response.Content.ReadAsStreamAsync(Ct);
        await body.ReadAtLeastAsync(new byte[20_000], 20_000, throwOnEndOfStream: false, Ct);
    }
}
