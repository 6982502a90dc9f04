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
        File.WriteAllText(Path.Combine(Root, "sub", "deeper", "index.html"), "<h1>deeper</h1>\n");
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
    [InlineData("/sub/deeper", "sub/deeper/index.html")]
    [InlineData("/a.txt?query=1", "a.txt")]
    public async Task ServesFile(string path, string file)
    {
        var (body, status) = await Fetch(path);
        Assert.Equal("200 2", status);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(dir.Root, file), TestContext.Current.CancellationToken), body);
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

/// <summary><see cref="Reference.Server.DemoHandler.RealPath"/>: symbolic links resolved top-down, like POSIX realpath.</summary>
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
        var real = Reference.Server.DemoHandler.RealPath(top)!; // /tmp may itself be a link
        Directory.CreateDirectory(Path.Combine(top, "d", "e"));
        File.WriteAllText(Path.Combine(top, "d", "e", "f"), "f");
        File.CreateSymbolicLink(Path.Combine(top, "abs"), Path.Combine(top, "d", "e", "f"));
        File.CreateSymbolicLink(Path.Combine(top, "d", "rel"), "e/f");
        File.CreateSymbolicLink(Path.Combine(top, "chain"), "d/rel");
        Directory.CreateSymbolicLink(Path.Combine(top, "d", "e", "parent"), "..");
        File.CreateSymbolicLink(Path.Combine(top, "a"), "b");
        File.CreateSymbolicLink(Path.Combine(top, "b"), "a");
        var f = Path.Combine(real, "d", "e", "f");
        Assert.Equal(f, Reference.Server.DemoHandler.RealPath(Path.Combine(top, "d", "e", "f")));
        Assert.Equal(f, Reference.Server.DemoHandler.RealPath(Path.Combine(top, "abs")));
        Assert.Equal(f, Reference.Server.DemoHandler.RealPath(Path.Combine(top, "d", "rel")));
        Assert.Equal(f, Reference.Server.DemoHandler.RealPath(Path.Combine(top, "chain")));
        // The link's ".." is taken where the link really is (d/e/parent -> d), then "e/f".
        Assert.Equal(f, Reference.Server.DemoHandler.RealPath(Path.Combine(top, "d", "e", "parent", "e", "f")));
        Assert.Equal(Path.Combine(real, "d"), Reference.Server.DemoHandler.RealPath(Path.Combine(top, "d", "e", "parent")));
        Assert.Null(Reference.Server.DemoHandler.RealPath(Path.Combine(top, "missing", "f")));
        Assert.Null(Reference.Server.DemoHandler.RealPath(Path.Combine(top, "a")));
    }
}
