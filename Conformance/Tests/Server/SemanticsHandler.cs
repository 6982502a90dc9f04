using System.Collections.Concurrent;
using System.Globalization;
using Http2.Reference;
using Http2.Reference.Server;
using Xunit;

namespace Conformance.Tests.Server;

/// <summary>
/// A generic application, written as users write them: it passes a body
/// whatever the method or status, uses .NET-style names, caches bodies,
/// and tries the handler API's edges. The server is what makes it right.
/// </summary>
public sealed class SemanticsHandler : RequestHandler
{
    /// <summary>What the handlers saw and got, per path.</summary>
    public static readonly ConcurrentQueue<(string Path, string Event)> Journal = new();

    /// <summary>A body made once and sent on every request of <c>/cached</c>.</summary>
    public static readonly ResponseBody Cached = "a cached body, sent every time";

    /// <summary>A single-use body (a Stream given directly), shared by the requests of <c>/stream-once</c>.</summary>
    public static readonly ResponseBody OnceStream = new MemoryStream("streamed once"u8.ToArray());

    private long received;

    private string Route => Path.Split('?')[0];

    private int Status => Path.Split("status=") is [_, var s] ? int.Parse(s, CultureInfo.InvariantCulture) : 200;

    protected override void OnHeaders()
    {
        switch (Route)
        {
            case "/generic":
                // A body always, .NET-style names: HEAD, 204 and 304 must still come out right.
                SendResponse(Status, [("Content-Type", "text/plain"), ("Content-Length", "5")], "hello");
                break;
            case "/cached":
                SendResponse(200, [("content-type", "text/plain")], Cached);
                break;
            case "/connection-specific":
                SendResponse(200, [("Connection", "close"), ("Transfer-Encoding", "chunked"), ("Keep-Alive", "timeout=5"), ("x-kept", "yes")], "fields dropped");
                break;
            case "/invalid-then-500":
            {
                var first = SendResponse(200, [("x-bad", "a\r\nb")], "never sent");
                Journal.Enqueue((Route, first.ToString()));
                var retry = SendResponse(500, [("content-type", "text/plain")], $"retried: {first.Reason}");
                Journal.Enqueue((Route, "retry " + retry));
                break;
            }
            case "/invalid-only":
                Journal.Enqueue((Route, SendResponse(200, [("x-bad", "a\nb")], "never sent").ToString()));
                break;
            case "/early-hints":
                Journal.Enqueue((Route, "103 " + SendInformational(103, [("Link", "</style.css>; rel=preload; as=style")])));
                SendResponse(200, [("content-type", "text/html")], "<p>hinted</p>");
                break;
            case "/stream-once":
            {
                // A Stream given directly is read once: the second request is told so and answers 500.
                var sent = SendResponse(200, body: OnceStream);
                if (!sent.Sent) SendResponse(500, body: "refused: " + sent.Reason);
                break;
            }
            case "/overloads/null":
                SendResponse(200, null, "null fields");
                break;
            case "/overloads/empty":
                SendResponse(200, [], "empty fields");
                break;
            case "/overloads/named":
                SendResponse(status: 200, body: "named", headers: null, trailers: [("x-t", "1")]);
                break;
            case "/answer-after-close":
                // Answers from another task once the connection is gone: the command must be answered, not hang.
                var aborted = Aborted;
                _ = Task.Run(async () =>
                {
                    try { await Task.Delay(TimeSpan.FromSeconds(10), aborted); } catch (OperationCanceledException) { }
                    await Task.Delay(200);
                    Journal.Enqueue((Route, "late " + SendResponse(200, body: "too late")));
                });
                break;
            case "/seed-push":
                // The seed's example, ported literally: push, then respond, nothing checked.
                Push("/css/style.css", requestHeaders: [("content-type", "text/css")], status: 200, body: "body{margin:0;}");
                SendResponse(200, [("content-type", "text/plain")], "nghttp2-python FTW");
                break;
        }
    }

    protected override Task OnHeadersAsync()
    {
        if (Route == "/slow-ready") return SlowReady(); // ready for the body only after 300 ms (or ?ms=N)
        OnHeaders();
        return Task.CompletedTask;
    }

    private async Task SlowReady()
    {
        await Task.Delay(Path.Split("ms=") is [_, var ms] ? int.Parse(ms, CultureInfo.InvariantCulture) : 300);
        Journal.Enqueue((Path, "ready"));
    }

    protected override void OnData(ReadOnlyMemory<byte> chunk)
    {
        if (received == 0) Journal.Enqueue((Route, "first data"));
        received += chunk.Length;
    }

    protected override void OnRequestDone()
    {
        if (ResponseSent || Pushed) return;
        switch (Route)
        {
            case "/upload" or "/slow-ready":
                var trailers = string.Join(",", Trailers.Select(t => $"{t.NameText}={t.ValueText}"));
                SendResponse(200, [("content-type", "text/plain")], $"{received} {trailers}\n");
                break;
            case "/invalid-only" or "/answer-after-close":
                break;
            default:
                if (!ResponseSent) SendResponse(404, body: "not found");
                break;
        }
    }

    protected override void OnClose(ErrorCode error) => Journal.Enqueue((Route, "close " + error.Name));

    public static bool Saw(string path, string ev) => Journal.Any(j => j.Path == path && j.Event == ev);

    public static bool SawStart(string path, string start) => Journal.Any(j => j.Path == path && j.Event.StartsWith(start, StringComparison.Ordinal));
}

/// <summary>An h2c and a TLS server running <see cref="SemanticsHandler"/>, with a <c>server</c> name.</summary>
public sealed class SemanticsFixture() : ServerPair(() => new SemanticsHandler(), Options)
{
    public const string ServerName = "h2ref-test";

    public static ServerOptions Options => ServerFixture.Quiet with { ServerName = ServerName };
}

[CollectionDefinition("semantics")]
public sealed class SemanticsCollection : ICollectionFixture<SemanticsFixture>;
