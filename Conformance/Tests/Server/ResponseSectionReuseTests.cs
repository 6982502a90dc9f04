using System.Collections.Concurrent;
using Http2.Reference.Hpack;
using Http2.Reference.Server;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// The connection gives a response the header section it gave the last one when the status
/// and every field (the same objects) are the same, with the verdict of the §8 checks made on
/// it. A handler that changes one array of fields between its responses must still have each
/// response sent with the fields it holds then, and an invalid one refused at once.
/// </summary>
public sealed class ResponseSectionReuseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Answers <c>/?v=X</c> with one array of fields, its first field set to <c>x-v: X</c> (<c>bad</c>: a CR LF in the value) before each response.</summary>
    private sealed class SharedFieldsHandler : RequestHandler
    {
        public static readonly HeaderField[] Fields = [HeaderField.Of("x-v", "0"), HeaderField.Of("content-type", "text/plain")];
        public static readonly ConcurrentQueue<string> Journal = new();

        // One field object per value: a repeated value gives the very objects of the last response.
        private static readonly ConcurrentDictionary<string, HeaderField> Made = new();

        protected override void OnRequestDone()
        {
            var v = Path.Split("v=") is [_, var value] ? value : "none";
            Fields[0] = Made.GetOrAdd(v, v => HeaderField.Of("x-v", v == "bad" ? "a\r\nb" : v));
            var sent = SendResponse(200, Fields, (ResponseBody)("v=" + v));
            Journal.Enqueue($"{v} {(sent.Sent ? "sent" : "not sent")}");
            if (!sent.Sent) SendResponse(500, [HeaderField.Of("x-v", "refused")], (ResponseBody)"refused");
        }
    }

    [Fact(DisplayName = "RFC 9113 §8.2.1, handler API: one array of fields changed between responses on a connection: each response carries the fields it held, an invalid one is refused at once")]
    public async Task ChangedArrayEachResponseAsGiven()
    {
        SharedFieldsHandler.Journal.Clear(); // the cases of this class run one after another
        await using var server = new Http2Server("127.0.0.1", 0, () => new SharedFieldsHandler(), null, ServerFixture.Quiet);
        server.Start();
        using var client = ServerFixture.Http2Client();
        var port = server.LocalEndPoint!.Port;
        // One connection, one request after another: every response after the first may reuse the last section.
        string[] sequence = ["1", "2", "2", "2", "bad", "3", "3", "bad", "bad", "4"];
        foreach (var v in sequence)
        {
            using var response = await client.GetAsync($"http://127.0.0.1:{port}/?v={v}", Ct);
            var header = response.Headers.TryGetValues("x-v", out var values) ? string.Join(",", values) : "(none)";
            if (v == "bad")
            {
                Assert.Equal(System.Net.HttpStatusCode.InternalServerError, response.StatusCode);
                Assert.Equal("refused", header);
            }
            else
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
                Assert.Equal(v, header);
                Assert.Equal("v=" + v, await response.Content.ReadAsStringAsync(Ct));
            }
        }
        Assert.Equal(sequence.Select(v => v == "bad" ? "bad not sent" : v + " sent"), SharedFieldsHandler.Journal);
    }

    [Fact(DisplayName = "RFC 9110 §6.6.1: the responses of a read batch share one reading of the clock for their date; a later batch reads it again")]
    public async Task BatchDateIsCurrent()
    {
        await using var server = new Http2Server("127.0.0.1", 0, () => new SharedFieldsHandler(), null, ServerFixture.Quiet);
        server.Start();
        using var client = ServerFixture.Http2Client();
        var url = $"http://127.0.0.1:{server.LocalEndPoint!.Port}/?v=date";
        var dates = new List<DateTimeOffset>();
        for (var i = 0; i < 2; i++)
        {
            if (i > 0) await Task.Delay(TimeSpan.FromMilliseconds(1200), Ct);
            var before = DateTimeOffset.UtcNow;
            using var response = await client.GetAsync(url, Ct);
            var after = DateTimeOffset.UtcNow;
            var date = Assert.IsType<DateTimeOffset>(response.Headers.Date);
            // Whole seconds: the date is at most the second the response was made in, never before the request's.
            Assert.InRange(date, before.AddTicks(-(before.Ticks % TimeSpan.TicksPerSecond)), after);
            dates.Add(date);
        }
        Assert.True(dates[1] > dates[0], $"{dates[0]:R} then {dates[1]:R}");
    }
}
