namespace Reference.Protocol;

/// <summary>
/// The live streams of a connection, sorted by id in an array that is never
/// written after a call returns: a call that changes streams copies it once
/// (copy on first write) and then edits its private copy in place, which
/// becomes the next state's table. Old states keep their arrays, so they stay
/// valid; a call costs one array copy however many streams it touches
/// (persistent hash maps cost an allocation per update, the hot path's
/// largest cost when measured).
/// </summary>
internal sealed class StreamTable
{
    public static readonly StreamTable Empty = new([], 0);

    private StreamRecord[] items;
    private int count;

    private StreamTable(StreamRecord[] items, int count)
    {
        this.items = items;
        this.count = count;
    }

    public int Count => count;

    /// <summary>A private copy for one call to edit.</summary>
    public StreamTable Copy()
    {
        var a = new StreamRecord[Math.Max(4, count + 4)];
        Array.Copy(items, a, count);
        return new StreamTable(a, count);
    }

    private int IndexOf(uint id)
    {
        int lo = 0, hi = count - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var m = items[mid].Id;
            if (m == id) return mid;
            if (m < id) lo = mid + 1; else hi = mid - 1;
        }
        return ~lo;
    }

    public StreamRecord? Find(uint id)
    {
        var i = IndexOf(id);
        return i >= 0 ? items[i] : null;
    }

    /// <summary>Adds or replaces (only on a copy owned by the running call).</summary>
    public void Set(StreamRecord r)
    {
        var i = IndexOf(r.Id);
        if (i >= 0) { items[i] = r; return; }
        i = ~i;
        if (count == items.Length) Array.Resize(ref items, count * 2);
        Array.Copy(items, i, items, i + 1, count - i);
        items[i] = r;
        count++;
    }

    /// <summary>Removes (only on a copy owned by the running call).</summary>
    public void Remove(uint id)
    {
        var i = IndexOf(id);
        if (i < 0) return;
        Array.Copy(items, i + 1, items, i, count - i - 1);
        items[--count] = null!;
    }

    /// <summary>The records in id order, as a new array (safe to iterate while editing).</summary>
    public StreamRecord[] Snapshot() => items.AsSpan(0, count).ToArray();
}

/// <summary>
/// The bounded memory of closed streams (DESIGN habit 7): a ring of
/// <c>capacity</c> (id, cause) entries in fixed chunks of 16. Adding copies
/// the chunk index and one chunk, so old states stay valid at a small,
/// bounded cost; the oldest entries are overwritten.
/// </summary>
internal sealed class ClosedStreams
{
    private const int ChunkSize = 16;
    private readonly ulong[][] chunks;
    private readonly int next;

    public static ClosedStreams Create(int capacity) =>
        new(new ulong[Math.Max(1, (capacity + ChunkSize - 1) / ChunkSize)][], 0);

    private ClosedStreams(ulong[][] chunks, int next)
    {
        this.chunks = chunks;
        this.next = next;
    }

    private int Capacity => chunks.Length * ChunkSize;

    public ClosedStreams Add(uint id, CloseCause cause)
    {
        var c = next / ChunkSize;
        var index = (ulong[][])chunks.Clone();
        var chunk = new ulong[ChunkSize];
        if (chunks[c] is { } old) Array.Copy(old, chunk, ChunkSize);
        // Entries are id << 8 | cause + 1, so 0 means empty.
        chunk[next % ChunkSize] = ((ulong)id << 8) | (byte)((int)cause + 1);
        index[c] = chunk;
        return new ClosedStreams(index, (next + 1) % Capacity);
    }

    public LanguageExt.Option<CloseCause> Find(uint id)
    {
        foreach (var chunk in chunks)
        {
            if (chunk is null) continue;
            foreach (var e in chunk)
                if (e != 0 && (uint)(e >> 8) == id) return (CloseCause)((int)(e & 0xff) - 1);
        }
        return LanguageExt.Option<CloseCause>.None;
    }
}
