using System.Globalization;
using Reference.Hpack;

namespace Reference.Server;

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
/// With a directory (<c>-d</c>), files under it are served first (like nghttpd -d).
/// </summary>
public class DemoHandler : RequestHandler
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

    private readonly string? root;
    private long received;

    /// <summary>The demo application only.</summary>
    public DemoHandler() { }

    /// <summary>Files of <paramref name="directory"/> first, then the demo application.</summary>
    public DemoHandler(string? directory)
    {
        if (directory is null) return;
        root = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(directory));
        realRoot = RealPath(root) ?? root;
    }

    /// <summary><see cref="root"/> with its own symbolic links resolved: a served file's real path must be under it.</summary>
    private readonly string? realRoot;

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
        if (root is not null && TryServeFile(path)) return;
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
                // Fields as octets, the constant one made once: this route is the one benchmarks hammer.
                SendResponse(200, new[] { OctetStream, HeaderField.Of("content-length", n.ToString(CultureInfo.InvariantCulture)) },
                    Method == "HEAD" ? null : Generated(n));
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
    private void TryPushStyleSheet()
    {
        try
        {
            Push("/css/style.css", requestHeaders: [("content-type", "text/css")], status: 200,
                headers: [("content-type", "text/css"), ("content-length", "15")], body: StyleSheet);
        }
        catch (InvalidOperationException) { } // push disabled by the client, or the connection is going away
    }

    private void SendText(int status, string text, params (string, string)[] extra) =>
        SendResponse(status,
            [("content-type", "text/plain; charset=utf-8"), ("content-length", System.Text.Encoding.UTF8.GetByteCount(text).ToString(CultureInfo.InvariantCulture)), .. extra],
            Method == "HEAD" ? null : (ResponseBody)text);

    /// <summary>
    /// N octets of the repeating pattern a..z, as slices of one constant
    /// array: streamed without copying or holding N octets.
    /// </summary>
    private static ResponseBody Generated(long n) =>
        n <= PatternRun
            ? ResponseBody.FromBytes(Pattern.AsMemory(0, (int)n)) // one slice: no iterator
            : ResponseBody.FromSegments(Slices(n), n);

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

    private bool TryServeFile(string path)
    {
        if (Method is not ("GET" or "HEAD")) return false;
        var relative = Uri.UnescapeDataString(path).TrimStart('/');
        if (relative.Contains('\0', StringComparison.Ordinal)) return false; // no file name has one (and GetFullPath throws on it)
        var full = System.IO.Path.GetFullPath(System.IO.Path.Combine(root!, relative));
        // No escape with ../ (also percent-encoded): the file must be root itself or under root plus a
        // separator; a bare prefix test let /../www-other/f out of /srv/www into its sibling /srv/www-other.
        if (!IsUnder(full, root!)) return false;
        if (Directory.Exists(full)) full = System.IO.Path.Combine(full, "index.html");
        if (!File.Exists(full)) return false;
        // Symbolic links are followed while they stay inside DIR (a link to a file beside it
        // serves that file); one that leads out of DIR, by an absolute target, by "..", or
        // through a linked directory, is as missing as the file it points to.
        if (RealPath(full) is not { } real || !IsUnder(real, realRoot!)) return false;
        FileStream stream;
        try { stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; } // unreadable, or gone since: not found
        SendResponse(200, [("content-length", stream.Length.ToString(CultureInfo.InvariantCulture))], Method == "HEAD" ? null : (ResponseBody)stream);
        if (Method == "HEAD") stream.Dispose();
        return true;
    }

    /// <summary><paramref name="path"/> is <paramref name="directory"/> itself or under it plus a separator (a bare prefix test would let /srv/www-other pass for /srv/www).</summary>
    private static bool IsUnder(string path, string directory)
    {
        var under = System.IO.Path.EndsInDirectorySeparator(directory) ? directory : directory + System.IO.Path.DirectorySeparatorChar;
        return path == directory || path.StartsWith(under, StringComparison.Ordinal);
    }

    /// <summary>
    /// <paramref name="path"/> (absolute) with every symbolic link resolved, as POSIX
    /// realpath does: components are resolved from the top down, so a link's target and
    /// its ".." segments apply to where the link really is. Null when a component is
    /// missing or links loop (more than 40 of them, the Linux bound).
    /// </summary>
    internal static string? RealPath(string path)
    {
        var resolved = System.IO.Path.GetPathRoot(path);
        if (string.IsNullOrEmpty(resolved)) return null;
        var rest = new LinkedList<string>(Components(path[resolved.Length..]));
        var links = 0;
        while (rest.First is { } first)
        {
            var part = first.Value;
            rest.RemoveFirst();
            if (part == ".") continue;
            if (part == "..") { resolved = System.IO.Path.GetDirectoryName(resolved) ?? resolved; continue; }
            var next = System.IO.Path.Combine(resolved, part);
            string? target;
            try { target = new FileInfo(next).LinkTarget; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
            if (target is null)
            {
                if (!File.Exists(next) && !Directory.Exists(next)) return null;
                resolved = next;
                continue;
            }
            if (++links > 40) return null;
            if (System.IO.Path.IsPathRooted(target))
            {
                resolved = System.IO.Path.GetPathRoot(target)!;
                target = target[resolved.Length..];
            }
            var parts = Components(target);
            for (var i = parts.Length - 1; i >= 0; i--) rest.AddFirst(parts[i]);
        }
        return resolved;

        static string[] Components(string relative) =>
            relative.Split([System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
    }

    private static string PathOnly(string path)
    {
        var q = path.AsSpan().IndexOfAny('?', '#'); // the span overload: no char[] per call
        return q < 0 ? path : path[..q];
    }
}
