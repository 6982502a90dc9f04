using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// <c>h2ref serve</c> as users run it: a child process (the h2ref.dll built beside
/// the tests) on a free loopback port (<c>--port 0</c>; the bound address is read from
/// its start-up line). Stopped by PID (SIGTERM, then kill) when disposed.
/// </summary>
public sealed partial class ServeProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder stderr = new();
    private readonly StringBuilder stdout = new();
    private readonly TaskCompletionSource<string> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServeProcess(Process process) => this.process = process;

    /// <summary>"http://127.0.0.1:P" or "https://127.0.0.1:P".</summary>
    public string Base { get; private set; } = "";

    /// <summary>Everything the process printed on standard error so far.</summary>
    public string Stderr { get { lock (stderr) return stderr.ToString(); } }

    /// <summary>Everything the process printed on standard output so far (the log: access lines, frames with -v).</summary>
    public string Stdout { get { lock (stdout) return stdout.ToString(); } }

    /// <summary>The dotnet host running the tests (so h2ref runs on the same runtime).</summary>
    public static string Dotnet() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host : ExternalTool.Find("dotnet") ?? "dotnet";

    /// <summary>Runs <c>h2ref serve --port 0 -q</c> plus <paramref name="args"/>.</summary>
    public static Process StartRaw(IEnumerable<string> args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "h2ref.dll");
        var psi = new ProcessStartInfo(Dotnet())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("serve");
        foreach (var a in args) psi.ArgumentList.Add(a);
        return Process.Start(psi)!;
    }

    /// <summary>Starts the server (<c>-q</c>: no access log) and waits (at most 30 s) until it says where it listens.</summary>
    public static Task<ServeProcess> StartAsync(params string[] args) => StartAsync(quiet: true, args);

    /// <summary>Starts the server with its access log (on <see cref="Stdout"/>) and waits until it listens.</summary>
    public static Task<ServeProcess> StartLoggingAsync(params string[] args) => StartAsync(quiet: false, args);

    private static async Task<ServeProcess> StartAsync(bool quiet, string[] args)
    {
        var p = new ServeProcess(StartRaw(["--host", "127.0.0.1", "--port", "0", .. quiet ? new[] { "-q" } : [], .. args]));
        p.process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) { p.ready.TrySetException(new InvalidOperationException("h2ref serve ended:\n" + p.Stderr)); return; }
            lock (p.stderr) p.stderr.AppendLine(e.Data);
            if (Listening().Match(e.Data) is { Success: true } m) p.ready.TrySetResult(m.Groups[1].Value);
        };
        p.process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (p.stdout) p.stdout.AppendLine(e.Data); };
        p.process.BeginErrorReadLine();
        p.process.BeginOutputReadLine();
        try
        {
            var endPoint = await p.ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
            p.Base = (args.Contains("--tls") || args.Contains("--cert") ? "https://" : "http://") + endPoint;
            return p;
        }
        catch
        {
            await p.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs <c>h2ref serve</c> with arguments that must make it fail at start; bounded by 30 s.</summary>
    public static async Task<ToolResult> RunToExitAsync(params string[] args)
    {
        using var process = StartRaw(["--host", "127.0.0.1", "--port", "0", "-q", .. args]);
        return await ExternalTool.CollectAsync(process, TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM (the graceful stop), then its exit code; killed after 10 s (exit -1).</summary>
    public async Task<int> TerminateAsync()
    {
        if (process.HasExited) return process.ExitCode;
        using (var term = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
            if (term is not null) await term.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return -1;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try { await TerminateAsync(); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
        process.Dispose();
    }

    [GeneratedRegex(@"^h2ref serve: .* on (\d+\.\d+\.\d+\.\d+:\d+)")]
    private static partial Regex Listening();
}
