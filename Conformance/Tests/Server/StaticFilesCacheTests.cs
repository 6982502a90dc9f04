using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Http2.Reference.Frames;
using Http2.Reference.Server;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// The cache of <see cref="StaticFiles"/> (what a path resolved to, small files' octets): every
/// answer is of the file as it is now, whatever happened to it since it was cached, and the
/// no-escape rules hold for a link changed after its target was cached.
/// </summary>
public sealed class StaticFilesCacheTests : IAsyncDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string top = Directory.CreateTempSubdirectory("h2ref-cache-").FullName;
    private readonly HttpClient client = ServerFixture.Http2Client();
    private Http2Server? server;
    private StaticFiles files = null!;

    private string Root => Path.Combine(top, "www");

    private string Url(string path) => $"http://127.0.0.1:{server!.LocalEndPoint!.Port}{path}";

    /// <summary>Serves <see cref="Root"/>; <paramref name="settle"/> zero keeps octets of files however recent.</summary>
    private void Start(TimeSpan? settle = null)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the cache is Linux's (statx)");
        files = new StaticFiles(Root, null, settle ?? TimeSpan.Zero);
        server = new Http2Server("127.0.0.1", 0, () => new DemoHandler(files), null, ServerFixture.Quiet);
        server.Start();
    }

    public StaticFilesCacheTests()
    {
        Directory.CreateDirectory(Path.Combine(Root, "sub"));
        File.WriteAllText(Path.Combine(top, "secret.txt"), "TOPSECRET\n");
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        if (server is not null) await server.StopAsync(TimeSpan.FromSeconds(5));
        try { Directory.Delete(top, recursive: true); } catch (IOException) { }
    }

    private async Task<(HttpStatusCode Status, string Body)> Get(string path, Action<HttpRequestHeaders>? headers = null)
    {
        using var request = Request(HttpMethod.Get, path);
        headers?.Invoke(request.Headers);
        using var response = await client.SendAsync(request, Ct);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private HttpRequestMessage Request(HttpMethod method, string path) =>
        new(method, Url(path)) { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact };

    /// <summary>File times have the kernel tick as their grain: a rewrite this long after the previous write has other times.</summary>
    private static Task PastTimestampGrain() => Task.Delay(50, Ct);

    [Fact(DisplayName = "serve -d cache: a small file is kept in memory once served, and a rewrite of the same length is served as it is now")]
    public async Task RewrittenInPlace()
    {
        var path = Path.Combine(Root, "a.txt");
        await File.WriteAllTextAsync(path, "first\n", Ct);
        Start();
        Assert.Equal((HttpStatusCode.OK, "first\n"), await Get("/a.txt"));
        Assert.Equal((1, 6L), files.Cached); // the octets are in memory: the next answer comes from there unless the check fails
        Assert.Equal((HttpStatusCode.OK, "first\n"), await Get("/a.txt"));
        await PastTimestampGrain();
        await using (var writer = new FileStream(path, FileMode.Open, FileAccess.Write)) // in place: the same inode, the same length
            await writer.WriteAsync("again\n"u8.ToArray(), Ct);
        Assert.Equal((HttpStatusCode.OK, "again\n"), await Get("/a.txt"));
    }

    [Fact(DisplayName = "serve -d cache: a file replaced by rename (another inode, the same length and modification time) is served as it is now")]
    public async Task ReplacedByRename()
    {
        var path = Path.Combine(Root, "r.txt");
        await File.WriteAllTextAsync(path, "old\n", Ct);
        Start();
        Assert.Equal((HttpStatusCode.OK, "old\n"), await Get("/r.txt"));
        var temp = Path.Combine(Root, "r.tmp");
        await File.WriteAllTextAsync(temp, "new\n", Ct);
        File.SetLastWriteTimeUtc(temp, File.GetLastWriteTimeUtc(path));
        File.Move(temp, path, overwrite: true); // as editors save
        Assert.Equal((HttpStatusCode.OK, "new\n"), await Get("/r.txt"));
    }

    [Fact(DisplayName = "serve -d cache: a deleted file is 404 at once, and served again when it comes back")]
    public async Task Deleted()
    {
        var path = Path.Combine(Root, "sub", "d.txt");
        await File.WriteAllTextAsync(path, "here\n", Ct);
        Start();
        Assert.Equal((HttpStatusCode.OK, "here\n"), await Get("/sub/d.txt"));
        File.Delete(path);
        Assert.Equal(HttpStatusCode.NotFound, (await Get("/sub/d.txt")).Status);
        Assert.Equal((0, 0L), files.Cached);
        await File.WriteAllTextAsync(path, "back\n", Ct);
        Assert.Equal((HttpStatusCode.OK, "back\n"), await Get("/sub/d.txt"));
    }

    [Fact(DisplayName = "serve -d cache: a link changed after its target was cached leads to its new target inside DIR, and out of DIR to nothing")]
    public async Task LinkRetargeted()
    {
        await File.WriteAllTextAsync(Path.Combine(Root, "one.txt"), "one\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(Root, "two.txt"), "two\n", Ct);
        var link = Path.Combine(Root, "link.txt");
        File.CreateSymbolicLink(link, "one.txt");
        Start();
        Assert.Equal((HttpStatusCode.OK, "one\n"), await Get("/link.txt"));
        File.Delete(link);
        File.CreateSymbolicLink(link, "two.txt");
        Assert.Equal((HttpStatusCode.OK, "two\n"), await Get("/link.txt"));
        File.Delete(link);
        File.CreateSymbolicLink(link, Path.Combine(top, "secret.txt"));
        var (status, body) = await Get("/link.txt");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("SECRET", body);
        // A cached directory that becomes a link out of DIR: what was under it is out of reach.
        Directory.CreateDirectory(Path.Combine(Root, "dir"));
        await File.WriteAllTextAsync(Path.Combine(Root, "dir", "secret.txt"), "inside\n", Ct);
        Assert.Equal((HttpStatusCode.OK, "inside\n"), await Get("/dir/secret.txt"));
        Directory.Delete(Path.Combine(Root, "dir"), recursive: true);
        Directory.CreateSymbolicLink(Path.Combine(Root, "dir"), top);
        (status, body) = await Get("/dir/secret.txt");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain("SECRET", body);
    }

    [Fact(DisplayName = "serve -d cache: a file larger than 64 KiB is read from disk each time (not kept), a rewrite is served as it is now, ranges apply")]
    public async Task LargeFromDisk()
    {
        var path = Path.Combine(Root, "big.txt");
        await File.WriteAllTextAsync(path, new string('a', 100_000), Ct);
        Start();
        Assert.Equal(new string('a', 100_000), (await Get("/big.txt")).Body);
        Assert.Equal((1, 0L), files.Cached);
        await PastTimestampGrain();
        await File.WriteAllTextAsync(path, new string('b', 100_000), Ct);
        Assert.Equal(new string('b', 100_000), (await Get("/big.txt")).Body);
        Assert.Equal((HttpStatusCode.PartialContent, "bbb"), await Get("/big.txt", h => h.Range = new RangeHeaderValue(99_997, null)));
    }

    [Fact(DisplayName = "serve -d cache: answers from memory keep RFC 9110's validators, 304, ranges (206, 416), HEAD and 405")]
    public async Task ValidatorsFromMemory()
    {
        await File.WriteAllTextAsync(Path.Combine(Root, "v.txt"), "0123456789", Ct);
        Start();
        using var first = await client.GetAsync(Url("/v.txt"), Ct);
        Assert.Equal((1, 10L), files.Cached);
        var etag = first.Headers.ETag!;
        Assert.Equal(HttpStatusCode.NotModified, (await Get("/v.txt", h => h.IfNoneMatch.Add(etag))).Status);
        Assert.Equal((HttpStatusCode.PartialContent, "234"), await Get("/v.txt", h => h.Range = new RangeHeaderValue(2, 4)));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await Get("/v.txt", h => h.Range = new RangeHeaderValue(10, null))).Status);
        using var head = await client.SendAsync(Request(HttpMethod.Head, "/v.txt"), Ct);
        Assert.Equal(10, head.Content.Headers.ContentLength);
        Assert.Equal(etag, head.Headers.ETag);
        using var delete = await client.SendAsync(Request(HttpMethod.Delete, "/v.txt"), Ct);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
    }

    [Fact(DisplayName = "serve -d cache: the octets of a file changed in the last 2 s are not kept (file times have a coarse grain), yet it is served")]
    public async Task RecentNotKept()
    {
        await File.WriteAllTextAsync(Path.Combine(Root, "fresh.txt"), "fresh\n", Ct);
        Start(FileCache.DefaultSettle);
        Assert.Equal((HttpStatusCode.OK, "fresh\n"), await Get("/fresh.txt"));
        Assert.Equal((1, 0L), files.Cached);
        Assert.Equal((HttpStatusCode.OK, "fresh\n"), await Get("/fresh.txt"));
    }

    [Fact(DisplayName = "serve -d cache: bounded: at most 256 files known (descriptors held) however many are served")]
    public async Task Bounded()
    {
        for (var i = 0; i < FileCache.MaxFiles + 44; i++)
            await File.WriteAllTextAsync(Path.Combine(Root, $"f{i}.txt"), $"{i}\n", Ct);
        Start();
        for (var i = 0; i < FileCache.MaxFiles + 44; i++)
            Assert.Equal((HttpStatusCode.OK, $"{i}\n"), await Get($"/f{i}.txt"));
        Assert.InRange(files.Cached.Files, 1, FileCache.MaxFiles);
        Assert.InRange(files.Cached.Octets, 1, FileCache.MaxOctets);
    }

    [Fact(DisplayName = "serve -d cache: a check of the path that began after a request arrived answers for it; one received after a change never gets an answer checked before it")]
    public async Task CheckAfterArrival()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the cache is Linux's (statx)");
        var full = Path.Combine(Root, "u.txt");
        await File.WriteAllTextAsync(full, "u\n", Ct);
        var cache = new FileCache(TimeSpan.Zero);
        var loaded = cache.Load("/u.txt", full, StaticFiles.RealPath(Root)!, "text/plain");
        Assert.NotNull(loaded);
        var arrived = Stopwatch.GetTimestamp();
        Assert.Same(loaded, cache.Fresh("/u.txt", arrived)); // not checked since it arrived: checked now
        Assert.Equal(1, cache.Checks);
        Assert.Same(loaded, cache.Fresh("/u.txt", arrived)); // arrived before that check: its answer stands
        Assert.Equal(1, cache.Checks);
        Assert.Same(loaded, cache.Fresh("/u.txt", 0)); // arrival not known: checked now
        Assert.Equal(2, cache.Checks);
        File.Delete(full);
        // A request that arrived before the last check that saw the file, and was answered after the
        // delete, is one the delete overlapped: the file as it was after the request arrived is its answer.
        Assert.Same(loaded, cache.Fresh("/u.txt", arrived));
        Assert.Equal(2, cache.Checks);
        // One that arrived after the delete is checked, and the file is gone.
        Assert.Null(cache.Fresh("/u.txt", Stopwatch.GetTimestamp()));
        Assert.Equal((0, 0L), (cache.Count, cache.Octets));
    }

    [Fact(DisplayName = "serve -d cache: requests read together share one check of the file, and one read after the file changed gets it as changed")]
    public async Task OneCheckPerRead()
    {
        const int Together = 20;
        var path = Path.Combine(Root, "c.txt");
        await File.WriteAllTextAsync(path, "before\n", Ct);
        Start();
        Assert.Equal((HttpStatusCode.OK, "before\n"), await Get("/c.txt")); // known, its octets in memory
        await using var stream = await RawSocketTests.Connect(server!);
        var authority = $"127.0.0.1:{server!.LocalEndPoint!.Port}";
        var checks = files.CacheChecks;
        var frames = new List<Frame> { new SettingsFrame(false, default) };
        for (var i = 0; i < Together; i++) frames.Add(new HeadersFrame((uint)(2 * i + 1), GetBlock("/c.txt", authority), EndStream: true));
        await stream.WriteAsync(CleartextPreface.Preface.ToArray().Concat(FrameWriter.ToBytes(frames)).ToArray(), Ct); // one write: read together
        var bodies = Bodies(await RawSocketTests.ReadFrames(stream, Ended(Together), TimeSpan.FromSeconds(10)));
        Assert.Equal(Together, bodies.Count);
        Assert.All(bodies.Values, b => Assert.Equal("before\n", b));
        Assert.InRange(files.CacheChecks - checks, 1, Together / 2); // one per read of the connection (a check each before)

        await PastTimestampGrain();
        await using (var writer = new FileStream(path, FileMode.Open, FileAccess.Write)) // in place: the same inode, the same length
            await writer.WriteAsync("after!\n"u8.ToArray(), Ct);
        await stream.WriteAsync(FrameWriter.ToBytes(new HeadersFrame(2 * Together + 1, GetBlock("/c.txt", authority), EndStream: true)), Ct);
        bodies = Bodies(await RawSocketTests.ReadFrames(stream, Ended(1), TimeSpan.FromSeconds(10)));
        Assert.Equal("after!\n", bodies[2 * Together + 1]);
    }

    /// <summary>RFC 7541 §6.2.2 literals without indexing (indexed names), no Huffman: a GET for <paramref name="path"/>.</summary>
    private static byte[] GetBlock(string path, string authority)
    {
        var block = new List<byte> { 0x82, 0x86 }; // :method GET, :scheme http (static table 2, 6)
        foreach (var (index, value) in new[] { ((byte)0x04, path), ((byte)0x01, authority) }) // :path, :authority
        {
            block.Add(index);
            block.Add((byte)value.Length);
            block.AddRange(Encoding.ASCII.GetBytes(value));
        }
        return [.. block];
    }

    /// <summary>Stops reading once <paramref name="streams"/> streams have ended with DATA.</summary>
    private static Func<Frame, bool> Ended(int streams)
    {
        var ended = 0;
        return f => f is DataFrame { EndStream: true } && ++ended == streams;
    }

    private static Dictionary<uint, string> Bodies(IEnumerable<Frame> frames) =>
        frames.OfType<DataFrame>().GroupBy(d => d.StreamId)
            .ToDictionary(g => g.Key, g => string.Concat(g.Select(d => Encoding.ASCII.GetString(d.Data.Span))));
}
