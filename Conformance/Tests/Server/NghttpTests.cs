using System.Text.RegularExpressions;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>The server against nghttp2's client and load generator.</summary>
[Collection("servers")]
public sealed partial class NghttpTests(ServerFixture servers)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Theory(DisplayName = "RFC 9113 §8.4: the seed's example pushes /css/style.css; the PUSH_PROMISE precedes the page's DATA")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SeedExamplePush(bool tls)
    {
        var r = await ExternalTool.RunAsync("nghttp", ["-nv", $"{servers.Base(tls)}/"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        var output = r.Output;
        var promise = output.IndexOf("recv PUSH_PROMISE frame", StringComparison.Ordinal);
        Assert.True(promise >= 0, r.ToString());
        Assert.Contains(":path: /css/style.css", output);
        // §8.4.1: the promise is sent before any DATA of the parent (the odd stream it came on) refers to it.
        var parent = Regex.Match(output, @"recv PUSH_PROMISE frame <length=\d+, flags=0x\d+, stream_id=(\d+)>").Groups[1].Value;
        var parentData = Regex.Match(output, $@"recv DATA frame <length=\d+, flags=0x\d+, stream_id={parent}>");
        Assert.True(parentData.Success && parentData.Index > promise, r.ToString());
        // The pushed response (stream 2) arrives complete.
        Assert.Matches(@"recv DATA frame <length=15, flags=0x01, stream_id=2>", output);
    }

    [Fact(DisplayName = "RFC 9113 §8.4: a client that disables push (SETTINGS_ENABLE_PUSH 0) gets the page without a promise")]
    public async Task NoPushWhenDisabled()
    {
        var r = await ExternalTool.RunAsync("nghttp", ["-nv", "--no-push", $"{servers.H2c}/"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("PUSH_PROMISE", r.Output);
        Assert.Contains(":status: 200", r.Output);
    }

    [Theory(DisplayName = "RFC 9113 §5.1.2: 100 concurrent streams on one connection are all answered")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ManyConcurrentStreams(bool tls)
    {
        var r = await ExternalTool.RunAsync("nghttp", ["-ns", "-m", "100", $"{servers.Base(tls)}/bytes/1000"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(100, Regex.Matches(r.Output, @"\s200\s").Count);
    }

    [Theory(DisplayName = "RFC 9113 §6.9: a 1 MiB response through a 64 KiB stream window (and connection window) arrives whole")]
    [InlineData(false)]
    [InlineData(true)]
    public async Task LargerThanWindow(bool tls)
    {
        var r = await ExternalTool.RunAsync("nghttp", ["-w", "16", "-W", "16", $"{servers.Base(tls)}/bytes/1048576"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(1 << 20, r.Stdout.Length);
    }

    [Theory(DisplayName = "RFC 9113 §5.1.2, §6.9: 32 concurrent 64 KiB in-memory responses on one connection (their header sections and bodies batched into the core's calls) all arrive whole, with windows larger than the output queue and with 64 KiB windows")]
    [InlineData("30")]
    [InlineData("16")]
    public async Task ManyLargeResponsesAtOnce(string windowBits)
    {
        var r = await ExternalTool.RunAsync("nghttp", ["-m", "32", "-w", windowBits, "-W", windowBits, $"{servers.H2c}/bytes/65536"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(32 * 65536, r.Stdout.Length);
    }

    [Fact(DisplayName = "RFC 9113 §8.1: a request ending with trailers gets on_request_done (a DEFECT of the original)")]
    public async Task RequestTrailers()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, new byte[1000], TestContext.Current.CancellationToken);
            var r = await ExternalTool.RunAsync("nghttp", ["-d", file, "--trailer", "x-end: yes", $"{servers.H2c}/echo?trailers"], Bound);
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal("1000\n", r.Output);
            Assert.True(TestHandler.Saw("/echo?trailers", "done"));
        }
        finally { File.Delete(file); }
    }

    [Fact(DisplayName = "RFC 9113 §8.2.3: several cookie fields reach the handler joined with \"; \", fields in wire order")]
    public async Task CookiesJoined()
    {
        var r = await ExternalTool.RunAsync("nghttp",
            ["-H", "cookie: a=1", "-H", "x-first: 1", "-H", "cookie: b=2", $"{servers.H2c}/test/headers"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        var lines = r.Output.Split('\n');
        Assert.Equal($"http GET 127.0.0.1:{servers.Cleartext.LocalEndPoint!.Port} /test/headers", lines[0]);
        Assert.Equal(":method: GET", lines[1]); // pseudo-headers first, as sent
        Assert.Contains("cookie: a=1; b=2", lines);
        Assert.Single(lines, l => l.StartsWith("cookie:", StringComparison.Ordinal));
    }

    [Fact(DisplayName = "h2load: 10,000 requests over 10 clients x 10 streams, every one answered 2xx")]
    public async Task H2loadRun()
    {
        var r = await ExternalTool.RunAsync("h2load", ["-n", "10000", "-c", "10", "-m", "10", $"{servers.H2c}/bytes/13"], TimeSpan.FromSeconds(60));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"requests: 10000 total, 10000 started, 10000 done, 10000 succeeded, 0 failed, 0 errored", r.Output);
        Assert.Matches(@"status codes: 10000 2xx", r.Output);
    }

    [Fact(DisplayName = "h2load over TLS: 2,000 requests, every one answered 2xx")]
    public async Task H2loadTls()
    {
        var r = await ExternalTool.RunAsync("h2load", ["-n", "2000", "-c", "4", "-m", "10", $"{servers.H2}/bytes/13"], TimeSpan.FromSeconds(60));
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"status codes: 2000 2xx", r.Output);
    }
}
