using System.Buffers;

namespace Reference.Server;

/// <summary>
/// A growable byte buffer over pooled arrays, written as an
/// <see cref="IBufferWriter{T}"/> (the frame writer encodes straight into it).
/// A connection keeps two: one being filled with frames, one being written
/// to the socket; they swap, so frames emitted during a write coalesce into
/// the next write and no frame costs an allocation.
/// </summary>
internal sealed class OutputBuffer : IBufferWriter<byte>, IDisposable
{
    private byte[] array;
    private int length;

    public OutputBuffer(int initialCapacity = 16 * 1024) => array = ArrayPool<byte>.Shared.Rent(initialCapacity);

    /// <summary>Octets written so far.</summary>
    public int Length => length;

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

    /// <summary>
    /// Empties the buffer. It keeps its array up to 1 MiB (a connection
    /// streaming large bodies would otherwise regrow it on every write); an
    /// array grown larger by a burst goes back to the pool.
    /// </summary>
    public void Clear()
    {
        length = 0;
        if (array.Length > 1024 * 1024)
        {
            ArrayPool<byte>.Shared.Return(array);
            array = ArrayPool<byte>.Shared.Rent(16 * 1024);
        }
    }

    private void Ensure(int sizeHint)
    {
        var need = length + Math.Max(sizeHint, 1);
        if (need <= array.Length) return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(need, array.Length * 2));
        array.AsSpan(0, length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(array);
        array = bigger;
    }

    public void Dispose()
    {
        var a = array;
        array = [];
        length = 0;
        if (a.Length > 0) ArrayPool<byte>.Shared.Return(a);
    }
}
