using Conformance.Suite.Catalogue;
using Conformance.Suite.Model;
using Xunit;

namespace Conformance.Tests.Suite;

/// <summary>The catalogue as data: complete, well-formed, and covering what h2spec covers.</summary>
public class CatalogueTests
{
    static readonly IReadOnlyList<Case> Cases = AllCases.Cases.ToList();

    [Fact(DisplayName = "Catalogue: case ids are unique; h2spec's cases carry h2spec's id, the others name their RFC section")]
    public void Ids_are_unique()
    {
        Assert.Equal(Cases.Count, Cases.Select(c => c.Id).Distinct().Count());
        Assert.All(Cases.Where(c => !c.FromH2spec), c => Assert.StartsWith($"{c.Section.Spec}/{c.Section.Number}/", c.Id));
        Assert.All(Cases.Where(c => c.FromH2spec), c => Assert.StartsWith($"h2spec {c.Id}", c.Origin));
        Assert.All(Cases.Where(c => !c.FromH2spec), c => Assert.Equal("extra", c.Origin));
    }

    [Fact(DisplayName = "Catalogue: only h2spec's strict case (http2/5.4.1/2, a SHOULD) is strict")]
    public void Strict_is_h2specs() =>
        Assert.Equal(new[] { "http2/5.4.1/2" }, Cases.Where(c => c.Strict).Select(c => c.Id).ToArray());

    [Theory(DisplayName = "Catalogue: positional ids select as h2spec's do (id, id prefix, group), -S adds the strict case")]
    [InlineData("http2/6.9", false, 9)]
    [InlineData("http2/6.9.1", false, 3)]
    [InlineData("http2/6", false, 42)]
    [InlineData("hpack", false, 8)]
    [InlineData("http2/6.9/1", false, 1)]
    [InlineData("hpack/4.2", false, 1)]
    [InlineData("http2/5.4.1", false, 1)]
    [InlineData("http2/5.4.1", true, 2)]
    [InlineData("generic/3.3", false, 5)]
    [InlineData("9113/8.2.1", false, 8)]
    public void Positional_selection(string id, bool strict, int count) =>
        Assert.Equal(count, AllCases.Select(LanguageExt.Prelude.Seq1(id), LanguageExt.Option<string>.None, strict).Count);

    [Fact(DisplayName = "Catalogue: without -S every case but the strict one runs")]
    public void Default_selection() =>
        Assert.Equal(Cases.Count - 1, AllCases.Select(LanguageExt.Seq<string>.Empty, LanguageExt.Option<string>.None, false).Count);

    [Fact(DisplayName = "Catalogue: every case states a requirement and expects at least one reaction")]
    public void Every_case_expects_something()
    {
        Assert.All(Cases, c =>
        {
            Assert.False(string.IsNullOrWhiteSpace(c.Requirement));
            Assert.Contains(c.Script, s => s is Expect or ExpectFrom);
        });
    }

    [Fact(DisplayName = "Catalogue: every section and its parents have a title (the report tree)")]
    public void Sections_have_titles() =>
        Assert.All(Cases, c => Assert.All(c.Section.Path, n => Assert.NotEqual("", Sections.Title(c.Section.Spec, n))));

    [Fact(DisplayName = "Catalogue: at least h2spec's 146 cases, each of its groups represented")]
    public void Covers_h2spec()
    {
        Assert.True(Cases.Count >= 146, $"{Cases.Count} cases");
        var fromH2spec = Cases.Count(c => c.Origin.StartsWith("h2spec", StringComparison.Ordinal));
        Assert.True(fromH2spec >= 140, $"{fromH2spec} cases from h2spec");
        foreach (var group in new[] { "h2spec generic/", "h2spec http2/", "h2spec hpack/" })
            Assert.Contains(Cases, c => c.Origin.StartsWith(group, StringComparison.Ordinal));
    }

    /// <summary>h2spec 2.x's cases by group and section (RFC 7540 numbering) and their count: 146, plus one with --strict (http2/5.4.1/2).</summary>
    static readonly (string Group, string Section, int Count)[] H2spec =
    [
        ("generic", "1", 1), ("generic", "2", 5), ("generic", "3.1", 3), ("generic", "3.2", 3), ("generic", "3.3", 5),
        ("generic", "3.4", 1), ("generic", "3.5", 1), ("generic", "3.7", 1), ("generic", "3.8", 1), ("generic", "3.9", 2),
        ("generic", "3.10", 2), ("generic", "4", 4), ("generic", "5", 15),
        ("http2", "3.5", 2), ("http2", "4.1", 3), ("http2", "4.2", 3), ("http2", "4.3", 3), ("http2", "5.1", 13),
        ("http2", "5.1.1", 2), ("http2", "5.1.2", 1), ("http2", "5.3.1", 2), ("http2", "5.4.1", 2), ("http2", "5.5", 2),
        ("http2", "6.1", 3), ("http2", "6.2", 4), ("http2", "6.3", 2), ("http2", "6.4", 3), ("http2", "6.5", 3),
        ("http2", "6.5.2", 5), ("http2", "6.5.3", 2), ("http2", "6.7", 4), ("http2", "6.8", 1), ("http2", "6.9", 3),
        ("http2", "6.9.1", 3), ("http2", "6.9.2", 3), ("http2", "6.10", 6), ("http2", "7", 2), ("http2", "8.1", 1),
        ("http2", "8.1.2", 1), ("http2", "8.1.2.1", 4), ("http2", "8.1.2.2", 2), ("http2", "8.1.2.3", 7), ("http2", "8.1.2.6", 2),
        ("http2", "8.2", 1),
        ("hpack", "2.3.3", 2), ("hpack", "4.2", 1), ("hpack", "5.2", 3), ("hpack", "6.1", 1), ("hpack", "6.3", 1),
    ];

    static IEnumerable<string> H2specIds(Case c) => c.FromH2spec ? [c.Id] : [];

    [Fact(DisplayName = "Catalogue: every one of h2spec's 147 cases (146 + 1 strict) has a case with its id, and no other id looks like h2spec's")]
    public void Every_h2spec_case_has_a_counterpart()
    {
        var expected = H2spec.SelectMany(g => Enumerable.Range(1, g.Count).Select(n => $"{g.Group}/{g.Section}/{n}")).ToList();
        Assert.Equal(147, expected.Count);
        var claimed = Cases.SelectMany(H2specIds).ToList();
        Assert.Equal(claimed.Count, claimed.Distinct().Count());
        Assert.Empty(expected.Except(claimed));
        Assert.Empty(claimed.Except(expected));
    }

    [Theory(DisplayName = "Catalogue: every RFC section a server can be tested on has cases")]
    [InlineData("9113", "3.4")] [InlineData("9113", "4.1")] [InlineData("9113", "4.2")] [InlineData("9113", "4.3")]
    [InlineData("9113", "5.1")] [InlineData("9113", "5.1.1")] [InlineData("9113", "5.1.2")] [InlineData("9113", "5.3.1")]
    [InlineData("9113", "5.4.1")] [InlineData("9113", "5.5")] [InlineData("9113", "6.1")] [InlineData("9113", "6.2")]
    [InlineData("9113", "6.3")] [InlineData("9113", "6.4")] [InlineData("9113", "6.5")] [InlineData("9113", "6.5.2")]
    [InlineData("9113", "6.5.3")] [InlineData("9113", "6.7")] [InlineData("9113", "6.8")] [InlineData("9113", "6.9")]
    [InlineData("9113", "6.9.1")] [InlineData("9113", "6.9.2")] [InlineData("9113", "6.10")] [InlineData("9113", "8.1")]
    [InlineData("9113", "8.1.1")] [InlineData("9113", "8.2")] [InlineData("9113", "8.2.1")] [InlineData("9113", "8.2.2")]
    [InlineData("9113", "8.3")] [InlineData("9113", "8.3.1")] [InlineData("9113", "10.5")]
    [InlineData("7541", "2.3.3")] [InlineData("7541", "4.2")] [InlineData("7541", "5.2")] [InlineData("7541", "6.1")] [InlineData("7541", "6.3")]
    public void Area_is_covered(string spec, string section) =>
        Assert.Contains(Cases, c => c.Section == new SectionId(spec, section));

    [Fact(DisplayName = "Catalogue: the checks h2spec lacks are there (field values CR/LF/NUL/whitespace, negative window, graceful GOAWAY, floods)")]
    public void Extras_are_there()
    {
        var extras = Cases.Where(c => c.Origin == "extra").Select(c => c.Requirement).ToList();
        foreach (var needle in new[] { "NUL", "line feed", "carriage return", "whitespace", "negative", "gracefully", "reset", "CONTINUATION", "PING", "SETTINGS", "header list" })
            Assert.Contains(extras, r => r.Contains(needle, StringComparison.Ordinal));
    }

    [Fact(DisplayName = "Catalogue: every known deviation names the implementation and quotes the RFC requirement it breaks")]
    public void Deviations_are_explained() =>
        Assert.All(Cases.SelectMany(c => c.KnownDeviations), d =>
        {
            Assert.False(string.IsNullOrWhiteSpace(d.Implementation));
            Assert.Contains("RFC", d.Explanation, StringComparison.Ordinal);
            Assert.Contains("MUST", d.Explanation, StringComparison.Ordinal);
        });

    [Theory(DisplayName = "Catalogue: --section filters by section and subsections, or by spec")]
    [InlineData("6.5", "9113", "6.5", true)]
    [InlineData("6.5", "9113", "6.5.2", true)]
    [InlineData("6.5", "9113", "6.50", false)]
    [InlineData("6.5", "7541", "6.5", false)]
    [InlineData("7541/5.2", "7541", "5.2", true)]
    [InlineData("hpack", "7541", "6.1", true)]
    [InlineData("hpack", "9113", "6.1", false)]
    [InlineData("9113", "9113", "8.3.1", true)]
    [InlineData("§8.3", "9113", "8.3.1", true)]
    public void Section_filter(string filter, string spec, string number, bool selected) =>
        Assert.Equal(selected, new SectionId(spec, number).Matches(filter));

    [Fact(DisplayName = "Catalogue: flood cases carry their own timeout (they run alone, after the others)")]
    public void Floods_have_timeouts() =>
        Assert.All(Cases.Where(c => c.Section.Number == "10.5"), c => Assert.True(c.Timeout.IsSome));
}
