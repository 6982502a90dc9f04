using Conformance.Suite.Catalogue;
using Xunit;

namespace Conformance.Tests.Suite;

/// <summary>docs/conformance-cases.md is the catalogue's table, regenerated, never edited by hand.</summary>
public sealed class CaseTableTests
{
    const string Regenerate = "dotnet tools/h2ref/bin/Release/net10.0/h2ref.dll conformance --list --markdown > docs/conformance-cases.md (or UPDATE_GOLDEN=1 dotnet test)";

    [Fact(DisplayName = "docs/conformance-cases.md lists every case (id, section, h2spec or not, RFC 9113 change) and is not stale")]
    public void Docs_table_is_current()
    {
        var root = H2specAgreementFixture.RepositoryRoot().IfNone(() => throw new InvalidOperationException("Conformance.sln not found"));
        var path = Path.Combine(root, "docs", "conformance-cases.md");
        var expected = CaseTable.Markdown(AllCases.Cases);
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, expected);
        }
        Assert.True(File.Exists(path), $"docs/conformance-cases.md is missing: {Regenerate}");
        Assert.True(File.ReadAllText(path) == expected, $"docs/conformance-cases.md is stale: {Regenerate}");
    }

    [Fact(DisplayName = "The case table has one row per case, says which h2spec has, and shows the RFC 9113 changes")]
    public void Table_rows()
    {
        var table = CaseTable.Markdown(AllCases.Cases);
        var rows = table.Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();
        Assert.Equal(AllCases.Cases.Count, rows.Count);
        Assert.Contains(rows, r => r.StartsWith("| `http2/5.4.1/2` | RFC 9113 §5.4.1 | yes (-S) |", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("| `9113/8.2.1/1` | RFC 9113 §8.2.1 | no | New in RFC 9113 §8.2.1", StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith("| `http2/5.3.1/1` | RFC 9113 §5.3.1 | yes | RFC 9113 §5.3 deprecates", StringComparison.Ordinal));
    }
}
