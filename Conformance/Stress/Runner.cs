using System.Diagnostics;

namespace Conformance.Stress;

/// <summary>The outcome of one attack on one target.</summary>
public sealed record AttackResult(
    string Target,
    string Attack,
    string Cves,
    string What,
    Reaction Reaction,
    ProbeSeries During,
    ProbeResult After,
    long RssBeforeKiB,
    long RssAfterKiB,
    long RssPeakKiB,
    long HwmBeforeKiB,
    long HwmAfterKiB,
    bool Alive,
    long Milliseconds,
    IReadOnlyList<string> Problems)
{
    /// <summary>Problems of a first try that the second try did not repeat (empty when there was one try).</summary>
    public IReadOnlyList<string> FirstTryProblems { get; init; } = [];

    /// <summary>Highest VmRSS during the attack minus VmRSS just before it.</summary>
    public long PeakGrowthKiB => RssPeakKiB - RssBeforeKiB;

    /// <summary>VmRSS after the attack (and its connections) ended, minus before.</summary>
    public long GrowthKiB => RssAfterKiB - RssBeforeKiB;

    /// <summary>No problem found.</summary>
    public bool Passed => Problems.Count == 0;
}

/// <summary>Limits the proof holds a target to.</summary>
/// <param name="PeakGrowthBoundMiB">Highest VmRSS during an attack may exceed VmRSS before it by at most this.</param>
/// <param name="Duration">How long each attack sends.</param>
/// <param name="ProbeInterval">Pause between probes during an attack.</param>
public sealed record Limits(long PeakGrowthBoundMiB, TimeSpan Duration, TimeSpan ProbeInterval);

/// <summary>
/// Runs one attack against a running target and judges it: the server
/// process is alive afterwards, every probe during the attack and one after
/// it got its response within 2 s, and the peak VmRSS growth is under the
/// bound.
/// </summary>
public static class Runner
{
    /// <summary>
    /// Ordinary requests until the server answers (at most 30 s), then 2000 more on
    /// fresh connections, 20 at a time, so the JIT, the first-connection costs and the
    /// garbage collector's first heap growth are paid before the first attack is
    /// measured: the attacks meet a server that has been serving, as in production.
    /// </summary>
    public static async Task<(long FirstMs, int Ok, int Count)> WarmUpAsync(RunningTarget target)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30) && !(await Probe.OnceAsync(target.Endpoint, target.Spec.Paths.Small)).Ok)
            await Task.Delay(100);
        var first = clock.ElapsedMilliseconds;
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            var ok = 0;
            for (var i = 0; i < 100; i++)
                if ((await Probe.OnceAsync(target.Endpoint, target.Spec.Paths.Small)).Ok) ok++;
            return ok;
        }));
        return (first, results.Sum(), 2000);
    }

    /// <summary>Runs <paramref name="attack"/> and returns its measured result.</summary>
    public static async Task<AttackResult> RunAsync(RunningTarget target, Attack attack, Limits limits, int seed)
    {
        var problems = new List<string>();
        // The attack that killed it has reported the death; start it again so the
        // remaining attacks still measure something (RunningTarget.Restarts counts these).
        if (!target.Alive) await target.RestartAsync();
        var warm = await Probe.OnceAsync(target.Endpoint, target.Spec.Paths.Small);
        if (!warm.Ok) problems.Add($"probe before the attack failed: {warm.Detail}");
        await Task.Delay(200);
        var pid = target.Pid;
        var before = Memory.Read(pid) ?? new MemoryReading(0, 0);

        var clock = Stopwatch.StartNew();
        var tally = new Tally();
        using var sampling = new CancellationTokenSource();
        var peak = Memory.PeakAsync(pid, TimeSpan.FromMilliseconds(10), sampling.Token);
        using var probing = new CancellationTokenSource();
        var during = Probe.LoopAsync(target.Endpoint, target.Spec.Paths.Small, limits.ProbeInterval, probing.Token);

        using var attackTime = new CancellationTokenSource(limits.Duration);
        var ctx = new AttackContext(target.Endpoint, target.Spec.Paths, limits.Duration, tally, seed, attackTime.Token);
        try
        {
            // Each attack bounds itself by the token; the extra margin only catches a harness bug.
            await Task.Run(() => attack.Run(ctx)).WaitAsync(limits.Duration + TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            problems.Add("harness: the attack did not stop in time");
        }
        catch (Exception e)
        {
            problems.Add($"harness: {e.GetType().Name}: {e.Message}");
        }
        await probing.CancelAsync();
        var duringResult = await during;

        var alive = target.Alive;
        var after = alive ? await Probe.OnceAsync(target.Endpoint, target.Spec.Paths.Small) : new ProbeResult(false, 0, "server process is gone");
        await Task.Delay(300);
        var end = Memory.Read(pid) ?? new MemoryReading(0, 0);
        await sampling.CancelAsync();
        var peakKiB = Math.Max(await peak, end.RssKiB);
        // VmHWM is the process's lifetime peak: when it rose during the attack, it is an
        // upper bound of the true peak the 10 ms sampling may have missed.
        if (end.HwmKiB > before.HwmKiB) peakKiB = Math.Max(peakKiB, end.HwmKiB);

        if (!alive) problems.Add($"server died ({target.ExitDescription})");
        // A defence answers with ENHANCE_YOUR_CALM, PROTOCOL_ERROR, REFUSED_STREAM...; INTERNAL_ERROR
        // (§7: "an unexpected internal error") means something inside the server broke.
        var internalErrors = tally.Count("RST_STREAM INTERNAL_ERROR") + tally.Count("GOAWAY INTERNAL_ERROR");
        if (internalErrors > 0) problems.Add($"server answered INTERNAL_ERROR {internalErrors} times (a failure inside it, not a defence)");
        if (duringResult.Count == 0) problems.Add("no probe completed during the attack");
        else if (duringResult.Failed > 0)
            problems.Add($"{duringResult.Failed}/{duringResult.Count} probes during the attack failed (first: {duringResult.FirstFailure})");
        if (alive && !after.Ok) problems.Add($"probe after the attack failed: {after.Detail}");
        var growthMiB = (peakKiB - before.RssKiB) / 1024.0;
        if (alive && growthMiB > limits.PeakGrowthBoundMiB)
            problems.Add($"peak memory growth {growthMiB:0.0} MiB > bound {limits.PeakGrowthBoundMiB} MiB");

        return new AttackResult(target.Spec.Name, attack.Name, attack.Cves, attack.What, tally.Freeze(), duringResult, after,
            before.RssKiB, end.RssKiB, peakKiB, before.HwmKiB, end.HwmKiB, alive, clock.ElapsedMilliseconds, problems);
    }
}
