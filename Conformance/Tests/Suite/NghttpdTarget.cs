using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using LanguageExt;
using Conformance.Suite.Catalogue;
using Conformance.Suite.Client;
using Conformance.Suite.Runner;
using Xunit;

namespace Conformance.Tests.Suite;

/// <summary>
/// nghttpd (Debian nghttp2-server) on a free loopback port, serving one file,
/// and the whole catalogue run against it once (in parallel); the tests
/// then read their case's result. Missing nghttpd: tests skip and say why,
/// except with CI set, where they fail.
/// </summary>
public sealed class NghttpdTarget : IAsyncLifetime
{
    public const string Binary = "/usr/sbin/nghttpd";
    public const string Implementation = "nghttpd";

    Process? process;
    string? root;

    /// <summary>Why the target is unavailable (None when it runs).</summary>
    public Option<string> Unavailable { get; private set; }

    /// <summary>Results by case id.</summary>
    public IReadOnlyDictionary<string, CaseResult> Results { get; private set; } = new Dictionary<string, CaseResult>();

    public Target Target { get; private set; } = new("127.0.0.1", 0);

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(Binary))
        {
            Unavailable = $"{Binary} not found: install Debian's nghttp2-server (apt-get install nghttp2-server) to run the catalogue against nghttpd";
            return;
        }
        root = Directory.CreateTempSubdirectory("h2conf-www-").FullName;
        // a response body long enough for the flow-control cases (they read 1 to 6 octets of it)
        await File.WriteAllTextAsync(Path.Combine(root, "index.html"), string.Concat(Enumerable.Repeat("<p>conformance</p>\n", 200)));
        var port = FreePort();
        process = Process.Start(new ProcessStartInfo(Binary, ["--no-tls", "-d", root, port.ToString()])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!await Listening(port, TimeSpan.FromSeconds(10)))
        {
            Unavailable = $"nghttpd did not listen on port {port} within 10 s";
            return;
        }
        Target = new Target("127.0.0.1", port, Pid: process.Id);
        var results = await SuiteRunner.RunAsync(AllCases.Cases, new RunOptions(Target, TimeSpan.FromSeconds(3), Implementation));
        Results = results.ToDictionary(r => r.Case.Id);
    }

    public ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            process.WaitForExit(5000);
        }
        process?.Dispose();
        if (root is not null) Directory.Delete(root, true);
        return ValueTask.CompletedTask;
    }

    /// <summary>Skips (or, with CI set, fails) when nghttpd is not available.</summary>
    public void RequireAvailable()
    {
        foreach (var why in Unavailable)
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) Assert.Fail($"CI is set and {why}");
            Assert.Skip(why);
        }
    }

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public static async Task<bool> Listening(int port, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException) { await Task.Delay(50); }
        }
        return false;
    }
}
