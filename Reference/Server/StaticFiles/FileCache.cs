using System.Collections.Concurrent;
using System.Diagnostics;
using Http2.Reference.Hpack;
using Microsoft.Win32.SafeHandles;

namespace Http2.Reference.Server;

/// <summary>
/// What <see cref="StaticFiles"/> learnt about the files it served, by request path:
/// the file the path resolved to (after the walk that proves it is inside the
/// directory), its identity, validators and media type, and for small files their
/// octets. Bounded: at most <see cref="MaxFiles"/> files (one open descriptor each),
/// octets of files up to <see cref="MaxFileLength"/> and <see cref="MaxOctets"/> in all.
/// <para>
/// No answer from the cache is stale: each shows the file as it was at some moment after
/// its request was received. A check proves it: the path must still name the same file,
/// unchanged (one <c>statx</c>: device, inode, size, modification and status-change
/// times to the nanosecond), and a check that began after a request was received
/// answers for that request too (<see cref="Fresh"/>), so requests read together share
/// one. A rewritten file (new times), a replaced one (new inode), a deleted one, a link
/// that now leads elsewhere: each fails the check, and the request takes the full walk
/// again, with every no-escape rule. The
/// cache keeps each file it knows open, so its inode cannot be reused by another
/// file meanwhile. Octets are kept only of a file left unchanged for the settle time
/// (2 s): file times have the kernel's tick as their grain, so a write within the
/// same tick as the read could otherwise leave the times as they were.
/// </para>
/// </summary>
internal sealed class FileCache(TimeSpan settle)
{
    /// <summary>How long a file must have been left unchanged before its octets are kept.</summary>
    public static readonly TimeSpan DefaultSettle = TimeSpan.FromSeconds(2);

    /// <summary>The most files known at once (each holds an open descriptor).</summary>
    public const int MaxFiles = 256;

    /// <summary>The largest file whose octets are kept in memory.</summary>
    public const int MaxFileLength = 64 * 1024;

    /// <summary>The most octets kept in memory, all files together.</summary>
    public const long MaxOctets = 4 << 20;

    private readonly ConcurrentDictionary<string, CachedFile> files = new(StringComparer.Ordinal);
    private long octets;

    /// <summary>The files known now.</summary>
    public int Count => files.Count;

    /// <summary>The octets kept now.</summary>
    public long Octets => Interlocked.Read(ref octets);

    /// <summary>How many times a known file's path was checked (one <c>statx</c> each) since the start.</summary>
    public long Checks => Interlocked.Read(ref checks);

    private long checks;

    /// <summary>
    /// The file known for <paramref name="key"/> (a request path without query), when the path still
    /// names it unchanged; null otherwise (forgotten). <paramref name="receivedAt"/> is when the request
    /// was received (a <see cref="Stopwatch"/> timestamp; 0 when not known: now): a check that began at
    /// or after it already saw the file as it was after the request arrived, so its answer is reused;
    /// otherwise the path is checked now. Requests read together (one read of a connection, or reads
    /// of several connections before one check) thus cost one <c>statx</c>, and none is answered from
    /// a check made before it arrived.
    /// </summary>
    public CachedFile? Fresh(string key, long receivedAt = 0)
    {
        if (!files.TryGetValue(key, out var file)) return null;
        if (!file.OctetsDue)
        {
            if (receivedAt != 0 && file.CheckedAt >= receivedAt) return file;
            var start = Stopwatch.GetTimestamp();
            Interlocked.Increment(ref checks);
            if (PosixFiles.OfPath(file.PathZ) == file.Identity)
            {
                file.CheckedAt = start;
                return file;
            }
        }
        Forget(key, file);
        return null;
    }

    /// <summary>
    /// Opens <paramref name="full"/> (found inside <paramref name="realRoot"/> by the walk), checks that
    /// the open file is still the one the links lead to inside the directory, and remembers it under
    /// <paramref name="key"/>. Null when the file changed meanwhile (nothing remembered).
    /// </summary>
    public CachedFile? Load(string key, string full, string realRoot, string contentType)
    {
        var pathZ = PosixFiles.Zero(full);
        var pin = PosixFiles.Open(pathZ);
        if (pin is null) return null;
        // The walk and the open are two steps: the file opened must be the one the path's links
        // lead to inside the directory now, or a link changed in between.
        if (PosixFiles.OfHandle(pin) is not { } identity
            || StaticFiles.RealPath(full) is not { } real || !StaticFiles.IsUnder(real, realRoot)
            || PosixFiles.OfPath(PosixFiles.Zero(real)) != identity)
        {
            pin.Dispose();
            return null;
        }
        byte[]? content = null;
        long recheckAt = 0;
        if (identity.Size <= MaxFileLength)
        {
            var age = DateTime.UtcNow.Subtract(DateTime.UnixEpoch).Ticks * 100 - identity.LastChangeNanoseconds;
            if (age < settle.Ticks * 100)
                recheckAt = Environment.TickCount64 + (long)settle.TotalMilliseconds + 1; // too recent to trust the times: octets later
            else if (Interlocked.Add(ref octets, identity.Size) > MaxOctets)
                Interlocked.Add(ref octets, -identity.Size); // full: this file is read from disk on each request
            else if ((content = ReadAll(pin, identity)) is null)
            {
                Interlocked.Add(ref octets, -identity.Size);
                recheckAt = Environment.TickCount64 + (long)settle.TotalMilliseconds + 1; // changing while read
            }
        }
        var file = new CachedFile(full, pathZ, identity, pin, content, recheckAt, contentType);
        if (files.Count >= MaxFiles) EvictOne();
        if (!files.TryAdd(key, file)) Release(file); // another request remembered it first: this one is served, then gone
        return file;
    }

    /// <summary>The whole file, read while it stays as <paramref name="identity"/> says; null when it changed.</summary>
    private static byte[]? ReadAll(SafeFileHandle handle, FileIdentity identity)
    {
        var content = new byte[identity.Size];
        var done = 0;
        while (done < content.Length)
        {
            var n = RandomAccess.Read(handle, content.AsSpan(done), done);
            if (n <= 0) return null;
            done += n;
        }
        return PosixFiles.OfHandle(handle) == identity ? content : null;
    }

    private void EvictOne()
    {
        foreach (var entry in files)
        {
            if (files.TryRemove(entry)) Release(entry.Value);
            return;
        }
    }

    private void Forget(string key, CachedFile file)
    {
        if (files.TryRemove(KeyValuePair.Create(key, file))) Release(file);
    }

    private void Release(CachedFile file)
    {
        if (file.Content is { } content) Interlocked.Add(ref octets, -content.Length);
        file.Pin.Dispose();
    }
}

/// <summary>A file as the cache knows it (see <see cref="FileCache"/>).</summary>
internal sealed class CachedFile(string fullPath, byte[] pathZ, FileIdentity identity, SafeFileHandle pin, byte[]? content, long recheckAt, string contentType)
{
    /// <summary>The path the request resolved to (links not resolved).</summary>
    public string FullPath => fullPath;

    /// <summary><see cref="FullPath"/> for the system calls.</summary>
    public byte[] PathZ => pathZ;

    /// <summary>The version of the file known.</summary>
    public FileIdentity Identity => identity;

    /// <summary>Holds the file open, so its inode stays this file's while known.</summary>
    public SafeFileHandle Pin => pin;

    /// <summary>The file's octets, or null (too large, no room, or not yet settled).</summary>
    public byte[]? Content => content;

    /// <summary>The file's length.</summary>
    public long Length => identity.Size;

    /// <summary>Its <c>content-type</c>.</summary>
    public string ContentType => contentType;

    /// <summary>Its validators (RFC 9110 §8.8), as for a file opened afresh.</summary>
    public Validators Validators { get; } = Validators.Of(identity.Size, DateTime.UnixEpoch.AddSeconds(identity.ModifiedSeconds));

    /// <summary>The <c>etag</c> and <c>last-modified</c> fields.</summary>
    public (string, string)[] Tags => field ??= Validators.Fields();

    /// <summary>
    /// <see cref="Tags"/> as fields, made once: all a 304 carries (RFC 9110 §15.4.5), the same
    /// objects in every response of this version of the file.
    /// </summary>
    public HeaderField[] TagFields => field ??= Validators.HeaderFields();

    /// <summary>
    /// The fields of a 200 for the whole file, made once: the same field objects in every
    /// response, their §8.2 verdicts computed when made (<see cref="HeaderField.Of"/>), so
    /// a request costs no field, no octets and no check of them.
    /// </summary>
    public HeaderField[] WholeFields => field ??= StaticFiles.WholeFields(contentType, identity.Size, TagFields);

    /// <summary>The whole file as a response body (the octets in memory; null when they are not).</summary>
    public ResponseBody? Body { get; } = content is null ? null : ResponseBody.FromBytes(content);

    /// <summary>
    /// When a check of the path last began (a <see cref="Stopwatch"/> timestamp) and found this
    /// version of the file (0: not checked since it was opened). Any such time is a true one, so
    /// concurrent checks may store theirs in any order.
    /// </summary>
    public long CheckedAt
    {
        get => Volatile.Read(ref checkedAt);
        set => Volatile.Write(ref checkedAt, value);
    }

    private long checkedAt;

    /// <summary>True when the octets were left out as too recent and the settle time has passed: time to load them.</summary>
    public bool OctetsDue => recheckAt != 0 && Environment.TickCount64 >= recheckAt;

    /// <summary>A new stream over the file, when the path still names this version of it; null otherwise.</summary>
    public FileStream? OpenSame()
    {
        var handle = PosixFiles.Open(pathZ);
        if (handle is null) return null;
        if (PosixFiles.OfHandle(handle) != identity)
        {
            handle.Dispose();
            return null;
        }
        return new FileStream(handle, FileAccess.Read, 1, isAsync: false);
    }
}
