using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using LanguageExt;
using Conformance.Suite.Catalogue;
using Conformance.Suite.Model;

namespace Conformance.Suite.Runner;

/// <summary>The three forms of a run's results: a text tree by section, JUnit XML, JSON.</summary>
public static class Reports
{
    /// <summary>
    /// The tree: spec, then sections (with their parents' headings), then one
    /// line per case; failures and timeouts carry the expected and actual
    /// reactions, known deviations their explanation; a totals line ends it.
    /// </summary>
    public static string Tree(Seq<CaseResult> results, bool verbose = false, bool trace = false)
    {
        var sb = new StringBuilder();
        var printed = new System.Collections.Generic.HashSet<(string, string)>();
        string? spec = null;
        foreach (var r in results)
        {
            var s = r.Case.Section;
            if (s.Spec != spec)
            {
                spec = s.Spec;
                sb.AppendLine(Sections.SpecTitle(spec));
            }
            foreach (var number in s.Path)
            {
                if (!printed.Add((s.Spec, number))) continue;
                var depth = number.Count(c => c == '.') + 1;
                sb.Append(' ', 2 * depth).AppendLine($"§{number} {Sections.Title(s.Spec, number)}".TrimEnd());
            }
            var indent = new string(' ', 2 * (s.Path.Count + 1));
            sb.AppendLine($"{indent}{Mark(r)} {r.Case.Id} {r.Case.Requirement} [{r.Label}]");
            if (r.Failed || verbose && r.Status == Status.Skipped)
            {
                if (r.Status == Status.Skipped) { sb.AppendLine($"{indent}    skipped: {r.Actual}"); continue; }
                sb.AppendLine($"{indent}    expected: {r.Expected}");
                sb.AppendLine($"{indent}    actual:   {r.Actual}{(r.Step > 0 ? $" (at step {r.Step}: {r.Case.Script[r.Step - 1].Description})" : "")}");
                foreach (var k in r.Known) sb.AppendLine($"{indent}    {CaseResult.KnownLabel}: {k.Implementation}: {k.Explanation}");
            }
            else if (r.Status == Status.Skipped) sb.AppendLine($"{indent}    skipped: {r.Actual}");
            if (trace || verbose && r.Failed)
                foreach (var line in r.Transcript.Take(40)) sb.AppendLine($"{indent}    {line}");
        }
        sb.AppendLine(Totals.Of(results).ToString());
        return sb.ToString();
    }

    static string Mark(CaseResult r) => r.Status switch
    {
        Status.Pass => "✔",
        Status.Skipped => "-",
        _ when r.KnownFailure => "~",
        Status.Timeout => "⏱",
        _ => "✘",
    };

    /// <summary>JUnit XML: one testsuite per section, one testcase per case; known deviations are reported as skipped with their explanation.</summary>
    public static XDocument JUnit(Seq<CaseResult> results, string target)
    {
        var totals = Totals.Of(results);
        return new XDocument(new XElement("testsuites",
            new XAttribute("name", $"h2ref conformance against {target}"),
            new XAttribute("tests", totals.Cases),
            new XAttribute("failures", results.Count(r => r.UnexpectedFailure)),
            results.GroupBy(r => r.Case.Section.ToString()).Select(g => new XElement("testsuite",
                new XAttribute("name", $"{g.Key} {Sections.Title(g.First().Case.Section.Spec, g.First().Case.Section.Number)}".TrimEnd()),
                new XAttribute("tests", g.Count()),
                new XAttribute("failures", g.Count(r => r.UnexpectedFailure)),
                new XAttribute("skipped", g.Count(r => r.Status == Status.Skipped || r.KnownFailure)),
                g.Select(r => new XElement("testcase",
                    new XAttribute("classname", g.Key),
                    new XAttribute("name", $"{r.Case.Id} {r.Case.Requirement}"),
                    new XAttribute("time", r.Duration.TotalSeconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)),
                    r.UnexpectedFailure
                        ? new XElement("failure",
                            new XAttribute("type", r.Status.ToString().ToLowerInvariant()),
                            new XAttribute("message", $"expected: {r.Expected}; actual: {r.Actual}"))
                        : r.KnownFailure
                            ? new XElement("skipped", new XAttribute("message",
                                $"{CaseResult.KnownLabel}: {r.Known.Map(k => k.Implementation).IfNone("")}: {r.Known.Map(k => k.Explanation).IfNone("")} (expected: {r.Expected}; actual: {r.Actual})"))
                            : r.Status == Status.Skipped ? new XElement("skipped", new XAttribute("message", r.Actual)) : null))))));
    }

    /// <summary>JSON: the target, the totals, and every case with its result.</summary>
    public static string Json(Seq<CaseResult> results, string target)
    {
        var totals = Totals.Of(results);
        var doc = new
        {
            target,
            totals = new { cases = totals.Cases, passed = totals.Passed, failed = totals.Failed, timedOut = totals.TimedOut, skipped = totals.Skipped, errors = totals.Errors, knownDeviations = totals.Known },
            success = totals.Success(results),
            cases = results.Select(r => new
            {
                id = r.Case.Id,
                section = r.Case.Section.ToString(),
                requirement = r.Case.Requirement,
                origin = r.Case.Origin,
                status = r.Status.ToString().ToLowerInvariant(),
                label = r.Label,
                expected = r.Failed ? r.Expected : null,
                actual = r.Failed || r.Status == Status.Skipped ? r.Actual : null,
                knownDeviation = r.Known.Map(k => new { implementation = k.Implementation, explanation = k.Explanation }).IfNoneUnsafe(() => null),
                seconds = Math.Round(r.Duration.TotalSeconds, 3),
            }),
        };
        return JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = true, DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });
    }
}
