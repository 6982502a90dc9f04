using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Tools.Commands;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// <c>h2ref serve</c>'s access log, one line per stream when it ends: status, body octets
/// sent, push mark, and how the stream ended (done, reset CODE, lost), checked with real
/// clients; and <c>-q</c>, which silences that log but not warnings and errors.
/// </summary>
public sealed class AccessLogTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>Waits (at most 10 s) for an access line for <paramref name="request"/> and returns its fields after the request.</summary>
    private static async Task<string> LineFor(ServeProcess server, string request)
    {
        var pattern = new Regex("\"" + Regex.Escape(request) + " HTTP/2\" (.*)$", RegexOptions.Multiline);
        for (var i = 0; i < 100; i++)
        {
            if (pattern.Match(server.Stdout) is { Success: true } m) return m.Groups[1].Value.TrimEnd('\r');
            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
        Assert.Fail($"no access line for {request}:\n{server.Stdout}");
        return "";
    }

    [Fact(DisplayName = "Access log: curl's GET of 100000 octets is logged 200 100000 - done")]
    public async Task Done()
    {
        await using var server = await ServeProcess.StartLoggingAsync();
        var r = await ExternalTool.RunAsync("curl", ["--http2-prior-knowledge", "-sS", "--max-time", "15", "-o", "/dev/null", server.Base + "/bytes/100000"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("200 100000 - done", await LineFor(server, "GET /bytes/100000"));
        Assert.Matches(@"^127\.0\.0\.1 - - \[\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT\] ", server.Stdout.Split('\n').First(l => l.Contains("/bytes/100000")));
    }

    [Fact(DisplayName = "Access log: nghttp (push enabled) gets / and the pushed stylesheet, logged with P (RFC 9113 §8.4)")]
    public async Task Pushed()
    {
        await using var server = await ServeProcess.StartLoggingAsync();
        var r = await ExternalTool.RunAsync("nghttp", ["-n", server.Base + "/"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal($"200 {Http2.Reference.Server.DemoHandler.RootText.Length} - done", await LineFor(server, "GET /"));
        Assert.Equal($"200 {Http2.Reference.Server.DemoHandler.StyleSheet.Length} P done", await LineFor(server, "GET /css/style.css"));
    }

    [Fact(DisplayName = "Access log: a stream the client resets (python-h2, RST_STREAM CANCEL after 30000 octets) is logged with the octets sent and reset CANCEL (RFC 9113 §6.4)")]
    public async Task Reset()
    {
        const string python = "/usr/bin/python3";
        if (!File.Exists(python)) ExternalTool.Require("python3");
        await using var server = await ServeProcess.StartLoggingAsync();
        var port = server.Base[(server.Base.LastIndexOf(':') + 1)..];
        const string script = """
            import socket, sys, time
            import h2.connection, h2.config, h2.events
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
            s.settimeout(10)
            c = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
            c.initiate_connection(); s.sendall(c.data_to_send())
            c.send_headers(1, [(":method", "GET"), (":path", "/bytes/10000000"), (":scheme", "http"), (":authority", "localhost")], end_stream=True)
            s.sendall(c.data_to_send())
            got = 0
            while got < 30000:
                for e in c.receive_data(s.recv(65536)):
                    if isinstance(e, h2.events.DataReceived): got += len(e.data)
                s.sendall(c.data_to_send())
            c.reset_stream(1, 8); s.sendall(c.data_to_send()); time.sleep(0.5); s.close()
            """;
        var r = await ExternalTool.RunAsync(python, ["-c", script, port], Bound);
        if (r.ExitCode != 0 && r.Stderr.Contains("No module named 'h2'"))
        {
            if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 }) Assert.Fail("python3-h2 is not installed");
            Assert.Skip("python3-h2 is not installed");
        }
        Assert.True(r.ExitCode == 0, r.ToString());
        var line = await LineFor(server, "GET /bytes/10000000");
        // The server sent what the client's 65535-octet stream window allowed before the reset.
        Assert.Matches(@"^200 \d+ - reset CANCEL$", line);
        var sent = long.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(sent, 30000, 65535);
    }

    [Fact(DisplayName = "Access log: a stream whose connection goes first (curl gives up on /delay/3) is logged - 0 - lost")]
    public async Task Lost()
    {
        await using var server = await ServeProcess.StartLoggingAsync();
        var r = await ExternalTool.RunAsync("curl", ["--http2-prior-knowledge", "-sS", "--max-time", "1", server.Base + "/delay/3"], Bound);
        Assert.Equal(28, r.ExitCode); // curl's time-out
        Assert.Equal("- 0 - lost", await LineFor(server, "GET /delay/3"));
    }

    [Fact(DisplayName = "serve -q: the access log is off, warnings and errors stay on; -v adds debug")]
    public void QuietKeepsWarnings()
    {
        using (var quiet = ServeLog.Create(verbose: false, quiet: true))
        {
            Assert.False(quiet.CreateLogger(Http2.Reference.Server.AccessLog.Category).IsEnabled(LogLevel.Information));
            Assert.True(quiet.CreateLogger("Http2.Reference.Server.Connection").IsEnabled(LogLevel.Warning));
            Assert.True(quiet.CreateLogger("Http2.Reference.Server.Connection").IsEnabled(LogLevel.Error));
        }
        using (var normal = ServeLog.Create(verbose: false, quiet: false))
        {
            Assert.True(normal.CreateLogger(Http2.Reference.Server.AccessLog.Category).IsEnabled(LogLevel.Information));
            Assert.False(normal.CreateLogger("x").IsEnabled(LogLevel.Debug));
        }
        using var verbose = ServeLog.Create(verbose: true, quiet: true);
        Assert.True(verbose.CreateLogger("x").IsEnabled(LogLevel.Debug));
    }

    [Fact(DisplayName = "serve -q: the access log is really off (no line for a request), the start-up line is still there")]
    public async Task QuietHasNoAccessLines()
    {
        await using var server = await ServeProcess.StartAsync(); // -q
        var r = await ExternalTool.RunAsync("curl", ["--http2-prior-knowledge", "-sS", "--max-time", "15", "-o", "/dev/null", server.Base + "/bytes/10"], Bound);
        Assert.True(r.ExitCode == 0, r.ToString());
        await Task.Delay(300, TestContext.Current.CancellationToken);
        Assert.DoesNotContain("HTTP/2\"", server.Stdout);
        Assert.Contains("h2ref serve:", server.Stderr);
    }
}
