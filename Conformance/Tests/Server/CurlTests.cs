using Xunit;

namespace Conformance.Tests.Server;

/// <summary>The server against curl: prior-knowledge h2c and TLS with ALPN h2.</summary>
[Collection("servers")]
public sealed class CurlTests(ServerFixture servers)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private Task<ToolResult> Curl(bool tls, params string[] args) =>
        ExternalTool.RunAsync("curl",
            [.. tls ? new[] { "--http2", "-k" } : ["--http2-prior-knowledge"], "-sS", "--max-time", "15", .. args], Bound);

    [Theory(DisplayName = "RFC 9113 §3.3/§3.2: curl GET over h2c prior knowledge and over TLS (ALPN h2) is answered in HTTP/2")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Get(bool tls)
    {
        var r = await Curl(tls, "-w", "\n%{http_version} %{response_code}", $"{servers.Base(tls)}/");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"{Http2.Reference.Server.DemoHandler.RootText}\n2 200", r.Output);
    }

    [Theory(DisplayName = "RFC 9113 §8.1: response bodies of 0 B, 13 B and 1 MB arrive whole")]
    [InlineData(false, 0)]
    [InlineData(false, 13)]
    [InlineData(false, 1 << 20)]
    [InlineData(true, 0)]
    [InlineData(true, 13)]
    [InlineData(true, 1 << 20)]
    public async Task Bodies(bool tls, int size)
    {
        var r = await Curl(tls, $"{servers.Base(tls)}/bytes/{size}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(size, r.Stdout.Length);
        for (var i = 0; i < size; i++)
            if (r.Stdout[i] != (byte)('a' + i % 26)) Assert.Fail($"octet {i} differs");
    }

    [Theory(DisplayName = "RFC 9113 §6.9: a 1 MB POST body is received whole (flow control reopens the windows)")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post1MB(bool tls)
    {
        var r = await ExternalTool.RunAsync("curl",
            [.. tls ? new[] { "--http2", "-k" } : ["--http2-prior-knowledge"], "-sS", "--max-time", "15",
                "--data-binary", "@-", "-H", "content-type: application/octet-stream", $"{servers.Base(tls)}/echo"],
            Bound, stdin: new byte[1 << 20]);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("1048576\n", r.Output);
    }

    [Fact(DisplayName = "RFC 9113 §3.3: an HTTP/1.1 request on the cleartext port gets a 505 that explains prior knowledge, then a close")]
    public async Task Http11Refused()
    {
        var r = await ExternalTool.RunAsync("curl", ["--http1.1", "-sS", "--max-time", "10", "-w", "\n%{response_code}", $"{servers.H2c}/"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.EndsWith("505", r.Output);
        Assert.Contains("prior knowledge", r.Output);
    }

    [Fact(DisplayName = "RFC 9113 §3.1: an h2c Upgrade request is refused with a clear answer, never a hang")]
    public async Task UpgradeRefused()
    {
        var r = await ExternalTool.RunAsync("curl", ["--http2", "-sS", "--max-time", "10", "-w", "\n%{response_code}", $"{servers.H2c}/"], Bound);
        Assert.False(r.TimedOut);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.EndsWith("505", r.Output);
    }

    [Fact(DisplayName = "RFC 9113 §3.2: a TLS client that does not offer h2 in ALPN is closed")]
    public async Task TlsWithoutH2Closed()
    {
        var r = await ExternalTool.RunAsync("curl", ["--http1.1", "-k", "-sS", "--max-time", "10", $"{servers.H2}/"], Bound);
        Assert.False(r.TimedOut);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Empty(r.Stdout);
    }
}
