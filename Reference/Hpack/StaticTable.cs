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

    // The encoder's name lookup: open addressing over DynamicTable.Hash(name, 0), the
    // hash the encoder computes anyway for the dynamic table, so no second hash per field.
    private const int Slots = 128;
    private static readonly uint[] slotHash = new uint[Slots];
    private static readonly byte[] slotFirst = BuildSlots(); // first index of the name, 0 = empty
    private static readonly byte[] lastOf = [0, .. entries.Select((_, i) => (byte)byName[entries[i].Name].Last)];

    private static byte[] BuildSlots()
    {
        var first = new byte[Slots];
        foreach (var (name, run) in byName)
        {
            var h = DynamicTable.Hash(name.Span, 0);
            var slot = (int)(h & (Slots - 1));
            while (first[slot] != 0) slot = (slot + 1) & (Slots - 1);
            first[slot] = (byte)run.First;
            slotHash[slot] = h;
        }
        return first;
    }

    /// <summary>
    /// Encoder lookup with a precomputed <paramref name="nameHash"/>, in one
    /// probe: the first index with the name (0: none) and the index equal in
    /// name and value (0: none).
    /// </summary>
    internal static (int First, int Exact) FindBoth(ReadOnlySpan<byte> name, uint nameHash, ReadOnlySpan<byte> value)
    {
        for (var slot = (int)(nameHash & (Slots - 1)); slotFirst[slot] != 0; slot = (slot + 1) & (Slots - 1))
        {
            if (slotHash[slot] != nameHash) continue;
            int first = slotFirst[slot];
            if (!entries[first - 1].Name.Span.SequenceEqual(name)) continue;
            for (var i = first; i <= lastOf[first]; i++)
                if (entries[i - 1].Value.Span.SequenceEqual(value)) return (first, i);
            return (first, 0);
        }
        return (0, 0);
    }

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
