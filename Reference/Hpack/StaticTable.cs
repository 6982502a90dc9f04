using System.Collections.Frozen;

namespace Http2.Reference.Hpack;

/// <summary>
/// The static table of RFC 7541 Appendix A: 61 predefined fields, indices 1 to
/// 61 of the index address space (§2.3.3). The fields are allocated once and
/// shared by every decoded block that refers to them.
/// </summary>
public static class StaticTable
{
    /// <summary>Number of entries (Appendix A): dynamic indices start at <c>Length + 1</c> (§2.3.3).</summary>
    public const int Length = 61;

    private static readonly HeaderField[] entries =
    [
        .. new (string Name, string Value)[]
        {
        (":authority", ""),
        (":method", "GET"),
        (":method", "POST"),
        (":path", "/"),
        (":path", "/index.html"),
        (":scheme", "http"),
        (":scheme", "https"),
        (":status", "200"),
        (":status", "204"),
        (":status", "206"),
        (":status", "304"),
        (":status", "400"),
        (":status", "404"),
        (":status", "500"),
        ("accept-charset", ""),
        ("accept-encoding", "gzip, deflate"),
        ("accept-language", ""),
        ("accept-ranges", ""),
        ("accept", ""),
        ("access-control-allow-origin", ""),
        ("age", ""),
        ("allow", ""),
        ("authorization", ""),
        ("cache-control", ""),
        ("content-disposition", ""),
        ("content-encoding", ""),
        ("content-language", ""),
        ("content-length", ""),
        ("content-location", ""),
        ("content-range", ""),
        ("content-type", ""),
        ("cookie", ""),
        ("date", ""),
        ("etag", ""),
        ("expect", ""),
        ("expires", ""),
        ("from", ""),
        ("host", ""),
        ("if-match", ""),
        ("if-modified-since", ""),
        ("if-none-match", ""),
        ("if-range", ""),
        ("if-unmodified-since", ""),
        ("last-modified", ""),
        ("link", ""),
        ("location", ""),
        ("max-forwards", ""),
        ("proxy-authenticate", ""),
        ("proxy-authorization", ""),
        ("range", ""),
        ("referer", ""),
        ("refresh", ""),
        ("retry-after", ""),
        ("server", ""),
        ("set-cookie", ""),
        ("strict-transport-security", ""),
        ("transfer-encoding", ""),
        ("user-agent", ""),
        ("vary", ""),
        ("via", ""),
        ("www-authenticate", "")
        }.Select(e => HeaderField.Of(e.Name, e.Value)),
    ];

    // Name -> (first index, last index) of the run of entries with that name
    // (Appendix A lists equal names next to each other).
    private static readonly FrozenDictionary<Bytes, (int First, int Last)> byName = entries
        .Select((f, i) => (f.Name, Index: i + 1))
        .GroupBy(e => e.Name)
        .ToFrozenDictionary(g => g.Key, g => (g.Min(e => e.Index), g.Max(e => e.Index)));

    // The encoder's name lookup, without hashing the name (as nghttp2 does with a switch on
    // length and last octet): a slot from the name's length and its first, middle and last
    // octets, chosen at start-up so that no two names of Appendix A share one; a name that
    // is not in the table either finds an empty slot or fails one comparison.
    private const int Slots = 256;
    private static readonly uint slotMultiplier;
    private static readonly byte[] slotFirst = BuildSlots(out slotMultiplier); // first index of the name, 0 = empty
    private static readonly byte[] lastOf = [0, .. entries.Select((_, i) => (byte)byName[entries[i].Name].Last)];

    // DynamicTable.Hash of each entry's name (element 0 unused): the encoder's dynamic
    // table is indexed by name hash, and a name of this table is never hashed again.
    private static readonly uint[] nameHashes = [0, .. entries.Select(e => DynamicTable.Hash(e.Name.Span, 0))];

    // The octets of every name and value (element 0 unused), as arrays: compared without going through Memory.
    private static readonly byte[][] names = [[], .. entries.Select(e => e.Name.ToArray())];
    private static readonly byte[][] values = [[], .. entries.Select(e => e.Value.ToArray())];

    private static uint SlotKey(ReadOnlySpan<byte> name) =>
        (uint)name.Length | (uint)name[0] << 8 | (uint)name[name.Length >> 1] << 16 | (uint)name[^1] << 24;

    private static int Slot(uint key, uint multiplier) => (int)((key * multiplier) >> 24);

    private static byte[] BuildSlots(out uint multiplier)
    {
        for (multiplier = 0x9E3779B1; ; multiplier += 2)
        {
            var first = new byte[Slots];
            var collision = false;
            foreach (var (name, run) in byName)
            {
                ref var slot = ref first[Slot(SlotKey(name.Span), multiplier)];
                if (slot != 0) { collision = true; break; }
                slot = (byte)run.First;
            }
            if (!collision) return first;
        }
    }

    /// <summary>
    /// Encoder lookup: the first index with the name (bits 0-7; 0: none) and,
    /// unless <paramref name="nameOnly"/>, the index equal in name and value
    /// (bits 8-15; 0: none). One int, not a tuple: returned in a register.
    /// </summary>
    internal static int Match(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, bool nameOnly)
    {
        if (name.IsEmpty) return 0;
        int first = slotFirst[Slot(SlotKey(name), slotMultiplier)];
        if (first == 0 || !name.SequenceEqual(names[first])) return 0;
        if (nameOnly) return first;
        for (var i = first; i <= lastOf[first]; i++)
            if (value.SequenceEqual(values[i])) return first | i << 8;
        return first;
    }

    /// <summary>The name hash (<see cref="DynamicTable.Hash"/>) of the entry at <paramref name="index"/>, precomputed.</summary>
    internal static uint NameHash(int index) => nameHashes[index];

    /// <summary>The entries in index order (element 0 is index 1).</summary>
    public static IReadOnlyList<HeaderField> Entries => entries;

    /// <summary>The entry at HPACK index <paramref name="index"/> (1 to 61).</summary>
    /// <exception cref="ArgumentOutOfRangeException">When the index is outside 1 to 61.</exception>
    public static HeaderField Get(int index) =>
        index is >= 1 and <= Length ? entries[index - 1] : throw new ArgumentOutOfRangeException(nameof(index));

    internal static HeaderField At(int index) => entries[index - 1];

    /// <summary>
    /// Finds a field: the index of an entry with the same name and value, or
    /// else the first index with the same name (<paramref name="exact"/> false),
    /// or 0 when the name is not in the table.
    /// </summary>
    public static int Find(Bytes name, ReadOnlySpan<byte> value, out bool exact)
    {
        exact = false;
        if (!byName.TryGetValue(name, out var run)) return 0;
        for (var i = run.First; i <= run.Last; i++)
        {
            if (entries[i - 1].Value.Span.SequenceEqual(value))
            {
                exact = true;
                return i;
            }
        }
        return run.First;
    }

    /// <summary>The first index of <paramref name="name"/>, or 0 when no entry has that name.</summary>
    public static int FindName(Bytes name) => byName.TryGetValue(name, out var run) ? run.First : 0;
}
