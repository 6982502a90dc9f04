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
    /// Octets sent from where they are instead of being copied in (a large DATA
    /// payload of an in-memory body): each is sent after the array's octets up to
    /// its <c>At</c>. Null until the first one.
    /// </summary>
    private List<(int At, ArraySegment<byte> Octets)>? references;
    private int referenced;
    private List<ArraySegment<byte>>? gather;

    /// <summary>Arrays of the shared pool that go back to it once this buffer was written (<see cref="ReturnAfterWrite"/>).</summary>
    private List<byte[]>? returns;

    /// <summary>
    /// What the last filling reached when it was emptied: the next one rents that much at
    /// once. Growing from <see cref="InitialCapacity"/> by doubling on every write copied
    /// a connection streaming large bodies about twice (8% of its CPU at 64 KiB responses).
    /// </summary>
    private int lastFill;

    /// <summary>Octets written so far, referenced ones included.</summary>
    public int Length => length + referenced;

    /// <summary>Whether some octets are referenced (<see cref="Reference"/>): then <see cref="Gather"/> gives them, not <see cref="Written"/>.</summary>
    public bool HasReferences => referenced > 0;

    /// <summary>The size of the array held (0 when empty).</summary>
    internal int Capacity => array.Length;

    /// <summary>The octets written so far (without references: see <see cref="HasReferences"/>).</summary>
    public ReadOnlyMemory<byte> Written => array.AsMemory(0, length);

    /// <summary>
    /// Appends <paramref name="octets"/> without copying them: they are sent from
    /// where they are, so they must not change until the buffer is cleared
    /// (the payload of an in-memory body, which nobody writes). False, nothing
    /// done, when they are not an array's (the caller copies them then).
    /// </summary>
    public bool Reference(ReadOnlyMemory<byte> octets)
    {
        if (!System.Runtime.InteropServices.MemoryMarshal.TryGetArray(octets, out var segment)) return false;
        (references ??= new()).Add((length, segment));
        referenced += segment.Count;
        return true;
    }

    /// <summary>The buffer's octets in order, the referenced ones in place, for one gathering write (valid until <see cref="Clear"/>); one segment when nothing is referenced.</summary>
    public List<ArraySegment<byte>> Gather()
    {
        var list = gather ??= new();
        list.Clear();
        var from = 0;
        foreach (var (at, octets) in references ?? [])
        {
            if (at > from) list.Add(new ArraySegment<byte>(array, from, at - from));
            list.Add(octets);
            from = at;
        }
        if (length > from) list.Add(new ArraySegment<byte>(array, from, length - from));
        return list;
    }

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
    /// <paramref name="array"/>, rented from the shared pool, is given back to it when this
    /// buffer is cleared after its write: the octets referenced from it, in this buffer and
    /// in those written before it, have left by then.
    /// </summary>
    public void ReturnAfterWrite(byte[] array) => (returns ??= new()).Add(array);

    /// <summary>Empties the buffer after its write (or when nothing of it will be written) and gives its array, and the arrays lent to it, back to the pool.</summary>
    public void Clear()
    {
        lastFill = length;
        length = 0;
        DropReferences();
        if (returns is { Count: > 0 })
        {
            foreach (var a in returns) ArrayPool<byte>.Shared.Return(a);
            returns.Clear();
        }
        Release();
    }

    private void DropReferences()
    {
        if (referenced == 0) return;
        references!.Clear();
        gather?.Clear();
        referenced = 0;
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

    /// <summary>
    /// The connection ended. Lent arrays are left to the collector, not returned: an
    /// unwritten buffer's loans may still be referenced by the write in progress.
    /// </summary>
    public void Dispose()
    {
        length = 0;
        DropReferences();
        returns?.Clear();
        Release();
    }
}
