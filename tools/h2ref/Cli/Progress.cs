namespace Tools.Cli;

/// <summary>
/// A one-line progress display on standard error, drawn only when standard
/// error is a terminal (never in pipes, logs or tests), at most ~10 times a second.
/// </summary>
public sealed class Progress(CliIO io, string label, int total) : IDisposable
{
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    private long lastDraw = -1000;
    private bool drawn;

    /// <summary>Shows that <paramref name="done"/> of the total units are finished.</summary>
    public void Report(int done, string detail = "")
    {
        if (!io.ErrIsTerminal) return;
        var now = clock.ElapsedMilliseconds;
        if (now - lastDraw < 100 && done < total) return;
        lastDraw = now;
        drawn = true;
        var line = $"{label} {done}/{total} {detail}";
        io.Err.Write("\r" + (line.Length > 78 ? line[..78] : line.PadRight(78)));
        io.Err.Flush();
    }

    /// <summary>Clears the line.</summary>
    public void Dispose()
    {
        if (drawn) io.Err.Write("\r" + new string(' ', 78) + "\r");
    }
}
