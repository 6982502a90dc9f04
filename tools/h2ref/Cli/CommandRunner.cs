namespace Tools.Cli;

/// <summary>Turns usage and input errors into messages and exit statuses.</summary>
public static class CommandRunner
{
    /// <summary>
    /// Runs <paramref name="body"/>; a usage error exits 2, unreadable input
    /// (missing file, bad JSON or hex) exits 1, both with one line on stderr.
    /// </summary>
    public static int Guard(CliIO io, string name, Func<int> body) =>
        GuardAsync(io, name, () => Task.FromResult(body())).GetAwaiter().GetResult();

    /// <summary>
    /// The asynchronous form of <see cref="Guard"/>: a usage error exits 2; a
    /// runtime failure the user can act on (a file, a socket, a certificate)
    /// exits 1; both with one line on stderr, never a stack trace.
    /// </summary>
    public static async Task<int> GuardAsync(CliIO io, string name, Func<Task<int>> body)
    {
        try
        {
            var status = await body();
            io.Out.Flush();
            return status;
        }
        catch (UsageException e)
        {
            io.Err.WriteLine($"h2ref {name}: {e.Message} (h2ref {name} --help)");
            return 2;
        }
        catch (Exception e) when (IsRuntime(e))
        {
            io.Out.Flush();
            io.Err.WriteLine($"h2ref {name}: {e.Message}");
            return 1;
        }
    }

    /// <summary>Failures of the environment rather than of the program: reported in one line, exit 1.</summary>
    public static bool IsRuntime(Exception e) =>
        e is FormatException or IOException or UnauthorizedAccessException or System.Net.Sockets.SocketException
            or System.Security.Cryptography.CryptographicException;
}
