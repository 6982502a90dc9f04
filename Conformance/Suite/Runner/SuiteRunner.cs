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

/// <summary>Whether the target speaks HTTP/2 at all, asked once before any case runs.</summary>
public static class Preflight
{
    /// <summary>
    /// Connects, sends the client preface with the profile's SETTINGS and
    /// waits for the server's SETTINGS (RFC 9113 §3.4). None when it came;
    /// otherwise one line saying why no case can run: the connection was
    /// refused, TLS or ALPN failed, the octets are not HTTP/2 (shown), or
    /// nothing came in time.
    /// </summary>
    public static async Task<Option<string>> CheckAsync(RunOptions options, CancellationToken ct = default)
    {
        var target = options.Target;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(options.Timeout * 2);
        Client.Connection? conn = null;
        try
        {
            conn = await Client.Connection.OpenAsync(target, cts.Token);
            await conn.SendAsync([.. Client.Wire.Preface, .. Client.Wire.Encode(new Http2.Reference.Frames.SettingsFrame(false, options.Profile.Settings))], cts.Token);
            while (true)
            {
                var e = await conn.Events.ReadAsync(cts.Token);
                switch (e)
                {
                    case Received { Frame: Http2.Reference.Frames.SettingsFrame { Ack: false } }:
                        return Option<string>.None;
                    case NotFrames n:
                        return $"{target} does not speak HTTP/2: it sent {n}";
                    case Closed c:
                        return $"{target} closed the connection without sending its connection preface (a SETTINGS frame, RFC 9113 §3.4): {c.How}"
                            + (target.Tls ? "" : "; a TLS server does this to cleartext: try -t (--tls)");
                    case Received r:
                        return $"{target} sent {r} before its connection preface (a SETTINGS frame must come first, RFC 9113 §3.4)";
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return conn is null
                ? $"cannot connect to {target}: no answer within {(options.Timeout * 2).TotalSeconds:0.#} s"
                : $"{target} sent no connection preface (SETTINGS frame, RFC 9113 §3.4) within {(options.Timeout * 2).TotalSeconds:0.#} s: is it an HTTP/2 server{(target.Tls ? "" : " with prior knowledge (h2c)")}?";
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
        {
            return $"cannot connect to {target}: {e.GetBaseException().Message}"
                + (e is System.Security.Authentication.AuthenticationException ? "; the TLS handshake failed: if the target speaks h2c, drop -t (--tls)" : "");
        }
        finally
        {
            if (conn is not null) await conn.DisposeAsync();
        }
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

    /// <summary>h2spec's summary line: "N tests, N passed, N skipped, N failed"; known deviations count as skipped, timeouts and errors as failed.</summary>
    public string H2specLine => $"{Cases} tests, {Passed} passed, {Skipped + Known} skipped, {Failed + TimedOut + Errors - Known} failed";

    public override string ToString() =>
        $"{Cases} cases: {Passed} passed, {Failed} failed, {TimedOut} timed out, {Skipped} skipped, {Errors} errors" +
        (Known > 0 ? $" ({Known} of the failures: {CaseResult.KnownLabel})" : "");
}
