namespace Http2.Reference.Hpack;

/// <summary>
/// One dynamic table entry as the seed's <c>header_table</c> copy shows it:
/// the name, the value, their lengths, and the entry's size (§4.1).
/// </summary>
/// <param name="Name">The name octets.</param>
/// <param name="Value">The value octets.</param>
/// <param name="Size">Name length + value length + 32 (§4.1).</param>
public sealed record HeaderTableEntry(Bytes Name, Bytes Value, int Size)
{
    /// <summary>Length of the name in octets.</summary>
    public int NameLength => Name.Length;

    /// <summary>Length of the value in octets.</summary>
    public int ValueLength => Value.Length;

    /// <summary>The entries of <paramref name="table"/>, newest first (HPACK index 62 onward).</summary>
    public static IReadOnlyList<HeaderTableEntry> Of(DynamicTable table) =>
        [.. table.Select(f => new HeaderTableEntry(f.Name, f.Value, f.Size))];
}
