using LanguageExt;
using Conformance.Suite.Model;

namespace Conformance.Suite.Runner;

/// <summary>How a case ended.</summary>
public enum Status
{
    /// <summary>Every expectation was satisfied.</summary>
    Pass,
    /// <summary>The server reacted in a way that violates the requirement.</summary>
    Fail,
    /// <summary>No decisive reaction arrived within the timeout (never a pass).</summary>
    Timeout,
    /// <summary>The case does not apply to this server (e.g. it announces no stream limit).</summary>
    Skipped,
    /// <summary>The case could not run (cannot connect, TLS failure).</summary>
    Error,
}

/// <summary>The result of one case against one target.</summary>
/// <param name="Expected">For a failure or timeout: the reaction that was expected.</param>
/// <param name="Actual">For a failure or timeout: what the server did instead; otherwise a short note.</param>
/// <param name="Step">The script step at which the case was decided (1-based; 0 when it ran to the end).</param>
/// <param name="Known">The examined deviation of the named implementation, when this case has one.</param>
public sealed record CaseResult(
    Case Case,
    Status Status,
    string Expected,
    string Actual,
    int Step,
    TimeSpan Duration,
    Option<KnownDeviation> Known)
{
    /// <summary>What was sent (→) and received (←), in order.</summary>
    public Seq<string> Transcript { get; init; } = Seq<string>.Empty;

    /// <summary>Did not pass (fail, timeout or error), skipped excepted.</summary>
    public bool Failed => Status is Status.Fail or Status.Timeout or Status.Error;

    /// <summary>A failure that is one of the case's known, explained deviations for this target.</summary>
    public bool KnownFailure => Failed && Known.IsSome;

    /// <summary>A failure that counts against the run (unexpected).</summary>
    public bool UnexpectedFailure => Failed && Known.IsNone;

    /// <summary>The words that mark an examined deviation of a named implementation, in reports and in <c>--help</c>.</summary>
    public const string KnownLabel = "known deviation";

    /// <summary>"pass", "fail", "timeout", "fail (known deviation: nghttpd)".</summary>
    public string Label =>
        Status.ToString().ToLowerInvariant() + Known.Match(k => Failed ? $" ({KnownLabel}: {k.Implementation})" : "", () => "");
}
