using System.Buffers.Binary;
using System.Collections;
using System.Numerics;

namespace Http2.Reference.Hpack;

/// <summary>
/// The dynamic table of RFC 7541 §2.3.2 and §4: a FIFO of fields, newest
/// first (index 0 here is HPACK index 62, §2.3.3), whose size, the sum of
/// <see cref="HeaderField.Size"/> (name + value + 32, §4.1), never exceeds
/// <see cref="MaxSize"/>.
/// </summary>
/// <remarks>
/// Immutable to callers: a table is a value, and a state kept by a caller stays
/// valid and can be replayed. Entries are numbered by insertion (a stable id,
/// as in Go's x/net hpack; the HPACK index is derived, never stored) and kept
/// in an append-only log shared by the tables derived from one another: a
/// table is a window [inserted - count, inserted) on that log. Adding an entry
/// writes past the end of every existing window, so no existing table can see
/// it; only the table at the tip of the log appends in place (claimed
/// atomically), any other one (a replay from an older state) first copies its
/// live entries into a fresh log. When a log fills up, the live entries move
/// to a new one. So a block costs no copy of the table, and eviction is
/// bookkeeping. The encoder's logs also carry a hash chain over the ids by
/// name (as nghttp2's), so that lookups do not scan the table: one walk finds
/// the newest entry equal in name and value and the newest with the name.
/// </remarks>
public sealed class DynamicTable : IReadOnlyList<HeaderField>
{
    private EntryLog log;
    private long inserted;
    private int count;
    private int size;
    private int maxSize;

    private DynamicTable(EntryLog log, long inserted, int count, int size, int maxSize)
    {
        this.log = log;
        this.inserted = inserted;
        this.count = count;
        this.size = size;
        this.maxSize = maxSize;
    }

    /// <summary>An empty table whose maximum size is <paramref name="maxSize"/>.</summary>
    public static DynamicTable Empty(int maxSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        return new(EntryLog.Create(0, 0, false), 0, 0, 0, maxSize);
    }

    /// <summary>An empty table with the encoder's hash index.</summary>
    internal static DynamicTable EmptyIndexed(int maxSize) => new(EntryLog.Create(0, 0, true), 0, 0, 0, maxSize);

    /// <summary>Number of entries.</summary>
    public int Count => count;

    /// <summary>The table's size: the sum of its entries' sizes (§4.1).</summary>
    public int Size => size;

    /// <summary>The maximum size (§4.2), as last set by a dynamic table size update (§6.3) or the settings.</summary>
    public int MaxSize => maxSize;

    /// <summary>The entry at position <paramref name="i"/>, 0 being the newest (HPACK index 62 + i).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When there is no such entry.</exception>
    public HeaderField this[int i] =>
        (uint)i < (uint)count ? At(i) : throw new ArgumentOutOfRangeException(nameof(i));

    /// <inheritdoc />
    public IEnumerator<HeaderField> GetEnumerator()
    {
        for (var i = 0; i < count; i++) yield return At(i);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal HeaderField At(int i) => log.Entry(inserted - 1 - i - log.BaseId);

    /// <summary>A private copy to change within one block (cheap: the log is shared, see the remarks).</summary>
    internal DynamicTable Clone() => new(log, inserted, count, size, maxSize);

    /// <summary>§4.3: a new maximum size; entries are evicted until the table fits.</summary>
    internal void SetMaxSize(int newMaxSize)
    {
        maxSize = newMaxSize;
        EvictUntil(newMaxSize);
    }

    /// <summary>
    /// §4.4: adds an entry at the front after evicting from the end until it
    /// fits; an entry larger than the maximum empties the table and is not added.
    /// </summary>
    internal void Add(HeaderField field) => Add(field, field.Size, 0, [], 0);

    /// <summary>
    /// The encoder's <see cref="Add(HeaderField)"/>: a field of <paramref name="nameLength"/>
    /// octets of name followed by its value in <paramref name="octets"/> (the table's own
    /// copy). The encoder's table keeps only the octets; a field object is made when
    /// the table is read (<see cref="this[int]"/>), which the encoder never does.
    /// </summary>
    internal void Add(byte[] octets, int nameLength, uint nameHash) =>
        Add(null, octets.Length + HeaderField.EntryOverhead, nameHash, octets, nameLength);

    private void Add(HeaderField? field, int entrySize, uint nameHash, byte[] octets, int nameLength)
    {
        if (entrySize > maxSize)
        {
            EvictUntil(0);
            return;
        }
        EvictUntil(maxSize - entrySize);
        if (inserted - log.BaseId >= log.Capacity || !log.TryClaim(inserted))
        {
            log = log.CopyLive(inserted, count);
            if (!log.TryClaim(inserted)) throw new InvalidOperationException("a fresh log is always claimable");
        }
        log.Write(inserted, field, nameHash, octets, nameLength);
        inserted++;
        count++;
        size += entrySize;
    }

    /// <summary>§4.4: what adding an entry larger than the maximum does, without the entry.</summary>
    internal void EvictAll() => EvictUntil(0);

    private void EvictUntil(int limit)
    {
        while (size > limit)
        {
            size -= log.EntrySize(inserted - count - log.BaseId);
            count--;
        }
    }

    /// <summary>
    /// Encoder lookup, one walk of the name chain: the position (0 = newest) of
    /// the newest entry equal to <paramref name="name"/> and <paramref name="value"/>
    /// (-1: none; not looked for when <paramref name="nameOnly"/>), and in
    /// <paramref name="named"/> the position of the newest entry with the name (-1: none).
    /// </summary>
    internal int Find(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, uint nameHash, bool nameOnly, out int named)
    {
        named = -1;
        var l = log;
        var oldest = inserted - count;
        // Links hold id + 1 (0 = none); ids in a chain decrease, so the walk
        // stops at the first id below this window; ids above it (appended by
        // a later table on the same log) are skipped.
        for (var link = Volatile.Read(ref l.NameHeads[nameHash & (l.NameHeads.Length - 1)]); link > oldest;)
        {
            var at = link - 1 - l.BaseId;
            if (link <= inserted && l.NameHash[at] == nameHash && l.NameLength[at] == name.Length)
            {
                // The octets, not the entry: one load less on a path of cache misses.
                var octets = l.Octets[at];
                if (name.SequenceEqual(octets.AsSpan(0, name.Length)))
                {
                    if (named < 0)
                    {
                        named = (int)(inserted - link);
                        if (nameOnly) return -1;
                    }
                    if (value.SequenceEqual(octets.AsSpan(name.Length))) return (int)(inserted - link);
                }
            }
            link = l.NameNext[at];
        }
        return -1;
    }

    /// <summary>A fast non-cryptographic hash of octets (the encoder's table index).</summary>
    internal static uint Hash(ReadOnlySpan<byte> s, uint seed)
    {
        var h = (seed + 0x9E3779B97F4A7C15UL) ^ ((ulong)s.Length * 0xC2B2AE3D27D4EB4FUL);
        while (s.Length >= 8)
        {
            h = BitOperations.RotateLeft((h ^ BinaryPrimitives.ReadUInt64LittleEndian(s)) * 0x9E3779B97F4A7C15UL, 29);
            s = s[8..];
        }
        ulong tail = 0;
        for (var i = 0; i < s.Length; i++) tail |= (ulong)s[i] << (8 * i);
        h = (h ^ tail) * 0xFF51AFD7ED558CCDUL;
        h ^= h >> 32;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 29;
        return (uint)h;
    }

    /// <summary>
    /// Append-only storage of entries by id (position = id - <see cref="BaseId"/>),
    /// with the encoder's hash chains when indexed. Positions below
    /// <see cref="highest"/> are never written again.
    /// </summary>
    private sealed class EntryLog
    {
        public readonly long BaseId;
        public readonly HeaderField[] Entries = []; // the decoder's (unindexed) entries
        public readonly uint[] NameHash = [];
        public readonly int[] NameLength = [];
        public readonly byte[][] Octets = [];
        public readonly long[] NameNext = [];
        public readonly long[] NameHeads = [0];
        private readonly bool indexed;
        private long highest; // the next id to write; claimed with a compare-and-swap

        public readonly int Capacity;

        private EntryLog(long baseId, int capacity, bool indexed)
        {
            Capacity = capacity;
            BaseId = baseId;
            highest = baseId;
            this.indexed = indexed;
            if (!indexed)
            {
                Entries = new HeaderField[capacity];
                return;
            }
            NameHash = new uint[capacity];
            NameLength = new int[capacity];
            Octets = new byte[capacity][];
            NameNext = new long[capacity];
            var buckets = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 1));
            NameHeads = new long[buckets];
        }

        public static EntryLog Create(long baseId, int capacity, bool indexed) => new(baseId, capacity, indexed);

        /// <summary>Claims position <paramref name="id"/> for the table whose window ends there (the tip).</summary>
        public bool TryClaim(long id) => Interlocked.CompareExchange(ref highest, id + 1, id) == id;

        /// <summary>The entry at a position: the stored field, or (encoder) one made from its octets.</summary>
        public HeaderField Entry(long at)
        {
            if (!indexed) return Entries[at];
            var octets = Octets[at];
            var nameLength = NameLength[at];
            return new HeaderField(new Bytes(octets.AsMemory(0, nameLength)), new Bytes(octets.AsMemory(nameLength)));
        }

        /// <summary>The size (§4.1) of the entry at a position.</summary>
        public int EntrySize(long at) => indexed ? Octets[at].Length + HeaderField.EntryOverhead : Entries[at].Size;

        public void Write(long id, HeaderField? field, uint nameHash, byte[] octets, int nameLength)
        {
            var at = id - BaseId;
            if (!indexed)
            {
                Entries[at] = field!;
                return;
            }
            NameHash[at] = nameHash;
            NameLength[at] = nameLength;
            Octets[at] = octets;
            ref var nameHead = ref NameHeads[nameHash & (NameHeads.Length - 1)];
            NameNext[at] = nameHead;
            Volatile.Write(ref nameHead, id + 1);
        }

        /// <summary>A new log holding the window [end - count, end) of this one, with room to grow.</summary>
        public EntryLog CopyLive(long end, int count)
        {
            var start = end - count;
            var copy = new EntryLog(start, Math.Max(32, count * 4), indexed);
            for (var id = start; id < end; id++)
            {
                var at = id - BaseId;
                copy.TryClaim(id);
                if (indexed) copy.Write(id, null, NameHash[at], Octets[at], NameLength[at]);
                else copy.Write(id, Entries[at], 0, [], 0);
            }
            return copy;
        }
    }
}
