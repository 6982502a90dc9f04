namespace Http2.Reference.Protocol;

/// <summary>
/// The live streams of a connection, sorted by id: an immutable value. A call
/// that changes streams edits a <see cref="Builder"/> (one array copy however
/// many streams it touches) and freezes it into the next state's table; the
/// table it started from is never written, so old states stay valid
/// (persistent hash maps cost an allocation per update, the hot path's
/// largest cost when measured).
/// </summary>
internal sealed class StreamTable
{
    public static readonly StreamTable Empty = new([], 0, 0);

    // The live records are items[first .. first + count): streams mostly close
    // in the order they opened, and new ids are the largest, so removing the
    // first record and appending are the common edits, both without shifting.
    private readonly StreamRecord[] items;
    private readonly int first;
    private readonly int count;

    private StreamTable(StreamRecord[] items, int first, int count)
    {
        this.items = items;
        this.first = first;
        this.count = count;
    }

    public int Count => count;

    /// <summary>A table of one record.</summary>
    public static StreamTable Of(StreamRecord record) => new([record], 0, 1);

    public StreamRecord? Find(uint id)
    {
        var i = IndexOf(items, first, count, id);
        return i >= 0 ? items[first + i] : null;
    }

    /// <summary>The records in id order, as a new array.</summary>
    public StreamRecord[] Snapshot() => items.AsSpan(first, count).ToArray();

    /// <summary>A private copy for one call to edit, then freeze.</summary>
    public Builder ToBuilder()
    {
        var a = new StreamRecord[Math.Max(4, count + 4)]; // small slack: a call mostly adds a few streams (Set grows it if not)
        Array.Copy(items, first, a, 0, count);
        return new Builder(a, count);
    }

    // The position in the window, or the complement of where id would go.
    private static int IndexOf(StreamRecord[] items, int first, int count, uint id)
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

    /// <summary>
    /// The table being edited by one call: the only writer of its array, until
    /// <see cref="Freeze"/> hands the array to an immutable table and every
    /// further edit throws. A mutable struct, kept in a field of the call that
    /// edits it and used only there, by reference (a copy would edit apart):
    /// one object less per call.
    /// </summary>
    internal struct Builder
    {
        private StreamRecord[] items;
        private int first;
        private int count;
        private bool frozen;

        internal Builder(StreamRecord[] items, int count)
        {
            this.items = items;
            this.count = count;
        }

        /// <summary>False for the default value: no edit has begun.</summary>
        public readonly bool Active => items is not null;

        public readonly int Count => count;

        public readonly StreamRecord? Find(uint id)
        {
            var i = IndexOf(items, first, count, id);
            return i >= 0 ? items[first + i] : null;
        }

        /// <summary>The records in id order, as a new array (safe to iterate while editing).</summary>
        public readonly StreamRecord[] Snapshot() => items.AsSpan(first, count).ToArray();

        /// <summary>Adds or replaces.</summary>
        public void Set(StreamRecord r)
        {
            Writable();
            var i = IndexOf(items, first, count, r.Id);
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

        /// <summary>Removes.</summary>
        public void Remove(uint id)
        {
            Writable();
            var i = IndexOf(items, first, count, id);
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

        /// <summary>The edited table as an immutable value; the builder cannot be edited afterwards.</summary>
        public StreamTable Freeze()
        {
            Writable();
            frozen = true;
            return count == 0 ? Empty : new StreamTable(items, first, count);
        }

        private readonly void Writable()
        {
            if (frozen) throw new InvalidOperationException("the stream table was frozen into a connection state");
        }
    }
}

/// <summary>
/// The bounded memory of closed streams (DESIGN habit 7): the last
/// <c>capacity</c> (id, cause) entries, an immutable value. Like the HPACK
/// dynamic table, entries live in an append-only log shared by the values
/// derived from one another; a value is a window ending at <c>end</c> on that
/// log. Remembering a stream writes past the end of every existing window, so
/// no older value sees it: only the builder at the tip of the log appends in
/// place (claimed atomically); any other one (a replay from an older state)
/// first copies its window into a fresh log, as does the tip when the log is
/// full. So a call costs one small object, not a copy of the memory, however
/// many streams it closes, and old states stay valid.
/// </summary>
internal sealed class ClosedStreams
{
    private readonly int capacity;
    private readonly Log log;
    private readonly long end;

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

    public CloseCause? Find(uint id) => Find(log, end, capacity, id);

    /// <summary>A builder for one call to remember streams with, then freeze.</summary>
    public Builder ToBuilder() => new(capacity, log, end);

    private static CloseCause? Find(Log log, long end, int capacity, uint id)
    {
        var entries = log.Entries;
        for (var at = end - 1; at >= Math.Max(log.Base, end - capacity); at--)
        {
            var e = entries[at - log.Base];
            if ((uint)(e >> 8) == id) return (CloseCause)((int)(e & 0xff) - 1);
        }
        return null;
    }

    /// <summary>The memory being extended by one call: a mutable struct, used only by reference from a field of that call (as <see cref="StreamTable.Builder"/>).</summary>
    internal struct Builder(int capacity, Log log, long end)
    {
        private Log log = log;
        private long end = end;

        /// <summary>False for the default value: nothing was remembered yet.</summary>
        public readonly bool Active => log is not null;

        public readonly CloseCause? Find(uint id) => ClosedStreams.Find(log, end, capacity, id);

        /// <summary>Remembers a stream.</summary>
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

        /// <summary>The memory as an immutable value (entries past its end are never visible to it).</summary>
        public readonly ClosedStreams Freeze() => new(capacity, log, end);
    }

    internal sealed class Log
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
