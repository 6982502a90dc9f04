using System.Diagnostics;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>The connection's single owner seen from handlers: commands from other threads are answered, also after the end.</summary>
[Collection("semantics")]
public sealed class ConnectionLoopTests(SemanticsFixture servers)
{
    [Fact(DisplayName = "Handler API: a response sent from another task after the client closed the connection is answered \"not sent\" at once, never left waiting")]
    public async Task CommandAfterTheEndIsAnswered()
    {
        await using (var c = await RawClient.Open(servers.Cleartext))
            await c.Request(1, "GET", "/answer-after-close", endStream: true);
        var clock = Stopwatch.StartNew();
        while (!SemanticsHandler.SawStart("/answer-after-close", "late ") && clock.Elapsed < TimeSpan.FromSeconds(15))
            await Task.Delay(20, TestContext.Current.CancellationToken);
        Assert.True(SemanticsHandler.SawStart("/answer-after-close", "late not sent: "),
            string.Join(", ", SemanticsHandler.Journal.Where(j => j.Path == "/answer-after-close").Select(j => j.Event)));
    }
}
