using LanguageExt;
using Conformance.Suite.Model;

namespace Conformance.Suite.Runner;

/// <summary>Runs many cases against one target, several at a time (each case has its own connections).</summary>
public static class SuiteRunner
{
    /// <summary>
    /// Runs the cases with at most <see cref="RunOptions.Parallelism"/> at a
    /// time; results come back in catalogue order. Flood cases (those with a
    /// timeout of their own) run alone at the end so that their load cannot
    /// make a neighbour time out.
    /// </summary>
    public static async Task<Seq<CaseResult>> RunAsync(Seq<Case> cases, RunOptions options, Action<CaseResult>? progress = null, CancellationToken ct = default)
    {
        var results = new CaseResult[cases.Count];
        Client.Wire.WarmUp();
        var indexed = cases.Select((c, i) => (c, i)).ToArray();
        var ordinary = indexed.Where(x => x.c.Timeout.IsNone).ToArray();
        // the first case alone: a cold server (JIT, first connection) answers one client, not sixteen, on its first try
        if (ordinary.Length > 0)
        {
            var (c0, i0) = ordinary[0];
            results[i0] = await CaseRunner.RunAsync(c0, options, ct);
            progress?.Invoke(results[i0]);
            ordinary = ordinary[1..];
        }
        var heavy = indexed.Where(x => x.c.Timeout.IsSome).ToArray();
        await Parallel.ForEachAsync(ordinary, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = ct },
            async (x, token) =>
            {
                results[x.i] = await CaseRunner.RunAsync(x.c, options, token);
                progress?.Invoke(results[x.i]);
            });
        foreach (var (c, i) in heavy)
        {
            results[i] = await CaseRunner.RunAsync(c, options, ct);
            progress?.Invoke(results[i]);
        }
        return results.ToSeq();
    }
}

/// <summary>Totals of a run.</summary>
public sealed record Totals(int Cases, int Passed, int Failed, int TimedOut, int Skipped, int Errors, int Known)
{
    public static Totals Of(Seq<CaseResult> results) => new(
        results.Count,
        results.Count(r => r.Status == Status.Pass),
        results.Count(r => r.Status == Status.Fail),
        results.Count(r => r.Status == Status.Timeout),
        results.Count(r => r.Status == Status.Skipped),
        results.Count(r => r.Status == Status.Error),
        results.Count(r => r.KnownFailure));

    /// <summary>No failure other than known, explained ones.</summary>
    public bool Success(Seq<CaseResult> results) => results.ForAll(r => !r.UnexpectedFailure);

    public override string ToString() =>
        $"{Cases} cases: {Passed} passed, {Failed} failed, {TimedOut} timed out, {Skipped} skipped, {Errors} errors" +
        (Known > 0 ? $" ({Known} of the failures are known deviations)" : "");
}
