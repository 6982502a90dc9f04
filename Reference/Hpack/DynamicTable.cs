using System.Buffers.Binary;
using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;

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
/// bookkeeping. The encoder's logs also carry two hash chains, so that lookups
/// do not scan the table: one by name, value length and a print of the value
/// (whose walk rarely meets an entry other than the field looked for), one by
/// name (whose head is mostly the newest entry with the name).
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
    internal void Add(HeaderField field) => Add(field, field.Size);

    /// <summary>
    /// The encoder's <see cref="Add(HeaderField)"/>: the table copies the octets of
    /// <paramref name="name"/> and <paramref name="value"/> into its own storage (one
    /// array shared by many entries, see <see cref="EntryLog"/>), with the name's hash
    /// and its first static index (0: none). A field object is made only when the
    /// table is read (<see cref="this[int]"/>), which the encoder never does.
    /// </summary>
    internal void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, uint nameHash, int staticName) =>
        Add(name, value, nameHash, staticName, ValuePrint(value));

    /// <summary><see cref="Add(ReadOnlySpan{byte}, ReadOnlySpan{byte}, uint, int)"/> with the value's print a <see cref="Find"/> already computed.</summary>
    internal void Add(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, uint nameHash, int staticName, uint valuePrint)
    {
        var length = name.Length + value.Length;
        var entrySize = length + HeaderField.EntryOverhead;
        if (entrySize > maxSize)
        {
            EvictUntil(0);
            return;
        }
        EvictUntil(maxSize - entrySize);
        if (inserted - log.BaseId >= log.Capacity || log.End(inserted) + length > log.Octets.Length || !log.TryClaim(inserted))
        {
            log = log.CopyLive(inserted, count, length);
            if (!log.TryClaim(inserted)) throw new InvalidOperationException("a fresh log is always claimable");
        }
        log.Write(inserted, name, value, nameHash, staticName, valuePrint);
        inserted++;
        count++;
        size += entrySize;
    }

    private void Add(HeaderField field, int entrySize)
    {
        if (entrySize > maxSize)
        {
            EvictUntil(0);
            return;
        }
        EvictUntil(maxSize - entrySize);
        if (inserted - log.BaseId >= log.Capacity || !log.TryClaim(inserted))
        {
            log = log.CopyLive(inserted, count, 0);
            if (!log.TryClaim(inserted)) throw new InvalidOperationException("a fresh log is always claimable");
        }
        log.Write(inserted, field);
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
    /// Encoder lookup: the position (0 = newest) of
    /// the newest entry equal to <paramref name="name"/> and <paramref name="value"/>
    /// (-1: none; not looked for when <paramref name="nameOnly"/>), and in
    /// <paramref name="named"/> the position of the newest entry with the name (-1: none).
    /// A name of the static table (<paramref name="staticName"/>, its first index; 0: none)
    /// is compared by that index, as nghttp2 compares its tokens, not octet by octet; such a
    /// name is not looked for alone (<paramref name="named"/> stays -1): the static index
    /// names it, as in nghttp2. <paramref name="valuePrint"/> is the value's print, for an
    /// <see cref="Add(ReadOnlySpan{byte}, ReadOnlySpan{byte}, uint, int, uint)"/> that follows.
    /// </summary>
    internal int Find(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, uint nameHash, int staticName, bool nameOnly, out int named, out uint valuePrint)
    {
        named = -1;
        var print = valuePrint = ValuePrint(value);
        var l = log;
        // Positions in the log, not ids: the window is [oldest, end).
        var oldest = (int)(inserted - count - l.BaseId);
        var end = (int)(inserted - l.BaseId);
        var slots = l.Slots;
        // Links hold position + 1 (0 = none); positions in a chain decrease, so the
        // walk stops at the first one below this window; those above it (appended
        // by a later table on the same log) are skipped.
        var mask = l.NameHeads.Length - 1;
        if (!nameOnly)
        {
            // The exact chain: entries by name hash, value length and value print, so
            // that the walk rarely meets an entry that is not the field itself.
            for (var link = Volatile.Read(ref l.ExactHeads[ExactKey(nameHash, print, value.Length) & mask]); link > oldest;)
            {
                ref var slot = ref slots[link - 1];
                if (link <= end && slot.ValuePrint == print && slot.NameHash == nameHash && slot.NameLength == name.Length
                    && slot.Length - slot.NameLength == value.Length && slot.StaticName == staticName
                    && (staticName > 0 || name.SequenceEqual(l.Octets.AsSpan(slot.Offset, name.Length)))
                    && value.SequenceEqual(l.Octets.AsSpan(slot.Offset + slot.NameLength, value.Length)))
                    return end - link;
                link = slot.ExactNext;
            }
        }
        if (staticName > 0) return -1;
        // The name chain: its newest entry with the name is mostly its head.
        for (var link = Volatile.Read(ref l.NameHeads[nameHash & mask]); link > oldest;)
        {
            ref var slot = ref slots[link - 1];
            if (link <= end && slot.NameHash == nameHash && slot.NameLength == name.Length && slot.StaticName == staticName
                && (staticName > 0 || name.SequenceEqual(l.Octets.AsSpan(slot.Offset, name.Length))))
            {
                named = end - link;
                return -1;
            }
            link = slot.Next;
        }
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ExactKey(uint nameHash, uint print, int length)
    {
        var h = nameHash + print * 0x9E3779B1u + (uint)length * 0x85EBCA6Bu;
        h ^= h >> 15;
        h *= 0x2C1B3C6Du;
        return h ^ (h >> 12);
    }

    // A value's octets when under 8, else its first and last 8 octets folded: values of
    // one name and one length (dates, cookies, ids) mostly differ there.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint ValuePrint(ReadOnlySpan<byte> value)
    {
        ulong x = 0;
        if (value.Length < 8)
            for (var i = 0; i < value.Length; i++) x = x << 8 | value[i];
        else
            x = BinaryPrimitives.ReadUInt64LittleEndian(value) ^ BitOperations.RotateLeft(BinaryPrimitives.ReadUInt64LittleEndian(value[^8..]), 17);
        return (uint)x ^ (uint)(x >> 32);
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
    /// Append-only storage of entries by id (position = id - <see cref="BaseId"/>):
    /// the decoder's fields, or the encoder's entries as slots over one array of
    /// octets (an entry's name then value, appended in id order), with hash
    /// chains by name. Positions below <see cref="highest"/>, and the octets they
    /// refer to, are never written again, so every table on the log sees fixed
    /// entries; when the slots or the octets run out, the live window moves to
    /// a new log (its octets copied once, amortised over the appends that filled
    /// the old one).
    /// </summary>
    private sealed class EntryLog
    {
        public readonly long BaseId;
        public readonly HeaderField[] Entries = []; // the decoder's (unindexed) entries
        public readonly Slot[] Slots = [];
        public readonly byte[] Octets = [];
        public readonly int[] NameHeads = [0];
        public readonly int[] ExactHeads = [0];
        private readonly bool indexed;
        private long highest; // the next id to write; claimed with a compare-and-swap

        public readonly int Capacity;

        private EntryLog(long baseId, int capacity, int octets, bool indexed)
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
            Slots = new Slot[capacity];
            Octets = octets == 0 ? [] : GC.AllocateUninitializedArray<byte>(octets);
            var buckets = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 1));
            NameHeads = new int[buckets];
            ExactHeads = new int[buckets];
        }

        public static EntryLog Create(long baseId, int capacity, bool indexed) => new(baseId, capacity, 0, indexed);

        /// <summary>Claims position <paramref name="id"/> for the table whose window ends there (the tip).</summary>
        public bool TryClaim(long id) => Interlocked.CompareExchange(ref highest, id + 1, id) == id;

        /// <summary>Where the octets of entry <paramref name="id"/> go: after those of the entry before it.</summary>
        public int End(long id)
        {
            if (id == BaseId) return 0;
            ref var before = ref Slots[id - 1 - BaseId];
            return before.Offset + before.Length;
        }

        /// <summary>The entry at a position: the stored field, or (encoder) one made from its octets.</summary>
        public HeaderField Entry(long at)
        {
            if (!indexed) return Entries[at];
            var slot = Slots[at];
            return new HeaderField(new Bytes(Octets.AsMemory(slot.Offset, slot.NameLength)),
                new Bytes(Octets.AsMemory(slot.Offset + slot.NameLength, slot.Length - slot.NameLength)));
        }

        /// <summary>The size (§4.1) of the entry at a position.</summary>
        public int EntrySize(long at) => indexed ? Slots[at].Length + HeaderField.EntryOverhead : Entries[at].Size;

        public void Write(long id, HeaderField field) => Entries[id - BaseId] = field;

        public void Write(long id, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, uint nameHash, int staticName, uint valuePrint)
        {
            var offset = End(id);
            name.CopyTo(Octets.AsSpan(offset));
            value.CopyTo(Octets.AsSpan(offset + name.Length));
            Link(id, new Slot
            {
                NameHash = nameHash, NameLength = name.Length, StaticName = (byte)staticName, Offset = offset, Length = name.Length + value.Length,
                ValuePrint = valuePrint,
            });
        }

        private void Link(long id, in Slot entry)
        {
            var at = (int)(id - BaseId);
            ref var slot = ref Slots[at];
            slot = entry;
            ref var nameHead = ref NameHeads[slot.NameHash & (NameHeads.Length - 1)];
            ref var exactHead = ref ExactHeads[ExactKey(slot.NameHash, slot.ValuePrint, slot.Length - slot.NameLength) & (ExactHeads.Length - 1)];
            slot.Next = nameHead;
            slot.ExactNext = exactHead;
            Volatile.Write(ref nameHead, at + 1);
            Volatile.Write(ref exactHead, at + 1);
        }

        /// <summary>
        /// A new log holding the window [end - count, end) of this one, with room to grow
        /// (for 4 times as many entries, and octets) and for an entry of <paramref name="incoming"/> octets.
        /// </summary>
        public EntryLog CopyLive(long end, int count, int incoming)
        {
            var start = end - count;
            var live = 0;
            if (indexed)
                for (var id = start; id < end; id++) live += Slots[id - BaseId].Length;
            var copy = new EntryLog(start, Math.Max(32, count * 4), indexed ? (int)Math.Min(Array.MaxLength, Math.Max(1024, (live + (long)incoming) * 4)) : 0, indexed);
            for (var id = start; id < end; id++)
            {
                var at = id - BaseId;
                copy.TryClaim(id);
                if (!indexed)
                {
                    copy.Write(id, Entries[at]);
                    continue;
                }
                var slot = Slots[at];
                var offset = copy.End(id);
                Octets.AsSpan(slot.Offset, slot.Length).CopyTo(copy.Octets.AsSpan(offset));
                slot.Offset = offset;
                copy.Link(id, slot);
            }
            return copy;
        }
    }

    /// <summary>One entry of the encoder's log: its name's hash and first static index, where its octets are, the chain, its value's print.</summary>
    private struct Slot
    {
        public uint NameHash;
        public int NameLength;
        public int Offset;
        public int Length;
        public int Next; // the position + 1 of the next older entry in the name's bucket (0: none)
        public uint ValuePrint;
        public int ExactNext; // the same in the bucket of its name, value length and value print
        public byte StaticName;
    }
}
