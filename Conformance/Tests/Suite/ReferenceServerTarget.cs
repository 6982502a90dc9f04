using LanguageExt;
using Http2.Reference.Server;
using Conformance.Suite.Catalogue;
using Conformance.Suite.Client;
using Conformance.Suite.Runner;
using Xunit;

namespace Conformance.Tests.Suite;

/// <summary>
/// Our server (Reference/Server, demo handler), in process on an ephemeral
/// loopback port, h2c and TLS, and the whole catalogue run against it once.
/// It has no known deviations: every case must pass.
/// </summary>
public sealed class ReferenceServerTarget : IAsyncLifetime
{
    Http2Server? cleartext, tls;

    public IReadOnlyDictionary<string, CaseResult> Results { get; private set; } = new Dictionary<string, CaseResult>();
    public IReadOnlyDictionary<string, CaseResult> TlsResults { get; private set; } = new Dictionary<string, CaseResult>();

    /// <summary>The sections run over TLS as well (a sample: the transport differs, the cases do not).</summary>
    public static readonly string[] TlsSections = ["3.4", "6.5", "6.7", "8.3.1", "hpack"];

    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async ValueTask InitializeAsync()
    {
        var options = ServerOptions.Default with { AccessLog = false };
        cleartext = Http2Server.Create<DemoHandler>("127.0.0.1", 0, null, options);
        cleartext.Start();
        tls = Http2Server.Create<DemoHandler>("127.0.0.1", 0, TlsOptions.SelfSigned("localhost", "127.0.0.1"), options);
        tls.Start();
        // In process, the server and client share this process's thread pool with every
        // other test class: warm the server up (JIT) with one case, and give each step
        // more time — a generous timeout costs nothing when the server passes.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(io, 32));
        var warmUp = new Target("127.0.0.1", cleartext.LocalEndPoint!.Port);
        await SuiteRunner.RunAsync(AllCases.Select("8.1").Take(1).ToSeq(), new RunOptions(warmUp, Timeout));
        // in process: the memory checks watch this very process (client included), which only makes them stricter
        var pid = Option<int>.Some(Environment.ProcessId);
        var results = await SuiteRunner.RunAsync(AllCases.Cases,
            new RunOptions(new Target("127.0.0.1", cleartext.LocalEndPoint!.Port, Pid: pid), Timeout));
        Results = results.ToDictionary(r => r.Case.Id);
        var overTls = AllCases.Cases.Filter(c => TlsSections.Any(c.Section.Matches));
        var tlsResults = await SuiteRunner.RunAsync(overTls,
            new RunOptions(new Target("127.0.0.1", tls.LocalEndPoint!.Port, Tls: true, Insecure: true), Timeout));
        TlsResults = tlsResults.ToDictionary(r => r.Case.Id);
    }

    public async ValueTask DisposeAsync()
    {
        if (cleartext is not null) await cleartext.DisposeAsync();
        if (tls is not null) await tls.DisposeAsync();
    }
}

/// <summary>Every case against our server: it must pass every one (h2c), and a sample of sections over TLS.</summary>
[Collection(PeerRuns.Name)]
public sealed class CatalogueAgainstReferenceServerTests(ReferenceServerTarget server) : IClassFixture<ReferenceServerTarget>
{
    public static IEnumerable<TheoryDataRow<string>> Cases =>
        AllCases.Cases.Select(c => new TheoryDataRow<string>(c.Id)
            .WithTestDisplayName($"reference server: {c.Section} ({c.Id}): {c.Requirement}"));

    public static IEnumerable<TheoryDataRow<string>> TlsCases =>
        AllCases.Cases.Filter(c => ReferenceServerTarget.TlsSections.Any(c.Section.Matches)).Select(c => new TheoryDataRow<string>(c.Id)
            .WithTestDisplayName($"reference server over TLS: {c.Section} ({c.Id}): {c.Requirement}"));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Case_passes(string id)
    {
        var r = server.Results[id];
        Assert.True(r.Status == Status.Pass, $"{r.Label}: expected {r.Expected}; actual {r.Actual} (step {r.Step})");
    }

    [Theory]
    [MemberData(nameof(TlsCases))]
    public void Case_passes_over_tls(string id)
    {
        var r = server.TlsResults[id];
        Assert.True(r.Status == Status.Pass, $"{r.Label}: expected {r.Expected}; actual {r.Actual} (step {r.Step})");
    }
}

/// <summary>
/// The runs against real servers go one after the other, and apart from the
/// rest of the test run (DisableParallelization): their load and memory
/// checks should neither disturb timing-sensitive tests elsewhere nor be
/// disturbed by them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PeerRuns
{
    public const string Name = "conformance runs against servers";
}
