using System.Globalization;
using Http2.Reference.Hpack;

namespace Http2.Reference.Server;

/// <summary>
/// Serves the files under a directory, as <c>nghttpd -d</c> and the static
/// servers people know do: <c>content-type</c> from <see cref="MediaTypes"/>,
/// <c>etag</c> and <c>last-modified</c> (RFC 9110 §8.8), 304 for
/// <c>if-none-match</c> / <c>if-modified-since</c> (§13.1, §15.4.5), one byte
/// range as 206 or 416 (§14), 405 with <c>allow: GET, HEAD</c> for other
/// methods on a file (§15.5.6), and <c>index.html</c> for a directory.
/// Nothing outside the directory is reachable: not by <c>..</c> (raw or
/// percent-encoded) nor by a symbolic link that leads out of it.
/// On Linux, what a request path resolved to and small files' octets are
/// cached, and every answer from the cache is of the file the path named at some
/// moment after the request was received (<see cref="FileCache"/>): a changed,
/// replaced or deleted file is served as it is now.
/// </summary>
public sealed class StaticFiles
{
    private readonly string root;
    private readonly string realRoot;
    private readonly MediaTypes types;

    private readonly FileCache? cache;

    /// <summary>The files of <paramref name="directory"/>, typed by <paramref name="mediaTypes"/> (default: <see cref="MediaTypes.System"/>).</summary>
    public StaticFiles(string directory, MediaTypes? mediaTypes = null) : this(directory, mediaTypes, FileCache.DefaultSettle) { }

    /// <summary>As the public constructor, with the time a file must have been left unchanged before its octets are kept in memory (see <see cref="FileCache"/>).</summary>
    internal StaticFiles(string directory, MediaTypes? mediaTypes, TimeSpan settle)
    {
        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        realRoot = RealPath(root) ?? root;
        types = mediaTypes ?? MediaTypes.System;
        cache = PosixFiles.Available ? new FileCache(settle) : null;
    }

    /// <summary>The files and octets the cache holds now (for tests and diagnostics).</summary>
    internal (int Files, long Octets) Cached => cache is null ? (0, 0) : (cache.Count, cache.Octets);

    /// <summary>How many times the cache checked that a known path still names its file (for tests and diagnostics).</summary>
    internal long CacheChecks => cache?.Checks ?? 0;

    /// <summary>The name of the file served for a directory.</summary>
    public const string IndexFile = "index.html";

    private const string Allowed = "GET, HEAD";

    /// <summary>
    /// Answers the request of <paramref name="handler"/> when its path names a file
    /// under the directory (or a directory with an index file); false, with nothing
    /// sent, otherwise (the caller answers: a 404, or its own routes).
    /// </summary>
    public bool TryServe(RequestHandler handler)
    {
        var key = PathOnly(handler.Path);
        if (cache?.Fresh(key, handler.ReceivedAt) is { } known) return Serve(handler, known);
        var full = Find(handler.Path);
        if (full is null) return false;
        var method = handler.Method;
        if (method is "GET" or "HEAD" && DirectoryWithoutSlash(handler.Path) is { } location)
        {
            // As nginx and Kestrel's default files do: the page's relative links resolve against
            // the directory only when its URL ends with a slash (RFC 9110 §15.4.2).
            handler.SendResponse(301, [("location", location), ("content-length", "0")]);
            return true;
        }
        if (method is not ("GET" or "HEAD")) return NotAllowed(handler);
        if (cache is null) return ServeOpened(handler, full);
        // Found by the full walk (every link resolved and checked to stay inside): from now on the
        // path is known to name this file, as long as it names the same inode (FileCache.Fresh).
        // A file that changed between the walk and the open is served the uncached way, and not remembered.
        return cache.Load(key, full, realRoot, types.For(full)) is { } loaded ? Serve(handler, loaded) : ServeOpened(handler, full);
    }

    /// <summary>§15.5.6: the method is known but not supported by this resource; §10.2.1: allow lists what is.</summary>
    private static bool NotAllowed(RequestHandler handler)
    {
        handler.SendResponse(405, [("allow", Allowed), ("content-length", "0")]);
        return true;
    }

    /// <summary>Answers from a file of the cache: its octets from memory, or (a large file) read from a new descriptor checked to be the same file.</summary>
    private bool Serve(RequestHandler handler, CachedFile file)
    {
        var method = handler.Method;
        if (method is not ("GET" or "HEAD")) return NotAllowed(handler);
        RangeRequest range = Whole;
        // Nearly every request has no if-* and no range field: the cached 200, nothing evaluated.
        if (handler.MayBeConditional)
        {
            if (Conditional(handler, file.Validators, file.TagFields)) return true;
            range = Range(handler, file.Validators, file.Length);
            if (range is RangeRequest.Unsatisfiable) return Unsatisfiable(handler, file.Length, file.Tags);
        }
        if (file.Content is { } content)
        {
            if (range is RangeRequest.Part part)
                handler.SendResponse(206, PartFields(file.ContentType, part, file.Length, file.Tags),
                    ResponseBody.FromBytes(content.AsMemory((int)part.First, (int)part.Length)));
            else
                handler.SendResponse(200, file.WholeFields, method == "HEAD" ? null : file.Body);
            return true;
        }
        if (method == "HEAD")
        {
            handler.SendResponse(200, file.WholeFields);
            return true;
        }
        var stream = file.OpenSame();
        // Changed between the check and the open: the slow way, which decides afresh.
        if (stream is null) return ServeOpened(handler, file.FullPath);
        return SendStream(handler, stream, range, file.ContentType, file.Length, file.Tags);
    }

    /// <summary>Answers by opening <paramref name="full"/> (no cache: another system than Linux, or a file that changed while served).</summary>
    private bool ServeOpened(RequestHandler handler, string full)
    {
        FileStream stream;
        try { stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; } // unreadable, or gone since: not found
        var length = stream.Length;
        var validators = Validators.Of(length, File.GetLastWriteTimeUtc(full));
        var tags = validators.Fields();
        if (Conditional(handler, validators, validators.HeaderFields()))
        {
            stream.Dispose();
            return true;
        }
        var range = Range(handler, validators, length);
        if (range is RangeRequest.Unsatisfiable)
        {
            stream.Dispose();
            return Unsatisfiable(handler, length, tags);
        }
        return SendStream(handler, stream, range, types.For(full), length, tags);
    }

    private static readonly RangeRequest Whole = new RangeRequest.Whole();

    /// <summary>The preconditions (§13.2.2): true when they decided the answer (304 or 412), which was sent.</summary>
    private static bool Conditional(RequestHandler handler, Validators validators, HeaderField[] tags)
    {
        if (validators.Evaluate(handler.Headers) is not { } decided) return false;
        // §15.4.5: a 304 carries the validators a 200 would have, and no content.
        handler.SendResponse(decided, decided == 304 ? tags : [.. tags, ZeroLength]);
        return true;
    }

    private static readonly HeaderField ZeroLength = HeaderField.Of("content-length", "0");

    /// <summary>§14.2: range handling is defined for GET only; If-Range may turn it off (§13.1.5).</summary>
    private static RangeRequest Range(RequestHandler handler, Validators validators, long length) =>
        handler.Method == "GET" && validators.RangeApplies(handler.Header("if-range"))
            ? RangeRequest.Of(handler.Header("range"), length)
            : new RangeRequest.Whole();

    /// <summary>§15.5.17: 416 with the current length, so the client can ask again.</summary>
    private static bool Unsatisfiable(RequestHandler handler, long length, (string, string)[] tags)
    {
        handler.SendResponse(416, [("content-range", $"bytes */{Text(length)}"), ("content-length", "0"), .. tags]);
        return true;
    }

    private static (string, string)[] PartFields(string type, RangeRequest.Part part, long length, (string, string)[] tags) =>
        [("content-type", type), ("content-length", Text(part.Length)), ("content-range", $"bytes {Text(part.First)}-{Text(part.Last)}/{Text(length)}"), .. tags];

    /// <summary>The fields of a 200 for the whole file.</summary>
    internal static HeaderField[] WholeFields(string type, long length, HeaderField[] tags) =>
        [HeaderField.Of("content-type", type), HeaderField.Of("content-length", Text(length)), AcceptRanges, .. tags];

    private static readonly HeaderField AcceptRanges = HeaderField.Of("accept-ranges", "bytes");

    /// <summary>A 200 (or 206) whose body is read from <paramref name="stream"/>, which the response disposes (a HEAD disposes it here).</summary>
    private static bool SendStream(RequestHandler handler, FileStream stream, RangeRequest range, string type, long length, (string, string)[] tags)
    {
        if (range is RangeRequest.Part part)
        {
            handler.SendResponse(206, PartFields(type, part, length, tags), ResponseBody.FromFile(stream, part.First, part.Length));
            return true;
        }
        var head = handler.Method == "HEAD";
        handler.SendResponse(200, WholeFields(type, length, [.. tags.Select(t => HeaderField.Of(t.Item1, t.Item2))]), head ? null : ResponseBody.FromFile(stream, 0, length));
        if (head) stream.Dispose();
        return true;
    }

    private static string PathOnly(string requestPath)
    {
        var q = requestPath.AsSpan().IndexOfAny('?', '#');
        return q < 0 ? requestPath : requestPath[..q];
    }

    private static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The file a request path names (query and fragment dropped, percent-decoded, a
    /// directory's index file), or null when there is none inside the directory.
    /// </summary>
    public string? Find(string requestPath)
    {
        var relative = Uri.UnescapeDataString(PathOnly(requestPath)).TrimStart('/');
        if (relative.Contains('\0', StringComparison.Ordinal)) return null; // no file name has one (and GetFullPath throws on it)
        var full = Path.GetFullPath(Path.Combine(root, relative));
        // No escape with ../ (also percent-encoded): the file must be root itself or under root plus a
        // separator; a bare prefix test let /../www-other/f out of /srv/www into its sibling /srv/www-other.
        if (!IsUnder(full, root)) return null;
        if (Directory.Exists(full)) full = Path.Combine(full, IndexFile);
        if (!File.Exists(full)) return null;
        // Symbolic links are followed while they stay inside DIR (a link to a file beside it
        // serves that file); one that leads out of DIR, by an absolute target, by "..", or
        // through a linked directory, is as missing as the file it points to.
        return RealPath(full) is { } real && IsUnder(real, realRoot) ? full : null;
    }

    /// <summary>
    /// For a request path naming a directory without the final slash, the same path with it
    /// (the query kept): where to redirect. Null otherwise.
    /// </summary>
    private string? DirectoryWithoutSlash(string requestPath)
    {
        var q = requestPath.AsSpan().IndexOfAny('?', '#');
        var path = q < 0 ? requestPath : requestPath[..q];
        if (path.EndsWith('/')) return null;
        var relative = Uri.UnescapeDataString(path).TrimStart('/');
        return Directory.Exists(Path.Combine(root, relative)) ? path + "/" + (q < 0 ? "" : requestPath[q..]) : null;
    }

    /// <summary><paramref name="path"/> is <paramref name="directory"/> itself or under it plus a separator (a bare prefix test would let /srv/www-other pass for /srv/www).</summary>
    internal static bool IsUnder(string path, string directory)
    {
        var under = Path.EndsInDirectorySeparator(directory) ? directory : directory + Path.DirectorySeparatorChar;
        return path == directory || path.StartsWith(under, StringComparison.Ordinal);
    }

    /// <summary>
    /// <paramref name="path"/> (absolute) with every symbolic link resolved, as POSIX
    /// realpath does: components are resolved from the top down, so a link's target and
    /// its ".." segments apply to where the link really is. Null when a component is
    /// missing or links loop (more than 40 of them, the Linux bound).
    /// </summary>
    public static string? RealPath(string path)
    {
        var resolved = Path.GetPathRoot(path);
        if (string.IsNullOrEmpty(resolved)) return null;
        var rest = new LinkedList<string>(Components(path[resolved.Length..]));
        var links = 0;
        while (rest.First is { } first)
        {
            var part = first.Value;
            rest.RemoveFirst();
            if (part == ".") continue;
            if (part == "..") { resolved = Path.GetDirectoryName(resolved) ?? resolved; continue; }
            var next = Path.Combine(resolved, part);
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
            if (Path.IsPathRooted(target))
            {
                resolved = Path.GetPathRoot(target)!;
                target = target[resolved.Length..];
            }
            var parts = Components(target);
            for (var i = parts.Length - 1; i >= 0; i--) rest.AddFirst(parts[i]);
        }
        return resolved;

        static string[] Components(string relative) =>
            relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
    }
}
