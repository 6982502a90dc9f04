using System.Text;

namespace Http2.Reference.Server;

/// <summary>
/// A pull source of response body octets (the original's generator body):
/// fill <paramref name="buffer"/> and return how many octets were written;
/// 0 means the body is complete; <see cref="ResponseBody.NotYet"/> means no
/// octets are available yet; the handler then calls
/// <see cref="RequestHandler.Resume"/> when there are (the original's
/// DEFERRED and resume).
/// </summary>
public delegate int PullBody(Span<byte> buffer);

/// <summary>
/// A response body: text (sent as UTF-8), octets, a
/// <see cref="Stream"/> read as the flow-control windows allow (never whole
/// into memory), or a <see cref="PullBody"/>. Strings, arrays and streams
/// convert implicitly, so <c>SendResponse(body: "hello")</c> works.
/// </summary>
/// <remarks>
/// A body is a description of what to send, not a cursor: text, octets,
/// segments and stream factories can be sent any number of times, from any
/// number of streams at once (a <c>static readonly ResponseBody x = "..."</c>
/// sends its content every time). A <see cref="Stream"/> given directly is
/// read once and disposed; a second send of it fails (use
/// <see cref="FromStream(Func{Stream}, long?)"/> for a stream opened per send).
/// </remarks>
public abstract class ResponseBody
{
    private protected ResponseBody() { }

    /// <summary>What a <see cref="PullBody"/> returns when it has nothing yet and will call Resume.</summary>
    public const int NotYet = -1;

    /// <summary>The body's length when known in advance (for a content-length the caller may send).</summary>
    public abstract long? Length { get; }

    /// <summary>A reader for one send of this body.</summary>
    /// <exception cref="InvalidOperationException">A single-use body (a <see cref="Stream"/>) was already sent.</exception>
    internal abstract BodyReader Open();

    /// <summary>The body will not be sent (a HEAD response, a reset stream): releases what it owns (a stream given directly is disposed).</summary>
    internal virtual void Discard() { }

    /// <summary>Octets (not copied: they are written to the socket from where they are, so do not change them while they are sent).</summary>
    public static ResponseBody FromBytes(ReadOnlyMemory<byte> octets) => new OctetsBody(octets);

    /// <summary>Text, sent as UTF-8.</summary>
    public static ResponseBody FromText(string text) => new OctetsBody(Encoding.UTF8.GetBytes(text));

    /// <summary>A stream, read in chunks as windows open; disposed at the end unless <paramref name="leaveOpen"/>. Sent once.</summary>
    public static ResponseBody FromStream(Stream stream, bool leaveOpen = false) => new StreamBody(stream, leaveOpen);

    /// <summary>
    /// A stream opened anew for every send by <paramref name="open"/> (for
    /// example <c>() =&gt; File.OpenRead(path)</c>), read as windows open and
    /// disposed at the end. <paramref name="length"/> when known.
    /// </summary>
    public static ResponseBody FromStream(Func<Stream> open, long? length = null) => new StreamFactoryBody(open, length);

    /// <summary>
    /// A pull source (see <see cref="PullBody"/>). Give <paramref name="length"/>
    /// when it is known, so the last octets carry END_STREAM (no empty DATA
    /// frame to end the stream); the source must then produce exactly that many.
    /// Every send calls the same delegate: one that keeps a position is sent once.
    /// </summary>
    public static ResponseBody FromPull(PullBody pull, long? length = null) => new PullSource(pull, length);

    /// <summary>
    /// A sequence of octet runs the caller owns and will not change (for
    /// example slices of one constant array): sent without copying, pulled
    /// one run at a time as windows open. Give <paramref name="length"/> when
    /// known so the last run carries END_STREAM. Every send enumerates it anew.
    /// </summary>
    public static ResponseBody FromSegments(IEnumerable<ReadOnlyMemory<byte>> segments, long? length = null) => new SegmentsBody(segments, length);

    /// <summary>
    /// <paramref name="count"/> octets of an open regular file from <paramref name="offset"/>,
    /// each chunk read where the connection's loop asks for it (<c>pread</c>, as nghttpd reads
    /// its files): no thread-pool hop per chunk, which cost more than a read from the page
    /// cache; a read from a cold disk waits on this connection's loop alone. For the files
    /// the static file server found and checked; disposed once sent or discarded.
    /// </summary>
    internal static ResponseBody FromFile(FileStream file, long offset, long count) => new FileBody(file, offset, count);

    /// <summary>Text, sent as UTF-8.</summary>
    public static implicit operator ResponseBody(string text) => FromText(text);

    /// <summary>Octets (not copied: do not change the array while it is sent).</summary>
    public static implicit operator ResponseBody(byte[] octets) => FromBytes(octets);

    /// <summary>A stream, disposed once sent (sent once).</summary>
    public static implicit operator ResponseBody(Stream stream) => FromStream(stream);

    private sealed class OctetsBody(ReadOnlyMemory<byte> octets) : ResponseBody
    {
        public override long? Length => octets.Length;
        internal override BodyReader Open() => new OctetsReader(octets);
    }

    private sealed class SegmentsBody(IEnumerable<ReadOnlyMemory<byte>> segments, long? length) : ResponseBody
    {
        public override long? Length => length;
        internal override BodyReader Open() => new SegmentsReader(segments, length);
    }

    private sealed class StreamBody(Stream stream, bool leaveOpen) : ResponseBody
    {
        private int opened;
        public override long? Length => stream.CanSeek ? stream.Length - stream.Position : null;
        internal override BodyReader Open() => Interlocked.Exchange(ref opened, 1) == 0
            ? new StreamSourceReader(stream, leaveOpen, Length)
            : throw new InvalidOperationException("this stream body was already sent; a Stream is read once (use ResponseBody.FromStream(() => open()) for a body sent many times)");
        internal override void Discard()
        {
            if (Interlocked.Exchange(ref opened, 1) == 0 && !leaveOpen) stream.Dispose();
        }
    }

    private sealed class FileBody(FileStream file, long offset, long count) : ResponseBody
    {
        private int opened;
        public override long? Length => count;
        internal override BodyReader Open() => Interlocked.Exchange(ref opened, 1) == 0
            ? new FileReader(file, offset, count)
            : throw new InvalidOperationException("this file body was already sent");
        internal override void Discard()
        {
            if (Interlocked.Exchange(ref opened, 1) == 0) file.Dispose();
        }
    }

    private sealed class StreamFactoryBody(Func<Stream> open, long? length) : ResponseBody
    {
        public override long? Length => length;
        internal override BodyReader Open()
        {
            var stream = open();
            return new StreamSourceReader(stream, false, length ?? (stream.CanSeek ? stream.Length - stream.Position : null));
        }
    }

    private sealed class PullSource(PullBody pull, long? length) : ResponseBody
    {
        public override long? Length => length;
        internal override BodyReader Open() => new PullReader(pull, length);
    }
}

/// <summary>One send of a <see cref="ResponseBody"/>: its position and what it holds open.</summary>
internal abstract class BodyReader
{
    /// <summary>
    /// Reads the next octets into <paramref name="buffer"/>: the count (&gt; 0),
    /// 0 at the end, or <see cref="ResponseBody.NotYet"/>. Completes synchronously whenever
    /// the source can (bytes, text, a MemoryStream), so the hot path stays on
    /// the connection's loop.
    /// </summary>
    public abstract ValueTask<int> ReadAsync(Memory<byte> buffer);

    /// <summary>Octets left to read when known (for END_STREAM on the last chunk).</summary>
    public abstract long? Remaining { get; }

    /// <summary>
    /// The next octets without copying, when the source holds them in memory
    /// (bytes, text); null for sources that must be read into a buffer.
    /// </summary>
    public virtual ReadOnlyMemory<byte>? TakeDirect(int max) => null;

    /// <summary>Whether <see cref="TakeDirect"/> gives the octets (they are in memory: no read, no copy).</summary>
    public virtual bool InMemory => false;

    /// <summary>Releases the source (a stream is disposed once sent or abandoned).</summary>
    public virtual void Release() { }
}

internal sealed class OctetsReader(ReadOnlyMemory<byte> octets) : BodyReader
{
    private int offset;
    public override long? Remaining => octets.Length - offset;
    public override bool InMemory => true;
    public override ReadOnlyMemory<byte>? TakeDirect(int max)
    {
        var n = Math.Min(max, octets.Length - offset);
        var slice = octets.Slice(offset, n);
        offset += n;
        return slice;
    }
    public override ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        var n = Math.Min(buffer.Length, octets.Length - offset);
        octets.Slice(offset, n).CopyTo(buffer);
        offset += n;
        return new(n);
    }
}

internal sealed class SegmentsReader(IEnumerable<ReadOnlyMemory<byte>> segments, long? length) : BodyReader
{
    private IEnumerator<ReadOnlyMemory<byte>>? cursor;
    private ReadOnlyMemory<byte> current;
    private long produced;
    private bool ended;
    public override long? Remaining => ended ? 0 : length - produced;
    public override bool InMemory => true;
    public override ReadOnlyMemory<byte>? TakeDirect(int max)
    {
        cursor ??= segments.GetEnumerator();
        while (current.IsEmpty && !ended)
        {
            if (cursor.MoveNext()) current = cursor.Current;
            else ended = true;
        }
        var slice = current[..Math.Min(max, current.Length)];
        current = current[slice.Length..];
        produced += slice.Length;
        if (length is { } l && (produced > l || (ended && produced < l)))
            throw new InvalidOperationException($"a segmented body announced {l} octets and produced {produced}");
        return slice;
    }
    public override ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        var slice = TakeDirect(buffer.Length)!.Value;
        slice.CopyTo(buffer);
        return new(slice.Length);
    }
    public override void Release() => cursor?.Dispose();
}

internal sealed class StreamSourceReader(Stream stream, bool leaveOpen, long? length) : BodyReader
{
    private long read;
    public override long? Remaining => length - read;
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        var n = await stream.ReadAsync(buffer).ConfigureAwait(false);
        read += n;
        return n;
    }
    public override void Release() { if (!leaveOpen) stream.Dispose(); }
}

/// <summary>A file's octets by positioned reads that complete at once (see <see cref="ResponseBody.FromFile"/>); a file that shrank ends the body early, as a stream's end would.</summary>
internal sealed class FileReader(FileStream file, long offset, long count) : BodyReader
{
    private long read;
    public override long? Remaining => count - read;
    public override ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        var n = RandomAccess.Read(file.SafeFileHandle, buffer.Span[..(int)Math.Min(buffer.Length, count - read)], offset + read);
        read += n;
        return new(n);
    }
    public override void Release() => file.Dispose();
}

internal sealed class PullReader(PullBody pull, long? length) : BodyReader
{
    private long produced;
    public override long? Remaining => length - produced;
    public override ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        var n = pull(buffer.Span);
        if (n < ResponseBody.NotYet || n > buffer.Length)
            throw new InvalidOperationException($"a pull body returned {n}: expected 0..{buffer.Length} or ResponseBody.NotYet");
        if (n > 0) produced += n;
        if (length is { } l && (produced > l || (n == 0 && produced < l)))
            throw new InvalidOperationException($"a pull body announced {l} octets and produced {produced}");
        return new(n);
    }
}
