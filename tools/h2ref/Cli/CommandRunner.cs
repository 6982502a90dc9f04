namespace Tools.Cli;

/// <summary>Turns usage and input errors into messages and exit statuses.</summary>
public static class CommandRunner
{
    /// <summary>
    /// Runs <paramref name="body"/>; a usage error exits 2, unreadable input
    /// (missing file, bad JSON or hex) exits 1, both with one line on stderr.
    /// </summary>
    public static int Guard(CliIO io, string name, Func<int> body)
    {
        try
        {
            var status = body();
            io.Out.Flush();
            return status;
        }
        catch (UsageException e)
        {
            io.Err.WriteLine($"h2ref {name}: {e.Message} (h2ref {name} --help)");
            return 2;
        }
        catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
        {
            io.Out.Flush();
            io.Err.WriteLine($"h2ref {name}: {e.Message}");
            return 1;
        }
    }
}
