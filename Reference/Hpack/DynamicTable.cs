using System.Buffers.Binary;
using System.Collections;
using System.Numerics;

namespace Reference.Hpack;

/// <summary>
/// The dynamic table of RFC 7541 §2.3.2 and §4: a FIFO of fields, newest
/// first (index 0 here is HPACK index 62, §2.3.3), whose size, the sum of
/// <see cref="HeaderField.Size"/> (name + value + 32, §4.1), never exceeds
/// <see cref="MaxSize"/>.
/// </summary>
/// <remarks>
/// Immutable to callers. The codec copies a table once per header block that
/// changes it, mutates the copy locally and hands it out frozen inside the new
/// state, so a state kept by a caller stays valid and can be replayed.
/// Entries live in a power-of-two ring addressed by their insertion number
/// (a stable id, as in Go's x/net hpack): the HPACK index is derived, never
/// stored. The encoder's tables also carry hash chains over those ids (by
/// name, and by name and value) so that lookups do not scan the table.
/// </remarks>
public sealed class DynamicTable : IReadOnlyList<HeaderField>
{
    private HeaderField[] ring;
    private long inserted;
    private int count;
    private int size;
    private int maxSize;
    private HashIndex? index;

    private DynamicTable(HeaderField[] ring, long inserted, int count, int size, int maxSize, HashIndex? index)
    {
        this.ring = ring;
        this.inserted = inserted;
        this.count = count;
        this.size = size;
        this.maxSize = maxSize;
        this.index = index;
    }

    /// <summary>An empty table whose maximum size is <paramref name="maxSize"/>.</summary>
    public static DynamicTable Empty(int maxSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxSize);
        return new([], 0, 0, 0, maxSize, null);
    }

    /// <summary>An empty table with the encoder's hash index.</summary>
    internal static DynamicTable EmptyIndexed(int maxSize) => new([], 0, 0, 0, maxSize, new HashIndex(0));

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

    internal HeaderField At(int i) => ring[(int)((inserted - 1 - i) & (ring.Length - 1))];

    /// <summary>A private copy to mutate (copy-on-write, once per block).</summary>
    internal DynamicTable Clone() =>
        new(count == 0 ? [] : (HeaderField[])ring.Clone(), inserted, count, size, maxSize, index?.Clone());

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
    internal void Add(HeaderField field) => Add(field, 0, 0);

    internal void Add(HeaderField field, uint nameHash, uint fullHash)
    {
        var entrySize = field.Size;
        if (entrySize > maxSize)
        {
            EvictUntil(0);
            return;
        }
        EvictUntil(maxSize - entrySize);
        if (count == ring.Length) Grow();
        var id = inserted++;
        var slot = (int)(id & (ring.Length - 1));
        ring[slot] = field;
        count++;
        size += entrySize;
        index?.Insert(id, slot, nameHash, fullHash);
    }

    /// <summary>§4.4: what adding an entry larger than the maximum does, without the entry.</summary>
    internal void EvictAll() => EvictUntil(0);

    private void EvictUntil(int limit)
    {
        while (size > limit)
        {
            var slot = (int)((inserted - count) & (ring.Length - 1));
            size -= ring[slot].Size;
            ring[slot] = null!;
            count--;
        }
    }

    private void Grow()
    {
        var capacity = Math.Max(8, ring.Length * 2);
        var next = new HeaderField[capacity];
        var nextIndex = index is null ? null : new HashIndex(capacity);
        for (var id = inserted - count; id < inserted; id++)
        {
            var oldSlot = (int)(id & (ring.Length - 1));
            var slot = (int)(id & (capacity - 1));
            next[slot] = ring[oldSlot];
            nextIndex?.Insert(id, slot, index!.NameHash[oldSlot], index.FullHash[oldSlot]);
        }
        ring = next;
        index = nextIndex;
    }

    /// <summary>
    /// Encoder lookup: the position (0 = newest) of the newest entry equal to
    /// <paramref name="name"/> and <paramref name="value"/>, or -1.
    /// </summary>
    internal int FindExact(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, uint fullHash)
    {
        var ix = index!;
        if (ix.Buckets == 0) return -1;
        var oldest = inserted - count;
        // Links hold id + 1 (0 = none); ids in a chain decrease, so the walk
        // stops at the first evicted one.
        for (var link = ix.FullHeads[fullHash & (ix.Buckets - 1)]; link > oldest;)
        {
            var id = link - 1;
            var slot = (int)(id & (ring.Length - 1));
            if (ix.FullHash[slot] == fullHash)
            {
                var e = ring[slot];
                if (e.Name.Span.SequenceEqual(name) && e.Value.Span.SequenceEqual(value)) return (int)(inserted - 1 - id);
            }
            link = ix.FullNext[slot];
        }
        return -1;
    }

    /// <summary>Encoder lookup: the position of the newest entry named <paramref name="name"/>, or -1.</summary>
    internal int FindName(ReadOnlySpan<byte> name, uint nameHash)
    {
        var ix = index!;
        if (ix.Buckets == 0) return -1;
        var oldest = inserted - count;
        for (var link = ix.NameHeads[nameHash & (ix.Buckets - 1)]; link > oldest;)
        {
            var id = link - 1;
            var slot = (int)(id & (ring.Length - 1));
            if (ix.NameHash[slot] == nameHash && ring[slot].Name.Span.SequenceEqual(name)) return (int)(inserted - 1 - id);
            link = ix.NameNext[slot];
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

    /// <summary>Hash chains over entry ids, slot-parallel to the ring (one bucket per slot).</summary>
    private sealed class HashIndex
    {
        public readonly int Buckets;
        public readonly long[] NameHeads;
        public readonly long[] FullHeads;
        public readonly uint[] NameHash;
        public readonly uint[] FullHash;
        public readonly long[] NameNext;
        public readonly long[] FullNext;

        public HashIndex(int capacity)
        {
            Buckets = capacity;
            NameHeads = new long[capacity];
            FullHeads = new long[capacity];
            NameHash = new uint[capacity];
            FullHash = new uint[capacity];
            NameNext = new long[capacity];
            FullNext = new long[capacity];
        }

        private HashIndex(HashIndex o)
        {
            Buckets = o.Buckets;
            NameHeads = (long[])o.NameHeads.Clone();
            FullHeads = (long[])o.FullHeads.Clone();
            NameHash = (uint[])o.NameHash.Clone();
            FullHash = (uint[])o.FullHash.Clone();
            NameNext = (long[])o.NameNext.Clone();
            FullNext = (long[])o.FullNext.Clone();
        }

        public HashIndex Clone() => new(this);

        public void Insert(long id, int slot, uint nameHash, uint fullHash)
        {
            NameHash[slot] = nameHash;
            FullHash[slot] = fullHash;
            ref var nameHead = ref NameHeads[nameHash & (Buckets - 1)];
            NameNext[slot] = nameHead;
            nameHead = id + 1;
            ref var fullHead = ref FullHeads[fullHash & (Buckets - 1)];
            FullNext[slot] = fullHead;
            fullHead = id + 1;
        }
    }
}
