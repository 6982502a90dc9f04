using System.Text;
using LanguageExt;
using Conformance.Suite.Model;

namespace Conformance.Suite.Catalogue;

/// <summary>
/// The catalogue as a Markdown table (docs/conformance-cases.md): each case's
/// id, section, whether h2spec has it, where RFC 9113 changed the expected
/// reaction from RFC 7540, and the requirement. Generated, never edited: a
/// test fails when the committed file differs.
/// </summary>
public static class CaseTable
{
    /// <summary>The whole document.</summary>
    public static string Markdown(Seq<Case> cases)
    {
        var sb = new StringBuilder();
        var fromH2spec = cases.Count(c => c.FromH2spec);
        sb.Append($"""
            # Conformance cases

            Generated from the catalogue (Conformance/Suite/Catalogue) by
            `h2ref conformance --list --markdown`; a test fails when this file is
            stale. {cases.Count} cases: {fromH2spec} with h2spec 2.0.0's ids (its 146
            cases, and one more with `-S`), {cases.Count - fromH2spec} that h2spec lacks, with
            ids of their own (`9113/SECTION/N`, `7541/SECTION/N`).

            - **Id**: h2spec's id where h2spec has the case (`generic/…`, `http2/…`,
              `hpack/…`, numbered by RFC 7540 sections as h2spec is); `h2ref
              conformance ID…` selects by id, section or group as h2spec does.
            - **Section**: the section of RFC 9113 or RFC 7541 the case checks.
            - **h2spec**: whether h2spec has the case (`-S`: only with `--strict`).
            - **RFC 9113 change**: where RFC 9113 changed the expected reaction
              from RFC 7540, which h2spec was written against.


            """.Replace("\r\n", "\n"));
        sb.Append("| Id | Section | h2spec | RFC 9113 change | Requirement |\n");
        sb.Append("|---|---|---|---|---|\n");
        foreach (var c in cases)
            sb.Append($"| `{c.Id}` | {c.Section} | {(c.FromH2spec ? c.Strict ? "yes (-S)" : "yes" : "no")} | {Cell(c.ChangedBy9113.IfNone(""))} | {Cell(c.Requirement)} |\n");
        return sb.ToString();
    }

    static string Cell(string text) => text.Replace("|", "\\|").Replace("\n", " ");
}
