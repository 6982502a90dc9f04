using System.Globalization;
using Http2.Reference.Hpack;

namespace Http2.Reference.Server;

/// <summary>
/// The default application of <c>h2ref serve</c>, so every tool can exercise
/// and measure the server the same way, plus the seed's example:
/// <list type="bullet">
/// <item><c>/</c>: a short text; when the client accepts pushes it also pushes
/// <c>/css/style.css</c> first (the seed's example handler).</item>
/// <item><c>/css/style.css</c>: the pushed stylesheet, also served on request.</item>
/// <item><c>/bytes/N</c>: N octets (at most <see cref="MaxBytes"/>), generated and
/// streamed as the windows allow, never held whole.</item>
/// <item><c>/echo</c> (POST): consumes the body and answers its length.</item>
/// <item><c>/delay/S</c>: waits S seconds (at most 10) before reading the body and answering.</item>
/// </list>
/// With a directory (<c>-d</c>), files under it are served first (<see cref="StaticFiles"/>).
/// </summary>
internal class DemoHandler : RequestHandler
{
    /// <summary>The text of <c>/</c>.</summary>
    public const string RootText = "h2ref: the HTTP/2 reference server\n";

    /// <summary>The seed example's pushed stylesheet.</summary>
    public const string StyleSheet = "body{margin:0;}";

    /// <summary>The largest N of <c>/bytes/N</c> (1 GiB).</summary>
    public const long MaxBytes = 1L << 30;

    /// <summary>The longest wait of <c>/delay/S</c>, in seconds.</summary>
    public const int MaxDelaySeconds = 10;

    private static readonly HeaderField OctetStream = HeaderField.Of("content-type", "application/octet-stream");

    private readonly StaticFiles? files;
    private long received;

    /// <summary>The demo application only.</summary>
    public DemoHandler() { }

    /// <summary>Files of <paramref name="directory"/> first (see <see cref="StaticFiles"/>), then the demo application.</summary>
    public DemoHandler(string? directory) : this(directory is null ? null : new StaticFiles(directory)) { }

    /// <summary><paramref name="files"/> first, then the demo application (one <see cref="StaticFiles"/> may serve every stream).</summary>
    public DemoHandler(StaticFiles? files) => this.files = files;

    /// <inheritdoc />
    protected override async Task OnHeadersAsync()
    {
        if (Pushed) return; // a pushed stream's response was given with the promise
        var path = PathOnly(Path);
        if (path.StartsWith("/delay/", StringComparison.Ordinal))
        {
            if (!int.TryParse(path.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > MaxDelaySeconds)
            {
                SendText(400, $"/delay/S takes S from 0 to {MaxDelaySeconds}\n");
                return;
            }
            // The body is not read meanwhile: the next callbacks of this stream wait for this task,
            // so its flow-control window stays closed for the delay.
            // A reset stream stops waiting (its Aborted token is cancelled).
            await Task.Delay(TimeSpan.FromSeconds(seconds), Aborted).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override void OnData(ReadOnlyMemory<byte> chunk) => received += chunk.Length;

    /// <inheritdoc />
    protected override void OnRequestDone()
    {
        if (Pushed || ResponseSent) return;
        var path = PathOnly(Path);
        if (files is not null && files.TryServe(this)) return;
        switch (path)
        {
            case "/" or "/index.html":
                if (Method is "GET" or "HEAD") TryPushStyleSheet();
                SendText(200, RootText);
                break;
            case "/css/style.css":
                SendResponse(200, [("content-type", "text/css"), ("content-length", "15")], StyleSheet);
                break;
            case "/echo":
                if (Method != "POST") { SendText(405, "/echo takes a POST\n", ("allow", "POST")); break; }
                SendText(200, received.ToString(CultureInfo.InvariantCulture) + "\n");
                break;
            case var p when p.StartsWith("/bytes/", StringComparison.Ordinal):
                if (!long.TryParse(p.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > MaxBytes)
                {
                    SendText(400, $"/bytes/N takes N from 0 to {MaxBytes}\n");
                    break;
                }
                // Fields as octets, made once per size: this route is the one benchmarks hammer.
                SendResponse(200, BytesFields(n), Method == "HEAD" ? null : Generated(n));
                break;
            case var p when p.StartsWith("/delay/", StringComparison.Ordinal):
                SendText(200, $"waited {p[7..]} s; request body {received} octets\n");
                break;
            default:
                SendText(404, $"not found: {Path}\n");
                break;
        }
    }

    /// <summary>The seed's example: push the stylesheet before the page (skipped when the client refuses pushes).</summary>
    private void TryPushStyleSheet() =>
        // When the client disabled push (or the connection is going away) Push says so in its result; nothing to do then.
        Push("/css/style.css", requestHeaders: [("content-type", "text/css")], status: 200,
            headers: [("content-type", "text/css"), ("content-length", "15")], body: StyleSheet);

    private void SendText(int status, string text, params (string, string)[] extra) =>
        SendResponse(status,
            [("content-type", "text/plain; charset=utf-8"), ("content-length", System.Text.Encoding.UTF8.GetByteCount(text).ToString(CultureInfo.InvariantCulture)), .. extra],
            Method == "HEAD" ? null : (ResponseBody)text);

    /// <summary>
    /// The fields of a <c>/bytes/N</c> response. The sizes asked for last are kept
    /// (a field object also keeps what the §8 checks and HPACK learnt about it, so a
    /// repeated size is neither allocated nor examined again); others are made anew.
    /// </summary>
    private static IReadOnlyList<HeaderField> BytesFields(long n)
    {
        var slot = (int)(n % BytesFieldSlots.Length);
        if (Volatile.Read(ref BytesFieldSlots[slot]) is { } kept && kept.Size == n) return kept.Fields;
        var made = new SizedFields(n, [OctetStream, HeaderField.Of("content-length", n.ToString(CultureInfo.InvariantCulture))]);
        Volatile.Write(ref BytesFieldSlots[slot], made);
        return made.Fields;
    }

    private sealed record SizedFields(long Size, HeaderField[] Fields);

    private static readonly SizedFields?[] BytesFieldSlots = new SizedFields?[64];

    /// <summary>
    /// N octets of the repeating pattern a..z, as slices of one constant
    /// array: streamed without copying or holding N octets.
    /// </summary>
    private static ResponseBody Generated(long n) =>
        n <= PatternRun
            ? (n < SmallPatternBodies.Length ? SmallPatternBodies[n] : PatternBody(n)) // one slice: no iterator
            : ResponseBody.FromSegments(Slices(n), n);

    /// <summary>The body of n octets (one slice of the pattern); the sizes asked for last are kept, like their fields.</summary>
    private static ResponseBody PatternBody(long n)
    {
        var slot = (int)(n % PatternBodySlots.Length);
        if (Volatile.Read(ref PatternBodySlots[slot]) is { } kept && kept.Size == n) return kept.Body;
        var made = new SizedBody(n, ResponseBody.FromBytes(Pattern.AsMemory(0, (int)n)));
        Volatile.Write(ref PatternBodySlots[slot], made);
        return made.Body;
    }

    private sealed record SizedBody(long Size, ResponseBody Body);

    private static readonly SizedBody?[] PatternBodySlots = new SizedBody?[64];

    private static IEnumerable<ReadOnlyMemory<byte>> Slices(long n)
    {
        for (long sent = 0; sent < n;)
        {
            var count = (int)Math.Min(PatternRun, n - sent);
            yield return Pattern.AsMemory((int)(sent % 26), count);
            sent += count;
        }
    }

    /// <summary>Octets handed out per slice of a generated body.</summary>
    private const int PatternRun = 64 * 1024;

    /// <summary>a..z repeated, long enough for a run starting at any letter.</summary>
    private static readonly byte[] Pattern = Enumerable.Range(0, PatternRun + 26).Select(i => (byte)('a' + i % 26)).ToArray();

    /// <summary>The bodies of the smallest sizes, made once (a body in memory can be sent any number of times).</summary>
    private static readonly ResponseBody[] SmallPatternBodies = [.. Enumerable.Range(0, 1025).Select(i => ResponseBody.FromBytes(Pattern.AsMemory(0, i)))];

    private static string PathOnly(string path)
    {
        var q = path.AsSpan().IndexOfAny('?', '#'); // the span overload: no char[] per call
        return q < 0 ? path : path[..q];
    }
}
