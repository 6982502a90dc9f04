using System.Text;

namespace Reference.Server;

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
/// A response body: nothing, text (sent as UTF-8), octets, a
/// <see cref="Stream"/> read as the flow-control windows allow (never whole
/// into memory), or a <see cref="PullBody"/>. Strings, arrays and streams
/// convert implicitly, so <c>SendResponse(body: "hello")</c> works.
/// </summary>
public abstract class ResponseBody
{
    private protected ResponseBody() { }

    /// <summary>What a <see cref="PullBody"/> returns when it has nothing yet and will call Resume.</summary>
    public const int NotYet = -1;

    /// <summary>The body's length when known in advance (for a content-length the caller may send).</summary>
    public abstract long? Length { get; }

    /// <summary>
    /// Reads the next octets into <paramref name="buffer"/>: the count (&gt; 0),
    /// 0 at the end, or <see cref="NotYet"/>. Completes synchronously whenever
    /// the source can (bytes, text, a MemoryStream), so the hot path stays on
    /// the connection's loop.
    /// </summary>
    internal abstract ValueTask<int> ReadAsync(Memory<byte> buffer);

    /// <summary>Octets left to read when known (for END_STREAM on the last chunk).</summary>
    internal abstract long? Remaining { get; }

    /// <summary>
    /// The next octets without copying, when the source holds them in memory
    /// (bytes, text); null for sources that must be read into a buffer.
    /// </summary>
    internal virtual ReadOnlyMemory<byte>? TakeDirect(int max) => null;

    /// <summary>Releases the source (a stream is disposed once sent or abandoned).</summary>
    internal virtual void Release() { }

    /// <summary>Octets.</summary>
    public static ResponseBody FromBytes(ReadOnlyMemory<byte> octets) => new OctetsBody(octets);

    /// <summary>Text, sent as UTF-8.</summary>
    public static ResponseBody FromText(string text) => new OctetsBody(Encoding.UTF8.GetBytes(text));

    /// <summary>A stream, read in chunks as windows open; disposed at the end unless <paramref name="leaveOpen"/>.</summary>
    public static ResponseBody FromStream(Stream stream, bool leaveOpen = false) => new StreamBody(stream, leaveOpen);

    /// <summary>
    /// A pull source (see <see cref="PullBody"/>). Give <paramref name="length"/>
    /// when it is known, so the last octets carry END_STREAM (no empty DATA
    /// frame to end the stream); the source must then produce exactly that many.
    /// </summary>
    public static ResponseBody FromPull(PullBody pull, long? length = null) => new PullSource(pull, length);

    /// <summary>
    /// A sequence of octet runs the caller owns and will not change (for
    /// example slices of one constant array): sent without copying, pulled
    /// one run at a time as windows open. Give <paramref name="length"/> when
    /// known so the last run carries END_STREAM.
    /// </summary>
    public static ResponseBody FromSegments(IEnumerable<ReadOnlyMemory<byte>> segments, long? length = null) => new SegmentsBody(segments, length);

    /// <summary>Text, sent as UTF-8.</summary>
    public static implicit operator ResponseBody(string text) => FromText(text);

    /// <summary>Octets (not copied: do not change the array while it is sent).</summary>
    public static implicit operator ResponseBody(byte[] octets) => FromBytes(octets);

    /// <summary>A stream, disposed once sent.</summary>
    public static implicit operator ResponseBody(Stream stream) => FromStream(stream);

    private sealed class OctetsBody(ReadOnlyMemory<byte> octets) : ResponseBody
    {
        private int offset;
        public override long? Length => octets.Length;
        internal override long? Remaining => octets.Length - offset;
        internal override ReadOnlyMemory<byte>? TakeDirect(int max)
        {
            var n = Math.Min(max, octets.Length - offset);
            var slice = octets.Slice(offset, n);
            offset += n;
            return slice;
        }
        internal override ValueTask<int> ReadAsync(Memory<byte> buffer)
        {
            var n = Math.Min(buffer.Length, octets.Length - offset);
            octets.Slice(offset, n).CopyTo(buffer);
            offset += n;
            return new(n);
        }
    }

    private sealed class SegmentsBody(IEnumerable<ReadOnlyMemory<byte>> segments, long? length) : ResponseBody
    {
        private IEnumerator<ReadOnlyMemory<byte>>? cursor;
        private ReadOnlyMemory<byte> current;
        private long produced;
        private bool ended;
        public override long? Length => length;
        internal override long? Remaining => ended ? 0 : length - produced;
        internal override ReadOnlyMemory<byte>? TakeDirect(int max)
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
        internal override ValueTask<int> ReadAsync(Memory<byte> buffer)
        {
            var slice = TakeDirect(buffer.Length)!.Value;
            slice.CopyTo(buffer);
            return new(slice.Length);
        }
        internal override void Release() => cursor?.Dispose();
    }

    private sealed class StreamBody(Stream stream, bool leaveOpen) : ResponseBody
    {
        public override long? Length => stream.CanSeek ? stream.Length - stream.Position : null;
        internal override long? Remaining => Length;
        internal override ValueTask<int> ReadAsync(Memory<byte> buffer) => stream.ReadAsync(buffer);
        internal override void Release() { if (!leaveOpen) stream.Dispose(); }
    }

    private sealed class PullSource(PullBody pull, long? length) : ResponseBody
    {
        private long produced;
        public override long? Length => length;
        internal override long? Remaining => length - produced;
        internal override ValueTask<int> ReadAsync(Memory<byte> buffer)
        {
            var n = pull(buffer.Span);
            if (n < NotYet || n > buffer.Length)
                throw new InvalidOperationException($"a pull body returned {n}: expected 0..{buffer.Length} or ResponseBody.NotYet");
            if (n > 0) produced += n;
            if (length is { } l && (produced > l || (n == 0 && produced < l)))
                throw new InvalidOperationException($"a pull body announced {l} octets and produced {produced}");
            return new(n);
        }
    }
}
