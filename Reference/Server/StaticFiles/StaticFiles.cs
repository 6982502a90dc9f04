using System.Globalization;

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
/// </summary>
public sealed class StaticFiles
{
    private readonly string root;
    private readonly string realRoot;
    private readonly MediaTypes types;

    /// <summary>The files of <paramref name="directory"/>, typed by <paramref name="mediaTypes"/> (default: <see cref="MediaTypes.System"/>).</summary>
    public StaticFiles(string directory, MediaTypes? mediaTypes = null)
    {
        root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        realRoot = RealPath(root) ?? root;
        types = mediaTypes ?? MediaTypes.System;
    }

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
        if (method is not ("GET" or "HEAD"))
        {
            // §15.5.6: the method is known but not supported by this resource; §10.2.1: allow lists what is.
            handler.SendResponse(405, [("allow", Allowed), ("content-length", "0")]);
            return true;
        }
        FileStream stream;
        try { stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; } // unreadable, or gone since: not found
        var length = stream.Length;
        var validators = Validators.Of(length, File.GetLastWriteTimeUtc(full));
        var tags = new List<(string, string)> { ("etag", validators.ETag), ("last-modified", validators.LastModifiedText) };
        if (validators.Evaluate(handler.Header) is { } decided)
        {
            stream.Dispose();
            // §15.4.5: a 304 carries the validators a 200 would have, and no content.
            handler.SendResponse(decided, decided == 304 ? tags : [.. tags, ("content-length", "0")]);
            return true;
        }
        var type = ("content-type", types.For(full));
        // §14.2: range handling is defined for GET only; If-Range may turn it off (§13.1.5).
        var range = method == "GET" && validators.RangeApplies(handler.Header("if-range"))
            ? RangeRequest.Of(handler.Header("range"), length)
            : new RangeRequest.Whole();
        switch (range)
        {
            case RangeRequest.Part part:
                stream.Position = part.First;
                handler.SendResponse(206,
                    [type, ("content-length", Text(part.Length)), ("content-range", $"bytes {Text(part.First)}-{Text(part.Last)}/{Text(length)}"), .. tags],
                    ResponseBody.FromStream(new BoundedStream(stream, part.Length)));
                return true;
            case RangeRequest.Unsatisfiable:
                stream.Dispose();
                // §15.5.17: the current length, so the client can ask again.
                handler.SendResponse(416, [("content-range", $"bytes */{Text(length)}"), ("content-length", "0"), .. tags]);
                return true;
            default:
                handler.SendResponse(200,
                    [type, ("content-length", Text(length)), ("accept-ranges", "bytes"), .. tags],
                    method == "HEAD" ? null : ResponseBody.FromStream(stream));
                if (method == "HEAD") stream.Dispose();
                return true;
        }
    }

    private static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The file a request path names (query and fragment dropped, percent-decoded, a
    /// directory's index file), or null when there is none inside the directory.
    /// </summary>
    public string? Find(string requestPath)
    {
        var q = requestPath.AsSpan().IndexOfAny('?', '#');
        var path = q < 0 ? requestPath : requestPath[..q];
        var relative = Uri.UnescapeDataString(path).TrimStart('/');
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
    private static bool IsUnder(string path, string directory)
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

    /// <summary>
    /// <c>count</c> octets of a file from its current position (a 206 body), disposed with it.
    /// Seekable, so the body's length is known and its last octets carry END_STREAM.
    /// </summary>
    private sealed class BoundedStream(FileStream file, long count) : Stream
    {
        private readonly long start = file.Position;
        private long Left => count - (file.Position - start);
        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => count;
        public override long Position { get => file.Position - start; set => Seek(value, SeekOrigin.Begin); }
        public override int Read(byte[] buffer, int offset, int size) => Read(buffer.AsSpan(offset, size));
        public override int Read(Span<byte> buffer) => file.Read(buffer[..(int)Math.Clamp(Left, 0, buffer.Length)]);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            file.ReadAsync(buffer[..(int)Math.Clamp(Left, 0, buffer.Length)], cancellationToken);
        public override long Seek(long offset, SeekOrigin origin)
        {
            var target = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => Position + offset,
                _ => count + offset,
            };
            ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
            file.Position = start + target;
            return target;
        }
        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int size) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) file.Dispose();
            base.Dispose(disposing);
        }
    }
}
