using System.Buffers;

namespace Http2.Reference.Server;

/// <summary>
/// A growable byte buffer over pooled arrays, written as an
/// <see cref="IBufferWriter{T}"/> (the frame writer encodes straight into it).
/// A connection keeps two: one being filled with frames, one being written
/// to the socket; they swap, so frames emitted during a write coalesce into
/// the next write and no frame costs an allocation.
/// <para>
/// An empty buffer holds no array: it rents one on the first write and gives
/// it back when emptied, so an idle connection holds no output memory (and a
/// burst's large array does not stay with the connection that had it). Renting
/// from the shared pool again on the next write costs a few nanoseconds.
/// </para>
/// </summary>
internal sealed class OutputBuffer : IBufferWriter<byte>, IDisposable
{
    /// <summary>The first array a write rents: a write of many small frames fits.</summary>
    internal const int InitialCapacity = 16 * 1024;

    private byte[] array = [];
    private int length;

    /// <summary>
    /// What the last filling reached when it was emptied: the next one rents that much at
    /// once. Growing from <see cref="InitialCapacity"/> by doubling on every write copied
    /// a connection streaming large bodies about twice (8% of its CPU at 64 KiB responses).
    /// </summary>
    private int lastFill;

    /// <summary>Octets written so far.</summary>
    public int Length => length;

    /// <summary>The size of the array held (0 when empty).</summary>
    internal int Capacity => array.Length;

    /// <summary>The octets written so far.</summary>
    public ReadOnlyMemory<byte> Written => array.AsMemory(0, length);

    public void Advance(int count) => length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return array.AsMemory(length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return array.AsSpan(length);
    }

    public void Write(ReadOnlySpan<byte> octets)
    {
        octets.CopyTo(GetSpan(octets.Length));
        length += octets.Length;
    }

    /// <summary>Empties the buffer and gives its array back to the pool.</summary>
    public void Clear()
    {
        lastFill = length;
        length = 0;
        Release();
    }

    private void Ensure(int sizeHint)
    {
        var need = length + Math.Max(sizeHint, 1);
        if (need <= array.Length) return;
        var size = array.Length == 0 ? Math.Max(InitialCapacity, lastFill) : array.Length * 2;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(need, size));
        array.AsSpan(0, length).CopyTo(bigger);
        Release();
        array = bigger;
    }

    private void Release()
    {
        var a = array;
        array = [];
        if (a.Length > 0) ArrayPool<byte>.Shared.Return(a);
    }

    public void Dispose()
    {
        length = 0;
        Release();
    }
}
