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
}
