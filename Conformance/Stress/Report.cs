using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Conformance.Stress;

/// <summary>An attack our server is known to lose, with the diagnosis (the limit that is missing or wrong).</summary>
public sealed record KnownFailure(string Target, string Attack, string Diagnosis)
{
    /// <summary>
    /// Reads the committed list: one "target attack diagnosis..." per line,
    /// '#' starts a comment line. A listed attack that fails is reported as
    /// KNOWN and does not fail the run; one that passes is reported so the
    /// line can be removed.
    /// </summary>
    public static IReadOnlyList<KnownFailure> Load(string? path) =>
        path is null || !File.Exists(path)
            ? []
            : File.ReadLines(path)
                .Select(l => l.Trim())
                .Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Select(l => l.Split((char[]?)null, 3, StringSplitOptions.RemoveEmptyEntries))
                .Where(p => p.Length >= 2)
                .Select(p => new KnownFailure(p[0], p[1], p.Length > 2 ? p[2] : ""))
                .ToArray();
}

/// <summary>The verdict of one result against the known-failures list.</summary>
public enum Verdict
{
    /// <summary>Alive, every probe in time, memory under the bound.</summary>
    Pass,
    /// <summary>Failed and not listed: a regression.</summary>
    Fail,
    /// <summary>Failed and listed with a diagnosis.</summary>
    Known,
    /// <summary>Failed against a peer we only compare with.</summary>
    Info,
}

/// <summary>The table and the JSON file.</summary>
public static class Report
{
    private static string MiB(long kib) => (kib / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>The verdict of <paramref name="r"/>.</summary>
    public static Verdict Judge(AttackResult r, IReadOnlyList<KnownFailure> known, bool informational) =>
        r.Passed ? Verdict.Pass
        : informational ? Verdict.Info
        : known.Any(k => k.Target == r.Target && k.Attack == r.Attack) ? Verdict.Known
        : Verdict.Fail;

    /// <summary>The plain-text table: attack, reaction, probes, memory, verdict; then the details.</summary>
    public static string Table(IReadOnlyList<AttackResult> results, IReadOnlyList<KnownFailure> known, bool informational, Limits limits)
    {
        var sb = new StringBuilder();
        var target = results.FirstOrDefault()?.Target ?? "?";
        sb.AppendLine(CultureInfo.InvariantCulture,
            $"attack resistance of {target}: probe = fresh connection answered within {Probe.Deadline.TotalSeconds:0} s; memory bound = peak VmRSS growth <= {limits.PeakGrowthBoundMiB} MiB");
        sb.AppendLine(CultureInfo.InvariantCulture, $"{"attack",-22} {"reaction",-56} {"probes during",-15} {"after",-8} {"RSS before>after MiB",-20} {"peak +MiB",9} verdict");
        foreach (var r in results)
        {
            var reaction = r.Reaction.Summary();
            if (reaction.Length > 56) reaction = reaction[..53] + "...";
            var during = $"{r.During.Count - r.During.Failed}/{r.During.Count} {r.During.MaxMilliseconds}ms";
            var after = r.After.Ok ? $"ok {r.After.Milliseconds}ms" : "FAIL";
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"{r.Attack,-22} {reaction,-56} {during,-15} {after,-8} {MiB(r.RssBeforeKiB) + ">" + MiB(r.RssAfterKiB),-20} {MiB(r.PeakGrowthKiB),9} {Judge(r, known, informational).ToString().ToUpperInvariant()}");
        }
        sb.AppendLine();
        foreach (var r in results)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"{r.Attack} ({r.Cves}): {r.What}");
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"    reaction: {r.Reaction.Summary()}; sent {r.Reaction.FramesSent} frames / {MiB(r.Reaction.BytesSent / 1024)} MiB");
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"    memory: VmRSS {MiB(r.RssBeforeKiB)} -> peak {MiB(r.RssPeakKiB)} -> {MiB(r.RssAfterKiB)} MiB; VmHWM {MiB(r.HwmBeforeKiB)} -> {MiB(r.HwmAfterKiB)} MiB; {r.Milliseconds} ms");
            foreach (var d in r.Reaction.GoAwayDebug) sb.AppendLine(CultureInfo.InvariantCulture, $"    debug data: {d}");
            foreach (var p in r.FirstTryProblems) sb.AppendLine(CultureInfo.InvariantCulture, $"    first try (then retried): {p}");
            foreach (var p in r.Problems) sb.AppendLine(CultureInfo.InvariantCulture, $"    problem: {p}");
            if (!r.Passed && known.FirstOrDefault(k => k.Target == r.Target && k.Attack == r.Attack) is { } k)
                sb.AppendLine(CultureInfo.InvariantCulture, $"    known failure: {k.Diagnosis}");
            if (r.Passed && known.Any(k => k.Target == r.Target && k.Attack == r.Attack))
                sb.AppendLine("    listed as a known failure but PASSED: remove it from known-failures.txt");
        }
        return sb.ToString();
    }

    /// <summary>The results as JSON (one object per attack).</summary>
    public static string Json(IReadOnlyList<AttackResult> results, IReadOnlyList<KnownFailure> known, bool informational, Limits limits, int seed) =>
        JsonSerializer.Serialize(new
        {
            target = results.FirstOrDefault()?.Target,
            seed,
            probeDeadlineMs = (long)Probe.Deadline.TotalMilliseconds,
            peakGrowthBoundMiB = limits.PeakGrowthBoundMiB,
            attackSeconds = limits.Duration.TotalSeconds,
            attacks = results.Select(r => new
            {
                attack = r.Attack,
                cves = r.Cves,
                what = r.What,
                reaction = r.Reaction.Summary(),
                received = r.Reaction.Received.ToDictionary(x => x.What, x => x.Count),
                goAwayDebug = r.Reaction.GoAwayDebug,
                connectionsOpened = r.Reaction.ConnectionsOpened,
                connectionsClosedByServer = r.Reaction.ConnectionsClosedByServer,
                framesSent = r.Reaction.FramesSent,
                bytesSent = r.Reaction.BytesSent,
                probesDuring = new { count = r.During.Count, failed = r.During.Failed, maxMs = r.During.MaxMilliseconds, firstFailure = r.During.FirstFailure },
                probeAfter = new { ok = r.After.Ok, ms = r.After.Milliseconds, detail = r.After.Detail },
                rssBeforeKiB = r.RssBeforeKiB,
                rssAfterKiB = r.RssAfterKiB,
                rssPeakKiB = r.RssPeakKiB,
                peakGrowthKiB = r.PeakGrowthKiB,
                hwmBeforeKiB = r.HwmBeforeKiB,
                hwmAfterKiB = r.HwmAfterKiB,
                alive = r.Alive,
                ms = r.Milliseconds,
                problems = r.Problems,
                firstTryProblems = r.FirstTryProblems,
                verdict = Judge(r, known, informational).ToString().ToLowerInvariant(),
                knownDiagnosis = known.FirstOrDefault(k => k.Target == r.Target && k.Attack == r.Attack)?.Diagnosis,
            }),
        }, new JsonSerializerOptions { WriteIndented = true });
}
