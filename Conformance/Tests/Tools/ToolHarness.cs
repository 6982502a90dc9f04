using System.Text;
using Tools;
using Tools.Cli;
using Tools.Commands;
using Xunit;

namespace Conformance.Tests.Tools;

/// <summary>
/// Runs h2ref subcommands in-process with captured streams, and compares
/// outputs with golden files under Conformance/Tests/Tools/golden/. Set
/// UPDATE_GOLDEN=1 to rewrite the goldens from the current output (then review
/// the diff: a golden is a claim about the output, not a snapshot to wave through).
/// </summary>
public static class ToolHarness
{
    /// <summary>The repository root (the folder holding Conformance.sln).</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Conformance.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Conformance.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A path under the repository root.</summary>
    public static string RepoPath(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>The result of one run.</summary>
    public sealed record Run(int Status, string Out, string Err);

    /// <summary>Runs <c>h2ref hpack ARGS</c>.</summary>
    public static Run HpackCli(params string[] args) => HpackCliWith(null, args);

    /// <summary>Runs <c>h2ref hpack ARGS</c> with <paramref name="stdin"/> as standard input.</summary>
    public static Run HpackCliWith(string? stdin, params string[] args) =>
        Exec(io => new HpackCommand(io), stdin is null ? [] : Encoding.UTF8.GetBytes(stdin), args);

    /// <summary>Runs <c>h2ref frames ARGS</c>.</summary>
    public static Run FramesCli(params string[] args) => FramesCliWith([], args);

    /// <summary>Runs <c>h2ref frames ARGS</c> with binary standard input.</summary>
    public static Run FramesCliWith(byte[] stdin, params string[] args) => Exec(io => new FramesCommand(io), stdin, args);

    private static Run Exec(Func<CliIO, ICommand> make, byte[] stdin, string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var io = new CliIO(() => new MemoryStream(stdin), output, error, ErrIsTerminal: false);
        var status = make(io).RunAsync(args).GetAwaiter().GetResult();
        return new Run(status, output.ToString(), error.ToString());
    }

    /// <summary>Asserts that <paramref name="actual"/> equals the golden file <paramref name="name"/>.</summary>
    public static void Golden(string name, string actual)
    {
        var path = RepoPath("Conformance", "Tests", "Tools", "golden", name);
        actual = actual.Replace(Root, "$ROOT").Replace("\r\n", "\n");
        if (Environment.GetEnvironmentVariable("UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }
        Assert.True(File.Exists(path), $"golden file {path} is missing (run the tests once with UPDATE_GOLDEN=1 and review it)");
        var expected = File.ReadAllText(path).Replace("\r\n", "\n");
        if (expected == actual) return;
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var k = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
        Assert.Fail($"output differs from golden {name} at line {k + 1}:\n  golden: {(k < e.Length ? e[k] : "(end)")}\n  actual: {(k < a.Length ? a[k] : "(end)")}");
    }
}
