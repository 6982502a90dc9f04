using System.Text;
using Xunit;

namespace Conformance.Tests.PublicApi;

/// <summary>
/// A text file in the repository that a test derives from the code (the
/// public API listing, the stream-state table). The test fails while the file
/// differs from what the code gives, printing the differing lines and the
/// command that rewrites it; UPDATE_GOLDEN=1 rewrites it (review the diff).
/// </summary>
public static class GoldenFile
{
    /// <summary>The repository root (the folder holding Conformance.sln).</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Conformance.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Conformance.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// Checks (or, with UPDATE_GOLDEN=1, writes) <paramref name="relativePath"/>
    /// against <paramref name="actual"/>; <paramref name="filter"/> names the
    /// test for the regeneration command.
    /// </summary>
    public static void Check(string relativePath, string actual, string filter)
    {
        var path = Path.Combine(Root, relativePath);
        actual = actual.Replace("\r\n", "\n");
        var regenerate = $"UPDATE_GOLDEN=1 dotnet test Conformance/Tests -c Release --filter \"FullyQualifiedName~{filter}\"";
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, actual);
            return;
        }
        var expected = File.Exists(path) ? File.ReadAllText(path).Replace("\r\n", "\n") : null;
        if (expected == actual) return;
        Assert.Fail(expected is null
            ? $"{relativePath} is missing. Create it with:\n  {regenerate}"
            : $"{relativePath} is stale; the code now gives (- file, + code):\n{Diff(expected, actual)}\n" +
              $"If the change is intended, rewrite the file and review the diff:\n  {regenerate}");
    }

    /// <summary>The lines only in one of the two texts, in order (a longest-common-subsequence diff), at most 200.</summary>
    public static string Diff(string expected, string actual)
    {
        var a = expected.Split('\n');
        var b = actual.Split('\n');
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var sb = new StringBuilder();
        int x = 0, y = 0, shown = 0;
        while ((x < a.Length || y < b.Length) && shown < 200)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y]) { x++; y++; continue; }
            if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1])) sb.Append("- ").AppendLine(a[x++]);
            else sb.Append("+ ").AppendLine(b[y++]);
            shown++;
        }
        return sb.ToString();
    }
}
