using System.Reflection;
using System.Xml.Linq;
using LanguageExt;
using Conformance.Suite.Runner;

namespace Conformance.Suite.H2spec;

/// <summary>A verdict as both tools can state it: h2spec knows pass, fail (its failures and errors) and skip.</summary>
public enum Verdict { Pass, Fail, Skip }

/// <summary>
/// One examined disagreement between h2spec and the runner on one case and
/// one target, with its reason: h2spec predates an RFC 9113 change, or the
/// runner is deliberately stricter (h2spec passes a wrong GOAWAY code when a
/// close follows, for example).
/// </summary>
/// <param name="Id">The case id (h2spec's).</param>
/// <param name="Target">The target it was seen on (h2ref, h2ref-tls, nghttpd, kestrel), or "*" for every target.</param>
/// <param name="H2spec">h2spec's verdict.</param>
/// <param name="Runner">The runner's verdict.</param>
/// <param name="Reason">Why they differ, citing the RFC.</param>
public sealed record Deviation(string Id, string Target, Verdict H2spec, Verdict Runner, string Reason)
{
    /// <summary>
    /// A race in the target, not a difference between the tools ("either either" in the file):
    /// the target's answer depends on timing the tools do not control, so the entry covers any
    /// disagreement on the id and target, and is not expected to be observed on every run.
    /// </summary>
    public bool Race { get; init; }

    /// <summary>True when the entry covers that disagreement.</summary>
    public bool Covers(string id, string target, Verdict h2spec, Verdict runner) =>
        Id == id && (Target == "*" || Target == target) && (Race || (H2spec == h2spec && Runner == runner));
}

/// <summary>
/// How the runner's verdicts are compared with h2spec's, id by id: h2spec's
/// JUnit report read into verdicts, the runner's results likewise, and the
/// one file of examined disagreements (<c>h2spec-deviations.txt</c>).
/// </summary>
public static class Agreement
{
    /// <summary>
    /// h2spec's JUnit report (<c>-j</c>) as verdicts by id. h2spec writes one
    /// testsuite per section with its id in <c>package</c> ("http2/6.9") and
    /// the cases in order, so the n-th testcase is "http2/6.9/n"; a case
    /// with a <c>failure</c> or <c>error</c> element failed.
    /// </summary>
    public static IReadOnlyDictionary<string, Verdict> ReadJUnit(XDocument report) =>
        report.Descendants("testsuite")
            .SelectMany(suite => suite.Elements("testcase").Select((c, i) => (
                Id: $"{(string?)c.Attribute("package") ?? (string?)suite.Attribute("package")}/{i + 1}",
                Verdict: c.Element("failure") is not null || c.Element("error") is not null ? Verdict.Fail
                       : c.Element("skipped") is not null ? Verdict.Skip
                       : Verdict.Pass)))
            .ToDictionary(x => x.Id, x => x.Verdict);

    /// <summary>The runner's verdict: pass, skip, or fail (a failure, a timeout or an error; a known deviation still failed).</summary>
    public static Verdict Of(CaseResult r) => r.Status switch
    {
        Status.Pass => Verdict.Pass,
        Status.Skipped => Verdict.Skip,
        _ => Verdict.Fail,
    };

    /// <summary>A disagreement on one id: what each tool said.</summary>
    public sealed record Difference(string Id, Verdict H2spec, Verdict Runner)
    {
        public override string ToString() => $"{Id}: h2spec {H2spec.ToString().ToLowerInvariant()}, runner {Runner.ToString().ToLowerInvariant()}";
    }

    /// <summary>Every id either tool reported on whose verdicts differ (an id only one tool has counts as a difference).</summary>
    public static Seq<Difference> Compare(IReadOnlyDictionary<string, Verdict> h2spec, IReadOnlyDictionary<string, Verdict> runner) =>
        h2spec.Keys.Union(runner.Keys).Order(StringComparer.Ordinal)
            .Select(id => (id, h: h2spec.TryGetValue(id, out var a) ? a : (Verdict?)null, r: runner.TryGetValue(id, out var b) ? b : (Verdict?)null))
            .Where(x => x.h != x.r)
            .Select(x => new Difference(x.id, x.h ?? Verdict.Skip, x.r ?? Verdict.Skip))
            .ToSeq();

    /// <summary>The examined disagreements (h2spec-deviations.txt, embedded in this assembly).</summary>
    public static readonly Seq<Deviation> Deviations = Parse(ReadEmbedded("h2spec-deviations.txt"));

    /// <summary>
    /// Parses the deviations file: one entry per line, "ID TARGET H2SPEC RUNNER REASON"
    /// (verdicts pass, fail or skip, or "either either" for a race in the target,
    /// <see cref="Deviation.Race"/>); blank lines and lines starting with # are ignored.
    /// </summary>
    public static Seq<Deviation> Parse(string text) =>
        text.Split('\n')
            .Select((line, n) => (line: line.Trim(), n: n + 1))
            .Where(x => x.line.Length > 0 && !x.line.StartsWith('#'))
            .Select(x =>
            {
                var parts = x.line.Split((char[]?)null, 5, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length == 5 && parts[2] == "either" && parts[3] == "either")
                    return new Deviation(parts[0], parts[1], Verdict.Pass, Verdict.Pass, parts[4]) { Race = true };
                if (parts.Length < 5 || !Enum.TryParse<Verdict>(parts[2], true, out var h) || !Enum.TryParse<Verdict>(parts[3], true, out var r))
                    throw new FormatException($"h2spec-deviations.txt line {x.n}: expected \"ID TARGET H2SPEC RUNNER REASON\", got \"{x.line}\"");
                return new Deviation(parts[0], parts[1], h, r, parts[4]);
            })
            .ToSeq().Strict();

    static string ReadEmbedded(string name)
    {
        var assembly = typeof(Agreement).Assembly;
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith(name, StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
        return reader.ReadToEnd();
    }
}
