using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// A directory tree for <c>h2ref serve -d</c>: the served root <c>www</c>, and beside it
/// files that must stay out of reach (a secret in the parent, a sibling directory whose
/// name starts with the root's).
/// </summary>
public sealed class ServedDirectory : IAsyncLifetime
{
    public string Top { get; } = Directory.CreateTempSubdirectory("h2ref-serve-d-").FullName;
    public string Root => Path.Combine(Top, "www");
    public byte[] Big { get; } = new byte[300_000];
    public ServeProcess Server { get; private set; } = null!;

    /// <summary>
    /// Files above the cache's 64 KiB, each of different random octets (so a read
    /// buffer that held one file's octets and went out in another's response shows), by
    /// path: read from disk in chunks on every request.
    /// </summary>
    public Dictionary<string, byte[]> Distinct { get; } = new[] { 65_537, 200_003, 700_001, 1_300_007 }
        .Select((length, i) => (Path: $"/sub/r{i}.bin", Octets: RandomOctets(length, 7541 + i)))
        .ToDictionary(f => f.Path, f => f.Octets);

    private static byte[] RandomOctets(int length, int seed)
    {
        var octets = new byte[length];
        new Random(seed).NextBytes(octets);
        return octets;
    }

    public async ValueTask InitializeAsync()
    {
        new Random(9113).NextBytes(Big);
        Directory.CreateDirectory(Path.Combine(Root, "sub", "deeper"));
        Directory.CreateDirectory(Path.Combine(Top, "www-secret"));
        File.WriteAllText(Path.Combine(Root, "index.html"), "<h1>index of www</h1>\n");
        File.WriteAllText(Path.Combine(Root, "a.txt"), "hello\n");
        File.WriteAllText(Path.Combine(Root, "with space.txt"), "spaced\n");
        File.WriteAllText(Path.Combine(Root, "empty.txt"), "");
        File.WriteAllBytes(Path.Combine(Root, "sub", "big.bin"), Big);
        foreach (var (path, octets) in Distinct) File.WriteAllBytes(Root + path, octets);
        File.WriteAllText(Path.Combine(Root, "sub", "deeper", "index.html"), "<h1>deeper</h1>\n");
        foreach (var name in new[] { "style.css", "app.js", "app.mjs", "pic.svg", "data.json", "mod.wasm", "img.png", "font.woff2", "noextension", "archive.unknownext" })
            File.WriteAllText(Path.Combine(Root, name), name);
        File.WriteAllText(Path.Combine(Top, "secret.txt"), "TOPSECRET\n");
        File.WriteAllText(Path.Combine(Top, "www-secret", "s.txt"), "SIBLINGSECRET\n");
        // Symbolic links: inside DIR they are followed, out of it they are not.
        File.CreateSymbolicLink(Path.Combine(Root, "in-link.txt"), "a.txt");
        Directory.CreateSymbolicLink(Path.Combine(Root, "sub", "up"), "..");
        File.CreateSymbolicLink(Path.Combine(Root, "out-abs.txt"), Path.Combine(Top, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(Root, "sub", "out-rel.txt"), "../../secret.txt");
        Directory.CreateSymbolicLink(Path.Combine(Root, "outdir"), Top);
        Directory.CreateSymbolicLink(Path.Combine(Root, "sub", "hop"), "up/outdir"); // in, then out through another link
        File.CreateSymbolicLink(Path.Combine(Root, "loop"), "loop");
        Server = await ServeProcess.StartAsync("-d", Root);
    }

    public async ValueTask DisposeAsync()
    {
        if (Server is not null) await Server.DisposeAsync();
        try { Directory.Delete(Top, recursive: true); } catch (IOException) { }
    }
}

/// <summary><c>h2ref serve -d DIR</c> serves the files under DIR like <c>nghttpd -d</c>, and nothing outside it.</summary>
public sealed class ServeDirectoryTests(ServedDirectory dir) : IClassFixture<ServedDirectory>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>curl with the path sent exactly as written (no dot-segment removal), printing " [status]" after the body.</summary>
    private Task<ToolResult> Get(string path, params string[] extra) =>
        ExternalTool.RunAsync("curl",
            ["--http2-prior-knowledge", "--path-as-is", "-sS", "--max-time", "15", "-w", " [%{response_code} %{http_version}]", .. extra, dir.Server.Base + path], Bound);

    private static (byte[] Body, string Status) Split(ToolResult r)
    {
        var m = Regex.Match(r.Output, @" \[(\d+) (\S+)\]$");
        Assert.True(m.Success, r.ToString());
        var suffix = Encoding.UTF8.GetByteCount(m.Value);
        return (r.Stdout[..^suffix], $"{m.Groups[1].Value} {m.Groups[2].Value}");
    }

    /// <summary>GET <paramref name="path"/> with curl: its body and "status version".</summary>
    private async Task<(byte[] Body, string Status)> Fetch(string path)
    {
        var r = await Get(path);
        Assert.True(r.ExitCode == 0, r.ToString());
        return Split(r);
    }

    /// <summary>GET <paramref name="path"/> is a 404 that shows nothing from outside DIR.</summary>
    private async Task AssertOutOfReach(string path)
    {
        var (body, status) = await Fetch(path);
        Assert.DoesNotContain("SECRET", Encoding.UTF8.GetString(body));
        Assert.Equal("404 2", status);
    }

    [Theory(DisplayName = "serve -d: a file is answered 200 with exactly its octets (percent-decoded names, a directory gives its index.html)")]
    [InlineData("/a.txt", "a.txt")]
    [InlineData("/with%20space.txt", "with space.txt")]
    [InlineData("/empty.txt", "empty.txt")]
    [InlineData("/sub/big.bin", "sub/big.bin")]
    [InlineData("/", "index.html")]
    [InlineData("/sub/deeper/", "sub/deeper/index.html")]
    [InlineData("/a.txt?query=1", "a.txt")]
    public async Task ServesFile(string path, string file)
    {
        var (body, status) = await Fetch(path);
        Assert.Equal("200 2", status);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(dir.Root, file), TestContext.Current.CancellationToken), body);
    }

    [Theory(DisplayName = "serve -d: a directory with index.html named without the final slash is a 301 to the path with it, query kept (RFC 9110 §15.4.2)")]
    [InlineData("/sub/deeper", "/sub/deeper/")]
    [InlineData("/sub/deeper?x=1", "/sub/deeper/?x=1")]
    [InlineData("/sub/up/sub/deeper", "/sub/up/sub/deeper/")]
    public async Task DirectoryRedirect(string path, string location)
    {
        var (status, fields, body) = await Exchange(path);
        Assert.Equal(301, status);
        Assert.Equal(location, fields["location"]);
        Assert.Empty(body);
        var (followed, _) = await Fetch(location);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(dir.Root, "sub", "deeper", "index.html"), TestContext.Current.CancellationToken), followed);
    }

    [Theory(DisplayName = "serve -d: a missing file, or a directory without index.html, is 404")]
    [InlineData("/missing.txt")]
    [InlineData("/sub/")]
    [InlineData("/sub/missing/")]
    [InlineData("/a.txt/")]
    public async Task Missing(string path) => Assert.Equal("404 2", (await Fetch(path)).Status);

    [Theory(DisplayName = "serve -d: no escape from DIR with .. segments, raw or percent-encoded, nor into a sibling whose name starts with DIR's")]
    [InlineData("/../secret.txt")]
    [InlineData("/%2e%2e/secret.txt")]
    [InlineData("/%2E%2E/secret.txt")]
    [InlineData("/..%2fsecret.txt")]
    [InlineData("/%2e%2e%2fsecret.txt")]
    [InlineData("/sub/../../secret.txt")]
    [InlineData("/sub/%2e%2e/%2e%2e/secret.txt")]
    [InlineData("//..//secret.txt")]
    [InlineData("/../www-secret/s.txt")]     // the prefix bug: /tmp/x/www-secret starts with /tmp/x/www
    [InlineData("/%2e%2e/www-secret/s.txt")]
    [InlineData("/%2e%2e%2fwww-secret%2fs.txt")]
    public async Task NoTraversal(string path) => await AssertOutOfReach(path);

    [Theory(DisplayName = "serve -d: a symbolic link that stays inside DIR is followed")]
    [InlineData("/in-link.txt", "hello\n")]
    [InlineData("/sub/up/a.txt", "hello\n")]
    [InlineData("/sub/up/sub/up/in-link.txt", "hello\n")]
    public async Task LinkInside(string path, string text)
    {
        var (body, status) = await Fetch(path);
        Assert.Equal("200 2", status);
        Assert.Equal(text, Encoding.UTF8.GetString(body));
    }

    [Theory(DisplayName = "serve -d: a symbolic link out of DIR (absolute, by .., through a linked directory, via another link) or a link loop is 404")]
    [InlineData("/out-abs.txt")]
    [InlineData("/sub/out-rel.txt")]
    [InlineData("/outdir/secret.txt")]
    [InlineData("/outdir/www-secret/s.txt")]
    [InlineData("/sub/hop/secret.txt")]
    [InlineData("/sub/up/outdir/secret.txt")]
    [InlineData("/loop")]
    public async Task LinkOutside(string path) => await AssertOutOfReach(path);

    [Theory(DisplayName = "serve -d: a NUL in the decoded path is 404, not a handler failure (stream reset)")]
    [InlineData("/%00")]
    [InlineData("/a.txt%00")]
    [InlineData("/a.txt%00.png")]
    public async Task NulInPath(string path) =>
        Assert.Equal("404 2", (await Fetch(path)).Status); // Fetch fails if the stream is reset (curl exits 92)

    [Fact(DisplayName = "serve -d: HEAD of a file answers 200 and its content-length, with no body (RFC 9110 §9.3.2)")]
    public async Task Head()
    {
        var r = await ExternalTool.RunAsync("curl",
            ["--http2-prior-knowledge", "-sS", "--max-time", "15", "-I", dir.Server.Base + "/sub/big.bin"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.StartsWith("HTTP/2 200", r.Output);
        Assert.Contains($"content-length: {dir.Big.Length}", r.Output);
    }

    [Fact(DisplayName = "serve -d with nghttp: a file larger than the 64 KiB windows arrives whole and exact (RFC 9113 §6.9)")]
    public async Task NghttpLargeFile()
    {
        var r = await ExternalTool.RunAsync("nghttp", ["-w", "16", "-W", "16", dir.Server.Base + "/sub/big.bin"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(dir.Big, r.Stdout);
    }

    [Fact(DisplayName = "serve -d with nghttp: several files fetched concurrently on one connection are each exact")]
    public async Task NghttpConcurrentFiles()
    {
        var r = await ExternalTool.RunAsync("nghttp", ["-n", "-s", "-m", "20", dir.Server.Base + "/sub/big.bin"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(20, Regex.Matches(r.Output, @"\s200\s").Count);
    }

    /// <summary>The response's header fields (curl -D), lower-case names, and the status.</summary>
    private async Task<(int Status, Dictionary<string, string> Fields, byte[] Body)> Exchange(string path, params string[] extra)
    {
        var headersFile = Path.Combine(dir.Top, $"headers-{Guid.NewGuid():N}.txt");
        var r = await ExternalTool.RunAsync("curl",
            ["--http2-prior-knowledge", "-sS", "--max-time", "15", "-D", headersFile, .. extra, dir.Server.Base + path], Bound);
        Assert.True(r.ExitCode == 0, r.ToString()); // a reset stream fails here (curl exit 92)
        var lines = File.ReadAllLines(headersFile).Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
        File.Delete(headersFile);
        var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var fields = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        return (status, fields, r.Stdout);
    }

    [Theory(DisplayName = "serve -d: content-type from the media type table by extension (RFC 9110 §8.3), application/octet-stream when unknown")]
    [InlineData("/index.html", "text/html")]
    [InlineData("/", "text/html")]
    [InlineData("/style.css", "text/css")]
    [InlineData("/app.js", "text/javascript")]
    [InlineData("/app.mjs", "text/javascript")]
    [InlineData("/pic.svg", "image/svg+xml")]
    [InlineData("/data.json", "application/json")]
    [InlineData("/mod.wasm", "application/wasm")]
    [InlineData("/img.png", "image/png")]
    [InlineData("/font.woff2", "font/woff2")]
    [InlineData("/a.txt", "text/plain")]
    [InlineData("/noextension", "application/octet-stream")]
    [InlineData("/archive.unknownext", "application/octet-stream")]
    public async Task ContentType(string path, string type)
    {
        var (status, fields, _) = await Exchange(path);
        Assert.Equal(200, status);
        Assert.Equal(type, fields["content-type"]);
    }

    [Fact(DisplayName = "serve -d: a file's 200 carries a strong etag, last-modified (IMF-fixdate) and accept-ranges: bytes (RFC 9110 §8.8, §14.3)")]
    public async Task Validators()
    {
        var (status, fields, _) = await Exchange("/a.txt");
        Assert.Equal(200, status);
        Assert.Matches("^\"[0-9a-f]+-[0-9a-f]+\"$", fields["etag"]);
        var modified = DateTime.ParseExact(fields["last-modified"], "r", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(File.GetLastWriteTimeUtc(Path.Combine(dir.Root, "a.txt")), modified, TimeSpan.FromSeconds(1));
        Assert.Equal("bytes", fields["accept-ranges"]);
    }

    [Fact(DisplayName = "RFC 9110 §13.1.2, §15.4.5: If-None-Match with the current etag (alone, in a list, weak, or *) is 304 with the etag and no content; another etag is 200")]
    public async Task IfNoneMatch()
    {
        var etag = (await Exchange("/a.txt")).Fields["etag"];
        foreach (var value in new[] { etag, $"\"other\", {etag}", "W/" + etag, "*" })
        {
            var (status, fields, body) = await Exchange("/a.txt", "-H", "If-None-Match: " + value);
            Assert.True(status == 304, value);
            Assert.Equal(etag, fields["etag"]);
            Assert.Empty(body);
        }
        Assert.Equal(200, (await Exchange("/a.txt", "-H", "If-None-Match: \"other\"")).Status);
    }

    [Fact(DisplayName = "RFC 9110 §13.1.3: If-Modified-Since at or after last-modified is 304, before it 200; If-None-Match takes precedence")]
    public async Task IfModifiedSince()
    {
        var lastModified = (await Exchange("/a.txt")).Fields["last-modified"];
        var date = DateTime.ParseExact(lastModified, "r", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(304, (await Exchange("/a.txt", "-H", "If-Modified-Since: " + lastModified)).Status);
        Assert.Equal(304, (await Exchange("/a.txt", "-H", "If-Modified-Since: " + date.AddHours(1).ToString("r"))).Status);
        Assert.Equal(200, (await Exchange("/a.txt", "-H", "If-Modified-Since: " + date.AddHours(-1).ToString("r"))).Status);
        Assert.Equal(200, (await Exchange("/a.txt", "-H", "If-Modified-Since: not a date")).Status);
        Assert.Equal(200, (await Exchange("/a.txt", "-H", "If-Modified-Since: " + lastModified, "-H", "If-None-Match: \"other\"")).Status);
    }

    [Theory(DisplayName = "RFC 9110 §14.1.2, §15.3.7: one byte range is 206 with exactly those octets, content-range and content-length")]
    [InlineData("bytes=10-19", 10, 19)]
    [InlineData("bytes=0-0", 0, 0)]
    [InlineData("bytes=299990-", 299990, 299999)]
    [InlineData("bytes=299990-400000", 299990, 299999)]
    [InlineData("bytes=-7", 299993, 299999)]
    [InlineData("bytes=-400000", 0, 299999)]
    public async Task Range(string range, int first, int last)
    {
        var (status, fields, body) = await Exchange("/sub/big.bin", "-H", "Range: " + range);
        Assert.Equal(206, status);
        Assert.Equal($"bytes {first}-{last}/{dir.Big.Length}", fields["content-range"]);
        Assert.Equal((last - first + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), fields["content-length"]);
        Assert.Equal(dir.Big[first..(last + 1)], body);
    }

    [Theory(DisplayName = "RFC 9110 §14.1.2, §15.5.17: a range past the end is 416 with content-range: bytes */LENGTH")]
    [InlineData("bytes=300000-")]
    [InlineData("bytes=500000-600000")]
    [InlineData("bytes=-0")]
    public async Task RangeNotSatisfiable(string range)
    {
        var (status, fields, body) = await Exchange("/sub/big.bin", "-H", "Range: " + range);
        Assert.Equal(416, status);
        Assert.Equal($"bytes */{dir.Big.Length}", fields["content-range"]);
        Assert.Empty(body);
    }

    [Theory(DisplayName = "RFC 9110 §14.2: an invalid range, another unit, several ranges, or a HEAD are answered 200 whole")]
    [InlineData("GET", "bytes=20-10")]
    [InlineData("GET", "items=0-5")]
    [InlineData("GET", "bytes=0-1,5-6")]
    [InlineData("GET", "bytes=abc")]
    [InlineData("HEAD", "bytes=0-9")]
    public async Task RangeIgnored(string method, string range)
    {
        var (status, fields, body) = await Exchange("/sub/big.bin", method == "HEAD" ? ["-I", "-H", "Range: " + range] : ["-H", "Range: " + range]);
        Assert.Equal(200, status);
        Assert.Equal(dir.Big.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), fields["content-length"]);
        Assert.False(fields.ContainsKey("content-range"));
        if (method == "GET") Assert.Equal(dir.Big, body);
    }

    [Fact(DisplayName = "RFC 9110 §13.1.5: If-Range with the current etag or date applies the range (206); with another, the whole file (200)")]
    public async Task IfRange()
    {
        var fields = (await Exchange("/sub/big.bin", "-I")).Fields;
        Assert.Equal(206, (await Exchange("/sub/big.bin", "-H", "Range: bytes=0-9", "-H", "If-Range: " + fields["etag"])).Status);
        Assert.Equal(206, (await Exchange("/sub/big.bin", "-H", "Range: bytes=0-9", "-H", "If-Range: " + fields["last-modified"])).Status);
        Assert.Equal(200, (await Exchange("/sub/big.bin", "-H", "Range: bytes=0-9", "-H", "If-Range: \"stale\"")).Status);
        Assert.Equal(200, (await Exchange("/sub/big.bin", "-H", "Range: bytes=0-9", "-H", "If-Range: W/" + fields["etag"])).Status); // weak never matches
    }

    [Theory(DisplayName = "RFC 9110 §15.5.6: another method on a file is 405 with allow: GET, HEAD, not the demo's answer")]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task MethodNotAllowed(string method)
    {
        var (status, fields, body) = await Exchange("/a.txt", "-X", method, "-d", "x");
        Assert.Equal(405, status);
        Assert.Equal("GET, HEAD", fields["allow"]);
        Assert.Empty(body);
    }

    [Fact(DisplayName = "serve -d: a path that is no file still reaches the demo routes (POST /echo)")]
    public async Task DemoRoutesBeside()
    {
        var (status, _, body) = await Exchange("/echo", "-X", "POST", "-d", "12345");
        Assert.Equal(200, status);
        Assert.Equal("5\n", Encoding.UTF8.GetString(body));
    }

    [Fact(DisplayName = "serve -d with nghttp: a 304 and a 206 arrive without a stream reset")]
    public async Task NghttpConditionalAndRange()
    {
        var etag = (await Exchange("/sub/big.bin", "-I")).Fields["etag"];
        var r = await ExternalTool.RunAsync("nghttp", ["-v", "-H", "if-none-match: " + etag, dir.Server.Base + "/sub/big.bin"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains(":status: 304", r.Output);
        Assert.DoesNotContain("RST_STREAM", r.Output);
        var ranged = await ExternalTool.RunAsync("nghttp", ["-H", "range: bytes=100-199", dir.Server.Base + "/sub/big.bin"], Bound);
        Assert.True(ranged.ExitCode == 0, ranged.ToString());
        Assert.Equal(dir.Big[100..200], ranged.Stdout);
    }

    [Fact(DisplayName = "serve -d: a missing directory is a clear usage error (exit 2), not a stack trace")]
    public async Task MissingDirectory()
    {
        var r = await ServeProcess.RunToExitAsync("-d", Path.Combine(dir.Top, "no-such-dir"));
        Assert.False(r.TimedOut);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("h2ref serve: no directory", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }
}

/// <summary><see cref="Http2.Reference.Server.StaticFiles.RealPath"/>: symbolic links resolved top-down, like POSIX realpath.</summary>
public sealed class RealPathTests : IDisposable
{
    private readonly string top = Directory.CreateTempSubdirectory("h2ref-realpath-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(top, recursive: true); } catch (IOException) { }
    }

    [Fact(DisplayName = "RealPath: plain paths are themselves; links (absolute, relative, chained, to directories, with ..) resolve; missing parts and loops are null")]
    public void Resolves()
    {
        var real = Http2.Reference.Server.StaticFiles.RealPath(top)!; // /tmp may itself be a link
        Directory.CreateDirectory(Path.Combine(top, "d", "e"));
        File.WriteAllText(Path.Combine(top, "d", "e", "f"), "f");
        File.CreateSymbolicLink(Path.Combine(top, "abs"), Path.Combine(top, "d", "e", "f"));
        File.CreateSymbolicLink(Path.Combine(top, "d", "rel"), "e/f");
        File.CreateSymbolicLink(Path.Combine(top, "chain"), "d/rel");
        Directory.CreateSymbolicLink(Path.Combine(top, "d", "e", "parent"), "..");
        File.CreateSymbolicLink(Path.Combine(top, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(top, "b"), "a");
        var f = Path.Combine(real, "d", "e", "f");
        Assert.Equal(f, Http2.Reference.Server.StaticFiles.RealPath(Path.Combine(top, "d", "e", "f")));
        Assert.Equal(f, Http2.Reference.Server.StaticFiles.RealPath(Path.Combine(top, "abs")));
        Assert.Equal(f, Http2.Reference.Server.StaticFiles.RealPath(Path.Combine(top, "d", "rel")));
        Assert.Equal(f, Http2.Reference.Server.StaticFiles.RealPath(Path.Combine(top, "chain")));
        // The link's ".." is taken where the link really is (d/e/parent -> d), then "e/f".
        Assert.Equal(f, Http2.Reference.Server.StaticFiles.RealPath(Path.Combine(top, "d", "e", "parent", "e", "f")));
        Assert.Equal(Path.Combine(real, "d"), Http2.Reference.Server.StaticFiles.RealPath(Path.Combine(top, "d", "e", "parent")));
        Assert.Null(Http2.Reference.Server.StaticFiles.RealPath(Path.Combine(top, "missing", "f")));
        Assert.Null(Http2.Reference.Server.StaticFiles.RealPath(Path.Combine(top, "a")));
    }
}
