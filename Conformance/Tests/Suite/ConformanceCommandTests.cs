using System.Diagnostics;
using Http2.Reference.Server;
using Conformance.Suite.Runner;
using Xunit;

namespace Conformance.Tests.Suite;

/// <summary>
/// <c>h2ref conformance</c> as users run it (a child process): h2spec's command
/// line, h2spec's summary line and exit status, and one-line errors.
/// </summary>
[Collection(PeerRuns.Name)]
public sealed class ConformanceCommandTests
{
    sealed record Run(int Status, string Out, string Err)
    {
        public string LastLine => Out.TrimEnd().Split('\n').Last().Trim();
    }

    static async Task<Run> Exec(string file, IEnumerable<string> args, IDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try { await p.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException) { p.Kill(true); throw new TimeoutException($"{file} {string.Join(' ', args)} ran over 120 s"); }
        return new Run(p.ExitCode, await stdout, await stderr);
    }

    static Task<Run> H2ref(params string[] args) =>
        Exec("dotnet", [Path.Combine(AppContext.BaseDirectory, "h2ref.dll"), "conformance", .. args]);

    const string SummaryForm = @"^\d+ tests, \d+ passed, \d+ skipped, \d+ failed$";

    /// <summary>A CI script written for h2spec; only the program's name changes between the two runs.</summary>
    const string Script = """
        #!/bin/sh
        # checks a server the way a CI job calls h2spec: TLS, any certificate, strict, a JUnit report, some sections
        PROGRAM -h 127.0.0.1 -p "$PORT" -t -k -S -o 3 -j "$REPORT" http2/6.9 hpack/4.2 http2/5.4.1 generic/3.7
        """;

    static async Task<Run> RunScript(string program, int port, string dir, string name)
    {
        var path = Path.Combine(dir, name + ".sh");
        await File.WriteAllTextAsync(path, Script.Replace("PROGRAM", program), TestContext.Current.CancellationToken);
        return await Exec("/bin/sh", [path], new Dictionary<string, string>
        {
            ["PORT"] = port.ToString(), ["REPORT"] = Path.Combine(dir, name + ".xml"),
        });
    }

    [Fact(DisplayName = "A CI script written for h2spec, with only the program's name changed, gets the same summary line and exit status from h2ref conformance")]
    public async Task H2spec_script_with_the_name_changed()
    {
        var h2spec = H2specAgreementFixture.H2specBinary();
        if (h2spec.IsNone)
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) Assert.Fail("CI is set and h2spec was not found");
            Assert.Skip("h2spec not found (set H2SPEC or put it at ../shared/tools/h2spec/h2spec)");
        }
        await using var server = Http2Server.Create<DemoHandler>("127.0.0.1", 0, TlsOptions.SelfSigned("localhost", "127.0.0.1"),
            ServerOptions.Default with { AccessLog = false });
        server.Start();
        var dir = Directory.CreateTempSubdirectory("h2spec-script-").FullName;
        try
        {
            // "h2ref" on the PATH of the script would do as well; a wrapper keeps the test independent of it
            var wrapper = Path.Combine(dir, "h2ref");
            await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec dotnet \"{Path.Combine(AppContext.BaseDirectory, "h2ref.dll")}\" \"$@\"\n", TestContext.Current.CancellationToken);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var port = server.LocalEndPoint!.Port;
            var real = await RunScript(h2spec.IfNone(""), port, dir, "h2spec");
            var ours = await RunScript($"{wrapper} conformance", port, dir, "h2ref");
            Assert.Matches(SummaryForm, real.LastLine);
            Assert.Equal(real.LastLine, ours.LastLine);
            Assert.Equal(real.Status, ours.Status);
            Assert.Equal("13 tests, 13 passed, 0 skipped, 0 failed", ours.LastLine);
            Assert.True(File.Exists(Path.Combine(dir, "h2ref.xml")), "the JUnit report (-j) was written");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact(DisplayName = "h2ref conformance exits 1 when a case fails, as h2spec does, with the summary line last")]
    public async Task Failing_case_exits_1()
    {
        // a server that answers the preface and then ignores everything: connection-error cases time out
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                System.Net.Sockets.TcpClient c;
                try { c = await listener.AcceptTcpClientAsync(stop.Token); } catch (OperationCanceledException) { return; }
                _ = Task.Run(async () =>
                {
                    using (c)
                    {
                        var s = c.GetStream();
                        await s.WriteAsync(Convert.FromHexString("000000040000000000" + "000000040100000000"), stop.Token);
                        var buffer = new byte[4096];
                        try { while (await s.ReadAsync(buffer, stop.Token) > 0) { } } catch (Exception e) when (e is IOException or OperationCanceledException) { }
                    }
                });
            }
        }, stop.Token);
        var run = await H2ref("-p", port.ToString(), "-o", "1", "http2/6.9/3");
        stop.Cancel();
        Assert.Equal(1, run.Status);
        Assert.Equal("1 tests, 0 passed, 0 skipped, 1 failed", run.LastLine);
    }

    [Fact(DisplayName = "h2ref conformance: a refused connection is one line and exit 1, not a failure per case")]
    public async Task Refused_is_one_line()
    {
        var run = await H2ref("-p", NghttpdTarget.FreePort().ToString(), "-o", "1");
        Assert.Equal(1, run.Status);
        Assert.Equal("", run.Out);
        Assert.Single(run.Err.TrimEnd().Split('\n'));
        Assert.Contains("cannot connect", run.Err);
    }

    [Fact(DisplayName = "h2ref conformance: an unknown --implementation is a usage error naming the known ones")]
    public async Task Unknown_implementation()
    {
        var run = await H2ref("-p", "1", "--implementation", "ngnix");
        Assert.Equal(2, run.Status);
        Assert.Single(run.Err.TrimEnd().Split('\n'));
        Assert.Contains("unknown --implementation 'ngnix' (known: kestrel, nghttpd)", run.Err);
    }

    [Theory(DisplayName = "h2ref conformance: -j / --junit to an unwritable path is one line (exit 2), never a trace, and before any case runs")]
    [InlineData("-j")]
    [InlineData("--junit")]
    public async Task Unwritable_junit(string flag)
    {
        var run = await H2ref("-p", "1", flag, "/nonexistent-dir/report.xml");
        Assert.Equal(2, run.Status);
        Assert.Single(run.Err.TrimEnd().Split('\n'));
        Assert.Contains("--junit /nonexistent-dir/report.xml: no directory /nonexistent-dir", run.Err);
        Assert.DoesNotContain("   at ", run.Err);
    }

    [Fact(DisplayName = "h2ref conformance --help names the known-deviation label exactly as reports print it")]
    public async Task Help_uses_the_report_label()
    {
        var run = await H2ref("--help");
        Assert.Equal(0, run.Status);
        Assert.Contains($"\"{CaseResult.KnownLabel}: NAME\"", run.Out);
        Assert.Contains("-h, --host", run.Out);
        Assert.Contains("N tests, N passed, N skipped, N failed", run.Out);
    }
}
