namespace Conformance.Stress;

/// <summary>Resident memory of a process from /proc/PID/status, in KiB.</summary>
/// <param name="RssKiB">VmRSS: resident now.</param>
/// <param name="HwmKiB">VmHWM: the highest VmRSS since the process started.</param>
public readonly record struct MemoryReading(long RssKiB, long HwmKiB);

/// <summary>
/// Reads the server's memory from outside, as an operator would: nothing
/// is forced in the server (no GC call, no hook); the peak during an attack
/// is the highest VmRSS sampled every few milliseconds, cross-checked with
/// VmHWM.
/// </summary>
public static class Memory
{
    /// <summary>The process's VmRSS and VmHWM, or null when it is gone or a zombie.</summary>
    public static MemoryReading? Read(int pid)
    {
        try
        {
            long rss = -1, hwm = -1;
            var zombie = false;
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = KiB(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = KiB(line);
                else if (line.StartsWith("State:", StringComparison.Ordinal)) zombie = line.Contains('Z') || line.Contains('X');
            }
            return zombie || rss < 0 ? null : new MemoryReading(rss, hwm);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>True while the process exists and is not a zombie.</summary>
    public static bool Alive(int pid) => Read(pid) is not null;

    private static long KiB(string line) =>
        long.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Samples VmRSS every <paramref name="period"/> until cancelled; returns the highest seen.</summary>
    public static async Task<long> PeakAsync(int pid, TimeSpan period, CancellationToken ct)
    {
        long peak = 0;
        while (!ct.IsCancellationRequested)
        {
            if (Read(pid) is { } m) peak = Math.Max(peak, m.RssKiB);
            try
            {
                await Task.Delay(period, ct);
            }
            catch (OperationCanceledException) { }
        }
        if (Read(pid) is { } last) peak = Math.Max(peak, last.RssKiB);
        return peak;
    }
}
