using System.Net;
using Http2.Reference.Hpack;
using Http2.Reference.Server;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// RFC 9110 §6.6.1, §10.2.4: every final response gets date and server,
/// also when a connection answers many responses with the same field
/// objects (the server then reuses the section it composed), and a handler
/// that changes a list it sent before gets its new fields, not the old ones.
/// The handler reads each request's :path (a connection shares the text of a
/// path asked for again): the same and different paths in a row.
/// </summary>
public sealed class ResponseFieldsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Handler : RequestHandler
    {
        private static readonly HeaderField[] Fixed = [HeaderField.Of("x-route", "fixed")];
        private static readonly HeaderField[] Reused = [HeaderField.Of("x-value", "none")];
        private static readonly object Gate = new();

        protected override void OnRequestDone()
        {
            if (Path.StartsWith("/reused/", StringComparison.Ordinal))
            {
                lock (Gate)
                {
                    // The same array object every time, with other contents: what was composed for it before is stale.
                    Reused[0] = HeaderField.Of("x-value", Path["/reused/".Length..]);
                    SendResponse(200, Reused, "reused");
                }
                return;
            }
            SendResponse(Path == "/created" ? 201 : 200, Fixed, "fixed");
        }
    }

    [Fact(DisplayName = "RFC 9110 §6.6.1, §10.2.4: responses with the same fields on one connection each carry date and server; a changed field list is sent as changed")]
    public async Task SameAndChangedFields()
    {
        await using var server = new Http2Server("127.0.0.1", 0, () => new Handler(), null, ServerFixture.Quiet with { ServerName = "h2ref-fields" });
        server.Start();
        using var client = ServerFixture.Http2Client();
        var url = $"http://127.0.0.1:{((IPEndPoint)server.LocalEndPoint!).Port}";
        foreach (var (path, status, route) in new[] { ("/a", 200, "fixed"), ("/b", 200, "fixed"), ("/created", 201, "fixed"), ("/c", 200, "fixed") })
        {
            using var r = await client.GetAsync(url + path, Ct);
            Assert.Equal((HttpStatusCode)status, r.StatusCode);
            Assert.Equal([route], r.Headers.GetValues("x-route"));
            Assert.NotNull(r.Headers.Date);
            Assert.Equal("h2ref-fields", r.Headers.Server.ToString());
        }
        foreach (var v in new[] { "1", "2", "2", "3" })
        {
            using var r = await client.GetAsync($"{url}/reused/{v}", Ct);
            Assert.Equal([v], r.Headers.GetValues("x-value"));
            Assert.NotNull(r.Headers.Date);
            Assert.Equal("h2ref-fields", r.Headers.Server.ToString());
            Assert.Equal("reused", await r.Content.ReadAsStringAsync(Ct));
        }
    }
}
