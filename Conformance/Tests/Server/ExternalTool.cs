using System.Diagnostics;
using System.Text;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>What an external client printed.</summary>
public sealed record ToolResult(int ExitCode, byte[] Stdout, string Stderr, bool TimedOut)
{
    public string Output => Encoding.UTF8.GetString(Stdout);
    public override string ToString() => $"exit {ExitCode}{(TimedOut ? " (timed out)" : "")}\n--- stdout ---\n{Truncate(Output)}\n--- stderr ---\n{Truncate(Stderr)}";
    private static string Truncate(string s) => s.Length > 4000 ? s[..4000] + "..." : s;
}

/// <summary>Runs curl, nghttp, h2load (installed by .ci/run) with a time bound; kills only its own child, by PID.</summary>
public static class ExternalTool
{
    public static string? Find(string name)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/sbin").Append("/usr/bin"))
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>The tool's path; skips the test when it is missing (fails under CI, where .ci/run installs it).</summary>
    public static string Require(string name)
    {
        var path = Find(name);
        if (path is not null) return path;
        if (Environment.GetEnvironmentVariable("CI") is { Length: > 0 })
            Assert.Fail($"{name} is not installed (.ci/run installs nghttp2-client and curl)");
        Assert.Skip($"{name} is not installed: apt-get install nghttp2-client curl");
        return null!;
    }

    public static Task<ToolResult> RunAsync(string name, IEnumerable<string> args, TimeSpan timeout, byte[]? stdin = null)
    {
        var psi = new ProcessStartInfo(Require(name));
        foreach (var a in args) psi.ArgumentList.Add(a);
        return RunAsync(psi, timeout, stdin);
    }

    /// <summary>Runs <paramref name="psi"/> with its output captured and <paramref name="stdin"/> (none when null) as input, bounded by <paramref name="timeout"/>.</summary>
    public static async Task<ToolResult> RunAsync(ProcessStartInfo psi, TimeSpan timeout, byte[]? stdin = null)
    {
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.RedirectStandardInput = stdin is not null;
        psi.UseShellExecute = false;
        using var process = Process.Start(psi)!;
        return await CollectAsync(process, timeout, stdin);
    }

    /// <summary>
    /// Waits for a started process whose output is redirected, reading standard output
    /// (as octets) and standard error; killed (exit -1) after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<ToolResult> CollectAsync(Process process, TimeSpan timeout, byte[]? stdin = null)
    {
        var stdout = new MemoryStream();
        var outTask = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var errTask = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var timedOut = false;
        using (var cts = new CancellationTokenSource(timeout))
        {
            try { await process.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                timedOut = true;
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                await process.WaitForExitAsync();
            }
        }
        await outTask;
        var err = await errTask;
        return new ToolResult(timedOut ? -1 : process.ExitCode, stdout.ToArray(), err, timedOut);
    }
}
