using System.Diagnostics;
using System.Xml.Linq;
using LanguageExt;
using Http2.Reference.Server;
using Conformance.Suite.Catalogue;
using Conformance.Suite.Client;
using Conformance.Suite.H2spec;
using Conformance.Suite.Runner;
using Xunit;

namespace Conformance.Tests.Suite;

/// <summary>
/// The real h2spec 2.0.0 and the runner against the same live servers — our
/// server (h2c and TLS), nghttpd and Kestrel (tools/KestrelBaseline) — with
/// their verdicts compared id by id. Missing h2spec (or a missing peer): the
/// target is skipped with a message, except with CI set, where it fails.
/// </summary>
public sealed class H2specAgreementFixture : IAsyncLifetime
{
    /// <summary>What one target gave: both tools' verdicts, or why it could not run.</summary>
    public sealed record Outcome(IReadOnlyDictionary<string, Verdict> H2spec, IReadOnlyDictionary<string, Verdict> Runner, string H2specSummary, string RunnerSummary)
    {
        /// <summary>Every case's result, when the whole catalogue was run (Kestrel: its known deviations are checked).</summary>
        public LanguageExt.Seq<CaseResult> Catalogue { get; init; }
    }

    public readonly Dictionary<string, Either<string, Outcome>> Targets = new();

    static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(3);
    static readonly TimeSpan ProcessLimit = TimeSpan.FromSeconds(180);

    readonly List<Process> processes = [];
    readonly List<IAsyncDisposable> servers = [];
    readonly List<string> directories = [];

    /// <summary>h2spec: $H2SPEC, else shared/tools/h2spec/h2spec beside the repository or beside one of its parents (a worktree).</summary>
    public static Option<string> H2specBinary()
    {
        var fromEnv = Environment.GetEnvironmentVariable("H2SPEC");
        if (!string.IsNullOrEmpty(fromEnv)) return File.Exists(fromEnv) ? fromEnv : Option<string>.None;
        for (var d = RepositoryRoot().Map(r => new DirectoryInfo(r).Parent).IfNoneUnsafe(() => null); d is not null; d = d.Parent)
        {
            var candidate = Path.Combine(d.FullName, "shared", "tools", "h2spec", "h2spec");
            if (File.Exists(candidate)) return candidate;
        }
        return Option<string>.None;
    }

    /// <summary>The directory holding Conformance.sln, above the test assembly.</summary>
    public static Option<string> RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Conformance.sln"))) return d.FullName;
        return Option<string>.None;
    }

    public async ValueTask InitializeAsync()
    {
        var h2spec = H2specBinary();
        if (h2spec.IsNone)
        {
            foreach (var t in new[] { "h2ref", "h2ref-tls", "h2ref-path", "nghttpd", "kestrel" })
                Targets[t] = "h2spec not found (set H2SPEC, or put h2spec 2.0.0 at ../shared/tools/h2spec/h2spec; build it from github.com/summerwind/h2spec)";
            return;
        }
        var binary = h2spec.IfNone("");
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));

        var options = ServerOptions.Default with { AccessLog = false };
        var cleartext = Http2Server.Create<DemoHandler>("127.0.0.1", 0, null, options);
        cleartext.Start();
        servers.Add(cleartext);
        var tls = Http2Server.Create<DemoHandler>("127.0.0.1", 0, TlsOptions.SelfSigned("localhost", "127.0.0.1"), options);
        tls.Start();
        servers.Add(tls);
        Targets["h2ref"] = await Compare(binary, new Target("127.0.0.1", cleartext.LocalEndPoint!.Port));
        Targets["h2ref-tls"] = await Compare(binary, new Target("127.0.0.1", tls.LocalEndPoint!.Port, Tls: true, Insecure: true));
        // another path than "/" (-P): a response without push, 13 octets of content
        Targets["h2ref-path"] = await Compare(binary, new Target("127.0.0.1", cleartext.LocalEndPoint!.Port, Path: "/bytes/13"));
        Targets["nghttpd"] = await Then(await StartNghttpdAsync(), t => Compare(binary, t));
        Targets["kestrel"] = await Then(await StartKestrelAsync(), t => Compare(binary, t, wholeCatalogue: true));
    }

    static async Task<Either<string, Outcome>> Then(Either<string, Target> started, Func<Target, Task<Either<string, Outcome>>> compare) =>
        await started.Match(compare, why => Task.FromResult<Either<string, Outcome>>(why));

    async Task<Either<string, Outcome>> Compare(string h2spec, Target target, bool wholeCatalogue = false)
    {
        var first = await RunH2spec(h2spec, target, []);
        if (first.IsLeft) return first.Match(_ => "", why => why);
        var (h2specVerdicts, output) = first.Match(r => r, _ => default);
        var options = new RunOptions(target, StepTimeout, wholeCatalogue ? KestrelDeviations.Name : Option<string>.None);
        var all = await SuiteRunner.RunAsync(AllCases.Cases.Filter(c => wholeCatalogue || c.FromH2spec), options);
        var results = all.Filter(r => r.Case.FromH2spec);
        var runnerVerdicts = results.ToDictionary(r => r.Case.Id, Agreement.Of);

        // A disagreement must be reproducible: the sections where the tools differed run once more with
        // both tools, and their second verdicts count (a loaded machine can make one tool's step
        // time out once; the examined deviations of h2spec-deviations.txt differ every time).
        var sections = Agreement.Compare(h2specVerdicts, runnerVerdicts).Map(d => Section(d.Id)).Distinct().ToArray();
        if (sections.Length > 0)
        {
            var again = await RunH2spec(h2spec, target, sections);
            if (again.IsLeft) return again.Match(_ => "", why => why);
            var (h2specAgain, _) = again.Match(r => r, _ => default);
            var runnerAgain = await SuiteRunner.RunAsync(AllCases.Cases.Filter(c => c.FromH2spec && sections.Contains(Section(c.Id))), options);
            h2specVerdicts = h2specVerdicts.Where(kv => !sections.Contains(Section(kv.Key))).Concat(h2specAgain.Where(kv => sections.Contains(Section(kv.Key)))).ToDictionary(); // h2spec runs the subsections of a section too
            runnerVerdicts = runnerVerdicts.Where(kv => !sections.Contains(Section(kv.Key)))
                .Concat(runnerAgain.Select(r => KeyValuePair.Create(r.Case.Id, Agreement.Of(r)))).ToDictionary();
        }
        return new Outcome(h2specVerdicts, runnerVerdicts,
            output.Trim().Split('\n').Last().Trim(), Totals.Of(results).H2specLine) { Catalogue = wholeCatalogue ? all : default };
    }

    /// <summary>The h2spec section of an id ("http2/6.9/2" is in "http2/6.9"): h2spec numbers a report's cases within the sections it ran, so a re-run is by section.</summary>
    static string Section(string id) => id[..id.LastIndexOf('/')];

    /// <summary>h2spec -S against <paramref name="target"/>, all of it or only <paramref name="sections"/>: its verdicts by id and its output.</summary>
    async Task<Either<string, (Dictionary<string, Verdict> Verdicts, string Output)>> RunH2spec(string h2spec, Target target, string[] sections)
    {
        var report = Path.Combine(Directory.CreateTempSubdirectory("h2spec-junit-").FullName, "report.xml");
        directories.Add(Path.GetDirectoryName(report)!);
        string[] args = ["-S", "-h", target.Host, "-p", target.Port.ToString(), "-o", ((int)StepTimeout.TotalSeconds).ToString(), "-j", report, "-P", target.Path,
            .. target.Tls ? ["-t", "-k"] : Array.Empty<string>(), .. sections];
        var (_, output) = await RunProcess(h2spec, args);
        if (!File.Exists(report)) return $"h2spec wrote no report; it said: {output.Trim()}";
        return (Agreement.ReadJUnit(XDocument.Load(report)).ToDictionary(), output);
    }

    static async Task<(int Status, string Output)> RunProcess(string file, IEnumerable<string> args, string? directory = null)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = directory ?? Environment.CurrentDirectory,
        })!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(ProcessLimit);
        try { await p.WaitForExitAsync(limit.Token); }
        catch (OperationCanceledException) { p.Kill(true); return (-1, $"{Path.GetFileName(file)} did not finish within {ProcessLimit.TotalSeconds} s"); }
        return (p.ExitCode, await stdout + await stderr);
    }

    async Task<Either<string, Target>> StartNghttpdAsync()
    {
        if (!File.Exists(NghttpdTarget.Binary)) return $"{NghttpdTarget.Binary} not found (apt-get install nghttp2-server)";
        var root = Directory.CreateTempSubdirectory("h2spec-www-").FullName;
        directories.Add(root);
        await File.WriteAllTextAsync(Path.Combine(root, "index.html"), string.Concat(Enumerable.Repeat("<p>conformance</p>\n", 200)));
        var port = NghttpdTarget.FreePort();
        return await Listen(NghttpdTarget.Binary, ["--no-tls", "-d", root, port.ToString()], port, "nghttpd");
    }

    /// <summary>tools/KestrelBaseline (h2c on loopback), built here when it is not built yet.</summary>
    async Task<Either<string, Target>> StartKestrelAsync()
    {
        var root = RepositoryRoot().IfNone("");
        if (root == "") return "the repository root (Conformance.sln) was not found above the test assembly";
        var project = Path.Combine(root, "tools", "KestrelBaseline");
        var dll = Path.Combine(project, "bin", "Release", "net10.0", "KestrelBaseline.dll");
        if (!File.Exists(dll))
        {
            var (status, output) = await RunProcess("dotnet", ["build", project, "-c", "Release", "-nologo", "-v", "q"]);
            if (status != 0 || !File.Exists(dll)) return $"could not build tools/KestrelBaseline: {output.Trim().Split('\n').Last()}";
        }
        var port = NghttpdTarget.FreePort();
        return await Listen("dotnet", [dll, port.ToString()], port, "KestrelBaseline");
    }

    async Task<Either<string, Target>> Listen(string file, string[] args, int port, string name)
    {
        var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
        processes.Add(p);
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return await NghttpdTarget.Listening(port, TimeSpan.FromSeconds(30))
            ? new Target("127.0.0.1", port)
            : $"{name} did not listen on port {port} within 30 s";
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in processes)
        {
            if (!p.HasExited) { p.Kill(true); p.WaitForExit(5000); }
            p.Dispose();
        }
        foreach (var s in servers) await s.DisposeAsync();
        foreach (var d in directories) try { Directory.Delete(d, true); } catch (IOException) { }
    }
}

/// <summary>h2spec and the runner agree on every h2spec id, on every target, except for the examined disagreements of h2spec-deviations.txt.</summary>
[Collection(PeerRuns.Name)]
public sealed class H2specAgreementTests(H2specAgreementFixture fixture, ITestOutputHelper output) : IClassFixture<H2specAgreementFixture>
{
    [Theory(DisplayName = "h2spec and h2ref conformance agree, id by id (exceptions: h2spec-deviations.txt)")]
    [InlineData("h2ref")] [InlineData("h2ref-tls")] [InlineData("h2ref-path")] [InlineData("nghttpd")] [InlineData("kestrel")]
    public void Verdicts_agree(string target)
    {
        var outcome = fixture.Targets[target].Match(o => o, why =>
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) Assert.Fail($"CI is set and {why}");
            Assert.Skip(why);
            return null!;
        });
        output.WriteLine($"{target}: h2spec -S: {outcome.H2specSummary}; runner (h2spec ids, -S): {outcome.RunnerSummary}");
        Assert.Equal(147, outcome.H2spec.Count);
        var differences = Agreement.Compare(outcome.H2spec, outcome.Runner);
        foreach (var d in differences) output.WriteLine($"  {d}");
        var unexplained = differences.Filter(d => !Agreement.Deviations.Exists(x => x.Covers(d.Id, target, d.H2spec, d.Runner)));
        var stale = Agreement.Deviations.Filter(x => (x.Target == target || x.Target == "*") && !x.Race
            && !differences.Exists(d => x.Covers(d.Id, target, d.H2spec, d.Runner)));
        Assert.True(unexplained.IsEmpty && stale.IsEmpty,
            $"{target}: disagreements not in h2spec-deviations.txt: [{string.Join("; ", unexplained)}]; " +
            $"entries no longer observed: [{string.Join("; ", stale.Map(x => $"{x.Id} {x.Target}"))}]");
    }

    [Fact(DisplayName = "Kestrel: every case it fails is one of its examined deviations (--implementation kestrel), and each of them is still observed")]
    public void Kestrel_deviations_hold()
    {
        var outcome = fixture.Targets["kestrel"].Match(o => o, why =>
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))) Assert.Fail($"CI is set and {why}");
            Assert.Skip(why);
            return null!;
        });
        var unexpected = outcome.Catalogue.Filter(r => r.UnexpectedFailure).Map(r => $"{r.Case.Id} [{r.Label}]: {r.Actual}");
        var stale = outcome.Catalogue.Filter(r => r.Known.IsSome && !r.Failed).Map(r => r.Case.Id);
        Assert.True(unexpected.IsEmpty && stale.IsEmpty,
            $"Kestrel failures without an examined deviation: [{string.Join("; ", unexpected)}]; deviations not observed: [{string.Join(", ", stale)}]");
    }

    [Fact(DisplayName = "h2spec's JUnit report is read as verdicts by id (package + position), failures and errors as fail")]
    public void JUnit_ids()
    {
        var doc = XDocument.Parse("""
            <testsuites>
              <testsuite name="6.9. WINDOW_UPDATE" package="http2/6.9" id="6.9" tests="2">
                <testcase package="http2/6.9" classname="a" time="0.1"></testcase>
                <testcase package="http2/6.9" classname="b" time="0.1"><error message="x"></error></testcase>
                <testcase package="http2/6.9" classname="c" time="0.1"><skipped message="x"></skipped></testcase>
              </testsuite>
            </testsuites>
            """);
        var v = Agreement.ReadJUnit(doc);
        Assert.Equal(Verdict.Pass, v["http2/6.9/1"]);
        Assert.Equal(Verdict.Fail, v["http2/6.9/2"]);
        Assert.Equal(Verdict.Skip, v["http2/6.9/3"]);
    }

    [Fact(DisplayName = "Agreement: a differing verdict, or an id only one tool reports, is a difference; equal verdicts are not")]
    public void Compare_finds_differences()
    {
        var h2spec = new Dictionary<string, Verdict> { ["http2/6.9/1"] = Verdict.Pass, ["http2/6.9/2"] = Verdict.Fail, ["http2/6.9/3"] = Verdict.Pass };
        var runner = new Dictionary<string, Verdict> { ["http2/6.9/1"] = Verdict.Pass, ["http2/6.9/2"] = Verdict.Pass, ["http2/6.9/4"] = Verdict.Pass };
        Assert.Equal(new[] { "http2/6.9/2: h2spec fail, runner pass", "http2/6.9/3: h2spec pass, runner skip", "http2/6.9/4: h2spec skip, runner pass" },
            Agreement.Compare(h2spec, runner).Map(d => d.ToString()).ToArray());
        Assert.Throws<FormatException>(() => Agreement.Parse("http2/6.9/1 kestrel pass"));
    }

    [Fact(DisplayName = "h2spec-deviations.txt: an \"either either\" entry is a race in the target; it covers either disagreement on its id and target, and no other")]
    public void Race_entries_cover_either_verdict()
    {
        var race = Agreement.Parse("http2/6.9.1/3 kestrel either either a race in the target").Single();
        Assert.True(race.Race);
        Assert.True(race.Covers("http2/6.9.1/3", "kestrel", Verdict.Fail, Verdict.Pass));
        Assert.True(race.Covers("http2/6.9.1/3", "kestrel", Verdict.Pass, Verdict.Fail));
        Assert.False(race.Covers("http2/6.9.1/3", "h2ref", Verdict.Fail, Verdict.Pass));
        Assert.False(race.Covers("http2/6.9.1/2", "kestrel", Verdict.Fail, Verdict.Pass));
    }

    [Fact(DisplayName = "h2spec-deviations.txt: every entry names a case h2spec has, a known target, and a reason citing the RFC")]
    public void Deviations_are_explained()
    {
        Assert.NotEmpty(Agreement.Deviations);
        Assert.All(Agreement.Deviations, d =>
        {
            Assert.Contains(AllCases.Cases, c => c.Id == d.Id && c.FromH2spec);
            Assert.Contains(d.Target, new[] { "h2ref", "h2ref-tls", "h2ref-path", "nghttpd", "kestrel", "*" });
            if (!d.Race) Assert.NotEqual(d.H2spec, d.Runner);
            Assert.Contains("RFC", d.Reason, StringComparison.Ordinal);
        });
    }
}
