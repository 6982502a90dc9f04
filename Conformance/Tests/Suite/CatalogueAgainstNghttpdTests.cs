using Conformance.Suite.Catalogue;
using Conformance.Suite.Runner;
using Xunit;

namespace Conformance.Tests.Suite;

/// <summary>
/// Every case against nghttpd, a real peer: a case that fails there is either
/// wrong, or nghttpd breaks the requirement — and then the case says so in
/// its KnownDeviations, quoting the RFC. An unexplained failure fails here.
/// </summary>
[Collection(PeerRuns.Name)]
public sealed class CatalogueAgainstNghttpdTests(NghttpdTarget nghttpd) : IClassFixture<NghttpdTarget>
{
    public static IEnumerable<TheoryDataRow<string>> Cases =>
        AllCases.Cases.Select(c => new TheoryDataRow<string>(c.Id)
            .WithTestDisplayName($"nghttpd: {c.Section} ({c.Id}): {c.Requirement}"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_passes_or_is_a_known_deviation(string id)
    {
        nghttpd.RequireAvailable();
        var r = nghttpd.Results[id];
        if (r.Status == Status.Skipped) Assert.Skip($"not applicable to nghttpd: {r.Actual}");
        Assert.False(r.UnexpectedFailure,
            $"{r.Label}: expected {r.Expected}; actual {r.Actual} (step {r.Step})");
    }

    [Fact(DisplayName = "nghttpd: every known nghttpd deviation is still observed (its explanation stays true)")]
    public void Known_deviations_are_observed()
    {
        nghttpd.RequireAvailable();
        var stale = nghttpd.Results.Values
            .Where(r => r.Known.IsSome && !r.Failed)
            .Select(r => r.Case.Id).ToList();
        Assert.True(stale.Count == 0, $"cases whose nghttpd deviation was not observed (remove or fix the explanation): {string.Join(", ", stale)}");
    }
}
