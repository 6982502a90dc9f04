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
    public static readonly StreamTable Empty = new([], 0, 0);

    // The live records are items[first .. first + count): streams mostly close
    // in the order they opened, and new ids are the largest, so removing the
    // first record and appending are the common edits, both without shifting.
    private StreamRecord[] items;
    private int first;
    private int count;

    private StreamTable(StreamRecord[] items, int first, int count)
    {
        this.items = items;
        this.first = first;
        this.count = count;
    }

    public int Count => count;

    /// <summary>A private copy for one call to edit.</summary>
    public StreamTable Copy()
    {
        var a = new StreamRecord[Math.Max(8, count + count / 2 + 4)];
        Array.Copy(items, first, a, 0, count);
        return new StreamTable(a, 0, count);
    }

    // The position in the window, or the complement of where id would go.
    private int IndexOf(uint id)
    {
        int lo = 0, hi = count - 1;
        if (hi < 0) return ~0;
        // The common cases: the oldest stream (they finish mostly in order), a new, largest id.
        if (items[first].Id == id) return 0;
        if (items[first + hi].Id < id) return ~count;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var m = items[first + mid].Id;
            if (m == id) return mid;
            if (m < id) lo = mid + 1; else hi = mid - 1;
        }
        return ~lo;
    }

    public StreamRecord? Find(uint id)
    {
        var i = IndexOf(id);
        return i >= 0 ? items[first + i] : null;
    }

    /// <summary>Adds or replaces (only on a copy owned by the running call).</summary>
    public void Set(StreamRecord r)
    {
        var i = IndexOf(r.Id);
        if (i >= 0) { items[first + i] = r; return; }
        i = ~i;
        if (first + count == items.Length)
        {
            // No room at the end: slide the window to the front, or grow.
            var target = count + 1 <= items.Length / 2 ? items : new StreamRecord[Math.Max(8, items.Length * 2)];
            Array.Copy(items, first, target, 0, count);
            if (ReferenceEquals(target, items)) Array.Clear(items, count, first);
            items = target;
            first = 0;
        }
        Array.Copy(items, first + i, items, first + i + 1, count - i);
        items[first + i] = r;
        count++;
    }

    /// <summary>Removes (only on a copy owned by the running call).</summary>
    public void Remove(uint id)
    {
        var i = IndexOf(id);
        if (i < 0) return;
        if (i == 0)
        {
            items[first++] = null!;
            count--;
            if (count == 0) first = 0;
            return;
        }
        Array.Copy(items, first + i + 1, items, first + i, count - i - 1);
        items[first + --count] = null!;
    }

    /// <summary>The records in id order, as a new array (safe to iterate while editing).</summary>
    public StreamRecord[] Snapshot() => items.AsSpan(first, count).ToArray();
}

/// <summary>
/// The bounded memory of closed streams (DESIGN habit 7): a ring of
/// <c>capacity</c> (id, cause) entries in fixed chunks of 16. Like
/// <see cref="StreamTable"/>, a call that remembers streams works on a private
/// copy (<see cref="Copy"/>: the chunk index only), which copies a chunk the
/// first time it writes into it and then writes in place; old states keep
/// their chunks, so they stay valid, and a call closing a hundred streams
/// costs a few chunk copies, not one per stream. The oldest entries are
/// overwritten.
/// </summary>
internal sealed class ClosedStreams
{
    private const int ChunkSize = 16;
    private readonly ulong[][] chunks;
    private readonly bool[] owned; // chunks this copy may write in place (empty for a shared value)
    private int next;

    public static ClosedStreams Create(int capacity) =>
        new(new ulong[Math.Max(1, (capacity + ChunkSize - 1) / ChunkSize)][], [], 0);

    private ClosedStreams(ulong[][] chunks, bool[] owned, int next)
    {
        this.chunks = chunks;
        this.owned = owned;
        this.next = next;
    }

    private int Capacity => chunks.Length * ChunkSize;

    /// <summary>A private copy for one call to edit with <see cref="Add"/>.</summary>
    public ClosedStreams Copy() => new((ulong[][])chunks.Clone(), new bool[chunks.Length], next);

    /// <summary>Remembers a stream (only on a copy owned by the running call).</summary>
    public void Add(uint id, CloseCause cause)
    {
        var c = next / ChunkSize;
        if (!owned[c])
        {
            var chunk = new ulong[ChunkSize];
            if (chunks[c] is { } old) Array.Copy(old, chunk, ChunkSize);
            chunks[c] = chunk;
            owned[c] = true;
        }
        // Entries are id << 8 | cause + 1, so 0 means empty.
        chunks[c][next % ChunkSize] = ((ulong)id << 8) | (byte)((int)cause + 1);
        next = (next + 1) % Capacity;
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
