using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// The README's embedding example is a program: taken from README.md as
/// written, compiled against the built Http2.Reference.dll (no implicit usings, so
/// its usings must be complete), run on a free loopback port, and asked by
/// the clients the seed's example was written for.
/// </summary>
public sealed partial class ReadmeExampleTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The README's C# block that defines a RequestHandler: the embedding example.</summary>
    internal static string Example()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var blocks = CSharpBlock().Matches(readme).Select(m => m.Groups[1].Value).Where(b => b.Contains(": RequestHandler", StringComparison.Ordinal)).ToList();
        Assert.True(blocks.Count == 1, $"expected one C# block with a RequestHandler in README.md, found {blocks.Count}");
        return blocks[0];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "README.md")) && File.Exists(Path.Combine(dir.FullName, "Conformance.sln"))) return dir.FullName;
        throw new InvalidOperationException("README.md not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [Fact(DisplayName = "README: the embedding example compiles verbatim and answers curl, HttpClient and Chromium (push disabled) with 200 and nghttp (push enabled) with its push")]
    public async Task EmbeddingExampleRuns()
    {
        var dotnet = ExternalTool.Require("dotnet");
        ExternalTool.Require("curl");
        ExternalTool.Require("nghttp");
        var dir = Directory.CreateTempSubdirectory("readme-example-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "Program.cs"), Example(), Ct);
            var reference = Path.Combine(AppContext.BaseDirectory, "Http2.Reference.dll");
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "Example.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk">
                  <PropertyGroup>
                    <OutputType>Exe</OutputType>
                    <TargetFramework>net10.0</TargetFramework>
                    <ImplicitUsings>disable</ImplicitUsings>
                    <Nullable>enable</Nullable>
                    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                  </PropertyGroup>
                  <ItemGroup>
                    <Reference Include="Http2.Reference"><HintPath>{reference}</HintPath></Reference>
                  </ItemGroup>
                </Project>
                """, Ct);
            var build = await Run(dotnet, ["build", dir.FullName, "-c", "Release", "-o", Path.Combine(dir.FullName, "out"), "--nologo", "-v", "q", "--disable-build-servers"], TimeSpan.FromMinutes(4));
            Assert.True(build.ExitCode == 0, "the README example does not compile:\n" + build);

            var port = FreePort();
            var psi = new ProcessStartInfo(dotnet) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[] { Path.Combine(dir.FullName, "out", "Example.dll"), port.ToString(System.Globalization.CultureInfo.InvariantCulture) }) psi.ArgumentList.Add(a);
            using var server = Process.Start(psi)!;
            var output = server.StandardOutput.ReadToEndAsync(Ct);
            var errors = server.StandardError.ReadToEndAsync(Ct);
            try
            {
                await WaitForPort(port, server, TimeSpan.FromSeconds(30));
                var url = $"https://127.0.0.1:{port}/";

                var curl = await ExternalTool.RunAsync("curl", ["--http2", "-k", "-sS", "--max-time", "15", "-w", "\n%{http_version} %{response_code}", url], TimeSpan.FromSeconds(20));
                Assert.True(curl.ExitCode == 0, curl.ToString()); // curl sends SETTINGS_ENABLE_PUSH = 0
                Assert.Equal("nghttp2-python FTW\n2 200", curl.Output);

                var nghttp = await ExternalTool.RunAsync("nghttp", ["-nv", url], TimeSpan.FromSeconds(20));
                Assert.True(nghttp.ExitCode == 0, nghttp.ToString());
                Assert.Contains("recv PUSH_PROMISE frame", nghttp.Output);
                Assert.Contains(":path: /css/style.css", nghttp.Output);
                Assert.Matches(@"recv DATA frame <length=15, flags=0x01, stream_id=2>", nghttp.Output);
                Assert.DoesNotContain("RST_STREAM", nghttp.Output);

                using var client = ServerFixture.Http2Client(); // push disabled too
                Assert.Equal("nghttp2-python FTW", await client.GetStringAsync(url, Ct));

                // Chromium disables push as well; a text/plain page is shown in a <pre>.
                const string chromium = "/usr/bin/chromium";
                if (File.Exists(chromium))
                {
                    var profile = Directory.CreateDirectory(Path.Combine(dir.FullName, "chromium-profile")).FullName;
                    var page = await ExternalTool.RunAsync(chromium,
                        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--ignore-certificate-errors",
                         "--dump-dom", url], TimeSpan.FromSeconds(90));
                    Assert.False(page.TimedOut, "chromium did not finish in 90 s: " + page);
                    Assert.Contains("nghttp2-python FTW", page.Output);
                }
                else if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 }) Assert.Fail("chromium is not installed (.ci/run installs it)");
            }
            finally
            {
                if (!server.HasExited)
                {
                    server.Kill();
                    await server.WaitForExitAsync(CancellationToken.None);
                }
                Assert.DoesNotContain("Exception", await errors);
                await output;
            }
        }
        finally
        {
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static async Task WaitForPort(int port, Process server, TimeSpan bound)
    {
        var until = DateTime.UtcNow + bound;
        while (DateTime.UtcNow < until)
        {
            Assert.False(server.HasExited, "the example exited before listening");
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, port, Ct);
                return;
            }
            catch (SocketException) { await Task.Delay(100, Ct); }
        }
        Assert.Fail($"the example did not listen on port {port} within {bound}");
    }

    private static async Task<ToolResult> Run(string file, string[] args, TimeSpan bound)
    {
        var psi = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1"; // no build server left running after the test
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync(Ct);
        var stderr = p.StandardError.ReadToEndAsync(Ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(bound);
        var timedOut = false;
        try { await p.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException)
        {
            timedOut = true;
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync(CancellationToken.None);
        }
        return new ToolResult(timedOut ? -1 : p.ExitCode, System.Text.Encoding.UTF8.GetBytes(await stdout), await stderr, timedOut);
    }
}
