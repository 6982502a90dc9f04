using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Conformance.Stress;

/// <summary>The request paths an attack needs on a target.</summary>
/// <param name="Small">A short 200 response (the probe asks for it).</param>
/// <param name="Large">A response of at least a few MiB (data dribble, never-read).</param>
/// <param name="Upload">A path that accepts a POST body (streams kept open by a missing END_STREAM).</param>
/// <param name="LargeBytes">Size of the <paramref name="Large"/> response.</param>
public sealed record Paths(string Small, string Large, string Upload, long LargeBytes);

/// <summary>
/// A server under attack: how to start it on a port, and its paths. The
/// program starts it as a separate process on 127.0.0.1, reads its memory
/// through its PID, restarts it if an attack killed it (so the remaining
/// attacks still run, and the death is reported), and stops it by PID.
/// </summary>
/// <param name="Name">Short name for the report.</param>
/// <param name="FileName">Executable.</param>
/// <param name="Arguments">Arguments; "{port}" is replaced by the port.</param>
/// <param name="Paths">The paths attacks request.</param>
public sealed record TargetSpec(string Name, string FileName, string[] Arguments, Paths Paths);

/// <summary>A running target process.</summary>
public sealed class RunningTarget : IAsyncDisposable
{
    private Process process;
    private readonly TargetSpec spec;

    private RunningTarget(TargetSpec spec, Process process, int port)
    {
        this.spec = spec;
        this.process = process;
        Port = port;
    }

    /// <summary>The target's spec.</summary>
    public TargetSpec Spec => spec;

    /// <summary>Where it listens.</summary>
    public IPEndPoint Endpoint => new(IPAddress.Loopback, Port);

    /// <summary>The listening port.</summary>
    public int Port { get; }

    /// <summary>The server process id (memory is read from /proc/PID).</summary>
    public int Pid => process.Id;

    /// <summary>How many times the process had to be started again after dying.</summary>
    public int Restarts { get; private set; }

    /// <summary>Last lines the server wrote (for a post-mortem when it died).</summary>
    public string Tail => string.Join('\n', output.ToArray().TakeLast(20));
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> output = new();

    /// <summary>Starts the server on a free loopback port and waits until it accepts connections.</summary>
    public static async Task<RunningTarget> StartAsync(TargetSpec spec)
    {
        var port = FreePort();
        var t = new RunningTarget(spec, Launch(spec, port, null), port);
        t.Hook();
        await t.WaitListeningAsync();
        return t;
    }

    /// <summary>
    /// Attaches to a server someone else started (any implementation): its port and PID.
    /// It is neither restarted nor stopped.
    /// </summary>
    public static async Task<RunningTarget> AttachAsync(TargetSpec spec, int port, int pid)
    {
        var t = new RunningTarget(spec, Process.GetProcessById(pid), port) { attached = true };
        await t.WaitListeningAsync();
        return t;
    }

    private bool attached;

    /// <summary>Starts it again on the same port after it died.</summary>
    public async Task RestartAsync()
    {
        if (attached) throw new InvalidOperationException($"{spec.Name} (attached, pid {Pid}) died; cannot restart it");
        Stop();
        process = Launch(spec, Port, null);
        Hook();
        Restarts++;
        await WaitListeningAsync();
    }

    private void Hook()
    {
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        output.Enqueue(line);
        while (output.Count > 200) output.TryDequeue(out _);
    }

    private static Process Launch(TargetSpec spec, int port, string? _)
    {
        var psi = new ProcessStartInfo(spec.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in spec.Arguments) psi.ArgumentList.Add(a.Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        return Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {spec.FileName}");
    }

    private async Task WaitListeningAsync()
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < until)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{spec.Name} exited with {process.ExitCode} at start:\n{Tail}");
            try
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await s.ConnectAsync(Endpoint);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException($"{spec.Name} did not listen on {Endpoint} within 30 s:\n{Tail}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>True while the server process runs.</summary>
    public bool Alive => !process.HasExited && Memory.Alive(process.Id);

    /// <summary>Exit code once it died, for the report.</summary>
    public string ExitDescription => process.HasExited ? $"exit code {process.ExitCode}" : "running";

    private void Stop()
    {
        if (attached || process.HasExited) return;
        try
        {
            process.Kill(entireProcessTree: false);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException) { }
    }

    /// <summary>Stops the server by its PID.</summary>
    public ValueTask DisposeAsync()
    {
        Stop();
        process.Dispose();
        return ValueTask.CompletedTask;
    }
}
