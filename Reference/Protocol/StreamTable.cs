namespace Http2.Reference.Protocol;

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
        var a = new StreamRecord[Math.Max(4, count + 4)]; // small slack: a call mostly adds a few streams (Set grows it if not)
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
/// The bounded memory of closed streams (DESIGN habit 7): the last
/// <c>capacity</c> (id, cause) entries. Like the HPACK dynamic table, entries
/// live in an append-only log shared by the values derived from one another;
/// a value is a window ending at <c>end</c> on that log. Remembering a stream
/// writes past the end of every existing window, so no older value sees it:
/// only the value at the tip of the log appends in place (claimed
/// atomically); any other one (a replay from an older state) first copies its
/// window into a fresh log, as does the tip when the log is full. So a call
/// costs one small object, not a copy of the memory, however many streams it
/// closes, and old states stay valid.
/// </summary>
internal sealed class ClosedStreams
{
    private readonly int capacity;
    private Log log;
    private long end;

    /// <summary>An empty memory of <paramref name="capacity"/> entries; its log starts small and grows with use.</summary>
    public static ClosedStreams Create(int capacity) => new(Math.Max(1, capacity), Log.Create(0, Math.Min(Math.Max(1, capacity), InitialLog)), 0);

    // A connection that closes few streams (or resets none) holds a small log.
    private const int InitialLog = 16;

    private ClosedStreams(int capacity, Log log, long end)
    {
        this.capacity = capacity;
        this.log = log;
        this.end = end;
    }

    /// <summary>A private copy for one call to edit with <see cref="Add"/>.</summary>
    public ClosedStreams Copy() => new(capacity, log, end);

    /// <summary>Remembers a stream (only on a copy owned by the running call).</summary>
    public void Add(uint id, CloseCause cause)
    {
        if (end - log.Base >= log.Entries.Length || !log.TryClaim(end))
        {
            // Full, or not the tip: a fresh log holding this window, with room to grow.
            var start = Math.Max(log.Base, end - capacity);
            // Room to grow: double the window until it is the capacity, then twice the capacity (a copy every capacity adds).
            var fresh = Log.Create(start, (int)Math.Min(Math.Max(2 * (end - start + 1), InitialLog), 2L * capacity));
            Array.Copy(log.Entries, start - log.Base, fresh.Entries, 0, end - start);
            fresh.Claimed(end);
            log = fresh;
            if (!log.TryClaim(end)) throw new InvalidOperationException("a fresh log is always claimable");
        }
        // Entries are id << 8 | cause + 1, so 0 means empty.
        log.Entries[end - log.Base] = ((ulong)id << 8) | (byte)((int)cause + 1);
        end++;
    }

    public LanguageExt.Option<CloseCause> Find(uint id)
    {
        var entries = log.Entries;
        for (var at = end - 1; at >= Math.Max(log.Base, end - capacity); at--)
        {
            var e = entries[at - log.Base];
            if ((uint)(e >> 8) == id) return (CloseCause)((int)(e & 0xff) - 1);
        }
        return LanguageExt.Option<CloseCause>.None;
    }

    private sealed class Log
    {
        public readonly long Base;
        public readonly ulong[] Entries;
        private long highest; // the next position to write, claimed with a compare-and-swap

        private Log(long @base, int size)
        {
            Base = @base;
            highest = @base;
            Entries = new ulong[size];
        }

        public static Log Create(long @base, int size) => new(@base, size);

        public void Claimed(long upTo) => highest = upTo;

        public bool TryClaim(long position) => Interlocked.CompareExchange(ref highest, position + 1, position) == position;
    }
}
